/* Guest memory access: bounds checks and the guest page-table walker. */
#include "config.h"

#include <string.h>

#include <shoji/errno.h>

#include "guestmem.h"

#define CR0_PG      (1ULL << 31)
#define CR0_WP      (1ULL << 16)
#define CR4_PAE     (1ULL << 5)
#define CR4_LA57    (1ULL << 12)
#define EFER_LMA    (1ULL << 10)

#define PTE_P       (1ULL << 0)
#define PTE_RW      (1ULL << 1)
#define PTE_PS      (1ULL << 7)
#define PTE_ADDR    0x000ffffffffff000ULL
#define PTE_ADDR_2M 0x000fffffffe00000ULL
#define PTE_ADDR_1G 0x000fffffc0000000ULL

void *gm_gpa(const struct guestmem *m, uint64_t gpa, uint64_t len)
{
	if (gpa > m->size || len > m->size - gpa)
		return NULL;
	return m->base + gpa;
}

/* Read one 8-byte page-table entry at @gpa (read once into a local). */
static int read_pte(const struct guestmem *m, uint64_t gpa, uint64_t *pte)
{
	const void *p = gm_gpa(m, gpa, sizeof(*pte));

	if (!p)
		return -XEN_EFAULT;
	memcpy(pte, p, sizeof(*pte));
	return 0;
}

int gm_translate(const struct guestmem *m, const struct gm_paging *pg, uint64_t gva, bool write,
                 uint64_t *gpa)
{
	bool need_rw = write && (pg->cr0 & CR0_WP);
	uint64_t table = pg->cr3 & PTE_ADDR;
	uint64_t pte = 0;
	int level;

	if (!(pg->cr0 & CR0_PG)) {
		*gpa = gva;
		return 0;
	}
	/* Only 4-level long-mode paging is supported. */
	if (!(pg->efer & EFER_LMA) || !(pg->cr4 & CR4_PAE) || (pg->cr4 & CR4_LA57))
		return -XEN_EFAULT;
	/* Canonical: bits 63..47 all equal. */
	if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
		return -XEN_EFAULT;

	for (level = 3; level >= 0; level--) {
		unsigned int idx = (gva >> (12 + 9 * level)) & 511;

		if (read_pte(m, table + idx * 8ULL, &pte) < 0)
			return -XEN_EFAULT;
		if (!(pte & PTE_P) || (need_rw && !(pte & PTE_RW)))
			return -XEN_EFAULT;
		if (level == 2 && (pte & PTE_PS)) {
			*gpa = (pte & PTE_ADDR_1G) | (gva & 0x3fffffffULL);
			return 0;
		}
		if (level == 1 && (pte & PTE_PS)) {
			*gpa = (pte & PTE_ADDR_2M) | (gva & 0x1fffffULL);
			return 0;
		}
		table = pte & PTE_ADDR;
	}
	*gpa = table | (gva & 0xfffULL);
	return 0;
}

/* Walk [gva, gva + len) page by page, copying in the direction @to_guest says. */
static int copy_pages(const struct guestmem *m, const struct gm_paging *pg, uint64_t gva,
                      uint8_t *host, size_t len, bool to_guest)
{
	while (len > 0) {
		uint64_t chunk = GM_PAGE_SIZE - (gva & (GM_PAGE_SIZE - 1));
		uint64_t gpa;
		uint8_t *p;

		if (chunk > len)
			chunk = len;
		if (gm_translate(m, pg, gva, to_guest, &gpa) < 0)
			return -XEN_EFAULT;
		p = gm_gpa(m, gpa, chunk);
		if (!p)
			return -XEN_EFAULT;
		if (to_guest)
			memcpy(p, host, chunk);
		else
			memcpy(host, p, chunk);
		gva += chunk;
		host += chunk;
		len -= chunk;
	}
	return 0;
}

int gm_copy_from(const struct guestmem *m, const struct gm_paging *pg, void *dst, uint64_t gva,
                 size_t len)
{
	return copy_pages(m, pg, gva, dst, len, false);
}

int gm_copy_to(const struct guestmem *m, const struct gm_paging *pg, uint64_t gva, const void *src,
               size_t len)
{
	return copy_pages(m, pg, gva, (uint8_t *)src, len, true);
}
