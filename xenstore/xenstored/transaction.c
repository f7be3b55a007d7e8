/*
 * Transactions: a private overlay of the nodes a transaction touched
 * (copy-on-write, never a copy of the tree).  Each overlay node remembers
 * the live node's generation when it was first accessed; commit fails with
 * EAGAIN only when a node the transaction read or wrote changed since.
 * Adding or removing a child is not a read of the parent, so transactions
 * creating nodes side by side (or in disjoint subtrees) never conflict.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

struct xs_tx *tx_start(struct xsd *d, struct xs_conn *c)
{
	struct xs_tx *tx = calloc(1, sizeof(*tx));
	struct xsd_domain *dom;

	if (!tx)
		return NULL;
	do {
		tx->id = c->next_txid++;
	} while (tx->id == 0 || tx_find(c, tx->id));
	tx->dirty_tail = &tx->dirty_head;
	tx->next = c->txs;
	c->txs = tx;
	c->ntx++;
	dom = domain_get(d, c->domid, true);
	if (dom)
		dom->transactions++;
	return tx;
}

struct xs_tx *tx_find(struct xs_conn *c, uint32_t id)
{
	struct xs_tx *tx;

	for (tx = c->txs; tx; tx = tx->next)
		if (tx->id == id)
			return tx;
	return NULL;
}

/* Is an ancestor of path deleted in the transaction's view? */
static bool ancestor_gone(struct xs_tx *tx, const char *path, uint32_t len)
{
	uint32_t plen = len;

	while ((plen = path_parent_len(path, plen)) != 0) {
		struct xs_node *o = htab_find(&tx->overlay, path, plen, xs_hash(path, plen));

		if (o)
			return (o->txflags & TXN_GONE) != 0;
	}
	return false;
}

/* The overlay node for path, created from the live tree on first access. */
static struct xs_node *tx_slot(struct xsd *d, struct xs_tx *tx, const char *path, uint32_t len,
                               bool dep)
{
	uint32_t hash = xs_hash(path, len);
	struct xs_node *o = htab_find(&tx->overlay, path, len, hash);
	struct xs_node *m;

	if (o) {
		if (dep)
			o->txflags |= TXN_DEP;
		return o;
	}
	m = htab_find(&d->nodes, path, len, hash);
	o = node_alloc(path, len, hash);
	if (!o)
		return NULL;
	o->base_gen = m ? m->gen : 0;
	if (m && !(tx->ngone && ancestor_gone(tx, path, len))) {
		if (node_copy_data(o, m) != 0) {
			node_free(o);
			return NULL;
		}
	} else {
		o->txflags |= TXN_GONE;
		tx->ngone++;
	}
	if (dep)
		o->txflags |= TXN_DEP;
	if (htab_insert(&tx->overlay, o) != 0) {
		node_free(o);
		return NULL;
	}
	tx->nodes++;
	return o;
}

struct xs_node *tx_get(struct xsd *d, struct xs_tx *tx, const char *path, uint32_t len, bool dep)
{
	struct xs_node *o;

	if (!dep) {
		/* a peek: the live node may be returned, read-only */
		o = htab_find(&tx->overlay, path, len, xs_hash(path, len));
		if (o)
			return (o->txflags & TXN_GONE) ? NULL : o;
		if (tx->ngone && ancestor_gone(tx, path, len))
			return NULL;
		return store_lookup(d, path, len);
	}
	o = tx_slot(d, tx, path, len, true);
	return (!o || (o->txflags & TXN_GONE)) ? NULL : o;
}

void tx_mark_dirty(struct xs_tx *tx, struct xs_node *n)
{
	if (n->txflags & TXN_DIRTY)
		return;
	n->txflags |= TXN_DIRTY;
	n->dorder = tx->ndirty++;
	n->dnext = NULL;
	*tx->dirty_tail = n;
	tx->dirty_tail = &n->dnext;
}

/* Name of path's last component and its parent's length. */
static uint32_t split_name(const char *path, uint32_t len, const char **name, uint32_t *nlen)
{
	uint32_t plen = path_parent_len(path, len);
	uint32_t skip = plen + (plen > 1);

	*name = path + skip;
	*nlen = len - skip;
	return plen;
}

struct xs_node *tx_make(struct xsd *d, struct xs_tx *tx, const char *path, uint32_t len)
{
	struct xs_node *o = tx_slot(d, tx, path, len, true);
	struct xs_node *p;
	const char *name;
	uint32_t nlen, plen;

	if (!o || !(o->txflags & TXN_GONE))
		return o;
	plen = split_name(path, len, &name, &nlen);
	p = tx_slot(d, tx, path, plen, false);
	if (!p || (p->txflags & TXN_GONE) || node_add_child(p, name, nlen) != 0)
		return NULL;
	p->txflags |= TXN_NEED;
	o->txflags &= ~TXN_GONE;
	tx->ngone--;
	if (o->base_gen)
		o->txflags |= TXN_REPLACED;
	tx_mark_dirty(tx, o);
	return o;
}

int tx_rm(struct xsd *d, struct xs_tx *tx, struct xs_node *n)
{
	struct xs_node **list = NULL, *p;
	size_t cnt = 0, cap = 16, i;
	const char *name;
	uint32_t nlen, plen;
	char *cpath = d->scratch;
	int err = 0;

	list = malloc(cap * sizeof(*list));
	if (!list)
		return ENOMEM;
	list[cnt++] = n;
	for (i = 0; i < cnt; i++) {
		struct xs_node *c = list[i];
		uint32_t pos = 0;

		while (pos < c->clen) {
			uint32_t l = (uint32_t)strlen(c->children + pos);
			uint32_t clen = c->pathlen + 1 + l;
			struct xs_node *child;

			pos += l + 1;
			if (clen > XSD_ABS_PATH_MAX)
				continue;
			memcpy(cpath, c->path, c->pathlen);
			cpath[c->pathlen] = '/';
			memcpy(cpath + c->pathlen + 1, c->children + pos - l - 1, l);
			child = tx_get(d, tx, cpath, clen, true);
			if (!child)
				continue;
			if (cnt == cap) {
				struct xs_node **nl = realloc(list, cap * 2 * sizeof(*list));

				if (!nl) {
					err = ENOMEM;
					goto out;
				}
				list = nl;
				cap *= 2;
			}
			list[cnt++] = child;
		}
	}
	plen = split_name(n->path, n->pathlen, &name, &nlen);
	p = tx_slot(d, tx, n->path, plen, false);
	if (!p) {
		err = ENOMEM;
		goto out;
	}
	node_del_child(p, name, nlen);
	p->txflags |= TXN_NEED;
	for (i = 0; i < cnt; i++) {
		struct xs_node *c = list[i];

		if (c->nperms)
			tx_delta(tx, c->perms[0].domid, -1, -(int)node_mem(c));
		c->vlen = 0;
		c->clen = 0;
		c->nperms = 0;
		c->txflags |= TXN_GONE;
		c->txflags &= ~TXN_REPLACED;
		tx->ngone++;
		tx_mark_dirty(tx, c);
	}
out:
	free(list);
	return err;
}

int tx_delta(struct xs_tx *tx, uint32_t domid, int nodes, int mem)
{
	uint32_t i;

	for (i = 0; i < tx->ndelta; i++)
		if (tx->delta[i].domid == domid)
			break;
	if (i == tx->ndelta) {
		if (tx->ndelta == tx->cdelta) {
			uint32_t ncap = tx->cdelta ? tx->cdelta * 2 : 4;
			struct xs_tx_delta *nd = realloc(tx->delta, ncap * sizeof(*nd));

			if (!nd)
				return ENOMEM;
			tx->delta = nd;
			tx->cdelta = ncap;
		}
		tx->delta[i].domid = domid;
		tx->delta[i].nodes = 0;
		tx->delta[i].mem = 0;
		tx->ndelta++;
	}
	tx->delta[i].nodes += nodes;
	tx->delta[i].mem += mem;
	return 0;
}

int32_t tx_delta_nodes(const struct xs_tx *tx, uint32_t domid)
{
	uint32_t i;

	for (i = 0; i < tx->ndelta; i++)
		if (tx->delta[i].domid == domid)
			return tx->delta[i].nodes;
	return 0;
}

void tx_free(struct xsd *d, struct xs_tx *tx)
{
	htab_free(&tx->overlay);
	free(tx->delta);
	free(tx);
}

/* Unlink tx from c and release its accounting. */
static void tx_unlink(struct xsd *d, struct xs_conn *c, struct xs_tx *tx)
{
	struct xs_tx **pp;
	struct xsd_domain *dom;

	for (pp = &c->txs; *pp; pp = &(*pp)->next) {
		if (*pp == tx) {
			*pp = tx->next;
			break;
		}
	}
	c->ntx--;
	dom = domain_get(d, c->domid, false);
	if (dom && dom->transactions)
		dom->transactions--;
}

static bool tx_conflicts(struct xsd *d, struct xs_tx *tx)
{
	uint32_t i;

	for (i = 0; tx->overlay.b && i <= tx->overlay.mask; i++) {
		struct xs_node *o;

		for (o = tx->overlay.b[i]; o; o = o->hnext) {
			struct xs_node *m = NULL;

			if (o->txflags & (TXN_DEP | TXN_NEED))
				m = htab_find(&d->nodes, o->path, o->pathlen, o->hash);
			if ((o->txflags & TXN_DEP) && (m ? m->gen : 0) != o->base_gen)
				return true;
			if ((o->txflags & TXN_NEED) && !m &&
			    !((o->txflags & TXN_DIRTY) && !(o->txflags & TXN_GONE)))
				return true;
		}
	}
	return false;
}

/*
 * Would committing tx take an owner past its node or memory quota?  Each
 * request was checked when it ran, but other commits may have used the
 * room since, so the growth is checked again against the live counts (as
 * Xen's commit does, with ENOSPC; XSA-440: no asserts).
 */
static bool tx_over_quota(struct xsd *d, const struct xs_tx *tx)
{
	uint32_t i;

	for (i = 0; i < tx->ndelta; i++) {
		const struct xs_tx_delta *dl = &tx->delta[i];
		const struct xsd_domain *dom = domain_get(d, dl->domid, false);
		int64_t nodes = dom ? dom->nodes : 0, mem = dom ? dom->memory : 0;

		if (dl->nodes > 0 && nodes + dl->nodes > domain_quota(d, dl->domid, QUOTA_NODES))
			return true;
		if (dl->mem > 0 && mem + dl->mem > domain_quota(d, dl->domid, QUOTA_MEMORY))
			return true;
	}
	return false;
}

static int by_depth(const void *a, const void *b)
{
	const struct xs_node *x = *(struct xs_node *const *)a;
	const struct xs_node *y = *(struct xs_node *const *)b;
	uint32_t dx = path_depth(x->path, x->pathlen), dy = path_depth(y->path, y->pathlen);

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->dorder < y->dorder ? -1 : x->dorder > y->dorder;
}

int tx_end(struct xsd *d, struct xs_conn *c, struct xs_tx *tx, bool commit)
{
	struct xs_node **set = NULL, *o;
	size_t nset = 0, i;
	int err = 0;

	tx_unlink(d, c, tx);
	if (!commit)
		goto out;
	if (tx_conflicts(d, tx)) {
		err = EAGAIN;
		goto out;
	}
	if (!c->priv && tx_over_quota(d, tx)) {
		err = ENOSPC;
		goto out;
	}
	if (tx->ndirty) {
		set = malloc(tx->ndirty * sizeof(*set));
		if (!set) {
			err = ENOMEM;
			goto out;
		}
	}
	/* removals first (also the old subtree of nodes deleted and re-created) */
	for (o = tx->dirty_head; o; o = o->dnext) {
		if (o->txflags & (TXN_GONE | TXN_REPLACED)) {
			struct xs_node *m = htab_find(&d->nodes, o->path, o->pathlen, o->hash);

			if (m)
				tree_delete(d, m, true);
		}
		if (!(o->txflags & TXN_GONE))
			set[nset++] = o;
	}
	/* then creations and updates, parents before children */
	if (nset > 1)
		qsort(set, nset, sizeof(*set), by_depth);
	for (i = 0; i < nset; i++) {
		o = set[i];
		err = tree_set(d, o->path, o->pathlen, o->value, o->vlen, o->perms, o->nperms, true,
		               true);
		if (err) {
			xsd_warn(d, "transaction %u: applying %s failed (%d)", tx->id, o->path,
			         err);
			err = 0;
		}
	}
	free(set);
out:
	tx_free(d, tx);
	return err;
}
