/*
 * evtchn.c: event channels for the guest, 2-level ABI.
 *
 * Each port has a slot (handler, argument, the vCPU it notifies).
 * evtchn_dispatch() clears this vCPU's evtchn_upcall_pending, takes its
 * selector word with an exchange, scans the named words of pending & ~mask
 * with bsf, clears each pending bit atomically before calling the port's
 * handler, and goes round again while the hypervisor raised upcall_pending
 * meanwhile.  That is the order the hypervisor's set_pending (pending bit,
 * mask check, selector bit, upcall_pending) expects, so no event is lost.
 * It runs from the upcall vector (irq.c) and, inside evtchn_wait(), called
 * directly: see there.
 *
 * Hot path note: guest kernel code is instruction-emulated on the
 * development hosts (about a microsecond per instruction), so the notify,
 * dispatch and wait paths are kept short: no calls they can avoid, no
 * hypercall they can skip.
 */
#include "shoji-guest.h"
#include "guest-internal.h"

#include <shoji/event_channel.h>
#include <shoji/sched.h>

#define WORD_BITS (sizeof(xen_ulong_t) * 8)

struct evtchn_slot {
	evtchn_handler_fn *fn;
	void *arg;
	unsigned int vcpu;
};

static struct evtchn_slot slots[EVTCHN_2L_NR_CHANNELS];
static struct shared_info *shinfo;

/* rdtsc() inlined, for the wait loop's deadline test. */
static inline uint64_t tsc_now(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

/* Atomically clear bit b of *word (lock btr: no mask to build). */
static inline void clear_bit_locked(unsigned int b, xen_ulong_t *word)
{
	__asm__ volatile("lock btrq %1, %0" : "+m"(*word) : "r"((xen_ulong_t)b) : "memory");
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

/* Run this vCPU's pending handlers in selector word w (interrupts off). */
static inline void dispatch_word(unsigned int w, unsigned int cpu)
{
	/* shinfo is re-read after each handler: fewer values live across the call. */
	xen_ulong_t bits = __atomic_load_n(&shinfo->evtchn_pending[w], __ATOMIC_ACQUIRE) &
	                   ~__atomic_load_n(&shinfo->evtchn_mask[w], __ATOMIC_ACQUIRE);

	while (bits != 0) {
		unsigned int b = lowest_bit(bits);
		evtchn_port_t port = (evtchn_port_t)(w * WORD_BITS + b);
		const struct evtchn_slot *e = &slots[port];

		bits &= bits - 1;
		if (e->vcpu != cpu)
			continue; /* the other vCPU's selector names it too */
		clear_bit_locked(b, &shinfo->evtchn_pending[w]);
		if (e->fn != NULL)
			e->fn(port, e->arg);
	}
}

/* Run the handlers of every port pending for this vCPU (interrupts off). */
static void evtchn_dispatch(void)
{
	const unsigned int cpu = guest_cpu_self()->id;
	struct vcpu_info *vi = &shinfo->vcpu_info[cpu];

	do {
		xen_ulong_t sel;

		/* A plain store: the locked exchange below orders it before the scan. */
		__atomic_store_n(&vi->evtchn_upcall_pending, 0, __ATOMIC_RELAXED);
		sel = __atomic_exchange_n(&vi->evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
		while (sel != 0) {
			unsigned int w = lowest_bit(sel);

			sel &= sel - 1;
			dispatch_word(w, cpu);
		}
	} while (__atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE) != 0);
}

/* With interrupts off: dispatch if this vCPU has events; true if it had. */
static bool dispatch_pending(void)
{
	if (shinfo == NULL ||
	    __atomic_load_n(&shinfo->vcpu_info[guest_cpu_self()->id].evtchn_upcall_pending,
	                    __ATOMIC_ACQUIRE) == 0)
		return false;
	evtchn_dispatch();
	return true;
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

	return hypercall2(__HYPERVISOR_event_channel_op, EVTCHNOP_send, &op);
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

/*
 * The TSC value at which deadline_ns (system time) will have passed,
 * rounded down and less 1/1024 of the wait, so that "rdtsc() is below it"
 * proves the deadline is still ahead without reading the pvclock.  0 when
 * the clock factors are not there (every test then reads the pvclock).
 */
static uint64_t deadline_tsc(uint64_t deadline_ns, uint64_t now_ns, uint64_t tsc_before)
{
	const volatile struct vcpu_time_info *t = &shinfo->vcpu_info[guest_cpu_self()->id].time;
	uint64_t mul, delta = deadline_ns - now_ns, ticks;
	uint32_t version;
	int8_t shift;

	do { /* a consistent pair: the hypervisor bumps version around updates */
		version = t->version;
		__asm__ volatile("" : : : "memory");
		mul = t->tsc_to_system_mul;
		shift = t->tsc_shift;
		__asm__ volatile("" : : : "memory");
	} while ((version & 1) || version != t->version);
	if (mul == 0 || deadline_ns <= now_ns)
		return 0;
	/* pvclock: ns = ((tsc shifted by tsc_shift) * mul) >> 32; inverted, rounding down. */
	ticks = ((delta / mul) << 32) + ((delta % mul) << 32) / mul;
	ticks = shift >= 0 ? ticks >> shift : ticks << -shift;
	return tsc_before + ticks - ticks / 1024;
}

bool evtchn_wait(bool (*done)(void *arg), void *arg, uint64_t deadline_ns)
{
	unsigned long flags = irq_save();
	uint64_t soon = 0; /* below this TSC value the deadline is surely ahead */
	bool ok;

	for (;;) {
		/*
		 * Events run their handlers here, called directly rather than
		 * through the upcall vector (interrupts stay off).  The vector
		 * the hypervisor raised stays pending in the local APIC and is
		 * taken, finding nothing or later events, once interrupts are on.
		 */
		bool had_events = dispatch_pending();

		ok = done(arg);
		if (ok)
			break;
		/*
		 * The pvclock is read (and the timer armed) on the first pass,
		 * on wake-ups without an event (the timer, say) and once the
		 * TSC says the deadline may be near; event wake-ups before
		 * then cost one rdtsc.
		 */
		if (deadline_ns != 0 && (!had_events || soon == 0 || tsc_now() >= soon)) {
			uint64_t tsc = tsc_now(), now = monotonic_ns();

			if (now >= deadline_ns)
				break;
			timer_set_singleshot(deadline_ns, false);
			soon = shinfo != NULL ? deadline_tsc(deadline_ns, now, tsc) : 0;
		}
		/* sched_block(), inlined: returns at once if an event came after dispatch_pending(). */
		hypercall2(__HYPERVISOR_sched_op, SCHEDOP_block, NULL);
	}
	irq_restore(flags);
	return ok;
}

long evtchn_poll_ports(evtchn_port_t *ports, unsigned int nr_ports, uint64_t deadline_ns)
{
	return sched_poll(ports, nr_ports, deadline_ns);
}
