/*
 * The store: nodes in a hash table keyed by full path, each holding its
 * value, permissions and the ordered list of its children's names (which
 * is exactly the DIRECTORY payload).  The store_* operations work either on
 * the live tree or on a transaction's private view (transaction.c).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

/* ---- hash table ---- */

uint32_t xs_hash(const char *s, uint32_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	uint32_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ull;
	}
	return (uint32_t)(h ^ (h >> 32));
}

struct xs_node *htab_find(const struct xs_htab *h, const char *path, uint32_t len, uint32_t hash)
{
	struct xs_node *n;

	if (!h->b)
		return NULL;
	for (n = h->b[hash & h->mask]; n; n = n->hnext)
		if (n->hash == hash && n->pathlen == len && memcmp(n->path, path, len) == 0)
			return n;
	return NULL;
}

static int htab_grow(struct xs_htab *h)
{
	uint32_t nsize = h->b ? (h->mask + 1) * 2 : 64, i;
	struct xs_node **nb = calloc(nsize, sizeof(*nb));

	if (!nb)
		return ENOMEM;
	for (i = 0; h->b && i <= h->mask; i++) {
		struct xs_node *n = h->b[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			n->hnext = nb[n->hash & (nsize - 1)];
			nb[n->hash & (nsize - 1)] = n;
		}
	}
	free(h->b);
	h->b = nb;
	h->mask = nsize - 1;
	return 0;
}

int htab_insert(struct xs_htab *h, struct xs_node *n)
{
	if ((!h->b || h->count >= h->mask + 1) && htab_grow(h) != 0)
		return ENOMEM;
	n->hnext = h->b[n->hash & h->mask];
	h->b[n->hash & h->mask] = n;
	h->count++;
	return 0;
}

void htab_remove(struct xs_htab *h, struct xs_node *n)
{
	struct xs_node **pp = &h->b[n->hash & h->mask];

	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == n) {
			*pp = n->hnext;
			h->count--;
			return;
		}
	}
}

/* Free every node of the table and the table itself. */
void htab_free(struct xs_htab *h)
{
	uint32_t i;

	for (i = 0; h->b && i <= h->mask; i++) {
		struct xs_node *n = h->b[i], *next;

		for (; n; n = next) {
			next = n->hnext;
			node_free(n);
		}
	}
	free(h->b);
	h->b = NULL;
	h->mask = 0;
	h->count = 0;
}

/* ---- nodes ---- */

struct xs_node *node_alloc(const char *path, uint32_t len, uint32_t hash)
{
	struct xs_node *n = calloc(1, sizeof(*n) + len + 1);

	if (!n)
		return NULL;
	memcpy(n->path, path, len);
	n->path[len] = '\0';
	n->pathlen = len;
	n->hash = hash;
	return n;
}

void node_free(struct xs_node *n)
{
	if (!n)
		return;
	free(n->value);
	free(n->children);
	free(n->perms);
	free(n);
}

static int grow(char **buf, uint32_t *cap, uint32_t need)
{
	uint32_t ncap = *cap ? *cap : 16;
	char *nb;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	nb = realloc(*buf, ncap);
	if (!nb)
		return ENOMEM;
	*buf = nb;
	*cap = ncap;
	return 0;
}

int node_set_value(struct xs_node *n, const void *val, uint32_t len)
{
	if (grow(&n->value, &n->vcap, len + 1) != 0)
		return ENOMEM;
	if (len)
		memcpy(n->value, val, len);
	n->value[len] = '\0';
	n->vlen = len;
	return 0;
}

int node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np)
{
	struct xs_perm *nperm;

	if (np != n->nperms) {
		nperm = realloc(n->perms, np * sizeof(*p));
		if (!nperm)
			return ENOMEM;
		n->perms = nperm;
		n->nperms = np;
	}
	memcpy(n->perms, p, np * sizeof(*p));
	return 0;
}

int node_add_child(struct xs_node *n, const char *name, uint32_t len)
{
	if (grow(&n->children, &n->ccap, n->clen + len + 1) != 0)
		return ENOMEM;
	memcpy(n->children + n->clen, name, len);
	n->children[n->clen + len] = '\0';
	n->clen += len + 1;
	return 0;
}

void node_del_child(struct xs_node *n, const char *name, uint32_t len)
{
	uint32_t pos = 0;

	while (pos < n->clen) {
		uint32_t l = (uint32_t)strlen(n->children + pos);

		if (l == len && memcmp(n->children + pos, name, len) == 0) {
			memmove(n->children + pos, n->children + pos + l + 1,
			        n->clen - pos - l - 1);
			n->clen -= l + 1;
			return;
		}
		pos += l + 1;
	}
}

int node_copy_data(struct xs_node *dst, const struct xs_node *src)
{
	if (node_set_value(dst, src->value, src->vlen) != 0 ||
	    node_set_perms(dst, src->perms, src->nperms) != 0 ||
	    grow(&dst->children, &dst->ccap, src->clen) != 0)
		return ENOMEM;
	if (src->clen)
		memcpy(dst->children, src->children, src->clen);
	dst->clen = src->clen;
	return 0;
}

uint32_t node_mem(const struct xs_node *n)
{
	return n->pathlen + n->vlen + n->nperms * (uint32_t)sizeof(struct xs_perm);
}

/* ---- accounting ---- */

void account_node(struct xsd *d, const struct xs_node *n, int sign)
{
	struct xsd_domain *dom;

	if (n->nperms == 0)
		return;
	dom = domain_get(d, n->perms[0].domid, true);
	if (!dom)
		return;
	dom->nodes += sign;
	dom->memory += (int64_t)sign * node_mem(n);
}

/* ---- the live tree ---- */

struct xs_node *store_lookup(struct xsd *d, const char *path, uint32_t len)
{
	return htab_find(&d->nodes, path, len, xs_hash(path, len));
}

/*
 * Create or update a node of the live tree.  A new node needs its parent
 * to exist; it gets perms p (or its parent's when p is NULL).  Logs the
 * new state and, when fire is set, fires watches.
 */
int tree_set(struct xsd *d, const char *path, uint32_t len, const void *val, uint32_t vlen,
             const struct xs_perm *p, uint32_t np, bool set_value, bool fire)
{
	uint32_t hash = xs_hash(path, len);
	struct xs_node *n = htab_find(&d->nodes, path, len, hash);
	struct xs_node *parent = NULL;
	bool created = false;

	if (!n) {
		uint32_t plen = path_parent_len(path, len);

		if (plen) {
			parent = store_lookup(d, path, plen);
			if (!parent)
				return ENOENT;
		} else if (len != 1 || path[0] != '/') {
			return EINVAL;
		}
		n = node_alloc(path, len, hash);
		if (!n)
			return ENOMEM;
		if (!p && parent) {
			p = parent->perms;
			np = parent->nperms;
		}
		if (!p) {
			static const struct xs_perm root_perm = {0, XS_PERM_NONE};

			p = &root_perm;
			np = 1;
		}
		if (node_set_value(n, NULL, 0) != 0 || node_set_perms(n, p, np) != 0 ||
		    (parent && node_add_child(parent, path + plen + (plen > 1),
		                              len - plen - (plen > 1)) != 0) ||
		    htab_insert(&d->nodes, n) != 0) {
			node_free(n);
			return ENOMEM;
		}
		if (parent)
			parent->gen = ++d->gen;
		created = true;
		p = NULL;
	} else {
		account_node(d, n, -1);
	}
	if ((set_value && node_set_value(n, val, vlen) != 0) ||
	    (p && node_set_perms(n, p, np) != 0)) {
		if (!created)
			account_node(d, n, 1);
		return ENOMEM; /* the node keeps a consistent (old or empty) state */
	}
	account_node(d, n, 1);
	n->gen = ++d->gen;
	if (!d->replaying) {
		journal_node(d, n);
		if (fire)
			watch_fire(d, path, len, n, false);
	}
	return 0;
}

/* Remove n and everything below it from the live tree (iteratively: no deep recursion). */
int tree_delete(struct xsd *d, struct xs_node *n, bool fire)
{
	struct xs_node **stack = NULL, *parent;
	size_t cap = 0, cnt = 0, i;
	uint32_t plen = path_parent_len(n->path, n->pathlen);
	char *cpath = d->scratch;

	if (!plen)
		return EINVAL; /* never the root */
	if (!d->replaying) {
		if (fire)
			watch_fire(d, n->path, n->pathlen, n, true);
		journal_delete(d, n->path, n->pathlen);
	}
	/* collect the subtree, parents before children */
	cap = 16;
	stack = malloc(cap * sizeof(*stack));
	if (!stack)
		return ENOMEM;
	stack[cnt++] = n;
	for (i = 0; i < cnt; i++) {
		struct xs_node *c = stack[i];
		uint32_t pos = 0;

		while (pos < c->clen) {
			uint32_t l = (uint32_t)strlen(c->children + pos);
			uint32_t clen = c->pathlen + (c->pathlen > 1) + l;
			struct xs_node *child;

			if (clen <= XSD_ABS_PATH_MAX) {
				memcpy(cpath, c->path, c->pathlen);
				if (c->pathlen > 1)
					cpath[c->pathlen] = '/';
				memcpy(cpath + clen - l, c->children + pos, l);
				child = store_lookup(d, cpath, clen);
				if (child) {
					if (cnt == cap) {
						struct xs_node **ns =
						    realloc(stack, cap * 2 * sizeof(*stack));
						if (!ns) {
							free(stack);
							return ENOMEM;
						}
						stack = ns;
						cap *= 2;
					}
					stack[cnt++] = child;
				}
			}
			pos += l + 1;
		}
	}
	parent = store_lookup(d, n->path, plen);
	if (parent) {
		node_del_child(parent, n->path + plen + (plen > 1), n->pathlen - plen - (plen > 1));
		parent->gen = ++d->gen;
	}
	for (i = cnt; i-- > 0;) {
		account_node(d, stack[i], -1);
		htab_remove(&d->nodes, stack[i]);
		node_free(stack[i]);
	}
	free(stack);
	return 0;
}

void tree_free_all(struct xsd *d)
{
	htab_free(&d->nodes);
}

int store_init_root(struct xsd *d)
{
	int err = 0;

	if (!store_lookup(d, "/", 1))
		err = tree_set(d, "/", 1, NULL, 0, NULL, 0, true, false);
	if (!err && !store_lookup(d, "/tool", 5))
		err = tree_set(d, "/tool", 5, NULL, 0, NULL, 0, true, false);
	if (!err && !store_lookup(d, "/tool/xenstored", 15))
		err = tree_set(d, "/tool/xenstored", 15, NULL, 0, NULL, 0, true, false);
	return err;
}

/* ---- operations on the live tree or a transaction ---- */

struct xs_node *store_get(struct xsd *d, struct xs_tx *tx, const char *path, uint32_t len, bool dep)
{
	if (tx)
		return tx_get(d, tx, path, len, dep);
	return store_lookup(d, path, len);
}

int store_check(const struct xs_who *who, const struct xs_node *n, uint32_t mode)
{
	return (perms_get(who, n->perms, n->nperms) & mode) == mode ? 0 : EACCES;
}

/* Nodes currently owned by domid, as seen by tx. */
static int64_t owned_nodes(struct xsd *d, struct xs_tx *tx, uint32_t domid)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	int64_t n = dom ? dom->nodes : 0;

	if (tx)
		n += tx_delta_nodes(tx, domid);
	return n;
}

/* Would domid's node memory stay within its quota after adding add bytes (as seen by tx)? */
static bool memory_ok(struct xsd *d, struct xs_tx *tx, uint32_t domid, int64_t add)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	int64_t used = dom ? dom->memory : 0;
	uint32_t i;

	for (i = 0; tx && i < tx->ndelta; i++)
		if (tx->delta[i].domid == domid)
			used += tx->delta[i].mem;
	return add <= 0 || used + add <= (int64_t)domain_quota(d, domid, QUOTA_MEMORY);
}

int store_write(struct xsd *d, struct xs_tx *tx, const struct xs_who *who, const char *path,
                uint32_t len, const void *val, uint32_t vlen, bool mkdir)
{
	struct xs_node *n = store_get(d, tx, path, len, true);
	struct xs_node *anc = NULL;
	uint32_t alen = len, missing = 0, plen;
	struct xs_perm perms[1 + 8], *pp;
	uint32_t np;
	int err;

	if (path[0] != '/')
		return EINVAL;
	if (!who->priv && vlen > domain_quota(d, who->domid, QUOTA_NODE_SIZE))
		return ENOSPC;
	if (n) {
		err = store_check(who, n, XS_PERM_WRITE);
		if (err || mkdir)
			return err;
		if (!who->priv && !memory_ok(d, tx, n->perms[0].domid, (int64_t)vlen - n->vlen))
			return ENOSPC;
		if (!tx)
			return tree_set(d, path, len, val, vlen, NULL, 0, true, true);
		err = tx_delta(tx, n->perms[0].domid, 0, (int)vlen - (int)n->vlen);
		if (err || node_set_value(n, val, vlen) != 0)
			return err ? err : ENOMEM;
		tx_mark_dirty(tx, n);
		return 0;
	}
	/* find the nearest existing ancestor */
	while (!anc) {
		alen = path_parent_len(path, alen);
		if (!alen)
			return ENOENT; /* no root: cannot happen */
		missing++;
		anc = store_get(d, tx, path, alen, false);
	}
	err = store_check(who, anc, XS_PERM_WRITE);
	if (err)
		return err;
	/* new nodes inherit the ancestor's perms; an unprivileged creator owns them */
	np = anc->nperms;
	if (np > 1 + 8) {
		pp = malloc(np * sizeof(*pp));
		if (!pp)
			return ENOMEM;
	} else {
		pp = perms;
	}
	memcpy(pp, anc->perms, np * sizeof(*pp));
	if (!who->priv)
		pp[0].domid = who->domid;
	if (!who->priv &&
	    (owned_nodes(d, tx, who->domid) + missing > domain_quota(d, who->domid, QUOTA_NODES) ||
	     !memory_ok(d, tx, who->domid,
	                (int64_t)missing * (len + np * sizeof(struct xs_perm)) + vlen))) {
		err = ENOSPC;
		goto out;
	}
	/* create each missing component, top down */
	plen = alen;
	while (plen < len) {
		uint32_t next = plen + 1;

		while (next < len && path[next] != '/')
			next++;
		if (!tx) {
			err = tree_set(d, path, next, next == len ? val : NULL,
			               next == len ? vlen : 0, pp, np, true, next == len);
		} else {
			struct xs_node *c = tx_make(d, tx, path, next);

			err = c ? 0 : ENOMEM;
			if (!err && (node_set_value(c, next == len ? val : NULL,
			                            next == len ? vlen : 0) != 0 ||
			             node_set_perms(c, pp, np) != 0))
				err = ENOMEM;
			if (!err)
				err = tx_delta(tx, pp[0].domid, 1, (int)node_mem(c));
		}
		if (err)
			goto out;
		plen = next;
	}
out:
	if (pp != perms)
		free(pp);
	return err;
}

int store_rm(struct xsd *d, struct xs_tx *tx, const struct xs_who *who, const char *path,
             uint32_t len)
{
	struct xs_node *n;
	int err;

	if (len == 1 || path[0] != '/')
		return EINVAL; /* the root stays (C xenstored) */
	n = store_get(d, tx, path, len, true);
	if (!n) {
		uint32_t plen = path_parent_len(path, len);

		return store_get(d, tx, path, plen, false) ? 0 : ENOENT;
	}
	err = store_check(who, n, XS_PERM_WRITE);
	if (err)
		return err;
	if (!tx)
		return tree_delete(d, n, true);
	return tx_rm(d, tx, n);
}

int store_set_perms(struct xsd *d, struct xs_tx *tx, const struct xs_who *who, const char *path,
                    uint32_t len, const struct xs_perm *p, uint32_t np)
{
	struct xs_node *n;
	int err;

	if (path[0] != '/')
		return EINVAL;
	n = store_get(d, tx, path, len, true);
	if (!n)
		return ENOENT;
	/* like Xen: the owner (or its SET_TARGET delegate) or a privileged caller, else EACCES */
	err = store_check(who, n, XS_PERM_WRITE | XS_PERM_OWNER);
	if (err)
		return err;
	if (!who->priv) {
		/* XSA-352: only a privileged domain may hand a node to another owner */
		if (p[0].domid != n->perms[0].domid)
			return EPERM;
		if (np > domain_quota(d, who->domid, QUOTA_PERMS))
			return ENOSPC;
	}
	if (!tx)
		return tree_set(d, path, len, NULL, 0, p, np, false, true);
	if (p[0].domid != n->perms[0].domid) {
		err = tx_delta(tx, n->perms[0].domid, -1, -(int)node_mem(n));
		if (!err)
			err = tx_delta(tx, p[0].domid, 1, (int)node_mem(n));
		if (err)
			return err;
	}
	if (node_set_perms(n, p, np) != 0)
		return ENOMEM;
	tx_mark_dirty(tx, n);
	return 0;
}

/* ---- the store context ---- */

int xsd_init(struct xsd *d)
{
	memset(d, 0, sizeof(*d));
	quota_defaults(&d->quota);
	d->out_limit = 4u << 20;
	d->doms = calloc(XSD_DOMID_MAX, sizeof(*d->doms));
	if (!d->doms)
		return ENOMEM;
	return 0;
}

void xsd_warn(struct xsd *d, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (d->warn)
		d->warn(msg);
}

void xsd_fini(struct xsd *d)
{
	while (d->conns)
		conn_free(d->conns);
	journal_close(d);
	tree_free_all(d);
	domain_free_all(d);
	free(d->wbuckets);
	d->wbuckets = NULL;
	free(d->doms);
	d->doms = NULL;
}
