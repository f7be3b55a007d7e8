/*
 * pkt_l4.h - where a frame's TCP or UDP header is, for the checksum and
 * GSO fields of the TAP's virtio-net header.
 *
 * Xen's netif says only "checksum blank" (NETTXF_csum_blank) and "GSO of
 * this MSS"; a TAP wants the offsets of the checksum, as a NIC would.
 * The frame is the backend's private copy (read once from the grants), and
 * every header is bounds-checked against its length.
 */
#ifndef NETBACK_PKT_L4_H
#define NETBACK_PKT_L4_H

#include <stddef.h>
#include <stdint.h>

struct pkt_l4 {
	uint16_t start;    /* offset of the TCP/UDP header in the frame */
	uint16_t csum_off; /* offset of its checksum field from start */
	uint16_t hdr_len;  /* TCP: start + the TCP header's length; UDP: start + 8 */
	uint8_t proto;     /* 6 TCP, 17 UDP */
	uint8_t ipv6;      /* 1: IPv6, 0: IPv4 */
};

/*
 * Parse Ethernet (one optional 802.1Q tag), IPv4 or IPv6 (hop-by-hop,
 * routing and destination-options headers skipped), TCP or UDP.  0, or -1
 * when the frame is not an unfragmented TCP or UDP packet whose headers
 * fit in @len.
 */
int pkt_l4_find(const uint8_t *frame, size_t len, struct pkt_l4 *out);

#endif
