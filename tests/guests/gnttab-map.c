/*
 * gnttab-map: a guest maps another guest's grants into its physmap
 * (GNTTABOP_map_grant_ref / unmap_grant_ref, as a guest-side backend does).
 * Mappings go at MAP_GPA and the pages after it: above RAM, below the MMIO
 * hole.  Pattern byte i of seed s is (i * 7 + s) & 0xff.
 *
 *   role=granter peer=D  grants ref 8 (seed 1, writable), ref 9 (seed 4,
 *                        read-only) to D, ref 10 to D + 1, and refs 11..19
 *                        (read-only, the page of ref 9) to D; allocates a
 *                        port for D.  On D's first event: ref 8's page holds
 *                        D's answer (seed 2 in bytes 0..2047), ending refs 8
 *                        and 9 fails (-EBUSY: mapped), unmapping a handle it
 *                        never had fails; it notifies D.  On D's second
 *                        event (D unmapped): all three end_access succeed.
 *   role=mapper peer=D   maps ref 8 and ref 9 of D, checks the patterns,
 *                        writes its answer, tries the hostile maps and
 *                        unmaps, maps refs 11..19 up to the per-domain
 *                        limit (GNTST_no_space, "maps=N") and unmaps them
 *                        all, notifies D; on D's answer unmaps (twice for
 *                        ref 8: the second is a bad handle), maps ref 9 again
 *                        at the freed address, and notifies D.
 *   role=holder peer=D   grants refs 8 and 9 as the granter does, allocates a
 *                        port for D and waits until destroyed (--bg).
 *   role=witness peer=D  grants refs 8 and 9 as the granter does; on D's
 *                        event prints "PASS gnttab_witness_notified peer=D"
 *                        and waits for its port to D to become unbound (the
 *                        test destroys D); then ref 9's page is unchanged.
 *   role=rowriter peer=D maps D's read-only ref 9, reads it, notifies D, then
 *                        writes to it: the write is dropped and raises #GP,
 *                        which the runtime reports before crashing.
 *   role=survivor peer=D maps D's ref 8, prints "PASS gnttab_survivor_mapped
 *                        peer=D" and waits for its port to D to become
 *                        unbound (the test destroys D); then the page is
 *                        still D's (seed 1), writable, and unmaps.
 *                        XENMEM_maximum_gpfn covers the mapping while it
 *                        exists and drops back below it after the unmap.
 *   role=keeper peer=D   grants ref 8 to D and allocates a port; on D's
 *                        event ending it fails, prints "PASS
 *                        gnttab_keeper_busy peer=D", and retries until it
 *                        succeeds (the test destroys D, which releases its
 *                        mapping); the page holds D's answer.
 *   role=dier peer=D     maps D's ref 8, writes its answer, notifies D and
 *                        waits to be destroyed (--bg).
 */
#include "evtchn-lib.h"

#include <shoji/event_channel.h>
#include <shoji/memory.h>

#define MAP_GPA        0xc0000000ULL
#define NO_SUCH_DOMAIN 0x7ef0
#define REF_RW         8
#define REF_RO         9
#define REF_OTHER      10
/* Refs 11..19: read-only grants of one page, mapped up to the map limit. */
#define REF_LIMIT0   11
#define LIMIT_REFS   9
#define PINS_PER_REF 120 /* below the hypervisor's per-entry pin limit (127) */
#define LIMIT_GPA    (MAP_GPA + 0x100000)
#define LIMIT_MAX    (LIMIT_REFS * PINS_PER_REF)
#define BATCH        64

static uint8_t pages[3][GUEST_PAGE_SIZE] __attribute__((aligned(GUEST_PAGE_SIZE)));
static volatile unsigned long events;
static uint64_t deadline;

static volatile uint8_t *at(uint64_t gpa)
{
	return (volatile uint8_t *)(uintptr_t)gpa; /* the runtime identity-maps 4 GiB */
}

static void on_event(evtchn_port_t port, void *arg)
{
	events++;
}

static bool got_events(void *arg)
{
	return events >= (unsigned long)(uintptr_t)arg;
}

static bool wait_events(unsigned long n)
{
	return evtchn_wait(got_events, (void *)(uintptr_t)n, deadline);
}

/* Count the bytes of [off, off + len) at @p that differ from seed's pattern. */
static unsigned int check_mapped(volatile const uint8_t *p, size_t off, size_t len,
                                 unsigned int seed)
{
	unsigned int bad = 0;

	for (size_t i = off; i < off + len; i++)
		bad += p[i] != (uint8_t)(i * 7 + seed);
	return bad;
}

static void fill_mapped(volatile uint8_t *p, size_t off, size_t len, unsigned int seed)
{
	for (size_t i = off; i < off + len; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

static void expect_map(const char *name, domid_t dom, grant_ref_t ref, uint64_t gpa, bool readonly,
                       long want)
{
	grant_handle_t h = 0;
	long rc = gnttab_map(dom, ref, gpa, readonly, &h);

	check(rc == want, name, "status=%ld want=%ld", rc, want);
	if (rc == GNTST_okay)
		gnttab_unmap(h, gpa);
}

/* Grant refs 8 (writable, seed 1) and 9 (read-only, seed 4) to @peer; a port for it. */
static bool grant_pair(domid_t peer, evtchn_port_t *port)
{
	grant_ref_t rw = 0, ro = 0;

	pv_fill(pages[0], 1);
	pv_fill(pages[1], 4);
	if (!check_rc("gnttab_init", gnttab_init(1), 0) ||
	    !check_rc("gnttab_grant_rw", gnttab_grant_access(peer, pv_gfn(pages[0]), false, &rw),
	              0) ||
	    !check_rc("gnttab_grant_ro", gnttab_grant_access(peer, pv_gfn(pages[1]), true, &ro), 0))
		return false;
	if (!check(rw == REF_RW && ro == REF_RO, "gnttab_refs", "refs %u %u", rw, ro))
		return false;
	if (!check_rc("gnttab_alloc_unbound", evtchn_alloc_unbound(peer, port), 0))
		return false;
	evtchn_set_handler(*port, on_event, NULL);
	evtchn_unmask(*port);
	return true;
}

static int granter(domid_t peer)
{
	grant_ref_t other = 0;
	evtchn_port_t port = 0;

	if (!grant_pair(peer, &port) ||
	    !check_rc("gnttab_grant_other",
	              gnttab_grant_access((domid_t)(peer + 1), pv_gfn(pages[2]), false, &other), 0))
		return check_finish();
	for (grant_ref_t i = 0; i < LIMIT_REFS; i++) {
		grant_ref_t ref = 0;
		long rc = gnttab_grant_access(peer, pv_gfn(pages[1]), true, &ref);

		if (!check(rc == 0 && ref == REF_LIMIT0 + i, "gnttab_grant_limit_ref",
		           "rc=%ld ref=%u", rc, ref))
			return check_finish();
	}
	if (!check(wait_events(1), "gnttab_mapper_mapped", NULL))
		return check_finish();
	check_rc("gnttab_map_answer",
	         pv_check(pages[0], 0, 2048, 2) + pv_check(pages[0], 2048, 2048, 1), 0);
	check_rc("gnttab_end_while_mapped_rw", gnttab_end_access(REF_RW), -XEN_EBUSY);
	check_rc("gnttab_end_while_mapped_ro", gnttab_end_access(REF_RO), -XEN_EBUSY);
	/* Handle 0 is the peer's, not ours: we have mapped nothing. */
	check_rc("gnttab_unmap_foreign_handle", gnttab_unmap(0, MAP_GPA), GNTST_bad_handle);
	check_rc("gnttab_granter_ack", evtchn_send(port), 0);
	if (!check(wait_events(2), "gnttab_mapper_unmapped", NULL))
		return check_finish();
	check_rc("gnttab_end_after_unmap_rw", gnttab_end_access(REF_RW), 0);
	check_rc("gnttab_end_after_unmap_ro", gnttab_end_access(REF_RO), 0);
	check_rc("gnttab_end_other", gnttab_end_access(other), 0);
	for (grant_ref_t i = 0; i < LIMIT_REFS; i++)
		if (!check_rc("gnttab_end_limit_refs", gnttab_end_access(REF_LIMIT0 + i), 0))
			break;
	return check_finish();
}

static grant_handle_t limit_handles[LIMIT_MAX];

/* Unmap limit_handles[0..n) (mapped at LIMIT_GPA + i pages); the failures. */
static unsigned int unmap_limit(unsigned int n)
{
	struct gnttab_unmap_grant_ref ops[BATCH];
	unsigned int bad = 0;

	for (unsigned int i = 0; i < n; i += BATCH) {
		unsigned int k = n - i < BATCH ? n - i : BATCH;

		for (unsigned int j = 0; j < k; j++)
			ops[j] = (struct gnttab_unmap_grant_ref){
			    .host_addr = LIMIT_GPA + (uint64_t)(i + j) * GUEST_PAGE_SIZE,
			    .handle = limit_handles[i + j]};
		if (hyp_grant_table_op(GNTTABOP_unmap_grant_ref, ops, k) != 0)
			return n;
		for (unsigned int j = 0; j < k; j++)
			bad += ops[j].status != GNTST_okay;
	}
	return bad;
}

/*
 * Map read-only grants in batches until the hypervisor refuses: it must
 * say GNTST_no_space (out of map handles), and everything unmaps.
 */
static void map_limit(domid_t peer)
{
	struct gnttab_map_grant_ref ops[BATCH];
	unsigned int n = 0, failed = 0;
	int16_t status = GNTST_okay;

	while (status == GNTST_okay && n + BATCH <= LIMIT_MAX) {
		for (unsigned int j = 0; j < BATCH; j++)
			ops[j] = (struct gnttab_map_grant_ref){
			    .host_addr = LIMIT_GPA + (uint64_t)(n + j) * GUEST_PAGE_SIZE,
			    .flags = GNTMAP_host_map | GNTMAP_readonly,
			    .ref = REF_LIMIT0 + (n + j) / PINS_PER_REF,
			    .dom = peer};
		if (hyp_grant_table_op(GNTTABOP_map_grant_ref, ops, BATCH) != 0)
			break;
		for (unsigned int j = 0; j < BATCH; j++) {
			if (ops[j].status == GNTST_okay && status == GNTST_okay)
				limit_handles[n++] = ops[j].handle;
			else if (ops[j].status == GNTST_okay)
				failed++; /* a map after the first refusal */
			else if (status == GNTST_okay)
				status = ops[j].status;
		}
	}
	check(status == GNTST_no_space && n > 0 && failed == 0, "gnttab_map_limit",
	      "maps=%u status=%d", n, status);
	check_rc("gnttab_map_limit_data", check_mapped(at(LIMIT_GPA + (n - 1) * 4096ULL), 0, 64, 4),
	         0);
	check_rc("gnttab_unmap_limit", unmap_limit(n), 0);
}

static void hostile(domid_t peer, grant_handle_t h_rw)
{
	struct gnttab_map_grant_ref batch[2] = {
	    {.host_addr = MAP_GPA + 0x3000,
	     .flags = GNTMAP_host_map | GNTMAP_readonly,
	     .ref = REF_RO,
	     .dom = peer},
	    {.host_addr = MAP_GPA + 0x4000, .flags = GNTMAP_host_map, .ref = 512, .dom = peer},
	};
	struct gnttab_map_grant_ref noflags = {
	    .host_addr = MAP_GPA + 0x2000, .flags = 0, .ref = REF_RW, .dom = peer};
	long rc;

	expect_map("gnttab_map_rw_of_ro", peer, REF_RO, MAP_GPA + 0x2000, false,
	           GNTST_general_error);
	expect_map("gnttab_map_addr_taken", peer, REF_RO, MAP_GPA + 0x1000, true,
	           GNTST_general_error);
	expect_map("gnttab_map_in_ram", peer, REF_RW, 0x200000, false, GNTST_general_error);
	expect_map("gnttab_map_at_zero", peer, REF_RW, 0, false, GNTST_general_error);
	expect_map("gnttab_map_in_hole", peer, REF_RW, 0xfee00000ULL, false, GNTST_general_error);
	expect_map("gnttab_map_too_high", peer, REF_RW, 0x1000000000ULL, false,
	           GNTST_general_error);
	expect_map("gnttab_map_reserved_ref", peer, 1, MAP_GPA + 0x2000, false,
	           GNTST_general_error);
	expect_map("gnttab_map_ref_beyond_table", peer, 512, MAP_GPA + 0x2000, false,
	           GNTST_bad_gntref);
	expect_map("gnttab_map_ref_huge", peer, 0xffffffffU, MAP_GPA + 0x2000, false,
	           GNTST_bad_gntref);
	expect_map("gnttab_map_other_domid", peer, REF_OTHER, MAP_GPA + 0x2000, false,
	           GNTST_general_error);
	expect_map("gnttab_map_bad_domain", NO_SUCH_DOMAIN, REF_RW, MAP_GPA + 0x2000, false,
	           GNTST_bad_domain);
	expect_map("gnttab_map_domid_self", DOMID_SELF, REF_RW, MAP_GPA + 0x2000, false,
	           GNTST_bad_domain);
	rc = hyp_grant_table_op(GNTTABOP_map_grant_ref, &noflags, 1);
	check(rc == 0 && noflags.status == GNTST_bad_gntref, "gnttab_map_no_flags",
	      "rc=%ld status=%d", rc, noflags.status);

	check_rc("gnttab_unmap_bad_handle", gnttab_unmap(999, MAP_GPA), GNTST_bad_handle);
	check_rc("gnttab_unmap_huge_handle", gnttab_unmap(0xffffffffU, MAP_GPA), GNTST_bad_handle);
	check_rc("gnttab_unmap_wrong_addr", gnttab_unmap(h_rw, MAP_GPA + 0x1000),
	         GNTST_general_error);
	check_rc("gnttab_unmap_zero_addr", gnttab_unmap(h_rw, 0), GNTST_okay);
	/* shared_info cannot move over a mapping either. */
	{
		struct xen_add_to_physmap xatp = {
		    .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .gpfn = MAP_GPA >> 12};

		check_rc("gnttab_shinfo_over_map", hyp_memory_op(XENMEM_add_to_physmap, &xatp),
		         -XEN_EINVAL);
	}
	/* Neither undid the mapping. */
	check_rc("gnttab_still_mapped", check_mapped(at(MAP_GPA), 2048, 64, 1), 0);

	rc = hyp_grant_table_op(GNTTABOP_map_grant_ref, batch, 2);
	check(rc == 0 && batch[0].status == GNTST_okay && batch[1].status == GNTST_bad_gntref &&
	          check_mapped(at(MAP_GPA + 0x3000), 0, 64, 4) == 0,
	      "gnttab_map_batch", "rc=%ld status %d %d", rc, batch[0].status, batch[1].status);
	if (batch[0].status == GNTST_okay)
		check_rc("gnttab_unmap_batch", gnttab_unmap(batch[0].handle, MAP_GPA + 0x3000), 0);
}

static int mapper(domid_t peer)
{
	grant_handle_t h_rw = 0, h_ro = 0;
	evtchn_port_t port = 0;

	if (!check_rc("gnttab_connect", pv_connect(peer, deadline, &port), 0))
		return check_finish();
	evtchn_set_handler(port, on_event, NULL);
	evtchn_unmask(port);
	if (!check_rc("gnttab_map_rw", gnttab_map(peer, REF_RW, MAP_GPA, false, &h_rw), 0) ||
	    !check_rc("gnttab_map_ro", gnttab_map(peer, REF_RO, MAP_GPA + 0x1000, true, &h_ro), 0))
		return check_finish();
	check_rc("gnttab_map_rw_data", check_mapped(at(MAP_GPA), 0, GUEST_PAGE_SIZE, 1), 0);
	check_rc("gnttab_map_ro_data", check_mapped(at(MAP_GPA + 0x1000), 0, GUEST_PAGE_SIZE, 4),
	         0);
	fill_mapped(at(MAP_GPA), 0, 2048, 2);
	hostile(peer, h_rw);
	map_limit(peer);
	check_rc("gnttab_mapped_notify", evtchn_send(port), 0);
	if (!check(wait_events(1), "gnttab_granter_checked", NULL))
		return check_finish();

	check_rc("gnttab_unmap_rw", gnttab_unmap(h_rw, MAP_GPA), 0);
	check_rc("gnttab_unmap_twice", gnttab_unmap(h_rw, MAP_GPA), GNTST_bad_handle);
	check_rc("gnttab_unmap_ro", gnttab_unmap(h_ro, MAP_GPA + 0x1000), 0);
	/* The freed address (and handle) serve a new mapping. */
	if (check_rc("gnttab_remap", gnttab_map(peer, REF_RO, MAP_GPA, true, &h_ro), 0)) {
		check_rc("gnttab_remap_data", check_mapped(at(MAP_GPA), 0, 256, 4), 0);
		check_rc("gnttab_remap_unmap", gnttab_unmap(h_ro, MAP_GPA), 0);
	}
	check_rc("gnttab_unmapped_notify", evtchn_send(port), 0);
	return check_finish();
}

/* Wait until destroyed; a deadline only so a broken test cannot hang. */
static int linger(void)
{
	check(!wait_events(~0UL), "gnttab_linger", NULL);
	return check_finish();
}

static int holder(domid_t peer)
{
	evtchn_port_t port = 0;

	if (!grant_pair(peer, &port))
		return check_finish();
	return linger();
}

/*
 * Bind to @peer's port for us and map its ref 9 (@readonly) or ref 8 at
 * MAP_GPA, as checks gnttab_connect and gnttab_map_ro / gnttab_map_rw.
 */
static bool connect_and_map(domid_t peer, bool readonly, evtchn_port_t *port, grant_handle_t *h)
{
	return check_rc("gnttab_connect", pv_connect(peer, deadline, port), 0) &&
	       check_rc(readonly ? "gnttab_map_ro" : "gnttab_map_rw",
	                gnttab_map(peer, readonly ? REF_RO : REF_RW, MAP_GPA, readonly, h), 0);
}

static int rowriter(domid_t peer)
{
	grant_handle_t h = 0;
	evtchn_port_t port = 0;

	if (!connect_and_map(peer, true, &port, &h))
		return check_finish();
	check_rc("gnttab_map_ro_data", check_mapped(at(MAP_GPA), 0, 256, 4), 0);
	check_rc("gnttab_rowriter_notify", evtchn_send(port), 0);
	printf("gnttab-map: writing to the read-only mapping\n");
	at(MAP_GPA)[0] = 0x5a;
	check(false, "gnttab_ro_write_survived", "byte now %u", at(MAP_GPA)[0]);
	return check_finish();
}

/* The state of our port @port (EVTCHNSTAT_*), or a negative Xen errno. */
static long port_status(evtchn_port_t port)
{
	struct evtchn_status st = {.dom = DOMID_SELF, .port = port};
	long rc = hyp_event_channel_op(EVTCHNOP_status, &st);

	return rc < 0 ? rc : (long)st.status;
}

static int witness(domid_t peer)
{
	evtchn_port_t port = 0;

	if (!grant_pair(peer, &port) ||
	    !check(wait_events(1), "gnttab_witness_notified", "peer=%u", peer))
		return check_finish();
	while (port_status(port) == EVTCHNSTAT_interdomain && monotonic_ns() < deadline)
		sleep_ns(10 * MS);
	if (check_rc("gnttab_writer_gone", port_status(port), EVTCHNSTAT_unbound))
		check_rc("gnttab_ro_page_intact", pv_check(pages[1], 0, GUEST_PAGE_SIZE, 4), 0);
	return check_finish();
}

/* XENMEM_maximum_gpfn of this domain. */
static long max_gpfn(void)
{
	domid_t self = DOMID_SELF;

	return hyp_memory_op(XENMEM_maximum_gpfn, &self);
}

static int survivor(domid_t peer)
{
	grant_handle_t h = 0;
	evtchn_port_t port = 0;

	if (!connect_and_map(peer, false, &port, &h))
		return check_finish();
	check_rc("gnttab_map_rw_data", check_mapped(at(MAP_GPA), 0, 256, 1), 0);
	check_rc("gnttab_max_gpfn_mapped", max_gpfn(), (long)(MAP_GPA >> 12));
	check(true, "gnttab_survivor_mapped", "peer=%u", peer);
	while (port_status(port) == EVTCHNSTAT_interdomain && monotonic_ns() < deadline)
		sleep_ns(10 * MS);
	if (!check_rc("gnttab_peer_gone", port_status(port), EVTCHNSTAT_unbound))
		return check_finish();
	check_rc("gnttab_page_survives", check_mapped(at(MAP_GPA), 0, GUEST_PAGE_SIZE, 1), 0);
	fill_mapped(at(MAP_GPA), 0, 256, 3);
	check_rc("gnttab_page_writable", check_mapped(at(MAP_GPA), 0, 256, 3), 0);
	check_rc("gnttab_unmap_after_peer_gone", gnttab_unmap(h, MAP_GPA), 0);
	check(max_gpfn() < (long)(MAP_GPA >> 12), "gnttab_max_gpfn_unmapped", "max_gpfn=0x%lx",
	      max_gpfn());
	return check_finish();
}

static int keeper(domid_t peer)
{
	evtchn_port_t port = 0;
	long rc;

	if (!grant_pair(peer, &port))
		return check_finish();
	if (!check(wait_events(1), "gnttab_dier_mapped", NULL) ||
	    !check_rc("gnttab_end_while_mapped", gnttab_end_access(REF_RW), -XEN_EBUSY))
		return check_finish();
	check(true, "gnttab_keeper_busy", "peer=%u", peer);
	while ((rc = gnttab_end_access(REF_RW)) == -XEN_EBUSY && monotonic_ns() < deadline)
		sleep_ns(10 * MS);
	check_rc("gnttab_end_after_mapper_died", rc, 0);
	check_rc("gnttab_dier_answer", pv_check(pages[0], 0, 2048, 2), 0);
	check_rc("gnttab_end_ro", gnttab_end_access(REF_RO), 0);
	return check_finish();
}

static int dier(domid_t peer)
{
	grant_handle_t h = 0;
	evtchn_port_t port = 0;

	if (!connect_and_map(peer, false, &port, &h))
		return check_finish();
	fill_mapped(at(MAP_GPA), 0, 2048, 2);
	check_rc("gnttab_dier_notify", evtchn_send(port), 0);
	return linger();
}

static const struct pv_role roles[] = {
    {"granter", granter},   {"mapper", mapper},     {"holder", holder}, {"witness", witness},
    {"rowriter", rowriter}, {"survivor", survivor}, {"keeper", keeper}, {"dier", dier},
};

int guest_main(const struct hvm_start_info *si)
{
	return pv_role_main(si, "gnttab-map", "gnttab_evtchn_init", roles,
	                    sizeof(roles) / sizeof(roles[0]), &deadline);
}
