/*
 * shoji-xenstored: the xenstore daemon.  One libevent loop serves the Unix
 * socket and the guest rings; in each loop iteration every ready
 * connection is read and its messages handled, then the journal batch of the
 * whole iteration is written (one write(2)), and only then are replies and
 * watch events sent.
 */
#include "config.h"

#include <errno.h>
#include <event2/event.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "acceptgate.h"
#include "log.h"
#include "mkdir-p.h"
#include "number.h"
#include "pidfile.h"
#include "ring-dom0.h"
#include "safedir.h"
#include "sandbox.h"
#include "usock.h"
#include "xsd.h"

#define DEFAULT_SOCKET SHOJI_RUNDIR "/xenstored.sock"
#define DEFAULT_STATE  SHOJI_STATEDIR "/xenstore"
/* socket clients served at once: below the usual 1024 descriptors, with room for rings */
#define DEFAULT_MAX_CLIENTS 512

struct daemon {
	struct xsd d;
	struct event_base *base;
	struct event *listen_ev;
	struct accept_gate gate;   /* socket clients: --max-clients, accept back-off */
	unsigned long max_clients; /* --max-clients */
	struct event *sig_int, *sig_term;
	int listen_fd;
	struct usock_id sock_id; /* the socket file we bound: removed at exit if still there */
	const char *socket_path;
	const char *state_dir;
	int lock_fd; /* the state directory's lock, held while we run: one daemon per directory */
	const char *pidfile;
	const char *hv_socket;        /* shoji-hv control socket for guest rings (NULL: default) */
	struct ring_dom0 *rings;      /* guest ring plumbing */
	struct event *exc_ev;         /* VIRQ_DOM_EXC: some domain stopped */
	struct event *link_ev;        /* shoji-hv's end of the rings' link closed */
	uid_t uid;                    /* ours: socket clients of this uid (or root) are dom0 */
	struct log_limit log_refused; /* socket clients of other users */
	bool detach;
	volatile bool stop;
	unsigned long activity; /* bumped by every callback that did work */
	uint64_t poll_ns;       /* busy-poll this long after activity before sleeping */
};

struct conn_ev {
	struct daemon *dm;
	struct event *rd, *wr;
	bool reading;
	bool client; /* a socket client (counted against --max-clients) */
};

/* The store core's warnings go to the daemons' log family. */
static void store_warn(const char *msg)
{
	log_warnx("%s", msg);
}

static void conn_close(struct xs_conn *c)
{
	struct conn_ev *ce = c->loop_data;
	struct daemon *client_of = ce && ce->client ? ce->dm : NULL;

	if (ce) {
		if (ce->rd)
			event_free(ce->rd);
		if (ce->wr)
			event_free(ce->wr);
		free(ce);
	}
	c->loop_data = NULL;
	conn_free(c);
	if (client_of)
		accept_gate_closed(&client_of->gate);
}

/*
 * Make pending output visible: the journal first, then every queued reply and
 * event.  This is the only place output is written, so nothing leaves
 * before the journal records of the changes it reveals.  A connection whose
 * output drained gets its buffered requests handled (which may queue
 * more), so this runs until nothing is pending.
 */
static void flush_all(struct daemon *dm)
{
	struct xsd *d = &dm->d;

	while (d->flush_list) {
		struct xs_conn *c = d->flush_list;
		struct conn_ev *ce = c->loop_data;
		int r;

		if (journal_flush(d) != 0)
			fatalx("cannot write the log in %s: %s", dm->state_dir, strerror(errno));
		d->flush_list = c->fnext;
		c->flushing = false;
		r = c->dead ? -1 : conn_output(c);
		if (r == 0 && c->inlen >= sizeof(struct xsd_sockmsg))
			r = conn_process(c);
		if (r < 0) {
			conn_close(c);
			continue;
		}
		if (r > 0)
			event_add(ce->wr, NULL);
		else
			event_del(ce->wr);
		/* back-pressure: a client not reading its replies is not read either */
		if (conn_throttled(c) && ce->reading) {
			event_del(ce->rd);
			ce->reading = false;
		} else if (!conn_throttled(c) && !ce->reading) {
			event_add(ce->rd, NULL);
			ce->reading = true;
		}
	}
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	struct xs_conn *c = arg;
	struct conn_ev *ce = c->loop_data;

	ce->dm->activity++;
	if (conn_input(c) < 0)
		c->dead = true; /* closed by flush_all, after the journal got this batch */
	conn_want_flush(c);
}

/* Room in the socket again: flush_all sends the rest (after any pending journal write). */
static void on_write(evutil_socket_t fd, short what, void *arg)
{
	struct xs_conn *c = arg;
	struct conn_ev *ce = c->loop_data;

	ce->dm->activity++;
	conn_want_flush(c);
}

/*
 * The socket is dom0's: a client is served, as privileged dom0, only when
 * it runs as root or as the daemon's own user (SO_PEERCRED).  Anyone else
 * whom the socket file's mode lets connect is refused at once.
 */
static bool client_allowed(struct daemon *dm, int fd)
{
	uid_t uid;
	pid_t pid;

	if (usock_peer(fd, &uid, &pid) != 0) {
		log_warnx_limited(&dm->log_refused, "refused a client: SO_PEERCRED: %s",
		                  strerror(errno));
		return false;
	}
	if (uid == 0 || uid == dm->uid)
		return true;
	log_warnx_limited(&dm->log_refused,
	                  "refused a client of uid %u (pid %ld): the socket is for root and uid %u",
	                  (unsigned)uid, (long)pid, (unsigned)dm->uid);
	return false;
}

static void on_accept(evutil_socket_t lfd, short what, void *arg)
{
	struct daemon *dm = arg;
	struct conn_ev *ce;
	struct xs_conn *c;
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0) {
		accept_gate_failed(&dm->gate, errno);
		return;
	}
	if (!client_allowed(dm, fd)) {
		close(fd);
		return;
	}
	ce = calloc(1, sizeof(*ce));
	c = ce ? conn_new(&dm->d, &xs_socket_ops, NULL, fd, XSD_PRIV_DOMID, true) : NULL;
	if (!c) {
		free(ce);
		close(fd);
		return;
	}
	ce->dm = dm;
	ce->rd = event_new(dm->base, fd, EV_READ | EV_PERSIST, on_read, c);
	ce->wr = event_new(dm->base, fd, EV_WRITE | EV_PERSIST, on_write, c);
	c->loop_data = ce;
	ce->client = true;
	accept_gate_opened(&dm->gate);
	if (!ce->rd || !ce->wr || event_add(ce->rd, NULL) != 0) {
		conn_close(c);
		return;
	}
	ce->reading = true;
}

/* A guest's event: its rings moved (requests in, room for replies) or it asks to reconnect. */
static void on_ring(evutil_socket_t fd, short what, void *arg)
{
	struct xs_conn *c = arg;
	struct conn_ev *ce = c->loop_data;
	struct daemon *dm = ce->dm;
	uint64_t count;

	dm->activity++;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warnx("domain %u: event descriptor: %s", c->domid, strerror(errno));
	if (ring_event(c) < 0)
		c->dead = true; /* closed by flush_all, after the journal got this batch */
	conn_want_flush(c);
}

/* VIRQ_DOM_EXC: a domain shut down, crashed or died. */
static void on_dom_exc(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;
	uint64_t count;

	dm->activity++;
	if (read(fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
		log_warnx("VIRQ_DOM_EXC descriptor: %s", strerror(errno));
	ring_dom0_check_domains(dm->rings, &dm->d);
}

static void unwatch_dom_exc(struct daemon *dm)
{
	if (dm->exc_ev)
		event_free(dm->exc_ev);
	if (dm->link_ev)
		event_free(dm->link_ev);
	dm->exc_ev = dm->link_ev = NULL;
}

/* The link's control connection is readable: shoji-hv died (or it is a spurious wake-up). */
static void on_link(evutil_socket_t fd, short what, void *arg)
{
	struct daemon *dm = arg;

	if (!ring_dom0_link_lost(dm->rings))
		return;
	dm->activity++;
	unwatch_dom_exc(dm);
	ring_dom0_drop(dm->rings, &dm->d);
}

/*
 * Listen to VIRQ_DOM_EXC, and for shoji-hv's death, once the first ring is
 * up (a daemon without rings needs no shoji-hv); again after a lost link.
 */
static void watch_dom_exc(struct daemon *dm)
{
	int fd;

	if (dm->exc_ev)
		return;
	fd = ring_dom0_exc_fd(dm->rings);
	if (fd < 0) {
		log_warnx("cannot bind VIRQ_DOM_EXC: %s (dead domains wait for RELEASE)",
		          strerror(errno));
		return;
	}
	dm->exc_ev = event_new(dm->base, fd, EV_READ | EV_PERSIST, on_dom_exc, dm);
	dm->link_ev =
	    event_new(dm->base, ring_dom0_link_fd(dm->rings), EV_READ | EV_PERSIST, on_link, dm);
	if (!dm->exc_ev || !dm->link_ev || event_priority_set(dm->link_ev, 0) != 0 ||
	    event_add(dm->exc_ev, NULL) != 0 || event_add(dm->link_ev, NULL) != 0)
		unwatch_dom_exc(dm);
}

/* xsd ring_connect hook: map and bind domid's ring and serve it from the loop. */
static int ring_connect(struct xsd *d, uint32_t domid, uint64_t gfn, uint32_t port)
{
	struct daemon *dm = d->ring_data;
	struct conn_ev *ce = calloc(1, sizeof(*ce));
	struct xs_conn *c;
	int err;

	if (!ce)
		return ENOMEM;
	if (ring_dom0_connect(dm->rings, d, domid, gfn, port, &c) != 0) {
		err = errno;
		log_warnx("cannot connect the ring of domain %u (gfn %#llx, port %u): %s", domid,
		          (unsigned long long)gfn, port, strerror(err));
		free(ce);
		return err == ENOMEM ? ENOMEM : EINVAL;
	}
	ce->dm = dm;
	ce->rd = event_new(dm->base, c->fd, EV_READ | EV_PERSIST, on_ring, c);
	ce->wr = event_new(dm->base, c->fd, EV_READ | EV_PERSIST, on_ring, c);
	c->loop_data = ce;
	if (!ce->rd || !ce->wr || event_add(ce->rd, NULL) != 0) {
		if (!ce->rd || !ce->wr) {
			c->loop_data = NULL;
			if (ce->rd)
				event_free(ce->rd);
			if (ce->wr)
				event_free(ce->wr);
			free(ce);
		}
		conn_close(c);
		return ENOMEM;
	}
	ce->reading = true;
	watch_attach(d, c); /* the domain's watches, from the journal or an earlier connection */
	event_active(ce->rd, EV_READ, 0); /* serve what the guest queued before we listened */
	watch_dom_exc(dm);
	return 0;
}

/* After a restart: reconnect every domain the journal says was introduced. */
static void ring_resume_all(struct daemon *dm)
{
	uint32_t i;

	for (i = 1; i < XSD_DOMID_MAX; i++) {
		struct xsd_domain *dom = dm->d.doms[i];

		if (dom && dom->introduced && ring_connect(&dm->d, i, dom->mfn, dom->port) == 0)
			log_warnx("domain %u: ring connection resumed", i);
	}
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon *dm = arg;

	dm->stop = true;
	event_base_loopbreak(dm->base);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/*
 * The loop.  Callbacks only read and handle requests; after each loop
 * iteration flush_all writes the journal once for every connection that was
 * served (group commit) and only then sends the replies.  With --poll-us
 * the daemon polls (non-blocking) for a while after a burst of work before
 * sleeping, like KVM's halt-polling.  It is off by default: on small hosts
 * a spinning daemon keeps the scheduler from running a client and the
 * daemon on one CPU, which costs more than the wake-up polling saves.
 */
static void run_loop(struct daemon *dm)
{
	while (!dm->stop) {
		if (dm->poll_ns) {
			uint64_t end = now_ns() + dm->poll_ns;

			while (!dm->stop && now_ns() < end) {
				unsigned long before = dm->activity;

				event_base_loop(dm->base, EVLOOP_NONBLOCK | EVLOOP_ONCE);
				flush_all(dm);
				if (dm->activity != before)
					end = now_ns() + dm->poll_ns;
			}
		}
		if (!dm->stop) {
			event_base_loop(dm->base, EVLOOP_ONCE);
			flush_all(dm);
		}
	}
}

/* mkdir -p for the state and socket directories. */
static void make_dirs(const char *path, bool parent_only)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		fatalx("path too long: %s", path);
	memcpy(buf, path, len + 1);
	if (parent_only) {
		char *slash = strrchr(buf, '/');

		if (!slash || slash == buf)
			return;
		*slash = '\0';
	}
	if (mkdir_p(buf, 0700) != 0)
		fatalx("cannot create %s: %s", buf, strerror(errno));
}

/* Prints the usage to f; returns status, the exit status to go with it. */
static int usage(FILE *f, int status)
{
	int i;

	fprintf(f,
	        "usage: shoji-xenstored [--socket PATH] [--state-dir DIR] [--daemon]\n"
	        "                       [--pidfile FILE] [--quota NAME=VALUE]... [--output-limit "
	        "BYTES]\n"
	        "                       [--poll-us USECS] [--hv-socket PATH] [--max-clients N]\n"
	        "                       [--fsync] [--no-sandbox]\n"
	        "defaults: --socket %s --state-dir %s --max-clients %d\n"
	        "quotas (priv-* apply to privileged connections, the others to domains):\n",
	        DEFAULT_SOCKET, DEFAULT_STATE, DEFAULT_MAX_CLIENTS);
	for (i = 0; i < QUOTA_COUNT; i++)
		fprintf(f, "  %-18s %s\n", quota_name(i), quota_help(i));
	return status;
}

static void parse_quota(struct xsd_quota *q, const char *arg)
{
	char name[64];
	const char *eq = strchr(arg, '=');
	uint64_t v;
	int id;

	if (!eq || (size_t)(eq - arg) >= sizeof(name)) {
		fprintf(stderr, "shoji-xenstored: --quota wants NAME=VALUE, not '%s'\n", arg);
		exit(2);
	}
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	id = quota_lookup(name);
	if (id < 0 || !parse_u64(eq + 1, UINT32_MAX, &v)) {
		fprintf(stderr, "shoji-xenstored: bad quota '%s' (see --help)\n", arg);
		exit(2);
	}
	if (v < quota_min(id)) {
		fprintf(stderr, "shoji-xenstored: quota %s must be at least %u\n", name,
		        quota_min(id));
		exit(2);
	}
	q->v[id] = (uint32_t)v;
}

/* optarg of option opt as a number in [min, max], or exit 2 saying why. */
static uint64_t opt_number(const char *opt, const char *arg, uint64_t min, uint64_t max)
{
	uint64_t v;

	if (!parse_u64(arg, max, &v) || v < min) {
		fprintf(stderr, "shoji-xenstored: %s: expected a number in %llu..%llu, got '%s'\n",
		        opt, (unsigned long long)min, (unsigned long long)max, arg);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"socket", required_argument, NULL, 's'},
	    {"state-dir", required_argument, NULL, 'S'},
	    {"daemon", no_argument, NULL, 'D'},
	    {"pidfile", required_argument, NULL, 'p'},
	    {"quota", required_argument, NULL, 'Q'},
	    {"output-limit", required_argument, NULL, 'o'},
	    {"poll-us", required_argument, NULL, 'P'},
	    {"hv-socket", required_argument, NULL, 'H'},
	    {"max-clients", required_argument, NULL, 'c'},
	    {"fsync", no_argument, NULL, 'F'},
	    {"no-sandbox", no_argument, NULL, 'N'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct daemon dm = {.listen_fd = -1,
	                    .socket_path = DEFAULT_SOCKET,
	                    .state_dir = DEFAULT_STATE,
	                    .uid = geteuid(),
	                    .max_clients = DEFAULT_MAX_CLIENTS,
	                    .log_refused = {.interval = 10},
	                    .poll_ns = 0};
	struct xsd_quota quota;
	size_t out_limit = 4u << 20;
	char why[128];
	bool fsync = false, no_sandbox = false;
	int opt, state_fd;

	quota_defaults(&quota);
	log_init("shoji-xenstored");
	while ((opt = getopt_long(argc, argv, "s:S:Dp:Q:o:P:H:c:Fh", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			dm.socket_path = optarg;
			break;
		case 'S':
			dm.state_dir = optarg;
			break;
		case 'D':
			dm.detach = true;
			break;
		case 'p':
			dm.pidfile = optarg;
			break;
		case 'Q':
			parse_quota(&quota, optarg);
			break;
		case 'o':
			out_limit = (size_t)opt_number("--output-limit", optarg,
			                               2 * (XENSTORE_PAYLOAD_MAX + 16), UINT32_MAX);
			break;
		case 'P':
			dm.poll_ns = opt_number("--poll-us", optarg, 0, 1000000) * 1000;
			break;
		case 'H':
			dm.hv_socket = optarg;
			break;
		case 'c':
			dm.max_clients =
			    (unsigned long)opt_number("--max-clients", optarg, 1, 65536);
			break;
		case 'F':
			fsync = true;
			break;
		case 'N':
			no_sandbox = true;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, 2);
		}
	}
	if (optind != argc)
		return usage(stderr, 2);
	if (xsd_init(&dm.d) != 0)
		fatalx("out of memory");
	dm.d.warn = store_warn;
	dm.d.quota = quota;
	dm.d.out_limit = out_limit;
	dm.d.fsync = fsync;
	signal(SIGPIPE, SIG_IGN);
	make_dirs(dm.state_dir, false);
	state_fd = safedir_open(dm.state_dir, why, sizeof(why));
	if (state_fd < 0)
		fatalx("refusing state directory %s: %s", dm.state_dir, why);
	/* before the journal or the socket is touched: a second daemon stops here */
	dm.lock_fd = safedir_lock(state_fd, "xenstored.lock");
	if (dm.lock_fd < 0 && errno == EWOULDBLOCK)
		fatalx("%s is in use by another shoji-xenstored", dm.state_dir);
	if (dm.lock_fd < 0)
		fatalx("cannot lock %s/xenstored.lock: %s", dm.state_dir, strerror(errno));
	if (journal_open(&dm.d, state_fd) != 0)
		fatalx("cannot open the log in %s: %s", dm.state_dir, strerror(errno));
	close(state_fd); /* the journal keeps its own descriptor of the directory */
	if (store_init_root(&dm.d) != 0 || journal_flush(&dm.d) != 0)
		fatalx("cannot initialise the store");
	make_dirs(dm.socket_path, true);
	dm.listen_fd = usock_listen(dm.socket_path, 0600, 128, &dm.sock_id);
	if (dm.listen_fd < 0 && errno == EADDRINUSE)
		fatalx("%s is in use by another daemon", dm.socket_path);
	if (dm.listen_fd < 0)
		fatalx("cannot listen on %s: %s", dm.socket_path, strerror(errno));
	if (dm.detach && daemon(1, 0) != 0)
		fatalx("daemon: %s", strerror(errno));
	if (dm.pidfile && pidfile_write(dm.pidfile) != 0)
		fatal("cannot write pid file %s", dm.pidfile);
	dm.base = event_base_new();
	if (!dm.base)
		fatalx("event_base_new failed");
	/* Two priorities: shoji-hv's death (0) is seen before any request ready with it (1). */
	if (event_base_priority_init(dm.base, 2) != 0)
		fatalx("event_base_priority_init failed");
	dm.listen_ev = event_new(dm.base, dm.listen_fd, EV_READ | EV_PERSIST, on_accept, &dm);
	dm.sig_int = evsignal_new(dm.base, SIGINT, on_signal, &dm);
	dm.sig_term = evsignal_new(dm.base, SIGTERM, on_signal, &dm);
	if (!dm.listen_ev || !dm.sig_int || !dm.sig_term || event_add(dm.sig_int, NULL) != 0 ||
	    event_add(dm.sig_term, NULL) != 0 ||
	    accept_gate_init(&dm.gate, dm.base, dm.listen_ev, dm.max_clients, "--max-clients") < 0)
		fatalx("cannot set up the event loop");
	dm.rings = ring_dom0_new(dm.hv_socket);
	if (!dm.rings)
		fatalx("out of memory");
	dm.d.ring_connect = ring_connect;
	dm.d.ring_data = &dm;
	ring_resume_all(&dm);
	flush_all(&dm);
	if (sandbox_enter(&sandbox_xenstored, no_sandbox) != 0)
		fatal("cannot install the seccomp filter");
	run_loop(&dm);

	while (dm.d.conns)
		conn_close(dm.d.conns);
	xsd_fini(&dm.d);
	unwatch_dom_exc(&dm);
	ring_dom0_free(dm.rings);
	accept_gate_fini(&dm.gate);
	event_free(dm.listen_ev);
	event_free(dm.sig_int);
	event_free(dm.sig_term);
	event_base_free(dm.base);
	close(dm.listen_fd);
	usock_unlink(dm.socket_path, &dm.sock_id);
	if (dm.pidfile)
		unlink(dm.pidfile);
	return 0;
}
