#!/bin/sh
# The guest runtime's PV console frontend and xenstore client
# (pv-drivers/guest/runtime/pvconsole.c, xenstore.c) on the rings console-dom sets up
# the way a toolstack does, served by shoji-consoled and shoji-xenstored.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/console-lib.sh"

GUEST="$top_builddir/tests/guests/pv-console"
[ -f "$GUEST" ] || fail "$GUEST is not built"
con_start
D=$(con_create pvc "$GUEST")
con_wait_file "$CON_LOG/pvc.log" "^pvcons: hello$"
con_wait_file "$CON_LOG/pvc.log" "^pvcons: name=pvc domid=$D\$"
con_wait_file "$CON_LOG/pvc.log" "^pvcons: ready$"
con_session "$D" "ping pong
" "echo: ping pong"
con_wait_file "$CON_LOG/pvc.log" "^echo: ping pong$"
con_session "$D" "quit
" "pvcons: bye"
cdom wait "$D" 30 | grep -qx "reason=0" || fail "pv-console did not power off"
con_alive
exit 0
