/*
 * The network interfaces of running domains: checked and written to
 * xenstore when a domain is built, hot-attached and detached
 * (network-attach, network-detach), listed (network-list, info).  As for
 * disks (block.c) every interface a domain has is in its record, so a
 * hot-attached one survives a restart of shojid and a reboot of the domain;
 * the definition is not changed.
 *
 * Devids: a built domain's interfaces are 0, 1, ... in document order; a
 * hot-attached one takes the highest devid in xenstore plus one.  Since the
 * record keeps no devids, a running interface is found in xenstore by its
 * MAC (unique in a domain: domxml refuses duplicates, net_attach too).
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shojid.h"

/* A running domain other than domid (not stopped and preserved) uses mac, or TAP name. */
static const struct sd_dom *mac_user(struct shojid *sd, uint32_t domid, const uint8_t mac[6])
{
	for (const struct sd_dom *o = sd->doms; o; o = o->next) {
		if (o->domid == domid || o->acted)
			continue;
		for (size_t i = 0; i < o->cfg.n_nics; i++)
			if (!memcmp(o->cfg.nics[i].mac, mac, 6))
				return o;
	}
	return NULL;
}

static const struct sd_dom *ifname_user(struct shojid *sd, uint32_t domid, const char *name)
{
	for (const struct sd_dom *o = sd->doms; o; o = o->next) {
		long ids[DOMAIN_NICS_MAX * 2];
		size_t n = 0;

		if (o->domid == domid || o->acted)
			continue;
		if (vif_devids(sd->xs, o->domid, ids, sizeof(ids) / sizeof(ids[0]), &n) < 0)
			continue;
		for (size_t i = 0; i < n; i++) {
			char *v = vif_read(sd->xs, o->domid, ids[i], "vifname");
			bool same = v && !strcmp(v, name);

			free(v);
			if (same)
				return o;
		}
	}
	return NULL;
}

/* One interface: its bridge, and its MAC and explicit TAP name are free. */
static int check_nic(struct shojid *sd, uint32_t domid, const struct domain_nic *nic,
                     struct sd_err *e)
{
	const struct sd_dom *o;
	char mac[18];
	int rc = vif_check_bridge(SD_SYSFS_NET, nic, e);

	if (rc)
		return rc;
	o = mac_user(sd, domid, nic->mac);
	if (o) {
		vif_mac_str(nic->mac, mac);
		return sd_fail(e, EEXIST, "MAC address %s is already used by domain '%s'", mac,
		               o->name);
	}
	if (!nic->target[0])
		return 0;
	o = ifname_user(sd, domid, nic->target);
	if (o)
		return sd_fail(e, EEXIST, "interface name '%s' is already used by domain '%s'",
		               nic->target, o->name);
	return vif_check_ifname(SD_SYSFS_NET, nic->target, e);
}

int net_check_config(struct shojid *sd, const struct domain_config *cfg, uint32_t domid,
                     struct sd_err *e)
{
	for (size_t i = 0; i < cfg->n_nics; i++) {
		int rc = check_nic(sd, domid, &cfg->nics[i], e);

		if (rc)
			return rc;
	}
	return 0;
}

int net_write_all(struct shojid *sd, const struct sd_dom *dom, struct sd_err *e)
{
	for (size_t i = 0; i < dom->cfg.n_nics; i++) {
		int rc = vif_write(sd->xs, dom->domid, (long)i, &dom->cfg.nics[i], e);

		if (rc)
			return rc;
	}
	return 0;
}

static struct domain_nic *find_mac(struct sd_dom *dom, const uint8_t mac[6])
{
	for (size_t i = 0; i < dom->cfg.n_nics; i++)
		if (!memcmp(dom->cfg.nics[i].mac, mac, 6))
			return &dom->cfg.nics[i];
	return NULL;
}

/* The devid a new vif of domid gets: one past the highest in xenstore (0 for the first). */
static int next_devid(struct shojid *sd, uint32_t domid, long *devid, struct sd_err *e)
{
	long ids[DOMAIN_NICS_MAX * 2];
	size_t n = 0;

	if (vif_devids(sd->xs, domid, ids, sizeof(ids) / sizeof(ids[0]), &n) < 0)
		return sd_fail(e, errno, "xenstore: cannot list the vifs of domain %" PRIu32 ": %s",
		               domid, strerror(errno));
	*devid = 0;
	for (size_t i = 0; i < n; i++)
		if (ids[i] >= *devid)
			*devid = ids[i] + 1;
	if (*devid > VIF_DEVID_MAX)
		return sd_fail(e, ENOSPC, "domain %" PRIu32 " has used every vif number", domid);
	return 0;
}

int net_attach(struct shojid *sd, struct sd_dom *dom, struct domain_nic *nic, long *devid,
               struct sd_err *e)
{
	struct domain_nic *v;
	char mac[18], name[DOMAIN_IFNAME_MAX + 1];
	int rc;

	vif_mac_str(nic->mac, mac);
	if (find_mac(dom, nic->mac))
		return sd_fail(e, EEXIST, "domain '%s' has MAC address %s already", dom->name, mac);
	for (size_t i = 0; nic->target[0] && i < dom->cfg.n_nics; i++)
		if (!strcmp(dom->cfg.nics[i].target, nic->target))
			return sd_fail(e, EEXIST, "domain '%s' has an interface '%s' already",
			               dom->name, nic->target);
	if (dom->cfg.n_nics >= DOMAIN_NICS_MAX)
		return sd_fail(e, ENOSPC,
		               "domain '%s' has %d interfaces already (the most it may have)",
		               dom->name, DOMAIN_NICS_MAX);
	rc = check_nic(sd, dom->domid, nic, e);
	if (!rc)
		rc = next_devid(sd, dom->domid, devid, e);
	if (rc)
		return rc;
	vif_name(dom->domid, *devid, nic, name);
	if (!nic->target[0] && (rc = vif_check_ifname(SD_SYSFS_NET, name, e)) != 0)
		return rc;
	v = reallocarray(dom->cfg.nics, dom->cfg.n_nics + 1, sizeof(*v));
	if (!v)
		return sd_fail(e, ENOMEM, "out of memory");
	dom->cfg.nics = v;
	rc = vif_write(sd->xs, dom->domid, *devid, nic, e);
	if (rc)
		return rc;
	v[dom->cfg.n_nics++] = *nic;
	if (state_save_record(sd, dom) < 0) {
		rc = errno;
		dom->cfg.n_nics--;
		vif_remove(sd->xs, dom->domid, *devid);
		return sd_fail(e, rc, "cannot write the domain's record in %s: %s", sd->state_dir,
		               strerror(rc));
	}
	memset(nic, 0, sizeof(*nic)); /* the domain has it now */
	log_info("attached vif %ld (%s, %s) to %s (%" PRIu32 ")", *devid, mac, name, dom->name,
	         dom->domid);
	return 0;
}

/* Drop vif devid from domid's record and its directories from xenstore (sd_forget_fn). */
static void forget(struct shojid *sd, uint32_t domid, long devid)
{
	struct sd_dom *dom = dom_by_id(sd, domid);
	char *mac_s = vif_read(sd->xs, domid, devid, "mac");
	struct domain_nic *nic = NULL;
	uint8_t mac[6];

	if (dom && mac_s && domxml_parse_mac(mac_s, mac))
		nic = find_mac(dom, mac);
	free(mac_s);
	vif_remove(sd->xs, domid, devid);
	if (!nic)
		return;
	free(nic->bridge);
	free(nic->model);
	memmove(nic, nic + 1, (size_t)(dom->cfg.nics + dom->cfg.n_nics - (nic + 1)) * sizeof(*nic));
	dom->cfg.n_nics--;
	if (state_save_record(sd, dom) < 0)
		log_warnx("cannot write the record of %s: %s", dom->name, strerror(errno));
	log_info("detached vif %ld from %s (%" PRIu32 ")", devid, dom->name, domid);
}

int net_detach(struct shojid *sd, struct sd_dom *dom, long devid, bool force,
               unsigned int timeout_s, sd_detach_done_fn *done, void *arg, struct sd_err *e)
{
	char *mac = devid >= 0 && devid <= VIF_DEVID_MAX
	                ? vif_read(sd->xs, dom->domid, devid, "mac")
	                : NULL;
	bool exists = mac != NULL;
	char what[32];
	int rc;

	free(mac);
	if (!exists)
		return sd_fail(e, ENODEV, "domain '%s' has no vif %ld", dom->name, devid);
	if (!force && detach_pending(sd, "vif", dom->domid, devid))
		return sd_fail(e, EBUSY, "vif %ld of domain '%s' is already being detached", devid,
		               dom->name);
	if (force) {
		forget(sd, dom->domid, devid);
		done(arg, 0, NULL);
		return 0;
	}
	rc = vif_close(sd->xs, dom->domid, devid, e);
	if (rc)
		return rc;
	snprintf(what, sizeof(what), "vif %ld", devid);
	return detach_wait(sd, "vif", dom->domid, devid, what, timeout_s, forget, done, arg, e);
}

/* The TAP's counters as the host sees them (-1 each when there is no such interface). */
static void counters(struct api_vif *o)
{
	o->rx_packets = vif_counter(SD_SYSFS_NET, o->vifname, "rx_packets");
	o->rx_bytes = vif_counter(SD_SYSFS_NET, o->vifname, "rx_bytes");
	o->tx_packets = vif_counter(SD_SYSFS_NET, o->vifname, "tx_packets");
	o->tx_bytes = vif_counter(SD_SYSFS_NET, o->vifname, "tx_bytes");
}

int net_list(struct shojid *sd, const struct domain_config *cfg, uint32_t domid,
             struct api_vif **out, size_t *n, struct sd_err *e)
{
	struct api_vif *v = calloc(cfg->n_nics ? cfg->n_nics : 1, sizeof(*v));
	char be[VIF_PATH_MAX], fe[VIF_PATH_MAX];

	if (!v)
		return sd_fail(e, ENOMEM, "out of memory");
	for (size_t i = 0; i < cfg->n_nics; i++) {
		const struct domain_nic *nic = &cfg->nics[i];
		struct api_vif *o = &v[i];

		o->devid = o->state = o->be_state = -1;
		o->rx_packets = o->rx_bytes = o->tx_packets = o->tx_bytes = -1;
		o->backend_id = 0;
		o->type = (uint8_t)nic->type;
		memcpy(o->mac, nic->mac, 6);
		snprintf(o->bridge, sizeof(o->bridge), "%s", nic->bridge ? nic->bridge : "");
		snprintf(o->vifname, sizeof(o->vifname), "%s", nic->target);
		if (domid != API_DOMID_NONE) {
			long devid = vif_find_mac(sd->xs, domid, nic->mac);

			if (devid >= 0) {
				o->devid = (int32_t)devid;
				vif_paths(domid, devid, be, fe);
				snprintf(o->be_path, sizeof(o->be_path), "%s", be);
				o->state = (int32_t)xsdev_read_int(sd->xs, fe, "state");
				o->be_state = (int32_t)xsdev_read_int(sd->xs, be, "state");
				vif_name(domid, devid, nic, o->vifname);
				counters(o);
			}
		}
	}
	*out = v;
	*n = cfg->n_nics;
	return 0;
}
