/*
 * evtchn.c: event channels for the guest, 2-level ABI.
 *
 * Each port has a slot (handler, argument, the vCPU it notifies).  The
 * upcall (irq.c's vector, which clears evtchn_upcall_pending first) runs
 * evtchn_dispatch(): take this vCPU's selector word with an exchange, scan
 * the named words of pending & ~mask, clear each pending bit atomically
 * before calling the port's handler, and go round again while the
 * hypervisor raised upcall_pending meanwhile.  That is the order the
 * hypervisor's set_pending (pending bit, mask check, selector bit,
 * upcall_pending) expects, so no event is lost.
 *
 * Hot path note: guest kernel code is instruction-emulated on the
 * development hosts, so the dispatcher is kept short.
 */
#include "shoji-guest.h"

#include <shoji/event_channel.h>

#define WORD_BITS (sizeof(xen_ulong_t) * 8)

struct evtchn_slot {
	evtchn_handler_fn *fn;
	void *arg;
	unsigned int vcpu;
};

static struct evtchn_slot slots[EVTCHN_2L_NR_CHANNELS];
static struct shared_info *shinfo;

static inline unsigned int lowest_bit(xen_ulong_t w)
{
	xen_ulong_t r;

	/* bsf rather than tzcnt: the instruction emulator knows bsf. */
	__asm__("bsfq %1, %0" : "=r"(r) : "rm"(w));
	return (unsigned int)r;
}

static unsigned long irq_save(void)
{
	unsigned long flags;

	__asm__ volatile("pushfq; popq %0; cli" : "=r"(flags) : : "memory");
	return flags;
}

static void irq_restore(unsigned long flags)
{
	if (flags & 0x200)
		irq_enable();
}

static bool port_ok(evtchn_port_t port)
{
	return port < EVTCHN_2L_NR_CHANNELS;
}

static void evtchn_dispatch(void)
{
	struct shared_info *s = shinfo;
	unsigned int cpu = smp_cpu_id();
	struct vcpu_info *vi = &s->vcpu_info[cpu];
	xen_ulong_t sel, bits;

	do {
		__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_SEQ_CST);
		sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel != 0) {
			unsigned int w = lowest_bit(sel);

			sel &= sel - 1;
			bits = __atomic_load_n(&s->evtchn_pending[w], __ATOMIC_ACQUIRE) &
			       ~__atomic_load_n(&s->evtchn_mask[w], __ATOMIC_ACQUIRE);
			while (bits != 0) {
				unsigned int b = lowest_bit(bits);
				evtchn_port_t port = (evtchn_port_t)(w * WORD_BITS + b);
				struct evtchn_slot *e = &slots[port];

				bits &= bits - 1;
				if (e->vcpu != cpu)
					continue; /* the other vCPU's selector names it too */
				__atomic_fetch_and(&s->evtchn_pending[w], ~((xen_ulong_t)1 << b),
				                   __ATOMIC_SEQ_CST);
				if (e->fn != NULL)
					e->fn(port, e->arg);
			}
		}
	} while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE) != 0);
}

long evtchn_init(void)
{
	shinfo = shared_info_get();
	/* Also (re)enables this vCPU's local APIC, which secondaries need. */
	return irq_set_upcall_handler(evtchn_dispatch);
}

void evtchn_poll(void)
{
	if (shinfo != NULL)
		evtchn_dispatch();
}

/* Take a port the hypervisor just handed out: masked, notifying vcpu. */
static void claim(evtchn_port_t port, unsigned int vcpu)
{
	struct shared_info *s = shinfo != NULL ? shinfo : shared_info_get();

	__atomic_fetch_or(&s->evtchn_mask[port / WORD_BITS], (xen_ulong_t)1 << (port % WORD_BITS),
	                  __ATOMIC_SEQ_CST);
	slots[port] = (struct evtchn_slot){.vcpu = vcpu};
}

long evtchn_alloc_unbound(domid_t remote, evtchn_port_t *port)
{
	struct evtchn_alloc_unbound op = {.dom = DOMID_SELF, .remote_dom = remote};
	unsigned long flags = irq_save();
	long rc = hyp_event_channel_op(EVTCHNOP_alloc_unbound, &op);

	if (rc == 0 && port_ok(op.port)) {
		claim(op.port, 0);
		*port = op.port;
	}
	irq_restore(flags);
	return rc;
}

long evtchn_bind_interdomain(domid_t remote, evtchn_port_t remote_port, evtchn_port_t *port)
{
	struct evtchn_bind_interdomain op = {.remote_dom = remote, .remote_port = remote_port};
	unsigned long flags = irq_save();
	long rc = hyp_event_channel_op(EVTCHNOP_bind_interdomain, &op);

	if (rc == 0 && port_ok(op.local_port)) {
		claim(op.local_port, 0);
		*port = op.local_port;
	}
	irq_restore(flags);
	return rc;
}

long evtchn_bind_virq(uint32_t virq, unsigned int vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_virq op = {.virq = virq, .vcpu = vcpu};
	unsigned long flags = irq_save();
	long rc = hyp_event_channel_op(EVTCHNOP_bind_virq, &op);

	if (rc == 0 && port_ok(op.port)) {
		claim(op.port, vcpu);
		*port = op.port;
	}
	irq_restore(flags);
	return rc;
}

long evtchn_bind_ipi(unsigned int vcpu, evtchn_port_t *port)
{
	struct evtchn_bind_ipi op = {.vcpu = vcpu};
	unsigned long flags = irq_save();
	long rc = hyp_event_channel_op(EVTCHNOP_bind_ipi, &op);

	if (rc == 0 && port_ok(op.port)) {
		claim(op.port, vcpu);
		*port = op.port;
	}
	irq_restore(flags);
	return rc;
}

void evtchn_set_handler(evtchn_port_t port, evtchn_handler_fn *fn, void *arg)
{
	unsigned long flags;

	if (!port_ok(port))
		return;
	flags = irq_save();
	slots[port].fn = fn;
	slots[port].arg = arg;
	irq_restore(flags);
}

void evtchn_mask(evtchn_port_t port)
{
	if (port_ok(port))
		__atomic_fetch_or(&shared_info_get()->evtchn_mask[port / WORD_BITS],
		                  (xen_ulong_t)1 << (port % WORD_BITS), __ATOMIC_SEQ_CST);
}

long evtchn_unmask(evtchn_port_t port)
{
	struct evtchn_unmask op = {.port = port};

	/* The hypervisor clears the mask and re-raises a pending event. */
	return hyp_event_channel_op(EVTCHNOP_unmask, &op);
}

long evtchn_send(evtchn_port_t port)
{
	struct evtchn_send op = {.port = port};

	return hyp_event_channel_op(EVTCHNOP_send, &op);
}

long evtchn_close(evtchn_port_t port)
{
	struct evtchn_close op = {.port = port};
	unsigned long flags = irq_save();
	long rc = hyp_event_channel_op(EVTCHNOP_close, &op);

	if (rc == 0 && port_ok(port))
		slots[port] = (struct evtchn_slot){0};
	irq_restore(flags);
	return rc;
}

bool evtchn_test_and_clear(evtchn_port_t port)
{
	xen_ulong_t bit = (xen_ulong_t)1 << (port % WORD_BITS);

	if (!port_ok(port))
		return false;
	return (__atomic_fetch_and(&shared_info_get()->evtchn_pending[port / WORD_BITS], ~bit,
	                           __ATOMIC_SEQ_CST) &
	        bit) != 0;
}

bool evtchn_wait(bool (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
	unsigned long flags = irq_save();
	bool ok;

	for (;;) {
		ok = done(arg);
		if (ok || (deadline_ns != 0 && monotonic_ns() >= deadline_ns))
			break;
		if (deadline_ns != 0)
			timer_set_singleshot(deadline_ns, false);
		/* Interrupts are off: an event that arrived after done() was
		 * asked leaves upcall_pending set, so the block returns. */
		sched_block();
		/*
		 * upcall_pending set with interrupts off means the upcall
		 * vector waits in the local APIC.  "sti; hlt" takes it at
		 * once (sti's one-instruction shadow keeps it from landing
		 * before the hlt, which would then sleep); a bare window
		 * would not: KVM here injects it only some instructions
		 * after sti.  Wake-ups without an event (a timer with no
		 * VIRQ bound) skip this and just re-check.
		 */
		if (shinfo != NULL &&
		    __atomic_load_n(&shinfo->vcpu_info[smp_cpu_id()].evtchn_upcall_pending,
		                    __ATOMIC_ACQUIRE) != 0)
			__asm__ volatile("sti; hlt; cli" : : : "memory");
	}
	irq_restore(flags);
	return ok;
}

long evtchn_poll_ports(evtchn_port_t *ports, unsigned int nr_ports, uint64_t deadline_ns)
{
	return sched_poll(ports, nr_ports, deadline_ns);
}
