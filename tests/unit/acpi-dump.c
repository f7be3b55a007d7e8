/*
 * acpi-dump: build shoji-hv's ACPI tables for N vCPUs and write each table
 * to DIR/<signature>.dat, found by walking RSDP -> XSDT -> FADT -> DSDT as
 * a guest does, for ACPICA's disassembler (tests/unit/acpi-iasl.sh).
 *
 *   acpi-dump DIR NVCPUS
 *
 * Prints one file name per line.  Exit status 0, or 1 if the tables cannot
 * be built or a pointer leads outside them.
 */
#include "config.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi.h"

#define GPA 0xfffd000ULL

static uint8_t buf[4096];
static size_t used;

/* The bytes of the table at @gpa, or NULL when it is not wholly inside the tables. */
static const uint8_t *at(uint64_t gpa, size_t *len, bool rsdp)
{
	uint32_t l;

	if (gpa < GPA || gpa - GPA > used || used - (gpa - GPA) < ACPI_RSDP_LEN)
		return NULL;
	memcpy(&l, buf + (gpa - GPA) + (rsdp ? 20 : 4), 4);
	if (l > used - (gpa - GPA))
		return NULL;
	*len = l;
	return buf + (gpa - GPA);
}

static int dump(const char *dir, const char *name, const uint8_t *t, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.dat", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(t, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		return -1;
	}
	printf("%s\n", path);
	return 0;
}

/* Dump the table at @gpa under its lower-cased signature; its bytes in *@t. */
static int dump_table(const char *dir, uint64_t gpa, const uint8_t **t)
{
	char name[5];
	size_t len, i;

	*t = at(gpa, &len, false);
	if (!*t || len < ACPI_HEADER_LEN) {
		fprintf(stderr, "acpi-dump: bad table pointer 0x%llx\n", (unsigned long long)gpa);
		return -1;
	}
	for (i = 0; i < 4; i++)
		name[i] = (char)tolower((*t)[i]);
	name[4] = '\0';
	return dump(dir, name, *t, len);
}

int main(int argc, char **argv)
{
	const uint8_t *rsdp, *xsdt, *t;
	uint32_t xlen;
	uint64_t gpa;
	size_t len, i;

	if (argc != 3) {
		fprintf(stderr, "usage: acpi-dump DIR NVCPUS\n");
		return 2;
	}
	used = acpi_build(buf, sizeof(buf), GPA, (unsigned int)strtoul(argv[2], NULL, 0));
	if (used == 0) {
		fprintf(stderr, "acpi-dump: cannot build tables for %s vCPUs\n", argv[2]);
		return 1;
	}
	rsdp = at(GPA, &len, true);
	if (!rsdp || dump(argv[1], "rsdp", rsdp, len) < 0)
		return 1;
	memcpy(&gpa, rsdp + 24, 8);
	if (dump_table(argv[1], gpa, &xsdt) < 0)
		return 1;
	memcpy(&xlen, xsdt + 4, 4);
	for (i = ACPI_HEADER_LEN; i + 8 <= xlen; i += 8) {
		memcpy(&gpa, xsdt + i, 8);
		if (dump_table(argv[1], gpa, &t) < 0)
			return 1;
		if (memcmp(t, "FACP", 4) == 0) {
			memcpy(&gpa, t + ACPI_FADT_OFF_X_DSDT, 8);
			if (dump_table(argv[1], gpa, &t) < 0)
				return 1;
		}
	}
	return 0;
}
