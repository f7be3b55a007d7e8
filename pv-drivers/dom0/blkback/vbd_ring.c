/*
 * vbd_ring.c: one block ring's consumer (see vbd_ring.h).
 *
 * Every request gets a slot for the time between its copy off the ring
 * and its response; there are as many slots as ring entries, and the
 * ring's own accounting (no more requests consumed than responses can be
 * written) keeps them from running out.  A write barrier waits, copied and
 * checked, until every earlier request has completed, then runs alone.
 * The indexes the backend produces (req_cons, rsp_prod) are kept here and
 * only published to the page; the frontend's req_prod is read once per
 * pass and checked against them.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vbd_ring.h"

#define PAGE_SIZE 4096u

struct slot {
	struct vbd_ring *r;
	struct blk_req req;
	struct blk_io io;
	struct iovec iov[BLK_MAX_INDIRECT_SEGS];
	void *map; /* the segments' pages, or NULL */
	bool then_fsync;
	int next_free;
};

/* A persistently mapped grant (feature-persistent). */
struct pgrant {
	grant_ref_t ref;
	void *page; /* NULL: free bucket */
};

struct vbd_ring {
	struct vbd_ring_config cfg;
	struct pgrant *pg; /* open addressing, pg_mask + 1 buckets */
	unsigned int pg_mask, npg;
	blkif_back_ring_t br;
	blkif_x86_32_back_ring_t br32; /* abi32: the slots' layout (the indexes are br's) */
	struct slot *slots;
	int free_head;
	unsigned int inflight; /* started and not answered */
	int held;              /* a barrier waiting for inflight == 0, or -1 */
	bool barrier_active;   /* a barrier runs: nothing else starts */
	bool stalled;          /* kick stopped for a barrier: resume on completion */
	bool broken;
};

static void kick(struct vbd_ring *r);

static void ring_break(struct vbd_ring *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void ring_break(struct vbd_ring *r, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	if (r->broken)
		return;
	r->broken = true;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	r->cfg.broken(r->cfg.arg, why);
}

static void respond(struct vbd_ring *r, uint64_t id, uint8_t operation, int status)
{
	int notify;

	if (r->broken)
		return;
	if (r->cfg.abi32) {
		struct blkif_x86_32_response *rsp = RING_GET_RESPONSE(&r->br32, r->br.rsp_prod_pvt);

		rsp->id = id;
		rsp->operation = operation;
		rsp->status = (int16_t)status;
	} else {
		blkif_response_t *rsp = RING_GET_RESPONSE(&r->br, r->br.rsp_prod_pvt);

		rsp->id = id;
		rsp->operation = operation;
		rsp->status = (int16_t)status;
	}
	r->br.rsp_prod_pvt++;
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&r->br, notify);
	if (notify)
		r->cfg.notify(r->cfg.arg);
}

static void slot_put(struct vbd_ring *r, struct slot *sl)
{
	sl->next_free = r->free_head;
	r->free_head = (int)(sl - r->slots);
}

static void start(struct vbd_ring *r, struct slot *sl);

/* The request in @sl is done with @status: answer it and let waiting work go on. */
static void finish(struct vbd_ring *r, struct slot *sl, int status)
{
	if (sl->map)
		r->cfg.mapper.unmap(r->cfg.mapper.arg, sl->map, sl->req.nr_segs);
	sl->map = NULL;
	respond(r, sl->req.id, sl->req.operation, status);
	r->inflight--;
	if (sl->req.kind == BLK_BARRIER)
		r->barrier_active = false;
	slot_put(r, sl);
	if (r->broken)
		return;
	if (r->held >= 0 && r->inflight == 0) {
		struct slot *h = &r->slots[r->held];

		r->held = -1;
		start(r, h);
		blk_engine_submit(r->cfg.engine);
	}
	if (r->stalled && !r->barrier_active && r->held < 0) {
		r->stalled = false;
		kick(r);
	}
}

static void io_done(struct blk_io *io)
{
	struct slot *sl = (struct slot *)((char *)io - offsetof(struct slot, io));
	struct vbd_ring *r = sl->r;

	if (io->result == 0 && sl->then_fsync) {
		sl->then_fsync = false;
		io->op = BLK_IO_FSYNC;
		io->fd = r->cfg.store->fd_buffered;
		blk_engine_queue(r->cfg.engine, io);
		blk_engine_submit(r->cfg.engine);
		return;
	}
	finish(r, sl,
	       io->result == 0             ? BLKIF_RSP_OKAY
	       : io->result == -EOPNOTSUPP ? BLKIF_RSP_EOPNOTSUPP
	                                   : BLKIF_RSP_ERROR);
}

static struct pgrant *pg_find(struct vbd_ring *r, grant_ref_t ref)
{
	unsigned int i = (ref * 2654435761u) & r->pg_mask;

	while (r->pg[i].page && r->pg[i].ref != ref)
		i = (i + 1) & r->pg_mask;
	return &r->pg[i];
}

/*
 * Persistent grants: each segment's page from the cache, mapped (and kept)
 * on first use.  1 when the cache cannot take the request's new grants
 * (map it the ordinary way), 0 done, -1 a grant was refused.
 */
static int map_persistent(struct vbd_ring *r, struct slot *sl)
{
	const struct blk_req *q = &sl->req;
	unsigned int need = 0;

	for (uint32_t i = 0; i < q->nr_segs; i++)
		need += !pg_find(r, q->seg[i].gref)->page;
	if (r->npg + need > r->cfg.max_persistent)
		return 1;
	for (uint32_t i = 0; i < q->nr_segs; i++) {
		struct pgrant *p = pg_find(r, q->seg[i].gref);

		if (!p->page) {
			p->page = r->cfg.mapper.map(r->cfg.mapper.arg, 1, &q->seg[i].gref, true);
			if (!p->page)
				return -1;
			p->ref = q->seg[i].gref;
			r->npg++;
		}
		sl->iov[i].iov_base =
		    (char *)p->page + (size_t)q->seg[i].first_sect * XEN_BLKIF_SECTOR_SIZE;
		sl->iov[i].iov_len = (size_t)(q->seg[i].last_sect - q->seg[i].first_sect + 1) *
		                     XEN_BLKIF_SECTOR_SIZE;
	}
	return 0;
}

/* Map the segments of @sl's request and describe them as iovecs. */
static int map_segments(struct vbd_ring *r, struct slot *sl)
{
	grant_ref_t refs[BLK_MAX_INDIRECT_SEGS];
	const struct blk_req *q = &sl->req;

	if (r->pg) {
		int rc = map_persistent(r, sl);

		if (rc <= 0)
			return rc;
	}
	for (uint32_t i = 0; i < q->nr_segs; i++)
		refs[i] = q->seg[i].gref;
	sl->map = r->cfg.mapper.map(r->cfg.mapper.arg, q->nr_segs, refs, q->kind == BLK_READ);
	if (!sl->map)
		return -1;
	for (uint32_t i = 0; i < q->nr_segs; i++) {
		sl->iov[i].iov_base = (char *)sl->map + (size_t)i * PAGE_SIZE +
		                      (size_t)q->seg[i].first_sect * XEN_BLKIF_SECTOR_SIZE;
		sl->iov[i].iov_len = (size_t)(q->seg[i].last_sect - q->seg[i].first_sect + 1) *
		                     XEN_BLKIF_SECTOR_SIZE;
	}
	return 0;
}

/*
 * An indirect request: copy its segments out of the indirect pages (once,
 * into the slot) and check them.  The status to answer with if not OKAY.
 */
static int read_indirect(struct vbd_ring *r, struct slot *sl)
{
	struct blk_req *q = &sl->req;
	void *pages =
	    r->cfg.mapper.map(r->cfg.mapper.arg, q->nr_indirect_pages, q->indirect_grefs, false);

	if (!pages)
		return BLKIF_RSP_ERROR;
	memcpy(q->seg, pages, q->nr_segs * sizeof(q->seg[0]));
	r->cfg.mapper.unmap(r->cfg.mapper.arg, pages, q->nr_indirect_pages);
	return blkif_check_indirect_segments(q, &r->cfg.limits);
}

/* Queue the I/O of the checked request in @sl. */
static void start(struct vbd_ring *r, struct slot *sl)
{
	const struct blk_req *q = &sl->req;
	struct blk_io *io = &sl->io;

	r->inflight++;
	if (q->indirect) {
		int status = read_indirect(r, sl);

		if (status != BLKIF_RSP_OKAY) {
			finish(r, sl, status);
			return;
		}
	}
	if (q->kind == BLK_BARRIER)
		r->barrier_active = true;
	memset(io, 0, sizeof(*io));
	io->done = io_done;
	io->offset = q->sector * XEN_BLKIF_SECTOR_SIZE;
	io->len = q->nr_sectors * XEN_BLKIF_SECTOR_SIZE;
	io->fd = r->cfg.store->fd_buffered;
	sl->then_fsync = false;
	if (q->kind == BLK_DISCARD) {
		io->op = BLK_IO_DISCARD;
		io->blockdev = r->cfg.store->blockdev;
	} else if (q->nr_segs == 0) { /* a bare flush or barrier */
		io->op = BLK_IO_FSYNC;
	} else {
		if (map_segments(r, sl) < 0) {
			finish(r, sl, BLKIF_RSP_ERROR);
			return;
		}
		io->op = q->kind == BLK_READ ? BLK_IO_READ : BLK_IO_WRITE;
		io->iov = sl->iov;
		io->iovcnt = (int)q->nr_segs;
		io->fd = blk_store_fd_for(r->cfg.store, io->offset, sl->iov, io->iovcnt);
		sl->then_fsync = q->kind == BLK_FLUSH || q->kind == BLK_BARRIER;
	}
	blk_engine_queue(r->cfg.engine, io);
}

/* Check the request copied into @copy and start it (or hold it, or answer it). */
static void take(struct vbd_ring *r, const struct blkif_request *copy)
{
	struct slot *sl;
	int status;

	if (r->free_head < 0) { /* cannot happen while the ring accounting holds */
		ring_break(r, "no request slot left");
		return;
	}
	sl = &r->slots[r->free_head];
	r->free_head = sl->next_free;
	status = blkif_check_request(copy, &r->cfg.limits, &sl->req);
	if (status != BLKIF_RSP_OKAY) {
		respond(r, sl->req.id, sl->req.operation, status);
		slot_put(r, sl);
		return;
	}
	if (sl->req.kind == BLK_BARRIER && r->inflight > 0) {
		r->held = (int)(sl - r->slots);
		return;
	}
	start(r, sl);
}

/* Copy slot @idx (once) into @out, in the native layout whatever the frontend's ABI. */
static void copy_request(struct vbd_ring *r, RING_IDX idx, struct blkif_request *out)
{
	struct blkif_x86_32_request q;

	if (!r->cfg.abi32) {
		RING_COPY_REQUEST(&r->br, idx, out);
		return;
	}
	RING_COPY_REQUEST(&r->br32, idx, &q);
	memset(out, 0, sizeof(*out));
	if (q.operation == BLKIF_OP_DISCARD) {
		struct blkif_x86_32_request_discard d;
		struct blkif_request_discard n;

		memcpy(&d, &q, sizeof(d));
		n = (struct blkif_request_discard){.operation = d.operation,
		                                   .flag = d.flag,
		                                   .handle = d.handle,
		                                   .id = d.id,
		                                   .sector_number = d.sector_number,
		                                   .nr_sectors = d.nr_sectors};
		memcpy(out, &n, sizeof(n));
	} else if (q.operation == BLKIF_OP_INDIRECT) {
		struct blkif_x86_32_request_indirect i;
		struct blkif_request_indirect n;

		memcpy(&i, &q, sizeof(i));
		n = (struct blkif_request_indirect){.operation = i.operation,
		                                    .indirect_op = i.indirect_op,
		                                    .nr_segments = i.nr_segments,
		                                    .id = i.id,
		                                    .sector_number = i.sector_number,
		                                    .handle = i.handle};
		memcpy(n.indirect_grefs, i.indirect_grefs, sizeof(n.indirect_grefs));
		memcpy(out, &n, sizeof(n));
	} else {
		out->operation = q.operation;
		out->nr_segments = q.nr_segments;
		out->handle = q.handle;
		out->id = q.id;
		out->sector_number = q.sector_number;
		memcpy(out->seg, q.seg, sizeof(out->seg));
	}
}

static void kick(struct vbd_ring *r)
{
	int more;

	do {
		RING_IDX rp = __atomic_load_n(&r->br.sring->req_prod, __ATOMIC_RELAXED);

		xen_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(&r->br, rp)) {
			ring_break(r,
			           "req_prod %" PRIu32
			           " is more than %u requests ahead of rsp_prod %" PRIu32,
			           rp, RING_SIZE(&r->br), r->br.rsp_prod_pvt);
			return;
		}
		while (r->br.req_cons != rp && !r->broken) {
			struct blkif_request copy;

			if (r->barrier_active || r->held >= 0) {
				r->stalled = true;
				break;
			}
			copy_request(r, r->br.req_cons, &copy);
			r->br.req_cons++;
			take(r, &copy);
		}
		blk_engine_submit(r->cfg.engine);
		if (r->broken || r->stalled)
			return;
		RING_FINAL_CHECK_FOR_REQUESTS(&r->br, more);
	} while (more);
}

void vbd_ring_kick(struct vbd_ring *r)
{
	if (!r->broken && !r->stalled)
		kick(r);
}

struct vbd_ring *vbd_ring_new(const struct vbd_ring_config *cfg)
{
	struct vbd_ring *r;
	RING_IDX start_idx;

	if (!cfg->sring || cfg->ring_pages == 0 || (cfg->ring_pages & (cfg->ring_pages - 1)) ||
	    !cfg->mapper.map || !cfg->mapper.unmap || !cfg->notify || !cfg->broken) {
		errno = EINVAL;
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->cfg = *cfg;
	r->held = -1;
	start_idx = __atomic_load_n(&cfg->sring->rsp_prod, __ATOMIC_RELAXED);
	BACK_RING_ATTACH(&r->br, cfg->sring, start_idx, cfg->ring_pages * PAGE_SIZE);
	BACK_RING_ATTACH(&r->br32, (blkif_x86_32_sring_t *)(void *)cfg->sring, start_idx,
	                 cfg->ring_pages * PAGE_SIZE);
	if (RING_SIZE(&r->br32) != RING_SIZE(&r->br)) { /* never for 1..16 pages */
		free(r);
		errno = EINVAL;
		return NULL;
	}
	if (cfg->persistent) {
		if (!r->cfg.max_persistent)
			r->cfg.max_persistent = RING_SIZE(&r->br) * BLKIF_MAX_SEGMENTS_PER_REQUEST;
		r->pg_mask = 1;
		while (r->pg_mask + 1 < 2 * r->cfg.max_persistent) /* at most half full */
			r->pg_mask = r->pg_mask * 2 + 1;
		r->pg = calloc(r->pg_mask + 1, sizeof(*r->pg));
	}
	r->slots = calloc(RING_SIZE(&r->br), sizeof(*r->slots));
	if (!r->slots || (cfg->persistent && !r->pg)) {
		free(r->pg);
		free(r->slots);
		free(r);
		return NULL;
	}
	r->free_head = -1;
	for (unsigned int i = RING_SIZE(&r->br); i-- > 0;) {
		r->slots[i].r = r;
		slot_put(r, &r->slots[i]);
	}
	return r;
}

void vbd_ring_free(struct vbd_ring *r)
{
	if (!r)
		return;
	r->held = -1;
	r->stalled = false;
	blk_engine_submit(r->cfg.engine);
	while (r->inflight > 0 && blk_engine_pending(r->cfg.engine) > 0)
		blk_engine_reap(r->cfg.engine, true);
	for (unsigned int i = 0; r->pg && i <= r->pg_mask; i++)
		if (r->pg[i].page)
			r->cfg.mapper.unmap(r->cfg.mapper.arg, r->pg[i].page, 1);
	free(r->pg);
	free(r->slots);
	free(r);
}

unsigned int vbd_ring_inflight(const struct vbd_ring *r)
{
	return r->inflight;
}

bool vbd_ring_is_broken(const struct vbd_ring *r)
{
	return r->broken;
}

unsigned int vbd_ring_persistent_grants(const struct vbd_ring *r)
{
	return r->npg;
}
