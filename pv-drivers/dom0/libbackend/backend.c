/*
 * backend.c: the core of libshoji-backend.  One context holds the
 * connections (xenstore, event channels, grant maps, shoji-hv control and
 * its event stream), the libevent loop, and three small registries the
 * loop dispatches to: xenstore watches (by token), local event channel
 * ports, and domain-death listeners for the domains in use.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include <shoji/ctrl.h>
#include <shoji/libevtchn.h>
#include <shoji/libgnttab.h>
#include <shoji/xs.h>

#include "backend-internal.h"

struct shoji_backend_watch {
	struct shoji_backend_watch *next;
	char *path;
	char token[24];
	shoji_backend_watch_fn *fn;
	void *arg;
};

struct bk_port {
	struct bk_port *next;
	uint32_t port;
	uint32_t domid;
	shoji_backend_event_fn *fn;
	void *arg;
};

struct bk_gone {
	struct bk_gone *next;
	shoji_backend_gone_fn *fn;
	void *arg;
};

struct shoji_backend {
	shoji_backend_log_fn *log;
	void *log_arg;
	struct shoji_xs *xs;
	struct shoji_evtchn *xce;
	struct shoji_gnttab *xgt;
	struct shoji_ctrl *ctrl;   /* queries (domain info) */
	struct shoji_ctrl *events; /* shoji-hv's event stream; NULL when unavailable */
	struct event_base *base;
	struct event *xs_ev, *evtchn_ev, *ctrl_ev;
	struct shoji_backend_watch *watches;
	struct shoji_backend_watch *release_watch;
	struct bk_port *ports;
	struct bk_gone *gone, **gone_tail;
	uint32_t *doms; /* tracked domains */
	size_t ndoms, cap_doms;
	unsigned int next_token;
	int status; /* what run() returns */
	struct bk_xenbus xenbus;
};

void shoji_backend_log(struct shoji_backend *be, enum shoji_backend_log_level level,
                       const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!be->log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	be->log(be->log_arg, level, msg);
}

struct bk_xenbus *backend_xenbus(struct shoji_backend *be)
{
	return &be->xenbus;
}

struct event_base *shoji_backend_event_base(struct shoji_backend *be)
{
	return be->base;
}

struct shoji_xs *shoji_backend_xs(struct shoji_backend *be)
{
	return be->xs;
}

struct shoji_gnttab *shoji_backend_gnttab(struct shoji_backend *be)
{
	return be->xgt;
}

/* --- domains --- */

static bool tracked(const struct shoji_backend *be, uint32_t domid, size_t *at)
{
	for (size_t i = 0; i < be->ndoms; i++) {
		if (be->doms[i] == domid) {
			if (at)
				*at = i;
			return true;
		}
	}
	return false;
}

int shoji_backend_track_domain(struct shoji_backend *be, uint32_t domid)
{
	if (tracked(be, domid, NULL))
		return 0;
	if (be->ndoms == be->cap_doms) {
		size_t cap = be->cap_doms ? be->cap_doms * 2 : 16;
		uint32_t *d = realloc(be->doms, cap * sizeof(*d));

		if (!d)
			return -1;
		be->doms = d;
		be->cap_doms = cap;
	}
	be->doms[be->ndoms++] = domid;
	return 0;
}

int shoji_backend_on_domain_gone(struct shoji_backend *be, shoji_backend_gone_fn *fn, void *arg)
{
	struct bk_gone *g = calloc(1, sizeof(*g));

	if (!g)
		return -1;
	g->fn = fn;
	g->arg = arg;
	*be->gone_tail = g;
	be->gone_tail = &g->next;
	return 0;
}

/* @domid died: devices first, then listeners, then any port still bound to it. */
static void domain_gone(struct shoji_backend *be, uint32_t domid)
{
	struct bk_port **pp;
	size_t at;

	if (!tracked(be, domid, &at))
		return;
	be->doms[at] = be->doms[--be->ndoms];
	shoji_backend_log(be, SHOJI_BACKEND_LOG_INFO, "domain %u is gone", domid);
	xenbus_domain_gone(be, domid);
	for (struct bk_gone *g = be->gone; g; g = g->next)
		g->fn(be, domid, g->arg);
	for (pp = &be->ports; *pp;) {
		struct bk_port *p = *pp;

		if (p->domid != domid) {
			pp = &p->next;
			continue;
		}
		*pp = p->next;
		shoji_evtchn_unbind(be->xce, p->port);
		free(p);
	}
}

/* @releaseDomain: check every tracked domain against shoji-hv. */
static void release_domain(struct shoji_backend *be, const char *path, void *arg)
{
	size_t n = be->ndoms;
	uint32_t *copy = n ? malloc(n * sizeof(*copy)) : NULL;

	if (!copy)
		return;
	memcpy(copy, be->doms, n * sizeof(*copy));
	for (size_t i = 0; i < n; i++) {
		struct shoji_dominfo info;

		if (shoji_ctrl_info(be->ctrl, copy[i], &info) < 0) {
			if (errno == ESRCH)
				domain_gone(be, copy[i]);
		} else if (info.state == SHOJI_DOMAIN_DYING) {
			domain_gone(be, copy[i]);
		}
	}
	free(copy);
}

static void on_ctrl(evutil_socket_t fd, short what, void *arg)
{
	struct shoji_backend *be = arg;
	struct shoji_ctrl_event ev;

	if (shoji_ctrl_next_event(be->events, &ev) < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		shoji_backend_log(be, SHOJI_BACKEND_LOG_ERR, "lost shoji-hv's event stream: %s",
		                  strerror(errno));
		be->status = -1;
		event_base_loopbreak(be->base);
		return;
	}
	if (ev.state == SHOJI_EVENT_OVERFLOW) {
		/* Events were dropped for us: whatever went meanwhile, find it now. */
		shoji_backend_log(be, SHOJI_BACKEND_LOG_INFO,
		                  "shoji-hv dropped events for us; checking every domain");
		release_domain(be, NULL, NULL);
	} else if (ev.state == SHOJI_DOMAIN_GONE || ev.state == SHOJI_DOMAIN_DYING) {
		domain_gone(be, ev.domid);
	}
}

/* --- watches --- */

struct shoji_backend_watch *shoji_backend_watch(struct shoji_backend *be, const char *path,
                                                shoji_backend_watch_fn *fn, void *arg)
{
	struct shoji_backend_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->path = strdup(path);
	if (!w->path)
		goto fail;
	snprintf(w->token, sizeof(w->token), "bk%u", be->next_token++);
	w->fn = fn;
	w->arg = arg;
	if (shoji_xs_watch(be->xs, path, w->token) < 0)
		goto fail;
	w->next = be->watches;
	be->watches = w;
	return w;
fail:
	free(w->path);
	free(w);
	return NULL;
}

void shoji_backend_unwatch(struct shoji_backend *be, struct shoji_backend_watch *w)
{
	struct shoji_backend_watch **pp;

	if (!w)
		return;
	for (pp = &be->watches; *pp && *pp != w; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = w->next;
	shoji_xs_unwatch(be->xs, w->path, w->token);
	free(w->path);
	free(w);
}

static void on_xs(evutil_socket_t fd, short what, void *arg)
{
	struct shoji_backend *be = arg;
	char **ev;

	while ((ev = shoji_xs_check_watch(be->xs)) != NULL) {
		struct shoji_backend_watch *w;

		for (w = be->watches; w; w = w->next)
			if (strcmp(w->token, ev[SHOJI_XS_WATCH_TOKEN]) == 0)
				break;
		if (w)
			w->fn(be, ev[SHOJI_XS_WATCH_PATH], w->arg);
		free(ev);
	}
	if (errno != EAGAIN) {
		shoji_backend_log(be, SHOJI_BACKEND_LOG_ERR, "lost xenstore: %s", strerror(errno));
		be->status = -1;
		event_base_loopbreak(be->base);
	}
}

/* --- event channels --- */

int shoji_backend_bind(struct shoji_backend *be, uint32_t domid, uint32_t remote_port,
                       shoji_backend_event_fn *fn, void *arg)
{
	struct bk_port *p = calloc(1, sizeof(*p));
	int port;

	if (!p)
		return -1;
	if (shoji_backend_track_domain(be, domid) < 0)
		goto fail;
	port = shoji_evtchn_bind_interdomain(be->xce, domid, remote_port);
	if (port < 0)
		goto fail;
	p->port = (uint32_t)port;
	p->domid = domid;
	p->fn = fn;
	p->arg = arg;
	p->next = be->ports;
	be->ports = p;
	return port;
fail:
	free(p);
	return -1;
}

int shoji_backend_unbind(struct shoji_backend *be, uint32_t port)
{
	for (struct bk_port **pp = &be->ports; *pp; pp = &(*pp)->next) {
		struct bk_port *p = *pp;

		if (p->port == port) {
			*pp = p->next;
			free(p);
			return shoji_evtchn_unbind(be->xce, port);
		}
	}
	errno = ENOENT;
	return -1;
}

int shoji_backend_notify(struct shoji_backend *be, uint32_t port)
{
	return shoji_evtchn_notify(be->xce, port);
}

static void on_evtchn(evutil_socket_t fd, short what, void *arg)
{
	struct shoji_backend *be = arg;
	int port;

	while ((port = shoji_evtchn_pending(be->xce)) >= 0) {
		struct bk_port *p;

		shoji_evtchn_unmask(be->xce, (uint32_t)port);
		for (p = be->ports; p; p = p->next)
			if (p->port == (uint32_t)port)
				break;
		if (p)
			p->fn(be, p->port, p->arg);
	}
	if (errno != EAGAIN && errno != EINTR) {
		shoji_backend_log(be, SHOJI_BACKEND_LOG_ERR, "lost shoji-hv's event channels: %s",
		                  strerror(errno));
		be->status = -1;
		event_base_loopbreak(be->base);
	}
}

/* --- life cycle --- */

static struct event *add_fd(struct shoji_backend *be, int fd, event_callback_fn fn)
{
	struct event *ev = event_new(be->base, fd, EV_READ | EV_PERSIST, fn, be);

	if (ev && event_add(ev, NULL) < 0) {
		event_free(ev);
		ev = NULL;
	}
	return ev;
}

struct shoji_backend *shoji_backend_new(const struct shoji_backend_config *cfg)
{
	struct shoji_backend *be = calloc(1, sizeof(*be));
	int err;

	if (!be)
		return NULL;
	be->gone_tail = &be->gone;
	be->log = cfg ? cfg->log : NULL;
	be->log_arg = cfg ? cfg->log_arg : NULL;
	be->base = event_base_new();
	if (!be->base)
		goto fail;
	be->xs = shoji_xs_open(cfg ? cfg->xs_socket : NULL);
	if (!be->xs) {
		shoji_backend_log(be, SHOJI_BACKEND_LOG_ERR, "cannot connect to xenstore: %s",
		                  strerror(errno));
		goto fail;
	}
	be->ctrl = shoji_ctrl_open(cfg ? cfg->hv_socket : NULL);
	be->xce = be->ctrl ? shoji_evtchn_open(cfg ? cfg->hv_socket : NULL) : NULL;
	be->xgt = be->xce ? shoji_gnttab_open(cfg ? cfg->hv_socket : NULL) : NULL;
	if (!be->xgt) {
		shoji_backend_log(be, SHOJI_BACKEND_LOG_ERR, "cannot connect to shoji-hv: %s",
		                  strerror(errno));
		goto fail;
	}
	be->events = shoji_ctrl_open(cfg ? cfg->hv_socket : NULL);
	if (be->events && shoji_ctrl_subscribe(be->events) < 0) {
		shoji_backend_log(be, SHOJI_BACKEND_LOG_WARN,
		                  "no shoji-hv event stream (%s): relying on @releaseDomain",
		                  strerror(errno));
		shoji_ctrl_close(be->events);
		be->events = NULL;
	}
	be->xs_ev = add_fd(be, shoji_xs_fileno(be->xs), on_xs);
	be->evtchn_ev = add_fd(be, shoji_evtchn_fd(be->xce), on_evtchn);
	if (!be->xs_ev || !be->evtchn_ev)
		goto fail;
	if (be->events) {
		be->ctrl_ev = add_fd(be, shoji_ctrl_fd(be->events), on_ctrl);
		if (!be->ctrl_ev)
			goto fail;
	}
	be->release_watch = shoji_backend_watch(be, "@releaseDomain", release_domain, NULL);
	if (!be->release_watch)
		goto fail;
	return be;
fail:
	err = errno ? errno : EIO;
	shoji_backend_free(be);
	errno = err;
	return NULL;
}

void shoji_backend_free(struct shoji_backend *be)
{
	if (!be)
		return;
	xenbus_free_all(be);
	while (be->watches)
		shoji_backend_unwatch(be, be->watches);
	while (be->ports)
		shoji_backend_unbind(be, be->ports->port);
	while (be->gone) {
		struct bk_gone *g = be->gone;

		be->gone = g->next;
		free(g);
	}
	if (be->xs_ev)
		event_free(be->xs_ev);
	if (be->evtchn_ev)
		event_free(be->evtchn_ev);
	if (be->ctrl_ev)
		event_free(be->ctrl_ev);
	if (be->base)
		event_base_free(be->base);
	if (be->xgt)
		shoji_gnttab_close(be->xgt);
	if (be->xce)
		shoji_evtchn_close(be->xce);
	if (be->events)
		shoji_ctrl_close(be->events);
	if (be->ctrl)
		shoji_ctrl_close(be->ctrl);
	if (be->xs)
		shoji_xs_close(be->xs);
	free(be->doms);
	free(be);
}

int shoji_backend_run(struct shoji_backend *be)
{
	be->status = 0;
	/* Watch events queued while callers set up are not signalled on the fd. */
	on_xs(-1, EV_READ, be);
	if (be->status == 0 && event_base_dispatch(be->base) < 0)
		be->status = -1;
	return be->status;
}

void shoji_backend_stop(struct shoji_backend *be)
{
	event_base_loopbreak(be->base);
}
