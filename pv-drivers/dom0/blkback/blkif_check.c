/*
 * blkif_check.c: the request validator (see blkif_check.h).  A pure
 * function: no I/O, no state, so the unit tests and the fuzzer call it
 * exactly as the ring consumer does.
 */
#include "config.h"

#include <string.h>

#include "blkif_check.h"

/* The range [sector, sector + n) lies inside a disk of @sectors (no overflow). */
static bool range_ok(uint64_t sector, uint64_t n, uint64_t sectors)
{
	return sector <= sectors && n <= sectors - sector;
}

/* Segments of a read or write: their count, each one's sectors, and the disk range. */
static int check_segments(const struct blkif_request *req, const struct blk_limits *lim,
                          bool allow_none, struct blk_req *out)
{
	uint64_t total = 0;

	if (req->nr_segments > BLKIF_MAX_SEGMENTS_PER_REQUEST)
		return BLKIF_RSP_ERROR;
	if (req->nr_segments == 0 && !allow_none)
		return BLKIF_RSP_ERROR;
	for (unsigned int i = 0; i < req->nr_segments; i++) {
		const struct blkif_request_segment *s = &req->seg[i];

		if (s->first_sect > s->last_sect || s->last_sect >= BLK_SECTORS_PER_PAGE)
			return BLKIF_RSP_ERROR;
		total += (uint64_t)(s->last_sect - s->first_sect) + 1;
		out->seg[i] = *s;
	}
	out->nr_segs = req->nr_segments;
	out->nr_sectors = total;
	out->sector = total > 0 ? req->sector_number : 0; /* a bare flush has no range */
	if (total > 0 && !range_ok(req->sector_number, total, lim->sectors))
		return BLKIF_RSP_ERROR;
	if (total > 0 && out->kind != BLK_READ && lim->readonly)
		return BLKIF_RSP_ERROR;
	return BLKIF_RSP_OKAY;
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
	memset(out, 0, sizeof(*out));
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
	default: /* BLKIF_OP_INDIRECT (not offered), reserved, unknown */
		return BLKIF_RSP_EOPNOTSUPP;
	}
}
