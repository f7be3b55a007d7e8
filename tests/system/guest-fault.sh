#!/bin/sh
# The runtime's crash paths: a CPU exception prints its vector, name, rip
# (and cr2 for a page fault) and the domain ends crashed (13); so does a
# guest_main that returns non-zero.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

# expect_exception KIND PATTERN: the run crashed and printed PATTERN (an ERE).
expect_exception() {
	local out="$SHOJI_TMP/fault-$1"
	run_guest "$out" fault --cmdline "kind=$1"
	expect_rc "$out" 13
	expect_line "$out" "fault: kind=$1"
	grep -qE "$2" "$out.out" || guest_fail "$out" "no exception report matching: $2"
	if grep -q FAIL "$out.out"; then
		guest_fail "$out" "the guest ran on after its fault"
	fi
}

expect_exception ud '^shoji-guest: vCPU 0: exception 6 \(#UD invalid opcode\) at rip=0x10[0-9a-f]{4} '
expect_exception pf '^shoji-guest: vCPU 0: exception 14 \(#PF page fault\) .* cr2=0x700000000000$'
expect_exception de '^shoji-guest: vCPU 0: exception 0 \(#DE divide error\) '
expect_exception gp '^shoji-guest: vCPU 0: exception 13 \(#GP general protection\) '

out="$SHOJI_TMP/fault-ret"
run_guest "$out" fault --cmdline "kind=ret"
expect_rc "$out" 13
expect_line "$out" "guest_main returned 7"
exit 0
