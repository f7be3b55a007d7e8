/*
 * The disks of running domains: checked and written to xenstore when a
 * domain is built, hot-attached and detached (block-attach, block-detach),
 * listed (block-list, info).  Every disk a domain has is in its record
 * (dom->cfg.disks, saved with state_save_record), so a hot-attached disk
 * survives a restart of shojid and a reboot of the domain; the definition
 * is not changed (as `virsh attach-disk` without --config).
 *
 * A detach asks the backend to close (vbd_close) and polls its state until
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

#define DETACH_POLL_MS 50

struct sd_detach {
	struct sd_detach *next;
	struct shojid *sd;
	sd_block_done_fn *done; /* NULL once the client went away */
	void *arg;
	struct event *timer;
	uint32_t domid;
	long devid;
	unsigned int ticks_left;
	unsigned int timeout_s;
	char target[8];
};

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
	for (struct sd_detach *w = sd->detaches; w; w = w->next)
		if (w->domid == dom->domid && !strcmp(w->target, d->target))
			return sd_fail(e, EBUSY, "%s of domain '%s' is still being detached",
			               d->target, dom->name);
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

/* Drop disk target from domid's record and its directories from xenstore. */
static void forget(struct shojid *sd, uint32_t domid, const char *target)
{
	struct sd_dom *dom = dom_by_id(sd, domid);
	struct domain_disk *d = dom ? find_disk(dom, target) : NULL;

	vbd_remove(sd->xs, domid, domxml_disk_devid(target));
	if (!d)
		return;
	free(d->source);
	free(d->driver_name);
	free(d->driver_type);
	memmove(d, d + 1, (size_t)(dom->cfg.disks + dom->cfg.n_disks - (d + 1)) * sizeof(*d));
	dom->cfg.n_disks--;
	if (state_save_record(sd, dom) < 0)
		log_warnx("cannot write the record of %s: %s", dom->name, strerror(errno));
	log_info("detached %s from %s (%" PRIu32 ")", target, dom->name, domid);
}

static void detach_free(struct shojid *sd, struct sd_detach *w)
{
	for (struct sd_detach **pp = &sd->detaches; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (w->timer)
		event_free(w->timer);
	free(w);
}

static void detach_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sd_detach *w = arg;
	struct shojid *sd = w->sd;
	int state = vbd_backend_state(sd->xs, w->domid, w->devid);
	char msg[256];

	if (state != -1 && state != XenbusStateClosed && w->ticks_left-- > 0)
		return;
	forget(sd, w->domid, w->target);
	if (state == -1 || state == XenbusStateClosed) {
		if (w->done)
			w->done(w->arg, 0, NULL);
	} else {
		snprintf(
		    msg, sizeof(msg),
		    "the backend did not close %s within %u s (state %d); its xenstore entries "
		    "were removed anyway",
		    w->target, w->timeout_s, state);
		log_warnx("domain %" PRIu32 ": %s", w->domid, msg);
		if (w->done)
			w->done(w->arg, ETIMEDOUT, msg);
	}
	detach_free(sd, w);
}

int block_detach(struct shojid *sd, struct sd_dom *dom, const char *target, bool force,
                 unsigned int timeout_s, sd_block_done_fn *done, void *arg, struct sd_err *e)
{
	struct timeval tv = {.tv_sec = 0, .tv_usec = DETACH_POLL_MS * 1000};
	struct sd_detach *w;
	long devid = domxml_disk_devid(target);
	int rc;

	if (devid < 0 || !find_disk(dom, target))
		return sd_fail(e, ENODEV, "domain '%s' has no disk %s", dom->name, target);
	for (w = sd->detaches; w; w = w->next)
		if (w->domid == dom->domid && w->devid == devid && !force)
			return sd_fail(e, EBUSY, "%s of domain '%s' is already being detached",
			               target, dom->name);
	if (force) {
		forget(sd, dom->domid, target);
		done(arg, 0, NULL);
		return 0;
	}
	rc = vbd_close(sd->xs, dom->domid, devid, e);
	if (rc)
		return rc;
	w = calloc(1, sizeof(*w));
	if (!w)
		return sd_fail(e, ENOMEM, "out of memory");
	w->sd = sd;
	w->done = done;
	w->arg = arg;
	w->domid = dom->domid;
	w->devid = devid;
	w->timeout_s = timeout_s;
	w->ticks_left = timeout_s * (1000 / DETACH_POLL_MS);
	snprintf(w->target, sizeof(w->target), "%s", target);
	w->timer = event_new(sd->base, -1, EV_PERSIST, detach_tick, w);
	if (!w->timer || event_add(w->timer, &tv) < 0) {
		if (w->timer)
			event_free(w->timer);
		free(w);
		return sd_fail(e, ENOMEM, "cannot wait for the backend");
	}
	w->next = sd->detaches;
	sd->detaches = w;
	return 0;
}

void block_drop_waits(struct shojid *sd, void *arg)
{
	for (struct sd_detach *w = sd->detaches; w; w = w->next)
		if (w->arg == arg)
			w->done = NULL; /* the detach goes on; nobody hears of its end */
}

void block_close(struct shojid *sd)
{
	while (sd->detaches)
		detach_free(sd, sd->detaches);
}

/* The frontend's or backend's number NAME of one device (-1 when absent). */
static int32_t node_int(struct shojid *sd, const char *dir, const char *name)
{
	return (int32_t)vbd_read_int(sd->xs, dir, name);
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
