/*
 * xs-guest: a xenstore client over the guest ring, for the xs-ring-*.sh
 * system tests.  It carries its own small ring client (the store page is a
 * zeroed page of its image, the port one it allocates for Dom0), prints
 *	xs-guest: domid=<D> gfn=0x<gfn> port=<P>
 * and waits until the server announces its features (Dom0 introduced it).
 * Then, by cmdline role=R:
 *   0 (basic)   relative and absolute read/write, directory, EACCES on
 *               another domain's node, a watch that Dom0 fires after
 *               "xs-guest: hook write" (the Dom0 helper runs the test's hook).
 *   1 (hostile) one good request, then corrupts req_prod; the server must
 *               flag XENSTORE_ERROR_RINGIDX and stop answering.
 *   2 (resume)  writes a node, prints "xs-guest: hook restart", then keeps
 *               reading data/after (reconnecting with XENSTORE_RECONNECT when
 *               a reply never comes) until Dom0's restarted daemon has it "1",
 *               then asks the live server for XENSTORE_RECONNECT once.
 *   3 (bench)   rounds=N READs of a relative node: "xs-guest: read rounds=N
 *               median_ns=.. p99_ns=.." (guest clock).
 *   4 (durable) watches control/shutdown, watches and unwatches data/gone,
 *               prints "xs-guest: hook restart-quiet" (Dom0 kills the daemon
 *               with SIGKILL and starts it again) and, without sending a
 *               request, waits for the restarted daemon to fire the watch
 *               once more; then "xs-guest: hook shutdown" (Dom0 writes
 *               data/gone, then control/shutdown) must bring the event for
 *               control/shutdown and none for data/gone.
 * Every check prints PASS/FAIL; the guest ends with SUCCESS or FAILURE.
 */
#include <shoji/io/xs_wire.h>

#include "check.h"

#define RING XENSTORE_RING_SIZE

static uint8_t store_page[GUEST_PAGE_SIZE] __attribute__((aligned(GUEST_PAGE_SIZE)));
static struct xenstore_domain_interface *intf = (void *)store_page;
static evtchn_port_t port;
static uint32_t req_id;
static uint64_t call_timeout_ns;

/* Watch events that arrived while waiting for a reply. */
#define EVQ 8
static char evq[EVQ][128];
static uint32_t evq_len[EVQ], evq_n;

static uint32_t ld(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void st(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Wait for an event on our port until deadline: false on timeout. */
static bool wait_event(uint64_t deadline)
{
	if (monotonic_ns() >= deadline)
		return false;
	evtchn_poll_ports(&port, 1, deadline);
	return true;
}

static bool ring_put(const void *p, uint32_t n, uint64_t deadline)
{
	const char *s = p;

	while (n) {
		uint32_t prod = intf->req_prod, cons, space, off, k, chunk;

		evtchn_test_and_clear(port);
		cons = ld(&intf->req_cons);
		space = RING - (prod - cons);
		if (space == 0 || space > RING) {
			evtchn_send(port);
			if (!wait_event(deadline))
				return false;
			continue;
		}
		off = MASK_XENSTORE_IDX(prod);
		chunk = n < space ? n : space;
		if (chunk > RING - off)
			chunk = RING - off;
		for (k = 0; k < chunk; k++)
			intf->req[off + k] = s[k];
		st(&intf->req_prod, prod + chunk);
		s += chunk;
		n -= chunk;
	}
	return true; /* the caller notifies once the whole request is in */
}

static bool ring_get(void *p, uint32_t n, uint64_t deadline)
{
	char *d = p;

	while (n) {
		uint32_t cons = intf->rsp_cons, prod, avail, off, k, chunk;

		evtchn_test_and_clear(port);
		prod = ld(&intf->rsp_prod);
		avail = prod - cons;
		if (avail == 0 || avail > RING) {
			if (!wait_event(deadline))
				return false;
			continue;
		}
		off = MASK_XENSTORE_IDX(cons);
		chunk = n < avail ? n : avail;
		if (chunk > RING - off)
			chunk = RING - off;
		for (k = 0; k < chunk; k++)
			d[k] = intf->rsp[off + k];
		st(&intf->rsp_cons, cons + chunk);
		if (avail == RING)
			evtchn_send(port); /* the server may be waiting for room */
		d += chunk;
		n -= chunk;
	}
	return true;
}

/* One message from rsp[]: header into h, payload (NUL-terminated) into buf. */
static bool get_msg(struct xsd_sockmsg *h, char *buf, uint32_t len, uint64_t deadline)
{
	char skip[64];
	uint32_t left;

	if (!ring_get(h, sizeof(*h), deadline) || h->len > XENSTORE_PAYLOAD_MAX)
		return false;
	left = h->len;
	if (left < len) {
		if (!ring_get(buf, left, deadline))
			return false;
		buf[left] = '\0';
		return true;
	}
	if (!ring_get(buf, len - 1, deadline))
		return false;
	buf[len - 1] = '\0';
	for (left -= len - 1; left; left -= left < sizeof(skip) ? left : sizeof(skip))
		if (!ring_get(skip, left < sizeof(skip) ? left : sizeof(skip), deadline))
			return false;
	return true;
}

enum { CALL_OK = 0, CALL_ERROR = 1, CALL_TIMEOUT = -1 };

/*
 * Send a request (payload a[0..alen) b[0..blen)) and wait for its reply:
 * CALL_OK with the payload in out, CALL_ERROR with the error name in out,
 * CALL_TIMEOUT.  Watch events read meanwhile are queued.
 */
static int call(uint32_t type, const char *a, uint32_t alen, const char *b, uint32_t blen,
                char *out, uint32_t outlen, uint32_t *rlen)
{
	uint64_t deadline = monotonic_ns() + call_timeout_ns;
	struct xsd_sockmsg h = {type, ++req_id, 0, alen + blen};
	struct xsd_sockmsg r;

	if (!ring_put(&h, sizeof(h), deadline) || !ring_put(a, alen, deadline) ||
	    !ring_put(b, blen, deadline))
		return CALL_TIMEOUT;
	evtchn_send(port);
	for (;;) {
		if (!get_msg(&r, out, outlen, deadline))
			return CALL_TIMEOUT;
		if (r.type == XS_WATCH_EVENT) {
			if (evq_n < EVQ) {
				uint32_t l = r.len < sizeof(evq[0]) ? r.len : sizeof(evq[0]) - 1;

				memcpy(evq[evq_n], out, l);
				evq_len[evq_n++] = l;
			}
			continue;
		}
		if (r.req_id != h.req_id)
			continue; /* a late reply to a request that timed out */
		if (rlen)
			*rlen = r.len;
		return r.type == XS_ERROR ? CALL_ERROR : CALL_OK;
	}
}

static int xs_read1(const char *path, char *out, uint32_t len)
{
	return call(XS_READ, path, strlen(path) + 1, "", 0, out, len, NULL);
}

static int xs_write1(const char *path, const char *val)
{
	char out[64];

	return call(XS_WRITE, path, strlen(path) + 1, val, strlen(val), out, sizeof(out), NULL);
}

/* Find (and drop) a queued event for path/token; else read until one comes or deadline. */
static bool wait_watch(const char *path, const char *token, uint64_t deadline)
{
	struct xsd_sockmsg r;
	char buf[128];
	uint32_t i, plen = strlen(path) + 1;

	for (i = 0; i < evq_n; i++) {
		if (evq_len[i] >= plen && memcmp(evq[i], path, plen) == 0 &&
		    strcmp(evq[i] + plen, token) == 0) {
			evq[i][0] = '\0';
			evq_len[i] = 0;
			return true;
		}
	}
	while (get_msg(&r, buf, sizeof(buf), deadline))
		if (r.type == XS_WATCH_EVENT && r.len >= plen && memcmp(buf, path, plen) == 0 &&
		    strcmp(buf + plen, token) == 0)
			return true;
	return false;
}

/* XENSTORE_RECONNECT: ask the server for a clean ring and wait until it says CONNECTED. */
static bool reconnect(uint64_t deadline)
{
	st(&intf->connection, XENSTORE_RECONNECT);
	evtchn_send(port);
	while (ld(&intf->connection) != XENSTORE_CONNECTED) {
		if (monotonic_ns() >= deadline)
			return false;
		evtchn_test_and_clear(port);
		if (ld(&intf->connection) == XENSTORE_CONNECTED)
			break;
		evtchn_send(port); /* a server that just restarted may have missed the first one */
		evtchn_poll_ports(&port, 1, monotonic_ns() + 100000000ULL);
	}
	evq_n = 0;
	return true;
}

static void role_basic(uint32_t domid)
{
	char buf[256], path[64];
	uint32_t len = 0;
	int rc;

	rc = xs_write1("data/x", "hello");
	check(rc == CALL_OK, "xs_write_relative", "rc=%d", rc);
	snprintf(path, sizeof(path), "/local/domain/%u/data/x", domid);
	rc = xs_read1(path, buf, sizeof(buf));
	check(rc == CALL_OK && strcmp(buf, "hello") == 0, "xs_read_absolute", "rc=%d '%s'", rc,
	      buf);
	rc = xs_read1("data/x", buf, sizeof(buf));
	check(rc == CALL_OK && strcmp(buf, "hello") == 0, "xs_read_relative", "rc=%d '%s'", rc,
	      buf);
	xs_write1("data/y", "2");
	rc = call(XS_DIRECTORY, "data", 5, "", 0, buf, sizeof(buf), &len);
	check(rc == CALL_OK && len == 4 && memcmp(buf, "x\0y\0", 4) == 0, "xs_directory",
	      "rc=%d len=%u", rc, len);
	rc = xs_read1("/local/domain/0/secret", buf, sizeof(buf));
	check(rc == CALL_ERROR && strcmp(buf, "EACCES") == 0, "xs_read_other_domain_eacces",
	      "rc=%d '%s'", rc, buf);
	rc = xs_write1("/local/domain/0/secret", "mine");
	check(rc == CALL_ERROR, "xs_write_other_domain_refused", "rc=%d", rc);
	rc = call(XS_WATCH, "data/w", 7, "tok", 4, buf, sizeof(buf), NULL);
	check(rc == CALL_OK, "xs_watch", "rc=%d %s", rc, rc ? buf : "");
	check(wait_watch("data/w", "tok", monotonic_ns() + call_timeout_ns), "xs_watch_initial",
	      NULL);
	printf("xs-guest: hook write\n");
	check(wait_watch("data/w", "tok", monotonic_ns() + 150000000000ULL), "xs_watch_event",
	      NULL);
	rc = xs_read1("data/w", buf, sizeof(buf));
	check(rc == CALL_OK && strcmp(buf, "from-dom0") == 0, "xs_read_dom0_value", "rc=%d '%s'",
	      rc, buf);
	rc = xs_write1("data/done", "1");
	check(rc == CALL_OK, "xs_write_done", "rc=%d", rc);
}

static void role_hostile(void)
{
	char buf[64];
	uint64_t deadline;
	int rc;

	rc = xs_write1("data/h", "1");
	check(rc == CALL_OK, "xs_hostile_first_request", "rc=%d", rc);
	st(&intf->req_prod, ld(&intf->req_cons) + 3 * RING); /* more than the ring holds */
	evtchn_send(port);
	deadline = monotonic_ns() + 10000000000ULL;
	while (ld(&intf->error) == XENSTORE_ERROR_NONE && monotonic_ns() < deadline)
		evtchn_poll_ports(&port, 1, monotonic_ns() + 10000000ULL);
	check(ld(&intf->error) == XENSTORE_ERROR_RINGIDX, "xs_hostile_error_ringidx", "error=%u",
	      ld(&intf->error));
	/* put the indexes back: the server must not serve this ring any more */
	st(&intf->req_prod, ld(&intf->req_cons));
	call_timeout_ns = 1000000000ULL;
	rc = xs_read1("data/h", buf, sizeof(buf));
	check(rc == CALL_TIMEOUT, "xs_hostile_disconnected", "rc=%d", rc);
}

static void role_resume(void)
{
	uint64_t deadline = monotonic_ns() + 120000000000ULL;
	unsigned int reconnects = 0;
	char buf[64];
	int rc;

	rc = xs_write1("data/before", "1");
	check(rc == CALL_OK, "xs_resume_before", "rc=%d", rc);
	printf("xs-guest: hook restart\n");
	call_timeout_ns = 2000000000ULL;
	for (;;) {
		rc = xs_read1("data/after", buf, sizeof(buf));
		if (rc == CALL_OK && strcmp(buf, "1") == 0)
			break;
		if (monotonic_ns() >= deadline)
			break;
		if (rc == CALL_TIMEOUT) {
			reconnects++;
			if (!reconnect(deadline))
				break;
		} else {
			sleep_ns(50000000ULL);
		}
	}
	check(rc == CALL_OK && strcmp(buf, "1") == 0, "xs_resume_read_after_restart",
	      "rc=%d reconnects=%u", rc, reconnects);
	rc = xs_read1("data/before", buf, sizeof(buf));
	check(rc == CALL_OK && strcmp(buf, "1") == 0, "xs_resume_state_kept", "rc=%d", rc);
	rc = xs_write1("data/resumed", "yes");
	check(rc == CALL_OK, "xs_resume_write", "rc=%d", rc);
	/* the reconnection feature on a live server: a clean ring, watches gone, requests work */
	rc = call(XS_WATCH, "data/w", 7, "tok", 4, buf, sizeof(buf), NULL);
	check(rc == CALL_OK, "xs_reconnect_watch_before", "rc=%d", rc);
	rc = reconnect(monotonic_ns() + call_timeout_ns);
	check(rc && intf->req_prod == 0 && intf->rsp_prod == 0 && intf->error == 0,
	      "xs_reconnect_reset", "req_prod=%u rsp_prod=%u", intf->req_prod, intf->rsp_prod);
	rc = xs_write1("data/w", "2");
	check(rc == CALL_OK, "xs_reconnect_request", "rc=%d", rc);
	/* the old watch is gone: no event for that write may arrive */
	check(!wait_watch("data/w", "tok", monotonic_ns() + 300000000ULL),
	      "xs_reconnect_watches_dropped", NULL);
}

/*
 * Read messages until a watch event for path/token arrives (true) or the
 * deadline passes; *stray counts events carrying token stray meanwhile.
 */
static bool wait_watch_counting(const char *path, const char *token, const char *stray,
                                unsigned int *stray_n, uint64_t deadline)
{
	struct xsd_sockmsg r;
	char buf[128];
	uint32_t plen = strlen(path) + 1;

	while (get_msg(&r, buf, sizeof(buf), deadline)) {
		uint32_t l = strnlen(buf, r.len) + 1;

		if (r.type != XS_WATCH_EVENT || l > r.len)
			continue;
		if (strcmp(buf + l, stray) == 0)
			(*stray_n)++;
		if (l == plen && memcmp(buf, path, plen) == 0 && strcmp(buf + l, token) == 0)
			return true;
	}
	return false;
}

/* A guest's watch outlives a SIGKILL of the daemon, and so does an UNWATCH. */
static void role_durable(void)
{
	static const char sd[] = "control/shutdown", tok[] = "shutdown-tok";
	unsigned int stray = 0;
	char buf[64];
	int rc;

	rc = call(XS_WATCH, sd, sizeof(sd), tok, sizeof(tok), buf, sizeof(buf), NULL);
	check(rc == CALL_OK, "xs_durable_watch", "rc=%d", rc);
	rc = call(XS_WATCH, "data/gone", 10, "gone-tok", 9, buf, sizeof(buf), NULL);
	check(rc == CALL_OK, "xs_durable_watch2", "rc=%d", rc);
	rc = call(XS_UNWATCH, "data/gone", 10, "gone-tok", 9, buf, sizeof(buf), NULL);
	check(rc == CALL_OK, "xs_durable_unwatch", "rc=%d", rc);
	check(wait_watch(sd, tok, monotonic_ns() + call_timeout_ns), "xs_durable_initial", NULL);
	evq_n = 0;
	printf("xs-guest: hook restart-quiet\n");
	/* nothing was lost with the old daemon: no request, no RECONNECT, just wait */
	check(wait_watch_counting(sd, tok, "gone-tok", &stray, monotonic_ns() + 60000000000ULL),
	      "xs_durable_refired", NULL);
	printf("xs-guest: hook shutdown\n");
	check(wait_watch_counting(sd, tok, "gone-tok", &stray, monotonic_ns() + 60000000000ULL),
	      "xs_durable_event", NULL);
	wait_watch_counting(sd, "none", "gone-tok", &stray, monotonic_ns() + 300000000ULL);
	check(stray == 0, "xs_durable_unwatch_kept", "events for the removed watch: %u", stray);
	rc = xs_read1(sd, buf, sizeof(buf));
	check(rc == CALL_OK && strcmp(buf, "poweroff") == 0, "xs_durable_read", "rc=%d '%s'", rc,
	      buf);
}

static void sort_u64(uint64_t *v, unsigned long n)
{
	unsigned long gap, i, j;

	for (gap = n / 2; gap; gap /= 2) {
		for (i = gap; i < n; i++) {
			uint64_t x = v[i];

			for (j = i; j >= gap && v[j - gap] > x; j -= gap)
				v[j] = v[j - gap];
			v[j] = x;
		}
	}
}

static void role_bench(unsigned long rounds)
{
	static uint64_t t[4096];
	char buf[64];
	unsigned long i, bad = 0;

	if (rounds > 4096)
		rounds = 4096;
	xs_write1("data/b", "v");
	for (i = 0; i < rounds; i++) {
		uint64_t t0 = monotonic_ns();

		bad += xs_read1("data/b", buf, sizeof(buf)) != CALL_OK;
		t[i] = monotonic_ns() - t0;
	}
	check(bad == 0, "xs_bench_reads", "failed=%lu", bad);
	sort_u64(t, rounds);
	printf("xs-guest: read rounds=%lu median_ns=%lu p99_ns=%lu\n", rounds,
	       (unsigned long)t[rounds / 2], (unsigned long)t[rounds * 99 / 100]);
}

int guest_main(const struct hvm_start_info *si)
{
	unsigned long role = cmdline_ulong(si, "role", 0);
	uint64_t deadline;
	uint32_t domid = xen_get_info()->domid;
	long rc;

	call_timeout_ns = cmdline_ulong(si, "timeout_ms", 20000) * 1000000ULL;
	rc = evtchn_init();
	if (rc == 0)
		rc = evtchn_alloc_unbound(0, &port);
	if (!check_rc("xs_setup", rc, 0))
		return check_finish();
	printf("xs-guest: domid=%u gfn=0x%lx port=%u\n", domid,
	       (unsigned long)((uintptr_t)store_page >> 12), port);
	deadline = monotonic_ns() + 60000000000ULL;
	while (ld(&intf->server_features) == 0 && monotonic_ns() < deadline)
		evtchn_poll_ports(&port, 1, monotonic_ns() + 10000000ULL);
	if (!check((ld(&intf->server_features) & XENSTORE_SERVER_FEATURE_RECONNECTION) != 0,
	           "xs_server_features", "features=%u", ld(&intf->server_features)))
		return check_finish();
	switch (role) {
	case 1:
		role_hostile();
		break;
	case 2:
		role_resume();
		break;
	case 3:
		role_bench(cmdline_ulong(si, "rounds", 1000));
		break;
	case 4:
		role_durable();
		break;
	default:
		role_basic(domid);
		break;
	}
	return check_finish();
}
