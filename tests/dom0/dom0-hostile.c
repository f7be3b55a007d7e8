/*
 * dom0-hostile SOCKET EVTCHN_GUEST GNTTAB_GUEST: the Dom0 libraries against
 * bad arguments and dying guests.  Domains that do not exist give ESRCH,
 * ports this handle did not bind ENOTCONN, bad grant copies their GNTST_*
 * status; foreign maps are bounds-checked; VIRQ_DOM_EXC fires when a guest
 * is destroyed; and a guest destroyed while Dom0 holds a port to it and a
 * mapping of its grant leaves both usable until Dom0 lets go (notify is
 * dropped, the page stays mapped, unmap and unbind succeed).  Prints
 * "dom0-hostile: PASS".
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <shoji/grant_table.h>
#include <shoji/libevtchn.h>
#include <shoji/libgnttab.h>
#include <shoji/xen.h>

#include "dom0-util.h"

#define NO_DOMAIN 0x7000u

static void expect_errno(int r, int err, const char *what)
{
	if (r != -1 || errno != err)
		dom0_fail("%s: got %d errno %d (%s), wanted errno %d (%s)", what, r,
		          r < 0 ? errno : 0, r < 0 ? strerror(errno) : "-", err, strerror(err));
}

static void expect_null(const void *p, int err, const char *what)
{
	if (p || errno != err)
		dom0_fail("%s: got %p errno %d, wanted NULL errno %d (%s)", what, p, errno, err,
		          strerror(err));
}

static int16_t copy_status(struct shoji_gnttab *gt, uint32_t domid, uint32_t ref, uint16_t off,
                           uint16_t len)
{
	static uint8_t buf[4096];
	struct shoji_gnttab_copy_seg s = {
	    .domid = domid, .ref = ref, .offset = off, .len = len, .buf = buf};

	if (shoji_gnttab_grant_copy(gt, 1, &s) < 0)
		dom0_fail("grant_copy transport: %s", strerror(errno));
	return s.status;
}

/* The port limit of a domain that has not run yet can be set (and must be sane). */
static void check_paused_max_port(struct shoji_evtchn *x, struct shoji_ctrl *c)
{
	struct shoji_domain_config cfg = {.memory_kib = 16 * 1024, .vcpus = 1};
	uint32_t id;

	if (shoji_ctrl_create(c, &cfg, &id) < 0)
		dom0_fail("create: %s", strerror(errno));
	if (shoji_evtchn_set_max_port(x, id, 64) < 0)
		dom0_fail("set_max_port of a paused domain: %s", strerror(errno));
	expect_errno(shoji_evtchn_set_max_port(x, id, 0), EINVAL, "set_max_port 0");
	expect_errno(shoji_evtchn_set_max_port(x, id, 4096), EINVAL, "set_max_port 4096");
	if (shoji_ctrl_destroy(c, id) < 0)
		dom0_fail("destroy: %s", strerror(errno));
}

/* The toolstack allocates a port in a guest for Dom0 and binds it (xenstore set-up). */
static void check_alloc_in(struct shoji_evtchn *x, uint32_t domid)
{
	int gport = shoji_evtchn_alloc_unbound_in(x, domid, 0), p;

	if (gport <= 0)
		dom0_fail("alloc_unbound_in(%u, 0): %s", domid, strerror(errno));
	expect_errno(shoji_evtchn_alloc_unbound_in(x, NO_DOMAIN, 0), ESRCH,
	             "alloc_unbound_in, no domain");
	p = shoji_evtchn_bind_interdomain(x, domid, (shoji_evtchn_port_t)gport);
	if (p < 0)
		dom0_fail("binding the allocated port: %s", strerror(errno));
	if (shoji_evtchn_unbind(x, (shoji_evtchn_port_t)p) < 0)
		dom0_fail("unbind: %s", strerror(errno));
}

/* Ping the guest once and wait for its answer. */
static void ping(struct shoji_evtchn *x, int port)
{
	int fd = shoji_evtchn_port_fd(x, (shoji_evtchn_port_t)port);
	uint64_t n;

	if (shoji_evtchn_notify(x, (shoji_evtchn_port_t)port) < 0)
		dom0_fail("notify: %s", strerror(errno));
	if (!dom0_wait_fd(fd, 10000) || read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		dom0_fail("no answer from the ping-pong guest");
}

int main(int argc, char **argv)
{
	struct dom0_guest *ge = malloc(sizeof(*ge)), *gg = malloc(sizeof(*gg));
	struct shoji_evtchn *x;
	struct shoji_gnttab *gt;
	unsigned int d1, rport, d2, ref;
	unsigned long gfn;
	volatile uint8_t *page, *foreign;
	uint8_t copy[2 * 4096];
	int lport, virq, p;
	const char *line;

	dom0_prog = "dom0-hostile";
	if (argc != 4 || !ge || !gg) {
		fprintf(stderr, "usage: dom0-hostile SOCKET EVTCHN_GUEST GNTTAB_GUEST\n");
		return 2;
	}
	x = shoji_evtchn_open(argv[1]);
	gt = shoji_gnttab_open(argv[1]);
	if (!x || !gt)
		dom0_fail("open: %s", strerror(errno));

	/* Domains that do not exist. */
	expect_errno(shoji_evtchn_bind_interdomain(x, NO_DOMAIN, 1), ESRCH, "bind_interdomain");
	/* (alloc_unbound for a missing remote domain succeeds, as in Xen: not checked here.) */
	expect_null(shoji_gnttab_map_grant_ref(gt, NO_DOMAIN, 8, PROT_READ), ESRCH,
	            "map_grant_ref");
	expect_null(shoji_foreign_map(gt, NO_DOMAIN, 0, 1, PROT_READ), ESRCH, "foreign_map");
	if (copy_status(gt, NO_DOMAIN, 8, 0, 16) != GNTST_bad_domain)
		dom0_fail("grant copy from a missing domain is not GNTST_bad_domain");
	/* Ports this handle does not hold. */
	expect_errno(shoji_evtchn_notify(x, 77), ENOTCONN, "notify on an unbound port");
	expect_errno(shoji_evtchn_unmask(x, 77), ENOTCONN, "unmask on an unbound port");
	expect_errno(shoji_evtchn_unbind(x, 77), ENOTCONN, "unbind on an unbound port");
	if (shoji_evtchn_pending(x) != -1 || errno != EAGAIN)
		dom0_fail("pending with nothing bound did not give EAGAIN");

	virq = shoji_evtchn_bind_virq(x, VIRQ_DOM_EXC);
	if (virq < 0)
		dom0_fail("bind_virq(VIRQ_DOM_EXC): %s", strerror(errno));
	expect_errno(shoji_evtchn_bind_virq(x, VIRQ_DOM_EXC), EEXIST, "binding a VIRQ twice");
	expect_errno(shoji_evtchn_notify(x, (shoji_evtchn_port_t)virq), EINVAL, "notify on a VIRQ");

	/* A live ping-pong guest and a granting guest. */
	dom0_guest_start(ge, argv[1], argv[2], "rounds=1000000 timeout_ms=600000");
	line = dom0_console_wait(ge, "evtchn-dom0: domid=", 30000);
	if (sscanf(line, "evtchn-dom0: domid=%u port=%u", &d1, &rport) != 2)
		dom0_fail("unexpected line \"%s\"", line);
	lport = shoji_evtchn_bind_interdomain(x, d1, rport);
	if (lport < 0)
		dom0_fail("bind_interdomain: %s", strerror(errno));
	expect_errno(shoji_evtchn_bind_interdomain(x, d1, rport), EINVAL, "binding a port twice");
	expect_errno(shoji_evtchn_set_max_port(x, d1, 64), EBUSY,
	             "set_max_port of a running domain");
	expect_errno(shoji_evtchn_set_max_port(x, NO_DOMAIN, 64), ESRCH, "set_max_port, no domain");
	check_paused_max_port(x, ge->ctrl);
	check_alloc_in(x, d1);
	while (shoji_evtchn_pending(x) >= 0)
		;
	ping(x, lport);
	ping(x, lport);

	dom0_grant_guest_start(gg, argv[1], argv[3], "timeout_ms=600000", &ref, &gfn);
	d2 = gg->domid;
	page = shoji_gnttab_map_grant_ref(gt, d2, ref, PROT_READ | PROT_WRITE);
	if (!page)
		dom0_fail("map_grant_ref: %s", strerror(errno));
	expect_null(shoji_gnttab_map_grant_ref(gt, d2, 100000, PROT_READ), EINVAL,
	            "map of a ref beyond the table");
	expect_null(shoji_gnttab_map_grant_ref(gt, d2, 9, PROT_READ), EPERM,
	            "map of an unused grant entry");
	if (copy_status(gt, d2, 100000, 0, 16) != GNTST_bad_gntref)
		dom0_fail("grant copy with a ref beyond the table is not GNTST_bad_gntref");
	if (copy_status(gt, d2, ref, 4000, 200) != GNTST_bad_copy_arg)
		dom0_fail("grant copy crossing the page is not GNTST_bad_copy_arg");
	if (copy_status(gt, d2, ref, 16, 16) != GNTST_okay)
		dom0_fail("a good grant copy failed");

	/* Foreign maps see the same frame; outside RAM they are refused. */
	foreign = shoji_foreign_map(gt, d2, gfn, 1, PROT_READ | PROT_WRITE);
	if (!foreign)
		dom0_fail("foreign_map(%u, 0x%lx): %s", d2, gfn, strerror(errno));
	page[100] = 0x5a;
	if (foreign[100] != 0x5a)
		dom0_fail("the foreign map and the grant map disagree");
	if (shoji_foreign_read(gt, d2, gfn, copy, 1) < 0)
		dom0_fail("foreign_read(%u, 0x%lx): %s", d2, gfn, strerror(errno));
	for (size_t i = 0; i < 4096; i++)
		if (copy[i] != foreign[i])
			dom0_fail("foreign_read and the foreign map disagree at byte %zu", i);
	if (copy[100] != 0x5a)
		dom0_fail("foreign_read missed the write through the grant map");
	expect_errno(shoji_foreign_read(gt, d2, (32u << 20) / 4096 - 1, copy, 2), EINVAL,
	             "foreign read crossing the end of RAM");
	expect_errno(shoji_foreign_read(gt, NO_DOMAIN, 0, copy, 1), ESRCH,
	             "foreign read, no domain");
	expect_null(shoji_foreign_map(gt, d2, (32u << 20) / 4096, 1, PROT_READ), EINVAL,
	            "foreign map past RAM");
	expect_null(shoji_foreign_map(gt, d2, (32u << 20) / 4096 - 1, 2, PROT_READ), EINVAL,
	            "foreign map crossing the end of RAM");

	/* Destroy both guests while Dom0 holds a port and a mapping. */
	while (shoji_evtchn_pending(x) >= 0)
		;
	dom0_guest_destroy(ge);
	dom0_guest_destroy(gg);
	if (!dom0_wait_fd(shoji_evtchn_fd(x), 5000))
		dom0_fail("no VIRQ_DOM_EXC after destroying guests");
	p = shoji_evtchn_pending(x);
	if (p != virq)
		dom0_fail("pending gave %d, wanted the VIRQ_DOM_EXC port %d", p, virq);
	if (shoji_evtchn_notify(x, (shoji_evtchn_port_t)lport) < 0)
		dom0_fail("notify to a destroyed peer: %s (should be dropped silently)",
		          strerror(errno));
	page[200] = 0x77; /* still mapped, still memory */
	if (page[200] != 0x77 || foreign[100] != 0x5a)
		dom0_fail("mapping of a destroyed guest's grant changed");
	if (shoji_gnttab_unmap(gt, (void *)page, 1) < 0)
		dom0_fail("unmap after the granter died: %s", strerror(errno));
	expect_errno(shoji_gnttab_unmap(gt, (void *)page, 1), EINVAL, "unmapping twice");
	shoji_foreign_unmap((void *)foreign, 1);
	if (shoji_evtchn_unbind(x, (shoji_evtchn_port_t)lport) < 0)
		dom0_fail("unbind after the peer died: %s", strerror(errno));
	expect_errno(shoji_evtchn_notify(x, (shoji_evtchn_port_t)lport), ENOTCONN,
	             "notify on a closed port");
	expect_errno(shoji_evtchn_bind_interdomain(x, d1, rport), ESRCH,
	             "binding to a destroyed domain");
	expect_null(shoji_gnttab_map_grant_ref(gt, d2, ref, PROT_READ), ESRCH,
	            "map from a destroyed domain");
	shoji_evtchn_close(x);
	shoji_gnttab_close(gt);
	free(ge);
	free(gg);
	printf("dom0-hostile: PASS\n");
	return 0;
}
