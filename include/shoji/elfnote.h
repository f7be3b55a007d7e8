/*
 * shoji/elfnote.h - types of the ELF notes (owner name "Xen") in which a
 * guest kernel image describes itself to the domain builder.
 * Pure constants: usable from C and assembly.
 */
#ifndef SHOJI_ELFNOTE_H
#define SHOJI_ELFNOTE_H

#define XEN_ELFNOTE_INFO               0 /* empty */
#define XEN_ELFNOTE_ENTRY              1 /* PV entry point (virtual address) */
#define XEN_ELFNOTE_HYPERCALL_PAGE     2 /* PV: where to place the hypercall page */
#define XEN_ELFNOTE_VIRT_BASE          3 /* PV: virtual base of the image */
#define XEN_ELFNOTE_PADDR_OFFSET       4
#define XEN_ELFNOTE_XEN_VERSION        5  /* string: "xen-3.0" */
#define XEN_ELFNOTE_GUEST_OS           6  /* string: OS name */
#define XEN_ELFNOTE_GUEST_VERSION      7  /* string: OS version */
#define XEN_ELFNOTE_LOADER             8  /* string: "generic" */
#define XEN_ELFNOTE_PAE_MODE           9  /* string */
#define XEN_ELFNOTE_FEATURES           10 /* string: '|'-separated XENFEAT names */
#define XEN_ELFNOTE_BSD_SYMTAB         11 /* string: "yes" to load the symbol table */
#define XEN_ELFNOTE_HV_START_LOW       12
#define XEN_ELFNOTE_L1_MFN_VALID       13
#define XEN_ELFNOTE_SUSPEND_CANCEL     14
#define XEN_ELFNOTE_INIT_P2M           15
#define XEN_ELFNOTE_MOD_START_PFN      16
#define XEN_ELFNOTE_SUPPORTED_FEATURES 17 /* 32-bit bitmap of XENFEAT_* */
#define XEN_ELFNOTE_PHYS32_ENTRY       18 /* PVH: 32-bit physical entry address */
#define XEN_ELFNOTE_MAX                XEN_ELFNOTE_PHYS32_ENTRY

/* Notes found in hypervisor core dumps. */
#define XEN_ELFNOTE_DUMPCORE_NONE           0x2000000
#define XEN_ELFNOTE_DUMPCORE_HEADER         0x2000001
#define XEN_ELFNOTE_DUMPCORE_XEN_VERSION    0x2000002
#define XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION 0x2000003

#endif /* SHOJI_ELFNOTE_H */
