#!/bin/sh
# A guest that triple-faults ends as crashed (exit status 13), shoji-hv says
# so on stderr, and no guest code runs after the fault.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

out="$SHOJI_TMP/triplefault"
run_guest "$out" triplefault
expect_rc "$out" 13
expect_line "$out" "triplefault: loading a null IDT and faulting"
if grep -q FAIL "$out.out"; then
	guest_fail "$out" "the guest ran on after its triple fault"
fi
grep -qiE 'crash|triple' "$out.err" || guest_fail "$out" "stderr does not mention the crash"
exit 0
