/*
 * Waiting for a backend to let a device go (block-detach, network-detach):
 * the class closed the device (xsdev_close); this polls the backend's state
 * until it says Closed (or the device is gone), then calls the class's
 * forget (which removes both directories and the device from the domain's
 * record).  A backend that does not close in time gets the device forgotten
 * anyway, with ETIMEDOUT for the caller.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/io/xenbus.h>

#include "shojid.h"

#define DETACH_POLL_MS 50

struct sd_detach {
	struct sd_detach *next;
	struct shojid *sd;
	sd_detach_done_fn *done; /* NULL once the client went away */
	sd_forget_fn *forget;
	void *arg;
	struct event *timer;
	const char *cls;
	uint32_t domid;
	long devid;
	unsigned int ticks_left;
	unsigned int timeout_s;
	char what[32];
};

bool detach_pending(struct shojid *sd, const char *cls, uint32_t domid, long devid)
{
	for (struct sd_detach *w = sd->detaches; w; w = w->next)
		if (!strcmp(w->cls, cls) && w->domid == domid && w->devid == devid)
			return true;
	return false;
}

static void detach_free(struct shojid *sd, struct sd_detach *w)
{
	for (struct sd_detach **pp = &sd->detaches; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (w->timer)
		event_free(w->timer);
	free(w);
}

static void detach_tick(evutil_socket_t fd, short what, void *arg)
{
	struct sd_detach *w = arg;
	struct shojid *sd = w->sd;
	int state = xsdev_backend_state(sd->xs, w->cls, w->domid, w->devid);
	char msg[256];

	if (state != -1 && state != XenbusStateClosed && w->ticks_left-- > 0)
		return;
	w->forget(sd, w->domid, w->devid);
	if (state == -1 || state == XenbusStateClosed) {
		if (w->done)
			w->done(w->arg, 0, NULL);
	} else {
		snprintf(
		    msg, sizeof(msg),
		    "the backend did not close %s within %u s (state %d); its xenstore entries "
		    "were removed anyway",
		    w->what, w->timeout_s, state);
		log_warnx("domain %" PRIu32 ": %s", w->domid, msg);
		if (w->done)
			w->done(w->arg, ETIMEDOUT, msg);
	}
	detach_free(sd, w);
}

int detach_wait(struct shojid *sd, const char *cls, uint32_t domid, long devid, const char *what,
                unsigned int timeout_s, sd_forget_fn *forget, sd_detach_done_fn *done, void *arg,
                struct sd_err *e)
{
	struct timeval tv = {.tv_sec = 0, .tv_usec = DETACH_POLL_MS * 1000};
	struct sd_detach *w;

	w = calloc(1, sizeof(*w));
	if (!w)
		return sd_fail(e, ENOMEM, "out of memory");
	w->sd = sd;
	w->done = done;
	w->forget = forget;
	w->arg = arg;
	w->cls = cls;
	w->domid = domid;
	w->devid = devid;
	w->timeout_s = timeout_s;
	w->ticks_left = timeout_s * (1000 / DETACH_POLL_MS);
	snprintf(w->what, sizeof(w->what), "%s", what);
	w->timer = event_new(sd->base, -1, EV_PERSIST, detach_tick, w);
	if (!w->timer || event_add(w->timer, &tv) < 0) {
		if (w->timer)
			event_free(w->timer);
		free(w);
		return sd_fail(e, ENOMEM, "cannot wait for the backend");
	}
	w->next = sd->detaches;
	sd->detaches = w;
	return 0;
}

void detach_drop_waits(struct shojid *sd, void *arg)
{
	for (struct sd_detach *w = sd->detaches; w; w = w->next)
		if (w->arg == arg)
			w->done = NULL; /* the detach goes on; nobody hears of its end */
}

void detach_close(struct shojid *sd)
{
	while (sd->detaches)
		detach_free(sd, sd->detaches);
}
