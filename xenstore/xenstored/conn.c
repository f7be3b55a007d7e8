/*
 * Connections: framing of the byte stream into messages, the output queue
 * with its limit, and the transports.  A transport is a small ops struct
 * (read, write, close); the Unix socket is one, a guest's ring page will be
 * another.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xsd.h"

#define XSD_INBUF_ALLOC (XSD_INBUF_SIZE + 1) /* +1: room to NUL-terminate a payload */

struct xs_conn *conn_new(struct xsd *d, const struct xs_transport_ops *ops, void *tp, int fd,
                         uint32_t domid, bool priv)
{
	struct xs_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->in = malloc(XSD_INBUF_ALLOC);
	if (!c->in) {
		free(c);
		return NULL;
	}
	c->d = d;
	c->ops = ops;
	c->tp = tp;
	c->fd = fd;
	c->domid = domid;
	c->priv = priv;
	c->next_txid = 1;
	c->out_limit = d->out_limit;
	c->next = d->conns;
	if (d->conns)
		d->conns->prevp = &c->next;
	c->prevp = &d->conns;
	d->conns = c;
	return c;
}

void conn_free(struct xs_conn *c)
{
	struct xsd *d = c->d;
	struct xs_conn **pp;

	watch_conn_closed(d, c);
	while (c->txs)
		tx_end(d, c, c->txs, false);
	for (pp = &d->flush_list; *pp; pp = &(*pp)->fnext) {
		if (*pp == c) {
			*pp = c->fnext;
			break;
		}
	}
	*c->prevp = c->next;
	if (c->next)
		c->next->prevp = c->prevp;
	if (c->ops && c->ops->close)
		c->ops->close(c);
	free(c->in);
	free(c->out);
	free(c);
}

void conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *p1,
               uint32_t l1, const void *p2, uint32_t l2)
{
	struct xsd_sockmsg h = {type, req_id, tx_id, l1 + l2};
	size_t need = sizeof(h) + l1 + l2;

	if (c->dead)
		return;
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
	} else if (c->outoff > c->outcap / 2) {
		memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
		c->outlen -= c->outoff;
		c->outoff = 0;
	}
	if (c->outlen - c->outoff + need > c->out_limit) {
		/* XSA-326/349: a client that does not read is dropped, not buffered forever */
		xsd_warn(c->d, "dropping connection of domain %u: %zu bytes of output not read",
		         c->domid, c->outlen - c->outoff);
		c->dead = true;
		return;
	}
	if (c->outlen + need > c->outcap) {
		size_t ncap = c->outcap ? c->outcap : 8192;
		char *nb;

		while (ncap < c->outlen + need)
			ncap *= 2;
		nb = realloc(c->out, ncap);
		if (!nb) {
			c->dead = true;
			return;
		}
		c->out = nb;
		c->outcap = ncap;
	}
	memcpy(c->out + c->outlen, &h, sizeof(h));
	if (l1)
		memcpy(c->out + c->outlen + sizeof(h), p1, l1);
	if (l2)
		memcpy(c->out + c->outlen + sizeof(h) + l1, p2, l2);
	c->outlen += need;
	conn_want_flush(c);
}

void conn_want_flush(struct xs_conn *c)
{
	if (!c->flushing) {
		c->flushing = true;
		c->fnext = c->d->flush_list;
		c->d->flush_list = c;
	}
}

bool conn_throttled(const struct xs_conn *c)
{
	return c->outlen - c->outoff > c->out_limit / 4;
}

int conn_process(struct xs_conn *c)
{
	uint32_t pos = 0;

	while (c->inlen - pos >= sizeof(struct xsd_sockmsg) && !c->dead && !conn_throttled(c)) {
		struct xsd_sockmsg h;
		char *payload, saved;

		memcpy(&h, c->in + pos, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			return -1; /* like C xenstored: a bad header ends the connection */
		if (c->inlen - pos - sizeof(h) < h.len)
			break;
		payload = c->in + pos + sizeof(h);
		saved = payload[h.len];
		payload[h.len] = '\0';
		proto_handle(c->d, c, &h, payload);
		payload[h.len] = saved;
		pos += (uint32_t)sizeof(h) + h.len;
	}
	if (pos) {
		memmove(c->in, c->in + pos, c->inlen - pos);
		c->inlen -= pos;
	}
	/* a header announcing too much is refused as soon as it is complete */
	if (c->inlen >= sizeof(struct xsd_sockmsg)) {
		struct xsd_sockmsg h;

		memcpy(&h, c->in, sizeof(h));
		if (h.len > XENSTORE_PAYLOAD_MAX)
			return -1;
	}
	return c->dead ? -1 : 0;
}

int conn_input(struct xs_conn *c)
{
	ssize_t n;

	if (c->inlen < XSD_INBUF_SIZE && !conn_throttled(c)) {
		n = c->ops->read(c, c->in + c->inlen, XSD_INBUF_SIZE - c->inlen);
		if (n == 0)
			return -1;
		if (n < 0)
			return (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) ? 0 : -1;
		c->inlen += (uint32_t)n;
	}
	return conn_process(c);
}

int conn_output(struct xs_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = c->ops->write(c, c->out + c->outoff, c->outlen - c->outoff);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			if (errno == EINTR)
				continue;
			return -1;
		}
		c->outoff += (size_t)n;
	}
	c->outoff = c->outlen = 0;
	return 0;
}

/* ---- the Unix socket transport (dom0 clients: privileged) ---- */

/*
 * With several connections, requests are peeked, not consumed, and the
 * bytes are dropped from the socket only after the replies went out.
 * Consuming a message frees the sender's buffer space, and Linux then
 * wakes every task sleeping on the client's socket, including a client
 * blocked in read() waiting for its reply: a wake-up (an IPI on another
 * CPU) for nothing.  Dropping the bytes after the reply has woken the
 * client avoids it, for one more system call.  A lone client is better off
 * with a plain read: the reply's wake-up lets it preempt the daemon on its
 * CPU, so the late drop would find it asleep again (measured with
 * tests/bench/xs_bench: fewer context switches per request either way).
 */
struct sock_tp {
	size_t unconsumed; /* bytes peeked into c->in but still queued in the socket */
};

/* Drop the peeked bytes from the socket (they are in c->in already). */
static void sock_consume(struct xs_conn *c)
{
	struct sock_tp *tp = c->tp;
	char sink[XSD_INBUF_SIZE]; /* one peek's worth: normally a single recv */

	while (tp && tp->unconsumed) {
		ssize_t n =
		    recv(c->fd, sink, tp->unconsumed < sizeof(sink) ? tp->unconsumed : sizeof(sink),
		         MSG_DONTWAIT);

		if (n <= 0)
			break;
		tp->unconsumed -= (size_t)n;
	}
}

/* Read or peek at what the client sent (the transport's state is made on first use). */
static ssize_t sock_read(struct xs_conn *c, void *buf, size_t len)
{
	struct sock_tp *tp = c->tp;
	ssize_t n;

	if (!tp) {
		tp = c->tp = calloc(1, sizeof(*tp));
		if (!tp)
			return -1;
	}
	sock_consume(c);
	if (tp->unconsumed) {
		errno = EIO; /* could not drop old bytes: peeking again would repeat them */
		return -1;
	}
	if (!c->d->conns || !c->d->conns->next)
		return recv(c->fd, buf, len, MSG_DONTWAIT);
	n = recv(c->fd, buf, len, MSG_PEEK | MSG_DONTWAIT);
	if (n > 0)
		tp->unconsumed = (size_t)n;
	return n;
}

/* Send, then drop the requests this output answers: the client is awake by now. */
static ssize_t sock_write(struct xs_conn *c, const void *buf, size_t len)
{
	ssize_t n = send(c->fd, buf, len, MSG_NOSIGNAL);

	sock_consume(c);
	return n;
}

static void sock_close(struct xs_conn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->tp);
	c->tp = NULL;
}

const struct xs_transport_ops xs_socket_ops = {
    .name = "socket",
    .read = sock_read,
    .write = sock_write,
    .close = sock_close,
};
