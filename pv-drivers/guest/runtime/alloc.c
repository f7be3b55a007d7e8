/*
 * alloc.c: a bump allocator over the RAM entries of the PVH memory map.
 *
 * Memory below the end of the image, and everything the domain builder
 * placed in RAM (start_info, command line, memory map, module list and
 * modules), is never handed out.  Only RAM below 4 GiB (the identity map)
 * is used.  Nothing is ever freed.
 */
#include "shoji-guest.h"

#define ALLOC_LIMIT  0x100000000ULL /* end of the identity map */
#define MAX_RESERVED (5 + 16)       /* start_info, cmdline, memmap, modlist, 16 modules */

struct range {
	uint64_t start, end;
};

struct alloc_state {
	const struct hvm_start_info *si; /* set up from it on first use */
	const struct hvm_memmap_table_entry *map;
	unsigned int map_entries;
	struct range reserved[MAX_RESERVED];
	unsigned int nr_reserved;
	uint64_t next; /* lowest address still free */
};

static struct alloc_state alloc;

extern char _end[];

static void reserve(uint64_t start, uint64_t size)
{
	if (size == 0 || alloc.nr_reserved == MAX_RESERVED)
		return;
	alloc.reserved[alloc.nr_reserved++] = (struct range){start, start + size};
}

void alloc_init(const struct hvm_start_info *si)
{
	alloc.si = si;
}

/* The memory map and the reserved ranges, read once by the first allocation
 * (guest boot code is slow where KVM emulates it: programs that never
 * allocate never pay for this). */
static void alloc_setup(void)
{
	const struct hvm_start_info *si = alloc.si;

	alloc.si = NULL;
	alloc.next = (uintptr_t)_end;
	alloc.map = (const void *)(uintptr_t)si->memmap_paddr;
	alloc.map_entries = si->memmap_entries;

	reserve((uintptr_t)si, sizeof(*si));
	if (si->cmdline_paddr != 0)
		reserve(si->cmdline_paddr, strlen((const char *)(uintptr_t)si->cmdline_paddr) + 1);
	reserve(si->memmap_paddr, (uint64_t)si->memmap_entries * sizeof(*alloc.map));
	if (si->nr_modules > 0) {
		const struct hvm_modlist_entry *mods = (const void *)(uintptr_t)si->modlist_paddr;

		reserve(si->modlist_paddr, (uint64_t)si->nr_modules * sizeof(*mods));
		for (unsigned int i = 0; i < si->nr_modules && i < 16; i++) {
			reserve(mods[i].paddr, mods[i].size);
			if (mods[i].cmdline_paddr != 0)
				reserve(mods[i].cmdline_paddr,
				        strlen((const char *)(uintptr_t)mods[i].cmdline_paddr) + 1);
		}
	}
}

/* The first reserved range overlapping [start, end), or NULL. */
static const struct range *overlap(uint64_t start, uint64_t end)
{
	for (unsigned int i = 0; i < alloc.nr_reserved; i++) {
		if (start < alloc.reserved[i].end && alloc.reserved[i].start < end)
			return &alloc.reserved[i];
	}
	return NULL;
}

void *mem_alloc(size_t size, size_t align)
{
	if (alloc.si != NULL)
		alloc_setup();
	if (align < 16)
		align = 16;
	for (unsigned int i = 0; i < alloc.map_entries; i++) {
		const struct hvm_memmap_table_entry *e = &alloc.map[i];
		uint64_t end = e->addr + e->size;
		uint64_t p;

		if (e->type != XEN_HVM_MEMMAP_TYPE_RAM)
			continue;
		if (end > ALLOC_LIMIT)
			end = ALLOC_LIMIT;
		p = alloc.next > e->addr ? alloc.next : e->addr;
		for (;;) {
			const struct range *r;

			p = (p + align - 1) & ~(uint64_t)(align - 1);
			if (p + size > end || p + size < p)
				break;
			r = overlap(p, p + size);
			if (r == NULL) {
				alloc.next = p + size;
				return memset((void *)(uintptr_t)p, 0, size);
			}
			p = r->end;
		}
	}
	return NULL;
}

void *page_alloc(size_t npages)
{
	return mem_alloc(npages * GUEST_PAGE_SIZE, GUEST_PAGE_SIZE);
}
