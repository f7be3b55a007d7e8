/*
 * test_sim_runcons: `shoji-hv run` serves the PV console ring itself
 * (hypervisor/runcons.c, issue 12 item 6), here on hvsim with the test as the
 * guest: it names its console page, finds the port shoji-hv allocated in
 * HVM_PARAM_CONSOLE_EVTCHN, writes output that must come out of the output
 * pipe byte for byte (more than the ring holds), reads what was typed into
 * the input pipe from its in ring, and breaks its indexes, which stops the
 * service for it alone.  Its store ring is served too: every request gets
 * ENOENT, and a request too long for the wire or impossible indexes end
 * that service.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/hvm.h>
#include <shoji/io/console.h>
#include <shoji/io/xs_wire.h>
#include <shoji/xen.h>

#include "check-run.h"
#include "hvsim.h"

#define MEMORY    (16u << 20)
#define CON_GFN   HVSIM_GFN_FREE
#define PARAM_GFN (HVSIM_GFN_FREE + 1)
#define WAIT_MS   5000

static char dir[] = "/tmp/test_sim_runcons.XXXXXX";
static struct hvsim *sim;
static uint32_t domid;
static struct xencons_interface *ring;
static evtchn_port_t port;
static int in_pipe[2], out_pipe[2]; /* [1] typed at the console, [0] what it shows */

/* HVMOP_get_param (or set_param), as the guest makes it. */
static long hvm_param(uint32_t op, uint32_t index, uint64_t *value)
{
	struct xen_hvm_param *p =
	    hvsim_guest_mem(sim, domid, (uint64_t)PARAM_GFN << XEN_PAGE_SHIFT, sizeof(*p));
	uint64_t a[5] = {op, (uint64_t)PARAM_GFN << XEN_PAGE_SHIFT};
	long r;

	ck_assert_ptr_nonnull(p);
	*p = (struct xen_hvm_param){.domid = DOMID_SELF, .index = index, .value = *value};
	r = hvsim_hypercall(sim, domid, __HYPERVISOR_hvm_op, a);
	*value = p->value;
	return r;
}

static void setup(void)
{
	uint64_t v = 0;
	int r;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	sim = hvsim_start(dir);
	ck_assert_ptr_nonnull(sim);
	r = hvsim_domain_new(sim, MEMORY);
	ck_assert_int_gt(r, 0);
	domid = (uint32_t)r;
	ring = hvsim_guest_mem(sim, domid, (uint64_t)CON_GFN << XEN_PAGE_SHIFT, sizeof(*ring));
	ck_assert_ptr_nonnull(ring);
	ck_assert_int_eq(pipe2(in_pipe, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(out_pipe, O_CLOEXEC | O_NONBLOCK), 0);
	ck_assert_int_eq(hvsim_run_console(sim, domid, CON_GFN, in_pipe[0], out_pipe[1]), 0);
	ck_assert_int_eq(hvm_param(HVMOP_get_param, HVM_PARAM_CONSOLE_PFN, &v), 0);
	ck_assert_uint_eq(v, CON_GFN);
	v = 0;
	ck_assert_int_eq(hvm_param(HVMOP_get_param, HVM_PARAM_CONSOLE_EVTCHN, &v), 0);
	ck_assert_uint_gt(v, 0);
	port = (evtchn_port_t)v;
}

static void teardown(void)
{
	hvsim_stop(sim);
	for (int i = 0; i < 2; i++) {
		close(in_pipe[i]);
		close(out_pipe[i]);
	}
	rmdir(dir);
	strcpy(dir + strlen(dir) - 6, "XXXXXX");
}

/* The guest's console driver: put @len bytes in the out ring, waiting for room. */
static void guest_write(const char *buf, size_t len)
{
	XENCONS_RING_IDX prod = ring->out_prod;

	while (len > 0) {
		XENCONS_RING_IDX cons = __atomic_load_n(&ring->out_cons, __ATOMIC_ACQUIRE);

		if (prod - cons == XENCONS_OUT_SIZE) {
			ck_assert_msg(hvsim_evtchn_wait(sim, domid, port, WAIT_MS) == 0,
			              "shoji-hv never made room in the out ring");
			continue;
		}
		while (len > 0 && prod - cons < XENCONS_OUT_SIZE) {
			ring->out[MASK_XENCONS_IDX(prod, ring->out)] = *buf++;
			prod++;
			len--;
		}
		__atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
		ck_assert_int_eq(hvsim_evtchn_send(sim, domid, port), 0);
	}
}

/* Read exactly @len bytes the console shows (within WAIT_MS of quiet). */
static void shown(char *buf, size_t len)
{
	size_t have = 0;

	while (have < len) {
		struct pollfd p = {.fd = out_pipe[0], .events = POLLIN};
		ssize_t n;

		ck_assert_msg(poll(&p, 1, WAIT_MS) == 1, "the console showed %zu of %zu bytes",
		              have, len);
		n = read(out_pipe[0], buf + have, len - have);
		ck_assert_int_gt(n, 0);
		have += (size_t)n;
	}
}

START_TEST(output_is_shown_byte_for_byte)
{
	static char out[3 * XENCONS_OUT_SIZE + 77], got[sizeof(out)];
	char extra;

	for (size_t i = 0; i < sizeof(out); i++)
		out[i] = (char)('a' + i % 26);
	guest_write(out, sizeof(out));
	shown(got, sizeof(got));
	ck_assert(memcmp(got, out, sizeof(out)) == 0);
	ck_assert_int_eq(read(out_pipe[0], &extra, 1), -1); /* nothing more */
	ck_assert_int_eq(errno, EAGAIN);
}
END_TEST

START_TEST(typed_input_reaches_the_in_ring)
{
	static const char typed[] = "typed at the console\n";
	char in[sizeof(typed)];
	XENCONS_RING_IDX cons = ring->in_cons;

	ck_assert_int_eq(write(in_pipe[1], typed, strlen(typed)), (ssize_t)strlen(typed));
	while (__atomic_load_n(&ring->in_prod, __ATOMIC_ACQUIRE) - cons < strlen(typed))
		ck_assert_msg(hvsim_evtchn_wait(sim, domid, port, WAIT_MS) == 0, "no input came");
	ck_assert_uint_eq(ring->in_prod - cons, strlen(typed));
	for (size_t i = 0; i < strlen(typed); i++)
		in[i] = ring->in[MASK_XENCONS_IDX(cons + i, ring->in)];
	in[strlen(typed)] = '\0';
	ck_assert_str_eq(in, typed);
}
END_TEST

/* More than the in ring holds is typed: the rest waits until the guest reads. */
START_TEST(input_waits_for_room)
{
	static char typed[3 * XENCONS_IN_SIZE + 300];
	static char got[sizeof(typed)];
	size_t have = 0;

	for (size_t i = 0; i < sizeof(typed); i++)
		typed[i] = (char)('A' + i % 26);
	ck_assert_int_eq(write(in_pipe[1], typed, sizeof(typed)), (ssize_t)sizeof(typed));
	while (have < sizeof(typed)) {
		XENCONS_RING_IDX prod = __atomic_load_n(&ring->in_prod, __ATOMIC_ACQUIRE);
		XENCONS_RING_IDX cons = ring->in_cons;

		ck_assert_uint_le(prod - cons, XENCONS_IN_SIZE);
		if (prod == cons) {
			ck_assert_msg(hvsim_evtchn_wait(sim, domid, port, WAIT_MS) == 0,
			              "input stopped after %zu of %zu bytes", have, sizeof(typed));
			continue;
		}
		while (cons != prod)
			got[have++] = ring->in[MASK_XENCONS_IDX(cons++, ring->in)];
		__atomic_store_n(&ring->in_cons, cons, __ATOMIC_RELEASE);
		ck_assert_int_eq(hvsim_evtchn_send(sim, domid, port), 0); /* room again */
	}
	ck_assert(memcmp(got, typed, sizeof(typed)) == 0);
}
END_TEST

/* Impossible indexes: nothing is shown from beyond the ring, shoji-hv goes on. */
START_TEST(hostile_indexes_stop_the_service)
{
	char c;

	ring->out_prod = ring->out_cons + 100000u;
	ck_assert_int_eq(hvsim_evtchn_send(sim, domid, port), 0);
	usleep(200 * 1000);
	ck_assert_int_eq(read(out_pipe[0], &c, 1), -1);
	ck_assert_int_eq(errno, EAGAIN);
	ring->out_prod = ring->out_cons;
	guest_write("after", 5);
	usleep(200 * 1000);
	ck_assert_int_eq(read(out_pipe[0], &c, 1), -1); /* no longer served */
	/* The rest of shoji-hv still answers this guest. */
	ck_assert_int_eq(hvsim_evtchn_send(sim, domid, port), 0);
}
END_TEST

/* The store ring and its port, as the guest finds them in its HVM params. */
static struct xenstore_domain_interface *store_ring(evtchn_port_t *sport)
{
	uint64_t pfn = 0, v = 0;
	struct xenstore_domain_interface *xs;

	ck_assert_int_eq(hvm_param(HVMOP_get_param, HVM_PARAM_STORE_PFN, &pfn), 0);
	ck_assert_int_eq(hvm_param(HVMOP_get_param, HVM_PARAM_STORE_EVTCHN, &v), 0);
	ck_assert_uint_gt(v, 0);
	ck_assert_uint_ne(v, port);
	*sport = (evtchn_port_t)v;
	xs = hvsim_guest_mem(sim, domid, pfn << XEN_PAGE_SHIFT, sizeof(*xs));
	ck_assert_ptr_nonnull(xs);
	return xs;
}

/* Put @len bytes in the request ring (there is room: the tests stay small). */
static void store_put(struct xenstore_domain_interface *xs, const void *p, size_t len)
{
	XENSTORE_RING_IDX prod = xs->req_prod;

	for (size_t i = 0; i < len; i++, prod++)
		xs->req[MASK_XENSTORE_IDX(prod)] = ((const char *)p)[i];
	__atomic_store_n(&xs->req_prod, prod, __ATOMIC_RELEASE);
}

static void store_request(struct xenstore_domain_interface *xs, uint32_t type, uint32_t id,
                          const char *path)
{
	struct xsd_sockmsg h = {.type = type, .req_id = id, .len = (uint32_t)strlen(path) + 1};

	store_put(xs, &h, sizeof(h));
	store_put(xs, path, h.len);
}

/* Every request, whole, gets XS_ERROR "ENOENT" with its req_id: run mode has no store. */
START_TEST(store_requests_get_enoent)
{
	evtchn_port_t sport;
	struct xenstore_domain_interface *xs = store_ring(&sport);
	XENSTORE_RING_IDX cons = xs->rsp_cons;

	store_request(xs, XS_READ, 7, "name");
	store_request(xs, XS_DIRECTORY, 8, "device/vbd");
	ck_assert_int_eq(hvsim_evtchn_send(sim, domid, sport), 0);
	for (uint32_t id = 7; id <= 8; id++) {
		struct xsd_sockmsg h = {0};
		char body[8] = "";

		while (__atomic_load_n(&xs->rsp_prod, __ATOMIC_ACQUIRE) - cons < sizeof(h) + 7)
			ck_assert_msg(hvsim_evtchn_wait(sim, domid, sport, WAIT_MS) == 0,
			              "no answer to request %u", id);
		for (size_t i = 0; i < sizeof(h); i++)
			((char *)&h)[i] = xs->rsp[MASK_XENSTORE_IDX(cons + i)];
		cons += sizeof(h);
		for (size_t i = 0; i < h.len && i < sizeof(body); i++)
			body[i] = xs->rsp[MASK_XENSTORE_IDX(cons + i)];
		cons += h.len;
		ck_assert_uint_eq(h.type, XS_ERROR);
		ck_assert_uint_eq(h.req_id, id);
		ck_assert_uint_eq(h.len, 7);
		ck_assert_str_eq(body, "ENOENT");
	}
	ck_assert_uint_eq(xs->req_cons, xs->req_prod);
}
END_TEST

/* A request longer than the wire allows ends the store service: nothing past its header is read. */
START_TEST(store_oversized_request_stops_it)
{
	evtchn_port_t sport;
	struct xenstore_domain_interface *xs = store_ring(&sport);
	struct xsd_sockmsg h = {.type = XS_WRITE, .req_id = 1, .len = XENSTORE_PAYLOAD_MAX + 1};
	XENSTORE_RING_IDX start = xs->req_cons, rsp = xs->rsp_prod;
	char junk[512];

	memset(junk, 'x', sizeof(junk));
	store_put(xs, &h, sizeof(h));
	store_put(xs, junk, sizeof(junk));
	ck_assert_int_eq(hvsim_evtchn_send(sim, domid, sport), 0);
	usleep(200 * 1000);
	ck_assert_uint_le(xs->req_cons - start, sizeof(h));
	ck_assert_uint_eq(xs->rsp_prod, rsp);
	/* The console is still served. */
	guest_write("ok", 2);
	shown(junk, 2);
	ck_assert(memcmp(junk, "ok", 2) == 0);
}
END_TEST

/* Impossible request indexes: no bytes from beyond the ring are read, nothing is answered. */
START_TEST(store_hostile_indexes_stop_it)
{
	evtchn_port_t sport;
	struct xenstore_domain_interface *xs = store_ring(&sport);
	XENSTORE_RING_IDX rsp = xs->rsp_prod;

	xs->req_prod = xs->req_cons + 100000u;
	ck_assert_int_eq(hvsim_evtchn_send(sim, domid, sport), 0);
	usleep(200 * 1000);
	ck_assert_uint_eq(xs->rsp_prod, rsp);
	xs->req_prod = xs->req_cons;
	store_request(xs, XS_READ, 9, "name");
	ck_assert_int_eq(hvsim_evtchn_send(sim, domid, sport), 0);
	usleep(200 * 1000);
	ck_assert_uint_eq(xs->rsp_prod, rsp); /* no longer served */
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "sim", .name = "runcons", .setup = setup, .teardown = teardown, .timeout = 60};

	return CHECK_MAIN(c, output_is_shown_byte_for_byte, typed_input_reaches_the_in_ring,
	                  input_waits_for_room, hostile_indexes_stop_the_service,
	                  store_requests_get_enoent, store_oversized_request_stops_it,
	                  store_hostile_indexes_stop_it);
}
