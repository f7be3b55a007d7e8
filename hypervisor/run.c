/* shoji-hv run: one guest in the foreground (see run.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <shoji/sched.h>

#include "hv.h"
#include "loader.h"
#include "log.h"
#include "platform.h"
#include "run.h"
#include "runcons.h"

#define RUN_EXIT_HOST_ERROR 1
#define RUN_EXIT_SHUTDOWN   10 /* + SHUTDOWN_* reason */

struct run_ctx {
	struct hv *hv;
	struct domain *d;
	struct hv_event ev;   /* eventfd poked on every state change */
	struct runcons *cons; /* the PV console ring, on stdin/stdout */
};

/* Any thread: a domain changed state; let the loop look. */
static void on_state(void *opaque, struct domain *d)
{
	struct run_ctx *c = opaque;
	uint64_t one = 1;

	if (write(c->ev.fd, &one, sizeof(one)) < 0)
		log_warn("state notification");
}

/* Loop thread: stop once the guest is gone. */
static void check_state(void *opaque)
{
	struct run_ctx *c = opaque;
	enum domain_state s;
	uint64_t n;

	if (read(c->ev.fd, &n, sizeof(n)) < 0)
		return;
	s = domain_state(c->d);
	if (s == DOMAIN_SHUTDOWN || s == DOMAIN_CRASHED || s == DOMAIN_DYING)
		hv_stop(c->hv);
}

/*
 * The kernel and the initrd must be readable regular files no larger than
 * the guest's RAM: said before /dev/kvm is opened, so a mistyped path is
 * reported the same way with or without KVM.  domain_load reads them again
 * (and checks them the same way, for the control socket's loads).
 */
static int check_files(const struct run_options *o)
{
	const char *files[] = {o->kernel, o->initrd};
	char err[512];
	size_t i, len;
	uint8_t *buf;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!files[i])
			continue;
		if (loader_read_file(files[i], o->cfg.memory, &buf, &len, err, sizeof(err)) < 0) {
			log_warnx("%s", err);
			return -1;
		}
		free(buf);
	}
	return 0;
}

int run_guest(const struct run_options *o)
{
	struct run_ctx c = {.ev = {.fd = -1}};
	struct hv *hv;
	char err[512];
	int r, status = RUN_EXIT_HOST_ERROR;

	if (check_files(o) < 0)
		return RUN_EXIT_HOST_ERROR;
	hv = hv_open();
	if (!hv)
		return RUN_EXIT_HOST_ERROR;
	c.hv = hv;
	c.ev.fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	c.ev.fn = check_state;
	c.ev.opaque = &c;
	if (c.ev.fd < 0 || hv_event_add(hv, &c.ev) < 0) {
		log_warn("eventfd");
		goto out;
	}
	hv->on_state = on_state;
	hv->on_state_opaque = &c;

	r = domain_create(hv, &o->cfg, &c.d);
	if (r < 0) {
		log_warnx("cannot create the domain: %s", strerror(-r));
		goto out;
	}
	if (domain_load(c.d, o->kernel, o->initrd, o->cmdline, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		goto out;
	}
	r = runcons_attach(hv, c.d, STDIN_FILENO, STDOUT_FILENO, &c.cons);
	if (r < 0) {
		log_warnx("cannot serve the console ring of domain %u: %s", c.d->domid,
		          strerror(-r));
		goto out;
	}
	r = domain_unpause(c.d);
	if (r < 0) {
		log_warnx("cannot start domain %u: %s", c.d->domid, strerror(-r));
		goto out;
	}
	r = hv_loop(hv);
	if (r < 0) {
		log_warnx("event loop: %s", strerror(-r));
		goto out;
	}
	pthread_mutex_lock(&c.d->lock);
	if (c.d->crashed)
		status = RUN_EXIT_SHUTDOWN + SHUTDOWN_crash;
	else if (c.d->shutdown_reason == SHUTDOWN_poweroff)
		status = 0;
	else
		status = RUN_EXIT_SHUTDOWN + (int)c.d->shutdown_reason;
	pthread_mutex_unlock(&c.d->lock);
	if (status != 0 && !c.d->crashed)
		log_debug("domain %u shut down (reason %u)", c.d->domid, c.d->shutdown_reason);
out:
	runcons_detach(c.cons); /* the loop has stopped */
	if (c.d) {
		domain_destroy(c.d);
		domain_put(c.d);
	}
	if (c.ev.fd >= 0)
		close(c.ev.fd);
	hv_close(hv);
	return status;
}
