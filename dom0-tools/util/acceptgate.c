/* acceptgate: a daemon's listener, gated by its client maximum and accept back-off. */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "acceptgate.h"

static void update(struct accept_gate *g)
{
	bool want = !g->backoff && g->clients < g->max;

	if (want == g->accepting)
		return;
	if ((want ? event_add(g->listen_ev, NULL) : event_del(g->listen_ev)) == 0)
		g->accepting = want;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct accept_gate *g = arg;

	g->backoff = false;
	update(g);
}

int accept_gate_init(struct accept_gate *g, struct event_base *base, struct event *listen_ev,
                     unsigned long max, const char *option)
{
	memset(g, 0, sizeof(*g));
	g->listen_ev = listen_ev;
	g->max = max;
	g->option = option;
	g->log.interval = 10;
	g->timer = evtimer_new(base, on_timer, g);
	if (!g->timer)
		return -1;
	update(g);
	return g->accepting ? 0 : -1;
}

void accept_gate_fini(struct accept_gate *g)
{
	if (g->timer)
		event_free(g->timer);
	g->timer = NULL;
}

void accept_gate_failed(struct accept_gate *g, int err)
{
	const struct timeval pause = {0, ACCEPT_BACKOFF_MS * 1000};

	if (err != EMFILE && err != ENFILE && err != ENOBUFS && err != ENOMEM)
		return; /* EAGAIN, ECONNABORTED, EINTR...: the next client is fine */
	log_warnx_limited(&g->log, "cannot accept a client: %s; pausing %d ms", strerror(err),
	                  ACCEPT_BACKOFF_MS);
	g->backoff = true;
	if (evtimer_add(g->timer, &pause) != 0)
		g->backoff = false; /* cannot pause: better busy than deaf */
	update(g);
}

void accept_gate_opened(struct accept_gate *g)
{
	g->clients++;
	if (g->clients >= g->max) {
		log_warnx_limited(&g->log,
		                  "%lu socket clients: no more are accepted until one leaves (%s)",
		                  g->clients, g->option);
		update(g);
	}
}

void accept_gate_closed(struct accept_gate *g)
{
	if (g->clients)
		g->clients--;
	update(g); /* room for a client again */
}
