/*
 * The journal's writer: every mutation of the live tree (and of the
 * introduced domains, their watches and the run-time quotas) is appended to
 * xenstore.log in the state directory, with one write(2) per batch before
 * any reply of that batch leaves the daemon, and the file is rewritten as a
 * snapshot when it has grown.  By default a batch is in the kernel when its
 * replies go out (it survives the daemon, not a power loss); with d->fsync
 * (--fsync) it is on the disk: fdatasync per batch, and a compaction syncs
 * the new file before renaming it and the directory after.  journal-replay.c reads it back at start; the
 * format is described in docs/xenstore-journal.md.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "xsd.h"

#define JOURNAL_NAME        "xenstore.log"
#define JOURNAL_TMP         "xenstore.log.new"
#define JOURNAL_MIN_COMPACT (4u << 20) /* never compact below 4 MiB */

struct xsd_journal {
	int fd;
	int dirfd;
	uint64_t size;      /* bytes in the file */
	uint64_t snap_size; /* size right after the last compaction */
	char *buf;          /* pending batch: 8-byte record header + ops */
	size_t len, cap;
};

static int buf_reserve(struct xsd_journal *l, size_t more)
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

static void put(struct xsd_journal *l, const void *p, size_t n)
{
	memcpy(l->buf + l->len, p, n);
	l->len += n;
}

static void put32(struct xsd_journal *l, uint32_t v)
{
	put(l, &v, 4);
}

/* Start a record if none is pending (8 bytes: length and CRC, filled at flush). */
static int begin(struct xsd_journal *l, size_t more)
{
	if (buf_reserve(l, more + 8) != 0)
		return -1;
	if (l->len == 0)
		l->len = 8;
	return 0;
}

static void put_node(struct xsd_journal *l, const struct xs_node *n)
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

void journal_node(struct xsd *d, const struct xs_node *n)
{
	if (d->journal)
		put_node(d->journal, n);
}

void journal_delete(struct xsd *d, const char *path, uint32_t len)
{
	struct xsd_journal *l = d->journal;

	if (!l || begin(l, 5 + len) != 0)
		return;
	l->buf[l->len++] = OP_DEL;
	put32(l, len);
	put(l, path, len);
}

static void put_domain(struct xsd_journal *l, const struct xsd_domain *dom)
{
	if (begin(l, 1 + 20) != 0)
		return;
	l->buf[l->len++] = OP_DOMAIN;
	put32(l, dom->domid);
	put(l, &dom->mfn, 8);
	put32(l, dom->port);
	put32(l, dom->target);
}

void journal_domain(struct xsd *d, const struct xsd_domain *dom)
{
	if (d->journal)
		put_domain(d->journal, dom);
}

void journal_domain_gone(struct xsd *d, uint32_t domid)
{
	struct xsd_journal *l = d->journal;

	if (!l || begin(l, 5) != 0)
		return;
	l->buf[l->len++] = OP_DOMAIN_GONE;
	put32(l, domid);
}

/* Watch records: domid, path, token (and for 'W' the relative-path prefix length). */
static void put_watch(struct xsd_journal *l, char op, uint32_t domid, const struct xs_watch *w)
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

void journal_watch(struct xsd *d, uint32_t domid, const struct xs_watch *w)
{
	if (d->journal && !d->replaying)
		put_watch(d->journal, OP_WATCH, domid, w);
}

void journal_unwatch(struct xsd *d, uint32_t domid, const struct xs_watch *w)
{
	if (d->journal && !d->replaying)
		put_watch(d->journal, OP_UNWATCH, domid, w);
}

void journal_watch_reset(struct xsd *d, uint32_t domid)
{
	struct xsd_journal *l = d->journal;

	if (!l || d->replaying || begin(l, 5) != 0)
		return;
	l->buf[l->len++] = OP_WATCH_RESET;
	put32(l, domid);
}

/* Quotas go by name, so that the numbering of quota ids is not part of the format. */
static void put_quota(struct xsd_journal *l, char op, uint32_t domid, int id, uint32_t value,
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

void journal_quota(struct xsd *d, int id)
{
	if (d->journal && !d->replaying)
		put_quota(d->journal, OP_QUOTA, 0, id, d->quota.v[id], d->quota_base.v[id]);
}

void journal_domain_quota(struct xsd *d, const struct xsd_domain *dom, int id)
{
	if (d->journal && !d->replaying)
		put_quota(d->journal, OP_DOMAIN_QUOTA, dom->domid, id, dom->quota.v[id], 0);
}

/* Write all n bytes of p to fd (retrying after a signal); -1 on an I/O error. */
static int write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	for (size_t done = 0; done < n; done += (size_t)w) {
		w = write(fd, p + done, n - done);
		if (w < 0 && errno != EINTR)
			return -1;
		if (w < 0)
			w = 0;
	}
	return 0;
}

/* Seal the pending record (length + CRC) in place. */
static void seal(struct xsd_journal *l)
{
	uint32_t len = (uint32_t)(l->len - 8), crc = journal_crc32(l->buf + 8, len);

	memcpy(l->buf, &len, 4);
	memcpy(l->buf + 4, &crc, 4);
}

int journal_flush(struct xsd *d)
{
	struct xsd_journal *l = d->journal;
	int err;

	if (!l || l->len == 0)
		return 0;
	seal(l);
	err = write_all(l->fd, l->buf, l->len);
	if (err == 0 && d->fsync && fdatasync(l->fd) != 0)
		err = -1;
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
	if (l->size > JOURNAL_MIN_COMPACT && l->size > 4 * l->snap_size)
		return journal_compact(d);
	return 0;
}

struct snap_watch {
	struct xsd_journal *l;
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
static int snapshot(struct xsd *d, struct xsd_journal *l)
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

int journal_compact(struct xsd *d)
{
	struct xsd_journal *l = d->journal;
	struct xsd_journal tmp = {.fd = -1};
	int fd = -1, ret = -1;

	if (!l)
		return 0;
	/* a fresh file: never an old one's contents, never through a link */
	if (unlinkat(l->dirfd, JOURNAL_TMP, 0) != 0 && errno != ENOENT)
		goto out;
	fd = openat(l->dirfd, JOURNAL_TMP, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	            0600);
	if (fd < 0)
		goto out;
	if (write_all(fd, JOURNAL_MAGIC, JOURNAL_MAGIC_LEN) != 0 || snapshot(d, &tmp) != 0)
		goto out;
	if (tmp.len) {
		seal(&tmp);
		if (write_all(fd, tmp.buf, tmp.len) != 0)
			goto out;
	}
	if (d->fsync && fsync(fd) != 0)
		goto out;
	if (renameat(l->dirfd, JOURNAL_TMP, l->dirfd, JOURNAL_NAME) != 0)
		goto out;
	if (d->fsync && fsync(l->dirfd) != 0)
		xsd_warn(d, "log compaction: cannot sync the directory: %s", strerror(errno));
	close(l->fd);
	l->fd = fd;
	fd = -1;
	l->size = l->snap_size = JOURNAL_MAGIC_LEN + tmp.len;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(tmp.buf);
	if (ret)
		xsd_warn(d, "log compaction failed: %s", strerror(errno));
	return ret;
}

int journal_open(struct xsd *d, int dirfd)
{
	struct xsd_journal *l = calloc(1, sizeof(*l));
	uint64_t good = 0;
	struct stat st;
	int fd = -1, rewrite, err;

	if (!l)
		return -1;
	d->quota_base = d->quota; /* run-time quota changes are recorded against these */
	l->fd = -1;
	l->dirfd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (l->dirfd < 0)
		goto fail;
	/* never through a link (ELOOP), and only a regular file */
	fd = openat(l->dirfd, JOURNAL_NAME, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		goto fail;
	if (fstat(fd, &st) != 0)
		goto fail;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	rewrite = journal_replay(d, fd, &good);
	if (rewrite < 0)
		goto fail;
	if (good < JOURNAL_MAGIC_LEN) {
		if (ftruncate(fd, 0) != 0 ||
		    pwrite(fd, JOURNAL_MAGIC, JOURNAL_MAGIC_LEN, 0) != JOURNAL_MAGIC_LEN)
			goto fail;
		good = JOURNAL_MAGIC_LEN;
	} else if (ftruncate(fd, (off_t)good) != 0) {
		goto fail;
	}
	if (lseek(fd, (off_t)good, SEEK_SET) < 0)
		goto fail;
	/* the file (perhaps just made, or cut) and its name on the disk before it is relied on */
	if (d->fsync && (fsync(fd) != 0 || fsync(l->dirfd) != 0))
		goto fail;
	l->fd = fd;
	l->size = good;
	l->snap_size = good;
	d->journal = l;
	if (rewrite)
		journal_compact(d); /* on failure the file stays readable, only older */
	return 0;
fail:
	err = errno;
	if (fd >= 0)
		close(fd);
	if (l->dirfd >= 0)
		close(l->dirfd);
	free(l);
	errno = err;
	return -1;
}

void journal_close(struct xsd *d)
{
	struct xsd_journal *l = d->journal;

	if (!l)
		return;
	journal_flush(d);
	close(l->fd);
	close(l->dirfd);
	free(l->buf);
	free(l);
	d->journal = NULL;
}
