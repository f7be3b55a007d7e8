/*
 * Unit tests of libshoji-util's helpers (dom0-tools/util): the checked
 * number parser every daemon option uses, and the pid file.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "check-run.h"
#include "cpulist.h"
#include "number.h"
#include "pidfile.h"
#include "scmfd.h"
#include "usock.h"

static const struct {
	const char *s;
	uint64_t max;
	bool ok;
	uint64_t want;
} cases[] = {
    {"0", 10, true, 0},
    {"7", 10, true, 7},
    {"10", 10, true, 10},
    {"11", 10, false, 0},
    {"007", 10, true, 7},
    {"0", 0, true, 0},
    {"1", 0, false, 0},
    {"9", 5, false, 0},
    {"18446744073709551615", UINT64_MAX, true, UINT64_MAX},
    {"18446744073709551616", UINT64_MAX, false, 0},
    {"99999999999999999999", UINT64_MAX, false, 0},
    {"4294967295", UINT32_MAX, true, UINT32_MAX},
    {"4294967296", UINT32_MAX, false, 0},
    {"", UINT64_MAX, false, 0},
    {"-1", UINT64_MAX, false, 0},
    {"+1", UINT64_MAX, false, 0},
    {" 1", UINT64_MAX, false, 0},
    {"1 ", UINT64_MAX, false, 0},
    {"12x", UINT64_MAX, false, 0},
    {"0x10", UINT64_MAX, false, 0},
    {"1e3", UINT64_MAX, false, 0},
    {"1.5", UINT64_MAX, false, 0},
};

START_TEST(test_parse_u64)
{
	uint64_t v = 12345;
	bool ok = parse_u64(cases[_i].s, cases[_i].max, &v);

	ck_assert_msg(ok == cases[_i].ok, "'%s' (max %llu): %s", cases[_i].s,
	              (unsigned long long)cases[_i].max, ok ? "accepted" : "refused");
	ck_assert_uint_eq(v, ok ? cases[_i].want : 12345); /* untouched when refused */
}
END_TEST

START_TEST(test_parse_u64_null)
{
	uint64_t v = 1;

	ck_assert(!parse_u64(NULL, UINT64_MAX, &v));
	ck_assert_uint_eq(v, 1);
}
END_TEST

START_TEST(test_pidfile)
{
	char dir[] = "/tmp/shoji-util-test.XXXXXX", path[64], want[32], got[32] = "";
	struct stat st;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/d.pid", dir);
	snprintf(want, sizeof(want), "%ld\n", (long)getpid());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("stale content, longer than a pid\n", f);
	fclose(f);
	umask(022);
	ck_assert_int_eq(pidfile_write(path), 0);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fread(got, 1, sizeof(got) - 1, f), strlen(want));
	fclose(f);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0644);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0); /* no temporary left behind */
	snprintf(path, sizeof(path), "%s/d.pid", dir);
	ck_assert_int_eq(pidfile_write(path), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

/* CPU lists (vcpu-pin): the grammar, the host's CPUs, and the list printed back. */
START_TEST(test_cpulist)
{
	static const struct {
		const char *in;
		unsigned int ncpus;
		uint64_t w0, w1; /* the mask's first two words; ~0 = refused */
		const char *out;
	} lists[] = {
	    {"0", 4, 0x1, 0, "0"},
	    {"0-1,3", 4, 0xb, 0, "0-1,3"},
	    {"3,0-1", 4, 0xb, 0, "0-1,3"},
	    {"all", 4, 0xf, 0, "0-3"},
	    {"all", 70, ~0ULL, 0x3f, "0-69"},
	    {"63-64", 70, 1ULL << 63, 1, "63-64"},
	    {"2-2", 4, 0x4, 0, "2"},
	    {"4", 4, ~0ULL, ~0ULL, NULL}, /* the host has 0 .. 3 */
	    {"0-4", 4, ~0ULL, ~0ULL, NULL},
	    {"1-0", 4, ~0ULL, ~0ULL, NULL}, /* reversed */
	    {"", 4, ~0ULL, ~0ULL, NULL},
	    {"0,", 4, ~0ULL, ~0ULL, NULL},
	    {",0", 4, ~0ULL, ~0ULL, NULL},
	    {"-1", 4, ~0ULL, ~0ULL, NULL},
	    {"+1", 4, ~0ULL, ~0ULL, NULL},
	    {"0-1-2", 4, ~0ULL, ~0ULL, NULL},
	    {"1 ", 4, ~0ULL, ~0ULL, NULL},
	    {"0x1", 4, ~0ULL, ~0ULL, NULL},
	    {"9999999999", 4, ~0ULL, ~0ULL, NULL},
	    {"ALL", 4, ~0ULL, ~0ULL, NULL},
	};

	for (size_t i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		uint64_t mask[16];
		char why[128] = "", out[64];
		int r = cpulist_parse(lists[i].in, lists[i].ncpus, mask, 16, why, sizeof(why));

		if (lists[i].out == NULL) {
			ck_assert_msg(r < 0, "'%s' was taken", lists[i].in);
			ck_assert_msg(why[0], "'%s': no reason", lists[i].in);
			continue;
		}
		ck_assert_msg(r == 0, "'%s': %s", lists[i].in, why);
		ck_assert_uint_eq(mask[0], lists[i].w0);
		ck_assert_uint_eq(mask[1], lists[i].w1);
		cpulist_format(mask, 16, out, sizeof(out));
		ck_assert_str_eq(out, lists[i].out);
	}
}
END_TEST

/*
 * A socket path appears only once the daemon listens: a client that finds
 * it must not be refused.  A child connects whenever the path exists while
 * the test listens and closes 2,000 times; a refusal is a failure.
 */
START_TEST(test_usock_listens_before_it_appears)
{
	char dir[] = "/tmp/test_util.XXXXXX", path[64];
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct usock_id id;
	struct stat st;
	int status;
	pid_t pid;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		for (;;) {
			int fd = socket(AF_UNIX, SOCK_STREAM, 0);

			if (stat(path, &st) == 0 &&
			    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
			    errno == ECONNREFUSED && stat(path, &st) == 0)
				_exit(1); /* refused while the path was there before and after */
			close(fd);
		}
	}
	for (int i = 0; i < 2000; i++) {
		int fd = usock_listen(path, 0600, 8, &id);

		ck_assert_int_ge(fd, 0);
		usock_unlink(path, &id); /* gone before it stops listening */
		close(fd);
	}
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFSIGNALED(status), "a client was refused while the socket path existed");
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

/*
 * The test is linked with --wrap=rename, so usock_listen's rename comes here.
 * Once watch_path has been renamed into place, a client connects at once:
 * the path must never be seen before the socket listens.
 */
int __real_rename(const char *from, const char *to);
int __wrap_rename(const char *from, const char *to);

static const char *watch_path;
static int refused_at_rename, connected_at_rename;

int __wrap_rename(const char *from, const char *to)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int rc = __real_rename(from, to), err = errno, fd;

	if (rc == 0 && watch_path && strcmp(to, watch_path) == 0) {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", to);
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			connected_at_rename++;
		else
			refused_at_rename++;
		if (fd >= 0)
			close(fd);
	}
	errno = err;
	return rc;
}

/* The same without a race to win: a connect right after the rename is accepted. */
START_TEST(test_usock_listens_at_rename)
{
	char dir[] = "/tmp/test_util.XXXXXX", path[64];
	struct usock_id id;
	int fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	watch_path = path;
	fd = usock_listen(path, 0600, 8, &id);
	watch_path = NULL;
	ck_assert_int_ge(fd, 0);
	ck_assert_msg(refused_at_rename == 0,
	              "the socket path appeared before the socket listened");
	ck_assert_int_eq(connected_at_rename, 1);
	usock_unlink(path, &id);
	close(fd);
	ck_assert_int_eq(rmdir(dir), 0);
}
END_TEST

static int open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Descriptors sent with a message arrive with it, close-on-exec; those past the cap are closed. */
START_TEST(test_scmfd)
{
	int sv[2], p[2], fds[SCMFD_MAX], got[2];
	unsigned int n = 0;
	char buf[8];
	int before;

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv), 0);
	ck_assert_int_eq(pipe(p), 0);
	fds[0] = p[0];
	fds[1] = p[1];
	ck_assert_int_eq(scmfd_send(sv[0], "ab", 2, fds, 2), 2);
	ck_assert_int_eq(scmfd_recv(sv[1], buf, sizeof(buf), 0, got, 2, &n), 2);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(write(got[1], "x", 1), 1); /* the pipe's write end, then its read end */
	ck_assert_int_eq(read(got[0], buf, 1), 1);
	ck_assert_int_eq(buf[0], 'x');
	ck_assert_int_ne(fcntl(got[0], F_GETFD) & FD_CLOEXEC, 0);
	close(got[0]);
	close(got[1]);
	/* Four sent, room for one more: one kept, three closed at once. */
	fds[2] = p[0];
	fds[3] = p[1];
	n = 1;
	got[0] = -1;
	ck_assert_int_eq(scmfd_send(sv[0], "c", 1, fds, 4), 1);
	before = open_fds();
	ck_assert_int_eq(scmfd_recv(sv[1], buf, sizeof(buf), 0, got, 2, &n), 1);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(open_fds(), before + 1);
	close(got[1]);
	ck_assert_int_eq(scmfd_send(sv[0], "d", 1, fds, SCMFD_MAX + 1), -1);
	ck_assert_int_eq(errno, EINVAL);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "util",
	                             .name = "util",
	                             .loop = test_parse_u64,
	                             .loops = (int)(sizeof(cases) / sizeof(cases[0]))};

	return CHECK_MAIN(c, test_parse_u64, test_parse_u64_null, test_pidfile, test_cpulist,
	                  test_usock_listens_before_it_appears, test_usock_listens_at_rename,
	                  test_scmfd);
}
