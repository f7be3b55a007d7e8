/*
 * The PVH loader: ELF64 or ELF32-with-EM_X86_64 images, PT_LOAD segments at
 * their physical addresses, the entry from XEN_ELFNOTE_PHYS32_ENTRY, and
 * hvm_start_info (version 1) with command line, initrd (module 0) and
 * memory map.  The image is validated completely before guest memory is
 * touched; every problem yields one clear message.
 *
 * Guest-physical layout (all below 1 MiB, inside the RAM the memory map reports):
 *   0x1000  struct hvm_start_info
 *   0x1040  struct hvm_modlist_entry[1]   (when an initrd is given)
 *   0x1080  struct hvm_memmap_table_entry[2]  (RAM, then the special pages)
 *   0x2000  command line, NUL-terminated (at most LOADER_CMDLINE_MAX bytes)
 *   initrd: the top of RAM below the special pages, page aligned.
 *
 * Special pages, like Xen's HVM special pages: the last two frames of the
 * domain's memory, zeroed and reported as reserved, never as RAM.  The
 * xenstore ring is LOADER_STORE_PFN, the PV console ring LOADER_CONSOLE_PFN;
 * domain_load() names them in HVM_PARAM_STORE_PFN / HVM_PARAM_CONSOLE_PFN.
 */
#ifndef SHOJI_HV_LOADER_H
#define SHOJI_HV_LOADER_H

#include <stddef.h>
#include <stdint.h>

#include "guestmem.h"

#define LOADER_START_INFO    0x1000u
#define LOADER_MODLIST       0x1040u
#define LOADER_MEMMAP        0x1080u
#define LOADER_CMDLINE       0x2000u
#define LOADER_CMDLINE_MAX   4096u
#define LOADER_MIN_PADDR     0x100000u /* segments load at or above 1 MiB */

#define LOADER_SPECIAL_PAGES 2u
/* End of the RAM the memory map reports, for a domain of @size bytes. */
#define LOADER_RAM_END(size)     ((uint64_t)(size)-LOADER_SPECIAL_PAGES * 4096u)
#define LOADER_STORE_PFN(size)   (((uint64_t)(size) >> 12) - 2u)
#define LOADER_CONSOLE_PFN(size) (((uint64_t)(size) >> 12) - 1u)

struct pvh_boot {
	uint32_t entry;      /* 32-bit physical entry point */
	uint32_t start_info; /* GPA of hvm_start_info (for EBX) */
	uint64_t image_end;  /* first byte above the loaded segments */
};

/*
 * Validate @img (+ optional @initrd and @cmdline) against guest memory @m
 * and load it.  Returns 0, or -1 with a message in @err and @m untouched.
 */
int pvh_load(const struct guestmem *m, const uint8_t *img, size_t len, const uint8_t *initrd,
             size_t initrd_len, const char *cmdline, struct pvh_boot *out, char *err,
             size_t errlen);

/* Read a whole file (at most @max bytes).  0, or -1 with a message in @err. */
int loader_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, char *err,
                     size_t errlen);

#endif
