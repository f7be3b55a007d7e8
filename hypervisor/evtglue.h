/*
 * Glue between shoji-hv and the event channel / grant table cores
 * (evtchn.h, gnttab.h): per-domain set-up and teardown,
 * the hooks the core files call (shared_info and vcpu_info moves, VIRQs,
 * grant frames), and Dom0 -- domain 0 of the evtchn/grant namespace, whose
 * ports are eventfds handed to control-socket clients.
 *
 * Locking: every function here is called with no domain lock held (the
 * cores' hooks take d->lock; see evtchn.h).  Functions return 0 or a
 * negative XEN_E* value (equal to -errno for the values used here).
 */
#ifndef SHOJI_HV_EVTGLUE_H
#define SHOJI_HV_EVTGLUE_H

#include <stdbool.h>
#include <stdint.h>

#include <shoji/xen.h>
#include <shoji/event_channel.h>
#include <shoji/grant_table.h>

struct domain;
struct evtchn_domain;
struct gnttab;
struct hv;
struct vcpu;

/* Highest Dom0 port (the whole 2-level space). */
#define EVTGLUE_DOM0_MAX_PORT 4095u

/* Set up Dom0 and the domain lookups of @hv (hv_init).  0 or -errno. */
int evtglue_hv_init(struct hv *hv);
/* Free them; every guest domain is gone already (hv_fini). */
void evtglue_hv_fini(struct hv *hv);

/*
 * Give @d its port table (highest port @max_port, 0 = default 1023) and
 * grant table.  Called once while @d is being created.  0 or -errno.
 */
int evtglue_domain_create(struct domain *d, uint32_t max_port);
/*
 * @d is being destroyed and its vCPUs have stopped: close its ports (peers
 * become unbound), release the grants it mapped, and tell Dom0
 * (VIRQ_DOM_EXC).  Its own grants mapped by Dom0 stay valid until unmapped.
 */
void evtglue_domain_destroy(struct domain *d);
/*
 * Replace @d's port table by an empty one with highest port @max_port
 * (before the domain runs: -EBUSY once it started).  0 or -errno.
 */
int evtglue_set_max_port(struct domain *d, uint32_t max_port);

/* d->shared_info changed (or appeared). */
void evtglue_shared_info_moved(struct domain *d);
/* @v registered a vcpu_info (VCPUOP_register_vcpu_info). */
void evtglue_vcpu_info_moved(struct vcpu *v);
/* Raise @virq on vCPU @vcpu of @d (unbound VIRQs are dropped). */
void evtglue_send_virq(struct domain *d, uint32_t vcpu, uint32_t virq);
/* A domain shut down, crashed or died: VIRQ_DOM_EXC to Dom0. */
void evtglue_dom_exc(struct hv *hv);
/* XENMAPSPACE_grant_table: frame @idx of @d's table now lives at @gfn. */
int evtglue_map_grant_frame(struct domain *d, uint32_t idx, uint64_t gfn);

/*
 * @d's port table / grant table with a reference taken (drop it with
 * evtchn_domain_put / gnttab_put), or NULL once torn down.
 */
struct evtchn_domain *evtglue_port_table(struct domain *d);
struct gnttab *evtglue_grant_table(struct domain *d);

/*
 * --- Dom0 (control-socket clients).  @owner identifies the client
 * connection: a client only acts on ports and mappings it made, and
 * evtglue_dom0_release() undoes all of them when it goes away. ---
 */

/*
 * Bind a Dom0 port: alloc_unbound for @remote (cmd EVTCHNOP_alloc_unbound),
 * bind_interdomain to (@remote, @remote_port) (EVTCHNOP_bind_interdomain)
 * or bind_virq @virq (EVTCHNOP_bind_virq).  On success *port is the Dom0
 * port and *fd the caller's copy (to close) of the eventfd shoji-hv writes
 * on every event on it.
 */
int evtglue_dom0_bind(struct hv *hv, uintptr_t owner, unsigned int cmd, domid_t remote,
                      uint32_t remote_port, uint32_t virq, evtchn_port_t *port, int *fd);
/*
 * Toolstack: allocate an unbound port of guest @domid that @remote may bind
 * (Xen's xc_evtchn_alloc_unbound; e.g. the xenstore port, remote 0).
 */
int evtglue_dom0_alloc_in(struct hv *hv, domid_t domid, uint32_t remote, evtchn_port_t *port);
/* Notify or close a Dom0 port of @owner; -ENOTCONN if not its. */
int evtglue_dom0_notify(struct hv *hv, uintptr_t owner, evtchn_port_t port);
int evtglue_dom0_unbind(struct hv *hv, uintptr_t owner, evtchn_port_t port);

/* Guest RAM of @domid as a memfd (the caller's dup) and its size. */
int evtglue_dom0_memfd(struct hv *hv, domid_t domid, int *fd, uint64_t *size);
/*
 * Map grant @ref of @domid into Dom0: validated and pinned by the grant
 * core.  Returns a GNTST_* value; on GNTST_okay *handle names the mapping
 * and *gfn the granted frame (its memfd offset is gfn << 12).
 */
int evtglue_dom0_map(struct hv *hv, uintptr_t owner, domid_t domid, grant_ref_t ref, bool readonly,
                     grant_handle_t *handle, uint64_t *gfn);
/* Release a mapping of @owner (the client has munmap'ed it).  GNTST_*. */
int evtglue_dom0_unmap(struct hv *hv, uintptr_t owner, grant_handle_t handle);
/* Check that [gfn, gfn + n) is RAM of @domid (privileged foreign mapping).  0 or -errno. */
int evtglue_dom0_foreign_check(struct hv *hv, domid_t domid, uint64_t gfn, uint64_t n);
/* A client went away: close its ports, release its mappings. */
void evtglue_dom0_release(struct hv *hv, uintptr_t owner);

/*
 * Dom0 grant copy arenas.  A control-socket client gets one arena: a memory
 * file shoji-hv creates, seals against shrinking and growing, maps, and
 * passes to the client.  Grant copies then run between a guest's grant and
 * the arena: evtglue.c checks every arena range, the grant core validates
 * and pins every grant.  The arena goes with the client
 * (evtglue_dom0_release).  Control loop thread only.
 */
struct evtglue_arena;

/* Create @owner's arena of @bytes (whole pages, at most @max); *fd is the client's copy. 0 or -errno. */
int evtglue_dom0_arena_create(struct hv *hv, uintptr_t owner, uint64_t bytes, uint64_t max,
                              int *fd);
/* @owner's arena, or NULL. */
struct evtglue_arena *evtglue_dom0_arena(struct hv *hv, uintptr_t owner);
/* Arena bytes [@off, @off + @len) if they lie in @a, else NULL. */
void *evtglue_dom0_arena_range(struct evtglue_arena *a, uint64_t off, uint64_t len);

/* One copy between grant (@domid, @ref) at @offset and the arena at @arena_off. */
struct evtglue_copy {
	uint64_t arena_off;
	grant_ref_t ref;
	domid_t domid;
	uint16_t offset;
	uint16_t len;
	bool to_guest;
};

/* The grant a run of copies holds pinned; starts zeroed, ends with evtglue_dom0_unpin(). */
struct evtglue_pin {
	bool held;
	bool writable;
	domid_t domid;
	grant_ref_t ref;
	grant_handle_t handle;
	uint64_t cookie;
	uint8_t *page;
};

/*
 * Run @c against arena @a: the arena range is checked (GNTST_bad_virt_addr),
 * then the grant as GNTTABOP_copy would (GNTST_bad_domain, the core's pin
 * result, GNTST_bad_copy_arg).  The grant stays pinned in @pin for the next
 * copy, which reuses the pin when it names the same grant (as Xen does
 * within one batch).  Returns GNTST_*.
 */
int evtglue_dom0_arena_copy(struct hv *hv, struct evtglue_arena *a, struct evtglue_pin *pin,
                            const struct evtglue_copy *c);
/* Release the pin of a run of copies (if any). */
void evtglue_dom0_unpin(struct hv *hv, struct evtglue_pin *pin);

/*
 * evtdom0.c: serve one CTRL_EVTCHN or CTRL_GNTTAB request (@msg, @len
 * bytes, header included) from client @owner on connection @fd, and send
 * its reply (with any descriptor) on @fd.
 */
void evtdom0_request(struct hv *hv, int fd, uintptr_t owner, const void *msg, size_t len);

#endif
