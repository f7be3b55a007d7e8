/*
 * PV network devices in xenstore: the contract between shojid and
 * shoji-netback.  For interface DEVID of domain DOMID (devids from 0), one
 * transaction writes
 *
 *   /local/domain/0/backend/vif/DOMID/DEVID   n0 rDOMID  frontend, frontend-id,
 *        online, state, handle, mac, bridge ("" for a plain TAP), vifname, type
 *   /local/domain/DOMID/device/vif/DEVID      nDOMID r0  backend, backend-id,
 *        state, handle, mac
 *
 * vifname is the TAP shoji-netback makes: the interface's <target dev>, else
 * vifDOMID.DEVID as Xen names it.  Closing and removal are xsdev.c's, as for
 * disks.  The host checks (the bridge exists, the TAP name is free) read
 * SYSFS/NAME (SD_SYSFS_NET in shojid), so a unit test can give its own tree.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shoji/io/xenbus.h>

#include "shojid.h"

void vif_paths(uint32_t domid, long devid, char *be, char *fe)
{
	xsdev_paths("vif", domid, devid, be, fe);
}

void vif_mac_str(const uint8_t mac[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4],
	         mac[5]);
}

void vif_name(uint32_t domid, long devid, const struct domain_nic *nic, char *out)
{
	if (nic->target[0])
		snprintf(out, DOMAIN_IFNAME_MAX + 1, "%s", nic->target);
	else
		snprintf(out, DOMAIN_IFNAME_MAX + 1, "vif%" PRIu32 ".%ld", domid, devid);
}

struct write_arg {
	uint32_t domid;
	long devid;
	const struct domain_nic *nic;
};

static void write_fn(struct xsdev_tx *x, const void *arg)
{
	const struct write_arg *a = arg;
	char be[VIF_PATH_MAX], fe[VIF_PATH_MAX], mac[18], name[DOMAIN_IFNAME_MAX + 1];

	vif_paths(a->domid, a->devid, be, fe);
	vif_mac_str(a->nic->mac, mac);
	vif_name(a->domid, a->devid, a->nic, name);
	/* A device of that number must not exist already (on either side). */
	xsdev_absent(x, be);
	xsdev_absent(x, fe);
	xsdev_mkdir(x, be, 0, a->domid);
	xsdev_put(x, be, "frontend", "%s", fe);
	xsdev_put(x, be, "frontend-id", "%" PRIu32, a->domid);
	xsdev_put(x, be, "online", "1");
	xsdev_put(x, be, "state", "%d", XenbusStateInitialising);
	xsdev_put(x, be, "handle", "%ld", a->devid);
	xsdev_put(x, be, "mac", "%s", mac);
	xsdev_put(x, be, "bridge", "%s", a->nic->bridge ? a->nic->bridge : "");
	xsdev_put(x, be, "vifname", "%s", name);
	xsdev_put(x, be, "type", "vif");
	xsdev_mkdir(x, fe, a->domid, 0);
	xsdev_put(x, fe, "backend", "%s", be);
	xsdev_put(x, fe, "backend-id", "0");
	xsdev_put(x, fe, "state", "%d", XenbusStateInitialising);
	xsdev_put(x, fe, "handle", "%ld", a->devid);
	xsdev_put(x, fe, "mac", "%s", mac);
}

int vif_write(struct shoji_xs *xs, uint32_t domid, long devid, const struct domain_nic *nic,
              struct sd_err *e)
{
	const struct write_arg a = {.domid = domid, .devid = devid, .nic = nic};
	char what[32];

	if (devid < 0 || devid > VIF_DEVID_MAX)
		return sd_fail(e, EINVAL, "vif %ld: device numbers are 0 .. %d", devid,
		               VIF_DEVID_MAX);
	if ((nic->type == DOMAIN_NIC_BRIDGE) != (nic->bridge != NULL))
		return sd_fail(e, EINVAL, "vif %ld: a bridge interface needs a bridge, and only it",
		               devid);
	snprintf(what, sizeof(what), "vif %ld", devid);
	return xsdev_transaction(xs, what, write_fn, &a, e);
}

int vif_close(struct shoji_xs *xs, uint32_t domid, long devid, struct sd_err *e)
{
	return xsdev_close(xs, "vif", domid, devid, e);
}

void vif_remove(struct shoji_xs *xs, uint32_t domid, long devid)
{
	xsdev_remove(xs, "vif", domid, devid);
}

void vif_remove_all(struct shoji_xs *xs, uint32_t domid)
{
	xsdev_remove_all(xs, "vif", domid);
}

char *vif_read(struct shoji_xs *xs, uint32_t domid, long devid, const char *name)
{
	char be[VIF_PATH_MAX], fe[VIF_PATH_MAX], path[VIF_PATH_MAX + 32];
	unsigned int n;

	vif_paths(domid, devid, be, fe);
	snprintf(path, sizeof(path), "%s/%s", be, name);
	return shoji_xs_read(xs, SHOJI_XS_NO_TX, path, &n);
}

int vif_devids(struct shoji_xs *xs, uint32_t domid, long *out, size_t max, size_t *n)
{
	char path[VIF_PATH_MAX];
	unsigned int num = 0;
	char **names;

	*n = 0;
	snprintf(path, sizeof(path), "/local/domain/0/backend/vif/%" PRIu32, domid);
	names = shoji_xs_directory(xs, SHOJI_XS_NO_TX, path, &num);
	if (!names)
		return errno == ENOENT ? 0 : -1;
	for (unsigned int i = 0; i < num && *n < max; i++) {
		char *end;
		long v;

		errno = 0;
		v = strtol(names[i], &end, 10);
		if (errno || end == names[i] || *end || v < 0 || v > VIF_DEVID_MAX)
			continue; /* not ours */
		out[(*n)++] = v;
	}
	free(names);
	return 0;
}

long vif_find_mac(struct shoji_xs *xs, uint32_t domid, const uint8_t mac[6])
{
	long ids[DOMAIN_NICS_MAX * 2];
	char want[18];
	size_t n = 0;

	vif_mac_str(mac, want);
	if (vif_devids(xs, domid, ids, sizeof(ids) / sizeof(ids[0]), &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char *v = vif_read(xs, domid, ids[i], "mac");
		bool same = v && !strcasecmp(v, want);

		free(v);
		if (same)
			return ids[i];
	}
	return -1;
}

/* SYSFS/NAME/LEAF exists. */
static bool sys_has(const char *sysfs, const char *name, const char *leaf)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s%s%s", sysfs, name, leaf ? "/" : "", leaf ? leaf : "");
	return stat(path, &st) == 0;
}

int vif_check_bridge(const char *sysfs, const struct domain_nic *nic, struct sd_err *e)
{
	if (nic->type != DOMAIN_NIC_BRIDGE)
		return 0;
	if (!sys_has(sysfs, nic->bridge, NULL))
		return sd_fail(e, ENODEV,
		               "bridge '%s' does not exist (create it: ip link add %s type bridge)",
		               nic->bridge, nic->bridge);
	if (!sys_has(sysfs, nic->bridge, "bridge"))
		return sd_fail(e, ENODEV, "'%s' is not a bridge", nic->bridge);
	return 0;
}

int vif_check_ifname(const char *sysfs, const char *name, struct sd_err *e)
{
	if (sys_has(sysfs, name, NULL) && !sys_has(sysfs, name, "tun_flags"))
		return sd_fail(e, EEXIST, "the host has an interface '%s' already (not a TAP)",
		               name);
	return 0;
}

int64_t vif_counter(const char *sysfs, const char *name, const char *counter)
{
	char path[512], buf[32] = "", *end;
	long long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/statistics/%s", sysfs, name, counter);
	f = fopen(path, "re");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n') || v < 0)
		return -1;
	return v;
}
