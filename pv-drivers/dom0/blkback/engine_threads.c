/*
 * engine_threads.c: the fallback engine where io_uring is unavailable: a
 * few threads take queued I/O, do it with preadv/pwritev/fdatasync/
 * fallocate, and hand it back through a list and the eventfd.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "engine-impl.h"

#define POOL_THREADS 4

struct pool {
	pthread_mutex_t lock;
	pthread_cond_t work, finished;
	struct blk_io *todo, **todo_tail, *done;
	bool stop;
	int efd;
	unsigned int nthreads;
	pthread_t threads[POOL_THREADS];
};

static void *worker(void *arg)
{
	struct pool *p = arg;
	uint64_t one = 1;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct blk_io *io;

		while (!p->todo && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (!p->todo)
			break;
		io = p->todo;
		p->todo = io->next;
		if (!p->todo)
			p->todo_tail = &p->todo;
		pthread_mutex_unlock(&p->lock);
		blk_io_run_sync(io);
		pthread_mutex_lock(&p->lock);
		io->next = p->done;
		p->done = io;
		pthread_cond_signal(&p->finished);
		if (write(p->efd, &one, sizeof(one)) < 0) {
			/* saturated counter: readable anyway */
		}
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void pool_fini(struct blk_engine *e)
{
	struct pool *p = e->impl;

	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (unsigned int i = 0; i < p->nthreads; i++)
		pthread_join(p->threads[i], NULL);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->finished);
	free(p);
}

static int pool_init(struct blk_engine *e, unsigned int depth, char *why, size_t whylen)
{
	struct pool *p = calloc(1, sizeof(*p));
	unsigned int n = depth < POOL_THREADS ? depth : POOL_THREADS;

	if (!p)
		return -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->finished, NULL);
	p->todo_tail = &p->todo;
	p->efd = e->efd;
	e->impl = p;
	for (; p->nthreads < n; p->nthreads++) {
		int rc = pthread_create(&p->threads[p->nthreads], NULL, worker, p);

		if (rc != 0) {
			if (why)
				snprintf(why, whylen, "pthread_create: %d", rc);
			pool_fini(e);
			errno = rc;
			return -1;
		}
	}
	return 0;
}

static void pool_submit(struct blk_engine *e, struct blk_io *ios)
{
	struct pool *p = e->impl;

	pthread_mutex_lock(&p->lock);
	*p->todo_tail = ios;
	while (*p->todo_tail)
		p->todo_tail = &(*p->todo_tail)->next;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
}

static void pool_collect(struct blk_engine *e, bool wait, struct blk_io **out)
{
	struct pool *p = e->impl;

	pthread_mutex_lock(&p->lock);
	while (wait && !p->done)
		pthread_cond_wait(&p->finished, &p->lock);
	while (p->done) {
		struct blk_io *io = p->done;

		p->done = io->next;
		io->next = *out;
		*out = io;
	}
	pthread_mutex_unlock(&p->lock);
}

const struct blk_engine_ops blk_engine_threads = {
    .name = "threads",
    .init = pool_init,
    .submit = pool_submit,
    .collect = pool_collect,
    .fini = pool_fini,
};
