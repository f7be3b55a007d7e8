#!/bin/sh
# A guest that corrupts its console ring indexes loses its console; the
# backend keeps running and another domain's console keeps working.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/console-lib.sh"
[ -x "$CON_HOSTILE" ] || fail "$CON_HOSTILE is not built"

con_start
GOOD=$(con_create good "$CON_DEMO")
con_wait_file "$CON_LOG/good.log" "^demo: ready$"
BAD=$(con_create bad "$CON_HOSTILE")
con_wait_file "$CON_LOG/bad.log" "^console-hostile: hello$"
con_wait_file "$SHOJI_TMP/consoled.err" "domain $BAD: impossible output ring indexes: console dropped"
tries=50
while [ -e "$CON_RUN/console/$BAD.sock" ] && [ $tries -gt 0 ]; do sleep 0.1; tries=$((tries - 1)); done
[ -e "$CON_RUN/console/$BAD.sock" ] && fail "the hostile domain's console socket remains"
con_alive

con_session "$GOOD" "still fine
" "echo: still fine"
# The dropped console is not picked up again while the domain lives.
xs write "/local/domain/$BAD/console/type" xenconsoled || fail "xenstore write"
sleep 0.5
[ -e "$CON_RUN/console/$BAD.sock" ] && fail "the hostile domain's console came back"
con_alive
cdom destroy "$BAD"
con_wait_file "$SHOJI_TMP/consoled.err" "domain $BAD: gone" 10
con_alive
cdom destroy "$GOOD"
echo "PASS console-hostile"
