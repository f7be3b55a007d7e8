#!/bin/sh
# shojid survives a burst of shoji-hv events it cannot read (issue 15, finding 6):
# while shojid is stopped (SIGSTOP), 5,000 pause/unpause pairs of one domain, a
# destroy of another behind its back and a guest poweroff of a third happen.
# shoji-hv drops what shojid's socket cannot hold and sends it the overflow
# marker; after SIGCONT shojid re-reads the domain list instead of exiting:
# it is alive, the destroyed domain is gone from `shoji list`, the powered-off
# one got its on_poweroff (destroy), and later events are seen again.  Runs
# shojid on hvsim (tests/sim/hvsim-serve): domains are created paused.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"

ts_start_sim

for n in busy gone off later; do
	shoji create -p "$(ts_xml $n "$GUESTS/idle")" >"$SHOJI_TMP/out" 2>&1 ||
		fail "create $n: $(cat "$SHOJI_TMP/out")"
done
busy=$(ts_id busy) gone=$(ts_id gone) off=$(ts_id off) later=$(ts_id later)
[ -n "$busy" ] && [ -n "$gone" ] && [ -n "$off" ] && [ -n "$later" ] || fail "ids: $(shoji list)"

kill -STOP "$SHOJID_PID"
sim_guest burst "$busy" 5000
sim_guest destroy "$gone"
sim_guest shutdown "$off" 0
kill -CONT "$SHOJID_PID"

# shojid catches up: gone and off leave the list, busy and later stay.
tries=100
while :; do
	list=$(shoji list) || { ts_log; fail "shoji list failed after the burst"; }
	echo "$list" | awk '$1 == "gone" || $1 == "off" { f = 1 } END { exit f }' && break
	tries=$((tries - 1))
	[ "$tries" -gt 0 ] || { ts_log; fail "after the burst shoji list still says: $list"; }
	sleep 0.1
done
[ "$(ts_id busy)" = "$busy" ] || fail "busy is not listed: $list"
[ "$(ts_id later)" = "$later" ] || fail "later is not listed: $list"
kill -0 "$SHOJID_PID" 2>/dev/null || { ts_log; fail "shojid exited"; }
grep -q "lost shoji-hv" "$SHOJI_TMP/shojid.log" && { ts_log; fail "shojid lost the event stream"; }
grep -q "resynchronised" "$SHOJI_TMP/shojid.log" || { ts_log; fail "shojid never resynchronised"; }

# The stream is whole again: a poweroff now is acted on from its event.
sim_guest shutdown "$later" 0
ts_wait_gone later "$later" 10 || { ts_log; fail "later's poweroff was not seen: $(shoji list)"; }
kill -0 "$SHOJID_PID" 2>/dev/null || { ts_log; fail "shojid exited"; }
echo "toolstack-events: shojid resynchronised after 10,000 events it could not read"
