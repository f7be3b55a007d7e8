/*
 * shoji/io/netif.h - the PV network device ring protocol.
 *
 * Two rings: tx (guest -> backend packets) and rx (backend -> guest).
 * The frontend publishes tx-ring-ref, rx-ring-ref and event-channel (or
 * event-channel-tx/-rx) in xenstore; the backend publishes feature-*
 * nodes and the MAC address lives in the frontend's "mac" node.
 *
 * tx: each request names a granted buffer (offset, size).  A packet may
 * span several requests chained with NETTXF_more_data; the first carries
 * the whole packet length in size.  NETTXF_extra_info means the next slot
 * holds a struct netif_extra_info.  Every request gets one response with
 * the same id.
 * rx: the frontend posts empty granted pages (netif_rx_request); the
 * backend fills them and answers with netif_rx_response, whose status is
 * the byte count (>= 0) or a NETIF_RSP_* error.
 */
#ifndef SHOJI_IO_NETIF_H
#define SHOJI_IO_NETIF_H

#include <shoji/io/ring.h>
#include <shoji/grant_table.h>

/* netif_tx_request.flags */
#define _NETTXF_csum_blank     0 /* checksum must be filled in by the backend */
#define NETTXF_csum_blank      (1U << _NETTXF_csum_blank)
#define _NETTXF_data_validated 1 /* checksum already verified */
#define NETTXF_data_validated  (1U << _NETTXF_data_validated)
#define _NETTXF_more_data      2 /* the packet continues in the next request */
#define NETTXF_more_data       (1U << _NETTXF_more_data)
#define _NETTXF_extra_info     3 /* a netif_extra_info follows in the next slot */
#define NETTXF_extra_info      (1U << _NETTXF_extra_info)

/* netif_rx_response.flags */
#define _NETRXF_data_validated 0
#define NETRXF_data_validated  (1U << _NETRXF_data_validated)
#define _NETRXF_csum_blank     1
#define NETRXF_csum_blank      (1U << _NETRXF_csum_blank)
#define _NETRXF_more_data      2
#define NETRXF_more_data       (1U << _NETRXF_more_data)
#define _NETRXF_extra_info     3
#define NETRXF_extra_info      (1U << _NETRXF_extra_info)
#define _NETRXF_gso_prefix     4
#define NETRXF_gso_prefix      (1U << _NETRXF_gso_prefix)

/* Response status values. */
#define NETIF_RSP_DROPPED (-2) /* packet dropped */
#define NETIF_RSP_ERROR   (-1) /* request malformed or failed */
#define NETIF_RSP_OKAY    0    /* success */
#define NETIF_RSP_NULL    1    /* slot was only a placeholder (extra info) */

/* netif_extra_info.type */
#define XEN_NETIF_EXTRA_TYPE_NONE      0
#define XEN_NETIF_EXTRA_TYPE_GSO       1
#define XEN_NETIF_EXTRA_TYPE_MCAST_ADD 2
#define XEN_NETIF_EXTRA_TYPE_MCAST_DEL 3
#define XEN_NETIF_EXTRA_TYPE_HASH      4
#define XEN_NETIF_EXTRA_TYPE_MAX       5

/* netif_extra_info.flags */
#define _XEN_NETIF_EXTRA_FLAG_MORE 0 /* another extra info slot follows */
#define XEN_NETIF_EXTRA_FLAG_MORE  (1U << _XEN_NETIF_EXTRA_FLAG_MORE)

/* netif_extra_info.u.gso.type */
#define XEN_NETIF_GSO_TYPE_NONE  0
#define XEN_NETIF_GSO_TYPE_TCPV4 1
#define XEN_NETIF_GSO_TYPE_TCPV6 2

/* Largest packet a tx chain may describe, and the fewest slots a backend
 * must accept for one packet. */
#define XEN_NETIF_MAX_TX_SIZE  0xFFFF
#define XEN_NETIF_NR_SLOTS_MIN 18

struct netif_tx_request {
	grant_ref_t gref; /* granted buffer page */
	uint16_t offset;  /* start of the data in the page */
	uint16_t flags;   /* NETTXF_* */
	uint16_t id;      /* echoed in the response */
	uint16_t size;    /* bytes in this slot (first slot: whole packet) */
};
typedef struct netif_tx_request netif_tx_request_t;
SHOJI_ABI_SIZE(struct netif_tx_request, 12);
SHOJI_ABI_OFFSET(struct netif_tx_request, offset, 4);
SHOJI_ABI_OFFSET(struct netif_tx_request, flags, 6);
SHOJI_ABI_OFFSET(struct netif_tx_request, id, 8);
SHOJI_ABI_OFFSET(struct netif_tx_request, size, 10);

struct netif_extra_info {
	uint8_t type;  /* XEN_NETIF_EXTRA_TYPE_* */
	uint8_t flags; /* XEN_NETIF_EXTRA_FLAG_* */
	union {
		struct {
			uint16_t size; /* maximum segment size */
			uint8_t type;  /* XEN_NETIF_GSO_TYPE_* */
			uint8_t pad;
			uint16_t features;
		} gso;
		struct {
			uint8_t addr[6]; /* multicast MAC address */
		} mcast;
		struct {
			uint8_t type;
			uint8_t algorithm;
			uint8_t value[4];
		} hash;
		uint16_t pad[3];
	} u;
};
typedef struct netif_extra_info netif_extra_info_t;
SHOJI_ABI_SIZE(struct netif_extra_info, 8);
SHOJI_ABI_OFFSET(struct netif_extra_info, u, 2);
SHOJI_ABI_OFFSET(struct netif_extra_info, u.gso.type, 4);
SHOJI_ABI_OFFSET(struct netif_extra_info, u.gso.features, 6);

struct netif_tx_response {
	uint16_t id;    /* the request's id */
	int16_t status; /* NETIF_RSP_* */
};
typedef struct netif_tx_response netif_tx_response_t;
SHOJI_ABI_SIZE(struct netif_tx_response, 4);

struct netif_rx_request {
	uint16_t id; /* echoed in the response */
	uint16_t pad;
	grant_ref_t gref; /* empty granted page */
};
typedef struct netif_rx_request netif_rx_request_t;
SHOJI_ABI_SIZE(struct netif_rx_request, 8);
SHOJI_ABI_OFFSET(struct netif_rx_request, gref, 4);

struct netif_rx_response {
	uint16_t id;     /* the request's id */
	uint16_t offset; /* start of the data in the page */
	uint16_t flags;  /* NETRXF_* */
	int16_t status;  /* bytes received (>= 0) or NETIF_RSP_* */
};
typedef struct netif_rx_response netif_rx_response_t;
SHOJI_ABI_SIZE(struct netif_rx_response, 8);
SHOJI_ABI_OFFSET(struct netif_rx_response, offset, 2);
SHOJI_ABI_OFFSET(struct netif_rx_response, flags, 4);
SHOJI_ABI_OFFSET(struct netif_rx_response, status, 6);

DEFINE_RING_TYPES(netif_tx, struct netif_tx_request, struct netif_tx_response);
DEFINE_RING_TYPES(netif_rx, struct netif_rx_request, struct netif_rx_response);

/* Slots of one-page rings: 256 each. */
#define NET_TX_RING_SIZE_1PAGE __CONST_RING_SIZE(netif_tx, 4096)
#define NET_RX_RING_SIZE_1PAGE __CONST_RING_SIZE(netif_rx, 4096)
SHOJI_ABI_CHECK(NET_TX_RING_SIZE_1PAGE == 256, "a one-page netif tx ring has 256 slots");
SHOJI_ABI_CHECK(NET_RX_RING_SIZE_1PAGE == 256, "a one-page netif rx ring has 256 slots");

#endif /* SHOJI_IO_NETIF_H */
