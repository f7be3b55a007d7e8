/*
 * CTRL_LOAD through libshoji-ctrl (issue 15 #4, #5): shoji_ctrl_load opens
 * the kernel and initrd itself, with the caller's rights, and sends their
 * descriptors (never a path shoji-hv would open); a FIFO is refused at once,
 * before anything is sent, instead of blocking; shoji_ctrl_load_fd sends the
 * descriptors it is given.  No KVM: the fake shoji-hv is a thread on a socket.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <shoji/ctrl.h>

#include "check-run.h"
#include "proto/hv-ctrl.h"

/* One CTRL_LOAD served: the request, and what the descriptors that came with it hold. */
struct fake_hv {
	int listen_fd;
	char dir[64], path[108];
	ssize_t got_len;
	struct ctrl_hdr hdr;
	struct ctrl_load req;
	int nfds;
	char data[CTRL_MAX_FDS][64];
};

static void *serve_one(void *arg)
{
	struct fake_hv *f = arg;
	static uint8_t buf[sizeof(struct ctrl_hdr) + sizeof(struct ctrl_load) + 64];
	union {
		char b[CMSG_SPACE(sizeof(int) * CTRL_MAX_FDS)];
		struct cmsghdr align;
	} u;
	struct iovec iov = {buf, sizeof(buf)};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.b, .msg_controllen = sizeof(u.b)};
	struct {
		struct ctrl_hdr h;
		struct ctrl_load_reply r;
	} reply;
	int fd = accept(f->listen_fd, NULL, NULL);

	if (fd < 0)
		return NULL;
	f->got_len = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		int fds[CTRL_MAX_FDS];
		size_t n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		for (size_t i = 0; i < n && f->nfds < CTRL_MAX_FDS; i++) {
			ssize_t k = pread(fds[i], f->data[f->nfds], sizeof(f->data[0]) - 1, 0);

			f->data[f->nfds++][k > 0 ? k : 0] = '\0';
			close(fds[i]);
		}
	}
	if (f->got_len >= (ssize_t)sizeof(f->hdr))
		memcpy(&f->hdr, buf, sizeof(f->hdr));
	if (f->got_len == (ssize_t)(sizeof(f->hdr) + sizeof(f->req)))
		memcpy(&f->req, buf + sizeof(f->hdr), sizeof(f->req));
	memset(&reply, 0, sizeof(reply));
	reply.h = f->hdr;
	send(fd, &reply, sizeof(reply), MSG_NOSIGNAL);
	close(fd);
	return NULL;
}

static struct fake_hv f;
static pthread_t thread;
static bool serving;
static char kernel[128], initrd[128], fifo[128];

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	ck_assert_ptr_nonnull(fp);
	fputs(text, fp);
	fclose(fp);
}

static void setup(void)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	memset(&f, 0, sizeof(f));
	snprintf(f.dir, sizeof(f.dir), "/tmp/shoji-ctrl-load.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f.dir));
	snprintf(f.path, sizeof(f.path), "%s/hv.sock", f.dir);
	memcpy(sa.sun_path, f.path, strlen(f.path) + 1);
	f.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(f.listen_fd, 0);
	ck_assert_int_eq(bind(f.listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(f.listen_fd, 1), 0);
	snprintf(kernel, sizeof(kernel), "%s/kernel", f.dir);
	snprintf(initrd, sizeof(initrd), "%s/initrd", f.dir);
	snprintf(fifo, sizeof(fifo), "%s/fifo", f.dir);
	put(kernel, "the kernel");
	put(initrd, "the initrd");
	ck_assert_int_eq(mkfifo(fifo, 0600), 0);
	serving = false;
}

static void serve(void)
{
	ck_assert_int_eq(pthread_create(&thread, NULL, serve_one, &f), 0);
	serving = true;
}

static void teardown(void)
{
	if (serving)
		pthread_join(thread, NULL);
	close(f.listen_fd);
	unlink(f.path);
	unlink(kernel);
	unlink(initrd);
	unlink(fifo);
	rmdir(f.dir);
}

/* The files go as descriptors, in order, the paths as names for messages only. */
START_TEST(test_load_sends_descriptors)
{
	struct shoji_ctrl *c;
	char err[256] = "";

	serve();
	c = shoji_ctrl_open(f.path);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(shoji_ctrl_load(c, 5, kernel, initrd, "console=hvc0", err, sizeof(err)),
	                 0);
	shoji_ctrl_close(c);
	pthread_join(thread, NULL);
	serving = false;
	ck_assert_int_eq(f.got_len, (ssize_t)(sizeof(f.hdr) + sizeof(f.req)));
	ck_assert_uint_eq(f.hdr.type, CTRL_LOAD);
	ck_assert_uint_eq(f.req.domid, 5);
	ck_assert_uint_eq(f.req.has_initrd, 1);
	ck_assert_str_eq(f.req.kernel_name, kernel);
	ck_assert_str_eq(f.req.initrd_name, initrd);
	ck_assert_str_eq(f.req.cmdline, "console=hvc0");
	ck_assert_int_eq(f.nfds, 2);
	ck_assert_str_eq(f.data[0], "the kernel");
	ck_assert_str_eq(f.data[1], "the initrd");
}
END_TEST

/* A descriptor the caller holds goes as it is; no initrd, one descriptor. */
START_TEST(test_load_fd)
{
	struct shoji_ctrl *c;
	int kfd = open(kernel, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(kfd, 0);
	serve();
	c = shoji_ctrl_open(f.path);
	ck_assert_ptr_nonnull(c);
	ck_assert_int_eq(shoji_ctrl_load_fd(c, 6, kfd, -1, NULL, NULL, 0), 0);
	shoji_ctrl_close(c);
	pthread_join(thread, NULL);
	serving = false;
	ck_assert_uint_eq(f.req.has_initrd, 0);
	ck_assert_int_eq(f.nfds, 1);
	ck_assert_str_eq(f.data[0], "the kernel");
	ck_assert_int_ne(fcntl(kfd, F_GETFD), -1); /* still the caller's */
	close(kfd);
}
END_TEST

/* A FIFO as kernel or initrd, or a missing file: refused at once, nothing sent. */
START_TEST(test_load_refused_before_sending)
{
	struct shoji_ctrl *c = shoji_ctrl_open(f.path); /* in the backlog, never served */
	char err[256] = "", want[300];

	ck_assert_ptr_nonnull(c);
	alarm(5); /* a blocking open of the FIFO would hang here */
	ck_assert_int_eq(shoji_ctrl_load(c, 5, fifo, NULL, NULL, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a regular file", fifo);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(shoji_ctrl_load(c, 5, kernel, fifo, NULL, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(shoji_ctrl_load(c, 5, "/nonexistent/k", NULL, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_str_eq(err, "cannot open /nonexistent/k: No such file or directory");
	alarm(0);
	shoji_ctrl_close(c);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "ctrl-load", .name = "ctrl-load", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, test_load_sends_descriptors, test_load_fd,
	                  test_load_refused_before_sending);
}
