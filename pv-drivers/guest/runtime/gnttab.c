/*
 * gnttab.c: the guest's grant table, version 1.
 *
 * The table's frames are pages of this image, placed in the physmap with
 * XENMAPSPACE_grant_table, so entries are plain memory here.  Granting
 * fills frame and domid, then publishes the flags with a release store;
 * ending access swaps the flags to 0 with a compare-exchange that refuses
 * while the hypervisor has GTF_reading or GTF_writing set.  References
 * below GNTTAB_NR_RESERVED_ENTRIES belong to the toolstack and are never
 * handed out, so a guest's first grant is reference 8.
 *
 * Mapping a peer's grant (a backend's job) places the peer's page at a
 * guest-physical address of our choosing, above RAM, through
 * GNTTABOP_map_grant_ref; the returned handle unmaps it.
 */
#include "shoji-guest.h"

#include <shoji/memory.h>

#define ENTRIES_PER_FRAME ((unsigned int)GNTTAB_NR_ENTRIES_V1)
#define MAX_ENTRIES       (GNTTAB_GUEST_MAX_FRAMES * ENTRIES_PER_FRAME)

static grant_entry_v1_t table[GNTTAB_GUEST_MAX_FRAMES][ENTRIES_PER_FRAME]
    __attribute__((aligned(GUEST_PAGE_SIZE)));
static uint64_t used[MAX_ENTRIES / 64]; /* refs handed out and not yet ended */
static unsigned int nr_entries;

long gnttab_init(unsigned int nr_frames)
{
	if (nr_frames == 0 || nr_frames > GNTTAB_GUEST_MAX_FRAMES)
		return -XEN_EINVAL;
	for (unsigned int i = nr_entries / ENTRIES_PER_FRAME; i < nr_frames; i++) {
		struct xen_add_to_physmap xatp = {
		    .domid = DOMID_SELF,
		    .space = XENMAPSPACE_grant_table,
		    .idx = i,
		    .gpfn = (uintptr_t)table[i] >> 12,
		};
		long rc = hyp_memory_op(XENMEM_add_to_physmap, &xatp);

		if (rc < 0)
			return rc;
		nr_entries = (i + 1) * ENTRIES_PER_FRAME;
	}
	return 0;
}

unsigned int gnttab_nr_entries(void)
{
	return nr_entries;
}

static grant_entry_v1_t *entry(grant_ref_t ref)
{
	return &table[ref / ENTRIES_PER_FRAME][ref % ENTRIES_PER_FRAME];
}

long gnttab_grant_access(domid_t domid, uint64_t gfn, bool readonly, grant_ref_t *ref)
{
	for (grant_ref_t r = GNTTAB_NR_RESERVED_ENTRIES; r < nr_entries; r++) {
		uint64_t bit = 1ULL << (r % 64);
		grant_entry_v1_t *e;

		if (used[r / 64] & bit)
			continue;
		if (__atomic_fetch_or(&used[r / 64], bit, __ATOMIC_SEQ_CST) & bit)
			continue; /* another vCPU took it */
		e = entry(r);
		e->frame = (uint32_t)gfn;
		e->domid = domid;
		/* The hypervisor reads frame and domid only after seeing flags. */
		__atomic_store_n(&e->flags,
		                 (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
		                 __ATOMIC_RELEASE);
		*ref = r;
		return 0;
	}
	return -XEN_ENOSPC;
}

long gnttab_end_access(grant_ref_t ref)
{
	grant_entry_v1_t *e;
	uint16_t flags;

	if (ref < GNTTAB_NR_RESERVED_ENTRIES || ref >= nr_entries ||
	    !(used[ref / 64] & (1ULL << (ref % 64))))
		return -XEN_EINVAL;
	e = entry(ref);
	flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
	do {
		if (flags & (GTF_reading | GTF_writing))
			return -XEN_EBUSY;
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false, __ATOMIC_SEQ_CST,
	                                      __ATOMIC_ACQUIRE));
	__atomic_fetch_and(&used[ref / 64], ~(1ULL << (ref % 64)), __ATOMIC_SEQ_CST);
	return 0;
}

long gnttab_copy(struct gnttab_copy *ops, unsigned int n)
{
	return hyp_grant_table_op(GNTTABOP_copy, ops, n);
}

long gnttab_map(domid_t domid, grant_ref_t ref, uint64_t gpa, bool readonly, grant_handle_t *handle)
{
	struct gnttab_map_grant_ref op = {
	    .host_addr = gpa,
	    .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0),
	    .ref = ref,
	    .dom = domid,
	};
	long rc = hyp_grant_table_op(GNTTABOP_map_grant_ref, &op, 1);

	if (rc < 0)
		return rc;
	if (op.status == GNTST_okay)
		*handle = op.handle;
	return op.status;
}

long gnttab_unmap(grant_handle_t handle, uint64_t gpa)
{
	struct gnttab_unmap_grant_ref op = {.host_addr = gpa, .handle = handle};
	long rc = hyp_grant_table_op(GNTTABOP_unmap_grant_ref, &op, 1);

	return rc < 0 ? rc : op.status;
}
