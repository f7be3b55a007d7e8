/*
 * The CLI socket: a stream of typed messages (api-proto.h).  Each request is
 * size-checked and dispatched through one table; a handler either replies
 * (api_reply) or returns a positive errno with a one-line reason, which the
 * dispatcher sends back.  shutdown/reboot --wait hold their reply until
 * lifecycle.c ends the wait.  The events of every layer (sd_emit) go to the
 * subscribed clients.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <uuid/uuid.h>

#include "cpulist.h"
#include "scmfd.h"
#include "shojid.h"
#include "strdist.h"

#define DEFAULT_WAIT_S   60
#define DEFAULT_DETACH_S 10 /* as libxl waits for a backend to close */
#define DMESG_MAX        (1024 * 1024)

_Static_assert(API_MAX_FDS <= SCMFD_MAX, "a request's descriptors fit scmfd's message");

struct sd_client {
	struct sd_client *next;
	struct shojid *sd;
	struct bufferevent *bev;
	bool subscribed;
	bool held;            /* a reply waits for lifecycle.c (life_wait) */
	struct sd_cred cred;  /* the peer's user and group (files are written as it) */
	struct event *rev;    /* reads: recvmsg, for the descriptors a request brings */
	struct evbuffer *in;  /* what it read, up to a whole request */
	int fds[API_MAX_FDS]; /* descriptors that came, for the next request */
	unsigned int nr_fds;
};

struct api_call {
	struct shojid *sd;
	struct sd_client *c;
	const struct api_req *req;
	const char *text;   /* NUL-terminated, req->text_len bytes */
	struct sd_dom *dom; /* the running target (handlers marked .running) */
	struct sd_err *e;
};

struct api_handler {
	int (*fn)(struct api_call *x);
	bool target;  /* req.target must name a domain */
	bool running; /* ... a running one, found for the handler as x->dom */
	bool text;    /* takes XML text */
};

/* ---- replies ---- */

static void api_reply(struct sd_client *c, int status, const void *payload, size_t len)
{
	struct api_hdr h = {.magic = API_MAGIC,
	                    .version = API_VERSION,
	                    .type = 0,
	                    .len = (uint32_t)len,
	                    .status = status};

	c->held = false;
	bufferevent_write(c->bev, &h, sizeof(h));
	if (len)
		bufferevent_write(c->bev, payload, len);
}

static void api_reply_err(struct sd_client *c, int status, const char *msg)
{
	api_reply(c, status, msg, strlen(msg));
}

static void client_free(struct sd_client *c);

/*
 * The listener of sd_emit: the event goes to every subscribed client; one
 * that has let SHOJID_SUB_OUT_MAX bytes of them pile up unread is dropped.
 */
static void broadcast(struct shojid *sd, const struct sd_event *e)
{
	struct api_event ev = {
	    .kind = e->kind, .domid = e->domid, .new_domid = e->new_domid, .reason = e->reason};
	struct api_hdr h = {
	    .magic = API_MAGIC, .version = API_VERSION, .type = API_EVENT_MSG, .len = sizeof(ev)};
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	ev.time_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	snprintf(ev.name, sizeof(ev.name), "%s", e->name);
	for (struct sd_client *c = sd->clients, *next; c; c = next) {
		next = c->next;
		if (!c->subscribed)
			continue;
		if (evbuffer_get_length(bufferevent_get_output(c->bev)) > SHOJID_SUB_OUT_MAX) {
			log_warnx_limited(
			    &sd->log_readers,
			    "an events subscriber reads nothing: %u bytes queued, dropped",
			    SHOJID_SUB_OUT_MAX);
			client_free(c);
			continue;
		}
		bufferevent_write(c->bev, &h, sizeof(h));
		bufferevent_write(c->bev, &ev, sizeof(ev));
	}
}

static uint32_t state_of(enum shoji_domain_state s)
{
	return s < SHOJI_DOMAIN_GONE ? (uint32_t)s : API_STATE_DYING;
}

static void api_fill_info(struct shojid *sd, struct sd_dom *dom, const struct shoji_dominfo *hi,
                          struct api_dominfo *out)
{
	struct shoji_dominfo own;

	memset(out, 0, sizeof(*out));
	if (!hi && shoji_ctrl_info(sd->hv, dom->domid, &own) == 0)
		hi = &own;
	if (hi) {
		out->state = state_of(hi->state);
		out->shutdown_reason = hi->shutdown_reason;
		out->online_vcpus = hi->online_vcpus;
		out->max_kib = hi->max_kib;
		out->cur_kib = hi->cur_kib;
		out->cpu_time_ns = hi->cpu_time_ns;
		out->vcpus = hi->vcpus;
	} else {
		out->state = API_STATE_DYING;
	}
	out->domid = dom->domid;
	out->flags = API_INFO_MANAGED;
	out->target_kib = dom->target_kib;
	out->max_kib = dom->cfg.memory_kib;
	out->start_time_ns = dom->start_ns;
	memcpy(out->uuid, dom->cfg.uuid, 16);
	snprintf(out->name, sizeof(out->name), "%s", dom->name);
	if (state_has_def(sd, dom->name))
		out->flags |= API_INFO_PERSISTENT;
	if (state_autostart(sd, dom->name))
		out->flags |= API_INFO_AUTOSTART;
}

/* The info of a defined domain that does not run. */
static void fill_defined(struct shojid *sd, const struct domain_config *cfg,
                         struct api_dominfo *out)
{
	memset(out, 0, sizeof(*out));
	out->domid = API_DOMID_NONE;
	out->state = API_STATE_DEFINED;
	out->vcpus = cfg->vcpus;
	out->max_kib = cfg->memory_kib;
	out->target_kib = cfg->current_memory_kib;
	out->flags = API_INFO_PERSISTENT;
	if (state_autostart(sd, cfg->name))
		out->flags |= API_INFO_AUTOSTART;
	memcpy(out->uuid, cfg->uuid, 16);
	snprintf(out->name, sizeof(out->name), "%s", cfg->name);
}

/* The info of a domain shoji-hv runs that shojid did not build (no API_INFO_MANAGED). */
static void fill_unmanaged(const struct shoji_dominfo *hi, struct api_dominfo *out)
{
	memset(out, 0, sizeof(*out));
	out->domid = hi->domid;
	out->state = state_of(hi->state);
	out->shutdown_reason = hi->shutdown_reason;
	out->vcpus = hi->vcpus;
	out->online_vcpus = hi->online_vcpus;
	out->max_kib = hi->max_kib;
	out->target_kib = hi->cur_kib;
	out->cur_kib = hi->cur_kib;
	out->cpu_time_ns = hi->cpu_time_ns;
	memcpy(out->uuid, hi->uuid, 16);
	snprintf(out->name, sizeof(out->name), "%s", hi->name);
}

/*
 * A domain shoji-hv runs that shojid did not build (created through
 * shoji-hv's socket by another tool): found by id, or by the name shoji-hv
 * has for it.  0 and *hi, or -1.
 */
static int unmanaged(struct api_call *x, struct shoji_dominfo *hi)
{
	const char *t = x->req->target;
	struct shoji_dominfo *all = NULL;
	char *end;
	unsigned long id;
	int n, rc = -1;

	errno = 0;
	id = strtoul(t, &end, 10);
	if (t[0] >= '0' && t[0] <= '9' && !*end && !errno && id < UINT32_MAX)
		return !dom_by_id(x->sd, (uint32_t)id) &&
		               shoji_ctrl_info(x->sd->hv, (uint32_t)id, hi) == 0
		           ? 0
		           : -1;
	n = shoji_ctrl_list(x->sd->hv, NULL, 0);
	if (n > 0)
		all = calloc((size_t)n + 16, sizeof(*all));
	if (all)
		n = shoji_ctrl_list(x->sd->hv, all, (size_t)n + 16);
	for (int i = 0; all && i < n; i++)
		if (!strcmp(all[i].name, t) && !dom_by_id(x->sd, all[i].domid)) {
			*hi = all[i];
			rc = 0;
			break;
		}
	free(all);
	return rc;
}

/* ---- handlers ---- */

struct name_hint {
	const char *typed;
	size_t best_d;
	char best[sizeof(((struct domain_config *)0)->name)];
};

/* state_each_def callback: keep the definition's name if it is the best hint so far. */
static int def_hint(struct shojid *sd, const char *name, void *arg)
{
	struct name_hint *h = arg;

	if (str_better_hint(h->typed, name, &h->best_d))
		snprintf(h->best, sizeof(h->best), "%s", name);
	return 0;
}

/*
 * The target names no running domain: say so, and what the user may have
 * meant (a defined domain of that name that is not running, or the closest
 * name shojid knows, as the CLI does for commands).
 */
static int no_domain(struct api_call *x)
{
	const char *t = x->req->target;
	struct name_hint h = {.typed = t, .best_d = STRDIST_HINT};

	if (t[0] >= '0' && t[0] <= '9')
		return sd_fail(x->e, ENOENT, "no domain with id %s", t);
	if (state_has_def(x->sd, t))
		return sd_fail(x->e, ENOENT,
		               "domain '%s' is not running (start it: shoji start %s)", t, t);
	for (struct sd_dom *d = x->sd->doms; d; d = d->next)
		if (str_better_hint(t, d->cfg.name, &h.best_d))
			snprintf(h.best, sizeof(h.best), "%s", d->cfg.name);
	state_each_def(x->sd, def_hint, &h);
	if (h.best[0])
		return sd_fail(x->e, ENOENT, "no domain named '%s' (did you mean '%s'?)", t,
		               h.best);
	return sd_fail(x->e, ENOENT, "no domain named '%s'", t);
}

static struct sd_dom *running(struct api_call *x)
{
	return dom_find(x->sd, x->req->target);
}

struct uuid_probe {
	const struct domain_config *cfg;
	char other[sizeof(((struct domain_config *)0)->name)]; /* the name holding the uuid */
};

/* state_each_def callback: a definition of another name with the same uuid stops the walk. */
static int def_has_uuid(struct shojid *sd, const char *name, void *arg)
{
	struct uuid_probe *p = arg;
	struct domain_config def;
	struct sd_err e = {""};
	int same;

	if (!strcmp(name, p->cfg->name) || state_load_def(sd, name, &def, &e) != 0)
		return 0;
	same = !memcmp(def.uuid, p->cfg->uuid, 16);
	domain_config_free(&def);
	if (same)
		snprintf(p->other, sizeof(p->other), "%s", name);
	return same;
}

/* A uuid names one domain (as libvirt has it): no running domain or definition of another name has @cfg's. */
static int uuid_unique(struct api_call *x, const struct domain_config *cfg)
{
	struct uuid_probe p = {.cfg = cfg};
	char u[37];

	for (struct sd_dom *d = x->sd->doms; d; d = d->next)
		if (strcmp(d->cfg.name, cfg->name) && !memcmp(d->cfg.uuid, cfg->uuid, 16))
			snprintf(p.other, sizeof(p.other), "%s", d->cfg.name);
	if (!p.other[0])
		state_each_def(x->sd, def_has_uuid, &p);
	if (!p.other[0])
		return 0;
	uuid_unparse_lower(cfg->uuid, u);
	return sd_fail(x->e, EEXIST, "domain '%s' already has uuid %s", p.other, u);
}

/* Parse the request's XML; a file without <uuid> takes the uuid of the
 * definition or domain that already has its name (as virsh does). */
static int parse_request(struct api_call *x, struct domain_config *cfg)
{
	struct domain_config old;
	struct sd_dom *dom;
	struct sd_err e = {""};
	int rc = sd_parse_xml(x->sd, x->text, x->req->text_len, cfg, x->e);

	if (rc)
		return rc;
	dom = dom_find(x->sd, cfg->name);
	if (state_has_def(x->sd, cfg->name) && state_load_def(x->sd, cfg->name, &old, &e) == 0) {
		if (x->req->flags & API_F_UUID_GENERATED)
			memcpy(cfg->uuid, old.uuid, 16);
		rc = memcmp(cfg->uuid, old.uuid, 16) ? EEXIST : 0;
		domain_config_free(&old);
	} else if (dom && (x->req->flags & API_F_UUID_GENERATED)) {
		memcpy(cfg->uuid, dom->cfg.uuid, 16);
	}
	if (rc) {
		domain_config_free(cfg);
		return sd_fail(x->e, EEXIST,
		               "a domain named '%s' is already defined with another uuid",
		               cfg->name);
	}
	rc = uuid_unique(x, cfg);
	if (rc)
		domain_config_free(cfg);
	return rc;
}

/* Builds cfg (and frees it), paused if asked; replies with the new domain's info.
 * The client must be able to open its disks itself, and passes its kernel and
 * initrd open (descriptors 0 and 1, boot.c). */
static int build_reply(struct api_call *x, struct domain_config *cfg)
{
	struct api_dominfo info;
	struct sd_dom *dom;
	struct sd_boot boot;
	int rc;

	boot_init(&boot);
	boot.kernel_fd = api_take_fd(x, 0);
	boot.initrd_fd = api_take_fd(x, 1);
	boot.owner = x->c->cred;
	rc = boot_check(cfg, &x->c->cred, &boot, x->e);
	if (!rc)
		rc = block_check_access(cfg, &x->c->cred, x->e);
	if (!rc)
		rc = dom_build(x->sd, cfg, x->req->flags & API_F_PAUSED, &boot, &dom, x->e);
	boot_close(&boot);
	domain_config_free(cfg);
	if (rc)
		return rc;
	api_fill_info(x->sd, dom, NULL, &info);
	api_reply(x->c, 0, &info, sizeof(info));
	return 0;
}

static int do_create(struct api_call *x)
{
	struct domain_config cfg;
	int rc = parse_request(x, &cfg);

	return rc ? rc : build_reply(x, &cfg);
}

static int do_define(struct api_call *x)
{
	struct domain_config cfg;
	struct sd_dom *dom;
	int rc = parse_request(x, &cfg);

	if (rc)
		return rc;
	dom = dom_find(x->sd, cfg.name);
	if (dom && memcmp(dom->cfg.uuid, cfg.uuid, 16)) {
		rc =
		    sd_fail(x->e, EEXIST, "a running domain named '%s' has another uuid", cfg.name);
	} else if (state_save_def(x->sd, &cfg) < 0) {
		rc = sd_fail(x->e, errno, "cannot write the definition of '%s': %s", cfg.name,
		             strerror(errno));
	} else {
		sd_emit(x->sd, API_EV_DEFINED, API_DOMID_NONE, API_DOMID_NONE, 0, cfg.name);
		api_reply(x->c, 0, cfg.name,
		          strlen(cfg.name) + 1); /* the name, for the CLI to say */
	}
	domain_config_free(&cfg);
	return rc;
}

static int do_undefine(struct api_call *x)
{
	const char *name = x->req->target;

	if (!state_has_def(x->sd, name))
		return sd_fail(x->e, ENOENT, "no domain named '%s' is defined", name);
	if (state_remove_def(x->sd, name) < 0)
		return sd_fail(x->e, errno, "cannot remove the definition of '%s': %s", name,
		               strerror(errno));
	sd_emit(x->sd, API_EV_UNDEFINED, API_DOMID_NONE, API_DOMID_NONE, 0, name);
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

static int do_start(struct api_call *x)
{
	struct domain_config cfg;
	int rc;

	if (running(x))
		return sd_fail(x->e, EEXIST, "domain '%s' is already running", x->req->target);
	rc = state_load_def(x->sd, x->req->target, &cfg, x->e);
	return rc ? rc : build_reply(x, &cfg);
}

struct list_acc {
	struct api_dominfo *v;
	size_t n, cap;
};

static struct api_dominfo *list_slot(struct list_acc *a)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 32;
		void *p = reallocarray(a->v, cap, sizeof(*a->v));

		if (!p)
			return NULL;
		a->v = p;
		a->cap = cap;
	}
	return &a->v[a->n++];
}

static int add_defined(struct shojid *sd, const char *name, void *arg)
{
	struct list_acc *a = arg;
	struct domain_config cfg;
	struct api_dominfo *slot;
	struct sd_err e = {""};

	if (dom_find(sd, name) || state_load_def(sd, name, &cfg, &e) != 0)
		return 0;
	slot = list_slot(a);
	if (slot)
		fill_defined(sd, &cfg, slot);
	domain_config_free(&cfg);
	return slot ? 0 : ENOMEM;
}

static int do_list(struct api_call *x)
{
	struct shoji_dominfo *hv = NULL;
	struct list_acc a = {0};
	int n, cap = 0, rc = 0;

	n = shoji_ctrl_list(x->sd->hv, NULL, 0);
	if (n >= 0) {
		cap = n + 16;
		hv = calloc((size_t)cap, sizeof(*hv));
		n = hv ? shoji_ctrl_list(x->sd->hv, hv, (size_t)cap) : -1;
	}
	if (n < 0) {
		rc = sd_fail(x->e, errno, "shoji-hv: cannot list domains: %s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < n && i < cap; i++) {
		struct sd_dom *dom = dom_by_id(x->sd, hv[i].domid);
		struct api_dominfo *slot = list_slot(&a);

		if (!slot) {
			rc = sd_fail(x->e, ENOMEM, "out of memory");
			goto out;
		}
		if (dom)
			api_fill_info(x->sd, dom, &hv[i], slot);
		else
			fill_unmanaged(&hv[i], slot);
	}
	if ((x->req->flags & API_F_ALL) && state_each_def(x->sd, add_defined, &a) != 0) {
		rc = sd_fail(x->e, ENOMEM, "out of memory");
		goto out;
	}
	api_reply(x->c, 0, a.v, a.n * sizeof(*a.v));
out:
	free(a.v);
	free(hv);
	return rc;
}

static int do_info(struct api_call *x)
{
	struct sd_dom *dom = running(x);
	struct domain_config cfg;
	struct api_dominfo info;
	struct sd_err e = {""};

	struct shoji_dominfo hi;

	if (dom) {
		api_fill_info(x->sd, dom, NULL, &info);
	} else if (state_load_def(x->sd, x->req->target, &cfg, &e) == 0) {
		fill_defined(x->sd, &cfg, &info);
		domain_config_free(&cfg);
	} else if (unmanaged(x, &hi) == 0) {
		fill_unmanaged(&hi, &info);
	} else {
		return no_domain(x);
	}
	api_reply(x->c, 0, &info, sizeof(info));
	return 0;
}

/* pause and unpause: one shoji-hv call, then the event for subscribers. */
static int set_paused(struct api_call *x, bool pause)
{
	struct sd_dom *dom = x->dom;
	int r;

	r = pause ? shoji_ctrl_pause(x->sd->hv, dom->domid)
	          : shoji_ctrl_unpause(x->sd->hv, dom->domid);
	if (r < 0)
		return sd_fail(x->e, errno, "cannot %s '%s': %s", pause ? "pause" : "unpause",
		               dom->name, strerror(errno));
	sd_emit(x->sd, pause ? API_EV_PAUSED : API_EV_UNPAUSED, dom->domid, API_DOMID_NONE, 0,
	        dom->name);
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

static int do_pause(struct api_call *x)
{
	return set_paused(x, true);
}

static int do_unpause(struct api_call *x)
{
	return set_paused(x, false);
}

/* The end of a held shutdown/reboot --wait (life_wait's callback). */
static void wait_done(void *arg, int status, struct sd_dom *restarted, const char *msg)
{
	struct sd_client *c = arg;
	struct api_dominfo info;

	if (status) {
		api_reply_err(c, status, msg);
	} else if (restarted) {
		api_fill_info(c->sd, restarted, NULL, &info);
		api_reply(c, 0, &info, sizeof(info));
	} else if (msg) {
		api_reply(c, 0, msg, strlen(msg)); /* "destroyed" */
	} else {
		api_reply(c, 0, NULL, 0);
	}
}

/* shutdown and reboot: ask the guest through control/shutdown. */
static int request_stop(struct api_call *x, bool reboot)
{
	struct sd_dom *dom = x->dom;
	struct shoji_dominfo hi;
	unsigned int timeout = x->req->value ? (unsigned int)x->req->value : DEFAULT_WAIT_S;
	int rc;

	if (shoji_ctrl_info(x->sd->hv, dom->domid, &hi) == 0 &&
	    (hi.state == SHOJI_DOMAIN_SHUTDOWN || hi.state == SHOJI_DOMAIN_CRASHED) && !reboot) {
		api_reply(x->c, 0, NULL, 0); /* already down (preserved) */
		return 0;
	}
	rc = xs_write_str(x->sd, dom->domid, "control/shutdown", reboot ? "reboot" : "poweroff",
	                  x->e);
	if (rc)
		return rc;
	if (!(x->req->flags & API_F_WAIT)) {
		api_reply(x->c, 0, NULL, 0);
		return 0;
	}
	rc = life_wait(x->sd, dom->domid, reboot, x->req->flags & API_F_FORCE, timeout, wait_done,
	               x->c);
	if (rc)
		return sd_fail(x->e, rc, "cannot wait: %s", strerror(rc));
	x->c->held = true;
	return 0;
}

static int do_shutdown(struct api_call *x)
{
	return request_stop(x, false);
}

static int do_reboot(struct api_call *x)
{
	return request_stop(x, true);
}

/* destroy: shojid's own domains are torn down; one another tool built is destroyed in shoji-hv. */
static int do_destroy(struct api_call *x)
{
	struct sd_dom *dom = running(x);
	struct shoji_dominfo hi;

	if (dom) {
		dom_teardown(x->sd, dom);
	} else if (unmanaged(x, &hi) == 0) {
		if (shoji_ctrl_destroy(x->sd->hv, hi.domid) < 0)
			return sd_fail(x->e, errno, "cannot destroy domain %" PRIu32 ": %s",
			               hi.domid, strerror(errno));
		sd_emit(x->sd, API_EV_DESTROYED, hi.domid, API_DOMID_NONE, 0, hi.name);
	} else {
		return no_domain(x);
	}
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

/* The end of a change to dom's record: save it, then reply with success. */
static int reply_saved(struct api_call *x, struct sd_dom *dom)
{
	state_save_record(x->sd, dom);
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

static int do_mem_set(struct api_call *x)
{
	struct sd_dom *dom = x->dom;
	char num[32];
	int rc;

	if (x->req->value < 1024 || x->req->value > dom->cfg.memory_kib)
		return sd_fail(x->e, EINVAL,
		               "target %" PRIu64 " KiB is outside 1024 KiB .. the domain's maximum "
		               "%" PRIu64 " KiB (raise the maximum with shoji mem-max)",
		               x->req->value, dom->cfg.memory_kib);
	snprintf(num, sizeof(num), "%" PRIu64, x->req->value);
	rc = xs_write_str(x->sd, dom->domid, "memory/target", num, x->e);
	if (rc)
		return rc;
	dom->target_kib = x->req->value;
	return reply_saved(x, dom);
}

static int do_vcpu_set(struct api_call *x)
{
	struct sd_dom *dom = x->dom;
	char rel[64];
	int rc;

	if (x->req->value < 1 || x->req->value > dom->cfg.vcpus)
		return sd_fail(x->e, EINVAL,
		               "N must be 1 .. %u: '%s' may have at most the %u vCPUs its <vcpu> "
		               "gives",
		               dom->cfg.vcpus, dom->name, dom->cfg.vcpus);
	for (unsigned int c = 0; c < dom->cfg.vcpus; c++) {
		snprintf(rel, sizeof(rel), "cpu/%u/availability", c);
		rc = xs_write_str(x->sd, dom->domid, rel, c < x->req->value ? "online" : "offline",
		                  x->e);
		if (rc)
			return rc;
	}
	dom->cfg.current_vcpus = (unsigned int)x->req->value;
	return reply_saved(x, dom);
}

static int do_dmesg(struct api_call *x)
{
	struct sd_dom *dom = x->dom;
	char *buf = NULL;
	uint64_t pos = 0;
	size_t used = 0;
	int n, rc = 0;

	buf = malloc(DMESG_MAX);
	if (!buf)
		return sd_fail(x->e, ENOMEM, "out of memory");
	while (used < DMESG_MAX) {
		n = shoji_ctrl_console_read(x->sd->hv, dom->domid, &pos, buf + used,
		                            DMESG_MAX - used);
		if (n < 0) {
			rc = sd_fail(x->e, errno, "cannot read the console of '%s': %s", dom->name,
			             strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	api_reply(x->c, 0, buf, used);
out:
	free(buf);
	return rc;
}

static int do_events(struct api_call *x)
{
	x->c->subscribed = true;
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

static int do_dumpxml(struct api_call *x)
{
	struct sd_dom *dom = running(x);
	struct domain_config cfg;
	char *xml;
	int rc;

	if (dom) {
		/* A running domain's live state: its balloon target since mem-set, as virsh shows it. */
		uint64_t cur = dom->cfg.current_memory_kib;

		dom->cfg.current_memory_kib = dom->target_kib;
		xml = domxml_serialise(&dom->cfg);
		dom->cfg.current_memory_kib = cur;
	} else {
		rc = state_load_def(x->sd, x->req->target, &cfg, x->e);
		if (rc == ENOENT)
			return no_domain(x);
		if (rc)
			return rc;
		xml = domxml_serialise(&cfg);
		domain_config_free(&cfg);
	}
	if (!xml)
		return sd_fail(x->e, ENOMEM, "out of memory");
	api_reply(x->c, 0, xml, strlen(xml));
	free(xml);
	return 0;
}

static int do_autostart(struct api_call *x)
{
	const char *name = x->req->target;
	bool on = !(x->req->flags & API_F_DISABLE);

	if (!state_has_def(x->sd, name))
		return sd_fail(x->e, ENOENT, "no domain named '%s' is defined", name);
	if ((on ? state_mark_autostart(x->sd, name, &x->c->cred)
	        : state_set_autostart(x->sd, name, false)) < 0)
		return sd_fail(x->e, errno, "cannot change autostart of '%s': %s", name,
		               strerror(errno));
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

/* dump-core: the core is written with the client's file-system identity, so
 * a member of shojid's group creates only files it could create itself. */
static int do_dump_core(struct api_call *x)
{
	struct sd_dom *dom = x->dom;
	int rc;

	if (x->text[0] != '/' || strlen(x->text) != x->req->text_len)
		return sd_fail(x->e, EINVAL, "the core file must be given as an absolute path");
	rc = coredump_domain(x->sd, dom->domid, x->text, &x->c->cred, x->e);
	if (rc == ENOENT || rc == ETIMEDOUT)
		rc = EIO; /* on the wire these mean "no such domain" and "--wait timed out" */
	if (rc)
		return rc;
	log_info("dumped the core of %s (%" PRIu32 ") to %s", dom->name, dom->domid, x->text);
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

/* x->dom for the block commands: a defined domain that does not run is told so. */
static int block_target(struct api_call *x)
{
	x->dom = running(x);
	if (x->dom)
		return 0;
	if (state_has_def(x->sd, x->req->target))
		return sd_fail(x->e, EINVAL, "domain '%s' is not running", x->req->target);
	return no_domain(x);
}

/* The end of a held block-detach (block_detach's callback). */
static void detach_done(void *arg, int status, const char *msg)
{
	struct sd_client *c = arg;

	if (status)
		api_reply_err(c, status, msg);
	else
		api_reply(c, 0, NULL, 0);
}

/* block-attach: text is "VDEV\nSOURCE"; the disk is checked completely before
 * anything is written (block_attach). */
static int do_block_attach(struct api_call *x)
{
	const char *nl = strchr(x->text, '\n');
	uint32_t f = x->req->flags;
	struct domain_disk d = {.type = DOMAIN_DISK_FILE};
	struct api_vbd *v = NULL;
	struct stat st;
	size_t n = 0, vlen;
	int rc;

	rc = block_target(x);
	if (rc)
		return rc;
	vlen = nl ? (size_t)(nl - x->text) : 0;
	if (!nl || vlen == 0 || vlen >= sizeof(d.target) || strlen(x->text) != x->req->text_len ||
	    (f & API_F_PHY && f & API_F_FILE))
		return sd_fail(x->e, EINVAL, "malformed block-attach request");
	memcpy(d.target, x->text, vlen);
	d.source = strdup(nl + 1);
	if (!d.source)
		return sd_fail(x->e, ENOMEM, "out of memory");
	d.device = f & API_F_CDROM ? DOMAIN_DISK_DEVICE_CDROM : DOMAIN_DISK_DEVICE_DISK;
	d.readonly = (f & (API_F_READONLY | API_F_CDROM)) != 0;
	/* Without --type the source says what it is. */
	if (f & API_F_PHY || (!(f & API_F_FILE) && stat(d.source, &st) == 0 && S_ISBLK(st.st_mode)))
		d.type = DOMAIN_DISK_BLOCK;
	rc = block_attach(x->sd, x->dom, &d, &x->c->cred, x->e);
	free(d.source);
	if (rc)
		return rc;
	/* Attached: the reply is its entry (none when out of memory, still a success). */
	if (block_list(x->sd, &x->dom->cfg, x->dom->domid, &v, &n, x->e) == 0 && n)
		api_reply(x->c, 0, &v[n - 1], sizeof(*v));
	else
		api_reply(x->c, 0, NULL, 0);
	free(v);
	return 0;
}

static int do_block_detach(struct api_call *x)
{
	unsigned int timeout = x->req->value ? (unsigned int)x->req->value : DEFAULT_DETACH_S;
	int rc;

	if (strlen(x->text) != x->req->text_len || x->req->value > 86400)
		return sd_fail(x->e, EINVAL, "malformed block-detach request");
	rc = block_target(x);
	if (rc)
		return rc;
	x->c->held = true; /* until detach_done */
	rc = block_detach(x->sd, x->dom, x->text, x->req->flags & API_F_FORCE, timeout, detach_done,
	                  x->c, x->e);
	if (rc)
		x->c->held = false;
	return rc;
}

/*
 * block_list and net_list under one signature: a domain's devices as API
 * records (*v, *n of them, *size bytes each).
 */
typedef int dev_list_fn(struct shojid *sd, const struct domain_config *cfg, uint32_t domid,
                        void **v, size_t *n, size_t *size, struct sd_err *e);

static int vbd_list(struct shojid *sd, const struct domain_config *cfg, uint32_t domid, void **v,
                    size_t *n, size_t *size, struct sd_err *e)
{
	struct api_vbd *p = NULL;
	int rc = block_list(sd, cfg, domid, &p, n, e);

	*v = p;
	*size = sizeof(*p);
	return rc;
}

static int vif_list(struct shojid *sd, const struct domain_config *cfg, uint32_t domid, void **v,
                    size_t *n, size_t *size, struct sd_err *e)
{
	struct api_vif *p = NULL;
	int rc = net_list(sd, cfg, domid, &p, n, e);

	*v = p;
	*size = sizeof(*p);
	return rc;
}

/* block-list, network-list: a running domain's devices, or (flag ALL) a defined one's. */
static int dev_list(struct api_call *x, dev_list_fn *list)
{
	struct sd_dom *dom = running(x);
	struct domain_config cfg;
	void *v = NULL;
	size_t n = 0, size = 0;
	int rc;

	if (dom) {
		rc = list(x->sd, &dom->cfg, dom->domid, &v, &n, &size, x->e);
	} else if (!(x->req->flags & API_F_ALL)) {
		return state_has_def(x->sd, x->req->target)
		           ? sd_fail(x->e, EINVAL, "domain '%s' is not running", x->req->target)
		           : no_domain(x);
	} else {
		rc = state_load_def(x->sd, x->req->target, &cfg, x->e);
		if (rc == ENOENT)
			return no_domain(x);
		if (rc)
			return rc;
		rc = list(x->sd, &cfg, API_DOMID_NONE, &v, &n, &size, x->e);
		domain_config_free(&cfg);
	}
	if (!rc)
		api_reply(x->c, 0, v, n * size);
	free(v);
	return rc;
}

static int do_block_list(struct api_call *x)
{
	return dev_list(x, vbd_list);
}

/* ---- xl/virsh conveniences: sysrq, mem-max, rename ---- */

/* sysrq: the key goes to control/sysrq, where the guest's xenbus watch reads it (as xl does). */
static int do_sysrq(struct api_call *x)
{
	char key[2] = {(char)x->req->value, '\0'};
	int rc;

	if (x->req->value < 0x21 || x->req->value > 0x7e)
		return sd_fail(x->e, EINVAL, "a sysrq key is one printable character");
	rc = xs_write_str(x->sd, x->dom->domid, "control/sysrq", key, x->e);
	if (!rc)
		api_reply(x->c, 0, NULL, 0);
	return rc;
}

/*
 * mem-max: the most memory the domain may balloon up to.  shoji-hv gave it
 * its RAM at build, so the maximum moves between the balloon target and that.
 */
static int do_mem_max(struct api_call *x)
{
	struct sd_dom *dom = x->dom;
	struct shoji_dominfo hi;
	char num[32];
	int rc;

	if (shoji_ctrl_info(x->sd->hv, dom->domid, &hi) < 0)
		return sd_fail(x->e, errno, "shoji-hv: %s", strerror(errno));
	if (x->req->value > hi.max_kib)
		return sd_fail(x->e, EINVAL,
		               "'%s' was built with %" PRIu64
		               " KiB; its maximum cannot exceed that "
		               "while it runs",
		               dom->name, hi.max_kib);
	if (x->req->value < dom->target_kib)
		return sd_fail(x->e, EINVAL,
		               "%" PRIu64 " KiB is below the balloon target %" PRIu64
		               " KiB (lower it first with shoji mem-set)",
		               x->req->value, dom->target_kib);
	snprintf(num, sizeof(num), "%" PRIu64, x->req->value);
	rc = xs_write_str(x->sd, dom->domid, "memory/static-max", num, x->e);
	if (rc)
		return rc;
	dom->cfg.memory_kib = x->req->value;
	return reply_saved(x, dom);
}

/* The running domain's name everywhere it is kept: shoji-hv, xenstore, the record. */
static int rename_running(struct api_call *x, struct sd_dom *dom, const char *to)
{
	char path[160], *vm;
	unsigned int n;
	int rc;

	if (shoji_ctrl_rename(x->sd->hv, dom->domid, to) < 0)
		return sd_fail(x->e, errno, "shoji-hv cannot rename domain %" PRIu32 ": %s",
		               dom->domid, strerror(errno));
	rc = xs_write_str(x->sd, dom->domid, "name", to, x->e);
	if (rc)
		return rc;
	snprintf(path, sizeof(path), "/local/domain/%" PRIu32 "/vm", dom->domid);
	vm = shoji_xs_read(x->sd->xs, SHOJI_XS_NO_TX, path, &n);
	if (vm && n && n < 96) {
		snprintf(path, sizeof(path), "%.*s/name", (int)n, vm);
		shoji_xs_write(x->sd->xs, SHOJI_XS_NO_TX, path, to, (unsigned int)strlen(to));
	}
	free(vm);
	snprintf(dom->name, sizeof(dom->name), "%s", to);
	snprintf(dom->cfg.name, sizeof(dom->cfg.name), "%s", to);
	state_save_record(x->sd, dom);
	return 0;
}

/* The definition moves to the new name, with its autostart mark. */
static int rename_defined(struct api_call *x, const char *from, const char *to)
{
	struct domain_config cfg;
	bool autostart = state_autostart(x->sd, from);
	struct sd_cred owner;
	int rc = state_load_def(x->sd, from, &cfg, x->e);

	if (rc)
		return rc;
	snprintf(cfg.name, sizeof(cfg.name), "%s", to);
	if (state_save_def(x->sd, &cfg) < 0)
		rc = sd_fail(x->e, errno, "cannot write the definition of '%s': %s", to,
		             strerror(errno));
	domain_config_free(&cfg);
	if (rc)
		return rc;
	state_autostart_owner(x->sd, from, &owner);
	state_remove_def(x->sd, from);
	if (autostart)
		state_mark_autostart(x->sd, to, &owner);
	return 0;
}

static int do_rename(struct api_call *x)
{
	struct sd_dom *dom = running(x);
	const char *to = x->text, *why = NULL;
	char from[API_NAME_MAX + 1];
	bool defined;
	int rc = 0;

	snprintf(from, sizeof(from), "%s", dom ? dom->name : x->req->target);
	defined = state_has_def(x->sd, from);
	if (!dom && !defined)
		return no_domain(x);
	if (strlen(to) != x->req->text_len || !domxml_name_valid(to, &why))
		return sd_fail(x->e, EINVAL, "'%s' is not a valid domain name: %s", to,
		               why ? why : "it holds a NUL");
	if (dom_name_taken(x->sd, to) || state_has_def(x->sd, to))
		return sd_fail(x->e, EEXIST, "the name '%s' is in use", to);
	if (dom)
		rc = rename_running(x, dom, to);
	if (!rc && defined)
		rc = rename_defined(x, from, to);
	if (rc)
		return rc;
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

/* ---- vcpu-list, vcpu-pin: the vCPU threads, which shoji-hv owns ---- */

_Static_assert(SHOJI_CPUMASK_WORDS == API_CPUMASK_WORDS, "one CPU mask size");

static int do_vcpu_list(struct api_call *x)
{
	struct sd_dom *dom = x->dom;
	struct shoji_dominfo hi;
	struct api_vcpu *v;
	int rc = 0;

	if (shoji_ctrl_info(x->sd->hv, dom->domid, &hi) < 0)
		return sd_fail(x->e, errno, "shoji-hv: %s", strerror(errno));
	v = calloc(hi.vcpus ? hi.vcpus : 1, sizeof(*v));
	if (!v)
		return sd_fail(x->e, ENOMEM, "out of memory");
	for (uint32_t i = 0; i < hi.vcpus && !rc; i++) {
		struct shoji_vcpu_sched s;

		if (shoji_ctrl_vcpu_sched(x->sd->hv, dom->domid, i, &s) < 0) {
			rc = sd_fail(x->e, errno, "shoji-hv: vCPU %" PRIu32 ": %s", i,
			             strerror(errno));
			break;
		}
		v[i].vcpu = s.vcpu;
		v[i].flags = (s.online ? API_VCPU_ONLINE : 0) | (s.running ? API_VCPU_RUNNING : 0);
		v[i].tid = s.tid;
		v[i].cpu = s.cpu;
		v[i].cpu_time_ns = s.cpu_time_ns;
		memcpy(v[i].affinity, s.affinity, sizeof(v[i].affinity));
	}
	if (!rc)
		api_reply(x->c, 0, v, hi.vcpus * sizeof(*v));
	free(v);
	return rc;
}

static int do_vcpu_pin(struct api_call *x)
{
	uint64_t mask[SHOJI_CPUMASK_WORDS];
	long ncpus = sysconf(_SC_NPROCESSORS_CONF);
	char why[128];

	if (strlen(x->text) != x->req->text_len)
		return sd_fail(x->e, EINVAL, "malformed vcpu-pin request");
	if (x->req->value >= x->dom->cfg.vcpus)
		return sd_fail(x->e, EINVAL, "'%s' has vCPUs 0 .. %u, not %" PRIu64, x->dom->name,
		               x->dom->cfg.vcpus - 1, x->req->value);
	if (cpulist_parse(x->text, ncpus > 0 ? (unsigned int)ncpus : 1, mask, SHOJI_CPUMASK_WORDS,
	                  why, sizeof(why)) < 0)
		return sd_fail(x->e, EINVAL, "%s", why);
	if (shoji_ctrl_vcpu_pin(x->sd->hv, x->dom->domid, (uint32_t)x->req->value, mask) < 0) {
		if (errno == EAGAIN)
			return sd_fail(x->e, EAGAIN,
			               "vCPU %" PRIu64
			               " of '%s' has no thread yet (it has not run)",
			               x->req->value, x->dom->name);
		return sd_fail(x->e, errno, "shoji-hv cannot pin vCPU %" PRIu64 ": %s",
		               x->req->value, strerror(errno));
	}
	api_reply(x->c, 0, NULL, 0);
	return 0;
}

/* network-attach: text is "MAC\nBRIDGE\nVIFNAME" (each may be empty); the interface is
 * checked completely before anything is written (net_attach). */
static int do_net_attach(struct api_call *x)
{
	struct domain_nic nic = {.type = DOMAIN_NIC_ETHERNET};
	char *copy = NULL, *mac, *bridge, *name, *end;
	struct api_vif *v = NULL;
	const char *why;
	size_t n = 0;
	long devid = -1;
	int rc;

	rc = block_target(x);
	if (rc)
		return rc;
	if (strlen(x->text) != x->req->text_len)
		return sd_fail(x->e, EINVAL, "malformed network-attach request");
	copy = strdup(x->text);
	if (!copy)
		return sd_fail(x->e, ENOMEM, "out of memory");
	mac = copy;
	bridge = strchr(mac, '\n');
	name = bridge ? strchr(bridge + 1, '\n') : NULL;
	end = name ? strchr(name + 1, '\n') : NULL;
	if (!bridge || !name || end) {
		rc = sd_fail(x->e, EINVAL, "malformed network-attach request");
		goto out;
	}
	*bridge++ = '\0';
	*name++ = '\0';
	if (*mac && (!domxml_parse_mac(mac, nic.mac) || (nic.mac[0] & 1) ||
	             !memcmp(nic.mac, (const uint8_t[6]){0}, 6))) {
		rc = sd_fail(x->e, EINVAL, "'%s' is not a unicast MAC address", mac);
		goto out;
	}
	if (*bridge && !domxml_ifname_valid(bridge, &why)) {
		rc = sd_fail(x->e, EINVAL, "bridge '%s' is not a valid interface name (%s)", bridge,
		             why);
		goto out;
	}
	if (*name && !domxml_ifname_valid(name, &why)) {
		rc = sd_fail(x->e, EINVAL, "'%s' is not a valid interface name (%s)", name, why);
		goto out;
	}
	if (!*mac)
		domxml_gen_mac(nic.mac); /* a clash is refused by net_attach's checks */
	snprintf(nic.target, sizeof(nic.target), "%s", name);
	if (*bridge) {
		nic.type = DOMAIN_NIC_BRIDGE;
		nic.bridge = strdup(bridge);
		if (!nic.bridge) {
			rc = sd_fail(x->e, ENOMEM, "out of memory");
			goto out;
		}
	}
	rc = net_attach(x->sd, x->dom, &nic, &devid, x->e);
	free(nic.bridge);
	if (rc)
		goto out;
	/* Attached: the reply is its entry (none when out of memory, still a success). */
	if (net_list(x->sd, &x->dom->cfg, x->dom->domid, &v, &n, x->e) == 0 && n)
		api_reply(x->c, 0, &v[n - 1], sizeof(*v));
	else
		api_reply(x->c, 0, NULL, 0);
	free(v);
out:
	free(copy);
	return rc;
}

static int do_net_detach(struct api_call *x)
{
	unsigned int timeout = x->req->value ? (unsigned int)x->req->value : DEFAULT_DETACH_S;
	char *end;
	long devid;
	int rc;

	errno = 0;
	devid = strtol(x->text, &end, 10);
	if (strlen(x->text) != x->req->text_len || x->req->value > 86400 || !x->text[0] || *end ||
	    errno || devid < 0)
		return sd_fail(x->e, EINVAL, "malformed network-detach request");
	rc = block_target(x);
	if (rc)
		return rc;
	x->c->held = true; /* until detach_done */
	rc = net_detach(x->sd, x->dom, devid, x->req->flags & API_F_FORCE, timeout, detach_done,
	                x->c, x->e);
	if (rc)
		x->c->held = false;
	return rc;
}

static int do_net_list(struct api_call *x)
{
	return dev_list(x, vif_list);
}

/* ---- save, restore: the stream's descriptor comes with the request ---- */

static int do_save(struct api_call *x)
{
	struct api_save_reply out;
	int fd = api_take_fd(x, 0), rc;

	if (fd < 0)
		return sd_fail(x->e, EINVAL, "save: no file came with the request");
	rc = save_domain(x->sd, x->dom, fd, x->req->flags & API_F_KEEP, &out, x->e);
	close(fd);
	if (rc == ENOENT || rc == ETIMEDOUT)
		rc = EIO; /* on the wire these mean "no such domain" and "--wait timed out" */
	if (!rc)
		api_reply(x->c, 0, &out, sizeof(out));
	return rc;
}

/* The saved domain's name and uuid are free: as create checks them (parse_request). */
static int restore_check(struct api_call *x, const struct domain_config *cfg)
{
	struct sd_dom *other = dom_find(x->sd, cfg->name);
	struct domain_config def;
	struct sd_err e = {""};
	bool same = true;

	if (other)
		return sd_fail(x->e, EEXIST,
		               "a domain named '%s' already exists (domid %" PRIu32 ")", cfg->name,
		               other->domid);
	if (state_has_def(x->sd, cfg->name) && state_load_def(x->sd, cfg->name, &def, &e) == 0) {
		same = !memcmp(def.uuid, cfg->uuid, 16);
		domain_config_free(&def);
	}
	if (!same)
		return sd_fail(x->e, EEXIST, "a domain named '%s' is defined with another uuid",
		               cfg->name);
	return uuid_unique(x, cfg);
}

static int do_restore(struct api_call *x)
{
	struct api_restore_reply out = {0};
	struct sd_restore rs;
	struct sd_dom *dom;
	int fd = api_take_fd(x, 0), rc;

	if (fd < 0)
		return sd_fail(x->e, EINVAL, "restore: no file came with the request");
	rc = restore_begin(x->sd, fd, &rs, x->e);
	if (!rc)
		rc = restore_check(x, &rs.cfg);
	if (!rc)
		rc = block_check_access(&rs.cfg, &x->c->cred, x->e);
	if (!rc)
		rc = restore_domain(x->sd, &rs, x->req->flags & API_F_PAUSED, &dom, x->e);
	out.saved_domid = rs.saved_domid;
	restore_free(&rs);
	close(fd);
	if (rc == ENOENT || rc == ETIMEDOUT)
		rc = EIO;
	if (rc)
		return rc;
	api_fill_info(x->sd, dom, NULL, &out.info);
	api_reply(x->c, 0, &out, sizeof(out));
	return 0;
}

static const struct api_handler handlers[API_TYPE_MAX] = {
    [API_CREATE] = {.fn = do_create, .text = true},
    [API_DEFINE] = {.fn = do_define, .text = true},
    [API_UNDEFINE] = {.fn = do_undefine, .target = true},
    [API_START] = {.fn = do_start, .target = true},
    [API_LIST] = {.fn = do_list},
    [API_INFO] = {.fn = do_info, .target = true},
    [API_PAUSE] = {.fn = do_pause, .target = true, .running = true},
    [API_UNPAUSE] = {.fn = do_unpause, .target = true, .running = true},
    [API_SHUTDOWN] = {.fn = do_shutdown, .target = true, .running = true},
    [API_REBOOT] = {.fn = do_reboot, .target = true, .running = true},
    [API_DESTROY] = {.fn = do_destroy, .target = true},
    [API_MEM_SET] = {.fn = do_mem_set, .target = true, .running = true},
    [API_VCPU_SET] = {.fn = do_vcpu_set, .target = true, .running = true},
    [API_DMESG] = {.fn = do_dmesg, .target = true, .running = true},
    [API_EVENTS] = {.fn = do_events},
    [API_DUMPXML] = {.fn = do_dumpxml, .target = true},
    [API_AUTOSTART] = {.fn = do_autostart, .target = true},
    [API_DUMP_CORE] = {.fn = do_dump_core, .target = true, .running = true, .text = true},
    [API_BLOCK_ATTACH] = {.fn = do_block_attach, .target = true, .text = true},
    [API_BLOCK_DETACH] = {.fn = do_block_detach, .target = true, .text = true},
    [API_BLOCK_LIST] = {.fn = do_block_list, .target = true},
    [API_SYSRQ] = {.fn = do_sysrq, .target = true, .running = true},
    [API_MEM_MAX] = {.fn = do_mem_max, .target = true, .running = true},
    [API_RENAME] = {.fn = do_rename, .target = true, .text = true},
    [API_VCPU_LIST] = {.fn = do_vcpu_list, .target = true, .running = true},
    [API_VCPU_PIN] = {.fn = do_vcpu_pin, .target = true, .running = true, .text = true},
    [API_NET_ATTACH] = {.fn = do_net_attach, .target = true, .text = true},
    [API_NET_DETACH] = {.fn = do_net_detach, .target = true, .text = true},
    [API_NET_LIST] = {.fn = do_net_list, .target = true},
    [API_SAVE] = {.fn = do_save, .target = true, .running = true},
    [API_RESTORE] = {.fn = do_restore},
};

/* Check a request completely, then run its handler. */
static void dispatch(struct sd_client *c, const struct api_hdr *h, char *payload)
{
	const struct api_handler *hd = h->type < API_TYPE_MAX ? &handlers[h->type] : NULL;
	struct sd_err e = {""};
	const char *why = NULL;
	struct api_req req;
	struct api_call x = {.sd = c->sd, .c = c, .req = &req, .e = &e};
	int rc;

	if (!hd || !hd->fn) {
		api_reply_err(c, ENOSYS, "unknown request");
		return;
	}
	if (h->len < sizeof(req)) {
		api_reply_err(c, EPROTO, "request too short");
		return;
	}
	memcpy(&req, payload, sizeof(req));
	if (req.text_len != h->len - sizeof(req) || (req.text_len && !hd->text) ||
	    memchr(req.target, '\0', sizeof(req.target)) == NULL ||
	    (hd->target && !req.target[0])) {
		api_reply_err(c, EPROTO, "malformed request");
		return;
	}
	/* A target names a state file: only a domid or a valid domain name. */
	if (hd->target && strspn(req.target, "0123456789") != strlen(req.target) &&
	    !domxml_name_valid(req.target, &why)) {
		snprintf(e.msg, sizeof(e.msg), "no domain named '%s' (%s)", req.target, why);
		api_reply_err(c, ENOENT, e.msg);
		return;
	}
	/* The payload buffer has one spare byte: the text becomes a C string. */
	x.text = payload + sizeof(req);
	payload[h->len] = '\0';
	x.dom = hd->running ? running(&x) : NULL;
	rc = hd->running && !x.dom ? no_domain(&x) : hd->fn(&x);
	if (rc)
		api_reply_err(c, rc, e.msg[0] ? e.msg : strerror(rc));
	if (c->sd->verbose)
		log_info("request %u '%s': %s", (unsigned int)h->type, req.target,
		         rc ? (e.msg[0] ? e.msg : strerror(rc)) : "ok");
}

/* Close the descriptors no request took. */
static void drop_fds(struct sd_client *c)
{
	for (unsigned int i = 0; i < c->nr_fds; i++)
		if (c->fds[i] >= 0)
			close(c->fds[i]);
	c->nr_fds = 0;
}

int api_take_fd(struct api_call *x, unsigned int i)
{
	int fd;

	if (i >= x->c->nr_fds)
		return -1;
	fd = x->c->fds[i];
	x->c->fds[i] = -1;
	return fd;
}

static void client_free(struct sd_client *c)
{
	struct shojid *sd = c->sd;

	life_drop_waits(sd, c);
	detach_drop_waits(sd, c);
	for (struct sd_client **pp = &sd->clients; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	drop_fds(c);
	event_free(c->rev);
	evbuffer_free(c->in);
	bufferevent_free(c->bev);
	free(c);
	accept_gate_closed(&sd->gate);
}

static void client_read(struct sd_client *c)
{
	struct evbuffer *in = c->in;
	struct api_hdr h;
	char *payload;

	while (!c->held && !c->subscribed && evbuffer_get_length(in) >= sizeof(h)) {
		evbuffer_copyout(in, &h, sizeof(h));
		if (h.magic != API_MAGIC || h.version != API_VERSION || h.len > API_MSG_MAX) {
			log_warnx("dropping a client that speaks another protocol");
			client_free(c);
			return;
		}
		if (evbuffer_get_length(in) < sizeof(h) + h.len)
			return;
		payload = malloc((size_t)h.len + 1);
		if (!payload) {
			client_free(c);
			return;
		}
		evbuffer_drain(in, sizeof(h));
		evbuffer_remove(in, payload, h.len);
		dispatch(c, &h, payload);
		drop_fds(c); /* the ones it did not take */
		free(payload);
	}
}

/*
 * The client's socket is readable: its bytes go to c->in, and the descriptors that came with them
 * (SCM_RIGHTS, at most API_MAX_FDS; more are closed) to the next request.
 */
static void client_recv(evutil_socket_t fd, short what, void *arg)
{
	struct sd_client *c = arg;
	char buf[16384];
	ssize_t n = scmfd_recv(fd, buf, sizeof(buf), MSG_DONTWAIT, c->fds, API_MAX_FDS, &c->nr_fds);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0 || evbuffer_add(c->in, buf, (size_t)n) < 0) {
		client_free(c);
		return;
	}
	/* More than a whole request of the largest size waits unread: not a client of ours. */
	if (evbuffer_get_length(c->in) > sizeof(struct api_hdr) + API_MSG_MAX) {
		log_warnx_limited(&c->sd->log_writers,
		                  "a client sent more than a request without reading: dropped");
		client_free(c);
		return;
	}
	client_read(c);
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		client_free(arg);
}

/*
 * May @uc's process use shojid?  root, shojid's own user, and with --group
 * that group's members (primary or supplementary group of the process, as
 * /proc says of the peer); whatever the socket file's mode says (a umask or
 * a chmod can open the file; this cannot be opened).
 */
static bool peer_allowed(const struct shojid *sd, const struct ucred *uc)
{
	char path[64], line[4096];
	bool ok = false, uid_seen = false;
	FILE *f;

	if (uc->uid == 0 || uc->uid == geteuid())
		return true;
	if (!sd->group)
		return false;
	if (uc->gid == sd->group_gid)
		return true;
	snprintf(path, sizeof(path), "/proc/%ld/status", (long)uc->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long real;

		/* The same process still: its real uid is the one the socket saw. */
		if (sscanf(line, "Uid: %lu", &real) == 1)
			uid_seen = real == uc->uid;
		if (strncmp(line, "Groups:", 7))
			continue;
		char *save = NULL;

		for (char *tok = strtok_r(line + 7, " \t\n", &save); tok;
		     tok = strtok_r(NULL, " \t\n", &save))
			if (strtoul(tok, NULL, 10) == sd->group_gid)
				ok = true;
	}
	fclose(f);
	return ok && uid_seen;
}

static void accept_cb(evutil_socket_t fd, short what, void *arg)
{
	struct shojid *sd = arg;
	struct sd_client *c;
	struct ucred uc;
	socklen_t uc_len = sizeof(uc);
	int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (cfd < 0) {
		accept_gate_failed(&sd->gate, errno);
		return;
	}
	if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &uc, &uc_len) < 0 || !peer_allowed(sd, &uc)) {
		log_warnx_limited(&sd->log_refused,
		                  "refused a client: uid %u is neither root nor in %s",
		                  (unsigned int)uc.uid, sd->group ? sd->group : "root's group");
		close(cfd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c || !(c->bev = bufferevent_socket_new(sd->base, cfd, BEV_OPT_CLOSE_ON_FREE))) {
		free(c);
		close(cfd);
		return;
	}
	c->in = evbuffer_new();
	c->rev = event_new(sd->base, cfd, EV_READ | EV_PERSIST, client_recv, c);
	if (!c->in || !c->rev || event_add(c->rev, NULL) < 0) {
		if (c->rev)
			event_free(c->rev);
		if (c->in)
			evbuffer_free(c->in);
		bufferevent_free(c->bev);
		free(c);
		return;
	}
	c->sd = sd;
	c->cred.uid = uc.uid;
	c->cred.gid = uc.gid;
	c->next = sd->clients;
	sd->clients = c;
	accept_gate_opened(&sd->gate);
	/* bufferevent writes; client_recv reads, with the descriptors that come along. */
	bufferevent_setcb(c->bev, NULL, NULL, client_event, c);
	bufferevent_enable(c->bev, EV_WRITE);
}

/* Create the socket's directory (mode 0755) when it is missing. */
static void make_parent(const char *path)
{
	char *dir = strdup(path), *slash = dir ? strrchr(dir, '/') : NULL;

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST)
			log_warnx("cannot create %s: %s", dir, strerror(errno));
	}
	free(dir);
}

int api_listen(struct shojid *sd)
{
	gid_t gid = 0;
	int fd;

	if (sd->group) {
		struct group *g = getgrnam(sd->group);

		if (!g) {
			log_warnx("no group named '%s'", sd->group);
			return -1;
		}
		gid = g->gr_gid;
	}
	sd->group_gid = gid;
	make_parent(sd->socket_path);
	/* 0660 from the start; the group follows (until then only root's group could connect). */
	fd = usock_listen(sd->socket_path, 0660, 64, &sd->sock_id);
	if (fd < 0 || (sd->group && chown(sd->socket_path, (uid_t)-1, gid) < 0)) {
		log_warnx("cannot listen on %s: %s", sd->socket_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sd->listen_fd = fd;
	sd->listen_event = event_new(sd->base, fd, EV_READ | EV_PERSIST, accept_cb, sd);
	if (!sd->listen_event || accept_gate_init(&sd->gate, sd->base, sd->listen_event,
	                                          sd->max_clients, "--max-clients") < 0)
		return -1;
	sd->log_writers.interval = sd->log_readers.interval = sd->log_refused.interval = 10;
	sd->on_event = broadcast;
	return 0;
}

void api_close(struct shojid *sd)
{
	sd->on_event = NULL;
	while (sd->clients)
		client_free(sd->clients);
	accept_gate_fini(&sd->gate);
	if (sd->listen_event)
		event_free(sd->listen_event);
	if (sd->listen_fd >= 0) {
		close(sd->listen_fd);
		usock_unlink(sd->socket_path, &sd->sock_id);
	}
}
