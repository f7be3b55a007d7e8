/*
 * The control-socket side of Dom0 event channels and grants: decode
 * CTRL_EVTCHN / CTRL_GNTTAB requests (evtdom0-proto.h), run them through
 * evtglue.c with the client connection as owner, and reply, passing the
 * port eventfd or the guest memfd with SCM_RIGHTS.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <shoji/event_channel.h>
#include <shoji/grant_table.h>

#include "ctrl-proto.h"
#include "domain.h"
#include "evtdom0-proto.h"
#include "evtglue.h"
#include "hv.h"
#include "log.h"

_Static_assert(sizeof(struct ctrl_gnttab) + CTRL_GNT_COPY_DATA <= sizeof(struct ctrl_console_reply),
               "a grant copy must fit the control socket's largest message");

/* Send the reply to @req: header, @body when the request succeeded, @pass_fd if >= 0. */
static void send_reply(int fd, const struct ctrl_hdr *req, int status, const void *body, size_t len,
                       int pass_fd)
{
	struct ctrl_hdr h = {.magic = CTRL_PROTO_MAGIC,
	                     .version = CTRL_PROTO_VERSION,
	                     .type = req->type,
	                     .seq = req->seq,
	                     .status = status};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)body, status == 0 ? len : 0}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

	if (pass_fd >= 0 && status == 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) < 0)
		hv_debug("control: dom0 reply: %s", strerror(errno));
}

static int evtchn_request(struct hv *hv, uintptr_t owner, struct ctrl_evtchn *q, int *pass_fd)
{
	struct domain *d;
	int r;

	if (q->domid >= DOMID_FIRST_RESERVED &&
	    (q->op == CTRL_EVTCHN_BIND_UNBOUND || q->op == CTRL_EVTCHN_BIND_INTERDOMAIN ||
	     q->op == CTRL_EVTCHN_ALLOC_IN))
		return -ESRCH;
	switch (q->op) {
	case CTRL_EVTCHN_BIND_UNBOUND:
		return evtglue_dom0_bind(hv, owner, EVTCHNOP_alloc_unbound, (domid_t)q->domid, 0, 0,
		                         &q->port, pass_fd);
	case CTRL_EVTCHN_BIND_INTERDOMAIN:
		return evtglue_dom0_bind(hv, owner, EVTCHNOP_bind_interdomain, (domid_t)q->domid,
		                         q->remote_port, 0, &q->port, pass_fd);
	case CTRL_EVTCHN_BIND_VIRQ:
		return evtglue_dom0_bind(hv, owner, EVTCHNOP_bind_virq, 0, 0, q->virq, &q->port,
		                         pass_fd);
	case CTRL_EVTCHN_UNBIND:
		return evtglue_dom0_unbind(hv, owner, q->port);
	case CTRL_EVTCHN_ALLOC_IN:
		return evtglue_dom0_alloc_in(hv, (domid_t)q->domid, q->remote_port, &q->port);
	case CTRL_EVTCHN_SET_MAX_PORT:
		d = hv_domain_get(hv, q->domid);
		if (!d)
			return -ESRCH;
		r = evtglue_set_max_port(d, q->remote_port);
		domain_put(d);
		return r;
	default:
		return -EOPNOTSUPP;
	}
}

/* Grant copy: segments validated against the bytes that came with them. */
static int gnttab_copy_request(struct hv *hv, struct ctrl_gnttab *q, uint8_t *data, size_t len)
{
	size_t off = 0;
	uint32_t i;

	if (q->nr_segs > CTRL_GNT_COPY_SEGS)
		return -EINVAL;
	for (i = 0; i < q->nr_segs; i++)
		off += q->seg[i].len;
	if (off != len || off > CTRL_GNT_COPY_DATA)
		return -EINVAL;
	for (i = 0, off = 0; i < q->nr_segs; i++) {
		struct ctrl_gnt_seg *s = &q->seg[i];

		s->status = (int16_t)evtglue_dom0_copy(hv, s->domid, s->ref, s->offset, s->len,
		                                       s->to_guest != 0, data + off);
		off += s->len;
	}
	return 0;
}

static int gnttab_request(struct hv *hv, uintptr_t owner, struct ctrl_gnttab *q, int *pass_fd)
{
	grant_handle_t handle;
	int r, memfd = -1;

	switch (q->op) {
	case CTRL_GNT_MAP:
		if (q->domid >= DOMID_FIRST_RESERVED)
			return -ESRCH;
		q->gntst = evtglue_dom0_map(hv, owner, (domid_t)q->domid, q->ref,
		                            q->flags & CTRL_GNT_READONLY, &handle, &q->gfn);
		if (q->gntst != GNTST_okay)
			return 0;
		q->handle = handle;
		r = evtglue_dom0_memfd(hv, (domid_t)q->domid, &memfd, &q->mem_size);
		if (r < 0) {
			evtglue_dom0_unmap(hv, owner, handle);
			return r;
		}
		break;
	case CTRL_GNT_UNMAP:
		q->gntst = evtglue_dom0_unmap(hv, owner, (grant_handle_t)q->handle);
		return 0;
	case CTRL_GNT_FOREIGN:
		if (q->domid >= DOMID_FIRST_RESERVED)
			return -ESRCH;
		r = evtglue_dom0_foreign_check(hv, (domid_t)q->domid, q->gfn, q->count);
		if (r == 0)
			r = evtglue_dom0_memfd(hv, (domid_t)q->domid, &memfd, &q->mem_size);
		if (r < 0)
			return r;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (q->flags & CTRL_GNT_WANT_FD)
		*pass_fd = memfd;
	else
		close(memfd);
	return 0;
}

void evtdom0_request(struct hv *hv, int fd, uintptr_t owner, const void *msg, size_t len)
{
	union {
		struct ctrl_evtchn e;
		struct ctrl_gnttab g;
		uint8_t raw[sizeof(struct ctrl_gnttab) + CTRL_GNT_COPY_DATA];
	} body;
	struct ctrl_hdr h;
	size_t n = len - sizeof(h), reply_len = 0;
	int r = -EINVAL, pass_fd = -1;

	memcpy(&h, msg, sizeof(h));
	if (n > sizeof(body))
		goto out;
	memcpy(&body, (const uint8_t *)msg + sizeof(h), n);
	if (h.type == CTRL_EVTCHN && n == sizeof(body.e) && body.e.op == CTRL_EVTCHN_SEND) {
		/* Fire and forget: the client checked the port is its own interdomain one. */
		evtglue_dom0_notify(hv, owner, body.e.port);
		return;
	}
	if (h.type == CTRL_EVTCHN && n == sizeof(body.e)) {
		r = evtchn_request(hv, owner, &body.e, &pass_fd);
		reply_len = sizeof(body.e);
	} else if (h.type == CTRL_GNTTAB && n >= sizeof(body.g)) {
		if (body.g.op == CTRL_GNT_COPY)
			r = gnttab_copy_request(hv, &body.g, body.raw + sizeof(body.g),
			                        n - sizeof(body.g));
		else if (n == sizeof(body.g))
			r = gnttab_request(hv, owner, &body.g, &pass_fd);
		reply_len = n;
	}
out:
	send_reply(fd, &h, r, &body, reply_len, pass_fd);
	if (pass_fd >= 0)
		close(pass_fd);
}
