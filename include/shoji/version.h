/*
 * shoji/version.h - __HYPERVISOR_xen_version(cmd, arg) sub-operations.
 */
#ifndef SHOJI_VERSION_H
#define SHOJI_VERSION_H

#include <shoji/xen.h>

/* Returns (major << 16) | minor; arg is unused. */
#define XENVER_version 0
/* Fills a xen_extraversion_t ("-shoji", ".0", ...). */
#define XENVER_extraversion 1
/* Fills a struct xen_compile_info. */
#define XENVER_compile_info 2
/* Fills a xen_capabilities_info_t ("xen-3.0-x86_64 hvm-3.0-x86_64 ..."). */
#define XENVER_capabilities 3
/* Fills a xen_changeset_info_t. */
#define XENVER_changeset 4
/* Fills a struct xen_platform_parameters. */
#define XENVER_platform_parameters 5
/* Reads and writes a struct xen_feature_info (submap_idx in, submap out). */
#define XENVER_get_features 6
/* Returns the page size; arg is unused. */
#define XENVER_pagesize 7
/* Fills a xen_domain_handle_t with the caller's 16-byte handle (UUID). */
#define XENVER_guest_handle 8
/* Fills a xen_commandline_t with the hypervisor command line. */
#define XENVER_commandline 9
/* Fills a variable-length build id (uint32_t len, then len bytes). */
#define XENVER_build_id           10

#define XEN_EXTRAVERSION_LEN      16
#define XEN_CAPABILITIES_INFO_LEN 1024
#define XEN_CHANGESET_INFO_LEN    64
#define XEN_COMMANDLINE_LEN       1024

/* Feature bits returned in submap 0 by XENVER_get_features. */
#define XENFEAT_writable_page_tables       0
#define XENFEAT_writable_descriptor_tables 1
#define XENFEAT_auto_translated_physmap    2
#define XENFEAT_supervisor_mode_kernel     3
#define XENFEAT_pae_pgdir_above_4gb        4
#define XENFEAT_mmu_pt_update_preserve_ad  5
#define XENFEAT_highmem_assist             6
#define XENFEAT_gnttab_map_avail_bits      7
#define XENFEAT_hvm_callback_vector        8
#define XENFEAT_hvm_safe_pvclock           9
#define XENFEAT_hvm_pirqs                  10
#define XENFEAT_dom0                       11
#define XENFEAT_grant_map_identity         12
#define XENFEAT_memory_op_vnode_supported  13
#define XENFEAT_ARM_SMCCC_supported        14
#define XENFEAT_linux_rsdp_unrestricted    15
#define XENFEAT_not_direct_mapped          16
#define XENFEAT_direct_mapped              17
#define XENFEAT_NR_SUBMAPS                 1

#ifndef __ASSEMBLY__

typedef char xen_extraversion_t[XEN_EXTRAVERSION_LEN];
typedef char xen_capabilities_info_t[XEN_CAPABILITIES_INFO_LEN];
typedef char xen_changeset_info_t[XEN_CHANGESET_INFO_LEN];
typedef char xen_commandline_t[XEN_COMMANDLINE_LEN];
typedef uint8_t xen_domain_handle_t[16];

struct xen_compile_info {
	char compiler[64];
	char compile_by[16];
	char compile_domain[32];
	char compile_date[32];
};
typedef struct xen_compile_info xen_compile_info_t;
SHOJI_ABI_SIZE(struct xen_compile_info, 144);
SHOJI_ABI_OFFSET(struct xen_compile_info, compile_by, 64);
SHOJI_ABI_OFFSET(struct xen_compile_info, compile_domain, 80);
SHOJI_ABI_OFFSET(struct xen_compile_info, compile_date, 112);

struct xen_platform_parameters {
	xen_ulong_t virt_start; /* PV only: start of the hypervisor hole */
};
typedef struct xen_platform_parameters xen_platform_parameters_t;
SHOJI_ABI_SIZE(struct xen_platform_parameters, 8);

struct xen_feature_info {
	unsigned int submap_idx; /* IN: which 32-bit submap */
	uint32_t submap;         /* OUT: its XENFEAT_* bits */
};
typedef struct xen_feature_info xen_feature_info_t;
SHOJI_ABI_SIZE(struct xen_feature_info, 8);
SHOJI_ABI_OFFSET(struct xen_feature_info, submap, 4);

SHOJI_ABI_SIZE(xen_extraversion_t, 16);
SHOJI_ABI_SIZE(xen_changeset_info_t, 64);
SHOJI_ABI_SIZE(xen_domain_handle_t, 16);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_VERSION_H */
