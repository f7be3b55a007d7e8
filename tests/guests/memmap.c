/*
 * memmap: the PVH memory map (hvm_start_info) and XENMEM_memory_map both
 * cover "memory=MiB" from the command line (RAM, the ACPI tables and the
 * reserved special pages), entries do not overlap, the xenstore and console
 * pages the HVM params name are the two reserved frames at the top, and
 * hvm_start_info names an RSDP inside the ACPI range.
 */
#include "check.h"

#include <shoji/hvm.h>
#include <shoji/memory.h>

static uint64_t param(uint32_t index)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};

	return hyp_hvm_op(HVMOP_get_param, &p) == 0 ? p.value : 0;
}

int guest_main(const struct hvm_start_info *si)
{
	const struct hvm_memmap_table_entry *map = (const void *)(uintptr_t)si->memmap_paddr;
	uint64_t want = (uint64_t)cmdline_ulong(si, "memory", 0) << 20;
	uint64_t si_ram = 0, si_reserved = 0, reserved_at = 0, xm_ram = 0, xm_reserved = 0;
	uint64_t si_acpi = 0, acpi_at = 0, xm_acpi = 0;
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
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_RESERVED) {
			si_reserved += map[i].size;
			reserved_at = map[i].addr;
		}
		if (map[i].type == XEN_HVM_MEMMAP_TYPE_ACPI) {
			si_acpi += map[i].size;
			acpi_at = map[i].addr;
		}
		for (unsigned int j = 0; j < i; j++) {
			if (map[i].addr < map[j].addr + map[j].size &&
			    map[j].addr < map[i].addr + map[i].size)
				overlap = true;
		}
	}
	check(si_ram + si_acpi + si_reserved == want, "memmap_start_info_total",
	      "ram=%lu KiB acpi=%lu KiB reserved=%lu KiB expected=%lu MiB",
	      (unsigned long)(si_ram >> 10), (unsigned long)(si_acpi >> 10),
	      (unsigned long)(si_reserved >> 10), (unsigned long)(want >> 20));
	check(si_acpi > 0 && si->rsdp_paddr >= acpi_at && si->rsdp_paddr < acpi_at + si_acpi &&
	          memcmp((const void *)(uintptr_t)si->rsdp_paddr, "RSD PTR ", 8) == 0,
	      "memmap_acpi_rsdp", "rsdp=0x%lx acpi=0x%lx+0x%lx", (unsigned long)si->rsdp_paddr,
	      (unsigned long)acpi_at, (unsigned long)si_acpi);
	check(si_reserved == 2 * 4096 && reserved_at == want - 2 * 4096 &&
	          param(HVM_PARAM_STORE_PFN) == (want >> 12) - 2 &&
	          param(HVM_PARAM_CONSOLE_PFN) == (want >> 12) - 1,
	      "memmap_special_pages", "reserved=0x%lx+0x%lx store=0x%lx console=0x%lx",
	      (unsigned long)reserved_at, (unsigned long)si_reserved,
	      (unsigned long)param(HVM_PARAM_STORE_PFN),
	      (unsigned long)param(HVM_PARAM_CONSOLE_PFN));
	check(!overlap, "memmap_no_overlap", NULL);

	set_xen_guest_handle(mm.buffer, e820);
	rc = hyp_memory_op(XENMEM_memory_map, &mm);
	for (unsigned int i = 0; rc == 0 && i < mm.nr_entries && i < 32; i++) {
		if (e820[i].type == E820_RAM)
			xm_ram += e820[i].size;
		if (e820[i].type == E820_RESERVED)
			xm_reserved += e820[i].size;
		if (e820[i].type == E820_ACPI)
			xm_acpi += e820[i].size;
	}
	check(rc == 0 && xm_ram == si_ram && xm_acpi == si_acpi &&
	          xm_ram + xm_acpi + xm_reserved == want,
	      "memmap_xenmem_total", "rc=%ld ram=%lu KiB acpi=%lu KiB reserved=%lu KiB", rc,
	      (unsigned long)(xm_ram >> 10), (unsigned long)(xm_acpi >> 10),
	      (unsigned long)(xm_reserved >> 10));
	return check_finish();
}
