#!/bin/sh
# make bench: a guest's xenstore READ round trip over its ring (guest clock, median/p99), beside
# the bare Dom0<->guest event channel round trip measured in the same run (the floor: one
# ring round trip is one event each way plus the work on both sides).
. "$top_srcdir/tests/lib/common.sh"
if [ ! -c /dev/kvm ]; then
	echo "xs-ring-bench: SKIP (no /dev/kvm)"
	exit 0
fi
. "$top_srcdir/tests/system/xs-ring-lib.sh"

ring=$(timeout 300 "$RUN" "$SOCK" "$XS_SOCK" "$XS_GUEST" "role=3 rounds=2000" 2>&1) ||
	fail "ring benchmark failed: $ring"
echo "$ring" | sed -n 's/.*xs-guest: read rounds=\([0-9]*\) median_ns=\([0-9]*\) p99_ns=\([0-9]*\)/xs-ring READ round trip (guest, rounds=\1): median_ns=\2 p99_ns=\3/p'
pp=$(timeout 300 "$DOM0/dom0-pingpong" "$SOCK" "$GUESTS/evtchn-dom0" 500 2>&1)
echo "event channel round trip (dom0-pingpong, comparison): $(echo "$pp" | grep 'median_ns' || echo "failed: $pp")"
