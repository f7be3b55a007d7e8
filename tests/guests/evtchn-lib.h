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

/* The frame number of a page of this guest (the runtime identity-maps 4 GiB). */
static inline uint64_t pv_gfn(const void *p)
{
	return (uintptr_t)p >> 12;
}

/* One role of a two-guest test: "role=NAME" on the command line runs @run(peer). */
struct pv_role {
	const char *name;
	int (*run)(domid_t peer);
};

/*
 * guest_main of a role-based test guest @prog: sets *@deadline from
 * timeout_ms= (default 120000), initialises event channels (the check named
 * @init_check) and runs the role named by role= with peer= (DOMID_INVALID
 * when absent).  An unknown role prints the choices and returns 1.
 */
int pv_role_main(const struct hvm_start_info *si, const char *prog, const char *init_check,
                 const struct pv_role *roles, size_t n, uint64_t *deadline);

#endif /* SHOJI_TEST_GUEST_EVTCHN_LIB_H */
