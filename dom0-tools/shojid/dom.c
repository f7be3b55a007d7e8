/*
 * The running domains shojid keeps (struct sd_dom, one per domain it built
 * or adopted): finding them by name or domid, linking and unlinking, freeing.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shojid.h"

struct sd_dom *dom_by_id(struct shojid *sd, uint32_t domid)
{
	for (struct sd_dom *d = sd->doms; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

struct sd_dom *dom_find(struct shojid *sd, const char *target)
{
	char *end;
	unsigned long id;

	if (target[0] >= '0' && target[0] <= '9') {
		errno = 0;
		id = strtoul(target, &end, 10);
		if (!*end && !errno && id < API_DOMID_NONE)
			return dom_by_id(sd, (uint32_t)id);
	}
	for (struct sd_dom *d = sd->doms; d; d = d->next)
		if (!strcmp(d->name, target))
			return d;
	return NULL;
}

bool dom_name_taken(struct shojid *sd, const char *name)
{
	return dom_find(sd, name) != NULL;
}

void dom_link(struct shojid *sd, struct sd_dom *dom)
{
	dom->next = sd->doms;
	sd->doms = dom;
}

void dom_unlink(struct shojid *sd, struct sd_dom *dom)
{
	for (struct sd_dom **pp = &sd->doms; *pp; pp = &(*pp)->next) {
		if (*pp == dom) {
			*pp = dom->next;
			return;
		}
	}
}

void dom_free(struct sd_dom *dom)
{
	if (!dom)
		return;
	domain_config_free(&dom->cfg);
	free(dom);
}
