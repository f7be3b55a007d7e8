/*
 * shoji/io/blkif.h - the PV block device ring protocol.
 *
 * The frontend publishes in its xenstore directory ring-ref (the grant of
 * a one-page struct blkif_sring) and event-channel; the backend publishes
 * sectors, sector-size, info (VDISK_*) and feature-* nodes.  A request
 * moves data between the disk and up to BLKIF_MAX_SEGMENTS_PER_REQUEST
 * granted pages; each segment covers 512-byte sectors
 * first_sect..last_sect (inclusive, 0..7) of its page.
 *
 * Discard and indirect requests reuse the request slot with the layouts
 * of struct blkif_request_discard and struct blkif_request_indirect.  An
 * indirect request lists nr_segments segments in granted pages (512 per
 * page, BLKIF_SEGS_PER_INDIRECT_FRAME), at most
 * BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST of them, and only up to the
 * backend's feature-max-indirect-segments.
 *
 * Backend nodes (besides those above): mode, feature-barrier,
 * feature-flush-cache, feature-discard (+ discard-granularity,
 * discard-alignment, discard-secure), feature-persistent,
 * feature-max-indirect-segments, max-ring-page-order,
 * multi-queue-max-queues, physical-sector-size.  Frontend nodes: ring-ref
 * (one page) or ring-page-order + ring-ref0..N, event-channel, protocol
 * ("x86_64-abi" or "x86_32-abi"), feature-persistent, multi-queue-num-queues with
 * queue-N/ring-ref* and queue-N/event-channel.
 */
#ifndef SHOJI_IO_BLKIF_H
#define SHOJI_IO_BLKIF_H

#include <shoji/io/ring.h>
#include <shoji/grant_table.h>

#define BLKIF_OP_READ                        0 /* read sectors into the segments */
#define BLKIF_OP_WRITE                       1 /* write the segments to the disk */
#define BLKIF_OP_WRITE_BARRIER               2 /* write, ordered after all earlier writes */
#define BLKIF_OP_FLUSH_DISKCACHE             3 /* write, then flush the disk cache */
#define BLKIF_OP_RESERVED_1                  4
#define BLKIF_OP_DISCARD                     5 /* sectors are no longer needed */
#define BLKIF_OP_INDIRECT                    6 /* segments listed in granted pages */

#define BLKIF_MAX_SEGMENTS_PER_REQUEST       11
#define BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST 8

/* blkif_request_discard.flag */
#define BLKIF_DISCARD_SECURE 0x1 /* ignored unless the backend offers discard-secure */

/* Segments in one indirect page: 4096 / sizeof(struct blkif_request_segment). */
#define BLKIF_SEGS_PER_INDIRECT_FRAME 512

/* blkif_response.status */
#define BLKIF_RSP_EOPNOTSUPP (-2) /* operation not supported */
#define BLKIF_RSP_ERROR      (-1) /* the request failed */
#define BLKIF_RSP_OKAY       0    /* success */

/* Bits of the backend's "info" node. */
#define VDISK_CDROM     0x1
#define VDISK_REMOVABLE 0x2
#define VDISK_READONLY  0x4

/* Sector size of the segment fields (first_sect, last_sect, sector_number). */
#define XEN_BLKIF_SECTOR_SIZE 512

typedef uint16_t blkif_vdev_t;
typedef uint64_t blkif_sector_t;

struct blkif_request_segment {
	grant_ref_t gref;   /* granted page */
	uint8_t first_sect; /* first sector in the page, 0..7 */
	uint8_t last_sect;  /* last sector in the page, first_sect..7 */
};
SHOJI_ABI_SIZE(struct blkif_request_segment, 8);
SHOJI_ABI_OFFSET(struct blkif_request_segment, first_sect, 4);
SHOJI_ABI_OFFSET(struct blkif_request_segment, last_sect, 5);

struct blkif_request {
	uint8_t operation;            /* BLKIF_OP_* */
	uint8_t nr_segments;          /* 1..BLKIF_MAX_SEGMENTS_PER_REQUEST (0 for a pure flush) */
	blkif_vdev_t handle;          /* device handle (ignored by most backends) */
	uint64_t id;                  /* copied to the response */
	blkif_sector_t sector_number; /* first disk sector */
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
};
typedef struct blkif_request blkif_request_t;
SHOJI_ABI_SIZE(struct blkif_request, 112);
SHOJI_ABI_OFFSET(struct blkif_request, nr_segments, 1);
SHOJI_ABI_OFFSET(struct blkif_request, handle, 2);
SHOJI_ABI_OFFSET(struct blkif_request, id, 8);
SHOJI_ABI_OFFSET(struct blkif_request, sector_number, 16);
SHOJI_ABI_OFFSET(struct blkif_request, seg, 24);

struct blkif_request_discard {
	uint8_t operation;            /* BLKIF_OP_DISCARD */
	uint8_t flag;                 /* BLKIF_DISCARD_SECURE or 0 */
	blkif_vdev_t handle;          /* as for read/write */
	uint64_t id;                  /* copied to the response */
	blkif_sector_t sector_number; /* first sector to discard */
	uint64_t nr_sectors;          /* how many */
};
typedef struct blkif_request_discard blkif_request_discard_t;
SHOJI_ABI_SIZE(struct blkif_request_discard, 32);
SHOJI_ABI_OFFSET(struct blkif_request_discard, flag, 1);
SHOJI_ABI_OFFSET(struct blkif_request_discard, handle, 2);
SHOJI_ABI_OFFSET(struct blkif_request_discard, id, 8);
SHOJI_ABI_OFFSET(struct blkif_request_discard, sector_number, 16);
SHOJI_ABI_OFFSET(struct blkif_request_discard, nr_sectors, 24);

struct blkif_request_indirect {
	uint8_t operation;            /* BLKIF_OP_INDIRECT */
	uint8_t indirect_op;          /* BLKIF_OP_READ or BLKIF_OP_WRITE */
	uint16_t nr_segments;         /* 1..feature-max-indirect-segments */
	uint64_t id;                  /* copied to the response */
	blkif_sector_t sector_number; /* first disk sector */
	blkif_vdev_t handle;          /* as for read/write */
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST]; /* segment pages */
};
typedef struct blkif_request_indirect blkif_request_indirect_t;
SHOJI_ABI_SIZE(struct blkif_request_indirect, 64);
SHOJI_ABI_OFFSET(struct blkif_request_indirect, indirect_op, 1);
SHOJI_ABI_OFFSET(struct blkif_request_indirect, nr_segments, 2);
SHOJI_ABI_OFFSET(struct blkif_request_indirect, id, 8);
SHOJI_ABI_OFFSET(struct blkif_request_indirect, sector_number, 16);
SHOJI_ABI_OFFSET(struct blkif_request_indirect, handle, 24);
SHOJI_ABI_OFFSET(struct blkif_request_indirect, indirect_grefs, 28);

struct blkif_response {
	uint64_t id;       /* the request's id */
	uint8_t operation; /* the request's operation */
	int16_t status;    /* BLKIF_RSP_* */
};
typedef struct blkif_response blkif_response_t;
SHOJI_ABI_SIZE(struct blkif_response, 16);
SHOJI_ABI_OFFSET(struct blkif_response, operation, 8);
SHOJI_ABI_OFFSET(struct blkif_response, status, 10);

DEFINE_RING_TYPES(blkif, struct blkif_request, struct blkif_response);

/*
 * The layouts of a 32-bit frontend (protocol "x86_32-abi"): the same
 * fields, with 64-bit members only 4-byte aligned as the i386 ABI has them
 * (packed, with the i386 padding spelt out).
 * A 64-bit backend reads such a ring through these types.
 */
struct blkif_x86_32_request {
	uint8_t operation;
	uint8_t nr_segments;
	blkif_vdev_t handle;
	uint64_t id;
	blkif_sector_t sector_number;
	struct blkif_request_segment seg[BLKIF_MAX_SEGMENTS_PER_REQUEST];
} __attribute__((packed, aligned(4)));
SHOJI_ABI_SIZE(struct blkif_x86_32_request, 108);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request, id, 4);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request, sector_number, 12);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request, seg, 20);

struct blkif_x86_32_request_discard {
	uint8_t operation;
	uint8_t flag;
	blkif_vdev_t handle;
	uint64_t id;
	blkif_sector_t sector_number;
	uint64_t nr_sectors;
} __attribute__((packed, aligned(4)));
SHOJI_ABI_SIZE(struct blkif_x86_32_request_discard, 28);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request_discard, id, 4);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request_discard, nr_sectors, 20);

struct blkif_x86_32_request_indirect {
	uint8_t operation;
	uint8_t indirect_op;
	uint16_t nr_segments;
	uint64_t id;
	blkif_sector_t sector_number;
	blkif_vdev_t handle;
	uint16_t _pad1;
	grant_ref_t indirect_grefs[BLKIF_MAX_INDIRECT_PAGES_PER_REQUEST];
	uint64_t _pad2; /* 64 bytes, as on i386 */
} __attribute__((packed, aligned(4)));
SHOJI_ABI_SIZE(struct blkif_x86_32_request_indirect, 64);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request_indirect, id, 4);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request_indirect, sector_number, 12);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request_indirect, handle, 20);
SHOJI_ABI_OFFSET(struct blkif_x86_32_request_indirect, indirect_grefs, 24);

struct blkif_x86_32_response {
	uint64_t id;
	uint8_t operation;
	uint8_t _pad;
	int16_t status;
} __attribute__((packed, aligned(4)));
SHOJI_ABI_SIZE(struct blkif_x86_32_response, 12);
SHOJI_ABI_OFFSET(struct blkif_x86_32_response, operation, 8);
SHOJI_ABI_OFFSET(struct blkif_x86_32_response, status, 10);

DEFINE_RING_TYPES(blkif_x86_32, struct blkif_x86_32_request, struct blkif_x86_32_response);

/* Slots of a one-page block ring: 32. */
#define BLKIF_RING_SIZE_1PAGE __CONST_RING_SIZE(blkif, 4096)
SHOJI_ABI_CHECK(BLKIF_RING_SIZE_1PAGE == 32, "a one-page blkif ring has 32 slots");

#endif /* SHOJI_IO_BLKIF_H */
