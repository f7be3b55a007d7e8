/*
 * hostile: "count=N" (default 100000) hypercalls with random numbers and
 * random arguments from a PRNG seeded with "seed=S".  Arguments mix small
 * integers, pointers into a scratch buffer full of random words (so the
 * hypervisor reads random structures), unmapped, beyond-RAM, straddling
 * and non-canonical addresses, and raw random values.
 *
 * Calls that would only make the guest stop itself are re-drawn: they test
 * nothing about the hypervisor's robustness and would end the run early
 * (sched_op block/shutdown/poll/remote_shutdown/shutdown_code/watchdog,
 * vcpu_op down, multicall, and memory_op calls that unmap or replace guest
 * RAM).  The guest then checks the hypervisor still answers correctly.
 */
#include "check.h"

#include <shoji/memory.h>
#include <shoji/sched.h>
#include <shoji/vcpu.h>
#include <shoji/version.h>

#define SCRATCH_SIZE  (256 * 1024)
#define SCRATCH_PROBE (64 * 1024) /* pointers land in the first part */
#define POOL_SIZE     256         /* a power of two */

static uint64_t rng_state;
static uint8_t *scratch;
static uint64_t ram_end;
/* Random arguments drawn ahead: guest code runs in KVM's (slow) instruction
 * emulator here, so each call takes its arguments from the pool and
 * refreshes one pool entry and one scratch word. */
static uint64_t pool[POOL_SIZE];

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static uint64_t rand_arg(void)
{
	switch (rng() % 10) {
	case 0:
		return 0;
	case 1:
		return rng() % 16;
	case 2:
		return ~0ULL - rng() % 4;
	case 3:
	case 4:
		return (uintptr_t)scratch + rng() % SCRATCH_PROBE;
	case 5:
		return 0x0000700000000000ULL + (rng() & 0xfffff);
	case 6:
		return 0xc0000000ULL + rng() % 0x10000000;
	case 7:
		return 0x8000000000000000ULL | rng();
	case 8:
		return ram_end - rng() % 4096;
	default:
		return rng();
	}
}

/* Calls that would stop or unmap this guest rather than test the hypervisor. */
static bool self_destructive(unsigned int nr, uint64_t cmd)
{
	switch (nr) {
	case __HYPERVISOR_sched_op:
		return cmd != SCHEDOP_yield && cmd < 8;
	case __HYPERVISOR_vcpu_op:
		return cmd == VCPUOP_down;
	case __HYPERVISOR_multicall:
		return true;
	case __HYPERVISOR_memory_op:
		return cmd == XENMEM_decrease_reservation || cmd == XENMEM_populate_physmap ||
		       cmd == XENMEM_add_to_physmap || cmd == XENMEM_remove_from_physmap ||
		       cmd == XENMEM_exchange || cmd == XENMEM_add_to_physmap_batch;
	default:
		return false;
	}
}

int guest_main(const struct hvm_start_info *si)
{
	static const unsigned int implemented[] = {
	    __HYPERVISOR_memory_op,        __HYPERVISOR_xen_version, __HYPERVISOR_console_io,
	    __HYPERVISOR_grant_table_op,   __HYPERVISOR_vcpu_op,     __HYPERVISOR_sched_op,
	    __HYPERVISOR_event_channel_op, __HYPERVISOR_physdev_op,  __HYPERVISOR_hvm_op,
	    __HYPERVISOR_sysctl,           __HYPERVISOR_domctl,
	};
	const struct hvm_memmap_table_entry *map = (const void *)(uintptr_t)si->memmap_paddr;
	unsigned long count = cmdline_ulong(si, "count", 100000);
	unsigned long done = 0;
	const struct xen_info *xi = xen_get_info();
	char buf[XEN_EXTRAVERSION_LEN];

	rng_state = cmdline_ulong(si, "seed", 1) * 0x9e3779b97f4a7c15ULL + 1;
	for (unsigned int i = 0; i < si->memmap_entries; i++) {
		uint64_t end = map[i].addr + map[i].size;

		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM && end <= 0x100000000ULL &&
		    end > ram_end)
			ram_end = end;
	}
	scratch = mem_alloc(SCRATCH_SIZE, GUEST_PAGE_SIZE);
	if (!check(scratch != NULL, "hostile_setup", NULL))
		return check_finish();
	for (size_t i = 0; i < POOL_SIZE; i++)
		pool[i] = rand_arg();
	for (size_t i = 0; i < SCRATCH_PROBE / 8 + 64; i++)
		((uint64_t *)scratch)[i] = pool[i % POOL_SIZE] ^ (i & 7);

	printf("hostile: %lu random hypercalls, seed %lu\n", count, cmdline_ulong(si, "seed", 1));
	while (done < count) {
		uint64_t r = rng(), r2 = rng();
		unsigned int nr;
		uint64_t a[5];

		pool[r % POOL_SIZE] = rand_arg();
		((uint64_t *)scratch)[(r2 >> 32) % (SCRATCH_PROBE / 8)] =
		    pool[(r2 >> 48) % POOL_SIZE];
		if ((r >> 8) % 4 != 0)
			nr = implemented[((r >> 10) & 0xff) %
			                 (sizeof(implemented) / sizeof(implemented[0]))];
		else
			nr = (unsigned int)((r >> 20) % XEN_HYPERCALL_PAGE_NR);
		a[0] = (r >> 27) % 8 != 0 ? (r >> 30) % 32 : pool[(r >> 35) % POOL_SIZE];
		a[1] = pool[r2 % POOL_SIZE];
		a[2] = pool[(r2 >> 8) % POOL_SIZE];
		a[3] = pool[(r2 >> 16) % POOL_SIZE];
		a[4] = pool[(r2 >> 24) % POOL_SIZE];
		if (self_destructive(nr, a[0]))
			continue;
		if (nr == __HYPERVISOR_console_io)
			a[1] %= 128; /* keep the console output bounded */
		hypercall_raw(nr, a[0], a[1], a[2], a[3], a[4]);
		done++;
	}
	/* Random console writes need not end their lines. */
	printf("\nhostile: %lu hypercalls done\n", done);

	check_rc("hostile_xen_version_after", hyp_xen_version(XENVER_version, NULL),
	         (long)xi->version);
	check_rc("hostile_extraversion_after", hyp_xen_version(XENVER_extraversion, buf), 0);
	check_rc("hostile_unknown_after", hypercall_raw(63, 0, 0, 0, 0, 0), -XEN_ENOSYS);
	return check_finish();
}
