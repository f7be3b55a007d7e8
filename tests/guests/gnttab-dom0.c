/*
 * gnttab-dom0: the guest half of the "Dom0 maps a guest grant" tests.
 *
 * Grants one zeroed page of its own, writable, to domain remote=D (default
 * 0) and prints
 *	gnttab-dom0: domid=<own domid> ref=<ref> gfn=0x<gfn>
 * The page's first 32-bit word is a marker both sides poll:
 *  1. Dom0 maps the grant, writes byte i = (i & 0xff) ^ 0xa5 for every
 *     4 <= i < 4096, then the marker GNTTAB_DOM0_WROTE (0xd0d0d0d0).
 *  2. The guest checks those bytes (PASS/FAIL gnttab_dom0_pattern), writes
 *     byte i = (i & 0xff) ^ 0x3c for 4 <= i < 4096, tries end_access while
 *     Dom0 still holds the mapping (PASS gnttab_end_access_while_mapped
 *     when it answers -EBUSY), then writes the marker GNTTAB_GUEST_WROTE
 *     (0x6e6e6e6e).
 *  3. Dom0 checks the reply and unmaps; the guest retries end_access every
 *     millisecond until it succeeds (PASS gnttab_end_access_after_unmap).
 * Then SUCCESS/FAILURE and power-off (crash on failure).  timeout_ms=T
 * (default 60000) bounds each wait.
 */
#include "check.h"

#define GNTTAB_DOM0_WROTE  0xd0d0d0d0U
#define GNTTAB_GUEST_WROTE 0x6e6e6e6eU
#define MS                 1000000ULL

static uint8_t page[GUEST_PAGE_SIZE] __attribute__((aligned(GUEST_PAGE_SIZE)));

static uint32_t marker(void)
{
	return __atomic_load_n((uint32_t *)page, __ATOMIC_ACQUIRE);
}

int guest_main(const struct hvm_start_info *si)
{
	domid_t remote = (domid_t)cmdline_ulong(si, "remote", 0);
	uint64_t timeout = cmdline_ulong(si, "timeout_ms", 60000) * MS, deadline;
	uint64_t gfn = (uintptr_t)page >> 12;
	unsigned int bad = 0, first_bad = 0;
	grant_ref_t ref = 0;
	long rc;

	rc = gnttab_init(1);
	if (rc == 0)
		rc = gnttab_grant_access(remote, gfn, false, &ref);
	if (!check_rc("gnttab_dom0_grant", rc, 0))
		return check_finish();
	printf("gnttab-dom0: domid=%u ref=%u gfn=0x%lx\n", xen_get_info()->domid, ref,
	       (unsigned long)gfn);

	deadline = monotonic_ns() + timeout;
	while (marker() != GNTTAB_DOM0_WROTE && monotonic_ns() < deadline)
		sleep_ns(MS);
	if (!check(marker() == GNTTAB_DOM0_WROTE, "gnttab_dom0_wrote", "marker=0x%x", marker()))
		return check_finish();
	for (unsigned int i = 4; i < GUEST_PAGE_SIZE; i++) {
		if (page[i] != (uint8_t)((i & 0xff) ^ 0xa5) && bad++ == 0)
			first_bad = i;
	}
	check(bad == 0, "gnttab_dom0_pattern", "%u bad bytes, first at %u", bad, first_bad);

	for (unsigned int i = 4; i < GUEST_PAGE_SIZE; i++)
		page[i] = (uint8_t)((i & 0xff) ^ 0x3c);
	check_rc("gnttab_end_access_while_mapped", gnttab_end_access(ref), -XEN_EBUSY);
	__atomic_store_n((uint32_t *)page, GNTTAB_GUEST_WROTE, __ATOMIC_RELEASE);

	deadline = monotonic_ns() + timeout;
	while ((rc = gnttab_end_access(ref)) == -XEN_EBUSY && monotonic_ns() < deadline)
		sleep_ns(MS);
	check_rc("gnttab_end_access_after_unmap", rc, 0);
	return check_finish();
}
