/*
 * test_console_input: shoji-consoled's copy of client input into the guest's
 * 1,024-byte input ring (con_flush_input), without a guest: the backend's
 * source is compiled in here with its main() renamed, the ring is a plain
 * xencons_interface in memory and this test plays the guest that consumes
 * it.  Input that crosses the ring's end must wrap to in[0], never run on
 * into out[] (issue 18 #9: 30 lines of 47 bytes lost the echo at line 23).
 */
int consoled_main(int argc, char **argv);
#define main consoled_main
#include "../../pv-drivers/dom0/consoled/console.c"
#undef main

#include <check.h>

#include "check-run.h"

/* The backend's notify, replaced: counts the events the guest would get. */
static unsigned int notified;
int shoji_backend_notify(struct shoji_backend *be, uint32_t port)
{
	notified++;
	return 0;
}

static struct event_base *base;
static struct consd cd;
static struct con con;
static struct client cl;
static struct xencons_interface *ring;

static void setup(void)
{
	base = event_base_new();
	ck_assert_ptr_nonnull(base);
	memset(&cd, 0, sizeof(cd));
	memset(&con, 0, sizeof(con));
	memset(&cl, 0, sizeof(cl));
	ring = calloc(1, sizeof(*ring));
	ck_assert_ptr_nonnull(ring);
	con.cd = &cd;
	con.ring = ring;
	con.port = 3;
	cl.con = &con;
	cl.bev = bufferevent_socket_new(base, -1, 0);
	ck_assert_ptr_nonnull(cl.bev);
	con.clients = &cl;
	notified = 0;
}

static void teardown(void)
{
	bufferevent_free(cl.bev);
	free(ring);
	event_base_free(base);
}

/* Start both input indexes at idx (the guest has consumed everything before it). */
static void ring_at(XENCONS_RING_IDX idx)
{
	ring->in_cons = ring->in_prod = idx;
	con.in_prod = idx;
}

/* What the client's socket would have delivered (the input's end is frozen for all others). */
static void client_types(const char *buf, size_t len)
{
	struct evbuffer *in = bufferevent_get_input(cl.bev);

	evbuffer_unfreeze(in, 0);
	ck_assert_int_eq(evbuffer_add(in, buf, len), 0);
	evbuffer_freeze(in, 0);
}

/* The guest's side: take everything between in_cons and in_prod, wrapping. */
static size_t guest_reads(char *out, size_t max)
{
	size_t n = 0;

	while (ring->in_cons != ring->in_prod && n < max) {
		out[n++] = ring->in[MASK_XENCONS_IDX(ring->in_cons, ring->in)];
		ring->in_cons++;
	}
	return n;
}

static bool out_ring_untouched(void)
{
	for (size_t i = 0; i < sizeof(ring->out); i++)
		if (ring->out[i])
			return false;
	return true;
}

/* 100 bytes from index 1000: 24 at the end of in[], 76 from in[0], nothing in out[]. */
START_TEST(test_wrap_at_ring_end)
{
	char msg[100], got[200];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('A' + i % 26);
	ring_at(1000);
	client_types(msg, sizeof(msg));
	con_flush_input(&con);
	ck_assert_uint_eq(ring->in_prod, 1100);
	ck_assert_uint_eq(notified, 1);
	ck_assert_mem_eq(&ring->in[1000], msg, 24);
	ck_assert_mem_eq(&ring->in[0], msg + 24, 76);
	ck_assert_msg(out_ring_untouched(), "input overran into the output ring");
	ck_assert_uint_eq(guest_reads(got, sizeof(got)), sizeof(msg));
	ck_assert_mem_eq(got, msg, sizeof(msg));
}
END_TEST

/* A full ring: exactly 1,024 bytes go in, the rest waits for the guest to consume. */
START_TEST(test_full_ring_waits)
{
	char msg[1500], got[1500];

	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)('a' + i % 23);
	ring_at(0xfffffe00u); /* the indexes wrap around 2^32 as well */
	client_types(msg, sizeof(msg));
	con_flush_input(&con);
	ck_assert_uint_eq(ring->in_prod - ring->in_cons, XENCONS_IN_SIZE);
	ck_assert_msg(out_ring_untouched(), "input overran into the output ring");
	ck_assert_uint_eq(guest_reads(got, sizeof(got)), XENCONS_IN_SIZE);
	con_flush_input(&con);
	ck_assert_uint_eq(guest_reads(got + XENCONS_IN_SIZE, sizeof(got) - XENCONS_IN_SIZE),
	                  sizeof(msg) - XENCONS_IN_SIZE);
	ck_assert_mem_eq(got, msg, sizeof(msg));
	ck_assert_msg(out_ring_untouched(), "input overran into the output ring");
}
END_TEST

/* The case: 30 lines of 47 bytes, each read back by the guest (an echo) in order. */
START_TEST(test_thirty_lines_echo)
{
	char line[48], got[64];

	ring_at(0);
	for (int i = 0; i < 30; i++) {
		snprintf(line, sizeof(line), "line %02d %038d\n", i, i);
		ck_assert_uint_eq(strlen(line), 47);
		client_types(line, 47);
		con_flush_input(&con);
		ck_assert_msg(guest_reads(got, sizeof(got)) == 47 && !memcmp(got, line, 47),
		              "line %d did not come through", i);
	}
	ck_assert_uint_eq(ring->in_prod, 30 * 47);
	ck_assert_msg(out_ring_untouched(), "input overran into the output ring");
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "console_input", .name = "ring", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, test_wrap_at_ring_end, test_full_ring_waits, test_thirty_lines_echo);
}
