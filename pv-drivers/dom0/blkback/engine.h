/*
 * engine.h - shoji-blkback's I/O engine: reads, writes, flushes and
 * discards on a backing store, queued by the ring consumers, submitted in
 * one batch per ring notification, completed on the loop's thread.
 *
 * Two implementations behind one interface: io_uring (engine_uring.c,
 * liburing) and, where io_uring is unavailable or disabled, a small pool
 * of threads doing preadv/pwritev (engine_threads.c).  Either way the
 * engine's file descriptor becomes readable when completions are waiting;
 * blk_engine_reap() then runs their done callbacks.
 */
#ifndef BLKBACK_ENGINE_H
#define BLKBACK_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* The most iovecs one read or write may have (a full indirect request). */
#define BLK_IO_MAX_IOV 256

enum blk_io_op {
	BLK_IO_READ,    /* preadv into iov */
	BLK_IO_WRITE,   /* pwritev from iov */
	BLK_IO_FSYNC,   /* fdatasync */
	BLK_IO_DISCARD, /* a hole (files) or BLKDISCARD (block devices) over offset, len */
};

struct blk_io {
	enum blk_io_op op;
	int fd;
	bool blockdev; /* discard: the fd is a block device */
	uint64_t offset;
	uint64_t len; /* bytes: the iovecs' total, or the discard's length */
	const struct iovec *iov;
	int iovcnt;
	int result;                      /* out: 0, or -errno (a short transfer is -EIO) */
	void (*done)(struct blk_io *io); /* runs on the reaping thread */
	struct blk_io *next;             /* the engine's */
};

enum blk_engine_kind {
	BLK_ENGINE_AUTO,    /* io_uring when it works, else threads */
	BLK_ENGINE_URING,   /* io_uring or nothing */
	BLK_ENGINE_THREADS, /* the thread pool */
};

/*
 * An engine for up to @depth requests in flight at a time (more are held
 * back and go in later batches).  NULL + errno when the kind asked for
 * cannot work; with AUTO, @why (if not NULL) says why io_uring was not used.
 */
struct blk_engine *blk_engine_new(enum blk_engine_kind kind, unsigned int depth, char *why,
                                  size_t whylen);
void blk_engine_free(struct blk_engine *e); /* waits for what is in flight */
/* "io_uring" or "threads". */
const char *blk_engine_name(const struct blk_engine *e);
/* Readable when completions are waiting (level: reap until it is not). */
int blk_engine_fd(const struct blk_engine *e);

/* Queue @io (it is not started before blk_engine_submit). */
void blk_engine_queue(struct blk_engine *e, struct blk_io *io);
/* Start everything queued, as one batch. */
void blk_engine_submit(struct blk_engine *e);
/* Run the done callbacks of finished I/O; @wait: block for one first if none is. */
unsigned int blk_engine_reap(struct blk_engine *e, bool wait);
/* I/O queued or submitted and not yet reaped. */
unsigned int blk_engine_pending(const struct blk_engine *e);

#endif
