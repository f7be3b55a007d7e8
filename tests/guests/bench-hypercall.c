/*
 * bench-hypercall: hypercall round-trip time measured inside the guest.
 * Times "n=N" (default 10000) xen_version(XENVER_version) calls one by one
 * with rdtsc, converts cycles to ns with the pvclock scale, and prints
 *
 *	hypercall_ns_median=M p99=P mean=A min=L n=N
 *
 * Percentiles come from a histogram with HIST_NS-wide buckets (values past
 * the last bucket count as its upper bound).
 */
#include "shoji-guest.h"

#include <shoji/version.h>

#define HIST_NS      50
#define HIST_BUCKETS 40000 /* 2 ms */

static uint64_t tsc_to_ns(const volatile struct vcpu_time_info *t, uint64_t cycles)
{
	int8_t shift = t->tsc_shift;

	if (shift < 0)
		cycles >>= -shift;
	else
		cycles <<= shift;
	return (uint64_t)(((unsigned __int128)cycles * t->tsc_to_system_mul) >> 32);
}

static uint64_t percentile(const uint32_t *hist, uint64_t n, unsigned int pct)
{
	uint64_t want = (n * pct + 99) / 100, seen = 0;

	for (unsigned int b = 0; b < HIST_BUCKETS; b++) {
		seen += hist[b];
		if (seen >= want)
			return (uint64_t)b * HIST_NS + HIST_NS / 2;
	}
	return (uint64_t)HIST_BUCKETS * HIST_NS;
}

int guest_main(const struct hvm_start_info *si)
{
	char buf[24];
	unsigned long n = 10000;
	const volatile struct vcpu_time_info *t = &shared_info_get()->vcpu_info[0].time;
	uint32_t *hist = mem_alloc(HIST_BUCKETS * sizeof(*hist), GUEST_PAGE_SIZE);
	uint64_t total = 0, min = ~0ULL;

	if (cmdline_get(si, "n", buf, sizeof(buf)))
		n = strtoul_simple(buf, NULL);
	if (hist == NULL || n == 0 || t->tsc_to_system_mul == 0) {
		printf("bench-hypercall: cannot run (n=%lu, pvclock mul=%u)\n", n,
		       t->tsc_to_system_mul);
		return 1;
	}
	for (unsigned long i = 0; i < n; i++) {
		uint64_t t0 = rdtsc();
		uint64_t ns;

		hyp_xen_version(XENVER_version, NULL);
		ns = tsc_to_ns(t, rdtsc() - t0);
		total += ns;
		if (ns < min)
			min = ns;
		hist[ns / HIST_NS < HIST_BUCKETS ? ns / HIST_NS : HIST_BUCKETS - 1]++;
	}
	printf("hypercall_ns_median=%lu p99=%lu mean=%lu min=%lu n=%lu\n",
	       (unsigned long)percentile(hist, n, 50), (unsigned long)percentile(hist, n, 99),
	       (unsigned long)(total / n), (unsigned long)min, n);
	return 0;
}
