/*
 * The daemon side of the control socket (protocol: include/proto/hv-ctrl.h
 * and hv-dom0.h): typed requests from Dom0 clients, served from the hv
 * event loop, and state-change events for subscribers.
 */
#ifndef SHOJI_HV_CONTROL_H
#define SHOJI_HV_CONTROL_H

struct control;
struct hv;

/*
 * Listen on @path (mode 0600, its directory made if missing, a stale socket
 * replaced) and serve it from @hv's event loop; @hv's domain state changes
 * go to subscribers.  NULL on failure (logged).
 */
struct control *control_open(struct hv *hv, const char *path);
/* Close every connection (their Dom0 ports, maps and arenas go) and remove the socket. */
void control_close(struct control *c);

#endif
