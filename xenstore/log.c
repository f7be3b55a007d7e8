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

#define LOG_MAGIC       "SHOJIXS1"
#define LOG_MAGIC_LEN   8
#define LOG_NAME        "xenstore.log"
#define LOG_TMP         "xenstore.log.new"
#define LOG_MIN_COMPACT (4u << 20) /* never compact below 4 MiB */

enum { OP_NODE = 'N', OP_DEL = 'D', OP_DOMAIN = 'I', OP_DOMAIN_GONE = 'R' };

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

/* Append the whole state as one record to l's buffer (parents before children). */
static int snapshot(struct xsd *d, struct xsd_log *l)
{
	struct xs_node **queue;
	size_t qlen = 0, i, cap = d->nodes.count + 1;
	char *cpath = d->scratch;
	uint32_t id;

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
	for (id = 0; id < XSD_DOMID_MAX; id++)
		if (d->doms[id] && d->doms[id]->introduced)
			put_domain(l, d->doms[id]);
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
		xsd_warn("log compaction failed: %s", strerror(errno));
	return ret;
}

static uint32_t get32(const char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Apply one record body; -1 if it is malformed (nothing after it is trusted). */
static int replay_record(struct xsd *d, const char *p, uint32_t len)
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
				xsd_warn("log replay: cannot set %.*s", (int)plen, path);
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
	struct stat st;
	char *data = NULL;
	size_t size, pos;
	ssize_t r;

	*good_len = 0;
	if (fstat(fd, &st) != 0)
		return -1;
	size = (size_t)st.st_size;
	if (size == 0)
		return 0;
	data = malloc(size);
	if (!data)
		return -1;
	for (pos = 0; pos < size; pos += (size_t)r) {
		r = pread(fd, data + pos, size - pos, (off_t)pos);
		if (r <= 0) {
			size = pos;
			break;
		}
	}
	crc_init();
	d->replaying = true;
	if (size < LOG_MAGIC_LEN || memcmp(data, LOG_MAGIC, LOG_MAGIC_LEN) != 0) {
		xsd_warn("log: bad magic, ignoring the file");
		goto done;
	}
	pos = LOG_MAGIC_LEN;
	*good_len = pos;
	while (size - pos >= 8) {
		uint32_t len = get32(data + pos), crc = get32(data + pos + 4);

		if (len > size - pos - 8 || crc32_buf(data + pos + 8, len) != crc)
			break;
		if (replay_record(d, data + pos + 8, len) != 0)
			break;
		pos += 8 + len;
		*good_len = pos;
	}
	if (*good_len != size)
		xsd_warn("log: ignoring %zu damaged or incomplete bytes at the end",
		         size - (size_t)*good_len);
done:
	d->replaying = false;
	free(data);
	return 0;
}

int log_open(struct xsd *d, const char *dir)
{
	struct xsd_log *l = calloc(1, sizeof(*l));
	uint64_t good = 0;
	int fd = -1;

	if (!l)
		return -1;
	crc_init();
	l->fd = -1;
	l->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (l->dirfd < 0)
		goto fail;
	fd = openat(l->dirfd, LOG_NAME, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	if (log_replay(d, fd, &good) != 0)
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
