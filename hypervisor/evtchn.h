/*
 * Event channels: the per-domain port table behind
 * __HYPERVISOR_event_channel_op, and delivery into guest memory with
 * either of Xen's two event ABIs: 2-level (pending and mask bitmaps in
 * shared_info, the default) or FIFO (an event word per port in pages the
 * guest adds, 16 priority queues per vCPU), which a guest switches to with
 * EVTCHNOP_init_control.
 *
 * The module knows nothing about KVM: a domain is a struct evtchn_domain
 * created with a delivery ops table (kick a vCPU, or notify a Dom0 port),
 * domains are found through a struct evtchn_world lookup, and guest pages
 * arrive as host pointers (shared_info, vcpu_info) or are looked up by
 * frame number through struct evtchn_mem_ops (FIFO pages).  Every function
 * returns 0 (or a port) on success and a negative XEN_E* value on failure,
 * exactly as Xen's EVTCHNOP_* do.
 *
 * Locking (see docs/event-channels.md): each domain has an event lock and a
 * delivery lock.  Event locks of two domains are taken lower domid first;
 * the delivery lock is a leaf.  The ops hooks run with the target domain's
 * delivery lock held: they must not block for long and must not call back
 * into this module.  Hence the one rule for callers: never call into this
 * module while holding a lock that a hook takes (e.g. shoji-hv's domain
 * lock, if kick_vcpu takes it to wake a blocked vCPU).  Any call that can
 * raise an event may run hooks: sends, binds, unmask, evtchn_send_virq,
 * evtchn_set_shared_info, evtchn_set_vcpu_info, evtchn_init_control and
 * evtchn_expand_array.  evtchn_port_is_pending is the exception: it takes
 * no lock at all.
 */
#ifndef SHOJI_HV_EVTCHN_H
#define SHOJI_HV_EVTCHN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <shoji/xen.h>
#include <shoji/event_channel.h>

/* Default highest port (xl: max_event_channels = 1023, so ports 1..1023). */
#define EVTCHN_DEFAULT_MAX_PORT 1023u
/*
 * Highest port a domain can be given: the FIFO ABI's.  While a domain uses
 * the 2-level ABI only ports below EVTCHN_2L_NR_CHANNELS are allocated.
 */
#define EVTCHN_MAX_PORT (EVTCHN_FIFO_NR_CHANNELS - 1u)

struct evtchn_domain;

/*
 * How events reach a domain.  A guest domain sets kick_vcpu (and
 * optionally port_pending); delivery goes through its shared_info.  A
 * domain without shared pages (Dom0, domain 0) sets notify_port instead:
 * every event on one of its ports calls notify_port (e.g. write the port's
 * eventfd), with no pending/mask state kept here.
 */
struct evtchn_delivery_ops {
	/* vcpu_info.evtchn_upcall_pending of @vcpu went 0 -> 1: raise the upcall. */
	void (*kick_vcpu)(void *owner, uint32_t vcpu);
	/* Optional: @port became pending (wake a vCPU blocked in SCHEDOP_poll). */
	void (*port_pending)(void *owner, evtchn_port_t port, uint32_t vcpu);
	/* Callback delivery (Dom0): one event on @port. */
	void (*notify_port)(void *owner, evtchn_port_t port);
};

/*
 * Guest frames, for the FIFO ABI's control blocks and event array pages.
 * gfn_to_host returns the host address of the 4 KiB page of guest RAM at
 * @gfn, or NULL when @gfn is not RAM.  The page must stay mapped as long
 * as the domain exists: the module keeps the pointer until
 * evtchn_domain_destroy (or EVTCHNOP_reset) and accesses the page only
 * with atomic operations, since the guest writes it concurrently.
 */
struct evtchn_mem_ops {
	void *(*gfn_to_host)(void *owner, uint64_t gfn);
};

/*
 * Domain lookup for operations naming another domain (DOMID_SELF is
 * resolved before the call).  get_domain returns the domain with a
 * reference taken by evtchn_domain_get(), or NULL when there is no such
 * domain; the module drops it with evtchn_domain_put().
 */
struct evtchn_world {
	struct evtchn_domain *(*get_domain)(void *opaque, domid_t domid);
	void *opaque;
};

struct evtchn_domain_params {
	domid_t domid;
	uint32_t max_vcpus;
	uint32_t
	    max_port; /* highest usable port: 0 = EVTCHN_DEFAULT_MAX_PORT, at most EVTCHN_MAX_PORT */
	bool privileged; /* may name other domains (alloc_unbound, status, reset) */
	const struct evtchn_delivery_ops *ops;
	const struct evtchn_mem_ops *mem; /* NULL: no FIFO ABI (init_control is -EOPNOTSUPP) */
	void *owner;                      /* first argument of every ops and mem hook */
};

/* A domain's port table (port 0 reserved), one reference held by the caller; NULL + errno. */
struct evtchn_domain *evtchn_domain_create(const struct evtchn_world *world,
                                           const struct evtchn_domain_params *p);
/*
 * Close every port (peers of interdomain channels go back to unbound, as in
 * Xen), refuse new ports, drop the creator's reference.  Once it returns no
 * ops hook of @d is called again.
 */
void evtchn_domain_destroy(struct evtchn_domain *d);
void evtchn_domain_get(struct evtchn_domain *d);
void evtchn_domain_put(struct evtchn_domain *d);
domid_t evtchn_domain_id(const struct evtchn_domain *d);
void *evtchn_domain_owner(const struct evtchn_domain *d);

/*
 * Guest pages.  @si (NULL to detach) is the host address of the guest's
 * shared_info; the caller initialises its contents (Xen semantics: the page
 * keeps its contents when moved, starts zeroed) and keeps it mapped while
 * the domain exists.  With the 2-level ABI, events raised while no
 * shared_info is attached stay pending in the port table and are delivered
 * on attach; with the FIFO ABI, attaching raises the upcall of every vCPU
 * that has a ready queue.  @vi overrides vCPU @vcpu's vcpu_info (VCPUOP_register_vcpu_info);
 * NULL returns to the legacy slot in shared_info (vCPUs < 32).  Installing a
 * vcpu_info marks every selector bit and upcall_pending and kicks the vCPU,
 * as Xen does, so no event is lost in the move.
 */
void evtchn_set_shared_info(struct evtchn_domain *d, struct shared_info *si);
int evtchn_set_vcpu_info(struct evtchn_domain *d, uint32_t vcpu, struct vcpu_info *vi);

/* Sub-operations; @cur is the calling domain.  Names and errors follow Xen. */
int evtchn_alloc_unbound(struct evtchn_domain *cur, struct evtchn_alloc_unbound *op);
int evtchn_bind_interdomain(struct evtchn_domain *cur, struct evtchn_bind_interdomain *op);
int evtchn_bind_virq(struct evtchn_domain *cur, struct evtchn_bind_virq *op);
int evtchn_bind_ipi(struct evtchn_domain *cur, struct evtchn_bind_ipi *op);
int evtchn_bind_vcpu(struct evtchn_domain *cur, const struct evtchn_bind_vcpu *op);
int evtchn_close(struct evtchn_domain *cur, evtchn_port_t port);
int evtchn_send(struct evtchn_domain *cur, evtchn_port_t port);
int evtchn_status(struct evtchn_domain *cur, struct evtchn_status *op);
int evtchn_unmask(struct evtchn_domain *cur, evtchn_port_t port);
/* Closes every port of @dom and, as Xen does, returns it to the 2-level ABI. */
int evtchn_reset(struct evtchn_domain *cur, domid_t dom);

/*
 * FIFO ABI.  init_control registers vCPU @op->vcpu's control block at
 * @op->offset of frame @op->control_gfn (8-byte aligned, within the page)
 * and sets @op->link_bits; the first one switches the domain from 2-level
 * to FIFO, keeping what its bound ports had pending until expand_array
 * gives them an event word.  expand_array adds one page of 1024 event
 * words (at most 128 pages: ports up to 2^17 - 1).  set_priority moves a
 * port's future events to queue 0 (highest) .. 15; the 2-level ABI has no
 * priorities (-ENOSYS).  Errors as Xen's: -ENOENT (no such vCPU),
 * -EINVAL (bad offset, frame not RAM, control block already registered,
 * bad port or priority), -EOPNOTSUPP (expand before init, or a domain
 * without struct evtchn_mem_ops), -ENOSPC (event array full).
 */
int evtchn_init_control(struct evtchn_domain *cur, struct evtchn_init_control *op);
int evtchn_expand_array(struct evtchn_domain *cur, const struct evtchn_expand_array *op);
int evtchn_set_priority(struct evtchn_domain *cur, const struct evtchn_set_priority *op);

/*
 * Raise @virq of vCPU @vcpu (global VIRQs go through vCPU 0's binding).
 * Returns 0 when delivered, -XEN_ENOENT when the VIRQ is not bound,
 * -XEN_EINVAL for a bad VIRQ or vCPU.
 */
int evtchn_send_virq(struct evtchn_domain *d, uint32_t vcpu, uint32_t virq);
/*
 * Is @port pending (SCHEDOP_poll)?  Invalid ports are not, nor FIFO ports
 * without an event word yet.  Takes no lock: callable with any lock held.
 */
bool evtchn_port_is_pending(struct evtchn_domain *d, evtchn_port_t port);

/*
 * Save and restore (docs/migration-stream.md, HV_EVTCHN): a bound port as
 * a stream carries it.  State is EVTCHNSTAT_unbound, _interdomain, _virq or
 * _ipi; @vcpu the vCPU it notifies; @pending and @masked its bits.
 */
struct evtchn_port_image {
	uint32_t port;
	uint32_t state;
	uint32_t vcpu;
	uint32_t virq;         /* EVTCHNSTAT_virq */
	uint32_t remote_domid; /* unbound: who may bind; interdomain: the peer */
	uint32_t remote_port;  /* interdomain */
	uint8_t pending;
	uint8_t masked;
	uint8_t pad[2];
};

/* The highest port @d may use. */
uint32_t evtchn_max_port(const struct evtchn_domain *d);
/*
 * Every port of @d in use, in port order, into @out (room for @max): their
 * number, or -XEN_ENOSPC when they do not fit, -XEN_EOPNOTSUPP while @d
 * uses the FIFO ABI (whose queues are not saved yet).
 */
int evtchn_export(struct evtchn_domain *d, struct evtchn_port_image *out, uint32_t max);
/*
 * Rebuild port @p of @d, a new domain that does not run yet, from a stream:
 * the choke point for a port image, every field checked (port within
 * limits and free, known state, vCPU, VIRQ not bound twice).  An
 * interdomain port whose peer still waits for this domain (its port
 * unbound, reserved for @d's domid, as a peer of a destroyed domain is) is
 * bound again; one whose peer is gone or bound elsewhere comes back unbound,
 * reserved for the peer, for its backend to bind anew.  The mask bit is
 * set as @p says, and a pending port is raised (which the guest's
 * shared_info, attached before, shows).  0 or -XEN_EINVAL (-XEN_EEXIST for
 * a port or VIRQ used twice).
 */
int evtchn_import_port(struct evtchn_domain *d, const struct evtchn_port_image *p);

/*
 * The whole event_channel_op hypercall: copies the argument of @cmd from
 * guest address @arg through @io, runs it, copies results back.  Unknown
 * commands (and EVTCHNOP_bind_pirq) give -XEN_ENOSYS.
 */
struct evtchn_guest_io {
	void *ctx;
	int (*copy_from)(void *ctx, void *dst, uint64_t gva, size_t len); /* 0 or -XEN_EFAULT */
	int (*copy_to)(void *ctx, uint64_t gva, const void *src, size_t len);
};
long evtchn_hypercall(struct evtchn_domain *cur, unsigned int cmd, uint64_t arg,
                      const struct evtchn_guest_io *io);

#endif
