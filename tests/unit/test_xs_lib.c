/*
 * libshoji-xs against a private shoji-xenstored: every call of the public
 * API, watch events queued while a call waits for its reply, the pollable
 * descriptor, transactions with a conflict, and errors as errno.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <shoji/xs.h>

#include "check-run.h"

static char dir[] = "/tmp/test-xs-lib.XXXXXX";
static char sock[256];
static pid_t daemon_pid;

static void start_daemon(void)
{
	const char *bd = getenv("top_builddir");
	char exe[512], state[300];
	int i;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(exe, sizeof(exe), "%s/xenstore/xenstored/shoji-xenstored", bd ? bd : ".");
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	daemon_pid = fork();
	if (daemon_pid == 0) {
		execl(exe, exe, "--socket", sock, "--state-dir", state, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200 && access(sock, F_OK) != 0; i++)
		usleep(25000);
	ck_assert_int_eq(access(sock, F_OK), 0);
}

static void stop_daemon(void)
{
	char cmd[300];

	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(test_lib_nodes)
{
	struct shoji_xs *h;
	struct shoji_xs_perm perms[2] = {{0, SHOJI_XS_PERM_NONE}, {5, SHOJI_XS_PERM_READ}}, *got;
	unsigned int len, n;
	char **dirv, *v;

	start_daemon();
	h = shoji_xs_open(sock);
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(shoji_xs_write(h, SHOJI_XS_NO_TX, "/lib/a", "one", 3), 0);
	ck_assert_int_eq(shoji_xs_write(h, SHOJI_XS_NO_TX, "/lib/b", "t\0o", 3), 0);
	v = shoji_xs_read(h, SHOJI_XS_NO_TX, "/lib/b", &len);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(len, 3);
	ck_assert_mem_eq(v, "t\0o", 4); /* NUL-terminated for convenience */
	free(v);
	ck_assert_ptr_null(shoji_xs_read(h, SHOJI_XS_NO_TX, "/lib/none", &len));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_ptr_null(shoji_xs_read(h, SHOJI_XS_NO_TX, "/bad//path", &len));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(shoji_xs_mkdir(h, SHOJI_XS_NO_TX, "/lib/dir"), 0);
	dirv = shoji_xs_directory(h, SHOJI_XS_NO_TX, "/lib", &n);
	ck_assert_ptr_nonnull(dirv);
	ck_assert_uint_eq(n, 3);
	ck_assert_str_eq(dirv[0], "a");
	ck_assert_str_eq(dirv[2], "dir");
	ck_assert_ptr_null(dirv[3]);
	free(dirv);
	ck_assert_int_eq(shoji_xs_set_perms(h, SHOJI_XS_NO_TX, "/lib/a", perms, 2), 0);
	got = shoji_xs_get_perms(h, SHOJI_XS_NO_TX, "/lib/a", &n);
	ck_assert_ptr_nonnull(got);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(got[1].domid, 5);
	ck_assert_uint_eq(got[1].perms, SHOJI_XS_PERM_READ);
	free(got);
	ck_assert_int_eq(shoji_xs_rm(h, SHOJI_XS_NO_TX, "/lib/dir"), 0);
	ck_assert_int_eq(shoji_xs_rm(h, SHOJI_XS_NO_TX, "/nothere/x"), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* domains */
	v = shoji_xs_get_domain_path(h, 12);
	ck_assert_str_eq(v, "/local/domain/12");
	free(v);
	ck_assert_int_eq(shoji_xs_is_domain_introduced(h, 12), 0);
	/*
	 * INTRODUCE maps the guest's ring when a hypervisor is there; for a
	 * made-up domain without one it fails with EINVAL and records nothing.
	 * (The store-level semantics are covered by test_xs_tree/test_xs_xsa.)
	 */
	if (shoji_xs_introduce(h, 12, 0x1234, 7) == 0) {
		ck_assert_int_eq(shoji_xs_is_domain_introduced(h, 12), 1);
		ck_assert_int_eq(shoji_xs_release(h, 12), 0);
	} else {
		ck_assert_int_eq(errno, EINVAL);
	}
	ck_assert_int_eq(shoji_xs_is_domain_introduced(h, 12), 0);
	ck_assert_int_eq(shoji_xs_release(h, 12), -1);
	ck_assert_int_eq(errno, ENOENT);
	shoji_xs_close(h);
	stop_daemon();
}
END_TEST

START_TEST(test_lib_watch_tx)
{
	struct shoji_xs *h, *o;
	struct pollfd pfd;
	shoji_xs_tx_t t;
	unsigned int n, len;
	char **ev, *v;

	start_daemon();
	h = shoji_xs_open(sock);
	setenv("SHOJI_XENSTORED_PATH", sock, 1);
	o = shoji_xs_open(NULL); /* from the environment */
	ck_assert_ptr_nonnull(h);
	ck_assert_ptr_nonnull(o);
	ck_assert_int_eq(shoji_xs_watch(h, "/w", "tok"), 0);
	ev = shoji_xs_read_watch(h, &n); /* the initial event */
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(ev[SHOJI_XS_WATCH_PATH], "/w");
	ck_assert_str_eq(ev[SHOJI_XS_WATCH_TOKEN], "tok");
	free(ev);
	ck_assert_ptr_null(shoji_xs_check_watch(h));
	ck_assert_int_eq(errno, EAGAIN);
	/* an event that arrives while h waits for a reply is queued, and the fd says so */
	ck_assert_int_eq(shoji_xs_write(o, SHOJI_XS_NO_TX, "/w/x", "1", 1), 0);
	v = shoji_xs_read(h, SHOJI_XS_NO_TX, "/w/x", &len);
	ck_assert_str_eq(v, "1");
	free(v);
	pfd.fd = shoji_xs_fileno(h);
	pfd.events = POLLIN;
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ev = shoji_xs_check_watch(h);
	ck_assert_ptr_nonnull(ev);
	ck_assert_str_eq(ev[SHOJI_XS_WATCH_PATH], "/w/x");
	free(ev);
	/* and one that arrives on the socket later */
	ck_assert_int_eq(shoji_xs_rm(o, SHOJI_XS_NO_TX, "/w/x"), 0);
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ev = shoji_xs_read_watch(h, &n);
	ck_assert_str_eq(ev[SHOJI_XS_WATCH_PATH], "/w/x");
	free(ev);
	ck_assert_int_eq(shoji_xs_unwatch(h, "/w", "tok"), 0);
	ck_assert_int_eq(shoji_xs_unwatch(h, "/w", "tok"), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* transactions */
	t = shoji_xs_transaction_start(h);
	ck_assert_uint_ne(t, SHOJI_XS_NO_TX);
	ck_assert_int_eq(shoji_xs_write(h, t, "/tx/k", "in", 2), 0);
	ck_assert_ptr_null(shoji_xs_read(o, SHOJI_XS_NO_TX, "/tx/k", &len));
	ck_assert_int_eq(shoji_xs_transaction_end(h, t, true), 0); /* abort */
	ck_assert_ptr_null(shoji_xs_read(o, SHOJI_XS_NO_TX, "/tx/k", &len));
	t = shoji_xs_transaction_start(h);
	ck_assert_int_eq(shoji_xs_write(h, t, "/tx/k", "in", 2), 0);
	ck_assert_int_eq(shoji_xs_transaction_end(h, t, false), 0); /* commit */
	v = shoji_xs_read(o, SHOJI_XS_NO_TX, "/tx/k", &len);
	ck_assert_str_eq(v, "in");
	free(v);
	t = shoji_xs_transaction_start(h);
	v = shoji_xs_read(h, t, "/tx/k", &len);
	free(v);
	ck_assert_int_eq(shoji_xs_write(o, SHOJI_XS_NO_TX, "/tx/k", "outside", 7), 0);
	ck_assert_int_eq(shoji_xs_write(h, t, "/tx/k", "late", 4), 0);
	ck_assert_int_eq(shoji_xs_transaction_end(h, t, false), -1);
	ck_assert_int_eq(errno, EAGAIN);
	shoji_xs_close(h);
	shoji_xs_close(o);
	stop_daemon();
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "libshoji-xs", .name = "lib", .timeout = 60};

	return CHECK_MAIN(c, test_lib_nodes, test_lib_watch_tx);
}
