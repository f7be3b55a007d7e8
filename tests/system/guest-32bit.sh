#!/bin/sh
# A 32-bit (i386) PVH guest of our own (tests/guests/guest32.c, no runtime):
# its PVH note only in a note section, entered in 32-bit protected mode, it
# makes hypercalls through the hypercall page with the i386 register ABI
# and Xen's i386 structure layouts (a 32-bit guest handle in the memory map,
# 32-bit idx/gpfn in add_to_physmap, runstate fields at offset 4).
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

out="$SHOJI_TMP/guest32"
run_guest "$out" guest32
expect_line "$out" "PASS guest32_memory_map 3"
expect_line "$out" "PASS guest32_add_to_physmap_grant_frame 0"
expect_checks "$out" guest32_xen_version guest32_hvm_param_store_pfn guest32_evtchn_alloc \
	guest32_evtchn_status guest32_evtchn_close guest32_gnttab_query_size \
	guest32_grant_frame_writable guest32_runstate_layout
expect_line "$out" "SUCCESS"
expect_rc "$out" 0
exit 0
