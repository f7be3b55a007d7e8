/*
 * console-dom: the Dom0 set-up the console tests need while shojid does not
 * reserve consoles yet -- the same sequence Xen's toolstack runs for a PVH
 * guest (docs/writing-a-pv-driver.md, "Setting up a console by hand"):
 *
 *   console-dom HV XS create NAME KERNEL MEM_MIB [CMDLINE [DEVTYPE]]   prints the domid
 *   console-dom HV XS destroy DOMID
 *   console-dom HV XS wait DOMID SECS     waits for shutdown: "reason=N"
 *   console-dom HV XS mem DOMID           prints "cur_kib=N"
 *   console-dom HV XS dmesg DOMID         prints the domain's console_io output
 *
 * create: a paused domain, kernel loaded; the store and console pages are
 * the special pages shoji-hv reserved (HVM_PARAM_STORE_PFN/CONSOLE_PFN); each gets a guest port for Dom0
 * (shoji_evtchn_alloc_unbound_in), the HVM params name them, xenstore gets
 * /local/domain/<id>/{name,domid,control/shutdown,memory/target,
 * console/{ring-ref,port,type}} owned by the domain, the domain is
 * introduced to xenstored, and unpaused.  With DEVTYPE, device DEVTYPE/0
 * is laid out as the toolstack does for a PV device: the frontend directory
 * device/DEVTYPE/0 owned by the domain, the backend directory
 * /local/domain/0/backend/DEVTYPE/<id>/0 owned by Dom0 and readable by it,
 * each naming the other.  Exit 0, or 1 with a message.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <shoji/ctrl.h>
#include <shoji/hvm.h>
#include <shoji/libevtchn.h>
#include <shoji/xs.h>

struct cd {
	struct shoji_ctrl *c;
	struct shoji_xs *xs;
	struct shoji_evtchn *x;
	uint32_t domid;
};

static int die(const char *what)
{
	fprintf(stderr, "console-dom: %s: %s\n", what, strerror(errno));
	return 1;
}

static int put(struct cd *d, const char *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int put(struct cd *d, const char *node, const char *fmt, ...)
{
	char path[128], val[64];
	va_list ap;

	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/%s", d->domid, node);
	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	return shoji_xs_write(d->xs, SHOJI_XS_NO_TX, path, val, (unsigned int)strlen(val));
}

/* The xenbus layout of device @type/0 (frontend and backend halves), both Initialising. */
static int add_device(struct cd *d, const char *type)
{
	char fe[96], be[128], node[160], fid[16];
	struct shoji_xs_perm be_perms[2] = {{.domid = 0, .perms = SHOJI_XS_PERM_NONE},
	                                    {.domid = d->domid, .perms = SHOJI_XS_PERM_READ}};

	snprintf(fe, sizeof(fe), "/local/domain/%" PRIu32 "/device/%s/0", d->domid, type);
	snprintf(be, sizeof(be), "/local/domain/0/backend/%s/%" PRIu32 "/0", type, d->domid);
	if (shoji_xs_mkdir(d->xs, SHOJI_XS_NO_TX, be) < 0 ||
	    shoji_xs_set_perms(d->xs, SHOJI_XS_NO_TX, be, be_perms, 2) < 0)
		return -1;
	snprintf(node, sizeof(node), "device/%s/0/backend", type);
	if (put(d, node, "%s", be) < 0)
		return -1;
	snprintf(node, sizeof(node), "device/%s/0/backend-id", type);
	if (put(d, node, "0") < 0)
		return -1;
	snprintf(node, sizeof(node), "device/%s/0/state", type);
	if (put(d, node, "1") < 0)
		return -1;
	snprintf(node, sizeof(node), "%s/frontend-id", be);
	snprintf(fid, sizeof(fid), "%" PRIu32, d->domid);
	if (shoji_xs_write(d->xs, SHOJI_XS_NO_TX, node, fid, (unsigned int)strlen(fid)) < 0)
		return -1;
	snprintf(node, sizeof(node), "%s/frontend", be);
	/* Last: the backend picks the device up when "frontend" exists. */
	return shoji_xs_write(d->xs, SHOJI_XS_NO_TX, node, fe, (unsigned int)strlen(fe));
}

static int create(struct cd *d, const char *name, const char *kernel, unsigned int mib,
                  const char *cmdline, const char *devtype)
{
	struct shoji_domain_config cfg = {
	    .name = name, .memory_kib = (uint64_t)mib * 1024, .vcpus = 1};
	uint64_t store_gfn = 0, con_gfn = 0;
	struct shoji_xs_perm perms[1];
	char why[256] = "", home[64];
	int store_port, con_port;

	if (shoji_ctrl_create(d->c, &cfg, &d->domid) < 0)
		return die("create");
	if (shoji_ctrl_load(d->c, d->domid, kernel, NULL, cmdline, why, sizeof(why)) < 0) {
		fprintf(stderr, "console-dom: load: %s\n", why);
		goto fail;
	}
	if (shoji_ctrl_get_param(d->c, d->domid, HVM_PARAM_STORE_PFN, &store_gfn) < 0 ||
	    shoji_ctrl_get_param(d->c, d->domid, HVM_PARAM_CONSOLE_PFN, &con_gfn) < 0 ||
	    !store_gfn || !con_gfn) {
		die("special pages");
		goto fail;
	}
	store_port = shoji_evtchn_alloc_unbound_in(d->x, d->domid, 0);
	con_port = shoji_evtchn_alloc_unbound_in(d->x, d->domid, 0);
	if (store_port < 0 || con_port < 0) {
		die("alloc_unbound_in");
		goto fail;
	}
	if (shoji_ctrl_set_param(d->c, d->domid, HVM_PARAM_STORE_EVTCHN, (uint64_t)store_port) <
	        0 ||
	    shoji_ctrl_set_param(d->c, d->domid, HVM_PARAM_CONSOLE_EVTCHN, (uint64_t)con_port) <
	        0) {
		die("set_param");
		goto fail;
	}
	snprintf(home, sizeof(home), "/local/domain/%" PRIu32, d->domid);
	perms[0] = (struct shoji_xs_perm){.domid = d->domid, .perms = SHOJI_XS_PERM_NONE};
	if (shoji_xs_mkdir(d->xs, SHOJI_XS_NO_TX, home) < 0 ||
	    shoji_xs_set_perms(d->xs, SHOJI_XS_NO_TX, home, perms, 1) < 0 ||
	    put(d, "name", "%s", name) < 0 || put(d, "domid", "%" PRIu32, d->domid) < 0 ||
	    put(d, "control/shutdown", "%s", "") < 0 ||
	    put(d, "memory/target", "%u", mib * 1024) < 0 ||
	    put(d, "console/type", "%s", "xenconsoled") < 0 ||
	    put(d, "console/port", "%d", con_port) < 0 ||
	    put(d, "console/ring-ref", "%" PRIu64, con_gfn) < 0) {
		die("xenstore layout");
		goto fail;
	}
	if (devtype && add_device(d, devtype) < 0) {
		die("device layout");
		goto fail;
	}
	if (shoji_xs_introduce(d->xs, d->domid, store_gfn, (uint32_t)store_port) < 0) {
		die("introduce");
		goto fail;
	}
	if (shoji_ctrl_unpause(d->c, d->domid) < 0) {
		die("unpause");
		goto fail;
	}
	printf("%" PRIu32 "\n", d->domid);
	return 0;
fail:
	shoji_ctrl_destroy(d->c, d->domid);
	return 1;
}

static int destroy(struct cd *d)
{
	char home[64];
	int rc = 0;

	if (shoji_ctrl_destroy(d->c, d->domid) < 0 && errno != ESRCH)
		rc = die("destroy");
	shoji_xs_release(d->xs, d->domid);
	snprintf(home, sizeof(home), "/local/domain/%" PRIu32, d->domid);
	shoji_xs_rm(d->xs, SHOJI_XS_NO_TX, home);
	return rc;
}

static int wait_shutdown(struct cd *d, unsigned int secs)
{
	for (unsigned int i = 0; i < secs * 20; i++) {
		struct shoji_dominfo info;
		struct timespec ts = {0, 50000000};

		if (shoji_ctrl_info(d->c, d->domid, &info) < 0)
			return die("info");
		if (info.state == SHOJI_DOMAIN_SHUTDOWN || info.state == SHOJI_DOMAIN_CRASHED) {
			printf("reason=%" PRIu32 "\n", info.shutdown_reason);
			return 0;
		}
		nanosleep(&ts, NULL);
	}
	fprintf(stderr, "console-dom: domain %" PRIu32 " still running\n", d->domid);
	return 1;
}

int main(int argc, char **argv)
{
	struct cd d = {0};
	int rc = 1;

	if (argc < 5) {
		fprintf(stderr, "usage: console-dom HV XS create|destroy|wait|mem ...\n");
		return 2;
	}
	d.c = shoji_ctrl_open(argv[1]);
	d.xs = shoji_xs_open(argv[2]);
	d.x = shoji_evtchn_open(argv[1]);
	if (!d.c || !d.xs || !d.x) {
		rc = die("connect");
		goto out;
	}
	if (strcmp(argv[3], "create") == 0 && argc >= 7) {
		rc = create(&d, argv[4], argv[5], (unsigned int)strtoul(argv[6], NULL, 10),
		            argc > 7 ? argv[7] : "", argc > 8 ? argv[8] : NULL);
	} else if (argc >= 5) {
		d.domid = (uint32_t)strtoul(argv[4], NULL, 10);
		if (strcmp(argv[3], "destroy") == 0) {
			rc = destroy(&d);
		} else if (strcmp(argv[3], "wait") == 0 && argc >= 6) {
			rc = wait_shutdown(&d, (unsigned int)strtoul(argv[5], NULL, 10));
		} else if (strcmp(argv[3], "dmesg") == 0) {
			char buf[4096];
			uint64_t pos = 0;
			int n;

			while ((n = shoji_ctrl_console_read(d.c, d.domid, &pos, buf, sizeof(buf))) >
			       0)
				fwrite(buf, 1, (size_t)n, stdout);
			rc = n < 0 ? die("console_read") : 0;
		} else if (strcmp(argv[3], "mem") == 0) {
			struct shoji_dominfo info;

			if (shoji_ctrl_info(d.c, d.domid, &info) < 0) {
				rc = die("info");
			} else {
				printf("cur_kib=%" PRIu64 "\n", info.cur_kib);
				rc = 0;
			}
		} else {
			fprintf(stderr, "console-dom: bad command\n");
			rc = 2;
		}
	}
out:
	if (d.x)
		shoji_evtchn_close(d.x);
	if (d.xs)
		shoji_xs_close(d.xs);
	if (d.c)
		shoji_ctrl_close(d.c);
	return rc;
}
