#!/bin/sh
# The demo guest follows memory/target as a balloon (shoji-hv's view of its
# memory changes) and acknowledges control/shutdown poweroff and reboot.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/console-lib.sh"

con_start
D=$(con_create demo "$CON_DEMO")
con_wait_file "$CON_LOG/demo.log" "^demo: ready$"
[ "$(cdom mem "$D")" = "cur_kib=32768" ] || fail "demo starts with $(cdom mem "$D")"

xs write "/local/domain/$D/memory/target" 16384 || fail "xenstore write"
con_wait_file "$CON_LOG/demo.log" "^demo: balloon target=16384 KiB current=16384 KiB$"
[ "$(cdom mem "$D")" = "cur_kib=16384" ] || fail "after balloon down: $(cdom mem "$D")"
xs write "/local/domain/$D/memory/target" 28672 || fail "xenstore write"
con_wait_file "$CON_LOG/demo.log" "^demo: balloon target=28672 KiB current=28672 KiB$"
[ "$(cdom mem "$D")" = "cur_kib=28672" ] || fail "after balloon up: $(cdom mem "$D")"

xs write "/local/domain/$D/control/shutdown" poweroff || fail "xenstore write"
[ "$(cdom wait "$D" 30)" = "reason=0" ] || fail "poweroff was not honoured"
con_wait_file "$CON_LOG/demo.log" "^demo: poweroff requested, shutting down$"
[ -z "$(xs read "/local/domain/$D/control/shutdown")" ] || fail "control/shutdown not acknowledged"
cdom destroy "$D"

R=$(con_create demo-r "$CON_DEMO")
con_wait_file "$CON_LOG/demo-r.log" "^demo: ready$"
xs write "/local/domain/$R/control/shutdown" reboot || fail "xenstore write"
[ "$(cdom wait "$R" 30)" = "reason=1" ] || fail "reboot was not honoured"
cdom destroy "$R"
echo "PASS demo-control"
