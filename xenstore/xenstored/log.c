/*
 * Persistence: an append-only log of the live tree's mutations in the
 * state directory, written with one write(2) per batch before any reply of
 * that batch leaves the daemon, replayed at start, and rewritten as a
 * snapshot when it has grown.  The format is described in
 * docs/xenstore-log.md.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "xsd.h"

#define LOG_MAGIC       "SHOJIXS2" /* version 2: adds watches and quotas */
#define LOG_MAGIC_V1    "SHOJIXS1" /* version 1: nodes and domains; still read */
#define LOG_MAGIC_LEN   8
#define LOG_NAME        "xenstore.log"
#define LOG_TMP         "xenstore.log.new"
#define LOG_MIN_COMPACT (4u << 20) /* never compact below 4 MiB */

enum {
	OP_NODE = 'N',
	OP_DEL = 'D',
	OP_DOMAIN = 'I',
	OP_DOMAIN_GONE = 'R',
	OP_WATCH = 'W',
	OP_UNWATCH = 'U',
	OP_WATCH_RESET = 'X',
	OP_QUOTA = 'Q',
	OP_DOMAIN_QUOTA = 'q',
};

#define QUOTA_NAME_MAX 64 /* longest quota name a record may carry */

struct xsd_log {
	int fd;
	int dirfd;
	uint64_t size;      /* bytes in the file */
	uint64_t snap_size; /* size right after the last compaction */
	char *buf;          /* pending batch: 8-byte record header + ops */
	size_t len, cap;
};

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t i, j;

	if (crc_table[1])
		return;
	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (j = 0; j < 8; j++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

static uint32_t crc32_buf(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint32_t c = 0xffffffffu;

	while (len--)
		c = crc_table[(c ^ *b++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static int buf_reserve(struct xsd_log *l, size_t more)
{
	size_t ncap;
	char *nb;

	if (l->len + more <= l->cap)
		return 0;
	ncap = l->cap ? l->cap : 4096;
	while (ncap < l->len + more)
		ncap *= 2;
	nb = realloc(l->buf, ncap);
	if (!nb)
		return -1;
	l->buf = nb;
	l->cap = ncap;
	return 0;
}

static void put(struct xsd_log *l, const void *p, size_t n)
{
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

static void put32(struct xsd_log *l, uint32_t v)
{
	put(l, &v, 4);
}

/* Start a record if none is pending (8 bytes: length and CRC, filled at flush). */
static int begin(struct xsd_log *l, size_t more)
{
	if (buf_reserve(l, more + 8) != 0)
		return -1;
	if (l->len == 0)
		l->len = 8;
	return 0;
}

static void put_node(struct xsd_log *l, const struct xs_node *n)
{
	uint32_t i;

	if (begin(l, 1 + 12 + n->pathlen + n->vlen + 5 * n->nperms) != 0)
		return;
	l->buf[l->len++] = OP_NODE;
	put32(l, n->pathlen);
	put(l, n->path, n->pathlen);
	put32(l, n->vlen);
	put(l, n->value, n->vlen);
	put32(l, n->nperms);
	for (i = 0; i < n->nperms; i++) {
		put32(l, n->perms[i].domid);
		l->buf[l->len++] = (char)n->perms[i].perm;
	}
}

void log_node(struct xsd *d, const struct xs_node *n)
{
	if (d->log)
		put_node(d->log, n);
}

void log_delete(struct xsd *d, const char *path, uint32_t len)
{
	struct xsd_log *l = d->log;

	if (!l || begin(l, 5 + len) != 0)
		return;
	l->buf[l->len++] = OP_DEL;
	put32(l, len);
	put(l, path, len);
}

static void put_domain(struct xsd_log *l, const struct xsd_domain *dom)
{
	if (begin(l, 1 + 20) != 0)
		return;
	l->buf[l->len++] = OP_DOMAIN;
	put32(l, dom->domid);
	put(l, &dom->mfn, 8);
	put32(l, dom->port);
	put32(l, dom->target);
}

void log_domain(struct xsd *d, const struct xsd_domain *dom)
{
	if (d->log)
		put_domain(d->log, dom);
}

void log_domain_gone(struct xsd *d, uint32_t domid)
{
	struct xsd_log *l = d->log;

	if (!l || begin(l, 5) != 0)
		return;
	l->buf[l->len++] = OP_DOMAIN_GONE;
	put32(l, domid);
}

/* Watch records: domid, path, token (and for 'W' the relative-path prefix length). */
static void put_watch(struct xsd_log *l, char op, uint32_t domid, const struct xs_watch *w)
{
	if (begin(l, 1 + 20 + w->plen + w->tlen) != 0)
		return;
	l->buf[l->len++] = op;
	put32(l, domid);
	put32(l, w->plen);
	put(l, w->path, w->plen);
	put32(l, w->tlen);
	put(l, w->token, w->tlen);
	if (op == OP_WATCH)
		put32(l, w->relskip);
}

void log_watch(struct xsd *d, uint32_t domid, const struct xs_watch *w)
{
	if (d->log && !d->replaying)
		put_watch(d->log, OP_WATCH, domid, w);
}

void log_unwatch(struct xsd *d, uint32_t domid, const struct xs_watch *w)
{
	if (d->log && !d->replaying)
		put_watch(d->log, OP_UNWATCH, domid, w);
}

void log_watch_reset(struct xsd *d, uint32_t domid)
{
	struct xsd_log *l = d->log;

	if (!l || d->replaying || begin(l, 5) != 0)
		return;
	l->buf[l->len++] = OP_WATCH_RESET;
	put32(l, domid);
}

/* Quotas go by name, so that the numbering of quota ids is not part of the format. */
static void put_quota(struct xsd_log *l, char op, uint32_t domid, int id, uint32_t value,
                      uint32_t base)
{
	const char *name = quota_name(id);
	uint32_t nlen = (uint32_t)strlen(name);

	if (begin(l, 1 + 16 + nlen) != 0)
		return;
	l->buf[l->len++] = op;
	if (op == OP_DOMAIN_QUOTA)
		put32(l, domid);
	put32(l, nlen);
	put(l, name, nlen);
	put32(l, value);
	if (op == OP_QUOTA)
		put32(l, base);
}

void log_quota(struct xsd *d, int id)
{
	if (d->log && !d->replaying)
		put_quota(d->log, OP_QUOTA, 0, id, d->quota.v[id], d->quota_base.v[id]);
}

void log_domain_quota(struct xsd *d, const struct xsd_domain *dom, int id)
{
	if (d->log && !d->replaying)
		put_quota(d->log, OP_DOMAIN_QUOTA, dom->domid, id, dom->quota.v[id], 0);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Seal the pending record (length + CRC) in place. */
static void seal(struct xsd_log *l)
{
	uint32_t len = (uint32_t)(l->len - 8), crc = crc32_buf(l->buf + 8, len);

	memcpy(l->buf, &len, 4);
	memcpy(l->buf + 4, &crc, 4);
}

int log_flush(struct xsd *d)
{
	struct xsd_log *l = d->log;
	int err;

	if (!l || l->len == 0)
		return 0;
	seal(l);
	err = write_all(l->fd, l->buf, l->len);
	if (err == 0)
		l->size += l->len;
	l->len = 0;
	if (l->cap > (1u << 20)) { /* do not keep a huge buffer after a snapshot-sized batch */
		free(l->buf);
		l->buf = NULL;
		l->cap = 0;
	}
	if (err)
		return -1;
	if (l->size > LOG_MIN_COMPACT && l->size > 4 * l->snap_size)
		return log_compact(d);
	return 0;
}

struct snap_watch {
	struct xsd_log *l;
	uint32_t domid;
};

static void snap_watch(void *arg, const struct xs_watch *w)
{
	struct snap_watch *sw = arg;

	put_watch(sw->l, OP_WATCH, sw->domid, w);
}

/*
 * Append the whole state as one record to l's buffer: nodes (parents
 * before children), then each introduced domain with its quota overrides
 * and watches, then the global quotas changed at run time.
 */
static int snapshot(struct xsd *d, struct xsd_log *l)
{
	struct xs_node **queue;
	size_t qlen = 0, i, cap = d->nodes.count + 1;
	char *cpath = d->scratch;
	uint32_t id;
	int q;

	queue = malloc(cap * sizeof(*queue));
	if (!queue)
		return -1;
	queue[qlen] = store_lookup(d, "/", 1);
	if (queue[qlen])
		qlen++;
	for (i = 0; i < qlen; i++) {
		struct xs_node *n = queue[i];
		uint32_t pos = 0;

		put_node(l, n);
		while (pos < n->clen) {
			uint32_t cl = (uint32_t)strlen(n->children + pos);
			uint32_t plen = n->pathlen > 1 ? n->pathlen : 0;
			struct xs_node *c;

			memcpy(cpath, n->path, plen);
			cpath[plen] = '/';
			memcpy(cpath + plen + 1, n->children + pos, cl);
			c = store_lookup(d, cpath, plen + 1 + cl);
			if (c && qlen < cap)
				queue[qlen++] = c;
			pos += cl + 1;
		}
	}
	free(queue);
	for (id = 0; id < XSD_DOMID_MAX; id++) {
		struct xsd_domain *dom = d->doms[id];
		struct snap_watch sw = {l, id};

		if (!dom || !dom->introduced)
			continue;
		put_domain(l, dom);
		for (q = 0; q < QUOTA_COUNT; q++)
			if (dom->quota_mask & (1u << q))
				put_quota(l, OP_DOMAIN_QUOTA, id, q, dom->quota.v[q], 0);
		watch_each_kept(d, id, snap_watch, &sw);
	}
	for (q = 0; q < QUOTA_COUNT; q++)
		if (d->quota.v[q] != d->quota_base.v[q])
			put_quota(l, OP_QUOTA, 0, q, d->quota.v[q], d->quota_base.v[q]);
	return 0;
}

int log_compact(struct xsd *d)
{
	struct xsd_log *l = d->log;
	struct xsd_log tmp = {.fd = -1};
	int fd = -1, ret = -1;

	if (!l)
		return 0;
	fd = openat(l->dirfd, LOG_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	if (write_all(fd, LOG_MAGIC, LOG_MAGIC_LEN) != 0 || snapshot(d, &tmp) != 0)
		goto out;
	if (tmp.len) {
		seal(&tmp);
		if (write_all(fd, tmp.buf, tmp.len) != 0)
			goto out;
	}
	if (renameat(l->dirfd, LOG_TMP, l->dirfd, LOG_NAME) != 0)
		goto out;
	close(l->fd);
	l->fd = fd;
	fd = -1;
	l->size = l->snap_size = LOG_MAGIC_LEN + tmp.len;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(tmp.buf);
	if (ret)
		xsd_warn(d, "log compaction failed: %s", strerror(errno));
	return ret;
}

static uint32_t get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/*
 * A length-prefixed string at p + *pos (record length len): at most max
 * bytes and no NUL, copied NUL-terminated to out.  -1 if malformed.
 */
static int get_str(const char *p, uint32_t len, uint32_t *pos, uint32_t max, char *out,
                   uint32_t *outlen)
{
	uint32_t n;

	if (len - *pos < 4)
		return -1;
	n = get32(p + *pos);
	if (n > max || n > len - *pos - 4 || memchr(p + *pos + 4, '\0', n))
		return -1;
	memcpy(out, p + *pos + 4, n);
	out[n] = '\0';
	*pos += 4 + n;
	if (outlen)
		*outlen = n;
	return 0;
}

/* Replay context: things that outlive one record. */
struct replay {
	bool rewrite; /* the file no longer says what the state is: compact it after opening */
	char path[XSD_ABS_PATH_MAX + 1];
	char token[XENSTORE_PAYLOAD_MAX + 1];
};

/* 'W', 'U': one watch of a domain; -1 if malformed. */
static int replay_watch(struct xsd *d, struct replay *rp, char op, const char *p, uint32_t len,
                        uint32_t *pos)
{
	uint32_t domid, plen, relskip = 0;

	if (len - *pos < 4)
		return -1;
	domid = get32(p + *pos);
	*pos += 4;
	if (domid >= XSD_DOMID_MAX ||
	    get_str(p, len, pos, XSD_ABS_PATH_MAX, rp->path, &plen) != 0 ||
	    get_str(p, len, pos, XENSTORE_PAYLOAD_MAX, rp->token, NULL) != 0 ||
	    (rp->path[0] != '/' && rp->path[0] != '@'))
		return -1;
	if (op == OP_UNWATCH) {
		watch_forget(d, domid, rp->path, rp->token);
		return 0;
	}
	if (len - *pos < 4)
		return -1;
	relskip = get32(p + *pos);
	*pos += 4;
	if (relskip && (relskip >= plen || rp->path[relskip - 1] != '/'))
		return -1;
	if (watch_restore(d, domid, rp->path, relskip, rp->token) == ENOENT)
		xsd_warn(d, "log replay: watch %s of domain %u, which is not introduced", rp->path,
		         domid);
	return 0;
}

/* 'Q', 'q': a run-time quota change; -1 if malformed. */
static int replay_quota(struct xsd *d, struct replay *rp, char op, const char *p, uint32_t len,
                        uint32_t *pos)
{
	uint32_t domid = 0, value, base = 0;
	char name[QUOTA_NAME_MAX + 1];
	int id;

	if (op == OP_DOMAIN_QUOTA) {
		if (len - *pos < 4)
			return -1;
		domid = get32(p + *pos);
		*pos += 4;
		if (domid >= XSD_DOMID_MAX)
			return -1;
	}
	if (get_str(p, len, pos, QUOTA_NAME_MAX, name, NULL) != 0 ||
	    len - *pos < (op == OP_QUOTA ? 8u : 4u))
		return -1;
	value = get32(p + *pos);
	if (op == OP_QUOTA)
		base = get32(p + *pos + 4);
	*pos += op == OP_QUOTA ? 8 : 4;
	id = quota_lookup(name);
	if (id < 0) {
		xsd_warn(d, "log replay: unknown quota '%s' ignored", name);
	} else if (op == OP_DOMAIN_QUOTA) {
		domain_set_quota(d, domid, id, value);
	} else if (d->quota_base.v[id] == base) {
		d->quota.v[id] = value;
	} else {
		/* the start options changed since: they win over the older run-time change */
		xsd_warn(d,
		         "log replay: quota %s was set to %u when it started as %u; it starts as "
		         "%u now, which stays",
		         name, value, base, d->quota_base.v[id]);
		d->quota.v[id] = d->quota_base.v[id];
		rp->rewrite = true;
	}
	return 0;
}

/* Apply one record body; -1 if it is malformed (nothing after it is trusted). */
static int replay_record(struct xsd *d, struct replay *rp, const char *p, uint32_t len)
{
	uint32_t pos = 0;
	struct xs_perm *perms = NULL;
	int ret = -1;

	while (pos < len) {
		char op = p[pos++];
		uint32_t plen, vlen, np, i;
		const char *path, *val;

		switch (op) {
		case OP_NODE:
			if (len - pos < 4 || (plen = get32(p + pos)) > XSD_ABS_PATH_MAX ||
			    len - pos - 4 < plen + 4)
				goto out;
			path = p + pos + 4;
			pos += 4 + plen;
			vlen = get32(p + pos);
			if (len - pos - 4 < vlen || len - pos - 4 - vlen < 4)
				goto out;
			val = p + pos + 4;
			pos += 4 + vlen;
			np = get32(p + pos);
			pos += 4;
			if (np == 0 || np > (len - pos) / 5)
				goto out;
			free(perms);
			perms = malloc(np * sizeof(*perms));
			if (!perms)
				goto out;
			for (i = 0; i < np; i++, pos += 5) {
				perms[i].domid = get32(p + pos);
				perms[i].perm = (unsigned char)p[pos + 4] & 3;
			}
			if (tree_set(d, path, plen, val, vlen, perms, np, true, false) != 0)
				xsd_warn(d, "log replay: cannot set %.*s", (int)plen, path);
			break;
		case OP_DEL: {
			struct xs_node *n;

			if (len - pos < 4 || (plen = get32(p + pos)) > len - pos - 4)
				goto out;
			n = store_lookup(d, p + pos + 4, plen);
			if (n)
				tree_delete(d, n, false);
			pos += 4 + plen;
			break;
		}
		case OP_DOMAIN: {
			uint32_t domid, port, target;
			uint64_t mfn;

			if (len - pos < 20)
				goto out;
			domid = get32(p + pos);
			memcpy(&mfn, p + pos + 4, 8);
			port = get32(p + pos + 12);
			target = get32(p + pos + 16);
			pos += 20;
			if (domain_introduce(d, domid, mfn, port) == 0)
				d->doms[domid]->target = target;
			break;
		}
		case OP_DOMAIN_GONE:
			if (len - pos < 4)
				goto out;
			domain_release(d, get32(p + pos));
			pos += 4;
			break;
		case OP_WATCH:
		case OP_UNWATCH:
			if (replay_watch(d, rp, op, p, len, &pos) != 0)
				goto out;
			break;
		case OP_WATCH_RESET:
			if (len - pos < 4 || get32(p + pos) >= XSD_DOMID_MAX)
				goto out;
			watch_release(d, get32(p + pos)); /* no connections yet: the parked ones */
			pos += 4;
			break;
		case OP_QUOTA:
		case OP_DOMAIN_QUOTA:
			if (replay_quota(d, rp, op, p, len, &pos) != 0)
				goto out;
			break;
		default:
			goto out;
		}
	}
	ret = 0;
out:
	free(perms);
	return ret;
}

int log_replay(struct xsd *d, int fd, uint64_t *good_len)
{
	struct replay *rp = NULL;
	struct stat st;
	char *data = NULL;
	size_t size, pos;
	ssize_t r;
	int ret = 0;

	*good_len = 0;
	if (fstat(fd, &st) != 0)
		return -1;
	size = (size_t)st.st_size;
	if (size == 0)
		return 0;
	data = malloc(size);
	rp = calloc(1, sizeof(*rp));
	if (!data || !rp) {
		free(data);
		free(rp);
		return -1;
	}
	for (pos = 0; pos < size; pos += (size_t)r) {
		r = pread(fd, data + pos, size - pos, (off_t)pos);
		if (r <= 0) {
			size = pos;
			break;
		}
	}
	crc_init();
	d->replaying = true;
	if (size >= LOG_MAGIC_LEN && memcmp(data, LOG_MAGIC_V1, LOG_MAGIC_LEN) == 0) {
		rp->rewrite = true; /* an old file: rewritten in the current format */
	} else if (size < LOG_MAGIC_LEN || memcmp(data, LOG_MAGIC, LOG_MAGIC_LEN) != 0) {
		xsd_warn(d, "log: bad magic, ignoring the file");
		goto done;
	}
	pos = LOG_MAGIC_LEN;
	*good_len = pos;
	while (size - pos >= 8) {
		uint32_t len = get32(data + pos), crc = get32(data + pos + 4);

		if (len > size - pos - 8 || crc32_buf(data + pos + 8, len) != crc)
			break;
		if (replay_record(d, rp, data + pos + 8, len) != 0)
			break;
		pos += 8 + len;
		*good_len = pos;
	}
	if (*good_len != size)
		xsd_warn(d, "log: ignoring %zu damaged or incomplete bytes at the end",
		         size - (size_t)*good_len);
	ret = rp->rewrite;
done:
	d->replaying = false;
	free(data);
	free(rp);
	return ret;
}

int log_open(struct xsd *d, const char *dir)
{
	struct xsd_log *l = calloc(1, sizeof(*l));
	uint64_t good = 0;
	int fd = -1, rewrite;

	if (!l)
		return -1;
	crc_init();
	d->quota_base = d->quota; /* run-time quota changes are recorded against these */
	l->fd = -1;
	l->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0)
		goto fail;
	fd = openat(l->dirfd, LOG_NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	rewrite = log_replay(d, fd, &good);
	if (rewrite < 0)
		goto fail;
	if (good < LOG_MAGIC_LEN) {
		if (ftruncate(fd, 0) != 0 ||
		    pwrite(fd, LOG_MAGIC, LOG_MAGIC_LEN, 0) != LOG_MAGIC_LEN)
			goto fail;
		good = LOG_MAGIC_LEN;
	} else if (ftruncate(fd, (off_t)good) != 0) {
		goto fail;
	}
	if (lseek(fd, (off_t)good, SEEK_SET) < 0)
		goto fail;
	l->fd = fd;
	l->size = good;
	l->snap_size = good;
	d->log = l;
	if (rewrite)
		log_compact(d); /* on failure the file stays readable, only older */
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l);
	return -1;
}

void log_close(struct xsd *d)
{
	struct xsd_log *l = d->log;

	if (!l)
		return;
	log_flush(d);
	close(l->fd);
	close(l->dirfd);
	free(l->buf);
	free(l);
	d->log = NULL;
}
