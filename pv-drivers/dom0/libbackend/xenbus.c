/*
 * xenbus.c: device classes on libshoji-backend.  Each class watches
 * /local/domain/0/backend/<type>; each device under it gets the xenbus
 * handshake with its frontend (whose path the toolstack wrote in the
 * device's "frontend" node), and the rings and port it maps and binds are
 * released when it disconnects.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <shoji/io/xenbus.h>
#include <shoji/libgnttab.h>
#include <shoji/xs.h>

#include "backend-internal.h"

#define DEV_MAX_RINGS 8

struct bk_class {
	struct bk_class *next;
	struct shoji_backend *be;
	const struct shoji_backend_ops *ops;
	char root[64]; /* /local/domain/0/backend/<type> */
	struct shoji_backend_watch *watch;
	struct shoji_backend_dev *devs;
};

struct shoji_backend_dev {
	struct shoji_backend_dev *next;
	struct bk_class *cls;
	uint32_t domid, devid;
	char bpath[128];
	char *fpath;
	struct shoji_backend_watch *fwatch; /* <frontend>/state */
	enum xenbus_state state;            /* ours, as written */
	bool connected;
	bool detached; /* the toolstack set online=0: Closed, and stays so */
	bool adopting; /* the node says Connected from a backend before us; not yet rewritten */
	void *priv;
	void *rings[DEV_MAX_RINGS];
	unsigned int nrings;
	int port;                       /* -1: none */
	uint32_t xports[DEV_MAX_RINGS]; /* shoji_backend_dev_bind_extra's */
	unsigned int nxports;
};

struct shoji_backend *shoji_backend_dev_backend(const struct shoji_backend_dev *dev)
{
	return dev->cls->be;
}

uint32_t shoji_backend_dev_domid(const struct shoji_backend_dev *dev)
{
	return dev->domid;
}

uint32_t shoji_backend_dev_devid(const struct shoji_backend_dev *dev)
{
	return dev->devid;
}

const char *shoji_backend_dev_backend_path(const struct shoji_backend_dev *dev)
{
	return dev->bpath;
}

const char *shoji_backend_dev_frontend_path(const struct shoji_backend_dev *dev)
{
	return dev->fpath;
}

void *shoji_backend_dev_priv(const struct shoji_backend_dev *dev)
{
	return dev->priv;
}

void shoji_backend_dev_set_priv(struct shoji_backend_dev *dev, void *priv)
{
	dev->priv = priv;
}

static struct shoji_xs *xs_of(const struct shoji_backend_dev *dev)
{
	return shoji_backend_xs(dev->cls->be);
}

char *shoji_backend_dev_read(struct shoji_backend_dev *dev, const char *node)
{
	char path[256];

	if (snprintf(path, sizeof(path), "%s/%s", dev->fpath, node) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return shoji_xs_read(xs_of(dev), SHOJI_XS_NO_TX, path, NULL);
}

char *shoji_backend_dev_read_backend(struct shoji_backend_dev *dev, const char *node)
{
	char path[256];

	if (snprintf(path, sizeof(path), "%s/%s", dev->bpath, node) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	return shoji_xs_read(xs_of(dev), SHOJI_XS_NO_TX, path, NULL);
}

/* Parse a whole decimal number; EINVAL for anything else. */
static int parse_ulong(const char *s, unsigned long *value)
{
	char *end;

	if (!s || *s < '0' || *s > '9') {
		errno = EINVAL;
		return -1;
	}
	errno = 0;
	*value = strtoul(s, &end, 10);
	if (errno || *end) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int shoji_backend_dev_read_ulong(struct shoji_backend_dev *dev, const char *node,
                                 unsigned long *value)
{
	char *s = shoji_backend_dev_read(dev, node);
	int rc;

	if (!s)
		return -1;
	rc = parse_ulong(s, value);
	free(s);
	return rc;
}

int shoji_backend_dev_write(struct shoji_backend_dev *dev, const char *node, const char *value)
{
	char path[256];

	if (snprintf(path, sizeof(path), "%s/%s", dev->bpath, node) >= (int)sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return shoji_xs_write(xs_of(dev), SHOJI_XS_NO_TX, path, value, (unsigned int)strlen(value));
}

void *shoji_backend_dev_map_ring(struct shoji_backend_dev *dev, const char *ref_node)
{
	unsigned long ref;
	void *p;

	if (dev->nrings == DEV_MAX_RINGS) {
		errno = ENOSPC;
		return NULL;
	}
	if (shoji_backend_dev_read_ulong(dev, ref_node, &ref) < 0)
		return NULL;
	if (ref > UINT32_MAX) {
		errno = EINVAL;
		return NULL;
	}
	p = shoji_gnttab_map_grant_ref(shoji_backend_gnttab(dev->cls->be), dev->domid,
	                               (uint32_t)ref, PROT_READ | PROT_WRITE);
	if (p)
		dev->rings[dev->nrings++] = p;
	return p;
}

static void dev_event(struct shoji_backend *be, uint32_t port, void *arg)
{
	struct shoji_backend_dev *dev = arg;

	if (dev->connected && dev->cls->ops->event)
		dev->cls->ops->event(dev);
}

/* Bind the port the frontend wrote in @port_node, events to @fn.  The local port or -1. */
static int bind_node(struct shoji_backend_dev *dev, const char *port_node,
                     shoji_backend_event_fn *fn, void *arg)
{
	unsigned long remote;

	if (shoji_backend_dev_read_ulong(dev, port_node, &remote) < 0)
		return -1;
	if (remote > UINT32_MAX) {
		errno = EINVAL;
		return -1;
	}
	return shoji_backend_bind(dev->cls->be, dev->domid, (uint32_t)remote, fn, arg);
}

int shoji_backend_dev_bind(struct shoji_backend_dev *dev, const char *port_node)
{
	int port;

	if (dev->port >= 0) {
		errno = EBUSY;
		return -1;
	}
	port = bind_node(dev, port_node, dev_event, dev);
	if (port >= 0)
		dev->port = port;
	return port;
}

int shoji_backend_dev_bind_extra(struct shoji_backend_dev *dev, const char *port_node,
                                 shoji_backend_event_fn *fn, void *arg)
{
	int port;

	if (!fn) {
		errno = EINVAL;
		return -1;
	}
	if (dev->nxports == DEV_MAX_RINGS) {
		errno = ENOSPC;
		return -1;
	}
	port = bind_node(dev, port_node, fn, arg);
	if (port >= 0)
		dev->xports[dev->nxports++] = (uint32_t)port;
	return port;
}

int shoji_backend_dev_notify(struct shoji_backend_dev *dev)
{
	if (dev->port < 0) {
		errno = ENOTCONN;
		return -1;
	}
	return shoji_backend_notify(dev->cls->be, (uint32_t)dev->port);
}

/* --- state machine --- */

static void set_state(struct shoji_backend_dev *dev, enum xenbus_state s)
{
	char v[4];

	if (dev->state == s)
		return;
	dev->state = s;
	snprintf(v, sizeof(v), "%d", (int)s);
	if (shoji_backend_dev_write(dev, "state", v) < 0)
		shoji_backend_log(dev->cls->be, SHOJI_BACKEND_LOG_WARN,
		                  "%s: cannot write state: %s", dev->bpath, strerror(errno));
}

/* Undo connect and release what the device mapped and bound. */
static void dev_disconnect(struct shoji_backend_dev *dev)
{
	struct shoji_backend *be = dev->cls->be;

	if (dev->connected && dev->cls->ops->disconnect)
		dev->cls->ops->disconnect(dev);
	dev->connected = false;
	while (dev->nrings > 0)
		shoji_gnttab_unmap(shoji_backend_gnttab(be), dev->rings[--dev->nrings], 1);
	if (dev->port >= 0)
		shoji_backend_unbind(be, (uint32_t)dev->port);
	dev->port = -1;
	while (dev->nxports > 0)
		shoji_backend_unbind(be, dev->xports[--dev->nxports]);
}

/* Take the device down to Closing with @why in its error node. */
static void dev_fail(struct shoji_backend_dev *dev, const char *why)
{
	dev_disconnect(dev);
	shoji_backend_dev_write(dev, "error", why);
	set_state(dev, XenbusStateClosing);
}

int shoji_backend_dev_close(struct shoji_backend_dev *dev, const char *why)
{
	if (!why || !*why) {
		errno = EINVAL;
		return -1;
	}
	shoji_backend_log(dev->cls->be, SHOJI_BACKEND_LOG_WARN, "%s: closing: %s", dev->bpath, why);
	dev_fail(dev, why);
	return 0;
}

static void dev_connect(struct shoji_backend_dev *dev)
{
	struct shoji_backend *be = dev->cls->be;

	if (dev->cls->ops->connect(dev) < 0) {
		int err = errno;

		shoji_backend_log(be, SHOJI_BACKEND_LOG_WARN, "%s: connect failed: %s", dev->bpath,
		                  strerror(err));
		dev_fail(dev, strerror(err));
		return;
	}
	dev->connected = true;
	set_state(dev, XenbusStateConnected);
	shoji_backend_log(be, SHOJI_BACKEND_LOG_INFO, "%s: connected", dev->bpath);
}

/* The frontend's state changed: take the matching backend step. */
static void frontend_changed(struct shoji_backend *be, const char *path, void *arg)
{
	struct shoji_backend_dev *dev = arg;
	unsigned long fs = XenbusStateUnknown;
	char *s = shoji_backend_dev_read(dev, "state");

	if (s && parse_ulong(s, &fs) < 0)
		fs = XenbusStateUnknown;
	free(s);
	if (dev->detached)
		return;
	if (dev->adopting) {
		dev->adopting = false;
		if (fs != XenbusStateConnected) { /* a new handshake: show InitWait for real */
			dev->state = XenbusStateUnknown;
			set_state(dev, XenbusStateInitWait);
		}
	}
	switch (fs) {
	case XenbusStateInitialising:
	case XenbusStateInitWait:
		if (dev->state == XenbusStateClosed) /* the frontend reconnects */
			set_state(dev, XenbusStateInitWait);
		break;
	case XenbusStateInitialised:
	case XenbusStateConnected:
		if (!dev->connected && dev->state == XenbusStateInitWait)
			dev_connect(dev);
		break;
	case XenbusStateClosing:
		dev_disconnect(dev);
		set_state(dev, XenbusStateClosing);
		break;
	default: /* Closed, Unknown (node gone), anything else */
		if (dev->state == XenbusStateInitWait && fs != XenbusStateClosed &&
		    fs != XenbusStateUnknown)
			break;
		dev_disconnect(dev);
		set_state(dev, XenbusStateClosed);
		break;
	}
}

static void dev_free(struct shoji_backend_dev *dev)
{
	struct shoji_backend *be = dev->cls->be;

	dev_disconnect(dev);
	if (dev->cls->ops->remove)
		dev->cls->ops->remove(dev);
	shoji_backend_unwatch(be, dev->fwatch);
	free(dev->fpath);
	free(dev);
}

static void dev_remove(struct bk_class *cls, struct shoji_backend_dev *dev)
{
	for (struct shoji_backend_dev **pp = &cls->devs; *pp; pp = &(*pp)->next) {
		if (*pp == dev) {
			*pp = dev->next;
			break;
		}
	}
	shoji_backend_log(cls->be, SHOJI_BACKEND_LOG_INFO, "%s: removed", dev->bpath);
	dev_free(dev);
}

static struct shoji_backend_dev *dev_find(struct bk_class *cls, uint32_t domid, uint32_t devid)
{
	for (struct shoji_backend_dev *d = cls->devs; d; d = d->next)
		if (d->domid == domid && d->devid == devid)
			return d;
	return NULL;
}

/*
 * Hot-detach: the toolstack wrote online=0 (and state Closing, before or
 * after): disconnect, then Closed, written again if the toolstack's
 * Closing lands after ours.
 */
static void dev_check_online(struct shoji_backend_dev *dev)
{
	char *v;

	if (!dev->detached) {
		v = shoji_backend_dev_read_backend(dev, "online");
		if (v && !strcmp(v, "0")) {
			dev->detached = true;
			shoji_backend_log(dev->cls->be, SHOJI_BACKEND_LOG_INFO, "%s: detached",
			                  dev->bpath);
			dev_disconnect(dev);
		}
		free(v);
	}
	if (!dev->detached)
		return;
	v = shoji_backend_dev_read_backend(dev, "state");
	if (!v || strcmp(v, "6")) {
		dev->state = XenbusStateUnknown;
		set_state(dev, XenbusStateClosed);
	}
	free(v);
}

/* The backend state node says Connected: a backend before us served the device. */
static bool dev_was_connected(struct shoji_backend_dev *dev)
{
	char *s = shoji_backend_dev_read_backend(dev, "state");
	unsigned long v;
	bool yes = s && parse_ulong(s, &v) == 0 && v == XenbusStateConnected;

	free(s);
	return yes;
}

/* Make sure device (domid, devid) exists iff its backend directory has a frontend node. */
static void dev_sync(struct bk_class *cls, uint32_t domid, uint32_t devid)
{
	struct shoji_backend *be = cls->be;
	struct shoji_backend_dev *dev = dev_find(cls, domid, devid);
	char path[192];
	char *fpath;

	snprintf(path, sizeof(path), "%s/%" PRIu32 "/%" PRIu32 "/frontend", cls->root, domid,
	         devid);
	fpath = shoji_xs_read(shoji_backend_xs(be), SHOJI_XS_NO_TX, path, NULL);
	if (!fpath || !*fpath) {
		free(fpath);
		if (dev)
			dev_remove(cls, dev);
		return;
	}
	if (dev) {
		free(fpath);
		dev_check_online(dev);
		return;
	}
	dev = calloc(1, sizeof(*dev));
	if (!dev || shoji_backend_track_domain(be, domid) < 0) {
		free(dev);
		free(fpath);
		return;
	}
	dev->cls = cls;
	dev->domid = domid;
	dev->devid = devid;
	dev->fpath = fpath;
	dev->port = -1;
	dev->state = XenbusStateUnknown;
	snprintf(dev->bpath, sizeof(dev->bpath), "%s/%" PRIu32 "/%" PRIu32, cls->root, domid,
	         devid);
	if (cls->ops->probe && cls->ops->probe(dev) < 0) {
		shoji_backend_log(be, SHOJI_BACKEND_LOG_WARN, "%s: refused by the device class",
		                  dev->bpath);
		free(dev->fpath);
		free(dev);
		return;
	}
	dev->next = cls->devs;
	cls->devs = dev;
	if (dev_was_connected(dev)) {
		/* Adopt it: reconnect when the frontend is (still) Connected, without
		 * showing it InitWait in between. */
		shoji_backend_log(be, SHOJI_BACKEND_LOG_INFO, "%s: adopting connected device",
		                  dev->bpath);
		dev->state = XenbusStateInitWait;
		dev->adopting = true;
	} else {
		shoji_backend_log(be, SHOJI_BACKEND_LOG_INFO, "%s: new device, frontend %s",
		                  dev->bpath, dev->fpath);
		set_state(dev, XenbusStateInitWait);
	}
	dev_check_online(dev);
	if (dev->detached)
		return;
	snprintf(path, sizeof(path), "%s/state", dev->fpath);
	dev->fwatch = shoji_backend_watch(be, path, frontend_changed, dev);
	if (!dev->fwatch) {
		shoji_backend_log(be, SHOJI_BACKEND_LOG_WARN, "%s: cannot watch %s: %s", dev->bpath,
		                  path, strerror(errno));
		dev_remove(cls, dev);
	}
}

/* Parse "<domid>/<devid>" at the start of @rel (rest ignored); false if absent. */
static bool parse_ids(const char *rel, uint32_t *domid, uint32_t *devid, bool *have_devid)
{
	char *end;
	unsigned long v;

	if (*rel < '0' || *rel > '9')
		return false;
	v = strtoul(rel, &end, 10);
	if (v > UINT32_MAX || (*end && *end != '/'))
		return false;
	*domid = (uint32_t)v;
	*have_devid = false;
	if (*end != '/' || end[1] < '0' || end[1] > '9')
		return true;
	v = strtoul(end + 1, &end, 10);
	if (v > UINT32_MAX || (*end && *end != '/'))
		return false;
	*devid = (uint32_t)v;
	*have_devid = true;
	return true;
}

/* Sync every device under root (or under root/<domid>). */
static void class_scan(struct bk_class *cls, const uint32_t *only_domid)
{
	struct shoji_xs *xs = shoji_backend_xs(cls->be);
	char path[128];
	char **doms;
	unsigned int ndoms = 0;

	doms = shoji_xs_directory(xs, SHOJI_XS_NO_TX, cls->root, &ndoms);
	for (unsigned int i = 0; doms && i < ndoms; i++) {
		unsigned long domid;
		char **devs;
		unsigned int ndevs = 0;

		if (parse_ulong(doms[i], &domid) < 0 || domid > UINT32_MAX)
			continue;
		if (only_domid && *only_domid != domid)
			continue;
		snprintf(path, sizeof(path), "%s/%s", cls->root, doms[i]);
		devs = shoji_xs_directory(xs, SHOJI_XS_NO_TX, path, &ndevs);
		for (unsigned int j = 0; devs && j < ndevs; j++) {
			unsigned long devid;

			if (parse_ulong(devs[j], &devid) == 0 && devid <= UINT32_MAX)
				dev_sync(cls, (uint32_t)domid, (uint32_t)devid);
		}
		free(devs);
	}
	free(doms);
	/* Devices whose directory vanished with a whole subtree. */
	for (struct shoji_backend_dev *d = cls->devs, *next; d; d = next) {
		next = d->next;
		if (!only_domid || *only_domid == d->domid)
			dev_sync(cls, d->domid, d->devid);
	}
}

static void class_changed(struct shoji_backend *be, const char *path, void *arg)
{
	struct bk_class *cls = arg;
	size_t n = strlen(cls->root);
	uint32_t domid = 0, devid = 0;
	bool have_devid;

	if (strncmp(path, cls->root, n) != 0 || (path[n] != '/' && path[n] != '\0'))
		return;
	if (path[n] == '\0' || !parse_ids(path + n + 1, &domid, &devid, &have_devid)) {
		class_scan(cls, NULL);
		return;
	}
	if (have_devid)
		dev_sync(cls, domid, devid);
	else
		class_scan(cls, &domid);
}

int shoji_backend_register(struct shoji_backend *be, const struct shoji_backend_ops *ops)
{
	struct bk_xenbus *xb = backend_xenbus(be);
	struct bk_class *cls;

	if (!ops || !ops->type || !*ops->type || strchr(ops->type, '/') || !ops->connect) {
		errno = EINVAL;
		return -1;
	}
	cls = calloc(1, sizeof(*cls));
	if (!cls)
		return -1;
	cls->be = be;
	cls->ops = ops;
	if (snprintf(cls->root, sizeof(cls->root), "/local/domain/0/backend/%s", ops->type) >=
	    (int)sizeof(cls->root)) {
		free(cls);
		errno = ENAMETOOLONG;
		return -1;
	}
	cls->watch = shoji_backend_watch(be, cls->root, class_changed, cls);
	if (!cls->watch) {
		free(cls);
		return -1;
	}
	cls->next = xb->classes;
	xb->classes = cls;
	return 0;
}

void xenbus_domain_gone(struct shoji_backend *be, uint32_t domid)
{
	for (struct bk_class *cls = backend_xenbus(be)->classes; cls; cls = cls->next) {
		for (struct shoji_backend_dev *d = cls->devs, *next; d; d = next) {
			next = d->next;
			if (d->domid == domid)
				dev_remove(cls, d);
		}
	}
}

void xenbus_free_all(struct shoji_backend *be)
{
	struct bk_xenbus *xb = backend_xenbus(be);

	while (xb->classes) {
		struct bk_class *cls = xb->classes;

		xb->classes = cls->next;
		while (cls->devs) {
			struct shoji_backend_dev *d = cls->devs;

			cls->devs = d->next;
			dev_free(d);
		}
		shoji_backend_unwatch(be, cls->watch);
		free(cls);
	}
}
