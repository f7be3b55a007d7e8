/*
 * The serialiser: struct domain_config back to canonical domain XML (every
 * default written out, memory in KiB, paths absolute), plus the equality
 * used to check that parse(serialise(c)) == c.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/xmlsave.h>

#include "domxml-int.h"

/* Adds <name>text</name> under parent; false on allocation failure. */
static bool add_text(xmlNode *parent, const char *name, const char *text)
{
	return xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)text) != NULL;
}

static xmlNode *add_empty(xmlNode *parent, const char *name)
{
	return xmlNewChild(parent, NULL, (const xmlChar *)name, NULL);
}

static bool set_attr(xmlNode *n, const char *name, const char *value)
{
	return n && xmlSetProp(n, (const xmlChar *)name, (const xmlChar *)value) != NULL;
}

static bool add_memory(xmlNode *parent, const char *name, uint64_t kib)
{
	char num[24];
	xmlNode *n;

	snprintf(num, sizeof(num), "%llu", (unsigned long long)kib);
	n = xmlNewTextChild(parent, NULL, (const xmlChar *)name, (const xmlChar *)num);
	return set_attr(n, "unit", "KiB");
}

static bool add_disk(xmlNode *devices, const struct domain_disk *d)
{
	xmlNode *n = add_empty(devices, "disk"), *c;
	bool ok = set_attr(n, "type", domain_disk_type_name(d->type)) &&
	          set_attr(n, "device", domain_disk_device_name(d->device));

	if (ok && (d->driver_name || d->driver_type)) {
		c = add_empty(n, "driver");
		ok = c != NULL;
		if (ok && d->driver_name)
			ok = set_attr(c, "name", d->driver_name);
		if (ok && d->driver_type)
			ok = set_attr(c, "type", d->driver_type);
	}
	ok = ok && set_attr(add_empty(n, "source"), d->type == DOMAIN_DISK_BLOCK ? "dev" : "file",
	                    d->source ? d->source : "");
	if (ok) {
		c = add_empty(n, "target");
		ok = set_attr(c, "dev", d->target) && set_attr(c, "bus", "xen");
	}
	if (ok && d->readonly)
		ok = add_empty(n, "readonly") != NULL;
	return ok;
}

static bool add_nic(xmlNode *devices, const struct domain_nic *nic)
{
	xmlNode *n = add_empty(devices, "interface");
	bool ok = set_attr(n, "type", domain_nic_type_name(nic->type));
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", nic->mac[0], nic->mac[1],
	         nic->mac[2], nic->mac[3], nic->mac[4], nic->mac[5]);
	ok = ok && set_attr(add_empty(n, "mac"), "address", mac);
	if (ok && nic->bridge)
		ok = set_attr(add_empty(n, "source"), "bridge", nic->bridge);
	if (ok && nic->target[0])
		ok = set_attr(add_empty(n, "target"), "dev", nic->target);
	if (ok && nic->model)
		ok = set_attr(add_empty(n, "model"), "type", nic->model);
	return ok;
}

static bool build_os(xmlNode *root, const struct domain_config *cfg)
{
	xmlNode *os = add_empty(root, "os"), *type;

	if (!os)
		return false;
	type = xmlNewTextChild(os, NULL, (const xmlChar *)"type", (const xmlChar *)"xenpvh");
	if (!set_attr(type, "arch", "x86_64") || !set_attr(type, "machine", "xenpvh"))
		return false;
	if (!add_text(os, "kernel", cfg->kernel ? cfg->kernel : ""))
		return false;
	if (cfg->initrd && !add_text(os, "initrd", cfg->initrd))
		return false;
	return !cfg->cmdline || add_text(os, "cmdline", cfg->cmdline);
}

static bool build_devices(xmlNode *root, const struct domain_config *cfg)
{
	xmlNode *devices = add_empty(root, "devices"), *console;

	if (!devices)
		return false;
	for (size_t i = 0; i < cfg->n_disks; i++)
		if (!add_disk(devices, &cfg->disks[i]))
			return false;
	for (size_t i = 0; i < cfg->n_nics; i++)
		if (!add_nic(devices, &cfg->nics[i]))
			return false;
	console = add_empty(devices, "console");
	if (!set_attr(console, "type", "pty"))
		return false;
	console = add_empty(console, "target");
	if (!set_attr(console, "type", "xen") || !set_attr(console, "port", "0"))
		return false;
	return set_attr(add_empty(devices, "memballoon"), "model", "xen");
}

static bool build(xmlNode *root, const struct domain_config *cfg)
{
	char uuid[37], num[16];
	xmlNode *n;

	uuid_unparse_lower(cfg->uuid, uuid);
	if (!set_attr(root, "type", domain_type_name(cfg->type)) ||
	    !add_text(root, "name", cfg->name) || !add_text(root, "uuid", uuid))
		return false;
	if (cfg->title && !add_text(root, "title", cfg->title))
		return false;
	if (cfg->description && !add_text(root, "description", cfg->description))
		return false;
	if (!add_memory(root, "memory", cfg->memory_kib) ||
	    !add_memory(root, "currentMemory", cfg->current_memory_kib))
		return false;
	snprintf(num, sizeof(num), "%u", cfg->vcpus);
	n = xmlNewTextChild(root, NULL, (const xmlChar *)"vcpu", (const xmlChar *)num);
	if (!set_attr(n, "placement", "static"))
		return false;
	snprintf(num, sizeof(num), "%u", cfg->current_vcpus);
	if (cfg->current_vcpus != cfg->vcpus && !set_attr(n, "current", num))
		return false;
	if (!build_os(root, cfg))
		return false;
	if (cfg->feature_pae || cfg->feature_acpi || cfg->feature_apic) {
		n = add_empty(root, "features");
		if (!n || (cfg->feature_pae && !add_empty(n, "pae")) ||
		    (cfg->feature_acpi && !add_empty(n, "acpi")) ||
		    (cfg->feature_apic && !add_empty(n, "apic")))
			return false;
	}
	n = add_empty(root, "clock");
	if (!set_attr(n, "offset", "utc") || !set_attr(n, "adjustment", "reset"))
		return false;
	if (!add_text(root, "on_poweroff", domain_action_name(cfg->on_poweroff)) ||
	    !add_text(root, "on_reboot", domain_action_name(cfg->on_reboot)) ||
	    !add_text(root, "on_crash", domain_action_name(cfg->on_crash)))
		return false;
	return build_devices(root, cfg);
}

char *domxml_serialise(const struct domain_config *cfg)
{
	xmlBufferPtr buf = NULL;
	xmlSaveCtxtPtr save = NULL;
	xmlDoc *doc = NULL;
	xmlNode *root;
	char *out = NULL;

	doc = xmlNewDoc((const xmlChar *)"1.0");
	root = doc ? xmlNewNode(NULL, (const xmlChar *)"domain") : NULL;
	if (!root)
		goto out;
	xmlDocSetRootElement(doc, root);
	if (!build(root, cfg))
		goto out;
	buf = xmlBufferCreate();
	if (!buf)
		goto out;
	save = xmlSaveToBuffer(buf, "UTF-8", XML_SAVE_FORMAT | XML_SAVE_NO_DECL);
	if (!save)
		goto out;
	if (xmlSaveDoc(save, doc) < 0) {
		xmlSaveClose(save);
		goto out;
	}
	xmlSaveClose(save);
	out = strdup((const char *)xmlBufferContent(buf));
out:
	if (!out)
		errno = ENOMEM;
	xmlBufferFree(buf);
	xmlFreeDoc(doc);
	return out;
}

static bool str_eq(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool disk_eq(const struct domain_disk *a, const struct domain_disk *b)
{
	return a->type == b->type && a->device == b->device && str_eq(a->source, b->source) &&
	       str_eq(a->driver_name, b->driver_name) && str_eq(a->driver_type, b->driver_type) &&
	       !strcmp(a->target, b->target) && a->readonly == b->readonly;
}

static bool nic_eq(const struct domain_nic *a, const struct domain_nic *b)
{
	return a->type == b->type && !memcmp(a->mac, b->mac, 6) && str_eq(a->bridge, b->bridge) &&
	       !strcmp(a->target, b->target) && str_eq(a->model, b->model);
}

bool domain_config_equal(const struct domain_config *a, const struct domain_config *b)
{
	if (a->type != b->type || strcmp(a->name, b->name) || uuid_compare(a->uuid, b->uuid) ||
	    !str_eq(a->title, b->title) || !str_eq(a->description, b->description) ||
	    a->memory_kib != b->memory_kib || a->current_memory_kib != b->current_memory_kib ||
	    a->vcpus != b->vcpus || a->current_vcpus != b->current_vcpus ||
	    !str_eq(a->kernel, b->kernel) || !str_eq(a->initrd, b->initrd) ||
	    !str_eq(a->cmdline, b->cmdline) || a->on_poweroff != b->on_poweroff ||
	    a->on_reboot != b->on_reboot || a->on_crash != b->on_crash ||
	    a->feature_pae != b->feature_pae || a->feature_acpi != b->feature_acpi ||
	    a->feature_apic != b->feature_apic || a->n_disks != b->n_disks ||
	    a->n_nics != b->n_nics)
		return false;
	for (size_t i = 0; i < a->n_disks; i++)
		if (!disk_eq(&a->disks[i], &b->disks[i]))
			return false;
	for (size_t i = 0; i < a->n_nics; i++)
		if (!nic_eq(&a->nics[i], &b->nics[i]))
			return false;
	return true;
}
