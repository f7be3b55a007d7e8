/*
 * dom0-grant SOCKET GUEST: the Dom0 half of tests/guests/gnttab-dom0 (see
 * /work/notes/guest-pv-programs.md and that guest's header).  Maps the page
 * the guest grants, writes the 0xa5 pattern and the DOM0_WROTE marker,
 * waits for the guest's 0x3c reply (the guest checks meanwhile that its
 * end-access fails while the page is mapped), checks it, unmaps, and waits
 * for the guest's SUCCESS and power-off.  Also copies through the grant
 * with shoji_gnttab_grant_copy.  Prints "dom0-grant: PASS".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <shoji/libgnttab.h>

#include "dom0-util.h"

#define DOM0_WROTE  0xd0d0d0d0u
#define GUEST_WROTE 0x6e6e6e6eu

int main(int argc, char **argv)
{
	struct dom0_guest *g = malloc(sizeof(*g));
	struct shoji_gnttab *gt;
	unsigned int domid, ref, i, bad = 0;
	volatile uint8_t *page;
	uint64_t deadline;
	uint8_t buf[64];
	struct shoji_gnttab_copy_seg seg;
	uint32_t reason;

	gt = dom0_grant_main(g, "dom0-grant", argc, argv, &ref);
	domid = g->domid;
	page = shoji_gnttab_map_grant_ref(gt, domid, ref, PROT_READ | PROT_WRITE);
	if (!page)
		dom0_fail("map_grant_ref(%u, %u): %s", domid, ref, strerror(errno));

	/* A grant copy reads what the mapping shows (the page is still zero past the marker). */
	memset(buf, 0xff, sizeof(buf));
	seg = (struct shoji_gnttab_copy_seg){
	    .domid = domid, .ref = ref, .offset = 64, .len = sizeof(buf), .buf = buf};
	if (shoji_gnttab_grant_copy(gt, 1, &seg) < 0 || seg.status != 0)
		dom0_fail("grant_copy from the grant: %s status %d", strerror(errno), seg.status);
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != page[64 + i])
			dom0_fail("grant copy byte %u differs from the mapping", i);

	for (i = 4; i < 4096; i++)
		page[i] = (uint8_t)((i & 0xff) ^ 0xa5);
	__atomic_store_n((uint32_t *)page, DOM0_WROTE, __ATOMIC_RELEASE);

	deadline = dom0_now_ns() + 60000000000ULL;
	while (__atomic_load_n((uint32_t *)page, __ATOMIC_ACQUIRE) != GUEST_WROTE) {
		if (dom0_now_ns() > deadline)
			dom0_fail("guest never wrote its marker; console:\n%s", g->con);
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	}
	for (i = 4; i < 4096; i++)
		if (page[i] != (uint8_t)((i & 0xff) ^ 0x3c))
			bad++;
	if (bad)
		dom0_fail("%u bytes of the guest's reply differ", bad);
	if (shoji_gnttab_unmap(gt, (void *)page, 1) < 0)
		dom0_fail("unmap: %s", strerror(errno));

	dom0_console_wait(g, "PASS gnttab_end_access_after_unmap", 60000);
	reason = dom0_guest_wait_shutdown(g, 30000);
	if (reason != 0 || !strstr(g->con, "SUCCESS"))
		dom0_fail("guest reason %u; console:\n%s", reason, g->con);
	if (!strstr(g->con, "PASS gnttab_end_access_while_mapped"))
		dom0_fail("end-access did not fail while mapped; console:\n%s", g->con);
	shoji_gnttab_close(gt);
	dom0_guest_destroy(g);
	free(g);
	printf("dom0-grant: PASS\n");
	return 0;
}
