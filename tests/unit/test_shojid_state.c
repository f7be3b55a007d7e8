/*
 * Unit tests of shojid's state directory (dom0-tools/shojid/state.c): the
 * directory layout, atomic writes, definitions saved and loaded back
 * unchanged, missing / corrupt / oversized definitions refused with a clear
 * reason, undefine and autostart marks, the definition walk, and running
 * records re-adopted (or dropped) against a stub shoji-hv.
 *
 * state.c is linked with dom.c, err.c, the log family and the domxml
 * library; what it calls elsewhere (shoji-hv, xenstore) are stubs below
 * that record how they were called, and state_adopt's callback for stopped
 * domains records its calls too.
 */
#include "config.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../dom0-tools/shojid/shojid.h"
#include "check-run.h"

static char schema_path[PATH_MAX];
static char kernel_path[PATH_MAX]; /* a PVH kernel the parser's file checks accept */

/* ---- stubs of what state.c calls outside shojid, and its callback ---- */

#define STUB_MAX 16
static struct shoji_dominfo hv_doms[STUB_MAX]; /* the stub shoji-hv's domains */
static size_t n_hv_doms;
static uint32_t xs_removed[STUB_MAX], stopped_ids[STUB_MAX];
static size_t n_xs_removed, n_stopped;

int shoji_ctrl_info(struct shoji_ctrl *c, uint32_t domid, struct shoji_dominfo *info)
{
	(void)c;
	for (size_t i = 0; i < n_hv_doms; i++) {
		if (hv_doms[i].domid == domid) {
			*info = hv_doms[i];
			return 0;
		}
	}
	errno = ESRCH;
	return -1;
}

const char *shoji_domain_state_name(enum shoji_domain_state s)
{
	return s == SHOJI_DOMAIN_CRASHED ? "crashed" : "other";
}

void xs_layout_remove(struct shojid *sd, uint32_t domid)
{
	(void)sd;
	ck_assert_uint_lt(n_xs_removed, STUB_MAX);
	xs_removed[n_xs_removed++] = domid;
}

/* state_adopt's callback for the domains that stopped while shojid was away. */
static void record_stopped(struct shojid *sd, struct sd_dom *dom, enum shoji_domain_state state,
                           uint32_t reason)
{
	(void)sd;
	(void)state;
	(void)reason;
	ck_assert_uint_lt(n_stopped, STUB_MAX);
	stopped_ids[n_stopped++] = dom->domid;
}

/* ---- helpers ---- */

struct fixture {
	struct shojid sd;
	char dir[64];
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/test-shojid-state.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(f->dir));
	f->sd.state_dir = f->dir;
	f->sd.parser = domxml_parser_new(schema_path);
	ck_assert_msg(f->sd.parser != NULL, "cannot load %s", schema_path);
	ck_assert_int_eq(state_init(&f->sd), 0);
	n_hv_doms = n_xs_removed = n_stopped = 0;
}

static void teardown(struct fixture *f)
{
	char *cmd = NULL;

	while (f->sd.doms) {
		struct sd_dom *d = f->sd.doms;

		f->sd.doms = d->next;
		dom_free(d);
	}
	domxml_parser_free(f->sd.parser);
	ck_assert_int_ge(asprintf(&cmd, "rm -rf '%s'", f->dir), 0);
	ck_assert_int_eq(system(cmd), 0);
	free(cmd);
}

static char *xml_for(const char *name, const char *on_crash)
{
	char *xml = NULL;

	ck_assert_int_ge(asprintf(&xml,
	                          "<domain type='xen'>\n"
	                          "  <name>%s</name>\n"
	                          "  <uuid>6f1c2a4e-3b5d-4e6f-8a7b-9c0d1e2f3a4b</uuid>\n"
	                          "  <memory unit='MiB'>32</memory>\n"
	                          "  <vcpu>2</vcpu>\n"
	                          "  <os><type>xenpvh</type><kernel>%s</kernel>"
	                          "<cmdline>console=hvc0</cmdline></os>\n"
	                          "  <on_crash>%s</on_crash>\n"
	                          "</domain>\n",
	                          name, kernel_path, on_crash),
	                 0);
	return xml;
}

static void parse_ok(struct fixture *f, const char *xml, struct domain_config *cfg)
{
	struct sd_err e = {""};

	ck_assert_msg(sd_parse_xml(&f->sd, xml, strlen(xml), cfg, &e) == 0, "parse: %s", e.msg);
}

static char *path_in(struct fixture *f, const char *rel)
{
	char *p = NULL;

	ck_assert_int_ge(asprintf(&p, "%s/%s", f->dir, rel), 0);
	return p;
}

static void put_file(struct fixture *f, const char *rel, const char *text)
{
	char *p = path_in(f, rel);
	FILE *out = fopen(p, "w");

	ck_assert_ptr_nonnull(out);
	fputs(text, out);
	ck_assert_int_eq(fclose(out), 0);
	free(p);
}

static char *get_file(const char *path)
{
	FILE *in = fopen(path, "r");
	char *buf = calloc(1, 65536);

	ck_assert_msg(in != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_lt(fread(buf, 1, 65535, in), 65535);
	fclose(in);
	return buf;
}

static bool exists(struct fixture *f, const char *rel)
{
	char *p = path_in(f, rel);
	bool yes = access(p, F_OK) == 0;

	free(p);
	return yes;
}

/* Entries of directory rel, other than . and .. */
static int entries(struct fixture *f, const char *rel)
{
	char *p = path_in(f, rel);
	DIR *d = opendir(p);
	struct dirent *de;
	int n = 0;

	ck_assert_ptr_nonnull(d);
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	free(p);
	return n;
}

/* ---- tests ---- */

START_TEST(test_init_layout)
{
	struct fixture f;
	static const char *const dirs[] = {"defs", "autostart", "run", "xenstored"};
	struct stat st;
	struct shojid bad = {0};
	char *file;

	setup(&f);
	for (size_t i = 0; i < 4; i++) {
		char *p = path_in(&f, dirs[i]);

		ck_assert_msg(stat(p, &st) == 0 && S_ISDIR(st.st_mode), "%s missing", p);
		ck_assert_uint_eq(st.st_mode & 0777, 0700);
		free(p);
	}
	ck_assert_int_eq(state_init(&f.sd), 0); /* again: already there is fine */
	/* A state directory below a regular file cannot be set up. */
	put_file(&f, "plain", "x");
	file = path_in(&f, "plain/state");
	bad.state_dir = file;
	ck_assert_int_eq(state_init(&bad), -1);
	free(file);
	teardown(&f);
}
END_TEST

START_TEST(test_write_atomic)
{
	struct fixture f;
	char *p, *q, *text;
	struct stat st;

	setup(&f);
	p = path_in(&f, "run/file");
	ck_assert_int_eq(state_write_atomic(p, "first", 5), 0);
	text = get_file(p);
	ck_assert_str_eq(text, "first");
	free(text);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	/* Replacing keeps exactly one file, with the new contents. */
	ck_assert_int_eq(state_write_atomic(p, "second", 6), 0);
	text = get_file(p);
	ck_assert_str_eq(text, "second");
	free(text);
	ck_assert_int_eq(entries(&f, "run"), 1);
	ck_assert_int_eq(state_write_atomic(p, "", 0), 0);
	text = get_file(p);
	ck_assert_str_eq(text, "");
	free(text);
	/* Failures: -1 with errno, and no temporary file left behind. */
	q = path_in(&f, "missing/file");
	errno = 0;
	ck_assert_int_eq(state_write_atomic(q, "x", 1), -1);
	ck_assert_int_eq(errno, ENOENT);
	free(q);
	q = path_in(&f, "defs"); /* a directory is in the way: the rename fails */
	errno = 0;
	ck_assert_int_eq(state_write_atomic(q, "x", 1), -1);
	ck_assert_int_eq(errno, EISDIR);
	ck_assert_int_eq(entries(&f, ""), 4); /* defs autostart run xenstored, nothing more */
	ck_assert_int_eq(entries(&f, "defs"), 0);
	free(q);
	free(p);
	teardown(&f);
}
END_TEST

START_TEST(test_def_round_trip)
{
	struct fixture f;
	struct domain_config cfg, back;
	struct sd_err e = {""};
	char *xml = xml_for("alpha", "coredump-destroy");

	setup(&f);
	parse_ok(&f, xml, &cfg);
	ck_assert_int_eq(cfg.on_crash, DOMAIN_ACTION_COREDUMP_DESTROY);
	ck_assert(!state_has_def(&f.sd, "alpha"));
	ck_assert_int_eq(state_save_def(&f.sd, &cfg), 0);
	ck_assert(state_has_def(&f.sd, "alpha"));
	ck_assert(exists(&f, "defs/alpha.xml"));
	ck_assert_int_eq(entries(&f, "defs"), 1);
	ck_assert_msg(state_load_def(&f.sd, "alpha", &back, &e) == 0, "load: %s", e.msg);
	ck_assert(domain_config_equal(&cfg, &back));
	ck_assert_str_eq(back.cmdline, "console=hvc0");
	ck_assert_uint_eq(back.memory_kib, 32768);
	ck_assert_int_eq(back.on_crash, DOMAIN_ACTION_COREDUMP_DESTROY);
	domain_config_free(&back);
	/* Saving again replaces the definition. */
	cfg.on_crash = DOMAIN_ACTION_COREDUMP_RESTART;
	ck_assert_int_eq(state_save_def(&f.sd, &cfg), 0);
	ck_assert_int_eq(state_load_def(&f.sd, "alpha", &back, &e), 0);
	ck_assert_int_eq(back.on_crash, DOMAIN_ACTION_COREDUMP_RESTART);
	ck_assert_int_eq(entries(&f, "defs"), 1);
	domain_config_free(&back);
	domain_config_free(&cfg);
	free(xml);
	teardown(&f);
}
END_TEST

START_TEST(test_load_missing)
{
	struct fixture f;
	struct domain_config cfg;
	struct sd_err e = {""};

	setup(&f);
	ck_assert_int_eq(state_load_def(&f.sd, "ghost", &cfg, &e), ENOENT);
	ck_assert_str_eq(e.msg, "no domain named 'ghost' is defined");
	teardown(&f);
}
END_TEST

START_TEST(test_load_corrupt)
{
	struct fixture f;
	struct domain_config cfg;
	struct sd_err e = {""};
	char *xml = xml_for("trunc", "destroy");

	setup(&f);
	put_file(&f, "defs/junk.xml", "\x01\x02 this is not XML\n");
	ck_assert_int_eq(state_load_def(&f.sd, "junk", &cfg, &e), EINVAL);
	ck_assert_msg(!strncmp(e.msg, "line 1: ", 8), "message: %s", e.msg);

	xml[strlen(xml) / 2] = '\0'; /* a definition cut off half way */
	put_file(&f, "defs/trunc.xml", xml);
	e.msg[0] = '\0';
	ck_assert_int_eq(state_load_def(&f.sd, "trunc", &cfg, &e), EINVAL);
	ck_assert_msg(!strncmp(e.msg, "line ", 5), "message: %s", e.msg);

	/* Well-formed, but not a domain the schema allows. */
	put_file(&f, "defs/odd.xml", "<domain type='xen'><name>odd</name><bogus/></domain>\n");
	e.msg[0] = '\0';
	ck_assert_int_eq(state_load_def(&f.sd, "odd", &cfg, &e), EINVAL);
	ck_assert_msg(strstr(e.msg, "line 1: ") == e.msg, "message: %s", e.msg);
	free(xml);
	teardown(&f);
}
END_TEST

START_TEST(test_load_too_big)
{
	struct fixture f;
	struct domain_config cfg;
	struct sd_err e = {""};
	char *p;
	FILE *out;

	setup(&f);
	p = path_in(&f, "defs/huge.xml");
	out = fopen(p, "w");
	ck_assert_ptr_nonnull(out);
	for (size_t i = 0; i <= API_MSG_MAX; i += 16)
		fputs("<!-- padding -->", out);
	ck_assert_int_eq(fclose(out), 0);
	ck_assert_int_eq(state_load_def(&f.sd, "huge", &cfg, &e), EFBIG);
	ck_assert_msg(strstr(e.msg, "cannot read ") == e.msg && strstr(e.msg, "huge.xml"),
	              "message: %s", e.msg);
	free(p);
	teardown(&f);
}
END_TEST

START_TEST(test_undefine_and_autostart)
{
	struct fixture f;
	struct domain_config cfg;
	char *xml = xml_for("beta", "destroy");

	setup(&f);
	parse_ok(&f, xml, &cfg);
	ck_assert_int_eq(state_save_def(&f.sd, &cfg), 0);
	ck_assert(!state_autostart(&f.sd, "beta"));
	ck_assert_int_eq(state_set_autostart(&f.sd, "beta", true), 0);
	ck_assert(state_autostart(&f.sd, "beta"));
	ck_assert(exists(&f, "autostart/beta"));
	ck_assert_int_eq(state_set_autostart(&f.sd, "beta", false), 0);
	ck_assert(!state_autostart(&f.sd, "beta"));
	ck_assert_int_eq(state_set_autostart(&f.sd, "beta", false), 0); /* already off */
	ck_assert_int_eq(state_set_autostart(&f.sd, "beta", true), 0);
	/* Undefine removes the definition and its autostart mark. */
	ck_assert_int_eq(state_remove_def(&f.sd, "beta"), 0);
	ck_assert(!state_has_def(&f.sd, "beta"));
	ck_assert(!state_autostart(&f.sd, "beta"));
	ck_assert_int_eq(entries(&f, "defs"), 0);
	ck_assert_int_eq(entries(&f, "autostart"), 0);
	errno = 0;
	ck_assert_int_eq(state_remove_def(&f.sd, "beta"), -1);
	ck_assert_int_eq(errno, ENOENT);
	domain_config_free(&cfg);
	free(xml);
	teardown(&f);
}
END_TEST

struct seen {
	char names[8][API_NAME_MAX + 1];
	int n, stop_after;
};

static int collect(struct shojid *sd, const char *name, void *arg)
{
	struct seen *s = arg;

	(void)sd;
	ck_assert_int_lt(s->n, 8);
	snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
	return s->n == s->stop_after ? 42 : 0;
}

START_TEST(test_each_def)
{
	struct fixture f;
	struct seen s = {.stop_after = -1};
	bool a = false, b = false;

	setup(&f);
	put_file(&f, "defs/a.xml", "x");
	put_file(&f, "defs/b.xml", "x");
	put_file(&f, "defs/c.xml.tmp.123", "x"); /* an interrupted write */
	put_file(&f, "defs/notes", "x");
	put_file(&f, "defs/.xml", "x");
	ck_assert_int_eq(state_each_def(&f.sd, collect, &s), 0);
	ck_assert_int_eq(s.n, 2);
	for (int i = 0; i < s.n; i++) {
		a |= !strcmp(s.names[i], "a");
		b |= !strcmp(s.names[i], "b");
	}
	ck_assert(a && b);
	/* A non-zero return stops the walk and is passed on. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 1;
	ck_assert_int_eq(state_each_def(&f.sd, collect, &s), 42);
	ck_assert_int_eq(s.n, 1);
	teardown(&f);
}
END_TEST

static struct sd_dom *new_dom(struct fixture *f, uint32_t domid, const char *name, bool acted)
{
	struct sd_dom *d = calloc(1, sizeof(*d));
	char *xml = xml_for(name, "restart");

	ck_assert_ptr_nonnull(d);
	parse_ok(f, xml, &d->cfg);
	d->domid = domid;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->target_kib = 20480;
	d->acted = acted;
	free(xml);
	return d;
}

static void hv_has(uint32_t domid, const char *name, const uint8_t *uuid,
                   enum shoji_domain_state state)
{
	struct shoji_dominfo *h = &hv_doms[n_hv_doms++];

	memset(h, 0, sizeof(*h));
	h->domid = domid;
	h->state = state;
	snprintf(h->name, sizeof(h->name), "%s", name);
	memcpy(h->uuid, uuid, 16);
}

static struct sd_dom *adopted(struct fixture *f, uint32_t domid)
{
	for (struct sd_dom *d = f->sd.doms; d; d = d->next)
		if (d->domid == domid)
			return d;
	return NULL;
}

START_TEST(test_records_adopt)
{
	struct fixture f;
	struct sd_dom *live, *gone, *stopped, *renamed, *d;
	uint8_t other[16] = {1};

	setup(&f);
	live = new_dom(&f, 5, "live", false);
	gone = new_dom(&f, 6, "gone", false);
	stopped = new_dom(&f, 7, "stopped", true);
	renamed = new_dom(&f, 9, "renamed", false);
	ck_assert_int_eq(state_save_record(&f.sd, live), 0);
	ck_assert_int_eq(state_save_record(&f.sd, gone), 0);
	ck_assert_int_eq(state_save_record(&f.sd, stopped), 0);
	ck_assert_int_eq(state_save_record(&f.sd, renamed), 0);
	ck_assert(exists(&f, "run/5.rec"));
	put_file(&f, "run/8.rec", "shojid-record 2 8 x 0 0\n<domain/>\n"); /* unknown format */
	put_file(&f, "run/10.rec", "no newline at all");
	/* shoji-hv runs 5 and 7 (crashed); 9 now belongs to another domain. */
	hv_has(5, "live", live->cfg.uuid, SHOJI_DOMAIN_RUNNING);
	hv_has(7, "stopped", stopped->cfg.uuid, SHOJI_DOMAIN_CRASHED);
	hv_has(9, "renamed", other, SHOJI_DOMAIN_RUNNING);
	hv_has(8, "x", other, SHOJI_DOMAIN_RUNNING);

	state_adopt(&f.sd, record_stopped);

	d = adopted(&f, 5);
	ck_assert_ptr_nonnull(d);
	ck_assert_str_eq(d->name, "live");
	ck_assert_uint_eq(d->target_kib, 20480);
	ck_assert(!d->acted);
	ck_assert(domain_config_equal(&d->cfg, &live->cfg));
	d = adopted(&f, 7);
	ck_assert_ptr_nonnull(d);
	ck_assert(d->acted);
	ck_assert_ptr_null(adopted(&f, 6));
	ck_assert_ptr_null(adopted(&f, 8));
	ck_assert_ptr_null(adopted(&f, 9));
	ck_assert_ptr_null(adopted(&f, 10));
	/* A crashed domain gets its on_* action; gone domains are cleaned up. */
	ck_assert_uint_eq(n_stopped, 1);
	ck_assert_uint_eq(stopped_ids[0], 7);
	ck_assert_uint_eq(n_xs_removed, 2);
	ck_assert(xs_removed[0] + xs_removed[1] == 6 + 9);
	ck_assert(!exists(&f, "run/6.rec"));
	ck_assert(!exists(&f, "run/9.rec"));
	ck_assert(exists(&f, "run/5.rec"));
	/* Records that cannot be read are left for a human, never adopted. */
	ck_assert(exists(&f, "run/8.rec"));
	/* Removing a record; removing it twice is fine. */
	ck_assert_int_eq(state_remove_record(&f.sd, 5), 0);
	ck_assert(!exists(&f, "run/5.rec"));
	ck_assert_int_eq(state_remove_record(&f.sd, 5), 0);
	dom_free(live);
	dom_free(gone);
	dom_free(stopped);
	dom_free(renamed);
	teardown(&f);
}
END_TEST

START_TEST(test_record_header_strict)
{
	struct fixture f;
	char *xml = xml_for("okname", "destroy"), *rec = NULL;

	setup(&f);
	/* A record whose header line has an extra word is not adopted. */
	ck_assert_int_ge(asprintf(&rec, "shojid-record 1 11 okname 1024 0 extra\n%s", xml), 0);
	put_file(&f, "run/11.rec", rec);
	hv_has(11, "okname",
	       (const uint8_t *)"\x6f\x1c\x2a\x4e\x3b\x5d\x4e\x6f\x8a\x7b\x9c\x0d\x1e\x2f\x3a\x4b",
	       SHOJI_DOMAIN_RUNNING);
	state_adopt(&f.sd, record_stopped);
	ck_assert_ptr_null(adopted(&f, 11));
	/* The same record without the extra word is adopted. */
	free(rec);
	ck_assert_int_ge(asprintf(&rec, "shojid-record 1 11 okname 1024 0\n%s", xml), 0);
	put_file(&f, "run/11.rec", rec);
	state_adopt(&f.sd, record_stopped);
	ck_assert_ptr_nonnull(adopted(&f, 11));
	ck_assert_uint_eq(adopted(&f, 11)->target_kib, 1024);
	ck_assert_uint_eq(adopted(&f, 11)->start_ns, 0); /* an older record: no start time */
	free(rec);
	free(xml);
	teardown(&f);
}
END_TEST

/* The start time (issue 16 item 6) follows the older header's fields; a word after it is
 * refused as before. */
START_TEST(test_record_start_time)
{
	struct fixture f;
	char *xml = xml_for("okname", "destroy"), *rec = NULL;

	setup(&f);
	hv_has(11, "okname",
	       (const uint8_t *)"\x6f\x1c\x2a\x4e\x3b\x5d\x4e\x6f\x8a\x7b\x9c\x0d\x1e\x2f\x3a\x4b",
	       SHOJI_DOMAIN_RUNNING);
	ck_assert_int_ge(
	    asprintf(&rec, "shojid-record 1 11 okname 1024 0 1765000000123456789 x\n%s", xml), 0);
	put_file(&f, "run/11.rec", rec);
	state_adopt(&f.sd, record_stopped);
	ck_assert_ptr_null(adopted(&f, 11));
	free(rec);
	ck_assert_int_ge(
	    asprintf(&rec, "shojid-record 1 11 okname 1024 0 1765000000123456789\n%s", xml), 0);
	put_file(&f, "run/11.rec", rec);
	state_adopt(&f.sd, record_stopped);
	ck_assert_ptr_nonnull(adopted(&f, 11));
	ck_assert_uint_eq(adopted(&f, 11)->start_ns, 1765000000123456789ULL);
	free(rec);
	free(xml);
	teardown(&f);
}
END_TEST

/* The owner (issue 15 #5: a restart opens the files with its rights) survives a restart of
 * shojid; an older record without it is shojid's own domain. */
START_TEST(test_record_owner)
{
	struct fixture f;
	struct sd_dom *d;
	char *xml = xml_for("okname", "destroy"), *rec = NULL;

	setup(&f);
	d = new_dom(&f, 12, "owned", false);
	d->owner.uid = 4242;
	d->owner.gid = 4343;
	ck_assert_int_eq(state_save_record(&f.sd, d), 0);
	hv_has(12, "owned", d->cfg.uuid, SHOJI_DOMAIN_RUNNING);
	dom_free(d);
	hv_has(11, "okname",
	       (const uint8_t *)"\x6f\x1c\x2a\x4e\x3b\x5d\x4e\x6f\x8a\x7b\x9c\x0d\x1e\x2f\x3a\x4b",
	       SHOJI_DOMAIN_RUNNING);
	ck_assert_int_ge(
	    asprintf(&rec, "shojid-record 1 11 okname 1024 0 1765000000123456789\n%s", xml), 0);
	put_file(&f, "run/11.rec", rec);
	state_adopt(&f.sd, record_stopped);
	ck_assert_ptr_nonnull(adopted(&f, 12));
	ck_assert_uint_eq(adopted(&f, 12)->owner.uid, 4242);
	ck_assert_uint_eq(adopted(&f, 12)->owner.gid, 4343);
	ck_assert_ptr_nonnull(adopted(&f, 11));
	ck_assert_uint_eq(adopted(&f, 11)->owner.uid, geteuid());
	ck_assert_uint_eq(adopted(&f, 11)->owner.gid, getegid());
	free(rec);
	free(xml);
	teardown(&f);
}
END_TEST

int main(void)
{
	const char *top = getenv("top_srcdir");
	char rel[PATH_MAX];
	const struct check_case c = {.suite = "shojid-state", .name = "state"};

	if (!top)
		top = ".";
	snprintf(schema_path, sizeof(schema_path), "%s/dom0-tools/domxml/shoji-domain.rng", top);
	snprintf(rel, sizeof(rel), "%s/tests/data/domxml/good/guest-kernel", top);
	if (!realpath(rel, kernel_path)) {
		fprintf(stderr, "test_shojid_state: %s: %s\n", rel, strerror(errno));
		return 99;
	}
	return CHECK_MAIN(c, test_init_layout, test_write_atomic, test_def_round_trip,
	                  test_load_missing, test_load_corrupt, test_load_too_big,
	                  test_undefine_and_autostart, test_each_def, test_records_adopt,
	                  test_record_header_strict, test_record_start_time, test_record_owner);
}
