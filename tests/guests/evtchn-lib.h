/*
 * evtchn-lib.h: helpers shared by the event channel and grant table test
 * guests (tests/guests/evtchn-*.c, gnttab-*.c).
 */
#ifndef SHOJI_TEST_GUEST_EVTCHN_LIB_H
#define SHOJI_TEST_GUEST_EVTCHN_LIB_H

#include "check.h"

#define MS 1000000ULL

/* The peer's ports searched by pv_connect(). */
#define PV_SCAN_PORTS 64

/*
 * Bind to the one port of domain peer that is reserved for us (the peer
 * made it with alloc_unbound): ports 1..PV_SCAN_PORTS-1 are tried until one
 * binds or deadline passes.  The new local port comes back masked, with the
 * pending bit the bind raises already cleared.  0, -XEN_ESRCH for a peer
 * that does not exist, or -XEN_ETIMEDOUT.
 */
long pv_connect(domid_t peer, uint64_t deadline_ns, evtchn_port_t *local);
/* The k-th smallest of v[0..n), k < n (reorders v). */
uint64_t pv_select(uint64_t *v, size_t n, size_t k);
/* A TSC interval in ns, scaled with this vCPU's pvclock factors. */
uint64_t pv_tsc_to_ns(uint64_t delta);
/* Fill a page with pattern byte i = (i * 7 + seed) & 0xff; check it (count of bad bytes). */
void pv_fill(uint8_t *page, unsigned int seed);
unsigned int pv_check(const uint8_t *page, size_t off, size_t len, unsigned int seed);

#endif /* SHOJI_TEST_GUEST_EVTCHN_LIB_H */
