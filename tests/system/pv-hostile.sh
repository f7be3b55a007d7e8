#!/bin/sh
# Hostile event channel use: bad ports, domains that do not exist, bad
# VIRQs, port exhaustion (-ENOSPC after exactly 1023 ports); then a guest
# closes its end of a channel while its peer floods it.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
. "$top_srcdir/tests/system/pv-lib.sh"
require_kvm

out="$SHOJI_TMP/hostile"
run_guest "$out" evtchn-hostile
expect_line "$out" "PASS evtchn_exhaustion_enospc rc=-28"
expect_line "$out" "PASS evtchn_exhaustion_count 1023 ports, highest 1023"
expect_line "$out" "PASS evtchn_bind_interdomain_no_domain rc=-3"
expect_line "$out" "PASS evtchn_bad_port_4096_send rc=-22"
expect_line "$out" "PASS evtchn_bad_port_0_close rc=-22"
expect_checks "$out" evtchn_poll_bad_port evtchn_alloc_unbound_in_no_domain \
	evtchn_status_no_domain evtchn_bind_virq_bad_virq evtchn_bind_virq_no_such_vcpu \
	evtchn_bind_global_virq_vcpu1 evtchn_exhaustion_ipi_enospc evtchn_send_unbound_dropped \
	evtchn_exhaustion_close_all evtchn_double_close evtchn_alloc_after_exhaustion
expect_rc "$out" 0

pv_start_hv
out="$SHOJI_TMP/close"
pv_run "$out" 120 \
	"$GUEST_DIR/evtchn-close" "role=sender peer={dom1}" \
	"$GUEST_DIR/evtchn-close" "role=closer peer={dom0}"
pv_expect_checks "$out" 0 close_peer_bound close_peer_close_seen close_sends_before_close \
	close_sends_after_close_dropped close_peer_rebound close_hello_received close_hello_answer
pv_expect_checks "$out" 1 close_connect close_flood_arrives close_mid_flood close_port_closed \
	close_no_event_after_close close_reconnect close_hello close_answer_received
expect_line "$out" "[1] PASS close_no_event_after_close 0 events after the close"
expect_rc "$out" 0
exit 0
