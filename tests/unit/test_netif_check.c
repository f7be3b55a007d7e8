/*
 * Unit tests of shoji-netback's tx request validator (netif_check.c) and
 * its header parser (pkt_l4.c): every field a frontend controls, one check
 * at a time.
 */
#include "config.h"

#include <string.h>

#include "check-run.h"
#include "netif_check.h"
#include "pkt_l4.h"

static const struct net_tx_limits all = {.sg = true, .gso_tcpv4 = true, .gso_tcpv6 = true};
static const struct net_tx_limits none = {0};

static struct netif_tx_request slot(grant_ref_t gref, uint16_t off, uint16_t flags, uint16_t id,
                                    uint16_t size)
{
	return (struct netif_tx_request){
	    .gref = gref, .offset = off, .flags = flags, .id = id, .size = size};
}

static struct netif_tx_request gso(uint8_t type, uint16_t mss, uint8_t flags)
{
	struct netif_tx_request r;
	struct netif_extra_info x = {.type = XEN_NETIF_EXTRA_TYPE_GSO, .flags = flags};

	x.u.gso.type = type;
	x.u.gso.size = mss;
	memset(&r, 0x5a, sizeof(r));
	memcpy(&r, &x, sizeof(x));
	return r;
}

START_TEST(test_one_slot)
{
	struct netif_tx_request s[2] = {slot(100, 64, NETTXF_csum_blank, 7, 60),
	                                slot(1, 0, 0, 9, 60)};
	struct net_tx_pkt p;

	ck_assert_int_eq(netif_check_tx(s, 2, &none, &p), NET_TX_OK);
	ck_assert_uint_eq(p.nslots, 1);
	ck_assert_uint_eq(p.nfrags, 1);
	ck_assert_uint_eq(p.len, 60);
	ck_assert_uint_eq(p.frag[0].gref, 100);
	ck_assert_uint_eq(p.frag[0].offset, 64);
	ck_assert_uint_eq(p.frag[0].len, 60);
	ck_assert_uint_eq(p.id[0], 7);
	ck_assert(p.csum_blank);
	ck_assert(!p.data_validated);
	ck_assert_uint_eq(p.extra_mask, 0);
}
END_TEST

/* Three slots: the first's size is the packet's, its own data what the others leave. */
START_TEST(test_chain)
{
	struct netif_tx_request s[3] = {slot(10, 0, NETTXF_more_data, 1, 1400),
	                                slot(11, 100, NETTXF_more_data, 2, 1000),
	                                slot(12, 4000, 0, 3, 96)};
	struct net_tx_pkt p;

	ck_assert_int_eq(netif_check_tx(s, 3, &all, &p), NET_TX_OK);
	ck_assert_uint_eq(p.nslots, 3);
	ck_assert_uint_eq(p.nfrags, 3);
	ck_assert_uint_eq(p.len, 1400);
	ck_assert_uint_eq(p.frag[0].len, 304);
	ck_assert_uint_eq(p.frag[1].len, 1000);
	ck_assert_uint_eq(p.frag[2].len, 96);
	ck_assert_uint_eq(p.frag[2].offset, 4000);
	ck_assert_uint_eq(p.id[2], 3);
	/* without feature-sg the same chain is dropped, whole */
	ck_assert_int_eq(netif_check_tx(s, 3, &none, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, 3);
	ck_assert_ptr_nonnull(p.why);
}
END_TEST

START_TEST(test_incomplete)
{
	struct netif_tx_request s[2] = {slot(10, 0, NETTXF_more_data, 1, 200),
	                                slot(11, 0, NETTXF_more_data, 2, 100)};
	struct net_tx_pkt p;

	ck_assert_int_eq(netif_check_tx(s, 0, &all, &p), NET_TX_INCOMPLETE);
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_INCOMPLETE);
	ck_assert_int_eq(netif_check_tx(s, 2, &all, &p), NET_TX_INCOMPLETE);
	ck_assert_uint_eq(p.nslots, 0);
}
END_TEST

START_TEST(test_page_bounds)
{
	struct netif_tx_request s[2];
	struct net_tx_pkt p;

	s[0] = slot(10, 4096 - 60, 0, 1, 60); /* ends at the page's end: fine */
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_OK);
	s[0] = slot(10, 4096 - 59, 0, 1, 60);
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, 1);
	s[0] = slot(10, 0xffff, 0, 1, 60);
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_DROP);
	/* a later slot crossing its page */
	s[0] = slot(10, 0, NETTXF_more_data, 1, 200);
	s[1] = slot(11, 4000, 0, 2, 100);
	ck_assert_int_eq(netif_check_tx(s, 2, &all, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, 2);
	s[1] = slot(11, 3996, 0, 2, 100);
	ck_assert_int_eq(netif_check_tx(s, 2, &all, &p), NET_TX_OK);
}
END_TEST

START_TEST(test_sizes)
{
	struct netif_tx_request s[3];
	struct net_tx_pkt p;

	s[0] = slot(10, 0, 0, 1, 13); /* shorter than an Ethernet header */
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_DROP);
	s[0] = slot(10, 0, 0, 1, 14);
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_OK);
	s[0] = slot(10, 0, 0, 1, NET_TX_MAX_PLAIN + 1); /* too large without GSO */
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_DROP);
	/* later slots holding as much as the whole packet: the first would be empty */
	s[0] = slot(10, 0, NETTXF_more_data, 1, 300);
	s[1] = slot(11, 0, NETTXF_more_data, 2, 200);
	s[2] = slot(12, 0, 0, 3, 100);
	ck_assert_int_eq(netif_check_tx(s, 3, &all, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, 3);
	s[2].size = 99;
	ck_assert_int_eq(netif_check_tx(s, 3, &all, &p), NET_TX_OK);
	ck_assert_uint_eq(p.frag[0].len, 1);
	/* ... or more, which would wrap the first slot's length */
	s[1].size = 0xff00;
	ck_assert_int_eq(netif_check_tx(s, 3, &all, &p), NET_TX_DROP);
	/* a later slot of size 0 */
	s[1].size = 0;
	ck_assert_int_eq(netif_check_tx(s, 3, &all, &p), NET_TX_DROP);
}
END_TEST

/* NET_TX_MAX_FRAGS slots pass; one more is dropped whole; a chain past the window is corrupt. */
START_TEST(test_slot_count)
{
	struct netif_tx_request s[NET_TX_WINDOW + 1];
	struct net_tx_pkt p;

	for (unsigned int i = 0; i <= NET_TX_WINDOW; i++)
		s[i] = slot(100 + i, 0, NETTXF_more_data, (uint16_t)i, 10);
	s[0].size = 1500;
	s[NET_TX_MAX_FRAGS - 1].flags = 0;
	ck_assert_int_eq(netif_check_tx(s, NET_TX_WINDOW + 1, &all, &p), NET_TX_OK);
	ck_assert_uint_eq(p.nfrags, NET_TX_MAX_FRAGS);
	ck_assert_uint_eq(p.frag[NET_TX_MAX_FRAGS - 1].gref, 100 + NET_TX_MAX_FRAGS - 1);
	s[NET_TX_MAX_FRAGS - 1].flags = NETTXF_more_data;
	s[NET_TX_MAX_FRAGS].flags = 0;
	ck_assert_int_eq(netif_check_tx(s, NET_TX_WINDOW + 1, &all, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, NET_TX_MAX_FRAGS + 1);
	ck_assert_str_eq(p.why, "more data slots than a packet may use");
	s[NET_TX_MAX_FRAGS].flags = NETTXF_more_data;
	ck_assert_int_eq(netif_check_tx(s, NET_TX_WINDOW - 1, &all, &p), NET_TX_INCOMPLETE);
	ck_assert_int_eq(netif_check_tx(s, NET_TX_WINDOW, &all, &p), NET_TX_CORRUPT);
	ck_assert_ptr_nonnull(p.why);
	ck_assert_int_eq(netif_check_tx(s, NET_TX_WINDOW + 1, &all, &p), NET_TX_CORRUPT);
}
END_TEST

START_TEST(test_flags)
{
	struct netif_tx_request s[2];
	struct net_tx_pkt p;

	s[0] = slot(10, 0, NETTXF_data_validated | 0x10, 1, 60);
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_DROP);
	s[0].flags = NETTXF_data_validated;
	ck_assert_int_eq(netif_check_tx(s, 1, &all, &p), NET_TX_OK);
	ck_assert(p.data_validated);
	ck_assert(!p.csum_blank);
	/* extra info announced on a later slot */
	s[0] = slot(10, 0, NETTXF_more_data, 1, 100);
	s[1] = slot(11, 0, NETTXF_extra_info, 2, 50);
	ck_assert_int_eq(netif_check_tx(s, 2, &all, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, 2);
}
END_TEST

START_TEST(test_gso)
{
	struct netif_tx_request s[4];
	struct net_tx_pkt p;

	s[0] = slot(10, 0, NETTXF_extra_info | NETTXF_more_data | NETTXF_csum_blank, 1, 5000);
	s[1] = gso(XEN_NETIF_GSO_TYPE_TCPV4, 1448, 0);
	s[2] = slot(11, 0, NETTXF_more_data, 2, 4096);
	s[3] = slot(12, 0, 0, 3, 100);
	ck_assert_int_eq(netif_check_tx(s, 4, &all, &p), NET_TX_OK);
	ck_assert_uint_eq(p.nslots, 4);
	ck_assert_uint_eq(p.nfrags, 3);
	ck_assert_uint_eq(p.extra_mask, 2);
	ck_assert_uint_eq(p.id[1], 1);
	ck_assert_uint_eq(p.gso_type, XEN_NETIF_GSO_TYPE_TCPV4);
	ck_assert_uint_eq(p.gso_size, 1448);
	ck_assert_uint_eq(p.frag[0].len, 804);
	ck_assert_uint_eq(p.frag[1].gref, 11);
	/* not offered */
	ck_assert_int_eq(netif_check_tx(s, 4, &none, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, 4);
	ck_assert_int_eq(
	    netif_check_tx(s, 4, &(struct net_tx_limits){.sg = true, .gso_tcpv6 = true}, &p),
	    NET_TX_DROP);
	s[1] = gso(XEN_NETIF_GSO_TYPE_TCPV6, 1448, 0);
	ck_assert_int_eq(
	    netif_check_tx(s, 4, &(struct net_tx_limits){.sg = true, .gso_tcpv4 = true}, &p),
	    NET_TX_DROP);
	ck_assert_int_eq(netif_check_tx(s, 4, &all, &p), NET_TX_OK);
	/* an MSS of 0, an unknown GSO type, an extra type never offered */
	s[1] = gso(XEN_NETIF_GSO_TYPE_TCPV4, 0, 0);
	ck_assert_int_eq(netif_check_tx(s, 4, &all, &p), NET_TX_DROP);
	s[1] = gso(3, 1448, 0);
	ck_assert_int_eq(netif_check_tx(s, 4, &all, &p), NET_TX_DROP);
	s[1] = gso(XEN_NETIF_GSO_TYPE_TCPV4, 1448, 0);
	((uint8_t *)&s[1])[0] = XEN_NETIF_EXTRA_TYPE_MCAST_ADD;
	ck_assert_int_eq(netif_check_tx(s, 4, &all, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, 4);
}
END_TEST

/* Two extra slots chained with XEN_NETIF_EXTRA_FLAG_MORE; two GSO extras are refused. */
START_TEST(test_extra_chain)
{
	struct netif_tx_request s[4];
	struct net_tx_pkt p;

	s[0] = slot(10, 0, NETTXF_extra_info, 1, 1000);
	s[1] = gso(XEN_NETIF_GSO_TYPE_TCPV4, 536, XEN_NETIF_EXTRA_FLAG_MORE);
	s[2] = gso(XEN_NETIF_GSO_TYPE_TCPV4, 536, 0);
	s[3] = slot(11, 0, 0, 2, 100);
	ck_assert_int_eq(netif_check_tx(s, 4, &all, &p), NET_TX_DROP);
	ck_assert_uint_eq(p.nslots, 3);
	ck_assert_uint_eq(p.extra_mask, 6);
	ck_assert_int_eq(netif_check_tx(s, 2, &all, &p), NET_TX_INCOMPLETE);
	s[1] = gso(XEN_NETIF_GSO_TYPE_TCPV4, 536, 0);
	ck_assert_int_eq(netif_check_tx(s, 4, &all, &p), NET_TX_OK);
	ck_assert_uint_eq(p.nslots, 2);
}
END_TEST

/* --- pkt_l4 --- */

static size_t frame(uint8_t *f, uint16_t ethertype, bool vlan, uint8_t proto)
{
	size_t off = 12;

	memset(f, 0, 200);
	if (vlan) {
		f[off++] = 0x81;
		f[off++] = 0x00;
		off += 2;
	}
	f[off++] = (uint8_t)(ethertype >> 8);
	f[off++] = (uint8_t)ethertype;
	if (ethertype == 0x0800) {
		f[off] = 0x46; /* 24-byte header */
		f[off + 9] = proto;
		off += 24;
	} else {
		f[off] = 0x60;
		f[off + 6] = 0; /* hop-by-hop */
		off += 40;
		f[off] = proto;
		f[off + 1] = 0; /* 8 bytes */
		off += 8;
	}
	f[off + 12] = 0x80; /* TCP: 32-byte header */
	return off;
}

START_TEST(test_l4)
{
	uint8_t f[200];
	struct pkt_l4 l;
	size_t at;

	at = frame(f, 0x0800, false, 6);
	ck_assert_int_eq(pkt_l4_find(f, sizeof(f), &l), 0);
	ck_assert_uint_eq(l.start, at);
	ck_assert_uint_eq(l.csum_off, 16);
	ck_assert_uint_eq(l.hdr_len, at + 32);
	ck_assert_int_eq(l.ipv6, 0);
	ck_assert_int_eq(pkt_l4_find(f, at + 31, &l), -1); /* TCP header cut short */
	at = frame(f, 0x86dd, true, 17);
	ck_assert_int_eq(pkt_l4_find(f, sizeof(f), &l), 0);
	ck_assert_uint_eq(l.start, at);
	ck_assert_uint_eq(l.csum_off, 6);
	ck_assert_int_eq(l.ipv6, 1);
	ck_assert_int_eq(pkt_l4_find(f, at + 7, &l), -1);
	frame(f, 0x0800, false, 1); /* ICMP */
	ck_assert_int_eq(pkt_l4_find(f, sizeof(f), &l), -1);
	frame(f, 0x0800, false, 6);
	f[14 + 6] = 0x20; /* more fragments */
	ck_assert_int_eq(pkt_l4_find(f, sizeof(f), &l), -1);
	frame(f, 0x0800, false, 6);
	f[14] = 0x44; /* IHL 16 bytes */
	ck_assert_int_eq(pkt_l4_find(f, sizeof(f), &l), -1);
	frame(f, 0x0806, false, 6); /* ARP */
	ck_assert_int_eq(pkt_l4_find(f, sizeof(f), &l), -1);
	ck_assert_int_eq(pkt_l4_find(f, 13, &l), -1);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "netif_check", .name = "tx"};

	return CHECK_MAIN(c, test_one_slot, test_chain, test_incomplete, test_page_bounds,
	                  test_sizes, test_slot_count, test_flags, test_gso, test_extra_chain,
	                  test_l4);
}
