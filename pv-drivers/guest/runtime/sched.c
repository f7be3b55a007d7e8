/*
 * sched.c: the sched_op hypercall: shutdown, yield, block and poll.
 */
#include "shoji-guest.h"

#include "guest-internal.h"

#include <shoji/sched.h>

void shutdown(unsigned int reason)
{
	struct sched_shutdown s = {.reason = reason};

	hyp_sched_op(SCHEDOP_shutdown, &s);
	/* Still running: the hypervisor refused.  Die the hard way. */
	printf("shoji-guest: SCHEDOP_shutdown(%u) returned\n", reason);
	guest_die();
}

long sched_yield(void)
{
	return hyp_sched_op(SCHEDOP_yield, NULL);
}

long sched_block(void)
{
	return hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, NULL);
}

long sched_poll(evtchn_port_t *ports, unsigned int nr_ports, uint64_t timeout_abs_ns)
{
	struct sched_poll p = {.nr_ports = nr_ports, .timeout = timeout_abs_ns};

	set_xen_guest_handle(p.ports, ports);
	return hyp_sched_op(SCHEDOP_poll, &p);
}
