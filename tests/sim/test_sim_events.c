/*
 * test_sim_events: shoji-hv's event stream survives a subscriber that stops
 * reading (issue 15 #6).  While a subscriber reads nothing, 5,000
 * pause/unpause pairs, a destroy and a pause happen; shoji-hv must keep the
 * connection, drop what does not fit, and send the overflow marker when
 * the subscriber reads again; a subscriber that re-reads the domain list
 * on the marker (libshoji-ctrl(3)) ends with shoji-hv's state, and events
 * after the marker are complete.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/ctrl.h>

#include "check-run.h"
#include "hvsim.h"

#define PAIRS  5000
#define MAXDOM 8

static char dir[] = "/tmp/test_sim_events.XXXXXX";
static struct hvsim *sim;

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	sim = hvsim_start(dir);
	ck_assert_ptr_nonnull(sim);
}

static void teardown(void)
{
	hvsim_stop(sim);
	rmdir(dir);
}

/* What a subscriber believes: each domain's last state. */
struct model {
	size_t n;
	uint32_t domid[MAXDOM];
	enum shoji_domain_state state[MAXDOM];
};

static void model_set(struct model *m, uint32_t domid, enum shoji_domain_state state)
{
	size_t i;

	for (i = 0; i < m->n && m->domid[i] != domid; i++)
		;
	if (state == SHOJI_DOMAIN_GONE) {
		if (i < m->n) {
			m->domid[i] = m->domid[--m->n];
			m->state[i] = m->state[m->n];
		}
		return;
	}
	if (i == m->n) {
		ck_assert_uint_lt(m->n, MAXDOM);
		m->domid[m->n++] = domid;
	}
	m->state[i] = state;
}

/* The model shoji-hv's domain list gives now. */
static void model_list(struct model *m, struct shoji_ctrl *c)
{
	struct shoji_dominfo list[MAXDOM];
	int n = shoji_ctrl_list(c, list, MAXDOM);

	ck_assert_int_ge(n, 0);
	ck_assert_int_le(n, MAXDOM);
	m->n = 0;
	for (int i = 0; i < n; i++)
		model_set(m, list[i].domid, list[i].state);
}

static bool model_eq(const struct model *a, const struct model *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++) {
		size_t j;

		for (j = 0; j < b->n && b->domid[j] != a->domid[i]; j++)
			;
		if (j == b->n || b->state[j] != a->state[i])
			return false;
	}
	return true;
}

/*
 * Read @sub's events until none comes for @quiet_ms, applying them to @m
 * (a marker: re-read the list through @c).  Returns the markers seen; the
 * events read in *@events.
 */
static unsigned int drain(struct shoji_ctrl *sub, struct shoji_ctrl *c, struct model *m,
                          int quiet_ms, unsigned long *events)
{
	struct pollfd pfd = {.fd = shoji_ctrl_fd(sub), .events = POLLIN};
	unsigned int markers = 0;
	struct shoji_ctrl_event ev;

	*events = 0;
	while (poll(&pfd, 1, quiet_ms) == 1) {
		ck_assert_msg(shoji_ctrl_next_event(sub, &ev) == 0, "the event stream broke: %s",
		              strerror(errno));
		++*events;
		if (ev.state == SHOJI_EVENT_OVERFLOW) {
			ck_assert_uint_eq(ev.domid, 0);
			markers++;
			model_list(m, c);
		} else {
			model_set(m, ev.domid, ev.state);
		}
	}
	return markers;
}

START_TEST(a_stopped_subscriber_gets_the_marker_then_a_consistent_state)
{
	struct shoji_ctrl *sub = shoji_ctrl_open(hvsim_socket(sim));
	struct shoji_ctrl *c = shoji_ctrl_open(hvsim_socket(sim));
	struct model seen = {0}, now;
	struct shoji_ctrl_event ev;
	unsigned long events;
	int a = hvsim_domain_new(sim, 4u << 20), b = hvsim_domain_new(sim, 4u << 20),
	    d = hvsim_domain_new(sim, 4u << 20);

	ck_assert_ptr_nonnull(sub);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_gt(a, 0);
	ck_assert_int_gt(b, 0);
	ck_assert_int_gt(d, 0);
	ck_assert_int_eq(hvsim_vcpu_start(sim, (uint32_t)a),
	                 0); /* running: it can pause and go on */
	ck_assert_int_eq(shoji_ctrl_subscribe(sub), 0);
	model_list(&seen, c); /* where a subscriber starts */

	/* The subscriber reads nothing meanwhile. */
	for (int i = 0; i < PAIRS; i++) {
		ck_assert_int_eq(shoji_ctrl_pause(c, (uint32_t)a), 0);
		ck_assert_int_eq(shoji_ctrl_unpause(c, (uint32_t)a), 0);
	}
	ck_assert_int_eq(hvsim_domain_destroy(sim, (uint32_t)b), 0);
	ck_assert_int_eq(shoji_ctrl_pause(c, (uint32_t)d), 0);

	/* It reads: some events, one marker, and it knows what shoji-hv knows. */
	ck_assert_uint_eq(drain(sub, c, &seen, 300, &events), 1);
	ck_assert_uint_lt(events, 2 * PAIRS); /* what did not fit was dropped */
	fprintf(stderr,
	        "a stopped subscriber: %d state changes, %lu events read (the marker last)\n",
	        2 * PAIRS + 2, events);
	model_list(&now, c);
	ck_assert(model_eq(&seen, &now));
	ck_assert_uint_eq(now.n, 2); /* b is gone */

	/* The stream is whole again: the next change arrives, no marker. */
	ck_assert_int_eq(shoji_ctrl_pause(c, (uint32_t)a), 0);
	ck_assert_int_eq(shoji_ctrl_next_event(sub, &ev), 0);
	ck_assert_uint_eq(ev.domid, (uint32_t)a);
	ck_assert_int_eq(ev.state, SHOJI_DOMAIN_PAUSED);
	ck_assert_uint_eq(drain(sub, c, &seen, 100, &events), 0);
	ck_assert_uint_eq(events, 0);
	shoji_ctrl_close(sub);
	shoji_ctrl_close(c);
}
END_TEST

/* A subscriber that keeps up sees every event and no marker. */
START_TEST(a_subscriber_that_keeps_up_misses_nothing)
{
	struct shoji_ctrl *sub = shoji_ctrl_open(hvsim_socket(sim));
	struct shoji_ctrl *c = shoji_ctrl_open(hvsim_socket(sim));
	struct shoji_ctrl_event ev;
	int a = hvsim_domain_new(sim, 4u << 20);

	ck_assert_ptr_nonnull(sub);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_gt(a, 0);
	ck_assert_int_eq(hvsim_vcpu_start(sim, (uint32_t)a), 0);
	ck_assert_int_eq(shoji_ctrl_subscribe(sub), 0);
	for (int i = 0; i < 1000; i++) {
		ck_assert_int_eq(shoji_ctrl_pause(c, (uint32_t)a), 0);
		ck_assert_int_eq(shoji_ctrl_next_event(sub, &ev), 0);
		ck_assert_uint_eq(ev.domid, (uint32_t)a);
		ck_assert_int_eq(ev.state, SHOJI_DOMAIN_PAUSED);
		ck_assert_int_eq(shoji_ctrl_unpause(c, (uint32_t)a), 0);
		ck_assert_int_eq(shoji_ctrl_next_event(sub, &ev), 0);
		ck_assert_int_eq(ev.state, SHOJI_DOMAIN_RUNNING);
	}
	shoji_ctrl_close(sub);
	shoji_ctrl_close(c);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "sim", .name = "events", .setup = setup, .teardown = teardown, .timeout = 120};

	return CHECK_MAIN(c, a_stopped_subscriber_gets_the_marker_then_a_consistent_state,
	                  a_subscriber_that_keeps_up_misses_nothing);
}
