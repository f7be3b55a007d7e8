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

#define CR4_PSE       (1ULL << 4)
#define PTE32_ADDR    0xfffff000ULL
#define PTE32_ADDR_4M 0xffc00000ULL

/* Read one @size-byte page-table entry at @gpa (read once into a local). */
static int read_pte(const struct guestmem *m, uint64_t gpa, unsigned int size, uint64_t *pte)
{
	const void *p = gm_gpa(m, gpa, size);
	uint32_t pte32;

	if (!p)
		return -XEN_EFAULT;
	if (size == 4) {
		memcpy(&pte32, p, sizeof(pte32));
		*pte = pte32;
	} else {
		memcpy(pte, p, sizeof(*pte));
	}
	return 0;
}

/*
 * The three x86 paging modes a guest kernel can run in: 4-level long mode,
 * PAE (3 levels, the top one the 4-entry PDPT) and 32-bit (2 levels of
 * 4-byte entries, 4 MiB pages with CR4.PSE).  Level l's index is the
 * @bits bits of the address above 12 + l * @bits.
 */
struct walk_mode {
	int top;               /* the top level */
	unsigned int bits;     /* index bits per level */
	unsigned int pte_size; /* bytes per entry */
	uint64_t addr_mask;    /* the next table's (or 4 KiB page's) address in an entry */
};

static const struct walk_mode walk_long = {3, 9, 8, PTE_ADDR};
static const struct walk_mode walk_pae = {2, 9, 8, PTE_ADDR};
static const struct walk_mode walk_32 = {1, 10, 4, PTE32_ADDR};

/* Whether @pte at @level maps a large page; its frame in *@page. */
static bool large_page(const struct gm_paging *pg, const struct walk_mode *w, int level,
                       uint64_t pte, uint64_t *page)
{
	if (!(pte & PTE_PS) || level == 0 || (w == &walk_pae && level == w->top))
		return false; /* no PS bit in a PTE or a PDPTE; a PML4E's is reserved (the caller) */
	if (w == &walk_32) {
		if (!(pg->cr4 & CR4_PSE))
			return false; /* without PSE the bit is ignored */
		*page = (pte & PTE32_ADDR_4M) | ((pte >> 13 & 0xff) << 32); /* PSE-36 */
		return true;
	}
	*page = pte & (level == 2 ? PTE_ADDR_1G : PTE_ADDR_2M);
	return true;
}

int gm_translate(const struct guestmem *m, const struct gm_paging *pg, uint64_t gva, bool write,
                 uint64_t *gpa)
{
	bool need_rw = write && (pg->cr0 & CR0_WP);
	const struct walk_mode *w;
	uint64_t table, pte = 0, page;
	int level;

	if (!(pg->cr0 & CR0_PG)) {
		*gpa = gva;
		return 0;
	}
	if (pg->efer & EFER_LMA) {
		if (!(pg->cr4 & CR4_PAE) || (pg->cr4 & CR4_LA57))
			return -XEN_EFAULT; /* 5-level paging is not supported */
		/* Canonical: bits 63..47 all equal. */
		if ((uint64_t)((int64_t)(gva << 16) >> 16) != gva)
			return -XEN_EFAULT;
		w = &walk_long;
		table = pg->cr3 & PTE_ADDR;
	} else {
		if (gva >> 32)
			return -XEN_EFAULT; /* 32-bit paging: linear addresses are 32 bits */
		w = (pg->cr4 & CR4_PAE) ? &walk_pae : &walk_32;
		table = pg->cr3 & (w == &walk_pae ? 0xffffffe0ULL : PTE32_ADDR);
	}

	for (level = w->top; level >= 0; level--) {
		unsigned int shift = 12 + w->bits * (unsigned int)level;
		uint64_t idx = (gva >> shift) & ((1ULL << w->bits) - 1);
		bool pdpte = w == &walk_pae && level == w->top; /* has no RW bit */

		if (read_pte(m, table + idx * w->pte_size, w->pte_size, &pte) < 0)
			return -XEN_EFAULT;
		if (!(pte & PTE_P) || (need_rw && !pdpte && !(pte & PTE_RW)))
			return -XEN_EFAULT;
		if (w == &walk_long && level == 3 && (pte & PTE_PS))
			return -XEN_EFAULT; /* reserved in a PML4E */
		if (large_page(pg, w, level, pte, &page)) {
			*gpa = page | (gva & ((1ULL << shift) - 1));
			return 0;
		}
		table = pte & w->addr_mask;
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
