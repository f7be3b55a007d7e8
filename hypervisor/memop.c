/*
 * memory_op: reservation (balloon), memory map, add_to_physmap(shared_info);
 * and the other pages placed in a guest's physmap above RAM: grant mappings.
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include <shoji/grant_table.h>
#include <shoji/memory.h>

#include "domain.h"
#include "evtglue.h"
#include "hvtime.h"
#include "hypercall.h"
#include "loader.h"
#include "kvm.h"
#include "vcpu.h"

#define MEMOP_CMD_MASK     0x3f /* low bits: sub-op; the rest: continuation extent */
#define MEMOP_EXTENT_SHIFT 6
#define MEMOP_MAX_ORDER    9 /* 2 MiB extents */

/* Above-RAM GFNs shared_info and grant mappings may use: below the MMIO hole, or 4 GiB .. 64 GiB. */
#define SHINFO_HOLE_START 0xfe000000ULL
#define SHINFO_HIGH_START 0x100000000ULL
#define SHINFO_HIGH_END   0x1000000000ULL

static bool page_populated(const struct domain *d, uint64_t pfn)
{
	return d->populated[pfn / 8] & (1u << (pfn % 8));
}

static bool range_in_ram(const struct domain *d, uint64_t gfn, uint64_t n)
{
	uint64_t pages = d->mem.size >> XEN_PAGE_SHIFT;

	return gfn < pages && n <= pages - gfn;
}

int domain_populate(struct domain *d, uint64_t gfn, uint64_t n)
{
	uint64_t i, add = 0;

	if (!range_in_ram(d, gfn, n))
		return -XEN_EINVAL;
	for (i = 0; i < n; i++)
		if (!page_populated(d, gfn + i))
			add++;
	if (d->tot_pages + add > d->max_pages)
		return -XEN_ENOMEM;
	for (i = 0; i < n; i++)
		d->populated[(gfn + i) / 8] |= (uint8_t)(1u << ((gfn + i) % 8));
	d->tot_pages += add;
	return 0;
}

int domain_depopulate(struct domain *d, uint64_t gfn, uint64_t n)
{
	uint64_t i;

	if (!range_in_ram(d, gfn, n))
		return -XEN_EINVAL;
	for (i = 0; i < n; i++)
		if (!page_populated(d, gfn + i))
			return -XEN_ENOENT;
	/* Give the memory back to the host; the range reads as zeroes afterwards. */
	if (d->vm.memfd < 0 ||
	    fallocate(d->vm.memfd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
	              (off_t)(gfn << XEN_PAGE_SHIFT), (off_t)(n << XEN_PAGE_SHIFT)) < 0)
		memset(d->mem.base + (gfn << XEN_PAGE_SHIFT), 0, n << XEN_PAGE_SHIFT);
	for (i = 0; i < n; i++)
		d->populated[(gfn + i) / 8] &= (uint8_t) ~(1u << ((gfn + i) % 8));
	d->tot_pages -= n;
	return 0;
}

/* Is @gfn a place above RAM where an extra page may live? */
static bool gfn_above_ram_ok(const struct domain *d, uint64_t gfn)
{
	uint64_t gpa = gfn << XEN_PAGE_SHIFT;

	if (gfn >= (SHINFO_HIGH_END >> XEN_PAGE_SHIFT))
		return false;
	return (gpa >= d->mem.size && gpa < SHINFO_HOLE_START) ||
	       (gpa >= SHINFO_HIGH_START && gpa < SHINFO_HIGH_END);
}

/* The grant mapping of @d at @gfn, or NULL.  d->lock held. */
static const struct domain_grant_map *grant_map_at(const struct domain *d, uint64_t gfn)
{
	uint32_t i;

	for (i = 0; i < d->gmap_max; i++)
		if (d->gmaps[i].host && d->gmaps[i].gfn == gfn)
			return &d->gmaps[i];
	return NULL;
}

int domain_map_shared_info(struct domain *d, uint64_t gfn)
{
	uint8_t content[XEN_PAGE_SIZE];
	bool inside = range_in_ram(d, gfn, 1);
	uint32_t old_slot = d->shinfo_slot, new_slot = 0;
	uint8_t *old = (uint8_t *)d->shared_info;
	uint8_t *host;
	unsigned int i;

	if (!inside && (!gfn_above_ram_ok(d, gfn) || grant_map_at(d, gfn)))
		return -XEN_EINVAL;
	if (old && gfn == d->shinfo_gfn)
		return 0;
	if (old)
		memcpy(content, old, sizeof(content));
	else
		memset(content, 0, sizeof(content));

	if (inside) {
		host = d->mem.base + (gfn << XEN_PAGE_SHIFT);
	} else {
		/* Map the extra page at the new GFN first (two slots alternate). */
		new_slot = old_slot == 1 ? 2 : 1;
		if (old_slot)
			memcpy(content, d->shinfo_extra, sizeof(content));
		if (kvm_vm_set_slot(&d->vm, new_slot, 0, gfn << XEN_PAGE_SHIFT, XEN_PAGE_SIZE,
		                    d->shinfo_extra) < 0)
			return -XEN_ENOMEM;
		host = d->shinfo_extra;
	}

	/* Retire the old location: RAM gets its own content back. */
	if (old && !old_slot)
		memcpy(old, d->shinfo_saved, XEN_PAGE_SIZE);
	if (old_slot)
		kvm_vm_set_slot(&d->vm, old_slot, 0, 0, 0, NULL);

	if (inside)
		memcpy(d->shinfo_saved, host, XEN_PAGE_SIZE);
	memcpy(host, content, sizeof(content));
	d->shared_info = (struct shared_info *)host;
	d->shinfo_gfn = gfn;
	d->shinfo_slot = new_slot;

	time_update_wallclock(d);
	for (i = 0; i < d->nr_vcpus; i++)
		time_update_vcpu(d->vcpus[i]);
	return 0;
}

/*
 * Grant mappings.  The granter's page is mapped from its RAM memfd (so it
 * stays valid here even after the granter is gone) and given to KVM as a
 * one-page memslot; KVM memslots cannot overlap, so the page must go above
 * RAM, where Linux's unpopulated-alloc puts it too.  A guest write to a
 * read-only mapping is an MMIO exit (KVM_MEM_READONLY); the write is
 * dropped and the writer gets #GP(0), as Xen does (vcpu.c).  A KVM without
 * read-only memslots gets no read-only mappings at all.
 *
 * d->lock guards the table but is not held across mmap and the memslot
 * ioctl (which can wait for KVM's SRCU): an entry being made holds
 * &gmap_pending, so its address counts as taken meanwhile.  The grant core
 * keeps a handle busy while it is being mapped or unmapped, so no two
 * calls ever work on the same entry.
 */
static char gmap_pending;

int domain_map_grant(struct domain *d, uint32_t handle, uint64_t gpa, int fd, uint64_t gfn,
                     bool readonly)
{
	uint64_t at = gpa >> XEN_PAGE_SHIFT;
	void *host = MAP_FAILED;
	uint32_t flags = readonly ? KVM_MEM_READONLY : 0;
	int rc = GNTST_general_error;

	/* Without read-only slots a guest write would fault inside KVM_RUN: refuse the map. */
	if (readonly && !d->gmap_ro_slots)
		return rc;

	/* Claim the address under the lock; the slow part (mmap, memslot) runs without it. */
	pthread_mutex_lock(&d->lock);
	if (handle < d->gmap_max && !d->gmaps[handle].host && !d->dying && fd >= 0 &&
	    gfn_above_ram_ok(d, at) && !(d->shinfo_slot && d->shinfo_gfn == at) &&
	    !grant_map_at(d, at)) {
		d->gmaps[handle] = (struct domain_grant_map){
		    .gfn = at, .host = &gmap_pending, .readonly = readonly};
		rc = GNTST_okay;
	}
	pthread_mutex_unlock(&d->lock);
	if (rc != GNTST_okay)
		return rc;

	host = mmap(NULL, XEN_PAGE_SIZE, readonly ? PROT_READ : PROT_READ | PROT_WRITE, MAP_SHARED,
	            fd, (off_t)(gfn << XEN_PAGE_SHIFT));
	if (host == MAP_FAILED || kvm_vm_set_slot(&d->vm, HV_GRANT_SLOT_BASE + handle, flags,
	                                          at << XEN_PAGE_SHIFT, XEN_PAGE_SIZE, host) < 0)
		rc = GNTST_general_error;
	pthread_mutex_lock(&d->lock);
	if (rc == GNTST_okay)
		d->gmaps[handle].host = host;
	else
		d->gmaps[handle] = (struct domain_grant_map){0};
	pthread_mutex_unlock(&d->lock);
	if (rc != GNTST_okay && host != MAP_FAILED)
		munmap(host, XEN_PAGE_SIZE);
	return rc;
}

/*
 * Drop handle @handle's mapping (no-op when none).  With @drop_slot the
 * memslot goes first, after which KVM guarantees no vCPU can reach the page;
 * without it the caller has stopped every vCPU and the VM's close drops the
 * slots at once (each slot removal waits for an SRCU grace period).
 */
static void unmap_one(struct domain *d, uint32_t handle, bool drop_slot)
{
	void *host = NULL;

	pthread_mutex_lock(&d->lock);
	if (handle < d->gmap_max && d->gmaps[handle].host != &gmap_pending)
		host = d->gmaps[handle].host;
	pthread_mutex_unlock(&d->lock);
	if (!host)
		return;
	if (drop_slot)
		kvm_vm_set_slot(&d->vm, HV_GRANT_SLOT_BASE + handle, 0, 0, 0, NULL);
	pthread_mutex_lock(&d->lock);
	d->gmaps[handle] = (struct domain_grant_map){0};
	pthread_mutex_unlock(&d->lock);
	munmap(host, XEN_PAGE_SIZE);
}

void domain_unmap_grant(struct domain *d, uint32_t handle)
{
	unmap_one(d, handle, true);
}

void domain_unmap_grants(struct domain *d)
{
	uint32_t i;

	for (i = 0; i < d->gmap_max; i++)
		unmap_one(d, i, false);
}

bool domain_grant_map_readonly(struct domain *d, uint64_t gpa)
{
	const struct domain_grant_map *m;
	bool ro;

	pthread_mutex_lock(&d->lock);
	m = grant_map_at(d, gpa >> XEN_PAGE_SHIFT);
	ro = m && m->readonly;
	pthread_mutex_unlock(&d->lock);
	return ro;
}

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
		return domain_populate(d, gfn, n);
	default:
		return domain_depopulate(d, gfn, n);
	}
}

/*
 * increase/decrease_reservation and populate_physmap; returns the extents
 * done.  The lock is taken per extent and the loop ends when the domain
 * stops, so a huge request delays nobody but its caller.
 */
static long mem_reservation(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg)
{
	struct xen_memory_reservation r;
	struct domain *d = v->d;
	uint64_t i, n;
	int rc;

	rc = copy_from_guest(v, &r, arg, sizeof(r));
	if (rc < 0)
		return rc;
	rc = hypercall_check_domid(v, r.domid);
	if (rc < 0)
		return rc;
	if (r.extent_order > MEMOP_MAX_ORDER)
		return -XEN_EINVAL;
	if (start >= r.nr_extents)
		return (long)start;
	n = 1ULL << r.extent_order;

	for (i = start; i < r.nr_extents; i++) {
		uint64_t list = (uint64_t)(uintptr_t)r.extent_start.p + i * sizeof(xen_pfn_t);
		xen_pfn_t gfn = 0;

		if (op != XENMEM_increase_reservation &&
		    (copy_from_guest(v, &gfn, list, sizeof(gfn)) < 0 || (gfn & (n - 1))))
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
	int rc = copy_from_guest(v, &domid, arg, sizeof(domid));

	if (rc < 0)
		return rc;
	rc = hypercall_check_domid(v, domid);
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
	r = copy_from_guest(v, &map, arg, sizeof(map));
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
	return copy_to_guest(v, arg, &map, sizeof(map));
}

static long mem_add_to_physmap(struct vcpu *v, unsigned int op, uint64_t start, uint64_t arg)
{
	struct xen_add_to_physmap x;
	struct domain *d = v->d;
	long r;

	r = copy_from_guest(v, &x, arg, sizeof(x));
	if (r < 0)
		return r;
	r = hypercall_check_domid(v, x.domid);
	if (r < 0)
		return r;
	if (x.space == XENMAPSPACE_grant_table)
		return evtglue_map_grant_frame(d, (uint32_t)x.idx, x.gpfn);
	if (x.space != XENMAPSPACE_shared_info || x.idx != 0)
		return -XEN_EINVAL;
	pthread_mutex_lock(&d->lock);
	r = domain_map_shared_info(d, x.gpfn);
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
