/*
 * Unit tests of hypervisor/gnttab.c: fake domains whose guest memory is a
 * plain host buffer of NPAGES pages (GFN n at base + n * 4096).
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "../../hypervisor/gnttab.h"
#include "check-run.h"

#define MAX_DOMS 8
#define NPAGES   64
#define PAGE     4096

struct fake_dom {
	struct gnttab *gt;
	uint8_t *mem;
	unsigned int released;
};

static struct fake_dom D[MAX_DOMS];
static struct gnttab_world world;

static void *gfn_to_host(void *owner, uint64_t gfn)
{
	struct fake_dom *f = owner;

	return gfn < NPAGES ? f->mem + gfn * PAGE : NULL;
}

static void released(void *owner)
{
	struct fake_dom *f = owner;

	f->released++;
}

static const struct gnttab_mem_ops mem_ops = {.gfn_to_host = gfn_to_host, .release = released};

static struct gnttab *get_table(void *opaque, domid_t domid)
{
	if (domid >= MAX_DOMS || !D[domid].gt)
		return NULL;
	gnttab_get(D[domid].gt);
	return D[domid].gt;
}

static struct fake_dom *mkdom(domid_t id, uint32_t max_frames, uint32_t max_maptrack,
                              bool privileged)
{
	struct fake_dom *f = &D[id];
	struct gnttab_params p = {.domid = id,
	                          .max_frames = max_frames,
	                          .max_maptrack = max_maptrack,
	                          .privileged = privileged,
	                          .mem = &mem_ops,
	                          .owner = f};

	f->mem = aligned_alloc(PAGE, NPAGES * PAGE);
	ck_assert_ptr_nonnull(f->mem);
	memset(f->mem, 0, NPAGES * PAGE);
	f->gt = gnttab_create(&world, &p);
	ck_assert_ptr_nonnull(f->gt);
	return f;
}

static void rmdom(domid_t id)
{
	struct fake_dom *f = &D[id];

	if (f->gt) {
		struct gnttab *gt = f->gt;

		f->gt = NULL;
		gnttab_destroy(gt);
	}
	free(f->mem);
	f->mem = NULL;
}

static void setup(void)
{
	memset(D, 0, sizeof(D));
	world.get_table = get_table;
	world.opaque = NULL;
}

static void teardown(void)
{
	domid_t i;

	for (i = 0; i < MAX_DOMS; i++)
		rmdom(i);
}

/* The guest's view of its grant table frame 0, placed at GFN 1. */
static grant_entry_v1_t *place_table(struct fake_dom *f)
{
	ck_assert_int_eq(gnttab_map_frame(f->gt, 0, 1, f->mem + PAGE), 0);
	return (grant_entry_v1_t *)(f->mem + PAGE);
}

/* Granter side, as a frontend does it: frame and domid first, flags last. */
static void grant(grant_entry_v1_t *e, domid_t to, uint32_t gfn, bool readonly)
{
	e->frame = gfn;
	e->domid = to;
	__atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
	                 __ATOMIC_RELEASE);
}

/* Granter's end access (Linux's v1 protocol): fails while the peer is reading or writing. */
static bool end_access(grant_entry_v1_t *e)
{
	uint16_t flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);

	do {
		if (flags & (GTF_reading | GTF_writing))
			return false;
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false, __ATOMIC_SEQ_CST,
	                                      __ATOMIC_ACQUIRE));
	return true;
}

static int16_t do_copy(struct fake_dom *f, uint16_t flags, uint64_t src, domid_t sdom,
                       uint16_t soff, uint64_t dst, domid_t ddom, uint16_t doff, uint16_t len)
{
	struct gnttab_copy op = {.flags = flags, .len = len};

	if (flags & GNTCOPY_source_gref)
		op.source.u.ref = (grant_ref_t)src;
	else
		op.source.u.gmfn = src;
	if (flags & GNTCOPY_dest_gref)
		op.dest.u.ref = (grant_ref_t)dst;
	else
		op.dest.u.gmfn = dst;
	op.source.domid = sdom;
	op.source.offset = soff;
	op.dest.domid = ddom;
	op.dest.offset = doff;
	gnttab_copy(f->gt, &op);
	return op.status;
}

static int io_from(void *ctx, void *dst, uint64_t gva, size_t len)
{
	if (!gva)
		return -XEN_EFAULT;
	memcpy(dst, (void *)(uintptr_t)gva, len);
	return 0;
}

static int io_to(void *ctx, uint64_t gva, const void *src, size_t len)
{
	if (gva < 4096)
		return -XEN_EFAULT;
	memcpy((void *)(uintptr_t)gva, src, len);
	return 0;
}

/* The map hooks of a fake hypervisor: record, and check the pin is held while mapped. */
struct hv_maps {
	unsigned int mapped, unmapped;
	grant_entry_v1_t *watch; /* entry whose flags must still be set at unmap time */
	bool flags_held_at_unmap;
	int refuse; /* GNTST_* the map hook returns (0: it maps) */
	struct gnttab_mapping last;
	struct gnttab *mapper; /* set: the map hook tries to unmap the handle it is mapping */
	int16_t racing_unmap;
};

static int hv_map(void *ctx, const struct gnttab_mapping *m)
{
	struct hv_maps *h = ctx;

	h->mapped++;
	h->last = *m;
	if (h->mapper) {
		/* Another vCPU of the mapper guesses the handle while the mapping is made. */
		struct gnttab_unmap_grant_ref um = {.host_addr = m->host_addr, .handle = m->handle};

		gnttab_unmap_grant_ref(h->mapper, &um, NULL);
		h->racing_unmap = um.status;
	}
	return h->refuse ? h->refuse : GNTST_okay;
}

static void hv_unmap(void *ctx, const struct gnttab_mapping *m)
{
	struct hv_maps *h = ctx;

	h->unmapped++;
	h->last = *m;
	if (h->watch)
		h->flags_held_at_unmap = h->watch->flags & GTF_reading;
}

#define ARG(x) ((uint64_t)(uintptr_t) & (x))

START_TEST(t_frames)
{
	struct fake_dom *a = mkdom(1, 8, 0, false);
	struct fake_dom *b = mkdom(2, 0, 0, false);
	struct gnttab_guest_io io = {.copy_from = io_from, .copy_to = io_to};
	struct gnttab_query_size qs = {.dom = DOMID_SELF};
	struct gnttab_setup_table st = {.dom = DOMID_SELF, .nr_frames = 4};
	xen_pfn_t list[8];
	grant_entry_v1_t *t;

	gnttab_query_size(a->gt, &qs);
	ck_assert_int_eq(qs.status, GNTST_okay);
	ck_assert_uint_eq(qs.nr_frames, 1);
	ck_assert_uint_eq(qs.max_nr_frames, 8);
	qs.dom = 2;
	gnttab_query_size(b->gt, &qs);
	ck_assert_uint_eq(qs.max_nr_frames, GNTTAB_DEFAULT_MAX_FRAMES);
	gnttab_query_size(a->gt, &qs);
	ck_assert_int_eq(qs.status, GNTST_permission_denied);
	qs.dom = 7;
	gnttab_query_size(a->gt, &qs);
	ck_assert_int_eq(qs.status, GNTST_bad_domain);

	/* Entries written before the frame is placed move with it. */
	ck_assert_int_eq(gnttab_map_frame(a->gt, 8, 5, a->mem + 5 * PAGE), -XEN_EINVAL);
	ck_assert_int_eq(gnttab_map_frame(a->gt, 3, 13, a->mem + 13 * PAGE), 0);
	qs.dom = DOMID_SELF;
	gnttab_query_size(a->gt, &qs);
	ck_assert_uint_eq(qs.nr_frames, 4);
	t = place_table(a);
	grant(&t[7], 2, 20, false);
	ck_assert_int_eq(gnttab_map_frame(a->gt, 0, 2, a->mem + 2 * PAGE), 0);
	t = (grant_entry_v1_t *)(a->mem + 2 * PAGE);
	ck_assert_uint_eq(t[7].frame, 20);
	ck_assert_uint_eq(t[7].domid, 2);

	/* setup_table reports where each frame lives (unplaced: invalid GFN). */
	memset(list, 0xab, sizeof(list));
	set_xen_guest_handle(st.frame_list, list);
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_setup_table, ARG(st), 1, &io), 0);
	ck_assert_int_eq(st.status, GNTST_okay);
	ck_assert_uint_eq(list[0], 2);
	ck_assert_uint_eq(list[1], (xen_pfn_t)GNTTAB_INVALID_GFN);
	ck_assert_uint_eq(list[2], (xen_pfn_t)GNTTAB_INVALID_GFN);
	ck_assert_uint_eq(list[3], 13);
	st.nr_frames = 9;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_setup_table, ARG(st), 1, &io), 0);
	ck_assert_int_eq(st.status, GNTST_general_error);
	st.nr_frames = 6;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_setup_table, ARG(st), 1, &io), 0);
	ck_assert_int_eq(st.status, GNTST_okay);
	gnttab_query_size(a->gt, &qs);
	ck_assert_uint_eq(qs.nr_frames, 6);
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_setup_table, ARG(st), 2, &io),
	                 -XEN_EINVAL);
	set_xen_guest_handle(st.frame_list, (xen_pfn_t *)8);
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_setup_table, ARG(st), 1, &io), 0);
	ck_assert_int_eq(st.status, GNTST_bad_virt_addr);
	st.dom = 2;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_setup_table, ARG(st), 1, &io), 0);
	ck_assert_int_eq(st.status, GNTST_permission_denied);
	st.dom = 6;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_setup_table, ARG(st), 1, &io), 0);
	ck_assert_int_eq(st.status, GNTST_bad_domain);
}
END_TEST

START_TEST(t_copy)
{
	struct fake_dom *a = mkdom(1, 0, 0, false);
	struct fake_dom *b = mkdom(2, 0, 0, false);
	grant_entry_v1_t *t = place_table(a);
	unsigned int i;

	for (i = 0; i < PAGE; i++)
		a->mem[20 * PAGE + i] = (uint8_t)(i * 7 + 1);
	grant(&t[5], 2, 20, true);          /* read-only for B */
	grant(&t[6], 2, 21, false);         /* writable for B */
	grant(&t[7], 3, 22, false);         /* for another domain */
	grant(&t[8], 2, NPAGES + 5, false); /* a frame that is not RAM */

	/* B copies A's read-only grant into its own page: data arrives, flags return. */
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 5, 1, 0, 30, DOMID_SELF, 0, PAGE),
	                 GNTST_okay);
	ck_assert_mem_eq(b->mem + 30 * PAGE, a->mem + 20 * PAGE, PAGE);
	ck_assert_uint_eq(t[5].flags, GTF_permit_access | GTF_readonly);
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 5, 1, 100, 31, DOMID_SELF, 4000, 96),
	                 GNTST_okay);
	ck_assert_mem_eq(b->mem + 31 * PAGE + 4000, a->mem + 20 * PAGE + 100, 96);

	/* Writing through a read-only grant is refused; a writable one works. */
	memset(b->mem + 32 * PAGE, 0x5a, PAGE);
	ck_assert_int_eq(do_copy(b, GNTCOPY_dest_gref, 32, DOMID_SELF, 0, 5, 1, 0, 16),
	                 GNTST_general_error);
	ck_assert_uint_eq(t[5].flags, GTF_permit_access | GTF_readonly);
	ck_assert_int_eq(do_copy(b, GNTCOPY_dest_gref, 32, DOMID_SELF, 8, 6, 1, 16, 64),
	                 GNTST_okay);
	ck_assert_uint_eq(a->mem[21 * PAGE + 15], 0);
	ck_assert_uint_eq(a->mem[21 * PAGE + 16], 0x5a);
	ck_assert_uint_eq(a->mem[21 * PAGE + 79], 0x5a);
	ck_assert_uint_eq(a->mem[21 * PAGE + 80], 0);
	ck_assert_uint_eq(t[6].flags, GTF_permit_access);
	/* Grant to grant. */
	ck_assert_int_eq(
	    do_copy(b, GNTCOPY_source_gref | GNTCOPY_dest_gref, 5, 1, 0, 6, 1, 0, PAGE),
	    GNTST_okay);
	ck_assert_mem_eq(a->mem + 21 * PAGE, a->mem + 20 * PAGE, PAGE);

	/* Every validation. */
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 5, 1, 4000, 30, DOMID_SELF, 0, 97),
	                 GNTST_bad_copy_arg);
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 5, 1, 0, 30, DOMID_SELF, 4095, 2),
	                 GNTST_bad_copy_arg);
	ck_assert_uint_eq(t[5].flags, GTF_permit_access | GTF_readonly);
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 512, 1, 0, 30, DOMID_SELF, 0, 8),
	                 GNTST_bad_gntref);
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 0xffffffffu, 1, 0, 30, DOMID_SELF, 0, 8),
	                 GNTST_bad_gntref);
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 7, 1, 0, 30, DOMID_SELF, 0, 8),
	                 GNTST_general_error); /* granted to domain 3 */
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 9, 1, 0, 30, DOMID_SELF, 0, 8),
	                 GNTST_general_error); /* GTF_invalid */
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 8, 1, 0, 30, DOMID_SELF, 0, 8),
	                 GNTST_bad_page);
	ck_assert_uint_eq(t[8].flags, GTF_permit_access); /* flags undone */
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 5, 6, 0, 30, DOMID_SELF, 0, 8),
	                 GNTST_bad_domain);
	ck_assert_int_eq(do_copy(b, 0, 20, 1, 0, 30, DOMID_SELF, 0, 8), GNTST_permission_denied);
	ck_assert_int_eq(do_copy(b, 0, NPAGES, DOMID_SELF, 0, 30, DOMID_SELF, 0, 8),
	                 GNTST_bad_page);
	ck_assert_int_eq(do_copy(b, 0, 30, DOMID_SELF, 0, 31, DOMID_SELF, 0, 8), GNTST_okay);
	ck_assert_int_eq(do_copy(b, GNTCOPY_source_gref, 5, 1, 0, 30, 1, 0, 8),
	                 GNTST_permission_denied); /* frame of another domain */

	/* A batch through the hypercall: one status per op. */
	{
		struct gnttab_guest_io io = {.copy_from = io_from, .copy_to = io_to};
		struct gnttab_copy ops[3];

		memset(ops, 0, sizeof(ops));
		for (i = 0; i < 3; i++) {
			ops[i].flags = GNTCOPY_source_gref;
			ops[i].source.u.ref = 5;
			ops[i].source.domid = 1;
			ops[i].dest.u.gmfn = 33;
			ops[i].dest.domid = DOMID_SELF;
			ops[i].len = 64;
			ops[i].status = 99;
		}
		ops[1].source.u.ref = 4096;
		ops[2].dest.offset = 4090;
		ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_copy, ARG(ops), 3, &io), 0);
		ck_assert_int_eq(ops[0].status, GNTST_okay);
		ck_assert_int_eq(ops[1].status, GNTST_bad_gntref);
		ck_assert_int_eq(ops[2].status, GNTST_bad_copy_arg);
		ck_assert_mem_eq(b->mem + 33 * PAGE, a->mem + 20 * PAGE, 64);
		ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_copy, 0, 1, &io), -XEN_EFAULT);
		ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_copy, ARG(ops), 0, &io), 0);
	}
}
END_TEST

START_TEST(t_map)
{
	struct fake_dom *a = mkdom(1, 0, 0, false);
	struct fake_dom *b = mkdom(2, 0, 2, false);
	struct fake_dom *c = mkdom(3, 0, 0, false);
	grant_entry_v1_t *t = place_table(a);
	struct gnttab_map_grant_ref mp = {
	    .host_addr = 0x40000, .flags = GNTMAP_host_map, .ref = 5, .dom = 1};
	struct gnttab_unmap_grant_ref um;
	struct gnttab_mapping m;
	grant_handle_t h1, h2;

	grant(&t[5], 2, 20, false);
	grant(&t[6], 2, 21, true);

	gnttab_map_grant_ref(b->gt, &mp, &m);
	ck_assert_int_eq(mp.status, GNTST_okay);
	h1 = mp.handle;
	ck_assert_uint_eq(m.gfn, 20);
	ck_assert_ptr_eq(m.page, a->mem + 20 * PAGE);
	ck_assert_uint_eq(mp.dev_bus_addr, 20u << 12);
	ck_assert(!m.readonly);
	ck_assert_ptr_eq(m.owner, a); /* the granter's, for the caller's mapping */
	ck_assert_uint_eq(t[5].flags, GTF_permit_access | GTF_reading | GTF_writing);
	/* The granter cannot end access while the grant is mapped. */
	ck_assert(!end_access(&t[5]));
	/* Another domain cannot pin it meanwhile. */
	mp.handle = 0;
	gnttab_map_grant_ref(c->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_general_error);

	/* A second (read-only) mapping, then the maptrack limit (2). */
	mp.flags = GNTMAP_host_map | GNTMAP_readonly;
	mp.host_addr = 0x41000;
	gnttab_map_grant_ref(b->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_okay);
	h2 = mp.handle;
	ck_assert_uint_ne(h1, h2);
	mp.ref = 6;
	gnttab_map_grant_ref(b->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_no_space);

	/* Unmap checks: unknown handle, wrong address; zero address unmaps nothing. */
	um = (struct gnttab_unmap_grant_ref){.host_addr = 0x40000, .handle = 7};
	gnttab_unmap_grant_ref(b->gt, &um, NULL);
	ck_assert_int_eq(um.status, GNTST_bad_handle);
	um = (struct gnttab_unmap_grant_ref){.host_addr = 0x99000, .handle = h1};
	gnttab_unmap_grant_ref(b->gt, &um, NULL);
	ck_assert_int_eq(um.status, GNTST_general_error);
	um = (struct gnttab_unmap_grant_ref){.host_addr = 0x41000, .handle = h1};
	gnttab_unmap_grant_ref(b->gt, &um, NULL);
	ck_assert_int_eq(um.status, GNTST_general_error); /* h2's page, not h1's */
	/* dev_bus_addr only matters for device mappings (Xen): ignored here. */
	um = (struct gnttab_unmap_grant_ref){.host_addr = 0, .dev_bus_addr = 0x1000, .handle = h1};
	gnttab_unmap_grant_ref(b->gt, &um, NULL);
	ck_assert_int_eq(um.status, GNTST_okay);
	ck_assert(!end_access(&t[5]));

	/*
	 * Any address in the mapping's page names it (Xen looks at the frame).
	 * Dropping the writable mapping clears GTF_writing; the reader keeps
	 * GTF_reading.
	 */
	um = (struct gnttab_unmap_grant_ref){
	    .host_addr = 0x40abc, .dev_bus_addr = 0x1000, .handle = h1};
	gnttab_unmap_grant_ref(b->gt, &um, &m);
	ck_assert_int_eq(um.status, GNTST_okay);
	ck_assert_uint_eq(m.host_addr, 0x40000);
	ck_assert_uint_eq(t[5].flags, GTF_permit_access | GTF_reading);
	ck_assert(!end_access(&t[5]));
	gnttab_unmap_grant_ref(b->gt, &um, NULL);
	ck_assert_int_eq(um.status, GNTST_bad_handle);
	um = (struct gnttab_unmap_grant_ref){.host_addr = 0x41000, .handle = h2};
	gnttab_unmap_grant_ref(b->gt, &um, NULL);
	ck_assert_int_eq(um.status, GNTST_okay);
	ck_assert_uint_eq(t[5].flags, GTF_permit_access);
	/* ... and now the granter's end access succeeds. */
	ck_assert(end_access(&t[5]));
	ck_assert_uint_eq(t[5].flags, 0);
	mp = (struct gnttab_map_grant_ref){
	    .host_addr = 0x40000, .flags = GNTMAP_host_map, .ref = 5, .dom = 1};
	gnttab_map_grant_ref(b->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_general_error); /* access ended */

	/* Read-only grants map read-only only; bad flags and domains. */
	mp.ref = 6;
	gnttab_map_grant_ref(b->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_general_error);
	ck_assert_uint_eq(t[6].flags, GTF_permit_access | GTF_readonly);
	mp.flags = GNTMAP_host_map | GNTMAP_readonly;
	gnttab_map_grant_ref(b->gt, &mp, &m);
	ck_assert_int_eq(mp.status, GNTST_okay);
	ck_assert(m.readonly);
	ck_assert_uint_eq(t[6].flags, GTF_permit_access | GTF_readonly | GTF_reading);
	mp.flags = 0;
	gnttab_map_grant_ref(b->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_bad_gntref);
	mp.flags = GNTMAP_host_map | GNTMAP_device_map;
	gnttab_map_grant_ref(b->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_general_error);
	mp.flags = GNTMAP_host_map;
	mp.dom = DOMID_SELF;
	gnttab_map_grant_ref(b->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_bad_domain);
	mp.dom = 1;
	mp.ref = 512;
	gnttab_map_grant_ref(c->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_bad_gntref);

	/* Destroying the mapper releases what it still has mapped. */
	rmdom(2);
	ck_assert_uint_eq(t[6].flags, GTF_permit_access | GTF_readonly);
	ck_assert_uint_eq(D[2].released, 1);
}
END_TEST

START_TEST(t_map_hypercall)
{
	struct fake_dom *a = mkdom(1, 0, 0, false);
	struct fake_dom *b = mkdom(2, 0, 0, false);
	grant_entry_v1_t *t = place_table(a);
	struct hv_maps hv = {0};
	struct gnttab_guest_io io = {.ctx = &hv, .copy_from = io_from, .copy_to = io_to};
	struct gnttab_map_grant_ref mp = {
	    .host_addr = 0x40000, .flags = GNTMAP_host_map, .ref = 5, .dom = 1};
	struct gnttab_unmap_grant_ref um;

	grant(&t[5], 2, 20, false);
	/* No one to create the mapping: refused, nothing left pinned. */
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_map_grant_ref, ARG(mp), 1, &io), 0);
	ck_assert_int_eq(mp.status, GNTST_general_error);
	ck_assert_uint_eq(t[5].flags, GTF_permit_access);

	io.map_grant = hv_map;
	io.unmap_grant = hv_unmap;
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_map_grant_ref, ARG(mp), 1, &io), 0);
	ck_assert_int_eq(mp.status, GNTST_okay);
	ck_assert_uint_eq(hv.mapped, 1);
	um = (struct gnttab_unmap_grant_ref){
	    .host_addr = 0x40000, .handle = mp.handle, .status = 99};
	hv.watch = &t[5];
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_unmap_grant_ref, ARG(um), 1, &io), 0);
	ck_assert_int_eq(um.status, GNTST_okay);
	ck_assert_uint_eq(hv.unmapped, 1);
	ck_assert(hv.flags_held_at_unmap); /* the pin outlived the mapping */
	ck_assert_uint_eq(t[5].flags, GTF_permit_access);
	/* The hook saw the granter's owner, the handle and the mapper's address. */
	ck_assert_ptr_eq(hv.last.owner, a);
	ck_assert_uint_eq(hv.last.handle, mp.handle);
	ck_assert_uint_eq(hv.last.host_addr, 0x40000);
	ck_assert_uint_eq(hv.last.gfn, 20);
}
END_TEST

/* The mapper's hook refuses (a bad host address): nothing stays pinned or allocated. */
START_TEST(t_map_hook_refuses)
{
	struct fake_dom *a = mkdom(1, 0, 0, false);
	struct fake_dom *b = mkdom(2, 0, 1, false);
	grant_entry_v1_t *t = place_table(a);
	struct hv_maps hv = {.refuse = GNTST_general_error};
	struct gnttab_guest_io io = {.ctx = &hv,
	                             .copy_from = io_from,
	                             .copy_to = io_to,
	                             .map_grant = hv_map,
	                             .unmap_grant = hv_unmap};
	struct gnttab_map_grant_ref mp = {
	    .host_addr = 0x2000, .flags = GNTMAP_host_map, .ref = 5, .dom = 1};
	struct gnttab_unmap_grant_ref um = {.host_addr = 0x2000, .handle = 0};

	grant(&t[5], 2, 20, false);
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_map_grant_ref, ARG(mp), 1, &io), 0);
	ck_assert_int_eq(mp.status, GNTST_general_error);
	ck_assert_uint_eq(hv.mapped, 1);
	ck_assert_uint_eq(hv.unmapped, 0); /* the hook cleans up after itself */
	ck_assert_uint_eq(t[5].flags, GTF_permit_access);
	/* Its handle is free: unmapping it fails, and the one-handle table maps again. */
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_unmap_grant_ref, ARG(um), 1, &io), 0);
	ck_assert_int_eq(um.status, GNTST_bad_handle);
	hv.refuse = 0;
	hv.mapper = b->gt;
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_map_grant_ref, ARG(mp), 1, &io), 0);
	ck_assert_int_eq(mp.status, GNTST_okay);
	ck_assert_uint_eq(t[5].flags, GTF_permit_access | GTF_reading | GTF_writing);
	/* The handle could not be unmapped (and the pin dropped) before it was mapped. */
	ck_assert_int_eq(hv.racing_unmap, GNTST_bad_handle);
	hv.mapper = NULL;
	/* The handle limit: GNTST_no_space, and the hook is not even asked. */
	mp.host_addr = 0x3000;
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_map_grant_ref, ARG(mp), 1, &io), 0);
	ck_assert_int_eq(mp.status, GNTST_no_space);
	ck_assert_uint_eq(hv.mapped, 2);
	/* An address in the mapping's page unmaps it; a second unmap is a bad handle. */
	um = (struct gnttab_unmap_grant_ref){.host_addr = 0x2ff8, .handle = 0};
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_unmap_grant_ref, ARG(um), 1, &io), 0);
	ck_assert_int_eq(um.status, GNTST_okay);
	ck_assert_uint_eq(hv.unmapped, 1);
	ck_assert_uint_eq(t[5].flags, GTF_permit_access);
	ck_assert_int_eq(gnttab_hypercall(b->gt, GNTTABOP_unmap_grant_ref, ARG(um), 1, &io), 0);
	ck_assert_int_eq(um.status, GNTST_bad_handle);
	ck_assert_uint_eq(hv.unmapped, 1);
}
END_TEST

START_TEST(t_misc_ops)
{
	struct fake_dom *a = mkdom(1, 0, 0, false);
	struct fake_dom *d0 = mkdom(0, 0, 0, true);
	struct gnttab_guest_io io = {.copy_from = io_from, .copy_to = io_to};
	struct gnttab_set_version sv = {.version = 1};
	struct gnttab_get_version gv = {.dom = DOMID_SELF};
	struct gnttab_cache_flush cf = {0};
	struct gnttab_query_size qs = {.dom = 1};

	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_set_version, ARG(sv), 1, &io), 0);
	ck_assert_uint_eq(sv.version, 1);
	sv.version = 2;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_set_version, ARG(sv), 1, &io),
	                 -XEN_ENOSYS);
	ck_assert_uint_eq(sv.version, 1); /* the version in force is reported back */
	sv.version = 3;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_set_version, ARG(sv), 1, &io),
	                 -XEN_EINVAL);
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_set_version, ARG(sv), 2, &io),
	                 -XEN_EINVAL);
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_get_version, ARG(gv), 1, &io), 0);
	ck_assert_uint_eq(gv.version, 1);
	gv.dom = 5;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_get_version, ARG(gv), 1, &io),
	                 -XEN_ESRCH);
	gv.dom = 0;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_get_version, ARG(gv), 1, &io),
	                 -XEN_EPERM);
	gv.dom = 1;
	ck_assert_int_eq(gnttab_hypercall(d0->gt, GNTTABOP_get_version, ARG(gv), 1, &io), 0);
	gnttab_query_size(d0->gt, &qs);
	ck_assert_int_eq(qs.status, GNTST_okay); /* privileged */

	cf.offset = 4096;
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_cache_flush, ARG(cf), 1, &io),
	                 -XEN_EINVAL);
	cf = (struct gnttab_cache_flush){.offset = 4000, .length = 97, .op = GNTTAB_CACHE_CLEAN};
	ck_assert_int_eq(gnttab_cache_flush(a->gt, &cf), -XEN_EINVAL);
	cf = (struct gnttab_cache_flush){.offset = 0, .length = 64, .op = 1u << 5};
	ck_assert_int_eq(gnttab_cache_flush(a->gt, &cf), -XEN_EINVAL);
	cf = (struct gnttab_cache_flush){
	    .offset = 0, .length = 64, .op = GNTTAB_CACHE_CLEAN | GNTTAB_CACHE_SOURCE_GREF};
	ck_assert_int_eq(gnttab_cache_flush(a->gt, &cf), -XEN_EOPNOTSUPP);
	cf = (struct gnttab_cache_flush){.offset = 0, .length = 0, .op = GNTTAB_CACHE_CLEAN};
	ck_assert_int_eq(gnttab_cache_flush(a->gt, &cf), 0);
	cf = (struct gnttab_cache_flush){.offset = 8, .length = 64, .op = GNTTAB_CACHE_INVAL};
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_cache_flush, ARG(cf), 1, &io), 0);
	ck_assert_int_eq(
	    gnttab_hypercall(a->gt, GNTTABOP_cache_flush | (1u << 12), ARG(cf), 1, &io), 0);

	/* Version 1 has no status frames. */
	{
		struct gnttab_get_status_frames sf = {.nr_frames = 1, .dom = DOMID_SELF};

		ck_assert_int_eq(
		    gnttab_hypercall(a->gt, GNTTABOP_get_status_frames, ARG(sf), 1, &io), 0);
		ck_assert_int_eq(sf.status, GNTST_general_error);
		sf.nr_frames = 0;
		ck_assert_int_eq(
		    gnttab_hypercall(a->gt, GNTTABOP_get_status_frames, ARG(sf), 1, &io), 0);
		ck_assert_int_eq(sf.status, GNTST_okay);
		sf.dom = 0;
		ck_assert_int_eq(
		    gnttab_hypercall(a->gt, GNTTABOP_get_status_frames, ARG(sf), 1, &io), 0);
		ck_assert_int_eq(sf.status, GNTST_permission_denied);
	}

	/* Dispatcher: unknown or unimplemented commands, bad counts, continuation bits. */
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_transfer, ARG(cf), 1, &io), -XEN_ENOSYS);
	ck_assert_int_eq(gnttab_hypercall(a->gt, 13, ARG(cf), 1, &io), -XEN_ENOSYS);
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_copy | (1u << 12), ARG(cf), 1, &io),
	                 -XEN_EINVAL);
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_copy, ARG(cf), 0x80000000u, &io),
	                 -XEN_EINVAL);
	ck_assert_int_eq(gnttab_hypercall(a->gt, GNTTABOP_query_size, 0, 1, &io), -XEN_EFAULT);
}
END_TEST

START_TEST(t_granter_destroyed)
{
	struct fake_dom *a = mkdom(1, 0, 0, false);
	struct fake_dom *b = mkdom(2, 0, 0, false);
	grant_entry_v1_t *t = place_table(a);
	struct gnttab_map_grant_ref mp = {
	    .host_addr = 0x40000, .flags = GNTMAP_host_map, .ref = 5, .dom = 1};
	struct gnttab_unmap_grant_ref um;
	struct gnttab *agt = a->gt;

	grant(&t[5], 2, 20, false);
	gnttab_map_grant_ref(b->gt, &mp, NULL);
	ck_assert_int_eq(mp.status, GNTST_okay);
	/* The granter goes away: its table lives on while B holds the mapping. */
	a->gt = NULL;
	gnttab_destroy(agt);
	ck_assert_uint_eq(a->released, 0);
	um = (struct gnttab_unmap_grant_ref){.host_addr = 0x40000, .handle = mp.handle};
	gnttab_unmap_grant_ref(b->gt, &um, NULL);
	ck_assert_int_eq(um.status, GNTST_okay);
	ck_assert_uint_eq(a->released, 1);
}
END_TEST

/*
 * Race: B maps and unmaps A's grant in a loop while A keeps ending access
 * and granting again.  End access may succeed only while B holds no
 * mapping, and B's map must fail while access is ended.
 */
#define RACE_ROUNDS 20000

struct race {
	struct fake_dom *a, *b;
	grant_entry_v1_t *e;
	unsigned int live;  /* B has the grant mapped */
	unsigned int ended; /* A has ended access and not granted again */
	unsigned int attempts, done, maps, ends, errors;
};

static void *race_mapper(void *arg)
{
	struct race *r = arg;
	struct gnttab_map_grant_ref mp;
	struct gnttab_unmap_grant_ref um;
	unsigned int i;

	for (i = 0; i < RACE_ROUNDS; i++) {
		mp = (struct gnttab_map_grant_ref){
		    .host_addr = 0x40000, .flags = GNTMAP_host_map, .ref = 5, .dom = 1};
		__atomic_fetch_add(&r->attempts, 1, __ATOMIC_SEQ_CST);
		gnttab_map_grant_ref(r->b->gt, &mp, NULL);
		if (mp.status != GNTST_okay) {
			sched_yield();
			continue;
		}
		__atomic_store_n(&r->live, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&r->ended, __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
		r->maps++;
		sched_yield(); /* let the granter try to end access now */
		__atomic_store_n(&r->live, 0, __ATOMIC_SEQ_CST);
		um = (struct gnttab_unmap_grant_ref){.host_addr = 0x40000, .handle = mp.handle};
		gnttab_unmap_grant_ref(r->b->gt, &um, NULL);
		if (um.status != GNTST_okay)
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
	}
	__atomic_store_n(&r->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

static void *race_granter(void *arg)
{
	struct race *r = arg;

	while (!__atomic_load_n(&r->done, __ATOMIC_SEQ_CST)) {
		unsigned int seen = __atomic_load_n(&r->attempts, __ATOMIC_SEQ_CST);

		if (!end_access(r->e))
			continue;
		__atomic_store_n(&r->ended, 1, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&r->live, __ATOMIC_SEQ_CST))
			__atomic_fetch_add(&r->errors, 1, __ATOMIC_RELAXED);
		r->ends++;
		__atomic_store_n(&r->ended, 0, __ATOMIC_SEQ_CST);
		grant(r->e, 2, 20, false);
		/* Leave the grant up until the mapper has had a go at it. */
		while (__atomic_load_n(&r->attempts, __ATOMIC_SEQ_CST) == seen &&
		       !__atomic_load_n(&r->done, __ATOMIC_SEQ_CST))
			sched_yield();
	}
	return NULL;
}

START_TEST(t_end_access_race)
{
	struct race r = {0};
	pthread_t tm, tg;

	r.a = mkdom(1, 0, 0, false);
	r.b = mkdom(2, 0, 0, false);
	r.e = &place_table(r.a)[5];
	grant(r.e, 2, 20, false);
	ck_assert_int_eq(pthread_create(&tg, NULL, race_granter, &r), 0);
	ck_assert_int_eq(pthread_create(&tm, NULL, race_mapper, &r), 0);
	pthread_join(tm, NULL);
	pthread_join(tg, NULL);
	ck_assert_uint_eq(r.errors, 0);
	ck_assert_uint_gt(r.maps, 0);
	ck_assert_uint_gt(r.ends, 0);
	/* Nothing left pinned. */
	ck_assert_uint_eq(r.e->flags & (GTF_reading | GTF_writing), 0);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "gnttab", .name = "core", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, t_frames, t_copy, t_map, t_map_hypercall, t_map_hook_refuses,
	                  t_misc_ops, t_granter_destroyed, t_end_access_race);
}
