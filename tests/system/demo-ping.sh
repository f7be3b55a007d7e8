#!/bin/sh
# The "ping" example device class end to end: the ping-front guest and
# shoji-pingback (on libshoji-backend) do the xenbus handshake, exchange
# requests over a granted ring with event channel notifications, and close
# the device so that the guest can revoke its grant.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/console-lib.sh"
PINGBACK="$top_builddir/pv-drivers/dom0/ping-back/shoji-pingback"
PINGFRONT="$top_builddir/pv-drivers/guest/ping-front/ping-front"
[ -x "$PINGBACK" ] && [ -x "$PINGFRONT" ] || fail "the ping example is not built"

con_start
"$PINGBACK" --xs-socket "$CON_XS_SOCK" --hv-socket "$CON_HV_SOCK" --verbose \
	2>"$SHOJI_TMP/pingback.err" &
PB=$!
track_pid $PB
con_wait_file "$SHOJI_TMP/pingback.err" "ready" 10

D=$(cdom create pinger "$PINGFRONT" 32 "rounds=500" ping) || fail "cannot create the ping guest"
R=$(cdom wait "$D" 60) || fail "the ping guest did not finish"
OUT="$SHOJI_TMP/pinger.out"
cdom dmesg "$D" >"$OUT" || fail "cannot read the guest's output"
[ "$R" = "reason=0" ] || fail "ping guest ended with $R: $(cat "$OUT" "$SHOJI_TMP/pingback.err")"
grep -qE "^ping-front: connected ring-ref=[0-9]+ port=[0-9]+$" "$OUT" || fail "no connect line"
grep -qx "ping-front: 500 pongs ok" "$OUT" || fail "pongs missing: $(cat "$OUT")"
grep -qx "ping-front: closed, grant revoked" "$OUT" || fail "no clean close: $(cat "$OUT")"
con_wait_file "$SHOJI_TMP/pingback.err" "backend/ping/$D/0: connected" 5
con_wait_file "$SHOJI_TMP/pingback.err" "backend/ping/$D/0: answered 500 pings" 5
kill -0 $PB || fail "shoji-pingback died"
cdom destroy "$D"
con_wait_file "$SHOJI_TMP/pingback.err" "domain $D is gone" 10
kill -0 $PB || fail "shoji-pingback died after the domain"

# A hostile frontend: the backend stops that device and keeps serving others.
H=$(cdom create hostile "$PINGFRONT" 32 "hostile=1" ping) || fail "cannot create the hostile guest"
R=$(cdom wait "$H" 60) || fail "the hostile guest did not finish"
cdom dmesg "$H" >"$SHOJI_TMP/hostile.out" || fail "cannot read the hostile guest's output"
[ "$R" = "reason=0" ] || fail "hostile guest ended with $R: $(cat "$SHOJI_TMP/hostile.out")"
grep -qx "ping-front: closed, grant revoked" "$SHOJI_TMP/hostile.out" ||
	fail "hostile guest could not close: $(cat "$SHOJI_TMP/hostile.out")"
con_wait_file "$SHOJI_TMP/pingback.err" "backend/ping/$H/0: impossible request index, device stopped" 5
kill -0 $PB || fail "shoji-pingback died of a hostile frontend"
cdom destroy "$H"
G=$(cdom create pinger2 "$PINGFRONT" 32 "rounds=50" ping) || fail "cannot create the second guest"
[ "$(cdom wait "$G" 60)" = "reason=0" ] || fail "the guest after the hostile one failed"
cdom dmesg "$G" | grep -qx "ping-front: 50 pongs ok" || fail "no pongs after the hostile guest"
cdom destroy "$G"
echo "PASS demo-ping"
