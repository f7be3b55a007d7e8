/*
 * time.c: Xen system time (pvclock in vcpu_info) and the wall clock, both
 * read from the shared_info page, which is mapped on first use.
 */
#include "shoji-guest.h"
#include "guest-internal.h"

#include <shoji/memory.h>
#include <shoji/sched.h>

/* Our page for shared_info: the hypervisor maps its frame at this GFN. */
static union {
	struct shared_info s;
	uint8_t page[GUEST_PAGE_SIZE];
} shared_info_page __attribute__((aligned(GUEST_PAGE_SIZE)));

static volatile bool shared_info_mapped;

/* Mapped on first use; the already-mapped test comes first (every clock read passes here). */
struct shared_info *shared_info_get(void)
{
	struct xen_add_to_physmap xatp;
	long rc;

	if (shared_info_mapped)
		return &shared_info_page.s;
	xatp = (struct xen_add_to_physmap){
	    .domid = DOMID_SELF,
	    .space = XENMAPSPACE_shared_info,
	    .idx = 0,
	    .gpfn = (uintptr_t)&shared_info_page >> 12,
	};
	rc = hyp_memory_op(XENMEM_add_to_physmap, &xatp);
	if (rc < 0) {
		printf("shoji-guest: mapping shared_info failed: %ld\n", rc);
		shutdown(SHUTDOWN_crash);
	}
	shared_info_mapped = true;
	return &shared_info_page.s;
}

uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Scale a TSC delta to ns with Xen's 32.32 fixed-point factor. */
static uint64_t pvclock_scale(uint64_t delta, uint32_t mul, int8_t shift)
{
	if (shift < 0)
		delta >>= -shift;
	else
		delta <<= shift;
	return (uint64_t)(((unsigned __int128)delta * mul) >> 32);
}

uint64_t monotonic_ns(void)
{
	struct shared_info *s = shared_info_get();

	return pvclock_read(&s->vcpu_info[smp_cpu_id()].time);
}

uint64_t pvclock_read(const volatile struct vcpu_time_info *t)
{
	uint32_t version, mul;
	uint64_t tsc_stamp, system_time, tsc;
	int8_t shift;

	do {
		version = t->version;
		__asm__ volatile("" : : : "memory"); /* x86 keeps loads in order */
		tsc_stamp = t->tsc_timestamp;
		system_time = t->system_time;
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		tsc = rdtsc();
		__asm__ volatile("" : : : "memory");
	} while ((version & 1) != 0 || version != t->version);

	return system_time + pvclock_scale(tsc - tsc_stamp, mul, shift);
}

void wallclock(uint64_t *sec, uint32_t *nsec)
{
	const volatile struct shared_info *s = shared_info_get();
	uint32_t version, wc_nsec;
	uint64_t wc_sec, now;

	do {
		version = s->wc_version;
		__asm__ volatile("" : : : "memory");
		wc_sec = ((uint64_t)s->wc_sec_hi << 32) | s->wc_sec;
		wc_nsec = s->wc_nsec;
		__asm__ volatile("" : : : "memory");
	} while ((version & 1) != 0 || version != s->wc_version);

	/* The wall clock records the time at system time 0. */
	now = wc_nsec + monotonic_ns();
	*sec = wc_sec + now / 1000000000ULL;
	*nsec = (uint32_t)(now % 1000000000ULL);
}
