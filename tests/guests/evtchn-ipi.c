/*
 * evtchn-ipi: IPIs between two vCPUs over EVTCHNOP_bind_ipi ports.
 *
 * vCPU 0 binds one IPI port to itself and one to vCPU 1; the two vCPUs
 * then bounce rounds=N (default 1000) IPIs, each waiting for the other's
 * before sending the next.  Every handler call is counted and must run on
 * the vCPU its port names.  Also: binding an IPI to a vCPU that does not
 * exist is -ENOENT; SCHEDOP_poll on a masked IPI port of vCPU 0 returns when
 * vCPU 1 sends on it (pending bit set, no handler).  Run with 2 vCPUs.
 */
#include "evtchn-lib.h"

#include <shoji/event_channel.h>

struct ipi_side {
	volatile unsigned long count;
	unsigned long target;
	unsigned int cpu;
};

static struct ipi_side side[2] = {{.cpu = 0}, {.cpu = 1}};
static volatile unsigned int wrong_cpu;
static evtchn_port_t port0, port1, polled;
static unsigned long rounds;
static volatile bool ap_ready;

static void on_ipi(evtchn_port_t port, void *arg)
{
	struct ipi_side *s = arg;

	if (smp_cpu_id() != s->cpu)
		wrong_cpu++;
	s->count++;
}

static bool reached(void *arg)
{
	const struct ipi_side *s = arg;

	return s->count >= s->target;
}

static void ap_main(unsigned int vcpu, void *arg)
{
	evtchn_init(); /* this vCPU's local APIC */
	ap_ready = true;
	for (unsigned long i = 1; i <= rounds; i++) {
		side[1].target = i;
		evtchn_wait(reached, &side[1], 0);
		evtchn_send(port0);
	}
	/* Wake vCPU 0 out of SCHEDOP_poll on a masked port. */
	sleep_ns(20 * MS);
	evtchn_send(polled);
}

int guest_main(const struct hvm_start_info *si)
{
	struct evtchn_status st = {.dom = DOMID_SELF};
	evtchn_port_t bad = 0;
	uint64_t deadline = monotonic_ns() + cmdline_ulong(si, "timeout_ms", 120000) * MS;
	unsigned long i;

	rounds = cmdline_ulong(si, "rounds", 1000);
	if (!check(smp_nr_vcpus() >= 2, "ipi_two_vcpus", "vcpus=%u", smp_nr_vcpus()) ||
	    !check_rc("ipi_evtchn_init", evtchn_init(), 0) ||
	    !check_rc("ipi_bind_vcpu0", evtchn_bind_ipi(0, &port0), 0) ||
	    !check_rc("ipi_bind_vcpu1", evtchn_bind_ipi(1, &port1), 0) ||
	    !check_rc("ipi_bind_polled", evtchn_bind_ipi(0, &polled), 0))
		return check_finish();
	check_rc("ipi_bind_no_such_vcpu", evtchn_bind_ipi(4000, &bad), -XEN_ENOENT);
	st.port = port1;
	hyp_event_channel_op(EVTCHNOP_status, &st);
	check(st.status == EVTCHNSTAT_ipi && st.vcpu == 1, "ipi_status", "status=%u vcpu=%u",
	      st.status, st.vcpu);
	evtchn_set_handler(port0, on_ipi, &side[0]);
	evtchn_set_handler(port1, on_ipi, &side[1]);
	evtchn_unmask(port0);
	evtchn_unmask(port1);

	if (!check_rc("ipi_start_vcpu1", smp_start_vcpu(1, ap_main, NULL), 0))
		return check_finish();
	while (!ap_ready && monotonic_ns() < deadline)
		sched_yield();
	for (i = 1; i <= rounds; i++) {
		side[0].target = i;
		evtchn_send(port1);
		if (!evtchn_wait(reached, &side[0], deadline))
			break;
	}
	check_rc("ipi_vcpu0_received", (long)side[0].count, (long)rounds);
	check_rc("ipi_vcpu1_received", (long)side[1].count, (long)rounds);
	check_rc("ipi_on_right_vcpu", wrong_cpu, 0);
	/* vCPU 1 sends on the masked port 20 ms after its last IPI. */
	check_rc("ipi_poll_rc", evtchn_poll_ports(&polled, 1, deadline), 0);
	check(evtchn_test_and_clear(polled) && monotonic_ns() < deadline, "ipi_poll_woken", NULL);
	return check_finish();
}
