#!/bin/sh
# Dom0 <-> guest ping-pong through libshoji-evtchn: 10,000 round trips, each counted.
. "$top_srcdir/tests/lib/common.sh"
require_kvm
. "$top_srcdir/tests/dom0/dom0-lib.sh"

out=$(timeout 300 "$DOM0/dom0-pingpong" "$SOCK" "$GUESTS/evtchn-dom0" 10000) ||
	fail "dom0-pingpong: $out"
echo "$out"
echo "$out" | grep -q "^dom0-pingpong: rounds=10000 " || fail "unexpected output: $out"
hv_alive
