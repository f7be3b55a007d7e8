/*
 * The shape of a domain file: which elements and attributes may appear where,
 * how often, and where text is allowed.  This is the C mirror of
 * shoji-domain.rng (the schema stays the authority; tests check that both
 * agree on every fixture); it exists so that each problem gets a precise
 * one-line message at the right line instead of the schema's generic ones.
 */
#include "config.h"

#include <string.h>

#include "domxml-int.h"

struct attr_spec {
	const char *name;
	bool required;
};

struct node_spec;

struct child_spec {
	const char *name;
	const struct node_spec *spec;
	bool multiple;
	bool required;
};

/* An element that libvirt knows but Shoji refuses, with the reason. */
struct refusal {
	const char *name;
	const char *reason;
};

struct node_spec {
	const char *name;
	const struct attr_spec *attrs;     /* NULL-name terminated; NULL: none */
	const struct child_spec *children; /* NULL-name terminated; NULL: none */
	const struct refusal *refused;     /* NULL-name terminated; NULL: none */
	bool text;                         /* non-blank text content allowed */
};

#define END                                                                                        \
	{                                                                                          \
		0                                                                                  \
	}

static const struct node_spec text_leaf = {.text = true};
static const struct node_spec empty_leaf = {0};

static const struct attr_spec unit_attrs[] = {{.name = "unit"}, END};
static const struct node_spec memory_spec = {.attrs = unit_attrs, .text = true};

static const struct attr_spec vcpu_attrs[] = {{.name = "placement"}, {.name = "current"}, END};
static const struct node_spec vcpu_spec = {.attrs = vcpu_attrs, .text = true};

static const struct attr_spec os_type_attrs[] = {{.name = "arch"}, {.name = "machine"}, END};
static const struct node_spec os_type_spec = {.attrs = os_type_attrs, .text = true};

static const struct child_spec os_children[] = {
    {.name = "type", .spec = &os_type_spec, .required = true},
    {.name = "kernel", .spec = &text_leaf, .required = true},
    {.name = "initrd", .spec = &text_leaf},
    {.name = "cmdline", .spec = &text_leaf},
    END,
};
static const struct refusal os_refused[] = {
    {"loader", "firmware loaders are not supported (PVH guests boot their <kernel> directly)"},
    {"boot", "boot devices are not supported (PVH guests boot their <kernel> directly)"},
    {"bootmenu", "boot menus are not supported (PVH guests boot their <kernel> directly)"},
    {"nvram", "firmware variables are not supported"},
    {"dtb", "device trees are not supported"},
    {"smbios", "SMBIOS tables are not supported"},
    END,
};
static const struct node_spec os_spec = {
    .children = os_children,
    .refused = os_refused,
};

static const struct child_spec features_children[] = {
    {.name = "pae", .spec = &empty_leaf},
    {.name = "acpi", .spec = &empty_leaf},
    {.name = "apic", .spec = &empty_leaf},
    END,
};
static const struct refusal features_refused[] = {
    {"hap", "is not supported (guests always run on hardware-assisted paging)"},
    {"viridian", "is not supported (no Hyper-V enlightenments)"},
    {"hyperv", "is not supported (no Hyper-V enlightenments)"},
    {"privnet", "is not supported"},
    {"pvspinlock", "is not supported"},
    {"pmu", "is not supported"},
    {"kvm", "is not supported"},
    {"xen", "is not supported (no e820_host or PCI passthrough)"},
    {"vmcoreinfo", "is not supported"},
    {"smm", "is not supported"},
    END,
};
static const struct node_spec features_spec = {
    .children = features_children,
    .refused = features_refused,
};

static const struct attr_spec clock_attrs[] = {{.name = "offset"}, {.name = "adjustment"}, END};
static const struct refusal clock_refused[] = {
    {"timer", "is not supported (guests always get the Xen PV clock)"},
    END,
};
static const struct node_spec clock_spec = {.attrs = clock_attrs, .refused = clock_refused};

static const struct attr_spec console_target_attrs[] = {{.name = "type"}, {.name = "port"}, END};
static const struct node_spec console_target_spec = {.attrs = console_target_attrs};
static const struct child_spec console_children[] = {
    {.name = "target", .spec = &console_target_spec}, END};
static const struct attr_spec console_attrs[] = {{.name = "type", .required = true}, END};
static const struct node_spec console_spec = {.attrs = console_attrs, .children = console_children};

static const struct attr_spec input_attrs[] = {
    {.name = "type", .required = true}, {.name = "bus"}, END};
static const struct node_spec input_spec = {.attrs = input_attrs};

static const struct attr_spec memballoon_attrs[] = {{.name = "model", .required = true}, END};
static const struct node_spec memballoon_spec = {.attrs = memballoon_attrs};

static const struct attr_spec driver_attrs[] = {{.name = "name"}, {.name = "type"}, END};
static const struct node_spec driver_spec = {.attrs = driver_attrs};
static const struct attr_spec disk_source_attrs[] = {{.name = "file"}, {.name = "dev"}, END};
static const struct node_spec disk_source_spec = {.attrs = disk_source_attrs};
static const struct attr_spec disk_target_attrs[] = {
    {.name = "dev", .required = true}, {.name = "bus"}, END};
static const struct node_spec disk_target_spec = {.attrs = disk_target_attrs};
static const struct child_spec disk_children[] = {
    {.name = "driver", .spec = &driver_spec},
    {.name = "source", .spec = &disk_source_spec, .required = true},
    {.name = "target", .spec = &disk_target_spec, .required = true},
    {.name = "readonly", .spec = &empty_leaf},
    END,
};
static const struct refusal disk_refused[] = {
    {"shareable", "is not supported (a writable disk belongs to one domain; several domains "
                  "may share a disk that each marks <readonly/>)"},
    END,
};
static const struct attr_spec disk_attrs[] = {
    {.name = "type", .required = true}, {.name = "device"}, END};
static const struct node_spec disk_spec = {
    .attrs = disk_attrs, .children = disk_children, .refused = disk_refused};

static const struct attr_spec mac_attrs[] = {{.name = "address", .required = true}, END};
static const struct node_spec mac_spec = {.attrs = mac_attrs};
static const struct attr_spec nic_source_attrs[] = {{.name = "bridge", .required = true}, END};
static const struct node_spec nic_source_spec = {.attrs = nic_source_attrs};
static const struct attr_spec nic_target_attrs[] = {{.name = "dev", .required = true}, END};
static const struct node_spec nic_target_spec = {.attrs = nic_target_attrs};
static const struct attr_spec model_attrs[] = {{.name = "type", .required = true}, END};
static const struct node_spec model_spec = {.attrs = model_attrs};
static const struct child_spec nic_children[] = {
    {.name = "mac", .spec = &mac_spec},
    {.name = "source", .spec = &nic_source_spec},
    {.name = "target", .spec = &nic_target_spec},
    {.name = "model", .spec = &model_spec},
    END,
};
static const struct refusal nic_refused[] = {
    {"script", "is not supported (shoji-netback puts the TAP on its bridge itself; no hotplug "
               "scripts run)"},
    {"ip", "is not supported (configure addresses inside the guest)"},
    {"driver", "is not supported (the device is always netfront)"},
    {"bandwidth", "is not supported (no rate limits)"},
    END,
};
static const struct attr_spec nic_attrs[] = {{.name = "type", .required = true}, END};
static const struct node_spec nic_spec = {
    .attrs = nic_attrs, .children = nic_children, .refused = nic_refused};

static const struct child_spec devices_children[] = {
    {.name = "console", .spec = &console_spec},
    {.name = "disk", .spec = &disk_spec, .multiple = true},
    {.name = "interface", .spec = &nic_spec, .multiple = true},
    {.name = "input", .spec = &input_spec, .multiple = true},
    {.name = "memballoon", .spec = &memballoon_spec},
    END,
};
static const struct refusal devices_refused[] = {
    {"emulator", "is not supported (Shoji runs no device model)"},
    {"serial", "is not supported (use <console>)"},
    {"channel", "is not supported"},
    {"graphics", "is not supported (no PV framebuffer)"},
    {"video", "is not supported (no PV framebuffer)"},
    {"sound", "is not supported"},
    {"controller", "is not supported"},
    {"hostdev", "is not supported (no device passthrough)"},
    {"filesystem", "is not supported"},
    {"rng", "is not supported"},
    {"watchdog", "is not supported"},
    {"tpm", "is not supported"},
    {"vsock", "is not supported"},
    END,
};
static const struct node_spec devices_spec = {
    .children = devices_children,
    .refused = devices_refused,
};

static const struct child_spec domain_children[] = {
    {.name = "name", .spec = &text_leaf, .required = true},
    {.name = "uuid", .spec = &text_leaf},
    {.name = "title", .spec = &text_leaf},
    {.name = "description", .spec = &text_leaf},
    {.name = "memory", .spec = &memory_spec, .required = true},
    {.name = "currentMemory", .spec = &memory_spec},
    {.name = "vcpu", .spec = &vcpu_spec},
    {.name = "os", .spec = &os_spec, .required = true},
    {.name = "features", .spec = &features_spec},
    {.name = "clock", .spec = &clock_spec},
    {.name = "on_poweroff", .spec = &text_leaf},
    {.name = "on_reboot", .spec = &text_leaf},
    {.name = "on_crash", .spec = &text_leaf},
    {.name = "devices", .spec = &devices_spec},
    END,
};
static const struct refusal domain_refused[] = {
    {"maxMemory", "is not supported (no memory hotplug)"},
    {"cpu", "is not supported (guests see the host CPU as KVM presents it)"},
    {"cputune", "is not supported"},
    {"memtune", "is not supported"},
    {"memoryBacking", "is not supported"},
    {"numatune", "is not supported"},
    {"blkiotune", "is not supported"},
    {"iothreads", "is not supported"},
    {"resource", "is not supported"},
    {"sysinfo", "is not supported"},
    {"pm", "is not supported"},
    {"seclabel", "is not supported"},
    {"metadata", "is not supported"},
    {"bootloader", "is not supported (PVH guests boot their <kernel> directly)"},
    {"bootloader_args", "is not supported (PVH guests boot their <kernel> directly)"},
    {"on_lockfailure", "is not supported"},
    END,
};
static const struct attr_spec domain_attrs[] = {{.name = "type", .required = true}, END};
static const struct node_spec domain_spec = {
    .name = "domain",
    .attrs = domain_attrs,
    .children = domain_children,
    .refused = domain_refused,
};

static bool blank(const xmlChar *s)
{
	for (; s && *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

/* The line where the non-blank part of text node t starts (libxml2 records
 * the line where a text node ends). */
static int text_line(const xmlNode *t, const xmlNode *parent)
{
	const xmlChar *p = t->content;
	int line = domxml_line(t);

	if (line <= 0)
		return domxml_line(parent);
	while (*p && strchr(" \t\r\n", *p))
		p++;
	for (; *p; p++)
		line -= *p == '\n';
	return line > 0 ? line : domxml_line(parent);
}

static const struct child_spec *find_child(const struct node_spec *spec, const xmlChar *name)
{
	for (const struct child_spec *c = spec->children; c && c->name; c++)
		if (xmlStrEqual(name, (const xmlChar *)c->name))
			return c;
	return NULL;
}

static const struct refusal *find_refusal(const struct node_spec *spec, const xmlChar *name)
{
	for (const struct refusal *r = spec->refused; r && r->name; r++)
		if (xmlStrEqual(name, (const xmlChar *)r->name))
			return r;
	return NULL;
}

static void check_attrs(const xmlNode *n, const struct node_spec *spec, struct domxml_errors *errs)
{
	int line = domxml_line(n);

	for (const xmlAttr *a = n->properties; a; a = a->next) {
		bool known = false;

		if (a->ns) {
			domxml_error_add(errs, line, "unknown attribute '%s:%s' on <%s>",
			                 (const char *)a->ns->prefix, (const char *)a->name,
			                 (const char *)n->name);
			continue;
		}
		for (const struct attr_spec *s = spec->attrs; s && s->name; s++)
			known = known || xmlStrEqual(a->name, (const xmlChar *)s->name);
		if (!known)
			domxml_error_add(errs, line, "unknown attribute '%s' on <%s>",
			                 (const char *)a->name, (const char *)n->name);
	}
	for (const struct attr_spec *s = spec->attrs; s && s->name; s++)
		if (s->required && !xmlHasProp(n, (const xmlChar *)s->name))
			domxml_error_add(errs, line, "<%s> needs a '%s' attribute",
			                 (const char *)n->name, s->name);
}

/* The line of the first element child of n named name, or 0. */
static int first_line(const xmlNode *n, const xmlChar *name)
{
	const xmlNode *c = domxml_child(n, (const char *)name);

	return c ? domxml_line(c) : 0;
}

static void check_node(const xmlNode *n, const struct node_spec *spec, struct domxml_errors *errs)
{
	bool text_reported = false;

	check_attrs(n, spec, errs);
	for (const xmlNode *c = n->children; c; c = c->next) {
		const struct child_spec *cs;
		const struct refusal *r;

		switch (c->type) {
		case XML_ELEMENT_NODE:
			break;
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (!spec->text && !text_reported && !blank(c->content)) {
				domxml_error_add(errs, text_line(c, n), "unexpected text in <%s>",
				                 (const char *)n->name);
				text_reported = true;
			}
			continue;
		case XML_ENTITY_REF_NODE:
			domxml_error_add(errs, domxml_line(n), "entity references are not allowed");
			continue;
		default: /* comments and processing instructions */
			continue;
		}
		if (c->ns) {
			domxml_error_add(errs, domxml_line(c),
			                 "unknown element <%s> in namespace '%s' in <%s>",
			                 (const char *)c->name, (const char *)c->ns->href,
			                 (const char *)n->name);
			continue;
		}
		cs = find_child(spec, c->name);
		if (!cs) {
			r = find_refusal(spec, c->name);
			if (r)
				domxml_error_add(errs, domxml_line(c), "<%s> in <%s> %s",
				                 (const char *)c->name, (const char *)n->name,
				                 r->reason);
			else
				domxml_error_add(errs, domxml_line(c),
				                 "unknown element <%s> in <%s>",
				                 (const char *)c->name, (const char *)n->name);
			continue;
		}
		if (!cs->multiple && domxml_child(n, cs->name) != c) {
			domxml_error_add(errs, domxml_line(c),
			                 "duplicate <%s> in <%s> (first at line %d)", cs->name,
			                 (const char *)n->name, first_line(n, c->name));
			continue;
		}
		check_node(c, cs->spec, errs);
	}
	for (const struct child_spec *cs = spec->children; cs && cs->name; cs++)
		if (cs->required && !domxml_child(n, cs->name))
			domxml_error_add(errs, domxml_line(n), "missing <%s> in <%s>", cs->name,
			                 (const char *)n->name);
}

void domxml_check_shape(xmlNode *root, struct domxml_errors *errs)
{
	if (root->ns || !xmlStrEqual(root->name, (const xmlChar *)domain_spec.name)) {
		domxml_error_add(errs, domxml_line(root),
		                 "root element is <%s>%s, expected <domain>",
		                 (const char *)root->name, root->ns ? " (with a namespace)" : "");
		return;
	}
	check_node(root, &domain_spec, errs);
}
