#!/bin/sh
# shoji-consoled end to end: a demo guest's PV console output reaches its
# log file and an attached client, input from the client reaches the guest
# (the demo echoes lines), and the backend survives the guest's death and
# serves the next domain.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/console-lib.sh"

con_start
D=$(con_create demo1 "$CON_DEMO")
con_wait_file "$CON_LOG/demo1.log" "^Shoji demo guest$"
con_wait_file "$CON_LOG/demo1.log" "^name=demo1 domid=$D\$"
con_wait_file "$CON_LOG/demo1.log" "^demo: ready$"
[ -S "$CON_RUN/console/$D.sock" ] || fail "no console socket for domain $D"

# Both directions: typed input is echoed by the guest, to the client and the log.
con_session "$D" "hello shoji
" "echo: hello shoji"
con_wait_file "$CON_LOG/demo1.log" "^echo: hello shoji$"
# Two clients in turn, the second sees its own echo.
con_session "$D" "second line
" "echo: second line"

# The same through `shoji console` (a domid needs no shojid): Ctrl-] detaches, exit 0.
SHOJI="$top_builddir/dom0-tools/cli/shoji"
mkfifo "$SHOJI_TMP/in"
timeout 30 "$SHOJI" console --run-dir "$CON_RUN" "$D" <"$SHOJI_TMP/in" >"$SHOJI_TMP/cli.out" \
	2>"$SHOJI_TMP/cli.err" &
CLI=$!
exec 3>"$SHOJI_TMP/in"
printf 'via the cli\n' >&3
con_wait_file "$SHOJI_TMP/cli.out" "^echo: via the cli" 20
printf '\035' >&3
rc=0
wait $CLI || rc=$?
exec 3>&-
[ $rc -eq 0 ] || fail "shoji console exited $rc: $(cat "$SHOJI_TMP/cli.err")"
con_wait_file "$CON_LOG/demo1.log" "^echo: via the cli$"
SHOJI_RUN_DIR="$CON_RUN" timeout 10 "$SHOJI" console 999 </dev/null >/dev/null 2>&1 &&
	fail "shoji console on a domain without a console succeeded"

# The guest dies: its console goes, the daemon stays.
cdom destroy "$D" || fail "destroy failed"
tries=100
while [ -e "$CON_RUN/console/$D.sock" ] && [ $tries -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
[ -e "$CON_RUN/console/$D.sock" ] && fail "console socket of the dead domain $D remains"
con_wait_file "$SHOJI_TMP/consoled.err" "domain $D: gone, console closed" 10
con_alive

D2=$(con_create demo2 "$CON_DEMO")
con_wait_file "$CON_LOG/demo2.log" "^name=demo2 domid=$D2\$"
con_session "$D2" "after death
" "echo: after death"
con_alive
cdom destroy "$D2"
echo "PASS console-basic"
