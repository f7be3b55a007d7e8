#!/bin/sh
# kill -9 shojid with 5 domains: they keep running in shoji-hv; a new shojid
# re-adopts them (list, control) from its records and xenstore, cleans up
# after one destroyed while it was away, and starts autostart domains.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"

ts_start
for i in 1 2 3 4 5; do
	x=$(ts_xml "d$i" "$GUESTS/hello" "n=$i")
	shoji create -p "$x" >/dev/null || fail "create d$i"
done
x=$(ts_xml auto "$GUESTS/hello" "auto" preserve)
shoji define "$x" >/dev/null && shoji autostart auto || fail "define auto"
shoji list >"$SHOJI_TMP/before"
[ "$(grep -c '^d[1-5] .* paused' "$SHOJI_TMP/before")" = 5 ] || fail "5 domains not listed: $(cat "$SHOJI_TMP/before")"
id5=$(ts_id d5)

kill -9 "$SHOJID_PID"
wait "$SHOJID_PID" 2>/dev/null
shoji list 2>/dev/null; [ $? = 4 ] || fail "list without shojid: not exit 4"
# shoji-hv still runs the 5 domains.
kill -0 "$(cat "$TS_STATE/shoji-hv.pid")" || fail "shoji-hv died with shojid"
# One domain vanishes while shojid is away (its record stays behind).
"$top_builddir/tests/system/hv-ctrl-client" "$TS_HV_SOCK" destroy "$id5" || fail "hv destroy"

ts_start
grep -q "started shoji-hv" "$SHOJI_TMP/shojid.log" || fail "first shojid did not spawn shoji-hv"
[ "$(grep -c "started shoji-hv" "$SHOJI_TMP/shojid.log")" = 1 ] || fail "second shojid started another shoji-hv"
shoji list >"$SHOJI_TMP/after"
for i in 1 2 3 4; do
	grep "^d$i " "$SHOJI_TMP/before" | awk '{print $1, $2}' >"$SHOJI_TMP/want"
	grep "^d$i " "$SHOJI_TMP/after" | awk '{print $1, $2}' >"$SHOJI_TMP/got"
	cmp -s "$SHOJI_TMP/want" "$SHOJI_TMP/got" || fail "d$i not re-adopted: $(cat "$SHOJI_TMP/after")"
	shoji info --json "d$i" | grep -q '"managed": true' || fail "d$i not managed"
done
grep -q "^d5 " "$SHOJI_TMP/after" && fail "d5 came back"
[ ! -e "$TS_STATE/run/$id5.rec" ] || fail "d5's record not cleaned up"
xs list /local/domain | grep -qx "$id5" && fail "d5's xenstore entries not cleaned up"
ts_wait_console auto "cmdline=auto" || fail "autostart domain did not start"

# Re-adopted domains are controllable: unpause d1 (hello powers off, on_poweroff=destroy).
id1=$(ts_id d1)
shoji unpause d1 || fail "unpause d1"
ts_wait_gone d1 "$id1" 30 || fail "d1 not destroyed on poweroff after re-adoption"
shoji mem-set d2 8 || fail "mem-set d2"
shoji pause d3 || fail "pause d3"
for d in d2 d3 d4 auto; do shoji destroy "$d" >/dev/null || fail "destroy $d"; done
[ -z "$(shoji list | tail -n +2)" ] || fail "domains left: $(shoji list)"
exit 0
