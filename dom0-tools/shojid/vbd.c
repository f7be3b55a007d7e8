/*
 * PV block devices in xenstore: the contract between shojid and
 * shoji-blkback.  For disk DEVID of domain DOMID, one transaction writes
 *
 *   /local/domain/0/backend/vbd/DOMID/DEVID   n0 rDOMID  frontend, frontend-id,
 *        online, state, params, type, mode, device-type, dev, removable, bootable
 *   /local/domain/DOMID/device/vbd/DEVID      nDOMID r0  backend, backend-id,
 *        state, virtual-device, device-type
 *
 * (the permissions libxl gives them: each side owns its directory and the
 * other may read it).  Detaching writes online=0 and state=5 (Closing) to the
 * backend; once it says 6 (Closed) both directories are removed.
 * The functions here take the xenstore handle alone, so that a unit test can
 * run them against a private shoji-xenstored.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shoji/io/xenbus.h>

#include "shojid.h"

struct vbd_tx {
	struct shoji_xs *xs;
	shoji_xs_tx_t t;
	char failed[VBD_PATH_MAX + 32]; /* what could not be written first ("": nothing) */
};

static void set_failed(struct vbd_tx *x, const char *what)
{
	int err = errno;

	snprintf(x->failed, sizeof(x->failed), "%s", what);
	errno = err;
}

static void put(struct vbd_tx *x, const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void put(struct vbd_tx *x, const char *dir, const char *name, const char *fmt, ...)
{
	char path[VBD_PATH_MAX + 32], val[VBD_PATH_MAX];
	va_list ap;

	if (x->failed[0])
		return;
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (shoji_xs_write(x->xs, x->t, path, val, (unsigned int)strlen(val)) < 0)
		set_failed(x, path);
}

static void make_dir(struct vbd_tx *x, const char *dir, const struct shoji_xs_perm *perms)
{
	if (x->failed[0])
		return;
	if (shoji_xs_mkdir(x->xs, x->t, dir) < 0 ||
	    shoji_xs_set_perms(x->xs, x->t, dir, perms, 2) < 0)
		set_failed(x, dir);
}

void vbd_paths(uint32_t domid, long devid, char *be, char *fe)
{
	snprintf(be, VBD_PATH_MAX, "/local/domain/0/backend/vbd/%" PRIu32 "/%ld", domid, devid);
	snprintf(fe, VBD_PATH_MAX, "/local/domain/%" PRIu32 "/device/vbd/%ld", domid, devid);
}

static void write_vbd(struct vbd_tx *x, uint32_t domid, const struct domain_disk *d, bool bootable)
{
	const struct shoji_xs_perm be_perms[2] = {{0, SHOJI_XS_PERM_NONE},
	                                          {domid, SHOJI_XS_PERM_READ}};
	const struct shoji_xs_perm fe_perms[2] = {{domid, SHOJI_XS_PERM_NONE},
	                                          {0, SHOJI_XS_PERM_READ}};
	const char *devtype = domain_disk_device_name(d->device);
	long devid = domxml_disk_devid(d->target);
	char be[VBD_PATH_MAX], fe[VBD_PATH_MAX];

	vbd_paths(domid, devid, be, fe);
	make_dir(x, be, be_perms);
	put(x, be, "frontend", "%s", fe);
	put(x, be, "frontend-id", "%" PRIu32, domid);
	put(x, be, "online", "1");
	put(x, be, "state", "%d", XenbusStateInitialising);
	put(x, be, "params", "%s", d->source);
	put(x, be, "type", "%s", d->type == DOMAIN_DISK_BLOCK ? "phy" : "file");
	put(x, be, "mode", "%s", d->readonly ? "r" : "w");
	put(x, be, "device-type", "%s", devtype);
	put(x, be, "dev", "%s", d->target);
	put(x, be, "removable", "%d", d->device == DOMAIN_DISK_DEVICE_CDROM);
	put(x, be, "bootable", "%d", bootable);
	make_dir(x, fe, fe_perms);
	put(x, fe, "backend", "%s", be);
	put(x, fe, "backend-id", "0");
	put(x, fe, "state", "%d", XenbusStateInitialising);
	put(x, fe, "virtual-device", "%ld", devid);
	put(x, fe, "device-type", "%s", devtype);
}

/* Run fn in one transaction (retried on a conflict); 0 or an errno with e set. */
static int in_transaction(struct shoji_xs *xs, const char *what,
                          void (*fn)(struct vbd_tx *, const void *), const void *arg,
                          struct sd_err *e)
{
	struct vbd_tx x = {.xs = xs};
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

struct write_arg {
	uint32_t domid;
	const struct domain_disk *d;
	bool bootable;
};

static void write_fn(struct vbd_tx *x, const void *arg)
{
	const struct write_arg *a = arg;
	char be[VBD_PATH_MAX], fe[VBD_PATH_MAX];
	unsigned int n;
	char *v;

	/* A device of that number must not exist already (on either side). */
	vbd_paths(a->domid, domxml_disk_devid(a->d->target), be, fe);
	for (int i = 0; i < 2 && !x->failed[0]; i++) {
		v = shoji_xs_read(x->xs, x->t, i ? fe : be, &n);
		if (v || errno != ENOENT) {
			errno = v ? EEXIST : errno;
			set_failed(x, i ? fe : be);
		}
		free(v);
	}
	write_vbd(x, a->domid, a->d, a->bootable);
}

int vbd_write(struct shoji_xs *xs, uint32_t domid, const struct domain_disk *d, bool bootable,
              struct sd_err *e)
{
	const struct write_arg a = {.domid = domid, .d = d, .bootable = bootable};

	if (domxml_disk_devid(d->target) < 0 || !d->source)
		return sd_fail(e, EINVAL, "'%s' is not a Xen PV disk name", d->target);
	return in_transaction(xs, d->target, write_fn, &a, e);
}

struct close_arg {
	uint32_t domid;
	long devid;
};

static void close_fn(struct vbd_tx *x, const void *arg)
{
	const struct close_arg *a = arg;
	char be[VBD_PATH_MAX], fe[VBD_PATH_MAX], state[VBD_PATH_MAX + 8];
	unsigned int n;
	char *v;

	vbd_paths(a->domid, a->devid, be, fe);
	snprintf(state, sizeof(state), "%s/state", be);
	v = shoji_xs_read(x->xs, x->t, state, &n); /* only an existing device is closed */
	if (!v) {
		set_failed(x, state);
		return;
	}
	free(v);
	put(x, be, "online", "0");
	put(x, be, "state", "%d", XenbusStateClosing);
}

int vbd_close(struct shoji_xs *xs, uint32_t domid, long devid, struct sd_err *e)
{
	const struct close_arg a = {.domid = domid, .devid = devid};

	return in_transaction(xs, "the device", close_fn, &a, e);
}

int vbd_read_int(struct shoji_xs *xs, const char *dir, const char *name)
{
	char path[VBD_PATH_MAX + 32], *v, *end;
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

int vbd_backend_state(struct shoji_xs *xs, uint32_t domid, long devid)
{
	char be[VBD_PATH_MAX], fe[VBD_PATH_MAX];

	vbd_paths(domid, devid, be, fe);
	return vbd_read_int(xs, be, "state");
}

void vbd_remove(struct shoji_xs *xs, uint32_t domid, long devid)
{
	char be[VBD_PATH_MAX], fe[VBD_PATH_MAX];

	vbd_paths(domid, devid, be, fe);
	for (int i = 0; i < 2; i++)
		if (shoji_xs_rm(xs, SHOJI_XS_NO_TX, i ? fe : be) < 0 && errno != ENOENT)
			log_warnx("xenstore: cannot remove %s: %s", i ? fe : be, strerror(errno));
}

void vbd_remove_all(struct shoji_xs *xs, uint32_t domid)
{
	char path[VBD_PATH_MAX];

	snprintf(path, sizeof(path), "/local/domain/0/backend/vbd/%" PRIu32, domid);
	if (shoji_xs_rm(xs, SHOJI_XS_NO_TX, path) < 0 && errno != ENOENT)
		log_warnx("xenstore: cannot remove %s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/device/vbd", domid);
	if (shoji_xs_rm(xs, SHOJI_XS_NO_TX, path) < 0 && errno != ENOENT)
		log_warnx("xenstore: cannot remove %s: %s", path, strerror(errno));
}

/* ---- the backing store ---- */

int vbd_check_source(const struct domain_disk *d, struct stat *st, struct sd_err *e)
{
	bool block = d->type == DOMAIN_DISK_BLOCK;

	if (!d->source || d->source[0] != '/')
		return sd_fail(e, EINVAL, "the disk source must be an absolute path");
	if (strlen(d->source) >= API_PATH_MAX)
		return sd_fail(e, ENAMETOOLONG, "the disk source path is too long");
	if (stat(d->source, st) < 0)
		return sd_fail(e, errno == ENOENT ? ENODEV : errno, "disk source '%s': %s",
		               d->source, strerror(errno));
	if (block ? !S_ISBLK(st->st_mode) : !S_ISREG(st->st_mode))
		return sd_fail(e, EINVAL, "disk source '%s' is not a %s", d->source,
		               block ? "block device" : "regular file");
	return 0;
}

int vbd_check_access(const struct domain_disk *d, const struct sd_cred *as, struct sd_err *e)
{
	struct sd_fs_id id = {0};
	int rc = sd_fs_id_enter(&id, as), fd;

	if (rc) {
		sd_fs_id_leave(&id);
		return sd_fail(e, rc, "cannot take the client's identity to check its disks");
	}
	fd = open(d->source, (d->readonly ? O_RDONLY : O_RDWR) | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		rc = sd_fail(e, errno, "disk source '%s' cannot be opened %s by uid %lu: %s",
		             d->source, d->readonly ? "read-only" : "read-write",
		             (unsigned long)(as ? as->uid : geteuid()), strerror(errno));
	else
		close(fd);
	sd_fs_id_leave(&id);
	return rc;
}

/* Two stats name the same backing store (a file by inode, a device by number). */
static bool same_store(const struct stat *a, const struct stat *b)
{
	if (S_ISBLK(a->st_mode) && S_ISBLK(b->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Whether d (backing store st) may join the disks of the running domains:
 * as Xen's block scripts decide, a store is shared only when every user has
 * it read-only.
 */
static int conflicts_with(const struct domain_config *cfg, const char *owner,
                          const struct domain_disk *d, const struct stat *st, struct sd_err *e)
{
	for (size_t i = 0; i < cfg->n_disks; i++) {
		const struct domain_disk *o = &cfg->disks[i];
		struct stat ost;

		if (o == d || !o->source || stat(o->source, &ost) < 0)
			continue;
		if (!same_store(st, &ost) || (d->readonly && o->readonly))
			continue;
		return sd_fail(e, EBUSY, "disk source '%s' is already attached%s to %s as %s",
		               d->source, o->readonly ? " read-only" : " read-write", owner,
		               o->target);
	}
	return 0;
}

int vbd_check_sharing(struct shojid *sd, const struct domain_config *cfg,
                      const struct domain_disk *d, const struct stat *st, struct sd_err *e)
{
	char owner[API_NAME_MAX + 32];
	int rc;

	for (struct sd_dom *o = sd->doms; o; o = o->next) {
		if (&o->cfg == cfg || o->acted) /* a stopped (preserved) domain writes no more */
			continue;
		snprintf(owner, sizeof(owner), "domain '%s'", o->name);
		rc = conflicts_with(&o->cfg, owner, d, st, e);
		if (rc)
			return rc;
	}
	/* Earlier disks of cfg itself (the same domain). */
	for (size_t i = 0; cfg && i < cfg->n_disks && &cfg->disks[i] != d; i++) {
		struct domain_config one = {.n_disks = 1, .disks = &cfg->disks[i]};

		rc = conflicts_with(&one, "this domain", d, st, e);
		if (rc)
			return rc;
	}
	return 0;
}
