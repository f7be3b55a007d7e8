/* sched_op: yield, block, poll, shutdown. */
#include "config.h"

#include <sched.h>

#include <shoji/event_channel.h>
#include <shoji/sched.h>

#include "domain.h"
#include "evtglue.h"
#include "hypercall.h"
#include "platform.h"
#include "vcpu.h"

#define SCHED_POLL_MAX_PORTS 128

static long sched_yield_op(struct vcpu *v, uint64_t arg)
{
	sched_yield();
	return 0;
}

static long sched_block(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->d;
	struct vcpu_info *vi;

	pthread_mutex_lock(&d->lock);
	/* Blocking re-enables event delivery, as on Xen. */
	vi = vcpu_info_of(v);
	if (vi)
		__atomic_store_n(&vi->evtchn_upcall_mask, 0, __ATOMIC_SEQ_CST);
	vcpu_block(v, 0, true);
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* The struct sched_shutdown argument of SCHEDOP_shutdown(_code): a valid SHUTDOWN_* or < 0. */
static long shutdown_reason(struct vcpu *v, uint64_t arg)
{
	struct sched_shutdown s;
	int r = copy_from_guest(v, &s, arg, sizeof(s));

	if (r < 0)
		return r;
	return s.reason > SHUTDOWN_MAX ? -XEN_EINVAL : (long)s.reason;
}

static long sched_shutdown(struct vcpu *v, uint64_t arg)
{
	long reason = shutdown_reason(v, arg);

	if (reason < 0)
		return reason;
	domain_shutdown(v->d, (unsigned int)reason);
	return 0;
}

static long sched_shutdown_code(struct vcpu *v, uint64_t arg)
{
	struct domain *d = v->d;
	long reason = shutdown_reason(v, arg);

	if (reason < 0)
		return reason;
	pthread_mutex_lock(&d->lock);
	if (d->shutdown_code == ~0u)
		d->shutdown_code = (unsigned int)reason;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static long sched_poll(struct vcpu *v, uint64_t arg)
{
	evtchn_port_t ports[SCHED_POLL_MAX_PORTS];
	struct domain *d = v->d;
	struct sched_poll p;
	unsigned int i;
	int r;

	r = copy_arg_from_guest(v, &compat_sched_poll, &p, arg);
	if (r < 0)
		return r;
	if (p.nr_ports > SCHED_POLL_MAX_PORTS)
		return -XEN_EINVAL;
	r = copy_from_guest(v, ports, (uint64_t)(uintptr_t)p.ports.p,
	                    p.nr_ports * sizeof(ports[0]));
	if (r < 0)
		return r;
	for (i = 0; i < p.nr_ports; i++)
		if (ports[i] >= EVTCHN_2L_NR_CHANNELS)
			return -XEN_EINVAL;

	pthread_mutex_lock(&d->lock);
	v->polling = true; /* evtglue.c's port_pending wakes us for any port */
	for (;;) {
		if (evtglue_any_pending(d, ports, p.nr_ports))
			break;
		if (p.timeout && domain_system_time(d) >= p.timeout)
			break;
		if (vcpu_block(v, p.timeout, false))
			break;
		if (d->is_shutdown || d->crashed || d->dying || !v->online)
			break;
	}
	v->polling = false;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

static long sched_remote_shutdown(struct vcpu *v, uint64_t arg)
{
	return -XEN_EPERM; /* a privileged (Dom0) operation */
}

typedef long sched_fn(struct vcpu *v, uint64_t arg);

static sched_fn *const sched_table[] = {
    [SCHEDOP_yield] = sched_yield_op,
    [SCHEDOP_block] = sched_block,
    [SCHEDOP_shutdown] = sched_shutdown,
    [SCHEDOP_poll] = sched_poll,
    [SCHEDOP_remote_shutdown] = sched_remote_shutdown,
    [SCHEDOP_shutdown_code] = sched_shutdown_code,
};

long do_sched_op(struct vcpu *v, const uint64_t a[5])
{
	uint32_t cmd = (uint32_t)a[0]; /* an int in the ABI */

	return SUBOP_HAS(sched_table, cmd) ? sched_table[cmd](v, a[1]) : -XEN_ENOSYS;
}
