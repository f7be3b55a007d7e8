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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shojid.h"

struct service {
	const char *name; /* also the pidfile and log name */
	const char *bin;
	const char *socket;       /* passed as --socket; NULL: none */
	const char *state_subdir; /* NULL: the daemon takes no --state-dir */
	const char *fixed[11];    /* further arguments (pairs), NULL-terminated */
	char **extra;
	int n_extra;
	bool (*answers)(const struct shojid *sd, const char *socket);
};

static bool hv_answers(const struct shojid *sd, const char *socket)
{
	struct shoji_ctrl *c = shoji_ctrl_open(socket);

	shoji_ctrl_close(c);
	return c != NULL;
}

static bool xs_answers(const struct shojid *sd, const char *socket)
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
	if (s->socket) {
		argv[n++] = "--socket";
		argv[n++] = (char *)s->socket;
	}
	if (s->state_subdir) {
		state = state_path(sd, s->state_subdir, NULL, NULL);
		argv[n++] = "--state-dir";
		argv[n++] = state;
	}
	for (int i = 0; s->fixed[i]; i++)
		argv[n++] = (char *)s->fixed[i];
	for (int i = 0; i < s->n_extra && n < 63; i++)
		argv[n++] = s->extra[i];
	argv[n] = NULL;
	execv(s->bin, argv);
	fprintf(stderr, "shojid: cannot run %s: %s\n", s->bin, strerror(errno));
	_exit(127);
}

/*
 * The last non-empty line the service wrote to its log after byte @from
 * (its stderr since this start), into @out; "" when none.
 */
static void last_log_line(const char *log, off_t from, char *out, size_t len)
{
	char buf[4096];
	ssize_t n = -1;
	int fd = open(log, O_RDONLY | O_CLOEXEC);
	struct stat st;
	char *end, *start;

	out[0] = '\0';
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_size > from) {
		off_t at = st.st_size - from > (off_t)sizeof(buf) - 1
		               ? st.st_size - (off_t)sizeof(buf) + 1
		               : from;
		n = pread(fd, buf, sizeof(buf) - 1, at);
	}
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	end = buf + n;
	while (end > buf && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		*--end = '\0';
	start = strrchr(buf, '\n');
	start = start ? start + 1 : buf;
	snprintf(out, len, "%.*s", (int)(len - 1), start);
}

static int ensure(struct shojid *sd, const struct service *s)
{
	char *log = NULL, *pidfile = NULL, buf[32], why[512];
	struct timespec ts = {0, 20 * 1000 * 1000};
	struct stat st;
	off_t log_start = 0;
	pid_t pid;
	int rc = -1, len, status;

	if (s->answers(sd, s->socket))
		return 0;
	if (!s->bin) {
		log_warnx("%s does not answer at %s and no binary was given to start it", s->name,
		          s->socket);
		return -1;
	}
	log = state_path(sd, NULL, s->name, ".log");
	pidfile = state_path(sd, NULL, s->name, ".pid");
	if (!log || !pidfile)
		goto out;
	if (s->socket)
		unlink(s->socket); /* a stale socket of a dead daemon */
	if (stat(log, &st) == 0)
		log_start = st.st_size; /* what it writes now is this start's */
	pid = fork();
	if (pid < 0) {
		log_warnx("fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0)
		exec_service(sd, s, log);
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)pid);
	if (state_write_atomic(pidfile, buf, (size_t)len) != 0)
		log_warnx("cannot write %s: %s", pidfile, strerror(errno));
	for (int i = 0; i < 500; i++) {
		if (s->answers(sd, s->socket)) {
			log_info("started %s (pid %ld)", s->name, (long)pid);
			rc = 0;
			goto out;
		}
		if (kill(pid, 0) < 0 || waitpid(pid, &status, WNOHANG) == pid)
			break; /* it exited */
		nanosleep(&ts, NULL);
	}
	/* Its own words first: the last line it wrote (e.g. "cannot use /dev/kvm: ..."). */
	last_log_line(log, log_start, why, sizeof(why));
	if (why[0])
		log_warnx("%s did not come up: %s (see %s)", s->name, why, log);
	else
		log_warnx("%s did not come up (see %s)", s->name, log);
out:
	free(log);
	free(pidfile);
	return rc;
}

static int ensure_xs(struct shojid *sd)
{
	const struct service xs = {.name = "shoji-xenstored",
	                           .bin = sd->xs_bin,
	                           .socket = sd->xs_socket,
	                           .state_subdir = "xenstored",
	                           .fixed = {"--hv-socket", sd->hv_socket},
	                           .extra = sd->xs_args,
	                           .n_extra = sd->n_xs_args,
	                           .answers = xs_answers};

	return ensure(sd, &xs);
}

int sd_spawn_services(struct shojid *sd)
{
	/* Two pre-built 64 MiB VMs (with vCPU 0 made) save about 0.3 ms per
	 * create; an --hv-arg --pool N given later wins. */
	const struct service hv = {.name = "shoji-hv",
	                           .bin = sd->hv_bin,
	                           .socket = sd->hv_socket,
	                           .fixed = {"--pool", "2"},
	                           .extra = sd->hv_args,
	                           .n_extra = sd->n_hv_args,
	                           .answers = hv_answers};

	if (ensure(sd, &hv) != 0 || ensure_xs(sd) != 0)
		return -1;
	return 0;
}

/*
 * shojid sets no xenstore watches, so its xenstored connection is readable
 * between requests only when xenstored went away: connect again (starting
 * it when it does not answer; its state directory keeps the store), or stop.
 */
static void xs_lost(evutil_socket_t fd, short what, void *arg)
{
	struct shojid *sd = arg;
	char c;

	if (recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT) > 0 || errno == EAGAIN || errno == EINTR)
		return;
	log_warnx("lost shoji-xenstored; connecting again");
	event_free(sd->xs_event);
	sd->xs_event = NULL;
	shoji_xs_close(sd->xs);
	sd->xs = NULL;
	if (ensure_xs(sd) != 0 || !(sd->xs = shoji_xs_open(sd->xs_socket)) || sd_watch_xs(sd) < 0) {
		log_warnx("shoji-xenstored is gone; stopping (domains keep running)");
		sd->lost_xs = true;
		event_base_loopbreak(sd->base);
	}
}

int sd_watch_xs(struct shojid *sd)
{
	sd->xs_event =
	    event_new(sd->base, shoji_xs_fileno(sd->xs), EV_READ | EV_PERSIST, xs_lost, sd);
	if (!sd->xs_event || event_add(sd->xs_event, NULL) < 0)
		return -1;
	return 0;
}

/* A backend has no socket of its own: it runs when its pidfile names a live
 * process of its name. */
static bool backend_runs(const struct shojid *sd, const char *name)
{
	char *pidfile = state_path(sd, NULL, name, ".pid"), proc[64], comm[32] = "";
	FILE *f = pidfile ? fopen(pidfile, "re") : NULL;
	long pid = 0;

	if (f && fscanf(f, "%ld", &pid) != 1)
		pid = 0;
	if (f)
		fclose(f);
	free(pidfile);
	if (pid <= 0)
		return false;
	snprintf(proc, sizeof(proc), "/proc/%ld/comm", pid);
	f = fopen(proc, "re");
	if (f && !fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	if (f)
		fclose(f);
	comm[strcspn(comm, "\n")] = '\0';
	return !strncmp(comm, name, 15); /* the kernel keeps 15 characters of a name */
}

static bool consoled_runs(const struct shojid *sd, const char *socket)
{
	(void)socket;
	return backend_runs(sd, "shoji-consoled");
}

static bool blkback_runs(const struct shojid *sd, const char *socket)
{
	(void)socket;
	return backend_runs(sd, "shoji-blkback");
}

static bool netback_runs(const struct shojid *sd, const char *socket)
{
	(void)socket;
	return backend_runs(sd, "shoji-netback");
}

/*
 * The backends shojid keeps running, checked every two seconds: the console
 * backend, the block backend and the network backend (always started,
 * whether or not a domain has a disk or an interface: an idle one costs a
 * process and a watch, and a hot-attached device is then served at once).
 */
static void backends_check(evutil_socket_t fd, short what, void *arg)
{
	struct shojid *sd = arg;
	const struct service c = {.name = "shoji-consoled",
	                          .bin = sd->consoled_bin,
	                          .fixed = {"--xs-socket", sd->xs_socket, "--hv-socket",
	                                    sd->hv_socket, "--log-dir", sd->log_dir, "--run-dir",
	                                    sd->run_dir, sd->group ? "--group" : NULL, sd->group},
	                          .answers = consoled_runs};
	const struct service b = {.name = "shoji-blkback",
	                          .bin = sd->blkback_bin,
	                          .fixed = {"--xs-socket", sd->xs_socket, "--hv-socket",
	                                    sd->hv_socket, "--state-dir", sd->state_dir},
	                          .answers = blkback_runs};
	const struct service nb = {.name = "shoji-netback",
	                           .bin = sd->netback_bin,
	                           .fixed = {"--xs-socket", sd->xs_socket, "--hv-socket",
	                                     sd->hv_socket, "--state-dir", sd->state_dir},
	                           .answers = netback_runs};

	if (sd->consoled_bin && !consoled_runs(sd, NULL) && ensure(sd, &c) != 0)
		log_warnx("the PV console backend is not running; retrying");
	if (sd->blkback_bin && !blkback_runs(sd, NULL) && ensure(sd, &b) != 0)
		log_warnx("the PV block backend is not running; retrying");
	if (sd->netback_bin && !netback_runs(sd, NULL) && ensure(sd, &nb) != 0)
		log_warnx("the PV network backend is not running; retrying");
}

/* A backend binary that cannot run is not supervised (said once). */
static void usable(const char **bin, const char *what)
{
	if (*bin && access(*bin, X_OK) < 0) {
		log_warnx("no %s backend: %s: %s", what, *bin, strerror(errno));
		*bin = NULL;
	}
}

int sd_supervise_backends(struct shojid *sd)
{
	struct timeval tv = {.tv_sec = 2};

	usable(&sd->consoled_bin, "console");
	usable(&sd->blkback_bin, "block");
	usable(&sd->netback_bin, "network");
	if (!sd->consoled_bin && !sd->blkback_bin && !sd->netback_bin)
		return 0;
	backends_check(-1, 0, sd);
	sd->backends_event = event_new(sd->base, -1, EV_PERSIST, backends_check, sd);
	if (!sd->backends_event || event_add(sd->backends_event, &tv) < 0)
		return -1;
	return 0;
}
