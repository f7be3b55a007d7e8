/*
 * The guest-ring transport driven on a plain page: this file plays the
 * guest (producer of requests, consumer of replies) while the real ring
 * code and dispatcher serve domain 5.
 */
#include "config.h"

#include "ring.h"
#include "test_xs_util.h"
#include "check-run.h"

#define DOMID 5

struct fixture {
	struct xsd d;
	struct xenstore_domain_interface *intf;
	struct xs_conn *c;
	int notifies;
	int notify_rc;
};

static int fx_notify(void *arg)
{
	struct fixture *f = arg;

	f->notifies++;
	return f->notify_rc;
}

static struct fixture *fx_new(uint32_t start_idx)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct xs_ring *r = calloc(1, sizeof(*r));
	struct xs_conn *dom0;

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(xsd_init(&f->d), 0);
	ck_assert_int_eq(store_init_root(&f->d), 0);
	f->intf = aligned_alloc(4096, 4096);
	ck_assert_ptr_nonnull(f->intf);
	memset(f->intf, 0, 4096);
	f->intf->req_cons = f->intf->req_prod = start_idx;
	f->intf->rsp_cons = f->intf->rsp_prod = start_idx;
	/* the toolstack's part: the domain's home, owned by it, and a dom0-only node */
	dom0 = tconn(&f->d, 0);
	ck_ok(twrite(dom0, 0, "/local/domain/5", ""));
	ck_ok(treqv(dom0, XS_SET_PERMS, 0, "/local/domain/5", "n5", END));
	ck_ok(twrite(dom0, 0, "/local/domain/0/secret", "x"));
	conn_free(dom0);
	r->intf = f->intf;
	r->notify = fx_notify;
	r->arg = f;
	f->c = ring_conn_new(&f->d, r, -1, DOMID);
	ck_assert_ptr_nonnull(f->c);
	return f;
}

static void fx_free(struct fixture *f)
{
	if (f->c)
		conn_free(f->c);
	xsd_fini(&f->d);
	free(f->intf);
	free(f);
}

/* Server side of one event: handle input, then push output (the daemon's flush). */
static int pump(struct fixture *f)
{
	if (ring_event(f->c) < 0)
		return -1;
	return conn_output(f->c) < 0 ? -1 : 0;
}

/* Guest: put up to n bytes into req[]; returns how many fitted. */
static uint32_t g_put(struct fixture *f, const void *p, uint32_t n)
{
	struct xenstore_domain_interface *i = f->intf;
	uint32_t space = XENSTORE_RING_SIZE - (i->req_prod - i->req_cons), k;

	if (n > space)
		n = space;
	for (k = 0; k < n; k++)
		i->req[MASK_XENSTORE_IDX(i->req_prod + k)] = ((const char *)p)[k];
	i->req_prod += n;
	return n;
}

/* Guest: take up to n bytes from rsp[]. */
static uint32_t g_get(struct fixture *f, void *p, uint32_t n)
{
	struct xenstore_domain_interface *i = f->intf;
	uint32_t avail = i->rsp_prod - i->rsp_cons, k;

	if (n > avail)
		n = avail;
	for (k = 0; k < n; k++)
		((char *)p)[k] = i->rsp[MASK_XENSTORE_IDX(i->rsp_cons + k)];
	i->rsp_cons += n;
	return n;
}

/* Guest: send a whole request (pumping the server while the ring is full), return the reply. */
static struct tmsg g_call(struct fixture *f, uint32_t type, const void *payload, uint32_t len)
{
	static uint32_t id = 1000;
	struct xsd_sockmsg h = {type, ++id, 0, len};
	char buf[sizeof(h) + XENSTORE_PAYLOAD_MAX];
	struct tmsg m = {0};
	uint32_t off = 0, total = (uint32_t)sizeof(h) + len, got = 0, rounds = 0;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), payload, len);
	for (;;) {
		off += g_put(f, buf + off, total - off);
		ck_assert_int_eq(pump(f), 0);
		/* collect the reply as it comes (it may be larger than the ring) */
		got += g_get(f, (char *)&m + got, (uint32_t)sizeof(h) + XENSTORE_PAYLOAD_MAX - got);
		if (got >= sizeof(h) && got >= sizeof(h) + m.len && off == total) {
			if (m.type == XS_WATCH_EVENT) { /* skip events */
				uint32_t ml = (uint32_t)sizeof(h) + m.len;

				memmove(&m, (char *)&m + ml, got - ml);
				got -= ml;
				continue;
			}
			break;
		}
		ck_assert_uint_lt(++rounds, 100);
	}
	ck_assert_uint_ge(got, sizeof(h) + m.len); /* events after the reply are dropped */
	ck_assert_uint_eq(m.req_id, id);
	m.p[m.len] = '\0';
	return m;
}

static struct tmsg g_callv(struct fixture *f, uint32_t type, const char *a, const char *b)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	uint32_t len = (uint32_t)strlen(a) + 1;

	memcpy(buf, a, len);
	if (b) {
		memcpy(buf + len, b, strlen(b) + 1);
		len += (uint32_t)strlen(b) + 1;
	}
	return g_call(f, type, buf, len);
}

START_TEST(test_features_and_paths)
{
	struct fixture *f = fx_new(0);
	struct tmsg m;

	ck_assert_uint_eq(f->intf->server_features, XSD_RING_FEATURES);
	ck_assert_uint_eq(f->intf->connection, XENSTORE_CONNECTED);
	m = g_call(f, XS_WRITE, "name\0guest", 10);
	ck_assert_uint_eq(m.type, XS_WRITE);
	m = g_callv(f, XS_READ, "/local/domain/5/name", NULL);
	ck_assert_uint_eq(m.type, XS_READ);
	ck_assert_str_eq(m.p, "guest");
	m = g_callv(f, XS_DIRECTORY, "", NULL);
	ck_assert_uint_eq(m.type, XS_ERROR); /* empty path */
	m = g_callv(f, XS_DIRECTORY, "/local/domain/5", NULL);
	ck_assert_uint_eq(m.type, XS_DIRECTORY);
	ck_assert_str_eq(m.p, "name");
	m = g_callv(f, XS_READ, "/local/domain/0/secret", NULL);
	ck_assert_uint_eq(m.type, XS_ERROR);
	ck_assert_str_eq(m.p, "EACCES");
	ck_assert_int_gt(f->notifies, 0);
	fx_free(f);
}
END_TEST

/* Many round trips with indexes starting just below 2^32: both rings wrap, the indexes overflow. */
START_TEST(test_wrap)
{
	struct fixture *f = fx_new(0xfffffe00u);
	struct tmsg m;
	char val[64];
	int i;

	for (i = 0; i < 300; i++) {
		memcpy(val, "k", 2);
		snprintf(val + 2, sizeof(val) - 2, "v%d", i);
		m = g_call(f, XS_WRITE, val, (uint32_t)(2 + strlen(val + 2)));
		ck_assert_uint_eq(m.type, XS_WRITE);
		m = g_callv(f, XS_READ, "k", NULL);
		ck_assert_str_eq(m.p, val + 2);
	}
	ck_assert_uint_lt(f->intf->req_prod, 0x10000u);
	fx_free(f);
}
END_TEST

/* A request and a reply both larger than the ring travel in pieces. */
START_TEST(test_large)
{
	struct fixture *f = fx_new(1000);
	char buf[2 + 2040];
	struct tmsg m;

	memcpy(buf, "b", 2);
	memset(buf + 2, 'z', 2040);
	m = g_call(f, XS_WRITE, buf, sizeof(buf));
	ck_assert_uint_eq(m.type, XS_WRITE);
	m = g_callv(f, XS_READ, "b", NULL);
	ck_assert_uint_eq(m.type, XS_READ);
	ck_assert_uint_eq(m.len, 2040);
	ck_assert_int_eq(memcmp(m.p, buf + 2, 2040), 0);
	fx_free(f);
}
END_TEST

/* A request that stops half-way is kept until the rest arrives. */
START_TEST(test_partial)
{
	struct fixture *f = fx_new(1020);
	struct xsd_sockmsg h = {XS_READ, 7, 0, 6};
	struct tmsg m = {0};

	ck_assert_uint_eq(g_put(f, &h, 10), 10);
	ck_assert_int_eq(pump(f), 0);
	ck_assert_uint_eq(f->intf->rsp_prod, f->intf->rsp_cons);
	g_put(f, (char *)&h + 10, 6);
	g_put(f, "/tool", 3);
	ck_assert_int_eq(pump(f), 0);
	ck_assert_uint_eq(f->intf->rsp_prod, f->intf->rsp_cons);
	g_put(f, "ol", 3);
	ck_assert_int_eq(pump(f), 0);
	ck_assert_uint_eq(g_get(f, &m, sizeof(h)), sizeof(h));
	ck_assert_uint_eq(m.req_id, 7);
	fx_free(f);
}
END_TEST

START_TEST(test_corrupt_req)
{
	struct fixture *f = fx_new(0);

	f->intf->req_prod = f->intf->req_cons + XENSTORE_RING_SIZE + 1;
	ck_assert_int_eq(ring_event(f->c), -1);
	ck_assert_uint_eq(f->intf->error, XENSTORE_ERROR_RINGIDX);
	fx_free(f);
}
END_TEST

START_TEST(test_corrupt_cons_behind)
{
	struct fixture *f = fx_new(0);

	f->intf->req_cons = 5; /* cons ahead of prod: prod - cons wraps to a huge value */
	ck_assert_int_eq(ring_event(f->c), -1);
	ck_assert_uint_eq(f->intf->error, XENSTORE_ERROR_RINGIDX);
	fx_free(f);
}
END_TEST

START_TEST(test_corrupt_rsp)
{
	struct fixture *f = fx_new(0);
	struct xsd_sockmsg h = {XS_READ, 1, 0, 6};

	f->intf->rsp_cons = 0x80000000u;
	g_put(f, &h, sizeof(h));
	g_put(f, "/tool", 6);
	ck_assert_int_eq(ring_event(f->c), 0);
	ck_assert_int_eq(conn_output(f->c), -1);
	ck_assert_uint_eq(f->intf->error, XENSTORE_ERROR_RINGIDX);
	fx_free(f);
}
END_TEST

START_TEST(test_oversized)
{
	struct fixture *f = fx_new(0);
	struct xsd_sockmsg h = {XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX + 1};

	g_put(f, &h, sizeof(h));
	ck_assert_int_eq(ring_event(f->c), -1);
	fx_free(f);
}
END_TEST

START_TEST(test_notify_fails)
{
	struct fixture *f = fx_new(0);
	struct xsd_sockmsg h = {XS_READ, 1, 0, 6};

	f->notify_rc = -1;
	g_put(f, &h, sizeof(h));
	g_put(f, "/tool", 6);
	ck_assert_int_eq(pump(f), -1); /* the reply's notification fails */
	ck_assert_int_eq(ring_event(f->c), -1);
	fx_free(f);
}
END_TEST

/* XENSTORE_RECONNECT: watches and half-sent requests go, indexes restart, CONNECTED again. */
START_TEST(test_reconnect)
{
	struct fixture *f = fx_new(77);
	struct tmsg m;

	m = g_callv(f, XS_WATCH, "w", "tok");
	ck_assert_uint_eq(m.type, XS_WATCH);
	ck_assert_uint_eq(f->c->nwatches, 1);
	g_put(f, "junk", 4);
	f->intf->connection = XENSTORE_RECONNECT;
	ck_assert_int_eq(pump(f), 0);
	ck_assert_uint_eq(f->intf->connection, XENSTORE_CONNECTED);
	ck_assert_uint_eq(f->intf->req_cons, 0);
	ck_assert_uint_eq(f->intf->req_prod, 0);
	ck_assert_uint_eq(f->intf->rsp_cons, 0);
	ck_assert_uint_eq(f->intf->rsp_prod, 0);
	ck_assert_uint_eq(f->c->nwatches, 0);
	ck_assert_uint_eq(f->c->inlen, 0);
	m = g_callv(f, XS_READ, "/local/domain/5", NULL);
	ck_assert_uint_eq(m.type, XS_READ);
	fx_free(f);
}
END_TEST

/* A watch event for the guest arrives through rsp[] with the relative path. */
START_TEST(test_watch_event)
{
	struct fixture *f = fx_new(0);
	struct xs_conn *dom0;
	struct tmsg m;
	char buf[64];
	uint32_t got = 0;

	m = g_callv(f, XS_WATCH, "w", "tok");
	ck_assert_uint_eq(m.type, XS_WATCH);
	while (g_get(f, buf, sizeof(buf)))
		; /* the initial event */
	dom0 = tconn(&f->d, 0);
	ck_ok(twrite(dom0, 0, "/local/domain/5/w", "1"));
	conn_free(dom0);
	ck_assert_int_eq(pump(f), 0);
	got = g_get(f, &m, sizeof(m));
	ck_assert_uint_eq(got, 16 + 6);
	ck_assert_uint_eq(m.type, XS_WATCH_EVENT);
	ck_assert_int_eq(memcmp(m.p, "w\0tok\0", 6), 0);
	fx_free(f);
}
END_TEST

static int fake_connects;

static int fake_ring_connect(struct xsd *d, uint32_t domid, uint64_t gfn, uint32_t port)
{
	fake_connects++;
	return gfn == 0xbad ? EINVAL : 0;
}

/* INTRODUCE connects only a domain without a live ring; RELEASE ends its connection. */
START_TEST(test_introduce_release)
{
	struct fixture *f = fx_new(0);

	f->d.ring_connect = fake_ring_connect;
	fake_connects = 0;
	ck_assert_int_eq(domain_introduce(&f->d, 6, 0xbad, 3), EINVAL);
	ck_assert_int_eq(fake_connects, 1);
	ck_assert(!domain_get(&f->d, 6, false) || !domain_get(&f->d, 6, false)->introduced);
	/* domain 5 already has its ring (the fixture's connection): no second connect */
	ck_assert_int_eq(domain_introduce(&f->d, DOMID, 0x100, 3), 0);
	ck_assert_int_eq(fake_connects, 1);
	ck_assert_int_eq(domain_release(&f->d, DOMID), 0);
	ck_assert(f->c->dead);
	ck_assert_int_eq(ring_event(f->c), -1);
	fx_free(f);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "xs-ring", .name = "ring"};

	return CHECK_MAIN(c, test_features_and_paths, test_wrap, test_large, test_partial,
	                  test_corrupt_req, test_corrupt_cons_behind, test_corrupt_rsp,
	                  test_oversized, test_notify_fails, test_reconnect, test_watch_event,
	                  test_introduce_release);
}
