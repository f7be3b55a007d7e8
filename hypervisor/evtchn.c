/*
 * Event channels: the port table and the operations on it, whatever the
 * event ABI.  See evtchn.h for the interface, evtchn_abi.h for how the two
 * ABIs (evtchn_2l.c, evtchn_fifo.c) plug in, and docs/event-channels.md
 * for the port state machine and the lock order.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "evtchn_abi.h"

/* Ports become valid in buckets, as in Xen (64 ports per bucket on x86-64). */
#define EVTCHN_BUCKET 64u

static bool port_is_valid(struct evtchn_domain *d, evtchn_port_t port)
{
	return evtchn_port_valid(d, port);
}

static bool virq_is_global(uint32_t virq)
{
	return virq != VIRQ_TIMER && virq != VIRQ_DEBUG && virq != VIRQ_XENOPROF &&
	       virq != VIRQ_XENPMU;
}

static evtchn_port_t *virq_slot(struct evtchn_domain *d, uint32_t vcpu, uint32_t virq)
{
	return &d->virq_to_port[(size_t)vcpu * NR_VIRQS + virq];
}

/*
 * The lock order: lower domid first.  A destroyed domain's struct can
 * outlive it while its domid is reused, so equal domids go by address.
 */
static bool locks_before(const struct evtchn_domain *a, const struct evtchn_domain *b)
{
	if (a->domid != b->domid)
		return a->domid < b->domid;
	return (uintptr_t)a < (uintptr_t)b;
}

/* Two event locks in order; @a == @b takes one. */
static void lock_pair(struct evtchn_domain *a, struct evtchn_domain *b)
{
	if (a == b) {
		pthread_mutex_lock(&a->lock);
	} else if (locks_before(a, b)) {
		pthread_mutex_lock(&a->lock);
		pthread_mutex_lock(&b->lock);
	} else {
		pthread_mutex_lock(&b->lock);
		pthread_mutex_lock(&a->lock);
	}
}

static void unlock_pair(struct evtchn_domain *a, struct evtchn_domain *b)
{
	if (a != b)
		pthread_mutex_unlock(&b->lock);
	pthread_mutex_unlock(&a->lock);
}

/* @domid (DOMID_SELF = @cur) with a reference, or NULL. */
static struct evtchn_domain *lookup(struct evtchn_domain *cur, domid_t domid)
{
	if (domid == DOMID_SELF || domid == cur->domid) {
		evtchn_domain_get(cur);
		return cur;
	}
	if (!cur->world.get_domain)
		return NULL;
	return cur->world.get_domain(cur->world.opaque, domid);
}

/* May @cur operate on @d (Xen's XSM_TARGET default: itself, or privileged)? */
static bool may_target(const struct evtchn_domain *cur, const struct evtchn_domain *d)
{
	return cur == d || cur->privileged;
}

/* --- Delivery (delivery lock held) --- */

struct vcpu_info *evtchn_vcpu_info(struct evtchn_domain *d, uint32_t vcpu)
{
	if (vcpu >= d->max_vcpus)
		return NULL;
	if (d->vi[vcpu])
		return d->vi[vcpu];
	if (d->si && vcpu < XEN_LEGACY_MAX_VCPUS)
		return &d->si->vcpu_info[vcpu];
	return NULL;
}

static void mark_events_pending(struct evtchn_domain *d, uint32_t vcpu, struct vcpu_info *vi)
{
	uint8_t old = __atomic_fetch_or(&vi->evtchn_upcall_pending, 1, __ATOMIC_SEQ_CST);

	if (!(old & 1) && d->ops->kick_vcpu)
		d->ops->kick_vcpu(d->owner, vcpu);
}

void evtchn_raise_upcall(struct evtchn_domain *d, uint32_t vcpu)
{
	struct vcpu_info *vi = evtchn_vcpu_info(d, vcpu);

	if (vi)
		mark_events_pending(d, vcpu, vi);
}

/* Raise @port of @d for @vcpu: Dom0's notify hook, else the domain's event ABI. */
static void set_pending(struct evtchn_domain *d, evtchn_port_t port, uint32_t vcpu)
{
	if (d->ops->notify_port) {
		d->ops->notify_port(d->owner, port);
		return;
	}
	d->abi->set_pending(d, port, vcpu);
}

/* Make @port of @d pending for its notify vCPU (takes the delivery lock). */
static void deliver(struct evtchn_domain *d, evtchn_port_t port)
{
	uint32_t vcpu = evtchn_notify_vcpu(&d->ports[port]);

	pthread_mutex_lock(&d->deliver);
	set_pending(d, port, vcpu);
	pthread_mutex_unlock(&d->deliver);
}

static void clear_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	pthread_mutex_lock(&d->deliver);
	d->abi->clear_pending(d, port);
	pthread_mutex_unlock(&d->deliver);
}

/* --- Port table (event lock held) --- */

/* May @port be handed out: below the domain's limit and the ABI's? */
static bool port_in_limits(struct evtchn_domain *d, uint32_t port)
{
	return port <= d->max_port && port < d->abi->nr_channels;
}

/* Is @port free for a new binding (not still queued by the FIFO ABI)? */
static bool port_is_free(struct evtchn_domain *d, uint32_t port)
{
	return d->ports[port].state == ECS_FREE && !(d->abi->is_busy && d->abi->is_busy(d, port));
}

/*
 * A free port (not yet claimed), or -XEN_ENOSPC / -XEN_EINVAL (dying), as
 * Xen's get_free_port: a free port still linked on a FIFO queue waits.
 */
static int get_free_port(struct evtchn_domain *d)
{
	uint32_t n = d->nr_valid;
	uint32_t port;

	if (d->dying)
		return -XEN_EINVAL;
	for (port = 0; port < n; port++) {
		if (!port_in_limits(d, port))
			return -XEN_ENOSPC;
		if (port_is_free(d, port))
			return (int)port;
	}
	if (!port_in_limits(d, port))
		return -XEN_ENOSPC;
	__atomic_store_n(&d->nr_valid, n + EVTCHN_BUCKET, __ATOMIC_RELEASE);
	return (int)port;
}

static void free_port(struct evtchn_domain *d, evtchn_port_t port)
{
	struct evtchn_port *c = &d->ports[port];

	clear_pending(d, port);
	c->state = ECS_FREE;
	__atomic_store_n(&c->notify_vcpu, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&c->priority, EVTCHN_FIFO_PRIORITY_DEFAULT, __ATOMIC_RELAXED);
	c->virq = 0;
	c->remote = NULL;
	c->remote_domid = 0;
	c->remote_port = 0;
}

static void unbind_virq(struct evtchn_domain *d, evtchn_port_t port, uint32_t virq)
{
	uint32_t v;

	for (v = 0; v < d->max_vcpus; v++)
		if (*virq_slot(d, v, virq) == port)
			*virq_slot(d, v, virq) = 0;
}

/*
 * Close @port1 of @d1 (Xen's evtchn_close): the peer of an interdomain
 * channel goes back to unbound, reserved for @d1.  Both event locks are
 * taken in domid order; when d1 sorts after its peer, d1 is unlocked and
 * both are retaken, and the binding is checked again.
 */
static int close_port(struct evtchn_domain *d1, evtchn_port_t port1)
{
	struct evtchn_domain *d2 = NULL;
	struct evtchn_port *c1, *c2;
	int rc = 0;

again:
	pthread_mutex_lock(&d1->lock);
	if (!port_is_valid(d1, port1)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	c1 = &d1->ports[port1];
	switch (c1->state) {
	case ECS_FREE:
	case ECS_RESERVED:
		rc = -XEN_EINVAL;
		goto out;
	case ECS_UNBOUND:
	case ECS_IPI:
		break;
	case ECS_VIRQ:
		unbind_virq(d1, port1, c1->virq);
		break;
	case ECS_INTERDOMAIN:
		if (!d2) {
			d2 = c1->remote;
			evtchn_domain_get(d2);
			if (d2 != d1) {
				if (locks_before(d1, d2)) {
					pthread_mutex_lock(&d2->lock);
				} else {
					pthread_mutex_unlock(&d1->lock);
					pthread_mutex_lock(&d2->lock);
					goto again;
				}
			}
		} else if (d2 != c1->remote) {
			/* Closed and rebound while unlocked: it was closed, say so. */
			rc = -XEN_EINVAL;
			goto out;
		}
		c2 = &d2->ports[c1->remote_port];
		c2->state = ECS_UNBOUND;
		c2->remote = NULL;
		c2->remote_domid = d1->domid;
		c2->remote_port = 0;
		break;
	default:
		rc = -XEN_EINVAL;
		goto out;
	}
	free_port(d1, port1);
out:
	if (d2 && d2 != d1)
		pthread_mutex_unlock(&d2->lock);
	pthread_mutex_unlock(&d1->lock);
	if (d2)
		evtchn_domain_put(d2);
	return rc;
}

/* --- Domains --- */

struct evtchn_domain *evtchn_domain_create(const struct evtchn_world *world,
                                           const struct evtchn_domain_params *p)
{
	struct evtchn_domain *d = NULL;
	uint32_t max_port = p->max_port ? p->max_port : EVTCHN_DEFAULT_MAX_PORT;
	size_t nports, i;

	if (!p->ops || !p->max_vcpus || max_port > EVTCHN_MAX_PORT ||
	    p->domid >= DOMID_FIRST_RESERVED) {
		errno = EINVAL;
		return NULL;
	}
	nports = (max_port + EVTCHN_BUCKET) / EVTCHN_BUCKET * EVTCHN_BUCKET;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->ports = calloc(nports, sizeof(*d->ports));
	d->vi = calloc(p->max_vcpus, sizeof(*d->vi));
	d->virq_to_port = calloc((size_t)p->max_vcpus * NR_VIRQS, sizeof(*d->virq_to_port));
	if (!d->ports || !d->vi || !d->virq_to_port)
		goto fail;
	pthread_mutex_init(&d->lock, NULL);
	pthread_mutex_init(&d->deliver, NULL);
	d->refs = 1;
	if (world)
		d->world = *world;
	d->domid = p->domid;
	d->privileged = p->privileged;
	d->max_vcpus = p->max_vcpus;
	d->max_port = max_port;
	d->nr_valid = EVTCHN_BUCKET;
	d->ops = p->ops;
	d->mem = p->mem;
	d->owner = p->owner;
	d->abi = &evtchn_2l_abi;
	for (i = 0; i < nports; i++)
		d->ports[i].priority = EVTCHN_FIFO_PRIORITY_DEFAULT;
	d->ports[0].state = ECS_RESERVED;
	return d;
fail:
	free(d->ports);
	free(d->vi);
	free(d->virq_to_port);
	free(d);
	errno = ENOMEM;
	return NULL;
}

void evtchn_domain_get(struct evtchn_domain *d)
{
	__atomic_fetch_add(&d->refs, 1, __ATOMIC_RELAXED);
}

void evtchn_domain_put(struct evtchn_domain *d)
{
	if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	pthread_mutex_destroy(&d->lock);
	pthread_mutex_destroy(&d->deliver);
	evtchn_fifo_free(d);
	free(d->ports);
	free(d->vi);
	free(d->virq_to_port);
	free(d);
}

void evtchn_domain_destroy(struct evtchn_domain *d)
{
	uint32_t port, n;

	pthread_mutex_lock(&d->lock);
	d->dying = true;
	n = d->nr_valid;
	pthread_mutex_unlock(&d->lock);
	/* No port of d can be allocated any more; bindings only disappear. */
	for (port = 1; port < n; port++)
		close_port(d, port);
	pthread_mutex_lock(&d->lock);
	pthread_mutex_lock(&d->deliver);
	evtchn_fifo_teardown(d);
	__atomic_store_n(&d->si, NULL, __ATOMIC_RELEASE);
	memset(d->vi, 0, d->max_vcpus * sizeof(*d->vi));
	pthread_mutex_unlock(&d->deliver);
	pthread_mutex_unlock(&d->lock);
	evtchn_domain_put(d);
}

domid_t evtchn_domain_id(const struct evtchn_domain *d)
{
	return d->domid;
}

void *evtchn_domain_owner(const struct evtchn_domain *d)
{
	return d->owner;
}

void evtchn_set_shared_info(struct evtchn_domain *d, struct shared_info *si)
{
	struct shared_info *old;

	pthread_mutex_lock(&d->deliver);
	old = d->si;
	__atomic_store_n(&d->si, si, __ATOMIC_RELEASE);
	if (!d->ops->notify_port)
		d->abi->shared_info_moved(d, old);
	pthread_mutex_unlock(&d->deliver);
}

int evtchn_set_vcpu_info(struct evtchn_domain *d, uint32_t vcpu, struct vcpu_info *vi)
{
	struct vcpu_info *now;

	if (vcpu >= d->max_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&d->deliver);
	d->vi[vcpu] = vi;
	now = evtchn_vcpu_info(d, vcpu);
	if (now && !d->ops->notify_port) {
		/* A spurious upcall is harmless; a lost one is not. */
		__atomic_store_n(&now->evtchn_pending_sel, ~0UL, __ATOMIC_SEQ_CST);
		mark_events_pending(d, vcpu, now);
	}
	pthread_mutex_unlock(&d->deliver);
	return 0;
}

/* --- Save and restore --- */

uint32_t evtchn_max_port(const struct evtchn_domain *d)
{
	return d->max_port;
}

/* The 2-level mask bit of @port (delivery lock held). */
static bool l2_masked(struct evtchn_domain *d, evtchn_port_t port)
{
	const unsigned int bits = sizeof(xen_ulong_t) * 8;

	return d->si && port < EVTCHN_2L_NR_CHANNELS &&
	       (__atomic_load_n(&d->si->evtchn_mask[port / bits], __ATOMIC_SEQ_CST) &
	        ((xen_ulong_t)1 << (port % bits)));
}

static void l2_set_mask(struct evtchn_domain *d, evtchn_port_t port, bool masked)
{
	const unsigned int bits = sizeof(xen_ulong_t) * 8;
	xen_ulong_t bit = (xen_ulong_t)1 << (port % bits);

	if (!d->si || port >= EVTCHN_2L_NR_CHANNELS)
		return;
	if (masked)
		__atomic_fetch_or(&d->si->evtchn_mask[port / bits], bit, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&d->si->evtchn_mask[port / bits], ~bit, __ATOMIC_SEQ_CST);
}

static const uint32_t state_to_stat[] = {
    [ECS_UNBOUND] = EVTCHNSTAT_unbound,
    [ECS_INTERDOMAIN] = EVTCHNSTAT_interdomain,
    [ECS_VIRQ] = EVTCHNSTAT_virq,
    [ECS_IPI] = EVTCHNSTAT_ipi,
};

int evtchn_export(struct evtchn_domain *d, struct evtchn_port_image *out, uint32_t max)
{
	uint32_t port, n = 0;
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	pthread_mutex_lock(&d->deliver);
	if (d->abi != &evtchn_2l_abi) {
		rc = -XEN_EOPNOTSUPP;
		goto out;
	}
	for (port = 1; port < d->nr_valid; port++) {
		const struct evtchn_port *c = &d->ports[port];
		struct evtchn_port_image *p;

		if (c->state == ECS_FREE || c->state == ECS_RESERVED)
			continue;
		if (n == max) {
			rc = -XEN_ENOSPC;
			goto out;
		}
		p = &out[n++];
		memset(p, 0, sizeof(*p));
		p->port = port;
		p->state = state_to_stat[c->state];
		p->vcpu = evtchn_notify_vcpu(c);
		p->virq = c->virq;
		p->remote_domid = c->remote_domid;
		p->remote_port = c->state == ECS_INTERDOMAIN ? c->remote_port : 0;
		p->pending = d->abi->is_pending(d, port);
		p->masked = l2_masked(d, port);
	}
	rc = (int)n;
out:
	pthread_mutex_unlock(&d->deliver);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* Is image @p's content sane for @d, whatever the port table holds?  (Hostile input.) */
static bool image_ok(const struct evtchn_domain *d, const struct evtchn_port_image *p)
{
	if (p->port == 0 || p->port > d->max_port || p->port >= d->abi->nr_channels)
		return false;
	if (p->vcpu >= d->max_vcpus || p->pending > 1 || p->masked > 1)
		return false;
	switch (p->state) {
	case EVTCHNSTAT_unbound:
		return p->remote_domid < DOMID_FIRST_RESERVED;
	case EVTCHNSTAT_interdomain:
		return p->remote_domid < DOMID_FIRST_RESERVED && p->remote_port <= EVTCHN_MAX_PORT;
	case EVTCHNSTAT_virq:
		return p->virq < NR_VIRQS && (!virq_is_global(p->virq) || p->vcpu == 0);
	case EVTCHNSTAT_ipi:
		return true;
	default:
		return false;
	}
}

/*
 * Bind @c (port @port of @d) to the peer's port that waits for @d, if
 * there is one; else leave it unbound, reserved for the peer.  Event lock
 * of @d held (released and retaken for the pair).
 */
static void import_interdomain(struct evtchn_domain *d, evtchn_port_t port,
                               const struct evtchn_port_image *p)
{
	struct evtchn_domain *rd = lookup(d, (domid_t)p->remote_domid);
	struct evtchn_port *c = &d->ports[port], *rc;

	c->state = ECS_UNBOUND;
	c->remote_domid = (domid_t)p->remote_domid;
	if (!rd)
		return;
	if (rd != d) {
		pthread_mutex_unlock(&d->lock);
		lock_pair(d, rd);
	}
	if (c->state == ECS_UNBOUND && c->remote_domid == rd->domid &&
	    port_is_valid(rd, p->remote_port) && (rd != d || p->remote_port != port)) {
		rc = &rd->ports[p->remote_port];
		if (rc->state == ECS_UNBOUND && rc->remote_domid == d->domid) {
			c->state = ECS_INTERDOMAIN;
			c->remote = rd;
			c->remote_port = p->remote_port;
			rc->state = ECS_INTERDOMAIN;
			rc->remote = d;
			rc->remote_domid = d->domid;
			rc->remote_port = port;
		}
	}
	if (rd != d)
		pthread_mutex_unlock(&rd->lock);
	evtchn_domain_put(rd);
}

int evtchn_import_port(struct evtchn_domain *d, const struct evtchn_port_image *p)
{
	struct evtchn_port *c;
	uint32_t want;
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	if (d->abi != &evtchn_2l_abi || !image_ok(d, p)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	want = (p->port / EVTCHN_BUCKET + 1) * EVTCHN_BUCKET;
	if (want > d->nr_valid)
		__atomic_store_n(&d->nr_valid, want, __ATOMIC_RELEASE);
	c = &d->ports[p->port];
	if (c->state != ECS_FREE ||
	    (p->state == EVTCHNSTAT_virq && *virq_slot(d, p->vcpu, p->virq) != 0)) {
		rc = -XEN_EEXIST;
		goto out;
	}
	__atomic_store_n(&c->notify_vcpu, p->vcpu, __ATOMIC_RELAXED);
	switch (p->state) {
	case EVTCHNSTAT_unbound:
		c->state = ECS_UNBOUND;
		c->remote_domid = (domid_t)p->remote_domid;
		break;
	case EVTCHNSTAT_interdomain:
		import_interdomain(d, p->port, p);
		break;
	case EVTCHNSTAT_virq:
		c->state = ECS_VIRQ;
		c->virq = p->virq;
		*virq_slot(d, p->vcpu, p->virq) = p->port;
		break;
	default:
		c->state = ECS_IPI;
		break;
	}
	pthread_mutex_lock(&d->deliver);
	l2_set_mask(d, p->port, p->masked);
	if (p->pending)
		set_pending(d, p->port, p->vcpu);
	pthread_mutex_unlock(&d->deliver);
out:
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* --- Sub-operations --- */

int evtchn_alloc_unbound(struct evtchn_domain *cur, struct evtchn_alloc_unbound *op)
{
	struct evtchn_domain *d;
	struct evtchn_port *c;
	int port, rc = 0;

	d = lookup(cur, op->dom);
	if (!d)
		return -XEN_ESRCH;
	pthread_mutex_lock(&d->lock);
	port = get_free_port(d);
	if (port < 0) {
		rc = port;
		goto out;
	}
	if (!may_target(cur, d)) {
		rc = -XEN_EPERM;
		goto out;
	}
	c = &d->ports[port];
	c->state = ECS_UNBOUND;
	c->remote_domid = op->remote_dom == DOMID_SELF ? cur->domid : op->remote_dom;
	op->port = (evtchn_port_t)port;
out:
	pthread_mutex_unlock(&d->lock);
	evtchn_domain_put(d);
	return rc;
}

int evtchn_bind_interdomain(struct evtchn_domain *cur, struct evtchn_bind_interdomain *op)
{
	struct evtchn_domain *rd;
	struct evtchn_port *lc, *rc_;
	evtchn_port_t rport = op->remote_port;
	int lport, rc = 0;

	rd = lookup(cur, op->remote_dom);
	if (!rd)
		return -XEN_ESRCH;
	lock_pair(cur, rd);
	lport = get_free_port(cur);
	if (lport < 0) {
		rc = lport;
		goto out;
	}
	if (!port_is_valid(rd, rport)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	rc_ = &rd->ports[rport];
	if (rc_->state != ECS_UNBOUND || rc_->remote_domid != cur->domid) {
		rc = -XEN_EINVAL;
		goto out;
	}
	lc = &cur->ports[lport];
	lc->state = ECS_INTERDOMAIN;
	lc->remote = rd;
	lc->remote_domid = rd->domid;
	lc->remote_port = rport;
	rc_->state = ECS_INTERDOMAIN;
	rc_->remote = cur;
	rc_->remote_domid = cur->domid;
	rc_->remote_port = (evtchn_port_t)lport;
	/* Events sent to the unbound port were dropped: flag one, as Xen does. */
	deliver(cur, (evtchn_port_t)lport);
	op->local_port = (evtchn_port_t)lport;
out:
	unlock_pair(cur, rd);
	evtchn_domain_put(rd);
	return rc;
}

int evtchn_bind_virq(struct evtchn_domain *cur, struct evtchn_bind_virq *op)
{
	uint32_t virq = op->virq, vcpu = op->vcpu;
	struct evtchn_port *c;
	int port, rc = 0;

	if (virq >= NR_VIRQS)
		return -XEN_EINVAL;
	if (virq_is_global(virq) && vcpu != 0)
		return -XEN_EINVAL;
	if (vcpu >= cur->max_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&cur->lock);
	if (*virq_slot(cur, vcpu, virq) != 0) {
		rc = -XEN_EEXIST;
		goto out;
	}
	port = get_free_port(cur);
	if (port < 0) {
		rc = port;
		goto out;
	}
	c = &cur->ports[port];
	c->state = ECS_VIRQ;
	c->virq = virq;
	__atomic_store_n(&c->notify_vcpu, vcpu, __ATOMIC_RELAXED);
	*virq_slot(cur, vcpu, virq) = (evtchn_port_t)port;
	op->port = (evtchn_port_t)port;
out:
	pthread_mutex_unlock(&cur->lock);
	return rc;
}

int evtchn_bind_ipi(struct evtchn_domain *cur, struct evtchn_bind_ipi *op)
{
	struct evtchn_port *c;
	int port, rc = 0;

	if (op->vcpu >= cur->max_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&cur->lock);
	port = get_free_port(cur);
	if (port < 0) {
		rc = port;
		goto out;
	}
	c = &cur->ports[port];
	c->state = ECS_IPI;
	__atomic_store_n(&c->notify_vcpu, op->vcpu, __ATOMIC_RELAXED);
	op->port = (evtchn_port_t)port;
out:
	pthread_mutex_unlock(&cur->lock);
	return rc;
}

int evtchn_bind_vcpu(struct evtchn_domain *cur, const struct evtchn_bind_vcpu *op)
{
	struct evtchn_port *c;
	int rc = 0;

	if (op->vcpu >= cur->max_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&cur->lock);
	if (!port_is_valid(cur, op->port)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	c = &cur->ports[op->port];
	switch (c->state) {
	case ECS_VIRQ:
		if (!virq_is_global(c->virq)) {
			rc = -XEN_EINVAL;
			break;
		}
		__atomic_store_n(&c->notify_vcpu, op->vcpu, __ATOMIC_RELAXED);
		break;
	case ECS_UNBOUND:
	case ECS_INTERDOMAIN:
		__atomic_store_n(&c->notify_vcpu, op->vcpu, __ATOMIC_RELAXED);
		break;
	default:
		rc = -XEN_EINVAL;
		break;
	}
out:
	pthread_mutex_unlock(&cur->lock);
	return rc;
}

int evtchn_close(struct evtchn_domain *cur, evtchn_port_t port)
{
	return close_port(cur, port);
}

int evtchn_send(struct evtchn_domain *cur, evtchn_port_t port)
{
	struct evtchn_port *c;
	int rc = 0;

	pthread_mutex_lock(&cur->lock);
	if (!port_is_valid(cur, port)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	c = &cur->ports[port];
	switch (c->state) {
	case ECS_INTERDOMAIN:
		/* The peer cannot unbind without our event lock: c->remote is live. */
		deliver(c->remote, c->remote_port);
		break;
	case ECS_IPI:
		deliver(cur, port);
		break;
	case ECS_UNBOUND:
		break; /* dropped silently, as in Xen */
	default:
		rc = -XEN_EINVAL;
		break;
	}
out:
	pthread_mutex_unlock(&cur->lock);
	return rc;
}

int evtchn_status(struct evtchn_domain *cur, struct evtchn_status *op)
{
	struct evtchn_domain *d;
	struct evtchn_port *c;
	int rc = 0;

	d = lookup(cur, op->dom);
	if (!d)
		return -XEN_ESRCH;
	pthread_mutex_lock(&d->lock);
	if (!port_is_valid(d, op->port)) {
		rc = -XEN_EINVAL;
		goto out;
	}
	if (!may_target(cur, d)) {
		rc = -XEN_EPERM;
		goto out;
	}
	c = &d->ports[op->port];
	memset(&op->u, 0, sizeof(op->u));
	switch (c->state) {
	case ECS_UNBOUND:
		op->status = EVTCHNSTAT_unbound;
		op->u.unbound.dom = c->remote_domid;
		break;
	case ECS_INTERDOMAIN:
		op->status = EVTCHNSTAT_interdomain;
		op->u.interdomain.dom = c->remote_domid;
		op->u.interdomain.port = c->remote_port;
		break;
	case ECS_VIRQ:
		op->status = EVTCHNSTAT_virq;
		op->u.virq = c->virq;
		break;
	case ECS_IPI:
		op->status = EVTCHNSTAT_ipi;
		break;
	default:
		op->status = EVTCHNSTAT_closed;
		break;
	}
	op->vcpu = __atomic_load_n(&c->notify_vcpu, __ATOMIC_RELAXED);
out:
	pthread_mutex_unlock(&d->lock);
	evtchn_domain_put(d);
	return rc;
}

int evtchn_unmask(struct evtchn_domain *cur, evtchn_port_t port)
{
	if (!port_is_valid(cur, port))
		return -XEN_EINVAL;
	pthread_mutex_lock(&cur->deliver);
	if (!cur->ops->notify_port)
		cur->abi->unmask(cur, port);
	pthread_mutex_unlock(&cur->deliver);
	return 0;
}

int evtchn_set_priority(struct evtchn_domain *cur, const struct evtchn_set_priority *op)
{
	int rc;

	pthread_mutex_lock(&cur->lock);
	if (!port_is_valid(cur, op->port))
		rc = -XEN_EINVAL;
	else if (!cur->abi->set_priority)
		rc = -XEN_ENOSYS;
	else
		rc = cur->abi->set_priority(cur, op->port, op->priority);
	pthread_mutex_unlock(&cur->lock);
	return rc;
}

int evtchn_reset(struct evtchn_domain *cur, domid_t dom)
{
	struct evtchn_domain *d;
	uint32_t port, n;

	d = lookup(cur, dom);
	if (!d)
		return -XEN_ESRCH;
	if (!may_target(cur, d)) {
		evtchn_domain_put(d);
		return -XEN_EPERM;
	}
	n = __atomic_load_n(&d->nr_valid, __ATOMIC_ACQUIRE);
	for (port = 1; port < n; port++)
		close_port(d, port);
	/* Xen: "switching back to 2-level ABI". */
	pthread_mutex_lock(&d->lock);
	pthread_mutex_lock(&d->deliver);
	evtchn_fifo_teardown(d);
	pthread_mutex_unlock(&d->deliver);
	pthread_mutex_unlock(&d->lock);
	evtchn_domain_put(d);
	return 0;
}

int evtchn_send_virq(struct evtchn_domain *d, uint32_t vcpu, uint32_t virq)
{
	evtchn_port_t port;
	int rc = 0;

	if (virq >= NR_VIRQS || vcpu >= d->max_vcpus)
		return -XEN_EINVAL;
	if (virq_is_global(virq))
		vcpu = 0;
	pthread_mutex_lock(&d->lock);
	port = *virq_slot(d, vcpu, virq);
	if (port == 0)
		rc = -XEN_ENOENT;
	else
		deliver(d, port);
	pthread_mutex_unlock(&d->lock);
	return rc;
}

bool evtchn_port_is_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	const struct evtchn_abi *abi = __atomic_load_n(&d->abi, __ATOMIC_ACQUIRE);

	if (!port_is_valid(d, port) || d->ops->notify_port)
		return false;
	return abi->is_pending(d, port);
}

/* --- The hypercall: one table entry per EVTCHNOP_* --- */

union evtchn_op_arg {
	struct evtchn_bind_interdomain bind_interdomain;
	struct evtchn_bind_virq bind_virq;
	struct evtchn_close close;
	struct evtchn_send send;
	struct evtchn_status status;
	struct evtchn_alloc_unbound alloc_unbound;
	struct evtchn_bind_ipi bind_ipi;
	struct evtchn_bind_vcpu bind_vcpu;
	struct evtchn_unmask unmask;
	struct evtchn_reset reset;
	struct evtchn_init_control init_control;
	struct evtchn_expand_array expand_array;
	struct evtchn_set_priority set_priority;
};

static int op_bind_interdomain(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_bind_interdomain(cur, &a->bind_interdomain);
}

static int op_bind_virq(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_bind_virq(cur, &a->bind_virq);
}

static int op_close(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_close(cur, a->close.port);
}

static int op_send(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_send(cur, a->send.port);
}

static int op_status(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_status(cur, &a->status);
}

static int op_alloc_unbound(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_alloc_unbound(cur, &a->alloc_unbound);
}

static int op_bind_ipi(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_bind_ipi(cur, &a->bind_ipi);
}

static int op_bind_vcpu(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_bind_vcpu(cur, &a->bind_vcpu);
}

static int op_unmask(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_unmask(cur, a->unmask.port);
}

static int op_reset(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_reset(cur, a->reset.dom);
}

static int op_init_control(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_init_control(cur, &a->init_control);
}

static int op_expand_array(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_expand_array(cur, &a->expand_array);
}

static int op_set_priority(struct evtchn_domain *cur, union evtchn_op_arg *a)
{
	return evtchn_set_priority(cur, &a->set_priority);
}

struct evtchn_op_desc {
	size_t size;
	bool copy_back; /* results are copied back on success */
	int (*fn)(struct evtchn_domain *cur, union evtchn_op_arg *a);
};

static const struct evtchn_op_desc evtchn_op_table[] = {
    [EVTCHNOP_bind_interdomain] = {sizeof(struct evtchn_bind_interdomain), true,
                                   op_bind_interdomain},
    [EVTCHNOP_bind_virq] = {sizeof(struct evtchn_bind_virq), true, op_bind_virq},
    [EVTCHNOP_close] = {sizeof(struct evtchn_close), false, op_close},
    [EVTCHNOP_send] = {sizeof(struct evtchn_send), false, op_send},
    [EVTCHNOP_status] = {sizeof(struct evtchn_status), true, op_status},
    [EVTCHNOP_alloc_unbound] = {sizeof(struct evtchn_alloc_unbound), true, op_alloc_unbound},
    [EVTCHNOP_bind_ipi] = {sizeof(struct evtchn_bind_ipi), true, op_bind_ipi},
    [EVTCHNOP_bind_vcpu] = {sizeof(struct evtchn_bind_vcpu), false, op_bind_vcpu},
    [EVTCHNOP_unmask] = {sizeof(struct evtchn_unmask), false, op_unmask},
    [EVTCHNOP_reset] = {sizeof(struct evtchn_reset), false, op_reset},
    [EVTCHNOP_init_control] = {sizeof(struct evtchn_init_control), true, op_init_control},
    [EVTCHNOP_expand_array] = {sizeof(struct evtchn_expand_array), false, op_expand_array},
    [EVTCHNOP_set_priority] = {sizeof(struct evtchn_set_priority), false, op_set_priority},
};

long evtchn_hypercall(struct evtchn_domain *cur, unsigned int cmd, uint64_t arg,
                      const struct evtchn_guest_io *io)
{
	const struct evtchn_op_desc *desc;
	union evtchn_op_arg a;
	int rc;

	if (cmd >= sizeof(evtchn_op_table) / sizeof(evtchn_op_table[0]))
		return -XEN_ENOSYS;
	desc = &evtchn_op_table[cmd];
	if (!desc->fn)
		return -XEN_ENOSYS;
	memset(&a, 0, sizeof(a));
	if (io->copy_from(io->ctx, &a, arg, desc->size) != 0)
		return -XEN_EFAULT;
	rc = desc->fn(cur, &a);
	if (rc == 0 && desc->copy_back && io->copy_to(io->ctx, arg, &a, desc->size) != 0)
		rc = -XEN_EFAULT;
	return rc;
}
