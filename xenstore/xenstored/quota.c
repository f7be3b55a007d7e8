/*
 * Quotas: names, Xen's defaults (C xenstored 4.17), lower bounds and help
 * text.  They limit unprivileged domains; privileged connections bypass all
 * but path-max and have their own two, priv-watches and priv-transactions,
 * so that no client holds unbounded memory.  Run-time changes are journalled like store changes, so they
 * survive a restart.
 *
 * Lower bounds: like Xen's quota_set, no quota may be set below 1.  Where a
 * smaller value would break what Xen's protocol lets clients rely on, the
 * bound is higher: path-max 1024 (oxenstored's shipped quota-path-max, the
 * smallest any Xen daemon serves guests with; path-max also binds dom0, and
 * 0 made every path invalid), node-size 256 (every value the PV protocols
 * define, "x86_64-abi", ring references, event channels, MACs, fits with
 * room to spare), memory 1024 (the dozen such nodes of a guest's frontends),
 * permissions 2 (the owner and one peer: a node shared with a backend),
 * and a privileged connection never gets less than a domain's default.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "xsd.h"

static const struct {
	const char *name;
	uint32_t def, min;
	const char *help;
} quotas[QUOTA_COUNT] = {
    [QUOTA_NODES] = {"nodes", 1000, 1, "nodes owned by a domain"},
    [QUOTA_WATCHES] = {"watches", 128, 1, "watches of a domain's connection"},
    [QUOTA_TRANSACTIONS] = {"transactions", 10, 1, "open transactions of a connection"},
    [QUOTA_OUTSTANDING] = {"outstanding", 20, 1, "requests in flight per connection"},
    [QUOTA_TX_NODES] = {"transaction-nodes", 1024, 1, "nodes accessed by one transaction"},
    [QUOTA_MEMORY] = {"memory", 2621440, 1024, "bytes of node data owned by a domain"},
    [QUOTA_NODE_SIZE] = {"node-size", 2048, 256, "bytes of one node's value"},
    [QUOTA_PATH_MAX] = {"path-max", 2048, 1024, "characters of a path below /local/domain/<id>/"},
    [QUOTA_PERMS] = {"permissions", 5, 2, "permission entries of a node"},
    [QUOTA_PRIV_WATCHES] = {"priv-watches", 16384, 128, "watches of a privileged connection"},
    [QUOTA_PRIV_TRANSACTIONS] = {"priv-transactions", 1024, 10,
                                 "open transactions of a privileged connection"},
};

void quota_defaults(struct xsd_quota *q)
{
	int i;

	for (i = 0; i < QUOTA_COUNT; i++)
		q->v[i] = quotas[i].def;
}

int quota_lookup(const char *name)
{
	int i;

	for (i = 0; i < QUOTA_COUNT; i++)
		if (strcmp(name, quotas[i].name) == 0)
			return i;
	return -1;
}

const char *quota_name(int id)
{
	return quotas[id].name;
}

const char *quota_help(int id)
{
	return quotas[id].help;
}

uint32_t quota_min(int id)
{
	return quotas[id].min;
}

int quota_set(struct xsd *d, int id, uint32_t value)
{
	if (value < quota_min(id))
		return EINVAL;
	d->quota.v[id] = value;
	journal_quota(d, id);
	return 0;
}
