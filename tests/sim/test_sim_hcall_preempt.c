/*
 * test_sim_hcall_preempt: long batched hypercalls are continuations (issue
 * 15 #3).  On hvsim with the guest's vCPU running, a guest's calls trap
 * through shoji-hv's own vCPU thread and run loop: a GNTTABOP_cache_flush
 * of 0x7fffffff ops over aliased memory (every page of a 512 GiB range of
 * its address space maps the same 2 MiB) must come back to the run loop
 * again and again with its progress in the argument registers, while the
 * control socket answers, a pause stops it and a destroy ends it at once;
 * a short batch is done in one call; 32-bit callers, memory_op extent
 * lists and slow items are continued too.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <shoji/ctrl.h>
#include <shoji/grant_table.h>
#include <shoji/memory.h>

#include "check-run.h"
#include "hvsim.h"

#define MEMORY   (64u << 20)
#define PML4     0x100000u /* the aliasing page tables: PML4, PDPT, PD */
#define PDPT     0x101000u
#define PD       0x102000u
#define OPS      0x200000u   /* 2 MiB of cache_flush ops, what every 2 MiB page maps */
#define OPS_VA   0x40000000u /* the list's start in the guest's address space */
#define ARG      ((uint64_t)HVSIM_GFN_HYPERCALL << 12)
#define PTE_P    1u
#define PTE_RW   2u
#define PTE_PS   0x80u
#define HUGE     0x7fffffffu
#define FLUSH_SZ sizeof(struct gnttab_cache_flush)

/* The bounds of hypervisor/hypercall.h, as a guest sees them. */
#define ITEMS_MIN 8u
#define ITEMS_MAX 1024u

static char dir[] = "/tmp/test_sim_preempt.XXXXXX";
static struct hvsim *sim;
static struct shoji_ctrl *ctrl; /* the toolstack's own connection */

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	sim = hvsim_start(dir);
	ck_assert_ptr_nonnull(sim);
	ctrl = shoji_ctrl_open(hvsim_socket(sim));
	ck_assert_ptr_nonnull(ctrl);
}

static void teardown(void)
{
	shoji_ctrl_close(ctrl);
	hvsim_stop(sim);
	rmdir(dir);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void *gp(uint32_t dom, uint64_t gpa, size_t len)
{
	void *p = hvsim_guest_mem(sim, dom, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* @n cache_flush ops at @gpa of @dom: valid cleans, or the one at @bad (if < n) invalid. */
static void put_flushes(uint32_t dom, uint64_t gpa, uint32_t n, uint32_t bad)
{
	struct gnttab_cache_flush *f = gp(dom, gpa, (size_t)n * FLUSH_SZ);

	for (uint32_t i = 0; i < n; i++)
		f[i] = (struct gnttab_cache_flush){
		    .offset = 0, .length = 64, .op = GNTTAB_CACHE_CLEAN};
	if (bad < n)
		f[bad].offset = 4096;
}

/* A running domain whose guest has the aliasing page tables at PML4. */
static uint32_t aliased_domain(void)
{
	int r = hvsim_domain_new(sim, MEMORY);
	uint64_t *pml4, *pdpt, *pd;
	uint32_t dom;

	ck_assert_int_gt(r, 0);
	dom = (uint32_t)r;
	pml4 = gp(dom, PML4, 4096);
	pdpt = gp(dom, PDPT, 4096);
	pd = gp(dom, PD, 4096);
	pml4[0] = PDPT | PTE_P | PTE_RW;
	for (unsigned int i = 0; i < 512; i++) {
		pdpt[i] = PD | PTE_P | PTE_RW;
		pd[i] = OPS | PTE_P | PTE_RW | PTE_PS;
	}
	put_flushes(dom, OPS, (2u << 20) / FLUSH_SZ, ~0u);
	ck_assert_int_eq(hvsim_vcpu_start(sim, dom), 0);
	return dom;
}

struct caller {
	uint32_t dom;
	struct hvsim_call call;
	int rc;
	pthread_t thread;
};

static void *caller_main(void *arg)
{
	struct caller *c = arg;

	c->rc = hvsim_vcpu_call(sim, c->dom, &c->call);
	return NULL;
}

/* Wait up to 10 s for the call under way on @dom to be continued more than @than times. */
static unsigned int wait_progress(uint32_t dom, unsigned int than, uint64_t args[5])
{
	double end = now_ms() + 10000;
	unsigned int n;

	while ((n = hvsim_vcpu_progress(sim, dom, args)) <= than && now_ms() < end)
		usleep(1000);
	return n;
}

/* The ops a continued cache_flush has done, from the registers it was re-issued with. */
static uint64_t flushes_done(const uint64_t a[5])
{
	uint64_t done = HUGE - a[2];

	ck_assert_uint_eq(a[0], GNTTABOP_cache_flush);
	ck_assert_uint_gt(done, 0);
	ck_assert_uint_lt(done, HUGE);
	ck_assert_uint_eq(a[1], OPS_VA + done * FLUSH_SZ); /* uop past the ops done */
	return done;
}

START_TEST(a_huge_flush_yields_to_the_control_plane)
{
	struct caller c = {.dom = aliased_domain()};
	struct shoji_ctrl *other = shoji_ctrl_open(hvsim_socket(sim));
	struct shoji_dominfo list[8], info;
	uint64_t a[5], before;
	unsigned int n, n2;
	double t, worst = 0, destroy_ms;

	ck_assert_ptr_nonnull(other);
	c.call = (struct hvsim_call){.nr = __HYPERVISOR_grant_table_op,
	                             .args = {GNTTABOP_cache_flush, OPS_VA, HUGE},
	                             .cr3 = PML4};
	ck_assert_int_eq(pthread_create(&c.thread, NULL, caller_main, &c), 0);

	/* The call is continued, its progress in the registers it is issued again with. */
	n = wait_progress(c.dom, 2, a);
	ck_assert_msg(n > 2, "the call was continued %u times in 10 s", n);
	before = flushes_done(a);
	n = wait_progress(c.dom, n, a);
	ck_assert_uint_gt(flushes_done(a), before);

	/* The control socket answers meanwhile, from another connection as from the toolstack's. */
	for (int i = 0; i < 20; i++) {
		t = now_ms();
		ck_assert_int_ge(shoji_ctrl_list(i % 2 ? other : ctrl, list, 8), 1);
		ck_assert_int_eq(shoji_ctrl_info(other, c.dom, &info), 0);
		t = now_ms() - t;
		worst = t > worst ? t : worst;
	}
	ck_assert_msg(worst < 100, "a list and an info took %.1f ms", worst);
	ck_assert_int_eq(info.state, SHOJI_DOMAIN_RUNNING);

	/* A pause stops the call between two items; an unpause lets it go on. */
	ck_assert_int_eq(shoji_ctrl_pause(other, c.dom), 0);
	usleep(20000);
	n = hvsim_vcpu_progress(sim, c.dom, a);
	before = flushes_done(a);
	usleep(100000);
	n2 = hvsim_vcpu_progress(sim, c.dom, a);
	ck_assert_uint_eq(n2, n);
	ck_assert_uint_eq(flushes_done(a), before);
	ck_assert_int_eq(shoji_ctrl_info(ctrl, c.dom, &info), 0);
	ck_assert_int_eq(info.state, SHOJI_DOMAIN_PAUSED);
	ck_assert_int_eq(shoji_ctrl_unpause(other, c.dom), 0);
	ck_assert_uint_gt(wait_progress(c.dom, n, a), n);

	/* Destroy does not wait for the call: the vCPU leaves it at the next item. */
	t = now_ms();
	ck_assert_int_eq(shoji_ctrl_destroy(other, c.dom), 0);
	destroy_ms = now_ms() - t;
	ck_assert_int_eq(pthread_join(c.thread, NULL), 0);
	ck_assert_int_eq(c.rc, -ESRCH); /* the guest never saw the call return */
	ck_assert_msg(destroy_ms < 500, "destroy took %.1f ms", destroy_ms);
	ck_assert_int_eq(shoji_ctrl_list(ctrl, list, 8), 0);
	fprintf(stderr, "huge flush: control requests within %.1f ms, destroy %.1f ms\n", worst,
	        destroy_ms);
	hvsim_domain_destroy(sim, c.dom); /* hvsim's own record of it */
	shoji_ctrl_close(other);
}
END_TEST

/* GNTTABOP_copy of @n ops from page @src of the guest to page @dst, byte i = i + @seed. */
static void put_copies(uint32_t dom, uint32_t n, uint64_t src, uint64_t dst, uint8_t seed)
{
	struct gnttab_copy *op = gp(dom, ARG, n * sizeof(*op));
	uint8_t *s = gp(dom, src, 4096);

	for (unsigned int i = 0; i < 4096; i++)
		s[i] = (uint8_t)(i + seed);
	memset(gp(dom, dst, 4096), 0, 4096);
	for (uint32_t i = 0; i < n; i++)
		op[i] = (struct gnttab_copy){.source = {.u.gmfn = src >> 12,
		                                        .domid = DOMID_SELF,
		                                        .offset = (uint16_t)(i * 16)},
		                             .dest = {.u.gmfn = dst >> 12,
		                                      .domid = DOMID_SELF,
		                                      .offset = (uint16_t)(i * 16)},
		                             .len = 16,
		                             .status = 99};
	op[n - 1].source.domid = 7; /* not its own frame: refused, the others go on */
}

START_TEST(a_short_batch_is_one_call_as_before)
{
	int r1 = hvsim_domain_new(sim, 16u << 20), r2 = hvsim_domain_new(sim, 16u << 20);
	const uint64_t src = 0x80000, dst = 0x81000;
	struct hvsim_call call;
	uint32_t paused, running;
	uint64_t a[5] = {GNTTABOP_copy, ARG, ITEMS_MIN};
	long direct;

	ck_assert_int_gt(r1, 0);
	ck_assert_int_gt(r2, 0);
	paused = (uint32_t)r1;  /* calls on the test's thread, as before */
	running = (uint32_t)r2; /* calls through its vCPU thread */
	ck_assert_int_eq(hvsim_vcpu_start(sim, running), 0);

	put_copies(paused, ITEMS_MIN, src, dst, 3);
	put_copies(running, ITEMS_MIN, src, dst, 3);
	direct = hvsim_hypercall(sim, paused, __HYPERVISOR_grant_table_op, a);
	call = (struct hvsim_call){.nr = __HYPERVISOR_grant_table_op};
	memcpy(call.args, a, sizeof(a));
	ck_assert_int_eq(hvsim_vcpu_call(sim, running, &call), 0);
	ck_assert_int_eq(direct, 0);
	ck_assert_int_eq(call.result, 0);
	ck_assert_uint_eq(call.continuations, 0);
	/* The same statuses and bytes both ways. */
	ck_assert_int_eq(memcmp(gp(paused, ARG, ITEMS_MIN * sizeof(struct gnttab_copy)),
	                        gp(running, ARG, ITEMS_MIN * sizeof(struct gnttab_copy)),
	                        ITEMS_MIN * sizeof(struct gnttab_copy)),
	                 0);
	ck_assert_int_eq(memcmp(gp(paused, dst, 4096), gp(running, dst, 4096), 4096), 0);
	for (unsigned int i = 0; i < ITEMS_MIN; i++) {
		struct gnttab_copy *op = gp(running, ARG + i * sizeof(*op), sizeof(*op));

		ck_assert_int_eq(op->status,
		                 i + 1 < ITEMS_MIN ? GNTST_okay : GNTST_permission_denied);
	}
	ck_assert_int_eq(*(uint8_t *)gp(running, dst + 17, 1), 17 + 3);

	/* A failing op ends a short batch at once, as before. */
	put_flushes(running, ARG, ITEMS_MIN, 5);
	call = (struct hvsim_call){.nr = __HYPERVISOR_grant_table_op,
	                           .args = {GNTTABOP_cache_flush, ARG, ITEMS_MIN}};
	ck_assert_int_eq(hvsim_vcpu_call(sim, running, &call), 0);
	ck_assert_int_eq(call.result, -EINVAL);
	ck_assert_uint_eq(call.continuations, 0);
}
END_TEST

/* A list of @n cache_flush ops (the one at @bad invalid) in @compat or 64-bit code. */
static struct hvsim_call flush_list(uint32_t dom, uint32_t n, uint32_t bad, bool compat)
{
	struct hvsim_call call = {.nr = __HYPERVISOR_grant_table_op,
	                          .args = {GNTTABOP_cache_flush, 0x100000, n},
	                          .compat = compat};

	put_flushes(dom, 0x100000, n, bad);
	ck_assert_int_eq(hvsim_vcpu_call(sim, dom, &call), 0);
	return call;
}

START_TEST(every_abi_is_continued_by_the_item_bound)
{
	int r = hvsim_domain_new(sim, 16u << 20);
	const uint32_t n = 5000;
	struct hvsim_call call;
	uint32_t dom;

	ck_assert_int_gt(r, 0);
	dom = (uint32_t)r;
	ck_assert_int_eq(hvsim_vcpu_start(sim, dom), 0);
	for (int compat = 0; compat < 2; compat++) {
		/* At least every ITEMS_MAX items, in the caller's own registers. */
		call = flush_list(dom, n, ~0u, compat);
		ck_assert_int_eq(call.result, 0);
		ck_assert_uint_ge(call.continuations, n / ITEMS_MAX);
		ck_assert_uint_eq(call.last[0], GNTTABOP_cache_flush);
		ck_assert_uint_gt(call.last[2], 0);
		ck_assert_uint_le(call.last[2], n - ITEMS_MIN);
		ck_assert_uint_eq(call.last[1], 0x100000 + (n - call.last[2]) * FLUSH_SZ);
		/* A failing op after a continuation ends the call with its error. */
		call = flush_list(dom, n, n - 10, compat);
		ck_assert_int_eq(call.result, -EINVAL);
		ck_assert_uint_ge(call.continuations, n / ITEMS_MAX);
	}
}
END_TEST

/* One GNTTABOP_copy op of @len bytes between own frames, at @at in 64-bit or 32-bit layout. */
static void put_copy(uint8_t *at, bool compat, uint64_t sgfn, uint16_t soff, uint64_t dgfn,
                     uint16_t doff, uint16_t len)
{
	struct gnttab_copy op = {.source = {.u.gmfn = sgfn, .domid = DOMID_SELF, .offset = soff},
	                         .dest = {.u.gmfn = dgfn, .domid = DOMID_SELF, .offset = doff},
	                         .len = len,
	                         .status = 99};
	uint32_t g;

	if (!compat) {
		memcpy(at, &op, sizeof(op));
		return;
	}
	memset(at, 0, 24); /* Xen's 32-bit layout: 4-byte frames, 24 bytes an op */
	g = (uint32_t)sgfn;
	memcpy(at, &g, 4);
	memcpy(at + 4, &op.source.domid, 2);
	memcpy(at + 6, &soff, 2);
	g = (uint32_t)dgfn;
	memcpy(at + 8, &g, 4);
	memcpy(at + 12, &op.dest.domid, 2);
	memcpy(at + 14, &doff, 2);
	memcpy(at + 16, &len, 2);
	memcpy(at + 20, &op.status, 2);
}

/*
 * A copy batch longer than the item bound, in each ABI: every op done once,
 * its status where the caller's layout has it, after continuations that
 * step over the caller's own op size.
 */
START_TEST(a_long_copy_batch_in_each_abi)
{
	int r = hvsim_domain_new(sim, 16u << 20);
	const uint32_t n = 2500;
	const uint64_t src = 0x300, dst = 0x310; /* GFNs: one source page, dest pages */
	struct hvsim_call call;
	uint32_t dom;

	ck_assert_int_gt(r, 0);
	dom = (uint32_t)r;
	ck_assert_int_eq(hvsim_vcpu_start(sim, dom), 0);
	for (int compat = 0; compat < 2; compat++) {
		uint8_t *list = gp(dom, 0x100000, (size_t)n * 40), *s = gp(dom, src << 12, 4096);
		size_t size = compat ? 24 : sizeof(struct gnttab_copy);

		for (unsigned int i = 0; i < 4096; i++)
			s[i] = (uint8_t)(i * 7 + compat);
		memset(gp(dom, dst << 12, 4u << 12), 0, 4u << 12);
		for (uint32_t i = 0; i < n; i++)
			put_copy(list + (size_t)i * size, compat, src, (uint16_t)(i % 2048 * 2),
			         dst + i / 2048, (uint16_t)(i % 2048 * 2), 2);
		call = (struct hvsim_call){.nr = __HYPERVISOR_grant_table_op,
		                           .args = {GNTTABOP_copy, 0x100000, n},
		                           .compat = compat};
		ck_assert_int_eq(hvsim_vcpu_call(sim, dom, &call), 0);
		ck_assert_int_eq(call.result, 0);
		ck_assert_uint_ge(call.continuations, n / ITEMS_MAX);
		ck_assert_uint_eq(call.last[1], 0x100000 + (n - call.last[2]) * size);
		for (uint32_t i = 0; i < n; i++) {
			int16_t status;
			uint8_t *d = gp(dom, ((dst + i / 2048) << 12) + i % 2048 * 2, 2);

			memcpy(&status, list + (size_t)i * size + (compat ? 20 : 36), 2);
			ck_assert_msg(status == GNTST_okay, "op %u: status %d", i, status);
			ck_assert_uint_eq(d[0], (uint8_t)(i % 2048 * 2 * 7 + compat));
			ck_assert_uint_eq(d[1], (uint8_t)((i % 2048 * 2 + 1) * 7 + compat));
		}
	}
}
END_TEST

/* XENMEM_decrease_reservation / populate_physmap of @n extents of @order listed at ARG. */
static struct hvsim_call reservation(uint32_t dom, unsigned int op, uint64_t n, unsigned int order)
{
	struct xen_memory_reservation *res = gp(dom, ARG, sizeof(*res));
	struct hvsim_call call = {.nr = __HYPERVISOR_memory_op, .args = {op, ARG}};

	*res =
	    (struct xen_memory_reservation){.extent_start.p = (xen_pfn_t *)(uintptr_t)(ARG + 4096),
	                                    .nr_extents = n,
	                                    .extent_order = order,
	                                    .domid = DOMID_SELF};
	ck_assert_int_eq(hvsim_vcpu_call(sim, dom, &call), 0);
	return call;
}

START_TEST(memory_op_extent_lists_are_continued)
{
	int r = hvsim_domain_new(sim, MEMORY);
	const uint64_t n = 3000, first = 1024; /* 4 MiB .. 15.7 MiB */
	struct shoji_dominfo info;
	struct hvsim_call call;
	xen_pfn_t *list;
	uint32_t dom;

	ck_assert_int_gt(r, 0);
	dom = (uint32_t)r;
	ck_assert_int_eq(hvsim_vcpu_start(sim, dom), 0);
	list = gp(dom, ARG + 4096, n * sizeof(*list));
	for (uint64_t i = 0; i < n; i++)
		list[i] = first + i;

	call = reservation(dom, XENMEM_decrease_reservation, n, 0);
	ck_assert_int_eq(call.result, (long)n);
	ck_assert_uint_ge(call.continuations, n / ITEMS_MAX);
	/* Re-issued as Xen's: the extent to go on from above the sub-op. */
	ck_assert_uint_eq(call.last[0] & 0x3f, XENMEM_decrease_reservation);
	ck_assert_uint_gt(call.last[0] >> 6, 0);
	ck_assert_uint_lt(call.last[0] >> 6, n);
	ck_assert_uint_eq(call.last[1], ARG);
	ck_assert_int_eq(shoji_ctrl_info(ctrl, dom, &info), 0);
	ck_assert_uint_eq(info.cur_kib, (MEMORY >> 10) - n * 4);

	call = reservation(dom, XENMEM_populate_physmap, n, 0);
	ck_assert_int_eq(call.result, (long)n);
	ck_assert_uint_ge(call.continuations, n / ITEMS_MAX);
	ck_assert_int_eq(shoji_ctrl_info(ctrl, dom, &info), 0);
	ck_assert_uint_eq(info.cur_kib, MEMORY >> 10);

	/* A list too long for a continuation to name its extent is refused (Xen's bound). */
	call = reservation(dom, XENMEM_decrease_reservation, (UINT32_MAX >> 6) + 1ull, 0);
	ck_assert_int_eq(call.result, 0);
	ck_assert_uint_eq(call.continuations, 0);
}
END_TEST

/*
 * Items slow enough that ITEMS_MAX of them take longer than the time slice:
 * decrease_reservation of touched 2 MiB extents, each giving 512 pages back
 * to the host.  The slice ends chunks long before the item bound would.
 */
START_TEST(slow_items_are_continued_by_the_time_slice)
{
	const uint64_t n = 96, mem = (n + 8) << 21;
	int r = hvsim_domain_new(sim, mem);
	struct hvsim_call call;
	xen_pfn_t *list;
	uint32_t dom;
	double t;

	ck_assert_int_gt(r, 0);
	dom = (uint32_t)r;
	ck_assert_int_eq(hvsim_vcpu_start(sim, dom), 0);
	list = gp(dom, ARG + 4096, n * sizeof(*list));
	for (uint64_t i = 0; i < n; i++) {
		list[i] = (i + 4) << 9; /* from 8 MiB */
		memset(gp(dom, list[i] << 12, 2u << 20), 0x5a, 2u << 20);
	}
	t = now_ms();
	call = reservation(dom, XENMEM_decrease_reservation, n, 9);
	t = now_ms() - t;
	ck_assert_int_eq(call.result, (long)n);
	fprintf(stderr, "%llu slow items: %.1f ms, %u continuations\n", (unsigned long long)n, t,
	        call.continuations);
	ck_assert_msg(call.continuations >= 1, "%llu items in %.1f ms were never continued",
	              (unsigned long long)n, t);
	ck_assert_uint_eq(*(uint8_t *)gp(dom, 8u << 20, 1), 0); /* given back: reads as zero */
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "sim",
	                             .name = "hcall_preempt",
	                             .setup = setup,
	                             .teardown = teardown,
	                             .timeout = 60};

	return CHECK_MAIN(
	    c, a_huge_flush_yields_to_the_control_plane, a_short_batch_is_one_call_as_before,
	    every_abi_is_continued_by_the_item_bound, a_long_copy_batch_in_each_abi,
	    memory_op_extent_lists_are_continued, slow_items_are_continued_by_the_time_slice);
}
