/*
 * engine-impl.h: what engine.c (the common part) and the two
 * implementations (engine_uring.c, engine_threads.c) share.
 */
#ifndef BLKBACK_ENGINE_IMPL_H
#define BLKBACK_ENGINE_IMPL_H

#include "engine.h"

struct blk_engine_ops {
	const char *name;
	/* Set up e->impl; -1 + errno, with a reason in @why. */
	int (*init)(struct blk_engine *e, unsigned int depth, char *why, size_t whylen);
	/* Start the I/O in the list @ios (linked by next). */
	void (*submit)(struct blk_engine *e, struct blk_io *ios);
	/* Append finished I/O to @out (linked by next); @wait: block for one first. */
	void (*collect)(struct blk_engine *e, bool wait, struct blk_io **out);
	void (*fini)(struct blk_engine *e);
};

struct blk_engine {
	const struct blk_engine_ops *ops;
	void *impl;
	int efd; /* eventfd: completions waiting */
	struct blk_io *queued, **queued_tail;
	unsigned int pending;
};

extern const struct blk_engine_ops blk_engine_uring;
extern const struct blk_engine_ops blk_engine_threads;

/* Run one I/O synchronously (the thread pool, and io_uring's BLKDISCARD): sets io->result. */
void blk_io_run_sync(struct blk_io *io);

#endif
