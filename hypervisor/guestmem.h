/*
 * Guest memory access: the one choke point through which shoji-hv reads and
 * writes guest RAM.  Every guest-physical range is bounds-checked here and
 * every guest-virtual address is translated by walking the guest's own page
 * tables (4-level long mode with 2 MiB/1 GiB pages; 32-bit PAE with 2 MiB
 * pages; 32-bit non-PAE with 4 MiB pages under CR4.PSE; identity when
 * paging is off).  Failures are -XEN_EFAULT.
 */
#ifndef SHOJI_HV_GUESTMEM_H
#define SHOJI_HV_GUESTMEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GM_PAGE_SHIFT 12
#define GM_PAGE_SIZE  4096ULL

/* Guest RAM: GPA [0, size) is host memory [base, base + size). */
struct guestmem {
	uint8_t *base;
	uint64_t size;
};

/* The control registers a page walk needs (copied from the vCPU at the exit). */
struct gm_paging {
	uint64_t cr0;
	uint64_t cr3;
	uint64_t cr4;
	uint64_t efer;
};

/* Host pointer for GPA range [gpa, gpa + len) if it lies wholly in RAM, else NULL. */
void *gm_gpa(const struct guestmem *m, uint64_t gpa, uint64_t len);

/*
 * Translate guest-virtual @gva to a guest-physical address using @pg.
 * @write asks for a writable mapping (honoured when CR0.WP is set).
 * Returns 0 or -XEN_EFAULT (not present, non-canonical, table outside RAM,
 * unsupported paging mode).
 */
int gm_translate(const struct guestmem *m, const struct gm_paging *pg, uint64_t gva, bool write,
                 uint64_t *gpa);

/* Copy @len bytes from guest-virtual @gva into @dst; 0 or -XEN_EFAULT. */
int gm_copy_from(const struct guestmem *m, const struct gm_paging *pg, void *dst, uint64_t gva,
                 size_t len);
/* Copy @len bytes from @src to guest-virtual @gva; 0 or -XEN_EFAULT. */
int gm_copy_to(const struct guestmem *m, const struct gm_paging *pg, uint64_t gva, const void *src,
               size_t len);

#endif
