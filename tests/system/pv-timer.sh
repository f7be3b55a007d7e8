#!/bin/sh
# VIRQ_TIMER bound to an event channel drives a periodic tick counted by
# the guest's handler; counts are checked against the guest's clock only
# as "at least"/"at most" bounds.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

out="$SHOJI_TMP/timer"
run_guest "$out" evtchn-timer
expect_line "$out" "PASS timer_virq_ticks_counted ticks=20"
expect_line "$out" "PASS timer_virq_singleshot_one_tick ticks=1"
expect_checks "$out" timer_bind_virq timer_virq_status timer_bind_virq_twice \
	timer_virq_ticks_not_early timer_virq_ticks_bounded timer_virq_singleshot_not_early \
	timer_virq_singleshot_once timer_virq_close timer_virq_rebind
expect_rc "$out" 0
exit 0
