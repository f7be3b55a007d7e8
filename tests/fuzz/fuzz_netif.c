/*
 * libFuzzer target over shoji-netback's tx request validator and header
 * parser: the input is a flags byte (the features offered, how many slots
 * are produced) and then tx ring slots (12 bytes each), which are also
 * parsed as a frame.  Besides "no crash, no UB", every packet the
 * validator passes must keep its promises: fragments inside their page and
 * adding up to the packet, the slot count and packet size limits, only
 * offered GSO types, and every answer inside the slots produced.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "netif_check.h"
#include "pkt_l4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct netif_tx_request slots[NET_TX_WINDOW + 8];
	struct net_tx_limits lim;
	struct net_tx_pkt p;
	struct pkt_l4 l4;
	unsigned int avail, n;
	enum net_tx_verdict v;
	uint32_t sum = 0;

	if (size < 1)
		return 0;
	lim = (struct net_tx_limits){
	    .sg = data[0] & 1, .gso_tcpv4 = data[0] & 2, .gso_tcpv6 = data[0] & 4};
	data++;
	size--;
	if (pkt_l4_find(data, size, &l4) == 0 && ((size_t)l4.start + l4.csum_off + 2 > size ||
	                                          l4.hdr_len > size || l4.hdr_len <= l4.start))
		abort();
	n = (unsigned int)(size / sizeof(slots[0]));
	if (n > NET_TX_WINDOW + 8)
		n = NET_TX_WINDOW + 8;
	memcpy(slots, data, n * sizeof(slots[0]));
	avail = n;
	v = netif_check_tx(slots, avail, &lim, &p);
	switch (v) {
	case NET_TX_INCOMPLETE:
		if (avail >= NET_TX_WINDOW)
			abort();
		return 0;
	case NET_TX_CORRUPT:
		if (avail < NET_TX_WINDOW || !p.why)
			abort();
		return 0;
	case NET_TX_DROP:
		if (p.nslots == 0 || p.nslots > avail || p.nslots > NET_TX_WINDOW || !p.why)
			abort();
		return 0;
	case NET_TX_OK:
		break;
	default:
		abort();
	}
	if (p.nslots == 0 || p.nslots > avail || p.nslots > NET_TX_WINDOW)
		abort();
	if (p.nfrags == 0 || p.nfrags > NET_TX_MAX_FRAGS || (p.nfrags > 1 && !lim.sg))
		abort();
	if (p.nslots != p.nfrags + (unsigned int)__builtin_popcountll(p.extra_mask))
		abort();
	if (p.nslots < 64 && (p.extra_mask >> p.nslots))
		abort();
	for (unsigned int i = 0; i < p.nfrags; i++) {
		if (p.frag[i].len == 0 || (uint32_t)p.frag[i].offset + p.frag[i].len > 4096)
			abort();
		sum += p.frag[i].len;
	}
	if (sum != p.len || p.len != slots[0].size || p.len < NET_TX_MIN_SIZE)
		abort();
	if (p.gso_type == XEN_NETIF_GSO_TYPE_NONE && p.len > NET_TX_MAX_PLAIN)
		abort();
	if ((p.gso_type == XEN_NETIF_GSO_TYPE_TCPV4 && !lim.gso_tcpv4) ||
	    (p.gso_type == XEN_NETIF_GSO_TYPE_TCPV6 && !lim.gso_tcpv6) ||
	    (p.gso_type != XEN_NETIF_GSO_TYPE_NONE && p.gso_size == 0))
		abort();
	return 0;
}
