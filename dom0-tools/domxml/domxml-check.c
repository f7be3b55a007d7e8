/*
 * The semantic pass: reads values out of a domain document into a
 * struct domain_config and checks what the schema cannot (numbers, units,
 * ranges, names, UUIDs, files and cross-field rules).  Elements the shape
 * pass already complained about are skipped or read as far as they go.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domxml-int.h"

#define KIB     1024ULL
#define STR_(x) #x
#define STR(x)  STR_(x) /* a macro's value as a string literal */

static void oom(struct domxml_walk *w, const xmlNode *n)
{
	domxml_error_add(w->errs, domxml_line(n), "out of memory");
}

/* The text of n with surrounding white space removed (malloc'ed), or NULL. */
static char *text_of(const xmlNode *n)
{
	xmlChar *raw = xmlNodeGetContent(n);
	char *s, *start, *end, *out;

	if (!raw)
		return strdup("");
	s = (char *)raw;
	for (start = s; *start && isspace((unsigned char)*start); start++)
		;
	for (end = start + strlen(start); end > start && isspace((unsigned char)end[-1]); end--)
		;
	out = strndup(start, (size_t)(end - start));
	xmlFree(raw);
	return out;
}

/* A copy of attribute name of n (malloc'ed), or NULL when absent. */
static char *attr_of(const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *out;

	if (!v)
		return NULL;
	out = strdup((const char *)v);
	xmlFree(v);
	return out;
}

bool domxml_name_valid(const char *name, const char **why)
{
	size_t len = strlen(name);
	bool digits = true;

	if (len == 0) {
		*why = "it is empty";
		return false;
	}
	if (len > SHOJI_DOMAIN_NAME_MAX) {
		*why = "it is longer than " STR(SHOJI_DOMAIN_NAME_MAX) " characters";
		return false;
	}
	if (name[0] == '-' || name[0] == '.') {
		*why = "it must not start with '-' or '.'";
		return false;
	}
	for (const char *p = name; *p; p++) {
		if (!isascii((unsigned char)*p) ||
		    (!isalnum((unsigned char)*p) && !strchr("_.-", *p))) {
			*why = "only letters, digits, '_', '.' and '-' are allowed";
			return false;
		}
		digits = digits && isdigit((unsigned char)*p);
	}
	if (digits) {
		*why = "it is all digits (names and domain IDs share the command line)";
		return false;
	}
	return true;
}

static void check_name(struct domxml_walk *w, const xmlNode *n)
{
	char *name = text_of(n);
	const char *why;

	if (!name)
		return oom(w, n);
	if (!domxml_name_valid(name, &why))
		domxml_error_add(w->errs, domxml_line(n), "<name> '%s' is not valid: %s", name,
		                 why);
	else
		memcpy(w->cfg->name, name, strlen(name) + 1);
	free(name);
}

static void check_uuid(struct domxml_walk *w, const xmlNode *n)
{
	char *s = NULL;

	if (!n) {
		uuid_generate_random(w->cfg->uuid);
		w->cfg->uuid_generated = true;
		return;
	}
	s = text_of(n);
	if (!s)
		return oom(w, n);
	if (uuid_parse(s, w->cfg->uuid) != 0)
		domxml_error_add(w->errs, domxml_line(n), "<uuid> '%s' is not a valid UUID", s);
	else if (uuid_is_null(w->cfg->uuid))
		domxml_error_add(w->errs, domxml_line(n), "<uuid> must not be the nil UUID");
	free(s);
}

static void check_title(struct domxml_walk *w, const xmlNode *title, const xmlNode *desc)
{
	if (title) {
		w->cfg->title = text_of(title);
		if (!w->cfg->title)
			return oom(w, title);
		if (strchr(w->cfg->title, '\n'))
			domxml_error_add(w->errs, domxml_line(title),
			                 "<title> must be a single line");
	}
	if (desc) {
		xmlChar *d = xmlNodeGetContent(desc);

		w->cfg->description = strdup(d ? (const char *)d : "");
		xmlFree(d);
		if (!w->cfg->description)
			oom(w, desc);
	}
}

/* libvirt's unit names (case-insensitive) and their size in bytes. */
static const struct unit {
	const char *name;
	uint64_t bytes;
} units[] = {
    {"b", 1ULL},
    {"byte", 1ULL},
    {"bytes", 1ULL},
    {"KB", 1000ULL},
    {"k", KIB},
    {"KiB", KIB},
    {"MB", 1000ULL * 1000},
    {"M", KIB *KIB},
    {"MiB", KIB *KIB},
    {"GB", 1000ULL * 1000 * 1000},
    {"G", KIB *KIB *KIB},
    {"GiB", KIB *KIB *KIB},
    {"TB", 1000ULL * 1000 * 1000 * 1000},
    {"T", KIB *KIB *KIB *KIB},
    {"TiB", KIB *KIB *KIB *KIB},
    {"PB", 1000ULL * 1000 * 1000 * 1000 * 1000},
    {"P", KIB *KIB *KIB *KIB *KIB},
    {"PiB", KIB *KIB *KIB *KIB *KIB},
    {"EB", 1000ULL * 1000 * 1000 * 1000 * 1000 * 1000},
    {"E", KIB *KIB *KIB *KIB *KIB *KIB},
    {"EiB", KIB *KIB *KIB *KIB *KIB *KIB},
};

/* Parses a decimal number of at most UINT64_MAX; false when s is not one.
 * *overflow is set for a well-formed number that does not fit. */
static bool parse_u64(const char *s, uint64_t *out, bool *overflow)
{
	uint64_t v = 0;

	*overflow = false;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			*overflow = true;
		else
			v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return true;
}

/* Reads a <memory>-style element into KiB (rounded up, as libvirt does).
 * Returns false, with an error recorded, when it is not usable. */
static bool check_memory_value(struct domxml_walk *w, const xmlNode *n, uint64_t *kib)
{
	const char *what = (const char *)n->name;
	char *text = text_of(n), *unit = attr_of(n, "unit");
	uint64_t value = 0, scale = KIB;
	bool overflow, ok = false;
	int line = domxml_line(n);

	if (!text) {
		oom(w, n);
		goto out;
	}
	if (unit) {
		size_t i;

		for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (!strcasecmp(units[i].name, unit))
				break;
		if (i == sizeof(units) / sizeof(units[0])) {
			domxml_error_add(
			    w->errs, line,
			    "<%s> unit '%s' is not known (use b, KB, KiB, MB, MiB, GB, "
			    "GiB, TB or TiB)",
			    what, unit);
			goto out;
		}
		scale = units[i].bytes;
	}
	if (!*text) {
		domxml_error_add(w->errs, line, "<%s> is empty", what);
		goto out;
	}
	if (!parse_u64(text, &value, &overflow)) {
		domxml_error_add(w->errs, line, "<%s> value '%s' is not a number", what, text);
		goto out;
	}
	if (overflow || (value > 0 && scale > UINT64_MAX / value)) {
		domxml_error_add(w->errs, line, "<%s> value '%s%s%s' is too large", what, text,
		                 unit ? " " : "", unit ? unit : "");
		goto out;
	}
	if (value == 0) {
		domxml_error_add(w->errs, line, "<%s> must not be zero", what);
		goto out;
	}
	value *= scale;
	*kib = value / KIB + (value % KIB != 0);
	if (*kib > SHOJI_DOMAIN_MEMORY_MAX_KIB) {
		domxml_error_add(w->errs, line,
		                 "<%s> of %llu KiB is above the maximum of %llu KiB (%llu MiB)",
		                 what, (unsigned long long)*kib, SHOJI_DOMAIN_MEMORY_MAX_KIB,
		                 SHOJI_DOMAIN_MEMORY_MAX_KIB / 1024);
		goto out;
	}
	if (*kib < SHOJI_DOMAIN_MEMORY_MIN_KIB) {
		domxml_error_add(w->errs, line,
		                 "<%s> of %llu KiB is below the minimum of %llu KiB (%llu MiB)",
		                 what, (unsigned long long)*kib, SHOJI_DOMAIN_MEMORY_MIN_KIB,
		                 SHOJI_DOMAIN_MEMORY_MIN_KIB / 1024);
		goto out;
	}
	ok = true;
out:
	free(text);
	free(unit);
	return ok;
}

static void check_memory(struct domxml_walk *w, const xmlNode *mem, const xmlNode *cur)
{
	bool mem_ok = mem && check_memory_value(w, mem, &w->cfg->memory_kib);
	bool cur_ok = cur && check_memory_value(w, cur, &w->cfg->current_memory_kib);

	if (!cur)
		w->cfg->current_memory_kib = w->cfg->memory_kib;
	else if (mem_ok && cur_ok && w->cfg->current_memory_kib > w->cfg->memory_kib)
		domxml_error_add(w->errs, domxml_line(cur),
		                 "<currentMemory> (%llu KiB) is larger than <memory> (%llu KiB)",
		                 (unsigned long long)w->cfg->current_memory_kib,
		                 (unsigned long long)w->cfg->memory_kib);
}

/* Parses a vCPU count in [1, max]; records an error naming what otherwise. */
static bool parse_count(struct domxml_walk *w, int line, const char *what, const char *s,
                        unsigned int max, unsigned int *out)
{
	uint64_t v = 0;
	bool overflow;

	if (!parse_u64(s, &v, &overflow)) {
		domxml_error_add(w->errs, line, "%s '%s' is not a number", what, s);
		return false;
	}
	if (overflow || v < 1 || v > max) {
		domxml_error_add(w->errs, line, "%s '%s' must be between 1 and %u", what, s, max);
		return false;
	}
	*out = (unsigned int)v;
	return true;
}

static void check_vcpu(struct domxml_walk *w, const xmlNode *n)
{
	char *text = NULL, *current = NULL, *placement = NULL;
	int line;

	w->cfg->vcpus = w->cfg->current_vcpus = 1;
	if (!n)
		return;
	line = domxml_line(n);
	text = text_of(n);
	current = attr_of(n, "current");
	placement = attr_of(n, "placement");
	if (!text) {
		oom(w, n);
		goto out;
	}
	if (placement && strcmp(placement, "static"))
		domxml_error_add(w->errs, line,
		                 "<vcpu> placement '%s' is not supported (only 'static')",
		                 placement);
	if (!parse_count(w, line, "<vcpu>", text, SHOJI_DOMAIN_VCPUS_MAX, &w->cfg->vcpus))
		goto out;
	w->cfg->current_vcpus = w->cfg->vcpus;
	if (current)
		parse_count(w, line, "<vcpu> current", current, w->cfg->vcpus,
		            &w->cfg->current_vcpus);
out:
	free(text);
	free(current);
	free(placement);
}

/* Makes path absolute against the walk's base directory (malloc'ed), or
 * records why it cannot and returns NULL. */
static char *resolve_path(struct domxml_walk *w, int line, const char *what, const char *path)
{
	char *abs = NULL;

	if (!*path) {
		domxml_error_add(w->errs, line, "%s path is empty", what);
		return NULL;
	}
	if (path[0] == '/')
		return strdup(path);
	if (!w->base_dir) {
		domxml_error_add(w->errs, line,
		                 "%s '%s' is a relative path and there is no directory to resolve "
		                 "it against",
		                 what, path);
		return NULL;
	}
	if (asprintf(&abs, "%s/%s", w->base_dir, path) < 0)
		return NULL;
	return abs;
}

/* Checks that abs is a readable regular file (or block device when block). */
static void check_file(struct domxml_walk *w, int line, const char *what, const char *shown,
                       const char *abs, bool block)
{
	char where[DOMXML_ERROR_MSG_MAX / 2] = "";
	struct stat st;
	int fd;

	if (w->opt->flags & DOMXML_NO_FILE_CHECKS)
		return;
	if (strcmp(shown, abs))
		snprintf(where, sizeof(where), " (looked for '%s')", abs);
	if (stat(abs, &st) != 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			domxml_error_add(w->errs, line, "%s '%s' not found%s", what, shown, where);
		else
			domxml_error_add(w->errs, line, "%s '%s' cannot be examined: %s%s", what,
			                 shown, strerror(errno), where);
		return;
	}
	if (block ? !S_ISBLK(st.st_mode) : !S_ISREG(st.st_mode)) {
		domxml_error_add(w->errs, line, "%s '%s' is not a %s%s", what, shown,
		                 block ? "block device" : "regular file", where);
		return;
	}
	fd = open(abs, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		domxml_error_add(w->errs, line, "%s '%s' is not readable: %s%s", what, shown,
		                 strerror(errno), where);
		return;
	}
	close(fd);
}

/* Reads the path in element n (or override) into *out, checked as a file. */
static void check_path_element(struct domxml_walk *w, const xmlNode *n, const char *what,
                               const char *override, char **out)
{
	char *text = override ? strdup(override) : text_of(n);
	int line = domxml_line(n);

	if (!text)
		return oom(w, n);
	*out = resolve_path(w, line, what, text);
	if (*out)
		check_file(w, line, what, text, *out, false);
	free(text);
}

static void check_os(struct domxml_walk *w, const xmlNode *os)
{
	const xmlNode *type = domxml_child(os, "type"), *kernel = domxml_child(os, "kernel");
	const xmlNode *initrd = domxml_child(os, "initrd"), *cmdline = domxml_child(os, "cmdline");

	if (type) {
		char *t = text_of(type), *arch = attr_of(type, "arch");
		char *machine = attr_of(type, "machine");
		int line = domxml_line(type);

		if (t && strcmp(t, "xenpvh"))
			domxml_error_add(w->errs, line,
			                 "<type> '%s' is not supported (only 'xenpvh')", t);
		if (arch && strcmp(arch, "x86_64"))
			domxml_error_add(w->errs, line,
			                 "<type> arch '%s' is not supported (only 'x86_64')", arch);
		if (machine && strcmp(machine, "xenpvh"))
			domxml_error_add(w->errs, line,
			                 "<type> machine '%s' is not supported (only 'xenpvh')",
			                 machine);
		free(t);
		free(arch);
		free(machine);
	}
	if (kernel)
		check_path_element(w, kernel, "kernel", w->opt->kernel_override, &w->cfg->kernel);
	if (initrd)
		check_path_element(w, initrd, "initrd", NULL, &w->cfg->initrd);
	if (cmdline) {
		w->cfg->cmdline = text_of(cmdline);
		if (!w->cfg->cmdline)
			oom(w, cmdline);
	}
}

static void check_action(struct domxml_walk *w, const xmlNode *n, enum domain_action dflt,
                         enum domain_action *out)
{
	char *s;
	int i;

	*out = dflt;
	if (!n)
		return;
	s = text_of(n);
	if (!s)
		return oom(w, n);
	i = domxml_lookup(domxml_action_names, s);
	if (i < 0)
		domxml_error_add(w->errs, domxml_line(n),
		                 "<%s> value '%s' is not known (use destroy, restart, preserve, "
		                 "rename-restart, coredump-destroy or coredump-restart)",
		                 (const char *)n->name, s);
	else
		*out = (enum domain_action)i;
	free(s);
}

/* Checks that attribute name of n is absent or equal to want. */
static void check_fixed_attr(struct domxml_walk *w, const xmlNode *n, const char *name,
                             const char *want)
{
	char *v = attr_of(n, name);

	if (v && strcmp(v, want))
		domxml_error_add(w->errs, domxml_line(n),
		                 "<%s> %s '%s' is not supported (only '%s')", (const char *)n->name,
		                 name, v, want);
	free(v);
}

static void check_features_clock(struct domxml_walk *w, const xmlNode *features,
                                 const xmlNode *clock)
{
	if (features) {
		w->cfg->feature_pae = domxml_child(features, "pae") != NULL;
		w->cfg->feature_acpi = domxml_child(features, "acpi") != NULL;
		w->cfg->feature_apic = domxml_child(features, "apic") != NULL;
	}
	if (clock) {
		check_fixed_attr(w, clock, "offset", "utc");
		check_fixed_attr(w, clock, "adjustment", "reset");
	}
}

static void check_console(struct domxml_walk *w, const xmlNode *n)
{
	const xmlNode *target = domxml_child(n, "target");

	check_fixed_attr(w, n, "type", "pty");
	if (target) {
		char *type = attr_of(target, "type"), *port = attr_of(target, "port");

		if (type && strcmp(type, "xen"))
			domxml_error_add(w->errs, domxml_line(target),
			                 "<console> target type '%s' is not supported (only 'xen')",
			                 type);
		if (port && strcmp(port, "0"))
			domxml_error_add(w->errs, domxml_line(target),
			                 "<console> port '%s' is not supported (only port 0)",
			                 port);
		free(type);
		free(port);
	}
}

static void check_input(struct domxml_walk *w, const xmlNode *n)
{
	char *type = attr_of(n, "type");

	if (type && strcmp(type, "mouse") && strcmp(type, "keyboard"))
		domxml_error_add(w->errs, domxml_line(n),
		                 "<input> type '%s' is not supported (only 'mouse' or 'keyboard')",
		                 type);
	free(type);
	check_fixed_attr(w, n, "bus", "xen");
}

static bool disk_array_grow(struct domxml_walk *w, const xmlNode *n)
{
	struct domain_disk *d = realloc(w->cfg->disks, (w->cfg->n_disks + 1) * sizeof(*d));

	if (!d) {
		oom(w, n);
		return false;
	}
	w->cfg->disks = d;
	memset(&d[w->cfg->n_disks], 0, sizeof(*d));
	return true;
}

/* <driver>: its name must fit the disk's type (phy: a block device, file: a file). */
static void check_disk_driver(struct domxml_walk *w, struct domain_disk *d, const xmlNode *driver)
{
	int line = domxml_line(driver);

	d->driver_name = attr_of(driver, "name");
	d->driver_type = attr_of(driver, "type");
	if (d->driver_name && strcmp(d->driver_name, "qemu") && strcmp(d->driver_name, "phy") &&
	    strcmp(d->driver_name, "file"))
		domxml_error_add(w->errs, line,
		                 "<driver> name '%s' is not known (use qemu, phy or file)",
		                 d->driver_name);
	else if (d->driver_name && !strcmp(d->driver_name, "phy") && d->type != DOMAIN_DISK_BLOCK)
		domxml_error_add(w->errs, line,
		                 "<driver> name 'phy' needs <disk type='block'> (a host block "
		                 "device)");
	else if (d->driver_name && !strcmp(d->driver_name, "file") && d->type != DOMAIN_DISK_FILE)
		domxml_error_add(w->errs, line,
		                 "<driver> name 'file' needs <disk type='file'> (an image file)");
	if (d->driver_type && strcmp(d->driver_type, "raw"))
		domxml_error_add(w->errs, line, "<driver> type '%s' is not supported (only 'raw')",
		                 d->driver_type);
}

static void check_disk_source(struct domxml_walk *w, struct domain_disk *d, const xmlNode *source)
{
	const char *want = d->type == DOMAIN_DISK_BLOCK ? "dev" : "file";
	const char *other = d->type == DOMAIN_DISK_BLOCK ? "file" : "dev";
	int line = domxml_line(source);
	char *src = attr_of(source, want);

	if (xmlHasProp(source, (const xmlChar *)other))
		domxml_error_add(w->errs, line, "<source> of a %s disk takes '%s', not '%s'",
		                 domain_disk_type_name(d->type), want, other);
	else if (!src)
		domxml_error_add(w->errs, line, "<source> of a %s disk needs a '%s' attribute",
		                 domain_disk_type_name(d->type), want);
	else if ((d->source = resolve_path(w, line, "disk source", src)))
		check_file(w, line, "disk source", src, d->source, d->type == DOMAIN_DISK_BLOCK);
	free(src);
}

/* <target dev='xvdN' bus='xen'/>: a Xen PV disk name (hd* and sd* are refused,
 * not renamed), not used by an earlier <disk>. */
static void check_disk_target(struct domxml_walk *w, struct domain_disk *d, const xmlNode *target)
{
	char *dev = attr_of(target, "dev"), *bus = attr_of(target, "bus");
	int line = domxml_line(target);

	if (dev && domxml_disk_devid(dev) < 0)
		domxml_error_add(w->errs, line,
		                 "<target> dev '%s' is not a Xen PV disk name (xvda, xvdb, ..., "
		                 "xvdzz)",
		                 dev);
	else if (dev)
		memcpy(d->target, dev, strlen(dev) + 1);
	if (bus && strcmp(bus, "xen"))
		domxml_error_add(w->errs, line, "<target> bus '%s' is not supported (only 'xen')",
		                 bus);
	for (size_t i = 0; d->target[0] && i + 1 < w->cfg->n_disks; i++)
		if (!strcmp(w->cfg->disks[i].target, d->target))
			domxml_error_add(w->errs, line,
			                 "<target> dev '%s' is already used at line %d", d->target,
			                 w->cfg->disks[i].line);
	free(dev);
	free(bus);
}

static void check_disk(struct domxml_walk *w, const xmlNode *n)
{
	const xmlNode *driver = domxml_child(n, "driver"), *source = domxml_child(n, "source");
	const xmlNode *target = domxml_child(n, "target");
	char *type = attr_of(n, "type"), *device = attr_of(n, "device");
	struct domain_disk *d;
	int line = domxml_line(n);

	if (w->cfg->n_disks == DOMAIN_DISKS_MAX) {
		domxml_error_add(w->errs, line, "more than %d <disk> elements", DOMAIN_DISKS_MAX);
		goto out;
	}
	if (!disk_array_grow(w, n))
		goto out;
	d = &w->cfg->disks[w->cfg->n_disks++];
	d->line = line;
	d->readonly = domxml_child(n, "readonly") != NULL;
	if (type) {
		int t = domxml_lookup(domxml_disk_type_names, type);

		if (t < 0)
			domxml_error_add(
			    w->errs, line,
			    "<disk> type '%s' is not supported (use 'file' or 'block')", type);
		else
			d->type = (enum domain_disk_type)t;
	}
	if (device) {
		int t = domxml_lookup(domxml_disk_device_names, device);

		if (t < 0)
			domxml_error_add(
			    w->errs, line,
			    "<disk> device '%s' is not supported (use 'disk' or 'cdrom')", device);
		else
			d->device = (enum domain_disk_device)t;
	}
	if (d->device == DOMAIN_DISK_DEVICE_CDROM)
		d->readonly = true;
	if (driver)
		check_disk_driver(w, d, driver);
	if (source)
		check_disk_source(w, d, source);
	if (target)
		check_disk_target(w, d, target);
out:
	free(type);
	free(device);
}

bool domxml_parse_mac(const char *s, uint8_t mac[6])
{
	for (int i = 0; i < 6; i++) {
		if (!isxdigit((unsigned char)s[0]) || !isxdigit((unsigned char)s[1]))
			return false;
		mac[i] = (uint8_t)strtoul((char[]){s[0], s[1], 0}, NULL, 16);
		s += 2;
		if (*s != (i == 5 ? '\0' : ':'))
			return false;
		s += i < 5;
	}
	return true;
}

bool domxml_ifname_valid(const char *name, const char **why)
{
	if (!*name || strlen(name) > DOMAIN_IFNAME_MAX) {
		*why = "1 to " STR(DOMAIN_IFNAME_MAX) " characters";
		return false;
	}
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		*why = "not '.' or '..'";
		return false;
	}
	for (const char *p = name; *p; p++) {
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p) ||
		    !isgraph((unsigned char)*p)) {
			*why = "no '/', ':', white space or control characters";
			return false;
		}
	}
	return true;
}

static bool nic_array_grow(struct domxml_walk *w, const xmlNode *n)
{
	struct domain_nic *d = realloc(w->cfg->nics, (w->cfg->n_nics + 1) * sizeof(*d));

	if (!d) {
		oom(w, n);
		return false;
	}
	w->cfg->nics = d;
	memset(&d[w->cfg->n_nics], 0, sizeof(*d));
	return true;
}

/* <mac address=.../>: a unicast address other than all-zero, not used by an earlier
 * <interface>.  An interface without one gets a generated address (gen_macs). */
static void check_nic_mac(struct domxml_walk *w, struct domain_nic *nic, const xmlNode *mac)
{
	static const uint8_t zero[6];
	char *addr = attr_of(mac, "address");
	int line = domxml_line(mac);
	bool ok = false;

	nic->mac_generated = true; /* until a valid address is read */
	if (!addr)
		return;
	if (!domxml_parse_mac(addr, nic->mac))
		domxml_error_add(w->errs, line, "<mac> address '%s' is not a valid MAC address",
		                 addr);
	else if (nic->mac[0] & 1)
		domxml_error_add(w->errs, line, "<mac> address '%s' is a multicast address", addr);
	else if (!memcmp(nic->mac, zero, 6))
		domxml_error_add(w->errs, line, "<mac> address '%s' is the all-zero address", addr);
	else
		ok = true;
	for (size_t i = 0; ok && i + 1 < w->cfg->n_nics; i++)
		if (!w->cfg->nics[i].mac_generated && !memcmp(w->cfg->nics[i].mac, nic->mac, 6))
			domxml_error_add(w->errs, line,
			                 "<mac> address '%s' is already used at line %d", addr,
			                 w->cfg->nics[i].line);
	nic->mac_generated = !ok;
	free(addr);
}

/* <source bridge=.../>: a bridge interface only; its name is a valid interface name
 * (whether the bridge exists is shojid's check, at create and attach time). */
static void check_nic_source(struct domxml_walk *w, struct domain_nic *nic, const xmlNode *source)
{
	int line = domxml_line(source);
	const char *why;

	if (nic->type == DOMAIN_NIC_ETHERNET) {
		domxml_error_add(w->errs, line, "<source> is not used by an ethernet <interface>");
		return;
	}
	nic->bridge = attr_of(source, "bridge");
	if (nic->bridge && !domxml_ifname_valid(nic->bridge, &why)) {
		domxml_error_add(w->errs, line,
		                 "<source> bridge '%s' is not a valid interface name (%s)",
		                 nic->bridge, why);
		free(nic->bridge);
		nic->bridge = NULL;
	}
}

/* <target dev=.../>: the TAP's name, valid and not used by an earlier <interface>. */
static void check_nic_target(struct domxml_walk *w, struct domain_nic *nic, const xmlNode *target)
{
	char *dev = attr_of(target, "dev");
	int line = domxml_line(target);
	const char *why;

	if (!dev)
		return;
	if (!domxml_ifname_valid(dev, &why)) {
		domxml_error_add(w->errs, line,
		                 "<target> dev '%s' is not a valid interface name (%s)", dev, why);
		free(dev);
		return;
	}
	memcpy(nic->target, dev, strlen(dev) + 1);
	for (size_t i = 0; i + 1 < w->cfg->n_nics; i++)
		if (!strcmp(w->cfg->nics[i].target, dev))
			domxml_error_add(w->errs, line,
			                 "<target> dev '%s' is already used at line %d", dev,
			                 w->cfg->nics[i].line);
	free(dev);
}

static void check_interface(struct domxml_walk *w, const xmlNode *n)
{
	const xmlNode *mac = domxml_child(n, "mac"), *source = domxml_child(n, "source");
	const xmlNode *target = domxml_child(n, "target"), *model = domxml_child(n, "model");
	char *type = attr_of(n, "type");
	struct domain_nic *nic;
	int line = domxml_line(n);

	if (w->cfg->n_nics == DOMAIN_NICS_MAX) {
		domxml_error_add(w->errs, line, "more than %d <interface> elements",
		                 DOMAIN_NICS_MAX);
		goto out;
	}
	if (!nic_array_grow(w, n))
		goto out;
	nic = &w->cfg->nics[w->cfg->n_nics++];
	nic->line = line;
	nic->mac_generated = true;
	if (type) {
		int t = domxml_lookup(domxml_nic_type_names, type);

		if (t < 0) {
			domxml_error_add(w->errs, line,
			                 "<interface> type '%s' is not supported (use 'bridge' or "
			                 "'ethernet')",
			                 type);
			goto out; /* what else it needs depends on the type */
		}
		nic->type = (enum domain_nic_type)t;
	}
	if (mac)
		check_nic_mac(w, nic, mac);
	if (source)
		check_nic_source(w, nic, source);
	else if (nic->type == DOMAIN_NIC_BRIDGE)
		domxml_error_add(w->errs, line,
		                 "<interface type='bridge'> needs <source bridge='...'/>");
	if (target)
		check_nic_target(w, nic, target);
	if (model) {
		nic->model = attr_of(model, "type");
		check_fixed_attr(w, model, "type", "netfront");
	}
out:
	free(type);
}

void domxml_gen_mac(uint8_t mac[6])
{
	uuid_t r;

	uuid_generate_random(r); /* 122 random bits: three of its bytes */
	mac[0] = 0x00;
	mac[1] = 0x16;
	mac[2] = 0x3e;
	mac[3] = r[0] & 0x7f; /* Xen's tools keep the top bit clear too */
	mac[4] = r[1];
	mac[5] = r[2];
}

/*
 * Every <interface> without a usable <mac> gets a generated one, unlike
 * every other address of the domain.  A defined domain keeps it: the
 * definition stores the written-out form, which has it.
 */
static void gen_macs(struct domxml_walk *w)
{
	for (size_t i = 0; i < w->cfg->n_nics; i++) {
		struct domain_nic *nic = &w->cfg->nics[i];
		bool clash = nic->mac_generated;

		while (clash) {
			domxml_gen_mac(nic->mac);
			clash = false;
			for (size_t j = 0; j < w->cfg->n_nics; j++)
				if (j != i && !memcmp(w->cfg->nics[j].mac, nic->mac, 6) &&
				    (j < i || !w->cfg->nics[j].mac_generated))
					clash = true;
		}
	}
}

static void check_devices(struct domxml_walk *w, const xmlNode *devices)
{
	for (const xmlNode *c = devices->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE || c->ns)
			continue;
		if (xmlStrEqual(c->name, (const xmlChar *)"console"))
			check_console(w, c);
		else if (xmlStrEqual(c->name, (const xmlChar *)"input"))
			check_input(w, c);
		else if (xmlStrEqual(c->name, (const xmlChar *)"memballoon"))
			check_fixed_attr(w, c, "model", "xen");
		else if (xmlStrEqual(c->name, (const xmlChar *)"disk"))
			check_disk(w, c);
		else if (xmlStrEqual(c->name, (const xmlChar *)"interface"))
			check_interface(w, c);
	}
}

void domxml_check_config(xmlNode *root, struct domxml_walk *w)
{
	const xmlNode *name = domxml_child(root, "name"), *os = domxml_child(root, "os");
	const xmlNode *devices = domxml_child(root, "devices");
	char *type = attr_of(root, "type");

	if (type) {
		int i = domxml_lookup(domxml_type_names, type);

		if (i < 0)
			domxml_error_add(
			    w->errs, domxml_line(root),
			    "<domain> type '%s' is not supported (use 'xen' or 'shoji')", type);
		else
			w->cfg->type = (enum domain_type)i;
		free(type);
	}
	if (name)
		check_name(w, name);
	check_uuid(w, domxml_child(root, "uuid"));
	check_title(w, domxml_child(root, "title"), domxml_child(root, "description"));
	check_memory(w, domxml_child(root, "memory"), domxml_child(root, "currentMemory"));
	check_vcpu(w, domxml_child(root, "vcpu"));
	if (os)
		check_os(w, os);
	check_action(w, domxml_child(root, "on_poweroff"), DOMAIN_ACTION_DESTROY,
	             &w->cfg->on_poweroff);
	check_action(w, domxml_child(root, "on_reboot"), DOMAIN_ACTION_RESTART, &w->cfg->on_reboot);
	check_action(w, domxml_child(root, "on_crash"), DOMAIN_ACTION_DESTROY, &w->cfg->on_crash);
	check_features_clock(w, domxml_child(root, "features"), domxml_child(root, "clock"));
	if (devices)
		check_devices(w, devices);
	gen_macs(w);
}
