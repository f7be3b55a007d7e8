/*
 * Grant tables, version 1: the per-domain table behind
 * __HYPERVISOR_grant_table_op.
 *
 * A table has up to max_frames frames of 512 grant_entry_v1 each.  The
 * frames live in guest memory at GFNs the guest picks with
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table): shoji-hv resolves the GFN
 * and hands the host address to gnttab_map_frame().  Frames not placed yet
 * are kept in pages of this module, as Xen keeps them in its own heap.
 *
 * The module validates every grant reference, domid, frame, offset and
 * length in one place, pins grants while they are copied or mapped (setting
 * GTF_reading / GTF_writing in the granter's entry with cmpxchg, as Xen
 * does, so that the granter's end-access cmpxchg fails meanwhile), and
 * copies between domains.  Creating the mapping itself in the mapper's
 * address space is the caller's job (map_grant hooks below).
 *
 * Per-operation results are GNTST_* in the op's status field; functions
 * returning int give 0 or a negative XEN_E* for the whole hypercall.
 * Locking: one lock per table for entries and frames, one per table for
 * its maptrack; never two at once, so there is no lock order to keep.
 */
#ifndef SHOJI_HV_GNTTAB_H
#define SHOJI_HV_GNTTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoji/xen.h>
#include <shoji/grant_table.h>

#define GNTTAB_DEFAULT_MAX_FRAMES   64u
#define GNTTAB_DEFAULT_MAX_MAPTRACK (1024u * 256u) /* Xen: 1024 maptrack frames */
#define GNTTAB_INVALID_GFN          (~(uint64_t)0)

struct gnttab;

struct gnttab_mem_ops {
	/* Host address of the 4 KiB page at @gfn of the owner domain, NULL if not RAM. */
	void *(*gfn_to_host)(void *owner, uint64_t gfn);
	/* Optional: the last reference to the table is gone; its guest memory may go. */
	void (*release)(void *owner);
};

/* Lookup of other domains' tables; a result carries a gnttab_get() reference. */
struct gnttab_world {
	struct gnttab *(*get_table)(void *opaque, domid_t domid);
	void *opaque;
};

struct gnttab_params {
	domid_t domid;
	uint32_t max_frames;   /* 0 = GNTTAB_DEFAULT_MAX_FRAMES */
	uint32_t max_maptrack; /* map handles; 0 = GNTTAB_DEFAULT_MAX_MAPTRACK */
	bool privileged;       /* may set up or query other domains' tables */
	const struct gnttab_mem_ops *mem;
	void *owner;
};

/* A table with one frame (Xen's initial size), one reference held; NULL + errno. */
struct gnttab *gnttab_create(const struct gnttab_world *world, const struct gnttab_params *p);
/*
 * The domain is going away: release the grants it has mapped from others,
 * refuse new operations on its table, drop the creator's reference.  Its
 * own grants mapped by others stay pinned until they are unmapped; the
 * release hook runs once the last reference is gone.
 */
void gnttab_destroy(struct gnttab *gt);
void gnttab_get(struct gnttab *gt);
void gnttab_put(struct gnttab *gt);

/*
 * XENMEM_add_to_physmap(XENMAPSPACE_grant_table, idx, gfn): frame @idx now
 * lives at @gfn, host address @page.  The table grows to idx + 1 frames and
 * the frame's contents move into @page.  -XEN_EINVAL when idx is beyond
 * max_frames (as Xen), -XEN_ENOMEM.
 */
int gnttab_map_frame(struct gnttab *gt, uint32_t idx, uint64_t gfn, void *page);
/* The table's own page for frame @idx (it grows to idx + 1), to place above RAM; NULL past the limit. */
void *gnttab_own_page(struct gnttab *gt, uint32_t idx);

/*
 * Save and restore (docs/migration-stream.md, HV_GNTTAB).  The entries live
 * in the frames, which are guest RAM once placed (XENMAPSPACE_grant_table):
 * a stream carries the table's size, where each frame lives and the content
 * of a frame in the table's own page (never placed, or placed above RAM).  Who maps a grant does not travel: a restored
 * table starts with no active maps (GTF_reading/GTF_writing cleared), and
 * Dom0's backends map again.
 *
 * gnttab_export_frame: frame @idx's GFN (GNTTAB_INVALID_GFN if never placed)
 * into *@gfn, and its 4 KiB into @content when it lives in the table's own
 * page; 1 when it did, 0 when not, -XEN_EINVAL past the table.
 * gnttab_import_frame (a new table, before the domain runs; the choke point
 * for a stream's frame): frame @idx lives at @gfn, the guest page @page
 * whose content is kept (already restored), or, with @page NULL, in the
 * table's own page, which gets @content (placing it above RAM is the
 * caller's).  0 or -XEN_EINVAL (@idx past the table's limit).
 */
uint32_t gnttab_nr_frames(struct gnttab *gt);
int gnttab_export_frame(struct gnttab *gt, uint32_t idx, uint64_t *gfn, void *content);
int gnttab_import_frame(struct gnttab *gt, uint32_t idx, uint64_t gfn, void *page,
                        const void *content);

/* What a successful map pinned, for the caller that creates the mapping. */
struct gnttab_mapping {
	grant_handle_t handle;
	domid_t dom; /* the granter */
	grant_ref_t ref;
	uint64_t gfn;       /* the granter's frame */
	void *page;         /* its host address */
	uint64_t host_addr; /* where the mapper asked for it */
	bool readonly;
	void *owner; /* the granter's gnttab_params.owner (alive while mapped) */
};

/* Single operations (@cur is the calling domain); results in op->status. */
void gnttab_copy(struct gnttab *cur, struct gnttab_copy *op);
/* Pin (dom, ref) for @cur and take a map handle; @m (may be NULL) describes it. */
void gnttab_map_grant_ref(struct gnttab *cur, struct gnttab_map_grant_ref *op,
                          struct gnttab_mapping *m);
/*
 * Release a map handle; the caller has already removed the mapping it made.
 * As Xen for a translated mapper: the handle must be live (else
 * GNTST_bad_handle), a zero host_addr unmaps nothing, a host_addr in another
 * page than the mapping's is GNTST_general_error, and dev_bus_addr is
 * ignored (there are no GNTMAP_device_map mappings).
 */
void gnttab_unmap_grant_ref(struct gnttab *cur, struct gnttab_unmap_grant_ref *op,
                            struct gnttab_mapping *m);
void gnttab_query_size(struct gnttab *cur, struct gnttab_query_size *op);
int gnttab_set_version(struct gnttab *cur, struct gnttab_set_version *op);
int gnttab_get_version(struct gnttab *cur, struct gnttab_get_version *op);
int gnttab_cache_flush(struct gnttab *cur, const struct gnttab_cache_flush *op);

/*
 * The whole grant_table_op hypercall: @count ops of @cmd at guest address
 * @uop, each copied in and its result copied out through @io.  map_grant /
 * unmap_grant create and remove a mapping in the caller's address space;
 * when map_grant is NULL, GNTTABOP_map_grant_ref fails (GNTST_general_error)
 * rather than pin a grant nobody maps.  map_grant runs after the pin and
 * before any unmap can name the new handle; when it fails it leaves nothing
 * mapped and the pin and handle are released.  unmap_grant runs before the
 * pin is dropped.  Neither runs with a grant table lock held.
 */
struct gnttab_guest_io {
	void *ctx;
	bool compat; /* the caller uses the 32-bit layouts (compat.h) */
	int (*copy_from)(void *ctx, void *dst, uint64_t gva, size_t len); /* 0 or -XEN_EFAULT */
	int (*copy_to)(void *ctx, uint64_t gva, const void *src, size_t len);
	int (*map_grant)(void *ctx, const struct gnttab_mapping *m); /* 0 or GNTST_* */
	void (*unmap_grant)(void *ctx, const struct gnttab_mapping *m);
	/* Optional: after an op that is not the last, whether to stop the call there. */
	bool (*preempt)(void *ctx);
};
/*
 * 0 when all @count ops are done, a negative XEN_E* when the call failed
 * (the ops before the failing one are done), or n > 0 when @io's preempt
 * hook stopped it after the first n ops: the caller issues it again for
 * the other count - n, from uop + n * gnttab_op_size(cmd, io->compat).
 */
long gnttab_hypercall(struct gnttab *cur, unsigned int cmd, uint64_t uop, uint32_t count,
                      const struct gnttab_guest_io *io);
/* The size of one op of @cmd in the caller's layout (0 for an unknown @cmd). */
size_t gnttab_op_size(unsigned int cmd, bool compat);

#endif
