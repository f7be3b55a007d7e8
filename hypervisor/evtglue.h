/*
 * Glue between shoji-hv's domains and the event channel / grant table cores
 * (evtchn.h, gnttab.h): the namespace the cores look domains up in, each
 * guest domain's port table and grant table (set-up, teardown, and the
 * hooks the cores call back: delivery, guest frames), and the calls the rest
 * of shoji-hv makes into them (shared_info and vcpu_info moves, VIRQs, grant
 * frames).  Dom0's tables live in dom0port.c, which registers them here; the
 * hypercalls are in evtgntop.c.
 *
 * Locking: every function here but evtglue_any_pending is called with no
 * domain lock held (the cores' hooks take d->lock; see evtchn.h).  Functions return 0 or a
 * negative XEN_E* value (equal to -errno for the values used here).
 */
#ifndef SHOJI_HV_EVTGLUE_H
#define SHOJI_HV_EVTGLUE_H

#include <stdbool.h>
#include <stdint.h>

#include <shoji/xen.h>

struct domain;
struct evtchn_domain;
struct evtchn_world;
struct gnttab;
struct gnttab_world;
struct hv;
struct vcpu;

/* Set up the domain lookups of @hv (hv_init).  0 or -errno. */
int evtglue_hv_init(struct hv *hv);
/* Free them; every domain, Dom0's tables included, is gone already (hv_fini). */
void evtglue_hv_fini(struct hv *hv);

/* The namespace of @hv's cores, to create Dom0's tables in (dom0port.c); NULL without one. */
struct evtchn_world *evtglue_evtchn_world(struct hv *hv);
struct gnttab_world *evtglue_gnttab_world(struct hv *hv);
/*
 * Make @ec and @gt Dom0's tables: what the cores' lookups of domid 0 return
 * and where VIRQ_DOM_EXC goes.  NULL, NULL before they are destroyed.
 */
void evtglue_set_dom0(struct hv *hv, struct evtchn_domain *ec, struct gnttab *gt);

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
/*
 * Is any of @ports pending in @d, whatever its event ABI (SCHEDOP_poll)?
 * The one call here that may be made with d->lock held: it takes no lock a
 * delivery hook takes.
 */
bool evtglue_any_pending(struct domain *d, const evtchn_port_t *ports, unsigned int n);
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

#endif
