/*
 * Unit tests of the persistence journal: everything acknowledged is replayed
 * (nodes, domains, the watches of domains and run-time quota changes), a
 * damaged or truncated last record is dropped (and only it), a compacted
 * log replays to the same state, and a version-1 log still loads.
 */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_xs_util.h"
#include "check-run.h"

static char dir[] = "/tmp/test-xs-log.XXXXXX";
static char warned[1024]; /* the store core's last warning */

/* The hook the daemon sets to its log: the tests keep the last warning. */
static void catch_warn(const char *msg)
{
	snprintf(warned, sizeof(warned), "%s", msg);
}

/* A daemon's store on the test's state directory, started with nodes quota start_nodes. */
static struct xsd *open_store_q(uint32_t start_nodes)
{
	struct xsd *d = malloc(sizeof(*d));
	int dfd = open(dir, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(dfd, 0);
	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(xsd_init(d), 0);
	d->warn = catch_warn;
	warned[0] = '\0';
	d->quota.v[QUOTA_NODES] = start_nodes;
	ck_assert_int_eq(journal_open(d, dfd), 0);
	close(dfd);
	ck_assert_int_eq(store_init_root(d), 0);
	ck_assert_int_eq(journal_flush(d), 0);
	return d;
}

static struct xsd *open_store(void)
{
	return open_store_q(1000);
}

static void setup(void)
{
	strcpy(dir, "/tmp/test-xs-log.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/xenstore.log", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/xenstore.log.new", dir);
	unlink(path);
	rmdir(dir);
}

static off_t log_size(void)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/xenstore.log", dir);
	ck_assert_int_eq(stat(path, &st), 0);
	return st.st_size;
}

START_TEST(test_log_replay)
{
	struct xsd *d = open_store();
	struct xs_conn *c = tconn(d, 0);
	uint32_t t;
	struct tmsg m;

	ck_ok(twrite(c, 0, "/a/b", "one"));
	ck_ok(treq(c, XS_WRITE, 0, "/bin\0\x01\0\x02", 8));
	ck_ok(twrite(c, 0, "/gone/x", "y"));
	ck_ok(treqv(c, XS_RM, 0, "/gone", END));
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/a/b", "r3", "w4", END));
	ck_ok(treqv(c, XS_INTRODUCE, 0, "3", "77", "9", END));
	t = tstart(c);
	ck_ok(twrite(c, t, "/tx/k", "committed"));
	ck_ok(tend(c, t, true));
	t = tstart(c);
	ck_ok(twrite(c, t, "/tx/aborted", "no"));
	ck_ok(tend(c, t, false));
	ck_assert_int_eq(journal_flush(d), 0);
	tstore_free(d); /* like kill -9 after the flush: nothing else is written */

	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/a/b"), "one");
	m = treqv(c, XS_READ, 0, "/bin", END);
	ck_assert_uint_eq(m.len, 3);
	ck_assert_mem_eq(m.p, "\x01\0\x02", 3);
	ck_assert_ptr_null(tread(c, 0, "/gone"));
	m = treqv(c, XS_GET_PERMS, 0, "/a/b", END);
	ck_assert_mem_eq(m.p, "r3\0w4\0", 6);
	ck_assert_str_eq(treqv(c, XS_IS_DOMAIN_INTRODUCED, 0, "3", END).p, "T");
	ck_assert_str_eq(tread(c, 0, "/tx/k"), "committed");
	ck_assert_ptr_null(tread(c, 0, "/tx/aborted"));
	m = treqv(c, XS_DIRECTORY, 0, "/", END);
	ck_assert_uint_eq(m.len, 14);
	ck_assert_mem_eq(m.p, "tool\0a\0bin\0tx\0", 14);
	tcheck(c);
	/* released domains stay released */
	ck_ok(treqv(c, XS_RELEASE, 0, "3", END));
	tstore_free(d);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(treqv(c, XS_IS_DOMAIN_INTRODUCED, 0, "3", END).p, "F");
	tstore_free(d);
}
END_TEST

START_TEST(test_log_truncated_record)
{
	struct xsd *d = open_store();
	struct xs_conn *c = tconn(d, 0);
	char path[256], msg[128];
	off_t before, cut;
	int fd;

	ck_ok(twrite(c, 0, "/kept", "1"));
	ck_assert_int_eq(journal_flush(d), 0);
	before = log_size();
	ck_ok(twrite(c, 0, "/lost", "2"));
	ck_assert_int_eq(journal_flush(d), 0);
	tstore_free(d);
	/* cut the last record short, as a crash in the middle of write(2) would */
	snprintf(path, sizeof(path), "%s/xenstore.log", dir);
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	cut = log_size() - 3;
	ck_assert_int_eq(ftruncate(fd, cut), 0);
	close(fd);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/kept"), "1");
	ck_assert_ptr_null(tread(c, 0, "/lost"));
	ck_assert_int_eq(log_size(), before); /* the damaged tail was cut off */
	snprintf(msg, sizeof(msg), "log: ignoring %lld damaged or incomplete bytes at the end",
	         (long long)(cut - before));
	ck_assert_str_eq(warned, msg); /* through the hook the daemon sets */
	/* new records append cleanly after it */
	ck_ok(twrite(c, 0, "/after", "3"));
	ck_assert_int_eq(journal_flush(d), 0);
	tstore_free(d);
	/* a corrupted byte inside the last record drops that record only */
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pwrite(fd, "Z", 1, log_size() - 2), 1);
	close(fd);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/kept"), "1");
	ck_assert_ptr_null(tread(c, 0, "/after"));
	tstore_free(d);
}
END_TEST

START_TEST(test_log_compaction)
{
	struct xsd *d = open_store();
	struct xs_conn *c = tconn(d, 0);
	char path[64];
	off_t big;
	int i;

	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "/c/n%d", i % 30);
		ck_ok(twrite(c, 0, path, "a value that is overwritten many times"));
	}
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/c/n3", "n0", "r9", END));
	ck_ok(treqv(c, XS_INTRODUCE, 0, "9", "1", "2", END));
	ck_assert_int_eq(journal_flush(d), 0);
	big = log_size();
	ck_ok(treqv(c, XS_CONTROL, 0, "compact", END));
	ck_assert_int_lt(log_size(), big / 4);
	ck_ok(twrite(c, 0, "/c/after", "x"));
	ck_assert_int_eq(journal_flush(d), 0);
	tstore_free(d);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/c/n29"), "a value that is overwritten many times");
	ck_assert_str_eq(tread(c, 0, "/c/after"), "x");
	ck_assert_mem_eq(treqv(c, XS_GET_PERMS, 0, "/c/n3", END).p, "n0\0r9\0", 6);
	ck_assert_str_eq(treqv(c, XS_IS_DOMAIN_INTRODUCED, 0, "9", END).p, "T");
	ck_assert_uint_eq(treqv(c, XS_DIRECTORY, 0, "/c", END).len, 30 * 3 + 20 * 1 + 6);
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* ---- domains' watches and run-time quotas ---- */

/* dom0's connection, with domain 5 introduced (no ring: record only) and its home. */
static struct xs_conn *with_dom5(struct xsd *d)
{
	struct xs_conn *c = tconn(d, 0);

	ck_ok(treqv(c, XS_INTRODUCE, 0, "5", "1", "1", END));
	ck_ok(twrite(c, 0, "/local/domain/5", ""));
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/local/domain/5", "n5", END));
	return c;
}

/* Domain 5's ring connection comes up, as the daemon's ring_connect does it. */
static struct xs_conn *ring5(struct xsd *d)
{
	struct xs_conn *c = tconn(d, 5);

	watch_attach(d, c);
	return c;
}

/* Pop the next queued watch event of c and check it is path + token. */
static void ck_event(struct xs_conn *c, const char *path, const char *token)
{
	struct tmsg m;
	size_t pl = strlen(path) + 1;

	ck_assert_msg(tpop(c, &m), "no event for %s", path);
	ck_assert_uint_eq(m.type, XS_WATCH_EVENT);
	ck_assert_uint_eq(m.len, pl + strlen(token) + 1);
	ck_assert_str_eq(m.p, path);
	ck_assert_str_eq(m.p + pl, token);
}

static void ck_no_event(struct xs_conn *c)
{
	struct tmsg m;

	ck_assert_msg(!tpop(c, &m), "unexpected message: %s", m.p);
}

static bool log_contains(const char *needle)
{
	char path[256], buf[1 << 16];
	size_t n, nl = strlen(needle), i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/xenstore.log", dir);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	for (i = 0; i + nl <= n; i++)
		if (memcmp(buf + i, needle, nl) == 0)
			return true;
	return false;
}

START_TEST(test_log_watches)
{
	struct xsd *d = open_store();
	struct xs_conn *c = with_dom5(d), *g = ring5(d);

	ck_ok(treqv(g, XS_WATCH, 0, "control/shutdown", "sd", END));
	ck_ok(treqv(g, XS_WATCH, 0, "/local/domain/5/a", "ta", END));
	ck_ok(treqv(g, XS_WATCH, 0, "/local/domain/5/b", "tb", END));
	ck_ok(treqv(g, XS_UNWATCH, 0, "/local/domain/5/b", "tb", END));
	ck_ok(treqv(c, XS_WATCH, 0, "/x", "sock", END)); /* a socket client's: not kept */
	ck_assert_int_eq(journal_flush(d), 0);
	tstore_free(d); /* kill -9 after the flush */

	d = open_store();
	c = tconn(d, 0);
	g = ring5(d);
	/* each kept watch fires once at once: changes may have been missed meanwhile */
	ck_event(g, "control/shutdown", "sd");
	ck_event(g, "/local/domain/5/a", "ta");
	ck_no_event(g);
	ck_ok(twrite(c, 0, "/local/domain/5/control/shutdown", "poweroff"));
	ck_event(g, "control/shutdown", "sd");
	ck_ok(twrite(c, 0, "/local/domain/5/b", "x"));
	ck_ok(twrite(c, 0, "/x", "x"));
	ck_no_event(g);
	ck_no_event(c);
	/* they are ordinary watches of the connection again */
	ck_err(treqv(g, XS_WATCH, 0, "/local/domain/5/a", "ta", END), "EEXIST");
	ck_ok(treqv(g, XS_UNWATCH, 0, "/local/domain/5/a", "ta", END));
	ck_assert_uint_eq(g->nwatches, 1);
	ck_assert_uint_eq(domain_get(d, 5, false)->watches, 1);
	tstore_free(d);

	/* the UNWATCH of the second run was kept too */
	d = open_store();
	g = ring5(d);
	ck_event(g, "control/shutdown", "sd");
	ck_no_event(g);
	tstore_free(d);
}
END_TEST

/* RESET_WATCHES, the guest's XENSTORE_RECONNECT and RELEASE drop them for good. */
START_TEST(test_log_watch_reset_release)
{
	struct xsd *d = open_store();
	struct xs_conn *c = with_dom5(d), *g = ring5(d);

	ck_ok(treqv(g, XS_WATCH, 0, "w1", "t1", END));
	ck_ok(treq(g, XS_RESET_WATCHES, 0, "", 0));
	ck_ok(treqv(g, XS_WATCH, 0, "w2", "t2", END));
	watch_del_all(d, g); /* what XENSTORE_RECONNECT does */
	ck_ok(treqv(g, XS_WATCH, 0, "w3", "t3", END));
	ck_assert_int_eq(journal_flush(d), 0);
	tstore_free(d);

	d = open_store();
	c = tconn(d, 0);
	g = ring5(d);
	ck_event(g, "w3", "t3");
	ck_no_event(g);
	/* a closed ring connection leaves them with the domain for its next one */
	conn_free(g);
	ck_assert_uint_eq(domain_get(d, 5, false)->watches, 1);
	g = ring5(d);
	ck_event(g, "w3", "t3");
	ck_ok(treqv(g, XS_WATCH, 0, "w4", "zz-released-token", END));
	ck_ok(treqv(c, XS_RELEASE, 0, "5", END));
	ck_assert_uint_eq(g->nwatches, 0);
	ck_assert_int_eq(journal_flush(d), 0);
	tstore_free(d);

	/* a new domain 5 starts without them, before and after a compaction */
	d = open_store();
	c = tconn(d, 0);
	ck_assert_ptr_null(domain_get(d, 5, false));
	ck_ok(treqv(c, XS_INTRODUCE, 0, "5", "2", "2", END));
	g = ring5(d);
	ck_no_event(g);
	ck_assert(log_contains("zz-released-token"));
	ck_ok(treqv(c, XS_CONTROL, 0, "compact", END));
	ck_assert(!log_contains("zz-released-token"));
	tstore_free(d);
}
END_TEST

START_TEST(test_log_watch_compaction)
{
	struct xsd *d = open_store();
	struct xs_conn *c = with_dom5(d), *g = ring5(d);
	char tok[16];
	int i;

	for (i = 0; i < 5; i++) {
		snprintf(tok, sizeof(tok), "t%d", i);
		ck_ok(treqv(g, XS_WATCH, 0, "/local/domain/5/n", tok, END));
	}
	ck_ok(treqv(g, XS_UNWATCH, 0, "/local/domain/5/n", "t1", END));
	ck_ok(treqv(g, XS_WATCH, 0, "rel/w", "r", END));
	ck_ok(treqv(c, XS_CONTROL, 0, "compact", END));
	ck_assert(!log_contains("t1"));
	conn_free(g); /* parked ones are in a snapshot too */
	ck_ok(treqv(c, XS_CONTROL, 0, "compact", END));
	tstore_free(d);

	d = open_store();
	c = tconn(d, 0);
	g = ring5(d);
	/* in the order they were registered, the relative one with its relative path */
	ck_event(g, "/local/domain/5/n", "t0");
	ck_event(g, "/local/domain/5/n", "t2");
	ck_event(g, "/local/domain/5/n", "t3");
	ck_event(g, "/local/domain/5/n", "t4");
	ck_event(g, "rel/w", "r");
	ck_no_event(g);
	ck_ok(twrite(c, 0, "/local/domain/5/rel/w/x", "1"));
	ck_event(g, "rel/w/x", "r");
	tcheck(c);
	tstore_free(d);
}
END_TEST

static const char *get_quota(struct xs_conn *c, const char *domid, const char *name)
{
	static struct tmsg m;

	m = domid ? treqv(c, XS_GET_QUOTA, 0, domid, name, END)
	          : treqv(c, XS_GET_QUOTA, 0, name, END);
	return m.type == XS_ERROR ? NULL : m.p;
}

START_TEST(test_log_quotas)
{
	struct xsd *d = open_store();
	struct xs_conn *c = with_dom5(d);

	ck_ok(treqv(c, XS_SET_QUOTA, 0, "nodes", "1234", END));
	ck_ok(treqv(c, XS_CONTROL, 0, "quota", "transactions", "7", END));
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "watches", "3", END));
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "watches", "50", END));
	ck_assert_int_eq(journal_flush(d), 0);
	tstore_free(d);

	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(get_quota(c, NULL, "nodes"), "1234");
	ck_assert_str_eq(get_quota(c, NULL, "transactions"), "7");
	ck_assert_str_eq(get_quota(c, NULL, "watches"), "50");
	/* a domain override is one quota: the others follow the global values */
	ck_assert_str_eq(get_quota(c, "5", "watches"), "3");
	ck_assert_str_eq(get_quota(c, "5", "nodes"), "1234");
	ck_ok(treqv(c, XS_CONTROL, 0, "compact", END));
	tstore_free(d);

	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(get_quota(c, NULL, "nodes"), "1234");
	ck_assert_str_eq(get_quota(c, "5", "watches"), "3");
	ck_ok(treqv(c, XS_RELEASE, 0, "5", END));
	tstore_free(d);

	/* a reused domid never inherits the override, with or without compaction */
	d = open_store();
	c = tconn(d, 0);
	ck_ok(treqv(c, XS_INTRODUCE, 0, "5", "2", "2", END));
	ck_assert_str_eq(get_quota(c, "5", "watches"), "50");
	ck_ok(treqv(c, XS_CONTROL, 0, "compact", END));
	tstore_free(d);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(get_quota(c, "5", "watches"), "50");
	tstore_free(d);

	/* started with another --quota nodes: that start option wins over the old change */
	d = open_store_q(4000);
	c = tconn(d, 0);
	ck_assert_str_eq(get_quota(c, NULL, "nodes"), "4000");
	ck_assert_str_eq(get_quota(c, NULL, "transactions"), "7");
	tstore_free(d);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(get_quota(c, NULL, "nodes"), "1000");
	tstore_free(d);
}
END_TEST

/* ---- hand-made files ---- */

static uint32_t tcrc(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t c = 0xffffffffu;
	int k;

	while (n--) {
		c ^= *b++;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
	}
	return ~c;
}

/* A record body under construction. */
struct body {
	char b[4096];
	uint32_t n;
};

static void b_put(struct body *b, const void *p, uint32_t n)
{
	memcpy(b->b + b->n, p, n);
	b->n += n;
}

static void b_u32(struct body *b, uint32_t v)
{
	b_put(b, &v, 4);
}

static void b_str(struct body *b, const char *s, uint32_t n)
{
	b_u32(b, n);
	b_put(b, s, n);
}

static void b_node(struct body *b, const char *path, const char *val)
{
	b_put(b, "N", 1);
	b_str(b, path, (uint32_t)strlen(path));
	b_str(b, val, (uint32_t)strlen(val));
	b_u32(b, 1);
	b_u32(b, 0);
	b_put(b, "\0", 1);
}

/* 'W' record op: domid, path (plen bytes), token, relskip. */
static void b_watch(struct body *b, uint32_t domid, const char *path, uint32_t plen,
                    const char *token, uint32_t relskip)
{
	b_put(b, "W", 1);
	b_u32(b, domid);
	b_str(b, path, plen);
	b_str(b, token, (uint32_t)strlen(token));
	b_u32(b, relskip);
}

/* 'Q' record op (a global quota set at run time, base its start value) or, for a domid, 'q'. */
static void b_quota(struct body *b, uint32_t domid, const char *name, uint32_t value, uint32_t base)
{
	b_put(b, domid == XSD_DOMID_MAX ? "Q" : "q", 1);
	if (domid != XSD_DOMID_MAX)
		b_u32(b, domid);
	b_str(b, name, (uint32_t)strlen(name));
	b_u32(b, value);
	if (domid == XSD_DOMID_MAX)
		b_u32(b, base);
}

static void append_record(const struct body *b)
{
	char path[256];
	uint32_t hdr[2] = {b->n, tcrc(b->b, b->n)};
	FILE *f;

	snprintf(path, sizeof(path), "%s/xenstore.log", dir);
	f = fopen(path, "ab");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(hdr, 1, 8, f), 8);
	ck_assert_uint_eq(fwrite(b->b, 1, b->n, f), b->n);
	ck_assert_int_eq(fclose(f), 0);
}

/* A version-1 log (before watches and quotas were kept) still loads, and is upgraded. */
START_TEST(test_log_version1)
{
	static struct body b;
	char path[256];
	struct xsd *d;
	struct xs_conn *c;
	FILE *f;
	char magic[9] = {0};

	snprintf(path, sizeof(path), "%s/xenstore.log", dir);
	f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	fputs("SHOJIXS1", f);
	fclose(f);
	b.n = 0;
	b_node(&b, "/", "");
	b_node(&b, "/old", "v1");
	b_put(&b, "I", 1);
	b_u32(&b, 4);
	b_put(&b, "\x07\0\0\0\0\0\0\0", 8);
	b_u32(&b, 3);
	b_u32(&b, XSD_DOMID_MAX);
	append_record(&b);

	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/old"), "v1");
	ck_assert_str_eq(treqv(c, XS_IS_DOMAIN_INTRODUCED, 0, "4", END).p, "T");
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "4", "nodes", "9", END));
	tstore_free(d);
	f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(magic, 1, 8, f), 8);
	fclose(f);
	ck_assert_str_eq(magic, "SHOJIXS2");
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/old"), "v1");
	ck_assert_str_eq(get_quota(c, "4", "nodes"), "9");
	tstore_free(d);
}
END_TEST

/*
 * New records with a good CRC but impossible contents: replay stops at that
 * record (what came before is kept, it and what follows are dropped).
 */
START_TEST(test_log_corrupt_new_records)
{
	enum { BAD_DOMID, BAD_NUL, BAD_RELSKIP, BAD_SHORT, BAD_QNAME, BAD_RESET, BAD_PATH, NBAD };
	static struct body b, after;
	int k;

	for (k = 0; k < NBAD; k++) {
		struct xsd *d = open_store();
		struct xs_conn *c = with_dom5(d);
		off_t good;

		ck_ok(twrite(c, 0, "/kept", "1"));
		tstore_free(d);
		good = log_size();
		b.n = 0;
		switch (k) {
		case BAD_DOMID:
			b_watch(&b, XSD_DOMID_MAX, "/local/domain/5/w", 17, "t", 0);
			break;
		case BAD_NUL:
			b_watch(&b, 5, "/local/do\0ain/5/w", 17, "t", 0);
			break;
		case BAD_RELSKIP:
			b_watch(&b, 5, "/local/domain/5/w", 17, "t", 17);
			break;
		case BAD_SHORT: /* the relskip field is missing */
			b_watch(&b, 5, "/local/domain/5/w", 17, "t", 0);
			b.n -= 4;
			break;
		case BAD_QNAME: /* longer than any quota name may be */
			b_put(&b, "Q", 1);
			b_u32(&b, 100);
			memset(b.b + b.n, 'n', 100);
			b.n += 100;
			b_u32(&b, 1);
			b_u32(&b, 1000);
			break;
		case BAD_RESET:
			b_put(&b, "X", 1);
			b_u32(&b, 0xffffffffu);
			break;
		case BAD_PATH:
			b_watch(&b, 5, "local/domain/5/w", 16, "t", 0);
			break;
		}
		append_record(&b);
		after.n = 0;
		b_node(&after, "/after", "2");
		append_record(&after);
		d = open_store();
		c = tconn(d, 0);
		ck_assert_msg(tread(c, 0, "/kept") != NULL, "case %d", k);
		ck_assert_msg(tread(c, 0, "/after") == NULL, "case %d: replay went on", k);
		ck_assert_msg(log_size() == good, "case %d: bad tail not cut", k);
		ck_no_event(ring5(d));
		tstore_free(d);
		teardown();
		setup();
	}
	/* an unknown quota name is a newer daemon's quota: skipped, the rest replays */
	{
		struct xsd *d = open_store();
		struct xs_conn *c = with_dom5(d);

		tstore_free(d);
		b.n = 0;
		b_quota(&b, XSD_DOMID_MAX, "future", 1, 2);
		b_watch(&b, 5, "/local/domain/5/w", 17, "t", 0);
		append_record(&b);
		d = open_store();
		c = ring5(d);
		ck_event(c, "/local/domain/5/w", "t");
		tstore_free(d);
	}
}
END_TEST

/*
 * A quota value below its lower bound in the log (issue 15 #13: a log that
 * older daemons wrote with path-max 0 made every path invalid at each start)
 * is not restored: the start value stays, and the file is rewritten without it.
 */
START_TEST(test_log_quota_below_bound)
{
	static struct body b;
	struct xsd *d = open_store();
	struct xs_conn *c = with_dom5(d);

	tstore_free(d);
	b.n = 0;
	b_quota(&b, XSD_DOMID_MAX, "path-max", 0, 2048);
	b_quota(&b, 5, "node-size", 0, 0);
	append_record(&b);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(get_quota(c, NULL, "path-max"), "2048");
	ck_assert_str_eq(get_quota(c, "5", "node-size"), "2048");
	ck_assert_ptr_nonnull(strstr(warned, "below"));
	ck_ok(twrite(c, 0, "/works", "v"));
	tstore_free(d);
	ck_assert(!log_contains("path-max"));
	ck_assert(!log_contains("node-size"));
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/works"), "v");
	tstore_free(d);
}
END_TEST

/* The contents of file path (up to len - 1 bytes, NUL-terminated) into buf. */
static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/*
 * Issue 15 #11: neither the journal nor its temporary file is opened through
 * a symbolic link (a link to another file truncated it), and the journal
 * must be a regular file.
 */
START_TEST(test_log_no_symlinks)
{
	char victim[] = "/tmp/test-xs-victim.XXXXXX", logp[256], tmpp[256], buf[64];
	struct xsd *d = malloc(sizeof(*d));
	struct xs_conn *c;
	struct stat st;
	int vfd = mkstemp(victim), dfd = open(dir, O_RDONLY | O_DIRECTORY);

	ck_assert_int_ge(vfd, 0);
	ck_assert_int_eq(write(vfd, "precious", 8), 8);
	close(vfd);
	snprintf(logp, sizeof(logp), "%s/xenstore.log", dir);
	snprintf(tmpp, sizeof(tmpp), "%s/xenstore.log.new", dir);
	ck_assert_int_eq(symlink(victim, logp), 0);
	ck_assert_int_eq(xsd_init(d), 0);
	ck_assert_int_eq(journal_open(d, dfd), -1);
	ck_assert_int_eq(errno, ELOOP);
	xsd_fini(d);
	free(d);
	slurp(victim, buf, sizeof(buf));
	ck_assert_str_eq(buf, "precious");
	unlink(logp);
	/* a FIFO (or anything but a file) is refused too */
	ck_assert_int_eq(mkfifo(logp, 0600), 0);
	d = malloc(sizeof(*d));
	ck_assert_int_eq(xsd_init(d), 0);
	ck_assert_int_eq(journal_open(d, dfd), -1);
	ck_assert_int_eq(errno, EINVAL);
	xsd_fini(d);
	free(d);
	unlink(logp);
	close(dfd);
	/* the temporary of a compaction: a link left there is replaced, not followed */
	d = open_store();
	c = tconn(d, 0);
	ck_ok(twrite(c, 0, "/k", "v"));
	ck_assert_int_eq(symlink(victim, tmpp), 0);
	ck_ok(treqv(c, XS_CONTROL, 0, "compact", END));
	slurp(victim, buf, sizeof(buf));
	ck_assert_str_eq(buf, "precious");
	ck_assert_int_eq(lstat(tmpp, &st), -1); /* renamed over the journal */
	ck_assert_int_eq(lstat(logp, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	tstore_free(d);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/k"), "v");
	tstore_free(d);
	unlink(victim);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "xenstore-log", .name = "log", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, test_log_replay, test_log_truncated_record, test_log_compaction,
	                  test_log_watches, test_log_watch_reset_release, test_log_watch_compaction,
	                  test_log_quotas, test_log_version1, test_log_corrupt_new_records,
	                  test_log_quota_below_bound, test_log_no_symlinks);
}
