/*
 * Save and restore (shoji save, shoji restore): the toolstack's part of the
 * stream (docs/migration-stream.md) around shoji-hv's.  A stream is
 *
 *   header, DOMAIN_CONFIG, XENSTORE, XS_WATCHES, HV_BEGIN .. HV_END, END
 *
 * save_domain writes it from a paused domain and then destroys the domain
 * (or lets it run on: a checkpoint).  A restore reads and checks every
 * toolstack record before shoji-hv builds anything, then undoes what it
 * did, in reverse, when a later step fails: no domain, no xenstore nodes,
 * no record are left behind.
 *
 * The xenstore nodes travel with paths relative to the three places
 * shojid gives a domain: its home /local/domain/ID, its /vm directory and
 * its devices' backend directories /local/domain/0/backend/CLS/ID.  A
 * restore re-bases them onto the new domain, and rewrites the saved domid
 * where it stands for the domain: in permissions, in "domid" and
 * "frontend-id", and in values that are paths of those places.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <shoji/hvm.h>
#include <shoji/io/xs_wire.h>
#include <uuid/uuid.h>

#include "migstream.h"
#include "shojid.h"

/* ---- record bodies (docs/migration-stream.md, "Toolstack records") ---- */

#define CONFIG_NAME_LEN 72 /* name field: the name, NUL-padded */

/* DOMAIN_CONFIG: this header, then the domain's XML (the rest of the record). */
struct mig_domain_config {
	uint32_t domid;      /* the saved domain's id */
	uint32_t flags;      /* none defined: 0 */
	uint64_t target_kib; /* its balloon target (memory/target) */
	uint8_t uuid[16];
	char name[CONFIG_NAME_LEN];
};
_Static_assert(sizeof(struct mig_domain_config) == 104, "DOMAIN_CONFIG header is 104 bytes");

/* Where a XENSTORE node's relative path is rooted. */
enum xs_base {
	XS_BASE_HOME = 0,    /* /local/domain/ID */
	XS_BASE_VM = 1,      /* the domain's /vm directory */
	XS_BASE_BACKEND = 2, /* /local/domain/0/backend: "CLS" + its directory below CLS/ID */
	XS_BASE_COUNT
};

/* XENSTORE: a uint32 count, then count of these, each followed by its path, value and perms. */
struct mig_xs_node {
	uint16_t base;   /* enum xs_base */
	uint16_t nperms; /* 1 .. XS_PERMS_MAX: struct shoji_xs_perm each (domid, SHOJI_XS_PERM_*) */
	uint16_t path_len;
	uint16_t value_len;
};
_Static_assert(sizeof(struct mig_xs_node) == 8, "XENSTORE node header is 8 bytes");

#define XS_PERMS_MAX    64
#define XS_REL_PATH_MAX 1024 /* a relative path */
#define XS_VALUE_MAX    4096 /* XENSTORE_PAYLOAD_MAX */
#define XS_DEPTH_MAX    32
#define HV_BUSY_RETRIES 50 /* a vCPU that has not left the guest yet after the pause */
#define XS_COMMIT_TRIES 20

/* The backend classes whose directories shojid writes (and xs_layout_remove removes). */
static const char *const backend_classes[] = {"vbd", "vif"};

/* ---- a growing buffer ---- */

struct buf {
	uint8_t *p;
	size_t len, cap;
	bool failed;
};

static void buf_add(struct buf *b, const void *data, size_t len)
{
	if (b->failed || !len)
		return;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		uint8_t *np;

		while (cap < b->len + len)
			cap *= 2;
		np = realloc(b->p, cap);
		if (!np) {
			b->failed = true;
			return;
		}
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

/* ---- save: the domain's nodes ---- */

struct walk {
	struct shojid *sd;
	shoji_xs_tx_t t;
	struct buf out;
	uint32_t count;
	int err;         /* the first failure (an errno) */
	char where[160]; /* and its path */
};

/* Add node ABS (relative REL under BASE) and every node below it, parents first. */
static void walk_node(struct walk *w, enum xs_base base, const char *abs, const char *rel,
                      int depth)
{
	struct mig_xs_node h = {.base = (uint16_t)base};
	struct shoji_xs_perm *perms = NULL;
	char **kids = NULL, *val = NULL;
	unsigned int vlen = 0, np = 0, nk = 0;

	if (w->err)
		return;
	val = shoji_xs_read(w->sd->xs, w->t, abs, &vlen);
	perms = val ? shoji_xs_get_perms(w->sd->xs, w->t, abs, &np) : NULL;
	kids = perms ? shoji_xs_directory(w->sd->xs, w->t, abs, &nk) : NULL;
	if (!kids) {
		w->err = errno ? errno : EIO;
		snprintf(w->where, sizeof(w->where), "%s", abs);
		goto out;
	}
	if (depth > XS_DEPTH_MAX || strlen(rel) >= XS_REL_PATH_MAX || vlen > XS_VALUE_MAX ||
	    np < 1 || np > XS_PERMS_MAX) {
		w->err = E2BIG;
		snprintf(w->where, sizeof(w->where), "%s", abs);
		goto out;
	}
	h.nperms = (uint16_t)np;
	h.path_len = (uint16_t)strlen(rel);
	h.value_len = (uint16_t)vlen;
	buf_add(&w->out, &h, sizeof(h));
	buf_add(&w->out, rel, h.path_len);
	buf_add(&w->out, val, vlen);
	buf_add(&w->out, perms, np * sizeof(*perms));
	w->count++;
	for (unsigned int i = 0; i < nk && !w->err; i++) {
		char *ca = NULL, *cr = NULL;

		if (asprintf(&ca, "%s/%s", abs, kids[i]) < 0 ||
		    asprintf(&cr, "%s%s%s", rel, rel[0] ? "/" : "", kids[i]) < 0) {
			w->err = ENOMEM;
			snprintf(w->where, sizeof(w->where), "%s", abs);
		} else {
			walk_node(w, base, ca, cr, depth + 1);
		}
		free(ca);
		free(cr);
	}
out:
	free(val);
	free(perms);
	free(kids);
}

/* The XENSTORE record's body: the home, the /vm directory and the backend directories. */
static int collect_nodes(struct shojid *sd, uint32_t domid, struct buf *body, struct sd_err *e)
{
	struct walk w = {.sd = sd};
	char home[64], path[128], *vm;
	unsigned int n;

	w.t = shoji_xs_transaction_start(sd->xs); /* one consistent view; ended by an abort */
	if (w.t == SHOJI_XS_NO_TX)
		return sd_fail(e, errno, "xenstore: cannot start a transaction: %s",
		               strerror(errno));
	buf_add(&w.out, &w.count, sizeof(w.count)); /* filled in below */
	snprintf(home, sizeof(home), "/local/domain/%" PRIu32, domid);
	walk_node(&w, XS_BASE_HOME, home, "", 0);
	snprintf(path, sizeof(path), "%s/vm", home);
	vm = shoji_xs_read(sd->xs, w.t, path, &n);
	if (vm && !strncmp(vm, "/vm/", 4) && !strchr(vm + 4, '/'))
		walk_node(&w, XS_BASE_VM, vm, "", 0);
	free(vm);
	for (size_t i = 0; i < sizeof(backend_classes) / sizeof(backend_classes[0]); i++) {
		char *v;

		snprintf(path, sizeof(path), "/local/domain/0/backend/%s/%" PRIu32,
		         backend_classes[i], domid);
		v = shoji_xs_read(sd->xs, w.t, path, &n);
		if (v)
			walk_node(&w, XS_BASE_BACKEND, path, backend_classes[i], 0);
		free(v);
	}
	shoji_xs_transaction_end(sd->xs, w.t, true);
	if (!w.err && w.out.failed)
		w.err = ENOMEM;
	if (!w.err && w.out.len > MIG_REC_MAX)
		w.err = EFBIG;
	if (w.err) {
		free(w.out.p);
		if (w.err == EFBIG)
			return sd_fail(e, EFBIG,
			               "the domain's xenstore nodes exceed one record (%u)",
			               MIG_REC_MAX);
		return sd_fail(e, w.err, "xenstore: cannot save %s: %s", w.where[0] ? w.where : "?",
		               w.err == E2BIG ? "too deep or too large" : strerror(w.err));
	}
	memcpy(w.out.p, &w.count, sizeof(w.count));
	*body = w.out;
	return 0;
}

/* ---- save: the guest's watches ---- */

/* XS_WATCHES: a uint32 count, then count of these, each followed by its path and token. */
struct mig_xs_watch {
	uint16_t path_len; /* the path as registered: relative to the home unless it starts
	                      with '/' or '@' */
	uint16_t token_len;
};
_Static_assert(sizeof(struct mig_xs_watch) == 4, "XS_WATCHES entry header is 4 bytes");

#define XS_WATCHES_MAX 4096 /* far above xenstored's per-domain quota */

/* One CONTROL request (NUL-separated arguments); its reply (malloc'd) or NULL with errno. */
static char *xs_control(struct shojid *sd, const char *const *args, unsigned int *rlen)
{
	char payload[XS_REL_PATH_MAX + XS_VALUE_MAX + 64];
	size_t len = 0;

	for (; *args; args++) {
		size_t l = strlen(*args) + 1;

		if (len + l > sizeof(payload)) {
			errno = E2BIG;
			return NULL;
		}
		memcpy(payload + len, *args, l);
		len += l;
	}
	return shoji_xs_request(sd->xs, XS_CONTROL, SHOJI_XS_NO_TX, payload, (unsigned int)len,
	                        rlen);
}

/* The XS_WATCHES record's body: the watches xenstored keeps for domid (CONTROL watches). */
static int collect_watches(struct shojid *sd, uint32_t domid, struct buf *body, struct sd_err *e)
{
	struct buf out = {0};
	char id[16], from[16];
	uint32_t count = 0;

	snprintf(id, sizeof(id), "%" PRIu32, domid);
	buf_add(&out, &count, sizeof(count));
	for (;;) {
		const char *args[] = {"watches", id, from, NULL};
		unsigned int rlen = 0, got = 0;
		char *r, *p, *end;

		snprintf(from, sizeof(from), "%" PRIu32, count);
		r = xs_control(sd, args, &rlen);
		if (!r) {
			free(out.p);
			return sd_fail(e, errno, "xenstore: cannot list the domain's watches: %s",
			               strerror(errno));
		}
		/* "PATH\0TOKEN\0" pairs; an empty reply ("\0") ends the list. */
		for (p = r, end = r + rlen; p < end && *p;) {
			struct mig_xs_watch w;
			const char *tok = memchr(p, '\0', (size_t)(end - p));
			const char *next =
			    tok ? memchr(tok + 1, '\0', (size_t)(end - tok - 1)) : NULL;

			if (!next || (size_t)(tok - p) >= XS_REL_PATH_MAX ||
			    (size_t)(next - tok - 1) > XS_VALUE_MAX || count >= XS_WATCHES_MAX) {
				free(r);
				free(out.p);
				return sd_fail(e, EPROTO, "xenstore: a malformed list of watches");
			}
			w.path_len = (uint16_t)(tok - p);
			w.token_len = (uint16_t)(next - tok - 1);
			buf_add(&out, &w, sizeof(w));
			buf_add(&out, p, w.path_len);
			buf_add(&out, tok + 1, w.token_len);
			count++;
			got++;
			p = (char *)next + 1;
		}
		free(r);
		if (!got)
			break;
	}
	if (out.failed) {
		free(out.p);
		return sd_fail(e, ENOMEM, "out of memory");
	}
	memcpy(out.p, &count, sizeof(count));
	*body = out;
	return 0;
}

/* ---- save ---- */

static int stream_fail(struct sd_err *e, const char *what)
{
	return sd_fail(e, errno, "cannot write the %s to the file: %s", what, strerror(errno));
}

static int write_config(const struct sd_dom *dom, int fd, struct sd_err *e)
{
	struct mig_domain_config h = {.domid = dom->domid, .target_kib = dom->target_kib};
	struct iovec iov[2];
	char *xml = domxml_serialise(&dom->cfg);
	int rc = 0;

	if (!xml)
		return sd_fail(e, ENOMEM, "out of memory");
	memcpy(h.uuid, dom->cfg.uuid, sizeof(h.uuid));
	snprintf(h.name, sizeof(h.name), "%s", dom->name);
	iov[0] = (struct iovec){&h, sizeof(h)};
	iov[1] = (struct iovec){xml, strlen(xml)};
	if (mig_write_recordv(fd, MIG_REC_DOMAIN_CONFIG, iov, 2) < 0)
		rc = stream_fail(e, "domain's configuration");
	free(xml);
	return rc;
}

/* shoji-hv's part, asked again while a vCPU is still leaving the guest (nothing written yet). */
static int write_hv(struct shojid *sd, uint32_t domid, int fd, struct api_save_reply *out,
                    struct sd_err *e)
{
	char why[256] = "";
	off_t at = lseek(fd, 0, SEEK_CUR);

	for (int i = 0;; i++) {
		if (shoji_ctrl_save(sd->hv, domid, fd, &out->pages, &out->zero_pages, why,
		                    sizeof(why)) == 0)
			return 0;
		if (errno != EBUSY || i >= HV_BUSY_RETRIES || at < 0 ||
		    lseek(fd, 0, SEEK_CUR) != at)
			break;
		usleep(10000);
	}
	if (errno == EOPNOTSUPP && !why[0])
		return sd_fail(e, errno, "this shoji-hv cannot save domains");
	return sd_fail(e, errno, "shoji-hv cannot save domain %" PRIu32 ": %s", domid,
	               why[0] ? why : strerror(errno));
}

static int write_stream(struct shojid *sd, const struct sd_dom *dom, int fd,
                        struct api_save_reply *out, struct sd_err *e)
{
	struct buf nodes = {0}, watches = {0};
	off_t start = lseek(fd, 0, SEEK_CUR);
	int rc;

	rc = collect_nodes(sd, dom->domid, &nodes, e);
	if (!rc)
		rc = collect_watches(sd, dom->domid, &watches, e);
	if (rc) {
		free(nodes.p);
		return rc;
	}
	if (mig_write_header(fd) < 0)
		rc = stream_fail(e, "stream header");
	if (!rc)
		rc = write_config(dom, fd, e);
	if (!rc && mig_write_record(fd, MIG_REC_XENSTORE, nodes.p, (uint32_t)nodes.len) < 0)
		rc = stream_fail(e, "xenstore nodes");
	if (!rc && mig_write_record(fd, MIG_REC_XS_WATCHES, watches.p, (uint32_t)watches.len) < 0)
		rc = stream_fail(e, "xenstore watches");
	free(nodes.p);
	free(watches.p);
	if (!rc)
		rc = write_hv(sd, dom->domid, fd, out, e);
	if (!rc && mig_write_record(fd, MIG_REC_END, NULL, 0) < 0)
		rc = stream_fail(e, "end record");
	/* On the disk before the domain goes (a pipe or socket has nothing to sync). */
	if (!rc && fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		rc = sd_fail(e, errno, "cannot write the file to the disk: %s", strerror(errno));
	if (!rc && start >= 0)
		out->bytes = (uint64_t)(lseek(fd, 0, SEEK_CUR) - start);
	return rc;
}

int save_domain(struct shojid *sd, struct sd_dom *dom, int fd, bool keep,
                struct api_save_reply *out, struct sd_err *e)
{
	struct shoji_dominfo hi;
	bool was_running;
	int rc;

	memset(out, 0, sizeof(*out));
	if (shoji_ctrl_info(sd->hv, dom->domid, &hi) < 0)
		return sd_fail(e, errno, "shoji-hv: %s", strerror(errno));
	if (hi.state != SHOJI_DOMAIN_RUNNING && hi.state != SHOJI_DOMAIN_BLOCKED &&
	    hi.state != SHOJI_DOMAIN_PAUSED)
		return sd_fail(e, EINVAL, "domain '%s' is %s: there is nothing to save", dom->name,
		               shoji_domain_state_name(hi.state));
	was_running = hi.state != SHOJI_DOMAIN_PAUSED;
	if (was_running && shoji_ctrl_pause(sd->hv, dom->domid) < 0)
		return sd_fail(e, errno, "cannot pause '%s': %s", dom->name, strerror(errno));
	rc = write_stream(sd, dom, fd, out, e);
	if (rc || keep) {
		/* As it was: the save failed, or it was a checkpoint. */
		if (was_running && shoji_ctrl_unpause(sd->hv, dom->domid) < 0)
			log_warnx("cannot unpause '%s' after its save: %s", dom->name,
			          strerror(errno));
		return rc;
	}
	log_info("saved %s (%" PRIu32 "): %" PRIu64 " pages, %" PRIu64 " zero pages", dom->name,
	         dom->domid, out->pages, out->zero_pages);
	dom_teardown(sd, dom);
	return 0;
}

/* ---- restore: reading and checking the toolstack's records ---- */

/* A stream error: the reader's one line. */
static int read_fail(struct sd_restore *rs, struct sd_err *e)
{
	int err = errno ? errno : EIO;

	return sd_fail(e, err == EPIPE ? EBADMSG : err, "%s", rs->r.err);
}

static int corrupt(struct sd_restore *rs, struct sd_err *e, const char *what)
{
	return sd_fail(e, EBADMSG, "corrupt stream: record %u: %s", rs->r.index, what);
}

int restore_begin(struct shojid *sd, int fd, struct sd_restore *rs, struct sd_err *e)
{
	struct domxml_options opt = {.flags = DOMXML_NO_FILE_CHECKS};
	struct mig_domain_config h;
	struct domxml_errors errs;
	struct mig_rec_hdr rh;

	memset(rs, 0, sizeof(*rs));
	mig_reader_init(&rs->r, fd);
	rs->fd = fd;
	if (mig_read_header(&rs->r) < 0 ||
	    mig_expect_record(&rs->r, MIG_REC_DOMAIN_CONFIG, &rh) < 0)
		return read_fail(rs, e);
	if (rh.length <= sizeof(h))
		return corrupt(rs, e, "DOMAIN_CONFIG is too short");
	memcpy(&h, rs->r.body, sizeof(h));
	if (h.flags || !memchr(h.name, '\0', sizeof(h.name)) || h.domid >= API_DOMID_NONE)
		return corrupt(rs, e, "DOMAIN_CONFIG has a bad header");
	if (domxml_parse_memory(sd->parser, (const char *)rs->r.body + sizeof(h),
	                        rh.length - sizeof(h), &opt, &rs->cfg, &errs) != 0)
		return sd_fail(e, EBADMSG, "the saved domain's XML is refused: %s",
		               errs.count ? errs.items[0].msg : "invalid XML");
	rs->have_cfg = true;
	if (strcmp(h.name, rs->cfg.name) || memcmp(h.uuid, rs->cfg.uuid, 16))
		return corrupt(rs, e, "DOMAIN_CONFIG's name or uuid differs from its XML");
	rs->saved_domid = h.domid;
	rs->target_kib = h.target_kib;
	return 0;
}

void restore_free(struct sd_restore *rs)
{
	if (rs->have_cfg)
		domain_config_free(&rs->cfg);
	rs->have_cfg = false;
	free(rs->nodes);
	rs->nodes = NULL;
	free(rs->watches);
	rs->watches = NULL;
	mig_reader_free(&rs->r);
}

/* A relative path shojid writes back: [A-Za-z0-9_@.-] components, none empty, "." or "..". */
static bool rel_path_ok(const char *p, size_t len)
{
	size_t comp = 0;

	if (len >= XS_REL_PATH_MAX)
		return false;
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? p[i] : '/';

		if (c == '/') {
			if ((i > 0 && comp == 0) || (comp == 1 && p[i - 1] == '.') ||
			    (comp == 2 && p[i - 1] == '.' && p[i - 2] == '.'))
				return false;
			comp = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '@' || c == '.'))
			return false;
		comp++;
	}
	return len == 0 || p[len - 1] != '/';
}

/* A backend path starts with one of backend_classes. */
static bool backend_path_ok(const char *p, size_t len)
{
	for (size_t i = 0; i < sizeof(backend_classes) / sizeof(backend_classes[0]); i++) {
		size_t cl = strlen(backend_classes[i]);

		if (len >= cl && !memcmp(p, backend_classes[i], cl) && (len == cl || p[cl] == '/'))
			return true;
	}
	return false;
}

/* Check every node of the XENSTORE record (kept in rs->nodes) before anything is built. */
static int check_nodes(struct sd_restore *rs, struct sd_err *e)
{
	const uint8_t *p = rs->nodes, *end = rs->nodes + rs->nodes_len;
	uint32_t count;

	if (rs->nodes_len < sizeof(count))
		return corrupt(rs, e, "XENSTORE is too short");
	memcpy(&count, p, sizeof(count));
	p += sizeof(count);
	for (uint32_t i = 0; i < count; i++) {
		struct mig_xs_node h;
		struct shoji_xs_perm perm;
		const char *path;

		if ((size_t)(end - p) < sizeof(h))
			return corrupt(rs, e, "XENSTORE ends inside a node");
		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		if ((size_t)(end - p) < (size_t)h.path_len + h.value_len + h.nperms * sizeof(perm))
			return corrupt(rs, e, "XENSTORE ends inside a node");
		path = (const char *)p;
		if (h.base >= XS_BASE_COUNT || h.nperms < 1 || h.nperms > XS_PERMS_MAX ||
		    h.value_len > XS_VALUE_MAX || !rel_path_ok(path, h.path_len) ||
		    (h.base == XS_BASE_BACKEND && !backend_path_ok(path, h.path_len)))
			return corrupt(rs, e, "XENSTORE holds a node shojid would not write");
		p += h.path_len + h.value_len;
		for (uint16_t k = 0; k < h.nperms; k++, p += sizeof(perm)) {
			memcpy(&perm, p, sizeof(perm));
			if (perm.perms > SHOJI_XS_PERM_BOTH || perm.domid >= API_DOMID_NONE)
				return corrupt(rs, e, "XENSTORE holds a bad permission");
		}
	}
	if (p != end)
		return corrupt(rs, e, "XENSTORE has bytes after its last node");
	rs->nnodes = count;
	return 0;
}

/* A watch's path: relative ([A-Za-z0-9_@.-/] as rel_path_ok), absolute, or "@name". */
static bool watch_path_ok(const char *p, size_t len)
{
	if (len && (p[0] == '/' || p[0] == '@'))
		return len < XS_REL_PATH_MAX && !memchr(p, '\0', len) &&
		       rel_path_ok(p + 1, len - 1);
	return len && rel_path_ok(p, len);
}

/* Check every watch of the XS_WATCHES record (kept in rs->watches). */
static int check_watches(struct sd_restore *rs, struct sd_err *e)
{
	const uint8_t *p = rs->watches, *end = rs->watches + rs->watches_len;
	uint32_t count;

	if (rs->watches_len < sizeof(count))
		return corrupt(rs, e, "XS_WATCHES is too short");
	memcpy(&count, p, sizeof(count));
	p += sizeof(count);
	if (count > XS_WATCHES_MAX)
		return corrupt(rs, e, "XS_WATCHES holds too many watches");
	for (uint32_t i = 0; i < count; i++) {
		struct mig_xs_watch w;

		if ((size_t)(end - p) < sizeof(w))
			return corrupt(rs, e, "XS_WATCHES ends inside a watch");
		memcpy(&w, p, sizeof(w));
		p += sizeof(w);
		if ((size_t)(end - p) < (size_t)w.path_len + w.token_len)
			return corrupt(rs, e, "XS_WATCHES ends inside a watch");
		if (!watch_path_ok((const char *)p, w.path_len) || w.token_len > XS_VALUE_MAX ||
		    memchr(p + w.path_len, '\0', w.token_len))
			return corrupt(rs, e, "XS_WATCHES holds a watch shojid would not register");
		p += w.path_len + w.token_len;
	}
	if (p != end)
		return corrupt(rs, e, "XS_WATCHES has bytes after its last watch");
	rs->nwatches = count;
	return 0;
}

/* Read XENSTORE and XS_WATCHES (the records before shoji-hv's part). */
static int read_xs_records(struct sd_restore *rs, struct sd_err *e)
{
	struct mig_rec_hdr rh;

	if (mig_expect_record(&rs->r, MIG_REC_XENSTORE, &rh) < 0)
		return read_fail(rs, e);
	rs->nodes = malloc(rh.length ? rh.length : 1);
	if (!rs->nodes)
		return sd_fail(e, ENOMEM, "out of memory");
	memcpy(rs->nodes, rs->r.body, rh.length);
	rs->nodes_len = rh.length;
	if (check_nodes(rs, e))
		return EBADMSG;
	if (mig_expect_record(&rs->r, MIG_REC_XS_WATCHES, &rh) < 0)
		return read_fail(rs, e);
	rs->watches = malloc(rh.length ? rh.length : 1);
	if (!rs->watches)
		return sd_fail(e, ENOMEM, "out of memory");
	memcpy(rs->watches, rs->r.body, rh.length);
	rs->watches_len = rh.length;
	return check_watches(rs, e);
}

/* ---- restore: writing the nodes back ---- */

struct rebase {
	uint32_t from, to;
	const char *vm;   /* the new /vm directory */
	const char *name; /* the domain's name and uuid (the configuration's) */
	const char *uuid;
};

/*
 * The value of node REL (under base) re-based: into @out (XS_VALUE_MAX + 32
 * bytes), or NULL when it stays as it is.
 */
static const char *rebase_value(const struct rebase *rb, enum xs_base base, const char *rel,
                                const char *val, size_t vlen, char *out, size_t *olen)
{
	const char *name = strrchr(rel, '/');
	char from[16], home[48];
	size_t fl, hl;

	name = name ? name + 1 : rel;
	snprintf(from, sizeof(from), "%" PRIu32, rb->from);
	fl = strlen(from);
	if (base == XS_BASE_HOME && !strcmp(rel, "vm")) {
		*olen = (size_t)snprintf(out, XS_VALUE_MAX + 32, "%s", rb->vm);
		return out;
	}
	/* The name and uuid nodes shojid writes say what the configuration says. */
	if ((base == XS_BASE_HOME || base == XS_BASE_VM) && !strcmp(rel, "name")) {
		*olen = (size_t)snprintf(out, XS_VALUE_MAX + 32, "%s", rb->name);
		return out;
	}
	if (base == XS_BASE_VM && !strcmp(rel, "uuid")) {
		*olen = (size_t)snprintf(out, XS_VALUE_MAX + 32, "%s", rb->uuid);
		return out;
	}
	if ((!strcmp(name, "domid") || !strcmp(name, "frontend-id")) && vlen == fl &&
	    !memcmp(val, from, fl)) {
		*olen = (size_t)snprintf(out, XS_VALUE_MAX + 32, "%" PRIu32, rb->to);
		return out;
	}
	/* /local/domain/FROM[/...] */
	hl = (size_t)snprintf(home, sizeof(home), "/local/domain/%s", from);
	if (vlen >= hl && !memcmp(val, home, hl) && (vlen == hl || val[hl] == '/')) {
		*olen = (size_t)snprintf(out, XS_VALUE_MAX + 32, "/local/domain/%" PRIu32 "%.*s",
		                         rb->to, (int)(vlen - hl), val + hl);
		return out;
	}
	/* /local/domain/0/backend/CLS/FROM[/...] */
	for (size_t i = 0; i < sizeof(backend_classes) / sizeof(backend_classes[0]); i++) {
		hl = (size_t)snprintf(home, sizeof(home), "/local/domain/0/backend/%s/%s",
		                      backend_classes[i], from);
		if (vlen >= hl && !memcmp(val, home, hl) && (vlen == hl || val[hl] == '/')) {
			*olen = (size_t)snprintf(
			    out, XS_VALUE_MAX + 32, "/local/domain/0/backend/%s/%" PRIu32 "%.*s",
			    backend_classes[i], rb->to, (int)(vlen - hl), val + hl);
			return out;
		}
	}
	return NULL;
}

/* The absolute path of node REL under base for domain rb->to. */
static void node_path(const struct rebase *rb, enum xs_base base, const char *rel, size_t len,
                      char *out, size_t cap)
{
	const char *slash = memchr(rel, '/', len);
	size_t cl = slash ? (size_t)(slash - rel) : len;

	switch (base) {
	case XS_BASE_HOME:
		snprintf(out, cap, "/local/domain/%" PRIu32 "%s%.*s", rb->to, len ? "/" : "",
		         (int)len, rel);
		break;
	case XS_BASE_VM:
		snprintf(out, cap, "%s%s%.*s", rb->vm, len ? "/" : "", (int)len, rel);
		break;
	default:
		snprintf(out, cap, "/local/domain/0/backend/%.*s/%" PRIu32 "%.*s", (int)cl, rel,
		         rb->to, (int)(len - cl), rel + cl);
		break;
	}
}

/* Write every node of rs (checked by check_nodes) in transaction t; 0 or -1 with errno, where. */
static int write_nodes(struct shojid *sd, shoji_xs_tx_t t, const struct sd_restore *rs,
                       const struct rebase *rb, char *where, size_t wlen)
{
	static char val[XS_VALUE_MAX + 32];
	const uint8_t *p = rs->nodes + sizeof(uint32_t);
	struct shoji_xs_perm perms[XS_PERMS_MAX];
	char path[XS_REL_PATH_MAX + 160], rel[XS_REL_PATH_MAX];

	for (uint32_t i = 0; i < rs->nnodes; i++) {
		struct mig_xs_node h;
		const char *v;
		size_t vlen;

		memcpy(&h, p, sizeof(h));
		p += sizeof(h);
		memcpy(rel, p, h.path_len);
		rel[h.path_len] = '\0';
		node_path(rb, (enum xs_base)h.base, rel, h.path_len, path, sizeof(path));
		v = rebase_value(rb, (enum xs_base)h.base, rel, (const char *)p + h.path_len,
		                 h.value_len, val, &vlen);
		if (!v) {
			v = (const char *)p + h.path_len;
			vlen = h.value_len;
		}
		p += h.path_len + h.value_len;
		memcpy(perms, p, h.nperms * sizeof(perms[0]));
		p += h.nperms * sizeof(perms[0]);
		for (uint16_t k = 0; k < h.nperms; k++)
			if (perms[k].domid == rb->from)
				perms[k].domid = rb->to;
		if (shoji_xs_write(sd->xs, t, path, v, (unsigned int)vlen) < 0 ||
		    shoji_xs_set_perms(sd->xs, t, path, perms, h.nperms) < 0) {
			snprintf(where, wlen, "%s", path);
			return -1;
		}
	}
	return 0;
}

static int restore_nodes(struct shojid *sd, const struct sd_restore *rs, const struct sd_dom *dom,
                         struct sd_err *e)
{
	char vm[96], where[XS_REL_PATH_MAX + 160] = "", home[64], uuid[37];
	struct rebase rb = {
	    .from = rs->saved_domid, .to = dom->domid, .vm = vm, .name = dom->name, .uuid = uuid};
	int err = 0;

	uuid_unparse_lower(dom->cfg.uuid, uuid);
	xs_vm_path(sd, dom, vm, sizeof(vm));
	snprintf(home, sizeof(home), "/local/domain/%" PRIu32, dom->domid);
	for (int attempt = 0; attempt < XS_COMMIT_TRIES; attempt++) {
		shoji_xs_tx_t t = shoji_xs_transaction_start(sd->xs);

		if (t == SHOJI_XS_NO_TX)
			return sd_fail(e, errno, "xenstore: cannot start a transaction: %s",
			               strerror(errno));
		if ((shoji_xs_rm(sd->xs, t, home) < 0 && errno != ENOENT) ||
		    write_nodes(sd, t, rs, &rb, where, sizeof(where)) < 0) {
			err = errno;
			shoji_xs_transaction_end(sd->xs, t, true);
			return sd_fail(e, err, "xenstore: cannot write %s: %s",
			               where[0] ? where : home, strerror(err));
		}
		if (shoji_xs_transaction_end(sd->xs, t, false) == 0)
			return 0;
		err = errno;
		if (err != EAGAIN)
			break;
	}
	return sd_fail(e, err, "xenstore: cannot commit the restored nodes: %s", strerror(err));
}

/* Give the introduced domain its watches back (CONTROL watch), re-based as its values are. */
static int restore_watches(struct shojid *sd, const struct sd_restore *rs, const struct sd_dom *dom,
                           struct sd_err *e)
{
	static char val[XS_VALUE_MAX + 32];
	const uint8_t *p = rs->watches + sizeof(uint32_t);
	struct rebase rb = {
	    .from = rs->saved_domid, .to = dom->domid, .vm = "", .name = "", .uuid = ""};
	char id[16], path[XS_REL_PATH_MAX + 64], token[XS_VALUE_MAX + 1];

	snprintf(id, sizeof(id), "%" PRIu32, dom->domid);
	for (uint32_t i = 0; i < rs->nwatches; i++) {
		const char *args[] = {"watch", id, path, token, NULL};
		struct mig_xs_watch w;
		unsigned int rlen;
		const char *v;
		size_t vlen;
		char *r;

		memcpy(&w, p, sizeof(w));
		p += sizeof(w);
		/* An absolute path into its old home or backends moves with it. */
		v = w.path_len && p[0] == '/' ? rebase_value(&rb, XS_BASE_HOME, "", (const char *)p,
		                                             w.path_len, val, &vlen)
		                              : NULL;
		if (v)
			snprintf(path, sizeof(path), "%.*s", (int)vlen, v);
		else
			snprintf(path, sizeof(path), "%.*s", (int)w.path_len, (const char *)p);
		snprintf(token, sizeof(token), "%.*s", (int)w.token_len,
		         (const char *)p + w.path_len);
		p += w.path_len + w.token_len;
		r = xs_control(sd, args, &rlen);
		if (!r && errno != EEXIST)
			return sd_fail(e, errno,
			               "xenstore: cannot give the domain its watch on %s: %s", path,
			               strerror(errno));
		free(r);
	}
	return 0;
}

/* ---- restore: building the domain ---- */

/* The id to ask shoji-hv for: the saved one when no domain has it. */
static uint32_t wanted_domid(struct shojid *sd, uint32_t saved)
{
	struct shoji_dominfo hi;

	if (saved == 0 || dom_by_id(sd, saved) || shoji_ctrl_info(sd->hv, saved, &hi) == 0 ||
	    errno != ESRCH)
		return SHOJI_CTRL_DOMID_ANY;
	return saved;
}

int restore_domain(struct shojid *sd, struct sd_restore *rs, bool paused, struct sd_dom **out,
                   struct sd_err *e)
{
	struct sd_dom *dom = NULL;
	struct mig_rec_hdr rh;
	struct timespec now;
	char why[256] = "";
	uint64_t store_pfn = 0, store_port = 0;
	bool created = false, laid_out = false, recorded = false;
	off_t at;
	int rc;

	rc = read_xs_records(rs, e);
	if (!rc)
		rc = block_check_config(sd, &rs->cfg, e);
	if (!rc)
		rc = net_check_config(sd, &rs->cfg, API_DOMID_NONE, e);
	if (rc)
		return rc;
	dom = calloc(1, sizeof(*dom));
	if (!dom)
		return sd_fail(e, ENOMEM, "out of memory");
	dom->cfg = rs->cfg; /* the domain takes the configuration over */
	memset(&rs->cfg, 0, sizeof(rs->cfg));
	rs->have_cfg = false;
	snprintf(dom->name, sizeof(dom->name), "%s", dom->cfg.name);
	dom->target_kib = rs->target_kib;
	clock_gettime(CLOCK_REALTIME, &now);
	dom->start_ns = (uint64_t)now.tv_sec * 1000000000ULL + (uint64_t)now.tv_nsec;

	if (shoji_ctrl_restore(sd->hv, rs->fd, wanted_domid(sd, rs->saved_domid), dom->name,
	                       dom->cfg.uuid, &dom->domid, why, sizeof(why)) < 0) {
		rc = errno;
		if (rc == EOPNOTSUPP && !why[0])
			sd_fail(e, rc, "this shoji-hv cannot restore domains");
		else
			sd_fail(e, rc, "shoji-hv cannot restore the domain: %s",
			        why[0] ? why : strerror(rc));
		goto fail;
	}
	created = true;
	/* shoji-hv read its part from the same file: count from where it stopped. */
	at = lseek(rs->fd, 0, SEEK_CUR);
	if (at >= 0)
		rs->r.offset = (uint64_t)at;
	if (mig_expect_record(&rs->r, MIG_REC_END, &rh) < 0) {
		if (errno == EPIPE)
			rc = sd_fail(e, EBADMSG,
			             "truncated stream: it ends at byte %llu, before its "
			             "END record",
			             (unsigned long long)rs->r.offset);
		else
			rc = read_fail(rs, e);
		goto fail;
	}
	if (shoji_ctrl_get_param(sd->hv, dom->domid, HVM_PARAM_STORE_PFN, &store_pfn) < 0 ||
	    shoji_ctrl_get_param(sd->hv, dom->domid, HVM_PARAM_STORE_EVTCHN, &store_port) < 0) {
		rc = sd_fail(e, errno, "shoji-hv: cannot read the xenstore ring's params: %s",
		             strerror(errno));
		goto fail;
	}
	if (!store_pfn || store_port > UINT32_MAX) {
		rc = sd_fail(e, EBADMSG, "the restored domain has no xenstore ring");
		goto fail;
	}
	laid_out = true; /* a partial write is removed too */
	rc = restore_nodes(sd, rs, dom, e);
	if (rc)
		goto fail;
	if (shoji_xs_introduce(sd->xs, dom->domid, store_pfn, (uint32_t)store_port) < 0) {
		rc = sd_fail(e, errno, "xenstore: cannot introduce domain %" PRIu32 ": %s",
		             dom->domid, strerror(errno));
		goto fail;
	}
	rc = restore_watches(sd, rs, dom, e);
	if (rc)
		goto fail;
	if (state_save_record(sd, dom) < 0) {
		rc = sd_fail(e, errno, "cannot write the domain's record in %s: %s", sd->state_dir,
		             strerror(errno));
		goto fail;
	}
	recorded = true;
	if (!paused && shoji_ctrl_unpause(sd->hv, dom->domid) < 0) {
		rc = sd_fail(e, errno, "shoji-hv cannot start domain %" PRIu32 ": %s", dom->domid,
		             strerror(errno));
		goto fail;
	}
	dom_link(sd, dom);
	*out = dom;
	log_info("restored %s as domain %" PRIu32 " (saved as %" PRIu32 ")", dom->name, dom->domid,
	         rs->saved_domid);
	sd_emit(sd, API_EV_CREATED, dom->domid, API_DOMID_NONE, 0, dom->name);
	return 0;
fail:
	if (recorded)
		state_remove_record(sd, dom->domid);
	if (laid_out)
		xs_layout_remove(sd, dom->domid);
	if (created && shoji_ctrl_destroy(sd->hv, dom->domid) < 0)
		log_warnx("cannot destroy the half-restored domain %" PRIu32 ": %s", dom->domid,
		          strerror(errno));
	dom_free(dom);
	return rc;
}
