/*
 * ping.h: the "ping" example device class -- the ABI both ends share.
 *
 * xenstore (xenbus) nodes, frontend side <frontend>/ = device/ping/<devid>:
 *   ring-ref       grant reference of the shared ring page (granted to the backend)
 *   event-channel  the frontend's port, allocated for the backend domain
 *   state          enum xenbus_state
 * Each request carries a value; the backend answers with value + 1 and the
 * same id.  One page holds the ring (DEFINE_RING_TYPES, io/ring.h).
 */
#ifndef SHOJI_EXAMPLE_PING_H
#define SHOJI_EXAMPLE_PING_H

#include <stdint.h>

#include <shoji/io/ring.h>

struct ping_request {
	uint32_t id;
	uint32_t value;
};

struct ping_response {
	uint32_t id;
	uint32_t value; /* request value + 1 */
};

DEFINE_RING_TYPES(ping, struct ping_request, struct ping_response);

#define PING_RING_PAGE 4096

#endif
