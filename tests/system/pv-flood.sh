#!/bin/sh
# A guest floods notifications into a port of a ping-pong server while the
# server and its client complete 2,000 counted round trips on another port.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
. "$top_srcdir/tests/system/pv-lib.sh"
require_kvm
pv_start_hv

out="$SHOJI_TMP/flood"
pv_run "$out" 300 \
	--bg "$GUEST_DIR/evtchn-flood" "peer={dom1}" \
	"$GUEST_DIR/evtchn-pingpong" "role=server peer={dom2} flooder={dom0} rounds=2000" \
	"$GUEST_DIR/evtchn-pingpong" "role=client peer={dom1} rounds=2000"
expect_line "$out" "[0] flood: connected"
grep -q '^\[0\] FAIL' "$out.out" && guest_fail "$out" "the flooder saw a failing send"
expect_line "$out" "[1] PASS pingpong_server_pings rc=2000"
expect_line "$out" "[2] PASS pingpong_client_pongs rc=2000"
pv_expect_checks "$out" 1 pingpong_flood_port pingpong_flood_started pingpong_alloc_unbound \
	pingpong_flood_during
pv_expect_checks "$out" 2 pingpong_connect
expect_line "$out" "pvrun: [1] poweroff"
expect_line "$out" "pvrun: [2] poweroff"
expect_rc "$out" 0
exit 0
