/*
 * netif_check.h - the one choke point for a frontend's tx requests.
 *
 * The ring consumer copies the slots of the tx ring once into a private
 * array (as struct netif_tx_request; an extra-info slot is the same 12
 * bytes read as struct netif_extra_info) and hands the array here; nothing
 * else in shoji-netback reads a tx request.  One call parses one packet
 * from the start of the array: its data slots chained by NETTXF_more_data
 * and the extra-info slots after its first request.  A packet that passes
 * comes back as a list of fragments (grant, offset, length) that are
 * inside their page and add up to the packet's length, with its checksum
 * and GSO requests.
 */
#ifndef NETBACK_NETIF_CHECK_H
#define NETBACK_NETIF_CHECK_H

#include <stdbool.h>
#include <stdint.h>

#include <shoji/io/netif.h>

/*
 * Data slots one packet may use (Xen's guaranteed minimum, which Linux's
 * netback also accepts); a longer chain is dropped.
 */
#define NET_TX_MAX_FRAGS XEN_NETIF_NR_SLOTS_MIN
/*
 * Slots one call looks at.  A chain (data + extra slots) that has not
 * ended within this many slots is not a packet any frontend sends: the
 * ring is corrupt.
 */
#define NET_TX_WINDOW 64
/* Smallest packet: an Ethernet header. */
#define NET_TX_MIN_SIZE 14
/* Largest packet without GSO: an Ethernet frame of MTU 1500 with a VLAN tag. */
#define NET_TX_MAX_PLAIN 1518

/* What the backend offered, and the frontend turned on. */
struct net_tx_limits {
	bool sg;        /* feature-sg: a packet may span several slots */
	bool gso_tcpv4; /* feature-gso-tcpv4 */
	bool gso_tcpv6; /* feature-gso-tcpv6 */
};

enum net_tx_verdict {
	NET_TX_OK,         /* a packet: send it */
	NET_TX_DROP,       /* malformed: answer its slots NETIF_RSP_ERROR, count it */
	NET_TX_INCOMPLETE, /* its chain goes on past the slots produced so far: wait */
	NET_TX_CORRUPT,    /* not a ring any frontend writes: disconnect the vif */
};

struct net_tx_frag {
	grant_ref_t gref;
	uint16_t offset; /* offset + len <= XEN_PAGE_SIZE */
	uint16_t len;    /* > 0 */
};

/* One parsed packet. */
struct net_tx_pkt {
	unsigned int nslots; /* slots it used (data + extra): consume and answer them all */
	uint64_t extra_mask; /* bit i: slot i is an extra-info slot (answered NETIF_RSP_NULL) */
	uint16_t id[NET_TX_WINDOW]; /* per slot: the id to answer with */
	unsigned int nfrags;        /* data slots; OK: 1 .. NET_TX_MAX_FRAGS */
	struct net_tx_frag frag[NET_TX_MAX_FRAGS];
	uint32_t len;        /* the packet's length: the sum of the fragments' */
	bool csum_blank;     /* NETTXF_csum_blank: the backend fills the checksum in */
	bool data_validated; /* NETTXF_data_validated */
	uint8_t gso_type;    /* XEN_NETIF_GSO_TYPE_*; NONE without a GSO extra */
	uint16_t gso_size;   /* its MSS when gso_type is not NONE */
	const char *why;     /* DROP and CORRUPT: what was wrong (a static string) */
};

/*
 * Parse the packet at the start of @slots[0..@avail) (private copies of
 * the ring's slots from req_cons on; @avail may be more than
 * NET_TX_WINDOW, only that many are looked at).  OK and DROP fill
 * @out->nslots, ->extra_mask and ->id for the responses; OK fills the
 * rest.  INCOMPLETE: nothing to consume yet.  CORRUPT: @out->why says it.
 */
enum net_tx_verdict netif_check_tx(const struct netif_tx_request *slots, unsigned int avail,
                                   const struct net_tx_limits *lim, struct net_tx_pkt *out);

#endif
