#!/bin/sh
# shoji-xenstored killed with SIGKILL and restarted while a guest is connected: the new daemon
# reconnects the guest's ring from its log, and the guest's next request works (a request lost
# with the old daemon is recovered with XENSTORE_RECONNECT).  Then the domain is destroyed without
# RELEASE: the daemon learns it from VIRQ_DOM_EXC, closes the ring and fires @releaseDomain.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/xs-ring-lib.sh"

old=$(cat "$XS_PID")
# the domain is destroyed without RELEASE at the end: the daemon notices from VIRQ_DOM_EXC
out=$(XS_RING_DEATH=1 timeout 300 "$RUN" "$SOCK" "$XS_SOCK" "$XS_GUEST" "role=2" "$HOOK" 2>&1)
rc=$?
echo "$out"
echo "--- daemon"
cat "$SHOJI_TMP/xsd.err"
[ $rc -eq 0 ] || fail "guest failed (rc $rc)"
[ "$(cat "$XS_PID")" != "$old" ] || fail "the daemon was not restarted"
for c in xs_resume_before xs_resume_read_after_restart xs_resume_state_kept xs_resume_write \
	xs_reconnect_watch_before xs_reconnect_reset xs_reconnect_request xs_reconnect_watches_dropped; do
	echo "$out" | grep -q "PASS $c" || fail "check $c did not pass"
done
domid=$(echo "$out" | sed -n 's/.*xs-guest: domid=\([0-9]*\) .*/\1/p')
grep -q "domain $domid: ring connection resumed" "$SHOJI_TMP/xsd.err" ||
	fail "the restarted daemon did not resume the ring"
[ "$(xs read "/local/domain/$domid/data/resumed")" = yes ] || fail "the guest's write is missing"
echo "$out" | grep -q "^xs-ring-run: destroyed domain $domid, @releaseDomain fired" ||
	fail "@releaseDomain did not fire when the domain died"
grep -q "domain $domid died: ring connection closed" "$SHOJI_TMP/xsd.err" ||
	fail "the daemon did not close the dead domain's ring"
xsd_alive
hv_alive
echo "PASS xs-ring-restart"
