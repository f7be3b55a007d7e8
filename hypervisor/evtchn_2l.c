/*
 * The 2-level event ABI: a port's pending and mask bits in shared_info,
 * one selector bit per 64 ports in the notified vCPU's vcpu_info.  Every
 * domain starts with it.  See evtchn_abi.h for when each operation runs.
 */
#include "config.h"

#include "evtchn_abi.h"

#define WORD_BITS 64u

/* Ports past the bitmaps (left valid by an earlier FIFO period) have no bits. */
static bool has_bits(evtchn_port_t port)
{
	return port < EVTCHN_2L_NR_CHANNELS;
}

static xen_ulong_t bit_of(evtchn_port_t port)
{
	return 1UL << (port % WORD_BITS);
}

/* Select the port's word in @vcpu's selector; raise the upcall if that was news. */
static void raise_selector(struct evtchn_domain *d, uint32_t vcpu, unsigned int word)
{
	struct vcpu_info *vi = evtchn_vcpu_info(d, vcpu);
	xen_ulong_t bit = 1UL << word;

	if (!vi)
		return;
	if (!(__atomic_fetch_or(&vi->evtchn_pending_sel, bit, __ATOMIC_SEQ_CST) & bit))
		evtchn_raise_upcall(d, vcpu);
}

/*
 * Xen's 2-level set_pending: pending bit; if it was clear and the port is
 * not masked, the selector bit; if that was clear, upcall_pending + kick.
 */
static void l2_set_pending(struct evtchn_domain *d, evtchn_port_t port, uint32_t vcpu)
{
	struct shared_info *si = d->si;
	unsigned int word = port / WORD_BITS;
	xen_ulong_t bit = bit_of(port);

	if (!si) {
		evtchn_set_shadow(&d->ports[port], true);
		return;
	}
	if (!has_bits(port))
		return;
	if (__atomic_fetch_or(&si->evtchn_pending[word], bit, __ATOMIC_SEQ_CST) & bit)
		return;
	if (d->ops->port_pending)
		d->ops->port_pending(d->owner, port, vcpu);
	if (__atomic_load_n(&si->evtchn_mask[word], __ATOMIC_SEQ_CST) & bit)
		return;
	raise_selector(d, vcpu, word);
}

static void l2_clear_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	evtchn_set_shadow(&d->ports[port], false);
	if (d->si && has_bits(port))
		__atomic_fetch_and(&d->si->evtchn_pending[port / WORD_BITS], ~bit_of(port),
		                   __ATOMIC_SEQ_CST);
}

/* Clear the mask bit; if the port was masked and is pending, redo the selector steps. */
static void l2_unmask(struct evtchn_domain *d, evtchn_port_t port)
{
	unsigned int word = port / WORD_BITS;
	xen_ulong_t bit = bit_of(port);
	struct shared_info *si = d->si;

	if (!si || !has_bits(port))
		return;
	if ((__atomic_fetch_and(&si->evtchn_mask[word], ~bit, __ATOMIC_SEQ_CST) & bit) &&
	    (__atomic_load_n(&si->evtchn_pending[word], __ATOMIC_SEQ_CST) & bit))
		raise_selector(d, evtchn_notify_vcpu(&d->ports[port]), word);
}

static bool l2_is_pending(struct evtchn_domain *d, evtchn_port_t port)
{
	struct shared_info *si = __atomic_load_n(&d->si, __ATOMIC_ACQUIRE);

	if (!si)
		return evtchn_shadow(&d->ports[port]);
	return has_bits(port) &&
	       (__atomic_load_n(&si->evtchn_pending[port / WORD_BITS], __ATOMIC_SEQ_CST) &
	        bit_of(port));
}

/*
 * Detaching keeps what the lost page had pending in the port table;
 * attaching delivers what the port table kept.
 */
static void l2_shared_info_moved(struct evtchn_domain *d, struct shared_info *old)
{
	uint32_t port, n = __atomic_load_n(&d->nr_valid, __ATOMIC_ACQUIRE);

	if (n > EVTCHN_2L_NR_CHANNELS)
		n = EVTCHN_2L_NR_CHANNELS;
	if (old && !d->si) {
		for (port = 1; port < n; port++)
			if (__atomic_load_n(&old->evtchn_pending[port / WORD_BITS],
			                    __ATOMIC_SEQ_CST) &
			    bit_of(port))
				evtchn_set_shadow(&d->ports[port], true);
	}
	if (!d->si)
		return;
	for (port = 1; port < n; port++) {
		struct evtchn_port *c = &d->ports[port];

		if (!evtchn_shadow(c))
			continue;
		evtchn_set_shadow(c, false);
		l2_set_pending(d, port, evtchn_notify_vcpu(c));
	}
}

/* No queues, so a closed port is free at once; no priorities (-ENOSYS, as on Xen). */
const struct evtchn_abi evtchn_2l_abi = EVTCHN_ABI(l2, EVTCHN_2L_NR_CHANNELS, NULL, NULL);
