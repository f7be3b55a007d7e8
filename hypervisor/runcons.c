/* shoji-hv run: the guest's PV console ring, served in-process (see runcons.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <shoji/hvm.h>
#include <shoji/io/console.h>

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
};

/* dom0port keys a port to its owner's address; ours is the runcons itself. */
static struct ctrl_client *owner(struct runcons *rc)
{
	return (struct ctrl_client *)(void *)rc;
}

static void notify(struct runcons *rc)
{
	struct ctrl_evtchn q = {.port = rc->port};

	dom0port_send(rc->hv, owner(rc), &q, NULL, NULL);
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

int runcons_attach(struct hv *hv, struct domain *d, int in_fd, int out_fd, struct runcons **out)
{
	struct runcons *rc = calloc(1, sizeof(*rc));
	struct ctrl_evtchn q = {.domid = d->domid}, reply = {0};
	int r, fd = -1;

	if (!rc)
		return -ENOMEM;
	rc->hv = hv;
	rc->out_fd = out_fd;
	rc->kick.fd = -1;
	rc->in = (struct hv_event){.fd = in_fd, .fn = on_input, .opaque = rc};
	rc->d = hv_domain_get(hv, d->domid);
	rc->ring = rc->d ? gm_gpa(&d->mem, d->hvm_params[HVM_PARAM_CONSOLE_PFN] << GM_PAGE_SHIFT,
	                          sizeof(*rc->ring))
	                 : NULL;
	if (!rc->ring) {
		r = -EFAULT;
		goto fail;
	}
	/* The guest's port for Dom0, then Dom0's end of it, bound to us. */
	r = dom0port_alloc_in(hv, NULL, &q, &reply, NULL);
	if (r < 0)
		goto fail;
	q.remote_port = reply.port;
	d->hvm_params[HVM_PARAM_CONSOLE_EVTCHN] = reply.port;
	r = dom0port_bind_interdomain(hv, owner(rc), &q, &reply, &fd);
	if (r < 0)
		goto fail;
	rc->port = reply.port;
	rc->kick = (struct hv_event){.fd = fd, .fn = on_kick, .opaque = rc};
	r = hv_event_add(hv, &rc->kick);
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
	if (rc->kick.fd >= 0) {
		struct ctrl_evtchn q = {.port = rc->port};

		hv_event_del(rc->hv, &rc->kick);
		close(rc->kick.fd);
		dom0port_unbind(rc->hv, owner(rc), &q, NULL, NULL);
	}
	if (rc->d)
		domain_put(rc->d);
	free(rc);
}
