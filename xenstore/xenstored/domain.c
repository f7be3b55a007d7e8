/*
 * Domains: INTRODUCE/RELEASE/SET_TARGET records, per-domain quota
 * overrides and the per-domid accounting the quotas are checked against.
 * Releasing a domain hands its nodes to dom0, strips it from every ACL and
 * drops its watches and quota overrides, so a reused domid starts with
 * nothing (XSA-322) and no quota use.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

struct xsd_domain *domain_get(struct xsd *d, uint32_t domid, bool create)
{
	struct xsd_domain *dom;

	if (domid >= XSD_DOMID_MAX)
		return NULL;
	dom = d->doms[domid];
	if (dom || !create)
		return dom;
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return NULL;
	dom->domid = domid;
	dom->target = XSD_DOMID_MAX;
	d->doms[domid] = dom;
	return dom;
}

uint32_t domain_quota(struct xsd *d, uint32_t domid, int id)
{
	struct xsd_domain *dom = domain_get(d, domid, false);

	if (dom && (dom->quota_mask & (1u << id)))
		return dom->quota.v[id];
	return d->quota.v[id];
}

int domain_set_quota(struct xsd *d, uint32_t domid, int id, uint32_t value)
{
	struct xsd_domain *dom = domain_get(d, domid, false);

	if (value < quota_min(id))
		return EINVAL;
	if (!dom || !dom->introduced)
		return ENOENT;
	dom->quota.v[id] = value;
	dom->quota_mask |= 1u << id;
	journal_domain_quota(d, dom, id);
	return 0;
}

/* True when domid has a live ring connection. */
static bool domain_connected(struct xsd *d, uint32_t domid)
{
	struct xs_conn *c;

	for (c = d->conns; c; c = c->next)
		if (c->is_domain && c->domid == domid && !c->dead)
			return true;
	return false;
}

int domain_introduce(struct xsd *d, uint32_t domid, uint64_t mfn, uint32_t port)
{
	struct xsd_domain *dom;
	bool fresh;

	if (domid >= XSD_DOMID_MAX)
		return EINVAL;
	dom = domain_get(d, domid, true);
	if (!dom)
		return ENOMEM;
	fresh = !dom->introduced;
	if (d->ring_connect && !d->replaying && domid != XSD_PRIV_DOMID &&
	    !domain_connected(d, domid)) {
		int err = d->ring_connect(d, domid, mfn, port);

		if (err)
			return err;
	}
	dom->introduced = true;
	dom->mfn = mfn;
	dom->port = port;
	if (!d->replaying) {
		journal_domain(d, dom);
		if (fresh)
			watch_fire(d, "@introduceDomain", 16, NULL, false);
	}
	return 0;
}

/* Hand n's ownership to dom0 and drop domid from its ACL; true when changed. */
static bool node_forget(struct xsd *d, struct xs_node *n, uint32_t domid)
{
	uint32_t i, j;
	bool hit = false;

	for (i = 0; i < n->nperms; i++)
		hit |= n->perms[i].domid == domid;
	if (!hit)
		return false;
	account_node(d, n, -1);
	if (n->perms[0].domid == domid)
		n->perms[0].domid = XSD_PRIV_DOMID;
	for (i = j = 1; i < n->nperms; i++)
		if (n->perms[i].domid != domid)
			n->perms[j++] = n->perms[i];
	n->nperms = j;
	account_node(d, n, 1);
	return true;
}

int domain_release(struct xsd *d, uint32_t domid)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	struct xs_conn *c;
	uint32_t i;

	if (domid == XSD_PRIV_DOMID || !dom || !dom->introduced)
		return ENOENT;
	for (i = 0; d->nodes.b && i <= d->nodes.mask; i++) {
		struct xs_node *n;

		for (n = d->nodes.b[i]; n; n = n->hnext) {
			if (node_forget(d, n, domid)) {
				n->gen = ++d->gen;
				if (!d->replaying)
					journal_node(d, n);
			}
		}
	}
	for (c = d->conns; c; c = c->next) {
		if (c->is_domain && c->domid == domid) {
			c->dead = true;
			conn_want_flush(c); /* the loop closes it */
		}
	}
	for (i = 0; i < XSD_DOMID_MAX; i++)
		if (d->doms[i] && d->doms[i]->target == domid)
			d->doms[i]->target = XSD_DOMID_MAX;
	/* the journal's 'R' record drops them too; transactions go with the dying connections */
	watch_release(d, domid);
	dom->introduced = false;
	dom->quota_mask = 0;
	dom->target = XSD_DOMID_MAX;
	dom->nodes = 0;
	dom->memory = 0;
	if (!d->replaying) {
		journal_domain_gone(d, domid);
		watch_fire(d, "@releaseDomain", 14, NULL, false);
	}
	if (!dom->watches && !dom->transactions) {
		d->doms[domid] = NULL;
		free(dom);
	}
	return 0;
}

int domain_set_target(struct xsd *d, uint32_t domid, uint32_t target)
{
	struct xsd_domain *dom = domain_get(d, domid, false);
	struct xsd_domain *tgt = domain_get(d, target, false);

	/* dom0 always exists */
	if (!dom || !dom->introduced || (target != XSD_PRIV_DOMID && (!tgt || !tgt->introduced)))
		return ENOENT;
	dom->target = target;
	if (!d->replaying)
		journal_domain(d, dom);
	return 0;
}

void domain_free_all(struct xsd *d)
{
	uint32_t i;

	for (i = 0; d->doms && i < XSD_DOMID_MAX; i++) {
		if (!d->doms[i])
			continue;
		watch_release(d, i);
		free(d->doms[i]);
		d->doms[i] = NULL;
	}
}

int domain_check(struct xsd *d, char *report, size_t len)
{
	uint32_t i, bad = 0, orphans = 0;
	size_t off = 0;

	report[0] = '\0';
	for (i = 0; i < XSD_DOMID_MAX; i++)
		if (d->doms[i])
			d->doms[i]->cnt_nodes = d->doms[i]->cnt_mem = 0;
	for (i = 0; d->nodes.b && i <= d->nodes.mask; i++) {
		struct xs_node *n;

		for (n = d->nodes.b[i]; n; n = n->hnext) {
			uint32_t plen = path_parent_len(n->path, n->pathlen);
			struct xsd_domain *dom =
			    n->nperms ? domain_get(d, n->perms[0].domid, true) : NULL;

			if (dom) {
				dom->cnt_nodes++;
				dom->cnt_mem += node_mem(n);
			}
			if (plen && !store_lookup(d, n->path, plen)) {
				orphans++;
				if (off < len)
					off += (size_t)snprintf(report + off, len - off,
					                        "orphan %s\n", n->path);
			}
		}
	}
	for (i = 0; i < XSD_DOMID_MAX; i++) {
		struct xsd_domain *dom = d->doms[i];

		if (!dom || (dom->nodes == dom->cnt_nodes && dom->memory == dom->cnt_mem))
			continue;
		bad++;
		if (off < len)
			off += (size_t)snprintf(report + off, len - off,
			                        "domain %u: nodes %lld (counted %lld) memory %lld "
			                        "(counted %lld)\n",
			                        i, (long long)dom->nodes, (long long)dom->cnt_nodes,
			                        (long long)dom->memory, (long long)dom->cnt_mem);
		dom->nodes = dom->cnt_nodes;
		dom->memory = dom->cnt_mem;
	}
	return (int)(bad + orphans);
}
