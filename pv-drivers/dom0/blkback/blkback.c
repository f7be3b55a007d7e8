/*
 * shoji-blkback: the PV block backend.  One process serves every domain's
 * vbd devices (/local/domain/0/backend/vbd/<domid>/<devid>) through
 * libshoji-backend's xenbus device class: at probe it opens the backing
 * store named by the toolstack's params node and publishes the disk's
 * geometry and features; at connect it maps the frontend's ring
 * (ring-ref, or ring-ref0..N for a multi-page ring), binds its event
 * channel and serves requests (vbd_ring.c) on one shared I/O engine
 * (engine.c).  Restart-safe: devices whose backend state already says
 * Connected are adopted and their rings taken up where they stand.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <event2/event.h>

#include <shoji/backend.h>
#include <shoji/libgnttab.h>

#include "engine.h"
#include "log.h"
#include "pidfile.h"
#include "sandbox.h"
#include "store.h"
#include "vbd_ring.h"

#define MAX_RING_PAGE_ORDER 4 /* up to 16 ring pages: 512 requests */
#define ENGINE_DEPTH        256
#define MAX_QUEUES          4 /* multi-queue-max-queues */

struct blkd {
	struct shoji_backend *be;
	struct blk_engine *engine;
	bool verbose;
};

struct vbd;

/* One queue of a device: its ring, and its own port when there are several. */
struct vbd_queue {
	struct vbd *v;
	struct vbd_ring *ring;
	void *area; /* a ring mapped here (multi-page); one page: the library's */
	unsigned int pages;
	int port; /* local port from shoji_backend_dev_bind_extra; -1: the device's */
};

struct vbd {
	struct blkd *bd;
	struct shoji_backend_dev *dev;
	struct blk_store store;
	bool cdrom, removable;
	struct vbd_queue q[MAX_QUEUES];
	unsigned int nq; /* queues connected */
	struct event *close_ev;
	char close_why[160];
};

static struct blkd *the_blkd; /* for the ops callbacks, which get only the device */

static void backend_log(void *arg, enum shoji_backend_log_level level, const char *msg)
{
	struct blkd *bd = arg;

	if (level <= SHOJI_BACKEND_LOG_WARN)
		log_warnx("%s", msg);
	else if (level == SHOJI_BACKEND_LOG_INFO || bd->verbose)
		log_info("%s", msg);
}

/* --- the segment mapper: the frontend's grants through libshoji-gnttab --- */

static void *map_grants(void *arg, uint32_t n, const grant_ref_t *refs, bool writable)
{
	struct vbd *v = arg;
	uint32_t domids[BLK_MAX_INDIRECT_SEGS], r[BLK_MAX_INDIRECT_SEGS];
	uint32_t domid = shoji_backend_dev_domid(v->dev);

	if (n == 0 || n > BLK_MAX_INDIRECT_SEGS) {
		errno = EINVAL;
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		domids[i] = domid;
		r[i] = refs[i];
	}
	return shoji_gnttab_map_grant_refs(shoji_backend_gnttab(v->bd->be), n, domids, r,
	                                   writable ? PROT_READ | PROT_WRITE : PROT_READ);
}

static void unmap_grants(void *arg, void *addr, uint32_t n)
{
	struct vbd *v = arg;

	shoji_gnttab_unmap(shoji_backend_gnttab(v->bd->be), addr, n);
}

/* --- the device class --- */

static void close_deferred(evutil_socket_t fd, short what, void *arg)
{
	struct vbd *v = arg;

	shoji_backend_dev_close(v->dev, v->close_why);
}

/* A backend node the toolstack wrote, or @def when it is absent. */
static char *read_node(struct vbd *v, const char *node, const char *def)
{
	char *s = shoji_backend_dev_read_backend(v->dev, node);

	if (!s && def)
		s = strdup(def);
	return s;
}

static int write_node(struct vbd *v, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int write_node(struct vbd *v, const char *node, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return shoji_backend_dev_write(v->dev, node, buf);
}

/* Refuse the device with @why in its error node (written once: our write re-runs probe). */
static void refuse(struct vbd *v, const char *why)
{
	char *old = read_node(v, "error", NULL);

	log_warnx("%s: %s", shoji_backend_dev_backend_path(v->dev), why);
	if (!old || strcmp(old, why))
		shoji_backend_dev_write(v->dev, "error", why);
	free(old);
}

/* Publish the disk and what we offer; the library then writes InitWait. */
static int publish(struct vbd *v)
{
	const struct blk_store *s = &v->store;
	unsigned int info = (s->readonly ? VDISK_READONLY : 0) | (v->cdrom ? VDISK_CDROM : 0) |
	                    (v->removable ? VDISK_REMOVABLE : 0);

	if (write_node(v, "sectors", "%" PRIu64, s->sectors) < 0 ||
	    write_node(v, "sector-size", "%u", XEN_BLKIF_SECTOR_SIZE) < 0 ||
	    write_node(v, "physical-sector-size", "%" PRIu32, s->physical_sector_size) < 0 ||
	    write_node(v, "info", "%u", info) < 0 ||
	    write_node(v, "feature-flush-cache", "1") < 0 ||
	    write_node(v, "feature-barrier", "1") < 0 ||
	    write_node(v, "feature-discard", "%d", s->discard ? 1 : 0) < 0 ||
	    write_node(v, "feature-persistent", "1") < 0 ||
	    write_node(v, "feature-max-indirect-segments", "%d", BLK_MAX_INDIRECT_SEGS) < 0 ||
	    write_node(v, "max-ring-page-order", "%d", MAX_RING_PAGE_ORDER) < 0 ||
	    write_node(v, "multi-queue-max-queues", "%d", MAX_QUEUES) < 0)
		return -1;
	if (s->discard &&
	    (write_node(v, "discard-granularity", "%" PRIu32, s->discard_granularity) < 0 ||
	     write_node(v, "discard-alignment", "0") < 0 ||
	     write_node(v, "discard-secure", "0") < 0))
		return -1;
	return 0;
}

static int vbd_probe(struct shoji_backend_dev *dev)
{
	struct vbd *v = calloc(1, sizeof(*v));
	char *params = NULL, *mode = NULL, *dtype = NULL, *removable = NULL, err[320];
	bool readonly;
	int rc = -1;

	if (!v)
		return -1;
	v->bd = the_blkd;
	v->dev = dev;
	v->store.fd = v->store.fd_buffered = -1;
	params = read_node(v, "params", NULL);
	mode = read_node(v, "mode", "w");
	dtype = read_node(v, "device-type", "disk");
	removable = read_node(v, "removable", "0");
	if (!params || params[0] != '/' || !mode || !dtype || !removable) {
		refuse(v, "params: expected the absolute path of the backing store");
		goto out;
	}
	if (strcmp(mode, "r") && strcmp(mode, "w")) {
		refuse(v, "mode: expected r or w");
		goto out;
	}
	v->cdrom = !strcmp(dtype, "cdrom");
	v->removable = !strcmp(removable, "1");
	readonly = !strcmp(mode, "r") || v->cdrom;
	if (blk_store_open(&v->store, params, readonly, err, sizeof(err)) < 0) {
		refuse(v, err);
		goto out;
	}
	v->close_ev = event_new(shoji_backend_event_base(v->bd->be), -1, 0, close_deferred, v);
	if (!v->close_ev || publish(v) < 0) {
		log_warnx("%s: cannot publish the disk: %s", shoji_backend_dev_backend_path(dev),
		          strerror(errno));
		goto out;
	}
	log_info("%s: %s, %" PRIu64 " sectors, %s%s", shoji_backend_dev_backend_path(dev), params,
	         v->store.sectors, readonly ? "read-only" : "read-write",
	         v->store.direct ? ", O_DIRECT" : "");
	shoji_backend_dev_set_priv(dev, v);
	rc = 0;
out:
	if (rc < 0) {
		blk_store_close(&v->store);
		if (v->close_ev)
			event_free(v->close_ev);
		free(v);
	}
	free(params);
	free(mode);
	free(dtype);
	free(removable);
	return rc;
}

static void vbd_remove(struct shoji_backend_dev *dev)
{
	struct vbd *v = shoji_backend_dev_priv(dev);

	blk_store_close(&v->store);
	event_free(v->close_ev);
	free(v);
}

/*
 * Map queue @q's ring from nodes @pfx"ring-ref" (one page) or
 * @pfx"ring-ref0".. (2^ring-page-order pages; the order is the device's).
 */
static void *map_ring(struct vbd *v, struct vbd_queue *q, const char *pfx, unsigned long order)
{
	uint32_t domids[1u << MAX_RING_PAGE_ORDER], refs[1u << MAX_RING_PAGE_ORDER];
	unsigned long ref;
	char node[48];

	q->pages = 1u << order;
	if (order == 0) {
		snprintf(node, sizeof(node), "%sring-ref", pfx);
		return shoji_backend_dev_map_ring(v->dev, node); /* the library unmaps it */
	}
	for (unsigned int i = 0; i < q->pages; i++) {
		snprintf(node, sizeof(node), "%sring-ref%u", pfx, i);
		if (shoji_backend_dev_read_ulong(v->dev, node, &ref) < 0)
			return NULL;
		if (ref > UINT32_MAX) {
			errno = EINVAL;
			return NULL;
		}
		refs[i] = (uint32_t)ref;
		domids[i] = shoji_backend_dev_domid(v->dev);
	}
	q->area = shoji_gnttab_map_grant_refs(shoji_backend_gnttab(v->bd->be), q->pages, domids,
	                                      refs, PROT_READ | PROT_WRITE);
	return q->area;
}

static void vbd_disconnect(struct shoji_backend_dev *dev)
{
	struct vbd *v = shoji_backend_dev_priv(dev);

	for (unsigned int i = 0; i < v->nq; i++) {
		struct vbd_queue *q = &v->q[i];

		vbd_ring_free(q->ring); /* finishes what is in flight first */
		q->ring = NULL;
		if (q->area)
			shoji_gnttab_unmap(shoji_backend_gnttab(v->bd->be), q->area, q->pages);
		q->area = NULL;
	}
	v->nq = 0;
}

static void queue_notify(void *arg)
{
	struct vbd_queue *q = arg;

	if (q->port < 0)
		shoji_backend_dev_notify(q->v->dev);
	else
		shoji_backend_notify(q->v->bd->be, (uint32_t)q->port);
}

static void queue_event(struct shoji_backend *be, uint32_t port, void *arg)
{
	struct vbd_queue *q = arg;

	if (q->ring)
		vbd_ring_kick(q->ring);
}

static void ring_broken(void *arg, const char *why)
{
	struct vbd *v = ((struct vbd_queue *)arg)->v;

	snprintf(v->close_why, sizeof(v->close_why), "corrupt ring: %s", why);
	log_warnx("%s: %s", shoji_backend_dev_backend_path(v->dev), v->close_why);
	event_active(v->close_ev, EV_TIMEOUT, 0);
}

/*
 * The frontend's transport: protocol, queues (multi-queue-num-queues, with
 * queue-N/ directories when more than one), ring-page-order, persistent
 * grants.  Each queue gets its ring and event channel.
 */
static int vbd_connect(struct shoji_backend_dev *dev)
{
	struct vbd *v = shoji_backend_dev_priv(dev);
	struct vbd_ring_config cfg = {0};
	char *proto = shoji_backend_dev_read(dev, "protocol");
	unsigned long queues = 1, persistent = 0, order = 0;

	if (proto && strcmp(proto, "x86_64-abi") && strcmp(proto, "x86_32-abi")) {
		log_warnx("%s: protocol %s is not supported (x86_64-abi or x86_32-abi)",
		          shoji_backend_dev_backend_path(dev), proto);
		free(proto);
		errno = EPROTONOSUPPORT;
		return -1;
	}
	cfg.abi32 = proto && !strcmp(proto, "x86_32-abi");
	free(proto);
	if (shoji_backend_dev_read_ulong(dev, "multi-queue-num-queues", &queues) < 0)
		queues = 1;
	if (shoji_backend_dev_read_ulong(dev, "ring-page-order", &order) < 0)
		order = 0;
	if (queues == 0 || queues > MAX_QUEUES || order > MAX_RING_PAGE_ORDER) {
		errno = EINVAL; /* more than multi-queue-max-queues or max-ring-page-order */
		return -1;
	}
	if (shoji_backend_dev_read_ulong(dev, "feature-persistent", &persistent) < 0)
		persistent = 0;
	cfg.persistent = persistent == 1;
	cfg.ring_pages = 1u << order;
	cfg.store = &v->store;
	cfg.limits.sectors = v->store.sectors;
	cfg.limits.readonly = v->store.readonly;
	cfg.limits.discard = v->store.discard;
	cfg.limits.max_indirect_segs = BLK_MAX_INDIRECT_SEGS;
	cfg.engine = v->bd->engine;
	cfg.mapper.map = map_grants;
	cfg.mapper.unmap = unmap_grants;
	cfg.mapper.arg = v;
	cfg.notify = queue_notify;
	cfg.broken = ring_broken;
	for (unsigned int i = 0; i < queues; i++) {
		struct vbd_queue *q = &v->q[i];
		char pfx[24] = "", node[48];

		memset(q, 0, sizeof(*q));
		q->v = v;
		q->port = -1;
		v->nq = i + 1;
		if (queues > 1)
			snprintf(pfx, sizeof(pfx), "queue-%u/", i);
		cfg.sring = map_ring(v, q, pfx, order);
		if (!cfg.sring)
			goto fail;
		if (queues == 1) {
			if (shoji_backend_dev_bind(dev, "event-channel") < 0)
				goto fail;
		} else {
			snprintf(node, sizeof(node), "%sevent-channel", pfx);
			q->port = shoji_backend_dev_bind_extra(dev, node, queue_event, q);
			if (q->port < 0)
				goto fail;
		}
		cfg.arg = q;
		q->ring = vbd_ring_new(&cfg);
		if (!q->ring)
			goto fail;
	}
	for (unsigned int i = 0; i < v->nq; i++)
		vbd_ring_kick(v->q[i].ring); /* requests published before we (re)connected */
	return 0;
fail:
	vbd_disconnect(dev);
	return -1;
}

static void vbd_event(struct shoji_backend_dev *dev)
{
	struct vbd *v = shoji_backend_dev_priv(dev);

	if (v->nq == 1 && v->q[0].ring)
		vbd_ring_kick(v->q[0].ring);
}

static const struct shoji_backend_ops vbd_ops = {
    .type = "vbd",
    .probe = vbd_probe,
    .connect = vbd_connect,
    .disconnect = vbd_disconnect,
    .event = vbd_event,
    .remove = vbd_remove,
};

/* --- the process --- */

static void on_engine(evutil_socket_t fd, short what, void *arg)
{
	blk_engine_reap(arg, false);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	shoji_backend_stop(arg);
}

static int usage(FILE *out, int status)
{
	fprintf(out,
	        "usage: shoji-blkback [--xs-socket PATH] [--hv-socket PATH] [--state-dir DIR]\n"
	        "                     [--io-engine auto|io_uring|threads] [--verbose]\n"
	        "                     [--no-sandbox] [--help] [--version]\n");
	return status;
}

int main(int argc, char **argv)
{
	enum { O_XS = 256, O_HV, O_STATE, O_ENGINE, O_VERSION, O_NO_SANDBOX };
	static const struct option longopts[] = {{"xs-socket", required_argument, NULL, O_XS},
	                                         {"hv-socket", required_argument, NULL, O_HV},
	                                         {"state-dir", required_argument, NULL, O_STATE},
	                                         {"io-engine", required_argument, NULL, O_ENGINE},
	                                         {"verbose", no_argument, NULL, 'v'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {"version", no_argument, NULL, O_VERSION},
	                                         {"no-sandbox", no_argument, NULL, O_NO_SANDBOX},
	                                         {NULL, 0, NULL, 0}};
	struct blkd bd = {0};
	struct shoji_backend_config cfg = {0};
	struct event *sigterm = NULL, *sigint = NULL, *eng_ev = NULL;
	enum blk_engine_kind kind = BLK_ENGINE_AUTO;
	const char *state_dir = NULL;
	char why[160], pidpath[512];
	bool no_sandbox = false;
	int opt, rc = 1;

	log_init("shoji-blkback");
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case O_XS:
			cfg.xs_socket = optarg;
			break;
		case O_HV:
			cfg.hv_socket = optarg;
			break;
		case O_STATE:
			state_dir = optarg;
			break;
		case O_ENGINE:
			if (!strcmp(optarg, "auto"))
				kind = BLK_ENGINE_AUTO;
			else if (!strcmp(optarg, "io_uring"))
				kind = BLK_ENGINE_URING;
			else if (!strcmp(optarg, "threads"))
				kind = BLK_ENGINE_THREADS;
			else {
				log_warnx(
				    "--io-engine: expected auto, io_uring or threads, got '%s'",
				    optarg);
				return 2;
			}
			break;
		case 'v':
			bd.verbose = true;
			log_set_verbose(true);
			break;
		case 'h':
			return usage(stdout, 0);
		case O_NO_SANDBOX:
			no_sandbox = true;
			break;
		case O_VERSION:
			printf("shoji-blkback %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return usage(stderr, 2);
		}
	}
	if (optind != argc)
		return usage(stderr, 2);
	signal(SIGPIPE, SIG_IGN);
	bd.engine = blk_engine_new(kind, ENGINE_DEPTH, why, sizeof(why));
	if (!bd.engine) {
		log_warnx("no I/O engine: %s", why[0] ? why : strerror(errno));
		return 1;
	}
	if (why[0])
		log_info("I/O engine: %s (io_uring unavailable: %s)", blk_engine_name(bd.engine),
		         why);
	else
		log_info("I/O engine: %s", blk_engine_name(bd.engine));
	the_blkd = &bd;
	cfg.log = backend_log;
	cfg.log_arg = &bd;
	bd.be = shoji_backend_new(&cfg);
	if (!bd.be)
		goto out;
	sigterm = evsignal_new(shoji_backend_event_base(bd.be), SIGTERM, on_signal, bd.be);
	sigint = evsignal_new(shoji_backend_event_base(bd.be), SIGINT, on_signal, bd.be);
	eng_ev = event_new(shoji_backend_event_base(bd.be), blk_engine_fd(bd.engine),
	                   EV_READ | EV_PERSIST, on_engine, bd.engine);
	if (!sigterm || !sigint || !eng_ev || evsignal_add(sigterm, NULL) < 0 ||
	    evsignal_add(sigint, NULL) < 0 || event_add(eng_ev, NULL) < 0 ||
	    shoji_backend_register(bd.be, &vbd_ops) < 0) {
		log_warnx("cannot set up: %s", strerror(errno));
		goto out;
	}
	if (state_dir) {
		if (snprintf(pidpath, sizeof(pidpath), "%s/shoji-blkback.pid", state_dir) >=
		        (int)sizeof(pidpath) ||
		    pidfile_write(pidpath) < 0) {
			log_warnx("cannot write %s/shoji-blkback.pid: %s", state_dir,
			          strerror(errno));
			goto out;
		}
	}
	if (sandbox_enter(&sandbox_blkback, no_sandbox) != 0) {
		log_warn("cannot install the seccomp filter");
		goto out;
	}
	log_debug("ready");
	rc = shoji_backend_run(bd.be) < 0 ? 1 : 0;
out:
	if (eng_ev)
		event_free(eng_ev);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	shoji_backend_free(bd.be); /* disconnects every device: in-flight I/O finishes */
	blk_engine_free(bd.engine);
	return rc;
}
