/*
 * The guest-ring transport: requests arrive in req[] between req_cons and
 * req_prod, replies and watch events leave through rsp[] between rsp_cons
 * and rsp_prod.  The page is shared with an untrusted guest, so every index
 * is read once into a local and checked before use, and payload bytes are
 * copied out before anything looks at them.  Framing, the 4096-byte limit
 * and dispatch are conn.c's, exactly as for a socket.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ring.h"

static uint32_t idx_load(const XENSTORE_RING_IDX *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void idx_store(XENSTORE_RING_IDX *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

/* Stop using the ring: record why on the page (the ERROR feature) and fail the connection. */
static ssize_t ring_fail(struct xs_ring *r, uint32_t why)
{
	if (!r->broken) {
		__atomic_store_n(&r->intf->error, why, __ATOMIC_RELEASE);
		if (r->notify)
			r->notify(r->arg);
	}
	r->broken = true;
	errno = EPROTO;
	return -1;
}

static int ring_kick(struct xs_ring *r)
{
	if (r->notify && r->notify(r->arg) < 0) {
		r->broken = true; /* the guest's end is gone */
		return -1;
	}
	return 0;
}

/*
 * Read one ring's indexes (each once) into *cons and *prod and check them:
 * returns the bytes between them, at most a ring, or -1 when the ring is
 * broken already or the guest made its indexes impossible (it breaks then).
 */
static int ring_indexes(struct xs_conn *c, const XENSTORE_RING_IDX *consp,
                        const XENSTORE_RING_IDX *prodp, const char *which, uint32_t *cons,
                        uint32_t *prod)
{
	struct xs_ring *r = c->tp;

	if (r->broken) {
		errno = EPIPE;
		return -1;
	}
	*cons = idx_load(consp);
	*prod = idx_load(prodp);
	if (*prod - *cons > XENSTORE_RING_SIZE) {
		xsd_warn(c->d, "domain %u: bad %s ring indexes (cons %u prod %u): disconnected",
		         c->domid, which, *cons, *prod);
		return (int)ring_fail(r, XENSTORE_ERROR_RINGIDX);
	}
	return (int)(*prod - *cons);
}

static ssize_t ring_read(struct xs_conn *c, void *buf, size_t len)
{
	struct xs_ring *r = c->tp;
	struct xenstore_domain_interface *intf = r->intf;
	uint32_t cons, prod, avail, off, n, first;
	int in = ring_indexes(c, &intf->req_cons, &intf->req_prod, "request", &cons, &prod);

	if (in < 0)
		return -1;
	avail = (uint32_t)in;
	if (avail == 0) {
		errno = EAGAIN;
		return -1;
	}
	n = avail < len ? avail : (uint32_t)len;
	off = MASK_XENSTORE_IDX(cons);
	first = XENSTORE_RING_SIZE - off;
	if (first > n)
		first = n;
	memcpy(buf, intf->req + off, first);
	memcpy((char *)buf + first, intf->req, n - first);
	idx_store(&intf->req_cons, cons + n);
	/* a guest only waits for room when it filled the ring: otherwise the reply wakes it */
	if (avail == XENSTORE_RING_SIZE && ring_kick(r) < 0) {
		errno = EPIPE;
		return -1;
	}
	return n;
}

static ssize_t ring_write(struct xs_conn *c, const void *buf, size_t len)
{
	struct xs_ring *r = c->tp;
	struct xenstore_domain_interface *intf = r->intf;
	uint32_t cons, prod, n, off, first;
	int used = ring_indexes(c, &intf->rsp_cons, &intf->rsp_prod, "response", &cons, &prod);

	if (used < 0)
		return -1;
	n = XENSTORE_RING_SIZE - (uint32_t)used;
	if (n == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = (uint32_t)len;
	off = MASK_XENSTORE_IDX(prod);
	first = XENSTORE_RING_SIZE - off;
	if (first > n)
		first = n;
	memcpy(intf->rsp + off, buf, first);
	memcpy(intf->rsp, (const char *)buf + first, n - first);
	idx_store(&intf->rsp_prod, prod + n);
	if (ring_kick(r) < 0) {
		errno = EPIPE;
		return -1;
	}
	return n;
}

static void ring_close(struct xs_conn *c)
{
	struct xs_ring *r = c->tp;

	if (!r)
		return;
	if (r->release)
		r->release(r->arg);
	free(r);
	c->tp = NULL;
	c->fd = -1; /* the release callback owns the descriptor */
}

const struct xs_transport_ops xs_ring_ops = {
    .name = "ring",
    .read = ring_read,
    .write = ring_write,
    .close = ring_close,
};

struct xs_conn *ring_conn_new(struct xsd *d, struct xs_ring *r, int fd, uint32_t domid)
{
	struct xs_conn *c = conn_new(d, &xs_ring_ops, r, fd, domid, domid == XSD_PRIV_DOMID);

	if (!c) {
		errno = ENOMEM;
		return NULL;
	}
	c->is_domain = true;
	__atomic_store_n(&r->intf->server_features, XSD_RING_FEATURES, __ATOMIC_RELEASE);
	return c;
}

/*
 * XENSTORE_RECONNECT: the guest wants a clean ring.  Everything of the old
 * session goes (watches, transactions, half-read requests, unsent replies),
 * the indexes restart at 0 and the connection is marked usable again.
 */
static void ring_reset(struct xs_conn *c)
{
	struct xs_ring *r = c->tp;
	struct xenstore_domain_interface *intf = r->intf;

	watch_del_all(c->d, c);
	while (c->txs)
		tx_end(c->d, c, c->txs, false);
	c->inlen = 0;
	c->outoff = c->outlen = 0;
	idx_store(&intf->req_cons, 0);
	idx_store(&intf->req_prod, 0);
	idx_store(&intf->rsp_cons, 0);
	idx_store(&intf->rsp_prod, 0);
	__atomic_store_n(&intf->error, XENSTORE_ERROR_NONE, __ATOMIC_RELEASE);
	__atomic_store_n(&intf->server_features, XSD_RING_FEATURES, __ATOMIC_RELEASE);
	__atomic_store_n(&intf->connection, XENSTORE_CONNECTED, __ATOMIC_RELEASE);
}

int ring_event(struct xs_conn *c)
{
	struct xs_ring *r = c->tp;

	if (r->broken || c->dead)
		return -1;
	if (__atomic_load_n(&r->intf->connection, __ATOMIC_ACQUIRE) == XENSTORE_RECONNECT) {
		ring_reset(c);
		return ring_kick(r);
	}
	/*
	 * Only input here: output (old replies the full ring held back, and new
	 * ones) goes out from the daemon's flush, after the journal write.
	 */
	return conn_input(c);
}
