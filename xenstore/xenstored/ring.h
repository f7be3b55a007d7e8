/*
 * The guest-ring transport of shoji-xenstored: a connection whose bytes
 * travel through a guest's struct xenstore_domain_interface page.  The
 * ring code only needs the mapped page and a notify callback, so unit
 * tests drive it with a plain buffer; xenstore/xenstored/ring-dom0.c maps the real
 * page and binds the event channel.
 */
#ifndef SHOJI_XSD_RING_H
#define SHOJI_XSD_RING_H

#include <stdbool.h>
#include <stdint.h>

#include "xsd.h"

/* Features this server announces in server_features. */
#define XSD_RING_FEATURES (XENSTORE_SERVER_FEATURE_RECONNECTION | XENSTORE_SERVER_FEATURE_ERROR)

struct xs_ring {
	struct xenstore_domain_interface *intf; /* the shared page (untrusted) */
	/* tell the guest the rings moved; -1 when the guest is gone */
	int (*notify)(void *arg);
	void (*release)(void *arg); /* transport teardown (unmap, unbind); may be NULL */
	void *arg;
	bool broken; /* the guest broke the protocol or vanished: close the connection */
};

extern const struct xs_transport_ops xs_ring_ops;

/*
 * Create the connection of domain domid over the ring r (owned by the
 * connection from now on: freed, and r->release called, when it closes).
 * Announces the server features.  NULL (errno ENOMEM) on failure, r untouched.
 */
struct xs_conn *ring_conn_new(struct xsd *d, struct xs_ring *r, int fd, uint32_t domid);

/*
 * The guest signalled: honour a reconnection request, then read and handle
 * the complete requests.  Output is left to the caller's conn_output (after
 * its journal write).  Returns -1 when the connection must be closed (corrupt
 * indexes, oversized header, guest gone).
 */
int ring_event(struct xs_conn *c);

#endif
