/*
 * struct hv: the hypervisor process context — the KVM handle, the domain
 * table and the event loop (timers, control socket).  One per shoji-hv.
 */
#ifndef SHOJI_HV_HV_H
#define SHOJI_HV_HV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <shoji/xen.h>

#include "kvm.h"
#include "vmpool.h"

struct control;
struct dom0port;
struct domain;
struct evtglue;

/* Domain ids handed out: 1 .. HV_DOMID_MAX (0 is Dom0, the host). */
#define HV_DOMID_MAX 0x7fefu

/* Event loop sources: fd readable → fn(opaque).  0 or -errno. */
typedef void hv_event_fn(void *opaque);
struct hv_event {
	int fd;
	hv_event_fn *fn;
	void *opaque;
};

/* Called (with no locks held) after a domain changes state. */
typedef void hv_state_fn(void *opaque, struct domain *d);

struct hv {
	struct kvm_host kvm;
	struct vm_pool pool; /* pre-built VMs (optional) */

	pthread_mutex_t lock;                     /* protects the fields below */
	struct domain *domains[HV_DOMID_MAX + 1]; /* indexed by domid */
	uint32_t next_domid;                      /* allocation cursor */
	unsigned int nr_domains;

	int epfd;   /* event loop: timers and the control socket */
	int wakefd; /* eventfd that makes the loop re-check hv->stop */
	struct hv_event wake_ev;
	bool stop;

	hv_state_fn *on_state;
	void *on_state_opaque;

	struct evtglue *evtglue;   /* domain lookups of the event channel/grant cores (evtglue.c) */
	struct dom0port *dom0port; /* Dom0 in their namespace, for control clients (dom0port.c) */
};

/* Open KVM and set up the (empty) domain table and event loop. 0 or -errno. */
int hv_init(struct hv *hv);
void hv_fini(struct hv *hv);
/* A new context, hv_init()'ed, or NULL with the reason logged; hv_close() ends it. */
struct hv *hv_open(void);
void hv_close(struct hv *hv);

/* Add or remove an event loop source. */
int hv_event_add(struct hv *hv, struct hv_event *ev);
void hv_event_del(struct hv *hv, struct hv_event *ev);
/* Call @ev's handler when its fd is writable too (@on), or no more.  0 or -errno. */
int hv_event_want_write(struct hv *hv, struct hv_event *ev, bool on);
/* Run the loop until hv_stop(); returns 0 or -errno. */
int hv_loop(struct hv *hv);
void hv_stop(struct hv *hv);

/* hv_domain_get(), the domain lookup the core uses too, is in platform.h. */

/* Report a state change of @d to hv->on_state (no locks held by the caller). */
void hv_notify_state(struct hv *hv, struct domain *d);

#endif
