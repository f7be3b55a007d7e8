/*
 * shoji-hv glue for the event channel and grant table cores (see evtglue.h):
 * the domain namespace, guest domains' set-up and teardown, their delivery
 * and memory hooks.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include <shoji/errno.h>
#include <shoji/event_channel.h>
#include <shoji/grant_table.h>

#include "domain.h"
#include "evtchn.h"
#include "evtglue.h"
#include "gnttab.h"
#include "hv.h"
#include "physmap.h"
#include "platform.h"
#include "vcpu.h"

struct evtglue {
	struct hv *hv;
	/* Domain lookups for the cores: guards d->evtchn / d->gnttab against teardown. */
	pthread_mutex_t lock;
	struct evtchn_world ew;
	struct gnttab_world gw;
	/* Dom0's tables (dom0port.c), what domid 0 resolves to; under lock. */
	struct evtchn_domain *dom0_ec;
	struct gnttab *dom0_gt;
};

static struct evtglue *glue_of(struct hv *hv)
{
	return hv ? hv->evtglue : NULL;
}

/* --- Domain lookups (called by the cores, possibly under their locks). --- */

typedef void *grab_fn(struct evtglue *g, struct domain *d);

/* @grab(@d) under g->lock, which guards d->evtchn / d->gnttab against teardown. */
static void *grab_locked(struct evtglue *g, struct domain *d, grab_fn *grab)
{
	void *obj;

	pthread_mutex_lock(&g->lock);
	obj = grab(g, d);
	pthread_mutex_unlock(&g->lock);
	return obj;
}

/* A core's object of @domid (Dom0's own for 0) with a reference taken, or NULL. */
static void *world_get(struct evtglue *g, domid_t domid, grab_fn *grab)
{
	struct domain *d;
	void *obj;

	if (domid == 0)
		return grab_locked(g, NULL, grab);
	d = hv_domain_get(g->hv, domid);
	if (!d)
		return NULL;
	obj = grab_locked(g, d, grab);
	domain_put(d);
	return obj;
}

/* @d's object (Dom0's for NULL) with a reference taken. */
static void *grab_evtchn(struct evtglue *g, struct domain *d)
{
	struct evtchn_domain *ec = d ? d->evtchn : g->dom0_ec;

	if (ec)
		evtchn_domain_get(ec);
	return ec;
}

static void *grab_gnttab(struct evtglue *g, struct domain *d)
{
	struct gnttab *gt = d ? d->gnttab : g->dom0_gt;

	if (gt)
		gnttab_get(gt);
	return gt;
}

static struct evtchn_domain *world_evtchn(void *opaque, domid_t domid)
{
	return world_get(opaque, domid, grab_evtchn);
}

static struct gnttab *world_gnttab(void *opaque, domid_t domid)
{
	return world_get(opaque, domid, grab_gnttab);
}

/* --- Guest delivery hooks (under the target's delivery lock; take d->lock). --- */

static void guest_kick_vcpu(void *owner, uint32_t vcpu)
{
	struct domain *d = owner;
	struct vcpu *v;
	bool signal;

	if (vcpu >= d->nr_vcpus)
		return;
	v = d->vcpus[vcpu];
	pthread_mutex_lock(&d->lock);
	signal = vcpu_claim_wake(v);
	vcpu_notify_upcall(v);
	pthread_mutex_unlock(&d->lock);
	if (signal)
		pthread_cond_signal(&v->cond);
}

/*
 * A port became pending: vCPUs sleeping in SCHEDOP_poll re-check their
 * ports.  A vCPU in SCHEDOP_block is left to kick_vcpu, which follows when
 * the event raises its upcall: woken here, before the upcall is raised, it
 * would return to its guest with nothing to see and block again.
 */
static void guest_port_pending(void *owner, evtchn_port_t port, uint32_t vcpu)
{
	struct domain *d = owner;
	uint64_t sleeping = 0; /* the vCPUs to signal */
	unsigned int i;

	_Static_assert(HV_MAX_VCPUS <= 64, "one bit per vCPU");
	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (v->polling && vcpu_claim_wake(v))
			sleeping |= 1ULL << i;
	}
	pthread_mutex_unlock(&d->lock);
	for (i = 0; sleeping != 0; i++, sleeping >>= 1)
		if (sleeping & 1)
			pthread_cond_signal(&d->vcpus[i]->cond);
}

static const struct evtchn_delivery_ops guest_ops = {
    .kick_vcpu = guest_kick_vcpu,
    .port_pending = guest_port_pending,
};

static void *guest_gfn_to_host(void *owner, uint64_t gfn)
{
	struct domain *d = owner;

	if (gfn >= d->mem.size >> GM_PAGE_SHIFT)
		return NULL;
	return gm_gpa(&d->mem, gfn << GM_PAGE_SHIFT, GM_PAGE_SIZE);
}

/* The table's last reference is gone: the domain (and its RAM) may go too. */
static void guest_gnttab_release(void *owner)
{
	domain_put(owner);
}

static const struct gnttab_mem_ops guest_mem = {
    .gfn_to_host = guest_gfn_to_host,
    .release = guest_gnttab_release,
};

/* FIFO control blocks and event array pages: guest RAM, as Xen's map_guest_page. */
static const struct evtchn_mem_ops guest_evtchn_mem = {.gfn_to_host = guest_gfn_to_host};

int evtglue_hv_init(struct hv *hv)
{
	struct evtglue *g = calloc(1, sizeof(*g));

	if (!g)
		return -ENOMEM;
	g->hv = hv;
	pthread_mutex_init(&g->lock, NULL);
	g->ew = (struct evtchn_world){.get_domain = world_evtchn, .opaque = g};
	g->gw = (struct gnttab_world){.get_table = world_gnttab, .opaque = g};
	hv->evtglue = g;
	return 0;
}

void evtglue_hv_fini(struct hv *hv)
{
	struct evtglue *g = glue_of(hv);

	if (!g)
		return;
	pthread_mutex_destroy(&g->lock);
	free(g);
	hv->evtglue = NULL;
}

struct evtchn_world *evtglue_evtchn_world(struct hv *hv)
{
	struct evtglue *g = glue_of(hv);

	return g ? &g->ew : NULL;
}

struct gnttab_world *evtglue_gnttab_world(struct hv *hv)
{
	struct evtglue *g = glue_of(hv);

	return g ? &g->gw : NULL;
}

void evtglue_set_dom0(struct hv *hv, struct evtchn_domain *ec, struct gnttab *gt)
{
	struct evtglue *g = glue_of(hv);

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->dom0_ec = ec;
	g->dom0_gt = gt;
	pthread_mutex_unlock(&g->lock);
}

/* --- Guest domains. --- */

static struct evtchn_domain *new_port_table(struct evtglue *g, struct domain *d, uint32_t max)
{
	return evtchn_domain_create(&g->ew, &(struct evtchn_domain_params){
	                                        .domid = (domid_t)d->domid,
	                                        .max_vcpus = d->nr_vcpus,
	                                        .max_port = max,
	                                        .ops = &guest_ops,
	                                        .mem = &guest_evtchn_mem,
	                                        .owner = d,
	                                    });
}

/*
 * How many grants @d may map into its physmap: each mapping is a KVM
 * memslot (HV_GRANT_SLOT_BASE + handle), so the grant table's maptrack
 * limit is HV_MAX_GRANT_MAPS or what KVM_CAP_NR_MEMSLOTS leaves, whichever
 * is smaller.
 */
static void grant_map_limits(struct domain *d)
{
	int slots = d->hv->kvm.nr_memslots;

	d->gmap_max = 0;
	if (slots > (int)HV_GRANT_SLOT_BASE)
		d->gmap_max = (uint32_t)slots - HV_GRANT_SLOT_BASE;
	if (d->gmap_max > HV_MAX_GRANT_MAPS)
		d->gmap_max = HV_MAX_GRANT_MAPS;
	d->gmap_ro_slots = d->hv->kvm.readonly_mem;
}

int evtglue_domain_create(struct domain *d, uint32_t max_port)
{
	struct evtglue *g = glue_of(d->hv);
	struct evtchn_domain *ec;
	struct gnttab *gt;

	if (!g)
		return 0; /* no event channels (unit tests) */
	grant_map_limits(d);
	if (!d->gmap_max)
		return -ENOSPC; /* not even one memslot for a grant mapping */
	ec = new_port_table(g, d, max_port);
	if (!ec)
		return -errno;
	/* The table holds a domain reference, dropped by its release hook. */
	pthread_mutex_lock(&d->hv->lock);
	d->refs++;
	pthread_mutex_unlock(&d->hv->lock);
	gt = gnttab_create(&g->gw, &(struct gnttab_params){
	                               .domid = (domid_t)d->domid,
	                               .max_maptrack = d->gmap_max,
	                               .mem = &guest_mem,
	                               .owner = d,
	                           });
	if (!gt) {
		int r = -errno;

		pthread_mutex_lock(&d->hv->lock);
		d->refs--;
		pthread_mutex_unlock(&d->hv->lock);
		evtchn_domain_destroy(ec);
		return r;
	}
	pthread_mutex_lock(&g->lock);
	d->evtchn = ec;
	d->gnttab = gt;
	pthread_mutex_unlock(&g->lock);
	return 0;
}

int evtglue_set_max_port(struct domain *d, uint32_t max_port)
{
	struct evtglue *g = glue_of(d->hv);
	struct evtchn_domain *ec, *old;
	bool started;

	if (!g || !d->evtchn)
		return -ENOSYS;
	if (max_port == 0 || max_port >= EVTCHN_2L_NR_CHANNELS)
		return -EINVAL;
	pthread_mutex_lock(&d->lock);
	started = d->started || d->dying;
	pthread_mutex_unlock(&d->lock);
	if (started)
		return -EBUSY;
	ec = new_port_table(g, d, max_port);
	if (!ec)
		return -errno;
	pthread_mutex_lock(&g->lock);
	old = d->evtchn;
	d->evtchn = ec;
	pthread_mutex_unlock(&g->lock);
	evtchn_domain_destroy(old); /* Dom0 ports bound to it become unbound */
	return 0;
}

void evtglue_domain_destroy(struct domain *d)
{
	struct evtglue *g = glue_of(d->hv);
	struct evtchn_domain *ec;
	struct gnttab *gt;

	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	ec = d->evtchn;
	gt = d->gnttab;
	d->evtchn = NULL;
	d->gnttab = NULL;
	pthread_mutex_unlock(&g->lock);
	if (ec)
		evtchn_domain_destroy(ec);
	/* Unmapped (no vCPU runs any more), then unpinned: the granters can end access. */
	physmap_unmap_grants(d);
	if (gt)
		gnttab_destroy(gt); /* its release hook drops our domain reference */
	evtglue_dom_exc(d->hv);
}

struct evtchn_domain *evtglue_port_table(struct domain *d)
{
	struct evtglue *g = glue_of(d->hv);

	return g ? grab_locked(g, d, grab_evtchn) : NULL;
}

struct gnttab *evtglue_grant_table(struct domain *d)
{
	struct evtglue *g = glue_of(d->hv);

	return g ? grab_locked(g, d, grab_gnttab) : NULL;
}

void evtglue_shared_info_moved(struct domain *d)
{
	struct evtchn_domain *ec = evtglue_port_table(d);
	struct shared_info *si;

	if (!ec)
		return;
	pthread_mutex_lock(&d->lock);
	si = d->shared_info;
	pthread_mutex_unlock(&d->lock);
	evtchn_set_shared_info(ec, si);
	evtchn_domain_put(ec);
}

void evtglue_vcpu_info_moved(struct vcpu *v)
{
	struct domain *d = v->d;
	struct evtchn_domain *ec = evtglue_port_table(d);
	struct vcpu_info *vi;

	if (!ec)
		return;
	pthread_mutex_lock(&d->lock);
	vi = v->vcpu_info_reg;
	pthread_mutex_unlock(&d->lock);
	evtchn_set_vcpu_info(ec, v->id, vi);
	evtchn_domain_put(ec);
}

bool evtglue_any_pending(struct domain *d, const evtchn_port_t *ports, unsigned int n)
{
	struct evtchn_domain *ec = evtglue_port_table(d);
	bool pending = false;
	unsigned int i;

	if (!ec)
		return false;
	for (i = 0; i < n && !pending; i++)
		pending = evtchn_port_is_pending(ec, ports[i]);
	evtchn_domain_put(ec);
	return pending;
}

void evtglue_send_virq(struct domain *d, uint32_t vcpu, uint32_t virq)
{
	struct evtchn_domain *ec = evtglue_port_table(d);

	if (!ec)
		return;
	evtchn_send_virq(ec, vcpu, virq);
	evtchn_domain_put(ec);
}

void evtglue_dom_exc(struct hv *hv)
{
	struct evtglue *g = glue_of(hv);
	struct evtchn_domain *dom0 = g ? grab_locked(g, NULL, grab_evtchn) : NULL;

	if (!dom0)
		return;
	evtchn_send_virq(dom0, 0, VIRQ_DOM_EXC);
	evtchn_domain_put(dom0);
}

int evtglue_map_grant_frame(struct domain *d, uint32_t idx, uint64_t gfn)
{
	struct gnttab *gt = evtglue_grant_table(d);
	void *page;
	int r;

	if (!gt)
		return -XEN_ENOSYS;
	page = guest_gfn_to_host(d, gfn);
	if (page) {
		r = gnttab_map_frame(gt, idx, gfn, page);
		if (r == 0)
			physmap_unmap_grant_frame(d, idx); /* it was above RAM before, if at all */
	} else {
		/* Above RAM: the table's own page is mapped there first, then the table uses it. */
		page = gnttab_own_page(gt, idx);
		r = page ? physmap_map_grant_frame(d, idx, gfn, page) : -XEN_EINVAL;
		if (r == 0)
			r = gnttab_map_frame(gt, idx, gfn, page);
	}
	gnttab_put(gt);
	return r;
}
