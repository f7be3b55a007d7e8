/*
 * shoji/memory.h - __HYPERVISOR_memory_op(cmd, arg) sub-operations.
 */
#ifndef SHOJI_MEMORY_H
#define SHOJI_MEMORY_H

#include <shoji/xen.h>

#define XENMEM_increase_reservation       0 /* arg: struct xen_memory_reservation */
#define XENMEM_decrease_reservation       1 /* arg: struct xen_memory_reservation */
#define XENMEM_maximum_ram_page           2 /* arg unused; returns the highest RAM frame */
#define XENMEM_current_reservation        3 /* arg: domid_t *; returns pages held */
#define XENMEM_maximum_reservation        4 /* arg: domid_t *; returns the page limit */
#define XENMEM_machphys_mfn_list          5
#define XENMEM_populate_physmap           6  /* arg: struct xen_memory_reservation */
#define XENMEM_add_to_physmap             7  /* arg: struct xen_add_to_physmap */
#define XENMEM_memory_map                 9  /* arg: struct xen_memory_map (caller's E820) */
#define XENMEM_machine_memory_map         10 /* arg: struct xen_memory_map (host's E820) */
#define XENMEM_exchange                   11 /* arg: struct xen_memory_exchange */
#define XENMEM_machphys_mapping           12
#define XENMEM_set_memory_map             13 /* arg: struct xen_foreign_memory_map */
#define XENMEM_maximum_gpfn               14 /* arg: domid_t *; returns the highest GFN */
#define XENMEM_remove_from_physmap        15 /* arg: struct xen_remove_from_physmap */
#define XENMEM_set_pod_target             16
#define XENMEM_get_pod_target             17
#define XENMEM_get_sharing_freed_pages    18
#define XENMEM_get_sharing_shared_pages   19
#define XENMEM_paging_op                  20
#define XENMEM_access_op                  21
#define XENMEM_sharing_op                 22
#define XENMEM_add_to_physmap_batch       23
#define XENMEM_claim_pages                24
#define XENMEM_machphys_compat_mfn_list   25
#define XENMEM_get_vnumainfo              26
#define XENMEM_reserved_device_memory_map 27
#define XENMEM_acquire_resource           28

/* xen_memory_reservation.mem_flags */
#define XENMEMF_address_bits(x)     (x)
#define XENMEMF_get_address_bits(x) ((x)&0xffu)
#define XENMEMF_node(x)             (((x) + 1) << 8)
#define XENMEMF_get_node(x)         ((((x) >> 8) - 1) & 0xffu)
#define XENMEMF_populate_on_demand  (1 << 16)
#define XENMEMF_exact_node_request  (1 << 17)
#define XENMEMF_exact_node(n)       (XENMEMF_node(n) | XENMEMF_exact_node_request)
#define XENMEMF_vnode               (1 << 18)

/* xen_add_to_physmap.space */
#define XENMAPSPACE_shared_info      0 /* idx 0: the shared_info page */
#define XENMAPSPACE_grant_table      1 /* idx: grant-table frame (| XENMAPIDX_grant_table_status) */
#define XENMAPSPACE_gmfn             2 /* idx: a GFN of the caller to move */
#define XENMAPSPACE_gmfn_range       3 /* like gmfn, size frames from idx */
#define XENMAPSPACE_gmfn_foreign     4 /* a frame of another domain (batch only) */
#define XENMAPSPACE_dev_mmio         5 /* device MMIO (Arm) */
#define XENMAPIDX_grant_table_status 0x80000000U

/* E820 entry types (struct e820entry.type). */
#define E820_RAM      1
#define E820_RESERVED 2
#define E820_ACPI     3
#define E820_NVS      4
#define E820_UNUSABLE 5

#ifndef __ASSEMBLY__

/*
 * increase/decrease_reservation and populate_physmap: nr_extents extents
 * of 2^extent_order pages each.  extent_start lists the GFNs (in for
 * populate/decrease, out for increase); the call returns the number of
 * extents handled, which is less than nr_extents on partial failure.
 */
struct xen_memory_reservation {
	XEN_GUEST_HANDLE(xen_pfn_t) extent_start;
	xen_ulong_t nr_extents;
	unsigned int extent_order;
	unsigned int mem_flags; /* XENMEMF_* */
	domid_t domid;          /* usually DOMID_SELF */
};
typedef struct xen_memory_reservation xen_memory_reservation_t;
DEFINE_XEN_GUEST_HANDLE(xen_memory_reservation_t);
SHOJI_ABI_SIZE(struct xen_memory_reservation, 32);
SHOJI_ABI_OFFSET(struct xen_memory_reservation, nr_extents, 8);
SHOJI_ABI_OFFSET(struct xen_memory_reservation, extent_order, 16);
SHOJI_ABI_OFFSET(struct xen_memory_reservation, mem_flags, 20);
SHOJI_ABI_OFFSET(struct xen_memory_reservation, domid, 24);

struct xen_memory_exchange {
	struct xen_memory_reservation in;
	struct xen_memory_reservation out;
	xen_ulong_t nr_exchanged; /* OUT: extents exchanged so far */
};
typedef struct xen_memory_exchange xen_memory_exchange_t;
SHOJI_ABI_SIZE(struct xen_memory_exchange, 72);

/* Place the frame (space, idx) of domain domid at guest frame gpfn. */
struct xen_add_to_physmap {
	domid_t domid;
	uint16_t size;      /* frame count, XENMAPSPACE_gmfn_range only */
	unsigned int space; /* XENMAPSPACE_* */
	xen_ulong_t idx;
	xen_pfn_t gpfn;
};
typedef struct xen_add_to_physmap xen_add_to_physmap_t;
SHOJI_ABI_SIZE(struct xen_add_to_physmap, 24);
SHOJI_ABI_OFFSET(struct xen_add_to_physmap, size, 2);
SHOJI_ABI_OFFSET(struct xen_add_to_physmap, space, 4);
SHOJI_ABI_OFFSET(struct xen_add_to_physmap, idx, 8);
SHOJI_ABI_OFFSET(struct xen_add_to_physmap, gpfn, 16);

struct xen_remove_from_physmap {
	domid_t domid;
	xen_pfn_t gpfn;
};
typedef struct xen_remove_from_physmap xen_remove_from_physmap_t;
SHOJI_ABI_SIZE(struct xen_remove_from_physmap, 16);
SHOJI_ABI_OFFSET(struct xen_remove_from_physmap, gpfn, 8);

/*
 * XENMEM_memory_map: nr_entries is IN the capacity of buffer (in entries)
 * and OUT the number written; buffer receives struct e820entry records.
 */
struct xen_memory_map {
	unsigned int nr_entries;
	XEN_GUEST_HANDLE(void) buffer;
};
typedef struct xen_memory_map xen_memory_map_t;
SHOJI_ABI_SIZE(struct xen_memory_map, 16);
SHOJI_ABI_OFFSET(struct xen_memory_map, buffer, 8);

struct xen_foreign_memory_map {
	domid_t domid;
	struct xen_memory_map map;
};
typedef struct xen_foreign_memory_map xen_foreign_memory_map_t;
SHOJI_ABI_SIZE(struct xen_foreign_memory_map, 24);
SHOJI_ABI_OFFSET(struct xen_foreign_memory_map, map, 8);

/* One BIOS E820 map entry as XENMEM_memory_map returns it: 20 packed bytes. */
struct e820entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type; /* E820_* */
} __attribute__((__packed__));
SHOJI_ABI_SIZE(struct e820entry, 20);
SHOJI_ABI_OFFSET(struct e820entry, size, 8);
SHOJI_ABI_OFFSET(struct e820entry, type, 16);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_MEMORY_H */
