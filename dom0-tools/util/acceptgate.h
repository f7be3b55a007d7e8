/*
 * acceptgate: when a daemon's listening socket accepts (a libevent loop).
 * It accepts while it serves fewer than its maximum of clients and is not
 * backing off: when accept() fails for want of descriptors or memory, the
 * listener rests for ACCEPT_BACKOFF_MS instead of waking the loop at once,
 * again and again (the socket is level-triggered).  Clients over the
 * maximum wait in the backlog until one leaves.
 */
#ifndef SHOJI_UTIL_ACCEPTGATE_H
#define SHOJI_UTIL_ACCEPTGATE_H

#include <stdbool.h>

#include <event2/event.h>

#include "log.h"

#define ACCEPT_BACKOFF_MS 100

struct accept_gate {
	struct event *listen_ev; /* the listener's read event (EV_PERSIST), owned by the caller */
	struct event *timer;     /* ends a back-off */
	bool accepting;          /* listen_ev is armed */
	bool backoff;            /* out of descriptors: waiting for the timer */
	unsigned long clients;   /* served now */
	unsigned long max;       /* at most */
	struct log_limit log;    /* failed accepts, clients over the maximum */
	const char *option;      /* the option that sets max, for the log ("--max-clients") */
};

/* Arm @listen_ev through the gate: 0, or -1 when the loop cannot (the daemon cannot start). */
int accept_gate_init(struct accept_gate *g, struct event_base *base, struct event *listen_ev,
                     unsigned long max, const char *option);
void accept_gate_fini(struct accept_gate *g);
/* accept() failed with @err: a pause when it is out of descriptors or memory. */
void accept_gate_failed(struct accept_gate *g, int err);
/* A client was accepted / has gone. */
void accept_gate_opened(struct accept_gate *g);
void accept_gate_closed(struct accept_gate *g);

#endif
