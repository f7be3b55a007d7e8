#!/bin/sh
# A hostile guest issues 100,000 random hypercalls with random arguments
# while hello runs in a loop beside it: every hello run still succeeds, and
# shoji-hv takes the hostile guest to a clean end (poweroff, all checks
# passed) or a crash (13) -- never a host-side error, a hang or a signal.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

seed=${HOSTILE_SEED:-$(date +%s)}
echo "hostile seed: $seed (rerun with HOSTILE_SEED=$seed)"
hostile="$SHOJI_TMP/hostile"
(
	GUEST_TIMEOUT=300 run_guest "$hostile" hostile --cmdline "seed=$seed count=100000"
	echo "$rc" >"$hostile.rc"
) &
hostile_pid=$!
track_pid "$hostile_pid"

runs=0
while kill -0 "$hostile_pid" 2>/dev/null || [ "$runs" -lt 3 ]; do
	out="$SHOJI_TMP/hello-$runs"
	run_guest "$out" hello --cmdline "run=$runs"
	expect_rc "$out" 0
	expect_line "$out" "Hello from Shoji guest"
	expect_line "$out" "cmdline=run=$runs"
	rm -f "$out.out" "$out.err"
	runs=$((runs + 1))
done
wait "$hostile_pid" || true
echo "hello ran $runs times beside the hostile guest"

[ -f "$hostile.rc" ] || fail "the hostile run left no status"
rc=$(cat "$hostile.rc")
case $rc in
0)
	expect_checks "$hostile" hostile_xen_version_after hostile_extraversion_after \
		hostile_unknown_after
	expect_line "$hostile" "hostile: 100000 hypercalls done"
	;;
13)
	echo "the hostile guest crashed itself (allowed): $(tail -n 2 "$hostile.out" | tr -d '\0')"
	;;
*)
	guest_fail "$hostile" "hostile guest ended with status $rc (seed $seed)"
	;;
esac
exit 0
