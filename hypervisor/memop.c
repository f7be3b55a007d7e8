/*
 * memory_op: reservation (balloon), memory map, add_to_physmap (shared_info
 * and grant frames).  What these change in a guest's physmap is physmap.c's.
 */
#include "config.h"

#include <shoji/memory.h>

#include "domain.h"
#include "evtglue.h"
#include "hypercall.h"
#include "loader.h"
#include "physmap.h"
#include "vcpu.h"

#define MEMOP_CMD_MASK     0x3f /* low bits: sub-op; the rest: continuation extent */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_MAX_ORDER    9 /* 2 MiB extents */

/* One extent of a reservation op.  d->lock held; 0 or -XEN_E*. */
static int reserve_one(struct domain *d, unsigned int op, uint64_t gfn, uint64_t n)
{
	if (d->dying || d->is_shutdown || d->crashed)
		return -XEN_EINTR;
	switch (op) {
	case XENMEM_increase_reservation:
		/* Auto-translated guests get no frame numbers back: accounting only. */
		if (d->tot_pages + n > d->max_pages)
			return -XEN_ENOMEM;
		d->tot_pages += n;
		return 0;
	case XENMEM_populate_physmap:
		return physmap_populate(d, gfn, n);
	default:
		return physmap_depopulate(d, gfn, n);
	}
}

/*
 * increase/decrease_reservation and populate_physmap; returns the extents
 * done.  The lock is taken per extent, the loop ends when the domain stops,
 * and a long list is preempted (the extent to go on from is in cmd's high
 * bits, as on Xen), so a huge request delays nobody but its caller.
 */
static long mem_reservation(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg)
{
	struct xen_memory_reservation r;
	struct domain *d = v->d;
	uint64_t i, n;
	int rc;

	rc = copy_arg_from_guest(v, &compat_xen_memory_reservation, &r, arg);
	if (rc == 0)
		rc = hypercall_check_domid(v, r.domid);
	if (rc < 0)
		return rc;
	if (r.extent_order > MEMOP_MAX_ORDER)
		return -XEN_EINVAL;
	/* Xen's limit: the extent to go on from must fit a 32-bit cmd. */
	if (r.nr_extents > (UINT32_MAX >> MEMOP_EXTENT_SHIFT) || start >= r.nr_extents)
		return (long)start;
	n = 1ULL << r.extent_order;

	for (i = start; i < r.nr_extents; i++) {
		uint64_t list = (uint64_t)(uintptr_t)r.extent_start.p + i * guest_pfn_size(v);
		xen_pfn_t gfn = 0; /* a 32-bit caller's 4-byte entry fills its low half */

		if (i > start && hypercall_preempt_check(v)) {
			const uint64_t next[5] = {op | i << MEMOP_EXTENT_SHIFT, arg};

			return hypercall_create_continuation(v, next);
		}

		if (op != XENMEM_increase_reservation &&
		    (copy_from_guest(v, &gfn, list, guest_pfn_size(v)) < 0 || (gfn & (n - 1))))
			break;
		pthread_mutex_lock(&d->lock);
		rc = reserve_one(d, op, gfn, n);
		pthread_mutex_unlock(&d->lock);
		if (rc < 0)
			break;
	}
	return (long)i;
}

/* The highest GFN @d's guest can reach: RAM, shared_info or a grant mapping.  d->lock held. */
static uint64_t top_gfn(const struct domain *d)
{
	uint64_t top = (d->mem.size >> XEN_PAGE_SHIFT) - 1;
	uint32_t i;

	if (d->shared_info && d->shinfo_gfn > top)
		top = d->shinfo_gfn;
	for (i = 0; i < d->gmap_max; i++)
		if (d->gmaps[i].host && d->gmaps[i].gfn > top)
			top = d->gmaps[i].gfn;
	return top;
}

/* current/maximum_reservation and maximum_gpfn: the argument is a domid_t. */
static long mem_query(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg)
{
	struct domain *d = v->d;
	domid_t domid;
	long r;
	int rc = copy_domid_arg(v, &domid, arg, sizeof(domid), &domid);

	if (rc < 0)
		return rc;
	pthread_mutex_lock(&d->lock);
	if (op == XENMEM_current_reservation) {
		r = (long)d->tot_pages;
	} else if (op == XENMEM_maximum_reservation) {
		r = (long)d->max_pages;
	} else {
		r = (long)top_gfn(d);
	}
	pthread_mutex_unlock(&d->lock);
	return r;
}

static long mem_maximum_ram_page(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg)
{
	return (long)(v->d->mem.size >> XEN_PAGE_SHIFT) - 1;
}

/* The caller's E820 map, the one hvm_start_info gives it (as many entries as fit). */
static long mem_memory_map(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg)
{
	struct hvm_memmap_table_entry mm[LOADER_MEMMAP_NR];
	unsigned int i, n = loader_memmap(v->d->mem.size, mm);
	struct e820entry e[LOADER_MEMMAP_NR];
	struct xen_memory_map map;
	int r;

	for (i = 0; i < n; i++)
		e[i] =
		    (struct e820entry){.addr = mm[i].addr, .size = mm[i].size, .type = mm[i].type};
	r = copy_arg_from_guest(v, &compat_xen_memory_map, &map, arg);
	if (r < 0)
		return r;
	if (map.nr_entries > n)
		map.nr_entries = n;
	if (map.nr_entries > 0) {
		r = copy_to_guest(v, (uint64_t)(uintptr_t)map.buffer.p, e,
		                  map.nr_entries * sizeof(e[0]));
		if (r < 0)
			return r;
	}
	return copy_arg_to_guest(v, &compat_xen_memory_map, arg, &map);
}

static long mem_add_to_physmap(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg)
{
	struct xen_add_to_physmap x;
	struct domain *d = v->d;
	long r;

	r = copy_arg_from_guest(v, &compat_xen_add_to_physmap, &x, arg);
	if (r == 0)
		r = hypercall_check_domid(v, x.domid);
	if (r < 0)
		return r;
	if (x.space == XENMAPSPACE_grant_table)
		return evtglue_map_grant_frame(d, (uint32_t)x.idx, x.gpfn);
	if (x.space != XENMAPSPACE_shared_info || x.idx != 0)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	r = physmap_map_shared_info(d, x.gpfn);
	pthread_mutex_unlock(&d->lock);
	if (r == 0)
		evtglue_shared_info_moved(d); /* outside d->lock: it may kick vCPUs */
	return r;
}

typedef long memop_fn(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg);

static memop_fn *const memop_table[MEMOP_CMD_MASK + 1] = {
    [XENMEM_increase_reservation] = mem_reservation,
    [XENMEM_decrease_reservation] = mem_reservation,
    [XENMEM_populate_physmap] = mem_reservation,
    [XENMEM_current_reservation] = mem_query,
    [XENMEM_maximum_reservation] = mem_query,
    [XENMEM_maximum_gpfn] = mem_query,
    [XENMEM_maximum_ram_page] = mem_maximum_ram_page,
    [XENMEM_memory_map] = mem_memory_map,
    [XENMEM_add_to_physmap] = mem_add_to_physmap,
};

long do_memory_op(struct vcpu *v, const uint64_t a[5])
{
	unsigned int op = (unsigned int)(a[0] & MEMOP_CMD_MASK);

	if (!memop_table[op])
		return -XEN_ENOSYS;
	return memop_table[op](v, op, a[0] >> MEMOP_EXTENT_SHIFT, a[1]);
}
