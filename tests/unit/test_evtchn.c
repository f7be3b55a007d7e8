/*
 * Unit tests of hypervisor/evtchn.c with the 2-level ABI, against the fake
 * domains of test_evtchn_fake.c (the FIFO ABI: test_evtchn_fifo.c).
 */
#include "config.h"

#include <check.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>

#include "check-run.h"
#include "test_evtchn_fake.h"

START_TEST(t_exhaustion)
{
	struct fake_dom *a = mkdom(1, 100, false);
	struct fake_dom *b = mkdom(2, 0, false);
	struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = 2};
	unsigned int n = 0;
	int rc;

	/* Ports 1..100: exactly 100, then -ENOSPC; closing one frees exactly one. */
	while ((rc = evtchn_alloc_unbound(a->d, &op)) == 0)
		n++;
	ck_assert_int_eq(rc, -XEN_ENOSPC);
	ck_assert_uint_eq(n, 100);
	ck_assert_int_eq(evtchn_close(a->d, 57), 0);
	ck_assert_int_eq(evtchn_alloc_unbound(a->d, &op), 0);
	ck_assert_uint_eq(op.port, 57);
	ck_assert_int_eq(evtchn_alloc_unbound(a->d, &op), -XEN_ENOSPC);

	/* Default limit: 1023 ports, and binding fails the same way. */
	n = 0;
	while ((rc = evtchn_alloc_unbound(b->d, &op)) == 0)
		n++;
	ck_assert_int_eq(rc, -XEN_ENOSPC);
	ck_assert_uint_eq(n, EVTCHN_DEFAULT_MAX_PORT);
	{
		struct evtchn_bind_ipi ipi = {.vcpu = 0};
		struct evtchn_bind_virq virq = {.virq = VIRQ_TIMER, .vcpu = 0};
		struct evtchn_bind_interdomain bi = {.remote_dom = 1, .remote_port = 5};

		ck_assert_int_eq(evtchn_bind_ipi(b->d, &ipi), -XEN_ENOSPC);
		ck_assert_int_eq(evtchn_bind_virq(b->d, &virq), -XEN_ENOSPC);
		ck_assert_int_eq(evtchn_bind_interdomain(b->d, &bi), -XEN_ENOSPC);
	}
	/* Above the FIFO limit a domain cannot even be created. */
	{
		struct evtchn_domain_params p = {.domid = 5,
		                                 .max_vcpus = 1,
		                                 .max_port = EVTCHN_MAX_PORT + 1,
		                                 .ops = &fake_guest_ops};

		ck_assert_ptr_null(evtchn_domain_create(&W.world, &p));
		p.max_port = EVTCHN_MAX_PORT;
		struct evtchn_domain *d = evtchn_domain_create(&W.world, &p);
		ck_assert_ptr_nonnull(d);
		evtchn_domain_destroy(d);
	}
}
END_TEST

START_TEST(t_errors)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct fake_dom *b = mkdom(2, 0, false);
	struct fake_dom *c = mkdom(3, 0, false);
	struct evtchn_alloc_unbound au = {.dom = 9, .remote_dom = 2};
	struct evtchn_bind_interdomain bi = {.remote_dom = 9, .remote_port = 1};
	struct evtchn_status st = {.dom = 9, .port = 1};
	struct evtchn_bind_virq bv;
	struct evtchn_bind_ipi ipi = {0};
	struct evtchn_bind_vcpu bvc;
	evtchn_port_t pa, pipi, ptimer, pexc;

	/* Missing domains: -ESRCH. */
	ck_assert_int_eq(evtchn_alloc_unbound(a->d, &au), -XEN_ESRCH);
	ck_assert_int_eq(evtchn_bind_interdomain(a->d, &bi), -XEN_ESRCH);
	ck_assert_int_eq(evtchn_status(a->d, &st), -XEN_ESRCH);
	ck_assert_int_eq(evtchn_reset(a->d, 9), -XEN_ESRCH);

	/* Another domain's table without privilege: -EPERM. */
	au.dom = 2;
	ck_assert_int_eq(evtchn_alloc_unbound(a->d, &au), -XEN_EPERM);
	st.dom = 2;
	ck_assert_int_eq(evtchn_status(a->d, &st), -XEN_EPERM);
	ck_assert_int_eq(evtchn_reset(a->d, 2), -XEN_EPERM);

	/* Bad ports: -EINVAL (port 0 reserved, free ports, beyond the table). */
	ck_assert_int_eq(evtchn_send(a->d, 0), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_send(a->d, 5), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_send(a->d, 4000), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_send(a->d, 0xffffffffu), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_close(a->d, 0), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_close(a->d, 5), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_close(a->d, 100000), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_unmask(a->d, 100000), -XEN_EINVAL);
	st.dom = DOMID_SELF;
	st.port = 100000;
	ck_assert_int_eq(evtchn_status(a->d, &st), -XEN_EINVAL);
	st.port = 0;
	ck_assert_int_eq(evtchn_status(a->d, &st), 0);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_closed);

	/* Binding: the remote port must be unbound and reserved for us. */
	pa = alloc_unbound(a, DOMID_SELF, 2);
	bi.remote_dom = 1;
	bi.remote_port = pa;
	ck_assert_int_eq(evtchn_bind_interdomain(c->d, &bi), -XEN_EINVAL); /* reserved for 2 */
	bi.remote_port = 77;
	ck_assert_int_eq(evtchn_bind_interdomain(b->d, &bi), -XEN_EINVAL); /* free */
	bi.remote_port = 100000;
	ck_assert_int_eq(evtchn_bind_interdomain(b->d, &bi), -XEN_EINVAL); /* invalid */
	bi.remote_port = pa;
	ck_assert_int_eq(evtchn_bind_interdomain(b->d, &bi), 0);
	ck_assert_int_eq(evtchn_bind_interdomain(b->d, &bi), -XEN_EINVAL); /* now bound */

	/* VIRQs. */
	bv = (struct evtchn_bind_virq){.virq = NR_VIRQS, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), -XEN_EINVAL);
	bv = (struct evtchn_bind_virq){.virq = VIRQ_DOM_EXC, .vcpu = 1};
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), -XEN_EINVAL); /* global: vCPU 0 only */
	bv = (struct evtchn_bind_virq){.virq = VIRQ_TIMER, .vcpu = MAX_VCPUS};
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), -XEN_ENOENT);
	bv = (struct evtchn_bind_virq){.virq = VIRQ_TIMER, .vcpu = 1};
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), 0);
	ptimer = bv.port;
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), -XEN_EEXIST);
	bv = (struct evtchn_bind_virq){.virq = VIRQ_TIMER, .vcpu = 2};
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), 0); /* per vCPU */
	bv = (struct evtchn_bind_virq){.virq = VIRQ_DOM_EXC, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), 0);
	pexc = bv.port;
	ck_assert_int_eq(evtchn_send(a->d, ptimer), -XEN_EINVAL); /* cannot send on a VIRQ */

	/* IPIs and bind_vcpu. */
	ipi.vcpu = MAX_VCPUS;
	ck_assert_int_eq(evtchn_bind_ipi(a->d, &ipi), -XEN_ENOENT);
	ipi.vcpu = 3;
	ck_assert_int_eq(evtchn_bind_ipi(a->d, &ipi), 0);
	pipi = ipi.port;
	bvc = (struct evtchn_bind_vcpu){.port = pa, .vcpu = MAX_VCPUS};
	ck_assert_int_eq(evtchn_bind_vcpu(a->d, &bvc), -XEN_ENOENT);
	bvc = (struct evtchn_bind_vcpu){.port = 200, .vcpu = 1};
	ck_assert_int_eq(evtchn_bind_vcpu(a->d, &bvc), -XEN_EINVAL); /* free */
	bvc = (struct evtchn_bind_vcpu){.port = pipi, .vcpu = 1};
	ck_assert_int_eq(evtchn_bind_vcpu(a->d, &bvc), -XEN_EINVAL); /* IPI */
	bvc = (struct evtchn_bind_vcpu){.port = ptimer, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_vcpu(a->d, &bvc), -XEN_EINVAL); /* per-vCPU VIRQ */
	bvc = (struct evtchn_bind_vcpu){.port = pexc, .vcpu = 2};
	ck_assert_int_eq(evtchn_bind_vcpu(a->d, &bvc), 0); /* global VIRQ */
	bvc = (struct evtchn_bind_vcpu){.port = pa, .vcpu = 2};
	ck_assert_int_eq(evtchn_bind_vcpu(a->d, &bvc), 0); /* interdomain */
	ck_assert_uint_eq(status_of(a, DOMID_SELF, pa).vcpu, 2);

	/* evtchn_send_virq argument checks. */
	ck_assert_int_eq(evtchn_send_virq(a->d, 0, NR_VIRQS), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_send_virq(a->d, MAX_VCPUS, VIRQ_TIMER), -XEN_EINVAL);
	ck_assert_int_eq(evtchn_send_virq(a->d, 3, VIRQ_TIMER), -XEN_ENOENT);
}
END_TEST

START_TEST(t_interdomain)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct fake_dom *b = mkdom(2, 0, false);
	struct evtchn_status st;
	evtchn_port_t pa, pb;

	pa = alloc_unbound(a, DOMID_SELF, 2);
	st = status_of(a, DOMID_SELF, pa);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, 2);
	ck_assert_uint_eq(st.vcpu, 0);
	/* Sending on an unbound port is silently dropped. */
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert(!pending_bit(a, pa));

	pb = bind_interdomain(b, 1, pa);
	st = status_of(a, DOMID_SELF, pa);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(st.u.interdomain.dom, 2);
	ck_assert_uint_eq(st.u.interdomain.port, pb);
	st = status_of(b, 2, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(st.u.interdomain.dom, 1);
	ck_assert_uint_eq(st.u.interdomain.port, pa);
	/* Binding flags the new local port, as Xen does (events may have been dropped). */
	ck_assert(pending_bit(b, pb));
	ck_assert_uint_eq(b->kicks[0], 1);
	ack_upcall(b, 0);

	/* a -> b delivers to pb only; b -> a to pa only. */
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert(pending_bit(b, pb));
	ck_assert(!pending_bit(a, pa));
	ck_assert_uint_eq(b->kicks[0], 2);
	ck_assert_int_eq(evtchn_send(b->d, pb), 0);
	ck_assert(pending_bit(a, pa));
	ck_assert_uint_eq(a->kicks[0], 1);

	/* Closing one end: the other goes back to unbound, reserved for the closer. */
	ack_upcall(b, 0);
	ck_assert_int_eq(evtchn_close(a->d, pa), 0);
	ck_assert_uint_eq(status_of(a, DOMID_SELF, pa).status, EVTCHNSTAT_closed);
	ck_assert(!pending_bit(a, pa)); /* closing clears the port's pending bit */
	st = status_of(b, DOMID_SELF, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, 1);
	ck_assert_int_eq(evtchn_send(b->d, pb), 0); /* dropped */
	ck_assert_int_eq(evtchn_send(a->d, pa), -XEN_EINVAL);
	ck_assert_uint_eq(a->kicks[0], 1);

	/* The closer can bind again to the same remote port. */
	pa = bind_interdomain(a, 2, pb);
	ck_assert_uint_eq(status_of(b, 2, pb).u.interdomain.port, pa);
	ack_upcall(a, 0);
	ck_assert_int_eq(evtchn_send(b->d, pb), 0);
	ck_assert(pending_bit(a, pa));

	/* Loopback channel inside one domain. */
	{
		evtchn_port_t x = alloc_unbound(a, DOMID_SELF, DOMID_SELF);
		evtchn_port_t y = bind_interdomain(a, DOMID_SELF, x);

		ck_assert_uint_eq(status_of(a, 1, x).u.interdomain.port, y);
		ack_upcall(a, 0);
		ck_assert_int_eq(evtchn_send(a->d, y), 0);
		ck_assert(pending_bit(a, x));
		ck_assert(!pending_bit(a, y));
		ck_assert_int_eq(evtchn_close(a->d, x), 0);
		ck_assert_uint_eq(status_of(a, 1, y).status, EVTCHNSTAT_unbound);
		ck_assert_uint_eq(status_of(a, 1, y).u.unbound.dom, 1);
	}
}
END_TEST

START_TEST(t_delivery_bits)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct fake_dom *b = mkdom(2, 0, false);
	evtchn_port_t pa, pb;
	unsigned int i;

	/* Use a port in word 1 so the selector bit differs from the port bit. */
	for (i = 0; i < 70; i++)
		alloc_unbound(b, DOMID_SELF, 3);
	pb = alloc_unbound(b, DOMID_SELF, 1);
	ck_assert_uint_eq(pb, 71);
	pa = bind_interdomain(a, 2, pb);
	ack_upcall(a, 0);

	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert_uint_eq(b->si->evtchn_pending[1], 1UL << 7);
	ck_assert_uint_eq(b->si->evtchn_pending[0], 0);
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_pending_sel, 1UL << 1);
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_upcall_pending, 1);
	ck_assert_uint_eq(b->kicks[0], 1);
	ck_assert_uint_eq(b->pendings, 1); /* SCHEDOP_poll wake-up hook */
	/* Already pending: nothing more, no second kick. */
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert_uint_eq(b->kicks[0], 1);
	ck_assert_uint_eq(b->pendings, 1);
	/* Pending cleared but upcall still pending: selector again, no kick. */
	b->si->evtchn_pending[1] = 0;
	b->si->vcpu_info[0].evtchn_pending_sel = 0;
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_pending_sel, 1UL << 1);
	ck_assert_uint_eq(b->kicks[0], 1);

	/* Masked: the pending bit only; no selector, no upcall, no kick. */
	ack_upcall(b, 0);
	b->si->evtchn_mask[1] = 1UL << 7;
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert(pending_bit(b, pb));
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_pending_sel, 0);
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_upcall_pending, 0);
	ck_assert_uint_eq(b->kicks[0], 1);
	ck_assert_uint_eq(b->pendings, 3); /* pollers wake even for masked ports */
	/* Unmask a pending port: mask cleared, selector + upcall + kick. */
	ck_assert_int_eq(evtchn_unmask(b->d, pb), 0);
	ck_assert_uint_eq(b->si->evtchn_mask[1], 0);
	ck_assert(sel_bit(b, 0, pb));
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_upcall_pending, 1);
	ck_assert_uint_eq(b->kicks[0], 2);
	/* Unmask of a port that is not pending (or not masked): no event. */
	ack_upcall(b, 0);
	b->si->evtchn_mask[1] = 1UL << 7;
	ck_assert_int_eq(evtchn_unmask(b->d, pb), 0);
	ck_assert_uint_eq(b->si->evtchn_mask[1], 0);
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_upcall_pending, 0);
	ck_assert_int_eq(evtchn_unmask(b->d, pb), 0);
	ck_assert_uint_eq(b->kicks[0], 2);
	/* Upcall masked by the guest: bits still set, the kick is the hypervisor's to gate. */
	b->si->vcpu_info[0].evtchn_upcall_mask = 1;
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_upcall_pending, 1);

	/* Notify vCPU: after bind_vcpu the selector of vCPU 2 is used. */
	ack_upcall(b, 0);
	{
		struct evtchn_bind_vcpu bvc = {.port = pb, .vcpu = 2};

		ck_assert_int_eq(evtchn_bind_vcpu(b->d, &bvc), 0);
	}
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert(sel_bit(b, 2, pb));
	ck_assert_uint_eq(b->si->vcpu_info[0].evtchn_pending_sel, 0);
	ck_assert_uint_eq(b->si->vcpu_info[2].evtchn_upcall_pending, 1);
	ck_assert_uint_eq(b->kicks[2], 1);
	ck_assert(evtchn_port_is_pending(b->d, pb));
	ck_assert(!evtchn_port_is_pending(b->d, pb + 1));
	ck_assert(!evtchn_port_is_pending(b->d, 100000));
}
END_TEST

START_TEST(t_virq_ipi)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct evtchn_bind_virq bv = {.virq = VIRQ_TIMER, .vcpu = 1};
	struct evtchn_bind_ipi ipi = {.vcpu = 3};
	struct evtchn_status st;
	evtchn_port_t pt, pe;

	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), 0);
	pt = bv.port;
	st = status_of(a, DOMID_SELF, pt);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_virq);
	ck_assert_uint_eq(st.u.virq, VIRQ_TIMER);
	ck_assert_uint_eq(st.vcpu, 1);
	ck_assert_int_eq(evtchn_send_virq(a->d, 1, VIRQ_TIMER), 0);
	ck_assert(pending_bit(a, pt));
	ck_assert(sel_bit(a, 1, pt));
	ck_assert_uint_eq(a->kicks[1], 1);
	ck_assert_uint_eq(a->kicks[0], 0);
	ck_assert_int_eq(evtchn_send_virq(a->d, 0, VIRQ_TIMER), -XEN_ENOENT);

	/* A global VIRQ goes through vCPU 0's binding whatever vCPU is named. */
	bv = (struct evtchn_bind_virq){.virq = VIRQ_DOM_EXC, .vcpu = 0};
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), 0);
	pe = bv.port;
	ck_assert_int_eq(evtchn_send_virq(a->d, 2, VIRQ_DOM_EXC), 0);
	ck_assert(pending_bit(a, pe));
	ck_assert_uint_eq(a->kicks[0], 1);

	/* Closing the VIRQ port unbinds the VIRQ; it can be bound again. */
	ck_assert_int_eq(evtchn_close(a->d, pt), 0);
	ck_assert_int_eq(evtchn_send_virq(a->d, 1, VIRQ_TIMER), -XEN_ENOENT);
	bv = (struct evtchn_bind_virq){.virq = VIRQ_TIMER, .vcpu = 1};
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), 0);

	/* IPI: sending raises the port on its own vCPU. */
	ck_assert_int_eq(evtchn_bind_ipi(a->d, &ipi), 0);
	st = status_of(a, DOMID_SELF, ipi.port);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_ipi);
	ck_assert_uint_eq(st.vcpu, 3);
	ck_assert_int_eq(evtchn_send(a->d, ipi.port), 0);
	ck_assert(pending_bit(a, ipi.port));
	ck_assert(sel_bit(a, 3, ipi.port));
	ck_assert_uint_eq(a->kicks[3], 1);
}
END_TEST

START_TEST(t_reset_destroy)
{
	struct fake_dom *d0 = mkdom(0, 0, true);
	struct fake_dom *a = mkdom(1, 0, false);
	struct fake_dom *b = mkdom(2, 0, false);
	struct evtchn_status st;
	struct evtchn_bind_virq bv = {.virq = VIRQ_TIMER, .vcpu = 0};
	evtchn_port_t pa, pb, pa2, pb2;

	pa = alloc_unbound(a, DOMID_SELF, 2);
	pb = bind_interdomain(b, 1, pa);
	pb2 = alloc_unbound(b, DOMID_SELF, 1);
	pa2 = bind_interdomain(a, 2, pb2);
	ck_assert_int_eq(evtchn_bind_virq(a->d, &bv), 0);

	/* Reset of a: all its ports closed, b's ends unbound and reserved for a. */
	ck_assert_int_eq(evtchn_reset(a->d, DOMID_SELF), 0);
	ck_assert_uint_eq(status_of(a, 1, pa).status, EVTCHNSTAT_closed);
	ck_assert_uint_eq(status_of(a, 1, pa2).status, EVTCHNSTAT_closed);
	ck_assert_uint_eq(status_of(a, 1, bv.port).status, EVTCHNSTAT_closed);
	ck_assert_int_eq(evtchn_send_virq(a->d, 0, VIRQ_TIMER), -XEN_ENOENT);
	st = status_of(b, 2, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, 1);
	ck_assert_uint_eq(status_of(b, 2, pb2).status, EVTCHNSTAT_unbound);

	/* The privileged domain may act on others: allocate in b for a, reset b. */
	{
		struct evtchn_alloc_unbound au = {.dom = 2, .remote_dom = 1};

		ck_assert_int_eq(evtchn_alloc_unbound(d0->d, &au), 0);
		ck_assert_uint_eq(status_of(d0, 2, au.port).status, EVTCHNSTAT_unbound);
		ck_assert_uint_eq(status_of(d0, 2, au.port).u.unbound.dom, 1);
		pa = bind_interdomain(a, 2, au.port);
	}
	ck_assert_int_eq(evtchn_reset(d0->d, 2), 0);
	ck_assert_uint_eq(status_of(b, 2, pb).status, EVTCHNSTAT_closed);
	ck_assert_uint_eq(status_of(a, 1, pa).status, EVTCHNSTAT_unbound);

	/* Destroying a domain leaves its peers unbound, reserved for it. */
	pb = alloc_unbound(b, DOMID_SELF, 1);
	pa = bind_interdomain(a, 2, pb);
	rmdom(1);
	st = status_of(b, 2, pb);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_unbound);
	ck_assert_uint_eq(st.u.unbound.dom, 1);
	ck_assert_int_eq(evtchn_send(b->d, pb), 0);
	{
		struct evtchn_bind_interdomain bi = {.remote_dom = 1, .remote_port = pa};

		ck_assert_int_eq(evtchn_bind_interdomain(b->d, &bi), -XEN_ESRCH);
	}
}
END_TEST

START_TEST(t_shadow_pending)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct fake_dom *b = mkdom(2, 0, false);
	evtchn_port_t pa, pb;

	pa = alloc_unbound(a, DOMID_SELF, 2);
	pb = bind_interdomain(b, 1, pa);
	ack_upcall(b, 0);
	/* b's shared_info goes away (being moved): events wait in the port table. */
	evtchn_set_shared_info(b->d, NULL);
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert(evtchn_port_is_pending(b->d, pb));
	ck_assert(!pending_bit(b, pb));
	ck_assert_uint_eq(b->kicks[0], 1);
	evtchn_set_shared_info(b->d, b->si);
	ck_assert(pending_bit(b, pb));
	ck_assert(sel_bit(b, 0, pb));
	ck_assert_uint_eq(b->kicks[0], 2);
	/* Detaching keeps what the old page had pending. */
	ack_upcall(b, 0);
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	evtchn_set_shared_info(b->d, NULL);
	memset(b->si, 0, 4096);
	evtchn_set_shared_info(b->d, b->si);
	ck_assert(pending_bit(b, pb));
	/* A closed port loses its shadow state. */
	evtchn_set_shared_info(b->d, NULL);
	ck_assert_int_eq(evtchn_close(b->d, pb), 0);
	memset(b->si, 0, 4096);
	evtchn_set_shared_info(b->d, b->si);
	ck_assert(!pending_bit(b, pb));
}
END_TEST

START_TEST(t_vcpu_info)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct vcpu_info *vi = aligned_alloc(64, 64);
	struct evtchn_bind_ipi ipi = {.vcpu = 1};

	memset(vi, 0, 64);
	ck_assert_int_eq(evtchn_set_vcpu_info(a->d, MAX_VCPUS, vi), -XEN_ENOENT);
	ck_assert_int_eq(evtchn_set_vcpu_info(a->d, 1, vi), 0);
	/* Moving vcpu_info marks everything pending so nothing is lost. */
	ck_assert_uint_eq(vi->evtchn_pending_sel, ~0UL);
	ck_assert_uint_eq(vi->evtchn_upcall_pending, 1);
	ck_assert_uint_eq(a->kicks[1], 1);
	memset(vi, 0, 64);
	ck_assert_int_eq(evtchn_bind_ipi(a->d, &ipi), 0);
	ck_assert_int_eq(evtchn_send(a->d, ipi.port), 0);
	ck_assert(vi->evtchn_pending_sel & 1);
	ck_assert_uint_eq(a->si->vcpu_info[1].evtchn_pending_sel, 0);
	ck_assert_uint_eq(a->kicks[1], 2);
	ck_assert_int_eq(evtchn_set_vcpu_info(a->d, 1, NULL), 0);
	ck_assert_uint_eq(a->si->vcpu_info[1].evtchn_upcall_pending, 1);
	free(vi);
}
END_TEST

START_TEST(t_dom0_notify)
{
	struct fake_dom *d0 = mkdom0();
	struct fake_dom *a = mkdom(1, 0, false);
	evtchn_port_t pa, p0;

	/* The guest offers a port to Dom0 (xenstore style); Dom0 binds. */
	pa = alloc_unbound(a, DOMID_SELF, 0);
	p0 = bind_interdomain(d0, 1, pa);
	ck_assert_uint_lt(p0, 64);
	ck_assert_uint_eq(d0->notified[p0], 1); /* Xen's flag on bind */
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert_int_eq(evtchn_send(a->d, pa), 0);
	ck_assert_uint_eq(d0->notified[p0], 3); /* each send notifies; the eventfd coalesces */
	ack_upcall(a, 0);
	ck_assert_int_eq(evtchn_send(d0->d, p0), 0);
	ck_assert(pending_bit(a, pa));
	ck_assert_uint_eq(a->kicks[0], 1);
	ck_assert_int_eq(evtchn_unmask(d0->d, p0), 0);
	ck_assert(evtchn_port_is_pending(d0->d, p0) == false);
	ck_assert_uint_eq(evtchn_domain_id(d0->d), 0);
	ck_assert_ptr_eq(evtchn_domain_owner(d0->d), d0);
}
END_TEST

START_TEST(t_hypercall)
{
	struct fake_dom *a = mkdom(1, 0, false);
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = 1};
	struct evtchn_bind_interdomain bi = {.remote_dom = DOMID_SELF};
	struct evtchn_expand_array ea = {0};
	struct evtchn_set_priority sp = {0};
	struct evtchn_status st = {.dom = DOMID_SELF};
	struct evtchn_send sd;
	struct evtchn_close cl;
#define ARG(x) ((uint64_t)(uintptr_t) & (x))

	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_alloc_unbound, ARG(au), &fake_io), 0);
	ck_assert_uint_eq(au.port, 1);
	bi.remote_port = au.port;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_bind_interdomain, ARG(bi), &fake_io), 0);
	ck_assert_uint_eq(bi.local_port, 2);
	st.port = 2;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_status, ARG(st), &fake_io), 0);
	ck_assert_uint_eq(st.status, EVTCHNSTAT_interdomain);
	ck_assert_uint_eq(st.u.interdomain.port, 1);
	ack_upcall(a, 0);
	sd.port = 2;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_send, ARG(sd), &fake_io), 0);
	ck_assert(pending_bit(a, 1));
	cl.port = 1;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_close, ARG(cl), &fake_io), 0);
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_close, ARG(cl), &fake_io), -XEN_EINVAL);

	/* 2-level until the guest asks: no event array to expand, no priorities. */
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_expand_array, ARG(ea), &fake_io),
	                 -XEN_EOPNOTSUPP);
	sp.port = 2;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_set_priority, ARG(sp), &fake_io),
	                 -XEN_ENOSYS);
	sp.port = 100000;
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_set_priority, ARG(sp), &fake_io),
	                 -XEN_EINVAL);
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_bind_pirq, ARG(sp), &fake_io),
	                 -XEN_ENOSYS);
	ck_assert_int_eq(evtchn_hypercall(a->d, 14, ARG(sp), &fake_io), -XEN_ENOSYS);
	ck_assert_int_eq(evtchn_hypercall(a->d, 0xffffffffu, ARG(sp), &fake_io), -XEN_ENOSYS);
	ck_assert_int_eq(evtchn_hypercall(a->d, EVTCHNOP_send, 0, &fake_io), -XEN_EFAULT);
#undef ARG
}
END_TEST

/*
 * Stress: thread A and thread B ping-pong ROUNDS events over a fixed
 * channel while a third thread keeps closing and rebinding another A-B
 * channel (and lending B's port to domain C in between), and thread A
 * fires a send on that churning channel every round.  Every ping and pong
 * must arrive exactly once; A's churn sends may succeed or fail with
 * -EINVAL only; no event may ever show up on B's port while it belongs to
 * C (C never sends), i.e. nothing is delivered to a reallocated port.
 */
#define ROUNDS 100000
#define ERR(s) __atomic_fetch_add(&(s)->errors, 1, __ATOMIC_RELAXED)

struct stress {
	struct fake_dom *a, *b, *c;
	evtchn_port_t pa, pb; /* the ping-pong channel */
	evtchn_port_t churn_pa;
	unsigned int done;
	/* B's port lent to C, published under a sequence count (odd = changing). */
	unsigned int c_seq;
	evtchn_port_t c_port;
	unsigned int pongs_seen, pings_seen;
	unsigned int churn_ok, churn_inval, errors, misdelivered;
};

/* Drain one domain's events guest-style; calls back for each port. */
static void drain(struct fake_dom *f, void (*fn)(struct stress *, evtchn_port_t), struct stress *s)
{
	struct shared_info *si = f->si;
	struct vcpu_info *vi = &si->vcpu_info[0];
	xen_ulong_t sel, pend;

	if (!__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_SEQ_CST)) {
		sched_yield();
		return;
	}
	__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
	sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
	while (sel) {
		unsigned int w = (unsigned int)__builtin_ctzl(sel);

		sel &= sel - 1;
		pend = __atomic_load_n(&si->evtchn_pending[w], __ATOMIC_SEQ_CST) &
		       ~__atomic_load_n(&si->evtchn_mask[w], __ATOMIC_SEQ_CST);
		while (pend) {
			unsigned int b = (unsigned int)__builtin_ctzl(pend);

			pend &= pend - 1;
			__atomic_fetch_and(&si->evtchn_pending[w], ~(1UL << b), __ATOMIC_SEQ_CST);
			fn(s, w * 64 + b);
		}
	}
}

static void on_a(struct stress *s, evtchn_port_t port)
{
	if (port == s->pa)
		s->pongs_seen++;
}

static void on_b(struct stress *s, evtchn_port_t port)
{
	if (port == s->pb)
		s->pings_seen++;
}

static void *thread_a(void *arg)
{
	struct stress *s = arg;
	unsigned int i;
	int rc;

	for (i = 1; i <= ROUNDS; i++) {
		if (evtchn_send(s->a->d, s->pa) != 0)
			ERR(s);
		rc = evtchn_send(s->a->d, __atomic_load_n(&s->churn_pa, __ATOMIC_ACQUIRE));
		if (rc == 0)
			s->churn_ok++;
		else if (rc == -XEN_EINVAL)
			s->churn_inval++;
		else
			ERR(s);
		while (s->pongs_seen < i)
			drain(s->a, on_a, s);
		if (s->pongs_seen != i)
			ERR(s);
	}
	__atomic_store_n(&s->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *thread_b(void *arg)
{
	struct stress *s = arg;
	unsigned int seq, i = 0;
	evtchn_port_t lent;

	while (i < ROUNDS) {
		/* Read the lent port first, then look at B's pending bits. */
		seq = __atomic_load_n(&s->c_seq, __ATOMIC_ACQUIRE);
		lent = __atomic_load_n(&s->c_port, __ATOMIC_ACQUIRE);
		if (!(seq & 1) && lent &&
		    (__atomic_load_n(&s->b->si->evtchn_pending[lent / 64], __ATOMIC_SEQ_CST) &
		     (1UL << (lent % 64))) &&
		    __atomic_load_n(&s->c_seq, __ATOMIC_ACQUIRE) == seq)
			s->misdelivered++;
		drain(s->b, on_b, s);
		while (i < s->pings_seen) {
			i++;
			if (evtchn_send(s->b->d, s->pb) != 0)
				ERR(s);
		}
	}
	return NULL;
}

static void *thread_churn(void *arg)
{
	struct stress *s = arg;
	struct evtchn_domain *a = s->a->d, *b = s->b->d, *c = s->c->d;
	evtchn_port_t pb, q, cq, pa;

	pb = alloc_unbound(s->b, DOMID_SELF, 1);
	pa = bind_interdomain(s->a, 2, pb);
	__atomic_store_n(&s->churn_pa, pa, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&s->done, __ATOMIC_ACQUIRE)) {
		struct evtchn_status st;

		/* B closes its end: A's end must read unbound, reserved for B. */
		if (evtchn_close(b, pb) != 0)
			ERR(s);
		st = status_of(s->a, 1, pa);
		if (st.status != EVTCHNSTAT_unbound || st.u.unbound.dom != 2)
			ERR(s);
		/* Lend a (probably the same) B port to C; C never sends. */
		q = alloc_unbound(s->b, DOMID_SELF, 3);
		cq = bind_interdomain(s->c, 2, q);
		__atomic_fetch_add(&s->c_seq, 1, __ATOMIC_ACQ_REL);
		__atomic_store_n(&s->c_port, q, __ATOMIC_RELEASE);
		__atomic_fetch_add(&s->c_seq, 1, __ATOMIC_ACQ_REL);
		sched_yield();
		__atomic_fetch_add(&s->c_seq, 1, __ATOMIC_ACQ_REL);
		__atomic_store_n(&s->c_port, 0, __ATOMIC_RELEASE);
		__atomic_fetch_add(&s->c_seq, 1, __ATOMIC_ACQ_REL);
		if (evtchn_close(c, cq) != 0 || evtchn_close(b, q) != 0)
			ERR(s);
		/* A drops its stale end and both sides rebind. */
		if (evtchn_close(a, pa) != 0)
			ERR(s);
		pb = alloc_unbound(s->b, DOMID_SELF, 1);
		pa = bind_interdomain(s->a, 2, pb);
		__atomic_store_n(&s->churn_pa, pa, __ATOMIC_RELEASE);
	}
	return NULL;
}

START_TEST(t_stress)
{
	struct stress s = {0};
	pthread_t ta, tb, tc;

	s.a = mkdom(1, 0, false);
	s.b = mkdom(2, 0, false);
	s.c = mkdom(3, 0, false);
	s.pb = alloc_unbound(s.b, DOMID_SELF, 1);
	s.pa = bind_interdomain(s.a, 2, s.pb);
	ack_upcall(s.a, 0);
	ck_assert_int_eq(pthread_create(&tc, NULL, thread_churn, &s), 0);
	ck_assert_int_eq(pthread_create(&tb, NULL, thread_b, &s), 0);
	ck_assert_int_eq(pthread_create(&ta, NULL, thread_a, &s), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_join(tc, NULL);
	ck_assert_uint_eq(s.errors, 0);
	ck_assert_uint_eq(s.misdelivered, 0);
	ck_assert_uint_eq(s.pongs_seen, ROUNDS);
	ck_assert_uint_eq(s.pings_seen, ROUNDS);
	ck_assert_uint_eq(s.churn_ok + s.churn_inval, ROUNDS);
	/* The ping-pong channel is intact. */
	ck_assert_uint_eq(status_of(s.a, 1, s.pa).u.interdomain.port, s.pb);
}
END_TEST

static Suite *evtchn_suite(void)
{
	Suite *s = suite_create("evtchn");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, fake_world_init, fake_world_fini);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, t_exhaustion);
	tcase_add_test(tc, t_errors);
	tcase_add_test(tc, t_interdomain);
	tcase_add_test(tc, t_delivery_bits);
	tcase_add_test(tc, t_virq_ipi);
	tcase_add_test(tc, t_reset_destroy);
	tcase_add_test(tc, t_shadow_pending);
	tcase_add_test(tc, t_vcpu_info);
	tcase_add_test(tc, t_dom0_notify);
	tcase_add_test(tc, t_hypercall);
	tcase_add_test(tc, t_stress);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(evtchn_suite());
}
