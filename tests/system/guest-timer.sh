#!/bin/sh
# Single-shot timers wake a blocked vCPU after (never before) their
# deadline; a stopped timer stays quiet; periodic timers tick.
. "$top_srcdir/tests/lib/common.sh"
. "$top_srcdir/tests/guests/lib.sh"
require_kvm

out="$SHOJI_TMP/timer"
run_guest "$out" timer
expect_checks "$out" timer_singleshot_1ms timer_singleshot_20ms timer_singleshot_100ms \
	timer_past_deadline_wakes timer_future_flag_rejects_past timer_stop_singleshot \
	timer_periodic_ticks timer_periodic_stopped timer_sleep_ns
expect_rc "$out" 0
exit 0
