/*
 * Watches: a watch on a path fires for the node and every descendant; a
 * watch on "@name" fires only for that special event.  Events are filtered
 * by the watcher's read permission on the changed node (XSA-115) and an
 * event that would not fit in one message is dropped (XSA-324).
 *
 * An introduced domain's watches are state like its nodes: journalled, kept
 * on the domain (parked) while it has no ring connection, served again
 * with a fresh initial event when it has one, dropped by RELEASE.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

/* Put w in its hash bucket, growing the table when it gets crowded. */
static int bucket_add(struct xsd *d, struct xs_watch *w)
{
	if (!d->wbuckets || d->nwatches >= 2 * (d->wmask + 1)) {
		uint32_t nsize = d->wbuckets ? (d->wmask + 1) * 4 : 64;
		struct xs_watch **nb = calloc(nsize, sizeof(*nb)), *x;

		if (!nb)
			return ENOMEM;
		for (x = d->watch_list; x; x = x->hnext) {
			x->bnext = nb[x->hash & (nsize - 1)];
			nb[x->hash & (nsize - 1)] = x;
		}
		free(d->wbuckets);
		d->wbuckets = nb;
		d->wmask = nsize - 1;
	}
	w->bnext = d->wbuckets[w->hash & d->wmask];
	d->wbuckets[w->hash & d->wmask] = w;
	d->nwatches++;
	return 0;
}

static void bucket_del(struct xsd *d, struct xs_watch *w)
{
	struct xs_watch **pp = &d->wbuckets[w->hash & d->wmask];

	for (; *pp; pp = &(*pp)->bnext) {
		if (*pp == w) {
			*pp = w->bnext;
			d->nwatches--;
			return;
		}
	}
}

/* The domain that keeps c's watches across restarts (c is its ring connection), or NULL. */
static struct xsd_domain *keeper(struct xsd *d, const struct xs_conn *c)
{
	struct xsd_domain *dom;

	if (!c->is_domain)
		return NULL;
	dom = domain_get(d, c->domid, false);
	return dom && dom->introduced ? dom : NULL;
}

static struct xs_watch *watch_new(const char *path, const char *token, uint32_t relskip)
{
	size_t plen = strlen(path), tlen = strlen(token);
	struct xs_watch *w = calloc(1, sizeof(*w) + plen + 1);

	if (!w)
		return NULL;
	w->token = malloc(tlen + 1);
	if (!w->token) {
		free(w);
		return NULL;
	}
	memcpy(w->token, token, tlen + 1);
	memcpy(w->path, path, plen + 1);
	w->plen = (uint32_t)plen;
	w->tlen = (uint32_t)tlen;
	w->relskip = relskip;
	w->hash = xs_hash(path, (uint32_t)plen);
	return w;
}

/* Free w and take it off its domain's count. */
static void watch_destroy(struct xsd *d, struct xs_watch *w, uint32_t domid)
{
	struct xsd_domain *dom = domain_get(d, domid, false);

	if (dom && dom->watches)
		dom->watches--;
	free(w->token);
	free(w);
}

static bool watch_same(const struct xs_watch *w, const char *path, const char *token)
{
	return strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0;
}

static struct xs_watch *find(struct xs_watch *list, const char *path, const char *token)
{
	for (; list; list = list->next)
		if (watch_same(list, path, token))
			return list;
	return NULL;
}

/* Serve w on c: its hash bucket, the list of every watch and c's list. */
static int watch_link(struct xsd *d, struct xs_conn *c, struct xs_watch *w)
{
	if (bucket_add(d, w) != 0)
		return ENOMEM;
	w->conn = c;
	w->next = c->watches;
	c->watches = w;
	c->nwatches++;
	w->hnext = d->watch_list;
	if (d->watch_list)
		d->watch_list->hprevp = &w->hnext;
	w->hprevp = &d->watch_list;
	d->watch_list = w;
	return 0;
}

/* Stop serving w (the caller takes it off its connection's list). */
static void watch_unlink(struct xsd *d, struct xs_watch *w)
{
	bucket_del(d, w);
	*w->hprevp = w->hnext;
	if (w->hnext)
		w->hnext->hprevp = w->hprevp;
	w->conn->nwatches--;
	w->conn = NULL;
}

int watch_add(struct xsd *d, struct xs_conn *c, const char *path, uint32_t relskip,
              const char *token, struct xs_watch **added)
{
	struct xsd_domain *dom, *kept = keeper(d, c);
	struct xs_watch *w;

	if (find(c->watches, path, token))
		return EEXIST;
	if (c->nwatches >= domain_quota(d, c->domid, c->priv ? QUOTA_PRIV_WATCHES : QUOTA_WATCHES))
		return E2BIG;
	w = watch_new(path, token, relskip);
	if (!w)
		return ENOMEM;
	if (watch_link(d, c, w) != 0) {
		free(w->token);
		free(w);
		return ENOMEM;
	}
	dom = domain_get(d, c->domid, true);
	if (dom)
		dom->watches++;
	if (kept)
		journal_watch(d, c->domid, w);
	*added = w;
	return 0;
}

int watch_del(struct xsd *d, struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch **pp, *w;

	for (pp = &c->watches; (w = *pp) != NULL; pp = &w->next) {
		if (watch_same(w, path, token)) {
			if (keeper(d, c))
				journal_unwatch(d, c->domid, w);
			*pp = w->next;
			watch_unlink(d, w);
			watch_destroy(d, w, c->domid);
			return 0;
		}
	}
	return ENOENT;
}

/* Free every watch on c's list (nothing journalled). */
static void drop_conn_watches(struct xsd *d, struct xs_conn *c)
{
	while (c->watches) {
		struct xs_watch *w = c->watches;

		c->watches = w->next;
		watch_unlink(d, w);
		watch_destroy(d, w, c->domid);
	}
}

static void drop_parked(struct xsd *d, struct xsd_domain *dom)
{
	while (dom->parked) {
		struct xs_watch *w = dom->parked;

		dom->parked = w->next;
		watch_destroy(d, w, dom->domid);
	}
}

void watch_del_all(struct xsd *d, struct xs_conn *c)
{
	struct xsd_domain *kept = keeper(d, c);

	if (kept && (c->watches || kept->parked)) {
		journal_watch_reset(d, c->domid);
		drop_parked(d, kept);
		conn_want_flush(c); /* write the record soon even if no reply follows */
	}
	drop_conn_watches(d, c);
}

void watch_initial_event(const struct xs_watch *w)
{
	uint32_t plen = w->plen - w->relskip;

	if ((size_t)plen + 1 + w->tlen + 1 <= XENSTORE_PAYLOAD_MAX)
		conn_send(w->conn, XS_WATCH_EVENT, 0, 0, w->path + w->relskip, plen + 1, w->token,
		          w->tlen + 1);
}

void watch_attach(struct xsd *d, struct xs_conn *c)
{
	struct xsd_domain *dom = keeper(d, c);

	if (!dom || c->dead)
		return;
	while (dom->parked) {
		struct xs_watch *w = dom->parked;

		dom->parked = w->next;
		if (find(c->watches, w->path, w->token) || watch_link(d, c, w) != 0) {
			watch_destroy(d, w, dom->domid);
			continue;
		}
		/* the domain may have missed changes while it had no connection */
		watch_initial_event(w);
	}
}

void watch_conn_closed(struct xsd *d, struct xs_conn *c)
{
	struct xsd_domain *dom = keeper(d, c);
	struct xs_conn *other;

	if (!dom) {
		drop_conn_watches(d, c);
		return;
	}
	/* c->watches is newest first: pushing each in front leaves parked oldest first */
	while (c->watches) {
		struct xs_watch *w = c->watches;

		c->watches = w->next;
		watch_unlink(d, w);
		w->next = dom->parked;
		dom->parked = w;
	}
	for (other = d->conns; other; other = other->next)
		if (other != c && other->is_domain && other->domid == c->domid && !other->dead)
			watch_attach(d, other);
}

int watch_restore(struct xsd *d, uint32_t domid, const char *path, uint32_t relskip,
                  const char *token)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	struct xs_watch *w, **pp;

	if (!dom || !dom->introduced)
		return ENOENT;
	for (pp = &dom->parked; *pp; pp = &(*pp)->next)
		if (watch_same(*pp, path, token))
			return EEXIST;
	w = watch_new(path, token, relskip);
	if (!w)
		return ENOMEM;
	*pp = w;
	dom->watches++;
	return 0;
}

int watch_give(struct xsd *d, uint32_t domid, const char *path, uint32_t relskip, const char *token)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	struct xs_watch *w = NULL;
	struct xs_conn *c;
	int err;

	if (!dom || !dom->introduced)
		return ENOENT;
	for (c = d->conns; c; c = c->next) {
		if (!c->is_domain || c->domid != domid || c->dead)
			continue;
		err = watch_add(d, c, path, relskip, token, &w);
		if (!err)
			watch_initial_event(w);
		return err;
	}
	/* No ring yet: parked, served when it connects (watch_attach). */
	if (dom->watches >= domain_quota(d, domid, QUOTA_WATCHES))
		return E2BIG;
	err = watch_restore(d, domid, path, relskip, token);
	if (err)
		return err;
	for (w = dom->parked; w->next; w = w->next)
		;
	journal_watch(d, domid, w);
	return 0;
}

void watch_forget(struct xsd *d, uint32_t domid, const char *path, const char *token)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	struct xs_watch **pp, *w;

	if (!dom)
		return;
	for (pp = &dom->parked; (w = *pp) != NULL; pp = &w->next) {
		if (watch_same(w, path, token)) {
			*pp = w->next;
			watch_destroy(d, w, domid);
			return;
		}
	}
}

void watch_release(struct xsd *d, uint32_t domid)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	struct xs_conn *c;

	for (c = d->conns; c; c = c->next)
		if (c->is_domain && c->domid == domid)
			drop_conn_watches(d, c);
	if (dom)
		drop_parked(d, dom);
}

void watch_each_kept(struct xsd *d, uint32_t domid, void (*fn)(void *arg, const struct xs_watch *w),
                     void *arg)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	const struct xs_watch *w, **v;
	struct xs_conn *c;
	uint32_t n, i;

	if (!dom || !dom->introduced)
		return;
	for (w = dom->parked; w; w = w->next)
		fn(arg, w);
	/* a connection's list is newest first */
	for (c = d->conns; c; c = c->next) {
		if (!c->is_domain || c->domid != domid || !c->nwatches)
			continue;
		v = malloc(c->nwatches * sizeof(*v));
		n = 0;
		for (w = c->watches; w && v; w = w->next)
			v[n++] = w;
		for (i = n; i > 0; i--)
			fn(arg, v[i - 1]);
		if (!v) /* no memory: the order is not worth losing a watch */
			for (w = c->watches; w; w = w->next)
				fn(arg, w);
		free(v);
	}
}

/* Queue one event: evpath (len bytes) + token, or drop it when too big. */
static void watch_send(struct xs_watch *w, const char *evpath, uint32_t len)
{
	if (w->relskip && len > w->relskip) {
		evpath += w->relskip;
		len -= w->relskip;
	}
	if ((size_t)len + 1 + w->tlen + 1 > XENSTORE_PAYLOAD_MAX) {
		xsd_warn(w->conn->d,
		         "dropping a watch event of %u bytes for connection of domain %u",
		         len + w->tlen + 2, w->conn->domid);
		return;
	}
	conn_send(w->conn, XS_WATCH_EVENT, 0, 0, evpath, len + 1, w->token, w->tlen + 1);
}

/* Send w its event for a change at ev (evlen bytes) if the watcher may read n. */
static void watch_notify(struct xsd *d, struct xs_watch *w, const char *ev, uint32_t evlen,
                         const struct xs_node *n)
{
	if (w->conn->dead)
		return;
	if (!w->conn->priv) {
		struct xs_who who = {w->conn->domid, XSD_DOMID_MAX, false};
		struct xsd_domain *dom = domain_get(d, w->conn->domid, false);

		if (!n)
			return; /* special events are for privileged connections */
		if (dom)
			who.target = dom->target;
		if (!(perms_get(&who, n->perms, n->nperms) & XS_PERM_READ))
			return;
	}
	watch_send(w, ev, evlen);
}

/* Watches registered exactly on path[0..plen). */
static void fire_exact(struct xsd *d, const char *path, uint32_t plen, const char *ev,
                       uint32_t evlen, const struct xs_node *n)
{
	uint32_t h = xs_hash(path, plen);
	struct xs_watch *w, *next;

	for (w = d->wbuckets[h & d->wmask]; w; w = next) {
		next = w->bnext;
		if (w->hash == h && w->plen == plen && memcmp(w->path, path, plen) == 0)
			watch_notify(d, w, ev, evlen, n);
	}
}

void watch_fire(struct xsd *d, const char *path, uint32_t len, const struct xs_node *n,
                bool recurse)
{
	char evbuf[XSD_ABS_PATH_MAX + 1];
	struct xs_watch *w;
	uint32_t i;

	if (!d->watch_list || len > XSD_ABS_PATH_MAX)
		return;
	/* path may live in a buffer that conn_send reuses: keep a NUL-terminated copy */
	memcpy(evbuf, path, len);
	evbuf[len] = '\0';
	if (evbuf[0] == '@') {
		fire_exact(d, evbuf, len, evbuf, len, NULL);
		return;
	}
	/* watches on the node and on each ancestor: one hash lookup per level */
	fire_exact(d, "/", 1, evbuf, len, n);
	for (i = 1; i < len; i++)
		if (evbuf[i] == '/')
			fire_exact(d, evbuf, i, evbuf, len, n);
	if (len > 1)
		fire_exact(d, evbuf, len, evbuf, len, n);
	/* a removal also reaches watches below the node, with their own path */
	if (recurse)
		for (w = d->watch_list; w; w = w->hnext)
			if (w->plen > len && path_is_below(w->path, w->plen, evbuf, len))
				watch_notify(d, w, w->path, w->plen, n);
}
