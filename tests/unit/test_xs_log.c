/*
 * Unit tests of the persistence log: everything acknowledged is replayed,
 * a damaged or truncated last record is dropped (and only it), and a
 * compacted log replays to the same state.
 */
#include "config.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "test_xs_util.h"

static char dir[] = "/tmp/test-xs-log.XXXXXX";

static struct xsd *open_store(void)
{
	struct xsd *d = malloc(sizeof(*d));

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(xsd_init(d), 0);
	ck_assert_int_eq(log_open(d, dir), 0);
	ck_assert_int_eq(store_init_root(d), 0);
	ck_assert_int_eq(log_flush(d), 0);
	return d;
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
	ck_assert_int_eq(log_flush(d), 0);
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
	char path[256];
	off_t before;
	int fd;

	ck_ok(twrite(c, 0, "/kept", "1"));
	ck_assert_int_eq(log_flush(d), 0);
	before = log_size();
	ck_ok(twrite(c, 0, "/lost", "2"));
	ck_assert_int_eq(log_flush(d), 0);
	tstore_free(d);
	/* cut the last record short, as a crash in the middle of write(2) would */
	snprintf(path, sizeof(path), "%s/xenstore.log", dir);
	fd = open(path, O_WRONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, log_size() - 3), 0);
	close(fd);
	d = open_store();
	c = tconn(d, 0);
	ck_assert_str_eq(tread(c, 0, "/kept"), "1");
	ck_assert_ptr_null(tread(c, 0, "/lost"));
	ck_assert_int_eq(log_size(), before); /* the damaged tail was cut off */
	/* new records append cleanly after it */
	ck_ok(twrite(c, 0, "/after", "3"));
	ck_assert_int_eq(log_flush(d), 0);
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
	ck_assert_int_eq(log_flush(d), 0);
	big = log_size();
	ck_ok(treqv(c, XS_CONTROL, 0, "compact", END));
	ck_assert_int_lt(log_size(), big / 4);
	ck_ok(twrite(c, 0, "/c/after", "x"));
	ck_assert_int_eq(log_flush(d), 0);
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

static Suite *suite(void)
{
	Suite *s = suite_create("xenstore-log");
	TCase *tc = tcase_create("log");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_log_replay);
	tcase_add_test(tc, test_log_truncated_record);
	tcase_add_test(tc, test_log_compaction);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
