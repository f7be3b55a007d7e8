/*
 * Check tests of the shared-ring macros in <shoji/io/ring.h>: filling and
 * draining, free-running indexes that wrap at 2^32, the exact notify
 * decisions, overflow guards, and a frontend and a backend thread moving
 * a million requests and responses through one ring.
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/io/ring.h>

#include "check-run.h"

struct test_request {
	uint32_t seq;
	uint32_t payload;
};

struct test_response {
	uint32_t seq;
	int32_t status;
};

DEFINE_RING_TYPES(test, struct test_request, struct test_response);

/* A shared area holding exactly 8 slots: the 64-byte header + 8 * 8 bytes. */
#define SMALL_AREA  (XEN_RING_HEADER_SIZE + 8 * sizeof(union test_sring_entry))
#define SMALL_SLOTS 8U
#define PAGE_AREA   4096

/* Starting indexes for the loop tests; several sit just below 2^32. */
static const RING_IDX bases[] = {0, 0xfffffff0U, 0xffffffffU, 0x7ffffffeU, 5};
#define NR_BASES ((int)(sizeof(bases) / sizeof(bases[0])))

struct pair {
	test_sring_t *sring;
	test_front_ring_t front;
	test_back_ring_t back;
};

/*
 * Set up a shared ring of `area` bytes whose indexes all start at base, as
 * if base requests had already gone round: the state a long-running ring
 * reaches, including the event indexes one past the consumer.
 */
static void pair_init(struct pair *p, size_t area, RING_IDX base)
{
	void *mem = NULL;

	ck_assert_int_eq(posix_memalign(&mem, 4096, PAGE_AREA), 0);
	memset(mem, 0xa5, PAGE_AREA);
	p->sring = mem;
	SHARED_RING_INIT(p->sring);
	p->sring->req_prod = base;
	p->sring->rsp_prod = base;
	p->sring->req_event = base + 1;
	p->sring->rsp_event = base + 1;
	FRONT_RING_ATTACH(&p->front, p->sring, base, area);
	BACK_RING_ATTACH(&p->back, p->sring, base, area);
}

static void pair_fini(struct pair *p)
{
	free(p->sring);
	p->sring = NULL;
}

/* Frontend: queue one request with sequence number seq (not yet published). */
static void front_put(struct pair *p, uint32_t seq)
{
	struct test_request *req = RING_GET_REQUEST(&p->front, p->front.req_prod_pvt);

	req->seq = seq;
	req->payload = ~seq;
	p->front.req_prod_pvt++;
}

/* Backend: consume one request, check its sequence and queue its response. */
static void back_take_and_answer(struct pair *p, uint32_t want_seq)
{
	struct test_request req;
	struct test_response *rsp;

	RING_COPY_REQUEST(&p->back, p->back.req_cons, &req);
	p->back.req_cons++;
	ck_assert_uint_eq(req.seq, want_seq);
	ck_assert_uint_eq(req.payload, ~want_seq);
	rsp = RING_GET_RESPONSE(&p->back, p->back.rsp_prod_pvt);
	rsp->seq = req.seq;
	rsp->status = 0;
	p->back.rsp_prod_pvt++;
}

/* Frontend: consume one response and check its sequence number. */
static void front_take(struct pair *p, uint32_t want_seq)
{
	struct test_response rsp;

	RING_COPY_RESPONSE(&p->front, p->front.rsp_cons, &rsp);
	p->front.rsp_cons++;
	ck_assert_uint_eq(rsp.seq, want_seq);
	ck_assert_int_eq(rsp.status, 0);
}

START_TEST(test_init)
{
	struct pair p;

	pair_init(&p, PAGE_AREA, 0);
	SHARED_RING_INIT(p.sring);
	ck_assert_uint_eq(p.sring->req_prod, 0);
	ck_assert_uint_eq(p.sring->rsp_prod, 0);
	ck_assert_uint_eq(p.sring->req_event, 1);
	ck_assert_uint_eq(p.sring->rsp_event, 1);
	for (size_t i = 0; i < sizeof(p.sring->pad); i++)
		ck_assert_uint_eq(p.sring->pad[i], 0);
	FRONT_RING_INIT(&p.front, p.sring, PAGE_AREA);
	BACK_RING_INIT(&p.back, p.sring, PAGE_AREA);
	/* (4096 - 64) / 8 = 504 entries, rounded down to a power of 2. */
	ck_assert_uint_eq(RING_SIZE(&p.front), 256);
	ck_assert_uint_eq(RING_SIZE(&p.back), 256);
	ck_assert_uint_eq(__CONST_RING_SIZE(test, PAGE_AREA), 256);
	ck_assert_uint_eq(__CONST_RING_SIZE(test, SMALL_AREA), SMALL_SLOTS);
	ck_assert_uint_eq(RING_FREE_REQUESTS(&p.front), 256);
	ck_assert(!RING_FULL(&p.front));
	ck_assert_uint_eq(RING_HAS_UNCONSUMED_RESPONSES(&p.front), 0);
	ck_assert_uint_eq(RING_HAS_UNCONSUMED_REQUESTS(&p.back), 0);
	ck_assert_uint_eq(p.front.req_prod_pvt, 0);
	ck_assert_uint_eq(p.back.req_cons, 0);
	pair_fini(&p);
}
END_TEST

/* Fill to full and drain to empty, over and over, from each base index. */
START_TEST(test_fill_and_drain)
{
	const RING_IDX base = bases[_i];
	struct pair p;
	uint32_t seq = 0;
	int wrapped = 0;

	pair_init(&p, SMALL_AREA, base);
	ck_assert_uint_eq(RING_SIZE(&p.front), SMALL_SLOTS);
	for (int round = 0; round < 100; round++) {
		uint32_t first = seq;

		ck_assert_uint_eq(RING_FREE_REQUESTS(&p.front), SMALL_SLOTS);
		for (unsigned int n = 0; n < SMALL_SLOTS; n++) {
			ck_assert(!RING_FULL(&p.front));
			front_put(&p, seq++);
			ck_assert_uint_eq(RING_FREE_REQUESTS(&p.front), SMALL_SLOTS - n - 1);
		}
		ck_assert(RING_FULL(&p.front));
		/* Nothing is visible to the backend until the push. */
		ck_assert_uint_eq(RING_HAS_UNCONSUMED_REQUESTS(&p.back), 0);
		RING_PUSH_REQUESTS(&p.front);
		ck_assert_uint_eq(RING_HAS_UNCONSUMED_REQUESTS(&p.back), SMALL_SLOTS);

		for (unsigned int n = 0; n < SMALL_SLOTS; n++) {
			ck_assert(!RING_REQUEST_CONS_OVERFLOW(&p.back, p.back.req_cons));
			back_take_and_answer(&p, first + n);
		}
		ck_assert_uint_eq(RING_HAS_UNCONSUMED_REQUESTS(&p.back), 0);
		/* The frontend stays full until it consumes responses. */
		ck_assert(RING_FULL(&p.front));
		RING_PUSH_RESPONSES(&p.back);
		ck_assert(RING_FULL(&p.front));
		ck_assert_uint_eq(RING_HAS_UNCONSUMED_RESPONSES(&p.front), SMALL_SLOTS);

		for (unsigned int n = 0; n < SMALL_SLOTS; n++) {
			front_take(&p, first + n);
			ck_assert_uint_eq(RING_FREE_REQUESTS(&p.front), n + 1);
		}
		ck_assert_uint_eq(RING_HAS_UNCONSUMED_RESPONSES(&p.front), 0);
		ck_assert(!RING_FULL(&p.front));
		if (p.sring->req_prod < base)
			wrapped = 1;
	}
	ck_assert_uint_eq(p.sring->req_prod, (RING_IDX)(base + 100 * SMALL_SLOTS));
	ck_assert_uint_eq(p.sring->rsp_prod, (RING_IDX)(base + 100 * SMALL_SLOTS));
	/* Bases just below 2^32 must have crossed the wrap. */
	if (base > 0xffffffffU - 100 * SMALL_SLOTS)
		ck_assert(wrapped);
	pair_fini(&p);
}
END_TEST

/* Partial batches straddling the slot-array end and the 2^32 wrap. */
START_TEST(test_partial_batches)
{
	const RING_IDX base = bases[_i];
	struct pair p;
	uint32_t sent = 0, answered = 0, received = 0;

	pair_init(&p, SMALL_AREA, base);
	for (int round = 0; round < 200; round++) {
		unsigned int batch = 1 + (unsigned int)round % 5;

		for (unsigned int n = 0; n < batch && !RING_FULL(&p.front); n++)
			front_put(&p, sent++);
		RING_PUSH_REQUESTS(&p.front);
		/* The backend answers at most three at a time. */
		for (unsigned int n = 0; n < 3 && RING_HAS_UNCONSUMED_REQUESTS(&p.back); n++)
			back_take_and_answer(&p, answered++);
		RING_PUSH_RESPONSES(&p.back);
		if (round % 2)
			while (RING_HAS_UNCONSUMED_RESPONSES(&p.front))
				front_take(&p, received++);
		ck_assert_uint_eq(RING_FREE_REQUESTS(&p.front), SMALL_SLOTS - (sent - received));
	}
	ck_assert_uint_gt(received, 300);
	pair_fini(&p);
}
END_TEST

/* Exact notify decisions of the request direction. */
START_TEST(test_notify_requests)
{
	const RING_IDX b = bases[_i];
	struct pair p;
	int notify = -1, work = -1;

	pair_init(&p, SMALL_AREA, b);

	/* req_event = b + 1: the first request crosses it. */
	front_put(&p, 0);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&p.front, notify);
	ck_assert_int_eq(notify, 1);

	/* The backend has not re-armed: a second request must not notify. */
	front_put(&p, 1);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&p.front, notify);
	ck_assert_int_eq(notify, 0);

	/* Pushing nothing new never notifies. */
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&p.front, notify);
	ck_assert_int_eq(notify, 0);

	/* With requests pending, the final check reports work, event untouched. */
	RING_FINAL_CHECK_FOR_REQUESTS(&p.back, work);
	ck_assert_int_ne(work, 0);
	ck_assert_uint_eq(p.sring->req_event, (RING_IDX)(b + 1));

	back_take_and_answer(&p, 0);
	back_take_and_answer(&p, 1);

	/* Drained: the final check arms req_event = req_cons + 1 and reports none. */
	RING_FINAL_CHECK_FOR_REQUESTS(&p.back, work);
	ck_assert_int_eq(work, 0);
	ck_assert_uint_eq(p.sring->req_event, (RING_IDX)(b + 3));

	/* A batch of three crossing the armed event notifies once. */
	front_put(&p, 2);
	front_put(&p, 3);
	front_put(&p, 4);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&p.front, notify);
	ck_assert_int_eq(notify, 1);

	/* A consumer that asks for notification further ahead (req_event =
	 * b + 8) is not notified by a push ending before it... */
	p.sring->req_event = b + 8;
	front_put(&p, 5);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&p.front, notify);
	ck_assert_int_eq(notify, 0);
	/* ...and is notified by the push that reaches it exactly. */
	front_put(&p, 6);
	front_put(&p, 7);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&p.front, notify);
	ck_assert_int_eq(notify, 1);
	ck_assert_uint_eq(p.sring->req_prod, (RING_IDX)(b + 8));

	/* A final check that finds work does not move the event index. */
	RING_FINAL_CHECK_FOR_REQUESTS(&p.back, work);
	ck_assert_int_eq(work, 6);
	ck_assert_uint_eq(p.sring->req_event, (RING_IDX)(b + 8));
	pair_fini(&p);
}
END_TEST

/* Exact notify decisions of the response direction. */
START_TEST(test_notify_responses)
{
	const RING_IDX b = bases[_i];
	struct pair p;
	int notify = -1, work = -1;

	pair_init(&p, SMALL_AREA, b);
	for (uint32_t s = 0; s < 4; s++)
		front_put(&p, s);
	RING_PUSH_REQUESTS(&p.front);

	/* rsp_event = b + 1: the first response notifies, the second does not. */
	back_take_and_answer(&p, 0);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&p.back, notify);
	ck_assert_int_eq(notify, 1);
	back_take_and_answer(&p, 1);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&p.back, notify);
	ck_assert_int_eq(notify, 0);

	/* Two responses waiting: the frontend's final check sees them. */
	RING_FINAL_CHECK_FOR_RESPONSES(&p.front, work);
	ck_assert_int_eq(work, 2);
	ck_assert_uint_eq(p.sring->rsp_event, (RING_IDX)(b + 1));
	front_take(&p, 0);
	front_take(&p, 1);

	/* Drained: it arms rsp_event = rsp_cons + 1 = b + 3. */
	RING_FINAL_CHECK_FOR_RESPONSES(&p.front, work);
	ck_assert_int_eq(work, 0);
	ck_assert_uint_eq(p.sring->rsp_event, (RING_IDX)(b + 3));

	/* Both remaining responses in one push cross b + 3: one notification. */
	back_take_and_answer(&p, 2);
	back_take_and_answer(&p, 3);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&p.back, notify);
	ck_assert_int_eq(notify, 1);
	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&p.back, notify);
	ck_assert_int_eq(notify, 0);
	pair_fini(&p);
}
END_TEST

/* Guards against a peer that publishes impossible indexes. */
START_TEST(test_overflow_guards)
{
	const RING_IDX b = bases[_i];
	struct pair p;

	pair_init(&p, SMALL_AREA, b);
	/* A frontend claiming 1000 requests: the backend sees at most 8. */
	p.sring->req_prod = b + 1000;
	ck_assert_uint_eq(RING_HAS_UNCONSUMED_REQUESTS(&p.back), SMALL_SLOTS);
	ck_assert(RING_REQUEST_PROD_OVERFLOW(&p.back, p.sring->req_prod));
	ck_assert(!RING_REQUEST_PROD_OVERFLOW(&p.back, (RING_IDX)(b + SMALL_SLOTS)));
	ck_assert(!RING_REQUEST_CONS_OVERFLOW(&p.back, (RING_IDX)(b + SMALL_SLOTS - 1)));
	ck_assert(RING_REQUEST_CONS_OVERFLOW(&p.back, (RING_IDX)(b + SMALL_SLOTS)));

	/* After consuming 8 without answering, nothing more may be consumed. */
	p.back.req_cons = b + SMALL_SLOTS;
	ck_assert_uint_eq(RING_HAS_UNCONSUMED_REQUESTS(&p.back), 0);
	/* Answering two frees two. */
	p.back.rsp_prod_pvt = b + 2;
	ck_assert_uint_eq(RING_HAS_UNCONSUMED_REQUESTS(&p.back), 2);

	/* A backend claiming more responses than the frontend asked for. */
	ck_assert(RING_RESPONSE_PROD_OVERFLOW(&p.front, (RING_IDX)(b + SMALL_SLOTS + 1)));
	ck_assert(!RING_RESPONSE_PROD_OVERFLOW(&p.front, (RING_IDX)(b + SMALL_SLOTS)));
	pair_fini(&p);
}
END_TEST

/* RING_COPY_REQUEST takes a private snapshot of the slot. */
START_TEST(test_copy)
{
	struct pair p;
	struct test_request req;

	pair_init(&p, SMALL_AREA, 0xfffffffeU);
	front_put(&p, 42);
	RING_PUSH_REQUESTS(&p.front);
	RING_COPY_REQUEST(&p.back, p.back.req_cons, &req);
	RING_GET_REQUEST(&p.back, p.back.req_cons)->seq = 43;
	ck_assert_uint_eq(req.seq, 42);
	ck_assert_uint_eq(req.payload, ~42U);
	/* Index 0xfffffffe and 0xfffffffe + 8 share a slot. */
	ck_assert_ptr_eq(RING_GET_REQUEST(&p.back, 0xfffffffeU),
	                 RING_GET_REQUEST(&p.back, (RING_IDX)(0xfffffffeU + SMALL_SLOTS)));
	ck_assert_ptr_eq(RING_GET_REQUEST(&p.back, 0xffffffffU), RING_GET_REQUEST(&p.back, 7));
	pair_fini(&p);
}
END_TEST

/*
 * Threaded exchange.  Each side's event channel is modelled by a counter
 * under a mutex: notify bumps it, a waiter sleeps until it changes.  A
 * waiter takes its snapshot before the final check, so a lost
 * notification (a wrong notify decision) shows up as a hang, which Check's
 * timeout turns into a failure.
 */
#define EXCHANGE_COUNT 1000000U

struct evtchn_sim {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned long count;
};

struct exchange {
	struct pair p;
	struct evtchn_sim to_back;  /* frontend -> backend */
	struct evtchn_sim to_front; /* backend -> frontend */
	unsigned long back_errors;  /* out-of-order requests seen by the backend */
	unsigned long notifies;
};

static void evtchn_sim_init(struct evtchn_sim *e)
{
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	e->count = 0;
}

static void evtchn_sim_fini(struct evtchn_sim *e)
{
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
}

static void evtchn_sim_notify(struct evtchn_sim *e)
{
	pthread_mutex_lock(&e->lock);
	e->count++;
	pthread_cond_signal(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

static unsigned long evtchn_sim_snapshot(struct evtchn_sim *e)
{
	unsigned long c;

	pthread_mutex_lock(&e->lock);
	c = e->count;
	pthread_mutex_unlock(&e->lock);
	return c;
}

/* Sleep until a notification newer than snapshot `seen` arrives. */
static void evtchn_sim_wait(struct evtchn_sim *e, unsigned long seen)
{
	pthread_mutex_lock(&e->lock);
	while (e->count == seen)
		pthread_cond_wait(&e->cond, &e->lock);
	pthread_mutex_unlock(&e->lock);
}

/* Backend thread: answer every request with its own sequence number. */
static void *backend_main(void *arg)
{
	struct exchange *x = arg;
	test_back_ring_t *r = &x->p.back;
	uint32_t want = 0;

	while (want < EXCHANGE_COUNT) {
		unsigned long seen = evtchn_sim_snapshot(&x->to_back);
		RING_IDX rp;
		int work, notify;

		RING_FINAL_CHECK_FOR_REQUESTS(r, work);
		if (!work) {
			evtchn_sim_wait(&x->to_back, seen);
			continue;
		}
		rp = r->sring->req_prod;
		xen_rmb();
		while (r->req_cons != rp && !RING_REQUEST_CONS_OVERFLOW(r, r->req_cons)) {
			struct test_request req;
			struct test_response *rsp;

			RING_COPY_REQUEST(r, r->req_cons, &req);
			r->req_cons++;
			if (req.seq != want || req.payload != ~want)
				x->back_errors++;
			want++;
			rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);
			rsp->seq = req.seq;
			rsp->status = 0;
			r->rsp_prod_pvt++;
		}
		RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify);
		if (notify)
			evtchn_sim_notify(&x->to_front);
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct exchange x;
	test_front_ring_t *r = &x.p.front;
	pthread_t back;
	uint32_t sent = 0, received = 0;
	unsigned long bad_rsp = 0;

	memset(&x, 0, sizeof(x));
	/* A one-page ring whose indexes wrap at 2^32 early in the run. */
	pair_init(&x.p, PAGE_AREA, 0xfffffff0U);
	evtchn_sim_init(&x.to_back);
	evtchn_sim_init(&x.to_front);
	ck_assert_int_eq(pthread_create(&back, NULL, backend_main, &x), 0);

	while (received < EXCHANGE_COUNT) {
		unsigned long seen;
		RING_IDX rp;
		int work, notify;

		/* Produce as much as fits. */
		if (sent < EXCHANGE_COUNT && !RING_FULL(r)) {
			while (sent < EXCHANGE_COUNT && !RING_FULL(r))
				front_put(&x.p, sent++);
			RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify);
			if (notify) {
				x.notifies++;
				evtchn_sim_notify(&x.to_back);
			}
		}
		/* Consume what has arrived; sleep only when nothing can move. */
		seen = evtchn_sim_snapshot(&x.to_front);
		RING_FINAL_CHECK_FOR_RESPONSES(r, work);
		if (!work) {
			if (sent < EXCHANGE_COUNT && !RING_FULL(r))
				continue;
			evtchn_sim_wait(&x.to_front, seen);
			continue;
		}
		rp = r->sring->rsp_prod;
		xen_rmb();
		ck_assert(!RING_RESPONSE_PROD_OVERFLOW(r, rp));
		while (r->rsp_cons != rp) {
			struct test_response rsp;

			RING_COPY_RESPONSE(r, r->rsp_cons, &rsp);
			r->rsp_cons++;
			if (rsp.seq != received || rsp.status != 0)
				bad_rsp++;
			received++;
		}
	}
	ck_assert_int_eq(pthread_join(back, NULL), 0);
	ck_assert_uint_eq(x.back_errors, 0);
	ck_assert_uint_eq(bad_rsp, 0);
	ck_assert_uint_eq(sent, EXCHANGE_COUNT);
	ck_assert_uint_eq(received, EXCHANGE_COUNT);
	ck_assert_uint_eq(x.p.sring->req_prod, (RING_IDX)(0xfffffff0U + EXCHANGE_COUNT));
	ck_assert_uint_eq(x.p.sring->rsp_prod, (RING_IDX)(0xfffffff0U + EXCHANGE_COUNT));
	/* Notifications are batched: never more than one per push. */
	ck_assert_uint_le(x.notifies, EXCHANGE_COUNT);
	evtchn_sim_fini(&x.to_back);
	evtchn_sim_fini(&x.to_front);
	pair_fini(&x.p);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("single-threaded");
	TCase *tt = tcase_create("threads");

	tcase_add_test(tc, test_init);
	tcase_add_loop_test(tc, test_fill_and_drain, 0, NR_BASES);
	tcase_add_loop_test(tc, test_partial_batches, 0, NR_BASES);
	tcase_add_loop_test(tc, test_notify_requests, 0, NR_BASES);
	tcase_add_loop_test(tc, test_notify_responses, 0, NR_BASES);
	tcase_add_loop_test(tc, test_overflow_guards, 0, NR_BASES);
	tcase_add_test(tc, test_copy);
	suite_add_tcase(s, tc);

	/* A hang here means a lost notification; allow slow sanitizer builds. */
	tcase_set_timeout(tt, 300);
	tcase_add_test(tt, test_threads);
	suite_add_tcase(s, tt);
	return s;
}

int main(void)
{
	return check_run(ring_suite());
}
