/* Unit tests of shoji-hv's guest memory choke point: bounds and the page-table walker. */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "guestmem.h"
#include "check-run.h"

#define MEM          (8u << 20)

#define P            0x1ULL
#define RW           0x2ULL
#define PS           0x80ULL

#define CR0_PE_PG_WP ((1ULL << 0) | (1ULL << 31) | (1ULL << 16))
#define CR4_PAE      (1ULL << 5)
#define CR4_LA57     (1ULL << 12)
#define EFER_LME_LMA ((1ULL << 8) | (1ULL << 10))

/* Page tables at fixed GPAs of the fake RAM. */
#define PML4 0x1000
#define PDPT 0x2000
#define PD   0x3000
#define PT   0x4000

static uint8_t *ram;
static struct guestmem mem;
static struct gm_paging pg;

static void set_pte(uint64_t table, unsigned int idx, uint64_t val)
{
	memcpy(ram + table + idx * 8, &val, 8);
}

/*
 * Mappings (all in the first 512 GiB):
 *   0x0000_0000..: PD[0] -> PT: 4 KiB pages; PT[5] -> 0x500000 (RW), PT[6] -> 0x700000 (RO),
 *                  PT[7] -> 0x7f000000 (outside RAM), PT[8] not present
 *   0x0020_0000: PD[1] 2 MiB page -> 0x400000 (RW)
 *   0x4000_0000: PDPT[1] 1 GiB page -> 0 (RW)
 *   0x8000_0000: PDPT[2] -> a table outside RAM
 *   high half:   PML4[511] -> PDPT (same tables)
 */
static void setup(void)
{
	ram = calloc(1, MEM);
	ck_assert_ptr_nonnull(ram);
	mem.base = ram;
	mem.size = MEM;
	set_pte(PML4, 0, PDPT | P | RW);
	set_pte(PML4, 511, PDPT | P | RW);
	set_pte(PDPT, 0, PD | P | RW);
	set_pte(PDPT, 1, 0 | P | RW | PS);
	set_pte(PDPT, 2, 0x40000000ULL | P | RW);
	set_pte(PD, 0, PT | P | RW);
	set_pte(PD, 1, 0x400000 | P | RW | PS);
	set_pte(PT, 5, 0x500000 | P | RW);
	set_pte(PT, 6, 0x700000 | P);
	set_pte(PT, 7, 0x7f000000ULL | P | RW);
	pg.cr0 = CR0_PE_PG_WP;
	pg.cr3 = PML4;
	pg.cr4 = CR4_PAE;
	pg.efer = EFER_LME_LMA;
}

static void teardown(void)
{
	free(ram);
}

START_TEST(gpa_bounds)
{
	ck_assert_ptr_eq(gm_gpa(&mem, 0, MEM), ram);
	ck_assert_ptr_eq(gm_gpa(&mem, MEM - 1, 1), ram + MEM - 1);
	ck_assert_ptr_eq(gm_gpa(&mem, MEM, 0), ram + MEM);
	ck_assert_ptr_null(gm_gpa(&mem, MEM, 1));
	ck_assert_ptr_null(gm_gpa(&mem, MEM - 1, 2));
	ck_assert_ptr_null(gm_gpa(&mem, ~0ULL, 2)); /* wraps */
	ck_assert_ptr_null(gm_gpa(&mem, 1, ~0ULL)); /* wraps */
	ck_assert_ptr_null(gm_gpa(&mem, MEM + 4096, 0));
}
END_TEST

START_TEST(walk_4k_2m_1g)
{
	uint64_t gpa;

	ck_assert_int_eq(gm_translate(&mem, &pg, 0x5123, false, &gpa), 0);
	ck_assert_uint_eq(gpa, 0x500123);
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x212345, true, &gpa), 0);
	ck_assert_uint_eq(gpa, 0x412345);
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x40000000ULL + 0x123456, true, &gpa), 0);
	ck_assert_uint_eq(gpa, 0x123456);
	/* The same tables through PML4[511] (canonical high half). */
	ck_assert_int_eq(gm_translate(&mem, &pg, 0xffffff8000005010ULL, false, &gpa), 0);
	ck_assert_uint_eq(gpa, 0x500010);
}
END_TEST

START_TEST(walk_faults)
{
	uint64_t gpa;

	ck_assert_int_eq(gm_translate(&mem, &pg, 0x8000, false, &gpa),
	                 -XEN_EFAULT); /* not present */
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x6000, true, &gpa), -XEN_EFAULT); /* read-only */
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x6000, false, &gpa), 0);
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x80000000ULL, false, &gpa),
	                 -XEN_EFAULT); /* table outside RAM */
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x0000800000000000ULL, false, &gpa),
	                 -XEN_EFAULT); /* non-canonical */
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x8000000000ULL, false, &gpa),
	                 -XEN_EFAULT); /* PML4[1] empty */
	pg.cr3 = MEM;                  /* root table outside RAM */
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x5000, false, &gpa), -XEN_EFAULT);
	pg.cr3 = PML4;
	pg.cr4 |= CR4_LA57;
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x5000, false, &gpa), -XEN_EFAULT);
	pg.cr4 = CR4_PAE;
	pg.efer = 0; /* 32-bit paging is not supported */
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x5000, false, &gpa), -XEN_EFAULT);
	/* Without CR0.WP a kernel may write through read-only mappings. */
	pg.efer = EFER_LME_LMA;
	pg.cr0 &= ~(1ULL << 16);
	ck_assert_int_eq(gm_translate(&mem, &pg, 0x6000, true, &gpa), 0);
}
END_TEST

START_TEST(paging_off_identity)
{
	struct gm_paging off = {.cr0 = 1};
	uint64_t gpa;
	char buf[8];

	ck_assert_int_eq(gm_translate(&mem, &off, 0x123456, true, &gpa), 0);
	ck_assert_uint_eq(gpa, 0x123456);
	memcpy(ram + 0x3000, "abcdefg", 8);
	ck_assert_int_eq(gm_copy_from(&mem, &off, buf, 0x3000, 8), 0);
	ck_assert_str_eq(buf, "abcdefg");
	ck_assert_int_eq(gm_copy_from(&mem, &off, buf, MEM - 4, 8), -XEN_EFAULT);
	ck_assert_int_eq(gm_copy_to(&mem, &off, ~0ULL - 3, buf, 8), -XEN_EFAULT);
}
END_TEST

START_TEST(copy_across_pages)
{
	char in[64], out[64];
	unsigned int i;

	/* GVA 0x5fe0.. spans PT[5] (-> 0x500fe0) and PT[6] (-> 0x700000, read-only). */
	for (i = 0; i < sizeof(in); i++)
		in[i] = (char)i;
	memcpy(ram + 0x500fe0, in, 32);
	memcpy(ram + 0x700000, in + 32, 32);
	ck_assert_int_eq(gm_copy_from(&mem, &pg, out, 0x5fe0, 64), 0);
	ck_assert_int_eq(memcmp(in, out, 64), 0);
	/* The write fails on the read-only second page. */
	ck_assert_int_eq(gm_copy_to(&mem, &pg, 0x5fe0, in, 64), -XEN_EFAULT);
	/* Into the unmapped PT[8] page. */
	ck_assert_int_eq(gm_copy_from(&mem, &pg, out, 0x7ff0, 32), -XEN_EFAULT);
	/* A mapping whose frame lies outside RAM. */
	ck_assert_int_eq(gm_copy_from(&mem, &pg, out, 0x7000, 8), -XEN_EFAULT);
	ck_assert_int_eq(gm_copy_from(&mem, &pg, out, 0x5000, 0), 0);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "hv_guestmem", .name = "walk", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, gpa_bounds, walk_4k_2m_1g, walk_faults, paging_off_identity,
	                  copy_across_pages);
}
