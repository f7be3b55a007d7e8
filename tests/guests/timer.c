/*
 * timer: single-shot timers wake a blocked vCPU after, never before, their
 * deadline (several deadlines), a past deadline wakes at once, a stopped
 * timer does not fire, and a periodic timer ticks.
 */
#include "check.h"

#include <shoji/vcpu.h>

#define MS 1000000ULL

/* Block until the single-shot timer fires; count the wake-ups it took. */
static unsigned int block_until(uint64_t deadline, uint64_t *woke)
{
	unsigned int blocks = 0;

	timer_set_singleshot(deadline, false);
	do {
		sched_block();
		blocks++;
		*woke = monotonic_ns();
	} while (*woke < deadline && blocks < 1000);
	return blocks;
}

static void test_singleshot(void)
{
	static const uint64_t delays[] = {1 * MS, 5 * MS, 20 * MS, 50 * MS, 2 * MS, 100 * MS};
	char name[48];

	for (size_t i = 0; i < sizeof(delays) / sizeof(delays[0]); i++) {
		uint64_t start = monotonic_ns(), deadline = start + delays[i], woke;
		long rc = timer_set_singleshot(deadline, true);

		snprintf(name, sizeof(name), "timer_singleshot_%lums",
		         (unsigned long)(delays[i] / MS));
		if (!check(rc == 0, name, "set rc=%ld", rc))
			continue;
		/* The first block must last until the deadline. */
		sched_block();
		woke = monotonic_ns();
		check(woke >= deadline, name, "woke %ld ns after the deadline",
		      (long)(woke - deadline));
	}
}

static void test_past_deadline(void)
{
	uint64_t woke;
	unsigned int blocks = block_until(monotonic_ns() - MS, &woke);

	check(blocks == 1, "timer_past_deadline_wakes", "blocks=%u", blocks);
	check_rc("timer_future_flag_rejects_past", timer_set_singleshot(monotonic_ns() - MS, true),
	         -XEN_ETIME);
}

static void test_stopped(void)
{
	uint64_t start = monotonic_ns(), woke;

	/* A stopped 5 ms single-shot must not end a block that only the first
	 * tick of a 30 ms periodic timer (a separate timer) may end. */
	timer_set_singleshot(start + 5 * MS, false);
	timer_stop_singleshot();
	timer_set_periodic(30 * MS);
	sched_block();
	woke = monotonic_ns();
	timer_stop_periodic();
	check(woke >= start + 30 * MS, "timer_stop_singleshot", "woke after %lu ms",
	      (unsigned long)((woke - start) / MS));
}

static void test_periodic(void)
{
	const uint64_t period = 10 * MS;
	uint64_t start = monotonic_ns(), prev = start, woke = start;
	unsigned int early = 0;
	long rc = timer_set_periodic(period);

	if (!check(rc == 0, "timer_periodic_set", "rc=%ld", rc))
		return;
	/* Ticks come at start + k * period: ten blocks take at least nine periods. */
	for (unsigned int i = 0; i < 10; i++) {
		sched_block();
		woke = monotonic_ns();
		if (woke - prev < period / 2)
			early++;
		prev = woke;
	}
	check(woke - start >= 9 * period, "timer_periodic_ticks", "10 ticks in %lu ms",
	      (unsigned long)((woke - start) / MS));
	check(early <= 1, "timer_periodic_spacing", "%u early ticks", early);
	check_rc("timer_periodic_stop", timer_stop_periodic(), 0);
	/* A tick that fired just before the stop may still be pending and end
	 * one block early (SCHEDOP_block returns when a wake-up is pending):
	 * absorb it with a sleep that re-blocks until its own deadline. */
	sleep_ns(2 * period);

	/* Stopped: only the 50 ms single-shot may end this block. */
	start = monotonic_ns();
	timer_set_singleshot(start + 50 * MS, false);
	sched_block();
	woke = monotonic_ns();
	check(woke >= start + 50 * MS, "timer_periodic_stopped", "woke after %lu ms",
	      (unsigned long)((woke - start) / MS));
}

static void test_sleep(void)
{
	uint64_t start = monotonic_ns();

	sleep_ns(15 * MS);
	check(monotonic_ns() >= start + 15 * MS, "timer_sleep_ns", NULL);
}

int guest_main(const struct hvm_start_info *si)
{
	test_singleshot();
	test_past_deadline();
	test_periodic();
	test_stopped();
	test_sleep();
	return check_finish();
}
