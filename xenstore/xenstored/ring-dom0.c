/*
 * The Dom0 side of guest rings: map a domain's store page (a privileged
 * foreign mapping through libshoji-gnttab) and bind the event channel port
 * the domain allocated for Dom0 (libshoji-evtchn).  The handles to shoji-hv
 * are opened on the first INTRODUCE, so a daemon serving only Dom0 sockets
 * never needs shoji-hv.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

struct ring_dom0 {
	const char *hv_socket;
	struct shoji_evtchn *xce;
	struct shoji_gnttab *xgt;
	struct shoji_ctrl *ctrl; /* domain states, after VIRQ_DOM_EXC */
	int exc_port;            /* VIRQ_DOM_EXC, or -1 */
};

/* Per connection: what to undo when it closes. */
struct ring_peer {
	struct ring_dom0 *rd;
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

void ring_dom0_free(struct ring_dom0 *rd)
{
	if (!rd)
		return;
	if (rd->xce)
		shoji_evtchn_close(rd->xce);
	if (rd->xgt)
		shoji_gnttab_close(rd->xgt);
	if (rd->ctrl)
		shoji_ctrl_close(rd->ctrl);
	free(rd);
}

static int peer_notify(void *arg)
{
	struct ring_peer *p = arg;

	return shoji_evtchn_notify(p->rd->xce, p->port);
}

static void peer_release(void *arg)
{
	struct ring_peer *p = arg;

	shoji_evtchn_unbind(p->rd->xce, p->port);
	shoji_foreign_unmap(p->page, 1);
	free(p);
}

int ring_dom0_connect(struct ring_dom0 *rd, struct xsd *d, uint32_t domid, uint64_t gfn,
                      uint32_t port, struct xs_conn **out)
{
	struct ring_peer *p = NULL;
	struct xs_ring *r = NULL;
	struct xs_conn *c;
	int local = -1, fd, err;

	if (!rd->xce)
		rd->xce = shoji_evtchn_open(rd->hv_socket);
	if (!rd->xgt)
		rd->xgt = shoji_gnttab_open(rd->hv_socket);
	if (!rd->xce || !rd->xgt)
		return -1;
	p = calloc(1, sizeof(*p));
	r = calloc(1, sizeof(*r));
	if (!p || !r) {
		errno = ENOMEM;
		goto out;
	}
	p->rd = rd;
	p->domid = domid;
	p->page = shoji_foreign_map(rd->xgt, domid, gfn, 1, PROT_READ | PROT_WRITE);
	if (!p->page)
		goto out;
	local = shoji_evtchn_bind_interdomain(rd->xce, domid, port);
	if (local < 0)
		goto out;
	p->port = (uint32_t)local;
	fd = shoji_evtchn_port_fd(rd->xce, p->port);
	if (fd < 0)
		goto out;
	r->intf = p->page;
	r->notify = peer_notify;
	r->release = peer_release;
	r->arg = p;
	c = ring_conn_new(d, r, fd, domid);
	if (!c)
		goto out;
	*out = c;
	return 0;
out:
	err = errno;
	if (local >= 0)
		shoji_evtchn_unbind(rd->xce, (uint32_t)local);
	if (p && p->page)
		shoji_foreign_unmap(p->page, 1);
	free(p);
	free(r);
	errno = err;
	return -1;
}

int ring_dom0_exc_fd(struct ring_dom0 *rd)
{
	int port;

	if (rd->exc_port >= 0)
		return shoji_evtchn_port_fd(rd->xce, (uint32_t)rd->exc_port);
	if (!rd->xce)
		rd->xce = shoji_evtchn_open(rd->hv_socket);
	if (!rd->ctrl)
		rd->ctrl = shoji_ctrl_open(rd->hv_socket);
	if (!rd->xce || !rd->ctrl)
		return -1;
	port = shoji_evtchn_bind_virq(rd->xce, VIRQ_DOM_EXC);
	if (port < 0)
		return -1;
	rd->exc_port = port;
	return shoji_evtchn_port_fd(rd->xce, (uint32_t)port);
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
