/*
 * Watches: a watch on a path fires for the node and every descendant; a
 * watch on "@name" fires only for that special event.  Events are filtered
 * by the watcher's read permission on the changed node (XSA-115) and an
 * event that would not fit in one message is dropped (XSA-324).
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

int watch_add(struct xsd *d, struct xs_conn *c, const char *path, uint32_t relskip,
              const char *token)
{
	size_t plen = strlen(path), tlen = strlen(token);
	struct xs_watch *w;
	struct xsd_domain *dom;

	for (w = c->watches; w; w = w->next)
		if (w->plen == plen && w->tlen == tlen && memcmp(w->path, path, plen) == 0 &&
		    memcmp(w->token, token, tlen) == 0)
			return EEXIST;
	if (!c->priv && c->nwatches >= domain_quota(d, c->domid, QUOTA_WATCHES))
		return E2BIG;
	w = calloc(1, sizeof(*w) + plen + 1);
	if (!w)
		return ENOMEM;
	w->token = malloc(tlen + 1);
	if (!w->token) {
		free(w);
		return ENOMEM;
	}
	memcpy(w->token, token, tlen + 1);
	memcpy(w->path, path, plen + 1);
	w->plen = (uint32_t)plen;
	w->tlen = (uint32_t)tlen;
	w->relskip = relskip;
	w->conn = c;
	w->hash = xs_hash(path, (uint32_t)plen);
	if (bucket_add(d, w) != 0) {
		free(w->token);
		free(w);
		return ENOMEM;
	}
	w->next = c->watches;
	c->watches = w;
	c->nwatches++;
	w->hnext = d->watch_list;
	if (d->watch_list)
		d->watch_list->hprevp = &w->hnext;
	w->hprevp = &d->watch_list;
	d->watch_list = w;
	dom = domain_get(d, c->domid, true);
	if (dom)
		dom->watches++;
	return 0;
}

static void watch_free(struct xsd *d, struct xs_watch *w)
{
	struct xsd_domain *dom = domain_get(d, w->conn->domid, false);

	bucket_del(d, w);
	*w->hprevp = w->hnext;
	if (w->hnext)
		w->hnext->hprevp = w->hprevp;
	if (dom && dom->watches)
		dom->watches--;
	w->conn->nwatches--;
	free(w->token);
	free(w);
}

int watch_del(struct xsd *d, struct xs_conn *c, const char *path, const char *token)
{
	struct xs_watch **pp, *w;

	for (pp = &c->watches; (w = *pp) != NULL; pp = &w->next) {
		if (strcmp(w->path, path) == 0 && strcmp(w->token, token) == 0) {
			*pp = w->next;
			watch_free(d, w);
			return 0;
		}
	}
	return ENOENT;
}

void watch_del_all(struct xsd *d, struct xs_conn *c)
{
	while (c->watches) {
		struct xs_watch *w = c->watches;

		c->watches = w->next;
		watch_free(d, w);
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
		xsd_warn("dropping a watch event of %u bytes for connection of domain %u",
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
