/*
 * pvclock: Xen system time from vcpu_time_info is sane and never goes
 * backwards (many consecutive reads, across blocks, and between vCPUs when
 * there are several), and the wall clock is plausible.
 */
#include "check.h"

#define READS 5000

static volatile uint64_t other_time;
static volatile unsigned int other_done;

static void ap_main(unsigned int vcpu, void *arg)
{
	other_time = monotonic_ns();
	__atomic_store_n(&other_done, 1, __ATOMIC_SEQ_CST);
}

int guest_main(const struct hvm_start_info *si)
{
	struct shared_info *s = shared_info_get();
	const volatile struct vcpu_time_info *t = &s->vcpu_info[0].time;
	uint64_t prev, now, start, sec;
	unsigned int backwards = 0;
	uint32_t nsec;

	check(t->tsc_to_system_mul != 0 && (t->version & 1) == 0 && t->version != 0,
	      "pvclock_fields", "version=%u mul=%u shift=%d", t->version, t->tsc_to_system_mul,
	      t->tsc_shift);

	prev = start = monotonic_ns();
	for (unsigned int i = 0; i < READS; i++) {
		now = monotonic_ns();
		if (now < prev)
			backwards++;
		prev = now;
	}
	check(backwards == 0 && prev > start, "pvclock_monotonic", "%u backwards steps in %u reads",
	      backwards, READS);

	for (unsigned int i = 0; i < 20; i++) {
		sched_yield();
		now = monotonic_ns();
		if (now < prev)
			backwards++;
		prev = now;
		sleep_ns(100000);
		now = monotonic_ns();
		if (now < prev)
			backwards++;
		prev = now;
	}
	check(backwards == 0, "pvclock_monotonic_across_blocks", "%u backwards steps", backwards);

	wallclock(&sec, &nsec);
	check(sec > 1577836800ULL && sec < 4102444800ULL && nsec < 1000000000U, "pvclock_wallclock",
	      "sec=%lu nsec=%u", (unsigned long)sec, nsec);

	if (smp_nr_vcpus() > 1) {
		uint64_t deadline = monotonic_ns() + 10000000000ULL;
		long rc = smp_start_vcpu(1, ap_main, NULL);

		while (rc == 0 && !other_done && monotonic_ns() < deadline)
			sched_yield();
		now = monotonic_ns();
		check(rc == 0 && other_done && now >= other_time, "pvclock_cross_vcpu",
		      "rc=%ld vcpu1=%lu vcpu0_after=%lu", rc, (unsigned long)other_time,
		      (unsigned long)now);
	}
	return check_finish();
}
