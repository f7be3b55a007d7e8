/*
 * upcall: events wake a guest that waits with interrupts on (sti; hlt), in
 * each of the ways Xen delivers its upcall vector.  mode= on the command
 * line:
 *   nolapic  HVM_PARAM_CALLBACK_IRQ, and the local APIC is never touched
 *            (not enabled, never EOIed): on Xen this vector bypasses it
 *   lapic    HVM_PARAM_CALLBACK_IRQ with the LAPIC enabled and an EOI
 *            after each upcall (harmless on Xen: nothing is in service)
 *   percpu   HVMOP_set_evtchn_upcall_vector: through the LAPIC, EOIed
 *
 * Checks: five single-shot timer events, each waited for in hlt, arrive as
 * upcalls; with the callback vector (not percpu), an upcall whose handler
 * returns leaving evtchn_upcall_pending set comes again with no new event,
 * as Xen's callback is level-triggered on that flag.  A mode that does not
 * deliver leaves the guest in hlt for ever: the system test's timeout.
 */
#include "check.h"

#include <shoji/event_channel.h>
#include <shoji/xen.h>

#define MS    1000000ULL
#define TICKS 5

static volatile unsigned long ticks, upcalls;
static volatile bool leave_pending; /* the next upcall returns without dispatching */

static void on_tick(evtchn_port_t port, void *arg)
{
	ticks++;
}

static void on_upcall(void)
{
	upcalls++;
	if (leave_pending) {
		leave_pending = false;
		return;
	}
	evtchn_poll(); /* clears upcall_pending, runs on_tick */
}

/* Arm a single-shot timer 2 ms ahead and halt, interrupts on, until it has ticked. */
static void tick_in_hlt(void)
{
	unsigned long want = ticks + 1;

	timer_set_singleshot(monotonic_ns() + 2 * MS, false);
	while (ticks < want)
		__asm__ volatile("sti; hlt; cli" : : : "memory");
}

int guest_main(const struct hvm_start_info *si)
{
	char mode[16] = "lapic";
	evtchn_port_t port = 0;
	unsigned long before;

	cmdline_get(si, "mode", mode, sizeof(mode));
	if (!strcmp(mode, "nolapic"))
		irq_set_upcall_mode(IRQ_UPCALL_NO_LAPIC);
	else if (!strcmp(mode, "percpu"))
		irq_set_upcall_mode(IRQ_UPCALL_PER_VCPU);
	else if (strcmp(mode, "lapic")) {
		printf("upcall: mode=%s: use nolapic, lapic or percpu\n", mode);
		return 1;
	}
	if (!check_rc("upcall_evtchn_init", evtchn_init(), 0) ||
	    !check_rc("upcall_bind_virq", evtchn_bind_virq(VIRQ_TIMER, 0, &port), 0) ||
	    !check_rc("upcall_handler", irq_set_upcall_handler(on_upcall), 0))
		return check_finish();
	evtchn_set_handler(port, on_tick, NULL);
	evtchn_unmask(port);

	for (int i = 0; i < TICKS; i++)
		tick_in_hlt();
	check(ticks == TICKS && upcalls >= TICKS, "upcall_wakes_hlt", "%s: %lu ticks, %lu upcalls",
	      mode, ticks, upcalls);

	if (strcmp(mode, "percpu")) {
		before = upcalls;
		leave_pending = true;
		tick_in_hlt();
		check(upcalls - before == 2, "upcall_level_triggered",
		      "%s: %lu upcalls for one event left pending once", mode, upcalls - before);
	}
	return check_finish();
}
