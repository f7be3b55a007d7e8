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

/* What a request is checked against: the disk and the features offered. */
struct blk_limits {
	uint64_t sectors; /* disk size in XEN_BLKIF_SECTOR_SIZE units */
	bool readonly;    /* mode=r, or a cdrom */
	bool discard;     /* feature-discard offered */
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
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};

/*
 * Check @req (a private copy of a ring slot) against @lim.  Returns
 * BLKIF_RSP_OKAY with @out filled, or the status to answer with:
 * BLKIF_RSP_EOPNOTSUPP for an operation not offered (indirect, reserved,
 * discard without feature-discard, unknown), BLKIF_RSP_ERROR for anything
 * malformed or not allowed.  out->id and out->operation are always set.
 */
int blkif_check_request(const struct blkif_request *req, const struct blk_limits *lim,
                        struct blk_req *out);

#endif
