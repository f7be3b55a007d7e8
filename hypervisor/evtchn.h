/*
 * Event channels, 2-level ABI: the per-domain port table behind
 * __HYPERVISOR_event_channel_op, and delivery into the guest-shared
 * shared_info / vcpu_info pages.
 *
 * The module knows nothing about KVM: a domain is a struct evtchn_domain
 * created with a delivery ops table (kick a vCPU, or notify a Dom0 port),
 * domains are found through a struct evtchn_world lookup, and guest pages
 * arrive as host pointers.  Every function returns 0 (or a port) on success
 * and a negative XEN_E* value on failure, exactly as Xen's EVTCHNOP_* do.
 *
 * Locking (see docs/event-channels.md): each domain has an event lock and a
 * delivery lock.  Event locks of two domains are taken lower domid first;
 * the delivery lock is a leaf.  The ops hooks run with the target domain's
 * delivery lock held: they must not block for long and must not call back
 * into this module.  Hence the one rule for callers: never call into this
 * module while holding a lock that a hook takes (e.g. shoji-hv's domain
 * lock, if kick_vcpu takes it to wake a blocked vCPU).  Any call that can
 * raise an event may run hooks: sends, binds, unmask, evtchn_send_virq,
 * evtchn_set_shared_info and evtchn_set_vcpu_info.
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
	    max_port; /* highest usable port: 0 = EVTCHN_DEFAULT_MAX_PORT, below EVTCHN_2L_NR_CHANNELS */
	bool privileged; /* may name other domains (alloc_unbound, status, reset) */
	const struct evtchn_delivery_ops *ops;
	void *owner; /* first argument of every ops hook */
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
 * keeps its contents when moved, starts zeroed).  Events raised while no
 * shared_info is attached stay pending in the port table and are delivered
 * on attach.  @vi overrides vCPU @vcpu's vcpu_info (VCPUOP_register_vcpu_info);
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
int evtchn_reset(struct evtchn_domain *cur, domid_t dom);

/*
 * Raise @virq of vCPU @vcpu (global VIRQs go through vCPU 0's binding).
 * Returns 0 when delivered, -XEN_ENOENT when the VIRQ is not bound,
 * -XEN_EINVAL for a bad VIRQ or vCPU.
 */
int evtchn_send_virq(struct evtchn_domain *d, uint32_t vcpu, uint32_t virq);
/* Is @port pending (SCHEDOP_poll)?  Invalid ports are not. */
bool evtchn_port_is_pending(struct evtchn_domain *d, evtchn_port_t port);

/*
 * The whole event_channel_op hypercall: copies the argument of @cmd from
 * guest address @arg through @io, runs it, copies results back.  Unknown
 * commands give -XEN_ENOSYS; FIFO commands -XEN_EOPNOTSUPP so that guests
 * fall back to the 2-level ABI.
 */
struct evtchn_guest_io {
	void *ctx;
	int (*copy_from)(void *ctx, void *dst, uint64_t gva, size_t len); /* 0 or -XEN_EFAULT */
	int (*copy_to)(void *ctx, uint64_t gva, const void *src, size_t len);
};
long evtchn_hypercall(struct evtchn_domain *cur, unsigned int cmd, uint64_t arg,
                      const struct evtchn_guest_io *io);

#endif
