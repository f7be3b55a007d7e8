/*
 * shoji/grant_table.h - grant tables: __HYPERVISOR_grant_table_op(cmd,
 * arg, count) with arg pointing to an array of count structs.
 *
 * A domain shares one of its frames by filling an entry of its own grant
 * table (frame, peer domid, then flags last, after a write barrier); the
 * peer names the entry by (domid, grant_ref_t) in map or copy operations.
 * Grant table version 1 entries are 8 bytes; the version 2 layout is given
 * for completeness.
 */
#ifndef SHOJI_GRANT_TABLE_H
#define SHOJI_GRANT_TABLE_H

#include <shoji/xen.h>

#define GNTTABOP_map_grant_ref     0  /* struct gnttab_map_grant_ref */
#define GNTTABOP_unmap_grant_ref   1  /* struct gnttab_unmap_grant_ref */
#define GNTTABOP_setup_table       2  /* struct gnttab_setup_table */
#define GNTTABOP_dump_table        3  /* struct gnttab_dump_table */
#define GNTTABOP_transfer          4  /* struct gnttab_transfer */
#define GNTTABOP_copy              5  /* struct gnttab_copy */
#define GNTTABOP_query_size        6  /* struct gnttab_query_size */
#define GNTTABOP_unmap_and_replace 7  /* struct gnttab_unmap_and_replace */
#define GNTTABOP_set_version       8  /* struct gnttab_set_version */
#define GNTTABOP_get_status_frames 9  /* struct gnttab_get_status_frames */
#define GNTTABOP_get_version       10 /* struct gnttab_get_version */
#define GNTTABOP_swap_grant_ref    11 /* struct gnttab_swap_grant_ref */
#define GNTTABOP_cache_flush       12 /* struct gnttab_cache_flush */

/* Entry type, in the low two bits of the flags field. */
#define GTF_invalid         (0U << 0) /* entry grants nothing */
#define GTF_permit_access   (1U << 0) /* domid may map/copy frame */
#define GTF_accept_transfer (2U << 0) /* domid may transfer a frame into it */
#define GTF_transitive      (3U << 0) /* v2: re-grant of another grant */
#define GTF_type_mask       (3U << 0)

/* Flags of GTF_permit_access entries; _GTF_* are the bit numbers. */
#define _GTF_readonly 2 /* set by the granter: read-only access */
#define GTF_readonly  (1U << _GTF_readonly)
#define _GTF_reading  3 /* set by the hypervisor while the peer reads */
#define GTF_reading   (1U << _GTF_reading)
#define _GTF_writing  4 /* set by the hypervisor while the peer may write */
#define GTF_writing   (1U << _GTF_writing)
#define _GTF_PWT      5 /* cache attributes of the mapping */
#define GTF_PWT       (1U << _GTF_PWT)
#define _GTF_PCD      6
#define GTF_PCD       (1U << _GTF_PCD)
#define _GTF_PAT      7
#define GTF_PAT       (1U << _GTF_PAT)
#define _GTF_sub_page 8 /* v2: only part of the frame is granted */
#define GTF_sub_page  (1U << _GTF_sub_page)

/* Flags of GTF_accept_transfer entries. */
#define _GTF_transfer_committed 2
#define GTF_transfer_committed  (1U << _GTF_transfer_committed)
#define _GTF_transfer_completed 3
#define GTF_transfer_completed  (1U << _GTF_transfer_completed)

/* gnttab_map_grant_ref.flags */
#define _GNTMAP_device_map      0 /* map for device DMA (dev_bus_addr) */
#define GNTMAP_device_map       (1U << _GNTMAP_device_map)
#define _GNTMAP_host_map        1 /* map into the caller's address space */
#define GNTMAP_host_map         (1U << _GNTMAP_host_map)
#define _GNTMAP_readonly        2 /* read-only mapping */
#define GNTMAP_readonly         (1U << _GNTMAP_readonly)
#define _GNTMAP_application_map 3 /* PV: user-accessible mapping */
#define GNTMAP_application_map  (1U << _GNTMAP_application_map)
#define _GNTMAP_contains_pte    4 /* PV: host_addr is a PTE address */
#define GNTMAP_contains_pte     (1U << _GNTMAP_contains_pte)
#define _GNTMAP_guest_avail0    16 /* bits 16+ are free for the guest */
#define GNTMAP_guest_avail_mask ((uint32_t)~0 << _GNTMAP_guest_avail0)

/* gnttab_copy.flags */
#define _GNTCOPY_source_gref 0 /* source.u.ref is a grant, else source.u.gmfn a frame */
#define GNTCOPY_source_gref  (1U << _GNTCOPY_source_gref)
#define _GNTCOPY_dest_gref   1 /* dest.u.ref is a grant, else dest.u.gmfn a frame */
#define GNTCOPY_dest_gref    (1U << _GNTCOPY_dest_gref)

/* gnttab_cache_flush.op */
#define GNTTAB_CACHE_CLEAN       (1U << 0)
#define GNTTAB_CACHE_INVAL       (1U << 1)
#define GNTTAB_CACHE_SOURCE_GREF (1U << 31)

/* Per-operation status codes (the status fields below). */
#define GNTST_okay              (0)
#define GNTST_general_error     (-1)  /* unspecified failure */
#define GNTST_bad_domain        (-2)  /* unknown or invalid domain */
#define GNTST_bad_gntref        (-3)  /* grant reference out of range or unusable */
#define GNTST_bad_handle        (-4)  /* unknown map handle */
#define GNTST_bad_virt_addr     (-5)  /* bad host_addr */
#define GNTST_bad_dev_addr      (-6)  /* bad dev_bus_addr */
#define GNTST_no_device_space   (-7)  /* out of device mapping space */
#define GNTST_permission_denied (-8)  /* the grant does not allow this */
#define GNTST_bad_page          (-9)  /* bad frame */
#define GNTST_bad_copy_arg      (-10) /* copy crosses a page boundary */
#define GNTST_address_too_big   (-11) /* transfer frame above the peer's limit */
#define GNTST_eagain            (-12) /* try again (paged-out frame) */
#define GNTST_no_space          (-13) /* out of space */

/* Names of the GNTST_* codes, index = -status.  Expand with X(name, text). */
#define GNTTABOP_ERROR_LIST(X)                                                                     \
	X(okay, "okay")                                                                            \
	X(general_error, "unspecified error")                                                      \
	X(bad_domain, "unknown domain")                                                            \
	X(bad_gntref, "bad grant reference")                                                       \
	X(bad_handle, "bad map handle")                                                            \
	X(bad_virt_addr, "bad virtual address")                                                    \
	X(bad_dev_addr, "bad device address")                                                      \
	X(no_device_space, "no I/O MMU mapping space left")                                        \
	X(permission_denied, "permission denied")                                                  \
	X(bad_page, "bad page")                                                                    \
	X(bad_copy_arg, "copy crosses a page boundary")                                            \
	X(address_too_big, "frame address too large")                                              \
	X(eagain, "try again")                                                                     \
	X(no_space, "out of space")

#ifndef __ASSEMBLY__

typedef uint32_t grant_ref_t;
typedef uint32_t grant_handle_t;
DEFINE_XEN_GUEST_HANDLE(grant_ref_t);

/* Version 1 grant entry. */
struct grant_entry_v1 {
	uint16_t flags; /* GTF_*; written last by the granter */
	domid_t domid;  /* the domain being granted access */
	uint32_t frame; /* the granted frame (GFN) */
};
typedef struct grant_entry_v1 grant_entry_v1_t;
SHOJI_ABI_SIZE(struct grant_entry_v1, 8);
SHOJI_ABI_OFFSET(struct grant_entry_v1, domid, 2);
SHOJI_ABI_OFFSET(struct grant_entry_v1, frame, 4);

/* Entries per 4 KiB grant-table frame. */
#define GNTTAB_NR_ENTRIES_V1 (4096 / sizeof(grant_entry_v1_t))
/* First grant references reserved for the toolstack (console, xenstore). */
#define GNTTAB_NR_RESERVED_ENTRIES 8
#define GNTTAB_RESERVED_CONSOLE    0
#define GNTTAB_RESERVED_XENSTORE   1

/* Version 2 grant entry (16 bytes) and its status word. */
struct grant_entry_header {
	uint16_t flags;
	domid_t domid;
};
typedef struct grant_entry_header grant_entry_header_t;
SHOJI_ABI_SIZE(struct grant_entry_header, 4);

union grant_entry_v2 {
	grant_entry_header_t hdr;
	struct {
		grant_entry_header_t hdr;
		uint32_t pad0;
		uint64_t frame;
	} full_page;
	struct {
		grant_entry_header_t hdr;
		uint16_t page_off;
		uint16_t length;
		uint64_t frame;
	} sub_page;
	struct {
		grant_entry_header_t hdr;
		domid_t trans_domid;
		uint16_t pad0;
		grant_ref_t gref;
	} transitive;
	uint32_t __spacer[4];
};
typedef union grant_entry_v2 grant_entry_v2_t;
typedef uint16_t grant_status_t;
SHOJI_ABI_SIZE(union grant_entry_v2, 16);
SHOJI_ABI_OFFSET(union grant_entry_v2, full_page.frame, 8);
SHOJI_ABI_OFFSET(union grant_entry_v2, sub_page.length, 6);
SHOJI_ABI_OFFSET(union grant_entry_v2, transitive.gref, 8);

/* Map the grant (dom, ref) at host_addr (a GPA for HVM callers). */
struct gnttab_map_grant_ref {
	uint64_t host_addr;    /* IN */
	uint32_t flags;        /* IN: GNTMAP_* */
	grant_ref_t ref;       /* IN */
	domid_t dom;           /* IN: the granting domain */
	int16_t status;        /* OUT: GNTST_* */
	grant_handle_t handle; /* OUT: for unmap */
	uint64_t dev_bus_addr; /* OUT: with GNTMAP_device_map */
};
typedef struct gnttab_map_grant_ref gnttab_map_grant_ref_t;
SHOJI_ABI_SIZE(struct gnttab_map_grant_ref, 32);
SHOJI_ABI_OFFSET(struct gnttab_map_grant_ref, flags, 8);
SHOJI_ABI_OFFSET(struct gnttab_map_grant_ref, ref, 12);
SHOJI_ABI_OFFSET(struct gnttab_map_grant_ref, dom, 16);
SHOJI_ABI_OFFSET(struct gnttab_map_grant_ref, status, 18);
SHOJI_ABI_OFFSET(struct gnttab_map_grant_ref, handle, 20);
SHOJI_ABI_OFFSET(struct gnttab_map_grant_ref, dev_bus_addr, 24);

struct gnttab_unmap_grant_ref {
	uint64_t host_addr;    /* IN */
	uint64_t dev_bus_addr; /* IN */
	grant_handle_t handle; /* IN: from the map */
	int16_t status;        /* OUT: GNTST_* */
};
typedef struct gnttab_unmap_grant_ref gnttab_unmap_grant_ref_t;
SHOJI_ABI_SIZE(struct gnttab_unmap_grant_ref, 24);
SHOJI_ABI_OFFSET(struct gnttab_unmap_grant_ref, dev_bus_addr, 8);
SHOJI_ABI_OFFSET(struct gnttab_unmap_grant_ref, handle, 16);
SHOJI_ABI_OFFSET(struct gnttab_unmap_grant_ref, status, 20);

/* Size dom's grant table to nr_frames and return the frames (PV). */
struct gnttab_setup_table {
	domid_t dom;                            /* IN */
	uint32_t nr_frames;                     /* IN */
	int16_t status;                         /* OUT: GNTST_* */
	XEN_GUEST_HANDLE(xen_pfn_t) frame_list; /* OUT */
};
typedef struct gnttab_setup_table gnttab_setup_table_t;
SHOJI_ABI_SIZE(struct gnttab_setup_table, 24);
SHOJI_ABI_OFFSET(struct gnttab_setup_table, nr_frames, 4);
SHOJI_ABI_OFFSET(struct gnttab_setup_table, status, 8);
SHOJI_ABI_OFFSET(struct gnttab_setup_table, frame_list, 16);

struct gnttab_dump_table {
	domid_t dom;    /* IN */
	int16_t status; /* OUT */
};
typedef struct gnttab_dump_table gnttab_dump_table_t;
SHOJI_ABI_SIZE(struct gnttab_dump_table, 4);

struct gnttab_transfer {
	xen_pfn_t mfn;   /* IN: frame to give away */
	domid_t domid;   /* IN: receiver */
	grant_ref_t ref; /* IN: receiver's GTF_accept_transfer entry */
	int16_t status;  /* OUT */
};
typedef struct gnttab_transfer gnttab_transfer_t;
SHOJI_ABI_SIZE(struct gnttab_transfer, 24);
SHOJI_ABI_OFFSET(struct gnttab_transfer, domid, 8);
SHOJI_ABI_OFFSET(struct gnttab_transfer, ref, 12);
SHOJI_ABI_OFFSET(struct gnttab_transfer, status, 16);

/*
 * Copy len bytes between two (domain, frame or grant, offset) places; the
 * range must not cross a page boundary on either side.
 */
struct gnttab_copy_ptr {
	union {
		grant_ref_t ref; /* with GNTCOPY_*_gref */
		xen_pfn_t gmfn;  /* otherwise: a frame of domid (the caller's) */
	} u;
	domid_t domid;
	uint16_t offset; /* byte offset inside the page */
};
SHOJI_ABI_SIZE(struct gnttab_copy_ptr, 16);
SHOJI_ABI_OFFSET(struct gnttab_copy_ptr, domid, 8);
SHOJI_ABI_OFFSET(struct gnttab_copy_ptr, offset, 10);

struct gnttab_copy {
	struct gnttab_copy_ptr source; /* IN */
	struct gnttab_copy_ptr dest;   /* IN */
	uint16_t len;                  /* IN */
	uint16_t flags;                /* IN: GNTCOPY_* */
	int16_t status;                /* OUT: GNTST_* */
};
typedef struct gnttab_copy gnttab_copy_t;
SHOJI_ABI_SIZE(struct gnttab_copy, 40);
SHOJI_ABI_OFFSET(struct gnttab_copy, dest, 16);
SHOJI_ABI_OFFSET(struct gnttab_copy, len, 32);
SHOJI_ABI_OFFSET(struct gnttab_copy, flags, 34);
SHOJI_ABI_OFFSET(struct gnttab_copy, status, 36);

struct gnttab_query_size {
	domid_t dom;            /* IN */
	uint32_t nr_frames;     /* OUT: current size in frames */
	uint32_t max_nr_frames; /* OUT: limit */
	int16_t status;         /* OUT */
};
typedef struct gnttab_query_size gnttab_query_size_t;
SHOJI_ABI_SIZE(struct gnttab_query_size, 16);
SHOJI_ABI_OFFSET(struct gnttab_query_size, nr_frames, 4);
SHOJI_ABI_OFFSET(struct gnttab_query_size, max_nr_frames, 8);
SHOJI_ABI_OFFSET(struct gnttab_query_size, status, 12);

struct gnttab_unmap_and_replace {
	uint64_t host_addr;    /* IN */
	uint64_t new_addr;     /* IN */
	grant_handle_t handle; /* IN */
	int16_t status;        /* OUT */
};
typedef struct gnttab_unmap_and_replace gnttab_unmap_and_replace_t;
SHOJI_ABI_SIZE(struct gnttab_unmap_and_replace, 24);
SHOJI_ABI_OFFSET(struct gnttab_unmap_and_replace, handle, 16);
SHOJI_ABI_OFFSET(struct gnttab_unmap_and_replace, status, 20);

struct gnttab_set_version {
	uint32_t version; /* IN: 1 or 2; OUT: the version in force */
};
typedef struct gnttab_set_version gnttab_set_version_t;
SHOJI_ABI_SIZE(struct gnttab_set_version, 4);

struct gnttab_get_status_frames {
	uint32_t nr_frames;                    /* IN */
	domid_t dom;                           /* IN */
	int16_t status;                        /* OUT */
	XEN_GUEST_HANDLE(uint64_t) frame_list; /* OUT */
};
typedef struct gnttab_get_status_frames gnttab_get_status_frames_t;
SHOJI_ABI_SIZE(struct gnttab_get_status_frames, 16);
SHOJI_ABI_OFFSET(struct gnttab_get_status_frames, dom, 4);
SHOJI_ABI_OFFSET(struct gnttab_get_status_frames, status, 6);
SHOJI_ABI_OFFSET(struct gnttab_get_status_frames, frame_list, 8);

struct gnttab_get_version {
	domid_t dom; /* IN */
	uint16_t pad;
	uint32_t version; /* OUT */
};
typedef struct gnttab_get_version gnttab_get_version_t;
SHOJI_ABI_SIZE(struct gnttab_get_version, 8);
SHOJI_ABI_OFFSET(struct gnttab_get_version, version, 4);

struct gnttab_swap_grant_ref {
	grant_ref_t ref_a; /* IN */
	grant_ref_t ref_b; /* IN */
	int16_t status;    /* OUT */
};
typedef struct gnttab_swap_grant_ref gnttab_swap_grant_ref_t;
SHOJI_ABI_SIZE(struct gnttab_swap_grant_ref, 12);

struct gnttab_cache_flush {
	union {
		uint64_t dev_bus_addr;
		grant_ref_t ref; /* with GNTTAB_CACHE_SOURCE_GREF */
	} a;
	uint16_t offset; /* inside the page */
	uint16_t length;
	uint32_t op; /* GNTTAB_CACHE_* */
};
typedef struct gnttab_cache_flush gnttab_cache_flush_t;
SHOJI_ABI_SIZE(struct gnttab_cache_flush, 16);
SHOJI_ABI_OFFSET(struct gnttab_cache_flush, offset, 8);
SHOJI_ABI_OFFSET(struct gnttab_cache_flush, length, 10);
SHOJI_ABI_OFFSET(struct gnttab_cache_flush, op, 12);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_GRANT_TABLE_H */
