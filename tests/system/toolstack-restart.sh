#!/bin/sh
# kill -9 shojid with 5 domains running: they keep running in shoji-hv; a
# new shojid re-adopts them (listed, controllable) from its records, cleans
# up after a domain destroyed while it was away, applies the action of one
# that powered off meanwhile, and starts autostart domains.  A killed
# xenstored or shoji-consoled is started again.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"

ts_start
for i in 1 2 3 4 5; do
	x=$(ts_xml "d$i" "$GUESTS/idle" "n=$i")
	shoji create "$x" >/dev/null || fail "create d$i"
done
x=$(ts_xml gone "$GUESTS/idle")
shoji create "$x" >/dev/null || fail "create gone"
# late powers off 2 s after boot: while shojid is away, or just after it is
# back; either way on_poweroff=destroy must run once.
x=$(ts_xml late "$GUESTS/idle" "after=2000")
shoji create "$x" >"$SHOJI_TMP/out" || fail "create late"
late_id=$(sed -n "s/.*(id \([0-9]*\)).*/\1/p" "$SHOJI_TMP/out")
x=$(ts_xml auto "$GUESTS/hello" "auto" preserve)
shoji define "$x" >/dev/null && shoji autostart auto || fail "define auto"
for i in 1 2 3 4 5; do
	ts_wait_console "d$i" "^idle: up" || fail "d$i did not come up"
done
shoji list >"$SHOJI_TMP/before"
[ "$(grep -Ec '^d[1-5] .* (blocked|running)' "$SHOJI_TMP/before")" = 5 ] ||
	fail "5 domains not running: $(cat "$SHOJI_TMP/before")"
gone_id=$(ts_id gone)

kill -9 "$SHOJID_PID"
wait "$SHOJID_PID" 2>/dev/null
shoji list 2>/dev/null; [ $? = 4 ] || fail "list without shojid: not exit 4"
kill -0 "$(cat "$TS_STATE/shoji-hv.pid")" || fail "shoji-hv died with shojid"
"$top_builddir/tests/system/hv-ctrl-client" "$TS_HV_SOCK" list >"$SHOJI_TMP/hvlist"
for d in d1 d2 d3 d4 d5 gone; do
	grep -q " name=$d " "$SHOJI_TMP/hvlist" || fail "shoji-hv lost $d: $(cat "$SHOJI_TMP/hvlist")"
done
# One domain vanishes while shojid is away (its record stays behind).
"$top_builddir/tests/system/hv-ctrl-client" "$TS_HV_SOCK" destroy "$gone_id" || fail "hv destroy"

ts_start
[ "$(grep -c "started shoji-hv" "$SHOJI_TMP/shojid.log")" = 1 ] || fail "shoji-hv started twice"
shoji list >"$SHOJI_TMP/after"
for i in 1 2 3 4 5; do
	grep "^d$i " "$SHOJI_TMP/before" | awk '{print $1, $2}' >"$SHOJI_TMP/want"
	grep "^d$i " "$SHOJI_TMP/after" | awk '{print $1, $2}' >"$SHOJI_TMP/got"
	cmp -s "$SHOJI_TMP/want" "$SHOJI_TMP/got" || fail "d$i not re-adopted: $(cat "$SHOJI_TMP/after")"
	shoji info --json "d$i" | grep -q '"managed": true' || fail "d$i not managed"
done
grep -q "^gone " "$SHOJI_TMP/after" && fail "gone came back"
[ ! -e "$TS_STATE/run/$gone_id.rec" ] || fail "gone's record not cleaned up"
xs list /local/domain | grep -qx "$gone_id" && fail "gone's xenstore entries not cleaned up"
ts_wait_gone late "$late_id" 30 || fail "late: on_poweroff=destroy did not run after the restart"
ts_wait_console auto "cmdline=auto" || fail "autostart domain did not start"

# xenstored dies: shojid starts it again (its state directory keeps the
# store) and goes on working.
xs_pid=$(cat "$TS_STATE/shoji-xenstored.pid")
kill -9 "$xs_pid"
i=0; while [ "$(cat "$TS_STATE/shoji-xenstored.pid")" = "$xs_pid" ]; do
	i=$((i + 1)); [ $i -lt 300 ] || fail "shojid did not restart xenstored"; sleep 0.1
done
x=$(ts_xml afterxs "$GUESTS/idle")
shoji create "$x" >/dev/null || fail "create after the xenstored restart: $(tail -3 "$SHOJI_TMP/shojid.log")"
[ "$(xs read "/local/domain/$(ts_id d1)/name")" = d1 ] || fail "xenstore lost d1 across its restart"
[ "$(xs read "/local/domain/$(ts_id afterxs)/name")" = afterxs ] || fail "afterxs not in xenstore"
shoji destroy afterxs >/dev/null || fail "destroy afterxs"

# shoji-consoled is kept running: killed, it is started again.
c_pid=$(cat "$TS_STATE/shoji-consoled.pid") || fail "no shoji-consoled pidfile"
i=0; while ! kill -0 "$c_pid" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "shoji-consoled not running"; sleep 0.1
	c_pid=$(cat "$TS_STATE/shoji-consoled.pid")
done
kill -9 "$c_pid"
i=0; while [ "$(cat "$TS_STATE/shoji-consoled.pid")" = "$c_pid" ] ||
	! kill -0 "$(cat "$TS_STATE/shoji-consoled.pid")" 2>/dev/null; do
	i=$((i + 1)); [ $i -lt 150 ] || fail "shoji-consoled not restarted"; sleep 0.1
done

# The re-adopted domains are controllable.
shoji pause d1 && shoji list | grep -q "^d1 .* paused" || fail "pause d1"
shoji unpause d1 && shoji list | grep -Eq "^d1 .* (blocked|running)" || fail "unpause d1"
shoji mem-set d2 8 && [ "$(xs read "/local/domain/$(ts_id d2)/memory/target")" = 8192 ] || fail "mem-set d2"
shoji shutdown --wait --timeout 1 d3 2>/dev/null; [ $? = 5 ] || fail "shutdown --wait d3: not a timeout"
shoji dmesg d4 | grep -q "^idle: up domid=$(ts_id d4)" || fail "dmesg d4"
for d in d1 d2 d3 d4 d5 auto; do shoji destroy "$d" >/dev/null || fail "destroy $d"; done
[ -z "$(shoji list | tail -n +2)" ] || fail "domains left: $(shoji list)"
exit 0
