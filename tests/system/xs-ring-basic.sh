#!/bin/sh
# A guest on its xenstore ring: relative/absolute read and write, directory, a watch fired by a
# Dom0 write through the CLI, EACCES on another domain's node; RELEASE fires @releaseDomain.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/xs-ring-lib.sh"

out=$(timeout 300 "$RUN" "$SOCK" "$XS_SOCK" "$XS_GUEST" "role=0" "$HOOK" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 0 ] || fail "guest failed (rc $rc); daemon log: $(cat "$SHOJI_TMP/xsd.err")"
for c in xs_server_features xs_write_relative xs_read_absolute xs_read_relative xs_directory \
	xs_read_other_domain_eacces xs_write_other_domain_refused xs_watch xs_watch_initial \
	xs_watch_event xs_read_dom0_value xs_write_done; do
	echo "$out" | grep -q "^\[dom[0-9]*\] PASS $c" || fail "check $c did not pass"
done
domid=$(echo "$out" | sed -n 's/.*xs-guest: domid=\([0-9]*\) .*/\1/p')
[ "$(xs read "/local/domain/$domid/data/x")" = hello ] || fail "Dom0 does not see the guest's write"
[ "$(xs read "/local/domain/$domid/data/done")" = 1 ] || fail "data/done missing"
echo "$out" | grep -q "^xs-ring-run: released domain $domid, @releaseDomain fired" ||
	fail "RELEASE did not work"
[ "$(xs read "/local/domain/$domid/data/x")" = hello ] || fail "the released domain's nodes are gone"
xsd_alive
hv_alive
echo "PASS xs-ring-basic"
