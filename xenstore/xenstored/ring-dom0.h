/*
 * Dom0 plumbing for guest rings (daemon only: links libshoji-evtchn and
 * libshoji-gnttab).  Functions return 0 or -1 with errno set.
 */
#ifndef SHOJI_XSD_RING_DOM0_H
#define SHOJI_XSD_RING_DOM0_H

#include <stdbool.h>
#include <stdint.h>

#include "ring.h"

struct ring_dom0;

/* hv_socket: shoji-hv's control socket (NULL: the default); nothing is opened yet. */
struct ring_dom0 *ring_dom0_new(const char *hv_socket);
void ring_dom0_free(struct ring_dom0 *rd);

/*
 * Map frame gfn of domid (its xenstore_domain_interface) and bind the port
 * it allocated for Dom0; on success *out is the new ring connection, whose
 * fd is the port's event descriptor (readable when the guest notifies).
 */
int ring_dom0_connect(struct ring_dom0 *rd, struct xsd *d, uint32_t domid, uint64_t gfn,
                      uint32_t port, struct xs_conn **out);

/*
 * Bind VIRQ_DOM_EXC (once; needs shoji-hv): the descriptor that becomes
 * readable when some domain shut down, crashed or died, or -1.
 */
int ring_dom0_exc_fd(struct ring_dom0 *rd);
/* After VIRQ_DOM_EXC: fire @releaseDomain for domains that stopped, close dead domains' rings. */
void ring_dom0_check_domains(struct ring_dom0 *rd, struct xsd *d);

/*
 * shoji-hv's death: the descriptor of the link's control connection (-1
 * before ring_dom0_exc_fd opened it), readable when shoji-hv closed it, and
 * the check to run when it is.
 */
int ring_dom0_link_fd(const struct ring_dom0 *rd);
bool ring_dom0_link_lost(const struct ring_dom0 *rd);
/*
 * The link is lost: close every ring made through it (their domains died
 * with shoji-hv), fire @releaseDomain, and drop the link; the next
 * INTRODUCE opens a new one.  The VIRQ_DOM_EXC and link descriptors from
 * before are closed: stop watching them first.
 */
void ring_dom0_drop(struct ring_dom0 *rd, struct xsd *d);

#endif
