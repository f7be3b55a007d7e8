/*
 * Unit tests of the xenstore store through the real dispatcher: path rules,
 * the tree, permissions, transactions (a conflict matrix), watch matching
 * and quota accounting.
 */
#include "config.h"

#include "test_xs_util.h"
#include "check-run.h"

/* ---- path rules ---- */

static int canon(const char *in, uint32_t domid, char *out)
{
	uint32_t len;

	return path_canon(in, domid, 2048, false, out, &len);
}

START_TEST(test_path_rules)
{
	char out[XSD_ABS_PATH_MAX + 1], big[XSD_ABS_PATH_MAX + 64];

	ck_assert_int_eq(canon("/a/b-c_d@e/0", 0, out), 0);
	ck_assert_str_eq(out, "/a/b-c_d@e/0");
	ck_assert_int_eq(canon("/", 0, out), 0);
	ck_assert_int_eq(canon("", 0, out), EINVAL);
	ck_assert_int_eq(canon("/a/", 0, out), EINVAL);
	ck_assert_int_eq(canon("/a//b", 0, out), EINVAL);
	ck_assert_int_eq(canon("/a b", 0, out), EINVAL);
	ck_assert_int_eq(canon("/a.b", 0, out), EINVAL);
	ck_assert_int_eq(canon("@introduceDomain", 0, out), EINVAL); /* not a node */
	ck_assert_int_eq(canon("x/y", 7, out), 0);
	ck_assert_str_eq(out, "/local/domain/7/x/y");
	/* length: 2048 characters, not counting a /local/domain/<id>/ prefix */
	big[0] = '/';
	memset(big + 1, 'a', 2047);
	big[2048] = '\0';
	ck_assert_int_eq(canon(big, 0, out), 0);
	big[2048] = 'a';
	big[2049] = '\0';
	ck_assert_int_eq(canon(big, 0, out), EINVAL);
	memset(big, 'b', 2048);
	big[2048] = '\0';
	ck_assert_int_eq(canon(big, 0, out), 0); /* relative: /local/domain/0/ + 2048 */
	ck_assert_int_eq(path_parent_len("/a/b", 4), 2);
	ck_assert_int_eq(path_parent_len("/a", 2), 1);
	ck_assert(path_is_below("/a/w/x", 6, "/a/w", 4));
	ck_assert(!path_is_below("/a/wx", 5, "/a/w", 4));
	ck_assert(path_is_below("/a", 2, "/", 1));
}
END_TEST

/* ---- the tree ---- */

START_TEST(test_tree_basics)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0);
	struct tmsg m;

	ck_ok(twrite(c, 0, "/a/b/c", "v"));
	ck_assert_str_eq(tread(c, 0, "/a/b/c"), "v");
	ck_assert_str_eq(tread(c, 0, "/a/b"), ""); /* implicit parent, empty */
	ck_ok(twrite(c, 0, "/a/z", "1"));
	ck_ok(twrite(c, 0, "/a/m", "2"));
	m = treqv(c, XS_DIRECTORY, 0, "/a", END);
	ck_assert_uint_eq(m.len, 6);
	ck_assert_mem_eq(m.p, "b\0z\0m\0", 6); /* insertion order, like C xenstored */
	m = treqv(c, XS_DIRECTORY, 0, "/a/z", END);
	ck_assert_uint_eq(m.len, 0);
	/* values are binary */
	m = treq(c, XS_WRITE, 0, "/bin\0x\0y", 8);
	ck_ok(m);
	m = treqv(c, XS_READ, 0, "/bin", END);
	ck_assert_uint_eq(m.len, 3);
	ck_assert_mem_eq(m.p, "x\0y", 3);
	/* MKDIR of an existing node keeps its value */
	ck_ok(treqv(c, XS_MKDIR, 0, "/a/z", END));
	ck_assert_str_eq(tread(c, 0, "/a/z"), "1");
	/* RM */
	ck_ok(treqv(c, XS_RM, 0, "/a/b", END));
	ck_assert_ptr_null(tread(c, 0, "/a/b/c"));
	ck_ok(treqv(c, XS_RM, 0, "/a/nothere", END));
	ck_err(treqv(c, XS_RM, 0, "/no/parent", END), "ENOENT");
	ck_err(treqv(c, XS_RM, 0, "/", END), "EINVAL");
	ck_err(treqv(c, XS_READ, 0, "/a/", END), "EINVAL");
	ck_err(treq(c, XS_READ, 0, "/a", 2), "EINVAL"); /* no NUL */
	/* relative paths live under /local/domain/0 */
	ck_ok(twrite(c, 0, "rel", "r"));
	ck_assert_str_eq(tread(c, 0, "/local/domain/0/rel"), "r");
	/* initial tree */
	ck_assert_str_eq(tread(c, 0, "/tool/xenstored"), "");
	tcheck(c);
	tstore_free(d);
}
END_TEST

START_TEST(test_protocol_misc)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0);
	struct tmsg m;

	m = treq(c, XS_WATCH_EVENT, 0, "", 0);
	ck_err(m, "ENOSYS");
	ck_err(treq(c, XS_ERROR, 0, "", 0), "ENOSYS");
	ck_err(treq(c, 20, 0, "", 0), "ENOSYS");
	ck_err(treq(c, 99, 0, "", 0), "ENOSYS");
	m = treqv(c, XS_READ, 0, "/nope", END);
	ck_assert_uint_eq(m.tx_id, 0);
	ck_err(m, "ENOENT");
	m = treqv(c, XS_GET_DOMAIN_PATH, 0, "7", END);
	ck_assert_str_eq(m.p, "/local/domain/7");
	ck_assert_uint_eq(m.len, 16);
	m = treqv(c, XS_IS_DOMAIN_INTRODUCED, 0, "0", END);
	ck_assert_str_eq(m.p, "T");
	m = treqv(c, XS_IS_DOMAIN_INTRODUCED, 0, "9", END);
	ck_assert_str_eq(m.p, "F");
	ck_err(treqv(c, XS_CONTROL, 0, "bogus", END), "EINVAL");
	m = treqv(c, XS_CONTROL, 0, "help", END);
	ck_assert_ptr_nonnull(strstr(m.p, "quota"));
	/* GET/SET_QUOTA */
	m = treqv(c, XS_GET_QUOTA, 0, "nodes", END);
	ck_assert_str_eq(m.p, "1000");
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "nodes", "5", END));
	ck_assert_str_eq(treqv(c, XS_GET_QUOTA, 0, "nodes", END).p, "5");
	ck_err(treqv(c, XS_SET_QUOTA, 0, "bogus", "5", END), "EINVAL");
	m = treq(c, XS_GET_QUOTA, 0, "", 0);
	ck_assert_str_eq(m.p, "nodes");
	/* DIRECTORY_PART */
	ck_ok(twrite(c, 0, "/dp/aa", ""));
	ck_ok(twrite(c, 0, "/dp/bb", ""));
	m = treq(c, XS_DIRECTORY_PART, 0,
	         "/dp\0"
	         "0",
	         6);
	ck_ok(m);
	{
		size_t gl = strlen(m.p) + 1;

		ck_assert_uint_eq(m.len, gl + 7);
		ck_assert_mem_eq(m.p + gl, "aa\0bb\0\0", 7);
	}
	m = treq(c, XS_DIRECTORY_PART, 0,
	         "/dp\0"
	         "3",
	         6);
	ck_assert_mem_eq(m.p + strlen(m.p) + 1, "bb\0\0", 4);
	ck_err(treqv(c, XS_DIRECTORY_PART, 0, "/dp", END), "EINVAL");
	tstore_free(d);
}
END_TEST

/* ---- permissions ---- */

START_TEST(test_perms)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *d5;
	struct tmsg m;

	ck_ok(treqv(c, XS_INTRODUCE, 0, "5", "123", "4", END));
	d5 = tconn(d, 5);
	ck_ok(twrite(c, 0, "/p/x", "secret"));
	ck_err(treqv(c, XS_SET_PERMS, 0, "/p/x", "q5", END), "EINVAL");
	ck_err(treqv(c, XS_SET_PERMS, 0, "/p/x", "r", END), "EINVAL");
	ck_err(treqv(c, XS_SET_PERMS, 0, "/p/x", END), "EINVAL");
	ck_err(treqv(c, XS_SET_PERMS, 0, "/p/none", "n0", END), "ENOENT");
	ck_err(treqv(c, XS_GET_PERMS, 0, "@releaseDomain", END), "EINVAL");
	/* default n0: domain 5 may neither read nor write */
	ck_err(treqv(d5, XS_READ, 0, "/p/x", END), "EACCES");
	ck_err(twrite(d5, 0, "/p/x", "y"), "EACCES");
	ck_err(twrite(d5, 0, "/p/new", "y"), "EACCES");
	/* an ACL entry for 5 */
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/p/x", "n0", "r5", END));
	m = treqv(c, XS_GET_PERMS, 0, "/p/x", END);
	ck_assert_uint_eq(m.len, 6);
	ck_assert_mem_eq(m.p, "n0\0r5\0", 6);
	ck_assert_str_eq(tread(d5, 0, "/p/x"), "secret");
	ck_err(twrite(d5, 0, "/p/x", "y"), "EACCES");
	/* the owner has full access; the first entry is everyone's default */
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/p/x", "b5", END));
	ck_ok(twrite(d5, 0, "/p/x", "mine"));
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/p/x", "r0", END));
	ck_assert_str_eq(tread(d5, 0, "/p/x"), "mine");
	/* new nodes inherit the parent's perms; an unprivileged creator owns them */
	ck_ok(twrite(c, 0, "/local/domain/5", ""));
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/local/domain/5", "n5", "r0", END));
	ck_ok(twrite(d5, 0, "data/key", "v"));
	m = treqv(c, XS_GET_PERMS, 0, "/local/domain/5/data/key", END);
	ck_assert_mem_eq(m.p, "n5\0r0\0", 6);
	ck_ok(twrite(c, 0, "/local/domain/5/byzero", "v"));
	m = treqv(c, XS_GET_PERMS, 0, "/local/domain/5/byzero", END);
	ck_assert_mem_eq(m.p, "n5\0r0\0", 6);
	/* privileged operations */
	ck_err(treqv(d5, XS_INTRODUCE, 0, "6", "1", "1", END), "EACCES");
	ck_err(treqv(d5, XS_CONTROL, 0, "help", END), "EACCES");
	/* SET_TARGET: domain 6 acts for domain 5 */
	ck_ok(treqv(c, XS_INTRODUCE, 0, "6", "1", "1", END));
	{
		struct xs_conn *d6 = tconn(d, 6);

		ck_err(treqv(d6, XS_READ, 0, "/local/domain/5/data/key", END), "EACCES");
		ck_ok(treqv(c, XS_SET_TARGET, 0, "6", "5", END));
		ck_assert_str_eq(tread(d6, 0, "/local/domain/5/data/key"), "v");
	}
	ck_err(treqv(c, XS_SET_TARGET, 0, "6", "44", END), "ENOENT");
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* ---- transactions ---- */

START_TEST(test_tx_isolation)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *o = tconn(d, 0);
	uint32_t t;
	struct tmsg m;

	ck_ok(twrite(c, 0, "/t/old", "0"));
	t = tstart(c);
	ck_assert_uint_ne(t, 0);
	ck_ok(twrite(c, t, "/t/new", "1"));
	ck_ok(twrite(c, t, "/t/old", "changed"));
	ck_assert_str_eq(tread(c, t, "/t/new"), "1");
	ck_assert_ptr_null(tread(o, 0, "/t/new"));
	ck_assert_str_eq(tread(o, 0, "/t/old"), "0");
	m = treqv(c, XS_DIRECTORY, t, "/t", END);
	ck_assert_uint_eq(m.len, 8);
	ck_assert_mem_eq(m.p, "old\0new\0", 8);
	ck_assert_uint_eq(m.tx_id, t);
	ck_err(treq(c, XS_TRANSACTION_START, t, "", 1), "EBUSY");
	ck_err(treq(c, XS_TRANSACTION_END, t, "X", 2), "EINVAL");
	ck_ok(tend(c, t, true));
	ck_assert_str_eq(tread(o, 0, "/t/new"), "1");
	ck_assert_str_eq(tread(o, 0, "/t/old"), "changed");
	/* abort discards; unknown ids are ENOENT */
	t = tstart(c);
	ck_ok(twrite(c, t, "/t/gone", "x"));
	ck_ok(treqv(c, XS_RM, t, "/t/old", END));
	ck_assert_ptr_null(tread(c, t, "/t/old"));
	ck_ok(tend(c, t, false));
	ck_assert_ptr_null(tread(o, 0, "/t/gone"));
	ck_assert_str_eq(tread(o, 0, "/t/old"), "changed");
	ck_err(tend(c, t, true), "ENOENT");
	ck_err(tend(c, 0, true), "ENOENT");
	ck_err(twrite(c, 4242, "/t/x", ""), "ENOENT");
	/* delete and re-create inside one transaction */
	ck_ok(twrite(c, 0, "/r/a/b", "1"));
	t = tstart(c);
	ck_ok(treqv(c, XS_RM, t, "/r/a", END));
	ck_ok(twrite(c, t, "/r/a/c", "2"));
	ck_ok(tend(c, t, true));
	ck_assert_ptr_null(tread(o, 0, "/r/a/b"));
	ck_assert_str_eq(tread(o, 0, "/r/a/c"), "2");
	m = treqv(o, XS_DIRECTORY, 0, "/r/a", END);
	ck_assert_uint_eq(m.len, 2);
	tcheck(c);
	tstore_free(d);
}
END_TEST

/*
 * Conflict matrix: a transaction does op A, another client then does op B
 * outside (committed at once), and the transaction commits.
 */
enum { OP_READ, OP_WRITE, OP_CREATE, OP_DIR, OP_RM, OP_READ_MISSING };
static const struct {
	int a;
	const char *apath;
	int b;
	const char *bpath;
	bool conflict;
} matrix[] = {
    {OP_READ, "/m/a", OP_WRITE, "/m/a", true},
    {OP_READ, "/m/a", OP_WRITE, "/m/b", false},
    {OP_WRITE, "/m/a", OP_WRITE, "/m/a", true},
    {OP_WRITE, "/m/a", OP_WRITE, "/m/b", false},
    {OP_CREATE, "/m/new1", OP_CREATE, "/m/new2", false}, /* siblings: no false conflict */
    {OP_CREATE, "/m/s1/x", OP_CREATE, "/m/s2/y", false}, /* disjoint subtrees */
    {OP_CREATE, "/m/new1", OP_CREATE, "/m/new1", true},
    {OP_DIR, "/m", OP_CREATE, "/m/new3", true},
    {OP_DIR, "/m", OP_WRITE, "/m/a", false},
    {OP_CREATE, "/m/a/child", OP_RM, "/m/a", true},
    {OP_READ_MISSING, "/m/miss", OP_CREATE, "/m/miss", true},
    {OP_RM, "/m/a", OP_WRITE, "/m/a", true},
    {OP_RM, "/m/a", OP_CREATE, "/m/a/kid", true},
    {OP_RM, "/m/a", OP_WRITE, "/m/b", false},
    {OP_READ, "/m/b", OP_RM, "/m/a", false},
};

static struct tmsg do_op(struct xs_conn *c, uint32_t tx, int op, const char *path)
{
	switch (op) {
	case OP_READ:
	case OP_READ_MISSING:
		return treqv(c, XS_READ, tx, path, END);
	case OP_WRITE:
	case OP_CREATE:
		return twrite(c, tx, path, "w");
	case OP_DIR:
		return treqv(c, XS_DIRECTORY, tx, path, END);
	default:
		return treqv(c, XS_RM, tx, path, END);
	}
}

START_TEST(test_tx_conflict_matrix)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *o = tconn(d, 0);
	uint32_t t;
	struct tmsg m;

	ck_ok(twrite(c, 0, "/m/a", "1"));
	ck_ok(twrite(c, 0, "/m/b", "2"));
	t = tstart(c);
	m = do_op(c, t, matrix[_i].a, matrix[_i].apath);
	if (matrix[_i].a != OP_READ_MISSING)
		ck_ok(m);
	ck_ok(do_op(o, 0, matrix[_i].b, matrix[_i].bpath));
	m = tend(c, t, true);
	if (matrix[_i].conflict)
		ck_err(m, "EAGAIN");
	else
		ck_ok(m);
	tcheck(c);
	tstore_free(d);
}
END_TEST

START_TEST(test_tx_two_transactions)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *o = tconn(d, 0);
	uint32_t t1, t2;

	/* two transactions writing disjoint subtrees both commit */
	ck_ok(twrite(c, 0, "/dj", ""));
	t1 = tstart(c);
	t2 = tstart(o);
	ck_ok(twrite(c, t1, "/dj/c1/k", "1"));
	ck_ok(twrite(o, t2, "/dj/c2/k", "2"));
	ck_ok(tend(c, t1, true));
	ck_ok(tend(o, t2, true));
	ck_assert_str_eq(tread(c, 0, "/dj/c1/k"), "1");
	ck_assert_str_eq(tread(c, 0, "/dj/c2/k"), "2");
	/* same node: the second commit fails */
	t1 = tstart(c);
	t2 = tstart(o);
	ck_ok(twrite(c, t1, "/dj/c1/k", "a"));
	ck_ok(twrite(o, t2, "/dj/c1/k", "b"));
	ck_ok(tend(c, t1, true));
	ck_err(tend(o, t2, true), "EAGAIN");
	ck_assert_str_eq(tread(c, 0, "/dj/c1/k"), "a");
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* ---- watches ---- */

START_TEST(test_watches)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *w = tconn(d, 0);
	struct tmsg m;
	uint32_t t;

	ck_ok(treqv(w, XS_WATCH, 0, "/a/w", "tok", END));
	ck_assert(tpop(w, &m));
	ck_assert_uint_eq(m.type, XS_WATCH_EVENT); /* initial event */
	ck_assert_uint_eq(m.req_id, 0);
	ck_assert_mem_eq(m.p, "/a/w\0tok\0", 9);
	ck_err(treqv(w, XS_WATCH, 0, "/a/w", "tok", END), "EEXIST");
	ck_ok(treqv(w, XS_WATCH, 0, "/a/w", "tok2", END));
	tdrain(w);
	ck_ok(twrite(c, 0, "/a/w", "1"));
	ck_assert_int_eq(tevents(w, "/a/w"), 2); /* one per token */
	ck_ok(twrite(c, 0, "/a/w/deep/er", "1"));
	ck_assert_int_eq(tevents(w, "/a/w/deep/er"), 2);
	ck_ok(twrite(c, 0, "/a/wx", "1")); /* shares only a string prefix */
	ck_assert_int_eq(tevents(w, NULL), 0);
	ck_ok(treqv(c, XS_RM, 0, "/a/w/deep", END));
	ck_assert_int_eq(tevents(w, "/a/w/deep"), 2);
	/* removing an ancestor fires watches below it */
	ck_ok(treqv(c, XS_RM, 0, "/a", END));
	ck_assert_int_eq(tevents(w, "/a/w"), 2);
	/* transactions fire on commit only */
	t = tstart(c);
	ck_ok(twrite(c, t, "/a/w/t", "1"));
	ck_assert_int_eq(tevents(w, NULL), 0);
	ck_ok(tend(c, t, true));
	ck_assert_int_gt(tevents(w, "/a/w/t"), 0);
	ck_ok(treqv(w, XS_UNWATCH, 0, "/a/w", "tok2", END));
	ck_err(treqv(w, XS_UNWATCH, 0, "/a/w", "tok2", END), "ENOENT");
	ck_err(treqv(w, XS_WATCH, 0, "/a/w", END), "EINVAL");
	ck_err(treqv(w, XS_WATCH, 0, "", "t", END), "EINVAL");
	/* relative watches see relative paths */
	ck_ok(treqv(w, XS_WATCH, 0, "rel", "r", END));
	ck_assert(tpop(w, &m));
	ck_assert_str_eq(m.p, "rel");
	ck_ok(twrite(c, 0, "/local/domain/0/rel/x", "1"));
	ck_assert_int_eq(tevents(w, "rel/x"), 1);
	/* special events */
	ck_ok(treqv(w, XS_RESET_WATCHES, 0, "", END));
	ck_ok(treqv(w, XS_WATCH, 0, "@introduceDomain", "i", END));
	ck_ok(treqv(w, XS_WATCH, 0, "@releaseDomain", "r", END));
	tdrain(w);
	ck_ok(treqv(c, XS_INTRODUCE, 0, "3", "1", "2", END));
	ck_assert_int_eq(tevents(w, "@introduceDomain"), 1);
	ck_ok(treqv(c, XS_INTRODUCE, 0, "3", "1", "2", END)); /* again: no event */
	ck_assert_int_eq(tevents(w, NULL), 0);
	ck_ok(treqv(c, XS_RELEASE, 0, "3", END));
	ck_assert_int_eq(tevents(w, "@releaseDomain"), 1);
	ck_err(treqv(c, XS_RELEASE, 0, "3", END), "ENOENT");
	ck_err(treqv(c, XS_RESUME, 0, "3", END), "ENOENT");
	ck_err(treqv(c, XS_INTRODUCE, 0, "x", "1", "2", END), "EINVAL");
	tstore_free(d);
}
END_TEST

START_TEST(test_watch_many)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *w = tconn(d, 0);
	char path[64];
	int i;

	/* many watches (the table grows), each firing only for its own subtree */
	for (i = 0; i < 3000; i++) {
		snprintf(path, sizeof(path), "/many/n%d", i);
		ck_ok(treqv(w, XS_WATCH, 0, path, "t", END));
	}
	ck_ok(treqv(w, XS_WATCH, 0, "/", "root", END));
	tdrain(w);
	ck_ok(twrite(c, 0, "/many/n1234/x", "1"));
	ck_assert_int_eq(tevents(w, "/many/n1234/x"), 2); /* n1234 and / */
	ck_ok(twrite(c, 0, "/many/n12345", "1"));
	ck_assert_int_eq(tevents(w, "/many/n12345"), 1); /* only / */
	ck_ok(treqv(c, XS_RM, 0, "/many", END));
	ck_assert_int_eq(tevents(w, NULL), 3001); /* / with /many, and every watch below */
	for (i = 0; i < 3000; i += 2) {
		snprintf(path, sizeof(path), "/many/n%d", i);
		ck_ok(treqv(w, XS_UNWATCH, 0, path, "t", END));
	}
	ck_ok(twrite(c, 0, "/many/n7", "1"));
	ck_assert_int_eq(tevents(w, "/many/n7"), 2);
	ck_ok(twrite(c, 0, "/many/n8", "1"));
	ck_assert_int_eq(tevents(w, "/many/n8"), 1);
	tstore_free(d);
}
END_TEST

/* ---- quotas ---- */

START_TEST(test_quota_nodes)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *d5;
	struct xsd_domain *dom;
	char path[64];
	uint32_t t;
	int i;

	tdom5(c);
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "nodes", "10", END));
	d5 = tconn(d, 5);
	dom = domain_get(d, 5, false);
	ck_assert_int_eq(dom->nodes, 1);
	for (i = 0; i < 9; i++) {
		snprintf(path, sizeof(path), "k%d", i);
		ck_ok(twrite(d5, 0, path, "v"));
	}
	ck_assert_int_eq(dom->nodes, 10);
	ck_err(twrite(d5, 0, "one-more", "v"), "ENOSPC");
	/* transactions are held to the same count, and a failed one leaks nothing */
	ck_ok(treqv(d5, XS_RM, 0, "k0", END));
	ck_ok(treqv(d5, XS_RM, 0, "k1", END));
	t = tstart(d5);
	ck_ok(twrite(d5, t, "t1", "v"));
	ck_ok(twrite(d5, t, "t2", "v"));
	ck_err(twrite(d5, t, "t3", "v"), "ENOSPC");
	ck_ok(treqv(d5, XS_READ, t, "k2", END));
	ck_ok(twrite(c, 0, "/local/domain/5/k2", "conflict"));
	ck_err(tend(d5, t, true), "EAGAIN");
	ck_assert_int_eq(dom->nodes, 8);
	ck_assert_uint_eq(dom->transactions, 0);
	/* node size, perms per node, watches, transactions */
	{
		char big[2100];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		ck_err(twrite(d5, 0, "k2", big), "ENOSPC");
		ck_ok(twrite(c, 0, "/local/domain/5/k2", big)); /* dom0 is not limited */
	}
	ck_err(treqv(d5, XS_SET_PERMS, 0, "k2", "n5", "r1", "r2", "r3", "r4", "r6", END), "ENOSPC");
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "watches", "2", END));
	ck_ok(treqv(d5, XS_WATCH, 0, "a", "1", END));
	ck_ok(treqv(d5, XS_WATCH, 0, "b", "1", END));
	ck_err(treqv(d5, XS_WATCH, 0, "c", "1", END), "E2BIG");
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "transactions", "1", END));
	t = tstart(d5);
	ck_err(treq(d5, XS_TRANSACTION_START, 0, "", 1), "ENOSPC");
	ck_ok(tend(d5, t, false));
	ck_assert_str_eq(treqv(c, XS_GET_QUOTA, 0, "5", "nodes", END).p, "10");
	tcheck(c);
	tstore_free(d);
}
END_TEST

START_TEST(test_quota_tx_nodes)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *d5;
	char path[64];
	uint32_t t;
	int i;

	tdom5(c);
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "transaction-nodes", "4", END));
	d5 = tconn(d, 5);
	t = tstart(d5);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "n%d", i);
		ck_ok(twrite(d5, t, path, "v"));
	}
	ck_err(twrite(d5, t, "n9", "v"), "ENOSPC");
	ck_ok(tend(d5, t, false));
	tstore_free(d);
}
END_TEST

START_TEST(test_quota_memory)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *d5;
	char val[1001], bigger[1501];
	uint32_t t;

	memset(val, 'm', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	memset(bigger, 'M', sizeof(bigger) - 1);
	bigger[sizeof(bigger) - 1] = '\0';
	tdom5(c);
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "memory", "2500", END));
	d5 = tconn(d, 5);
	ck_ok(twrite(d5, 0, "a", val));
	ck_ok(twrite(d5, 0, "b", val));
	ck_err(twrite(d5, 0, "c", val), "ENOSPC");
	ck_err(twrite(d5, 0, "a", bigger), "ENOSPC"); /* growing an existing value counts too */
	ck_ok(twrite(d5, 0, "a", "short"));
	/* inside a transaction too */
	t = tstart(d5);
	ck_ok(twrite(d5, t, "c", val));
	ck_err(twrite(d5, t, "d", val), "ENOSPC");
	ck_ok(tend(d5, t, true));
	ck_assert_int_le(domain_get(d, 5, false)->memory, 2500);
	tcheck(c);
	tstore_free(d);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "xenstore-tree",
	                             .name = "core",
	                             .loop = test_tx_conflict_matrix,
	                             .loops = sizeof(matrix) / sizeof(matrix[0])};

	return CHECK_MAIN(c, test_path_rules, test_tree_basics, test_protocol_misc, test_perms,
	                  test_tx_isolation, test_tx_conflict_matrix, test_tx_two_transactions,
	                  test_watches, test_watch_many, test_quota_nodes, test_quota_tx_nodes,
	                  test_quota_memory);
}
