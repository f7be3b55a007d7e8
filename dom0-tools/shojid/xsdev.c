/*
 * The xenstore side of a PV device, whatever its class (vbd.c, vif.c):
 *
 *   /local/domain/0/backend/CLASS/DOMID/DEVID   the backend's directory
 *   /local/domain/DOMID/device/CLASS/DEVID      the frontend's directory
 *
 * A class writes both in one transaction (xsdev_transaction, retried on a
 * conflict, with put/mkdir that stop at the first failure and name it);
 * closing, reading the backend's state and removal are the same for every
 * class.  Everything here takes the xenstore handle alone, so that the unit
 * tests run it against a private shoji-xenstored.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/io/xenbus.h>

#include "shojid.h"

struct xsdev_tx {
	struct shoji_xs *xs;
	shoji_xs_tx_t t;
	char failed[XSDEV_PATH_MAX + 32]; /* what could not be written first ("": nothing) */
};

void xsdev_fail(struct xsdev_tx *x, const char *what)
{
	int err = errno;

	if (!x->failed[0])
		snprintf(x->failed, sizeof(x->failed), "%s", what);
	errno = err;
}

void xsdev_put(struct xsdev_tx *x, const char *dir, const char *name, const char *fmt, ...)
{
	char path[XSDEV_PATH_MAX + 32], val[XSDEV_PATH_MAX];
	va_list ap;

	if (x->failed[0])
		return;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (shoji_xs_write(x->xs, x->t, path, val, (unsigned int)strlen(val)) < 0)
		xsdev_fail(x, path);
}

void xsdev_mkdir(struct xsdev_tx *x, const char *dir, uint32_t owner, uint32_t reader)
{
	const struct shoji_xs_perm perms[2] = {{owner, SHOJI_XS_PERM_NONE},
	                                       {reader, SHOJI_XS_PERM_READ}};

	if (x->failed[0])
		return;
	if (shoji_xs_mkdir(x->xs, x->t, dir) < 0 ||
	    shoji_xs_set_perms(x->xs, x->t, dir, perms, 2) < 0)
		xsdev_fail(x, dir);
}

void xsdev_absent(struct xsdev_tx *x, const char *dir)
{
	unsigned int n;
	char *v;

	if (x->failed[0])
		return;
	v = shoji_xs_read(x->xs, x->t, dir, &n);
	if (v || errno != ENOENT) {
		errno = v ? EEXIST : errno;
		xsdev_fail(x, dir);
	}
	free(v);
}

bool xsdev_exists(struct xsdev_tx *x, const char *path)
{
	unsigned int n;
	char *v = shoji_xs_read(x->xs, x->t, path, &n);

	free(v);
	return v != NULL;
}

int xsdev_transaction(struct shoji_xs *xs, const char *what,
                      void (*fn)(struct xsdev_tx *, const void *), const void *arg,
                      struct sd_err *e)
{
	struct xsdev_tx x = {.xs = xs};
	int err = 0;

	for (int attempt = 0; attempt < 20; attempt++) {
		x.failed[0] = '\0';
		x.t = shoji_xs_transaction_start(xs);
		if (x.t == SHOJI_XS_NO_TX)
			return sd_fail(e, errno, "xenstore: cannot start a transaction: %s",
			               strerror(errno));
		fn(&x, arg);
		if (x.failed[0]) {
			err = errno;
			shoji_xs_transaction_end(xs, x.t, true);
			return sd_fail(e, err, "xenstore: cannot write %s for %s: %s", x.failed,
			               what, strerror(err));
		}
		if (shoji_xs_transaction_end(xs, x.t, false) == 0)
			return 0;
		err = errno;
		if (err != EAGAIN)
			break;
	}
	return sd_fail(e, err, "xenstore: cannot commit %s: %s", what, strerror(err));
}

void xsdev_paths(const char *cls, uint32_t domid, long devid, char *be, char *fe)
{
	snprintf(be, XSDEV_PATH_MAX, "/local/domain/0/backend/%s/%" PRIu32 "/%ld", cls, domid,
	         devid);
	snprintf(fe, XSDEV_PATH_MAX, "/local/domain/%" PRIu32 "/device/%s/%ld", domid, cls, devid);
}

struct close_arg {
	const char *cls;
	uint32_t domid;
	long devid;
};

static void close_fn(struct xsdev_tx *x, const void *arg)
{
	const struct close_arg *a = arg;
	char be[XSDEV_PATH_MAX], fe[XSDEV_PATH_MAX], state[XSDEV_PATH_MAX + 8];

	xsdev_paths(a->cls, a->domid, a->devid, be, fe);
	snprintf(state, sizeof(state), "%s/state", be);
	if (!xsdev_exists(x, state)) { /* only an existing device is closed */
		xsdev_fail(x, state);
		return;
	}
	xsdev_put(x, be, "online", "0");
	xsdev_put(x, be, "state", "%d", XenbusStateClosing);
}

int xsdev_close(struct shoji_xs *xs, const char *cls, uint32_t domid, long devid, struct sd_err *e)
{
	const struct close_arg a = {.cls = cls, .domid = domid, .devid = devid};

	return xsdev_transaction(xs, "the device", close_fn, &a, e);
}

int xsdev_read_int(struct shoji_xs *xs, const char *dir, const char *name)
{
	char path[XSDEV_PATH_MAX + 32], *v, *end;
	unsigned int n;
	long r;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	v = shoji_xs_read(xs, SHOJI_XS_NO_TX, path, &n);
	if (!v)
		return -1;
	errno = 0;
	r = strtol(v, &end, 10);
	if (errno || end == v || *end || r < 0 || r > INT32_MAX)
		r = -1;
	free(v);
	return (int)r;
}

int xsdev_backend_state(struct shoji_xs *xs, const char *cls, uint32_t domid, long devid)
{
	char be[XSDEV_PATH_MAX], fe[XSDEV_PATH_MAX];

	xsdev_paths(cls, domid, devid, be, fe);
	return xsdev_read_int(xs, be, "state");
}

void xsdev_remove(struct shoji_xs *xs, const char *cls, uint32_t domid, long devid)
{
	char be[XSDEV_PATH_MAX], fe[XSDEV_PATH_MAX];

	xsdev_paths(cls, domid, devid, be, fe);
	for (int i = 0; i < 2; i++)
		if (shoji_xs_rm(xs, SHOJI_XS_NO_TX, i ? fe : be) < 0 && errno != ENOENT)
			log_warnx("xenstore: cannot remove %s: %s", i ? fe : be, strerror(errno));
}

void xsdev_remove_all(struct shoji_xs *xs, const char *cls, uint32_t domid)
{
	char path[XSDEV_PATH_MAX];

	snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%" PRIu32, cls, domid);
	if (shoji_xs_rm(xs, SHOJI_XS_NO_TX, path) < 0 && errno != ENOENT)
		log_warnx("xenstore: cannot remove %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/device/%s", domid, cls);
	if (shoji_xs_rm(xs, SHOJI_XS_NO_TX, path) < 0 && errno != ENOENT)
		log_warnx("xenstore: cannot remove %s: %s", path, strerror(errno));
}
