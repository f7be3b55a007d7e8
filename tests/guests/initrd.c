/*
 * initrd: the file given with --initrd arrives as module 0 of
 * hvm_start_info, inside RAM, clear of the image and the boot structures,
 * with the right size and bytes.  The test passes "size=N crc=C" where C is
 * the file's POSIX cksum(1) CRC.
 */
#include "check.h"

extern char _start_image[], _end[];

/* CRC-32 as cksum(1) computes it: polynomial 0x04c11db7, MSB first, the
 * length appended least significant byte first, result inverted. */
static uint32_t posix_cksum(const uint8_t *p, uint64_t len)
{
	static uint32_t table[256];
	uint32_t crc = 0;

	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i << 24;

		for (int b = 0; b < 8; b++)
			c = (c & 0x80000000U) ? (c << 1) ^ 0x04c11db7U : c << 1;
		table[i] = c;
	}
	for (uint64_t i = 0; i < len; i++)
		crc = (crc << 8) ^ table[(crc >> 24) ^ p[i]];
	for (uint64_t n = len; n != 0; n >>= 8)
		crc = (crc << 8) ^ table[(crc >> 24) ^ (n & 0xff)];
	return ~crc;
}

static bool in_ram(const struct hvm_start_info *si, uint64_t start, uint64_t size)
{
	const struct hvm_memmap_table_entry *map = (const void *)(uintptr_t)si->memmap_paddr;

	for (unsigned int i = 0; i < si->memmap_entries; i++) {
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM && start >= map[i].addr &&
		    start + size <= map[i].addr + map[i].size)
			return true;
	}
	return false;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int guest_main(const struct hvm_start_info *si)
{
	const struct hvm_modlist_entry *mod = (const void *)(uintptr_t)si->modlist_paddr;
	unsigned long size = cmdline_ulong(si, "size", 0);
	unsigned long crc = cmdline_ulong(si, "crc", 0);
	uint64_t image = (uintptr_t)_start_image, image_len = (uintptr_t)_end - image;
	uint32_t got;

	if (!check(si->nr_modules >= 1 && si->modlist_paddr != 0, "initrd_module_present",
	           "nr_modules=%u", si->nr_modules))
		return check_finish();
	printf("module 0: paddr=0x%lx size=%lu\n", (unsigned long)mod[0].paddr,
	       (unsigned long)mod[0].size);
	check(mod[0].size == size, "initrd_size", "size=%lu expected=%lu",
	      (unsigned long)mod[0].size, size);
	check(in_ram(si, mod[0].paddr, mod[0].size), "initrd_in_ram", NULL);
	check(!overlaps(mod[0].paddr, mod[0].size, image, image_len) &&
	          !overlaps(mod[0].paddr, mod[0].size, (uintptr_t)si, sizeof(*si)) &&
	          !overlaps(mod[0].paddr, mod[0].size, si->modlist_paddr, sizeof(*mod)) &&
	          !overlaps(mod[0].paddr, mod[0].size, si->memmap_paddr,
	                    si->memmap_entries * sizeof(struct hvm_memmap_table_entry)),
	      "initrd_no_overlap", NULL);
	if (mod[0].size == size && in_ram(si, mod[0].paddr, mod[0].size)) {
		got = posix_cksum((const uint8_t *)(uintptr_t)mod[0].paddr, mod[0].size);
		check(got == crc, "initrd_bytes", "cksum=%u expected=%lu", got, crc);
	} else {
		check(false, "initrd_bytes", "not checked: size or placement wrong");
	}
	return check_finish();
}
