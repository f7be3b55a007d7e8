/*
 * netif_check.c: the tx request validator (see netif_check.h).  A pure
 * function: no I/O, no state, so the unit tests and the fuzzer call it
 * exactly as the ring consumer does.
 *
 * The chain is walked to its end first (so that a bad packet is consumed
 * whole and the next one starts at the right slot), then judged.
 */
#include "config.h"

#include <string.h>

#include "netif_check.h"

#define PAGE_SIZE 4096u
#define TX_FLAGS_KNOWN                                                                             \
	(NETTXF_csum_blank | NETTXF_data_validated | NETTXF_more_data | NETTXF_extra_info)

/* One extra-info slot: what it asks for, or why it is refused. */
static const char *check_extra(const struct netif_extra_info *x, const struct net_tx_limits *lim,
                               struct net_tx_pkt *out)
{
	if (x->type != XEN_NETIF_EXTRA_TYPE_GSO)
		return "an extra-info type that was not offered";
	if (out->gso_type != XEN_NETIF_GSO_TYPE_NONE)
		return "two GSO extra-info slots";
	if (x->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV4 && !lim->gso_tcpv4)
		return "GSO tcpv4 without feature-gso-tcpv4";
	if (x->u.gso.type == XEN_NETIF_GSO_TYPE_TCPV6 && !lim->gso_tcpv6)
		return "GSO tcpv6 without feature-gso-tcpv6";
	if (x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV4 && x->u.gso.type != XEN_NETIF_GSO_TYPE_TCPV6)
		return "an unknown GSO type";
	if (x->u.gso.size == 0)
		return "GSO with a segment size of 0";
	out->gso_type = x->u.gso.type;
	out->gso_size = x->u.gso.size;
	return NULL;
}

/* The walked chain's fragments: sizes, pages, totals. */
static const char *check_frags(const struct netif_tx_request *first, unsigned int nfrags,
                               const struct net_tx_limits *lim, struct net_tx_pkt *out)
{
	uint32_t rest = 0;

	if (nfrags > NET_TX_MAX_FRAGS)
		return "more data slots than a packet may use";
	if (nfrags > 1 && !lim->sg)
		return "a packet in several slots without feature-sg";
	for (unsigned int i = 1; i < nfrags; i++) {
		if (out->frag[i].len == 0)
			return "a data slot of size 0";
		rest += out->frag[i].len;
	}
	if (rest >= first->size)
		return "its slots hold more than the packet's size";
	out->frag[0].len = (uint16_t)(first->size - rest);
	for (unsigned int i = 0; i < nfrags; i++)
		if ((uint32_t)out->frag[i].offset + out->frag[i].len > PAGE_SIZE)
			return "a slot that crosses the end of its page";
	out->len = first->size;
	if (out->len < NET_TX_MIN_SIZE)
		return "shorter than an Ethernet header";
	if (out->len > NET_TX_MAX_PLAIN && out->gso_type == XEN_NETIF_GSO_TYPE_NONE)
		return "longer than an Ethernet frame, without GSO";
	return NULL;
}

enum net_tx_verdict netif_check_tx(const struct netif_tx_request *slots, unsigned int avail,
                                   const struct net_tx_limits *lim, struct net_tx_pkt *out)
{
	unsigned int window = avail < NET_TX_WINDOW ? avail : NET_TX_WINDOW;
	const struct netif_tx_request *first = &slots[0];
	const char *why = NULL;
	unsigned int i = 1, nfrags = 1;
	bool more;

	out->nslots = 0;
	out->extra_mask = 0;
	out->nfrags = 0;
	out->len = 0;
	out->gso_type = XEN_NETIF_GSO_TYPE_NONE;
	out->gso_size = 0;
	out->why = NULL;
	if (window == 0)
		return NET_TX_INCOMPLETE;
	out->id[0] = first->id;
	out->frag[0] = (struct net_tx_frag){.gref = first->gref, .offset = first->offset};
	out->csum_blank = first->flags & NETTXF_csum_blank;
	out->data_validated = first->flags & NETTXF_data_validated;
	if (first->flags & ~TX_FLAGS_KNOWN)
		why = "unknown tx flags";
	more = first->flags & NETTXF_extra_info;
	while (more) { /* the extra-info slots after the first request */
		struct netif_extra_info x;
		const char *bad;

		if (i == window)
			goto short_chain;
		memcpy(&x, &slots[i], sizeof(x));
		out->extra_mask |= 1ull << i;
		out->id[i++] = first->id;
		bad = check_extra(&x, lim, out);
		if (!why)
			why = bad;
		more = x.flags & XEN_NETIF_EXTRA_FLAG_MORE;
	}
	more = first->flags & NETTXF_more_data;
	while (more) { /* the data slots */
		const struct netif_tx_request *s;

		if (i == window)
			goto short_chain;
		s = &slots[i];
		out->id[i++] = s->id;
		if (nfrags < NET_TX_MAX_FRAGS)
			out->frag[nfrags] = (struct net_tx_frag){
			    .gref = s->gref, .offset = s->offset, .len = s->size};
		nfrags++;
		if (!why && (s->flags & ~(TX_FLAGS_KNOWN & ~NETTXF_extra_info)))
			why = "extra info or unknown flags on a later slot";
		more = s->flags & NETTXF_more_data;
	}
	out->nslots = i;
	if (!why)
		why = check_frags(first, nfrags, lim, out);
	if (why) {
		out->why = why;
		return NET_TX_DROP;
	}
	out->nfrags = nfrags;
	return NET_TX_OK;
short_chain:
	if (window < NET_TX_WINDOW)
		return NET_TX_INCOMPLETE;
	out->why = "a packet's chain runs on past the slots any packet may use";
	return NET_TX_CORRUPT;
}
