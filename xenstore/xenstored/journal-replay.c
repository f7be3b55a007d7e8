/*
 * The journal's replay: at start, the records of xenstore.log (written by
 * journal.c, format in docs/xenstore-journal.md) are applied to the store in
 * order, up to the first damaged one.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "xsd.h"

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
	char name[JOURNAL_QUOTA_NAME_MAX + 1];
	int id;

	if (op == OP_DOMAIN_QUOTA) {
		if (len - *pos < 4)
			return -1;
		domid = get32(p + *pos);
		*pos += 4;
		if (domid >= XSD_DOMID_MAX)
			return -1;
	}
	if (get_str(p, len, pos, JOURNAL_QUOTA_NAME_MAX, name, NULL) != 0 ||
	    len - *pos < (op == OP_QUOTA ? 8u : 4u))
		return -1;
	value = get32(p + *pos);
	if (op == OP_QUOTA)
		base = get32(p + *pos + 4);
	*pos += op == OP_QUOTA ? 8 : 4;
	id = quota_lookup(name);
	if (id < 0) {
		xsd_warn(d, "log replay: unknown quota '%s' ignored", name);
	} else if (value < quota_min(id)) {
		/* older daemons took any value: path-max 0 made every path invalid */
		xsd_warn(d, "log replay: quota %s of %u is below its minimum %u; ignored", name,
		         value, quota_min(id));
		rp->rewrite = true;
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
		case OP_WATCH_RESET: {
			uint32_t domid;

			if (len - pos < 4)
				goto out;
			domid = get32(p + pos);
			pos += 4;
			if (op == OP_DOMAIN_GONE)
				domain_release(d, domid);
			else if (domid < XSD_DOMID_MAX)
				watch_release(d, domid); /* no connections yet: the parked ones */
			else
				goto out;
			break;
		}
		case OP_WATCH:
		case OP_UNWATCH:
			if (replay_watch(d, rp, op, p, len, &pos) != 0)
				goto out;
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

int journal_replay(struct xsd *d, int fd, uint64_t *good_len)
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
	d->replaying = true;
	if (size >= JOURNAL_MAGIC_LEN && memcmp(data, JOURNAL_MAGIC_V1, JOURNAL_MAGIC_LEN) == 0) {
		rp->rewrite = true; /* an old file: rewritten in the current format */
	} else if (size < JOURNAL_MAGIC_LEN ||
	           memcmp(data, JOURNAL_MAGIC, JOURNAL_MAGIC_LEN) != 0) {
		xsd_warn(d, "log: bad magic, ignoring the file");
		goto done;
	}
	pos = JOURNAL_MAGIC_LEN;
	*good_len = pos;
	while (size - pos >= 8) {
		uint32_t len = get32(data + pos), crc = get32(data + pos + 4);

		if (len > size - pos - 8 || journal_crc32(data + pos + 8, len) != crc)
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
