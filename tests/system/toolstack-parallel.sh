#!/bin/sh
# 20 CLI processes create 20 domains (idle guests) at once: all succeed with
# distinct domids, all are listed and run, all are destroyed.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"

ts_start
pids=""
for i in $(seq 1 20); do
	x=$(ts_xml "p$i" "$GUESTS/idle")
	shoji create "$x" >"$SHOJI_TMP/out$i" 2>&1 &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "a parallel create failed: $(cat "$SHOJI_TMP"/out*)"
done
shoji list >"$SHOJI_TMP/list"
[ "$(grep -Ec '^p[0-9]+ .* (blocked|running)' "$SHOJI_TMP/list")" = 20 ] || fail "not 20 domains: $(cat "$SHOJI_TMP/list")"
for i in $(seq 1 20); do
	ts_wait_console "p$i" "^idle: up" || fail "p$i did not come up: $(shoji dmesg "p$i")"
done
[ "$(awk 'NR > 1 {print $2}' "$SHOJI_TMP/list" | sort -u | wc -l)" = 20 ] || fail "domids not distinct"
[ "$(xs list /local/domain | wc -l)" = 20 ] || fail "xenstore: $(xs list /local/domain)"
pids=""
for i in $(seq 1 20); do
	shoji destroy "p$i" >/dev/null &
	pids="$pids $!"
done
for p in $pids; do
	wait "$p" || fail "a parallel destroy failed"
done
[ -z "$(shoji list | tail -n +2)" ] || fail "domains left: $(shoji list)"
exit 0
