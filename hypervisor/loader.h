/*
 * The PVH loader: ELF64, ELF32-with-EM_X86_64 and ELF32 EM_386 images,
 * PT_LOAD segments at their physical addresses anywhere in guest RAM below
 * what shoji-hv places itself (low memory and physical 0 included), the
 * entry from XEN_ELFNOTE_PHYS32_ENTRY, and hvm_start_info (version 1) with
 * command line, initrd (module 0), memory map and ACPI tables.  The image is
 * validated completely before guest memory is touched; every problem
 * yields one clear message.
 *
 * The PVH note is looked for as Xen's libelf does: in the PT_NOTE program
 * headers, and only when those hold no "Xen" note at all, in the SHT_NOTE
 * sections (small guest OSes carry it in a note section without a PT_NOTE
 * header).
 *
 * Guest-physical layout, for a domain of S bytes (P = 4 KiB), from the top:
 *   [S - 2P, S)       special pages (reserved): xenstore ring, PV console ring
 *   [S - 3P, S - 2P)  ACPI tables (acpi.h), reported as ACPI memory; RSDP first
 *   [S - 5P, S - 3P)  boot information, inside RAM as on Xen:
 *                       +0x000 struct hvm_start_info
 *                       +0x040 struct hvm_modlist_entry[1] (when an initrd is given)
 *                       +0x080 struct hvm_memmap_table_entry[3]
 *                       +0x1000 command line, NUL-terminated (< LOADER_CMDLINE_MAX bytes)
 *   initrd            page aligned, right below the boot information
 *   [0, ...)          the image's segments: all of them below the initrd
 * No page tables are placed: a PVH vCPU starts with paging off.
 *
 * Special pages, like Xen's HVM special pages: the last two frames of the
 * domain's memory, zeroed and reported as reserved, never as RAM.  The
 * xenstore ring is LOADER_STORE_PFN, the PV console ring LOADER_CONSOLE_PFN;
 * domain_load() names them in HVM_PARAM_STORE_PFN / HVM_PARAM_CONSOLE_PFN.
 */
#ifndef SHOJI_HV_LOADER_H
#define SHOJI_HV_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoji/start_info.h>

#include "guestmem.h"

#define LOADER_PAGE          4096u
#define LOADER_SPECIAL_PAGES 2u
#define LOADER_ACPI_SIZE     LOADER_PAGE
#define LOADER_INFO_SIZE     (2u * LOADER_PAGE)
#define LOADER_CMDLINE_MAX   LOADER_PAGE
#define LOADER_MEMMAP_NR     3u /* RAM, ACPI, special pages */
/* Everything shoji-hv places at the top of a domain's memory. */
#define LOADER_TOP_SIZE (LOADER_SPECIAL_PAGES * LOADER_PAGE + LOADER_ACPI_SIZE + LOADER_INFO_SIZE)

/* Where things are in a domain of @size bytes (size >= 1 MiB, page aligned). */
#define LOADER_SPECIAL_BASE(size) ((uint64_t)(size)-LOADER_SPECIAL_PAGES * LOADER_PAGE)
#define LOADER_ACPI_BASE(size)    (LOADER_SPECIAL_BASE(size) - LOADER_ACPI_SIZE)
#define LOADER_INFO_BASE(size)    (LOADER_ACPI_BASE(size) - LOADER_INFO_SIZE)
#define LOADER_START_INFO(size)   LOADER_INFO_BASE(size)
#define LOADER_MODLIST(size)      (LOADER_INFO_BASE(size) + 0x40u)
#define LOADER_MEMMAP(size)       (LOADER_INFO_BASE(size) + 0x80u)
#define LOADER_CMDLINE(size)      (LOADER_INFO_BASE(size) + LOADER_PAGE)
/* End of the RAM the memory map reports (the boot information is inside it). */
#define LOADER_RAM_END(size)     LOADER_ACPI_BASE(size)
#define LOADER_STORE_PFN(size)   (((uint64_t)(size) >> 12) - 2u)
#define LOADER_CONSOLE_PFN(size) (((uint64_t)(size) >> 12) - 1u)

/* One PT_LOAD or PT_NOTE program header, class-independent. */
struct loader_seg {
	uint32_t type;  /* PT_LOAD or PT_NOTE */
	uint32_t flags; /* PF_* */
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

#define LOADER_MAX_SEGMENTS 64

struct pvh_boot {
	uint32_t entry;      /* 32-bit physical entry point */
	uint32_t start_info; /* GPA of hvm_start_info (for EBX) */
	uint64_t image_end;  /* first byte above the loaded segments */
	uint64_t rsdp;       /* GPA of the ACPI RSDP (hvm_start_info.rsdp_paddr) */
};

/*
 * Validate @img (+ optional @initrd and @cmdline) against guest memory @m
 * and load it, with ACPI tables describing @nr_vcpus vCPUs.  Returns 0, or
 * -1 with a message in @err and @m untouched.
 */
int pvh_load(const struct guestmem *m, const uint8_t *img, size_t len, const uint8_t *initrd,
             size_t initrd_len, const char *cmdline, unsigned int nr_vcpus, struct pvh_boot *out,
             char *err, size_t errlen);

/*
 * Check @img's ELF identification and header (x86, little-endian) and read
 * its PT_LOAD and PT_NOTE program headers into @segs (LOADER_MAX_SEGMENTS),
 * each with its file bytes inside the image.  0, or -1 with a message.
 */
int loader_segments(const uint8_t *img, size_t len, struct loader_seg *segs, unsigned int *n,
                    char *err, size_t errlen);

/*
 * The memory map of a domain of @size bytes, as hvm_start_info and
 * XENMEM_memory_map give it: RAM, the ACPI tables, the special pages.
 * Fills @map and returns the number of entries (LOADER_MEMMAP_NR).
 */
unsigned int loader_memmap(uint64_t size, struct hvm_memmap_table_entry map[LOADER_MEMMAP_NR]);

/*
 * Read the whole regular file open as @fd (at most @max bytes; from offset
 * 0, whatever the descriptor's position) into a malloc'd *@buf; @name is
 * what messages call it.  Anything but a regular file (a FIFO, a device) is
 * refused before a byte is read.  0, or -1 with a message in @err.
 */
int loader_read_fd(int fd, const char *name, size_t max, uint8_t **buf, size_t *len, char *err,
                   size_t errlen);
/* Open @path (never blocking) and loader_read_fd it. */
int loader_read_file(const char *path, size_t max, uint8_t **buf, size_t *len, char *err,
                     size_t errlen);

/* Formats a one-line error into err (errlen bytes) and returns -1: the loader's
 * and the image patcher's error convention. */
int loader_errf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
