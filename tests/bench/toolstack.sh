#!/bin/sh
# make bench: the toolstack's figures, each beside shoji-hv's own cost.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/system/toolstack-lib.sh"
BENCH="$top_builddir/tests/bench/toolstack_bench"

# Cold: shoji-hv without its pool of pre-built VMs.
ts_start --hv-arg --pool --hv-arg 0
x=$(ts_xml bench "$GUESTS/hello" "" preserve)
"$BENCH" create "$SHOJI" "$x" bench "$TS_HV_SOCK" "$GUESTS/hello" 20 " (cold, no pool)" ||
	fail "create benchmark"
for i in $(seq 1 100); do
	x=$(ts_xml "l$i" "$GUESTS/hello")
	shoji create -p "$x" >/dev/null || fail "create l$i"
done
"$BENCH" list "$SHOJI" "$TS_HV_SOCK" 20 || fail "list benchmark"

# Again as shojid starts shoji-hv by default: two pre-built 64 MiB VMs
# (--pool 2), which skip the first memory slot's cost, for a 64 MiB domain.
for p in shojid shoji-consoled shoji-hv shoji-xenstored; do
	kill "$(cat "$TS_STATE/$p.pid")"
done
sleep 1
rm -rf "$TS_STATE"
ts_start
x=$(ts_xml bench "$GUESTS/hello" "" preserve restart destroy 64)
"$BENCH" create "$SHOJI" "$x" bench "$TS_HV_SOCK" "$GUESTS/hello" 20 " (default: shoji-hv --pool 2)" ||
	fail "create benchmark with a pool"
exit 0
