/* A private shoji-xenstored for unit tests (xsd-fixture.h). */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "xsd-fixture.h"

struct shoji_xs *xs;
static char dir[64];
static pid_t daemon_pid;

void xsd_start(const char *name)
{
	const char *bd = getenv("top_builddir");
	char exe[512], state[300], sock[256];

	snprintf(dir, sizeof(dir), "/tmp/test-%s.XXXXXX", name);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(exe, sizeof(exe), "%s/xenstore/xenstored/shoji-xenstored", bd ? bd : ".");
	snprintf(state, sizeof(state), "%s/state", dir);
	snprintf(sock, sizeof(sock), "%s/sock", dir);
	daemon_pid = fork();
	if (daemon_pid == 0) {
		execl(exe, exe, "--socket", sock, "--state-dir", state, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200 && !(xs = shoji_xs_open(sock)); i++)
		usleep(25000);
	ck_assert_ptr_nonnull(xs);
}

void xsd_stop(void)
{
	char cmd[100];

	shoji_xs_close(xs);
	xs = NULL;
	kill(daemon_pid, SIGTERM);
	waitpid(daemon_pid, NULL, 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

void xsd_expect(const char *path, const char *want)
{
	unsigned int n;
	char *v = shoji_xs_read(xs, SHOJI_XS_NO_TX, path, &n);

	ck_assert_msg(v != NULL, "%s: %s", path, strerror(errno));
	ck_assert_msg(!strcmp(v, want), "%s is '%s', expected '%s'", path, v, want);
	free(v);
}

bool xsd_exists(const char *path)
{
	unsigned int n;
	char *v = shoji_xs_read(xs, SHOJI_XS_NO_TX, path, &n);

	free(v);
	return v != NULL;
}

void xsd_expect_perms(const char *path, uint32_t o, uint32_t r)
{
	unsigned int n = 0;
	struct shoji_xs_perm *p = shoji_xs_get_perms(xs, SHOJI_XS_NO_TX, path, &n);

	ck_assert_msg(p != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(n, 2);
	ck_assert_msg(p[0].domid == o && p[0].perms == SHOJI_XS_PERM_NONE && p[1].domid == r &&
	                  p[1].perms == SHOJI_XS_PERM_READ,
	              "%s: n%u/%u r%u/%u", path, p[0].domid, p[0].perms, p[1].domid, p[1].perms);
	free(p);
}
