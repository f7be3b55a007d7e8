#!/bin/sh
# The guest's memory map (start_info and XENMEM_memory_map) adds up to the
# --memory given to shoji-hv run, with the ACPI tables (RSDP) in it.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

for mib in 64 100 256; do
	out="$SHOJI_TMP/memmap-$mib"
	run_guest "$out" memmap --memory "$mib" --cmdline "memory=$mib"
	expect_checks "$out" memmap_present memmap_start_info_total memmap_acpi_rsdp memmap_special_pages \
		memmap_no_overlap memmap_xenmem_total
	expect_rc "$out" 0
done
exit 0
