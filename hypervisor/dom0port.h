/*
 * Dom0: domain 0 of the event channel and grant table namespace, served to
 * control-socket clients (libshoji-evtchn, libshoji-gnttab; wire format in
 * include/proto/hv-dom0.h).
 *
 * A Dom0 port is an eventfd shoji-hv writes on every event on it, passed to
 * the client that bound it.  A Dom0 grant map has the grant core validate
 * and pin a guest's grant while the client maps the page from the guest's
 * memory file.  A grant copy runs between a guest's grant and the client's
 * copy arena, a sealed memory file both sides map: every arena range is
 * checked here, every grant validated and pinned by the grant core.  A
 * client acts only on the ports, maps and arena it made, and they go when it
 * disconnects (dom0port_release).
 *
 * Control loop thread only; Dom0's delivery hook (an event on a Dom0 port)
 * runs on any thread and takes only a leaf lock.
 */
#ifndef SHOJI_HV_DOM0PORT_H
#define SHOJI_HV_DOM0PORT_H

#include "ctrlop.h"

struct hv;

/* Create Dom0's port and grant tables in @hv's namespace (after evtglue_hv_init).  0 or -errno. */
int dom0port_hv_init(struct hv *hv);
/* Destroy them, closing every port's eventfd and unmapping every arena (every guest is gone). */
void dom0port_hv_fini(struct hv *hv);

/* @client went away: close its ports, release its grant maps, unmap its arena. */
void dom0port_release(struct hv *hv, struct ctrl_client *client);

/*
 * The CTRL_EVTCHN and CTRL_GNTTAB requests, one handler per op (entries of
 * control.c's ctrl_ops; each op's fields in hv-dom0.h).  The reply is the
 * request's struct with its OUT fields filled.  The binds pass the port's
 * eventfd, a map or foreign map the guest's memory file when the request
 * asks for it (CTRL_GNT_WANT_FD), CTRL_GNT_ARENA the arena.
 */
ctrl_fn dom0port_bind_unbound;
ctrl_fn dom0port_bind_interdomain;
ctrl_fn dom0port_bind_virq;
ctrl_fn dom0port_send;
ctrl_fn dom0port_unbind;
ctrl_fn dom0port_set_max_port;
ctrl_fn dom0port_alloc_in;
ctrl_fn dom0port_gnt_map;
ctrl_fn dom0port_gnt_unmap;
ctrl_fn dom0port_gnt_foreign;
ctrl_fn dom0port_gnt_arena;
ctrl_fn dom0port_gnt_copy;

#endif
