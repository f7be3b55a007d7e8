/*
 * xenstore.c: a small synchronous xenstore client over the ring page the
 * toolstack gives the guest (HVM_PARAM_STORE_PFN) and its event channel
 * (HVM_PARAM_STORE_EVTCHN), speaking the xs_wire protocol.
 *
 * One request is outstanding at a time: write header + payload into the
 * req ring, notify, read the reply from the rsp ring.  Watch events that
 * arrive meanwhile are queued for xs_read_watch().  Ring indexes are read
 * once into locals and checked (a producer more than a ring ahead breaks
 * the connection: -XEN_EIO from then on).  Not SMP-safe: one vCPU uses it.
 */
#include "shoji-guest.h"

#include <shoji/event_channel.h>
#include <shoji/hvm.h>
#include <shoji/io/xs_wire.h>

#define XS_TIMEOUT_NS  10000000000ULL /* per request */
#define XS_EVENT_QUEUE 4

struct xs_event {
	uint32_t len;
	char data[XENSTORE_PAYLOAD_MAX + 1];
};

struct xs_client {
	struct xenstore_domain_interface *ring;
	evtchn_port_t port;
	uint32_t req_id;
	bool broken;
	struct xsd_sockmsg hdr; /* the last message read */
	char body[XENSTORE_PAYLOAD_MAX + 1];
	struct xs_event events[XS_EVENT_QUEUE];
	unsigned int ev_head, ev_count;
};

static struct xs_client xs;

static const struct xsd_errors xs_errors[] = XSD_ERRORS_INITIALIZER;

long xs_init(void)
{
	void *page;
	evtchn_port_t port;
	long rc = hvm_ring_params(HVM_PARAM_STORE_PFN, HVM_PARAM_STORE_EVTCHN, &page, &port);

	return rc != 0 ? rc : xs_init_ring(page, port);
}

long xs_init_ring(struct xenstore_domain_interface *ring, evtchn_port_t port)
{
	if (port == 0 || port >= EVTCHN_2L_NR_CHANNELS)
		return -XEN_ENOENT;
	xs.ring = ring;
	xs.port = port;
	xs.broken = false;
	evtchn_set_handler(port, NULL, NULL); /* events only wake evtchn_wait */
	return evtchn_unmask(port);
}

static bool req_room(void *arg)
{
	const struct xenstore_domain_interface *r = xs.ring;

	return r->req_prod - __atomic_load_n(&r->req_cons, __ATOMIC_ACQUIRE) < XENSTORE_RING_SIZE;
}

static bool rsp_ready(void *arg)
{
	const struct xenstore_domain_interface *r = xs.ring;

	return __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE) != r->rsp_cons;
}

/* How many of len bytes to copy at ring index idx: at most avail, and not past the ring's end. */
static size_t ring_chunk(XENSTORE_RING_IDX idx, size_t avail, size_t len)
{
	size_t chunk = avail;

	if (chunk > XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(idx))
		chunk = XENSTORE_RING_SIZE - MASK_XENSTORE_IDX(idx);
	return chunk < len ? chunk : len;
}

static long ring_write(const char *data, size_t len, uint64_t deadline)
{
	struct xenstore_domain_interface *r = xs.ring;

	while (len > 0) {
		XENSTORE_RING_IDX cons = __atomic_load_n(&r->req_cons, __ATOMIC_ACQUIRE);
		XENSTORE_RING_IDX prod = r->req_prod;
		size_t chunk;

		if (prod - cons > XENSTORE_RING_SIZE)
			return -XEN_EIO;
		if (prod - cons == XENSTORE_RING_SIZE) {
			evtchn_send(xs.port);
			if (!evtchn_wait(req_room, NULL, deadline))
				return -XEN_ETIMEDOUT;
			continue;
		}
		chunk = ring_chunk(prod, XENSTORE_RING_SIZE - (prod - cons), len);
		memcpy(r->req + MASK_XENSTORE_IDX(prod), data, chunk);
		__atomic_store_n(&r->req_prod, prod + (XENSTORE_RING_IDX)chunk, __ATOMIC_RELEASE);
		data += chunk;
		len -= chunk;
	}
	return evtchn_send(xs.port);
}

static long ring_read(char *data, size_t len, uint64_t deadline)
{
	struct xenstore_domain_interface *r = xs.ring;

	while (len > 0) {
		XENSTORE_RING_IDX prod = __atomic_load_n(&r->rsp_prod, __ATOMIC_ACQUIRE);
		XENSTORE_RING_IDX cons = r->rsp_cons;
		size_t chunk;

		if (prod - cons > XENSTORE_RING_SIZE)
			return -XEN_EIO;
		if (prod == cons) {
			if (!evtchn_wait(rsp_ready, NULL, deadline))
				return -XEN_ETIMEDOUT;
			continue;
		}
		chunk = ring_chunk(cons, prod - cons, len);
		memcpy(data, r->rsp + MASK_XENSTORE_IDX(cons), chunk);
		__atomic_store_n(&r->rsp_cons, cons + (XENSTORE_RING_IDX)chunk, __ATOMIC_RELEASE);
		data += chunk;
		len -= chunk;
	}
	return evtchn_send(xs.port);
}

/*
 * Read one whole message into xs.hdr / xs.body (NUL-terminated).  When
 * nothing arrives by deadline (0: never) it returns -XEN_EAGAIN having
 * read nothing; once a message started, the rest must come within
 * XS_TIMEOUT_NS (else -XEN_ETIMEDOUT).
 */
static long read_msg(uint64_t deadline)
{
	long rc;

	if (!evtchn_wait(rsp_ready, NULL, deadline))
		return -XEN_EAGAIN;
	deadline = monotonic_ns() + XS_TIMEOUT_NS;
	rc = ring_read((char *)&xs.hdr, sizeof(xs.hdr), deadline);
	if (rc == 0 && xs.hdr.len > XENSTORE_PAYLOAD_MAX)
		rc = -XEN_EIO;
	if (rc == 0)
		rc = ring_read(xs.body, xs.hdr.len, deadline);
	if (rc != 0)
		return rc;
	xs.body[xs.hdr.len] = '\0';
	return 0;
}

static void queue_event(void)
{
	struct xs_event *e;

	if (xs.ev_count == XS_EVENT_QUEUE) { /* full: the oldest goes */
		xs.ev_head = (xs.ev_head + 1) % XS_EVENT_QUEUE;
		xs.ev_count--;
	}
	e = &xs.events[(xs.ev_head + xs.ev_count) % XS_EVENT_QUEUE];
	e->len = xs.hdr.len;
	memcpy(e->data, xs.body, xs.hdr.len + 1);
	xs.ev_count++;
}

static long error_of(const char *name)
{
	for (size_t i = 0; i < sizeof(xs_errors) / sizeof(xs_errors[0]); i++)
		if (strcmp(name, xs_errors[i].errstring) == 0)
			return -xs_errors[i].errnum;
	return -XEN_EIO;
}

/*
 * Send a request whose payload is the n strings of parts (each with its
 * NUL, except the last when last_nul is false) and wait for its reply in
 * xs.hdr / xs.body.  0, the server's error as a negative Xen errno, or a
 * transport error (after which the client is broken).
 */
static long talk(uint32_t type, const char *const *parts, unsigned int n, bool last_nul)
{
	uint64_t deadline;
	struct xsd_sockmsg hdr = {.type = type, .req_id = ++xs.req_id};
	long rc;

	if (xs.ring == NULL)
		return -XEN_ENOENT;
	if (xs.broken)
		return -XEN_EIO;
	for (unsigned int i = 0; i < n; i++)
		hdr.len += (uint32_t)strlen(parts[i]) + (i + 1 < n || last_nul);
	if (hdr.len > XENSTORE_PAYLOAD_MAX)
		return -XEN_E2BIG;

	deadline = monotonic_ns() + XS_TIMEOUT_NS;
	rc = ring_write((const char *)&hdr, sizeof(hdr), deadline);
	for (unsigned int i = 0; i < n && rc == 0; i++)
		rc = ring_write(parts[i], strlen(parts[i]) + (i + 1 < n || last_nul), deadline);
	while (rc == 0) {
		rc = read_msg(deadline);
		if (rc != 0 || xs.hdr.type != XS_WATCH_EVENT)
			break;
		queue_event();
	}
	if (rc != 0) {
		xs.broken = true;
		return rc;
	}
	if (xs.hdr.req_id != hdr.req_id) {
		xs.broken = true;
		return -XEN_EIO;
	}
	if (xs.hdr.type == XS_ERROR)
		return error_of(xs.body);
	return xs.hdr.type == type ? 0 : -XEN_EIO;
}

long xs_read(const char *path, char *buf, size_t len)
{
	const char *parts[] = {path};
	long rc = talk(XS_READ, parts, 1, true);

	if (rc != 0)
		return rc;
	if (len == 0 || xs.hdr.len >= len)
		return -XEN_E2BIG;
	memcpy(buf, xs.body, xs.hdr.len + 1);
	return xs.hdr.len;
}

long xs_write(const char *path, const char *value)
{
	const char *parts[] = {path, value};

	return talk(XS_WRITE, parts, 2, false);
}

long xs_rm(const char *path)
{
	const char *parts[] = {path};

	return talk(XS_RM, parts, 1, true);
}

long xs_watch(const char *path, const char *token)
{
	const char *parts[] = {path, token};

	return talk(XS_WATCH, parts, 2, true);
}

long xs_unwatch(const char *path, const char *token)
{
	const char *parts[] = {path, token};

	return talk(XS_UNWATCH, parts, 2, true);
}

/* Copy the string at *pos (inside len bytes) to out; advance past its NUL. */
static bool take_string(const char *data, uint32_t len, uint32_t *pos, char *out, size_t olen)
{
	size_t n;

	if (*pos >= len)
		return false;
	n = strnlen(data + *pos, len - *pos);
	if (n >= olen)
		return false;
	memcpy(out, data + *pos, n);
	out[n] = '\0';
	*pos += (uint32_t)n + 1;
	return true;
}

long xs_read_watch(char *path, size_t plen, char *token, size_t tlen, uint64_t deadline_ns)
{
	const struct xs_event *e;
	uint32_t pos = 0;
	long rc;

	if (xs.ring == NULL)
		return -XEN_ENOENT;
	while (xs.ev_count == 0) {
		if (xs.broken)
			return -XEN_EIO;
		rc = read_msg(deadline_ns);
		if (rc == -XEN_EAGAIN)
			return -XEN_ETIMEDOUT; /* nothing was read: the connection is fine */
		if (rc != 0) {
			xs.broken = true;
			return rc;
		}
		if (xs.hdr.type == XS_WATCH_EVENT)
			queue_event();
	}
	e = &xs.events[xs.ev_head];
	xs.ev_head = (xs.ev_head + 1) % XS_EVENT_QUEUE;
	xs.ev_count--;
	if (!take_string(e->data, e->len, &pos, path, plen) ||
	    !take_string(e->data, e->len, &pos, token, tlen))
		return -XEN_E2BIG;
	return 0;
}
