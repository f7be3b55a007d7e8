/*
 * The control-socket side of Dom0 event channels and grants: decode
 * CTRL_EVTCHN / CTRL_GNTTAB requests (evtdom0-proto.h), run them through
 * evtglue.c with the client connection as owner, and reply, passing the
 * port eventfd, the guest memfd or the client's copy arena with SCM_RIGHTS.
 * Grant copies run between a guest grant and the client's copy arena
 * (evtglue.h), which checks every arena range and has the grant core
 * validate and pin every grant.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <shoji/event_channel.h>
#include <shoji/grant_table.h>

#include "proto/hv-ctrl.h"
#include "domain.h"
#include "proto/hv-dom0.h"
#include "evtglue.h"
#include "guestmem.h"
#include "hv.h"
#include "log.h"
#include "platform.h"

_Static_assert(CTRL_GNT_ARENA_MAX % GM_PAGE_SIZE == 0, "the arena is whole pages");

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
		log_debug("control: dom0 reply: %s", strerror(errno));
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

/*
 * CTRL_GNT_COPY: the segments in @owner's arena, read once into our own
 * memory, run, and written back with their status.
 */
static int gnttab_copy_request(struct hv *hv, uintptr_t owner, const struct ctrl_gnttab *q)
{
	struct evtglue_arena *a = evtglue_dom0_arena(hv, owner);
	struct evtglue_pin pin = {.held = false};
	struct ctrl_gnt_copy *segs;
	size_t len = (size_t)q->nr_segs * sizeof(*segs);
	void *shared;
	uint32_t i;

	if (!a)
		return -ENXIO;
	if (q->nr_segs == 0 || q->nr_segs > CTRL_GNT_COPY_SEGS || q->segs_off % 8)
		return -EINVAL;
	shared = evtglue_dom0_arena_range(a, q->segs_off, len);
	if (!shared)
		return -EFAULT;
	segs = malloc(len);
	if (!segs)
		return -ENOMEM;
	memcpy(segs, shared, len);
	for (i = 0; i < q->nr_segs; i++) {
		struct ctrl_gnt_copy *s = &segs[i];
		const struct evtglue_copy c = {.arena_off = s->arena_off,
		                               .ref = s->ref,
		                               .domid = s->domid,
		                               .offset = s->offset,
		                               .len = s->len,
		                               .to_guest = s->flags & CTRL_GNT_TO_GUEST};

		s->status = (int16_t)(s->flags & ~CTRL_GNT_TO_GUEST
		                          ? GNTST_general_error
		                          : evtglue_dom0_arena_copy(hv, a, &pin, &c));
	}
	evtglue_dom0_unpin(hv, &pin);
	memcpy(shared, segs, len);
	free(segs);
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
	case CTRL_GNT_ARENA:
		r = evtglue_dom0_arena_create(hv, owner, q->count, CTRL_GNT_ARENA_MAX, pass_fd);
		if (r == 0)
			q->mem_size = q->count;
		return r;
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
	} else if (h.type == CTRL_GNTTAB && n == sizeof(body.g)) {
		if (body.g.op == CTRL_GNT_COPY)
			r = gnttab_copy_request(hv, owner, &body.g);
		else
			r = gnttab_request(hv, owner, &body.g, &pass_fd);
		reply_len = sizeof(body.g);
	}
out:
	send_reply(fd, &h, r, &body, reply_len, pass_fd);
	if (pass_fd >= 0)
		close(pass_fd);
}
