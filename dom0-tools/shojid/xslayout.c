/*
 * The xenstore layout a Xen guest expects, written in one transaction:
 *
 *   /local/domain/ID            n0 rID   name, domid, vm, control/, memory/, cpu/, device/,
 *                                        console/, store/ (when the params are set)
 *   .../control/shutdown etc.   nID      guest-writable (owned by the domain)
 *   .../data, drivers, ...      nID
 *   /vm/UUID                    n0 rID   name, uuid, start_time
 *
 * "n0 rID": owned by dom0, no access for others, read for the domain.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <shoji/hvm.h>

#include "shojid.h"

/* PERM_INHERIT: a new node under a PERM_RO parent already gets n0 rID. */
enum perm_kind { PERM_RO, PERM_RW, PERM_INHERIT };

struct layout {
	struct shojid *sd;
	shoji_xs_tx_t t;
	uint32_t domid;
	const char *failed; /* the path of the first failed operation */
};

/* Write (val != NULL) or make (val == NULL) path and set its permissions. */
static int node(struct layout *l, enum perm_kind kind, const char *val, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int node(struct layout *l, enum perm_kind kind, const char *val, const char *fmt, ...)
{
	static char path[256];
	struct shoji_xs_perm ro[2] = {{0, SHOJI_XS_PERM_NONE}, {l->domid, SHOJI_XS_PERM_READ}};
	struct shoji_xs_perm rw[1] = {{l->domid, SHOJI_XS_PERM_NONE}};
	va_list ap;
	int rc;

	if (l->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (val)
		rc = shoji_xs_write(l->sd->xs, l->t, path, val, (unsigned int)strlen(val));
	else
		rc = shoji_xs_mkdir(l->sd->xs, l->t, path);
	if (rc == 0 && kind == PERM_RO)
		rc = shoji_xs_set_perms(l->sd->xs, l->t, path, ro, 2);
	else if (rc == 0 && kind == PERM_RW)
		rc = shoji_xs_set_perms(l->sd->xs, l->t, path, rw, 1);
	if (rc < 0)
		l->failed = path;
	return rc;
}

/* An HVM param, 0 when unset or unreadable. */
static uint64_t param(struct shojid *sd, uint32_t domid, uint32_t index)
{
	uint64_t v = 0;

	if (shoji_ctrl_get_param(sd->hv, domid, index, &v) < 0)
		v = 0;
	return v;
}

void xs_vm_path(struct shojid *sd, const struct sd_dom *dom, char *out, size_t len)
{
	char uuid[37];
	unsigned int n;
	char *v;

	uuid_unparse_lower(dom->cfg.uuid, uuid);
	snprintf(out, len, "/vm/%s", uuid);
	v = shoji_xs_read(sd->xs, SHOJI_XS_NO_TX, out, &n);
	if (v)
		snprintf(out, len, "/vm/%s-%" PRIu32, uuid, dom->domid);
	free(v);
}

static void write_all(struct layout *l, const struct sd_dom *dom, const char *vm)
{
	static const char *const rw_control[] = {"shutdown", "feature-poweroff", "feature-reboot",
	                                         "feature-suspend", "sysrq"};
	static const char *const rw_dirs[] = {"data", "drivers", "feature", "attr", "error"};
	const char *d = "/local/domain";
	uint32_t id = l->domid;
	uint64_t store_pfn = param(l->sd, id, HVM_PARAM_STORE_PFN);
	uint64_t store_port = param(l->sd, id, HVM_PARAM_STORE_EVTCHN);
	uint64_t con_pfn = param(l->sd, id, HVM_PARAM_CONSOLE_PFN);
	uint64_t con_port = param(l->sd, id, HVM_PARAM_CONSOLE_EVTCHN);
	char uuid[37], num[32];

	uuid_unparse_lower(dom->cfg.uuid, uuid);
	snprintf(num, sizeof(num), "%s/%" PRIu32, d, id);
	if (shoji_xs_rm(l->sd->xs, l->t, num) < 0 && errno != ENOENT)
		l->failed = "a stale /local/domain entry";
	node(l, PERM_RO, NULL, "%s/%" PRIu32, d, id);
	node(l, PERM_INHERIT, dom->name, "%s/%" PRIu32 "/name", d, id);
	snprintf(num, sizeof(num), "%" PRIu32, id);
	node(l, PERM_INHERIT, num, "%s/%" PRIu32 "/domid", d, id);
	node(l, PERM_INHERIT, vm, "%s/%" PRIu32 "/vm", d, id);
	node(l, PERM_INHERIT, NULL, "%s/%" PRIu32 "/control", d, id);
	for (size_t i = 0; i < sizeof(rw_control) / sizeof(rw_control[0]); i++)
		node(l, PERM_RW, "", "%s/%" PRIu32 "/control/%s", d, id, rw_control[i]);
	node(l, PERM_INHERIT, "1", "%s/%" PRIu32 "/control/platform-feature-multiprocessor-suspend",
	     d, id);
	node(l, PERM_INHERIT, "1", "%s/%" PRIu32 "/control/platform-feature-xs_reset_watches", d,
	     id);
	for (size_t i = 0; i < sizeof(rw_dirs) / sizeof(rw_dirs[0]); i++)
		node(l, PERM_RW, NULL, "%s/%" PRIu32 "/%s", d, id, rw_dirs[i]);
	node(l, PERM_INHERIT, NULL, "%s/%" PRIu32 "/device", d, id);
	node(l, PERM_RW, "", "%s/%" PRIu32 "/device/suspend/event-channel", d, id);
	snprintf(num, sizeof(num), "%" PRIu64, dom->cfg.memory_kib);
	node(l, PERM_INHERIT, num, "%s/%" PRIu32 "/memory/static-max", d, id);
	snprintf(num, sizeof(num), "%" PRIu64, dom->target_kib);
	node(l, PERM_INHERIT, num, "%s/%" PRIu32 "/memory/target", d, id);
	for (unsigned int c = 0; c < dom->cfg.vcpus; c++)
		node(l, PERM_INHERIT, c < dom->cfg.current_vcpus ? "online" : "offline",
		     "%s/%" PRIu32 "/cpu/%u/availability", d, id, c);
	node(l, PERM_INHERIT, "xenconsoled", "%s/%" PRIu32 "/console/type", d, id);
	node(l, PERM_INHERIT, "1048576", "%s/%" PRIu32 "/console/limit", d, id);
	if (con_pfn) {
		snprintf(num, sizeof(num), "%" PRIu64, con_pfn);
		node(l, PERM_INHERIT, num, "%s/%" PRIu32 "/console/ring-ref", d, id);
		snprintf(num, sizeof(num), "%" PRIu64, con_port);
		node(l, PERM_INHERIT, num, "%s/%" PRIu32 "/console/port", d, id);
	}
	if (store_pfn) {
		snprintf(num, sizeof(num), "%" PRIu64, store_pfn);
		node(l, PERM_INHERIT, num, "%s/%" PRIu32 "/store/ring-ref", d, id);
		snprintf(num, sizeof(num), "%" PRIu64, store_port);
		node(l, PERM_INHERIT, num, "%s/%" PRIu32 "/store/port", d, id);
	}
	node(l, PERM_RO, NULL, "%s", vm);
	node(l, PERM_INHERIT, uuid, "%s/uuid", vm);
	node(l, PERM_INHERIT, dom->cfg.name, "%s/name", vm);
	snprintf(num, sizeof(num), "%lld", (long long)time(NULL));
	node(l, PERM_INHERIT, num, "%s/start_time", vm);
}

int xs_layout_write(struct shojid *sd, const struct sd_dom *dom, struct sd_err *e)
{
	struct layout l = {.sd = sd, .domid = dom->domid};
	char vm[96];
	int err = 0;

	xs_vm_path(sd, dom, vm, sizeof(vm));
	for (int attempt = 0; attempt < 20; attempt++) {
		l.failed = NULL;
		l.t = shoji_xs_transaction_start(sd->xs);
		if (l.t == SHOJI_XS_NO_TX)
			return sd_fail(e, errno, "xenstore: cannot start a transaction: %s",
			               strerror(errno));
		write_all(&l, dom, vm);
		if (l.failed) {
			err = errno;
			shoji_xs_transaction_end(sd->xs, l.t, true);
			return sd_fail(e, err, "xenstore: cannot write %s: %s", l.failed,
			               strerror(err));
		}
		if (shoji_xs_transaction_end(sd->xs, l.t, false) == 0)
			return 0;
		err = errno;
		if (err != EAGAIN)
			break;
	}
	return sd_fail(e, err, "xenstore: cannot commit the layout: %s", strerror(err));
}

void xs_layout_remove(struct shojid *sd, uint32_t domid)
{
	char path[64], *vm;
	unsigned int n;

	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/vm", domid);
	vm = shoji_xs_read(sd->xs, SHOJI_XS_NO_TX, path, &n);
	if (vm && !strncmp(vm, "/vm/", 4))
		shoji_xs_rm(sd->xs, SHOJI_XS_NO_TX, vm);
	free(vm);
	vbd_remove_all(sd->xs, domid);
	vif_remove_all(sd->xs, domid);
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32, domid);
	if (shoji_xs_rm(sd->xs, SHOJI_XS_NO_TX, path) < 0 && errno != ENOENT)
		log_warnx("xenstore: cannot remove %s: %s", path, strerror(errno));
	if (shoji_xs_release(sd->xs, domid) < 0 && errno != ENOENT && errno != ESRCH &&
	    errno != EINVAL)
		log_warnx("xenstore: cannot release domain %" PRIu32 ": %s", domid,
		          strerror(errno));
}

int xs_write_str(struct shojid *sd, uint32_t domid, const char *rel, const char *val,
                 struct sd_err *e)
{
	char path[128];

	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/%s", domid, rel);
	if (shoji_xs_write(sd->xs, SHOJI_XS_NO_TX, path, val, (unsigned int)strlen(val)) < 0)
		return sd_fail(e, errno, "xenstore: cannot write %s: %s", path, strerror(errno));
	return 0;
}
