#!/bin/sh
# kill -9 of shojid under load (issue 15, item 16), without KVM: shojid on hvsim
# (tests/sim/hvsim-serve) with seven domains while three clients set memory targets and
# list as fast as they can.  shojid is killed mid-request; shoji-hv keeps every domain.  While
# it is away one domain is destroyed behind its back and one powers off (the test plays
# that guest).  A new shojid re-adopts the five others with their ids, names and states
# as shoji-hv has them, cleans up after the destroyed one, applies on_poweroff=destroy to
# the one that powered off, and controls them all.  A killed shoji-consoled is started
# again.  (tests/system/toolstack-restart.sh does the same with booted guests on KVM.)
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"
HVCTL="$top_builddir/tests/system/hv-ctrl-client"
CONSOLED="$top_builddir/pv-drivers/dom0/consoled/shoji-consoled"

ts_start_sim --consoled-bin "$CONSOLED"
for d in d1 d2 d3 d4 d5 gone late; do
	shoji create -p "$(ts_xml "$d" "$GUESTS/idle")" >/dev/null || fail "create $d"
done
gone_id=$(ts_id gone)
late_id=$(ts_id late)

# The load: three clients hammering shojid until told to stop.  (Domains stay paused:
# hvsim has no guest code to run.)
load() {
	while [ ! -e "$SHOJI_TMP/stop" ]; do
		"$SHOJI" "$@" >/dev/null 2>&1
	done
}
load mem-set d1 12 &
l1=$!
load mem-set d1 14 &
l2=$!
load list &
l3=$!
track_pid $l1; track_pid $l2; track_pid $l3
sleep 1
kill -9 "$SHOJID_PID"
wait "$SHOJID_PID" 2>/dev/null
touch "$SHOJI_TMP/stop"
wait $l1 $l2 $l3
shoji list 2>/dev/null; [ $? = 4 ] || fail "list without shojid: not exit 4"
"$HVCTL" "$TS_HV_SOCK" list >"$SHOJI_TMP/hvlist" || fail "shoji-hv does not answer"
for d in d1 d2 d3 d4 d5 gone late; do
	grep -q " name=$d " "$SHOJI_TMP/hvlist" || fail "shoji-hv lost $d: $(cat "$SHOJI_TMP/hvlist")"
done
# While shojid is away: one domain is destroyed, one guest powers off.
"$HVCTL" "$TS_HV_SOCK" destroy "$gone_id" || fail "hv destroy"
sim_guest shutdown "$late_id" 0

ts_start --no-spawn --consoled-bin "$CONSOLED"
"$HVCTL" "$TS_HV_SOCK" list >"$SHOJI_TMP/hvlist" || fail "shoji-hv does not answer"
shoji list >"$SHOJI_TMP/after" || fail "list after the restart"
for d in d1 d2 d3 d4 d5; do
	# name, id and state as shoji-hv has them
	want=$(sed -n "s/.*domid=\([0-9]*\) name=$d state=\([a-z]*\) .*/$d \1 \2/p" "$SHOJI_TMP/hvlist")
	got=$(awk -v n="$d" '$1 == n { print $1, $2, $5 }' "$SHOJI_TMP/after")
	[ -n "$want" ] && [ "$want" = "$got" ] ||
		fail "$d not re-adopted as shoji-hv has it: want '$want', got '$got' in $(cat "$SHOJI_TMP/after")"
	shoji info --json "$d" | grep -q '"managed": true' || fail "$d not managed"
done
grep -q "^gone " "$SHOJI_TMP/after" && fail "gone came back: $(cat "$SHOJI_TMP/after")"
[ ! -e "$TS_STATE/run/$gone_id.rec" ] || fail "gone's record not cleaned up"
xs list /local/domain | grep -qx "$gone_id" && fail "gone's xenstore entries not cleaned up"
ts_wait_gone late "$late_id" 30 || fail "late: on_poweroff=destroy did not run after the restart"
"$HVCTL" "$TS_HV_SOCK" list | grep -q " name=late " && fail "late is still in shoji-hv"

# shoji-consoled, killed, is started again.
tries=100
while ! [ -f "$TS_STATE/shoji-consoled.pid" ] || ! kill -0 "$(cat "$TS_STATE/shoji-consoled.pid")" 2>/dev/null; do
	tries=$((tries - 1)); [ $tries -gt 0 ] || fail "shoji-consoled not running"; sleep 0.1
done
c_pid=$(cat "$TS_STATE/shoji-consoled.pid")
kill -9 "$c_pid"
tries=150
while [ "$(cat "$TS_STATE/shoji-consoled.pid")" = "$c_pid" ] ||
	! kill -0 "$(cat "$TS_STATE/shoji-consoled.pid")" 2>/dev/null; do
	tries=$((tries - 1)); [ $tries -gt 0 ] || fail "shoji-consoled not restarted"; sleep 0.1
done

# The re-adopted domains are controllable.
# (hvsim runs no guest code: paused domains stay paused, a shutdown request is written
# to xenstore and times out.)
shoji shutdown --wait --timeout 1 d2 2>/dev/null; [ $? = 5 ] || fail "shutdown --wait d2: not a timeout"
[ "$(xs read "/local/domain/$(ts_id d2)/control/shutdown")" = poweroff ] || fail "shutdown d2: no request in xenstore"
shoji dumpxml d4 | grep -q "<name>d4</name>" || fail "dumpxml d4"
shoji mem-set d3 8 && [ "$(xs read "/local/domain/$(ts_id d3)/memory/target")" = 8192 ] || fail "mem-set d3"
for d in d1 d2 d3 d4 d5; do shoji destroy "$d" >/dev/null || fail "destroy $d"; done
[ -z "$(shoji list | tail -n +2)" ] || fail "domains left: $(shoji list)"
"$HVCTL" "$TS_HV_SOCK" list >"$SHOJI_TMP/hvlist"
[ -s "$SHOJI_TMP/hvlist" ] && fail "shoji-hv still holds: $(cat "$SHOJI_TMP/hvlist")"
echo "PASS toolstack-kill"
