/* shoji-hv run: the guest's PV console ring and an empty store, served in-process (see runcons.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/hvm.h>
#include <shoji/io/console.h>
#include <shoji/io/xs_wire.h>

#include "proto/hv-dom0.h"
#include "dom0port.h"
#include "domain.h"
#include "guestmem.h"
#include "hv.h"
#include "log.h"
#include "platform.h"
#include "runcons.h"

struct runcons {
	struct hv *hv;
	struct domain *d; /* one reference: the ring stays mapped until detach */
	struct xencons_interface *ring;
	uint32_t port;        /* Dom0's end, bound through dom0port with us as its owner */
	struct hv_event kick; /* the port's eventfd */
	struct hv_event in;   /* in_fd, while it is polled */
	bool in_polled;
	int out_fd;
	bool broken;                   /* impossible ring indexes: the guest gets no more service */
	char pending[XENCONS_IN_SIZE]; /* read from in_fd, not yet in the ring */
	size_t npending;

	/* The store ring: every request is answered ENOENT (run mode has no store). */
	struct xenstore_domain_interface *store;
	uint32_t store_port;
	struct hv_event store_kick;
	bool store_broken;
	uint8_t msg[sizeof(struct xsd_sockmsg) + XENSTORE_PAYLOAD_MAX]; /* a request coming in */
	size_t nmsg;
};

/* dom0port keys a port to its owner's address; ours is the runcons itself. */
static struct ctrl_client *owner(struct runcons *rc)
{
	return (struct ctrl_client *)(void *)rc;
}

static void notify_port(struct runcons *rc, uint32_t port)
{
	struct ctrl_evtchn q = {.port = port};

	dom0port_send(rc->hv, owner(rc), &q, NULL, NULL);
}

static void notify(struct runcons *rc)
{
	notify_port(rc, rc->port);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return; /* output gone: the guest goes on, unseen */
		p += w;
		n -= (size_t)w;
	}
}

static void give_up(struct runcons *rc, const char *why)
{
	log_warnx("domain %u: %s: its console ring is no longer served", rc->d->domid, why);
	rc->broken = true;
	if (rc->in_polled)
		hv_event_del(rc->hv, &rc->in);
	rc->in_polled = false;
}

/* Move what is pending into the in ring, as far as it has room; true if any moved. */
static bool feed(struct runcons *rc)
{
	struct xencons_interface *r = rc->ring;
	XENCONS_RING_IDX cons = __atomic_load_n(&r->in_cons, __ATOMIC_ACQUIRE);
	XENCONS_RING_IDX prod = r->in_prod;
	size_t i = 0;

	if (prod - cons > XENCONS_IN_SIZE) {
		give_up(rc, "impossible input ring indexes");
		return false;
	}
	while (i < rc->npending && prod - cons < XENCONS_IN_SIZE)
		r->in[MASK_XENCONS_IDX(prod++, r->in)] = rc->pending[i++];
	if (i == 0)
		return false;
	memmove(rc->pending, rc->pending + i, rc->npending - i);
	rc->npending -= i;
	__atomic_store_n(&r->in_prod, prod, __ATOMIC_RELEASE);
	return true;
}

/* in_fd is polled only while nothing is pending, so a full in ring stops reading it. */
static void poll_input(struct runcons *rc, bool on)
{
	if (rc->broken || on == rc->in_polled || rc->in.fd < 0)
		return;
	if (on && hv_event_add(rc->hv, &rc->in) < 0)
		return;
	if (!on)
		hv_event_del(rc->hv, &rc->in);
	rc->in_polled = on;
}

/* The guest notified: show its output, then give it what input is waiting. */
static void on_kick(void *opaque)
{
	struct runcons *rc = opaque;
	struct xencons_interface *r = rc->ring;
	XENCONS_RING_IDX cons, prod;
	uint64_t n;
	bool moved = false;

	if (read(rc->kick.fd, &n, sizeof(n)) < 0 || rc->broken)
		return;
	cons = r->out_cons;
	prod = __atomic_load_n(&r->out_prod, __ATOMIC_ACQUIRE);
	if (prod - cons > XENCONS_OUT_SIZE) {
		give_up(rc, "impossible output ring indexes");
		return;
	}
	while (cons != prod) {
		char buf[XENCONS_OUT_SIZE];
		size_t idx = MASK_XENCONS_IDX(cons, r->out), len = XENCONS_OUT_SIZE - idx;

		if (len > (size_t)(prod - cons))
			len = prod - cons;
		memcpy(buf, &r->out[idx], len); /* copied once: the guest may rewrite it */
		write_all(rc->out_fd, buf, len);
		cons += (XENCONS_RING_IDX)len;
		moved = true;
	}
	if (moved)
		__atomic_store_n(&r->out_cons, cons, __ATOMIC_RELEASE);
	if (feed(rc))
		moved = true;
	if (moved)
		notify(rc);
	poll_input(rc, rc->npending == 0);
}

/* Input arrived: read what fits, put it in the ring. */
static void on_input(void *opaque)
{
	struct runcons *rc = opaque;
	ssize_t got =
	    read(rc->in.fd, rc->pending + rc->npending, sizeof(rc->pending) - rc->npending);

	if (got <= 0) {
		if (got < 0 && (errno == EINTR || errno == EAGAIN))
			return;
		poll_input(rc, false); /* end of input: the console stays output-only */
		rc->in.fd = -1;
		return;
	}
	rc->npending += (size_t)got;
	if (feed(rc))
		notify(rc);
	poll_input(rc, rc->npending == 0);
}

/*
 * One reply per whole request, while the response ring has room for it; a
 * request too long for the wire, or impossible ring indexes, end the
 * service (the guest hurt only itself).  True if anything moved.
 */
static bool store_serve(struct runcons *rc)
{
	static const char enoent[] = "ENOENT";
	struct xenstore_domain_interface *s = rc->store;
	XENSTORE_RING_IDX cons = s->req_cons,
	                  prod = __atomic_load_n(&s->req_prod, __ATOMIC_ACQUIRE);
	XENSTORE_RING_IDX rsp = s->rsp_prod;
	bool moved = false;

	if (prod - cons > XENSTORE_RING_SIZE ||
	    rsp - __atomic_load_n(&s->rsp_cons, __ATOMIC_ACQUIRE) > XENSTORE_RING_SIZE) {
		log_warnx("domain %u: impossible store ring indexes: its store is no longer served",
		          rc->d->domid);
		rc->store_broken = true;
		return false;
	}
	for (;;) {
		struct xsd_sockmsg h;
		size_t want = sizeof(h);

		if (rc->nmsg >= sizeof(h)) {
			memcpy(&h, rc->msg, sizeof(h));
			if (h.len > XENSTORE_PAYLOAD_MAX) {
				log_warnx(
				    "domain %u: a %u-byte store request: its store is no longer "
				    "served",
				    rc->d->domid, h.len);
				rc->store_broken = true;
				break;
			}
			want += h.len;
		}
		if (rc->nmsg == want) {
			/* Whole: answer it once the response fits, else wait for the guest to read. */
			if (XENSTORE_RING_SIZE - (rsp - s->rsp_cons) < sizeof(h) + sizeof(enoent))
				break;
			h.type = XS_ERROR;
			h.len = sizeof(enoent);
			for (size_t i = 0; i < sizeof(h) + sizeof(enoent); i++, rsp++)
				s->rsp[MASK_XENSTORE_IDX(rsp)] =
				    i < sizeof(h) ? ((const char *)&h)[i] : enoent[i - sizeof(h)];
			rc->nmsg = 0;
			moved = true;
			continue;
		}
		if (cons == prod)
			break;
		rc->msg[rc->nmsg++] = (uint8_t)s->req[MASK_XENSTORE_IDX(cons)];
		cons++;
		moved = true;
	}
	__atomic_store_n(&s->req_cons, cons, __ATOMIC_RELEASE);
	__atomic_store_n(&s->rsp_prod, rsp, __ATOMIC_RELEASE);
	return moved;
}

static void on_store_kick(void *opaque)
{
	struct runcons *rc = opaque;
	uint64_t n;

	if (read(rc->store_kick.fd, &n, sizeof(n)) < 0 || rc->store_broken)
		return;
	if (store_serve(rc))
		notify_port(rc, rc->store_port);
}

/*
 * A guest port for Dom0 named in HVM param @param, Dom0's end bound to us
 * with @fn called when the guest notifies.  0 or -errno.
 */
static int bind_port(struct runcons *rc, unsigned int param, uint32_t *port, struct hv_event *ev,
                     void (*fn)(void *))
{
	struct ctrl_evtchn q = {.domid = rc->d->domid}, reply = {0};
	int r, fd = -1;

	r = dom0port_alloc_in(rc->hv, NULL, &q, &reply, NULL);
	if (r < 0)
		return r;
	q.remote_port = reply.port;
	rc->d->hvm_params[param] = reply.port;
	r = dom0port_bind_interdomain(rc->hv, owner(rc), &q, &reply, &fd);
	if (r < 0)
		return r;
	*port = reply.port;
	*ev = (struct hv_event){.fd = fd, .fn = fn, .opaque = rc};
	return hv_event_add(rc->hv, ev);
}

static void unbind_port(struct runcons *rc, uint32_t port, struct hv_event *ev)
{
	struct ctrl_evtchn q = {.port = port};

	if (ev->fd < 0)
		return;
	hv_event_del(rc->hv, ev);
	close(ev->fd);
	dom0port_unbind(rc->hv, owner(rc), &q, NULL, NULL);
}

int runcons_attach(struct hv *hv, struct domain *d, int in_fd, int out_fd, struct runcons **out)
{
	struct runcons *rc = calloc(1, sizeof(*rc));
	int r;

	if (!rc)
		return -ENOMEM;
	rc->hv = hv;
	rc->out_fd = out_fd;
	rc->kick.fd = -1;
	rc->store_kick.fd = -1;
	rc->in = (struct hv_event){.fd = in_fd, .fn = on_input, .opaque = rc};
	rc->d = hv_domain_get(hv, d->domid);
	rc->ring = rc->d ? gm_gpa(&d->mem, d->hvm_params[HVM_PARAM_CONSOLE_PFN] << GM_PAGE_SHIFT,
	                          sizeof(*rc->ring))
	                 : NULL;
	rc->store = rc->d ? gm_gpa(&d->mem, d->hvm_params[HVM_PARAM_STORE_PFN] << GM_PAGE_SHIFT,
	                           sizeof(*rc->store))
	                  : NULL;
	if (!rc->ring || !rc->store) {
		r = -EFAULT;
		goto fail;
	}
	r = bind_port(rc, HVM_PARAM_CONSOLE_EVTCHN, &rc->port, &rc->kick, on_kick);
	if (r == 0)
		r = bind_port(rc, HVM_PARAM_STORE_EVTCHN, &rc->store_port, &rc->store_kick,
		              on_store_kick);
	if (r < 0)
		goto fail;
	poll_input(rc, true); /* not pollable (a file, /dev/null): output only */
	*out = rc;
	return 0;
fail:
	runcons_detach(rc);
	return r;
}

void runcons_detach(struct runcons *rc)
{
	if (!rc)
		return;
	poll_input(rc, false);
	unbind_port(rc, rc->port, &rc->kick);
	unbind_port(rc, rc->store_port, &rc->store_kick);
	if (rc->d)
		domain_put(rc->d);
	free(rc);
}
