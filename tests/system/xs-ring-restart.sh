#!/bin/sh
# shoji-xenstored killed with SIGKILL and restarted while a guest is connected: the new daemon
# reconnects the guest's ring from its log, and the guest's next request works (a request lost
# with the old daemon is recovered with XENSTORE_RECONNECT).  Then the domain is destroyed without
# RELEASE: the daemon learns it from VIRQ_DOM_EXC, closes the ring and fires @releaseDomain.
# A second guest keeps its watch through a SIGKILL of the daemon: the restarted daemon fires it
# once at once and again for a later Dom0 write, and an UNWATCH sent before is kept too.  Quota
# changes (global, and per domain until RELEASE) survive the same SIGKILL.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/xs-ring-lib.sh"

# run_restarting ROLE END CHECK...: run the guest in role ROLE while the hook restarts the
# daemon; END says how xs-ring-run ends the domain (release: RELEASE, then destroy; death:
# destroy first, so the daemon must notice it, then RELEASE).
# It must succeed and pass every CHECK.  Its output in $out, its domid in $domid.
run_restarting() {
	local role=$1 death= old c rc=0
	[ "$2" = death ] && death=1
	shift 2
	old=$(cat "$XS_PID")
	out=$(env ${death:+XS_RING_DEATH=1} timeout 300 "$RUN" "$SOCK" "$XS_SOCK" "$XS_GUEST" \
		"role=$role" "$HOOK" 2>&1) || rc=$?
	echo "$out"
	echo "--- daemon"
	cat "$SHOJI_TMP/xsd.err"
	[ $rc -eq 0 ] || fail "guest role=$role failed (rc $rc)"
	[ "$(cat "$XS_PID")" != "$old" ] || fail "the daemon was not restarted"
	for c in "$@"; do
		echo "$out" | grep -q "PASS $c" || fail "check $c did not pass"
	done
	domid=$(echo "$out" | sed -n 's/.*xs-guest: domid=\([0-9]*\) .*/\1/p')
}

# the domain is destroyed without RELEASE at the end: the daemon notices from VIRQ_DOM_EXC
run_restarting 2 death xs_resume_before xs_resume_read_after_restart \
	xs_resume_state_kept xs_resume_write xs_reconnect_watch_before xs_reconnect_reset \
	xs_reconnect_request xs_reconnect_watches_dropped
grep -q "domain $domid: ring connection resumed" "$SHOJI_TMP/xsd.err" ||
	fail "the restarted daemon did not resume the ring"
[ "$(xs read "/local/domain/$domid/data/resumed")" = yes ] || fail "the guest's write is missing"
echo "$out" | grep -q "^xs-ring-run: destroyed domain $domid, @releaseDomain fired" ||
	fail "@releaseDomain did not fire when the domain died"
grep -q "domain $domid died: ring connection closed" "$SHOJI_TMP/xsd.err" ||
	fail "the daemon did not close the dead domain's ring"

# --- durable watches and quotas
[ "$(xsraw $XS_SET_QUOTA watches 77)" = OK ] || fail "SET_QUOTA watches"
run_restarting 4 release xs_durable_watch xs_durable_unwatch xs_durable_initial \
	xs_durable_refired xs_durable_event xs_durable_unwatch_kept xs_durable_read
dom2=$domid
[ "$(cat "$SHOJI_TMP/quota-set")" = OK ] || fail "SET_QUOTA $dom2 nodes: $(cat "$SHOJI_TMP/quota-set")"
[ "$(cat "$SHOJI_TMP/quota-dom-after")" = 555 ] ||
	fail "the domain's quota override was lost: $(cat "$SHOJI_TMP/quota-dom-after")"
[ "$(cat "$SHOJI_TMP/quota-global-after")" = 77 ] ||
	fail "the global quota change was lost: $(cat "$SHOJI_TMP/quota-global-after")"
log="$SHOJI_TMP/xs-state/xenstore.log"
grep -q shutdown-tok "$log" || fail "the guest's watch is not in the log"
# xs-ring-run RELEASEd the domain: its override is gone, also after another SIGKILL
q=$(xsraw $XS_GET_QUOTA "$dom2" nodes)
[ "$q" != 555 ] || fail "the released domain kept its quota override"
kill -9 "$(cat "$XS_PID")"
xsd_start
q=$(xsraw $XS_GET_QUOTA "$dom2" nodes)
[ "$q" != 555 ] || fail "the released domain's quota override came back after a restart"
[ "$(xsraw $XS_GET_QUOTA watches)" = 77 ] || fail "global quota lost in the second restart"
# compaction forgets the released domain's watch
[ "$(xsraw 0 compact)" = OK ] || fail "CONTROL compact"
if grep -q shutdown-tok "$log"; then fail "the compacted log kept the released domain's watch"; fi
xsd_alive
hv_alive
echo "PASS xs-ring-restart"
