/*
 * evtchn-timer: VIRQ_TIMER bound to an event channel drives a tick counter.
 *
 * Checks: the binding's status; a periodic timer's ticks counted by the
 * handler, bounded by the clock both ways (20 ticks take at least 19
 * periods; ticks seen in a window are at most window/period + 1); a
 * single-shot timer raises exactly one tick, not before its deadline, and
 * no second one (SCHEDOP_poll with a timeout on the port); a
 * second binding of the VIRQ is -EEXIST; close and rebind.
 * No single-shot sleeps while counting: they raise VIRQ_TIMER too.
 */
#include "evtchn-lib.h"

#include <shoji/event_channel.h>

static volatile unsigned long ticks;
static unsigned long target;
static uint64_t until;

static void on_tick(evtchn_port_t port, void *arg)
{
	ticks++;
}

static bool enough_ticks(void *arg)
{
	return ticks >= target;
}

static bool clock_passed(void *arg)
{
	return monotonic_ns() >= until;
}

/*
 * Stop the periodic timer and drop a tick it raised after the last count:
 * interrupts are off, so clearing the pending bit is enough.
 */
static void stop_periodic(evtchn_port_t port)
{
	timer_stop_periodic();
	evtchn_test_and_clear(port);
}

static void test_periodic(evtchn_port_t port)
{
	const uint64_t period = 10 * MS;
	uint64_t start, elapsed;
	unsigned long seen;

	ticks = 0;
	target = 20;
	start = monotonic_ns();
	timer_set_periodic(period);
	evtchn_wait(enough_ticks, NULL, 0);
	seen = ticks; /* interrupts are off again: the count is final */
	elapsed = monotonic_ns() - start;
	stop_periodic(port);
	check(seen == 20, "timer_virq_ticks_counted", "ticks=%lu", seen);
	check(elapsed >= 19 * period, "timer_virq_ticks_not_early", "20 ticks in %lu ms",
	      (unsigned long)(elapsed / MS));

	/* A 100 ms window with a 5 ms period. */
	ticks = 0;
	start = monotonic_ns();
	until = start + 100 * MS;
	timer_set_periodic(5 * MS);
	evtchn_wait(clock_passed, NULL, 0);
	seen = ticks;
	elapsed = monotonic_ns() - start;
	stop_periodic(port);
	check(seen >= 1 && seen <= elapsed / (5 * MS) + 1, "timer_virq_ticks_bounded",
	      "%lu ticks in %lu ms", seen, (unsigned long)(elapsed / MS));
}

static void test_singleshot(evtchn_port_t port)
{
	uint64_t deadline;
	unsigned long seen;

	ticks = 0;
	target = 1;
	deadline = monotonic_ns() + 30 * MS;
	timer_set_singleshot(deadline, false);
	evtchn_wait(enough_ticks, NULL, 0);
	seen = ticks;
	check(monotonic_ns() >= deadline, "timer_virq_singleshot_not_early", NULL);
	check(seen == 1, "timer_virq_singleshot_one_tick", "ticks=%lu", seen);
	/* Nothing re-arms it: SCHEDOP_poll's own timeout ends this wait, and
	 * the port must not have become pending meanwhile. */
	evtchn_poll_ports(&port, 1, monotonic_ns() + 30 * MS);
	check(!evtchn_test_and_clear(port) && ticks == 1, "timer_virq_singleshot_once", "ticks=%lu",
	      ticks);
}

int guest_main(const struct hvm_start_info *si)
{
	struct evtchn_status st = {.dom = DOMID_SELF};
	evtchn_port_t port = 0, again = 0;

	if (!check_rc("timer_evtchn_init", evtchn_init(), 0) ||
	    !check_rc("timer_bind_virq", evtchn_bind_virq(VIRQ_TIMER, 0, &port), 0))
		return check_finish();
	st.port = port;
	check_rc("timer_virq_status_rc", hyp_event_channel_op(EVTCHNOP_status, &st), 0);
	check(st.status == EVTCHNSTAT_virq && st.u.virq == VIRQ_TIMER && st.vcpu == 0,
	      "timer_virq_status", "status=%u virq=%u vcpu=%u", st.status, st.u.virq, st.vcpu);
	check_rc("timer_bind_virq_twice", evtchn_bind_virq(VIRQ_TIMER, 0, &again), -XEN_EEXIST);
	evtchn_set_handler(port, on_tick, NULL);
	evtchn_unmask(port);

	test_periodic(port);
	test_singleshot(port);

	check_rc("timer_virq_close", evtchn_close(port), 0);
	check_rc("timer_virq_rebind", evtchn_bind_virq(VIRQ_TIMER, 0, &again), 0);
	return check_finish();
}
