/*
 * test_hvsim: hvsim's promises (tests/sim/hvsim.h), checked with Dom0's own
 * libraries: a sim domain is a domain to libshoji-ctrl, its grants map
 * through libshoji-gnttab onto the same memory the test sees as the guest,
 * and events cross in both directions through libshoji-evtchn.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <shoji/ctrl.h>
#include <shoji/libevtchn.h>
#include <shoji/libgnttab.h>

#include "check-run.h"
#include "hvsim.h"

#define MEMORY (4u << 20)
#define REF    9

static char dir[] = "/tmp/test_hvsim.XXXXXX";
static struct hvsim *sim;
static uint32_t dom;

static void setup(void)
{
	int r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	sim = hvsim_start(dir);
	ck_assert_ptr_nonnull(sim);
	r = hvsim_domain_new(sim, MEMORY);
	ck_assert_int_gt(r, 0);
	dom = (uint32_t)r;
}

static void teardown(void)
{
	hvsim_stop(sim);
	ck_assert_int_eq(rmdir(dir), 0); /* the socket is gone too */
}

START_TEST(a_domain_to_the_toolstack)
{
	struct shoji_ctrl *c = shoji_ctrl_open(hvsim_socket(sim));
	struct shoji_dominfo info;

	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(shoji_ctrl_info(c, dom, &info), 0);
	ck_assert_uint_eq(info.max_kib, MEMORY >> 10);
	ck_assert_int_eq(info.state, SHOJI_DOMAIN_PAUSED);
	ck_assert_int_eq(hvsim_domain_new(sim, 4096), -EINVAL);
	ck_assert_int_eq(hvsim_domain_destroy(sim, dom), 0);
	ck_assert_int_eq(shoji_ctrl_info(c, dom, &info), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(hvsim_domain_destroy(sim, dom), -ESRCH);
	ck_assert_ptr_null(hvsim_guest_mem(sim, dom, 0, 1));
	shoji_ctrl_close(c);
}
END_TEST

START_TEST(guest_memory_bounds)
{
	ck_assert_ptr_nonnull(hvsim_guest_mem(sim, dom, MEMORY - 4096, 4096));
	ck_assert_ptr_null(hvsim_guest_mem(sim, dom, MEMORY - 4096, 4097));
	ck_assert_ptr_null(hvsim_guest_mem(sim, dom, MEMORY, 1));
}
END_TEST

START_TEST(grants_map_the_guest_page)
{
	const uint64_t gfn = HVSIM_GFN_FREE + 3;
	struct shoji_gnttab *g = shoji_gnttab_open(hvsim_socket(sim));
	char *guest = hvsim_guest_mem(sim, dom, gfn << XEN_PAGE_SHIFT, 4096);
	char *p;

	ck_assert_ptr_nonnull(g);
	ck_assert_ptr_nonnull(guest);
	/* Nothing granted yet: Dom0's map is refused. */
	ck_assert_ptr_null(shoji_gnttab_map_grant_ref(g, dom, REF, PROT_READ));

	strcpy(guest, "from the guest");
	ck_assert_int_eq(hvsim_grant(sim, dom, REF, 0, gfn, false), 0);
	ck_assert_int_eq(hvsim_grant(sim, dom, REF, 0, gfn, false), -EBUSY);
	ck_assert_int_eq(hvsim_grant_flags(sim, dom, REF), GTF_permit_access);
	p = shoji_gnttab_map_grant_ref(g, dom, REF, PROT_READ | PROT_WRITE);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "from the guest");
	strcpy(p, "from Dom0");
	ck_assert_str_eq(guest, "from Dom0");
	ck_assert_int_eq(hvsim_grant_flags(sim, dom, REF),
	                 GTF_permit_access | GTF_reading | GTF_writing);
	ck_assert_int_eq(hvsim_ungrant(sim, dom, REF), -EBUSY);
	ck_assert_int_eq(shoji_gnttab_unmap(g, p, 1), 0);
	ck_assert_int_eq(hvsim_ungrant(sim, dom, REF), 0);
	ck_assert_int_eq(hvsim_ungrant(sim, dom, REF), -ENOENT);
	ck_assert_ptr_null(shoji_gnttab_map_grant_ref(g, dom, REF, PROT_READ));

	/* Read-only: Dom0 may read, not write. */
	ck_assert_int_eq(hvsim_grant(sim, dom, REF, 0, gfn, true), 0);
	ck_assert_ptr_null(shoji_gnttab_map_grant_ref(g, dom, REF, PROT_READ | PROT_WRITE));
	p = shoji_gnttab_map_grant_ref(g, dom, REF, PROT_READ);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, "from Dom0");
	ck_assert_int_eq(hvsim_grant_flags(sim, dom, REF),
	                 GTF_permit_access | GTF_readonly | GTF_reading);
	ck_assert_int_eq(hvsim_ungrant(sim, dom, REF), -EBUSY); /* a reader is a user too */
	ck_assert_int_eq(shoji_gnttab_unmap(g, p, 1), 0);
	ck_assert_int_eq(hvsim_ungrant(sim, dom, REF), 0);

	/* The last frame of the table is placed; one past it is not. */
	ck_assert_int_eq(hvsim_grant(sim, dom, HVSIM_GRANT_REFS - 1, 0, gfn, false), 0);
	p = shoji_gnttab_map_grant_ref(g, dom, HVSIM_GRANT_REFS - 1, PROT_READ);
	ck_assert_ptr_nonnull(p);
	ck_assert_int_eq(shoji_gnttab_unmap(g, p, 1), 0);
	ck_assert_int_eq(hvsim_grant(sim, dom, HVSIM_GRANT_REFS, 0, gfn, false), -EINVAL);
	ck_assert_int_eq(hvsim_grant_flags(sim, dom, HVSIM_GRANT_REFS), -EINVAL);
	ck_assert_int_eq(shoji_gnttab_close(g), 0);
}
END_TEST

START_TEST(events_both_ways)
{
	struct shoji_evtchn *x = shoji_evtchn_open(hvsim_socket(sim));
	const struct shared_info *si = hvsim_guest_mem(
	    sim, dom, (uint64_t)HVSIM_GFN_SHARED_INFO << XEN_PAGE_SHIFT, sizeof(*si));
	int guest_port, other, local;

	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(si);
	guest_port = hvsim_evtchn_alloc(sim, dom, 0);
	other = hvsim_evtchn_alloc(sim, dom, 0);
	ck_assert_int_gt(guest_port, 0);
	ck_assert_int_gt(other, 0);
	ck_assert_int_ne(guest_port, other);
	local = shoji_evtchn_bind_interdomain(x, dom, (shoji_evtchn_port_t)guest_port);
	ck_assert_int_gt(local, 0);
	/* As on Xen, the new local end starts pending (nothing sent before is lost). */
	ck_assert_int_eq(shoji_evtchn_pending(x), local);
	ck_assert_int_eq(shoji_evtchn_unmask(x, (shoji_evtchn_port_t)local), 0);

	/* Nothing sent: the wait times out. */
	ck_assert_int_eq(hvsim_evtchn_wait(sim, dom, (evtchn_port_t)guest_port, 0), -ETIMEDOUT);
	ck_assert_int_eq(hvsim_evtchn_wait(sim, dom, (evtchn_port_t)guest_port, 50), -ETIMEDOUT);
	/* Dom0 -> guest: once, then consumed. */
	ck_assert_int_eq(shoji_evtchn_notify(x, (shoji_evtchn_port_t)local), 0);
	ck_assert_int_eq(hvsim_evtchn_wait(sim, dom, (evtchn_port_t)guest_port, 5000), 0);
	/* The wait acknowledged the upcall as a guest's handler does: the next event raises one. */
	ck_assert_uint_eq(si->vcpu_info[0].evtchn_upcall_pending, 0);
	ck_assert_int_eq(hvsim_evtchn_wait(sim, dom, (evtchn_port_t)guest_port, 0), -ETIMEDOUT);
	ck_assert_int_eq(hvsim_evtchn_wait(sim, dom, (evtchn_port_t)other, 0), -ETIMEDOUT);

	/* Guest -> Dom0. */
	ck_assert_int_eq(shoji_evtchn_pending(x), -1);
	ck_assert_int_eq(hvsim_evtchn_send(sim, dom, (evtchn_port_t)guest_port), 0);
	ck_assert_int_eq(shoji_evtchn_pending(x), local);
	/* An unbound port has no peer; a closed one is gone. */
	ck_assert_int_eq(hvsim_evtchn_send(sim, dom, (evtchn_port_t)other), 0);
	ck_assert_int_eq(hvsim_evtchn_close(sim, dom, (evtchn_port_t)other), 0);
	ck_assert_int_lt(hvsim_evtchn_send(sim, dom, (evtchn_port_t)other), 0);
	ck_assert_int_eq(hvsim_evtchn_wait(sim, dom, 5000, 0), -EINVAL);
	ck_assert_int_eq(shoji_evtchn_close(x), 0);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "sim", .name = "hvsim", .setup = setup, .teardown = teardown, .timeout = 30};

	return CHECK_MAIN(c, a_domain_to_the_toolstack, guest_memory_bounds,
	                  grants_map_the_guest_page, events_both_ways);
}
