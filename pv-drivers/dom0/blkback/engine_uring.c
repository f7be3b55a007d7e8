/*
 * engine_uring.c: the io_uring engine (liburing).  A batch is one
 * io_uring_submit (more only when the submission queue fills); the ring's
 * registered eventfd is the engine's fd.  BLKDISCARD has no io_uring
 * operation here: it runs synchronously at submission and completes with
 * the next reap.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine-impl.h"

struct uring {
	struct io_uring ring;
	struct blk_io *sync_done; /* BLKDISCARDs run at submission */
};

/* io_uring_disabled (Linux 6.6+): 0 allowed, 1 for a group only, 2 never. */
static int sysctl_disabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
	int v = 0;

	if (!f)
		return 0;
	if (fscanf(f, "%d", &v) != 1)
		v = 0;
	fclose(f);
	return v;
}

static int uring_init(struct blk_engine *e, unsigned int depth, char *why, size_t whylen)
{
	struct uring *u = calloc(1, sizeof(*u));
	int rc, disabled = sysctl_disabled();

	if (!u)
		return -1;
	rc = io_uring_queue_init(depth, &u->ring, 0);
	if (rc < 0) {
		snprintf(why, whylen, "io_uring_queue_init: %s%s", strerror(-rc),
		         disabled ? " (kernel.io_uring_disabled is set)" : "");
		free(u);
		errno = -rc;
		return -1;
	}
	rc = io_uring_register_eventfd(&u->ring, e->efd);
	if (rc < 0) {
		snprintf(why, whylen, "io_uring_register_eventfd: %s", strerror(-rc));
		io_uring_queue_exit(&u->ring);
		free(u);
		errno = -rc;
		return -1;
	}
	e->impl = u;
	return 0;
}

static struct io_uring_sqe *get_sqe(struct uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	while (!sqe) { /* the submission queue is full: hand it over and go on */
		io_uring_submit(&u->ring);
		sqe = io_uring_get_sqe(&u->ring);
	}
	return sqe;
}

static void uring_submit(struct blk_engine *e, struct blk_io *ios)
{
	struct uring *u = e->impl;
	bool sync = false;

	while (ios) {
		struct blk_io *io = ios;
		struct io_uring_sqe *sqe;

		ios = io->next;
		if (io->op == BLK_IO_DISCARD && io->blockdev) {
			blk_io_run_sync(io);
			io->next = u->sync_done;
			u->sync_done = io;
			sync = true;
			continue;
		}
		sqe = get_sqe(u);
		switch (io->op) {
		case BLK_IO_READ:
			io_uring_prep_readv(sqe, io->fd, io->iov, (unsigned int)io->iovcnt,
			                    io->offset);
			break;
		case BLK_IO_WRITE:
			io_uring_prep_writev(sqe, io->fd, io->iov, (unsigned int)io->iovcnt,
			                     io->offset);
			break;
		case BLK_IO_FSYNC:
			io_uring_prep_fsync(sqe, io->fd, IORING_FSYNC_DATASYNC);
			break;
		case BLK_IO_DISCARD:
			io_uring_prep_fallocate(sqe, io->fd,
			                        FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			                        io->offset, io->len);
			break;
		}
		io_uring_sqe_set_data(sqe, io);
	}
	io_uring_submit(&u->ring);
	if (sync) {
		uint64_t one = 1;

		if (write(e->efd, &one, sizeof(one)) < 0) {
			/* the counter is saturated: it is readable anyway */
		}
	}
}

static void uring_collect(struct blk_engine *e, bool wait, struct blk_io **out)
{
	struct uring *u = e->impl;
	struct io_uring_cqe *cqe;

	while (u->sync_done) {
		struct blk_io *io = u->sync_done;

		u->sync_done = io->next;
		io->next = *out;
		*out = io;
		wait = false;
	}
	if (wait && io_uring_wait_cqe(&u->ring, &cqe) < 0)
		return;
	while (io_uring_peek_cqe(&u->ring, &cqe) == 0) {
		struct blk_io *io = io_uring_cqe_get_data(cqe);
		int res = cqe->res;

		io_uring_cqe_seen(&u->ring, cqe);
		if (res < 0)
			io->result = res;
		else if ((io->op == BLK_IO_READ || io->op == BLK_IO_WRITE) &&
		         (uint64_t)res != io->len)
			io->result = -EIO; /* short: past the end of the store, or a device error */
		else
			io->result = 0;
		io->next = *out;
		*out = io;
	}
}

static void uring_fini(struct blk_engine *e)
{
	struct uring *u = e->impl;

	io_uring_queue_exit(&u->ring);
	free(u);
}

const struct blk_engine_ops blk_engine_uring = {
    .name = "io_uring",
    .init = uring_init,
    .submit = uring_submit,
    .collect = uring_collect,
    .fini = uring_fini,
};
