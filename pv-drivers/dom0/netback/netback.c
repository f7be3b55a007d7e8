/*
 * shoji-netback: the PV network backend.  One process serves every
 * domain's vif devices (/local/domain/0/backend/vif/<domid>/<devid>)
 * through libshoji-backend's xenbus device class, in Xen's netif protocol
 * (rx-copy mode): at probe it creates (or attaches to) the vif's TAP
 * device, named by the toolstack's vifname node or vifDOMID.DEVID, puts
 * it on the bridge the bridge node names, and publishes what it offers;
 * at connect it maps each queue's tx and rx rings, binds their event
 * channels (one, or split tx/rx) and moves packets (vif_queue.c) between
 * them and the TAP, whose carrier follows the frontend.  The TAP is
 * persistent: a restarted backend adopts Connected vifs, rings and TAP as
 * they stand; it is removed when the vif is detached or its domain dies.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include <shoji/backend.h>
#include <shoji/libgnttab.h>

#include "log.h"
#include "pidfile.h"
#include "sandbox.h"
#include "tap.h"
#include "vif_queue.h"

#define MAX_QUEUES 4 /* multi-queue-max-queues: two rings and up to two ports each */

struct netd {
	struct shoji_backend *be;
	struct vif *vifs; /* every probed vif, for the statistics */
	bool verbose;
	bool stopping; /* the process exits: keep the TAPs for the next one */
};

struct vif;

struct vif_q {
	struct vif *v;
	struct vif_queue *ring;
	int fd;               /* the TAP queue's fd (queue 0: the vif's own) */
	int port_tx, port_rx; /* local ports; the same one unless split */
	struct event *tap_ev;
};

struct vif {
	struct vif *next;
	struct netd *nd;
	struct shoji_backend_dev *dev;
	char name[IFNAMSIZ];
	int fd; /* queue 0 of the TAP, open from probe to remove */
	struct vif_q q[MAX_QUEUES];
	unsigned int nq;
	struct vif_stats stats, written;
	struct event *close_ev;
	char close_why[160];
	struct log_limit bad_log;
};

static struct netd *the_netd; /* for the ops callbacks, which get only the device */

static void backend_log(void *arg, enum shoji_backend_log_level level, const char *msg)
{
	struct netd *nd = arg;

	if (level <= SHOJI_BACKEND_LOG_WARN)
		log_warnx("%s", msg);
	else if (level == SHOJI_BACKEND_LOG_INFO || nd->verbose)
		log_info("%s", msg);
}

static const char *bpath(const struct vif *v)
{
	return shoji_backend_dev_backend_path(v->dev);
}

/* --- the rings' callbacks --- */

static void notify_tx(void *arg)
{
	struct vif_q *q = arg;

	shoji_backend_notify(q->v->nd->be, (uint32_t)q->port_tx);
}

static void notify_rx(void *arg)
{
	struct vif_q *q = arg;

	shoji_backend_notify(q->v->nd->be, (uint32_t)q->port_rx);
}

static void rx_pause(void *arg, bool paused)
{
	struct vif_q *q = arg;

	if (paused)
		event_del(q->tap_ev);
	else
		event_add(q->tap_ev, NULL);
}

static void close_deferred(evutil_socket_t fd, short what, void *arg)
{
	struct vif *v = arg;

	shoji_backend_dev_close(v->dev, v->close_why);
}

static void ring_broken(void *arg, const char *why)
{
	struct vif *v = ((struct vif_q *)arg)->v;

	snprintf(v->close_why, sizeof(v->close_why), "corrupt ring: %s", why);
	log_warnx("%s: %s", bpath(v), v->close_why);
	event_active(v->close_ev, EV_TIMEOUT, 0);
}

static void bad_packet(void *arg, const char *why)
{
	struct vif *v = ((struct vif_q *)arg)->v;

	log_warnx_limited(&v->bad_log, "%s: tx packet dropped: %s", bpath(v), why);
}

static void on_tap(evutil_socket_t fd, short what, void *arg)
{
	struct vif_q *q = arg;

	if (q->ring)
		vif_queue_rx_kick(q->ring);
}

/* One port for both rings, or the tx or rx port of a split pair. */
static void on_port(struct shoji_backend *be, uint32_t port, void *arg)
{
	struct vif_q *q = arg;

	if (!q->ring)
		return;
	if (port == (uint32_t)q->port_tx)
		vif_queue_tx_kick(q->ring);
	if (port == (uint32_t)q->port_rx)
		vif_queue_rx_kick(q->ring);
}

/* --- the device class --- */

/* A backend node the toolstack wrote, or @def when it is absent. */
static char *read_node(struct vif *v, const char *node, const char *def)
{
	char *s = shoji_backend_dev_read_backend(v->dev, node);

	if (!s && def)
		s = strdup(def);
	return s;
}

/* Refuse the device with @why in its error node (written once: our write re-runs probe). */
static void refuse(struct vif *v, const char *why)
{
	char *old = read_node(v, "error", NULL);

	log_warnx("%s: %s", bpath(v), why);
	if (!old || strcmp(old, why))
		shoji_backend_dev_write(v->dev, "error", why);
	free(old);
}

/* A name the kernel takes for an interface: 1..15 characters, no '/', ':' or space. */
static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n < IFNAMSIZ && !strpbrk(s, "/: \t\n") && strcmp(s, ".") && strcmp(s, "..");
}

static int publish(struct vif *v)
{
	static const char *const features[][2] = {
	    {"feature-rx-copy", "1"},
	    {"feature-rx-flip", "0"},
	    {"feature-sg", "1"},
	    {"feature-gso-tcpv4", "1"},
	    {"feature-gso-tcpv6", "1"},
	    {"feature-ipv6-csum-offload", "1"},
	    {"feature-rx-notify", "1"},
	    {"feature-split-event-channels", "1"},
	    {"multi-queue-max-queues", "4"},
	};
	_Static_assert(MAX_QUEUES == 4, "multi-queue-max-queues as published");

	for (size_t i = 0; i < sizeof(features) / sizeof(features[0]); i++)
		if (shoji_backend_dev_write(v->dev, features[i][0], features[i][1]) < 0)
			return -1;
	return 0;
}

static int vif_probe(struct shoji_backend_dev *dev)
{
	struct vif *v = calloc(1, sizeof(*v));
	char *name = NULL, *bridge = NULL, def[IFNAMSIZ + 16], err[256];
	int rc = -1;

	if (!v)
		return -1;
	v->nd = the_netd;
	v->dev = dev;
	v->fd = -1;
	v->bad_log.interval = 5;
	snprintf(def, sizeof(def), "vif%" PRIu32 ".%" PRIu32, shoji_backend_dev_domid(dev),
	         shoji_backend_dev_devid(dev));
	name = read_node(v, "vifname", def);
	bridge = read_node(v, "bridge", "");
	if (!name || !bridge)
		goto out;
	if (!*name) {
		free(name);
		name = strdup(def);
	}
	if (!name || !ifname_ok(name)) {
		refuse(v, "vifname: expected an interface name of 1 to 15 characters");
		goto out;
	}
	if (*bridge && !ifname_ok(bridge)) {
		refuse(v, "bridge: expected an interface name of 1 to 15 characters");
		goto out;
	}
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->fd = tap_open(v->name, err, sizeof(err));
	if (v->fd < 0) {
		refuse(v, err);
		goto out;
	}
	if (tap_setup(v->name, bridge, err, sizeof(err)) < 0) {
		refuse(v, err);
		goto out;
	}
	tap_set_carrier(v->fd, v->name, false);
	v->close_ev = event_new(shoji_backend_event_base(v->nd->be), -1, 0, close_deferred, v);
	if (!v->close_ev || publish(v) < 0) {
		log_warnx("%s: cannot publish the vif: %s", bpath(v), strerror(errno));
		goto out;
	}
	log_info("%s: TAP %s%s%s", bpath(v), v->name, *bridge ? " on bridge " : "", bridge);
	shoji_backend_dev_set_priv(dev, v);
	v->next = v->nd->vifs;
	v->nd->vifs = v;
	rc = 0;
out:
	if (rc < 0) {
		tap_destroy(v->fd); /* nothing left behind */
		if (v->close_ev)
			event_free(v->close_ev);
		free(v);
	}
	free(name);
	free(bridge);
	return rc;
}

static void vif_remove(struct shoji_backend_dev *dev)
{
	struct vif *v = shoji_backend_dev_priv(dev);

	for (struct vif **pp = &v->nd->vifs; *pp; pp = &(*pp)->next) {
		if (*pp == v) {
			*pp = v->next;
			break;
		}
	}
	if (v->nd->stopping) {
		close(v->fd); /* the TAP stays for the next shoji-netback */
	} else {
		tap_destroy(v->fd);
		log_info("%s: TAP %s removed", bpath(v), v->name);
	}
	event_free(v->close_ev);
	free(v);
}

/* --- statistics: the backend nodes statistics/..., written each second when they moved --- */

static void write_stats(struct vif *v)
{
	const struct vif_stats *s = &v->stats;
	const struct {
		const char *node;
		uint64_t value;
	} n[] = {
	    {"statistics/tx-packets", s->tx_packets}, {"statistics/tx-bytes", s->tx_bytes},
	    {"statistics/tx-errors", s->tx_errors},   {"statistics/tx-dropped", s->tx_dropped},
	    {"statistics/rx-packets", s->rx_packets}, {"statistics/rx-bytes", s->rx_bytes},
	    {"statistics/rx-errors", s->rx_errors},
	};

	if (!memcmp(&v->stats, &v->written, sizeof(v->stats)))
		return;
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		char buf[24];

		snprintf(buf, sizeof(buf), "%" PRIu64, n[i].value);
		shoji_backend_dev_write(v->dev, n[i].node, buf);
	}
	v->written = v->stats;
}

/* Connected vifs only: a detached vif's directory may be gone, and a write would make it again. */
static void on_stats(evutil_socket_t fd, short what, void *arg)
{
	struct netd *nd = arg;

	for (struct vif *v = nd->vifs; v; v = v->next)
		if (v->nq > 0)
			write_stats(v);
}

static void vif_disconnect(struct shoji_backend_dev *dev)
{
	struct vif *v = shoji_backend_dev_priv(dev);
	char *online, *state = read_node(v, "state", NULL);

	if (state && v->nq > 0) /* the last counts, while the directory is there */
		write_stats(v);
	free(state);
	for (unsigned int i = 0; i < v->nq; i++) {
		struct vif_q *q = &v->q[i];

		if (q->tap_ev)
			event_free(q->tap_ev);
		q->tap_ev = NULL;
		vif_queue_free(q->ring);
		q->ring = NULL;
		if (i > 0 && q->fd >= 0)
			close(q->fd);
		q->fd = -1;
	}
	v->nq = 0;
	if (v->fd < 0)
		return;
	tap_set_carrier(v->fd, v->name, false);
	online = read_node(v, "online", NULL);
	if (online && !strcmp(online, "0") && !v->nd->stopping) { /* hot-detach */
		tap_destroy(v->fd);
		v->fd = -1;
		log_info("%s: detached, TAP %s removed", bpath(v), v->name);
	}
	free(online);
}

/* Frontend node @node as 0/1 (absent: @def). */
static bool fe_flag(struct vif *v, const char *node, bool def)
{
	unsigned long x;

	if (shoji_backend_dev_read_ulong(v->dev, node, &x) < 0)
		return def;
	return x == 1;
}

/* Queue @i's rings and ports from nodes under @pfx ("" or "queue-N/"). */
static int connect_queue(struct vif *v, unsigned int i, const char *pfx,
                         struct vif_queue_config *cfg)
{
	struct vif_q *q = &v->q[i];
	char node[48], err[256];
	char *split;

	q->v = v;
	q->fd = i == 0 ? v->fd : tap_open(v->name, err, sizeof(err));
	if (q->fd < 0) {
		log_warnx("%s: %s", bpath(v), err);
		return -1;
	}
	snprintf(node, sizeof(node), "%stx-ring-ref", pfx);
	cfg->tx_sring = shoji_backend_dev_map_ring(v->dev, node);
	snprintf(node, sizeof(node), "%srx-ring-ref", pfx);
	cfg->rx_sring = cfg->tx_sring ? shoji_backend_dev_map_ring(v->dev, node) : NULL;
	if (!cfg->rx_sring)
		return -1;
	snprintf(node, sizeof(node), "%sevent-channel-tx", pfx);
	split = shoji_backend_dev_read(v->dev, node);
	if (split) {
		free(split);
		q->port_tx = shoji_backend_dev_bind_extra(v->dev, node, on_port, q);
		snprintf(node, sizeof(node), "%sevent-channel-rx", pfx);
		q->port_rx =
		    q->port_tx < 0 ? -1 : shoji_backend_dev_bind_extra(v->dev, node, on_port, q);
	} else {
		snprintf(node, sizeof(node), "%sevent-channel", pfx);
		q->port_tx = q->port_rx = shoji_backend_dev_bind_extra(v->dev, node, on_port, q);
	}
	if (q->port_tx < 0 || q->port_rx < 0)
		return -1;
	q->tap_ev =
	    event_new(shoji_backend_event_base(v->nd->be), q->fd, EV_READ | EV_PERSIST, on_tap, q);
	if (!q->tap_ev)
		return -1;
	cfg->tap_fd = q->fd;
	cfg->arg = q;
	q->ring = vif_queue_new(cfg);
	if (!q->ring)
		return -1;
	return event_add(q->tap_ev, NULL);
}

/*
 * The frontend's side: rx-copy and rx-notify (required), what it takes on rx (sg, GSO,
 * checksum offload: the TAP's offloads), its queues, each queue's rings
 * and event channel(s).
 */
static int vif_connect(struct shoji_backend_dev *dev)
{
	struct vif *v = shoji_backend_dev_priv(dev);
	struct vif_queue_config cfg = {0};
	unsigned long queues = 1;
	unsigned int offload = 0;
	bool csum;

	if (v->fd < 0) {
		errno = ENODEV; /* detached */
		return -1;
	}
	if (!fe_flag(v, "request-rx-copy", false)) {
		log_warnx("%s: the frontend does not ask for rx-copy (the only rx mode offered)",
		          bpath(v));
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (!fe_flag(v, "feature-rx-notify", false)) { /* else posted buffers would go unseen */
		log_warnx(
		    "%s: the frontend does not offer feature-rx-notify (required, as by Linux)",
		    bpath(v));
		errno = EPROTONOSUPPORT;
		return -1;
	}
	if (shoji_backend_dev_read_ulong(dev, "multi-queue-num-queues", &queues) < 0)
		queues = 1;
	if (queues == 0 || queues > MAX_QUEUES) {
		errno = EINVAL; /* more than multi-queue-max-queues */
		return -1;
	}
	csum = !fe_flag(v, "feature-no-csum-offload", false) &&
	       fe_flag(v, "feature-ipv6-csum-offload", false);
	cfg.rx_sg = fe_flag(v, "feature-sg", false);
	if (csum) {
		offload = TUN_F_CSUM;
		if (cfg.rx_sg && fe_flag(v, "feature-gso-tcpv4", false))
			offload |= TUN_F_TSO4;
		if (cfg.rx_sg && fe_flag(v, "feature-gso-tcpv6", false))
			offload |= TUN_F_TSO6;
	}
	cfg.rx_gso = offload & (TUN_F_TSO4 | TUN_F_TSO6);
	if (tap_set_offload(v->fd, offload) < 0) {
		log_warnx("%s: cannot set the offloads of %s: %s", bpath(v), v->name,
		          strerror(errno));
		return -1;
	}
	cfg.tx = (struct net_tx_limits){.sg = true, .gso_tcpv4 = true, .gso_tcpv6 = true};
	cfg.gnttab = shoji_backend_gnttab(v->nd->be);
	cfg.domid = shoji_backend_dev_domid(dev);
	cfg.stats = &v->stats;
	cfg.notify_tx = notify_tx;
	cfg.notify_rx = notify_rx;
	cfg.rx_pause = rx_pause;
	cfg.broken = ring_broken;
	cfg.bad_packet = bad_packet;
	for (unsigned int i = 0; i < queues; i++) {
		char pfx[24] = "";

		memset(&v->q[i], 0, sizeof(v->q[i]));
		v->q[i].fd = -1;
		v->nq = i + 1;
		if (queues > 1)
			snprintf(pfx, sizeof(pfx), "queue-%u/", i);
		if (connect_queue(v, i, pfx, &cfg) < 0)
			goto fail;
	}
	tap_set_carrier(v->fd, v->name, true);
	for (unsigned int i = 0; i < v->nq; i++) { /* what was posted before we (re)connected */
		vif_queue_tx_kick(v->q[i].ring);
		vif_queue_rx_kick(v->q[i].ring);
	}
	log_info("%s: %lu queue(s), rx%s%s%s", bpath(v), queues, cfg.rx_sg ? " sg" : "",
	         csum ? " csum" : "", cfg.rx_gso ? " gso" : "");
	return 0;
fail:
	vif_disconnect(dev);
	return -1;
}

static const struct shoji_backend_ops vif_ops = {
    .type = "vif",
    .probe = vif_probe,
    .connect = vif_connect,
    .disconnect = vif_disconnect,
    .remove = vif_remove,
};

/* --- the process --- */

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	shoji_backend_stop(arg);
}

static int usage(FILE *out, int status)
{
	fprintf(out,
	        "usage: shoji-netback [--xs-socket PATH] [--hv-socket PATH] [--state-dir DIR]\n"
	        "                     [--verbose] [--no-sandbox] [--help] [--version]\n");
	return status;
}

int main(int argc, char **argv)
{
	enum { O_XS = 256, O_HV, O_STATE, O_VERSION, O_NO_SANDBOX };
	static const struct option longopts[] = {{"xs-socket", required_argument, NULL, O_XS},
	                                         {"hv-socket", required_argument, NULL, O_HV},
	                                         {"state-dir", required_argument, NULL, O_STATE},
	                                         {"verbose", no_argument, NULL, 'v'},
	                                         {"help", no_argument, NULL, 'h'},
	                                         {"version", no_argument, NULL, O_VERSION},
	                                         {"no-sandbox", no_argument, NULL, O_NO_SANDBOX},
	                                         {NULL, 0, NULL, 0}};
	struct netd nd = {0};
	struct shoji_backend_config cfg = {0};
	struct event *sigterm = NULL, *sigint = NULL, *stats = NULL;
	const struct timeval second = {1, 0};
	const char *state_dir = NULL;
	char pidpath[512];
	bool no_sandbox = false;
	int opt, rc = 1;

	log_init("shoji-netback");
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
		case 'v':
			nd.verbose = true;
			log_set_verbose(true);
			break;
		case 'h':
			return usage(stdout, 0);
		case O_NO_SANDBOX:
			no_sandbox = true;
			break;
		case O_VERSION:
			printf("shoji-netback %s\n", PACKAGE_VERSION);
			return 0;
		default:
			return usage(stderr, 2);
		}
	}
	if (optind != argc)
		return usage(stderr, 2);
	signal(SIGPIPE, SIG_IGN);
	the_netd = &nd;
	cfg.log = backend_log;
	cfg.log_arg = &nd;
	nd.be = shoji_backend_new(&cfg);
	if (!nd.be)
		goto out;
	sigterm = evsignal_new(shoji_backend_event_base(nd.be), SIGTERM, on_signal, nd.be);
	sigint = evsignal_new(shoji_backend_event_base(nd.be), SIGINT, on_signal, nd.be);
	stats = event_new(shoji_backend_event_base(nd.be), -1, EV_PERSIST, on_stats, &nd);
	if (!sigterm || !sigint || !stats || evsignal_add(sigterm, NULL) < 0 ||
	    evsignal_add(sigint, NULL) < 0 || event_add(stats, &second) < 0 ||
	    shoji_backend_register(nd.be, &vif_ops) < 0) {
		log_warnx("cannot set up: %s", strerror(errno));
		goto out;
	}
	if (state_dir) {
		if (snprintf(pidpath, sizeof(pidpath), "%s/shoji-netback.pid", state_dir) >=
		        (int)sizeof(pidpath) ||
		    pidfile_write(pidpath) < 0) {
			log_warnx("cannot write %s/shoji-netback.pid: %s", state_dir,
			          strerror(errno));
			goto out;
		}
	}
	if (sandbox_enter(&sandbox_netback, no_sandbox) != 0) {
		log_warn("cannot install the seccomp filter");
		goto out;
	}
	log_debug("ready");
	rc = shoji_backend_run(nd.be) < 0 ? 1 : 0;
out:
	nd.stopping = true; /* devices are freed below: their TAPs stay */
	if (stats)
		event_free(stats);
	if (sigterm)
		event_free(sigterm);
	if (sigint)
		event_free(sigint);
	shoji_backend_free(nd.be);
	return rc;
}
