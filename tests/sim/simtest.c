/* What hvsim's Check tests share (see simtest.h). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "simtest.h"

#define POLL_US 10000

void simtest_begin(struct simtest *t, const char *name)
{
	char xsd[512], state[sizeof(t->dir) + 16];

	memset(t, 0, sizeof(*t));
	t->xsd_pid = -1;
	snprintf(t->dir, sizeof(t->dir), "/tmp/%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(t->dir));
	snprintf(t->xs_socket, sizeof(t->xs_socket), "%s/xs.sock", t->dir);
	snprintf(state, sizeof(state), "%s/xsstate", t->dir);
	ck_assert_int_eq(mkdir(state, 0700), 0);
	t->sim = hvsim_start(t->dir);
	ck_assert_ptr_nonnull(t->sim);
	t->xsd_pid =
	    simtest_spawn((char *[]){(char *)simtest_built(xsd, sizeof(xsd),
	                                                   "xenstore/xenstored/shoji-xenstored"),
	                             "--socket", t->xs_socket, "--state-dir", state, NULL},
	                  NULL);
	t->xs = simtest_xs_open(t->xs_socket);
}

struct shoji_xs *simtest_xs_open(const char *path)
{
	struct shoji_xs *xs = NULL;

	simtest_wait_path(path);
	/* xenstored's socket appears listening (usock_listen); a refusal is retried all the same. */
	for (int i = 0; i < SIMTEST_WAIT_MS * 1000 / POLL_US; i++) {
		xs = shoji_xs_open(path);
		if (xs || errno != ECONNREFUSED)
			break;
		usleep(POLL_US);
	}
	ck_assert_msg(xs != NULL, "cannot connect to %s: %s", path, strerror(errno));
	return xs;
}

void simtest_end(struct simtest *t)
{
	char cmd[sizeof(t->dir) + 16];
	int status;

	if (t->xs)
		shoji_xs_close(t->xs);
	status = simtest_stop(&t->xsd_pid, NULL);
	if (t->sim)
		hvsim_stop(t->sim);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t->dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_msg(status == 0, "shoji-xenstored did not exit cleanly (wait status %#x)",
	              status);
}

const char *simtest_built(char *buf, size_t len, const char *rel)
{
	const char *top = getenv("top_builddir");

	ck_assert_msg(top != NULL, "top_builddir is not set: run through make check");
	ck_assert_int_lt(snprintf(buf, len, "%s/%s", top, rel), (int)len);
	return buf;
}

pid_t simtest_spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (log) {
			int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

			if (fd < 0 || dup2(fd, STDERR_FILENO) < 0)
				_exit(127);
		}
		execv(argv[0], argv);
		_exit(127);
	}
	ck_assert_int_gt(pid, 0);
	return pid;
}

/* Copy file @path to our stderr (a daemon's log, for the test's own log). */
static void dump(const char *path)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	fprintf(stderr, "--- %s:\n", path);
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fclose(f);
}

int simtest_stop(pid_t *pid, const char *log)
{
	int status = 0;

	if (*pid > 0) {
		kill(*pid, SIGTERM);
		if (waitpid(*pid, &status, 0) < 0)
			status = -1;
	}
	*pid = -1;
	if (status != 0 && log)
		dump(log);
	return status;
}

bool simtest_alive(pid_t pid)
{
	return waitpid(pid, NULL, WNOHANG) == 0;
}

void simtest_wait_path(const char *path)
{
	struct stat st;

	for (int i = 0; i < SIMTEST_WAIT_MS * 1000 / POLL_US && stat(path, &st) < 0; i++)
		usleep(POLL_US);
	ck_assert_msg(stat(path, &st) == 0, "%s did not appear", path);
}

static bool file_has(const char *path, const char *what)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(path, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, what) != NULL;
	fclose(f);
	return found;
}

void simtest_wait_file(const char *path, const char *what)
{
	for (int i = 0; i < SIMTEST_WAIT_MS * 1000 / POLL_US && !file_has(path, what); i++)
		usleep(POLL_US);
	ck_assert_msg(file_has(path, what), "%s never had '%s'", path, what);
}

void simtest_put(struct simtest *t, const char *dir, const char *node, const char *fmt, ...)
{
	char path[256], value[256];
	va_list ap;
	int n;

	if (node)
		ck_assert_int_lt(snprintf(path, sizeof(path), "%s/%s", dir, node),
		                 (int)sizeof(path));
	else
		ck_assert_int_lt(snprintf(path, sizeof(path), "%s", dir), (int)sizeof(path));
	va_start(ap, fmt);
	n = vsnprintf(value, sizeof(value), fmt, ap);
	va_end(ap);
	ck_assert_int_lt(n, (int)sizeof(value));
	ck_assert_msg(shoji_xs_write(t->xs, SHOJI_XS_NO_TX, path, value, (unsigned int)n) == 0,
	              "cannot write %s: %s", path, strerror(errno));
}

void simtest_device(struct simtest *t, const char *type, uint32_t domid, uint32_t devid,
                    char fe[64], char be[64])
{
	ck_assert_int_lt(snprintf(fe, 64, "/local/domain/%u/device/%s/%u", domid, type, devid), 64);
	ck_assert_int_lt(snprintf(be, 64, "/local/domain/0/backend/%s/%u/%u", type, domid, devid),
	                 64);
	simtest_put(t, fe, "backend", "%s", be);
	simtest_put(t, fe, "backend-id", "0");
	simtest_put(t, fe, "state", "%d", XenbusStateInitialising);
	simtest_put(t, be, "frontend-id", "%u", domid);
	simtest_put(t, be, "state", "%d", XenbusStateInitialising);
	simtest_put(t, be, "frontend", "%s", fe);
}

void simtest_wait_state(struct simtest *t, const char *dir, enum xenbus_state state)
{
	char path[256], want[8];
	char *got = NULL;

	snprintf(path, sizeof(path), "%s/state", dir);
	snprintf(want, sizeof(want), "%d", (int)state);
	for (int i = 0; i < SIMTEST_WAIT_MS * 1000 / POLL_US; i++) {
		free(got);
		got = shoji_xs_read(t->xs, SHOJI_XS_NO_TX, path, NULL);
		if (got && strcmp(got, want) == 0)
			break;
		usleep(POLL_US);
	}
	ck_assert_msg(got && strcmp(got, want) == 0, "%s is '%s', not %s", path,
	              got ? got : "(none)", want);
	free(got);
}
