/* The fake domains of the event channel core's unit tests (see test_evtchn_fake.h). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "test_evtchn_fake.h"

struct fake_world W;

static struct evtchn_domain *world_get(void *opaque, domid_t domid)
{
	struct fake_world *w = opaque;
	struct evtchn_domain *d = NULL;

	pthread_mutex_lock(&w->lock);
	if (domid < MAX_DOMS && w->dom[domid].d) {
		d = w->dom[domid].d;
		evtchn_domain_get(d);
	}
	pthread_mutex_unlock(&w->lock);
	return d;
}

static void kick(void *owner, uint32_t vcpu)
{
	struct fake_dom *f = owner;

	__atomic_fetch_add(&f->kicks[vcpu], 1, __ATOMIC_RELAXED);
}

static void port_pending(void *owner, evtchn_port_t port, uint32_t vcpu)
{
	struct fake_dom *f = owner;

	__atomic_fetch_add(&f->pendings, 1, __ATOMIC_RELAXED);
}

static void notify(void *owner, evtchn_port_t port)
{
	struct fake_dom *f = owner;

	if (port < 64)
		__atomic_fetch_add(&f->notified[port], 1, __ATOMIC_RELAXED);
}

static void *gfn_to_host(void *owner, uint64_t gfn)
{
	struct fake_dom *f = owner;

	return gfn < FAKE_RAM_PAGES ? f->ram + gfn * FAKE_PAGE : NULL;
}

const struct evtchn_delivery_ops fake_guest_ops = {.kick_vcpu = kick, .port_pending = port_pending};
const struct evtchn_delivery_ops fake_dom0_ops = {.notify_port = notify};
const struct evtchn_mem_ops fake_mem_ops = {.gfn_to_host = gfn_to_host};

/* A guest address is a host address; address 0 faults. */
static int io_copy(void *dst, const void *src, size_t len)
{
	if (!dst || !src)
		return -XEN_EFAULT;
	memcpy(dst, src, len);
	return 0;
}

static int io_from(void *ctx, void *dst, uint64_t gva, size_t len)
{
	return io_copy(dst, (const void *)(uintptr_t)gva, len);
}

static int io_to(void *ctx, uint64_t gva, const void *src, size_t len)
{
	return io_copy((void *)(uintptr_t)gva, src, len);
}

const struct evtchn_guest_io fake_io = {.copy_from = io_from, .copy_to = io_to};

void fake_world_init(void)
{
	memset(&W, 0, sizeof(W));
	pthread_mutex_init(&W.lock, NULL);
	W.world.get_domain = world_get;
	W.world.opaque = &W;
}

static void publish(struct fake_dom *f, const struct evtchn_domain_params *p)
{
	pthread_mutex_lock(&W.lock);
	f->d = evtchn_domain_create(&W.world, p);
	pthread_mutex_unlock(&W.lock);
	ck_assert_ptr_nonnull(f->d);
}

struct fake_dom *mkdom(domid_t id, uint32_t max_port, bool privileged)
{
	struct fake_dom *f = &W.dom[id];
	struct evtchn_domain_params p = {
	    .domid = id,
	    .max_vcpus = MAX_VCPUS,
	    .max_port = max_port,
	    .privileged = privileged,
	    .ops = &fake_guest_ops,
	    .mem = &fake_mem_ops,
	    .owner = f,
	};

	f->si = aligned_alloc(FAKE_PAGE, FAKE_PAGE);
	f->ram = aligned_alloc(FAKE_PAGE, (size_t)FAKE_RAM_PAGES * FAKE_PAGE);
	ck_assert_ptr_nonnull(f->si);
	ck_assert_ptr_nonnull(f->ram);
	memset(f->si, 0, FAKE_PAGE);
	memset(f->ram, 0, (size_t)FAKE_RAM_PAGES * FAKE_PAGE);
	publish(f, &p);
	evtchn_set_shared_info(f->d, f->si);
	/* Installing shared_info does not raise anything by itself. */
	ck_assert_uint_eq(f->si->vcpu_info[0].evtchn_upcall_pending, 0);
	return f;
}

struct fake_dom *mkdom0(void)
{
	struct fake_dom *f = &W.dom[0];
	struct evtchn_domain_params p = {
	    .domid = 0, .max_vcpus = 1, .privileged = true, .ops = &fake_dom0_ops, .owner = f};

	publish(f, &p);
	return f;
}

void rmdom(domid_t id)
{
	struct fake_dom *f = &W.dom[id];
	struct evtchn_domain *d;

	pthread_mutex_lock(&W.lock);
	d = f->d;
	f->d = NULL;
	pthread_mutex_unlock(&W.lock);
	if (d)
		evtchn_domain_destroy(d);
	free(f->si);
	free(f->ram);
	f->si = NULL;
	f->ram = NULL;
}

void fake_world_fini(void)
{
	domid_t i;

	for (i = 0; i < MAX_DOMS; i++)
		rmdom(i);
}

bool pending_bit(const struct fake_dom *f, evtchn_port_t p)
{
	return (f->si->evtchn_pending[p / 64] >> (p % 64)) & 1;
}

bool sel_bit(const struct fake_dom *f, uint32_t vcpu, evtchn_port_t p)
{
	return (f->si->vcpu_info[vcpu].evtchn_pending_sel >> (p / 64)) & 1;
}

void ack_upcall(struct fake_dom *f, uint32_t vcpu)
{
	f->si->vcpu_info[vcpu].evtchn_upcall_pending = 0;
	f->si->vcpu_info[vcpu].evtchn_pending_sel = 0;
	memset(f->si->evtchn_pending, 0, sizeof(f->si->evtchn_pending));
}

evtchn_port_t alloc_unbound(struct fake_dom *f, domid_t dom, domid_t remote)
{
	struct evtchn_alloc_unbound op = {.dom = dom, .remote_dom = remote};

	ck_assert_int_eq(evtchn_alloc_unbound(f->d, &op), 0);
	ck_assert_uint_ne(op.port, 0);
	return op.port;
}

evtchn_port_t bind_interdomain(struct fake_dom *f, domid_t rdom, evtchn_port_t rport)
{
	struct evtchn_bind_interdomain op = {.remote_dom = rdom, .remote_port = rport};

	ck_assert_int_eq(evtchn_bind_interdomain(f->d, &op), 0);
	return op.local_port;
}

struct evtchn_status status_of(struct fake_dom *f, domid_t dom, evtchn_port_t port)
{
	struct evtchn_status st = {.dom = dom, .port = port};

	ck_assert_int_eq(evtchn_status(f->d, &st), 0);
	return st;
}
