/* hvm_op: HVM parameters and the event upcall vector. */
#include "config.h"

#include <shoji/hvm.h>

#include "domain.h"
#include "hypercall.h"
#include "platform.h"
#include "vcpu.h"

/* Params a guest may set itself; the rest belong to the toolstack. */
static bool guest_may_set(uint32_t index)
{
	return index == HVM_PARAM_CALLBACK_IRQ;
}

int hvm_param_set(struct domain *d, uint32_t index, uint64_t value)
{
	if (index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	if (index == HVM_PARAM_CALLBACK_IRQ) {
		uint64_t type = value >> HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT;
		uint8_t vector = (uint8_t)(value & 0xff);

		/*
		 * Delivery is by vector only: there is no IOAPIC or PCI bus
		 * here.  A GSI or PCI INTx route is still accepted and kept,
		 * as Xen accepts it, with no domain-wide delivery: Linux sets
		 * GSI 1 after choosing per-vCPU vectors (so the toolstack sees
		 * an enlightened guest) and gives those vectors up if it fails.
		 */
		if (type == HVM_PARAM_CALLBACK_TYPE_VECTOR && vector < VCPU_UPCALL_VECTOR_MIN)
			return -XEN_EINVAL;
		if (type != HVM_PARAM_CALLBACK_TYPE_VECTOR && type != HVM_PARAM_CALLBACK_TYPE_GSI &&
		    type != HVM_PARAM_CALLBACK_TYPE_PCI_INTX)
			return -XEN_EOPNOTSUPP;
		d->callback_vector = type == HVM_PARAM_CALLBACK_TYPE_VECTOR ? vector : 0;
	}
	d->hvm_params[index] = value;
	return 0;
}

int hvm_param_get(struct domain *d, uint32_t index, uint64_t *value)
{
	if (index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	*value = d->hvm_params[index];
	return 0;
}

static long hvm_param(struct vcpu *v, uint64_t arg, bool set)
{
	struct domain *d = v->d;
	struct xen_hvm_param p;
	long r;

	r = copy_domid_arg(v, &p, arg, sizeof(p), &p.domid);
	if (r < 0)
		return r;
	if (p.index >= HVM_NR_PARAMS)
		return -XEN_EINVAL;
	if (set && !guest_may_set(p.index))
		return -XEN_EPERM;
	pthread_mutex_lock(&d->lock);
	if (set)
		r = hvm_param_set(d, p.index, p.value);
	else
		r = hvm_param_get(d, p.index, &p.value);
	pthread_mutex_unlock(&d->lock);
	if (r < 0 || set)
		return r;
	return copy_to_guest(v, arg, &p, sizeof(p));
}

static long hvm_set_param(struct vcpu *v, uint64_t arg)
{
	return hvm_param(v, arg, true);
}

static long hvm_get_param(struct vcpu *v, uint64_t arg)
{
	return hvm_param(v, arg, false);
}

static long hvm_set_evtchn_upcall_vector(struct vcpu *v, uint64_t arg)
{
	struct xen_hvm_evtchn_upcall_vector u;
	struct domain *d = v->d;
	long r;

	r = copy_from_guest(v, &u, arg, sizeof(u));
	if (r < 0)
		return r;
	/* Xen's order: the vector is checked before the vCPU. */
	if (u.vector < VCPU_UPCALL_VECTOR_MIN)
		return -XEN_EINVAL;
	if (u.vcpu >= d->nr_vcpus)
		return -XEN_ENOENT;
	pthread_mutex_lock(&d->lock);
	d->vcpus[u.vcpu]->upcall_vector = u.vector;
	/*
	 * As on Xen, the new vector is raised at once: events that went
	 * pending before it was chosen have had no upcall the guest could
	 * see, and the next event will not raise one while the vCPU's
	 * upcall_pending stays set.  A spurious upcall finds nothing to do.
	 */
	vcpu_notify_upcall(d->vcpus[u.vcpu]);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static long hvm_get_time(struct vcpu *v, uint64_t arg)
{
	struct xen_hvm_get_time t = {.now = domain_system_time(v->d)};

	return copy_to_guest(v, arg, &t, sizeof(t));
}

typedef long hvmop_fn(struct vcpu *v, uint64_t arg);

static hvmop_fn *const hvmop_table[] = {
    [HVMOP_set_param] = hvm_set_param,
    [HVMOP_get_param] = hvm_get_param,
    [HVMOP_get_time] = hvm_get_time,
    [HVMOP_set_evtchn_upcall_vector] = hvm_set_evtchn_upcall_vector,
};

long do_hvm_op(struct vcpu *v, const uint64_t a[5])
{
	uint64_t op = a[0];

	return SUBOP_HAS(hvmop_table, op) ? hvmop_table[op](v, a[1]) : -XEN_ENOSYS;
}
