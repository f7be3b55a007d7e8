/*
 * evtchn-pingpong: two guests bounce an event over one interdomain channel.
 *
 *   role=server peer=D rounds=N   allocates a port for D, answers each
 *                                 event with one send, ends after N
 *   role=client peer=D rounds=N   binds to D's port (pv_connect), sends N
 *                                 pings, each after the previous pong
 * Both count every event in their upcall handler; events of one port
 * coalesce, which cannot happen here because each side sends only after
 * the other's event.  The client times each round trip with the TSC and
 * prints the median and the 99th percentile in ns.  With flooder=F the server first gives domain F
 * a port of its own (F floods it, see evtchn-flood.c), waits until 100
 * flood upcalls arrived, and only then opens the client's port; it checks
 * that flood events kept coming during the ping-pong.  timeout_ms=T (default 300000) bounds the run.
 * Output: "PASS pingpong_server_pings rc=N" / "PASS pingpong_client_pongs",
 * "pingpong: median_rtt_ns=<ns>", "pingpong: p99_rtt_ns=<ns>", SUCCESS.
 */
#include "evtchn-lib.h"

#define MAX_ROUNDS 20000

static volatile unsigned long events, flood_events;
static unsigned long target;
static uint64_t rtt[MAX_ROUNDS];

static void on_event(evtchn_port_t port, void *reply)
{
	events++;
	if (reply != NULL)
		evtchn_send(port);
}

static bool reached(void *arg)
{
	return events >= target;
}

static void on_flood(evtchn_port_t port, void *arg)
{
	flood_events++;
}

static bool flood_going(void *arg)
{
	return flood_events >= 100;
}

/* Take a port for a flooding guest and wait until its flood is going. */
static bool start_flood(domid_t flooder, uint64_t deadline)
{
	evtchn_port_t port = 0;

	if (!check_rc("pingpong_flood_port", evtchn_alloc_unbound(flooder, &port), 0))
		return false;
	evtchn_set_handler(port, on_flood, NULL);
	evtchn_unmask(port);
	bool going = evtchn_wait(flood_going, NULL, deadline);

	return check(going, "pingpong_flood_started", "%lu flood upcalls", flood_events);
}

static int server(domid_t peer, domid_t flooder, unsigned long rounds, uint64_t deadline)
{
	evtchn_port_t port = 0;
	unsigned long flood_before = 0;

	if (flooder != DOMID_INVALID) {
		if (!start_flood(flooder, deadline))
			return check_finish();
		flood_before = flood_events;
	}
	if (!check_rc("pingpong_alloc_unbound", evtchn_alloc_unbound(peer, &port), 0))
		return check_finish();
	evtchn_set_handler(port, on_event, (void *)1);
	evtchn_unmask(port);
	target = rounds;
	evtchn_wait(reached, NULL, deadline);
	check_rc("pingpong_server_pings", (long)events, (long)rounds);
	if (flooder != DOMID_INVALID)
		check(flood_events > flood_before, "pingpong_flood_during",
		      "%lu flood upcalls during the ping-pong", flood_events - flood_before);
	return check_finish();
}

static int client(domid_t peer, unsigned long rounds, uint64_t deadline)
{
	evtchn_port_t port = 0;
	unsigned long i;

	if (!check_rc("pingpong_connect", pv_connect(peer, deadline, &port), 0))
		return check_finish();
	evtchn_set_handler(port, on_event, NULL);
	evtchn_unmask(port);
	for (i = 0; i < rounds; i++) {
		uint64_t t0 = rdtsc();

		target = i + 1;
		evtchn_send(port);
		if (!evtchn_wait(reached, NULL, 0))
			break;
		rtt[i] = rdtsc() - t0;
		if ((i & 1023) == 0 && monotonic_ns() > deadline)
			break;
	}
	check_rc("pingpong_client_pongs", (long)events, (long)rounds);
	if (i == rounds) {
		printf("pingpong: median_rtt_ns=%lu\n",
		       (unsigned long)pv_tsc_to_ns(pv_select(rtt, rounds, rounds / 2)));
		printf("pingpong: p99_rtt_ns=%lu\n",
		       (unsigned long)pv_tsc_to_ns(pv_select(rtt, rounds, rounds * 99 / 100)));
	}
	return check_finish();
}

int guest_main(const struct hvm_start_info *si)
{
	char role[16] = "";
	domid_t peer = (domid_t)cmdline_ulong(si, "peer", DOMID_INVALID);
	unsigned long rounds = cmdline_ulong(si, "rounds", 10000);
	uint64_t deadline = monotonic_ns() + cmdline_ulong(si, "timeout_ms", 300000) * MS;

	cmdline_get(si, "role", role, sizeof(role));
	if (rounds == 0 || rounds > MAX_ROUNDS || !check_rc("pingpong_init", evtchn_init(), 0))
		return check_finish();
	if (strcmp(role, "server") == 0)
		return server(peer, (domid_t)cmdline_ulong(si, "flooder", DOMID_INVALID), rounds,
		              deadline);
	if (strcmp(role, "client") == 0)
		return client(peer, rounds, deadline);
	printf("evtchn-pingpong: role=server|client required\n");
	return 1;
}
