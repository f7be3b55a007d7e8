/*
 * ACPI tables for a PVH guest, the small set a hardware-reduced platform
 * needs (ACPI 6.x layouts):
 *
 *   RSDP (revision 2) -> XSDT -> FADT (HW_REDUCED_ACPI) -> DSDT
 *                             -> MADT (one enabled Processor Local APIC per vCPU)
 *
 * The DSDT is a header-only definition block (no devices).  vCPU i has ACPI
 * processor UID i and APIC ID i, as KVM numbers them.  The guest finds the
 * RSDP through hvm_start_info.rsdp_paddr; the loader places the tables and
 * reports their range as ACPI (reclaimable) memory in the memory map.
 */
#ifndef SHOJI_HV_ACPI_H
#define SHOJI_HV_ACPI_H

#include <stddef.h>
#include <stdint.h>

/* Largest vCPU count the MADT can describe (8-bit APIC IDs, 0xff is broadcast). */
#define ACPI_MAX_VCPUS 255u

/* Table lengths, for callers that check what they read back. */
#define ACPI_RSDP_LEN     36u
#define ACPI_HEADER_LEN   36u
#define ACPI_FADT_LEN     276u
#define ACPI_MADT_LEN(n)  (44u + 8u * (n))
#define ACPI_XSDT_ENTRIES 2u /* FADT, MADT */

/* FADT fields the tests check (byte offsets in the FADT). */
#define ACPI_FADT_OFF_DSDT      40u
#define ACPI_FADT_OFF_BOOT_ARCH 109u
#define ACPI_FADT_OFF_FLAGS     112u
#define ACPI_FADT_OFF_MINOR     131u
#define ACPI_FADT_OFF_X_DSDT    140u
#define ACPI_FADT_HW_REDUCED    (1u << 20)
#define ACPI_BOOT_ARCH_NO_VGA   (1u << 2)
#define ACPI_BOOT_ARCH_NO_CMOS  (1u << 5)

/*
 * Build the tables for @nr_vcpus (1 .. ACPI_MAX_VCPUS) into @buf, @len bytes
 * that the guest will see at guest-physical @gpa (16-byte aligned).  The
 * RSDP comes first, at @gpa.  Returns the number of bytes used, or 0 when
 * the arguments are bad or the tables do not fit (then @buf is unspecified).
 */
size_t acpi_build(uint8_t *buf, size_t len, uint64_t gpa, unsigned int nr_vcpus);

/* Sum of @len bytes mod 256 (0 for a table with a correct checksum). */
uint8_t acpi_sum(const uint8_t *p, size_t len);

#endif
