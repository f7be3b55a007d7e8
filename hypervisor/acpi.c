/* ACPI tables for PVH guests (see acpi.h).  Layouts: ACPI 6.x, sections 5.2.5-5.2.12. */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "acpi.h"

/* Who made the tables: OEM ID (6 bytes), OEM table ID (8), creator ID (4). */
#define OEM_ID       "SHOJI "
#define OEM_TABLE_ID "SHOJIHV "
#define CREATOR_ID   "SHOJ"
#define OEM_REVISION 1u

/* Standard description header (section 5.2.6): byte offsets. */
#define HDR_LENGTH   4u
#define HDR_REVISION 8u
#define HDR_CHECKSUM 9u
#define HDR_OEM_ID   10u
#define HDR_TABLE_ID 16u
#define HDR_OEM_REV  24u
#define HDR_CREATOR  28u
#define HDR_CREV     32u

/* RSDP (5.2.5.3). */
#define RSDP_CHECKSUM     8u
#define RSDP_OEM_ID       9u
#define RSDP_REVISION     15u
#define RSDP_LENGTH       20u
#define RSDP_XSDT         24u
#define RSDP_EXT_CHECKSUM 32u
#define RSDP_V1_LEN       20u /* what the first checksum covers */

/* MADT (5.2.12) and its Processor Local APIC entry (5.2.12.2). */
#define MADT_LAPIC_ADDR    36u
#define MADT_FLAGS         40u
#define MADT_ENTRIES       44u
#define MADT_TYPE_LAPIC    0u
#define MADT_LAPIC_LEN     8u
#define MADT_LAPIC_ENABLED 1u
#define LAPIC_BASE         0xfee00000u

/* Revisions of each table as ACPI 6.0 defines them. */
#define REV_RSDP 2u
#define REV_XSDT 1u
#define REV_FADT 6u
#define REV_MADT 5u
#define REV_DSDT 2u /* 2: AML integers are 64-bit */

/* FADT flags: no fixed power or sleep button; hardware-reduced ACPI. */
#define FADT_PWR_BUTTON (1u << 4)
#define FADT_SLP_BUTTON (1u << 5)

/*
 * IA-PC boot architecture flags: no VGA, and no CMOS RTC, as Xen says to a
 * PVH guest (the RTC at ports 0x70/0x71 is there for guests that probe anyway).
 */
#define FADT_BOOT_ARCH (ACPI_BOOT_ARCH_NO_VGA | ACPI_BOOT_ARCH_NO_CMOS)

struct builder {
	uint8_t *buf;
	size_t len;
	size_t used;
	uint64_t gpa;
	bool full;
};

static void put8(uint8_t *p, uint8_t v)
{
	p[0] = v;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

uint8_t acpi_sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	size_t i;

	for (i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* Make the checksum byte at @at set the sum of @len bytes from @p to zero. */
static void checksum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)(0x100 - acpi_sum(p, len));
}

/* Take @size zeroed bytes, 16-byte aligned; NULL (and b->full) when they do not fit. */
static uint8_t *take(struct builder *b, size_t size, uint64_t *gpa)
{
	size_t at = (b->used + 15) & ~(size_t)15;
	uint8_t *p;

	if (b->full || at > b->len || size > b->len - at) {
		b->full = true;
		return NULL;
	}
	p = b->buf + at;
	memset(p, 0, size);
	b->used = at + size;
	*gpa = b->gpa + at;
	return p;
}

/* A table with its standard header filled in (checksum left to seal()). */
static uint8_t *table(struct builder *b, const char sig[4], uint32_t len, uint8_t rev,
                      uint64_t *gpa)
{
	uint8_t *t = take(b, len, gpa);

	if (!t)
		return NULL;
	memcpy(t, sig, 4);
	put32(t + HDR_LENGTH, len);
	put8(t + HDR_REVISION, rev);
	memcpy(t + HDR_OEM_ID, OEM_ID, 6);
	memcpy(t + HDR_TABLE_ID, OEM_TABLE_ID, 8);
	put32(t + HDR_OEM_REV, OEM_REVISION);
	memcpy(t + HDR_CREATOR, CREATOR_ID, 4);
	put32(t + HDR_CREV, OEM_REVISION);
	return t;
}

static void seal(uint8_t *t)
{
	uint32_t len = (uint32_t)t[HDR_LENGTH] | (uint32_t)t[HDR_LENGTH + 1] << 8 |
	               (uint32_t)t[HDR_LENGTH + 2] << 16 | (uint32_t)t[HDR_LENGTH + 3] << 24;

	checksum(t, len, HDR_CHECKSUM);
}

size_t acpi_build(uint8_t *buf, size_t len, uint64_t gpa, unsigned int nr_vcpus)
{
	struct builder b = {.buf = buf, .len = len, .gpa = gpa};
	uint64_t rsdp_gpa, xsdt_gpa, fadt_gpa, madt_gpa, dsdt_gpa;
	uint8_t *rsdp, *xsdt, *fadt, *madt, *dsdt;
	unsigned int i;

	if (!buf || (gpa & 15) || nr_vcpus < 1 || nr_vcpus > ACPI_MAX_VCPUS)
		return 0;
	rsdp = take(&b, ACPI_RSDP_LEN, &rsdp_gpa);
	xsdt = table(&b, "XSDT", ACPI_HEADER_LEN + 8 * ACPI_XSDT_ENTRIES, REV_XSDT, &xsdt_gpa);
	fadt = table(&b, "FACP", ACPI_FADT_LEN, REV_FADT, &fadt_gpa);
	dsdt = table(&b, "DSDT", ACPI_HEADER_LEN, REV_DSDT, &dsdt_gpa);
	madt = table(&b, "APIC", ACPI_MADT_LEN(nr_vcpus), REV_MADT, &madt_gpa);
	if (b.full)
		return 0;

	/* MADT: the local APICs at their architectural address, no 8259 pair. */
	put32(madt + MADT_LAPIC_ADDR, LAPIC_BASE);
	put32(madt + MADT_FLAGS, 0);
	for (i = 0; i < nr_vcpus; i++) {
		uint8_t *e = madt + MADT_ENTRIES + MADT_LAPIC_LEN * i;

		put8(e, MADT_TYPE_LAPIC);
		put8(e + 1, MADT_LAPIC_LEN);
		put8(e + 2, (uint8_t)i); /* ACPI processor UID */
		put8(e + 3, (uint8_t)i); /* APIC ID */
		put32(e + 4, MADT_LAPIC_ENABLED);
	}
	seal(madt);

	/* DSDT: an empty definition block. */
	seal(dsdt);

	/* FADT: hardware-reduced, so no PM blocks, SCI, FACS or reset register. */
	if (dsdt_gpa <= UINT32_MAX)
		put32(fadt + ACPI_FADT_OFF_DSDT, (uint32_t)dsdt_gpa);
	put16(fadt + ACPI_FADT_OFF_BOOT_ARCH, FADT_BOOT_ARCH);
	put32(fadt + ACPI_FADT_OFF_FLAGS, ACPI_FADT_HW_REDUCED | FADT_PWR_BUTTON | FADT_SLP_BUTTON);
	put8(fadt + ACPI_FADT_OFF_MINOR, 0);
	put64(fadt + ACPI_FADT_OFF_X_DSDT, dsdt_gpa);
	seal(fadt);

	put64(xsdt + ACPI_HEADER_LEN, fadt_gpa);
	put64(xsdt + ACPI_HEADER_LEN + 8, madt_gpa);
	seal(xsdt);

	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + RSDP_OEM_ID, OEM_ID, 6);
	put8(rsdp + RSDP_REVISION, REV_RSDP);
	put32(rsdp + RSDP_LENGTH, ACPI_RSDP_LEN);
	put64(rsdp + RSDP_XSDT, xsdt_gpa);
	checksum(rsdp, RSDP_V1_LEN, RSDP_CHECKSUM);
	checksum(rsdp, ACPI_RSDP_LEN, RSDP_EXT_CHECKSUM);
	return b.used;
}
