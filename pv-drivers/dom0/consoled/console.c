/*
 * shoji-consoled: the console backend (xenconsoled's job).  Each domain's
 * primary console is a struct xencons_interface page the toolstack names
 * in /local/domain/<id>/console/{ring-ref,port}: ring-ref is a guest frame
 * number (mapped with the privileged foreign map, as Xen's toolstack does
 * for PVH) and port is the guest's event channel, bound interdomain.
 * Output goes to <log-dir>/<name>.log and to every client attached to the
 * domain's Unix socket <run-dir>/console/<domid>.sock; what clients send
 * is fed to the guest's input ring.
 *
 * Ring indexes we produce (out_cons, in_prod) are kept here and only
 * published to the page; the guest's (out_prod, in_cons) are read once per
 * event and checked.  A domain whose indexes are impossible is dropped and
 * not picked up again until it is gone: the others are unaffected.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/listener.h>

#include <shoji/backend.h>
#include <shoji/io/console.h>
#include <shoji/libgnttab.h>
#include <shoji/xs.h>

#include "log.h"
#include "mkdir-p.h"
#include "number.h"
#include "sandbox.h"

#define CLIENT_OUT_MAX (1u << 20) /* a client further behind than this is dropped */
#define CLIENT_IN_MAX  4096u      /* input read ahead from a client */
#define PENDING_MAX    16384u     /* output kept for the first client (newest bytes) */

struct consd;
struct con;

struct client {
	struct client *next;
	struct con *con;
	struct bufferevent *bev;
};

struct con {
	struct con *next;
	struct consd *cd;
	uint32_t domid;
	bool broken; /* dropped for a bad ring: ignored until the domain is gone */
	struct xencons_interface *ring;
	int port;                           /* local port, -1: none */
	XENCONS_RING_IDX out_cons, in_prod; /* ours: the page only gets copies */
	int log_fd;
	uint64_t log_bytes; /* size of the current log file */
	char log_path[512];
	char sock_path[256];
	struct evconnlistener *listener;
	struct client *clients;
	/* Output while no client is attached, handed to the next one (as
	 * xenconsoled does), so `shoji create -c` sees the boot banner. */
	struct evbuffer *pending;
};

struct consd {
	const char *xs_socket, *hv_socket, *log_dir, *run_dir;
	gid_t gid;        /* --group: console sockets 0660 in this group; (gid_t)-1: 0600 */
	uint64_t log_max; /* rotate a log past this many bytes; 0: never */
	bool verbose;
	struct shoji_backend *be;
	struct con *cons;
};

static void backend_log(void *arg, enum shoji_backend_log_level level, const char *msg)
{
	struct consd *cd = arg;

	if (level <= SHOJI_BACKEND_LOG_WARN || cd->verbose)
		log_warnx("%s", msg);
}

/* --- clients --- */

static void client_free(struct client *c)
{
	struct con *con = c->con;

	for (struct client **pp = &con->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	bufferevent_free(c->bev);
	free(c);
}

static void con_flush_input(struct con *con);

static void client_read(struct bufferevent *bev, void *arg)
{
	struct client *c = arg;

	con_flush_input(c->con);
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

static void client_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
                          int socklen, void *arg)
{
	struct con *con = arg;
	struct client *c = calloc(1, sizeof(*c));

	if (c)
		c->bev = bufferevent_socket_new(shoji_backend_event_base(con->cd->be), fd,
		                                BEV_OPT_CLOSE_ON_FREE);
	if (!c || !c->bev) {
		free(c);
		close(fd);
		return;
	}
	c->con = con;
	bufferevent_setcb(c->bev, client_read, NULL, client_event, c);
	bufferevent_setwatermark(c->bev, EV_READ, 0, CLIENT_IN_MAX);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	c->next = con->clients;
	con->clients = c;
	if (con->pending)
		bufferevent_write_buffer(c->bev, con->pending);
	log_debug("domain %" PRIu32 ": client attached", con->domid);
}

/* --- one domain's console --- */

/* Stop serving @con: clients see EOF, the socket goes, ring and port are released. */
static void con_close(struct con *con)
{
	struct consd *cd = con->cd;

	while (con->clients)
		client_free(con->clients);
	if (con->listener) {
		evconnlistener_free(con->listener);
		con->listener = NULL;
		unlink(con->sock_path);
	}
	if (con->port >= 0)
		shoji_backend_unbind(cd->be, (uint32_t)con->port);
	con->port = -1;
	if (con->ring)
		shoji_foreign_unmap(con->ring, 1);
	con->ring = NULL;
	if (con->log_fd >= 0)
		close(con->log_fd);
	con->log_fd = -1;
}

static void con_break(struct con *con, const char *why)
{
	log_warnx("domain %" PRIu32 ": %s: console dropped", con->domid, why);
	con_close(con);
	con->broken = true;
}

/* Open (append) the domain's log file; its current size counts towards --log-max. */
static int con_open_log(struct con *con)
{
	struct stat st;

	con->log_fd = open(con->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (con->log_fd < 0)
		return -1;
	con->log_bytes = fstat(con->log_fd, &st) == 0 ? (uint64_t)st.st_size : 0;
	return 0;
}

/* Keep one old log: NAME.log becomes NAME.log.1 and a new NAME.log starts. */
static void con_rotate_log(struct con *con)
{
	char old[520];

	snprintf(old, sizeof(old), "%s.1", con->log_path);
	close(con->log_fd);
	con->log_fd = -1;
	if (rename(con->log_path, old) < 0 || con_open_log(con) < 0)
		log_warnx("domain %" PRIu32 ": cannot rotate %s: %s", con->domid, con->log_path,
		          strerror(errno));
}

static void con_output(struct con *con, const char *buf, size_t len)
{
	uint64_t max = con->cd->log_max;

	if (con->log_fd >= 0 && max && con->log_bytes > 0 && con->log_bytes + len > max)
		con_rotate_log(con);
	if (con->log_fd >= 0)
		con->log_bytes += len;
	if (con->log_fd >= 0 && write(con->log_fd, buf, len) != (ssize_t)len) {
		log_warnx("domain %" PRIu32 ": log write failed: %s", con->domid, strerror(errno));
		close(con->log_fd);
		con->log_fd = -1;
	}
	if (!con->clients && con->pending) {
		size_t have;

		evbuffer_add(con->pending, buf, len);
		have = evbuffer_get_length(con->pending);
		if (have > PENDING_MAX)
			evbuffer_drain(con->pending, have - PENDING_MAX);
	}
	for (struct client *c = con->clients, *next; c; c = next) {
		struct evbuffer *out = bufferevent_get_output(c->bev);

		next = c->next;
		if (evbuffer_get_length(out) > CLIENT_OUT_MAX) {
			log_debug("domain %" PRIu32 ": slow client dropped", con->domid);
			client_free(c);
			continue;
		}
		bufferevent_write(c->bev, buf, len);
	}
}

/* Move client input into the guest's in ring as far as it has room. */
static void con_flush_input(struct con *con)
{
	struct xencons_interface *r = con->ring;
	XENCONS_RING_IDX cons, prod = con->in_prod;
	bool moved = false;

	if (!r)
		return;
	cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
	if (prod - cons > XENCONS_IN_SIZE) {
		con_break(con, "impossible input ring indexes");
		return;
	}
	for (struct client *c = con->clients; c && prod - cons < XENCONS_IN_SIZE; c = c->next) {
		struct evbuffer *in = bufferevent_get_input(c->bev);

		while (prod - cons < XENCONS_IN_SIZE && evbuffer_get_length(in) > 0) {
			size_t idx = MASK_XENCONS_IDX(prod, r->in);
			size_t room = XENCONS_IN_SIZE - (prod - cons);
			size_t n = XENCONS_IN_SIZE - idx;
			char tmp[XENCONS_IN_SIZE];
			int got;

			if (n > room)
				n = room;
			got = evbuffer_remove(in, tmp, n);
			if (got <= 0)
				break;
			memcpy(&r->in[idx], tmp, (size_t)got);
			prod += (XENCONS_RING_IDX)got;
			moved = true;
		}
	}
	if (moved) {
		con->in_prod = prod;
		__atomic_store_n(&r->in_prod, prod, __ATOMIC_RELEASE);
		shoji_backend_notify(con->cd->be, (uint32_t)con->port);
	}
}

/* The guest notified: drain its output, then feed it input. */
static void con_event(struct shoji_backend *be, uint32_t port, void *arg)
{
	struct con *con = arg;
	struct xencons_interface *r = con->ring;
	XENCONS_RING_IDX cons = con->out_cons, prod;
	bool moved = false;

	if (!r)
		return;
	prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > XENCONS_OUT_SIZE) {
		con_break(con, "impossible output ring indexes");
		return;
	}
	while (cons != prod) {
		char tmp[XENCONS_OUT_SIZE];
		size_t idx = MASK_XENCONS_IDX(cons, r->out);
		size_t n = XENCONS_OUT_SIZE - idx;

		if (n > (size_t)(prod - cons))
			n = prod - cons;
		memcpy(tmp, &r->out[idx], n);
		cons += (XENCONS_RING_IDX)n;
		con_output(con, tmp, n);
		moved = true;
	}
	if (moved) {
		con->out_cons = cons;
		__atomic_store_n(&r->out_cons, cons, __ATOMIC_RELEASE);
		shoji_backend_notify(be, port);
	}
	con_flush_input(con);
}

static char *xs_read_dom(struct consd *cd, uint32_t domid, const char *node)
{
	char path[96];

	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/%s", domid, node);
	return shoji_xs_read(shoji_backend_xs(cd->be), SHOJI_XS_NO_TX, path, NULL);
}

static bool read_num(struct consd *cd, uint32_t domid, const char *node, uint64_t max, uint64_t *v)
{
	char *s = xs_read_dom(cd, domid, node);
	bool ok = parse_u64(s, max, v);

	free(s);
	return ok;
}

/* The log file's base name: the domain's name when it is a safe file name, else its id. */
static void log_name(struct consd *cd, uint32_t domid, char *out, size_t len)
{
	char *name = xs_read_dom(cd, domid, "name");
	bool ok = name && *name && *name != '.' && strlen(name) < len;

	for (const char *p = name; ok && *p; p++)
		ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		     (*p >= '0' && *p <= '9') || *p == '-' || *p == '_' || *p == '.';
	if (ok)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "domain-%" PRIu32, domid);
	free(name);
}

static int con_open_socket(struct con *con)
{
	struct consd *cd = con->cd;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	mode_t mask;

	if (snprintf(con->sock_path, sizeof(con->sock_path), "%s/console/%" PRIu32 ".sock",
	             cd->run_dir, con->domid) >= (int)sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, con->sock_path, strlen(con->sock_path) + 1);
	unlink(con->sock_path);
	/* The socket is born with its final mode: no window whatever the umask. */
	mask = umask(cd->gid != (gid_t)-1 ? 0117 : 0177);
	con->listener = evconnlistener_new_bind(shoji_backend_event_base(cd->be), client_accept,
	                                        con, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
	                                        8, (struct sockaddr *)&sa, sizeof(sa));
	umask(mask);
	if (!con->listener)
		return -1;
	if (cd->gid != (gid_t)-1 && chown(con->sock_path, (uid_t)-1, cd->gid) < 0)
		return -1;
	return 0;
}

/* Serve the console of @con->domid as xenstore describes it. */
static int con_attach(struct con *con, uint64_t gfn, uint32_t remote_port)
{
	struct consd *cd = con->cd;
	char name[80];
	int port;

	con->ring = shoji_foreign_map(shoji_backend_gnttab(cd->be), con->domid, gfn, 1,
	                              PROT_READ | PROT_WRITE);
	if (!con->ring)
		return -1;
	port = shoji_backend_bind(cd->be, con->domid, remote_port, con_event, con);
	if (port < 0)
		return -1;
	con->port = port;
	con->out_cons = __atomic_load_n(&con->ring->out_cons, __ATOMIC_ACQUIRE);
	con->in_prod = __atomic_load_n(&con->ring->in_prod, __ATOMIC_ACQUIRE);
	log_name(cd, con->domid, name, sizeof(name));
	if (snprintf(con->log_path, sizeof(con->log_path), "%s/%s.log", cd->log_dir, name) >=
	    (int)sizeof(con->log_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (con_open_log(con) < 0)
		return -1;
	if (con_open_socket(con) < 0)
		return -1;
	log_debug("domain %" PRIu32 ": console gfn %#" PRIx64 " port %" PRIu32 " -> %s, %s",
	          con->domid, gfn, remote_port, con->log_path, con->sock_path);
	con_event(cd->be, (uint32_t)con->port, con);
	return 0;
}

static struct con *con_find(struct consd *cd, uint32_t domid)
{
	for (struct con *c = cd->cons; c; c = c->next)
		if (c->domid == domid)
			return c;
	return NULL;
}

static void con_free(struct consd *cd, struct con *con)
{
	for (struct con **pp = &cd->cons; *pp; pp = &(*pp)->next) {
		if (*pp == con) {
			*pp = con->next;
			break;
		}
	}
	con_close(con);
	if (con->pending)
		evbuffer_free(con->pending);
	free(con);
}

/* Pick up domain @domid's console once xenstore names its page and port. */
static void con_sync(struct consd *cd, uint32_t domid)
{
	uint64_t gfn, port;
	struct con *con;

	if (domid == 0 || con_find(cd, domid))
		return;
	if (!read_num(cd, domid, "console/ring-ref", UINT64_MAX >> 12, &gfn) ||
	    !read_num(cd, domid, "console/port", UINT32_MAX, &port))
		return;
	con = calloc(1, sizeof(*con));
	if (!con)
		return;
	con->cd = cd;
	con->domid = domid;
	con->port = -1;
	con->log_fd = -1;
	con->pending = evbuffer_new(); /* NULL: no hand-over, nothing else lost */
	con->next = cd->cons;
	cd->cons = con;
	if (con_attach(con, gfn, (uint32_t)port) < 0) {
		if (errno == ESRCH) { /* already gone: its nodes are merely stale */
			con_free(cd, con);
			return;
		}
		log_warnx("domain %" PRIu32 ": cannot serve its console: %s", domid,
		          strerror(errno));
		con_close(con);
		con->broken = true;
		/* Still tracked, so the entry goes when the domain does. */
		shoji_backend_track_domain(cd->be, domid);
	}
}

static void scan_all(struct consd *cd)
{
	unsigned int n = 0;
	char **ids =
	    shoji_xs_directory(shoji_backend_xs(cd->be), SHOJI_XS_NO_TX, "/local/domain", &n);

	for (unsigned int i = 0; ids && i < n; i++) {
		char *end;
		unsigned long id = strtoul(ids[i], &end, 10);

		if (*ids[i] && !*end && id <= UINT32_MAX)
			con_sync(cd, (uint32_t)id);
	}
	free(ids);
}

static void on_local_domain(struct shoji_backend *be, const char *path, void *arg)
{
	static const char prefix[] = "/local/domain/";
	struct consd *cd = arg;
	unsigned long id;
	char *end;

	if (strncmp(path, prefix, sizeof(prefix) - 1) != 0) {
		scan_all(cd);
		return;
	}
	path += sizeof(prefix) - 1;
	if (*path < '0' || *path > '9')
		return;
	id = strtoul(path, &end, 10);
	if ((*end == '\0' || *end == '/') && id <= UINT32_MAX)
		con_sync(cd, (uint32_t)id);
}

static void on_domain_gone(struct shoji_backend *be, uint32_t domid, void *arg)
{
	struct consd *cd = arg;
	struct con *con = con_find(cd, domid);

	if (con) {
		log_debug("domain %" PRIu32 ": gone, console closed", domid);
		con_free(cd, con);
	}
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	shoji_backend_stop(arg);
}

/* mkdir -p dir (mode 0755): 0, or -1 with errno. */
static int make_dir(const char *dir)
{
	char buf[512];

	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return mkdir_p(buf, 0755);
}

/* Prints the usage to out; returns status, the exit status to go with it. */
static int usage(FILE *out, int status)
{
	fprintf(out,
	        "usage: shoji-consoled [--xs-socket PATH] [--hv-socket PATH] [--log-dir DIR]\n"
	        "                      [--run-dir DIR] [--log-max BYTES] [--group NAME]\n"
	        "                      [--verbose] [--no-sandbox]\n"
	        "defaults: --log-dir /var/log/shoji --run-dir /run/shoji --log-max 16777216\n");
	return status;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {{"xs-socket", required_argument, NULL, 'x'},
	                                         {"hv-socket", required_argument, NULL, 'H'},
	                                         {"log-dir", required_argument, NULL, 'l'},
	                                         {"run-dir", required_argument, NULL, 'r'},
	                                         {"verbose", no_argument, NULL, 'v'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {"log-max", required_argument, NULL, 'm'},
	                                         {"group", required_argument, NULL, 'g'},
	                                         {"no-sandbox", no_argument, NULL, 'N'},
	                                         {NULL, 0, NULL, 0}};
	struct consd cd = {.log_dir = "/var/log/shoji",
	                   .run_dir = "/run/shoji",
	                   .log_max = 16u << 20,
	                   .gid = (gid_t)-1};
	const struct group *grp;
	struct shoji_backend_config cfg = {0};
	struct event *sigterm = NULL, *sigint = NULL;
	char sockdir[512];
	bool no_sandbox = false;
	int opt, rc = 1;

	log_init("shoji-consoled");
	while ((opt = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (opt) {
		case 'x':
			cd.xs_socket = optarg;
			break;
		case 'H':
			cd.hv_socket = optarg;
			break;
		case 'l':
			cd.log_dir = optarg;
			break;
		case 'r':
			cd.run_dir = optarg;
			break;
		case 'v':
			cd.verbose = true;
			log_set_verbose(true);
			break;
		case 'm':
			if (!parse_u64(optarg, UINT64_MAX, &cd.log_max)) {
				log_warnx("--log-max: expected a number of bytes, got '%s'",
				          optarg);
				return 2;
			}
			break;
		case 'g':
			grp = getgrnam(optarg);
			if (!grp) {
				log_warnx("--group: no group named '%s'", optarg);
				return 2;
			}
			cd.gid = grp->gr_gid;
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
	snprintf(sockdir, sizeof(sockdir), "%s/console", cd.run_dir);
	if (make_dir(cd.log_dir) < 0 || make_dir(sockdir) < 0) {
		log_warnx("cannot create %s or %s: %s", cd.log_dir, sockdir, strerror(errno));
		return 1;
	}
	signal(SIGPIPE, SIG_IGN);
	cfg.xs_socket = cd.xs_socket;
	cfg.hv_socket = cd.hv_socket;
	cfg.log = backend_log;
	cfg.log_arg = &cd;
	cd.be = shoji_backend_new(&cfg);
	if (!cd.be)
		return 1;
	sigterm = evsignal_new(shoji_backend_event_base(cd.be), SIGTERM, on_signal, cd.be);
	sigint = evsignal_new(shoji_backend_event_base(cd.be), SIGINT, on_signal, cd.be);
	if (!sigterm || !sigint || evsignal_add(sigterm, NULL) < 0 ||
	    evsignal_add(sigint, NULL) < 0 ||
	    shoji_backend_on_domain_gone(cd.be, on_domain_gone, &cd) < 0 ||
	    !shoji_backend_watch(cd.be, "/local/domain", on_local_domain, &cd)) {
		log_warnx("cannot set up: %s", strerror(errno));
		goto out;
	}
	scan_all(&cd);
	if (sandbox_enter(&sandbox_consoled, no_sandbox) != 0) {
		log_warn("cannot install the seccomp filter");
		goto out;
	}
	log_debug("ready");
	rc = shoji_backend_run(cd.be) < 0 ? 1 : 0;
out:
	while (cd.cons)
		con_free(&cd, cd.cons);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	shoji_backend_free(cd.be);
	return rc;
}
