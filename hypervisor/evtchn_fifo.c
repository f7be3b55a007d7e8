/*
 * The FIFO event ABI (Xen 4.4 and later; David Vrabel's "FIFO-based event
 * channel ABI"): every port has a 32-bit event word in pages the guest
 * adds with EVTCHNOP_expand_array, and every vCPU 16 queues of pending
 * events, one per priority, in a control block it registers with
 * EVTCHNOP_init_control.  Raising a port sets PENDING in its word and,
 * unless it is MASKED or already LINKED, links it at the tail of its
 * queue: the old tail's LINK field names it, or, when the queue was empty,
 * head[priority] does and the queue's READY bit is set, which raises the
 * upcall as the 2-level ABI does.
 *
 * The guest writes the words and the control block concurrently, so every
 * access is atomic, and nothing the guest writes is ever used as an index:
 * the queue tails live here, LINK and head[] are only written, and a word
 * is found from a port number through the pages this module recorded.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "evtchn_abi.h"

#define PAGE_BYTES     4096u
#define WORDS_PER_PAGE (PAGE_BYTES / sizeof(event_word_t))
#define MAX_PAGES      (EVTCHN_FIFO_NR_CHANNELS / WORDS_PER_PAGE)

#define PENDING        ((event_word_t)1 << EVTCHN_FIFO_PENDING)
#define MASKED         ((event_word_t)1 << EVTCHN_FIFO_MASKED)
#define LINKED         ((event_word_t)1 << EVTCHN_FIFO_LINKED)
#define BUSY           ((event_word_t)1 << EVTCHN_FIFO_BUSY)

/* The tries of set_link after it marked the tail BUSY (as Xen: enough for an honest guest). */
#define LINK_TRIES 4

_Static_assert(MAX_PAGES == 128, "128 pages of event words address 2^17 ports");
_Static_assert(EVTCHN_FIFO_PRIORITY_MIN < 32, "one READY bit per queue");

struct fifo_vcpu {
	struct evtchn_fifo_control_block *cb; /* NULL until init_control (written under both) */
	evtchn_port_t tail[EVTCHN_FIFO_MAX_QUEUES]; /* last port linked, 0 = empty (delivery) */
};

struct evtchn_fifo {
	/*
	 * Ports [0, nr_words) have an event word in page[port / 1024].  Both
	 * are written under both locks: the page before nr_words grows
	 * (release), so a lock-free reader that saw a port below nr_words
	 * finds its page.  Pages stay recorded until the domain's last put.
	 */
	uint32_t nr_words;
	event_word_t *page[MAX_PAGES];
	struct fifo_vcpu vcpu[]; /* max_vcpus */
};

/* Port @port's event word, or NULL while it has none. */
static event_word_t *word_of(struct evtchn_domain *d, evtchn_port_t port)
{
	struct evtchn_fifo *f = d->fifo;

	if (port >= __atomic_load_n(&f->nr_words, __ATOMIC_ACQUIRE))
		return NULL;
	return __atomic_load_n(&f->page[port / WORDS_PER_PAGE], __ATOMIC_RELAXED) +
	       port % WORDS_PER_PAGE;
}

static event_word_t load(const event_word_t *w)
{
	return __atomic_load_n(w, __ATOMIC_SEQ_CST);
}

static event_word_t test_and_set(event_word_t *w, event_word_t bits)
{
	return __atomic_fetch_or(w, bits, __ATOMIC_SEQ_CST) & bits;
}

static void clear(event_word_t *w, event_word_t bits)
{
	__atomic_fetch_and(w, ~bits, __ATOMIC_SEQ_CST);
}

/*
 * Point @w's LINK at @port if @w is still LINKED: 1 when it did, 0 when @w
 * is no longer linked (the guest consumed it), -1 when the guest changed
 * the word meanwhile (*@seen then holds what it is now).
 */
static int try_link(event_word_t *w, event_word_t *seen, evtchn_port_t port)
{
	event_word_t next;

	if (!(*seen & LINKED))
		return 0;
	next = (*seen & ~(BUSY | (event_word_t)EVTCHN_FIFO_LINK_MASK)) | port;
	if (__atomic_compare_exchange_n(w, seen, next, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return 1;
	return -1;
}

/*
 * Link @port after the tail word @w; false when @w was no longer linked,
 * so the queue is empty.  While LINKED the guest may only set or clear
 * MASKED, clear PENDING, or clear LINKED; BUSY keeps it from unmasking, so
 * an honest guest loses at most a few races.  A guest that keeps changing
 * the word loses the event (as on Xen): the loop is bounded.
 */
static bool set_link(event_word_t *w, evtchn_port_t port)
{
	event_word_t seen = load(w);
	unsigned int i;
	int r = try_link(w, &seen, port);

	if (r >= 0)
		return r;
	test_and_set(w, BUSY);
	seen = load(w);
	for (i = 0; i < LINK_TRIES; i++) {
		r = try_link(w, &seen, port);
		if (r == 1)
			return true; /* the new word has BUSY clear */
		if (r == 0) {
			clear(w, BUSY);
			return false;
		}
	}
	clear(w, BUSY);
	return true;
}

/*
 * @port's word @w just became LINKED: put it at the tail of queue @prio of
 * vCPU @vcpu (which has a control block).
 */
static void link_port(struct evtchn_domain *d, evtchn_port_t port, uint32_t vcpu, unsigned int prio)
{
	struct evtchn_fifo *f = d->fifo;
	struct evtchn_port *c = &d->ports[port];
	struct fifo_vcpu *last = &f->vcpu[c->last_vcpu];
	struct fifo_vcpu *q = &f->vcpu[vcpu];
	event_word_t *tail_word;
	bool linked = false;

	/*
	 * If the port was the tail of the queue it was last linked on, the
	 * guest has consumed that queue: it is empty, and linking after the
	 * port's own word would lose the event.
	 */
	if (last->tail[c->last_priority] == port)
		last->tail[c->last_priority] = 0;
	c->last_vcpu = vcpu;
	c->last_priority = (uint8_t)prio;
	if (q->tail[prio]) {
		tail_word = word_of(d, q->tail[prio]);
		linked = tail_word && set_link(tail_word, port);
	}
	if (!linked)
		__atomic_store_n(&q->cb->head[prio], port, __ATOMIC_SEQ_CST);
	q->tail[prio] = port;
	if (!linked &&
	    !(__atomic_fetch_or(&q->cb->ready, 1u << prio, __ATOMIC_SEQ_CST) & (1u << prio)))
		evtchn_raise_upcall(d, vcpu);
}

/*
 * Xen's FIFO set_pending: without a word yet the port keeps its pending
 * state here until expand_array adds the page; else PENDING, and a link
 * unless the vCPU has no control block, the port is MASKED, or it is
 * already LINKED.
 */
static void fifo_set_pending(struct evtchn_domain *d, evtchn_port_t port, uint32_t vcpu)
{
	struct fifo_vcpu *q = &d->fifo->vcpu[vcpu];
	event_word_t *w = word_of(d, port);
	bool was_pending;

	if (!w) {
		evtchn_set_shadow(&d->ports[port], true);
		return;
	}
	was_pending = test_and_set(w, PENDING);
	if (q->cb && !(load(w) & MASKED) && !test_and_set(w, LINKED))
		link_port(d, port, vcpu,
		          __atomic_load_n(&d->ports[port].priority, __ATOMIC_RELAXED));
	if (!was_pending && d->ops->port_pending)
		d->ops->port_pending(d->owner, port, vcpu);
}

/* Only PENDING: the guest unlinks the port when it finds it not pending. */
static void fifo_clear_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	event_word_t *w = word_of(d, port);

	evtchn_set_shadow(&d->ports[port], false);
	if (w)
		clear(w, PENDING);
}

/* Clear MASKED; a pending port is linked again. */
static void fifo_unmask(struct evtchn_domain *d, evtchn_port_t port)
{
	event_word_t *w = word_of(d, port);

	if (!w)
		return;
	clear(w, MASKED);
	if (load(w) & PENDING)
		fifo_set_pending(d, port, evtchn_notify_vcpu(&d->ports[port]));
}

static bool fifo_is_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	event_word_t *w = word_of(d, port);

	return w && (load(w) & PENDING);
}

static bool fifo_is_busy(struct evtchn_domain *d, evtchn_port_t port)
{
	event_word_t *w = word_of(d, port);

	return w && (load(w) & LINKED);
}

/* A vCPU whose vcpu_info was missing may have ready queues: raise its upcall now. */
static void fifo_shared_info_moved(struct evtchn_domain *d, struct shared_info *old)
{
	uint32_t v;

	if (!d->si)
		return;
	for (v = 0; v < d->max_vcpus; v++) {
		struct evtchn_fifo_control_block *cb = d->fifo->vcpu[v].cb;

		if (cb && __atomic_load_n(&cb->ready, __ATOMIC_SEQ_CST))
			evtchn_raise_upcall(d, v);
	}
}

/* Future events only: a port already linked stays on its queue until consumed. */
static int fifo_set_priority(struct evtchn_domain *d, evtchn_port_t port, uint32_t priority)
{
	if (priority > EVTCHN_FIFO_PRIORITY_MIN)
		return -XEN_EINVAL;
	__atomic_store_n(&d->ports[port].priority, (uint8_t)priority, __ATOMIC_RELAXED);
	return 0;
}

const struct evtchn_abi evtchn_fifo_abi =
    EVTCHN_ABI(fifo, EVTCHN_FIFO_NR_CHANNELS, fifo_is_busy, fifo_set_priority);

/* --- Switching ABIs --- */

/*
 * (Both locks.)  The domain leaves 2-level: what its ports had pending in
 * shared_info waits in the port table until their words exist; every port
 * gets the default priority.
 */
static void switch_to_fifo(struct evtchn_domain *d)
{
	uint32_t port, n = d->nr_valid;

	for (port = 1; port < n; port++) {
		struct evtchn_port *c = &d->ports[port];

		if (port < EVTCHN_2L_NR_CHANNELS && evtchn_2l_abi.is_pending(d, port))
			evtchn_set_shadow(c, true);
		__atomic_store_n(&c->priority, EVTCHN_FIFO_PRIORITY_DEFAULT, __ATOMIC_RELAXED);
		c->last_vcpu = 0;
		c->last_priority = 0;
	}
	__atomic_store_n(&d->abi, &evtchn_fifo_abi, __ATOMIC_RELEASE);
}

void evtchn_fifo_teardown(struct evtchn_domain *d)
{
	struct evtchn_fifo *f = d->fifo;

	if (!f)
		return;
	__atomic_store_n(&d->abi, &evtchn_2l_abi, __ATOMIC_RELEASE);
	/* Lock-free readers may still use the pages they found: they stay mapped. */
	__atomic_store_n(&f->nr_words, 0, __ATOMIC_RELEASE);
	memset(f->vcpu, 0, d->max_vcpus * sizeof(f->vcpu[0]));
}

void evtchn_fifo_free(struct evtchn_domain *d)
{
	free(d->fifo);
	d->fifo = NULL;
}

/* A guest page for the FIFO ABI, or NULL when @gfn is not RAM. */
static uint8_t *guest_page(struct evtchn_domain *d, uint64_t gfn)
{
	return d->mem->gfn_to_host(d->owner, gfn);
}

int evtchn_init_control(struct evtchn_domain *cur, struct evtchn_init_control *op)
{
	uint32_t vcpu = op->vcpu, offset = op->offset;
	struct fifo_vcpu *fv;
	uint8_t *page;
	int rc = 0;

	op->link_bits = EVTCHN_FIFO_LINK_BITS;
	if (!cur->mem)
		return -XEN_EOPNOTSUPP;
	if (vcpu >= cur->max_vcpus)
		return -XEN_ENOENT;
	/* Within the page, 8-byte aligned. */
	if (offset > PAGE_BYTES - sizeof(struct evtchn_fifo_control_block))
		return -XEN_EINVAL;
	if (offset & 7)
		return -XEN_EINVAL;
	pthread_mutex_lock(&cur->lock);
	if (cur->dying) {
		rc = -XEN_EINVAL;
		goto out;
	}
	if (!cur->fifo) {
		cur->fifo =
		    calloc(1, sizeof(*cur->fifo) + cur->max_vcpus * sizeof(cur->fifo->vcpu[0]));
		if (!cur->fifo) {
			rc = -XEN_ENOMEM;
			goto out;
		}
	}
	fv = &cur->fifo->vcpu[vcpu];
	if (fv->cb) {
		rc = -XEN_EINVAL; /* once per vCPU, as Xen */
		goto out;
	}
	page = guest_page(cur, op->control_gfn);
	if (!page) {
		rc = -XEN_EINVAL;
		goto out;
	}
	pthread_mutex_lock(&cur->deliver);
	fv->cb = (struct evtchn_fifo_control_block *)(void *)(page + offset);
	if (cur->abi != &evtchn_fifo_abi)
		switch_to_fifo(cur);
	pthread_mutex_unlock(&cur->deliver);
out:
	pthread_mutex_unlock(&cur->lock);
	return rc;
}

int evtchn_expand_array(struct evtchn_domain *cur, const struct evtchn_expand_array *op)
{
	struct evtchn_fifo *f;
	uint32_t n, port, end;
	uint8_t *page;
	int rc = 0;

	pthread_mutex_lock(&cur->lock);
	if (cur->abi != &evtchn_fifo_abi) {
		rc = -XEN_EOPNOTSUPP;
		goto out;
	}
	f = cur->fifo;
	n = f->nr_words;
	if (n / WORDS_PER_PAGE >= MAX_PAGES) {
		rc = -XEN_ENOSPC;
		goto out;
	}
	page = guest_page(cur, op->array_gfn);
	if (!page) {
		rc = -XEN_EINVAL;
		goto out;
	}
	end = n + WORDS_PER_PAGE;
	pthread_mutex_lock(&cur->deliver);
	__atomic_store_n(&f->page[n / WORDS_PER_PAGE], (event_word_t *)(void *)page,
	                 __ATOMIC_RELAXED);
	__atomic_store_n(&f->nr_words, end, __ATOMIC_RELEASE);
	/* Raise what became pending while these ports had no word. */
	if (end > cur->nr_valid)
		end = cur->nr_valid;
	for (port = n ? n : 1; port < end; port++) {
		struct evtchn_port *c = &cur->ports[port];

		if (!evtchn_shadow(c))
			continue;
		evtchn_set_shadow(c, false);
		fifo_set_pending(cur, port, evtchn_notify_vcpu(c));
	}
	pthread_mutex_unlock(&cur->deliver);
out:
	pthread_mutex_unlock(&cur->lock);
	return rc;
}
