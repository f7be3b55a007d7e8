/*
 * shoji/start_info.h - the PVH boot information (struct hvm_start_info).
 *
 * A PVH guest enters at the address of its XEN_ELFNOTE_PHYS32_ENTRY note
 * in 32-bit protected mode with paging off, flat 4 GiB code and data
 * segments, and EBX holding the guest-physical address of an
 * hvm_start_info.  All addresses in these structures are guest-physical.
 * Layout version 0 ends at rsdp_paddr; version 1 adds the memory map.
 */
#ifndef SHOJI_START_INFO_H
#define SHOJI_START_INFO_H

#include <shoji/xen.h>

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578

/* hvm_memmap_table_entry.type (the E820 numbering). */
#define XEN_HVM_MEMMAP_TYPE_RAM      1
#define XEN_HVM_MEMMAP_TYPE_RESERVED 2
#define XEN_HVM_MEMMAP_TYPE_ACPI     3
#define XEN_HVM_MEMMAP_TYPE_NVS      4
#define XEN_HVM_MEMMAP_TYPE_UNUSABLE 5
#define XEN_HVM_MEMMAP_TYPE_DISABLED 6
#define XEN_HVM_MEMMAP_TYPE_PMEM     7

/* Byte offsets, for assembly boot code. */
#define HVM_START_INFO_OFF_MAGIC          0
#define HVM_START_INFO_OFF_VERSION        4
#define HVM_START_INFO_OFF_FLAGS          8
#define HVM_START_INFO_OFF_NR_MODULES     12
#define HVM_START_INFO_OFF_MODLIST_PADDR  16
#define HVM_START_INFO_OFF_CMDLINE_PADDR  24
#define HVM_START_INFO_OFF_RSDP_PADDR     32
#define HVM_START_INFO_OFF_MEMMAP_PADDR   40
#define HVM_START_INFO_OFF_MEMMAP_ENTRIES 48

#ifndef __ASSEMBLY__

struct hvm_start_info {
	uint32_t magic;          /* XEN_HVM_START_MAGIC_VALUE */
	uint32_t version;        /* 1: the memmap fields are valid */
	uint32_t flags;          /* SIF_* */
	uint32_t nr_modules;     /* entries at modlist_paddr */
	uint64_t modlist_paddr;  /* array of struct hvm_modlist_entry */
	uint64_t cmdline_paddr;  /* NUL-terminated command line, or 0 */
	uint64_t rsdp_paddr;     /* ACPI RSDP, or 0 */
	uint64_t memmap_paddr;   /* array of struct hvm_memmap_table_entry (v1) */
	uint32_t memmap_entries; /* entries at memmap_paddr (v1) */
	uint32_t reserved;       /* zero */
};
SHOJI_ABI_SIZE(struct hvm_start_info, 56);
SHOJI_ABI_OFFSET(struct hvm_start_info, version, HVM_START_INFO_OFF_VERSION);
SHOJI_ABI_OFFSET(struct hvm_start_info, flags, HVM_START_INFO_OFF_FLAGS);
SHOJI_ABI_OFFSET(struct hvm_start_info, nr_modules, HVM_START_INFO_OFF_NR_MODULES);
SHOJI_ABI_OFFSET(struct hvm_start_info, modlist_paddr, HVM_START_INFO_OFF_MODLIST_PADDR);
SHOJI_ABI_OFFSET(struct hvm_start_info, cmdline_paddr, HVM_START_INFO_OFF_CMDLINE_PADDR);
SHOJI_ABI_OFFSET(struct hvm_start_info, rsdp_paddr, HVM_START_INFO_OFF_RSDP_PADDR);
SHOJI_ABI_OFFSET(struct hvm_start_info, memmap_paddr, HVM_START_INFO_OFF_MEMMAP_PADDR);
SHOJI_ABI_OFFSET(struct hvm_start_info, memmap_entries, HVM_START_INFO_OFF_MEMMAP_ENTRIES);

struct hvm_modlist_entry {
	uint64_t paddr;         /* start of the module */
	uint64_t size;          /* its length in bytes */
	uint64_t cmdline_paddr; /* its NUL-terminated command line, or 0 */
	uint64_t reserved;
};
SHOJI_ABI_SIZE(struct hvm_modlist_entry, 32);
SHOJI_ABI_OFFSET(struct hvm_modlist_entry, size, 8);
SHOJI_ABI_OFFSET(struct hvm_modlist_entry, cmdline_paddr, 16);

struct hvm_memmap_table_entry {
	uint64_t addr;     /* start of the range */
	uint64_t size;     /* its length in bytes */
	uint32_t type;     /* XEN_HVM_MEMMAP_TYPE_* */
	uint32_t reserved; /* zero */
};
SHOJI_ABI_SIZE(struct hvm_memmap_table_entry, 24);
SHOJI_ABI_OFFSET(struct hvm_memmap_table_entry, size, 8);
SHOJI_ABI_OFFSET(struct hvm_memmap_table_entry, type, 16);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_START_INFO_H */
