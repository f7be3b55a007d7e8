/*
 * The Dom0 side of guest rings: map a domain's store page (a privileged
 * foreign mapping through libshoji-gnttab) and bind the event channel port
 * the domain allocated for Dom0 (libshoji-evtchn).  The handles to shoji-hv
 * are opened on the first INTRODUCE, so a daemon serving only Dom0 sockets
 * never needs shoji-hv.
 *
 * shoji-hv may die and come back (every guest dies with it).  The handles of
 * one shoji-hv instance are a link; each ring connection holds the link it
 * was made through, so that its teardown never touches a later instance's
 * ports.  A lost link (its control connection reads end of file) is dropped
 * with every ring made through it, and the next INTRODUCE opens a new one.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <shoji/ctrl.h>
#include <shoji/libevtchn.h>
#include <shoji/libgnttab.h>
#include <shoji/xen.h>

#include "log.h"
#include "ring-dom0.h"

/* The handles to one shoji-hv instance. */
struct hv_link {
	struct shoji_evtchn *xce;
	struct shoji_gnttab *xgt;
	unsigned int refs; /* the ring_dom0's, while current, and one per ring peer */
};

struct ring_dom0 {
	const char *hv_socket;
	struct hv_link *link;    /* the current link, or NULL */
	struct shoji_ctrl *ctrl; /* domain states, after VIRQ_DOM_EXC; watched for a lost link */
	int exc_port;            /* VIRQ_DOM_EXC on link, or -1 */
};

/* Per connection: what to undo when it closes. */
struct ring_peer {
	struct hv_link *link;
	void *page;
	uint32_t domid;
	uint32_t port;      /* Dom0's local port */
	bool shutdown_seen; /* @releaseDomain already fired for its shutdown */
};

struct ring_dom0 *ring_dom0_new(const char *hv_socket)
{
	struct ring_dom0 *rd = calloc(1, sizeof(*rd));

	if (rd) {
		rd->hv_socket = hv_socket;
		rd->exc_port = -1;
	}
	return rd;
}

static void link_put(struct hv_link *l)
{
	if (!l || --l->refs > 0)
		return;
	if (l->xce)
		shoji_evtchn_close(l->xce);
	if (l->xgt)
		shoji_gnttab_close(l->xgt);
	free(l);
}

/* The current link, opened if there is none.  NULL with errno. */
static struct hv_link *link_get(struct ring_dom0 *rd)
{
	struct hv_link *l;
	int err;

	if (rd->link)
		return rd->link;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;
	l->refs = 1;
	l->xce = shoji_evtchn_open(rd->hv_socket);
	l->xgt = l->xce ? shoji_gnttab_open(rd->hv_socket) : NULL;
	if (!l->xgt) {
		err = errno;
		link_put(l);
		errno = err;
		return NULL;
	}
	rd->link = l;
	return l;
}

/* Drop the current link and control connection; rings keep their own link. */
static void ring_dom0_reset(struct ring_dom0 *rd)
{
	link_put(rd->link);
	rd->link = NULL;
	if (rd->ctrl)
		shoji_ctrl_close(rd->ctrl);
	rd->ctrl = NULL;
	rd->exc_port = -1;
}

void ring_dom0_free(struct ring_dom0 *rd)
{
	if (!rd)
		return;
	ring_dom0_reset(rd);
	free(rd);
}

static int peer_notify(void *arg)
{
	struct ring_peer *p = arg;

	return shoji_evtchn_notify(p->link->xce, p->port);
}

static void peer_release(void *arg)
{
	struct ring_peer *p = arg;

	shoji_evtchn_unbind(p->link->xce, p->port); /* fails quietly on a lost link */
	shoji_foreign_unmap(p->page, 1);
	link_put(p->link);
	free(p);
}

int ring_dom0_connect(struct ring_dom0 *rd, struct xsd *d, uint32_t domid, uint64_t gfn,
                      uint32_t port, struct xs_conn **out)
{
	struct hv_link *l = link_get(rd);
	struct ring_peer *p = NULL;
	struct xs_ring *r = NULL;
	struct xs_conn *c;
	int local = -1, fd, err;

	if (!l)
		return -1;
	p = calloc(1, sizeof(*p));
	r = calloc(1, sizeof(*r));
	if (!p || !r) {
		errno = ENOMEM;
		goto out;
	}
	p->domid = domid;
	p->page = shoji_foreign_map(l->xgt, domid, gfn, 1, PROT_READ | PROT_WRITE);
	if (!p->page)
		goto out;
	local = shoji_evtchn_bind_interdomain(l->xce, domid, port);
	if (local < 0)
		goto out;
	p->port = (uint32_t)local;
	fd = shoji_evtchn_port_fd(l->xce, p->port);
	if (fd < 0)
		goto out;
	r->intf = p->page;
	r->notify = peer_notify;
	r->release = peer_release;
	r->arg = p;
	p->link = l;
	l->refs++;
	c = ring_conn_new(d, r, fd, domid);
	if (!c) {
		l->refs--;
		goto out;
	}
	*out = c;
	return 0;
out:
	err = errno;
	if (local >= 0)
		shoji_evtchn_unbind(l->xce, (uint32_t)local);
	if (p && p->page)
		shoji_foreign_unmap(p->page, 1);
	free(p);
	free(r);
	errno = err;
	return -1;
}

int ring_dom0_exc_fd(struct ring_dom0 *rd)
{
	struct hv_link *l;
	int port;

	if (rd->exc_port >= 0)
		return shoji_evtchn_port_fd(rd->link->xce, (uint32_t)rd->exc_port);
	l = link_get(rd);
	if (!l)
		return -1;
	if (!rd->ctrl)
		rd->ctrl = shoji_ctrl_open(rd->hv_socket);
	if (!rd->ctrl)
		return -1;
	port = shoji_evtchn_bind_virq(l->xce, VIRQ_DOM_EXC);
	if (port < 0)
		return -1;
	rd->exc_port = port;
	return shoji_evtchn_port_fd(l->xce, (uint32_t)port);
}

int ring_dom0_link_fd(const struct ring_dom0 *rd)
{
	return rd->ctrl ? shoji_ctrl_fd(rd->ctrl) : -1;
}

bool ring_dom0_link_lost(const struct ring_dom0 *rd)
{
	char c;
	ssize_t n;

	if (!rd->ctrl)
		return false;
	/* No request is in flight between calls: readable means end of file. */
	n = recv(shoji_ctrl_fd(rd->ctrl), &c, 1, MSG_PEEK | MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

void ring_dom0_drop(struct ring_dom0 *rd, struct xsd *d)
{
	struct xs_conn *c;
	unsigned int n = 0;

	for (c = d->conns; c; c = c->next) {
		struct xs_ring *r = c->ops == &xs_ring_ops ? c->tp : NULL;
		struct ring_peer *p = r ? r->arg : NULL;

		if (!p || c->dead || p->link != rd->link)
			continue;
		c->dead = true; /* its domain died with shoji-hv */
		conn_want_flush(c);
		n++;
	}
	ring_dom0_reset(rd);
	if (n) {
		log_warnx("shoji-hv is gone: %u guest ring connection(s) closed", n);
		watch_fire(d, "@releaseDomain", 14, NULL, false);
	}
}

/*
 * VIRQ_DOM_EXC fired: look at every ring connection's domain.  A domain
 * that shut down or crashed gets @releaseDomain once (the toolstack will
 * RELEASE it); one being destroyed, or gone, loses its connection and
 * fires @releaseDomain (again).
 */
void ring_dom0_check_domains(struct ring_dom0 *rd, struct xsd *d)
{
	struct xs_conn *c;
	bool fire = false;

	if (!rd->ctrl)
		return;
	for (c = d->conns; c; c = c->next) {
		struct xs_ring *r = c->ops == &xs_ring_ops ? c->tp : NULL;
		struct ring_peer *p = r ? r->arg : NULL;
		struct shoji_dominfo info;

		if (!p || c->dead)
			continue;
		if (shoji_ctrl_info(rd->ctrl, p->domid, &info) < 0) {
			if (errno != ESRCH && errno != ENOENT)
				continue; /* shoji-hv could not be asked: try at the next event */
			info.state = SHOJI_DOMAIN_GONE;
		}
		if (info.state == SHOJI_DOMAIN_DYING || info.state == SHOJI_DOMAIN_GONE) {
			log_warnx("domain %u died: ring connection closed", p->domid);
			c->dead = true;
			conn_want_flush(c);
			fire = true; /* again after a shutdown, as Xen does when the domain goes */
		} else if ((info.state == SHOJI_DOMAIN_SHUTDOWN ||
		            info.state == SHOJI_DOMAIN_CRASHED) &&
		           !p->shutdown_seen) {
			p->shutdown_seen = true;
			fire = true;
		}
	}
	if (fire)
		watch_fire(d, "@releaseDomain", 14, NULL, false);
}
