/*
 * test_xs_checks: xenstore checks that issue 18's mutation run showed no
 * test could fail on — RM needs WRITE (not READ) permission, the node quota
 * counts every missing parent a write creates, and a transaction that read
 * a node another client then removed must not commit.  Each test here fails
 * on the matching mutant of tests/mutants/mutants.txt.
 */
#include "config.h"

#include "check-run.h"
#include "test_xs_util.h"

/* A node domain 5 may read but not write: RM refused, node kept (in and out of a tx). */
START_TEST(test_rm_needs_write)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *d5;
	uint32_t t;

	ck_ok(treqv(c, XS_INTRODUCE, 0, "5", "123", "4", END));
	d5 = tconn(d, 5);
	ck_ok(twrite(c, 0, "/p/x", "kept"));
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/p/x", "n0", "r5", END));
	ck_assert_str_eq(tread(d5, 0, "/p/x"), "kept");     /* READ is granted... */
	ck_err(treqv(d5, XS_RM, 0, "/p/x", END), "EACCES"); /* ...WRITE is not */
	ck_assert_str_eq(tread(c, 0, "/p/x"), "kept");
	t = tstart(d5);
	ck_err(treqv(d5, XS_RM, t, "/p/x", END), "EACCES");
	ck_ok(tend(d5, t, true));
	ck_assert_str_eq(tread(c, 0, "/p/x"), "kept");
	/* with WRITE it goes */
	ck_ok(treqv(c, XS_SET_PERMS, 0, "/p/x", "n0", "w5", END));
	ck_ok(treqv(d5, XS_RM, 0, "/p/x", END));
	ck_assert_ptr_null(tread(c, 0, "/p/x"));
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* Domain 5 owns its home (1 node) under a quota of 3: a write creating 3 nodes must fail. */
START_TEST(test_quota_counts_missing_parents)
{
	struct xsd *d = tstore();
	struct xs_conn *c = tconn(d, 0), *d5;
	uint32_t t;

	tdom5(c);
	ck_ok(treqv(c, XS_SET_QUOTA, 0, "5", "nodes", "3", END));
	d5 = tconn(d, 5);
	ck_assert_int_eq(domain_get(d, 5, false)->nodes, 1);
	ck_err(twrite(d5, 0, "a/b/c", "v"), "ENOSPC"); /* a, a/b, a/b/c: 3 > 2 left */
	ck_assert_ptr_null(tread(c, 0, "/local/domain/5/a"));
	ck_assert_int_eq(domain_get(d, 5, false)->nodes, 1);
	t = tstart(d5);
	ck_err(twrite(d5, t, "a/b/c", "v"), "ENOSPC");
	ck_ok(tend(d5, t, true));
	ck_assert_ptr_null(tread(c, 0, "/local/domain/5/a"));
	ck_ok(twrite(d5, 0, "a/b", "v")); /* 2 nodes fit exactly */
	ck_assert_int_eq(domain_get(d, 5, false)->nodes, 3);
	tcheck(c);
	tstore_free(d);
}
END_TEST

/* A transaction read a node that another client then removed: EAGAIN, nothing applied. */
START_TEST(test_tx_read_then_rm_conflicts)
{
	struct xsd *d = tstore();
	struct xs_conn *a = tconn(d, 0), *b = tconn(d, 0);
	uint32_t t;

	ck_ok(twrite(a, 0, "/n", "v"));
	t = tstart(a);
	ck_assert_str_eq(tread(a, t, "/n"), "v");
	ck_ok(twrite(a, t, "/other", "from-tx"));
	ck_ok(treqv(b, XS_RM, 0, "/n", END));
	ck_err(tend(a, t, true), "EAGAIN");
	ck_assert_ptr_null(tread(a, 0, "/other"));
	/* a read-only transaction is told too */
	ck_ok(twrite(a, 0, "/n", "v"));
	t = tstart(a);
	ck_assert_str_eq(tread(a, t, "/n"), "v");
	ck_ok(treqv(b, XS_RM, 0, "/n", END));
	ck_err(tend(a, t, true), "EAGAIN");
	tcheck(a);
	tstore_free(d);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "xenstore-checks", .name = "core"};

	return CHECK_MAIN(c, test_rm_needs_write, test_quota_counts_missing_parents,
	                  test_tx_read_then_rm_conflicts);
}
