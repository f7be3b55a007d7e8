/*
 * Helpers shared by the xenstore unit tests: an in-memory store, fake
 * connections (a dom0 socket client, or an unprivileged domain such as
 * domid 5 — the same struct the ring transport will create) and a way to
 * send one request through the real dispatcher and read back the reply.
 */
#ifndef TEST_XS_UTIL_H
#define TEST_XS_UTIL_H

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

static ssize_t mem_read(struct xs_conn *c, void *buf, size_t len)
{
	errno = EAGAIN;
	return -1;
}

static ssize_t mem_write(struct xs_conn *c, const void *buf, size_t len)
{
	return (ssize_t)len;
}

static const struct xs_transport_ops mem_ops = {
    .name = "memory", .read = mem_read, .write = mem_write};

/* A connection: domid 0 is a privileged socket client, others are domains. */
static inline struct xs_conn *tconn(struct xsd *d, uint32_t domid)
{
	struct xs_conn *c = conn_new(d, &mem_ops, NULL, -1, domid, domid == 0);

	ck_assert_ptr_nonnull(c);
	c->is_domain = domid != 0;
	return c;
}

/* Ends the argument list of treqv(). */
#define END ((const char *)NULL)

struct tmsg {
	uint32_t type, req_id, tx_id, len;
	char p[XENSTORE_PAYLOAD_MAX + 1];
};

/* Pop the next queued message of c (returns 0 when there is none). */
static inline int tpop(struct xs_conn *c, struct tmsg *m)
{
	struct xsd_sockmsg h;

	if (c->outlen - c->outoff < sizeof(h))
		return 0;
	memcpy(&h, c->out + c->outoff, sizeof(h));
	ck_assert_uint_le(h.len, XENSTORE_PAYLOAD_MAX);
	m->type = h.type;
	m->req_id = h.req_id;
	m->tx_id = h.tx_id;
	m->len = h.len;
	memcpy(m->p, c->out + c->outoff + sizeof(h), h.len);
	m->p[h.len] = '\0';
	c->outoff += sizeof(h) + h.len;
	return 1;
}

/* Drop everything queued for c (e.g. watch events nobody checks). */
static inline void tdrain(struct xs_conn *c)
{
	c->outoff = c->outlen = 0;
}

static uint32_t treq_id = 100;

/*
 * Send a request whose payload is given as len bytes and return the reply
 * (watch events queued before it are skipped and kept out of the way).
 */
static inline struct tmsg treq(struct xs_conn *c, uint32_t type, uint32_t tx, const void *p,
                               uint32_t len)
{
	struct xsd_sockmsg h = {type, ++treq_id, tx, len};
	char buf[XENSTORE_PAYLOAD_MAX + 1];
	struct tmsg m = {0};
	size_t off;

	memcpy(buf, p, len);
	buf[len] = '\0';
	if (c->outoff) { /* keep offsets stable while the request runs */
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	off = c->outlen;
	proto_handle(c->d, c, &h, buf);
	/* take the reply out of what this request queued; events stay queued */
	while (off + sizeof(h) <= c->outlen) {
		struct xsd_sockmsg r;
		size_t mlen;

		memcpy(&r, c->out + off, sizeof(r));
		mlen = sizeof(r) + r.len;
		if (r.type != XS_WATCH_EVENT && r.req_id == h.req_id) {
			m.type = r.type;
			m.req_id = r.req_id;
			m.tx_id = r.tx_id;
			m.len = r.len;
			memcpy(m.p, c->out + off + sizeof(r), r.len);
			m.p[r.len] = '\0';
			memmove(c->out + off, c->out + off + mlen, c->outlen - off - mlen);
			c->outlen -= mlen;
			return m;
		}
		off += mlen;
	}
	ck_abort_msg("no reply to request type %u", type);
	return m;
}

/* Request with NUL-separated arguments given as strings (a NULL ends the list). */
static inline struct tmsg treqv(struct xs_conn *c, uint32_t type, uint32_t tx, ...)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	uint32_t len = 0;
	const char *a;
	va_list ap;

	va_start(ap, tx);
	while ((a = va_arg(ap, const char *)) != NULL) {
		size_t l = strlen(a) + 1;

		memcpy(buf + len, a, l);
		len += (uint32_t)l;
	}
	va_end(ap);
	return treq(c, type, tx, buf, len);
}

/* WRITE path=value. */
static inline struct tmsg twrite(struct xs_conn *c, uint32_t tx, const char *path, const char *val)
{
	char buf[XENSTORE_PAYLOAD_MAX];
	size_t pl = strlen(path) + 1, vl = strlen(val);

	memcpy(buf, path, pl);
	memcpy(buf + pl, val, vl);
	return treq(c, XS_WRITE, tx, buf, (uint32_t)(pl + vl));
}

#define ck_ok(m)                                                                                   \
	do {                                                                                       \
		struct tmsg m_ = (m);                                                              \
		ck_assert_msg(m_.type != XS_ERROR, "unexpected error %s", m_.p);                   \
	} while (0)
#define ck_err(m, name)                                                                            \
	do {                                                                                       \
		struct tmsg m_ = (m);                                                              \
		ck_assert_msg(m_.type == XS_ERROR, "expected %s, got success", name);              \
		ck_assert_str_eq(m_.p, name);                                                      \
	} while (0)

static inline char *tread(struct xs_conn *c, uint32_t tx, const char *path)
{
	static struct tmsg m;

	m = treqv(c, XS_READ, tx, path, END);
	return m.type == XS_ERROR ? NULL : m.p;
}

static inline uint32_t tstart(struct xs_conn *c)
{
	struct tmsg m = treq(c, XS_TRANSACTION_START, 0, "", 1);

	ck_ok(m);
	return (uint32_t)strtoul(m.p, NULL, 10);
}

static inline struct tmsg tend(struct xs_conn *c, uint32_t tx, bool commit)
{
	return treq(c, XS_TRANSACTION_END, tx, commit ? "T" : "F", 2);
}

/* Count queued watch events for path (and pop them all). */
static inline int tevents(struct xs_conn *c, const char *path)
{
	struct tmsg m;
	int n = 0;

	while (tpop(c, &m))
		if (m.type == XS_WATCH_EVENT && (!path || strcmp(m.p, path) == 0))
			n++;
	return n;
}

static inline struct xsd *tstore(void)
{
	struct xsd *d = malloc(sizeof(*d));

	ck_assert_ptr_nonnull(d);
	ck_assert_int_eq(xsd_init(d), 0);
	ck_assert_int_eq(store_init_root(d), 0);
	return d;
}

static inline void tstore_free(struct xsd *d)
{
	xsd_fini(d);
	free(d);
}

/* Introduce domain 5 (a record only, no ring) with its home /local/domain/5 owned by 5. */
static inline void tdom5(struct xs_conn *dom0)
{
	ck_ok(treqv(dom0, XS_INTRODUCE, 0, "5", "1", "1", END));
	ck_ok(twrite(dom0, 0, "/local/domain/5", ""));
	ck_ok(treqv(dom0, XS_SET_PERMS, 0, "/local/domain/5", "n5", END));
}

/* CONTROL check: the accounting matches the tree and nothing is orphaned. */
static inline void tcheck(struct xs_conn *dom0)
{
	struct tmsg m = treqv(dom0, XS_CONTROL, 0, "check", END);

	ck_assert_msg(m.type != XS_ERROR && strcmp(m.p, "OK") == 0, "check: %s", m.p);
}

#endif
