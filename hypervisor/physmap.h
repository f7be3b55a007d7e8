/*
 * A guest's physmap beyond plain RAM: the balloon's populated bits, where
 * shared_info lives (inside RAM or on an extra page above it), and grant
 * mappings (pages of other guests, each a one-page KVM memslot above RAM).
 * The memory_op hypercalls (memop.c), grant maps from the grant table
 * hypercall (evtgntop.c), domain teardown (evtglue.c) and the read-only
 * write check of the vCPU loop (vcpu.c) change and read it through here.
 *
 * Pages placed above RAM go below the MMIO hole at 0xfe000000 or between
 * 4 GiB and 64 GiB.  Functions return 0 or a negative XEN_E* value unless
 * they say otherwise.
 */
#ifndef SHOJI_HV_PHYSMAP_H
#define SHOJI_HV_PHYSMAP_H

#include <stdbool.h>
#include <stdint.h>

struct domain;

/*
 * Balloon: mark @n pages from @gfn populated or not.  Return 0, or
 * -XEN_EINVAL outside RAM, -XEN_ENOMEM over max_pages (populate),
 * -XEN_ENOENT when a page is not populated (depopulate, which gives the
 * memory back to the host: the range reads as zeroes afterwards).
 * d->lock held.
 */
int physmap_populate(struct domain *d, uint64_t gfn, uint64_t n);
int physmap_depopulate(struct domain *d, uint64_t gfn, uint64_t n);

/*
 * Place shared_info at @gfn (inside RAM, whose page content is kept and
 * put back when it moves, or above RAM clear of every grant mapping); its
 * content moves along.  d->lock held.
 */
int physmap_map_shared_info(struct domain *d, uint64_t gfn);

/*
 * Grant mappings (these take d->lock themselves).  physmap_map_grant maps
 * page @gfn of the granter's RAM memfd @fd at guest-physical @gpa's page as
 * grant handle @handle: @gpa must be above RAM and clear of shared_info and
 * every other mapping.  Returns GNTST_okay or GNTST_general_error (as Xen
 * for a host address it cannot map).  physmap_unmap_grant removes handle
 * @handle's mapping (no-op when none); when it returns the guest can no
 * longer reach the page.  physmap_unmap_grants removes them all once the
 * domain's vCPUs have stopped for good (it leaves the memslots to the VM's
 * close).  physmap_grant_readonly says whether @gpa lies in a read-only
 * mapping.
 */
/*
 * The guest's own grant-table frame @idx placed at @gfn above RAM, where
 * Xen lets a guest put it (GRUB uses the first hole of its memory map):
 * @page, the table's own page, becomes a one-page memslot there; a frame
 * already above RAM moves.  d->lock is taken here.  0, or -XEN_EINVAL (index
 * past HV_MAX_GRANT_FRAMES, a GFN not free above RAM), -XEN_ENOMEM.
 * physmap_unmap_grant_frame: the frame is back in RAM; its slot goes.
 */
int physmap_map_grant_frame(struct domain *d, uint32_t idx, uint64_t gfn, void *page);
void physmap_unmap_grant_frame(struct domain *d, uint32_t idx);

int physmap_map_grant(struct domain *d, uint32_t handle, uint64_t gpa, int fd, uint64_t gfn,
                      bool readonly);
void physmap_unmap_grant(struct domain *d, uint32_t handle);
void physmap_unmap_grants(struct domain *d);
bool physmap_grant_readonly(struct domain *d, uint64_t gpa);

#endif
