/*
 * shoji/io/xenbus.h - device connection states that frontends and
 * backends publish in xenstore (the "state" node of each side).
 *
 * Usual handshake: both start Initialising; the backend moves to InitWait
 * once it can accept the frontend's parameters; the frontend writes its
 * ring references and event channel, then goes Initialised (or straight
 * to Connected); the backend maps them and goes Connected.  Either side
 * tears down through Closing -> Closed.
 */
#ifndef SHOJI_IO_XENBUS_H
#define SHOJI_IO_XENBUS_H

enum xenbus_state {
	XenbusStateUnknown = 0,      /* node absent or unreadable */
	XenbusStateInitialising = 1, /* setting up */
	XenbusStateInitWait = 2,     /* backend: ready for the frontend's details */
	XenbusStateInitialised = 3,  /* frontend: details published */
	XenbusStateConnected = 4,    /* ring in use */
	XenbusStateClosing = 5,      /* shutting down at the peer's request */
	XenbusStateClosed = 6,       /* disconnected */
	XenbusStateReconfiguring = 7,
	XenbusStateReconfigured = 8
};
typedef enum xenbus_state XenbusState;

#endif /* SHOJI_IO_XENBUS_H */
