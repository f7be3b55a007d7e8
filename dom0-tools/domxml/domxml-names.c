/*
 * The names the domain XML uses for the enums of domxml.h: one table per
 * enum, indexed by value.  The semantic pass looks names up in them
 * (domxml_lookup), the serialiser and the callers write them (domain_*_name).
 */
#include "config.h"

#include <string.h>

#include "domxml-int.h"

const char *const domxml_type_names[] = {
    [DOMAIN_TYPE_XEN] = "xen", [DOMAIN_TYPE_SHOJI] = "shoji", NULL};

const char *const domxml_action_names[] = {
    [DOMAIN_ACTION_DESTROY] = "destroy",
    [DOMAIN_ACTION_RESTART] = "restart",
    [DOMAIN_ACTION_PRESERVE] = "preserve",
    [DOMAIN_ACTION_RENAME_RESTART] = "rename-restart",
    [DOMAIN_ACTION_COREDUMP_DESTROY] = "coredump-destroy",
    [DOMAIN_ACTION_COREDUMP_RESTART] = "coredump-restart",
    NULL,
};

const char *const domxml_disk_type_names[] = {
    [DOMAIN_DISK_FILE] = "file", [DOMAIN_DISK_BLOCK] = "block", NULL};

const char *const domxml_disk_device_names[] = {
    [DOMAIN_DISK_DEVICE_DISK] = "disk", [DOMAIN_DISK_DEVICE_CDROM] = "cdrom", NULL};

const char *const domxml_nic_type_names[] = {
    [DOMAIN_NIC_BRIDGE] = "bridge", [DOMAIN_NIC_ETHERNET] = "ethernet", NULL};

int domxml_lookup(const char *const *names, const char *s)
{
	for (int i = 0; names[i]; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* names[v], or "?" for a value past the table's end. */
static const char *name_of(const char *const *names, unsigned int v)
{
	for (unsigned int i = 0; names[i]; i++)
		if (i == v)
			return names[i];
	return "?";
}

const char *domain_type_name(enum domain_type t)
{
	return name_of(domxml_type_names, (unsigned int)t);
}

const char *domain_action_name(enum domain_action a)
{
	return name_of(domxml_action_names, (unsigned int)a);
}

const char *domain_disk_type_name(enum domain_disk_type t)
{
	return name_of(domxml_disk_type_names, (unsigned int)t);
}

const char *domain_nic_type_name(enum domain_nic_type t)
{
	return name_of(domxml_nic_type_names, (unsigned int)t);
}

const char *domain_disk_device_name(enum domain_disk_device d)
{
	return name_of(domxml_disk_device_names, (unsigned int)d);
}

long domxml_disk_devid(const char *target)
{
	size_t len = strlen(target);
	long idx = 0;

	if (len < 4 || len > 5 || strncmp(target, "xvd", 3))
		return -1;
	/* Bijective base 26: a..z are 0..25, aa is 26, zz is 701. */
	for (const char *p = target + 3; *p; p++) {
		if (*p < 'a' || *p > 'z')
			return -1;
		idx = idx * 26 + (*p - 'a' + 1);
	}
	idx--;
	if (idx < 16)
		return (202L << 8) | (idx << 4);
	return (1L << 28) | (idx << 8);
}
