/*
 * Regression tests for the xenstore advisory classes.  Those that need an
 * unprivileged domain drive the real dispatcher with a connection whose
 * domid is 5 (the struct a guest's ring connection uses); the socket-level
 * ones (XSA-326/349 unread output, XSA-420 bad lengths) also run against
 * the daemon in tests/system/xs-robust.sh.
 */
#include "config.h"

#include "test_xs_util.h"
#include "check-run.h"

/* dom0, plus domain 5 introduced with its home /local/domain/5 (owned by 5). */
static struct xs_conn *setup(struct xsd *d, struct xs_conn **d5)
{
	struct xs_conn *c = tconn(d, 0);

	tdom5(c);
	*d5 = tconn(d, 5);
	return c;
}

/* XSA-115: watch events must not reveal nodes the watcher cannot read. */
START_TEST(test_xsa115_watch_event_perms)
{
	struct xsd *d = tstore();
	struct xs_conn *d5, *c = setup(d, &d5);

	ck_ok(treqv(d5, XS_WATCH, 0, "/local/domain/6", "spy", END));
	ck_ok(treqv(d5, XS_WATCH, 0, "/", "root", END));
	tdrain(d5);
	ck_ok(twrite(c, 0, "/local/domain/6/secret", "x")); /* perms n0 */
	ck_assert_int_eq(tevents(d5, NULL), 0);
	ck_ok(twrite(c, 0, "/local/domain/6/pub", "x"));
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/local/domain/6/pub", "n0", "r5", END));
	ck_assert_int_eq(tevents(d5, "/local/domain/6/pub"), 2);
	/* removal of an unreadable subtree is not revealed either */
	ck_ok(treqv(c, XS_RM, 0, "/local/domain/6/secret", END));
	ck_assert_int_eq(tevents(d5, NULL), 0);
	/* special events go to privileged watchers only */
	ck_ok(treqv(d5, XS_WATCH, 0, "@introduceDomain", "i", END));
	tdrain(d5);
	ck_ok(treqv(c, XS_INTRODUCE, 0, "8", "1", "1", END));
	ck_assert_int_eq(tevents(d5, NULL), 0);
	tstore_free(d);
}
END_TEST

/* XSA-322: a reused domid must not inherit nodes, ACL entries or quota use. */
START_TEST(test_xsa322_reused_domid)
{
	struct xsd *d = tstore();
	struct xs_conn *d5, *c = setup(d, &d5), *again;
	struct tmsg m;

	ck_ok(twrite(c, 0, "/shared/acl", "private"));
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/shared/acl", "n0", "b5", END));
	ck_ok(twrite(d5, 0, "mine", "v"));
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "nodes", "3", END));
	ck_ok(treqv(c, XS_RELEASE, 0, "5", END));
	ck_assert(d5->dead); /* its connection goes with it */
	m = treqv(c, XS_GET_PERMS, 0, "/shared/acl", END);
	ck_assert_uint_eq(m.len, 3);
	ck_assert_mem_eq(m.p, "n0\0", 3);
	m = treqv(c, XS_GET_PERMS, 0, "/local/domain/5/mine", END);
	ck_assert_mem_eq(m.p, "n0\0", 3); /* handed to dom0 */
	/* a new domain 5 */
	ck_ok(treqv(c, XS_INTRODUCE, 0, "5", "9", "9", END));
	again = tconn(d, 5);
	ck_err(treqv(again, XS_READ, 0, "/shared/acl", END), "EACCES");
	ck_err(treqv(again, XS_READ, 0, "/local/domain/5/mine", END), "EACCES");
	ck_assert_str_eq(treqv(c, XS_GET_QUOTA, 0, "5", "nodes", END).p, "1000");
	ck_assert_int_eq(domain_get(d, 5, false)->nodes, 0);
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* XSA-324: no message may exceed XENSTORE_PAYLOAD_MAX, watch events included. */
START_TEST(test_xsa324_event_size)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *w = tconn(d, 0);
	char token[3001], path[2100];
	struct tmsg m;
	int events = 0;

	memset(token, 't', sizeof(token) - 1);
	token[sizeof(token) - 1] = '\0';
	ck_ok(treqv(w, XS_WATCH, 0, "/big", token, END));
	tdrain(w);
	strcpy(path, "/big/");
	memset(path + 5, 'p', 1500);
	path[1505] = '\0';
	ck_ok(twrite(c, 0, path, "v"));
	while (tpop(w, &m)) { /* tpop checks each length against the maximum */
		ck_assert_uint_le(m.len, XENSTORE_PAYLOAD_MAX);
		events++;
	}
	ck_assert_int_eq(events, 0); /* 1506 + 3001 bytes: dropped, not split or overrun */
	ck_ok(twrite(c, 0, "/big/short", "v"));
	ck_assert_int_eq(tevents(w, "/big/short"), 1);
	tstore_free(d);
}
END_TEST

/* XSA-326/349: output a client does not read is bounded; the client is dropped. */
START_TEST(test_xsa326_unread_output)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *w = tconn(d, 0);
	char path[64];
	int i;

	w->out_limit = 64 * 1024;
	ck_ok(treqv(w, XS_WATCH, 0, "/flood", "tok", END));
	for (i = 0; i < 5000 && !w->dead; i++) {
		snprintf(path, sizeof(path), "/flood/%d", i);
		ck_ok(twrite(c, 0, path, "v"));
	}
	ck_assert(w->dead);
	ck_assert_uint_le(w->outlen - w->outoff, w->out_limit);
	/* the writer is unaffected */
	ck_assert_str_eq(tread(c, 0, "/flood/1"), "v");
	tstore_free(d);
}
END_TEST

/* Feeds a fixed byte string to conn_input(). */
struct feed {
	const char *p;
	size_t left;
};

static ssize_t feed_read(struct xs_conn *c, void *buf, size_t len)
{
	struct feed *f = c->tp;
	size_t n = f->left < len ? f->left : len;

	if (!n) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(buf, f->p, n);
	f->p += n;
	f->left -= n;
	return (ssize_t)n;
}

static const struct xs_transport_ops feed_ops = {.name = "feed", .read = feed_read};

/* XSA-420 class: negative or oversized lengths end the connection, nothing else. */
START_TEST(test_xsa420_lengths)
{
	static const uint32_t lens[] = {0xffffffffu, 0x80000000u, XENSTORE_PAYLOAD_MAX + 1};
	struct xsd *d = tstore();
	struct xs_conn *dom0 = tconn(d, 0);
	size_t i;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct xsd_sockmsg h = {XS_WRITE, 1, 0, lens[i]};
		char buf[64];
		struct feed f = {buf, sizeof(h) + 8};
		struct xs_conn *c = conn_new(d, &feed_ops, &f, -1, 5, false);

		ck_assert_ptr_nonnull(c);
		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), "/x\0yyyyy", 8);
		ck_assert_int_eq(conn_input(c), -1);
		ck_assert_uint_eq(c->outlen, 0); /* no reply, no partial handling */
		conn_free(c);
	}
	{
		/* the largest legal payload is handled */
		static char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
		struct xsd_sockmsg h = {XS_WRITE, 1, 0, XENSTORE_PAYLOAD_MAX};
		struct feed f = {buf, sizeof(buf)};
		struct xs_conn *c = conn_new(d, &feed_ops, &f, -1, 0, true);
		struct tmsg m;

		memcpy(buf, &h, sizeof(h));
		memcpy(buf + sizeof(h), "/max", 5);
		memset(buf + sizeof(h) + 5, 'v', XENSTORE_PAYLOAD_MAX - 5);
		ck_assert_int_eq(conn_input(c), 0);
		ck_assert(tpop(c, &m));
		ck_assert_str_eq(m.p, "OK");
		conn_free(c);
	}
	ck_assert_uint_eq(treqv(dom0, XS_READ, 0, "/max", END).len, XENSTORE_PAYLOAD_MAX - 5);
	tcheck(dom0);
	tstore_free(d);
}
END_TEST

/* XSA-352: only a privileged domain may change a node's owner. */
START_TEST(test_xsa352_owner_change)
{
	struct xsd *d = tstore();
	struct xs_conn *d5, *c = setup(d, &d5);
	struct tmsg m;

	ck_ok(twrite(d5, 0, "node", "v"));
	ck_err(treqv(d5, XS_SET_PERMS, 0, "node", "n6", END), "EPERM");
	ck_ok(treqv(d5, XS_SET_PERMS, 0, "node", "n5", "r6", END));
	m = treqv(c, XS_GET_PERMS, 0, "/local/domain/5/node", END);
	ck_assert_mem_eq(m.p, "n5\0r6\0", 6);
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/local/domain/5/node", "n6", END));
	tstore_free(d);
}
END_TEST

/* XSA-353: the root node's permissions are enforced like any other node's. */
START_TEST(test_xsa353_root_perms)
{
	struct xsd *d = tstore();
	struct xs_conn *d5, *c = setup(d, &d5);

	ck_err(twrite(d5, 0, "/", "x"), "EACCES");
	ck_err(twrite(d5, 0, "/toplevel", "x"), "EACCES");
	ck_err(treqv(d5, XS_SET_PERMS, 0, "/", "b5", END), "EACCES");
	ck_err(treqv(d5, XS_DIRECTORY, 0, "/", END), "EACCES");
	ck_err(treqv(d5, XS_RM, 0, "/tool", END), "EACCES");
	ck_err(treqv(c, XS_RM, 0, "/", END), "EINVAL");
	ck_assert_str_eq(tread(c, 0, "/tool/xenstored"), "");
	tstore_free(d);
}
END_TEST

/* XSA-418/419: deep trees are removed without recursion and leave no orphans. */
START_TEST(test_xsa418_419_deep_and_orphans)
{
	struct xsd *d = tstore();
	struct xs_conn *d5, *c = setup(d, &d5);
	char path[XSD_ABS_PATH_MAX + 1];
	uint32_t t;
	int i, len;

	len = snprintf(path, sizeof(path), "/deep");
	for (i = 0; i < 1000; i++)
		len += snprintf(path + len, sizeof(path) - (size_t)len, "/d");
	ck_ok(twrite(c, 0, path, "bottom"));
	ck_ok(treqv(c, XS_RM, 0, "/deep", END));
	ck_assert_ptr_null(tread(c, 0, path));
	tcheck(c);
	/* a transaction creating below a node removed meanwhile must not orphan it */
	ck_ok(twrite(d5, 0, "a", ""));
	t = tstart(d5);
	ck_ok(twrite(d5, t, "a/b/c", "v"));
	ck_ok(treqv(c, XS_RM, 0, "/local/domain/5/a", END));
	ck_err(tend(d5, t, true), "EAGAIN");
	ck_assert_ptr_null(tread(c, 0, "/local/domain/5/a/b"));
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* XSA-440: transaction commits re-check quota against live counts without asserting. */
START_TEST(test_xsa440_tx_quota)
{
	struct xsd *d = tstore();
	struct xs_conn *d5, *c = setup(d, &d5);
	uint32_t t;
	char path[32];
	int i;

	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "nodes", "6", END));
	for (i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "n%d", i);
		ck_ok(twrite(d5, 0, path, "v"));
	}
	t = tstart(d5);
	ck_ok(treqv(d5, XS_RM, t, "n0", END));
	ck_ok(twrite(d5, t, "x1", "v"));
	ck_ok(twrite(d5, t, "x2", "v"));
	/* meanwhile dom0 removes nodes of domain 5 outside the transaction */
	ck_ok(treqv(c, XS_RM, 0, "/local/domain/5/n1", END));
	ck_ok(treqv(c, XS_RM, 0, "/local/domain/5/n2", END));
	ck_ok(tend(d5, t, true));
	ck_assert_int_eq(domain_get(d, 5, false)->nodes, 4); /* home, n3, x1, x2 */
	tcheck(c);
	/* and a commit that would now exceed the quota fails cleanly */
	t = tstart(d5);
	ck_ok(twrite(d5, t, "y1", "v"));
	ck_ok(twrite(d5, t, "y2", "v"));
	ck_ok(twrite(c, 0, "/local/domain/5/z", "v")); /* owned by 5 via inheritance */
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/local/domain/5/z", "n5", END));
	ck_err(tend(d5, t, true), "ENOSPC");
	ck_assert_int_eq(domain_get(d, 5, false)->nodes, 5);
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* XSA-484: RESET_WATCHES sent inside a transaction. */
START_TEST(test_xsa484_reset_watches_in_tx)
{
	struct xsd *d = tstore();
	struct xs_conn *d5, *c = setup(d, &d5);
	struct tmsg m;
	uint32_t t;

	ck_ok(treqv(d5, XS_WATCH, 0, "w", "t", END));
	t = tstart(d5);
	ck_ok(twrite(d5, t, "txnode", "v"));
	m = treq(d5, XS_RESET_WATCHES, t, "", 0);
	ck_ok(m);
	ck_assert_uint_eq(m.tx_id, t);
	/* the transaction went with the reset; nothing leaked or half-committed */
	ck_err(twrite(d5, t, "txnode2", "v"), "ENOENT");
	ck_err(tend(d5, t, true), "ENOENT");
	ck_assert_ptr_null(tread(c, 0, "/local/domain/5/txnode"));
	ck_assert_uint_eq(domain_get(d, 5, false)->transactions, 0);
	ck_assert_uint_eq(domain_get(d, 5, false)->watches, 0);
	ck_assert_uint_eq(d5->nwatches, 0);
	tcheck(c);
	tstore_free(d);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "xenstore-xsa", .name = "advisories"};

	return CHECK_MAIN(c, test_xsa115_watch_event_perms, test_xsa322_reused_domid,
	                  test_xsa324_event_size, test_xsa326_unread_output,
	                  test_xsa352_owner_change, test_xsa420_lengths, test_xsa353_root_perms,
	                  test_xsa418_419_deep_and_orphans, test_xsa440_tx_quota,
	                  test_xsa484_reset_watches_in_tx);
}
