/*
 * vif_queue.h - one queue of a vif: its tx ring (guest -> TAP) and rx ring
 * (TAP -> guest), in rx-copy mode, both through grant copies.
 *
 * tx: slots are copied once into a window, each packet is checked at the
 * choke point (netif_check.c), its fragments are grant-copied behind a
 * virtio-net header and written to the queue's TAP fd; a notification's
 * packets go as one batch of copies.  rx: frames read from the TAP are
 * grant-copied into the buffers the guest posted, with the checksum and
 * GSO flags of their virtio-net header; when the guest has posted too few
 * buffers for the largest frame, reading the TAP stops (rx_pause) until
 * it posts more.  The indexes the backend produces are kept here and only
 * published; the frontend's req_prod is read once per pass and checked.
 * A ring attaches where it stands, so a restarted backend carries on.
 */
#ifndef NETBACK_VIF_QUEUE_H
#define NETBACK_VIF_QUEUE_H

#include <stdbool.h>
#include <stdint.h>

#include <shoji/io/netif.h>

#include "netif_check.h"

struct shoji_gnttab;

/* Counted per vif, across its queues. */
struct vif_stats {
	uint64_t tx_packets, tx_bytes; /* guest -> TAP */
	uint64_t tx_errors;            /* malformed packets, refused grants */
	uint64_t tx_dropped;           /* the TAP would not take them */
	uint64_t rx_packets, rx_bytes; /* TAP -> guest */
	uint64_t rx_errors;            /* refused grants, frames too large for the guest */
};

struct vif_queue_config {
	struct netif_tx_sring *tx_sring;
	struct netif_rx_sring *rx_sring;
	struct shoji_gnttab *gnttab;
	uint32_t domid;
	int tap_fd; /* this queue's, non-blocking; owned by the caller */
	struct net_tx_limits tx;
	bool rx_sg;  /* the frontend takes a frame in several rx slots (its feature-sg) */
	bool rx_gso; /* ... and GSO frames (the TAP was given TUN_F_TSO*) */
	struct vif_stats *stats;
	void (*notify_tx)(void *arg);
	void (*notify_rx)(void *arg);
	void (*rx_pause)(void *arg, bool paused);       /* stop / start watching tap_fd */
	void (*broken)(void *arg, const char *why);     /* corrupt ring: take the vif down */
	void (*bad_packet)(void *arg, const char *why); /* a dropped tx packet, for the log */
	void *arg;
};

struct vif_queue *vif_queue_new(const struct vif_queue_config *cfg);
void vif_queue_free(struct vif_queue *q);
/* The frontend notified the tx side: take and send every complete packet. */
void vif_queue_tx_kick(struct vif_queue *q);
/* The TAP is readable, or the frontend posted rx buffers: deliver frames. */
void vif_queue_rx_kick(struct vif_queue *q);

#endif
