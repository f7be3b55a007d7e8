/*
 * smp: brings up every secondary vCPU with VCPUOP_initialise (64-bit
 * context) + VCPUOP_up.  Each prints "vcpu N up", checks its own clock, and
 * takes itself down.  "vcpus=N" on the command line is the expected count.
 */
#include "check.h"

#include <shoji/vcpu.h>

#define MAX_VCPUS 64

static volatile unsigned int arrived;
static volatile uint64_t vcpu_time[MAX_VCPUS];

static void ap_main(unsigned int vcpu, void *arg)
{
	uint64_t now = monotonic_ns();

	printf("vcpu %u up\n", vcpu);
	vcpu_time[vcpu] = now != 0 && smp_cpu_id() == vcpu ? now : 0;
	__atomic_add_fetch(&arrived, 1, __ATOMIC_SEQ_CST);
}

int guest_main(const struct hvm_start_info *si)
{
	unsigned long want = cmdline_ulong(si, "vcpus", 1);
	unsigned int n = smp_nr_vcpus(), down = 0;
	struct vcpu_hvm_context ctx = {.mode = VCPU_HVM_MODE_64B};
	uint64_t deadline;
	char name[48];

	check(n == want && n <= MAX_VCPUS, "smp_nr_vcpus", "found=%u expected=%lu", n, want);
	if (n > MAX_VCPUS)
		return check_finish();
	for (unsigned int i = 1; i < n; i++) {
		snprintf(name, sizeof(name), "smp_start_vcpu_%u", i);
		check_rc(name, smp_start_vcpu(i, ap_main, NULL), 0);
	}

	deadline = monotonic_ns() + 20000000000ULL;
	while (arrived < n - 1 && monotonic_ns() < deadline)
		sched_yield();
	check(arrived == n - 1, "smp_all_up", "%u of %u secondary vCPUs ran", arrived, n - 1);
	for (unsigned int i = 1; i < n; i++) {
		snprintf(name, sizeof(name), "smp_vcpu_%u_clock", i);
		check(vcpu_time[i] != 0, name, NULL);
	}

	/* Each secondary takes itself down when its function returns. */
	while (monotonic_ns() < deadline) {
		down = 0;
		for (unsigned int i = 1; i < n; i++)
			down += hyp_vcpu_op(VCPUOP_is_up, i, NULL) == 0;
		if (down == n - 1)
			break;
		sched_yield();
	}
	check(down == n - 1, "smp_vcpus_down", "%u of %u down", down, n - 1);
	if (n > 1) {
		check_rc("smp_initialise_twice", hyp_vcpu_op(VCPUOP_initialise, 1, &ctx),
		         -XEN_EEXIST);
	}
	return check_finish();
}
