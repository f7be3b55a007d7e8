/*
 * pkt_l4.c: find a frame's TCP or UDP header (see pkt_l4.h).
 */
#include "config.h"

#include "pkt_l4.h"

#define ETH_HLEN       14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define IPPROTO_TCP_   6
#define IPPROTO_UDP_   17

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* IPv4 at @off: the L4 offset and protocol; -1 for a fragment or a bad header. */
static int ipv4(const uint8_t *f, size_t len, size_t off, size_t *l4, uint8_t *proto)
{
	size_t ihl;

	if (len < off + 20 || (f[off] >> 4) != 4)
		return -1;
	ihl = (size_t)(f[off] & 0xf) * 4;
	if (ihl < 20 || len < off + ihl)
		return -1;
	if (be16(f + off + 6) & 0x3fff) /* more-fragments or a fragment offset */
		return -1;
	*proto = f[off + 9];
	*l4 = off + ihl;
	return 0;
}

/* IPv6 at @off, skipping the extension headers a checksum may come after. */
static int ipv6(const uint8_t *f, size_t len, size_t off, size_t *l4, uint8_t *proto)
{
	uint8_t next;

	if (len < off + 40 || (f[off] >> 4) != 6)
		return -1;
	next = f[off + 6];
	off += 40;
	for (int n = 0; n < 8; n++) {
		if (next != 0 && next != 43 && next != 60) /* hop-by-hop, routing, dst options */
			break;
		if (len < off + 8)
			return -1;
		next = f[off];
		off += ((size_t)f[off + 1] + 1) * 8;
	}
	if (next == 0 || next == 43 || next == 60)
		return -1;
	*proto = next;
	*l4 = off;
	return 0;
}

int pkt_l4_find(const uint8_t *frame, size_t len, struct pkt_l4 *out)
{
	size_t off = ETH_HLEN, l4 = 0, hdr;
	uint16_t type;
	uint8_t proto = 0;
	int rc;

	if (len < ETH_HLEN)
		return -1;
	type = be16(frame + 12);
	if (type == ETHERTYPE_VLAN) {
		if (len < ETH_HLEN + 4)
			return -1;
		type = be16(frame + 16);
		off += 4;
	}
	if (type == ETHERTYPE_IPV4)
		rc = ipv4(frame, len, off, &l4, &proto);
	else if (type == ETHERTYPE_IPV6)
		rc = ipv6(frame, len, off, &l4, &proto);
	else
		return -1;
	if (rc < 0)
		return -1;
	if (proto == IPPROTO_TCP_) {
		if (len < l4 + 20)
			return -1;
		hdr = (size_t)(frame[l4 + 12] >> 4) * 4;
		if (hdr < 20 || len < l4 + hdr)
			return -1;
		out->csum_off = 16;
	} else if (proto == IPPROTO_UDP_) {
		hdr = 8;
		if (len < l4 + hdr)
			return -1;
		out->csum_off = 6;
	} else {
		return -1;
	}
	if (l4 + hdr > UINT16_MAX)
		return -1;
	out->start = (uint16_t)l4;
	out->hdr_len = (uint16_t)(l4 + hdr);
	out->proto = proto;
	out->ipv6 = type == ETHERTYPE_IPV6;
	return 0;
}
