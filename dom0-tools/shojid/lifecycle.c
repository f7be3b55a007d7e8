/*
 * Lifecycle: shoji-hv's event stream, the on_poweroff / on_reboot /
 * on_crash actions, waits for a shutdown or reboot (api.c's --wait), adoption
 * and autostart.  What happens goes out as events (sd_emit); a wait ends
 * through the callback its caller gave.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <shoji/sched.h>

#include "shojid.h"

/* Restarts of one name allowed within RESTART_WINDOW_S before shojid stops
 * restarting it (a guest that crashes at once would otherwise loop). */
#define RESTART_BURST    10
#define RESTART_WINDOW_S 60

struct sd_waiter {
	struct sd_waiter *next;
	struct shojid *sd;
	sd_wait_done_fn *done;
	void *arg;
	struct event *timer;
	uint32_t domid;
	unsigned int timeout_s;
	bool reboot, force;
	char name[API_NAME_MAX + 1];
};

static void waiter_free(struct shojid *sd, struct sd_waiter *w)
{
	for (struct sd_waiter **pp = &sd->waiters; *pp; pp = &(*pp)->next) {
		if (*pp == w) {
			*pp = w->next;
			break;
		}
	}
	if (w->timer)
		event_free(w->timer);
	free(w);
}

/* Answer every waiter on domid; a restarted domain's info goes to reboot waiters. */
static void wake_waiters(struct shojid *sd, uint32_t domid, struct sd_dom *restarted)
{
	struct sd_waiter *w = sd->waiters, *next;

	for (; w; w = next) {
		next = w->next;
		if (w->domid != domid)
			continue;
		w->done(w->arg, 0, w->reboot ? restarted : NULL, NULL);
		waiter_free(sd, w);
	}
}

static void waiter_timeout(evutil_socket_t fd, short what, void *arg)
{
	struct sd_waiter *w = arg;
	struct shojid *sd = w->sd;
	struct sd_dom *dom = dom_by_id(sd, w->domid);
	char msg[256];

	if (w->force && dom) {
		log_info("domain %s did not shut down within %u s: destroying it", w->name,
		         w->timeout_s);
		dom_teardown(sd, dom);
		w->done(w->arg, 0, NULL, "destroyed"); /* the CLI must not say "shut down" */
	} else {
		/* Only shutdown has --force (reboot refuses it). */
		snprintf(
		    msg, sizeof(msg),
		    "domain '%s' did not %s within %u s (the guest ignored control/shutdown%s)",
		    w->name, w->reboot ? "reboot" : "shut down", w->timeout_s,
		    w->reboot ? "" : "; --force destroys it");
		w->done(w->arg, ETIMEDOUT, NULL, msg);
	}
	waiter_free(sd, w);
}

int life_wait(struct shojid *sd, uint32_t domid, bool reboot, bool force, unsigned int timeout_s,
              sd_wait_done_fn *done, void *arg)
{
	struct sd_waiter *w = calloc(1, sizeof(*w));
	struct sd_dom *dom = dom_by_id(sd, domid);
	struct timeval tv = {.tv_sec = timeout_s};

	if (!w || !dom) {
		free(w);
		return ENOMEM;
	}
	w->sd = sd;
	w->done = done;
	w->arg = arg;
	w->domid = domid;
	w->reboot = reboot;
	w->force = force;
	w->timeout_s = timeout_s;
	snprintf(w->name, sizeof(w->name), "%s", dom->name);
	w->timer = evtimer_new(sd->base, waiter_timeout, w);
	if (!w->timer || evtimer_add(w->timer, &tv) < 0) {
		if (w->timer)
			event_free(w->timer);
		free(w);
		return ENOMEM;
	}
	w->next = sd->waiters;
	sd->waiters = w;
	return 0;
}

void life_drop_waits(struct shojid *sd, void *arg)
{
	struct sd_waiter *w = sd->waiters, *next;

	for (; w; w = next) {
		next = w->next;
		if (w->arg == arg)
			waiter_free(sd, w);
	}
}

/* True when name may restart once more now (RESTART_BURST per window). */
static bool restart_allowed(struct shojid *sd, const char *name)
{
	struct sd_restart_note *notes = sd->restarts;
	time_t now = time(NULL);
	struct sd_restart_note *n = NULL, *oldest = &notes[0];

	for (size_t i = 0; i < SD_RESTART_NOTES; i++) {
		if (!strcmp(notes[i].name, name)) {
			n = &notes[i];
			break;
		}
		if (notes[i].window_start < oldest->window_start)
			oldest = &notes[i];
	}
	if (!n) {
		n = oldest;
		snprintf(n->name, sizeof(n->name), "%s", name);
		n->count = 0;
		n->window_start = now;
	}
	if (now - n->window_start >= RESTART_WINDOW_S) {
		n->window_start = now;
		n->count = 0;
	}
	return ++n->count <= RESTART_BURST;
}

/* Tear dom down (keeping it under a new name first when rename is set) and
 * build its definition again. */
static void restart(struct shojid *sd, struct sd_dom *dom, bool rename)
{
	struct domain_config cfg;
	struct sd_dom *fresh = NULL;
	struct sd_boot boot;
	char cfg_name[API_NAME_MAX + 1];
	uint32_t old = dom->domid;
	char *xml = domxml_serialise(&dom->cfg);
	struct sd_err e = {""};
	int rc;

	if (!xml || sd_parse_xml(sd, xml, strlen(xml), &cfg, &e) != 0) {
		log_warnx("cannot restart %s: %s", dom->name, xml ? e.msg : "out of memory");
		free(xml);
		return;
	}
	free(xml);
	if (!restart_allowed(sd, cfg.name)) {
		log_warnx("domain %s restarted %d times within %d s: leaving it stopped", cfg.name,
		          RESTART_BURST, RESTART_WINDOW_S);
		domain_config_free(&cfg);
		return;
	}
	if (rename) {
		char name[API_NAME_MAX + 1];

		snprintf(name, sizeof(name), "%.50s-%" PRIu32, dom->name, dom->domid);
		log_info("keeping domain %" PRIu32 " as %s", dom->domid, name);
		snprintf(dom->name, sizeof(dom->name), "%s", name);
		if (shoji_ctrl_rename(sd->hv, dom->domid, name) < 0)
			log_warnx("shoji-hv cannot rename domain %" PRIu32 ": %s", dom->domid,
			          strerror(errno));
		xs_write_str(sd, dom->domid, "name", name, &e);
		state_save_record(sd, dom);
	}
	boot_init(&boot);
	boot.owner = dom->owner; /* the files are opened anew, with the owner's rights */
	if (!rename)
		dom_teardown(sd, dom);
	snprintf(cfg_name, sizeof(cfg_name), "%s", cfg.name); /* dom_build takes cfg over */
	rc = dom_build(sd, &cfg, false, &boot, &fresh, &e);
	if (rc) {
		log_warnx("cannot restart %s: %s", cfg_name, e.msg);
	} else {
		/* dom_build took cfg over (cfg.name is empty now): the new domain has the name. */
		log_info("restarted %s: domain %" PRIu32 " -> %" PRIu32, fresh->name, old,
		         fresh->domid);
		sd_emit(sd, API_EV_RESTARTED, old, fresh->domid, 0, fresh->name);
	}
	wake_waiters(sd, old, fresh);
	domain_config_free(&cfg);
}

/* The coredump-* actions' dump: a failed dump is logged, and the action goes on. */
static void dump_core(struct shojid *sd, struct sd_dom *dom)
{
	char path[4096];
	struct sd_err e = {""};

	if (coredump_action(sd, dom, path, sizeof(path), &e) != 0)
		log_warnx("cannot dump the core of %s (%" PRIu32 "): %s", dom->name, dom->domid,
		          e.msg);
	else
		log_info("dumped the core of %s (%" PRIu32 ") to %s", dom->name, dom->domid, path);
}

/* Apply the on_* action for a stopped domain (state/reason from shoji-hv). */
static void life_stopped(struct shojid *sd, struct sd_dom *dom, enum shoji_domain_state state,
                         uint32_t reason)
{
	enum domain_action act;
	uint32_t domid = dom->domid;

	if (dom->acted)
		return;
	dom->acted = true;
	state_save_record(sd, dom); /* a restarted shojid must not act twice */
	act = life_action(&dom->cfg, state, reason);
	sd_emit(sd, life_is_crash(state, reason) ? API_EV_CRASHED : API_EV_SHUTDOWN, domid,
	        API_DOMID_NONE, reason, dom->name);
	log_info("domain %s (%" PRIu32 ") %s (reason %" PRIu32 "): %s", dom->name, domid,
	         shoji_domain_state_name(state), reason, domain_action_name(act));
	switch (act) {
	case DOMAIN_ACTION_COREDUMP_RESTART:
		dump_core(sd, dom);
		restart(sd, dom, false);
		return;
	case DOMAIN_ACTION_RESTART:
		restart(sd, dom, false);
		return;
	case DOMAIN_ACTION_RENAME_RESTART:
		restart(sd, dom, true);
		return;
	case DOMAIN_ACTION_PRESERVE:
		break;
	case DOMAIN_ACTION_COREDUMP_DESTROY:
		dump_core(sd, dom);
		dom_teardown(sd, dom);
		break;
	default:
		dom_teardown(sd, dom);
		break;
	}
	wake_waiters(sd, domid, NULL);
}

/* Destroyed behind our back: drop what we hold for it. */
static void life_gone(struct shojid *sd, struct sd_dom *dom)
{
	xs_layout_remove(sd, dom->domid);
	state_remove_record(sd, dom->domid);
	dom_unlink(sd, dom);
	sd_emit(sd, API_EV_DESTROYED, dom->domid, API_DOMID_NONE, 0, dom->name);
	wake_waiters(sd, dom->domid, NULL);
	dom_free(dom);
}

/* Every domain shoji-hv has now, *n of them; NULL (logged) when it cannot say. */
static struct shoji_dominfo *hv_domains(struct shojid *sd, size_t *n)
{
	struct shoji_dominfo *all = NULL, *p;
	size_t max = 64;
	int r;

	for (;;) {
		p = realloc(all, max * sizeof(*all));
		if (!p) {
			log_warnx("out of memory");
			break;
		}
		all = p;
		r = shoji_ctrl_list(sd->hv, all, max);
		if (r < 0) {
			log_warn("cannot list shoji-hv's domains");
			break;
		}
		if ((size_t)r <= max) {
			*n = (size_t)r;
			return all;
		}
		max = (size_t)r; /* more than we asked for: ask for them all */
	}
	free(all);
	return NULL;
}

/*
 * shoji-hv's overflow marker: it dropped events for us (we were stopped or
 * slow).  Reconcile with its domain list as if they had come: a domain of
 * ours it no longer has (or whose id another uuid holds now) is gone, one
 * stopped gets its on_* action (once: dom->acted).  Events after the marker
 * are complete again.
 */
static void life_resync(struct shojid *sd)
{
	struct shoji_dominfo *all;
	uint32_t *ids = NULL;
	size_t n, nids = 0, i, j;

	all = hv_domains(sd, &n);
	if (!all)
		return;
	for (struct sd_dom *d = sd->doms; d; d = d->next)
		nids++;
	/* By id: an action may free, restart or rename the ones it acts on. */
	ids = nids ? calloc(nids, sizeof(*ids)) : NULL;
	if (nids && !ids) {
		log_warnx("out of memory");
		free(all);
		return;
	}
	i = 0;
	for (struct sd_dom *d = sd->doms; d; d = d->next)
		ids[i++] = d->domid;
	for (i = 0; i < nids; i++) {
		struct sd_dom *dom = dom_by_id(sd, ids[i]);
		const struct shoji_dominfo *hi = NULL;

		if (!dom)
			continue;
		for (j = 0; j < n && !hi; j++)
			if (all[j].domid == ids[i] && !memcmp(all[j].uuid, dom->cfg.uuid, 16))
				hi = &all[j];
		if (!hi) {
			log_info("domain %s (%" PRIu32 ") went while events were lost", dom->name,
			         dom->domid);
			life_gone(sd, dom);
		} else if (hi->state == SHOJI_DOMAIN_SHUTDOWN ||
		           hi->state == SHOJI_DOMAIN_CRASHED) {
			life_stopped(sd, dom, hi->state, hi->shutdown_reason);
		}
	}
	log_info("shoji-hv dropped events for us: resynchronised with its %zu domains", n);
	free(ids);
	free(all);
}

/* A domain lost with shoji-hv whose on_crash restarts it once shoji-hv is back. */
struct sd_lost {
	struct sd_lost *next;
	uint32_t domid;      /* the id it had */
	char *xml;           /* its configuration, written out */
	struct sd_boot boot; /* its owner, whose rights open its files again */
};

#define HV_RETRY_S 1

static bool action_restarts(enum domain_action act)
{
	return act == DOMAIN_ACTION_RESTART || act == DOMAIN_ACTION_RENAME_RESTART ||
	       act == DOMAIN_ACTION_COREDUMP_RESTART;
}

/* Build again the domains lost with shoji-hv that on_crash restarts. */
static void restart_lost(struct shojid *sd)
{
	while (sd->hv_lost) {
		struct sd_lost *l = sd->hv_lost;
		struct domain_config cfg;
		struct sd_dom *fresh = NULL;
		struct sd_err e = {""};

		sd->hv_lost = l->next;
		if (sd_parse_xml(sd, l->xml, strlen(l->xml), &cfg, &e) != 0) {
			log_warnx("cannot restart domain %" PRIu32 ": %s", l->domid, e.msg);
		} else {
			if (!restart_allowed(sd, cfg.name)) {
				log_warnx(
				    "domain %s restarted %d times within %d s: leaving it stopped",
				    cfg.name, RESTART_BURST, RESTART_WINDOW_S);
			} else if (dom_build(sd, &cfg, false, &l->boot, &fresh, &e) != 0) {
				log_warnx("cannot restart %s: %s", cfg.name, e.msg);
			} else {
				log_info("restarted %s: domain %" PRIu32 " -> %" PRIu32
				         " (lost with shoji-hv)",
				         fresh->name, l->domid, fresh->domid);
				sd_emit(sd, API_EV_RESTARTED, l->domid, fresh->domid, 0,
				        fresh->name);
			}
			domain_config_free(&cfg);
		}
		free(l->xml);
		free(l);
	}
}

/* Every HV_RETRY_S while shoji-hv is away: connect again; then what on_crash restarts. */
static void hv_retry(evutil_socket_t fd, short what, void *arg)
{
	const struct timeval again = {HV_RETRY_S, 0};
	struct shojid *sd = arg;
	struct shoji_ctrl *hv = shoji_ctrl_open(sd->hv_socket);
	struct shoji_ctrl *ev = shoji_ctrl_open(sd->hv_socket);
	struct shoji_evtchn *xce = shoji_evtchn_open(sd->hv_socket);
	struct event *e = NULL;

	if (hv && ev && xce && shoji_ctrl_subscribe(ev) == 0)
		e = event_new(sd->base, shoji_ctrl_fd(ev), EV_READ | EV_PERSIST, life_hv_event, sd);
	if (!e || event_add(e, NULL) < 0) {
		if (e)
			event_free(e);
		shoji_ctrl_close(hv);
		shoji_ctrl_close(ev);
		shoji_evtchn_close(xce);
		evtimer_add(sd->hv_retry, &again);
		return;
	}
	event_free(sd->hv_event);
	shoji_ctrl_close(sd->hv);
	shoji_ctrl_close(sd->hv_ev);
	shoji_evtchn_close(sd->evtchn);
	sd->hv_event = e;
	sd->hv = hv;
	sd->hv_ev = ev;
	sd->evtchn = xce;
	log_info("shoji-hv is back at %s", sd->hv_socket);
	restart_lost(sd);
}

/*
 * shoji-hv went away (its event stream ended), and every domain with it:
 * each is reported crashed and dropped (its xenstore layout and record),
 * those whose on_crash restarts them are kept for when it is back.
 */
static void life_hv_lost(struct shojid *sd, int err)
{
	const struct timeval again = {HV_RETRY_S, 0};
	size_t n = 0;

	for (struct sd_dom *d = sd->doms; d; d = d->next)
		n++;
	log_warnx("lost shoji-hv (%s): its %zu domains died with it; waiting for it to come back",
	          strerror(err), n);
	event_del(sd->hv_event);
	while (sd->doms) {
		struct sd_dom *dom = sd->doms;
		enum domain_action act =
		    life_action(&dom->cfg, SHOJI_DOMAIN_CRASHED, SHUTDOWN_crash);
		struct sd_lost *l = NULL;

		sd_emit(sd, API_EV_CRASHED, dom->domid, API_DOMID_NONE, SHUTDOWN_crash, dom->name);
		if (action_restarts(act) && !dom->acted) {
			l = calloc(1, sizeof(*l));
			if (l)
				l->xml = domxml_serialise(&dom->cfg);
			if (!l || !l->xml) {
				log_warnx("out of memory: %s will not be restarted", dom->name);
				free(l);
				l = NULL;
			}
		}
		log_info("domain %s (%" PRIu32 ") died with shoji-hv: %s", dom->name, dom->domid,
		         l ? "restarted when it is back" : "dropped");
		if (l) {
			boot_init(&l->boot);
			l->boot.owner = dom->owner;
			l->domid = dom->domid;
			l->next = sd->hv_lost;
			sd->hv_lost = l;
		}
		life_gone(sd, dom);
	}
	if (!sd->hv_retry)
		sd->hv_retry = evtimer_new(sd->base, hv_retry, sd);
	if (!sd->hv_retry || evtimer_add(sd->hv_retry, &again) < 0) {
		log_warnx("libevent: cannot wait for shoji-hv; stopping");
		event_base_loopbreak(sd->base);
	}
}

void life_hv_close(struct shojid *sd)
{
	while (sd->hv_lost) {
		struct sd_lost *l = sd->hv_lost;

		sd->hv_lost = l->next;
		free(l->xml);
		free(l);
	}
	if (sd->hv_retry)
		event_free(sd->hv_retry);
	sd->hv_retry = NULL;
}

void life_hv_event(evutil_socket_t fd, short what, void *arg)
{
	struct shojid *sd = arg;
	struct shoji_ctrl_event ev;
	struct sd_dom *dom;

	if (shoji_ctrl_next_event(sd->hv_ev, &ev) < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return;
		life_hv_lost(sd, errno);
		return;
	}
	if (ev.state == SHOJI_EVENT_OVERFLOW) {
		life_resync(sd);
		return;
	}
	dom = dom_by_id(sd, ev.domid);
	if (!dom)
		return;
	switch (ev.state) {
	case SHOJI_DOMAIN_SHUTDOWN:
	case SHOJI_DOMAIN_CRASHED:
		life_stopped(sd, dom, ev.state, ev.shutdown_reason);
		break;
	case SHOJI_DOMAIN_GONE:
		life_gone(sd, dom);
		break;
	default:
		break;
	}
}

void life_adopt(struct shojid *sd)
{
	state_adopt(sd, life_stopped);
}

static int autostart_one(struct shojid *sd, const char *name, void *arg)
{
	struct domain_config cfg;
	struct sd_dom *dom;
	struct sd_err e = {""};
	struct sd_boot boot;

	if (!state_autostart(sd, name) || dom_find(sd, name))
		return 0;
	boot_init(&boot);
	state_autostart_owner(sd, name, &boot.owner); /* its files open with their rights */
	if (state_load_def(sd, name, &cfg, &e) != 0) {
		log_warnx("autostart %s: %s", name, e.msg);
		return 0;
	}
	if (dom_build(sd, &cfg, false, &boot, &dom, &e) != 0)
		log_warnx("autostart %s: %s", name, e.msg);
	else
		log_info("autostarted %s as domain %" PRIu32, name, dom->domid);
	domain_config_free(&cfg);
	return 0;
}

void life_autostart(struct shojid *sd)
{
	state_each_def(sd, autostart_one, NULL);
}
