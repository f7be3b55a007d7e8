/*
 * blkif_check.c: the request validator (see blkif_check.h).  A pure
 * function: no I/O, no state, so the unit tests and the fuzzer call it
 * exactly as the ring consumer does.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>

#include "blkif_check.h"

/* The range [sector, sector + n) lies inside a disk of @sectors (no overflow). */
static bool range_ok(uint64_t sector, uint64_t n, uint64_t sectors)
{
	return sector <= sectors && n <= sectors - sector;
}

/* The segments in out->seg[0..out->nr_segs): each one's sectors, and the disk range. */
static int check_segment_list(struct blk_req *out, const struct blk_limits *lim)
{
	uint64_t total = 0;

	for (uint32_t i = 0; i < out->nr_segs; i++) {
		const struct blkif_request_segment *s = &out->seg[i];

		if (s->first_sect > s->last_sect || s->last_sect >= BLK_SECTORS_PER_PAGE)
			return BLKIF_RSP_ERROR;
		total += (uint64_t)(s->last_sect - s->first_sect) + 1;
	}
	out->nr_sectors = total;
	if (total == 0)
		out->sector = 0; /* a bare flush has no range */
	else if (!range_ok(out->sector, total, lim->sectors))
		return BLKIF_RSP_ERROR;
	if (total > 0 && out->kind != BLK_READ && lim->readonly)
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
}

/* Segments of a read or write in the request itself: their count, then the list. */
static int check_segments(const struct blkif_request *req, const struct blk_limits *lim,
                          bool allow_none, struct blk_req *out)
{
	if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return BLKIF_RSP_ERROR;
	if (req->nr_segments == 0 && !allow_none)
		return BLKIF_RSP_ERROR;
	memcpy(out->seg, req->seg, req->nr_segments * sizeof(req->seg[0]));
	out->nr_segs = req->nr_segments;
	out->sector = req->sector_number;
	return check_segment_list(out, lim);
}

/* An indirect request's header: operation, segment count, indirect pages. */
static int check_indirect(const struct blkif_request *req, const struct blk_limits *lim,
                          struct blk_req *out)
{
	struct blkif_request_indirect ind;

	memcpy(&ind, req, sizeof(ind));
	if (!lim->max_indirect_segs)
		return BLKIF_RSP_EOPNOTSUPP;
	if (ind.indirect_op == BLKIF_OP_READ)
		out->kind = BLK_READ;
	else if (ind.indirect_op == BLKIF_OP_WRITE)
		out->kind = BLK_WRITE;
	else
		return BLKIF_RSP_ERROR;
	if (ind.nr_segments == 0 || ind.nr_segments > lim->max_indirect_segs ||
	    ind.nr_segments > BLK_MAX_INDIRECT_SEGS)
		return BLKIF_RSP_ERROR;
	if (out->kind == BLK_WRITE && lim->readonly)
		return BLKIF_RSP_ERROR;
	out->nr_indirect_pages =
	    (ind.nr_segments + BLKIF_SEGS_PER_INDIRECT_FRAME - 1u) / BLKIF_SEGS_PER_INDIRECT_FRAME;
	if (out->nr_indirect_pages > BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST)
		return BLKIF_RSP_ERROR;
	memcpy(out->indirect_grefs, ind.indirect_grefs,
	       out->nr_indirect_pages * sizeof(ind.indirect_grefs[0]));
	out->indirect = true;
	out->nr_segs = ind.nr_segments;
	out->sector = ind.sector_number;
	return BLKIF_RSP_OKAY;
}

int blkif_check_indirect_segments(struct blk_req *out, const struct blk_limits *lim)
{
	if (!out->indirect || out->nr_segs == 0 || out->nr_segs > BLK_MAX_INDIRECT_SEGS)
		return BLKIF_RSP_ERROR;
	out->indirect = false;
	return check_segment_list(out, lim);
}

static int check_discard(const struct blkif_request *req, const struct blk_limits *lim,
                         struct blk_req *out)
{
	struct blkif_request_discard d;

	memcpy(&d, req, sizeof(d));
	if (!lim->discard)
		return BLKIF_RSP_EOPNOTSUPP;
	if (lim->readonly || d.nr_sectors == 0)
		return BLKIF_RSP_ERROR;
	if (!range_ok(d.sector_number, d.nr_sectors, lim->sectors))
		return BLKIF_RSP_ERROR;
	out->sector = d.sector_number;
	out->nr_sectors = d.nr_sectors;
	out->nr_segs = 0;
	return BLKIF_RSP_OKAY;
}

int blkif_check_request(const struct blkif_request *req, const struct blk_limits *lim,
                        struct blk_req *out)
{
	memset(out, 0, offsetof(struct blk_req, seg)); /* the segments are written as checked */
	out->id = req->id;
	out->operation = req->operation;
	switch (req->operation) {
	case BLKIF_OP_READ:
		out->kind = BLK_READ;
		return check_segments(req, lim, false, out);
	case BLKIF_OP_WRITE:
		out->kind = BLK_WRITE;
		return check_segments(req, lim, false, out);
	case BLKIF_OP_FLUSH_DISKCACHE:
		out->kind = BLK_FLUSH;
		return check_segments(req, lim, true, out);
	case BLKIF_OP_WRITE_BARRIER:
		out->kind = BLK_BARRIER;
		return check_segments(req, lim, true, out);
	case BLKIF_OP_DISCARD:
		out->kind = BLK_DISCARD;
		return check_discard(req, lim, out);
	case BLKIF_OP_INDIRECT:
		return check_indirect(req, lim, out);
	default: /* reserved, unknown */
		return BLKIF_RSP_EOPNOTSUPP;
	}
}
