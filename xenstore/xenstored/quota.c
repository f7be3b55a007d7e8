/*
 * Quotas: names, Xen's defaults (C xenstored 4.17) and help text.  They
 * limit unprivileged domains; privileged connections bypass all but path-max.
 * Run-time changes are journalled like store changes, so they survive a restart.
 */
#include "config.h"

#include <string.h>

#include "xsd.h"

static const struct {
	const char *name;
	uint32_t def;
	const char *help;
} quotas[QUOTA_COUNT] = {
    [QUOTA_NODES] = {"nodes", 1000, "nodes owned by a domain"},
    [QUOTA_WATCHES] = {"watches", 128, "watches of a domain's connection"},
    [QUOTA_TRANSACTIONS] = {"transactions", 10, "open transactions of a connection"},
    [QUOTA_OUTSTANDING] = {"outstanding", 20, "requests in flight per connection"},
    [QUOTA_TX_NODES] = {"transaction-nodes", 1024, "nodes accessed by one transaction"},
    [QUOTA_MEMORY] = {"memory", 2621440, "bytes of node data owned by a domain"},
    [QUOTA_NODE_SIZE] = {"node-size", 2048, "bytes of one node's value"},
    [QUOTA_PATH_MAX] = {"path-max", 2048, "characters of a path below /local/domain/<id>/"},
    [QUOTA_PERMS] = {"permissions", 5, "permission entries of a node"},
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

void quota_set(struct xsd *d, int id, uint32_t value)
{
	d->quota.v[id] = value;
	journal_quota(d, id);
}
