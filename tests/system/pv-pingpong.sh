#!/bin/sh
# Two guests in one shoji-hv bounce an event 10,000 times over an
# interdomain channel; each side counts every event it receives, and the
# client reports the median round trip it measured.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
. "$top_srcdir/tests/system/pv-lib.sh"
require_kvm
pv_start_hv

out="$SHOJI_TMP/pingpong"
pv_run "$out" 300 \
	"$GUEST_DIR/evtchn-pingpong" "role=server peer={dom1} rounds=10000" \
	"$GUEST_DIR/evtchn-pingpong" "role=client peer={dom0} rounds=10000"
expect_line "$out" "[0] PASS pingpong_server_pings rc=10000"
expect_line "$out" "[1] PASS pingpong_client_pongs rc=10000"
pv_expect_checks "$out" 0 pingpong_alloc_unbound pingpong_server_pings
pv_expect_checks "$out" 1 pingpong_connect pingpong_client_pongs
grep -qE '^\[1\] pingpong: median_rtt_ns=[0-9]+$' "$out.out" || guest_fail "$out" "no median line"
grep -qE '^\[1\] pingpong: p99_rtt_ns=[0-9]+$' "$out.out" || guest_fail "$out" "no p99 line"
expect_line "$out" "pvrun: [0] poweroff"
expect_line "$out" "pvrun: [1] poweroff"
expect_rc "$out" 0
grep '^\[1\] pingpong: .*_rtt_ns' "$out.out"
exit 0
