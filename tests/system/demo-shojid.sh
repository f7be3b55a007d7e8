#!/bin/sh
# The demo as a user runs it: shojid (which starts shoji-hv, shoji-xenstored
# and shoji-consoled) builds the demo from XML; its banner reaches the
# console log, `shoji console demo` talks to it both ways, `shoji mem-set`
# moves its balloon (shoji-hv's populated memory follows), and
# `shoji shutdown --wait` is acknowledged by the guest.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"
DEMO="$top_builddir/pv-drivers/guest/demo/demo"
[ -x "$DEMO" ] || fail "$DEMO is not built"

wait_line() {
	local f=$1 pat=$2 tries=300
	while [ $tries -gt 0 ]; do
		[ -f "$f" ] && grep -qE "$pat" "$f" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	fail "timed out waiting for /$pat/ in $f: $(cat "$f" 2>/dev/null)"
}

ts_start
X=$(ts_xml demo "$DEMO" "" destroy restart destroy 32)
timeout 60 "$SHOJI" create "$X" >"$SHOJI_TMP/create.out" 2>&1 ||
	fail "shoji create: $(cat "$SHOJI_TMP/create.out")"
D=$(ts_id demo)
[ -n "$D" ] || fail "demo is not listed"
LOG="$SHOJI_TMP/log/demo.log"
wait_line "$LOG" "^Shoji demo guest$"
wait_line "$LOG" "^name=demo domid=$D\$"
wait_line "$LOG" "^demo: ready$"

mkfifo "$SHOJI_TMP/in"
timeout 30 "$SHOJI" console --run-dir "$SHOJI_TMP/run" demo <"$SHOJI_TMP/in" \
	>"$SHOJI_TMP/cli.out" 2>"$SHOJI_TMP/cli.err" &
CLI=$!
exec 3>"$SHOJI_TMP/in"
printf 'hello demo\n' >&3
wait_line "$SHOJI_TMP/cli.out" "^echo: hello demo"
printf '\035' >&3
rc=0
wait $CLI || rc=$?
exec 3>&-
[ $rc -eq 0 ] || fail "shoji console demo exited $rc: $(cat "$SHOJI_TMP/cli.err")"

timeout 30 "$SHOJI" mem-set demo 16M || fail "shoji mem-set failed"
wait_line "$LOG" "^demo: balloon target=16384 KiB current=16384 KiB$"
MEM=$(timeout 10 "$top_builddir/tests/system/console-dom" "$TS_HV_SOCK" "$TS_XS_SOCK" mem "$D")
[ "$MEM" = "cur_kib=16384" ] || fail "shoji-hv reports $MEM after mem-set 16M"
# ... and the user sees it: `shoji list` shows what the domain holds now.
timeout 10 "$SHOJI" list | grep -q "^demo  *$D  *16 " || fail "balloon not in shoji list: $("$SHOJI" list)"
timeout 10 "$SHOJI" --json info demo | grep -q '"memory_kib": 16384, "target_memory_kib": 16384' ||
	fail "balloon not in shoji info --json: $("$SHOJI" --json info demo)"

# `shoji create -c` attaches to the new domain's console at once: the
# banner and an echoed line come back through it; Ctrl-] detaches.
X2=$(ts_xml demo2 "$DEMO" "" destroy restart destroy 32)
mkfifo "$SHOJI_TMP/in2"
SHOJI_RUN_DIR="$SHOJI_TMP/run" timeout 60 "$SHOJI" create -c "$X2" <"$SHOJI_TMP/in2" \
	>"$SHOJI_TMP/cli2.out" 2>"$SHOJI_TMP/cli2.err" &
CLI=$!
exec 4>"$SHOJI_TMP/in2"
wait_line "$SHOJI_TMP/cli2.out" "^demo: ready"
printf 'hello create -c\n' >&4
wait_line "$SHOJI_TMP/cli2.out" "^echo: hello create -c"
printf '\035' >&4
rc=0
wait $CLI || rc=$?
exec 4>&-
[ $rc -eq 0 ] || fail "shoji create -c exited $rc: $(cat "$SHOJI_TMP/cli2.err")"
grep -q "^Domain 'demo2' created" "$SHOJI_TMP/cli2.out" || fail "create -c: $(cat "$SHOJI_TMP/cli2.out")"
grep -q "^Shoji demo guest" "$SHOJI_TMP/cli2.out" || fail "create -c missed the banner"
timeout 30 "$SHOJI" destroy demo2 >/dev/null || fail "destroy demo2"

timeout 60 "$SHOJI" shutdown --wait --timeout 30 demo >"$SHOJI_TMP/sd.out" 2>&1 ||
	fail "shoji shutdown --wait: $(cat "$SHOJI_TMP/sd.out")"
wait_line "$LOG" "^demo: poweroff requested, shutting down$"
echo "PASS demo-shojid"
