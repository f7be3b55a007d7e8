/*
 * timer.c: the calling vCPU's single-shot and periodic timers, and sleeping
 * on them with SCHEDOP_block.
 */
#include "shoji-guest.h"

#include <shoji/vcpu.h>

long timer_set_singleshot(uint64_t deadline_ns, bool future_only)
{
	struct vcpu_set_singleshot_timer t = {
	    .timeout_abs_ns = deadline_ns,
	    .flags = future_only ? VCPU_SSHOTTMR_future : 0,
	};

	return hyp_vcpu_op(VCPUOP_set_singleshot_timer, smp_cpu_id(), &t);
}

long timer_stop_singleshot(void)
{
	return hyp_vcpu_op(VCPUOP_stop_singleshot_timer, smp_cpu_id(), NULL);
}

long timer_set_periodic(uint64_t period_ns)
{
	struct vcpu_set_periodic_timer t = {.period_ns = period_ns};

	return hyp_vcpu_op(VCPUOP_set_periodic_timer, smp_cpu_id(), &t);
}

long timer_stop_periodic(void)
{
	return hyp_vcpu_op(VCPUOP_stop_periodic_timer, smp_cpu_id(), NULL);
}

void sleep_until(uint64_t deadline_ns)
{
	/* A block may end early (any event wakes us): re-arm and re-check. */
	while (monotonic_ns() < deadline_ns) {
		timer_set_singleshot(deadline_ns, false);
		sched_block();
	}
}

void sleep_ns(uint64_t ns)
{
	sleep_until(monotonic_ns() + ns);
}
