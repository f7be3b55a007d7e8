/* libshoji-evtchn: Dom0 event channels over shoji-hv's control socket (see shoji/libevtchn.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <shoji/libevtchn.h>

#include "proto/hv-ctrl.h"
#include "proto/hv-dom0.h"
#include "pvconn.h"

#define MAX_PORTS 4096u /* the 2-level space */

struct shoji_evtchn {
	struct pvconn conn;
	int epfd;
	int port_fd[MAX_PORTS]; /* -1: not bound here */
	bool is_virq[MAX_PORTS];
};

struct shoji_evtchn *shoji_evtchn_open(const char *socket_path)
{
	struct shoji_evtchn *x = calloc(1, sizeof(*x));
	unsigned int i;
	int err;

	if (!x)
		return NULL;
	for (i = 0; i < MAX_PORTS; i++)
		x->port_fd[i] = -1;
	x->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (x->epfd < 0 || pvconn_open(&x->conn, socket_path) < 0) {
		err = errno;
		if (x->epfd >= 0)
			close(x->epfd);
		free(x);
		errno = err;
		return NULL;
	}
	return x;
}

int shoji_evtchn_close(struct shoji_evtchn *x)
{
	unsigned int i;

	if (!x) {
		errno = EINVAL;
		return -1;
	}
	/* Closing the connection makes shoji-hv close every port bound through it. */
	pvconn_close(&x->conn);
	for (i = 0; i < MAX_PORTS; i++)
		if (x->port_fd[i] >= 0)
			close(x->port_fd[i]);
	close(x->epfd);
	free(x);
	return 0;
}

int shoji_evtchn_fd(struct shoji_evtchn *x)
{
	return x->epfd;
}

static int call(struct shoji_evtchn *x, struct ctrl_evtchn *q, int *fd)
{
	return pvconn_call(&x->conn, CTRL_EVTCHN, q, sizeof(*q), fd);
}

/* Run a bind and take the port's eventfd into the epoll set. */
static int bind_port(struct shoji_evtchn *x, struct ctrl_evtchn *q)
{
	struct epoll_event ev = {.events = EPOLLIN};
	int fd, err;

	if (call(x, q, &fd) < 0)
		return -1;
	if (fd < 0 || q->port == 0 || q->port >= MAX_PORTS) {
		err = EPROTO;
		goto undo;
	}
	ev.data.u32 = q->port;
	if (epoll_ctl(x->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		err = errno;
		goto undo;
	}
	x->port_fd[q->port] = fd;
	x->is_virq[q->port] = q->op == CTRL_EVTCHN_BIND_VIRQ;
	return (int)q->port;
undo:
	if (fd >= 0)
		close(fd);
	q->op = CTRL_EVTCHN_UNBIND;
	call(x, q, NULL);
	errno = err;
	return -1;
}

int shoji_evtchn_bind_interdomain(struct shoji_evtchn *x, uint32_t domid,
                                  shoji_evtchn_port_t remote_port)
{
	struct ctrl_evtchn q = {
	    .op = CTRL_EVTCHN_BIND_INTERDOMAIN, .domid = domid, .remote_port = remote_port};

	return bind_port(x, &q);
}

int shoji_evtchn_bind_unbound_port(struct shoji_evtchn *x, uint32_t domid)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_BIND_UNBOUND, .domid = domid};

	return bind_port(x, &q);
}

int shoji_evtchn_bind_virq(struct shoji_evtchn *x, unsigned int virq)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_BIND_VIRQ, .virq = virq};

	return bind_port(x, &q);
}

/* Is @port bound through @x?  Sets errno (ENOTCONN, as Linux's evtchn device) when not. */
static bool bound_here(struct shoji_evtchn *x, shoji_evtchn_port_t port)
{
	if (port < MAX_PORTS && x->port_fd[port] >= 0)
		return true;
	errno = ENOTCONN;
	return false;
}

int shoji_evtchn_unbind(struct shoji_evtchn *x, shoji_evtchn_port_t port)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_UNBIND, .port = port};
	int r;

	if (!bound_here(x, port))
		return -1;
	r = call(x, &q, NULL);
	epoll_ctl(x->epfd, EPOLL_CTL_DEL, x->port_fd[port], NULL);
	close(x->port_fd[port]);
	x->port_fd[port] = -1;
	return r;
}

/*
 * The send itself cannot fail for a port this handle bound (an unbound peer
 * drops it, as in Xen) except on a VIRQ port: check that here and post the
 * event without waiting for a reply.
 */
int shoji_evtchn_notify(struct shoji_evtchn *x, shoji_evtchn_port_t port)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_SEND, .port = port};

	if (!bound_here(x, port))
		return -1;
	if (x->is_virq[port]) {
		errno = EINVAL;
		return -1;
	}
	return pvconn_send(&x->conn, CTRL_EVTCHN, &q, sizeof(q));
}

int shoji_evtchn_pending(struct shoji_evtchn *x)
{
	struct epoll_event ev;
	uint64_t count;
	int n;

	do
		n = epoll_wait(x->epfd, &ev, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0 || ev.data.u32 >= MAX_PORTS || x->port_fd[ev.data.u32] < 0) {
		errno = EAGAIN;
		return -1;
	}
	/* Consume the event (the counter resets); a lost race leaves nothing to read. */
	if (read(x->port_fd[ev.data.u32], &count, sizeof(count)) < 0 && errno != EAGAIN)
		return -1;
	return (int)ev.data.u32;
}

/* Dom0 ports are never masked in shoji-hv: checking the port is all there is to do. */
int shoji_evtchn_unmask(struct shoji_evtchn *x, shoji_evtchn_port_t port)
{
	return bound_here(x, port) ? 0 : -1;
}

int shoji_evtchn_port_fd(struct shoji_evtchn *x, shoji_evtchn_port_t port)
{
	if (!bound_here(x, port))
		return -1;
	return x->port_fd[port];
}

int shoji_evtchn_alloc_unbound_in(struct shoji_evtchn *x, uint32_t domid, uint32_t remote)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_ALLOC_IN, .domid = domid, .remote_port = remote};

	if (call(x, &q, NULL) < 0)
		return -1;
	return (int)q.port;
}

int shoji_evtchn_set_max_port(struct shoji_evtchn *x, uint32_t domid, uint32_t max_port)
{
	struct ctrl_evtchn q = {
	    .op = CTRL_EVTCHN_SET_MAX_PORT, .domid = domid, .remote_port = max_port};

	return call(x, &q, NULL);
}
