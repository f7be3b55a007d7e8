#!/bin/sh
# A guest that corrupts its ring indexes is disconnected (error field RINGIDX, no more answers);
# the daemon and another guest's session running at the same time are unaffected.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/xs-ring-lib.sh"

XS_WAIT_FILE="$SHOJI_TMP/hostile.done"
export XS_WAIT_FILE
timeout 300 "$RUN" "$SOCK" "$XS_SOCK" "$XS_GUEST" "role=0" "$HOOK" >"$SHOJI_TMP/good.out" 2>&1 &
good=$!
track_pid "$good"
hout=$(timeout 200 "$RUN" "$SOCK" "$XS_SOCK" "$XS_GUEST" "role=1" 2>&1)
hrc=$?
touch "$XS_WAIT_FILE"
wait "$good"
grc=$?
echo "--- hostile guest"
echo "$hout"
echo "--- well-behaved guest"
cat "$SHOJI_TMP/good.out"
echo "--- daemon"
cat "$SHOJI_TMP/xsd.err"
[ $hrc -eq 0 ] || fail "hostile guest run failed (rc $hrc)"
for c in xs_hostile_first_request xs_hostile_error_ringidx xs_hostile_disconnected; do
	echo "$hout" | grep -q "PASS $c" || fail "check $c did not pass"
done
[ $grc -eq 0 ] || fail "the well-behaved guest was affected (rc $grc)"
grep -q "SUCCESS" "$SHOJI_TMP/good.out" || fail "the well-behaved guest did not succeed"
grep -q "bad request ring indexes" "$SHOJI_TMP/xsd.err" || fail "daemon did not report the corruption"
xsd_alive
[ "$(xs read /local/domain/0/secret)" = dom0-only ] || fail "daemon does not answer Dom0 any more"
hv_alive
echo "PASS xs-ring-hostile"
