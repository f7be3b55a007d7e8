/*
 * engine.c: the engine interface over its two implementations, and the
 * synchronous form of every operation.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "engine-impl.h"

static struct blk_engine *engine_try(const struct blk_engine_ops *ops, unsigned int depth,
                                     char *why, size_t whylen)
{
	struct blk_engine *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->ops = ops;
	e->queued_tail = &e->queued;
	e->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (e->efd < 0 || ops->init(e, depth, why, whylen) < 0) {
		int err = errno;

		if (e->efd >= 0)
			close(e->efd);
		free(e);
		errno = err;
		return NULL;
	}
	return e;
}

struct blk_engine *blk_engine_new(enum blk_engine_kind kind, unsigned int depth, char *why,
                                  size_t whylen)
{
	char scratch[128];
	struct blk_engine *e;

	if (!why) {
		why = scratch;
		whylen = sizeof(scratch);
	}
	why[0] = '\0';
	if (depth == 0) {
		errno = EINVAL;
		return NULL;
	}
	if (kind == BLK_ENGINE_THREADS)
		return engine_try(&blk_engine_threads, depth, why, whylen);
	e = engine_try(&blk_engine_uring, depth, why, whylen);
	if (e || kind == BLK_ENGINE_URING)
		return e;
	return engine_try(&blk_engine_threads, depth, NULL, 0);
}

void blk_engine_free(struct blk_engine *e)
{
	if (!e)
		return;
	blk_engine_submit(e);
	while (e->pending)
		blk_engine_reap(e, true);
	e->ops->fini(e);
	close(e->efd);
	free(e);
}

const char *blk_engine_name(const struct blk_engine *e)
{
	return e->ops->name;
}

int blk_engine_fd(const struct blk_engine *e)
{
	return e->efd;
}

void blk_engine_queue(struct blk_engine *e, struct blk_io *io)
{
	io->next = NULL;
	io->result = 0;
	*e->queued_tail = io;
	e->queued_tail = &io->next;
	e->pending++;
}

void blk_engine_submit(struct blk_engine *e)
{
	struct blk_io *ios = e->queued;

	if (!ios)
		return;
	e->queued = NULL;
	e->queued_tail = &e->queued;
	e->ops->submit(e, ios);
}

unsigned int blk_engine_reap(struct blk_engine *e, bool wait)
{
	struct blk_io *done = NULL;
	unsigned int n = 0;
	uint64_t v;

	if (read(e->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return 0;
	e->ops->collect(e, wait && e->pending > 0, &done);
	while (done) {
		struct blk_io *io = done;

		done = io->next;
		e->pending--;
		n++;
		io->done(io); /* may queue and submit more */
	}
	return n;
}

unsigned int blk_engine_pending(const struct blk_engine *e)
{
	return e->pending;
}

/* preadv/pwritev until the whole transfer is done; 0 or -errno. */
static int rw_all(const struct blk_io *io)
{
	struct iovec iov[BLK_IO_MAX_IOV];
	int cnt = io->iovcnt;
	uint64_t off = io->offset, left = io->len;

	if (cnt < 1 || cnt > BLK_IO_MAX_IOV)
		return -EINVAL;
	memcpy(iov, io->iov, (size_t)cnt * sizeof(iov[0]));
	struct iovec *v = iov;
	while (left > 0) {
		ssize_t n = io->op == BLK_IO_READ ? preadv(io->fd, v, cnt, (off_t)off)
		                                  : pwritev(io->fd, v, cnt, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		off += (uint64_t)n;
		left -= (uint64_t)n;
		while (cnt > 0 && (size_t)n >= v->iov_len) {
			n -= (ssize_t)v->iov_len;
			v++;
			cnt--;
		}
		if (cnt > 0) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= (size_t)n;
		}
	}
	return 0;
}

void blk_io_run_sync(struct blk_io *io)
{
	uint64_t range[2] = {io->offset, io->len};

	switch (io->op) {
	case BLK_IO_READ:
	case BLK_IO_WRITE:
		io->result = rw_all(io);
		break;
	case BLK_IO_FSYNC:
		io->result = fdatasync(io->fd) < 0 ? -errno : 0;
		break;
	case BLK_IO_DISCARD:
		if (io->blockdev)
			io->result = ioctl(io->fd, BLKDISCARD, range) < 0 ? -errno : 0;
		else
			io->result = fallocate(io->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			                       (off_t)io->offset, (off_t)io->len) < 0
			                 ? -errno
			                 : 0;
		break;
	}
}
