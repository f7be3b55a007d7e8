/*
 * test_xs_harden: the store-level findings of issue 15's attack run, each a
 * test that failed before its fix: SET_PERMS by a domain that does not own
 * the node (#1), the memory quota at transaction commit (#2), caps for
 * privileged connections (#12) and lower bounds of quota values (#13).
 */
#include "config.h"

#include "check-run.h"
#include "test_xs_util.h"

/* The permissions of path as dom0 sees them, compared with the wire form want (wlen bytes). */
static void ck_perms(struct xs_conn *dom0, const char *path, const char *want, uint32_t wlen)
{
	struct tmsg m = treqv(dom0, XS_GET_PERMS, 0, path, END);

	ck_assert_msg(m.type == XS_GET_PERMS, "GET_PERMS %s: %s", path, m.p);
	ck_assert_uint_eq(m.len, wlen);
	ck_assert_mem_eq(m.p, want, wlen);
}

/* #1: only the node's owner or a privileged caller changes its permissions (Xen: EACCES). */
START_TEST(test_set_perms_needs_owner)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *d5, *d6;
	uint32_t t;

	tdom5(c);
	d5 = tconn(d, 5);
	ck_ok(twrite(c, 0, "/shared/x", "secret"));
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/shared/x", "n0", "w5", END));
	/* domain 5 may write the node, not open it to itself or to everyone */
	ck_err(treqv(d5, XS_SET_PERMS, 0, "/shared/x", "n0", "b5", END), "EACCES");
	ck_err(treqv(d5, XS_SET_PERMS, 0, "/shared/x", "b0", END), "EACCES");
	ck_err(treqv(d5, XS_READ, 0, "/shared/x", END), "EACCES");
	ck_perms(c, "/shared/x", "n0\0w5\0", 6);
	/* nor inside a transaction */
	t = tstart(d5);
	ck_err(treqv(d5, XS_SET_PERMS, t, "/shared/x", "n0", "b5", END), "EACCES");
	ck_ok(tend(d5, t, true));
	ck_perms(c, "/shared/x", "n0\0w5\0", 6);
	ck_ok(twrite(d5, 0, "/shared/x", "written")); /* what it was given still works */
	/* the owner may, in and out of a transaction */
	ck_ok(twrite(d5, 0, "mine", "v"));
	ck_ok(treqv(d5, XS_SET_PERMS, 0, "mine", "n5", "r0", END));
	t = tstart(d5);
	ck_ok(treqv(d5, XS_SET_PERMS, t, "mine", "n5", "b6", END));
	ck_ok(tend(d5, t, true));
	ck_perms(c, "/local/domain/5/mine", "n5\0b6\0", 6);
	/* domain 6, with write access but not the owner, may not; as 5's target (SET_TARGET) it may */
	ck_ok(treqv(c, XS_INTRODUCE, 0, "6", "1", "1", END));
	d6 = tconn(d, 6);
	ck_err(treqv(d6, XS_SET_PERMS, 0, "/local/domain/5/mine", "n5", "b6", "r7", END), "EACCES");
	ck_ok(treqv(c, XS_SET_TARGET, 0, "6", "5", END));
	ck_ok(treqv(d6, XS_SET_PERMS, 0, "/local/domain/5/mine", "n5", "r6", END));
	ck_perms(c, "/local/domain/5/mine", "n5\0r6\0", 6);
	/* and dom0 may change anything */
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/shared/x", "n0", END));
	ck_perms(c, "/shared/x", "n0\0", 3);
	tcheck(c);
	tstore_free(d);
}
END_TEST

/*
 * #2: parallel transactions must not commit past the memory quota together:
 * each fits when written, the commit rechecks against what the others left.
 */
START_TEST(test_tx_commit_rechecks_memory)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *d5;
	char val[1001], path[16];
	uint32_t t[10];
	int i, committed = 0;

	memset(val, 'm', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	tdom5(c);
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "memory", "2000", END));
	d5 = tconn(d, 5);
	for (i = 0; i < 10; i++) {
		t[i] = tstart(d5);
		snprintf(path, sizeof(path), "n%d", i);
		ck_ok(twrite(d5, t[i], path, val)); /* ~1 kB each: one fits, two do not */
	}
	for (i = 0; i < 10; i++) {
		struct tmsg m = tend(d5, t[i], true);

		if (m.type == XS_ERROR)
			ck_assert_str_eq(m.p, "ENOSPC");
		else
			committed++;
	}
	ck_assert_int_eq(committed, 1);
	ck_assert_int_le(domain_get(d, 5, false)->memory, 2000);
	/* growing existing values counts too */
	ck_ok(twrite(d5, 0, "small", "s"));
	t[0] = tstart(d5);
	t[1] = tstart(d5);
	ck_ok(twrite(d5, t[0], "small", val + 500));
	ck_ok(twrite(d5, t[1], "other", val + 500));
	ck_ok(tend(d5, t[0], true));
	ck_err(tend(d5, t[1], true), "ENOSPC");
	ck_assert_ptr_null(tread(c, 0, "/local/domain/5/other"));
	ck_assert_int_le(domain_get(d, 5, false)->memory, 2000);
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* The documented lower bound of each quota (shoji-xenstored.8, QUOTAS). */
static const struct {
	const char *name, *min, *below;
} bounds[] = {
    {"nodes", "1", "0"},
    {"watches", "1", "0"},
    {"transactions", "1", "0"},
    {"outstanding", "1", "0"},
    {"transaction-nodes", "1", "0"},
    {"memory", "1024", "1023"},
    {"node-size", "256", "255"},
    {"path-max", "1024", "1023"},
    {"permissions", "2", "1"},
    {"priv-watches", "128", "127"},
    {"priv-transactions", "10", "9"},
};

/*
 * #13: a quota value below its bound is refused with EINVAL (SET_QUOTA,
 * per domain, CONTROL quota): path-max 0 made every path invalid, dom0's too.
 */
START_TEST(test_quota_lower_bounds)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0);
	char path[1100];
	size_t i;

	tdom5(c);
	ck_err(treqv(c, XS_SET_QUOTA, 0, "path-max", "0", END), "EINVAL");
	ck_ok(twrite(c, 0, "/still/valid", "v"));
	ck_assert_str_eq(treqv(c, XS_GET_QUOTA, 0, "path-max", END).p, "2048");
	for (i = 0; i < sizeof(bounds) / sizeof(bounds[0]); i++) {
		const char *q = bounds[i].name;

		ck_err(treqv(c, XS_SET_QUOTA, 0, q, bounds[i].below, END), "EINVAL");
		ck_err(treqv(c, XS_SET_QUOTA, 0, "5", q, bounds[i].below, END), "EINVAL");
		ck_err(treqv(c, XS_CONTROL, 0, "quota", q, bounds[i].below, END), "EINVAL");
		ck_ok(treqv(c, XS_SET_QUOTA, 0, q, bounds[i].min, END));
		ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", q, bounds[i].min, END));
		ck_ok(treqv(c, XS_CONTROL, 0, "quota", q, bounds[i].min, END));
		ck_assert_str_eq(treqv(c, XS_GET_QUOTA, 0, q, END).p, bounds[i].min);
	}
	/* at the smallest path-max, a path of that length still works */
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[1024] = '\0';
	ck_ok(twrite(c, 0, path, "v"));
	path[1024] = 'p';
	path[1025] = '\0';
	ck_err(twrite(c, 0, path, "v"), "EINVAL");
	tcheck(c);
	tstore_free(d);
}
END_TEST

/*
 * #12: privileged connections bypass the domain quotas, but not without
 * bound: 50,000 watches and 20,000 open transactions of one socket client
 * were accepted.  Each privileged connection gets its own finite allowance.
 */
START_TEST(test_priv_caps)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *other = tconn(d, 0);
	char path[32];
	uint32_t t[1024];
	int i;

	ck_assert_str_eq(treqv(c, XS_GET_QUOTA, 0, "priv-watches", END).p, "16384");
	ck_assert_str_eq(treqv(c, XS_GET_QUOTA, 0, "priv-transactions", END).p, "1024");
	/* the defaults hold */
	for (i = 0; i < 16384; i++) {
		snprintf(path, sizeof(path), "/w/%d", i);
		ck_ok(treqv(c, XS_WATCH, 0, path, "t", END));
		tdrain(c);
	}
	ck_err(treqv(c, XS_WATCH, 0, "/w/one-more", "t", END), "E2BIG");
	for (i = 0; i < 1024; i++)
		t[i] = tstart(c);
	ck_err(treq(c, XS_TRANSACTION_START, 0, "", 1), "ENOSPC");
	/* per connection: another client has its own allowance */
	ck_ok(treqv(other, XS_WATCH, 0, "/w/one-more", "t", END));
	tstart(other);
	/* room again once some go */
	ck_ok(treqv(c, XS_UNWATCH, 0, "/w/7", "t", END));
	ck_ok(treqv(c, XS_WATCH, 0, "/w/one-more", "t", END));
	ck_ok(tend(c, t[3], false));
	tstart(c);
	/* lower, at run time */
	ck_ok(treqv(c, XS_RESET_WATCHES, 0, END));
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "priv-watches", "128", END));
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "priv-transactions", "10", END));
	for (i = 0; i < 128; i++) {
		snprintf(path, sizeof(path), "/w/%d", i);
		ck_ok(treqv(c, XS_WATCH, 0, path, "t", END));
	}
	ck_err(treqv(c, XS_WATCH, 0, "/w/one-more", "t", END), "E2BIG");
	for (i = 0; i < 9; i++)
		tstart(other);
	ck_err(treq(other, XS_TRANSACTION_START, 0, "", 1), "ENOSPC");
	tcheck(c);
	tstore_free(d);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("xenstore-harden");
	TCase *tc = tcase_create("issue15");

	tcase_add_test(tc, test_set_perms_needs_owner);
	tcase_add_test(tc, test_tx_commit_rechecks_memory);
	tcase_add_test(tc, test_quota_lower_bounds);
	tcase_add_test(tc, test_priv_caps);
	suite_add_tcase(s, tc);
	return check_run(s);
}
