#!/bin/sh
# Shutdown reasons in Xen's words (issue 16, item 4): `shoji info` and `shoji events`
# say poweroff, reboot, crash... instead of numbers, and the `restarted` event
# names the domain.  Runs shojid on hvsim: the test plays each guest, which
# calls SCHEDOP_shutdown (sim_guest), so no /dev/kvm is needed.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/system/toolstack-lib.sh"
ts_start_sim
shoji events >"$SHOJI_TMP/events" 2>&1 &
track_pid $!
shoji events --json >"$SHOJI_TMP/events.json" 2>&1 &
track_pid $!
sleep 0.3 # the subscriptions are in place

# wait_state NAME STATE: until `shoji info NAME` says State STATE (10 s).
wait_state() {
	local tries=100
	while ! shoji info "$1" 2>/dev/null | grep -q "^State: *$2\$"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "$1 never reached $2: $(shoji info "$1" 2>&1)"
		sleep 0.1
	done
}
# wait_line FILE PATTERN: until FILE has a line matching PATTERN (10 s).
wait_line() {
	local tries=100
	while ! grep -q "$2" "$1"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || fail "no line '$2' in $1: $(cat "$1")"
		sleep 0.1
	done
}

# poweroff, kept (preserve): info says the word.
shoji create -p "$(ts_xml off "$GUESTS/idle" "" preserve)" >/dev/null || fail "create off"
sim_guest shutdown "$(ts_id off)" 0
wait_state off shutdown
shoji info off | grep -q '^Reason: *poweroff$' || fail "info off: $(shoji info off)"
shoji info --json off | grep -q '"shutdown_reason": "poweroff"' || fail "info --json off: $(shoji info --json off)"
wait_line "$SHOJI_TMP/events" ' shutdown  *off id=[0-9]* reason=poweroff$'
wait_line "$SHOJI_TMP/events.json" '"event": "shutdown", "name": "off", "id": [0-9]*, "reason": "poweroff"'

# A guest's own SHUTDOWN_crash (a shut-down domain with reason crash, as on Xen), kept.
shoji create -p "$(ts_xml boom "$GUESTS/idle" "" destroy restart preserve)" >/dev/null || fail "create boom"
sim_guest shutdown "$(ts_id boom)" 3
wait_state boom shutdown
shoji info boom | grep -q '^Reason: *crash$' || fail "info boom: $(shoji info boom)"
wait_line "$SHOJI_TMP/events" ' boom id=[0-9]* reason=crash$'

# A running domain has no reason.
shoji create -p "$(ts_xml up "$GUESTS/idle")" >/dev/null || fail "create up"
shoji info up | grep -q '^Reason:' && fail "info up shows a reason: $(shoji info up)"
shoji info --json up | grep -q '"shutdown_reason": null' || fail "info --json up: $(shoji info --json up)"

# reboot, restarted: the event names the domain.
shoji create -p "$(ts_xml again "$GUESTS/idle" "" destroy restart destroy)" >/dev/null || fail "create again"
old=$(ts_id again)
sim_guest shutdown "$old" 1
wait_line "$SHOJI_TMP/events" ' shutdown  *again id='"$old"' reason=reboot$'
wait_line "$SHOJI_TMP/events" ' restarted  *again id='"$old"' new_id=[0-9]*$'
wait_line "$SHOJI_TMP/events.json" '"event": "restarted", "name": "again", "id": '"$old"
echo "toolstack-reasons: all checks passed"
