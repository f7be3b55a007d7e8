/*
 * ping-front: the guest half of the "ping" example device class, on the
 * Shoji guest runtime.  It finds device/ping/0 (written by the toolstack),
 * shares one ring page with the backend, sends rounds=N requests (default
 * 200) in batches and checks every answer, then closes the device and
 * revokes the grant.  With hostile=1 it instead publishes an impossible
 * request index after connecting (the backend must stop the device, not
 * itself) and then closes as usual.  Output (console_io):
 *   ping-front: connected ring-ref=<ref> port=<port>
 *   ping-front: <N> pongs ok            (hostile=1: ping-front: sent garbage)
 *   ping-front: closed, grant revoked
 * or "ping-front: FAIL <what>" and a crash.
 */
#include "shoji-guest.h"

#include <shoji/io/xenbus.h>

#include "proto/ping.h"

#define DEV     "device/ping/0"
#define BATCH   50
#define WAIT_NS 30000000000ULL

static struct ping_front_ring front;

static int fail(const char *what, long rc)
{
	printf("ping-front: FAIL %s rc=%ld\n", what, rc);
	return 1;
}

static long put(const char *node, unsigned long value)
{
	char path[64], v[24];

	snprintf(path, sizeof(path), DEV "/%s", node);
	snprintf(v, sizeof(v), "%lu", value);
	return xs_write(path, v);
}

/* Wait (bounded) until the backend's state node reads @want. */
static long wait_backend(const char *state_path, unsigned int want)
{
	uint64_t deadline = monotonic_ns() + WAIT_NS;
	char buf[8], p[128], t[16];

	for (;;) {
		const char *end;

		if (xs_read(state_path, buf, sizeof(buf)) > 0 &&
		    strtoul_simple(buf, &end) == want && *end == '\0')
			return 0;
		if (xs_read_watch(p, sizeof(p), t, sizeof(t), deadline) == -XEN_ETIMEDOUT)
			return -XEN_ETIMEDOUT;
	}
}

static bool have_responses(void *arg)
{
	return RING_HAS_UNCONSUMED_RESPONSES(&front) >= *(unsigned int *)arg;
}

int guest_main(const struct hvm_start_info *si)
{
	char rounds_s[16], backend[96], bstate[112];
	unsigned long rounds = 200, sent = 0;
	bool hostile = false;
	struct ping_sring *s;
	evtchn_port_t port;
	grant_ref_t ref;
	long rc;

	if (cmdline_get(si, "rounds", rounds_s, sizeof(rounds_s)))
		rounds = strtoul_simple(rounds_s, NULL);
	if (cmdline_get(si, "hostile", rounds_s, sizeof(rounds_s)) && rounds_s[0] == '1')
		hostile = true;
	rc = evtchn_init();
	if (rc == 0)
		rc = gnttab_init(1);
	if (rc == 0)
		rc = xs_init();
	if (rc != 0)
		return fail("runtime setup", rc);
	rc = xs_read(DEV "/backend", backend, sizeof(backend));
	if (rc <= 0)
		return fail("no " DEV "/backend", rc);
	snprintf(bstate, sizeof(bstate), "%s/state", backend);
	rc = xs_watch(bstate, "be");
	if (rc != 0)
		return fail("watch", rc);

	/* Share the ring, the port, then say Initialised. */
	s = page_alloc(1);
	if (!s)
		return fail("page_alloc", 0);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&front, s, PING_RING_PAGE);
	rc = gnttab_grant_access(0, (uintptr_t)s >> 12, false, &ref);
	if (rc == 0)
		rc = evtchn_alloc_unbound(0, &port);
	if (rc != 0)
		return fail("grant/port", rc);
	evtchn_set_handler(port, NULL, NULL); /* events only wake evtchn_wait */
	evtchn_unmask(port);
	if (put("ring-ref", ref) != 0 || put("event-channel", port) != 0 ||
	    put("state", XenbusStateInitialised) != 0)
		return fail("publish", -1);
	rc = wait_backend(bstate, XenbusStateConnected);
	if (rc != 0)
		return fail("backend never connected", rc);
	put("state", XenbusStateConnected);
	printf("ping-front: connected ring-ref=%u port=%u\n", ref, port);

	if (hostile) {
		s->req_prod = front.req_prod_pvt + 100000u;
		evtchn_send(port);
		printf("ping-front: sent garbage\n");
		rounds = 0;
	}
	while (sent < rounds) {
		unsigned int n = rounds - sent < BATCH ? (unsigned int)(rounds - sent) : BATCH;

		for (unsigned int i = 0; i < n; i++) {
			struct ping_request *req = RING_GET_REQUEST(&front, front.req_prod_pvt);

			req->id = (uint32_t)(sent + i);
			req->value = (uint32_t)((sent + i) * 7);
			front.req_prod_pvt++;
		}
		RING_PUSH_REQUESTS(&front);
		evtchn_send(port);
		if (!evtchn_wait(have_responses, &n, monotonic_ns() + WAIT_NS))
			return fail("no answer", (long)sent);
		for (unsigned int i = 0; i < n; i++) {
			struct ping_response rsp;

			RING_COPY_RESPONSE(&front, front.rsp_cons, &rsp);
			front.rsp_cons++;
			if (rsp.id != sent + i || rsp.value != (uint32_t)((sent + i) * 7 + 1))
				return fail("wrong answer", (long)(sent + i));
		}
		sent += n;
	}
	if (!hostile)
		printf("ping-front: %lu pongs ok\n", sent);

	/* Close: Closing, wait for the backend to let go, Closed, revoke. */
	put("state", XenbusStateClosing);
	rc = wait_backend(bstate, XenbusStateClosing);
	if (rc == 0) {
		put("state", XenbusStateClosed);
		rc = wait_backend(bstate, XenbusStateClosed);
	}
	if (rc != 0)
		return fail("backend did not close", rc);
	rc = gnttab_end_access(ref);
	if (rc != 0)
		return fail("grant still mapped", rc);
	printf("ping-front: closed, grant revoked\n");
	return 0;
}
