/*
 * gnttab-copy: GNTTABOP_copy between two guests, and the copies the
 * hypervisor must refuse.
 *
 *   role=granter peer=D  grants three pages: ref 8, pattern seed 1,
 *                        read-only to D; ref 9, zeroed, writable to D;
 *                        ref 10, to domain D + 1 (not D).  Then allocates a
 *                        port for D, waits for D's "done" event, checks
 *                        that ref 9's page holds D's pattern (seed 2 at
 *                        offsets 0..4095 except 512..1535 = seed 3) and
 *                        ends all three grants.
 *   role=copier peer=D   binds to D's port (so D's grants exist), copies
 *                        ref 8 into its own page and checks the data,
 *                        writes its pages into ref 9 (whole page, then a
 *                        1000-byte piece at another offset), tries the
 *                        hostile copies, and sends "done".
 * Hostile copies and their GNTST_* status: a write through the read-only
 * grant (general_error), refs beyond the table (bad_gntref), the grant
 * made for another domain (general_error), lengths crossing a page on
 * either side (bad_copy_arg), a domain that does not exist (bad_domain),
 * a frame of another domain named without a grant (permission_denied); a
 * batch where only the bad op fails.
 */
#include "evtchn-lib.h"

#define NO_SUCH_DOMAIN 0x7ef0

static uint8_t pages[3][GUEST_PAGE_SIZE] __attribute__((aligned(GUEST_PAGE_SIZE)));
static volatile unsigned long events;
static uint64_t deadline;

static void on_event(evtchn_port_t port, void *arg)
{
	events++;
}

static bool got_event(void *arg)
{
	return events >= 1;
}

static int granter(domid_t peer)
{
	grant_ref_t ref[3] = {0, 0, 0};
	evtchn_port_t port = 0;
	unsigned int bad;
	bool done;

	pv_fill(pages[0], 1);
	if (!check_rc("gnttab_init", gnttab_init(1), 0) ||
	    !check_rc("gnttab_grant_ro", gnttab_grant_access(peer, pv_gfn(pages[0]), true, &ref[0]),
	              0) ||
	    !check_rc("gnttab_grant_rw",
	              gnttab_grant_access(peer, pv_gfn(pages[1]), false, &ref[1]), 0) ||
	    !check_rc("gnttab_grant_other",
	              gnttab_grant_access((domid_t)(peer + 1), pv_gfn(pages[2]), false, &ref[2]),
	              0))
		return check_finish();
	check(ref[0] == 8 && ref[1] == 9 && ref[2] == 10, "gnttab_refs", "refs %u %u %u", ref[0],
	      ref[1], ref[2]);
	if (!check_rc("gnttab_alloc_unbound", evtchn_alloc_unbound(peer, &port), 0))
		return check_finish();
	evtchn_set_handler(port, on_event, NULL);
	evtchn_unmask(port);
	done = evtchn_wait(got_event, NULL, deadline);
	if (!check(done, "gnttab_copier_done", NULL))
		return check_finish();
	bad = pv_check(pages[1], 0, 512, 2) + pv_check(pages[1], 512, 1024, 3) +
	      pv_check(pages[1], 1536, GUEST_PAGE_SIZE - 1536, 2);
	check_rc("gnttab_copy_in_data", bad, 0);
	for (unsigned int i = 0; i < 3; i++) {
		char name[32];

		snprintf(name, sizeof(name), "gnttab_end_access_%u", ref[i]);
		check_rc(name, gnttab_end_access(ref[i]), 0);
	}
	check_rc("gnttab_end_access_twice", gnttab_end_access(ref[0]), -XEN_EINVAL);
	return check_finish();
}

/* One copy op: gref-to-gfn when src_ref, gfn-to-gref otherwise. */
static struct gnttab_copy copy_op(domid_t peer, grant_ref_t ref, bool from_peer, void *local,
                                  uint16_t peer_off, uint16_t local_off, uint16_t len)
{
	struct gnttab_copy_ptr remote = {.u.ref = ref, .domid = peer, .offset = peer_off};
	struct gnttab_copy_ptr mine = {
	    .u.gmfn = pv_gfn(local), .domid = DOMID_SELF, .offset = local_off};

	return (struct gnttab_copy){
	    .source = from_peer ? remote : mine,
	    .dest = from_peer ? mine : remote,
	    .len = len,
	    .flags = from_peer ? GNTCOPY_source_gref : GNTCOPY_dest_gref,
	};
}

static void expect_status(const char *name, struct gnttab_copy op, int16_t want)
{
	long rc = gnttab_copy(&op, 1);

	check(rc == 0 && op.status == want, name, "rc=%ld status=%d want=%d", rc, op.status, want);
}

static void hostile(domid_t peer)
{
	struct gnttab_copy batch[2];
	struct gnttab_copy foreign = copy_op(peer, 8, true, pages[0], 0, 0, 64);
	long rc;

	expect_status("gnttab_copy_write_readonly", copy_op(peer, 8, false, pages[1], 0, 0, 64),
	              GNTST_general_error);
	expect_status("gnttab_copy_ref_beyond_table", copy_op(peer, 512, true, pages[0], 0, 0, 64),
	              GNTST_bad_gntref);
	expect_status("gnttab_copy_ref_huge", copy_op(peer, 0xffffffffU, true, pages[0], 0, 0, 64),
	              GNTST_bad_gntref);
	expect_status("gnttab_copy_other_domid", copy_op(peer, 10, true, pages[0], 0, 0, 64),
	              GNTST_general_error);
	expect_status("gnttab_copy_reserved_ref", copy_op(peer, 1, true, pages[0], 0, 0, 64),
	              GNTST_general_error);
	expect_status("gnttab_copy_cross_page_src", copy_op(peer, 8, true, pages[0], 4000, 0, 200),
	              GNTST_bad_copy_arg);
	expect_status("gnttab_copy_cross_page_dst", copy_op(peer, 8, true, pages[0], 0, 4090, 10),
	              GNTST_bad_copy_arg);
	expect_status("gnttab_copy_bad_domain",
	              copy_op(NO_SUCH_DOMAIN, 8, true, pages[0], 0, 0, 64), GNTST_bad_domain);
	/* A raw frame of the peer, with no grant behind it. */
	foreign.source = (struct gnttab_copy_ptr){.u.gmfn = 0x100, .domid = peer};
	foreign.flags = 0;
	expect_status("gnttab_copy_foreign_frame", foreign, GNTST_permission_denied);

	batch[0] = copy_op(peer, 8, true, pages[2], 0, 0, 128);
	batch[1] = copy_op(peer, 512, true, pages[2], 0, 0, 128);
	rc = gnttab_copy(batch, 2);
	check(rc == 0 && batch[0].status == GNTST_okay && batch[1].status == GNTST_bad_gntref &&
	          pv_check(pages[2], 0, 128, 1) == 0,
	      "gnttab_copy_batch", "rc=%ld status %d %d", rc, batch[0].status, batch[1].status);
}

static int copier(domid_t peer)
{
	evtchn_port_t port = 0;

	if (!check_rc("gnttab_connect", pv_connect(peer, deadline, &port), 0))
		return check_finish();
	/* In: the peer's read-only page into ours. */
	expect_status("gnttab_copy_in", copy_op(peer, 8, true, pages[0], 0, 0, GUEST_PAGE_SIZE),
	              GNTST_okay);
	check_rc("gnttab_copy_in_data", pv_check(pages[0], 0, GUEST_PAGE_SIZE, 1), 0);
	/* Out: seed 2 over the whole page, then seed 3 at 512..1535. */
	pv_fill(pages[1], 2);
	pv_fill(pages[2], 3);
	expect_status("gnttab_copy_out", copy_op(peer, 9, false, pages[1], 0, 0, GUEST_PAGE_SIZE),
	              GNTST_okay);
	expect_status("gnttab_copy_out_piece", copy_op(peer, 9, false, pages[2], 512, 512, 1024),
	              GNTST_okay);
	hostile(peer);
	check_rc("gnttab_done", evtchn_send(port), 0);
	return check_finish();
}

static const struct pv_role roles[] = {
    {"granter", granter},
    {"copier", copier},
};

int guest_main(const struct hvm_start_info *si)
{
	return pv_role_main(si, "gnttab-copy", "gnttab_evtchn_init", roles,
	                    sizeof(roles) / sizeof(roles[0]), &deadline);
}
