/*
 * shoji/io/ring.h - shared request/response rings between a frontend and
 * a backend, compatible with Xen's io/ring.h protocol.
 *
 * DEFINE_RING_TYPES(name, req_t, rsp_t) declares:
 *   struct name_sring        the shared page: a 64-byte header then a
 *                            power-of-2 array of union {req_t; rsp_t;}
 *   struct name_front_ring   the frontend's private view
 *   struct name_back_ring    the backend's private view
 * and typedefs name_sring_t, name_front_ring_t, name_back_ring_t.
 *
 * Protocol.  Indexes are free-running 32-bit counters (RING_IDX) that wrap
 * at 2^32; slot = index & (size - 1).  The frontend writes requests at
 * req_prod_pvt and publishes them by storing sring->req_prod; the backend
 * consumes up to req_prod, writes responses into the slots it consumed
 * and publishes them through sring->rsp_prod.  A producer publishes with
 * a write barrier between the slot writes and the index store.  A
 * consumer must read the producer index, then issue xen_rmb(), then read
 * the slots.  sring->req_event / rsp_event hold the index at which the
 * consumer wants a notification: after publishing, the producer notifies
 * if the new producer index passed the event index
 * (RING_PUSH_*_AND_CHECK_NOTIFY).  A consumer about to sleep arms the
 * event index and re-checks (RING_FINAL_CHECK_FOR_*), so no notification
 * is lost between its last check and its sleep.
 *
 * Barriers are compiler builtins; define xen_mb, xen_rmb and xen_wmb
 * before including this header to use your own.
 */
#ifndef SHOJI_IO_RING_H
#define SHOJI_IO_RING_H

#include <stddef.h>
#include <stdint.h>
#include <shoji/abi-check.h>

#ifndef xen_mb
#define xen_mb() __atomic_thread_fence(__ATOMIC_SEQ_CST)
#endif
#ifndef xen_rmb
#define xen_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#endif
#ifndef xen_wmb
#define xen_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)
#endif

typedef unsigned int RING_IDX;

/* Round a positive 32-bit value down to a power of 2. */
#define __RD2(x)  (((x)&0x00000002U) ? 0x2U : ((x)&0x1U))
#define __RD4(x)  (((x)&0x0000000cU) ? __RD2((x) >> 2) << 2 : __RD2(x))
#define __RD8(x)  (((x)&0x000000f0U) ? __RD4((x) >> 4) << 4 : __RD4(x))
#define __RD16(x) (((x)&0x0000ff00U) ? __RD8((x) >> 8) << 8 : __RD8(x))
#define __RD32(x) (((x)&0xffff0000U) ? __RD16((x) >> 16) << 16 : __RD16(x))

/* Header bytes before the first slot of every shared ring. */
#define XEN_RING_HEADER_SIZE 64

/*
 * Number of slots of ring type `name` in a shared area of `size` bytes,
 * as a constant expression.
 */
#define __CONST_RING_SIZE(name, size)                                                              \
	__RD32((unsigned int)(((size)-offsetof(struct name##_sring, ring)) /                       \
	                      sizeof(((struct name##_sring *)0)->ring[0])))

/* Number of slots of the shared ring at `sring` spanning `size` bytes. */
#define __RING_SIZE(sring, size)                                                                   \
	__RD32((unsigned int)(((size) - (size_t)((const char *)&(sring)->ring[0] -                 \
	                                         (const char *)(sring))) /                         \
	                      sizeof((sring)->ring[0])))

#define DEFINE_RING_TYPES(name, req_t, rsp_t)                                                      \
	union name##_sring_entry {                                                                 \
		req_t req;                                                                         \
		rsp_t rsp;                                                                         \
	};                                                                                         \
	struct name##_sring {                                                                      \
		RING_IDX req_prod, req_event;                                                      \
		RING_IDX rsp_prod, rsp_event;                                                      \
		uint8_t pad[XEN_RING_HEADER_SIZE - 4 * sizeof(RING_IDX)];                          \
		union name##_sring_entry ring[1]; /* really RING_SIZE entries */                   \
	};                                                                                         \
	struct name##_front_ring {                                                                 \
		RING_IDX req_prod_pvt; /* next request slot to fill */                             \
		RING_IDX rsp_cons;     /* next response to consume */                              \
		unsigned int nr_ents;                                                              \
		struct name##_sring *sring;                                                        \
	};                                                                                         \
	struct name##_back_ring {                                                                  \
		RING_IDX rsp_prod_pvt; /* next response slot to fill */                            \
		RING_IDX req_cons;     /* next request to consume */                               \
		unsigned int nr_ents;                                                              \
		struct name##_sring *sring;                                                        \
	};                                                                                         \
	typedef struct name##_sring name##_sring_t;                                                \
	typedef struct name##_front_ring name##_front_ring_t;                                      \
	typedef struct name##_back_ring name##_back_ring_t;                                        \
	SHOJI_ABI_CHECK(offsetof(struct name##_sring, ring) == XEN_RING_HEADER_SIZE,               \
	                #name ": shared ring header must be 64 bytes")

/* Reset the shared header: the frontend does this once before sharing. */
#define SHARED_RING_INIT(s)                                                                        \
	do {                                                                                       \
		unsigned int xen_ring_i_;                                                          \
		(s)->req_prod = (s)->rsp_prod = 0;                                                 \
		(s)->req_event = (s)->rsp_event = 1;                                               \
		for (xen_ring_i_ = 0; xen_ring_i_ < sizeof((s)->pad); xen_ring_i_++)               \
			(s)->pad[xen_ring_i_] = 0;                                                 \
	} while (0)

#define FRONT_RING_ATTACH(r, s, i, size)                                                           \
	do {                                                                                       \
		(r)->req_prod_pvt = (i);                                                           \
		(r)->rsp_cons = (i);                                                               \
		(r)->nr_ents = __RING_SIZE(s, size);                                               \
		(r)->sring = (s);                                                                  \
	} while (0)
#define FRONT_RING_INIT(r, s, size) FRONT_RING_ATTACH(r, s, 0, size)

#define BACK_RING_ATTACH(r, s, i, size)                                                            \
	do {                                                                                       \
		(r)->rsp_prod_pvt = (i);                                                           \
		(r)->req_cons = (i);                                                               \
		(r)->nr_ents = __RING_SIZE(s, size);                                               \
		(r)->sring = (s);                                                                  \
	} while (0)
#define BACK_RING_INIT(r, s, size) BACK_RING_ATTACH(r, s, 0, size)

/* Slots in the ring (a power of 2). */
#define RING_SIZE(r) ((r)->nr_ents)

/* Frontend: request slots still free (responses not yet consumed count as used). */
#define RING_FREE_REQUESTS(r) (RING_SIZE(r) - ((r)->req_prod_pvt - (r)->rsp_cons))

/* Frontend: no slot left for another request. */
#define RING_FULL(r) (RING_FREE_REQUESTS(r) == 0)

/* Frontend: responses published and not yet consumed. */
#define RING_HAS_UNCONSUMED_RESPONSES(r) ((r)->sring->rsp_prod - (r)->rsp_cons)

/*
 * Backend: requests published and not yet consumed, capped by the slots
 * the backend can answer, so a frontend that publishes too far cannot make
 * it overrun its responses.  sring->req_prod is read exactly once.
 */
static inline unsigned int xen_ring_unconsumed_requests_(RING_IDX req_prod, RING_IDX req_cons,
                                                         RING_IDX rsp_prod_pvt, unsigned int size)
{
	unsigned int req = req_prod - req_cons;
	unsigned int rsp = size - (req_cons - rsp_prod_pvt);

	return req < rsp ? req : rsp;
}
#define RING_HAS_UNCONSUMED_REQUESTS(r)                                                            \
	xen_ring_unconsumed_requests_((r)->sring->req_prod, (r)->req_cons, (r)->rsp_prod_pvt,      \
	                              RING_SIZE(r))

/* Backend: the frontend would overflow the ring if cons were consumed. */
#define RING_REQUEST_CONS_OVERFLOW(r, cons) (((cons) - (r)->rsp_prod_pvt) >= RING_SIZE(r))

/* Backend: a published req_prod that claims more requests than fit. */
#define RING_REQUEST_PROD_OVERFLOW(r, prod) (((prod) - (r)->rsp_prod_pvt) > RING_SIZE(r))

/* Frontend: a published rsp_prod that claims more responses than fit. */
#define RING_RESPONSE_PROD_OVERFLOW(r, prod) (((prod) - (r)->rsp_cons) > RING_SIZE(r))

/* Pointers to the slot holding index idx. */
#define RING_GET_REQUEST(r, idx)  (&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].req))
#define RING_GET_RESPONSE(r, idx) (&((r)->sring->ring[(idx) & (RING_SIZE(r) - 1)].rsp))

/*
 * Copy a slot into private memory *dest, so that a peer rewriting the slot
 * cannot change what the caller validated (one fetch per slot).
 */
#define RING_COPY_(kind, r, idx, dest)                                                             \
	do {                                                                                       \
		__builtin_memcpy((dest), RING_GET_##kind(r, idx), sizeof(*(dest)));                \
		__atomic_signal_fence(__ATOMIC_SEQ_CST);                                           \
	} while (0)
#define RING_COPY_REQUEST(r, idx, dest)  RING_COPY_(REQUEST, r, idx, dest)
#define RING_COPY_RESPONSE(r, idx, dest) RING_COPY_(RESPONSE, r, idx, dest)

/* Publish the private producer index: slots first, then the index. */
#define RING_PUSH_REQUESTS(r)                                                                      \
	do {                                                                                       \
		xen_wmb();                                                                         \
		(r)->sring->req_prod = (r)->req_prod_pvt;                                          \
	} while (0)

#define RING_PUSH_RESPONSES(r)                                                                     \
	do {                                                                                       \
		xen_wmb();                                                                         \
		(r)->sring->rsp_prod = (r)->rsp_prod_pvt;                                          \
	} while (0)

/*
 * Publish and set notify to 1 when the consumer asked to hear about an
 * index in (old producer index, new producer index], else 0.  The full
 * barrier orders the index store before the event-index load.
 */
#define RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(r, notify)                                             \
	do {                                                                                       \
		RING_IDX xen_ring_old_ = (r)->sring->req_prod;                                     \
		RING_IDX xen_ring_new_ = (r)->req_prod_pvt;                                        \
		xen_wmb();                                                                         \
		(r)->sring->req_prod = xen_ring_new_;                                              \
		xen_mb();                                                                          \
		(notify) = ((RING_IDX)(xen_ring_new_ - (r)->sring->req_event) <                    \
		            (RING_IDX)(xen_ring_new_ - xen_ring_old_));                            \
	} while (0)

#define RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(r, notify)                                            \
	do {                                                                                       \
		RING_IDX xen_ring_old_ = (r)->sring->rsp_prod;                                     \
		RING_IDX xen_ring_new_ = (r)->rsp_prod_pvt;                                        \
		xen_wmb();                                                                         \
		(r)->sring->rsp_prod = xen_ring_new_;                                              \
		xen_mb();                                                                          \
		(notify) = ((RING_IDX)(xen_ring_new_ - (r)->sring->rsp_event) <                    \
		            (RING_IDX)(xen_ring_new_ - xen_ring_old_));                            \
	} while (0)

/*
 * Set work_to_do to non-zero if there is something to consume.  When
 * there is not, first ask for a notification on the next item (event
 * index = consumer index + 1) and look again, so an item published in
 * between is either seen now or notified.
 */
#define RING_FINAL_CHECK_FOR_REQUESTS(r, work_to_do)                                               \
	do {                                                                                       \
		(work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(r);                                    \
		if (work_to_do)                                                                    \
			break;                                                                     \
		(r)->sring->req_event = (r)->req_cons + 1;                                         \
		xen_mb();                                                                          \
		(work_to_do) = RING_HAS_UNCONSUMED_REQUESTS(r);                                    \
	} while (0)

#define RING_FINAL_CHECK_FOR_RESPONSES(r, work_to_do)                                              \
	do {                                                                                       \
		(work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(r);                                   \
		if (work_to_do)                                                                    \
			break;                                                                     \
		(r)->sring->rsp_event = (r)->rsp_cons + 1;                                         \
		xen_mb();                                                                          \
		(work_to_do) = RING_HAS_UNCONSUMED_RESPONSES(r);                                   \
	} while (0)

#endif /* SHOJI_IO_RING_H */
