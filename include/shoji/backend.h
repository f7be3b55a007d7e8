/*
 * shoji/backend.h - libshoji-backend: the SDK for Dom0 PV backends.
 *
 * A backend process opens one struct shoji_backend: connections to
 * xenstore (libshoji-xs) and shoji-hv (libshoji-evtchn, libshoji-gnttab,
 * libshoji-ctrl) and a libevent loop that dispatches xenstore watches,
 * event channel notifications and domain deaths to callbacks.
 *
 * On top of it, a device class (struct shoji_backend_ops) gets the xenbus
 * protocol done for it: the library watches
 * /local/domain/0/backend/<type>/<domid>/<devid>, drives the backend's
 * "state" node (Initialising -> InitWait -> Connected -> Closing -> Closed)
 * from the frontend's, calls connect() once the frontend has published its
 * ring references and event channel, and disconnect() when the frontend
 * closes, the device is removed, the toolstack sets its backend "online"
 * node to 0 (hot-detach: then Closed) or the domain dies.  A device whose
 * backend state already says Connected (a backend process restarted) is
 * adopted: connect() runs again when the frontend is Connected, without
 * the state going back to InitWait.  Grant mappings and
 * event channels made through a device are released with it.
 *
 * Conventions: calls return 0 (or a pointer / port) on success and -1 (or
 * NULL) with errno on failure.  The library never prints: diagnostics go
 * to the log callback of struct shoji_backend_config.  Not thread-safe:
 * everything runs on the loop's thread.
 */
#ifndef SHOJI_BACKEND_H
#define SHOJI_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct event_base;
struct shoji_xs;
struct shoji_gnttab;
struct shoji_backend;
struct shoji_backend_dev;

enum shoji_backend_log_level {
	SHOJI_BACKEND_LOG_ERR = 0,
	SHOJI_BACKEND_LOG_WARN = 1,
	SHOJI_BACKEND_LOG_INFO = 2,
	SHOJI_BACKEND_LOG_DEBUG = 3,
};

typedef void shoji_backend_log_fn(void *arg, enum shoji_backend_log_level level, const char *msg);

struct shoji_backend_config {
	const char *xs_socket;     /* NULL: $SHOJI_XENSTORED_PATH or the default */
	const char *hv_socket;     /* NULL: shoji-hv's default control socket */
	shoji_backend_log_fn *log; /* NULL: no diagnostics */
	void *log_arg;
};

/* Connect to xenstore and shoji-hv and set up the loop. */
struct shoji_backend *shoji_backend_new(const struct shoji_backend_config *cfg);
/* Disconnect every device, release every mapping and port, close everything. */
void shoji_backend_free(struct shoji_backend *be);
/* Run the loop until shoji_backend_stop() or a fatal error (-1). */
int shoji_backend_run(struct shoji_backend *be);
/* Make shoji_backend_run() return 0 (from a callback or a signal event). */
void shoji_backend_stop(struct shoji_backend *be);

struct event_base *shoji_backend_event_base(struct shoji_backend *be);
struct shoji_xs *shoji_backend_xs(struct shoji_backend *be);
struct shoji_gnttab *shoji_backend_gnttab(struct shoji_backend *be);

/* --- Building blocks (used by device classes, and by backends without xenbus) --- */

/* A xenstore watch on @path; @fn gets the path that changed. */
typedef void shoji_backend_watch_fn(struct shoji_backend *be, const char *path, void *arg);
struct shoji_backend_watch;
struct shoji_backend_watch *shoji_backend_watch(struct shoji_backend *be, const char *path,
                                                shoji_backend_watch_fn *fn, void *arg);
void shoji_backend_unwatch(struct shoji_backend *be, struct shoji_backend_watch *w);

/*
 * Bind port @remote_port of domain @domid; @fn runs on the loop for each
 * (coalesced) notification.  Returns the local port.
 */
typedef void shoji_backend_event_fn(struct shoji_backend *be, uint32_t port, void *arg);
int shoji_backend_bind(struct shoji_backend *be, uint32_t domid, uint32_t remote_port,
                       shoji_backend_event_fn *fn, void *arg);
int shoji_backend_unbind(struct shoji_backend *be, uint32_t port);
int shoji_backend_notify(struct shoji_backend *be, uint32_t port);

/*
 * Domain deaths: @fn runs once for each domain the backend has bound a port
 * of (or holds a device of) when shoji-hv reports it destroyed, or when
 * @releaseDomain fires and the domain no longer exists.  Listeners run in
 * registration order; device classes are torn down before them.
 */
typedef void shoji_backend_gone_fn(struct shoji_backend *be, uint32_t domid, void *arg);
int shoji_backend_on_domain_gone(struct shoji_backend *be, shoji_backend_gone_fn *fn, void *arg);
/* Track @domid for domain_gone listeners (bind does it already). */
int shoji_backend_track_domain(struct shoji_backend *be, uint32_t domid);

/* Log through the configured callback (printf format). */
void shoji_backend_log(struct shoji_backend *be, enum shoji_backend_log_level level,
                       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* --- Xenbus device classes --- */

struct shoji_backend_ops {
	const char *type; /* "console", "vif", "ping": backend/<type>/... */
	/*
	 * The frontend is Initialised (or Connected): map its rings and bind
	 * its event channel (shoji_backend_dev_map_ring, _dev_bind).  0, or -1
	 * with errno to refuse: the device goes to Closing with an error node.
	 */
	int (*connect)(struct shoji_backend_dev *dev);
	/* Undo connect (mappings and port are released after it returns). */
	void (*disconnect)(struct shoji_backend_dev *dev);
	/* The frontend notified the device's event channel. */
	void (*event)(struct shoji_backend_dev *dev);
	/* Optional: a device appeared (before InitWait); -1 refuses it. */
	int (*probe)(struct shoji_backend_dev *dev);
	/* Optional: the device is about to be freed. */
	void (*remove)(struct shoji_backend_dev *dev);
};

/* Serve a device class; @ops must outlive the backend. */
int shoji_backend_register(struct shoji_backend *be, const struct shoji_backend_ops *ops);

struct shoji_backend *shoji_backend_dev_backend(const struct shoji_backend_dev *dev);
uint32_t shoji_backend_dev_domid(const struct shoji_backend_dev *dev);
uint32_t shoji_backend_dev_devid(const struct shoji_backend_dev *dev);
const char *shoji_backend_dev_backend_path(const struct shoji_backend_dev *dev);
const char *shoji_backend_dev_frontend_path(const struct shoji_backend_dev *dev);
void *shoji_backend_dev_priv(const struct shoji_backend_dev *dev);
void shoji_backend_dev_set_priv(struct shoji_backend_dev *dev, void *priv);

/* Read frontend node @node (malloc'd string) / as an unsigned number. */
char *shoji_backend_dev_read(struct shoji_backend_dev *dev, const char *node);
int shoji_backend_dev_read_ulong(struct shoji_backend_dev *dev, const char *node,
                                 unsigned long *value);
/* Read the device's own backend node @node (e.g. "params"; malloc'd string). */
char *shoji_backend_dev_read_backend(struct shoji_backend_dev *dev, const char *node);
/* Write backend node @node (e.g. "feature-x"). */
int shoji_backend_dev_write(struct shoji_backend_dev *dev, const char *node, const char *value);

/*
 * Map the grant whose reference is in frontend node @ref_node (one page,
 * PROT_READ|PROT_WRITE); unmapped automatically after disconnect.
 */
void *shoji_backend_dev_map_ring(struct shoji_backend_dev *dev, const char *ref_node);
/* Bind the port in frontend node @port_node; events go to ops->event. */
int shoji_backend_dev_bind(struct shoji_backend_dev *dev, const char *port_node);
int shoji_backend_dev_notify(struct shoji_backend_dev *dev);
/*
 * Bind one more port of the frontend's, from node @port_node (e.g.
 * "queue-1/event-channel" of a multi-queue device), with its own callback
 * (notify it with shoji_backend_notify and the returned local port); up to
 * 8 per device, unbound with the device's when it disconnects.
 */
int shoji_backend_dev_bind_extra(struct shoji_backend_dev *dev, const char *port_node,
                                 shoji_backend_event_fn *fn, void *arg);
/*
 * Take a connected device down (a corrupt ring): disconnect() runs, its
 * mappings and port are released, @why goes to the backend's "error"
 * node and the state to Closing.  Not from inside the device's own
 * callbacks (defer it to the loop).
 */
int shoji_backend_dev_close(struct shoji_backend_dev *dev, const char *why);

#ifdef __cplusplus
}
#endif

#endif /* SHOJI_BACKEND_H */
