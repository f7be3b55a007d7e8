/*
 * evtchn-close: one guest closes its end of an interdomain channel while
 * the other floods notifications into it.
 *
 *   role=sender peer=D   allocates a port for D, waits until D is bound,
 *                        then sends without pause.  Every send returns 0,
 *                        before the close and after it (an unbound port
 *                        drops events); its port goes back to unbound.
 *                        When D binds again it answers D's "hello".
 *   role=closer peer=D   binds (pv_connect), lets 100 upcalls arrive,
 *                        closes its port mid-flood: the port is closed at
 *                        once, its handler never runs again; it rebinds
 *                        (the sender's port is reserved for it again),
 *                        sends "hello" and waits for the answer.
 * timeout_ms=T (default 120000) bounds every wait.
 */
#include "evtchn-lib.h"

#include <shoji/event_channel.h>

struct counter {
	volatile unsigned long n;
	unsigned long target;
};

static uint64_t deadline, until;

static void on_event(evtchn_port_t port, void *arg)
{
	((struct counter *)arg)->n++;
}

static bool reached(void *arg)
{
	const struct counter *c = arg;

	return c->n >= c->target;
}

static bool clock_passed(void *arg)
{
	return monotonic_ns() >= until;
}

static uint32_t port_status(evtchn_port_t port)
{
	struct evtchn_status st = {.dom = DOMID_SELF, .port = port};

	return hyp_event_channel_op(EVTCHNOP_status, &st) == 0 ? st.status : ~0U;
}

static bool wait_status(evtchn_port_t port, uint32_t want)
{
	while (port_status(port) != want) {
		if (monotonic_ns() >= deadline)
			return false;
		sleep_ns(MS);
	}
	return true;
}

static int sender(domid_t peer)
{
	static struct counter hello = {.target = 1};
	unsigned long sent = 0, errors = 0, after = 0;
	evtchn_port_t port = 0;
	bool closed = false;

	if (!check_rc("close_alloc_unbound", evtchn_alloc_unbound(peer, &port), 0))
		return check_finish();
	evtchn_set_handler(port, on_event, &hello);
	evtchn_unmask(port);
	if (!check(wait_status(port, EVTCHNSTAT_interdomain), "close_peer_bound", NULL))
		return check_finish();
	while (!closed && monotonic_ns() < deadline) {
		for (unsigned int i = 0; i < 8; i++, sent++)
			errors += evtchn_send(port) != 0;
		closed = port_status(port) == EVTCHNSTAT_unbound;
	}
	check(closed, "close_peer_close_seen", "after %lu sends", sent);
	check_rc("close_sends_before_close", (long)errors, 0);
	for (unsigned int i = 0; i < 100; i++)
		after += evtchn_send(port) != 0;
	check_rc("close_sends_after_close_dropped", (long)after, 0);

	check(wait_status(port, EVTCHNSTAT_interdomain), "close_peer_rebound", NULL);
	check(evtchn_wait(reached, &hello, deadline), "close_hello_received", NULL);
	check_rc("close_hello_answer", evtchn_send(port), 0);
	return check_finish();
}

static int closer(domid_t peer)
{
	static struct counter flood = {.target = 100}, answer = {.target = 1};
	evtchn_port_t port = 0, again = 0;
	unsigned long at_close;
	struct shared_info *s = shared_info_get();

	if (!check_rc("close_connect", pv_connect(peer, deadline, &port), 0))
		return check_finish();
	evtchn_set_handler(port, on_event, &flood);
	evtchn_unmask(port);
	if (!check(evtchn_wait(reached, &flood, deadline), "close_flood_arrives", NULL))
		return check_finish();
	/* Interrupts are off here; the sender keeps sending. */
	check_rc("close_mid_flood", evtchn_close(port), 0);
	at_close = flood.n;
	check(port_status(port) == EVTCHNSTAT_closed, "close_port_closed", "status=%u",
	      port_status(port));
	/* 20 ms with interrupts on: no upcall may reach the closed port. */
	until = monotonic_ns() + 20 * MS;
	evtchn_wait(clock_passed, NULL, until);
	check(flood.n == at_close && !(s->evtchn_pending[port / 64] & (1UL << (port % 64))),
	      "close_no_event_after_close", "%lu events after the close", flood.n - at_close);

	if (!check_rc("close_reconnect", pv_connect(peer, deadline, &again), 0))
		return check_finish();
	evtchn_set_handler(again, on_event, &answer);
	evtchn_unmask(again);
	check_rc("close_hello", evtchn_send(again), 0);
	check(evtchn_wait(reached, &answer, deadline), "close_answer_received", NULL);
	return check_finish();
}

static const struct pv_role roles[] = {
    {"sender", sender},
    {"closer", closer},
};

int guest_main(const struct hvm_start_info *si)
{
	return pv_role_main(si, "evtchn-close", "close_init", roles,
	                    sizeof(roles) / sizeof(roles[0]), &deadline);
}
