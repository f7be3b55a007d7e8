/*
 * shoji/libevtchn.h - libshoji-evtchn: Dom0 event channels.
 *
 * Dom0 is domain 0 in shoji-hv's event channel namespace.  A handle is a
 * connection to shoji-hv's control socket; every port bound through it is
 * closed when the handle is closed (or the process dies).  Each port is
 * delivered as an eventfd that shoji-hv writes on every event; the handle
 * gathers them behind one pollable descriptor (shoji_evtchn_fd).
 *
 * Every call returns 0 (or a port number) on success and -1 with errno set
 * on failure; nothing prints or exits.  A handle is not thread-safe.
 */
#ifndef SHOJI_LIBEVTCHN_H
#define SHOJI_LIBEVTCHN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t shoji_evtchn_port_t;

struct shoji_evtchn;

/* Connect to shoji-hv at @socket_path (NULL: /run/shoji/hv.sock). */
struct shoji_evtchn *shoji_evtchn_open(const char *socket_path);
/* Unbind every port of @x and free it.  0, or -1 when @x is NULL (EINVAL). */
int shoji_evtchn_close(struct shoji_evtchn *x);

/* Readable (poll/epoll) when one of @x's ports has fired. */
int shoji_evtchn_fd(struct shoji_evtchn *x);

/* Bind to port @remote_port of domain @domid, which it allocated for Dom0. */
int shoji_evtchn_bind_interdomain(struct shoji_evtchn *x, uint32_t domid,
                                  shoji_evtchn_port_t remote_port);
/* Allocate a port that domain @domid may bind (bind_interdomain to (0, port)). */
int shoji_evtchn_bind_unbound_port(struct shoji_evtchn *x, uint32_t domid);
/* Bind a global VIRQ (VIRQ_DOM_EXC: some domain shut down, crashed or died). */
int shoji_evtchn_bind_virq(struct shoji_evtchn *x, unsigned int virq);
/* Close a port of @x; its peer (if any) goes back to unbound. */
int shoji_evtchn_unbind(struct shoji_evtchn *x, shoji_evtchn_port_t port);

/* Send an event to the peer of @port (dropped when the peer end is unbound). */
int shoji_evtchn_notify(struct shoji_evtchn *x, shoji_evtchn_port_t port);
/*
 * A port that fired since it was last returned (its event is consumed), or
 * -1 with EAGAIN when none did.  Events on one port coalesce.
 */
int shoji_evtchn_pending(struct shoji_evtchn *x);
/* Re-arm @port after pending() returned it (Dom0 ports are never masked: validation only). */
int shoji_evtchn_unmask(struct shoji_evtchn *x, shoji_evtchn_port_t port);
/* The eventfd of one port, owned by @x (to wait on a single port directly). */
int shoji_evtchn_port_fd(struct shoji_evtchn *x, shoji_evtchn_port_t port);

/*
 * Toolstack: allocate an unbound port in guest @domid that domain @remote
 * (0: Dom0) may bind, as xc_evtchn_alloc_unbound(domid, remote) does for
 * the xenstore and console ports.  Returns the guest's port, which belongs
 * to the guest (not to @x); Dom0 then binds it with
 * shoji_evtchn_bind_interdomain(x, domid, port).
 */
int shoji_evtchn_alloc_unbound_in(struct shoji_evtchn *x, uint32_t domid, uint32_t remote);

/*
 * Toolstack: set the highest event channel port of domain @domid (default
 * 1023, at most 4095) before it first runs; EBUSY afterwards.
 */
int shoji_evtchn_set_max_port(struct shoji_evtchn *x, uint32_t domid, uint32_t max_port);

#ifdef __cplusplus
}
#endif

#endif /* SHOJI_LIBEVTCHN_H */
