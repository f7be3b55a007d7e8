/* hvsim: shoji-hv's own code without KVM, the test as the guest (see hvsim.h). */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <shoji/ctrl.h>
#include <shoji/event_channel.h>
#include <shoji/hvm.h>
#include <shoji/memory.h>
#include <shoji/sched.h>

#include "control.h"
#include "domain.h"
#include "hv.h"
#include "hvsim.h"
#include "hypercall.h"
#include "platform.h"
#include "runcons.h"
#include "simkvm.h"
#include "vcpu.h"

#define HVSIM_MAX_DOMAINS  16
#define HVSIM_MAX_CONSOLES 16

/* A domain the test plays the guest of. */
struct sim_dom {
	uint32_t domid;       /* 0: free slot */
	struct domain *d;     /* one reference held */
	pthread_mutex_t lock; /* one guest call at a time: the hypercall page */
	bool vcpu_runs;       /* hvsim_vcpu_start(): calls trap through the vCPU thread */
};

struct hvsim {
	struct hv *hv;
	struct control *control;
	struct shoji_ctrl *ctrl; /* the toolstack's connection (create, destroy) */
	pthread_t loop;
	bool loop_started;
	char socket[256];
	pthread_mutex_t lock; /* doms[], cons[] */
	struct sim_dom doms[HVSIM_MAX_DOMAINS];
	/* Console ring servers: freed once the loop thread, which runs them, has stopped. */
	struct runcons *cons[HVSIM_MAX_CONSOLES];
};

static void *run_loop(void *arg)
{
	struct hvsim *sim = arg;
	int r = hv_loop(sim->hv);

	if (r < 0)
		fprintf(stderr, "hvsim: event loop: %s\n", strerror(-r));
	return NULL;
}

struct hvsim *hvsim_start(const char *dir)
{
	struct hvsim *sim = calloc(1, sizeof(*sim));
	int r = -ENOMEM;

	if (!sim)
		goto out;
	pthread_mutex_init(&sim->lock, NULL);
	for (unsigned int i = 0; i < HVSIM_MAX_DOMAINS; i++)
		pthread_mutex_init(&sim->doms[i].lock, NULL);
	r = -ENAMETOOLONG;
	if (snprintf(sim->socket, sizeof(sim->socket), "%s/hv.sock", dir) >=
	    (int)sizeof(sim->socket))
		goto out;
	sim->hv = calloc(1, sizeof(*sim->hv));
	if (!sim->hv) {
		r = -ENOMEM;
		goto out;
	}
	r = hv_init(sim->hv); /* simkvm.c's kvm_host_open: no /dev/kvm */
	if (r < 0) {
		free(sim->hv);
		sim->hv = NULL;
		goto out;
	}
	r = -EIO;
	sim->control = control_open(sim->hv, sim->socket);
	if (!sim->control)
		goto out;
	r = -pthread_create(&sim->loop, NULL, run_loop, sim);
	if (r < 0)
		goto out;
	sim->loop_started = true;
	sim->ctrl = shoji_ctrl_open(sim->socket);
	if (!sim->ctrl) {
		r = -errno;
		goto out;
	}
	return sim;
out:
	fprintf(stderr, "hvsim: cannot start on %s: %s\n", dir, strerror(-r));
	if (sim)
		hvsim_stop(sim);
	errno = -r;
	return NULL;
}

const char *hvsim_socket(const struct hvsim *sim)
{
	return sim->socket;
}

void hvsim_stop(struct hvsim *sim)
{
	for (unsigned int i = 0; i < HVSIM_MAX_DOMAINS; i++)
		if (sim->doms[i].domid && sim->ctrl)
			hvsim_domain_destroy(sim, sim->doms[i].domid);
	if (sim->ctrl)
		shoji_ctrl_close(sim->ctrl);
	if (sim->loop_started) {
		hv_stop(sim->hv);
		pthread_join(sim->loop, NULL);
	}
	for (unsigned int i = 0; i < HVSIM_MAX_CONSOLES; i++)
		runcons_detach(sim->cons[i]);
	if (sim->control)
		control_close(sim->control);
	if (sim->hv) {
		hv_fini(sim->hv);
		free(sim->hv);
	}
	for (unsigned int i = 0; i < HVSIM_MAX_DOMAINS; i++)
		pthread_mutex_destroy(&sim->doms[i].lock);
	pthread_mutex_destroy(&sim->lock);
	free(sim);
}

/* The sim domain @domid, or NULL. */
static struct sim_dom *dom_of(struct hvsim *sim, uint32_t domid)
{
	struct sim_dom *sd = NULL;

	pthread_mutex_lock(&sim->lock);
	for (unsigned int i = 0; i < HVSIM_MAX_DOMAINS && !sd; i++)
		if (domid && sim->doms[i].domid == domid)
			sd = &sim->doms[i];
	pthread_mutex_unlock(&sim->lock);
	return sd;
}

/* Will @opaque's (a domain's) vCPUs stay stopped: is it destroyed, shut down or crashed? */
static bool dom_stopped(void *opaque)
{
	struct domain *d = opaque;
	bool stopped;

	pthread_mutex_lock(&d->lock);
	stopped = d->dying || d->is_shutdown || d->crashed;
	pthread_mutex_unlock(&d->lock);
	return stopped;
}

/*
 * Hypercall @nr on vCPU 0 of @sd, paging off, as its guest makes it: through
 * the vCPU thread once it runs, else here, issued again (with the
 * registers shoji-hv left) for as long as shoji-hv continues it.
 * sd->lock held.
 */
static long call(struct sim_dom *sd, unsigned int nr, const uint64_t a[5])
{
	struct vcpu *v = sd->d->vcpus[0];
	struct hvsim_call c = {.nr = nr};
	uint64_t args[5];
	long r;
	int rc;

	if (sd->vcpu_runs) {
		memcpy(c.args, a, sizeof(c.args));
		rc = simkvm_vcpu_call(&v->kvm, &c, dom_stopped, sd->d);
		return rc < 0 ? rc : c.result;
	}
	memcpy(args, a, sizeof(args));
	do
		r = hypercall_dispatch(v, nr, args);
	while (hypercall_continued(v, args));
	return r;
}

/*
 * Hypercall @nr (@cmd, &@arg) with @arg (@len bytes) on hvsim's hypercall
 * page, copied back afterwards (OUT fields).  sd->lock held.
 */
static long call_arg(struct sim_dom *sd, unsigned int nr, uint64_t cmd, void *arg, size_t len)
{
	const uint64_t gpa = (uint64_t)HVSIM_GFN_HYPERCALL << XEN_PAGE_SHIFT;
	uint8_t *page = gm_gpa(&sd->d->mem, gpa, XEN_PAGE_SIZE);
	const uint64_t a[5] = {cmd, gpa};
	long r;

	memcpy(page, arg, len);
	r = call(sd, nr, a);
	memcpy(arg, page, len);
	return r;
}

/* What a guest does first: shared_info, the grant frames, the upcall vector.  sd->lock held. */
static long guest_setup(struct sim_dom *sd)
{
	struct xen_add_to_physmap x = {
	    .domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .gpfn = HVSIM_GFN_SHARED_INFO};
	struct xen_hvm_param p = {.domid = DOMID_SELF,
	                          .index = HVM_PARAM_CALLBACK_IRQ,
	                          .value = HVM_PARAM_CALLBACK_VECTOR(HVSIM_UPCALL_VECTOR)};
	long r = call_arg(sd, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, &x, sizeof(x));

	for (unsigned int i = 0; r == 0 && i < HVSIM_GNTTAB_FRAMES; i++) {
		x = (struct xen_add_to_physmap){.domid = DOMID_SELF,
		                                .space = XENMAPSPACE_grant_table,
		                                .idx = i,
		                                .gpfn = HVSIM_GFN_GNTTAB + i};
		r = call_arg(sd, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, &x, sizeof(x));
	}
	if (r == 0)
		r = call_arg(sd, __HYPERVISOR_hvm_op, HVMOP_set_param, &p, sizeof(p));
	return r;
}

int hvsim_domain_new(struct hvsim *sim, uint64_t mem_bytes)
{
	struct shoji_domain_config cfg = {.memory_kib = mem_bytes >> 10, .vcpus = 1};
	struct sim_dom *sd = NULL;
	uint32_t domid;
	long r;

	if (mem_bytes < ((uint64_t)HVSIM_GFN_FREE + 1) << XEN_PAGE_SHIFT)
		return -EINVAL;
	if (shoji_ctrl_create(sim->ctrl, &cfg, &domid) < 0)
		return -errno;
	pthread_mutex_lock(&sim->lock);
	for (unsigned int i = 0; i < HVSIM_MAX_DOMAINS && !sd; i++)
		if (!sim->doms[i].domid)
			sd = &sim->doms[i];
	if (sd) {
		sd->domid = domid;
		sd->d = hv_domain_get(sim->hv, domid);
	}
	pthread_mutex_unlock(&sim->lock);
	if (!sd) {
		shoji_ctrl_destroy(sim->ctrl, domid);
		return -ENOSPC;
	}
	r = -ESRCH;
	pthread_mutex_lock(&sd->lock);
	if (sd->d)
		r = guest_setup(sd);
	pthread_mutex_unlock(&sd->lock);
	if (r < 0) {
		fprintf(stderr, "hvsim: domain %u: guest set-up failed: %ld\n", domid, r);
		hvsim_domain_destroy(sim, domid);
		return (int)r;
	}
	return (int)domid;
}

int hvsim_domain_adopt(struct hvsim *sim, uint32_t domid)
{
	struct domain *d = hv_domain_get(sim->hv, domid);
	struct sim_dom *sd = NULL;

	if (!d)
		return -ESRCH;
	pthread_mutex_lock(&sim->lock);
	for (unsigned int i = 0; i < HVSIM_MAX_DOMAINS && !sd; i++)
		if (!sim->doms[i].domid)
			sd = &sim->doms[i];
	if (sd) {
		sd->domid = domid;
		sd->d = d;
		sd->vcpu_runs = false;
	}
	pthread_mutex_unlock(&sim->lock);
	if (!sd) {
		domain_put(d);
		return -ENOSPC;
	}
	return 0;
}

int hvsim_vcpu_state(struct hvsim *sim, uint32_t domid, unsigned int vcpu,
                     struct kvm_vcpu_state *get, const struct kvm_vcpu_state *set)
{
	struct sim_dom *sd = dom_of(sim, domid);
	struct kvm_vcpu *c;
	int r = 0;

	if (!sd)
		return -ESRCH;
	if (vcpu >= sd->d->nr_vcpus)
		return -EINVAL;
	c = &sd->d->vcpus[vcpu]->kvm;
	if (get)
		r = kvm_vcpu_get_state(&sim->hv->kvm, c, get);
	if (r == 0 && set)
		r = kvm_vcpu_set_state(c, set);
	return r;
}

int hvsim_domain_destroy(struct hvsim *sim, uint32_t domid)
{
	struct sim_dom *sd = dom_of(sim, domid);
	int r = 0;

	if (!sd)
		return -ESRCH;
	if (shoji_ctrl_destroy(sim->ctrl, domid) < 0)
		r = -errno;
	pthread_mutex_lock(&sim->lock);
	if (sd->d)
		domain_put(sd->d);
	sd->d = NULL;
	sd->domid = 0;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

int hvsim_run_console(struct hvsim *sim, uint32_t domid, uint64_t gfn, int in_fd, int out_fd)
{
	struct sim_dom *sd = dom_of(sim, domid);
	unsigned int i;
	int r;

	if (!sd)
		return -ESRCH;
	sd->d->hvm_params[HVM_PARAM_CONSOLE_PFN] = gfn;
	pthread_mutex_lock(&sim->lock);
	for (i = 0; i < HVSIM_MAX_CONSOLES && sim->cons[i]; i++)
		;
	r = i < HVSIM_MAX_CONSOLES ? runcons_attach(sim->hv, sd->d, in_fd, out_fd, &sim->cons[i])
	                           : -ENOSPC;
	pthread_mutex_unlock(&sim->lock);
	return r;
}

void *hvsim_guest_mem(struct hvsim *sim, uint32_t domid, uint64_t gpa, size_t len)
{
	struct sim_dom *sd = dom_of(sim, domid);

	return sd ? gm_gpa(&sd->d->mem, gpa, len) : NULL;
}

/* @ref's entry in @domid's grant table (the frames at HVSIM_GFN_GNTTAB), or NULL. */
static grant_entry_v1_t *grant_entry(struct hvsim *sim, uint32_t domid, grant_ref_t ref)
{
	uint64_t gpa =
	    ((uint64_t)HVSIM_GFN_GNTTAB << XEN_PAGE_SHIFT) + ref * sizeof(grant_entry_v1_t);

	if (ref >= HVSIM_GRANT_REFS)
		return NULL;
	return hvsim_guest_mem(sim, domid, gpa, sizeof(grant_entry_v1_t));
}

int hvsim_grant(struct hvsim *sim, uint32_t domid, grant_ref_t ref, domid_t to, uint64_t gfn,
                bool readonly)
{
	grant_entry_v1_t *e = grant_entry(sim, domid, ref);

	if (!e || gfn > UINT32_MAX)
		return -EINVAL;
	if (__atomic_load_n(&e->flags, __ATOMIC_ACQUIRE))
		return -EBUSY;
	e->domid = to;
	e->frame = (uint32_t)gfn;
	/* The fields before the flag that publishes them. */
	__atomic_store_n(&e->flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
	                 __ATOMIC_RELEASE);
	return 0;
}

int hvsim_ungrant(struct hvsim *sim, uint32_t domid, grant_ref_t ref)
{
	grant_entry_v1_t *e = grant_entry(sim, domid, ref);
	uint16_t flags;

	if (!e)
		return -EINVAL;
	flags = __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE);
	do {
		if (!(flags & GTF_permit_access))
			return -ENOENT;
		if (flags & (GTF_reading | GTF_writing))
			return -EBUSY;
	} while (!__atomic_compare_exchange_n(&e->flags, &flags, 0, false, __ATOMIC_SEQ_CST,
	                                      __ATOMIC_ACQUIRE));
	return 0;
}

int hvsim_grant_flags(struct hvsim *sim, uint32_t domid, grant_ref_t ref)
{
	grant_entry_v1_t *e = grant_entry(sim, domid, ref);

	return e ? __atomic_load_n(&e->flags, __ATOMIC_ACQUIRE) : -EINVAL;
}

/* An event channel op with its struct, on @domid's vCPU 0. */
static long evtchn_op(struct hvsim *sim, uint32_t domid, unsigned int cmd, void *arg, size_t len)
{
	struct sim_dom *sd = dom_of(sim, domid);
	long r;

	if (!sd)
		return -ESRCH;
	pthread_mutex_lock(&sd->lock);
	r = call_arg(sd, __HYPERVISOR_event_channel_op, cmd, arg, len);
	pthread_mutex_unlock(&sd->lock);
	return r;
}

int hvsim_evtchn_alloc(struct hvsim *sim, uint32_t domid, domid_t remote)
{
	struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote};
	long r = evtchn_op(sim, domid, EVTCHNOP_alloc_unbound, &op, sizeof(op));

	return r < 0 ? (int)r : (int)op.port;
}

int hvsim_evtchn_send(struct hvsim *sim, uint32_t domid, evtchn_port_t port)
{
	struct evtchn_send op = {.port = port};

	return (int)evtchn_op(sim, domid, EVTCHNOP_send, &op, sizeof(op));
}

int hvsim_evtchn_close(struct hvsim *sim, uint32_t domid, evtchn_port_t port)
{
	struct evtchn_close op = {.port = port};

	return (int)evtchn_op(sim, domid, EVTCHNOP_close, &op, sizeof(op));
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The guest's upcall handler, for one port: acknowledge the upcall (so the
 * next event raises a new one), then take @port's pending bit.
 */
static bool take_event(struct shared_info *si, evtchn_port_t port)
{
	const unsigned int bits = sizeof(xen_ulong_t) * 8;
	struct vcpu_info *vi = &si->vcpu_info[0];
	xen_ulong_t bit = (xen_ulong_t)1 << (port % bits);

	__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
	__atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	return __atomic_fetch_and(&si->evtchn_pending[port / bits], ~bit, __ATOMIC_SEQ_CST) & bit;
}

int hvsim_evtchn_wait(struct hvsim *sim, uint32_t domid, evtchn_port_t port, int timeout_ms)
{
	struct sim_dom *sd = dom_of(sim, domid);
	int64_t deadline = now_ms() + timeout_ms;
	struct shared_info *si;
	struct pollfd pfd;

	if (!sd)
		return -ESRCH;
	if (port >= EVTCHN_2L_NR_CHANNELS)
		return -EINVAL;
	si = gm_gpa(&sd->d->mem, (uint64_t)HVSIM_GFN_SHARED_INFO << XEN_PAGE_SHIFT, sizeof(*si));
	pfd = (struct pollfd){.fd = simkvm_irq_fd(&sd->d->vm), .events = POLLIN};
	for (;;) {
		int64_t left;
		uint64_t n;

		/* An upcall after this look leaves the irq fd readable: no event is missed. */
		if (take_event(si, port))
			return 0;
		left = deadline - now_ms();
		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&pfd, 1, (int)left) < 0 && errno != EINTR)
			return -errno;
		if (read(pfd.fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
			return -errno;
	}
}

long hvsim_hypercall(struct hvsim *sim, uint32_t domid, unsigned int nr, const uint64_t a[5])
{
	struct sim_dom *sd = dom_of(sim, domid);
	long r;

	if (!sd)
		return -ESRCH;
	pthread_mutex_lock(&sd->lock);
	r = call(sd, nr, a);
	pthread_mutex_unlock(&sd->lock);
	return r;
}

int hvsim_vcpu_start(struct hvsim *sim, uint32_t domid)
{
	struct sim_dom *sd = dom_of(sim, domid);
	struct vcpu *v;
	int r = 0;

	if (!sd)
		return -ESRCH;
	pthread_mutex_lock(&sd->lock);
	v = sd->d->vcpus[0];
	pthread_mutex_lock(&sd->d->lock);
	if (sd->vcpu_runs || sd->d->started)
		r = -EBUSY;
	else
		v->initialised = true; /* a start state of nothing: its guest is the test */
	pthread_mutex_unlock(&sd->d->lock);
	if (r == 0 && shoji_ctrl_unpause(sim->ctrl, domid) < 0)
		r = -errno;
	if (r == 0)
		sd->vcpu_runs = true;
	pthread_mutex_unlock(&sd->lock);
	return r;
}

int hvsim_vcpu_call(struct hvsim *sim, uint32_t domid, struct hvsim_call *call)
{
	struct sim_dom *sd = dom_of(sim, domid);
	int r;

	if (!sd)
		return -ESRCH;
	pthread_mutex_lock(&sd->lock);
	if (sd->vcpu_runs)
		r = simkvm_vcpu_call(&sd->d->vcpus[0]->kvm, call, dom_stopped, sd->d);
	else
		r = -EINVAL;
	pthread_mutex_unlock(&sd->lock);
	return r;
}

unsigned int hvsim_vcpu_progress(struct hvsim *sim, uint32_t domid, uint64_t args[5])
{
	struct sim_dom *sd = dom_of(sim, domid);

	return sd && sd->d ? simkvm_vcpu_progress(&sd->d->vcpus[0]->kvm, args) : 0;
}

int hvsim_guest_shutdown(struct hvsim *sim, uint32_t domid, unsigned int reason)
{
	struct domain *d = hv_domain_get(sim->hv, domid);
	const uint64_t gpa = (uint64_t)HVSIM_GFN_HYPERCALL << XEN_PAGE_SHIFT;
	const uint64_t a[5] = {SCHEDOP_shutdown, gpa};
	struct sched_shutdown s = {.reason = reason};
	uint8_t *page;
	long r = -EFAULT;

	if (!d)
		return -ESRCH;
	page = gm_gpa(&d->mem, gpa, sizeof(s));
	if (page) {
		memcpy(page, &s, sizeof(s)); /* the argument, as the guest would place it */
		r = hypercall_dispatch(d->vcpus[0], __HYPERVISOR_sched_op, a);
	}
	domain_put(d);
	return (int)r;
}
