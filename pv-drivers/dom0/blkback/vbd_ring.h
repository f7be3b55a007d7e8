/*
 * vbd_ring.h - one block ring: its requests are copied once, checked at
 * the choke point (blkif_check.c), their segments mapped through a
 * segment mapper, queued on the I/O engine as one batch per
 * notification, and answered in completion order.
 *
 * The segment mapper is the seam between the ring and the hypervisor:
 * shoji-blkback maps the frontend's grants with libshoji-gnttab; the
 * unit tests map their own buffers.
 */
#ifndef BLKBACK_VBD_RING_H
#define BLKBACK_VBD_RING_H

#include <stdbool.h>
#include <stdint.h>

#include <shoji/io/blkif.h>

#include "blkif_check.h"
#include "engine.h"
#include "store.h"

struct vbd_mapper {
	/*
	 * Map the frontend's grants @refs[0..n) into one area, n pages, which
	 * the backend may write when @writable.  NULL when one is refused.
	 */
	void *(*map)(void *arg, uint32_t n, const grant_ref_t *refs, bool writable);
	void (*unmap)(void *arg, void *addr, uint32_t n);
	void *arg;
};

struct vbd_ring_config {
	struct blkif_sring *sring; /* the mapped shared ring */
	bool abi32;                /* protocol x86_32-abi: 32-bit slot layouts */
	unsigned int ring_pages;   /* its size in pages (a power of two) */
	const struct blk_store *store;
	struct blk_limits limits;
	struct blk_engine *engine;
	struct vbd_mapper mapper;
	/*
	 * feature-persistent, both sides: segment pages are mapped (writable)
	 * once per grant ref and kept until the ring is freed, up to
	 * @max_persistent grants (0: RING_SIZE * 11); requests that would need
	 * more are mapped for their own time, as without the feature.
	 */
	bool persistent;
	unsigned int max_persistent;
	void (*notify)(void *arg);                  /* signal the frontend's event channel */
	void (*broken)(void *arg, const char *why); /* corrupt ring: take the device down */
	void *arg;
};

/*
 * Attach to @cfg->sring where it stands: requests answered before (by an
 * earlier shoji-blkback) are not looked at again.  NULL + errno.
 */
struct vbd_ring *vbd_ring_new(const struct vbd_ring_config *cfg);
/* Finish what is in flight (reaping the engine), unmap persistent grants, free. */
void vbd_ring_free(struct vbd_ring *r);
/* The frontend notified: take every new request, submit them as one batch. */
void vbd_ring_kick(struct vbd_ring *r);
/* Requests taken and not yet answered. */
unsigned int vbd_ring_inflight(const struct vbd_ring *r);
bool vbd_ring_is_broken(const struct vbd_ring *r);
/* Persistent grants mapped now. */
unsigned int vbd_ring_persistent_grants(const struct vbd_ring *r);

#endif
