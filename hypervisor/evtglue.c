/*
 * shoji-hv glue for the event channel and grant table cores (see evtglue.h):
 * hypercalls, domain set-up/teardown, delivery hooks, and Dom0.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* One Dom0 port: the eventfd shoji-hv writes, and the client that bound it. */
struct dom0_port {
	int fd;          /* -1: not bound through the control socket */
	bool missed;     /* an event arrived before the fd was installed */
	uintptr_t owner; /* 0: free */
};

/* One Dom0 grant mapping. */
struct dom0_map {
	uintptr_t owner; /* 0: free */
	uint64_t cookie; /* the host_addr given to the grant core */
};

/* One client's Dom0 copy arena (see evtglue.h). */
struct evtglue_arena {
	uintptr_t owner;
	uint8_t *base;
	uint64_t size;
	struct evtglue_arena *next;
};

struct evtglue {
	struct hv *hv;
	/* Domain lookups for the cores: guards d->evtchn / d->gnttab against teardown. */
	pthread_mutex_t lock;
	struct evtchn_world ew;
	struct gnttab_world gw;

	struct evtchn_domain *dom0_ec;
	struct gnttab *dom0_gt;
	/* Dom0 port and mapping tables (a leaf lock: notify_port takes it). */
	pthread_mutex_t dom0_lock;
	struct dom0_port ports[EVTGLUE_DOM0_MAX_PORT + 1];
	struct dom0_map *maps; /* indexed by grant handle */
	size_t nr_maps;
	uint64_t next_cookie;
	/* Every client's copy arena (control loop thread only: no lock). */
	struct evtglue_arena *arenas;
};

static void arena_release(struct evtglue *g, uintptr_t owner);

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
		return grab(g, NULL);
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

/* --- Dom0 hooks. --- */

/*
 * The port's eventfd is written after dom0_lock is dropped: the write wakes
 * the Dom0 client, which often preempts us right there, and the control
 * thread's next CTRL_EVTCHN_SEND would then find dom0_lock held.  The fd
 * stays open meanwhile: every delivery runs under an event lock that
 * closing the port needs too (see evtchn.c), and dom0_close_port() closes
 * the fd only after evtchn_close() returned.
 */
static void dom0_notify_port(void *owner, evtchn_port_t port)
{
	struct evtglue *g = owner;
	uint64_t one = 1;
	int fd;

	if (port > EVTGLUE_DOM0_MAX_PORT)
		return;
	pthread_mutex_lock(&g->dom0_lock);
	fd = g->ports[port].fd;
	if (fd < 0)
		g->ports[port].missed = true; /* bound, fd not installed yet */
	pthread_mutex_unlock(&g->dom0_lock);
	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* Only EAGAIN (non-blocking, counter full): it reads as pending anyway. */
	}
}

static const struct evtchn_delivery_ops dom0_ops = {.notify_port = dom0_notify_port};

static void *dom0_gfn_to_host(void *owner, uint64_t gfn)
{
	return NULL; /* Dom0 has no guest frames */
}

static const struct gnttab_mem_ops dom0_mem = {.gfn_to_host = dom0_gfn_to_host};

int evtglue_hv_init(struct hv *hv)
{
	struct evtglue *g = calloc(1, sizeof(*g));
	unsigned int i;
	int r = -ENOMEM;

	if (!g)
		return -ENOMEM;
	g->hv = hv;
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->dom0_lock, NULL);
	for (i = 0; i <= EVTGLUE_DOM0_MAX_PORT; i++)
		g->ports[i].fd = -1;
	g->ew = (struct evtchn_world){.get_domain = world_evtchn, .opaque = g};
	g->gw = (struct gnttab_world){.get_table = world_gnttab, .opaque = g};
	g->dom0_ec = evtchn_domain_create(&g->ew, &(struct evtchn_domain_params){
	                                              .domid = 0,
	                                              .max_vcpus = 1,
	                                              .max_port = EVTGLUE_DOM0_MAX_PORT,
	                                              .privileged = true,
	                                              .ops = &dom0_ops,
	                                              .owner = g,
	                                          });
	g->dom0_gt = gnttab_create(&g->gw, &(struct gnttab_params){
	                                       .domid = 0,
	                                       .privileged = true,
	                                       .mem = &dom0_mem,
	                                       .owner = g,
	                                   });
	if (!g->dom0_ec || !g->dom0_gt) {
		r = -errno;
		goto out;
	}
	hv->evtglue = g;
	return 0;
out:
	if (g->dom0_ec)
		evtchn_domain_destroy(g->dom0_ec);
	if (g->dom0_gt)
		gnttab_destroy(g->dom0_gt);
	free(g);
	return r;
}

void evtglue_hv_fini(struct hv *hv)
{
	struct evtglue *g = glue_of(hv);
	unsigned int i;

	if (!g)
		return;
	evtchn_domain_destroy(g->dom0_ec);
	gnttab_destroy(g->dom0_gt);
	for (i = 0; i <= EVTGLUE_DOM0_MAX_PORT; i++)
		if (g->ports[i].fd >= 0)
			close(g->ports[i].fd);
	free(g->maps);
	while (g->arenas)
		arena_release(g, g->arenas->owner);
	pthread_mutex_destroy(&g->dom0_lock);
	pthread_mutex_destroy(&g->lock);
	free(g);
	hv->evtglue = NULL;
}

/* --- Guest domains. --- */

static struct evtchn_domain *new_port_table(struct evtglue *g, struct domain *d, uint32_t max)
{
	return evtchn_domain_create(&g->ew, &(struct evtchn_domain_params){
	                                        .domid = (domid_t)d->domid,
	                                        .max_vcpus = d->nr_vcpus,
	                                        .max_port = max,
	                                        .ops = &guest_ops,
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

	if (g)
		evtchn_send_virq(g->dom0_ec, 0, VIRQ_DOM_EXC);
}

int evtglue_map_grant_frame(struct domain *d, uint32_t idx, uint64_t gfn)
{
	struct gnttab *gt = evtglue_grant_table(d);
	void *page;
	int r;

	if (!gt)
		return -XEN_ENOSYS;
	page = guest_gfn_to_host(d, gfn);
	r = page ? gnttab_map_frame(gt, idx, gfn, page) : -XEN_EINVAL;
	gnttab_put(gt);
	return r;
}

/* --- Dom0. --- */

/* Is @port a Dom0 port @owner bound?  Takes dom0_lock. */
static bool owns_port(struct evtglue *g, uintptr_t owner, evtchn_port_t port)
{
	bool ok;

	if (port < 1 || port > EVTGLUE_DOM0_MAX_PORT || !owner)
		return false;
	pthread_mutex_lock(&g->dom0_lock);
	ok = g->ports[port].owner == owner;
	pthread_mutex_unlock(&g->dom0_lock);
	return ok;
}

int evtglue_dom0_bind(struct hv *hv, uintptr_t owner, unsigned int cmd, domid_t remote,
                      uint32_t remote_port, uint32_t virq, evtchn_port_t *port, int *fd)
{
	struct evtglue *g = glue_of(hv);
	uint64_t one = 1;
	evtchn_port_t p;
	int efd, cfd, r;

	if (!g || !owner)
		return -ENOSYS;
	efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -errno;
	cfd = fcntl(efd, F_DUPFD_CLOEXEC, 0); /* the client's copy */
	if (cfd < 0) {
		r = -errno;
		close(efd);
		return r;
	}
	switch (cmd) {
	case EVTCHNOP_alloc_unbound: {
		struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote};

		r = evtchn_alloc_unbound(g->dom0_ec, &op);
		p = op.port;
		break;
	}
	case EVTCHNOP_bind_interdomain: {
		struct evtchn_bind_interdomain op = {.remote_dom = remote,
		                                     .remote_port = remote_port};

		r = evtchn_bind_interdomain(g->dom0_ec, &op);
		p = op.local_port;
		break;
	}
	case EVTCHNOP_bind_virq: {
		struct evtchn_bind_virq op = {.virq = virq, .vcpu = 0};

		r = evtchn_bind_virq(g->dom0_ec, &op);
		p = op.port;
		break;
	}
	default:
		r = -EINVAL;
		break;
	}
	if (r < 0) {
		close(efd);
		close(cfd);
		return r;
	}
	/* Events that arrived before the fd existed (bind_interdomain raises one) go to it now. */
	pthread_mutex_lock(&g->dom0_lock);
	g->ports[p].fd = efd;
	g->ports[p].owner = owner;
	if (g->ports[p].missed && write(efd, &one, sizeof(one)) < 0) {
		/* Cannot fail: the counter of a new eventfd is 0. */
	}
	g->ports[p].missed = false;
	pthread_mutex_unlock(&g->dom0_lock);
	*port = p;
	*fd = cfd;
	return r;
}

int evtglue_dom0_notify(struct hv *hv, uintptr_t owner, evtchn_port_t port)
{
	struct evtglue *g = glue_of(hv);

	if (!g)
		return -ENOSYS;
	return owns_port(g, owner, port) ? evtchn_send(g->dom0_ec, port) : -ENOTCONN;
}

int evtglue_dom0_alloc_in(struct hv *hv, domid_t domid, uint32_t remote, evtchn_port_t *port)
{
	struct evtglue *g = glue_of(hv);
	struct evtchn_alloc_unbound op = {.dom = domid, .remote_dom = (domid_t)remote};
	int r;

	if (!g)
		return -ENOSYS;
	if (domid == 0 || remote >= DOMID_FIRST_RESERVED)
		return -EINVAL; /* Dom0's own ports go through evtglue_dom0_bind */
	r = evtchn_alloc_unbound(g->dom0_ec, &op);
	if (r == 0)
		*port = op.port;
	return r;
}

/* Close @port and forget its fd (the client keeps its own copy). */
static int dom0_close_port(struct evtglue *g, evtchn_port_t port)
{
	int r = evtchn_close(g->dom0_ec, port), fd;

	pthread_mutex_lock(&g->dom0_lock);
	fd = g->ports[port].fd;
	g->ports[port].fd = -1;
	g->ports[port].owner = 0;
	g->ports[port].missed = false;
	pthread_mutex_unlock(&g->dom0_lock);
	if (fd >= 0)
		close(fd);
	return r;
}

int evtglue_dom0_unbind(struct hv *hv, uintptr_t owner, evtchn_port_t port)
{
	struct evtglue *g = glue_of(hv);

	if (!g)
		return -ENOSYS;
	return owns_port(g, owner, port) ? dom0_close_port(g, port) : -ENOTCONN;
}

int evtglue_dom0_memfd(struct hv *hv, domid_t domid, int *fd, uint64_t *size)
{
	struct domain *d = hv_domain_get(hv, domid);
	int r = 0;

	if (!d)
		return -ESRCH;
	*fd = d->vm.memfd >= 0 ? fcntl(d->vm.memfd, F_DUPFD_CLOEXEC, 0) : -1;
	if (*fd < 0)
		r = -EBADF;
	*size = d->mem.size;
	domain_put(d);
	return r;
}

int evtglue_dom0_map(struct hv *hv, uintptr_t owner, domid_t domid, grant_ref_t ref, bool readonly,
                     grant_handle_t *handle, uint64_t *gfn)
{
	struct evtglue *g = glue_of(hv);
	struct gnttab_map_grant_ref op = {
	    .flags = GNTMAP_host_map | (readonly ? GNTMAP_readonly : 0), .ref = ref, .dom = domid};
	struct gnttab_mapping m;
	struct dom0_map *maps;

	if (!g || !owner)
		return GNTST_general_error;
	if (domid == 0 || domid >= DOMID_FIRST_RESERVED)
		return GNTST_bad_domain;
	pthread_mutex_lock(&g->dom0_lock);
	op.host_addr = ++g->next_cookie << GM_PAGE_SHIFT;
	pthread_mutex_unlock(&g->dom0_lock);
	gnttab_map_grant_ref(g->dom0_gt, &op, &m);
	if (op.status != GNTST_okay)
		return op.status;
	pthread_mutex_lock(&g->dom0_lock);
	if (op.handle >= g->nr_maps) {
		size_t n = (size_t)op.handle * 2 + 16;

		maps = realloc(g->maps, n * sizeof(*maps));
		if (!maps) {
			pthread_mutex_unlock(&g->dom0_lock);
			gnttab_unmap_grant_ref(g->dom0_gt,
			                       &(struct gnttab_unmap_grant_ref){
			                           .host_addr = op.host_addr, .handle = op.handle},
			                       NULL);
			return GNTST_no_space;
		}
		memset(maps + g->nr_maps, 0, (n - g->nr_maps) * sizeof(*maps));
		g->maps = maps;
		g->nr_maps = n;
	}
	g->maps[op.handle] = (struct dom0_map){.owner = owner, .cookie = op.host_addr};
	pthread_mutex_unlock(&g->dom0_lock);
	*handle = op.handle;
	*gfn = m.gfn;
	return GNTST_okay;
}

int evtglue_dom0_unmap(struct hv *hv, uintptr_t owner, grant_handle_t handle)
{
	struct evtglue *g = glue_of(hv);
	struct gnttab_unmap_grant_ref op = {.handle = handle};

	if (!g || !owner)
		return GNTST_general_error;
	pthread_mutex_lock(&g->dom0_lock);
	if (handle < g->nr_maps && g->maps[handle].owner == owner) {
		op.host_addr = g->maps[handle].cookie;
		g->maps[handle].owner = 0;
	}
	pthread_mutex_unlock(&g->dom0_lock);
	if (!op.host_addr)
		return GNTST_bad_handle;
	gnttab_unmap_grant_ref(g->dom0_gt, &op, NULL);
	return op.status;
}

/* --- Dom0 copy arenas. --- */

struct evtglue_arena *evtglue_dom0_arena(struct hv *hv, uintptr_t owner)
{
	struct evtglue *g = glue_of(hv);
	struct evtglue_arena *a;

	for (a = g ? g->arenas : NULL; a; a = a->next)
		if (a->owner == owner)
			return a;
	return NULL;
}

void *evtglue_dom0_arena_range(struct evtglue_arena *a, uint64_t off, uint64_t len)
{
	if (off > a->size || len > a->size - off)
		return NULL;
	return a->base + off;
}

/* The memfd is sealed so that nobody can shrink it under our mapping (which would fault us). */
int evtglue_dom0_arena_create(struct hv *hv, uintptr_t owner, uint64_t bytes, uint64_t max, int *fd)
{
	struct evtglue *g = glue_of(hv);
	struct evtglue_arena *a = NULL;
	void *base;
	int mfd = -1, r;

	if (!g || !owner)
		return -ENOSYS;
	if (evtglue_dom0_arena(hv, owner))
		return -EBUSY;
	if (bytes == 0 || bytes > max || bytes % GM_PAGE_SIZE)
		return -EINVAL;
	a = calloc(1, sizeof(*a));
	if (!a)
		return -ENOMEM;
	mfd = memfd_create("shoji-gnt-arena", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0 || ftruncate(mfd, (off_t)bytes) < 0 ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		r = -errno;
		goto out;
	}
	base = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
	if (base == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	*a = (struct evtglue_arena){.owner = owner, .base = base, .size = bytes, .next = g->arenas};
	g->arenas = a;
	*fd = mfd;
	return 0;
out:
	if (mfd >= 0)
		close(mfd);
	free(a);
	return r;
}

static void arena_release(struct evtglue *g, uintptr_t owner)
{
	struct evtglue_arena **pp = &g->arenas, *a;

	while ((a = *pp) != NULL && a->owner != owner)
		pp = &a->next;
	if (!a)
		return;
	*pp = a->next;
	munmap(a->base, a->size);
	free(a);
}

void evtglue_dom0_unpin(struct hv *hv, struct evtglue_pin *pin)
{
	struct evtglue *g = glue_of(hv);

	if (!g || !pin->held)
		return;
	gnttab_unmap_grant_ref(
	    g->dom0_gt,
	    &(struct gnttab_unmap_grant_ref){.host_addr = pin->cookie, .handle = pin->handle},
	    NULL);
	pin->held = false;
}

/* Have (domid, ref) pinned in @pin by the grant core, for writing if @write.  GNTST_*. */
static int arena_pin(struct evtglue *g, struct evtglue_pin *pin, domid_t domid, grant_ref_t ref,
                     bool write)
{
	struct gnttab_map_grant_ref op = {
	    .flags = GNTMAP_host_map | (write ? 0 : GNTMAP_readonly), .ref = ref, .dom = domid};
	struct gnttab_mapping m;

	if (pin->held && pin->domid == domid && pin->ref == ref && (pin->writable || !write))
		return GNTST_okay;
	evtglue_dom0_unpin(g->hv, pin);
	pthread_mutex_lock(&g->dom0_lock);
	op.host_addr = ++g->next_cookie << GM_PAGE_SHIFT;
	pthread_mutex_unlock(&g->dom0_lock);
	gnttab_map_grant_ref(g->dom0_gt, &op, &m);
	if (op.status != GNTST_okay)
		return op.status;
	*pin = (struct evtglue_pin){.held = true,
	                            .writable = write,
	                            .domid = domid,
	                            .ref = ref,
	                            .handle = op.handle,
	                            .cookie = op.host_addr,
	                            .page = m.page};
	return GNTST_okay;
}

int evtglue_dom0_arena_copy(struct hv *hv, struct evtglue_arena *a, struct evtglue_pin *pin,
                            const struct evtglue_copy *c)
{
	struct evtglue *g = glue_of(hv);
	uint8_t *local;
	int st;

	if (!g)
		return GNTST_general_error;
	local = evtglue_dom0_arena_range(a, c->arena_off, c->len);
	if (!local)
		return GNTST_bad_virt_addr;
	if (c->domid == 0 || c->domid >= DOMID_FIRST_RESERVED)
		return GNTST_bad_domain;
	st = arena_pin(g, pin, c->domid, c->ref, c->to_guest);
	if (st != GNTST_okay)
		return st;
	if ((uint32_t)c->offset + c->len > GM_PAGE_SIZE)
		return GNTST_bad_copy_arg;
	if (c->to_guest)
		memcpy(pin->page + c->offset, local, c->len);
	else
		memcpy(local, pin->page + c->offset, c->len);
	return GNTST_okay;
}

int evtglue_dom0_foreign_check(struct hv *hv, domid_t domid, uint64_t gfn, uint64_t n)
{
	struct domain *d = hv_domain_get(hv, domid);
	uint64_t pages;
	int r = 0;

	if (!d)
		return -ESRCH;
	pages = d->mem.size >> GM_PAGE_SHIFT;
	if (n == 0 || gfn >= pages || n > pages - gfn)
		r = -EINVAL;
	domain_put(d);
	return r;
}

void evtglue_dom0_release(struct hv *hv, uintptr_t owner)
{
	struct evtglue *g = glue_of(hv);
	evtchn_port_t p;
	size_t h;

	if (!g || !owner)
		return;
	arena_release(g, owner);
	for (p = 1; p <= EVTGLUE_DOM0_MAX_PORT; p++)
		if (owns_port(g, owner, p))
			dom0_close_port(g, p);
	for (h = 0;; h++) {
		struct gnttab_unmap_grant_ref op = {.handle = (grant_handle_t)h};

		pthread_mutex_lock(&g->dom0_lock);
		if (h >= g->nr_maps) {
			pthread_mutex_unlock(&g->dom0_lock);
			break;
		}
		if (g->maps[h].owner == owner) {
			op.host_addr = g->maps[h].cookie;
			g->maps[h].owner = 0;
		}
		pthread_mutex_unlock(&g->dom0_lock);
		if (op.host_addr)
			gnttab_unmap_grant_ref(g->dom0_gt, &op, NULL);
	}
}
