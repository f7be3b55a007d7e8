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
 * The functions here take the xenstore handle alone (xsdev.c does the
 * transaction), so that a unit test can run them against a private
 * shoji-xenstored.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shoji/io/xenbus.h>

#include "shojid.h"

void vbd_paths(uint32_t domid, long devid, char *be, char *fe)
{
	xsdev_paths("vbd", domid, devid, be, fe);
}

struct write_arg {
	uint32_t domid;
	const struct domain_disk *d;
	bool bootable;
};

static void write_fn(struct xsdev_tx *x, const void *arg)
{
	const struct write_arg *a = arg;
	const struct domain_disk *d = a->d;
	const char *devtype = domain_disk_device_name(d->device);
	long devid = domxml_disk_devid(d->target);
	char be[VBD_PATH_MAX], fe[VBD_PATH_MAX];

	vbd_paths(a->domid, devid, be, fe);
	/* A device of that number must not exist already (on either side). */
	xsdev_absent(x, be);
	xsdev_absent(x, fe);
	xsdev_mkdir(x, be, 0, a->domid);
	xsdev_put(x, be, "frontend", "%s", fe);
	xsdev_put(x, be, "frontend-id", "%" PRIu32, a->domid);
	xsdev_put(x, be, "online", "1");
	xsdev_put(x, be, "state", "%d", XenbusStateInitialising);
	xsdev_put(x, be, "params", "%s", d->source);
	xsdev_put(x, be, "type", "%s", d->type == DOMAIN_DISK_BLOCK ? "phy" : "file");
	xsdev_put(x, be, "mode", "%s", d->readonly ? "r" : "w");
	xsdev_put(x, be, "device-type", "%s", devtype);
	xsdev_put(x, be, "dev", "%s", d->target);
	xsdev_put(x, be, "removable", "%d", d->device == DOMAIN_DISK_DEVICE_CDROM);
	xsdev_put(x, be, "bootable", "%d", a->bootable);
	xsdev_mkdir(x, fe, a->domid, 0);
	xsdev_put(x, fe, "backend", "%s", be);
	xsdev_put(x, fe, "backend-id", "0");
	xsdev_put(x, fe, "state", "%d", XenbusStateInitialising);
	xsdev_put(x, fe, "virtual-device", "%ld", devid);
	xsdev_put(x, fe, "device-type", "%s", devtype);
}

int vbd_write(struct shoji_xs *xs, uint32_t domid, const struct domain_disk *d, bool bootable,
              struct sd_err *e)
{
	const struct write_arg a = {.domid = domid, .d = d, .bootable = bootable};

	if (domxml_disk_devid(d->target) < 0 || !d->source)
		return sd_fail(e, EINVAL, "'%s' is not a Xen PV disk name", d->target);
	return xsdev_transaction(xs, d->target, write_fn, &a, e);
}

int vbd_close(struct shoji_xs *xs, uint32_t domid, long devid, struct sd_err *e)
{
	return xsdev_close(xs, "vbd", domid, devid, e);
}

int vbd_backend_state(struct shoji_xs *xs, uint32_t domid, long devid)
{
	return xsdev_backend_state(xs, "vbd", domid, devid);
}

void vbd_remove(struct shoji_xs *xs, uint32_t domid, long devid)
{
	xsdev_remove(xs, "vbd", domid, devid);
}

void vbd_remove_all(struct shoji_xs *xs, uint32_t domid)
{
	xsdev_remove_all(xs, "vbd", domid);
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
