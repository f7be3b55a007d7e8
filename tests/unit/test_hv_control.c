/*
 * Tests of shoji-hv's control socket (control.c) without KVM: the real
 * dispatcher and Dom0 handlers behind a socket in a temporary directory,
 * served by an hv event loop in a thread, with no domain at all.  Clients
 * are libshoji-evtchn and raw messages (for what the libraries never send).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <shoji/event_channel.h>
#include <shoji/libevtchn.h>

#include "proto/hv-ctrl.h"
#include "proto/hv-dom0.h"
#include "control.h"
#include "dom0port.h"
#include "domain.h"
#include "evtglue.h"
#include "hv.h"
#include "check-run.h"

static struct hv hv;
static struct control *ctl;
static pthread_t loop;
static char dir[64];
static char path[sizeof(dir) + 16];

static void drain_wakefd(void *opaque)
{
	uint64_t n;

	if (read(hv.wakefd, &n, sizeof(n)) < 0)
		return;
}

static void *run_loop(void *arg)
{
	hv_loop(&hv);
	return NULL;
}

/* What hv_init sets up, less KVM. */
static void setup(void)
{
	memset(&hv, 0, sizeof(hv));
	pthread_mutex_init(&hv.lock, NULL);
	hv.next_domid = 1;
	hv.epfd = epoll_create1(EPOLL_CLOEXEC);
	hv.wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(hv.epfd, 0);
	ck_assert_int_ge(hv.wakefd, 0);
	hv.wake_ev = (struct hv_event){hv.wakefd, drain_wakefd, &hv};
	ck_assert_int_eq(hv_event_add(&hv, &hv.wake_ev), 0);
	ck_assert_int_eq(evtglue_hv_init(&hv), 0);
	ck_assert_int_eq(dom0port_hv_init(&hv), 0);
	snprintf(dir, sizeof(dir), "/tmp/test-hv-control.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/hv.sock", dir);
	ctl = control_open(&hv, path);
	ck_assert_ptr_nonnull(ctl);
	ck_assert_int_eq(pthread_create(&loop, NULL, run_loop, NULL), 0);
}

static void teardown(void)
{
	hv_stop(&hv);
	pthread_join(loop, NULL);
	control_close(ctl);
	ck_assert_int_ne(access(path, F_OK), 0); /* the socket is gone */
	dom0port_hv_fini(&hv);
	evtglue_hv_fini(&hv);
	close(hv.wakefd);
	close(hv.epfd);
	rmdir(dir);
}

/* A raw client connection. */
static int raw_open(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Send message @type with @len bytes of @body (version @version) as request @seq. */
static void raw_send(int fd, uint16_t version, uint16_t type, uint32_t seq, const void *body,
                     size_t len)
{
	uint8_t buf[sizeof(struct ctrl_hdr) + 256];
	struct ctrl_hdr h = {
	    .magic = CTRL_PROTO_MAGIC, .version = version, .type = type, .seq = seq};

	ck_assert_uint_le(len, sizeof(buf) - sizeof(h));
	memcpy(buf, &h, sizeof(h));
	if (len)
		memcpy(buf + sizeof(h), body, len);
	ck_assert_int_eq(send(fd, buf, sizeof(h) + len, 0), (ssize_t)(sizeof(h) + len));
}

/*
 * A request and its reply's status; the reply body goes to @reply (up to
 * @reply_len bytes), its length to *got.  A descriptor it passes is dropped.
 */
static int raw_call(int fd, uint16_t version, uint16_t type, const void *body, size_t len,
                    void *reply, size_t reply_len, size_t *got)
{
	static uint32_t seq;
	uint8_t buf[sizeof(struct ctrl_hdr) + 256];
	struct ctrl_hdr h;
	ssize_t n;

	raw_send(fd, version, type, ++seq, body, len);
	n = recv(fd, buf, sizeof(buf), 0);
	ck_assert_int_ge(n, (ssize_t)sizeof(h));
	memcpy(&h, buf, sizeof(h));
	ck_assert_uint_eq(h.seq, seq);
	ck_assert_uint_eq(h.type, type);
	*got = (size_t)n - sizeof(h);
	memcpy(reply, buf + sizeof(h), *got < reply_len ? *got : reply_len);
	return h.status;
}

START_TEST(dom0_ports_through_the_socket)
{
	struct shoji_evtchn *x = shoji_evtchn_open(path);
	int port, other;

	ck_assert_ptr_nonnull(x);
	port = shoji_evtchn_bind_virq(x, VIRQ_DOM_EXC);
	ck_assert_int_gt(port, 0);
	ck_assert_int_ge(shoji_evtchn_port_fd(x, (shoji_evtchn_port_t)port), 0);
	ck_assert_int_eq(shoji_evtchn_pending(x), -1);
	evtglue_dom_exc(&hv); /* what a guest's shutdown does */
	ck_assert_int_eq(shoji_evtchn_pending(x), port);

	other = shoji_evtchn_bind_unbound_port(x, 7);
	ck_assert_int_gt(other, 0);
	ck_assert_int_ne(other, port);
	ck_assert_int_eq(shoji_evtchn_unbind(x, (shoji_evtchn_port_t)other), 0);
	ck_assert_int_eq(shoji_evtchn_alloc_unbound_in(x, 0, 0), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(shoji_evtchn_set_max_port(x, 7, 63), -1);
	ck_assert_int_eq(errno, ESRCH);
	ck_assert_int_eq(shoji_evtchn_close(x), 0);
}
END_TEST

START_TEST(one_decode_per_request)
{
	struct ctrl_evtchn e = {.op = CTRL_EVTCHN_BIND_VIRQ};
	struct ctrl_evtchn r;
	struct ctrl_domid dom = {.domid = 1};
	uint8_t reply[256];
	size_t got;
	int fd = raw_open();

	/* Every message: a known type, then exactly its size. */
	ck_assert_int_eq(
	    raw_call(fd, CTRL_PROTO_VERSION, CTRL_TYPE_MAX, NULL, 0, reply, sizeof(reply), &got),
	    -EOPNOTSUPP);
	ck_assert_int_eq(raw_call(fd, CTRL_PROTO_VERSION, CTRL_INFO, &dom, sizeof(dom) - 1, reply,
	                          sizeof(reply), &got),
	                 -EINVAL);
	ck_assert_int_eq(raw_call(fd, CTRL_PROTO_VERSION, CTRL_INFO, &dom, sizeof(dom), reply,
	                          sizeof(reply), &got),
	                 -ESRCH);
	ck_assert_uint_eq(got, 0); /* a refusal carries no body */
	ck_assert_int_eq(raw_call(fd, CTRL_PROTO_VERSION + 1, CTRL_INFO, &dom, sizeof(dom), reply,
	                          sizeof(reply), &got),
	                 -EPROTO);

	/* A family: the size of its struct, then an op it knows. */
	ck_assert_int_eq(
	    raw_call(fd, CTRL_PROTO_VERSION, CTRL_EVTCHN, &e, 2, reply, sizeof(reply), &got),
	    -EINVAL);
	e.op = 99;
	ck_assert_int_eq(raw_call(fd, CTRL_PROTO_VERSION, CTRL_EVTCHN, &e, sizeof(e), reply,
	                          sizeof(reply), &got),
	                 -EOPNOTSUPP);
	e.op = 0;
	ck_assert_int_eq(raw_call(fd, CTRL_PROTO_VERSION, CTRL_EVTCHN, &e, sizeof(e), reply,
	                          sizeof(reply), &got),
	                 -EOPNOTSUPP);
	e = (struct ctrl_evtchn){.op = CTRL_EVTCHN_UNBIND, .port = 5, .pad = 0x1234};
	ck_assert_int_eq(
	    raw_call(fd, CTRL_PROTO_VERSION, CTRL_EVTCHN, &e, sizeof(e), &r, sizeof(r), &got),
	    -ENOTCONN);
	/* SEND gets no reply: the next reply is the next request's. */
	e = (struct ctrl_evtchn){.op = CTRL_EVTCHN_SEND, .port = 5};
	raw_send(fd, CTRL_PROTO_VERSION, CTRL_EVTCHN, 1000, &e, sizeof(e));
	/* The reply to a family's request is its struct, OUT fields filled. */
	e = (struct ctrl_evtchn){.op = CTRL_EVTCHN_BIND_VIRQ, .virq = VIRQ_DOM_EXC, .pad = 0x1234};
	ck_assert_int_eq(
	    raw_call(fd, CTRL_PROTO_VERSION, CTRL_EVTCHN, &e, sizeof(e), &r, sizeof(r), &got), 0);
	ck_assert_uint_eq(got, sizeof(r));
	ck_assert_uint_eq(r.op, CTRL_EVTCHN_BIND_VIRQ);
	ck_assert_uint_eq(r.pad, 0x1234);
	ck_assert_uint_gt(r.port, 0);

	/* Subscribing is an empty message. */
	ck_assert_int_eq(
	    raw_call(fd, CTRL_PROTO_VERSION, CTRL_SUBSCRIBE, NULL, 0, reply, sizeof(reply), &got),
	    0);
	close(fd);
}
END_TEST

START_TEST(arena_passes_a_descriptor)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_ARENA, .count = 8192};
	struct {
		struct ctrl_hdr h;
		struct ctrl_gnttab q;
	} m = {{CTRL_PROTO_MAGIC, CTRL_PROTO_VERSION, CTRL_GNTTAB, 1, 0}, q};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov = {&m, sizeof(m)};
	struct msghdr mh = {.msg_iov = &iov,
	                    .msg_iovlen = 1,
	                    .msg_control = u.buf,
	                    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm;
	int fd = raw_open(), arena;

	ck_assert_int_eq(send(fd, &m, sizeof(m), 0), (ssize_t)sizeof(m));
	ck_assert_int_eq(recvmsg(fd, &mh, 0), (ssize_t)sizeof(m));
	ck_assert_int_eq(m.h.status, 0);
	ck_assert_uint_eq(m.q.mem_size, 8192);
	cm = CMSG_FIRSTHDR(&mh);
	ck_assert_ptr_nonnull(cm);
	ck_assert_int_eq(cm->cmsg_type, SCM_RIGHTS);
	memcpy(&arena, CMSG_DATA(cm), sizeof(arena));
	ck_assert_int_eq(lseek(arena, 0, SEEK_END), 8192);
	close(arena);
	close(fd);
}
END_TEST

/*
 * Issue 15 #6: more state changes at once than shoji-hv queues between the
 * threads that make them and its loop (the loop was busy).  A subscriber is
 * not dropped: it gets what was kept and, last, the overflow marker (one
 * more before, if it also fell behind while reading), then the next change
 * as usual.
 */
START_TEST(a_queue_overflow_sends_the_marker)
{
	struct pollfd pfd = {.fd = raw_open(), .events = POLLIN};
	unsigned int events = 0, markers = 0;
	bool last_marker = false;
	struct ctrl_event ev;
	struct domain d;
	uint8_t buf[sizeof(struct ctrl_hdr) + sizeof(ev)];
	size_t got;
	char none[1];

	memset(&d, 0, sizeof(d));
	pthread_mutex_init(&d.lock, NULL);
	d.domid = 7;
	d.pause_count = 1;
	ck_assert_int_eq(
	    raw_call(pfd.fd, CTRL_PROTO_VERSION, CTRL_SUBSCRIBE, NULL, 0, none, 0, &got), 0);
	/* The loop stops, as when it is busy: the changes pile up in the queue. */
	hv_stop(&hv);
	pthread_join(loop, NULL);
	hv.stop = false;
	for (int i = 0; i < 1500; i++)
		hv.on_state(hv.on_state_opaque, &d);
	ck_assert_int_eq(pthread_create(&loop, NULL, run_loop, NULL), 0);
	while (poll(&pfd, 1, 300) == 1) {
		ck_assert_int_eq(recv(pfd.fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
		memcpy(&ev, buf + sizeof(struct ctrl_hdr), sizeof(ev));
		last_marker = ev.state == CTRL_STATE_OVERFLOW;
		if (last_marker) {
			ck_assert_uint_eq(ev.domid, 0);
			markers++;
		} else {
			ck_assert_uint_eq(ev.domid, 7);
			events++;
		}
	}
	ck_assert_uint_ge(markers, 1);
	ck_assert_msg(last_marker, "events after the last marker");
	ck_assert_uint_le(events, 1024);
	hv.on_state(hv.on_state_opaque, &d);
	ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
	ck_assert_int_eq(recv(pfd.fd, buf, sizeof(buf), 0), (ssize_t)sizeof(buf));
	memcpy(&ev, buf + sizeof(struct ctrl_hdr), sizeof(ev));
	ck_assert_uint_eq(ev.domid, 7);
	ck_assert_uint_eq(ev.state, DOMAIN_PAUSED);
	close(pfd.fd);
	pthread_mutex_destroy(&d.lock);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "hv_control", .name = "hv_control", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, dom0_ports_through_the_socket, one_decode_per_request,
	                  arena_passes_a_descriptor, a_queue_overflow_sends_the_marker);
}
