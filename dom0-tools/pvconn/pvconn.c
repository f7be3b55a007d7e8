/* pvconn: request/reply with descriptor passing over shoji-hv's control socket. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include <shoji/ctrl.h>

#include "proto/hv-ctrl.h"
#include "pvconn.h"

int pvconn_open(struct pvconn *c, const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int err;

	c->fd = -1;
	c->seq = 0;
	if (!path)
		path = SHOJI_CTRL_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(c->fd);
		c->fd = -1;
		errno = err;
		return -1;
	}
	return 0;
}

void pvconn_close(struct pvconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* The descriptor passed with @mh, or -1. */
static int received_fd(struct msghdr *mh)
{
	struct cmsghdr *cm;
	int fd = -1;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm))
		if (cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)))
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

int pvconn_send(struct pvconn *c, uint16_t type, const void *req, size_t len)
{
	struct ctrl_hdr h = {.magic = CTRL_PROTO_MAGIC,
	                     .version = CTRL_PROTO_VERSION,
	                     .type = type,
	                     .seq = ++c->seq};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)req, len}};
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

	return sendmsg(c->fd, &mh, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

int pvconn_recv(struct pvconn *c, uint16_t type, uint32_t seq, void *body, size_t len, int *fd)
{
	struct ctrl_hdr h;
	struct iovec iov[2] = {{&h, sizeof(h)}, {body, len}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {
	    .msg_iov = iov, .msg_iovlen = 2, .msg_control = u.buf, .msg_controllen = sizeof(u.buf)};
	ssize_t n;
	int got, err = 0;

	if (fd)
		*fd = -1;
	do
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	got = received_fd(&mh);
	if (n == 0)
		err = ECONNRESET;
	else if ((size_t)n < sizeof(h) || h.magic != CTRL_PROTO_MAGIC || h.type != type ||
	         h.seq != seq || (mh.msg_flags & MSG_TRUNC))
		err = EPROTO;
	else if (h.status < 0)
		err = -h.status;
	else if ((size_t)n != sizeof(h) + len)
		err = EPROTO;
	if (err) {
		if (got >= 0)
			close(got);
		errno = err;
		return -1;
	}
	if (fd)
		*fd = got;
	else if (got >= 0)
		close(got);
	return 0;
}

int pvconn_call(struct pvconn *c, uint16_t type, void *req, size_t len, int *fd)
{
	if (fd)
		*fd = -1;
	if (pvconn_send(c, type, req, len) < 0)
		return -1;
	return pvconn_recv(c, type, c->seq, req, len, fd);
}
