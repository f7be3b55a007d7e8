/*
 * Unit tests of the FIFO event ABI (hypervisor/evtchn_fifo.c) against the
 * fake domains of test_evtchn_fake.c: the three FIFO operations and their
 * errors, delivery into the event words and queues, priorities, masking,
 * the switch from 2-level, interoperation with 2-level domains and Dom0,
 * and guests that scribble over the shared words.
 *
 * Layout of a FIFO test guest's RAM: vCPU v's control block at CB_GFN,
 * offset v * CB_STRIDE; event array page i at ARRAY_GFN + i, so that port
 * p's word is at ARRAY_GFN * 4096 + 4 * p.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "check-run.h"
#include "test_evtchn_fake.h"

#define CB_GFN    1u
#define CB_STRIDE 128u
#define ARRAY_GFN 8u
#define ARRAY_MAX 128u /* pages */
#define WORDS     1024u
#define PENDING   (1u << EVTCHN_FIFO_PENDING)
#define MASKED    (1u << EVTCHN_FIFO_MASKED)
#define LINKED    (1u << EVTCHN_FIFO_LINKED)
#define BUSY      (1u << EVTCHN_FIFO_BUSY)
#define LINK(w)   ((w)&EVTCHN_FIFO_LINK_MASK)
#define ARG(x)    ((uint64_t)(uintptr_t) & (x))

static int init_control(struct fake_dom *f, uint32_t vcpu, uint64_t gfn, uint32_t offset)
{
	struct evtchn_init_control op = {.control_gfn = gfn, .offset = offset, .vcpu = vcpu};

	return evtchn_init_control(f->d, &op);
}

static int expand(struct fake_dom *f, uint64_t gfn)
{
	struct evtchn_expand_array op = {.array_gfn = gfn};

	return evtchn_expand_array(f->d, &op);
}

static int set_priority(struct fake_dom *f, evtchn_port_t port, uint32_t priority)
{
	struct evtchn_set_priority op = {.port = port, .priority = priority};

	return evtchn_set_priority(f->d, &op);
}

static struct evtchn_fifo_control_block *cb_of(struct fake_dom *f, uint32_t vcpu)
{
	return (void *)(f->ram + CB_GFN * FAKE_PAGE + vcpu * CB_STRIDE);
}

static event_word_t *word(struct fake_dom *f, evtchn_port_t port)
{
	return (event_word_t *)(void *)(f->ram + ARRAY_GFN * FAKE_PAGE) + port;
}

static event_word_t wget(struct fake_dom *f, evtchn_port_t port)
{
	return __atomic_load_n(word(f, port), __ATOMIC_SEQ_CST);
}

/* A guest domain on FIFO: a control block for every vCPU, @pages event array pages. */
static struct fake_dom *mkfifo(domid_t id, uint32_t max_port, unsigned int pages)
{
	struct fake_dom *f = mkdom(id, max_port, false);
	unsigned int i;

	for (i = 0; i < MAX_VCPUS; i++)
		ck_assert_int_eq(init_control(f, i, CB_GFN, i * CB_STRIDE), 0);
	for (i = 0; i < pages; i++)
		ck_assert_int_eq(expand(f, ARRAY_GFN + i), 0);
	return f;
}

static evtchn_port_t bind_ipi(struct fake_dom *f, uint32_t vcpu)
{
	struct evtchn_bind_ipi op = {.vcpu = vcpu};

	ck_assert_int_eq(evtchn_bind_ipi(f->d, &op), 0);
	return op.port;
}

/*
 * The guest's upcall handler, as Linux's FIFO code does it: clear
 * upcall_pending, then take one event at a time from the highest-priority
 * ready queue, unlinking it (LINKED and LINK cleared together) and
 * handling it if it is pending and not masked.  Handled ports go to @out
 * (at most @max); returns how many.  The queue heads it follows are the
 * guest's own business: a hostile guest is another test.
 */
static unsigned int consume(struct fake_dom *f, uint32_t vcpu, evtchn_port_t *out, unsigned int max)
{
	struct evtchn_fifo_control_block *cb = cb_of(f, vcpu);
	uint32_t local_head[EVTCHN_FIFO_MAX_QUEUES] = {0};
	unsigned int n = 0;
	uint32_t ready;

	f->si->vcpu_info[vcpu].evtchn_upcall_pending = 0;
	while ((ready = __atomic_load_n(&cb->ready, __ATOMIC_SEQ_CST)) != 0) {
		unsigned int q = (unsigned int)__builtin_ctz(ready);
		uint32_t port = local_head[q] ? local_head[q] : cb->head[q];
		event_word_t *w = word(f, port);
		event_word_t old = __atomic_load_n(w, __ATOMIC_SEQ_CST), next;

		do {
			next = old & ~(LINKED | EVTCHN_FIFO_LINK_MASK);
		} while (!__atomic_compare_exchange_n(w, &old, next, false, __ATOMIC_SEQ_CST,
		                                      __ATOMIC_SEQ_CST));
		if (LINK(old) == 0)
			__atomic_fetch_and(&cb->ready, ~(1u << q), __ATOMIC_SEQ_CST);
		local_head[q] = LINK(old);
		if ((old & PENDING) && !(old & MASKED)) {
			__atomic_fetch_and(w, ~PENDING, __ATOMIC_SEQ_CST);
			ck_assert_uint_lt(n, max);
			out[n++] = port;
		}
	}
	return n;
}

START_TEST(t_init_errors)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct fake_dom *d0 = mkdom0();
	struct evtchn_init_control ic = {.control_gfn = CB_GFN, .vcpu = 0};
	evtchn_port_t p = bind_ipi(a, 0);

	/* No such vCPU; offsets past the page or not 8-byte aligned; no RAM there. */
	ck_assert_int_eq(init_control(a, MAX_VCPUS, CB_GFN, 0), -XEN_ENOENT);
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 4096 - 72 + 8), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 0xfffffff8u), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 4), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 4020), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 0, FAKE_RAM_PAGES, 0), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 0, ~0ULL, 0), -XEN_EINVAL);
	/* None of that left 2-level. */
	ck_assert_int_eq(expand(a, ARRAY_GFN), -XEN_EOPNOTSUPP);
	ck_assert_int_eq(set_priority(a, p, 0), -XEN_ENOSYS);
	ck_assert_int_eq(evtchn_send(a->d, p), 0);
	ck_assert(pending_bit(a, p));
	ck_assert_uint_eq(a->kicks[0], 1);

	/* Through the hypercall: link_bits comes back on success only. */
	ic.offset = 4;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_init_control, ARG(ic), &fake_io),
	                 -XEN_EINVAL);
	ck_assert_uint_eq(ic.link_bits, 0);
	ic.offset = 0;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_init_control, ARG(ic), &fake_io), 0);
	ck_assert_uint_eq(ic.link_bits, EVTCHN_FIFO_LINK_BITS);
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_init_control, 0, &fake_io), -XEN_EFAULT);

	/* Once per vCPU, even with another valid frame; other vCPUs still may. */
	ck_assert_int_eq(init_control(a, 0, CB_GFN + 1, 0), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 0, FAKE_RAM_PAGES, 0), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 1, FAKE_RAM_PAGES, 0), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 1, CB_GFN, 4096 - 72), 0); /* the last place that fits */
	ck_assert_int_eq(init_control(a, 1, CB_GFN, 0), -XEN_EINVAL);
	ck_assert_int_eq(init_control(a, 2, CB_GFN, 2 * CB_STRIDE), 0);
	/* Now FIFO: set_priority exists, and the 2-level bits are left alone. */
	ck_assert_int_eq(set_priority(a, p, 3), 0);
	ck_assert_int_eq(expand(a, ARRAY_GFN), 0);

	/* A domain without guest frames (Dom0) has no FIFO ABI. */
	ck_assert_int_eq(init_control(d0, 0, CB_GFN, 0), -XEN_EOPNOTSUPP);
	ck_assert_int_eq(expand(d0, ARRAY_GFN), -XEN_EOPNOTSUPP);
}
END_TEST

START_TEST(t_expand_errors)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct evtchn_expand_array ea = {.array_gfn = ARRAY_GFN};
	struct evtchn_set_priority sp = {.priority = 16};
	evtchn_port_t p = bind_ipi(a, 0);
	unsigned int i;

	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_expand_array, ARG(ea), &fake_io),
	                 -XEN_EOPNOTSUPP);
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 0), 0);
	ck_assert_int_eq(expand(a, FAKE_RAM_PAGES), -XEN_EINVAL);
	ck_assert_int_eq(expand(a, 1ULL << 40), -XEN_EINVAL);
	/* 128 pages address 2^17 ports; a 129th is refused. */
	for (i = 0; i < ARRAY_MAX; i++)
		ck_assert_int_eq(expand(a, ARRAY_GFN + i), 0);
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_expand_array, ARG(ea), &fake_io),
	                 -XEN_ENOSPC);
	ck_assert_int_eq(expand(a, ARRAY_GFN), -XEN_ENOSPC);

	/* Priorities 0 .. 15 of a valid port. */
	sp.port = p;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_set_priority, ARG(sp), &fake_io),
	                 -XEN_EINVAL);
	ck_assert_int_eq(set_priority(a, p, 0xffffffffu), -XEN_EINVAL);
	ck_assert_int_eq(set_priority(a, p, EVTCHN_FIFO_PRIORITY_MIN), 0);
	ck_assert_int_eq(set_priority(a, p, EVTCHN_FIFO_PRIORITY_MAX), 0);
	ck_assert_int_eq(set_priority(a, 100000, 3), -XEN_EINVAL);
	ck_assert_int_eq(set_priority(a, EVTCHN_FIFO_NR_CHANNELS, 3), -XEN_EINVAL);
	/* A valid port that is not bound has a priority too (as in Xen). */
	ck_assert_int_eq(set_priority(a, p + 1, 3), 0);
}
END_TEST

START_TEST(t_order)
{
	struct fake_dom *a = mkfifo(1, 0, 1);
	struct evtchn_fifo_control_block *cb = cb_of(a, 0);
	evtchn_port_t p[4], got[8];
	unsigned int i;

	for (i = 0; i < 4; i++)
		p[i] = bind_ipi(a, 0);
	ck_assert_int_eq(set_priority(a, p[1], 3), 0);
	ck_assert_int_eq(set_priority(a, p[3], EVTCHN_FIFO_PRIORITY_MAX), 0);
	/* p0 and p2 keep the default priority 7. */
	ck_assert_int_eq(evtchn_send(a->d, p[0]), 0);
	ck_assert_int_eq(evtchn_send(a->d, p[2]), 0);
	ck_assert_int_eq(evtchn_send(a->d, p[1]), 0);
	ck_assert_int_eq(evtchn_send(a->d, p[3]), 0);
	ck_assert_int_eq(evtchn_send(a->d, p[0]), 0); /* already pending and linked */

	/* Queue 7: head p0, p0's LINK p2; queues 3 and 0 hold one each. */
	ck_assert_uint_eq(cb->ready, (1u << 7) | (1u << 3) | (1u << 0));
	ck_assert_uint_eq(cb->head[7], p[0]);
	ck_assert_uint_eq(cb->head[3], p[1]);
	ck_assert_uint_eq(cb->head[0], p[3]);
	ck_assert_uint_eq(wget(a, p[0]), PENDING | LINKED | p[2]);
	ck_assert_uint_eq(wget(a, p[2]), PENDING | LINKED);
	ck_assert_uint_eq(a->kicks[0], 1); /* one upcall: upcall_pending stayed set */
	ck_assert_uint_eq(a->si->vcpu_info[0].evtchn_upcall_pending, 1);
	ck_assert(!pending_bit(a, p[0])); /* nothing in the 2-level bitmaps */
	ck_assert_uint_eq(a->si->vcpu_info[0].evtchn_pending_sel, 0);

	/* Highest priority first, FIFO within a priority. */
	ck_assert_uint_eq(consume(a, 0, got, 8), 4);
	ck_assert_uint_eq(got[0], p[3]);
	ck_assert_uint_eq(got[1], p[1]);
	ck_assert_uint_eq(got[2], p[0]);
	ck_assert_uint_eq(got[3], p[2]);
	ck_assert_uint_eq(cb->ready, 0);

	/* The tail (p2) was consumed: queue 7 is empty, p2 starts it again. */
	ck_assert_int_eq(evtchn_send(a->d, p[2]), 0);
	ck_assert_int_eq(evtchn_send(a->d, p[0]), 0);
	ck_assert_uint_eq(cb->ready, 1u << 7);
	ck_assert_uint_eq(cb->head[7], p[2]);
	ck_assert_uint_eq(LINK(wget(a, p[2])), p[0]);
	ck_assert_uint_eq(LINK(wget(a, p[0])), 0);
	ck_assert_uint_eq(a->kicks[0], 2);
	ck_assert_uint_eq(consume(a, 0, got, 8), 2);
	ck_assert_uint_eq(got[0], p[2]);
	ck_assert_uint_eq(got[1], p[0]);

	/* The guest empties a queue while the hypervisor appends: it restarts at head. */
	ck_assert_int_eq(evtchn_send(a->d, p[0]), 0);
	__atomic_fetch_and(word(a, p[0]), ~LINKED,
	                   __ATOMIC_SEQ_CST); /* consumed, not cleared yet */
	ck_assert_int_eq(evtchn_send(a->d, p[2]), 0);
	ck_assert_uint_eq(cb->head[7], p[2]);
	ck_assert_uint_eq(LINK(wget(a, p[0])), 0);
}
END_TEST

START_TEST(t_move)
{
	struct fake_dom *a = mkfifo(1, 0, 1);
	struct fake_dom *b = mkdom(2, 0, false);
	evtchn_port_t pa, pb, q, got[4];
	struct evtchn_bind_vcpu bv;

	pb = alloc_unbound(b, DOMID_SELF, 1);
	pa = bind_interdomain(a, 2, pb);
	ck_assert_uint_eq(consume(a, 0, got, 4), 1); /* the event the bind raised */
	q = bind_ipi(a, 0);
	ck_assert_int_eq(evtchn_send(b->d, pb), 0);
	ck_assert_uint_eq(cb_of(a, 0)->head[7], pa);

	/* Moved while linked: it stays on its queue until consumed (as Xen). */
	bv = (struct evtchn_bind_vcpu){.port = pa, .vcpu = 2};
	ck_assert_int_eq(evtchn_bind_vcpu(a->d, &bv), 0);
	ck_assert_int_eq(set_priority(a, pa, 2), 0);
	ck_assert_int_eq(evtchn_send(b->d, pb), 0);
	ck_assert_uint_eq(cb_of(a, 2)->ready, 0);
	ck_assert_uint_eq(consume(a, 0, got, 4), 1);
	ck_assert_uint_eq(got[0], pa);

	/* Its next event goes to vCPU 2's queue 2. */
	ck_assert_int_eq(evtchn_send(b->d, pb), 0);
	ck_assert_uint_eq(cb_of(a, 2)->ready, 1u << 2);
	ck_assert_uint_eq(cb_of(a, 2)->head[2], pa);
	ck_assert_uint_eq(a->kicks[2], 1);
	/* vCPU 0's queue 7 was left empty by the move: an IPI starts it afresh. */
	ck_assert_int_eq(evtchn_send(a->d, q), 0);
	ck_assert_uint_eq(cb_of(a, 0)->head[7], q);
	ck_assert_uint_eq(LINK(wget(a, pa)), 0);
	ck_assert_uint_eq(consume(a, 2, got, 4), 1);
	ck_assert_uint_eq(got[0], pa);
}
END_TEST

START_TEST(t_mask)
{
	struct fake_dom *a = mkfifo(1, 0, 1);
	struct evtchn_fifo_control_block *cb = cb_of(a, 0);
	evtchn_port_t p = bind_ipi(a, 0), q = bind_ipi(a, 0), got[4];

	/* Masked: pending, not linked, no upcall. */
	__atomic_fetch_or(word(a, p), MASKED, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(evtchn_send(a->d, p), 0);
	ck_assert_uint_eq(wget(a, p), PENDING | MASKED);
	ck_assert_uint_eq(cb->ready, 0);
	ck_assert_uint_eq(a->kicks[0], 0);
	ck_assert(evtchn_port_is_pending(a->d, p));
	ck_assert_uint_eq(a->pendings, 1);

	/* Unmask links the pending event and raises the upcall. */
	ck_assert_int_eq(evtchn_unmask(a->d, p), 0);
	ck_assert_uint_eq(wget(a, p), PENDING | LINKED);
	ck_assert_uint_eq(cb->ready, 1u << 7);
	ck_assert_uint_eq(cb->head[7], p);
	ck_assert_uint_eq(a->kicks[0], 1);

	/* Masked while linked: the guest skips it; unmask links it again. */
	__atomic_fetch_or(word(a, p), MASKED, __ATOMIC_SEQ_CST);
	ck_assert_uint_eq(consume(a, 0, got, 4), 0);
	ck_assert_uint_eq(wget(a, p), PENDING | MASKED);
	ck_assert_int_eq(evtchn_unmask(a->d, p), 0);
	ck_assert_uint_eq(consume(a, 0, got, 4), 1);
	ck_assert_uint_eq(got[0], p);
	ck_assert_uint_eq(a->kicks[0], 2);

	/* Unmasking a port that is not pending only clears the mask. */
	__atomic_fetch_or(word(a, q), MASKED, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(evtchn_unmask(a->d, q), 0);
	ck_assert_uint_eq(wget(a, q), 0);
	ck_assert_uint_eq(cb->ready, 0);
	/* Invalid ports; valid ones that are not bound. */
	ck_assert_int_eq(evtchn_unmask(a->d, 5000), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_unmask(a->d, 63), 0);
}
END_TEST

START_TEST(t_switch)
{
	struct fake_dom *a = mkdom(1, 2000, false);
	struct fake_dom *b = mkdom(2, 0, false);
	evtchn_port_t p1, p2, p3, far = 0, pfar, got[4];
	unsigned int i;

	p1 = bind_ipi(a, 0);
	p2 = bind_ipi(a, 0);
	p3 = bind_ipi(a, 1);
	ck_assert_int_eq(evtchn_send(a->d, p2), 0);
	ack_upcall(a, 0);
	a->si->evtchn_pending[0] = 1ULL << p2; /* p2 pending in the 2-level bitmap */
	for (i = 0; i < 1100; i++)
		far = alloc_unbound(a, DOMID_SELF, 2);
	ck_assert_uint_gt(far, WORDS);

	/* vCPU 0 switches the domain; nothing is pending in FIFO words yet. */
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 0), 0);
	ck_assert_int_eq(evtchn_send(a->d, p3), 0); /* vCPU 1: no word yet either */
	ck_assert(!evtchn_port_is_pending(a->d, p2));
	ck_assert_uint_eq(a->kicks[0], 1);

	/* The first page brings p2 (and p3, whose vCPU has no control block). */
	ck_assert_int_eq(expand(a, ARRAY_GFN), 0);
	ck_assert_uint_eq(wget(a, p2), PENDING | LINKED);
	ck_assert_uint_eq(wget(a, p1), 0);
	ck_assert_uint_eq(wget(a, p3), PENDING); /* pending, not linked: no queue (as Xen) */
	ck_assert_uint_eq(a->kicks[0], 2);
	ck_assert_uint_eq(consume(a, 0, got, 4), 1);
	ck_assert_uint_eq(got[0], p2);
	/* vCPU 1 registers later; unmask links what it missed. */
	ck_assert_int_eq(init_control(a, 1, CB_GFN, CB_STRIDE), 0);
	ck_assert_int_eq(evtchn_unmask(a->d, p3), 0);
	ck_assert_uint_eq(cb_of(a, 1)->head[7], p3);
	ck_assert_uint_eq(a->kicks[1], 1);

	/* A port past the array waits for its page, then arrives once. */
	pfar = bind_interdomain(b, 1, far);
	ck_assert_int_eq(evtchn_send(b->d, pfar), 0);
	ck_assert(!evtchn_port_is_pending(a->d, far));
	ck_assert_int_eq(expand(a, ARRAY_GFN + 1), 0);
	ck_assert_uint_eq(wget(a, far), PENDING | LINKED);
	ck_assert_int_eq(expand(a, ARRAY_GFN + 2), 0);
	ck_assert_uint_eq(consume(a, 0, got, 4), 1);
	ck_assert_uint_eq(got[0], far);
	ck_assert_uint_eq(cb_of(a, 0)->ready, 0);
}
END_TEST

START_TEST(t_interop)
{
	struct fake_dom *d0 = mkdom0();
	struct fake_dom *a = mkdom(1, 0, false); /* 2-level */
	struct fake_dom *b = mkfifo(2, 0, 1);
	evtchn_port_t pa, pb, p0, pb0, got[4];

	/* 2-level A <-> FIFO B. */
	pb = alloc_unbound(b, DOMID_SELF, 1);
	pa = bind_interdomain(a, 2, pb);
	ack_upcall(a, 0);
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert_uint_eq(wget(b, pb), PENDING | LINKED);
	ck_assert_uint_eq(cb_of(b, 0)->head[7], pb);
	ck_assert_uint_eq(b->kicks[0], 1);
	ck_assert(!pending_bit(b, pb));
	ck_assert_int_eq(evtchn_send(b->d, pb), 0);
	ck_assert(pending_bit(a, pa));
	ck_assert(sel_bit(a, 0, pa));
	ck_assert_uint_eq(a->kicks[0], 2); /* the bind's event, then this one */
	ck_assert_uint_eq(consume(b, 0, got, 4), 1);

	/* Dom0 <-> FIFO B. */
	pb0 = alloc_unbound(b, DOMID_SELF, 0);
	p0 = bind_interdomain(d0, 2, pb0);
	ck_assert_uint_eq(d0->notified[p0], 1);
	ck_assert_uint_eq(consume(b, 0, got, 4), 0); /* the bind flags Dom0's end only */
	ck_assert_int_eq(evtchn_send(d0->d, p0), 0);
	ck_assert_uint_eq(wget(b, pb0), PENDING | LINKED);
	ck_assert_uint_eq(consume(b, 0, got, 4), 1);
	ck_assert_uint_eq(got[0], pb0);
	ck_assert_int_eq(evtchn_send(b->d, pb0), 0);
	ck_assert_uint_eq(d0->notified[p0], 2);
	/* Dom0's own ports know nothing of FIFO. */
	ck_assert_int_eq(evtchn_unmask(d0->d, p0), 0);
	ck_assert(!evtchn_port_is_pending(d0->d, p0));
}
END_TEST

START_TEST(t_reset)
{
	struct fake_dom *a = mkfifo(1, 0, 1);
	struct fake_dom *d0 = mkdom(0, 0, true);
	evtchn_port_t p, q, got[4];

	/* A closed port still linked on a queue is not handed out again. */
	p = bind_ipi(a, 0);
	ck_assert_int_eq(evtchn_send(a->d, p), 0);
	ck_assert_int_eq(evtchn_close(a->d, p), 0);
	ck_assert_uint_eq(wget(a, p), LINKED); /* close clears PENDING only */
	q = bind_ipi(a, 0);
	ck_assert_uint_ne(q, p);
	ck_assert_uint_eq(consume(a, 0, got, 4), 0); /* unlinks p, handles nothing */
	ck_assert_uint_eq(bind_ipi(a, 0), p);

	/* Reset (by Dom0 here): every port closed, back to 2-level. */
	ck_assert_int_eq(evtchn_reset(d0->d, 1), 0);
	ck_assert_int_eq(expand(a, ARRAY_GFN + 1), -XEN_EOPNOTSUPP);
	ck_assert_int_eq(set_priority(a, q, 3), -XEN_ENOSYS);
	ack_upcall(a, 0);
	q = bind_ipi(a, 0);
	ck_assert_int_eq(evtchn_send(a->d, q), 0);
	ck_assert(pending_bit(a, q));
	ck_assert_uint_eq(wget(a, q), 0);
	/* And FIFO again, starting afresh: the same vCPU may register again. */
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 0), 0);
	ck_assert_int_eq(expand(a, ARRAY_GFN), 0);
	ck_assert_uint_eq(wget(a, q), PENDING | LINKED); /* its 2-level state carried over */
	ck_assert_int_eq(evtchn_reset(a->d, DOMID_SELF), 0);
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 0), 0);
}
END_TEST

START_TEST(t_many_ports)
{
	struct fake_dom *a = mkdom(1, 5000, false);
	struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = 1};
	unsigned int n = 0, i;
	int rc;

	/* 2-level stops at 4095 whatever the domain's limit... */
	while ((rc = evtchn_alloc_unbound(a->d, &op)) == 0)
		n++;
	ck_assert_int_eq(rc, -XEN_ENOSPC);
	ck_assert_uint_eq(n, EVTCHN_2L_NR_CHANNELS - 1);
	/* ... FIFO goes on to it. */
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 0), 0);
	while ((rc = evtchn_alloc_unbound(a->d, &op)) == 0)
		n++;
	ck_assert_int_eq(rc, -XEN_ENOSPC);
	ck_assert_uint_eq(n, 5000);
	ck_assert_uint_eq(op.port, 5000);
	/* Port 4999 gets its word from page 4. */
	{
		struct evtchn_bind_interdomain bi = {.remote_dom = DOMID_SELF, .remote_port = 4999};

		ck_assert_int_eq(evtchn_close(a->d, 4000), 0);
		ck_assert_int_eq(evtchn_bind_interdomain(a->d, &bi), 0);
		ck_assert_uint_eq(bi.local_port, 4000);
	}
	ck_assert_int_eq(evtchn_send(a->d, 4000), 0);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(expand(a, ARRAY_GFN + i), 0);
	ck_assert_uint_eq(wget(a, 4999) & PENDING, PENDING);
	/* Back to 2-level: ports past 4095 stay valid, with no bits to touch. */
	ck_assert_int_eq(evtchn_reset(a->d, DOMID_SELF), 0);
	ck_assert_int_eq(evtchn_unmask(a->d, 4999), 0);
	ck_assert(!evtchn_port_is_pending(a->d, 4999));
	n = 0;
	while ((rc = evtchn_alloc_unbound(a->d, &op)) == 0)
		n++;
	ck_assert_uint_eq(n, EVTCHN_2L_NR_CHANNELS - 1);
}
END_TEST

/* Fill [from, to) of @f's RAM with a recognisable pattern, or check it is still there. */
static void canary(struct fake_dom *f, size_t from, size_t to, bool check)
{
	size_t i;

	for (i = from; i < to; i++) {
		uint8_t want = (uint8_t)(i * 7 + 3);

		if (check)
			ck_assert_uint_eq(f->ram[i], want);
		else
			f->ram[i] = want;
	}
}

struct scribbler {
	struct fake_dom *f;
	unsigned int words; /* scribble over ports [1, words) */
	unsigned int stop;
	uint32_t seed;
};

/* A guest vCPU that keeps rewriting every word and the control block at random. */
static void *scribble(void *arg)
{
	struct scribbler *s = arg;
	struct evtchn_fifo_control_block *cb = cb_of(s->f, 0);

	while (!__atomic_load_n(&s->stop, __ATOMIC_ACQUIRE)) {
		uint32_t r = s->seed = s->seed * 1103515245u + 12345u;
		evtchn_port_t port = 1 + (r >> 8) % (s->words - 1);

		__atomic_store_n(word(s->f, port), r ^ (r << 13), __ATOMIC_SEQ_CST);
		__atomic_store_n(&cb->head[r % EVTCHN_FIFO_MAX_QUEUES], r | 0xfff00000u,
		                 __ATOMIC_SEQ_CST);
		__atomic_store_n(&cb->ready, r, __ATOMIC_SEQ_CST);
	}
	return NULL;
}

START_TEST(t_hostile)
{
	struct fake_dom *a = mkfifo(1, 0, 1);
	struct fake_dom *b = mkdom(2, 0, false);
	struct evtchn_fifo_control_block *cb = cb_of(a, 0);
	struct scribbler s = {.f = a, .words = 64, .seed = 1};
	evtchn_port_t pa[32], pb[32];
	const size_t array = (size_t)ARRAY_GFN * FAKE_PAGE;
	pthread_t t;
	unsigned int i, round;

	for (i = 0; i < 32; i++) {
		pa[i] = alloc_unbound(a, DOMID_SELF, 2);
		pb[i] = bind_interdomain(b, 1, pa[i]);
	}
	/* Garbage everywhere the guest may write: LINK and head[] far out of range, BUSY stuck. */
	for (i = 1; i < WORDS; i++)
		*word(a, (evtchn_port_t)i) = LINKED | BUSY | EVTCHN_FIFO_LINK_MASK;
	for (i = 0; i < EVTCHN_FIFO_MAX_QUEUES; i++)
		cb->head[i] = 0xffffffffu;
	cb->ready = 0xffffffffu;
	/* Around the array page and the control blocks, memory the guest did not give us. */
	canary(a, array - FAKE_PAGE, array, false);
	canary(a, array + FAKE_PAGE, array + 2 * FAKE_PAGE, false);
	canary(a, CB_GFN * FAKE_PAGE + MAX_VCPUS * CB_STRIDE, 2 * FAKE_PAGE, false);

	/* Every word claims to be linked: nothing is linked, no free port reused. */
	for (i = 0; i < 32; i++)
		ck_assert_int_eq(evtchn_send(b->d, pb[i]), 0);
	ck_assert_uint_eq(a->kicks[0], 0);
	ck_assert_int_eq(evtchn_close(a->d, pa[0]), 0);
	ck_assert_uint_ne(alloc_unbound(a, DOMID_SELF, 2), pa[0]);

	/*
	 * The hypervisor writes LINK of its own tail and head[] of an empty
	 * queue, whatever the guest left there, and reads neither.
	 */
	for (i = 1; i < WORDS; i++)
		*word(a, (evtchn_port_t)i) = 0;
	cb->ready = 0;
	ck_assert_int_eq(evtchn_send(b->d, pb[1]), 0);
	ck_assert_uint_eq(cb->head[7], pa[1]);
	cb->head[7] = 0xffffffffu;
	__atomic_fetch_or(word(a, pa[1]), EVTCHN_FIFO_LINK_MASK, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(evtchn_send(b->d, pb[2]), 0);
	ck_assert_uint_eq(wget(a, pa[1]), PENDING | LINKED | pa[2]);
	ck_assert_uint_eq(cb->head[7], 0xffffffffu);
	__atomic_store_n(word(a, pa[2]), LINKED | 4999, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(evtchn_send(b->d, pb[3]), 0);
	ck_assert_uint_eq(wget(a, pa[2]), LINKED | pa[3]);

	/* A tail stuck BUSY, flipping under us: the retries are bounded. */
	ck_assert_int_eq(pthread_create(&t, NULL, scribble, &s), 0);
	for (round = 0; round < 20000; round++) {
		evtchn_port_t port = pb[1 + round % 31];

		ck_assert_int_eq(evtchn_send(b->d, port), 0);
		ck_assert_int_eq(evtchn_unmask(a->d, pa[1 + (round * 7) % 31]), 0);
		if (round % 97 == 0)
			ck_assert_int_eq(set_priority(a, pa[1 + round % 31], round % 16), 0);
	}
	__atomic_store_n(&s.stop, 1, __ATOMIC_RELEASE);
	pthread_join(t, NULL);
	canary(a, array - FAKE_PAGE, array, true);
	canary(a, array + FAKE_PAGE, array + 2 * FAKE_PAGE, true);
	canary(a, CB_GFN * FAKE_PAGE + MAX_VCPUS * CB_STRIDE, 2 * FAKE_PAGE, true);

	/* Once the guest behaves again, so does delivery. */
	memset(a->ram + array, 0, FAKE_PAGE);
	memset(cb, 0, sizeof(*cb));
	ck_assert_int_eq(evtchn_reset(a->d, DOMID_SELF), 0);
	ck_assert_int_eq(init_control(a, 0, CB_GFN, 0), 0);
	ck_assert_int_eq(expand(a, ARRAY_GFN), 0);
	{
		evtchn_port_t p = bind_ipi(a, 0), got[2];

		ck_assert_int_eq(evtchn_send(a->d, p), 0);
		ck_assert_uint_eq(consume(a, 0, got, 2), 1);
		ck_assert_uint_eq(got[0], p);
	}
}
END_TEST

/* Domains die with FIFO state: nothing touches their pages afterwards. */
START_TEST(t_destroy)
{
	struct fake_dom *a = mkfifo(1, 0, 2);
	struct fake_dom *b = mkdom(2, 0, false);
	evtchn_port_t pb = alloc_unbound(b, DOMID_SELF, 1);

	bind_interdomain(a, 2, pb);
	rmdom(1); /* frees its RAM too */
	ck_assert_int_eq(evtchn_send(b->d, pb), 0);
	ck_assert_uint_eq(status_of(b, 2, pb).status, EVTCHNSTAT_unbound);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "evtchn_fifo",
	                             .name = "evtchn_fifo",
	                             .setup = fake_world_init,
	                             .teardown = fake_world_fini};

	return CHECK_MAIN(c, t_init_errors, t_expand_errors, t_order, t_move, t_mask, t_switch,
	                  t_interop, t_reset, t_many_ports, t_hostile, t_destroy);
}
