#!/bin/sh
# shoji-hv's ACPI tables through ACPICA (Debian's acpica-tools): for 1 and 4
# vCPUs, `iasl -d` disassembles the XSDT, FADT, DSDT and MADT without an
# error or warning, acpiexec loads FADT + DSDT + MADT into ACPICA's table
# manager cleanly, and the decoded fields are the ones a PVH guest needs.
# This iasl cannot read an RSDP file on its own (its table reader wants a
# standard header), so the RSDP's checksums and revision are checked here.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/lib/debian.sh"

dump="$top_builddir/tests/unit/acpi-dump"
[ -x "$dump" ] || fail "$dump not built (make check builds it)"
deb_require acpica-tools:iasl acpica-tools:acpiexec

# sum FILE [LEN]: the byte sum mod 256 of the first LEN bytes.
sum() {
	head -c "${2:-1000000}" "$1" | od -An -tu1 -v | tr -s ' ' '\n' |
		awk 'NF { s += $1 } END { print s % 256 }'
}

for n in 1 4; do
	dir="$SHOJI_TMP/acpi-$n"
	mkdir -p "$dir"
	"$dump" "$dir" "$n" >/dev/null || fail "acpi-dump $n failed"
	(cd "$dir" && ls)
	for t in xsdt facp dsdt apic; do
		[ -f "$dir/$t.dat" ] || fail "$n vCPUs: no $t table reachable from the RSDP"
		(cd "$dir" && iasl -d "$t.dat") >"$dir/$t.log" 2>&1 || { cat "$dir/$t.log"; fail "iasl -d $t.dat failed"; }
		! grep -iE 'error|warning' "$dir/$t.log" || fail "iasl -d $t.dat reported problems"
		[ -s "$dir/$t.dsl" ] || fail "iasl wrote no $t.dsl"
	done
	(cd "$dir" && acpiexec -b tables facp.dat dsdt.dat apic.dat) >"$dir/acpiexec.log" 2>&1 ||
		{ cat "$dir/acpiexec.log"; fail "acpiexec could not load the tables"; }
	! grep -iE 'error|warning|invalid' "$dir/acpiexec.log" || fail "acpiexec reported problems"
	grep -q 'ACPI: FACP .*(v06 SHOJI' "$dir/acpiexec.log" || fail "acpiexec did not take our FADT"

	grep -qE 'Hardware Reduced \(V5\) : 1' "$dir/facp.dsl" || fail "FADT is not hardware-reduced"
	dsdt=$(sed -n 's/.*\] *DSDT Address : 0*\([0-9A-F]*\)$/\1/p' "$dir/facp.dsl" | sort -u)
	[ "$(echo "$dsdt" | wc -l)" -eq 1 ] || fail "FADT's DSDT and X_DSDT differ: $dsdt"
	grep -q 'DefinitionBlock ("", "DSDT", 2, "SHOJI "' "$dir/dsdt.dsl" || fail "DSDT not decoded"
	[ "$(grep -c 'Subtable Type : 00 \[Processor Local APIC\]' "$dir/apic.dsl")" -eq "$n" ] ||
		fail "MADT does not hold $n Processor Local APIC entries"
	[ "$(grep -c 'Processor Enabled : 1' "$dir/apic.dsl")" -eq "$n" ] || fail "not every LAPIC is enabled"
	[ "$(grep -c 'ACPI Table Address' "$dir/xsdt.dsl")" -eq 2 ] || fail "XSDT does not hold 2 entries"

	[ "$(head -c 8 "$dir/rsdp.dat")" = "RSD PTR " ] || fail "RSDP signature"
	[ "$(od -An -tu1 -j15 -N1 "$dir/rsdp.dat" | tr -d ' ')" -eq 2 ] || fail "RSDP revision is not 2"
	[ "$(sum "$dir/rsdp.dat" 20)" -eq 0 ] || fail "RSDP checksum (first 20 bytes)"
	[ "$(sum "$dir/rsdp.dat")" -eq 0 ] || fail "RSDP extended checksum"
	echo "acpi-iasl: $n vCPU(s): XSDT, FADT, DSDT, MADT disassembled and loaded cleanly"
done
exit 0
