/*
 * The disks of running domains: checked and written to xenstore when a
 * domain is built, hot-attached and detached (block-attach, block-detach),
 * listed (block-list, info).  Every disk a domain has is in its record
 * (dom->cfg.disks, saved with state_save_record), so a hot-attached disk
 * survives a restart of shojid and a reboot of the domain; the definition
 * is not changed (as `virsh attach-disk` without --config).
 *
 * A detach asks the backend to close (vbd_close) and waits (detach.c) until
 * it says Closed, then removes both directories; --force removes them at
 * once, and a backend that does not close in time gets them removed anyway,
 * with ETIMEDOUT for the caller.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <shoji/io/xenbus.h>

#include "shojid.h"

int block_check_config(struct shojid *sd, const struct domain_config *cfg, struct sd_err *e)
{
	for (size_t i = 0; i < cfg->n_disks; i++) {
		const struct domain_disk *d = &cfg->disks[i];
		struct stat st;
		int rc = vbd_check_source(d, &st, e);

		if (!rc)
			rc = vbd_check_sharing(sd, cfg, d, &st, e);
		if (rc)
			return rc;
	}
	return 0;
}

int block_check_access(const struct domain_config *cfg, const struct sd_cred *as, struct sd_err *e)
{
	for (size_t i = 0; i < cfg->n_disks; i++) {
		int rc = vbd_check_access(&cfg->disks[i], as, e);

		if (rc)
			return rc;
	}
	return 0;
}

int block_write_all(struct shojid *sd, const struct sd_dom *dom, struct sd_err *e)
{
	for (size_t i = 0; i < dom->cfg.n_disks; i++) {
		int rc = vbd_write(sd->xs, dom->domid, &dom->cfg.disks[i], i == 0, e);

		if (rc)
			return rc;
	}
	return 0;
}

static struct domain_disk *find_disk(struct sd_dom *dom, const char *target)
{
	for (size_t i = 0; i < dom->cfg.n_disks; i++)
		if (!strcmp(dom->cfg.disks[i].target, target))
			return &dom->cfg.disks[i];
	return NULL;
}

/* A domain that stopped (shut down, crashed, dying) takes no new disk. */
static int check_running(struct shojid *sd, const struct sd_dom *dom, struct sd_err *e)
{
	struct shoji_dominfo hi;

	if (shoji_ctrl_info(sd->hv, dom->domid, &hi) < 0)
		return sd_fail(e, errno, "shoji-hv: cannot query domain '%s': %s", dom->name,
		               strerror(errno));
	if (hi.state == SHOJI_DOMAIN_SHUTDOWN || hi.state == SHOJI_DOMAIN_CRASHED ||
	    hi.state >= SHOJI_DOMAIN_GONE || dom->acted)
		return sd_fail(e, EINVAL, "domain '%s' is not running (%s)", dom->name,
		               shoji_domain_state_name(hi.state));
	return 0;
}

int block_attach(struct shojid *sd, struct sd_dom *dom, struct domain_disk *d,
                 const struct sd_cred *as, struct sd_err *e)
{
	struct domain_disk *v;
	struct stat st;
	int rc;

	if (domxml_disk_devid(d->target) < 0)
		return sd_fail(e, EINVAL, "'%s' is not a Xen PV disk name (xvda, xvdb, ..., xvdzz)",
		               d->target);
	if (find_disk(dom, d->target))
		return sd_fail(e, EEXIST, "domain '%s' already has a disk %s", dom->name,
		               d->target);
	if (detach_pending(sd, "vbd", dom->domid, domxml_disk_devid(d->target)))
		return sd_fail(e, EBUSY, "%s of domain '%s' is still being detached", d->target,
		               dom->name);
	if (dom->cfg.n_disks >= DOMAIN_DISKS_MAX)
		return sd_fail(e, ENOSPC, "domain '%s' has %d disks already (the most it may have)",
		               dom->name, DOMAIN_DISKS_MAX);
	rc = check_running(sd, dom, e);
	if (!rc)
		rc = vbd_check_source(d, &st, e);
	if (!rc)
		rc = vbd_check_sharing(sd, &dom->cfg, d, &st, e);
	if (!rc && as)
		rc = vbd_check_access(d, as, e);
	if (rc)
		return rc;
	v = reallocarray(dom->cfg.disks, dom->cfg.n_disks + 1, sizeof(*v));
	if (!v)
		return sd_fail(e, ENOMEM, "out of memory");
	dom->cfg.disks = v;
	rc = vbd_write(sd->xs, dom->domid, d, dom->cfg.n_disks == 0, e);
	if (rc)
		return rc;
	v[dom->cfg.n_disks++] = *d;
	if (state_save_record(sd, dom) < 0) {
		rc = errno;
		dom->cfg.n_disks--;
		vbd_remove(sd->xs, dom->domid, domxml_disk_devid(d->target));
		return sd_fail(e, rc, "cannot write the domain's record in %s: %s", sd->state_dir,
		               strerror(rc));
	}
	memset(d, 0, sizeof(*d)); /* the domain has it now */
	log_info("attached %s (%s) to %s (%" PRIu32 ")", v[dom->cfg.n_disks - 1].target,
	         v[dom->cfg.n_disks - 1].source, dom->name, dom->domid);
	return 0;
}

static struct domain_disk *find_devid(struct sd_dom *dom, long devid)
{
	for (size_t i = 0; i < dom->cfg.n_disks; i++)
		if (domxml_disk_devid(dom->cfg.disks[i].target) == devid)
			return &dom->cfg.disks[i];
	return NULL;
}

/* Drop disk devid from domid's record and its directories from xenstore (sd_forget_fn). */
static void forget(struct shojid *sd, uint32_t domid, long devid)
{
	struct sd_dom *dom = dom_by_id(sd, domid);
	struct domain_disk *d = dom ? find_devid(dom, devid) : NULL;

	vbd_remove(sd->xs, domid, devid);
	if (!d)
		return;
	log_info("detached %s from %s (%" PRIu32 ")", d->target, dom->name, domid);
	free(d->source);
	free(d->driver_name);
	free(d->driver_type);
	memmove(d, d + 1, (size_t)(dom->cfg.disks + dom->cfg.n_disks - (d + 1)) * sizeof(*d));
	dom->cfg.n_disks--;
	if (state_save_record(sd, dom) < 0)
		log_warnx("cannot write the record of %s: %s", dom->name, strerror(errno));
}

int block_detach(struct shojid *sd, struct sd_dom *dom, const char *target, bool force,
                 unsigned int timeout_s, sd_detach_done_fn *done, void *arg, struct sd_err *e)
{
	long devid = domxml_disk_devid(target);
	int rc;

	if (devid < 0 || !find_disk(dom, target))
		return sd_fail(e, ENODEV, "domain '%s' has no disk %s", dom->name, target);
	if (!force && detach_pending(sd, "vbd", dom->domid, devid))
		return sd_fail(e, EBUSY, "%s of domain '%s' is already being detached", target,
		               dom->name);
	if (force) {
		forget(sd, dom->domid, devid);
		done(arg, 0, NULL);
		return 0;
	}
	rc = vbd_close(sd->xs, dom->domid, devid, e);
	if (rc)
		return rc;
	return detach_wait(sd, "vbd", dom->domid, devid, target, timeout_s, forget, done, arg, e);
}

/* The frontend's or backend's number NAME of one device (-1 when absent). */
static int32_t node_int(struct shojid *sd, const char *dir, const char *name)
{
	return (int32_t)xsdev_read_int(sd->xs, dir, name);
}

int block_list(struct shojid *sd, const struct domain_config *cfg, uint32_t domid,
               struct api_vbd **out, size_t *n, struct sd_err *e)
{
	struct api_vbd *v = calloc(cfg->n_disks ? cfg->n_disks : 1, sizeof(*v));
	char be[VBD_PATH_MAX], fe[VBD_PATH_MAX];

	if (!v)
		return sd_fail(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < cfg->n_disks; i++) {
		const struct domain_disk *d = &cfg->disks[i];
		struct api_vbd *o = &v[i];

		o->devid = (int32_t)domxml_disk_devid(d->target);
		o->backend_id = 0;
		o->state = o->be_state = o->evtchn = o->ring_ref = -1;
		o->type = (uint8_t)d->type;
		o->device = (uint8_t)d->device;
		o->readonly = d->readonly;
		snprintf(o->target, sizeof(o->target), "%s", d->target);
		snprintf(o->source, sizeof(o->source), "%s", d->source ? d->source : "");
		if (domid == API_DOMID_NONE)
			continue;
		vbd_paths(domid, o->devid, be, fe);
		snprintf(o->be_path, sizeof(o->be_path), "%s", be);
		o->state = node_int(sd, fe, "state");
		o->be_state = node_int(sd, be, "state");
		o->evtchn = node_int(sd, fe, "event-channel");
		o->ring_ref = node_int(sd, fe, "ring-ref");
	}
	*out = v;
	*n = cfg->n_disks;
	return 0;
}
