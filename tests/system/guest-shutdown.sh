#!/bin/sh
# Every SCHEDOP_shutdown reason maps to its shoji-hv run exit status
# (poweroff 0, reboot 11, suspend 12, crash 13, watchdog 14, soft_reset 15),
# and SCHEDOP_shutdown_code overrides the reason of a later shutdown.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

for reason in 0 1 2 3 4 5; do
	want=$((10 + reason))
	[ "$reason" -eq 0 ] && want=0
	out="$SHOJI_TMP/shutdown-$reason"
	run_guest "$out" shutdown --cmdline "reason=$reason"
	expect_line "$out" "shutting down reason=$reason"
	expect_rc "$out" "$want"
done

out="$SHOJI_TMP/shutdown-code"
run_guest "$out" shutdown --cmdline "code=1 reason=0"
expect_line "$out" "shutdown_code 1 rc=0"
expect_rc "$out" 11
exit 0
