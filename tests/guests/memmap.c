/*
 * memmap: the RAM in the PVH memory map (hvm_start_info) and in
 * XENMEM_memory_map both add up to "memory=MiB" from the command line,
 * and RAM entries do not overlap.
 */
#include "check.h"

#include <shoji/memory.h>

int guest_main(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *map = (const void *)(uintptr_t)si->memmap_paddr;
	uint64_t want = (uint64_t)cmdline_ulong(si, "memory", 0) << 20;
	uint64_t si_ram = 0, xm_ram = 0;
	struct e820entry e820[32];
	struct xen_memory_map mm = {.nr_entries = 32};
	bool overlap = false;
	long rc;

	check(si->version >= 1 && si->memmap_entries > 0, "memmap_present", "version=%u entries=%u",
	      si->version, si->memmap_entries);
	for (unsigned int i = 0; i < si->memmap_entries; i++) {
		printf("memmap %u: 0x%lx-0x%lx type %u\n", i, (unsigned long)map[i].addr,
		       (unsigned long)(map[i].addr + map[i].size), map[i].type);
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
			si_ram += map[i].size;
		for (unsigned int j = 0; j < i; j++) {
			if (map[i].addr < map[j].addr + map[j].size &&
			    map[j].addr < map[i].addr + map[i].size)
				overlap = true;
		}
	}
	check(si_ram == want, "memmap_start_info_total", "ram=%lu MiB expected=%lu MiB",
	      (unsigned long)(si_ram >> 20), (unsigned long)(want >> 20));
	check(!overlap, "memmap_no_overlap", NULL);

	set_xen_guest_handle(mm.buffer, e820);
	rc = hyp_memory_op(XENMEM_memory_map, &mm);
	for (unsigned int i = 0; rc == 0 && i < mm.nr_entries && i < 32; i++) {
		if (e820[i].type == E820_RAM)
			xm_ram += e820[i].size;
	}
	check(rc == 0 && xm_ram == want, "memmap_xenmem_total", "rc=%ld ram=%lu MiB", rc,
	      (unsigned long)(xm_ram >> 20));
	return check_finish();
}
