/*
 * Unit tests of shoji-hv's ACPI tables (acpi.c): built for 1 and 4 vCPUs,
 * walked from the RSDP the way a guest walks them, every checksum and the
 * fields a PVH guest relies on checked.  (tests/unit/acpi-iasl.sh also
 * runs ACPICA's disassembler over them.)
 */
#include "config.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

#include "acpi.h"
#include "check-run.h"

#define BUF  4096
#define GPA  0xfffd000ULL
#define FILL 0xa5

static uint8_t buf[BUF];

static uint32_t le32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t le64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* The table at guest address @gpa: inside the buffer, its signature, a valid checksum. */
static const uint8_t *table_at(uint64_t gpa, const char *sig, size_t used)
{
	const uint8_t *t;
	uint32_t len;

	ck_assert_uint_ge(gpa, GPA);
	ck_assert_uint_le(gpa + ACPI_HEADER_LEN, GPA + used);
	ck_assert_uint_eq(gpa % 8, 0);
	t = buf + (gpa - GPA);
	ck_assert_int_eq(memcmp(t, sig, 4), 0);
	len = le32(t + 4);
	ck_assert_uint_le(gpa + len, GPA + used);
	ck_assert_uint_eq(acpi_sum(t, len), 0);
	ck_assert_int_eq(memcmp(t + 10, "SHOJI ", 6), 0); /* OEM ID */
	return t;
}

static void check_tables(unsigned int n)
{
	const uint8_t *rsdp = buf, *xsdt, *fadt, *dsdt, *madt;
	size_t used;
	unsigned int i;

	memset(buf, FILL, sizeof(buf));
	used = acpi_build(buf, sizeof(buf), GPA, n);
	ck_assert_uint_gt(used, 0);
	ck_assert_uint_le(used, sizeof(buf));
	ck_assert_uint_eq(buf[used], FILL); /* nothing written past what it reports */

	/* RSDP, revision 2: both checksums, length, XSDT. */
	ck_assert_int_eq(memcmp(rsdp, "RSD PTR ", 8), 0);
	ck_assert_uint_eq(acpi_sum(rsdp, 20), 0);
	ck_assert_uint_eq(acpi_sum(rsdp, ACPI_RSDP_LEN), 0);
	ck_assert_uint_eq(rsdp[15], 2);
	ck_assert_uint_eq(le32(rsdp + 20), ACPI_RSDP_LEN);

	xsdt = table_at(le64(rsdp + 24), "XSDT", used);
	ck_assert_uint_eq(le32(xsdt + 4), ACPI_HEADER_LEN + 8 * ACPI_XSDT_ENTRIES);
	fadt = table_at(le64(xsdt + 36), "FACP", used);
	madt = table_at(le64(xsdt + 44), "APIC", used);

	/* FADT: ACPI 6.0 size, hardware-reduced, both DSDT pointers agree. */
	ck_assert_uint_eq(le32(fadt + 4), ACPI_FADT_LEN);
	ck_assert_uint_eq(fadt[8], 6);
	ck_assert_uint_ne(le32(fadt + ACPI_FADT_OFF_FLAGS) & ACPI_FADT_HW_REDUCED, 0);
	ck_assert_uint_eq(le32(fadt + ACPI_FADT_OFF_DSDT), le64(fadt + ACPI_FADT_OFF_X_DSDT));
	ck_assert_uint_eq(le32(fadt + 36), 0); /* no FACS: hardware-reduced */
	dsdt = table_at(le64(fadt + ACPI_FADT_OFF_X_DSDT), "DSDT", used);
	ck_assert_uint_eq(le32(dsdt + 4), ACPI_HEADER_LEN);
	ck_assert_uint_eq(dsdt[8], 2);

	/* MADT: LAPIC address, no 8259s, one enabled LAPIC per vCPU with APIC ID = index. */
	ck_assert_uint_eq(le32(madt + 4), ACPI_MADT_LEN(n));
	ck_assert_uint_eq(le32(madt + 36), 0xfee00000u);
	ck_assert_uint_eq(le32(madt + 40), 0);
	for (i = 0; i < n; i++) {
		const uint8_t *e = madt + 44 + 8 * i;

		ck_assert_uint_eq(e[0], 0); /* Processor Local APIC */
		ck_assert_uint_eq(e[1], 8);
		ck_assert_uint_eq(e[2], i);
		ck_assert_uint_eq(e[3], i);
		ck_assert_uint_eq(le32(e + 4), 1); /* enabled */
	}
}

START_TEST(one_vcpu)
{
	check_tables(1);
}
END_TEST

START_TEST(four_vcpus)
{
	check_tables(4);
}
END_TEST

START_TEST(most_vcpus)
{
	check_tables(ACPI_MAX_VCPUS);
}
END_TEST

START_TEST(bad_arguments)
{
	ck_assert_uint_eq(acpi_build(buf, sizeof(buf), GPA, 0), 0);
	ck_assert_uint_eq(acpi_build(buf, sizeof(buf), GPA, ACPI_MAX_VCPUS + 1), 0);
	ck_assert_uint_eq(acpi_build(buf, sizeof(buf), GPA + 4, 1), 0); /* misaligned */
	ck_assert_uint_eq(acpi_build(NULL, sizeof(buf), GPA, 1), 0);
	ck_assert_uint_eq(acpi_build(buf, 200, GPA, 1), 0); /* too small */
	ck_assert_uint_eq(acpi_build(buf, 500, GPA, 200), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv_acpi");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, one_vcpu);
	tcase_add_test(tc, four_vcpus);
	tcase_add_test(tc, most_vcpus);
	tcase_add_test(tc, bad_arguments);
	suite_add_tcase(s, tc);
	return check_run(s);
}
