/*
 * test_sim_ping: the "ping" example device end to end without KVM.  The
 * unchanged shoji-pingback backend (on libshoji-backend) runs against hvsim
 * (shoji-hv's own control socket, grant tables and event channels, see
 * tests/sim/hvsim.h) and a private shoji-xenstored; this test is the
 * toolstack (the xenbus layout) and the ping frontend, as the guest of a
 * simulated domain: it grants the ring page, allocates the port, goes
 * through the xenbus handshake, sends requests and checks every answer.
 * No guest code runs: what is proven is the Dom0 side (backend, libraries,
 * shoji-hv's Dom0 socket and cores), not the guest runtime's.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/io/xenbus.h>
#include <shoji/xs.h>

#include "proto/ping.h"
#include "check-run.h"
#include "hvsim.h"
#include "simtest.h"

#define RING_REF 8 /* the first reference Xen leaves to guests */
#define MEMORY   (16u << 20)
#define BATCH    50
#define NOT_DOM0 5 /* a grantee that is not the backend's domain */

static struct simtest t;
static char pb_log[sizeof(t.dir) + 16];
static pid_t pb_pid = -1;

/* The ping frontend of one simulated guest. */
struct front {
	uint32_t domid;
	evtchn_port_t port;
	struct ping_front_ring ring;
	char fe[64], be[64];
};

/*
 * A guest with device ping/0, laid out by the toolstack, which then shares
 * its ring page (granted to @grantee) and port (for Dom0) as ping-front
 * does and says Initialised.
 */
static void front_start(struct front *f, domid_t grantee)
{
	struct ping_sring *s;
	int r;

	r = hvsim_domain_new(t.sim, MEMORY);
	ck_assert_int_gt(r, 0);
	f->domid = (uint32_t)r;
	simtest_device(&t, "ping", f->domid, 0, f->fe, f->be);
	simtest_wait_state(&t, f->be, XenbusStateInitWait);

	s = hvsim_guest_mem(t.sim, f->domid, (uint64_t)HVSIM_GFN_FREE << XEN_PAGE_SHIFT,
	                    PING_RING_PAGE);
	ck_assert_ptr_nonnull(s);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&f->ring, s, PING_RING_PAGE);
	ck_assert_int_eq(hvsim_grant(t.sim, f->domid, RING_REF, grantee, HVSIM_GFN_FREE, false), 0);
	r = hvsim_evtchn_alloc(t.sim, f->domid, 0);
	ck_assert_int_gt(r, 0);
	f->port = (evtchn_port_t)r;
	simtest_put(&t, f->fe, "ring-ref", "%u", RING_REF);
	simtest_put(&t, f->fe, "event-channel", "%u", f->port);
	simtest_put(&t, f->fe, "state", "%d", XenbusStateInitialised);
}

/* Send @rounds requests in batches and check every answer. */
static void pings(struct front *f, unsigned int rounds)
{
	unsigned int sent = 0;

	while (sent < rounds) {
		unsigned int n = rounds - sent < BATCH ? rounds - sent : BATCH;

		for (unsigned int i = 0; i < n; i++) {
			struct ping_request *req = RING_GET_REQUEST(&f->ring, f->ring.req_prod_pvt);

			req->id = sent + i;
			req->value = (sent + i) * 7;
			f->ring.req_prod_pvt++;
		}
		RING_PUSH_REQUESTS(&f->ring);
		ck_assert_int_eq(hvsim_evtchn_send(t.sim, f->domid, f->port), 0);
		while (RING_HAS_UNCONSUMED_RESPONSES(&f->ring) < n)
			ck_assert_msg(
			    hvsim_evtchn_wait(t.sim, f->domid, f->port, SIMTEST_WAIT_MS) == 0,
			    "no answer to request %u", sent);
		for (unsigned int i = 0; i < n; i++) {
			struct ping_response rsp;

			RING_COPY_RESPONSE(&f->ring, f->ring.rsp_cons, &rsp);
			f->ring.rsp_cons++;
			ck_assert_uint_eq(rsp.id, sent + i);
			ck_assert_uint_eq(rsp.value, (sent + i) * 7 + 1);
		}
		sent += n;
	}
}

/* The frontend closes: Closing, Closed, each answered by the backend. */
static void front_close(struct front *f)
{
	simtest_put(&t, f->fe, "state", "%d", XenbusStateClosing);
	simtest_wait_state(&t, f->be, XenbusStateClosing);
	simtest_put(&t, f->fe, "state", "%d", XenbusStateClosed);
	simtest_wait_state(&t, f->be, XenbusStateClosed);
}

static void setup(void)
{
	char pb[512];

	simtest_begin(&t, "test_sim_ping");
	snprintf(pb_log, sizeof(pb_log), "%s/pingback.log", t.dir);
	pb_pid = simtest_spawn(
	    (char *[]){
	        (char *)simtest_built(pb, sizeof(pb), "pv-drivers/dom0/ping-back/shoji-pingback"),
	        "--xs-socket", t.xs_socket, "--hv-socket", (char *)hvsim_socket(t.sim), "--verbose",
	        NULL},
	    pb_log);
	simtest_wait_file(pb_log, "shoji-pingback: ready");
}

static void teardown(void)
{
	int status = simtest_stop(&pb_pid, pb_log);

	simtest_end(&t);
	ck_assert_msg(status == 0, "shoji-pingback did not exit cleanly (wait status %#x)", status);
}

START_TEST(ping_round_trips)
{
	struct front f;
	char line[128];

	front_start(&f, 0);
	simtest_wait_state(&t, f.be, XenbusStateConnected);
	simtest_put(&t, f.fe, "state", "%d", XenbusStateConnected);
	snprintf(line, sizeof(line), "backend/ping/%u/0: connected", f.domid);
	simtest_wait_file(pb_log, line);
	/* The backend maps the ring: the guest cannot take it back meanwhile. */
	ck_assert_int_ne(hvsim_grant_flags(t.sim, f.domid, RING_REF) & (GTF_reading | GTF_writing),
	                 0);
	ck_assert_int_eq(hvsim_ungrant(t.sim, f.domid, RING_REF), -EBUSY);

	pings(&f, 500);
	front_close(&f);
	snprintf(line, sizeof(line), "backend/ping/%u/0: answered 500 pings", f.domid);
	simtest_wait_file(pb_log, line);
	/* Closed: the backend has let the ring go, and the grant can be revoked. */
	ck_assert_int_eq(hvsim_grant_flags(t.sim, f.domid, RING_REF) & (GTF_reading | GTF_writing),
	                 0);
	ck_assert_int_eq(hvsim_ungrant(t.sim, f.domid, RING_REF), 0);

	ck_assert_int_eq(hvsim_domain_destroy(t.sim, f.domid), 0);
	snprintf(line, sizeof(line), "domain %u is gone", f.domid);
	simtest_wait_file(pb_log, line);
	ck_assert(simtest_alive(pb_pid));
}
END_TEST

START_TEST(grant_to_another_domain_is_refused)
{
	struct front f, ok;
	char path[96], *err;

	/* The ring is granted to some other domain: Dom0's map must fail. */
	front_start(&f, NOT_DOM0);
	simtest_wait_state(&t, f.be, XenbusStateClosing);
	snprintf(path, sizeof(path), "%s/error", f.be);
	err = shoji_xs_read(t.xs, SHOJI_XS_NO_TX, path, NULL);
	ck_assert_ptr_nonnull(err);
	free(err);
	ck_assert_int_eq(hvsim_grant_flags(t.sim, f.domid, RING_REF) & (GTF_reading | GTF_writing),
	                 0);
	ck_assert_int_eq(hvsim_ungrant(t.sim, f.domid, RING_REF), 0);
	ck_assert(simtest_alive(pb_pid));

	/* Another guest that grants correctly is served. */
	front_start(&ok, 0);
	simtest_wait_state(&t, ok.be, XenbusStateConnected);
	simtest_put(&t, ok.fe, "state", "%d", XenbusStateConnected);
	pings(&ok, 10);
	front_close(&ok);
}
END_TEST

START_TEST(hostile_frontend_stops_only_its_device)
{
	struct front h, ok;
	char line[128];

	front_start(&h, 0);
	simtest_wait_state(&t, h.be, XenbusStateConnected);
	simtest_put(&t, h.fe, "state", "%d", XenbusStateConnected);
	h.ring.sring->req_prod = h.ring.req_prod_pvt + 100000u;
	ck_assert_int_eq(hvsim_evtchn_send(t.sim, h.domid, h.port), 0);
	snprintf(line, sizeof(line), "backend/ping/%u/0: impossible request index, device stopped",
	         h.domid);
	simtest_wait_file(pb_log, line);
	ck_assert(simtest_alive(pb_pid));
	/* No answer comes on the broken device. */
	usleep(200000);
	ck_assert_int_eq(h.ring.sring->rsp_prod, 0);
	front_close(&h);
	ck_assert_int_eq(hvsim_ungrant(t.sim, h.domid, RING_REF), 0);

	front_start(&ok, 0);
	simtest_wait_state(&t, ok.be, XenbusStateConnected);
	simtest_put(&t, ok.fe, "state", "%d", XenbusStateConnected);
	pings(&ok, 50);
	front_close(&ok);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "sim", .name = "ping", .setup = setup, .teardown = teardown, .timeout = 60};

	return CHECK_MAIN(c, ping_round_trips, grant_to_another_domain_is_refused,
	                  hostile_frontend_stops_only_its_device);
}
