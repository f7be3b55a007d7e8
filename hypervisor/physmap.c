/*
 * A guest's physmap: which RAM pages are populated (the balloon), where
 * shared_info lives, and the pages placed above RAM, grant mappings (see
 * physmap.h).
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>

#include <shoji/errno.h>
#include <shoji/grant_table.h>

#include "domain.h"
#include "hvtime.h"
#include "physmap.h"
#include "platform.h"
#include "vcpu.h"

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

int physmap_populate(struct domain *d, uint64_t gfn, uint64_t n)
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

int physmap_depopulate(struct domain *d, uint64_t gfn, uint64_t n)
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

/* Is one of @d's own grant frames placed at @gfn above RAM?  d->lock held. */
static bool grant_frame_at(const struct domain *d, uint64_t gfn)
{
	uint32_t i;

	for (i = 0; i < HV_MAX_GRANT_FRAMES; i++)
		if (d->gframe_gfn[i] == gfn)
			return true;
	return false;
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

int physmap_map_shared_info(struct domain *d, uint64_t gfn)
{
	uint8_t content[XEN_PAGE_SIZE];
	bool inside = range_in_ram(d, gfn, 1);
	uint32_t old_slot = d->shinfo_slot, new_slot = 0;
	uint8_t *old = (uint8_t *)d->shared_info;
	uint8_t *host;
	unsigned int i;

	if (!inside &&
	    (!gfn_above_ram_ok(d, gfn) || grant_map_at(d, gfn) || grant_frame_at(d, gfn)))
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

int physmap_map_grant_frame(struct domain *d, uint32_t idx, uint64_t gfn, void *page)
{
	int rc = -XEN_EINVAL;

	pthread_mutex_lock(&d->lock);
	if (idx < HV_MAX_GRANT_FRAMES && !d->dying && gfn_above_ram_ok(d, gfn) &&
	    (d->gframe_gfn[idx] == gfn || (!(d->shinfo_slot && d->shinfo_gfn == gfn) &&
	                                   !grant_map_at(d, gfn) && !grant_frame_at(d, gfn)))) {
		/* A frame already above RAM moves: same page, same slot (KVM moves it). */
		rc = kvm_vm_set_slot(&d->vm, HV_GFRAME_SLOT_BASE + idx, 0, gfn << XEN_PAGE_SHIFT,
		                     XEN_PAGE_SIZE, page) < 0
		         ? -XEN_ENOMEM
		         : 0;
		if (rc == 0)
			d->gframe_gfn[idx] = gfn;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

void physmap_unmap_grant_frame(struct domain *d, uint32_t idx)
{
	pthread_mutex_lock(&d->lock);
	if (idx < HV_MAX_GRANT_FRAMES && d->gframe_gfn[idx]) {
		kvm_vm_set_slot(&d->vm, HV_GFRAME_SLOT_BASE + idx, 0, 0, 0, NULL);
		d->gframe_gfn[idx] = 0;
	}
	pthread_mutex_unlock(&d->lock);
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

int physmap_map_grant(struct domain *d, uint32_t handle, uint64_t gpa, int fd, uint64_t gfn,
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
	    !grant_map_at(d, at) && !grant_frame_at(d, at)) {
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

void physmap_unmap_grant(struct domain *d, uint32_t handle)
{
	unmap_one(d, handle, true);
}

void physmap_unmap_grants(struct domain *d)
{
	uint32_t i;

	for (i = 0; i < d->gmap_max; i++)
		unmap_one(d, i, false);
}

bool physmap_grant_readonly(struct domain *d, uint64_t gpa)
{
	const struct domain_grant_map *m;
	bool ro;

	pthread_mutex_lock(&d->lock);
	m = grant_map_at(d, gpa >> XEN_PAGE_SHIFT);
	ro = m && m->readonly;
	pthread_mutex_unlock(&d->lock);
	return ro;
}
