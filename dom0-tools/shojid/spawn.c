/*
 * Starting shoji-hv and shoji-xenstored when they do not answer.  Each is
 * started in its own session (so it outlives shojid, even kill -9) with its
 * output in STATE_DIR/NAME.log and its PID in STATE_DIR/NAME.pid.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shojid.h"

struct service {
	const char *name; /* also the pidfile and log name */
	const char *bin;
	const char *socket;
	const char *state_subdir; /* NULL: the daemon takes no --state-dir */
	char **extra;
	int n_extra;
	bool (*answers)(const char *socket);
};

static bool hv_answers(const char *socket)
{
	struct shoji_ctrl *c = shoji_ctrl_open(socket);

	shoji_ctrl_close(c);
	return c != NULL;
}

static bool xs_answers(const char *socket)
{
	struct shoji_xs *h = shoji_xs_open(socket);

	shoji_xs_close(h);
	return h != NULL;
}

/* Child side of the fork: never returns. */
static void exec_service(const struct shojid *sd, const struct service *s, const char *log)
{
	char *argv[64], *state = NULL;
	int n = 0, fd;

	signal(SIGCHLD, SIG_DFL);
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
	}
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0640);
	if (fd >= 0)
		dup2(fd, 2);
	argv[n++] = (char *)s->bin;
	argv[n++] = "--socket";
	argv[n++] = (char *)s->socket;
	if (s->state_subdir) {
		state = state_path(sd, s->state_subdir, NULL, NULL);
		argv[n++] = "--state-dir";
		argv[n++] = state;
	}
	for (int i = 0; i < s->n_extra && n < 63; i++)
		argv[n++] = s->extra[i];
	argv[n] = NULL;
	execv(s->bin, argv);
	fprintf(stderr, "shojid: cannot run %s: %s\n", s->bin, strerror(errno));
	_exit(127);
}

static int ensure(struct shojid *sd, const struct service *s)
{
	char *log = NULL, *pidfile = NULL, buf[32];
	struct timespec ts = {0, 20 * 1000 * 1000};
	pid_t pid;
	int rc = -1, len;

	if (s->answers(s->socket))
		return 0;
	if (!s->bin) {
		sd_warn("%s does not answer at %s and no binary was given to start it", s->name,
		        s->socket);
		return -1;
	}
	log = state_path(sd, NULL, s->name, ".log");
	pidfile = state_path(sd, NULL, s->name, ".pid");
	if (!log || !pidfile)
		goto out;
	unlink(s->socket); /* a stale socket of a dead daemon */
	pid = fork();
	if (pid < 0) {
		sd_warn("fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		exec_service(sd, s, log);
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	if (state_write_atomic(pidfile, buf, (size_t)len) != 0)
		sd_warn("cannot write %s: %s", pidfile, strerror(errno));
	for (int i = 0; i < 500; i++) {
		if (s->answers(s->socket)) {
			sd_log("started %s (pid %ld) on %s", s->name, (long)pid, s->socket);
			rc = 0;
			goto out;
		}
		if (kill(pid, 0) < 0)
			break;
		nanosleep(&ts, NULL);
	}
	sd_warn("%s did not come up on %s (see %s)", s->name, s->socket, log);
out:
	free(log);
	free(pidfile);
	return rc;
}

int sd_spawn_services(struct shojid *sd)
{
	const struct service hv = {"shoji-hv",  sd->hv_bin,    sd->hv_socket, NULL,
	                           sd->hv_args, sd->n_hv_args, hv_answers};
	const struct service xs = {"shoji-xenstored", sd->xs_bin,    sd->xs_socket, "xenstored",
	                           sd->xs_args,       sd->n_xs_args, xs_answers};

	if (ensure(sd, &hv) != 0 || ensure(sd, &xs) != 0)
		return -1;
	return 0;
}
