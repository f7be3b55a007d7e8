/*
 * shoji/event_channel.h - __HYPERVISOR_event_channel_op(cmd, arg).
 *
 * An event channel is a port number local to a domain; evtchn_port_t is
 * defined in shoji/xen.h.  With the 2-level ABI a port's pending and mask
 * bits live in shared_info; EVTCHNOP_init_control switches a vCPU to the
 * FIFO ABI instead.
 */
#ifndef SHOJI_EVENT_CHANNEL_H
#define SHOJI_EVENT_CHANNEL_H

#include <shoji/xen.h>

#define EVTCHNOP_bind_interdomain 0  /* struct evtchn_bind_interdomain */
#define EVTCHNOP_bind_virq        1  /* struct evtchn_bind_virq */
#define EVTCHNOP_bind_pirq        2  /* struct evtchn_bind_pirq */
#define EVTCHNOP_close            3  /* struct evtchn_close */
#define EVTCHNOP_send             4  /* struct evtchn_send */
#define EVTCHNOP_status           5  /* struct evtchn_status */
#define EVTCHNOP_alloc_unbound    6  /* struct evtchn_alloc_unbound */
#define EVTCHNOP_bind_ipi         7  /* struct evtchn_bind_ipi */
#define EVTCHNOP_bind_vcpu        8  /* struct evtchn_bind_vcpu */
#define EVTCHNOP_unmask           9  /* struct evtchn_unmask */
#define EVTCHNOP_reset            10 /* struct evtchn_reset */
#define EVTCHNOP_init_control     11 /* struct evtchn_init_control */
#define EVTCHNOP_expand_array     12 /* struct evtchn_expand_array */
#define EVTCHNOP_set_priority     13 /* struct evtchn_set_priority */

/* evtchn_status.status */
#define EVTCHNSTAT_closed      0 /* not in use */
#define EVTCHNSTAT_unbound     1 /* waiting for a remote domain to bind */
#define EVTCHNSTAT_interdomain 2 /* connected to a remote port */
#define EVTCHNSTAT_pirq        3 /* bound to a physical IRQ */
#define EVTCHNSTAT_virq        4 /* bound to a virtual IRQ */
#define EVTCHNSTAT_ipi         5 /* bound to an inter-vCPU interrupt */

/* evtchn_bind_pirq.flags */
#define BIND_PIRQ__WILL_SHARE 1

/* Ports the 2-level ABI can address on x86-64: 64 words of 64 bits. */
#define EVTCHN_2L_NR_CHANNELS (sizeof(xen_ulong_t) * sizeof(xen_ulong_t) * 64)

/* FIFO ABI: priorities, event word bits, limits. */
#define EVTCHN_FIFO_PRIORITY_MAX     0
#define EVTCHN_FIFO_PRIORITY_DEFAULT 7
#define EVTCHN_FIFO_PRIORITY_MIN     15
#define EVTCHN_FIFO_MAX_QUEUES       (EVTCHN_FIFO_PRIORITY_MIN + 1)
#define EVTCHN_FIFO_PENDING          31
#define EVTCHN_FIFO_MASKED           30
#define EVTCHN_FIFO_LINKED           29
#define EVTCHN_FIFO_BUSY             28
#define EVTCHN_FIFO_LINK_BITS        17
#define EVTCHN_FIFO_LINK_MASK        ((1 << EVTCHN_FIFO_LINK_BITS) - 1)
#define EVTCHN_FIFO_NR_CHANNELS      (1 << EVTCHN_FIFO_LINK_BITS)

#ifndef __ASSEMBLY__

/* Allocate a port in dom that remote_dom may later bind to. */
struct evtchn_alloc_unbound {
	domid_t dom;        /* IN: usually DOMID_SELF */
	domid_t remote_dom; /* IN */
	evtchn_port_t port; /* OUT */
};
typedef struct evtchn_alloc_unbound evtchn_alloc_unbound_t;
SHOJI_ABI_SIZE(struct evtchn_alloc_unbound, 8);
SHOJI_ABI_OFFSET(struct evtchn_alloc_unbound, remote_dom, 2);
SHOJI_ABI_OFFSET(struct evtchn_alloc_unbound, port, 4);

/* Connect a new local port to an unbound port of remote_dom. */
struct evtchn_bind_interdomain {
	domid_t remote_dom;        /* IN */
	evtchn_port_t remote_port; /* IN */
	evtchn_port_t local_port;  /* OUT */
};
typedef struct evtchn_bind_interdomain evtchn_bind_interdomain_t;
SHOJI_ABI_SIZE(struct evtchn_bind_interdomain, 12);
SHOJI_ABI_OFFSET(struct evtchn_bind_interdomain, remote_port, 4);
SHOJI_ABI_OFFSET(struct evtchn_bind_interdomain, local_port, 8);

struct evtchn_bind_virq {
	uint32_t virq;      /* IN: VIRQ_* */
	uint32_t vcpu;      /* IN: vCPU to notify */
	evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_virq evtchn_bind_virq_t;
SHOJI_ABI_SIZE(struct evtchn_bind_virq, 12);
SHOJI_ABI_OFFSET(struct evtchn_bind_virq, vcpu, 4);
SHOJI_ABI_OFFSET(struct evtchn_bind_virq, port, 8);

struct evtchn_bind_pirq {
	uint32_t pirq;      /* IN */
	uint32_t flags;     /* IN: BIND_PIRQ__* */
	evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_pirq evtchn_bind_pirq_t;
SHOJI_ABI_SIZE(struct evtchn_bind_pirq, 12);

struct evtchn_bind_ipi {
	uint32_t vcpu;      /* IN: vCPU to notify */
	evtchn_port_t port; /* OUT */
};
typedef struct evtchn_bind_ipi evtchn_bind_ipi_t;
SHOJI_ABI_SIZE(struct evtchn_bind_ipi, 8);

struct evtchn_close {
	evtchn_port_t port; /* IN */
};
typedef struct evtchn_close evtchn_close_t;
SHOJI_ABI_SIZE(struct evtchn_close, 4);

/* Raise the event on the far end of port. */
struct evtchn_send {
	evtchn_port_t port; /* IN */
};
typedef struct evtchn_send evtchn_send_t;
SHOJI_ABI_SIZE(struct evtchn_send, 4);

struct evtchn_status {
	domid_t dom;        /* IN */
	evtchn_port_t port; /* IN */
	uint32_t status;    /* OUT: EVTCHNSTAT_* */
	uint32_t vcpu;      /* OUT: vCPU notified */
	union {
		struct {
			domid_t dom;
		} unbound; /* EVTCHNSTAT_unbound */
		struct {
			domid_t dom;
			evtchn_port_t port;
		} interdomain; /* EVTCHNSTAT_interdomain */
		uint32_t pirq; /* EVTCHNSTAT_pirq */
		uint32_t virq; /* EVTCHNSTAT_virq */
	} u;
};
typedef struct evtchn_status evtchn_status_t;
SHOJI_ABI_SIZE(struct evtchn_status, 24);
SHOJI_ABI_OFFSET(struct evtchn_status, port, 4);
SHOJI_ABI_OFFSET(struct evtchn_status, status, 8);
SHOJI_ABI_OFFSET(struct evtchn_status, vcpu, 12);
SHOJI_ABI_OFFSET(struct evtchn_status, u, 16);
SHOJI_ABI_OFFSET(struct evtchn_status, u.interdomain.port, 20);

/* Deliver port's notifications to another vCPU. */
struct evtchn_bind_vcpu {
	evtchn_port_t port; /* IN */
	uint32_t vcpu;      /* IN */
};
typedef struct evtchn_bind_vcpu evtchn_bind_vcpu_t;
SHOJI_ABI_SIZE(struct evtchn_bind_vcpu, 8);

/* Clear the mask bit and resend the upcall if the port is pending. */
struct evtchn_unmask {
	evtchn_port_t port; /* IN */
};
typedef struct evtchn_unmask evtchn_unmask_t;
SHOJI_ABI_SIZE(struct evtchn_unmask, 4);

/* Close every port of dom. */
struct evtchn_reset {
	domid_t dom; /* IN */
};
typedef struct evtchn_reset evtchn_reset_t;
SHOJI_ABI_SIZE(struct evtchn_reset, 2);

/* FIFO ABI: register a vCPU's control block. */
struct evtchn_init_control {
	uint64_t control_gfn; /* IN: frame holding the control block */
	uint32_t offset;      /* IN: its offset inside the frame */
	uint32_t vcpu;        /* IN */
	uint8_t link_bits;    /* OUT: EVTCHN_FIFO_LINK_BITS */
	uint8_t _pad[7];
};
typedef struct evtchn_init_control evtchn_init_control_t;
SHOJI_ABI_SIZE(struct evtchn_init_control, 24);
SHOJI_ABI_OFFSET(struct evtchn_init_control, control_gfn, 0);
SHOJI_ABI_OFFSET(struct evtchn_init_control, offset, 8);
SHOJI_ABI_OFFSET(struct evtchn_init_control, vcpu, 12);
SHOJI_ABI_OFFSET(struct evtchn_init_control, link_bits, 16);

/* FIFO ABI: add one page of event words. */
struct evtchn_expand_array {
	uint64_t array_gfn; /* IN */
};
typedef struct evtchn_expand_array evtchn_expand_array_t;
SHOJI_ABI_SIZE(struct evtchn_expand_array, 8);
SHOJI_ABI_OFFSET(struct evtchn_expand_array, array_gfn, 0);

/* FIFO ABI: move a port to another priority queue. */
struct evtchn_set_priority {
	evtchn_port_t port; /* IN */
	uint32_t priority;  /* IN: EVTCHN_FIFO_PRIORITY_* range */
};
typedef struct evtchn_set_priority evtchn_set_priority_t;
SHOJI_ABI_SIZE(struct evtchn_set_priority, 8);
SHOJI_ABI_OFFSET(struct evtchn_set_priority, priority, 4);

/*
 * FIFO ABI: one 32-bit word per port in the event array (pages the guest
 * adds with EVTCHNOP_expand_array): PENDING, MASKED, LINKED and BUSY bits
 * and, while LINKED, the next port of the queue in the LINK field.
 */
typedef uint32_t event_word_t;
SHOJI_ABI_SIZE(event_word_t, 4);
SHOJI_ABI_CHECK(EVTCHN_FIFO_LINK_MASK == 0x1ffff, "LINK is the low 17 bits");
SHOJI_ABI_CHECK(EVTCHN_FIFO_NR_CHANNELS == 131072, "2^17 ports");
SHOJI_ABI_CHECK(EVTCHN_FIFO_BUSY > EVTCHN_FIFO_LINK_BITS, "flags above LINK");

/*
 * FIFO ABI: per-vCPU control block (EVTCHNOP_init_control), 8-byte aligned
 * inside one page.  The hypervisor sets bit q of ready and writes head[q]
 * when queue q goes from empty to non-empty.
 */
struct evtchn_fifo_control_block {
	uint32_t ready; /* bit q: queue q is non-empty */
	uint32_t _rsvd;
	uint32_t head[EVTCHN_FIFO_MAX_QUEUES]; /* first port of each queue */
};
typedef struct evtchn_fifo_control_block evtchn_fifo_control_block_t;
SHOJI_ABI_SIZE(struct evtchn_fifo_control_block, 72);
SHOJI_ABI_OFFSET(struct evtchn_fifo_control_block, ready, 0);
SHOJI_ABI_OFFSET(struct evtchn_fifo_control_block, head, 8);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_EVENT_CHANNEL_H */
