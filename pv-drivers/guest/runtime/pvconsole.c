/*
 * pvconsole.c: the PV console frontend: struct xencons_interface on the
 * page HVM_PARAM_CONSOLE_PFN names, notifications on HVM_PARAM_CONSOLE_EVTCHN.
 * The guest produces into out[] and consumes from in[]; indexes run freely
 * and are read once, checked, and published with release stores after the
 * data.  Not SMP-safe: one vCPU uses it.
 */
#include "shoji-guest.h"

#include <shoji/event_channel.h>
#include <shoji/hvm.h>
#include <shoji/io/console.h>

#define PVCONS_TIMEOUT_NS 10000000000ULL /* for room in the out ring */

struct pvcons {
	struct xencons_interface *ring;
	evtchn_port_t port;
};

static struct pvcons pvcons;

long pvcons_init(void)
{
	void *page;
	evtchn_port_t port;
	long rc = hvm_ring_params(HVM_PARAM_CONSOLE_PFN, HVM_PARAM_CONSOLE_EVTCHN, &page, &port);

	if (rc != 0)
		return rc;
	pvcons.ring = page;
	pvcons.port = port;
	evtchn_set_handler(pvcons.port, NULL, NULL); /* events only wake evtchn_wait */
	return evtchn_unmask(pvcons.port);
}

static bool out_room(void *arg)
{
	const struct xencons_interface *r = pvcons.ring;

	return r->out_prod - __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE) < XENCONS_OUT_SIZE;
}

long pvcons_write(const char *buf, size_t len)
{
	struct xencons_interface *r = pvcons.ring;
	uint64_t deadline = 0;
	size_t done = 0;

	if (r == NULL)
		return -XEN_ENOENT;
	while (done < len) {
		XENCONS_RING_IDX cons = __atomic_load_n(&r->out_cons, __ATOMIC_ACQUIRE);
		XENCONS_RING_IDX prod = r->out_prod;

		if (prod - cons > XENCONS_OUT_SIZE)
			return -XEN_EIO;
		if (prod - cons == XENCONS_OUT_SIZE) {
			evtchn_send(pvcons.port);
			if (deadline == 0)
				deadline = monotonic_ns() + PVCONS_TIMEOUT_NS;
			if (!evtchn_wait(out_room, NULL, deadline))
				return -XEN_ETIMEDOUT;
			continue;
		}
		while (prod - cons < XENCONS_OUT_SIZE && done < len)
			r->out[MASK_XENCONS_IDX(prod++, r->out)] = buf[done++];
		__atomic_store_n(&r->out_prod, prod, __ATOMIC_RELEASE);
	}
	evtchn_send(pvcons.port);
	return (long)len;
}

long pvcons_read(char *buf, size_t len)
{
	struct xencons_interface *r = pvcons.ring;
	XENCONS_RING_IDX prod, cons;
	size_t n = 0;

	if (r == NULL)
		return -XEN_ENOENT;
	prod = __atomic_load_n(&r->in_prod, __ATOMIC_ACQUIRE);
	cons = r->in_cons;
	if (prod - cons > XENCONS_IN_SIZE)
		return -XEN_EIO;
	while (cons != prod && n < len)
		buf[n++] = r->in[MASK_XENCONS_IDX(cons++, r->in)];
	if (n > 0) {
		__atomic_store_n(&r->in_cons, cons, __ATOMIC_RELEASE);
		evtchn_send(pvcons.port);
	}
	return (long)n;
}
