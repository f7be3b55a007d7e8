/*
 * Fake domains for the event channel core's unit tests (test_evtchn.c,
 * test_evtchn_fifo.c): plain host buffers stand in for each guest's
 * shared_info and RAM, a table stands in for shoji-hv's domain list, and
 * the delivery hooks count kicks.  Not a test by itself.
 */
#ifndef SHOJI_TEST_EVTCHN_FAKE_H
#define SHOJI_TEST_EVTCHN_FAKE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "../../hypervisor/evtchn.h"

#define MAX_DOMS  8
#define MAX_VCPUS 4
/* Guest RAM of a fake domain: frame numbers 0 .. FAKE_RAM_PAGES - 1. */
#define FAKE_RAM_PAGES 256u
#define FAKE_PAGE      4096u

struct fake_dom {
	struct evtchn_domain *d;
	struct shared_info *si;
	uint8_t *ram; /* FAKE_RAM_PAGES pages, what the FIFO ABI's frames name */
	unsigned int kicks[MAX_VCPUS];
	unsigned int pendings;     /* port_pending calls */
	unsigned int notified[64]; /* notify_port calls per port (Dom0) */
};

struct fake_world {
	pthread_mutex_t lock;
	struct fake_dom dom[MAX_DOMS];
	struct evtchn_world world;
};

extern struct fake_world W;
extern const struct evtchn_delivery_ops fake_guest_ops;
extern const struct evtchn_delivery_ops fake_dom0_ops;
extern const struct evtchn_mem_ops fake_mem_ops;
/* The hypercall entry's guest access: gva = host address, 0 faults. */
extern const struct evtchn_guest_io fake_io;

/* Check fixtures: an empty world; destroy whatever a test left. */
void fake_world_init(void);
void fake_world_fini(void);

/* A guest domain with @max_port ports (0 = default), zeroed shared_info and RAM. */
struct fake_dom *mkdom(domid_t id, uint32_t max_port, bool privileged);
/* Domain 0: callback delivery (notify_port), no shared pages. */
struct fake_dom *mkdom0(void);
void rmdom(domid_t id);

/* 2-level state in @f's shared_info. */
bool pending_bit(const struct fake_dom *f, evtchn_port_t p);
bool sel_bit(const struct fake_dom *f, uint32_t vcpu, evtchn_port_t p);
/* What a 2-level guest's upcall handler does before looking at ports. */
void ack_upcall(struct fake_dom *f, uint32_t vcpu);

/* Operations that must succeed. */
evtchn_port_t alloc_unbound(struct fake_dom *f, domid_t dom, domid_t remote);
evtchn_port_t bind_interdomain(struct fake_dom *f, domid_t rdom, evtchn_port_t rport);
struct evtchn_status status_of(struct fake_dom *f, domid_t dom, evtchn_port_t port);

#endif
