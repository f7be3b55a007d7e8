/*
 * Inside the event channel module: the port table that evtchn.c keeps and
 * the two event ABIs work on, and the operations each ABI provides
 * (evtchn_2l.c: Xen's 2-level bitmaps in shared_info; evtchn_fifo.c: Xen's
 * FIFO queues).  Only those three files include this header; everything
 * else uses evtchn.h.
 *
 * Which lock protects what (see docs/event-channels.md): "event" is the
 * domain's event lock, "delivery" its delivery lock (a leaf, always taken
 * after the event lock).  A field "written under both" may be read under
 * either; lock-free readers (evtchn_port_is_pending) use atomic loads.
 */
#ifndef SHOJI_HV_EVTCHN_ABI_H
#define SHOJI_HV_EVTCHN_ABI_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "evtchn.h"

enum evtchn_state {
	ECS_FREE = 0,
	ECS_RESERVED,    /* port 0 */
	ECS_UNBOUND,     /* waiting for remote_domid to bind */
	ECS_INTERDOMAIN, /* connected to remote:remote_port */
	ECS_VIRQ,
	ECS_IPI,
};

struct evtchn_port {
	uint8_t state;         /* event lock */
	bool shadow_pending;   /* pending with nowhere to show it yet (delivery; atomic) */
	uint8_t priority;      /* FIFO queue of future events: event lock, read atomically */
	uint8_t last_priority; /* FIFO: the queue it was last linked on (delivery) */
	uint32_t last_vcpu;    /* FIFO: ... of this vCPU (delivery) */
	uint32_t notify_vcpu;  /* written under the event lock, read atomically */
	uint32_t virq;         /* ECS_VIRQ */
	domid_t remote_domid;  /* ECS_UNBOUND: who may bind; ECS_INTERDOMAIN: peer */
	evtchn_port_t remote_port;
	struct evtchn_domain *remote; /* ECS_INTERDOMAIN; alive while the binding exists */
};

struct evtchn_abi;
struct evtchn_fifo;

struct evtchn_domain {
	pthread_mutex_t lock;    /* event lock: port states, virq table, dying */
	pthread_mutex_t deliver; /* leaf: guest pages, shadow pending bits, FIFO queues */
	unsigned int refs;
	struct evtchn_world world;
	domid_t domid;
	bool privileged;
	bool dying;
	uint32_t max_vcpus;
	uint32_t max_port;
	uint32_t nr_valid; /* ports [0, nr_valid) are valid; grows by buckets */
	const struct evtchn_delivery_ops *ops;
	const struct evtchn_mem_ops *mem; /* NULL: no FIFO ABI */
	void *owner;
	const struct evtchn_abi *abi; /* written under both locks (atomically) */
	struct shared_info *si;       /* delivery lock, written atomically */
	struct vcpu_info **vi;        /* per-vCPU override of the legacy slot */
	evtchn_port_t *virq_to_port;  /* [vcpu * NR_VIRQS + virq], 0 = unbound */
	struct evtchn_port *ports;
	struct evtchn_fifo *fifo; /* FIFO state from the first init_control to the last put */
};

/*
 * An event ABI: how a port's pending state reaches the guest.  (D) marks
 * the operations called with the delivery lock held, (E) with the event
 * lock held, (-) with no lock.  None is called for a domain with
 * notify_port delivery (Dom0), which keeps no pending state here.
 */
struct evtchn_abi {
	uint32_t nr_channels; /* ports it can address: allocation stops below */
	/* (D) Raise @port on vCPU @vcpu. */
	void (*set_pending)(struct evtchn_domain *d, evtchn_port_t port, uint32_t vcpu);
	/* (D) EVTCHNOP_unmask of a valid port. */
	void (*unmask)(struct evtchn_domain *d, evtchn_port_t port);
	/* (E) Optional: must free port @port wait before it is reused (still queued)? */
	bool (*is_busy)(struct evtchn_domain *d, evtchn_port_t port);
	/* (D) @port is being freed: drop its pending state. */
	void (*clear_pending)(struct evtchn_domain *d, evtchn_port_t port);
	/* (-) Is @port (valid) pending? */
	bool (*is_pending)(struct evtchn_domain *d, evtchn_port_t port);
	/* (E) Optional: EVTCHNOP_set_priority of a valid port (without: -ENOSYS). */
	int (*set_priority)(struct evtchn_domain *d, evtchn_port_t port, uint32_t priority);
	/* (D) d->si changed from @old (either may be NULL). */
	void (*shared_info_moved)(struct evtchn_domain *d, struct shared_info *old);
};

/*
 * The table of ABI @abi: its functions are named @abi##_set_pending,
 * _unmask, _clear_pending, _is_pending and _shared_info_moved; @busy and
 * @priority are the optional two (or NULL).
 */
#define EVTCHN_ABI(abi, channels, busy, priority)                                                  \
	{                                                                                          \
		.nr_channels = (channels), .set_pending = abi##_set_pending,                       \
		.unmask = abi##_unmask, .is_busy = (busy), .clear_pending = abi##_clear_pending,   \
		.is_pending = abi##_is_pending, .set_priority = (priority),                        \
		.shared_info_moved = abi##_shared_info_moved                                       \
	}

extern const struct evtchn_abi evtchn_2l_abi;
extern const struct evtchn_abi evtchn_fifo_abi;

static inline bool evtchn_port_valid(struct evtchn_domain *d, evtchn_port_t port)
{
	return port < __atomic_load_n(&d->nr_valid, __ATOMIC_ACQUIRE);
}

static inline bool evtchn_shadow(const struct evtchn_port *c)
{
	return __atomic_load_n(&c->shadow_pending, __ATOMIC_RELAXED);
}

static inline void evtchn_set_shadow(struct evtchn_port *c, bool pending)
{
	__atomic_store_n(&c->shadow_pending, pending, __ATOMIC_RELAXED);
}

static inline uint32_t evtchn_notify_vcpu(const struct evtchn_port *c)
{
	return __atomic_load_n(&c->notify_vcpu, __ATOMIC_RELAXED);
}

/* (D) vCPU @vcpu's vcpu_info (registered, else the legacy slot), or NULL. */
struct vcpu_info *evtchn_vcpu_info(struct evtchn_domain *d, uint32_t vcpu);
/* (D) Set @vcpu's evtchn_upcall_pending; kick the vCPU if it was clear. */
void evtchn_raise_upcall(struct evtchn_domain *d, uint32_t vcpu);

/* (E and D) Back to 2-level: forget every FIFO page (EVTCHNOP_reset, destroy). */
void evtchn_fifo_teardown(struct evtchn_domain *d);
/* The domain's last reference is gone. */
void evtchn_fifo_free(struct evtchn_domain *d);

#endif
