/*
 * blkif_check.h - the one choke point for a frontend's block requests.
 *
 * The ring consumer copies each request out of the shared page once and
 * hands the copy here; nothing else in shoji-blkback reads a request.  A
 * request that passes comes back as a struct blk_req in host terms (kind,
 * sector range, segments) that is inside the disk and allowed on it.
 */
#ifndef BLKBACK_BLKIF_CHECK_H
#define BLKBACK_BLKIF_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include <shoji/io/blkif.h>

/* Sectors of one granted page (4096 / XEN_BLKIF_SECTOR_SIZE). */
#define BLK_SECTORS_PER_PAGE 8

/* feature-max-indirect-segments as shoji-blkback offers it (one indirect page). */
#define BLK_MAX_INDIRECT_SEGS 256

/* What a request is checked against: the disk and the features offered. */
struct blk_limits {
	uint64_t sectors;           /* disk size in XEN_BLKIF_SECTOR_SIZE units */
	bool readonly;              /* mode=r, or a cdrom */
	bool discard;               /* feature-discard offered */
	uint32_t max_indirect_segs; /* feature-max-indirect-segments offered; 0: none */
};

enum blk_kind {
	BLK_READ,    /* disk -> segments */
	BLK_WRITE,   /* segments -> disk */
	BLK_FLUSH,   /* segments (if any) -> disk, then the disk cache is flushed */
	BLK_BARRIER, /* as BLK_FLUSH, after every earlier request has completed */
	BLK_DISCARD, /* the sector range is no longer needed */
};

/* A checked request: everything the backend acts on. */
struct blk_req {
	uint64_t id;        /* opaque, echoed in the response */
	uint8_t operation;  /* as on the ring, echoed in the response */
	enum blk_kind kind; /* valid only when the check returned BLKIF_RSP_OKAY */
	uint64_t sector;    /* first disk sector */
	uint64_t nr_sectors;
	uint32_t nr_segs; /* 0 for a discard and a bare flush or barrier */
	bool indirect;    /* segments still to be read from the indirect pages */
	uint32_t nr_indirect_pages;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	struct blkif_request_segment seg[BLK_MAX_INDIRECT_SEGS];
};

/*
 * Check @req (a private copy of a ring slot) against @lim.  Returns
 * BLKIF_RSP_OKAY with @out filled, or the status to answer with:
 * BLKIF_RSP_EOPNOTSUPP for an operation not offered (indirect, reserved,
 * discard without feature-discard, indirect without
 * feature-max-indirect-segments, unknown), BLKIF_RSP_ERROR for anything
 * malformed or not allowed.  out->id and out->operation are always set.
 * An indirect request passes with out->indirect set and its segments
 * still unchecked: see blkif_check_indirect_segments().
 */
int blkif_check_request(const struct blkif_request *req, const struct blk_limits *lim,
                        struct blk_req *out);

/*
 * Second stage of an indirect request (out->indirect after the first):
 * @out->seg[0..out->nr_segs) now hold the segments copied once from the
 * indirect pages; check them and the sector range as for a direct
 * request.  BLKIF_RSP_OKAY (out->nr_sectors set) or BLKIF_RSP_ERROR.
 */
int blkif_check_indirect_segments(struct blk_req *out, const struct blk_limits *lim);

#endif
