#!/bin/sh
# shojid outlives shoji-hv (issue 15, finding 7, shojid's half): when shoji-hv is
# killed (SIGKILL), shojid does not exit: it reports every domain crashed, drops
# their records, and once shoji-hv is back (restarted on the same socket) it
# reconnects and builds again the domain whose on_crash is restart.  Runs shojid
# on hvsim (tests/sim/hvsim-serve) with its xenstored; a domain started there
# crashes at once (no guest code runs), which is itself an on_crash restart.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

ts_start_sim
serve="$top_builddir/tests/sim/hvsim-serve"
hv_pid=$(pgrep -f -n "hvsim-serve $SHOJI_TMP") || fail "hvsim-serve's pid"

shoji events >"$SHOJI_TMP/events" 2>&1 &
track_pid $!
shoji create -p "$(ts_xml gone "$GUESTS/idle" "" destroy restart destroy)" >/dev/null ||
	fail "create gone"
shoji create -p "$(ts_xml back "$GUESTS/idle" "" destroy restart restart)" >/dev/null ||
	fail "create back"
gone=$(ts_id gone) back=$(ts_id back)
[ -n "$gone" ] && [ -n "$back" ] || fail "ids: $(shoji list)"
ls "$TS_STATE/run/" | grep -q "^$gone\.rec$" || fail "no record of gone: $(ls "$TS_STATE/run")"

kill -KILL "$hv_pid"
tries=100
while ! grep -q "lost shoji-hv" "$SHOJI_TMP/shojid.log"; do
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || { ts_log; fail "shojid never noticed shoji-hv's death"; }
	sleep 0.1
done
# (shoji list asks shoji-hv, so it fails meanwhile; records and events tell.)
tries=100
while ls "$TS_STATE/run/" | grep -q '\.rec$' ||
	! grep -q "crashed.* gone id=$gone" "$SHOJI_TMP/events" ||
	! grep -q "crashed.* back id=$back" "$SHOJI_TMP/events"; do
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || { ts_log; fail "records: $(ls "$TS_STATE/run"); events: $(cat "$SHOJI_TMP/events")"; }
	sleep 0.1
done
kill -0 "$SHOJID_PID" 2>/dev/null || { ts_log; fail "shojid exited with shoji-hv"; }

# shoji-hv comes back on the same socket: shojid reconnects and restarts back only.
exec 8>&-
rm -f "$SHOJI_TMP/hvsim.in"
mkfifo "$SHOJI_TMP/hvsim.in"
"$serve" "$SHOJI_TMP" <"$SHOJI_TMP/hvsim.in" >"$SHOJI_TMP/hvsim.out" 2>>"$SHOJI_TMP/hvsim.err" &
track_pid $!
exec 8>"$SHOJI_TMP/hvsim.in"
tries=100
while ! grep -q "restarted back: domain $back -> " "$SHOJI_TMP/shojid.log"; do
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || { ts_log; fail "back was not restarted"; }
	sleep 0.1
done
grep -q "shoji-hv is back" "$SHOJI_TMP/shojid.log" || { ts_log; fail "no reconnection logged"; }
shoji list | grep -q '^back ' || { ts_log; fail "back is not listed: $(shoji list)"; }
shoji list | grep -q '^gone ' && fail "gone came back: $(shoji list)"
kill -0 "$SHOJID_PID" 2>/dev/null || { ts_log; fail "shojid exited"; }
echo "toolstack-hvlost: shojid reported the domains lost with shoji-hv and restarted on_crash=restart"
