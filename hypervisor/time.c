/* Guest time: pvclock and wallclock (see hvtime.h). */
#include "config.h"

#include <time.h>
#include <x86intrin.h>

#include "domain.h"
#include "hvtime.h"
#include "vcpu.h"

uint64_t time_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

uint64_t time_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void time_scale(uint64_t tsc_hz, uint32_t *mul, int8_t *shift)
{
	unsigned __int128 m;
	int s = 0;

	if (tsc_hz == 0)
		tsc_hz = 1000000000ULL;
	m = ((unsigned __int128)1000000000ULL << 32) / tsc_hz;
	while (m >= (1ULL << 32)) {
		m >>= 1;
		s++;
	}
	while (m < (1ULL << 31)) {
		m <<= 1;
		s--;
	}
	/* Recompute at the chosen shift for full precision. */
	if (s <= 0)
		m = ((unsigned __int128)1000000000ULL << (32 - s)) / tsc_hz;
	else
		m = ((unsigned __int128)1000000000ULL << 32) / ((unsigned __int128)tsc_hz << s);
	if (m >= (1ULL << 32))
		m = (1ULL << 32) - 1;
	*mul = (uint32_t)m;
	*shift = (int8_t)s;
}

void time_init(struct domain *d, uint32_t tsc_khz, int64_t tsc_offset)
{
	d->tsc_khz = tsc_khz;
	d->tsc_offset = tsc_offset;
	time_scale((uint64_t)tsc_khz * 1000ULL, &d->tsc_mul, &d->tsc_shift);
	if (!d->start_ns) {
		d->start_ns = time_mono_ns();
		d->start_wall_ns = time_real_ns();
	}
}

void time_update_vcpu(struct vcpu *v)
{
	struct domain *d = v->d;
	struct vcpu_info *vi = vcpu_info_of(v);
	volatile struct vcpu_time_info *t;
	uint64_t tsc, now;

	if (!vi)
		return;
	t = &vi->time;
	now = time_mono_ns();
	tsc = __rdtsc();
	t->version = (t->version + 1) | 1; /* odd: update in progress */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->tsc_timestamp = tsc + (uint64_t)d->tsc_offset;
	t->system_time = now - d->start_ns;
	t->tsc_to_system_mul = d->tsc_mul;
	t->tsc_shift = d->tsc_shift;
	t->flags = XEN_PVCLOCK_TSC_STABLE_BIT;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	t->version = t->version + 1; /* even: stable */
}

void time_update_wallclock(struct domain *d)
{
	volatile struct shared_info *s = d->shared_info;
	uint64_t wall0;

	if (!s)
		return;
	/* Wall-clock time at system time 0. */
	wall0 = time_real_ns() - (time_mono_ns() - d->start_ns);
	s->wc_version = (s->wc_version + 1) | 1;
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->wc_sec = (uint32_t)(wall0 / 1000000000ULL);
	s->wc_sec_hi = (uint32_t)((wall0 / 1000000000ULL) >> 32);
	s->wc_nsec = (uint32_t)(wall0 % 1000000000ULL);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	s->wc_version = s->wc_version + 1;
}

uint64_t domain_system_time(const struct domain *d)
{
	return time_mono_ns() - d->start_ns;
}
