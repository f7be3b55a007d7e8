/*
 * Unit tests of the domain XML library (dom0-tools/domxml): every
 * accepted form, every error with its exact line and message, the schema's
 * agreement with the C checks, and the serialise -> parse round trip.
 *
 * Fixtures live in tests/data/domxml: good/ parses cleanly; each bad/ file
 * starts with "<!-- schema: valid|invalid -->" (what the RelaxNG schema alone
 * says) and one "<!-- expect: LINE: MESSAGE -->" per expected error, in
 * order ("@DIR@" stands for the fixture's directory).
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>

#include "domxml.h"
#include "check-run.h"
#include "limits-xml.h"

#define MAX_FIXTURES 128

static char schema_path[PATH_MAX];
static char data_dir[PATH_MAX]; /* realpath of tests/data/domxml */
static char *bad_files[MAX_FIXTURES];
static int n_bad;

static struct domxml_parser *new_parser(void)
{
	struct domxml_parser *p = domxml_parser_new(schema_path);

	ck_assert_msg(p != NULL, "cannot load %s: %s", schema_path, strerror(errno));
	return p;
}

static char *fixture(const char *rel)
{
	char *path;

	ck_assert_int_ge(asprintf(&path, "%s/%s", data_dir, rel), 0);
	return path;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)len + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return buf;
}

static void quiet(void *opaque, xmlErrorPtr err)
{
	(void)opaque;
	(void)err;
}

/* True when the schema alone accepts the document in buf. */
static bool schema_accepts(const char *buf)
{
	xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(schema_path);
	xmlRelaxNGPtr schema = xmlRelaxNGParse(pc);
	xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(schema);
	xmlDoc *doc = xmlReadMemory(buf, (int)strlen(buf), NULL, NULL,
	                            XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	bool ok;

	xmlRelaxNGSetValidStructuredErrors(vc, quiet, NULL);
	ok = doc && xmlRelaxNGValidateDoc(vc, doc) == 0;
	xmlFreeDoc(doc);
	xmlRelaxNGFreeValidCtxt(vc);
	xmlRelaxNGFree(schema);
	xmlRelaxNGFreeParserCtxt(pc);
	return ok;
}

static void parse_good(const char *rel, unsigned flags, struct domain_config *cfg)
{
	struct domxml_parser *p = new_parser();
	struct domxml_options opt = {.flags = flags};
	struct domxml_errors errs;
	char *path = fixture(rel);
	int rc = domxml_parse_file(p, path, &opt, cfg, &errs);

	ck_assert_msg(rc == 0, "%s: %d errors, first: line %d: %s", rel, (int)errs.count,
	              errs.count ? errs.items[0].line : 0, errs.count ? errs.items[0].msg : "");
	free(path);
	domxml_parser_free(p);
}

/* Parses an in-memory document that is expected to fail; returns the errors. */
static struct domxml_errors parse_bad_memory(const char *xml, const char *base_dir)
{
	struct domxml_parser *p = new_parser();
	struct domxml_options opt = {.base_dir = base_dir};
	struct domain_config cfg;
	struct domxml_errors errs;

	ck_assert_int_eq(domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs), -1);
	ck_assert_uint_gt(errs.count, 0);
	domxml_parser_free(p);
	return errs;
}

/*
 * A file under the size limit whose full written-out form (what the CLI
 * sends shojid) is over it is refused at parse time, so validate and
 * create agree: '>' in text is legal as is and written as "&gt;".
 */
START_TEST(test_written_size_limit)
{
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	static const char head[] =
	    "<domain type='xen'><name>big</name><memory unit='MiB'>16</memory>"
	    "<os><type>xenpvh</type><kernel>/k</kernel></os><description>";
	static const char tail[] = "</description></domain>";
	size_t fill[] = {100000, 300000}, i, n;

	for (i = 0; i < 2; i++) {
		struct domxml_parser *p = new_parser();
		struct domain_config cfg;
		struct domxml_errors errs;
		char *xml;
		int rc;

		n = sizeof(head) - 1 + fill[i] + sizeof(tail) - 1;
		ck_assert_uint_lt(n, DOMXML_FILE_MAX); /* the file itself is within the limit */
		xml = malloc(n + 1);
		memcpy(xml, head, sizeof(head) - 1);
		memset(xml + sizeof(head) - 1, '>', fill[i]);
		memcpy(xml + sizeof(head) - 1 + fill[i], tail, sizeof(tail));
		rc = domxml_parse_memory(p, xml, n, &opt, &cfg, &errs);
		if (i == 0) {
			ck_assert_int_eq(rc, 0); /* 400 KB written out: fine */
			domain_config_free(&cfg);
		} else {
			ck_assert_int_eq(rc, -1);
			ck_assert_int_eq(errs.items[0].line, 0);
			ck_assert_ptr_nonnull(strstr(errs.items[0].msg, "more than 1048576"));
		}
		free(xml);
		domxml_parser_free(p);
	}
}
END_TEST

START_TEST(test_minimal_defaults)
{
	struct domain_config cfg;
	char *kernel = fixture("good/guest-kernel");

	parse_good("good/minimal.xml", 0, &cfg);
	ck_assert_int_eq(cfg.type, DOMAIN_TYPE_SHOJI);
	ck_assert_str_eq(cfg.name, "minimal");
	ck_assert(cfg.uuid_generated);
	ck_assert(!uuid_is_null(cfg.uuid));
	ck_assert_uint_eq(cfg.memory_kib, 4096);
	ck_assert_uint_eq(cfg.current_memory_kib, 4096);
	ck_assert_uint_eq(cfg.vcpus, 1);
	ck_assert_uint_eq(cfg.current_vcpus, 1);
	ck_assert_str_eq(cfg.kernel, kernel);
	ck_assert_ptr_null(cfg.initrd);
	ck_assert_ptr_null(cfg.cmdline);
	ck_assert_ptr_null(cfg.title);
	ck_assert_ptr_null(cfg.description);
	ck_assert_int_eq(cfg.on_poweroff, DOMAIN_ACTION_DESTROY);
	ck_assert_int_eq(cfg.on_reboot, DOMAIN_ACTION_RESTART);
	ck_assert_int_eq(cfg.on_crash, DOMAIN_ACTION_DESTROY);
	ck_assert(!cfg.feature_pae && !cfg.feature_acpi && !cfg.feature_apic);
	ck_assert_uint_eq(cfg.n_disks + cfg.n_nics, 0);
	domain_config_free(&cfg);
	free(kernel);
}
END_TEST

START_TEST(test_full)
{
	struct domain_config cfg;
	char *kernel = fixture("good/./guest-kernel"), *initrd = fixture("good/guest-initrd");
	char uuid[37];

	parse_good("good/full.xml", 0, &cfg);
	ck_assert_int_eq(cfg.type, DOMAIN_TYPE_XEN);
	ck_assert_str_eq(cfg.name, "full_Example.1-a");
	ck_assert(!cfg.uuid_generated);
	uuid_unparse_lower(cfg.uuid, uuid);
	ck_assert_str_eq(uuid, "4dea22b3-1d52-d8f3-2516-782e98ab3fa0");
	ck_assert_str_eq(cfg.title, "A full example");
	ck_assert_str_eq(cfg.description, "Several\nlines & an entity");
	ck_assert_uint_eq(cfg.memory_kib, 1024 * 1024);
	ck_assert_uint_eq(cfg.current_memory_kib, 512 * 1024);
	ck_assert_uint_eq(cfg.vcpus, 4);
	ck_assert_uint_eq(cfg.current_vcpus, 2);
	ck_assert_str_eq(cfg.kernel, kernel);
	ck_assert_str_eq(cfg.initrd, initrd);
	ck_assert_str_eq(cfg.cmdline, "console=hvc0 quiet");
	ck_assert_int_eq(cfg.on_poweroff, DOMAIN_ACTION_PRESERVE);
	ck_assert_int_eq(cfg.on_reboot, DOMAIN_ACTION_RENAME_RESTART);
	ck_assert_int_eq(cfg.on_crash, DOMAIN_ACTION_COREDUMP_RESTART);
	ck_assert(cfg.feature_pae && cfg.feature_acpi && cfg.feature_apic);
	domain_config_free(&cfg);
	free(kernel);
	free(initrd);
}
END_TEST

/* A file in the shape libvirt writes for a xenpvh domain is accepted as is. */
START_TEST(test_libvirt_pvh)
{
	struct domain_config cfg;

	parse_good("good/libvirt-pvh.xml", DOMXML_NO_FILE_CHECKS, &cfg);
	ck_assert_str_eq(cfg.name, "libvirt-guest");
	ck_assert_uint_eq(cfg.memory_kib, 524288);
	ck_assert_uint_eq(cfg.current_memory_kib, 262144);
	ck_assert_uint_eq(cfg.vcpus, 2);
	ck_assert_str_eq(cfg.kernel, "/boot/vmlinuz-pvh");
	ck_assert_str_eq(cfg.initrd, "/boot/initrd-pvh.img");
	ck_assert_str_eq(cfg.cmdline, "root=/dev/xvda1 console=hvc0");
	ck_assert_int_eq(cfg.on_crash, DOMAIN_ACTION_RESTART);
	domain_config_free(&cfg);
}
END_TEST

/* good/disks.xml: file disks read-write and read-only, a cdrom (read-only
 * without <readonly/>), paths relative to the file. */
START_TEST(test_disks)
{
	struct domain_config cfg;
	char *kernel = fixture("good/guest-kernel"), *initrd = fixture("good/guest-initrd");
	char *dot_initrd = fixture("good/./guest-initrd");

	parse_good("good/disks.xml", 0, &cfg);
	ck_assert_uint_eq(cfg.n_disks, 3);
	ck_assert_int_eq(cfg.disks[0].type, DOMAIN_DISK_FILE);
	ck_assert_int_eq(cfg.disks[0].device, DOMAIN_DISK_DEVICE_DISK);
	ck_assert_str_eq(cfg.disks[0].source, kernel);
	ck_assert_str_eq(cfg.disks[0].target, "xvda");
	ck_assert_str_eq(cfg.disks[0].driver_name, "qemu");
	ck_assert(!cfg.disks[0].readonly);
	ck_assert_int_eq(cfg.disks[1].device, DOMAIN_DISK_DEVICE_DISK);
	ck_assert_str_eq(cfg.disks[1].source, dot_initrd);
	ck_assert_str_eq(cfg.disks[1].target, "xvdb");
	ck_assert(cfg.disks[1].readonly);
	ck_assert_int_eq(cfg.disks[2].device, DOMAIN_DISK_DEVICE_CDROM);
	ck_assert_str_eq(cfg.disks[2].source, initrd);
	ck_assert_str_eq(cfg.disks[2].target, "xvdaa");
	ck_assert(cfg.disks[2].readonly);
	ck_assert_int_eq(cfg.disks[2].line, 21);
	domain_config_free(&cfg);
	free(kernel);
	free(initrd);
	free(dot_initrd);
}
END_TEST

/* good/interfaces.xml: bridge and ethernet interfaces, given and generated MACs, TAP names. */
START_TEST(test_interfaces)
{
	static const uint8_t given[6] = {0x00, 0x16, 0x3e, 0x0a, 0x0b, 0x0c};
	struct domain_config cfg;

	parse_good("good/interfaces.xml", 0, &cfg);
	ck_assert_uint_eq(cfg.n_nics, 4);
	ck_assert_int_eq(cfg.nics[0].type, DOMAIN_NIC_BRIDGE);
	ck_assert(!memcmp(cfg.nics[0].mac, given, 6));
	ck_assert(!cfg.nics[0].mac_generated);
	ck_assert_str_eq(cfg.nics[0].bridge, "br0");
	ck_assert_str_eq(cfg.nics[0].model, "netfront");
	ck_assert_str_eq(cfg.nics[0].target, "");
	ck_assert_int_eq(cfg.nics[1].type, DOMAIN_NIC_ETHERNET);
	ck_assert_ptr_null(cfg.nics[1].bridge);
	ck_assert_ptr_null(cfg.nics[1].model);
	ck_assert_str_eq(cfg.nics[1].target, "tap-guest");
	ck_assert_str_eq(cfg.nics[2].bridge, "shoji0");
	ck_assert_str_eq(cfg.nics[2].target, "vif-web");
	ck_assert_int_eq(cfg.nics[3].type, DOMAIN_NIC_ETHERNET);
	/* Generated: Xen's 00:16:3e, unicast, top bit of the fourth byte clear, all different. */
	for (size_t i = 1; i < cfg.n_nics; i++) {
		ck_assert(cfg.nics[i].mac_generated);
		ck_assert(cfg.nics[i].mac[0] == 0x00 && cfg.nics[i].mac[1] == 0x16 &&
		          cfg.nics[i].mac[2] == 0x3e && !(cfg.nics[i].mac[3] & 0x80));
		for (size_t j = 0; j < i; j++)
			ck_assert(memcmp(cfg.nics[i].mac, cfg.nics[j].mac, 6));
	}
	domain_config_free(&cfg);
}
END_TEST

/* A generated MAC is random per parse, and the written-out form keeps it (what a
 * definition stores, so the domain keeps its MAC across starts). */
START_TEST(test_mac_generated_kept)
{
	static const char xml[] = "<domain type='xen'><name>m</name><memory>4096</memory>"
	                          "<os><type>xenpvh</type><kernel>/k</kernel></os><devices>"
	                          "<interface type='ethernet'/></devices></domain>";
	struct domxml_parser *p = new_parser();
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	struct domain_config a, b, c;
	struct domxml_errors errs;
	char *out;

	ck_assert_int_eq(domxml_parse_memory(p, xml, strlen(xml), &opt, &a, &errs), 0);
	ck_assert_int_eq(domxml_parse_memory(p, xml, strlen(xml), &opt, &b, &errs), 0);
	ck_assert(a.nics[0].mac_generated && b.nics[0].mac_generated);
	ck_assert(memcmp(a.nics[0].mac, b.nics[0].mac, 6)); /* 2^-23 to fail by chance */
	out = domxml_serialise(&a);
	ck_assert_ptr_nonnull(strstr(out, "<mac address=\"00:16:3e:"));
	ck_assert_int_eq(domxml_parse_memory(p, out, strlen(out), &opt, &c, &errs), 0);
	ck_assert(!c.nics[0].mac_generated);
	ck_assert(!memcmp(a.nics[0].mac, c.nics[0].mac, 6));
	free(out);
	domain_config_free(&a);
	domain_config_free(&b);
	domain_config_free(&c);
	domxml_parser_free(p);
}
END_TEST

/* At most DOMAIN_NICS_MAX interfaces; the one past it is refused at its line. */
START_TEST(test_nic_count)
{
	size_t cap = 16 * 1024;
	char *xml = malloc(cap);
	struct domxml_parser *p = new_parser();
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	struct domain_config cfg;
	struct domxml_errors errs;

	for (int extra = 0; extra < 2; extra++) {
		snprintf(xml, cap,
		         "<domain type='xen'><name>b</name><memory>4096</memory>"
		         "<os><type>xenpvh</type><kernel>/k</kernel></os><devices>\n");
		for (int i = 0; i < DOMAIN_NICS_MAX + extra; i++)
			strcat(xml, "<interface type='ethernet'/>\n");
		strcat(xml, "</devices></domain>");
		if (!extra) {
			ck_assert_int_eq(
			    domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs), 0);
			ck_assert_uint_eq(cfg.n_nics, DOMAIN_NICS_MAX);
			domain_config_free(&cfg);
			continue;
		}
		ck_assert_int_eq(domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs), -1);
		ck_assert_uint_eq(errs.count, 1);
		ck_assert_int_eq(errs.items[0].line, DOMAIN_NICS_MAX + 2);
		ck_assert_str_eq(errs.items[0].msg, "more than 32 <interface> elements");
	}
	free(xml);
	domxml_parser_free(p);
}
END_TEST

/* The interface-name and MAC helpers shojid and the CLI share. */
START_TEST(test_ifname_mac_helpers)
{
	const char *why;
	uint8_t mac[6];

	ck_assert(domxml_ifname_valid("br0", &why));
	ck_assert(domxml_ifname_valid("abcdefghijklmno", &why)); /* 15 */
	ck_assert(!domxml_ifname_valid("abcdefghijklmnop", &why));
	ck_assert(!domxml_ifname_valid("", &why));
	ck_assert(!domxml_ifname_valid("a b", &why));
	ck_assert(!domxml_ifname_valid("a:b", &why));
	ck_assert(!domxml_ifname_valid(".", &why));
	ck_assert(domxml_parse_mac("00:16:3e:AB:cd:0f", mac));
	ck_assert(mac[3] == 0xab && mac[4] == 0xcd && mac[5] == 0x0f);
	ck_assert(!domxml_parse_mac("00:16:3e:ab:cd", mac));
	ck_assert(!domxml_parse_mac("00:16:3e:ab:cd:0f:", mac));
	ck_assert(!domxml_parse_mac("00-16-3e-ab-cd-0f", mac));
}
END_TEST

/* A block device disk (file checks off: the host may have none). */
START_TEST(test_disk_block)
{
	static const char xml[] =
	    "<domain type='xen'><name>b</name><memory>4096</memory>"
	    "<os><type>xenpvh</type><kernel>/k</kernel></os><devices>"
	    "<disk type='block' device='disk'><driver name='phy'/><source dev='/dev/vg0/b'/>"
	    "<target dev='xvdp' bus='xen'/></disk></devices></domain>";
	struct domxml_parser *p = new_parser();
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	struct domain_config cfg;
	struct domxml_errors errs;

	ck_assert_int_eq(domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs), 0);
	ck_assert_uint_eq(cfg.n_disks, 1);
	ck_assert_int_eq(cfg.disks[0].type, DOMAIN_DISK_BLOCK);
	ck_assert_str_eq(cfg.disks[0].source, "/dev/vg0/b");
	ck_assert_str_eq(cfg.disks[0].target, "xvdp");
	ck_assert(!cfg.disks[0].readonly);
	domain_config_free(&cfg);
	domxml_parser_free(p);
}
END_TEST

/* At most DOMAIN_DISKS_MAX disks; the one past it is refused at its line. */
START_TEST(test_disk_count)
{
	size_t cap = 64 * 1024;
	char *xml = malloc(cap), name[8];
	struct domxml_parser *p = new_parser();
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	struct domain_config cfg;
	struct domxml_errors errs;

	for (int extra = 0; extra < 2; extra++) {
		snprintf(xml, cap,
		         "<domain type='xen'><name>b</name><memory>4096</memory>"
		         "<os><type>xenpvh</type><kernel>/k</kernel></os><devices>\n");
		for (int i = 0; i < DOMAIN_DISKS_MAX + extra; i++) {
			snprintf(name, sizeof(name), "xvd%c%c", 'a' + i / 26, 'a' + i % 26);
			snprintf(xml + strlen(xml), cap - strlen(xml),
			         "<disk type='file'><source file='/d'/><target dev='%s'/>"
			         "<readonly/></disk>\n",
			         name);
		}
		strcat(xml, "</devices></domain>");
		if (!extra) {
			ck_assert_int_eq(
			    domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs), 0);
			ck_assert_uint_eq(cfg.n_disks, DOMAIN_DISKS_MAX);
			domain_config_free(&cfg);
			continue;
		}
		ck_assert_int_eq(domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs), -1);
		ck_assert_uint_eq(errs.count, 1);
		ck_assert_int_eq(errs.items[0].line, DOMAIN_DISKS_MAX + 2);
		ck_assert_str_eq(errs.items[0].msg, "more than 64 <disk> elements");
	}
	free(xml);
	domxml_parser_free(p);
}
END_TEST

/* Virtual-device numbers as libxl gives them. */
START_TEST(test_disk_devid)
{
	ck_assert_int_eq(domxml_disk_devid("xvda"), 51712);     /* 202 << 8 */
	ck_assert_int_eq(domxml_disk_devid("xvdb"), 51728);     /* | 1 << 4 */
	ck_assert_int_eq(domxml_disk_devid("xvdp"), 51952);     /* index 15 */
	ck_assert_int_eq(domxml_disk_devid("xvdq"), 268439552); /* (1 << 28) | 16 << 8 */
	ck_assert_int_eq(domxml_disk_devid("xvdz"), (1 << 28) | (25 << 8));
	ck_assert_int_eq(domxml_disk_devid("xvdaa"), (1 << 28) | (26 << 8));
	ck_assert_int_eq(domxml_disk_devid("xvdzz"), (1 << 28) | (701 << 8));
	ck_assert_int_eq(domxml_disk_devid("xvd"), -1);
	ck_assert_int_eq(domxml_disk_devid("xvda1"), -1);
	ck_assert_int_eq(domxml_disk_devid("xvdaaa"), -1);
	ck_assert_int_eq(domxml_disk_devid("hda"), -1);
	ck_assert_int_eq(domxml_disk_devid("sda"), -1);
	ck_assert_int_eq(domxml_disk_devid("xvdA"), -1);
	ck_assert_int_eq(domxml_disk_devid("xvd{"), -1);
	ck_assert_int_eq(domxml_disk_devid(""), -1);
}
END_TEST

static const struct {
	const char *value, *unit;
	uint64_t kib;
} unit_cases[] = {
    {"2048", NULL, 2048},       {"1048576", "b", 1024},
    {"1048577", "bytes", 1025}, /* rounded up to whole KiB, as libvirt does */
    {"2048", "KB", 2000},       /* 2,048,000 bytes */
    {"2048", "k", 2048},        {"2048", "KiB", 2048},
    {"3", "MB", 2930}, /* 3,000,000 bytes */
    {"3", "M", 3072},           {"3", "MiB", 3072},
    {"3", "mib", 3072}, /* libvirt's unit names are case-insensitive */
    {"1", "GB", 976563},        {"1", "G", 1048576},
    {"1", "GiB", 1048576},      {"3", "GB", 2929688}, /* 2,929,687.5 KiB */
    {"3", "G", 3145728},        {"3", "GiB", 3145728},
    {" 64 ", "MiB", 65536}, /* white space around the number */
};

START_TEST(test_units)
{
	struct domxml_parser *p = new_parser();
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	struct domain_config cfg;
	struct domxml_errors errs;
	char *xml;

	ck_assert_int_ge(asprintf(&xml,
	                          "<domain type='xen'><name>u</name><memory%s%s%s>%s</memory>"
	                          "<os><type>xenpvh</type><kernel>/k</kernel></os></domain>",
	                          unit_cases[_i].unit ? " unit='" : "",
	                          unit_cases[_i].unit ? unit_cases[_i].unit : "",
	                          unit_cases[_i].unit ? "'" : "", unit_cases[_i].value),
	                 0);
	ck_assert_msg(domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs) == 0, "%s: %s",
	              xml, errs.items[0].msg);
	ck_assert_uint_eq(cfg.memory_kib, unit_cases[_i].kib);
	domain_config_free(&cfg);
	free(xml);
	domxml_parser_free(p);
}
END_TEST

START_TEST(test_uuid_generated_each_time)
{
	struct domain_config a, b;

	parse_good("good/minimal.xml", 0, &a);
	parse_good("good/minimal.xml", 0, &b);
	ck_assert(a.uuid_generated && b.uuid_generated);
	ck_assert_int_ne(uuid_compare(a.uuid, b.uuid), 0);
	domain_config_free(&a);
	domain_config_free(&b);
}
END_TEST

/* Relative paths follow the XML file, not the current directory. */
START_TEST(test_relative_paths)
{
	struct domxml_parser *p = new_parser();
	struct domain_config cfg;
	struct domxml_errors errs;
	char cwd[PATH_MAX], *expect = fixture("good/guest-kernel");
	char rel[PATH_MAX];

	ck_assert_ptr_nonnull(getcwd(cwd, sizeof(cwd)));
	ck_assert_int_eq(chdir(data_dir), 0);
	snprintf(rel, sizeof(rel), "good/minimal.xml");
	ck_assert_int_eq(domxml_parse_file(p, rel, NULL, &cfg, &errs), 0);
	ck_assert_str_eq(cfg.kernel, expect);
	domain_config_free(&cfg);
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(domxml_parse_file(p, expect, NULL, &cfg, &errs), -1); /* not XML */
	ck_assert_int_eq(chdir(cwd), 0);
	free(expect);
	domxml_parser_free(p);
}
END_TEST

START_TEST(test_base_dir_and_memory_parse)
{
	static const char xml[] = "<domain type='xen'>\n<name>m</name>\n<memory>4096</memory>\n"
	                          "<os>\n<type>xenpvh</type>\n<kernel>guest-kernel</kernel>\n"
	                          "</os>\n</domain>\n";
	struct domxml_parser *p = new_parser();
	struct domxml_options opt = {0};
	struct domain_config cfg;
	struct domxml_errors errs;
	char *dir = fixture("good"), *expect = fixture("good/guest-kernel");

	errs = parse_bad_memory(xml, NULL);
	ck_assert_uint_eq(errs.count, 1);
	ck_assert_int_eq(errs.items[0].line, 6);
	ck_assert_str_eq(errs.items[0].msg, "kernel 'guest-kernel' is a relative path and there is "
	                                    "no directory to resolve it against");
	opt.base_dir = dir;
	ck_assert_int_eq(domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs), 0);
	ck_assert_str_eq(cfg.kernel, expect);
	domain_config_free(&cfg);
	free(dir);
	free(expect);
	domxml_parser_free(p);
}
END_TEST

START_TEST(test_kernel_override)
{
	struct domxml_parser *p = new_parser();
	char *path = fixture("bad/kernel-missing.xml"), *kernel = fixture("good/guest-initrd");
	struct domxml_options opt = {.kernel_override = kernel};
	struct domain_config cfg;
	struct domxml_errors errs;

	ck_assert_int_eq(domxml_parse_file(p, path, &opt, &cfg, &errs), 0);
	ck_assert_str_eq(cfg.kernel, kernel);
	domain_config_free(&cfg);
	opt.kernel_override = "/nonexistent/override";
	ck_assert_int_eq(domxml_parse_file(p, path, &opt, &cfg, &errs), -1);
	ck_assert_uint_eq(errs.count, 1);
	ck_assert_int_eq(errs.items[0].line, 8);
	ck_assert_str_eq(errs.items[0].msg, "kernel '/nonexistent/override' not found");
	free(path);
	free(kernel);
	domxml_parser_free(p);
}
END_TEST

START_TEST(test_kernel_not_regular)
{
	static const char xml[] = "<domain type='xen'><name>m</name><memory>4096</memory>\n"
	                          "<os><type>xenpvh</type>\n<kernel>/dev/null</kernel></os>"
	                          "</domain>";
	struct domxml_errors errs = parse_bad_memory(xml, NULL);

	ck_assert_uint_eq(errs.count, 1);
	ck_assert_int_eq(errs.items[0].line, 3);
	ck_assert_str_eq(errs.items[0].msg, "kernel '/dev/null' is not a regular file");
}
END_TEST

/* Reads the expectations out of a bad fixture's leading comments. */
static int read_expectations(const char *text, const char *dir, bool *schema_valid,
                             struct domxml_error *want, int max)
{
	const char *p = text;
	int n = 0;

	ck_assert_msg(!strncmp(p, "<!-- schema: ", 13), "no schema line");
	*schema_valid = !strncmp(p + 13, "valid", 5);
	while ((p = strstr(p, "<!-- expect: ")) && n < max) {
		const char *end = strstr(p, " -->"), *msg;
		char raw[DOMXML_ERROR_MSG_MAX], *at;

		want[n].line = (int)strtol(p + 13, (char **)&msg, 10);
		msg += 2; /* ": " */
		snprintf(raw, sizeof(raw), "%.*s", (int)(end - msg), msg);
		at = strstr(raw, "@DIR@");
		if (at) {
			*at = '\0';
			snprintf(want[n].msg, sizeof(want[n].msg), "%s%s%s", raw, dir, at + 5);
		} else {
			snprintf(want[n].msg, sizeof(want[n].msg), "%s", raw);
		}
		n++;
		p = end;
	}
	return n;
}

START_TEST(test_bad_fixture)
{
	struct domxml_parser *p = new_parser();
	struct domxml_error want[DOMXML_MAX_ERRORS];
	struct domain_config cfg;
	struct domxml_errors errs;
	char *rel, *path, *text, *dir = fixture("bad");
	bool schema_valid;
	int n;

	ck_assert_int_ge(asprintf(&rel, "bad/%s", bad_files[_i]), 0);
	path = fixture(rel);
	text = read_all(path);
	n = read_expectations(text, dir, &schema_valid, want, DOMXML_MAX_ERRORS);
	ck_assert_msg(n > 0, "%s: no expectations", rel);
	ck_assert_msg(domxml_parse_file(p, path, NULL, &cfg, &errs) == -1, "%s parsed", rel);
	for (int i = 0; i < n && i < (int)errs.count; i++) {
		ck_assert_msg(errs.items[i].line == want[i].line &&
		                  !strcmp(errs.items[i].msg, want[i].msg),
		              "%s: error %d is\n  %d: %s\nexpected\n  %d: %s", rel, i,
		              errs.items[i].line, errs.items[i].msg, want[i].line, want[i].msg);
	}
	ck_assert_msg((int)errs.count == n, "%s: %d errors, expected %d (extra: %d: %s)", rel,
	              (int)errs.count, n, errs.items[errs.count - 1].line,
	              errs.items[errs.count - 1].msg);
	ck_assert_msg(schema_accepts(text) == schema_valid,
	              "%s: the schema %s it, the fixture says it should %s", rel,
	              schema_valid ? "rejects" : "accepts", schema_valid ? "accept" : "reject");
	free(rel);
	free(path);
	free(text);
	free(dir);
	domxml_parser_free(p);
}
END_TEST

START_TEST(test_good_fixtures_match_schema)
{
	static const char *const good[] = {"good/minimal.xml", "good/full.xml",
	                                   "good/libvirt-pvh.xml", "good/disks.xml",
	                                   "good/interfaces.xml"};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *path = fixture(good[i]), *text = read_all(path);

		ck_assert_msg(schema_accepts(text), "schema rejects %s", good[i]);
		free(path);
		free(text);
	}
}
END_TEST

/* parse -> serialise -> parse gives the same configuration, and the
 * canonical form is itself valid against the schema. */
START_TEST(test_round_trip)
{
	static const char *const good[] = {"good/minimal.xml", "good/full.xml",
	                                   "good/libvirt-pvh.xml", "good/disks.xml",
	                                   "good/interfaces.xml"};
	struct domxml_parser *p = new_parser();
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct domain_config a, b;
		struct domxml_errors errs;
		char *xml, *again;

		parse_good(good[i], DOMXML_NO_FILE_CHECKS, &a);
		xml = domxml_serialise(&a);
		ck_assert_ptr_nonnull(xml);
		ck_assert_msg(schema_accepts(xml), "schema rejects the canonical form:\n%s", xml);
		ck_assert_msg(domxml_parse_memory(p, xml, strlen(xml), &opt, &b, &errs) == 0,
		              "%s: %d: %s\n%s", good[i], errs.items[0].line, errs.items[0].msg,
		              xml);
		ck_assert_msg(domain_config_equal(&a, &b), "%s changed:\n%s", good[i], xml);
		again = domxml_serialise(&b);
		ck_assert_str_eq(xml, again); /* canonical: a fixed point */
		free(xml);
		free(again);
		domain_config_free(&a);
		domain_config_free(&b);
	}
	domxml_parser_free(p);
}
END_TEST

START_TEST(test_canonical_form)
{
	struct domain_config cfg;
	char *xml;

	parse_good("good/libvirt-pvh.xml", DOMXML_NO_FILE_CHECKS, &cfg);
	xml = domxml_serialise(&cfg);
	ck_assert_str_eq(xml, "<domain type=\"xen\">\n"
	                      "  <name>libvirt-guest</name>\n"
	                      "  <uuid>0b1c8e7a-52d6-4b0f-9d3e-6f2a4c5d7e81</uuid>\n"
	                      "  <memory unit=\"KiB\">524288</memory>\n"
	                      "  <currentMemory unit=\"KiB\">262144</currentMemory>\n"
	                      "  <vcpu placement=\"static\">2</vcpu>\n"
	                      "  <os>\n"
	                      "    <type arch=\"x86_64\" machine=\"xenpvh\">xenpvh</type>\n"
	                      "    <kernel>/boot/vmlinuz-pvh</kernel>\n"
	                      "    <initrd>/boot/initrd-pvh.img</initrd>\n"
	                      "    <cmdline>root=/dev/xvda1 console=hvc0</cmdline>\n"
	                      "  </os>\n"
	                      "  <clock offset=\"utc\" adjustment=\"reset\"/>\n"
	                      "  <on_poweroff>destroy</on_poweroff>\n"
	                      "  <on_reboot>restart</on_reboot>\n"
	                      "  <on_crash>restart</on_crash>\n"
	                      "  <devices>\n"
	                      "    <console type=\"pty\">\n"
	                      "      <target type=\"xen\" port=\"0\"/>\n"
	                      "    </console>\n"
	                      "    <memballoon model=\"xen\"/>\n"
	                      "  </devices>\n"
	                      "</domain>\n");
	free(xml);
	domain_config_free(&cfg);
}
END_TEST

/* The serialiser's disks and interfaces parse back (a block cdrom stays one, read-only;
 * an interface keeps its MAC, bridge and TAP name). */
START_TEST(test_serialise_devices)
{
	struct domain_disk disk = {.type = DOMAIN_DISK_BLOCK,
	                           .device = DOMAIN_DISK_DEVICE_CDROM,
	                           .source = "/dev/null",
	                           .driver_name = "phy",
	                           .target = "xvdb",
	                           .readonly = true};
	struct domain_nic nic = {.type = DOMAIN_NIC_BRIDGE,
	                         .mac = {0x00, 0x16, 0x3e, 0xaa, 0xbb, 0xcc},
	                         .bridge = "xenbr0",
	                         .target = "vif-x",
	                         .model = "netfront"};
	struct domain_config cfg = {.name = "dev",
	                            .memory_kib = 65536,
	                            .current_memory_kib = 65536,
	                            .vcpus = 1,
	                            .current_vcpus = 1,
	                            .kernel = "/dev/null",
	                            .n_disks = 1,
	                            .disks = &disk,
	                            .n_nics = 1,
	                            .nics = &nic};
	struct domxml_parser *p = new_parser();
	const struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	struct domain_config back;
	struct domxml_errors errs;
	char *xml;

	uuid_generate(cfg.uuid);
	xml = domxml_serialise(&cfg);
	ck_assert_ptr_nonnull(xml);
	ck_assert_msg(schema_accepts(xml), "%s", xml);
	ck_assert_ptr_nonnull(strstr(xml, "<disk type=\"block\" device=\"cdrom\">"));
	ck_assert_ptr_nonnull(strstr(xml, "<mac address=\"00:16:3e:aa:bb:cc\"/>"));
	ck_assert_ptr_nonnull(strstr(xml, "<target dev=\"vif-x\"/>"));
	ck_assert_int_eq(domxml_parse_memory(p, xml, strlen(xml), &opt, &back, &errs), 0);
	ck_assert(domain_config_equal(&cfg, &back));
	ck_assert_int_eq(back.disks[0].device, DOMAIN_DISK_DEVICE_CDROM);
	back.disks[0].device = DOMAIN_DISK_DEVICE_DISK;
	ck_assert(!domain_config_equal(&cfg, &back)); /* the device is compared */
	back.disks[0].device = DOMAIN_DISK_DEVICE_CDROM;
	back.nics[0].mac[5] ^= 1;
	ck_assert(!domain_config_equal(&cfg, &back)); /* the MAC is compared */
	back.nics[0].mac[5] ^= 1;
	back.nics[0].target[0] = '\0';
	ck_assert(!domain_config_equal(&cfg, &back)); /* the TAP name is compared */
	domain_config_free(&back);
	free(xml);
	domxml_parser_free(p);
}
END_TEST

START_TEST(test_error_cap)
{
	char xml[4096] = "<domain type='xen'><name>c</name><memory>4096</memory>"
	                 "<os><type>xenpvh</type><kernel>/k</kernel></os>";
	struct domxml_errors errs;

	for (int i = 0; i < 30; i++)
		strcat(xml, "<foo/>\n");
	strcat(xml, "</domain>");
	errs = parse_bad_memory(xml, NULL);
	ck_assert_uint_eq(errs.count, DOMXML_MAX_ERRORS);
	/* 30 unknown elements and the missing kernel '/k' */
	ck_assert_uint_eq(errs.dropped, 31 - DOMXML_MAX_ERRORS);
	ck_assert_int_eq(errs.items[0].line, 1);
	ck_assert_int_eq(errs.items[DOMXML_MAX_ERRORS - 1].line, DOMXML_MAX_ERRORS);
}
END_TEST

START_TEST(test_file_errors)
{
	struct domxml_parser *p = new_parser();
	struct domain_config cfg;
	struct domxml_errors errs;
	char big[] = "/tmp/shoji-domxml-big.XXXXXX";
	int fd;

	ck_assert_int_eq(domxml_parse_file(p, "/nonexistent/x.xml", NULL, &cfg, &errs), -1);
	ck_assert_int_eq(errs.items[0].line, 0);
	ck_assert_str_eq(errs.items[0].msg, "cannot open: No such file or directory");
	ck_assert_int_eq(domxml_parse_file(p, "/", NULL, &cfg, &errs), -1);
	ck_assert_str_eq(errs.items[0].msg, "not a regular file");
	fd = mkstemp(big);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, DOMXML_FILE_MAX + 1), 0);
	close(fd);
	ck_assert_int_eq(domxml_parse_file(p, big, NULL, &cfg, &errs), -1);
	ck_assert_str_eq(errs.items[0].msg, "file is larger than 1048576 bytes");
	unlink(big);
	ck_assert_int_eq(domxml_parse_memory(p, "", 0, NULL, &cfg, &errs), -1);
	ck_assert_str_eq(errs.items[0].msg, "not well-formed XML: Document is empty");
	domxml_parser_free(p);
}
END_TEST

START_TEST(test_names)
{
	const char *why;

	ck_assert(domxml_name_valid("demo", &why));
	ck_assert(domxml_name_valid("a.b_c-1", &why));
	ck_assert(domxml_name_valid("1a", &why));
	ck_assert(!domxml_name_valid("12", &why));
	ck_assert(!domxml_name_valid("", &why));
	ck_assert(!domxml_name_valid(".hidden", &why));
	ck_assert(!domxml_name_valid("a/b", &why));
	ck_assert(!domxml_name_valid("caf\xc3\xa9", &why));
	ck_assert(domxml_name_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &why));
	ck_assert(!domxml_name_valid(
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &why));
	ck_assert_str_eq(why, "it is longer than 63 characters");
}
END_TEST

/* limits_xml() with the fixture kernel, which exists. */
static char *at_limits(size_t name, unsigned long long mem, unsigned int vcpus)
{
	char *kernel = fixture("good/guest-kernel"), *xml = limits_xml(name, mem, vcpus, kernel);

	ck_assert_ptr_nonnull(xml);
	free(kernel);
	return xml;
}

/* Exactly the limits (and the memory minimum) validate. */
START_TEST(test_limits_accepted)
{
	static const unsigned long long mem[] = {SHOJI_DOMAIN_MEMORY_MIN_KIB,
	                                         SHOJI_DOMAIN_MEMORY_MAX_KIB};
	struct domxml_parser *p = new_parser();
	const struct domxml_options opt = {0};
	struct domain_config cfg;
	struct domxml_errors errs;
	char *xml = at_limits(SHOJI_DOMAIN_NAME_MAX, mem[_i], SHOJI_DOMAIN_VCPUS_MAX);

	ck_assert_msg(domxml_parse_memory(p, xml, strlen(xml), &opt, &cfg, &errs) == 0,
	              "line %d: %s", errs.items[0].line, errs.items[0].msg);
	ck_assert_uint_eq(strlen(cfg.name), SHOJI_DOMAIN_NAME_MAX);
	ck_assert_uint_eq(cfg.memory_kib, mem[_i]);
	ck_assert_uint_eq(cfg.vcpus, SHOJI_DOMAIN_VCPUS_MAX);
	domain_config_free(&cfg);
	free(xml);
	domxml_parser_free(p);
}
END_TEST

/* One past each limit: one error each, on its own line, saying the limit. */
START_TEST(test_limits_refused)
{
	char *xml = at_limits(SHOJI_DOMAIN_NAME_MAX + 1, SHOJI_DOMAIN_MEMORY_MAX_KIB + 1,
	                      SHOJI_DOMAIN_VCPUS_MAX + 1);
	struct domxml_errors errs = parse_bad_memory(xml, NULL);
	char name[SHOJI_DOMAIN_NAME_MAX + 2], want[DOMXML_ERROR_MSG_MAX];

	ck_assert_uint_eq(errs.count, 3);
	memset(name, 'n', SHOJI_DOMAIN_NAME_MAX + 1);
	name[SHOJI_DOMAIN_NAME_MAX + 1] = '\0';
	snprintf(want, sizeof(want), "<name> '%s' is not valid: it is longer than %d characters",
	         name, SHOJI_DOMAIN_NAME_MAX);
	ck_assert_int_eq(errs.items[0].line, 2);
	ck_assert_str_eq(errs.items[0].msg, want);
	snprintf(want, sizeof(want),
	         "<memory> of %llu KiB is above the maximum of %llu KiB (%llu MiB)",
	         SHOJI_DOMAIN_MEMORY_MAX_KIB + 1, SHOJI_DOMAIN_MEMORY_MAX_KIB,
	         SHOJI_DOMAIN_MEMORY_MAX_KIB / 1024);
	ck_assert_int_eq(errs.items[1].line, 3);
	ck_assert_str_eq(errs.items[1].msg, want);
	snprintf(want, sizeof(want), "<vcpu> '%d' must be between 1 and %d",
	         SHOJI_DOMAIN_VCPUS_MAX + 1, SHOJI_DOMAIN_VCPUS_MAX);
	ck_assert_int_eq(errs.items[2].line, 4);
	ck_assert_str_eq(errs.items[2].msg, want);
	free(xml);

	xml = at_limits(1, SHOJI_DOMAIN_MEMORY_MIN_KIB - 1, 1);
	errs = parse_bad_memory(xml, NULL);
	ck_assert_uint_eq(errs.count, 1);
	snprintf(want, sizeof(want),
	         "<memory> of %llu KiB is below the minimum of %llu KiB (1 MiB)",
	         SHOJI_DOMAIN_MEMORY_MIN_KIB - 1, SHOJI_DOMAIN_MEMORY_MIN_KIB);
	ck_assert_int_eq(errs.items[0].line, 3);
	ck_assert_str_eq(errs.items[0].msg, want);
	free(xml);
}
END_TEST

/* The larger units scale: a tebibyte is more than a domain may have. */
START_TEST(test_units_above_limit)
{
	static const struct {
		const char *unit;
		unsigned long long kib;
	} big[] = {{"T", 1073741824}, {"TiB", 1073741824}, {"TB", 976562500}};
	char xml[256], want[DOMXML_ERROR_MSG_MAX];
	struct domxml_errors errs;

	for (size_t i = 0; i < sizeof(big) / sizeof(big[0]); i++) {
		snprintf(xml, sizeof(xml),
		         "<domain type='xen'><name>u</name><memory unit='%s'>1</memory>"
		         "<os><type>xenpvh</type><kernel>/k</kernel></os></domain>",
		         big[i].unit);
		errs = parse_bad_memory(xml, NULL);
		snprintf(want, sizeof(want),
		         "<memory> of %llu KiB is above the maximum of %llu KiB (%llu MiB)",
		         big[i].kib, SHOJI_DOMAIN_MEMORY_MAX_KIB,
		         SHOJI_DOMAIN_MEMORY_MAX_KIB / 1024);
		ck_assert_str_eq(errs.items[0].msg, want);
	}
}
END_TEST

/* Every value of each enum has its XML name (one table per enum, domxml-names.c). */
START_TEST(test_enum_names)
{
	static const char *const actions[] = {"destroy",          "restart",
	                                      "preserve",         "rename-restart",
	                                      "coredump-destroy", "coredump-restart"};

	for (unsigned int i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		ck_assert_str_eq(domain_action_name((enum domain_action)i), actions[i]);
	ck_assert_str_eq(domain_action_name((enum domain_action)99), "?");
	ck_assert_str_eq(domain_type_name(DOMAIN_TYPE_XEN), "xen");
	ck_assert_str_eq(domain_type_name(DOMAIN_TYPE_SHOJI), "shoji");
	ck_assert_str_eq(domain_type_name((enum domain_type) - 1), "?");
	ck_assert_str_eq(domain_disk_type_name(DOMAIN_DISK_FILE), "file");
	ck_assert_str_eq(domain_disk_type_name(DOMAIN_DISK_BLOCK), "block");
	ck_assert_str_eq(domain_disk_device_name(DOMAIN_DISK_DEVICE_DISK), "disk");
	ck_assert_str_eq(domain_disk_device_name(DOMAIN_DISK_DEVICE_CDROM), "cdrom");
	ck_assert_str_eq(domain_nic_type_name(DOMAIN_NIC_BRIDGE), "bridge");
	ck_assert_str_eq(domain_nic_type_name(DOMAIN_NIC_ETHERNET), "ethernet");
}
END_TEST

START_TEST(test_missing_schema)
{
	errno = 0;
	ck_assert_ptr_null(domxml_parser_new("/nonexistent/shoji-domain.rng"));
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void find_bad_fixtures(void)
{
	char path[PATH_MAX + 8];
	struct dirent *e;
	DIR *d;

	snprintf(path, sizeof(path), "%s/bad", data_dir);
	d = opendir(path);
	if (!d) {
		fprintf(stderr, "test_domxml: %s: %s\n", path, strerror(errno));
		exit(99);
	}
	while ((e = readdir(d)) && n_bad < MAX_FIXTURES) {
		size_t len = strlen(e->d_name);

		if (len > 4 && !strcmp(e->d_name + len - 4, ".xml"))
			bad_files[n_bad++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(bad_files, (size_t)n_bad, sizeof(bad_files[0]), cmp_str);
}

int main(void)
{
	const char *top = getenv("top_srcdir");
	char rel[PATH_MAX];
	Suite *s = suite_create("domxml");
	TCase *tc = tcase_create("domxml");
	int status;

	if (!top)
		top = ".";
	snprintf(schema_path, sizeof(schema_path), "%s/dom0-tools/domxml/shoji-domain.rng", top);
	snprintf(rel, sizeof(rel), "%s/tests/data/domxml", top);
	if (!realpath(rel, data_dir)) {
		fprintf(stderr, "test_domxml: %s: %s\n", rel, strerror(errno));
		return 99;
	}
	find_bad_fixtures();

	tcase_add_test(tc, test_minimal_defaults);
	tcase_add_test(tc, test_full);
	tcase_add_test(tc, test_libvirt_pvh);
	tcase_add_test(tc, test_disks);
	tcase_add_test(tc, test_disk_block);
	tcase_add_test(tc, test_disk_count);
	tcase_add_test(tc, test_disk_devid);
	tcase_add_test(tc, test_interfaces);
	tcase_add_test(tc, test_mac_generated_kept);
	tcase_add_test(tc, test_nic_count);
	tcase_add_test(tc, test_ifname_mac_helpers);
	tcase_add_loop_test(tc, test_units, 0, (int)(sizeof(unit_cases) / sizeof(unit_cases[0])));
	tcase_add_test(tc, test_uuid_generated_each_time);
	tcase_add_test(tc, test_relative_paths);
	tcase_add_test(tc, test_base_dir_and_memory_parse);
	tcase_add_test(tc, test_kernel_override);
	tcase_add_test(tc, test_kernel_not_regular);
	tcase_add_loop_test(tc, test_bad_fixture, 0, n_bad);
	tcase_add_test(tc, test_good_fixtures_match_schema);
	tcase_add_test(tc, test_round_trip);
	tcase_add_test(tc, test_canonical_form);
	tcase_add_test(tc, test_serialise_devices);
	tcase_add_test(tc, test_error_cap);
	tcase_add_test(tc, test_file_errors);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_enum_names);
	tcase_add_loop_test(tc, test_limits_accepted, 0, 2);
	tcase_add_test(tc, test_limits_refused);
	tcase_add_test(tc, test_units_above_limit);
	tcase_add_test(tc, test_missing_schema);
	tcase_add_test(tc, test_written_size_limit);
	suite_add_tcase(s, tc);
	status = check_run(s);
	for (int i = 0; i < n_bad; i++)
		free(bad_files[i]);
	return status;
}
