/*
 * xs_bench: load generator for a xenstore daemon over its Unix socket.
 * Each client is a thread with its own connection and one request in
 * flight (like libxenstore): every operation is a real request/response
 * round trip.  Prints ops/s and p50/p99 latency per test for 1 and 8
 * clients, beside the target (2x the better of Xen 4.17's two daemons),
 * after the same round trip against two echo servers that do no work (the
 * most this host's sockets and scheduler allow any daemon).
 *
 *   xs_bench [--socket PATH] [--seconds S] [--only WORD] [--clients 1|8]
 *            [--no-echo] [--pid PID] [--daemon-cpu N] [--client-cpu N]
 * Without --socket it starts a private shoji-xenstored (durability on,
 * state in a temporary directory) from $top_builddir and stops it after.
 * The daemon's own CPU time per operation is printed too when its pid is
 * known (started here, or --pid); it includes the daemon's busy-polling
 * (--poll-us), so with one client it is mostly the round trip's wait.
 * --daemon-cpu runs the daemon started here and the echo servers on CPU N,
 * --client-cpu the clients: with one client the round trip costs several
 * times more when the two sides sit on different CPUs on this host.
 * Xen's daemons cannot run here (Debian's C xenstored needs the hypervisor,
 * or crashes with --no-domain-init), so the comparison is the reference
 * medians measured for Xen 4.17 on this kind of machine (issue 5).
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <getopt.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shoji/io/xs_wire.h>

#define MAX_LAT (4u << 20)

struct client {
	int fd;
	int id;
	uint32_t req;
	char in[65536];
	size_t inlen, inoff;
	struct xsd_sockmsg hdr;
	char payload[XENSTORE_PAYLOAD_MAX + 1];
	/* results */
	double *lat;
	size_t nlat;
	unsigned long ops, retries;
	int failed;
};

struct test {
	const char *name;
	int (*op)(struct client *c, unsigned long i);
	int (*setup)(struct client *c);
	double target[2]; /* 1 client, 8 clients */
	double ref[2];
};

static const char *sock_path;
static double seconds = 2.0;
static const char *only; /* run only the tests whose name contains this */
static int only_clients; /* run only this client count (0: 1 and 8) */
static bool no_echo;     /* skip the echo-server lines (profiling the daemon alone) */

struct result {
	double ops, p50, p99;
	double cpu_us; /* daemon CPU time per operation, or < 0 when unknown */
	unsigned long retries;
	int failed;
};
static volatile int running;
static pid_t daemon_pid;                     /* the daemon measured (0: unknown) */
static int daemon_cpu = -1, client_cpu = -1; /* CPU placement (-1: the scheduler's) */

/* The set holding only @cpu. */
static cpu_set_t only_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return set;
}

/* Thread attributes that put a new thread on @cpu (-1: anywhere). */
static void attr_on_cpu(pthread_attr_t *a, int cpu)
{
	pthread_attr_init(a);
	if (cpu >= 0) {
		cpu_set_t set = only_cpu(cpu);

		pthread_attr_setaffinity_np(a, sizeof(set), &set);
	}
}

/* CPU time the daemon has used so far in ns (its single thread's schedstat), or -1. */
static double daemon_cpu_ns(void)
{
	char path[64];
	double ns = -1;
	FILE *f;

	if (daemon_pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)daemon_pid);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lf", &ns) != 1)
			ns = -1;
		fclose(f);
	}
	return ns;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int connect_sock(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock_path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* Send one message: header and payload in one write. */
static int send_msg(struct client *c, uint32_t type, uint32_t tx, const char *p1, size_t l1,
                    const char *p2, size_t l2)
{
	char buf[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX];
	struct xsd_sockmsg h = {type, ++c->req, tx, (uint32_t)(l1 + l2)};
	size_t len = sizeof(h) + l1 + l2, off = 0;

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), p1, l1);
	if (l2)
		memcpy(buf + sizeof(h) + l1, p2, l2);
	while (off < len) {
		ssize_t w = write(c->fd, buf + off, len - off);

		if (w <= 0)
			return -1;
		off += (size_t)w;
	}
	return 0;
}

/* Read the next message into c->hdr / c->payload. */
static int recv_msg(struct client *c)
{
	for (;;) {
		size_t avail = c->inlen - c->inoff;

		if (avail >= sizeof(c->hdr)) {
			memcpy(&c->hdr, c->in + c->inoff, sizeof(c->hdr));
			if (c->hdr.len > XENSTORE_PAYLOAD_MAX)
				return -1;
			if (avail >= sizeof(c->hdr) + c->hdr.len) {
				memcpy(c->payload, c->in + c->inoff + sizeof(c->hdr), c->hdr.len);
				c->payload[c->hdr.len] = '\0';
				c->inoff += sizeof(c->hdr) + c->hdr.len;
				return 0;
			}
		}
		if (c->inoff) {
			memmove(c->in, c->in + c->inoff, avail);
			c->inlen = avail;
			c->inoff = 0;
		}
		ssize_t r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);

		if (r <= 0)
			return -1;
		c->inlen += (size_t)r;
	}
}

/* Round trip: send, then wait for the reply (events are skipped). 0 ok, >0 error reply. */
static int rpc(struct client *c, uint32_t type, uint32_t tx, const char *p1, size_t l1,
               const char *p2, size_t l2)
{
	uint32_t id;

	if (send_msg(c, type, tx, p1, l1, p2, l2) != 0)
		return -1;
	id = c->req;
	do {
		if (recv_msg(c) != 0)
			return -1;
	} while (c->hdr.type == XS_WATCH_EVENT || c->hdr.req_id != id);
	return c->hdr.type == XS_ERROR ? 1 : 0;
}

static int op_write(struct client *c, unsigned long i)
{
	char path[96];
	int n = snprintf(path, sizeof(path), "/bench/c%d/w/k%lu", c->id, i);

	return rpc(c, XS_WRITE, 0, path, (size_t)n + 1, "value", 5);
}

static int setup_read(struct client *c)
{
	char path[64];
	int n = snprintf(path, sizeof(path), "/bench/c%d/r", c->id);

	return rpc(c, XS_WRITE, 0, path, (size_t)n + 1, "some-value", 10);
}

static int op_read(struct client *c, unsigned long i)
{
	char path[64];
	int n = snprintf(path, sizeof(path), "/bench/c%d/r", c->id);

	return rpc(c, XS_READ, 0, path, (size_t)n + 1, NULL, 0);
}

static int setup_dir(struct client *c)
{
	int k;

	if (c->id != 0)
		return 0;
	for (k = 0; k < 100; k++) {
		char path[64];
		int n = snprintf(path, sizeof(path), "/bench/dir/child%d", k);

		if (rpc(c, XS_WRITE, 0, path, (size_t)n + 1, "x", 1) != 0)
			return -1;
	}
	return 0;
}

static int op_dir(struct client *c, unsigned long i)
{
	int r = rpc(c, XS_DIRECTORY, 0, "/bench/dir", 11, NULL, 0);

	return r == 0 && c->hdr.len < 100 * 6 ? -1 : r;
}

static int op_tx(struct client *c, unsigned long i)
{
	uint32_t tx;
	int k, r;

	for (;;) {
		if (rpc(c, XS_TRANSACTION_START, 0, "", 1, NULL, 0) != 0)
			return -1;
		tx = (uint32_t)strtoul(c->payload, NULL, 10);
		for (k = 0; k < 10; k++) {
			char path[64];
			int n = snprintf(path, sizeof(path), "/bench/c%d/t/k%d", c->id, k);

			if (rpc(c, XS_WRITE, tx, path, (size_t)n + 1, "txvalue", 7) != 0)
				return -1;
		}
		r = rpc(c, XS_TRANSACTION_END, tx, "T", 2, NULL, 0);
		if (r == 1 && strcmp(c->payload, "EAGAIN") == 0) {
			c->retries++;
			continue;
		}
		return r;
	}
}

static int setup_watch(struct client *c)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), "/bench/c%d/wt", c->id);

	if (rpc(c, XS_WRITE, 0, buf, (size_t)n + 1, "", 0) != 0 ||
	    rpc(c, XS_WATCH, 0, buf, (size_t)n + 1, "tok", 4) != 0)
		return -1;
	/* the initial event */
	do {
		if (recv_msg(c) != 0)
			return -1;
	} while (c->hdr.type != XS_WATCH_EVENT);
	return 0;
}

/* Write a watched node; done when the watch event arrives. */
static int op_watch(struct client *c, unsigned long i)
{
	char path[64];
	int n = snprintf(path, sizeof(path), "/bench/c%d/wt/k", c->id);
	bool got_reply = false, got_event = false;
	uint32_t id;

	if (send_msg(c, XS_WRITE, 0, path, (size_t)n + 1, "v", 1) != 0)
		return -1;
	id = c->req;
	while (!got_reply || !got_event) {
		if (recv_msg(c) != 0)
			return -1;
		if (c->hdr.type == XS_WATCH_EVENT) {
			got_event = true;
		} else if (c->hdr.req_id == id) {
			if (c->hdr.type == XS_ERROR)
				return 1;
			got_reply = true;
		}
	}
	return 0;
}

static struct test tests[] = {
    {"write (new key)", op_write, NULL, {51.2e3, 56.4e3}, {25.6e3, 28.2e3}},
    {"read", op_read, setup_read, {144e3, 164e3}, {72e3, 82e3}},
    {"directory (100 children)", op_dir, setup_dir, {142e3, 188e3}, {71e3, 94e3}},
    {"transaction (10 writes)", op_tx, NULL, {11.2e3, 13e3}, {5.6e3, 6.5e3}},
    {"write->watch event", op_watch, setup_watch, {88e3, 96e3}, {44e3, 48e3}},
};

static struct test *cur;
static pthread_barrier_t barrier;

static void *client_main(void *arg)
{
	struct client *c = arg;
	unsigned long i = 0;

	pthread_barrier_wait(&barrier);
	while (running) {
		double t0 = now();
		int r = cur->op(c, i++);

		if (r != 0) {
			c->failed = 1;
			break;
		}
		if (c->nlat < MAX_LAT)
			c->lat[c->nlat++] = now() - t0;
		c->ops++;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Run one test with nclients clients against sock_path for the configured time. */
static int run(struct test *t, int nclients, struct result *res)
{
	struct client *cl = calloc((size_t)nclients, sizeof(*cl));
	pthread_t *th = calloc((size_t)nclients, sizeof(*th));
	pthread_attr_t attr;
	double t0, el, *all, cpu0;
	size_t nall = 0, k;
	unsigned long ops = 0;
	int i;

	memset(res, 0, sizeof(*res));
	if (!cl || !th)
		return -1;
	cur = t;
	for (i = 0; i < nclients; i++) {
		cl[i].id = i;
		cl[i].fd = connect_sock();
		cl[i].lat = malloc(MAX_LAT * sizeof(double));
		if (cl[i].fd < 0 || !cl[i].lat || (t->setup && t->setup(&cl[i]) != 0)) {
			fprintf(stderr, "xs_bench: setup of %s failed\n", t->name);
			return -1;
		}
	}
	pthread_barrier_init(&barrier, NULL, (unsigned)nclients + 1);
	running = 1;
	attr_on_cpu(&attr, client_cpu);
	for (i = 0; i < nclients; i++)
		pthread_create(&th[i], &attr, client_main, &cl[i]);
	pthread_attr_destroy(&attr);
	pthread_barrier_wait(&barrier);
	cpu0 = daemon_cpu_ns();
	t0 = now();
	while (now() - t0 < seconds)
		usleep(10000);
	running = 0;
	for (i = 0; i < nclients; i++)
		pthread_join(th[i], NULL);
	el = now() - t0;
	res->cpu_us = cpu0 < 0 ? -1 : (daemon_cpu_ns() - cpu0) / 1e3;
	pthread_barrier_destroy(&barrier);
	for (i = 0; i < nclients; i++) {
		ops += cl[i].ops;
		res->retries += cl[i].retries;
		nall += cl[i].nlat;
		res->failed |= cl[i].failed;
	}
	all = malloc((nall + 1) * sizeof(double));
	for (i = 0, k = 0; i < nclients; i++) {
		memcpy(all + k, cl[i].lat, cl[i].nlat * sizeof(double));
		k += cl[i].nlat;
		free(cl[i].lat);
		close(cl[i].fd);
	}
	qsort(all, nall, sizeof(double), cmp_double);
	res->ops = (double)ops / el;
	if (res->cpu_us >= 0)
		res->cpu_us = ops ? res->cpu_us / (double)ops : 0;
	res->p50 = nall ? all[nall / 2] * 1e6 : 0.0;
	res->p99 = nall ? all[nall * 99 / 100] * 1e6 : 0.0;
	free(all);
	free(cl);
	free(th);
	return res->failed ? -1 : 0;
}

/*
 * The ceiling: a server that echoes every byte back, on its own Unix socket.
 * A client's request comes back as its own reply, so the clients run the
 * same round trip as against a daemon that does no work at all (no parsing,
 * no store, no log).  Either one epoll thread serves every connection (the
 * shape of shoji-xenstored and Xen's daemons), or each connection gets a
 * thread of its own that blocks in read.
 */
struct echo_server {
	int listen_fd, ep, stop[2];
	bool per_connection;
	pthread_t th;
};

static void *echo_connection(void *arg)
{
	int fd = (int)(intptr_t)arg;
	char buf[4096];
	ssize_t r;

	while ((r = read(fd, buf, sizeof(buf))) > 0 && write(fd, buf, (size_t)r) == r)
		;
	close(fd);
	return NULL;
}

static void *echo_main(void *arg)
{
	struct echo_server *e = arg;
	struct epoll_event ev[16];
	char buf[4096];

	for (;;) {
		int n = epoll_wait(e->ep, ev, 16, -1);

		for (int i = 0; i < n; i++) {
			int fd = ev[i].data.fd;
			ssize_t r;

			if (fd == e->stop[0])
				return NULL;
			if (fd == e->listen_fd) {
				struct epoll_event in = {.events = EPOLLIN};

				pthread_t th;

				in.data.fd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);
				if (in.data.fd < 0)
					continue;
				if (!e->per_connection)
					epoll_ctl(e->ep, EPOLL_CTL_ADD, in.data.fd, &in);
				else if (pthread_create(&th, NULL, echo_connection,
				                        (void *)(intptr_t)in.data.fd) == 0)
					pthread_detach(th);
				else
					close(in.data.fd);
				continue;
			}
			r = read(fd, buf, sizeof(buf));
			if (r <= 0 || write(fd, buf, (size_t)r) != r)
				close(fd); /* also leaves the epoll set */
		}
	}
}

/* Start the echo server on @path.  0 or -1. */
static int echo_start(struct echo_server *e, const char *path, bool per_connection)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct epoll_event in = {.events = EPOLLIN};
	pthread_attr_t attr;
	int rc;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -1;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	e->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	e->ep = epoll_create1(EPOLL_CLOEXEC);
	if (e->listen_fd < 0 || e->ep < 0 || pipe(e->stop) != 0 ||
	    bind(e->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(e->listen_fd, 16) != 0)
		return -1;
	e->per_connection = per_connection;
	in.data.fd = e->listen_fd;
	epoll_ctl(e->ep, EPOLL_CTL_ADD, e->listen_fd, &in);
	in.data.fd = e->stop[0];
	epoll_ctl(e->ep, EPOLL_CTL_ADD, e->stop[0], &in);
	attr_on_cpu(&attr, daemon_cpu); /* per-connection threads inherit it */
	rc = pthread_create(&e->th, &attr, echo_main, e) == 0 ? 0 : -1;
	pthread_attr_destroy(&attr);
	return rc;
}

static void echo_stop(struct echo_server *e)
{
	if (write(e->stop[1], "x", 1) == 1)
		pthread_join(e->th, NULL);
	close(e->listen_fd);
	close(e->ep);
	close(e->stop[0]);
	close(e->stop[1]);
}

/* One echoed round trip: a READ request that comes back as its own reply. */
static int op_echo(struct client *c, unsigned long i)
{
	return rpc(c, XS_READ, 0, "/bench/echo", 12, NULL, 0);
}

/* Start a daemon (argv[0] = exe) and wait until sock accepts connections. */
static pid_t start_daemon(char *const argv[], const char *sock)
{
	pid_t pid;
	int i;

	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM); /* never outlive the benchmark */
		if (daemon_cpu >= 0) {
			cpu_set_t set = only_cpu(daemon_cpu);

			sched_setaffinity(0, sizeof(set), &set);
		}
		execv(argv[0], argv);
		perror(argv[0]);
		_exit(127);
	}
	sock_path = sock;
	for (i = 0; i < 250; i++) {
		int fd = connect_sock();

		if (fd >= 0) {
			close(fd);
			return pid;
		}
		usleep(20000);
	}
	kill(pid, SIGTERM);
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"seconds", required_argument, NULL, 't'},
	    {"only", required_argument, NULL, 'o'},
	    {"clients", required_argument, NULL, 'c'},
	    {"no-echo", no_argument, NULL, 'E'},
	    {"pid", required_argument, NULL, 'p'},
	    {"daemon-cpu", required_argument, NULL, 'D'},
	    {"client-cpu", required_argument, NULL, 'C'},
	    {NULL, 0, NULL, 0},
	};
	char dir[] = "/tmp/xs-bench.XXXXXX";
	char ours_sock[300], state[300], exe[4096];
	const char *bd = getenv("top_builddir");
	pid_t ours = 0;
	size_t i;
	int opt, ret = 0, idx;

	while ((opt = getopt_long(argc, argv, "s:t:o:c:Ep:D:C:", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			sock_path = optarg;
			break;
		case 't':
			seconds = strtod(optarg, NULL);
			break;
		case 'o':
			only = optarg;
			break;
		case 'c':
			only_clients = atoi(optarg);
			break;
		case 'E':
			no_echo = true;
			break;
		case 'p':
			daemon_pid = (pid_t)atoi(optarg);
			break;
		case 'D':
			daemon_cpu = atoi(optarg);
			break;
		case 'C':
			client_cpu = atoi(optarg);
			break;
		default:
			fprintf(stderr,
			        "usage: xs_bench [--socket PATH] [--seconds S] [--only WORD] "
			        "[--clients 1|8] [--no-echo] [--pid PID] [--daemon-cpu N] "
			        "[--client-cpu N]\n");
			return 2;
		}
	}
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	if (sock_path) {
		snprintf(ours_sock, sizeof(ours_sock), "%s", sock_path);
	} else {
		char *args[] = {exe, "--socket", ours_sock, "--state-dir", state, NULL};

		snprintf(exe, sizeof(exe), "%s/xenstore/xenstored/shoji-xenstored", bd ? bd : ".");
		snprintf(ours_sock, sizeof(ours_sock), "%s/sock", dir);
		snprintf(state, sizeof(state), "%s/state", dir);
		ours = start_daemon(args, ours_sock);
		if (ours <= 0) {
			fprintf(stderr, "xs_bench: cannot start shoji-xenstored\n");
			return 1;
		}
		daemon_pid = ours;
		printf("xs_bench: private shoji-xenstored, log in %s/state (durability on)\n", dir);
	}
	printf("%.1f s per line; target = 2x the better of Xen 4.17's C and OCaml daemons "
	       "(ref = that median, ops/s)\n",
	       seconds);
	if (daemon_cpu >= 0 || client_cpu >= 0)
		printf(
		    "placement: daemon and echo servers on CPU %d, clients on CPU %d (-1: any)\n",
		    daemon_cpu, client_cpu);
	for (int mode = 0; mode < 2 && !no_echo && ret == 0; mode++) {
		static const char *const shape[] = {"one epoll thread", "a thread per connection"};
		struct test echo = {"socket round trip", op_echo, NULL, {0, 0}, {0, 0}};
		struct echo_server es;
		char echo_sock[300];
		pid_t measured = daemon_pid;

		snprintf(echo_sock, sizeof(echo_sock), "%s/echo%d", dir, mode);
		if (echo_start(&es, echo_sock, mode == 1) != 0) {
			fprintf(stderr, "xs_bench: cannot start the echo server\n");
			return 1;
		}
		sock_path = echo_sock;
		daemon_pid = 0; /* the echo threads are ours: no daemon CPU column */
		for (idx = 0; idx < 2 && ret == 0; idx++) {
			int n = idx ? 8 : 1;
			struct result r;

			if (only_clients && only_clients != n)
				continue;
			ret |= run(&echo, n, &r);
			printf("%-25s %d client%s %8.0f ops/s  p50 %6.1f us  p99 %7.1f us | echo "
			       "server, "
			       "%s, that does no work\n",
			       echo.name, n, n > 1 ? "s" : " ", r.ops, r.p50, r.p99, shape[mode]);
		}
		echo_stop(&es);
		daemon_pid = measured;
	}
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]) && ret == 0; i++) {
		for (idx = 0; idx < 2; idx++) {
			int n = idx ? 8 : 1;
			struct result r;

			if ((only && !strstr(tests[i].name, only)) ||
			    (only_clients && only_clients != n))
				continue;
			sock_path = ours_sock;
			ret |= run(&tests[i], n, &r);
			printf("%-25s %d client%s %8.0f ops/s  p50 %6.1f us  p99 %7.1f us",
			       tests[i].name, n, n > 1 ? "s" : " ", r.ops, r.p50, r.p99);
			if (r.cpu_us >= 0)
				printf("  daemon cpu %5.1f us/op", r.cpu_us);
			printf(" | target %6.1fk (ref %5.1fk) %s%s\n", tests[i].target[idx] / 1e3,
			       tests[i].ref[idx] / 1e3,
			       r.failed ? "FAILED"
			                : (r.ops >= tests[i].target[idx] ? "met" : "MISSED"),
			       r.retries ? " (EAGAIN retries)" : "");
			fflush(stdout);
		}
	}
	if (ours > 0) {
		kill(ours, SIGTERM);
		waitpid(ours, NULL, 0);
	}
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			ret = 1;
	}
	return ret ? 1 : 0;
}
