/*
 * evtchn-hostile: a guest abusing event_channel_op gets Xen's errors and
 * the hypervisor keeps going.
 *
 * Bad ports (reserved port 0, the lowest free port, ports beyond the table, huge
 * numbers) in every call that takes one: -EINVAL, except where Xen only
 * asks for a port inside the table (unmask: 0; status: "closed").  Domains that do not
 * exist: -ESRCH.  Bad VIRQs and vCPUs.  Port exhaustion: alloc_unbound
 * until -ENOSPC, which must come after exactly max_port (1023, shoji-hv's
 * default) ports; sends on unbound ports are dropped (0); closing them all
 * makes ports available again; a second close is -EINVAL.
 */
#include "evtchn-lib.h"

#include <shoji/event_channel.h>

#define NO_SUCH_DOMAIN 0x7ef0 /* below DOMID_FIRST_RESERVED, never created */
#define MAX_PORT       1023

static evtchn_port_t ports[MAX_PORT + 1];

static long op(int cmd, void *arg)
{
	return hyp_event_channel_op(cmd, arg);
}

/* The lowest free port of the table: ports the runtime or shoji-hv bound (a console) are not. */
static evtchn_port_t lowest_free_port(void)
{
	for (evtchn_port_t p = 1; p < 63; p++) {
		struct evtchn_status st = {.dom = DOMID_SELF, .port = p};

		if (op(EVTCHNOP_status, &st) == 0 && st.status == EVTCHNSTAT_closed)
			return p;
	}
	return 62;
}

static void test_bad_ports(void)
{
	evtchn_port_t bad[] = {0,    0 /* lowest free */, 63,        64, 1023, 4095,
	                       4096, 0x7fffffff,          0xffffffff};
	char name[64];

	bad[1] = lowest_free_port();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct evtchn_status st = {.dom = DOMID_SELF, .port = bad[i]};
		struct evtchn_bind_vcpu bv = {.port = bad[i], .vcpu = 0};
		long rc;

		snprintf(name, sizeof(name), "evtchn_bad_port_%u_send", bad[i]);
		check_rc(name, evtchn_send(bad[i]), -XEN_EINVAL);
		snprintf(name, sizeof(name), "evtchn_bad_port_%u_close", bad[i]);
		check_rc(name, evtchn_close(bad[i]), -XEN_EINVAL);
		/* Unmask, like Xen's, only asks that the port number be valid. */
		snprintf(name, sizeof(name), "evtchn_bad_port_%u_unmask", bad[i]);
		check_rc(name, evtchn_unmask(bad[i]), bad[i] < 64 ? 0 : -XEN_EINVAL);
		snprintf(name, sizeof(name), "evtchn_bad_port_%u_bind_vcpu", bad[i]);
		check_rc(name, op(EVTCHNOP_bind_vcpu, &bv), -XEN_EINVAL);
		/* Ports of the table (reserved 0 too) have a status: "closed". */
		rc = op(EVTCHNOP_status, &st);
		snprintf(name, sizeof(name), "evtchn_bad_port_%u_status", bad[i]);
		if (bad[i] < 64)
			check(rc == 0 && st.status == EVTCHNSTAT_closed, name, "rc=%ld status=%u",
			      rc, st.status);
		else
			check_rc(name, rc, -XEN_EINVAL);
	}
}

static void test_no_domain(void)
{
	struct evtchn_alloc_unbound au = {.dom = NO_SUCH_DOMAIN, .remote_dom = DOMID_SELF};
	struct evtchn_status st = {.dom = NO_SUCH_DOMAIN, .port = 1};
	evtchn_port_t p = 0;

	check_rc("evtchn_bind_interdomain_no_domain",
	         evtchn_bind_interdomain(NO_SUCH_DOMAIN, 1, &p), -XEN_ESRCH);
	check_rc("evtchn_alloc_unbound_in_no_domain", op(EVTCHNOP_alloc_unbound, &au), -XEN_ESRCH);
	check_rc("evtchn_status_no_domain", op(EVTCHNOP_status, &st), -XEN_ESRCH);
}

static void test_virq(void)
{
	evtchn_port_t p = 0;

	check_rc("evtchn_bind_virq_bad_virq", evtchn_bind_virq(99, 0, &p), -XEN_EINVAL);
	check_rc("evtchn_bind_virq_no_such_vcpu", evtchn_bind_virq(VIRQ_TIMER, 4000, &p),
	         -XEN_ENOENT);
	check_rc("evtchn_bind_global_virq_vcpu1", evtchn_bind_virq(VIRQ_DOM_EXC, 1, &p),
	         -XEN_EINVAL);
}

static void test_exhaustion(void)
{
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = 0};
	unsigned int n = 0, highest = 0, close_errors = 0, in_use = 0;
	long rc;

	/* Ports bound before the test (shoji-hv run's console) count towards the limit. */
	for (evtchn_port_t p = 1; p <= MAX_PORT; p++) {
		struct evtchn_status st = {.dom = DOMID_SELF, .port = p};

		in_use += op(EVTCHNOP_status, &st) == 0 && st.status != EVTCHNSTAT_closed;
	}
	while ((rc = op(EVTCHNOP_alloc_unbound, &au)) == 0 && n <= MAX_PORT) {
		ports[n++] = au.port;
		if (au.port > highest)
			highest = au.port;
	}
	check_rc("evtchn_exhaustion_enospc", rc, -XEN_ENOSPC);
	check(n + in_use == MAX_PORT && highest == MAX_PORT, "evtchn_exhaustion_count",
	      "%u ports, highest %u", n + in_use, highest);
	check_rc("evtchn_exhaustion_ipi_enospc", evtchn_bind_ipi(0, &ports[MAX_PORT]), -XEN_ENOSPC);
	check_rc("evtchn_send_unbound_dropped", evtchn_send(ports[0]), 0);
	for (unsigned int i = 0; i < n; i++)
		close_errors += evtchn_close(ports[i]) != 0;
	check_rc("evtchn_exhaustion_close_all", close_errors, 0);
	check_rc("evtchn_double_close", evtchn_close(ports[0]), -XEN_EINVAL);
	rc = op(EVTCHNOP_alloc_unbound, &au);
	check(rc == 0 && au.port == ports[0], "evtchn_alloc_after_exhaustion", "rc=%ld port=%u", rc,
	      au.port);
}

int guest_main(const struct hvm_start_info *si)
{
	evtchn_port_t p = 5000;

	if (!check_rc("evtchn_hostile_init", evtchn_init(), 0))
		return check_finish();
	test_bad_ports();
	check_rc("evtchn_poll_bad_port", evtchn_poll_ports(&p, 1, monotonic_ns() + MS),
	         -XEN_EINVAL);
	test_no_domain();
	test_virq();
	test_exhaustion();
	return check_finish();
}
