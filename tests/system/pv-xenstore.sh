#!/bin/sh
# The guest runtime's xenstore client (pv-drivers/guest/runtime/xenstore.c) on a
# shoji-xenstored guest ring: read/write/rm, errors, watches.  The domain is
# booted and introduced by tests/dom0/xs-ring-run (see xs-ring-lib.sh).
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/xs-ring-lib.sh"

GUEST="$top_builddir/tests/guests/pv-xenstore"
[ -f "$GUEST" ] || fail "$GUEST is not built"
out=$(timeout 300 "$RUN" "$SOCK" "$XS_SOCK" "$GUEST" "timeout_ms=60000" "$HOOK" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "guest failed (rc $rc); daemon log: $(cat "$SHOJI_TMP/xsd.err")"
echo "$out" | grep -q "^\[dom[0-9]*\] FAIL" && fail "a check failed"
for c in pvxs_introduced pvxs_write pvxs_read_relative pvxs_read_value pvxs_read_absolute \
	pvxs_read_missing pvxs_read_dom0_eacces pvxs_read_too_small pvxs_watch pvxs_watch_initial \
	pvxs_watch_event pvxs_read_dom0_value pvxs_dom0_value pvxs_unwatch \
	pvxs_read_watch_timeout pvxs_rm pvxs_read_removed pvxs_write_done; do
	echo "$out" | grep -q "^\[dom[0-9]*\] PASS $c" || fail "check $c did not pass"
done
domid=$(echo "$out" | sed -n 's/.*xs-guest: domid=\([0-9]*\) .*/\1/p')
[ "$(xs read "/local/domain/$domid/data/done")" = 1 ] || fail "Dom0 does not see data/done"
xs read "/local/domain/$domid/data/x" >/dev/null 2>&1 && fail "data/x was not removed"
xsd_alive
exit 0
