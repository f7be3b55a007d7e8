/*
 * The xenstore wire protocol: one table maps each message type to its
 * handler and flags; the dispatcher checks privilege and looks up the
 * transaction once, and turns a handler's errno into ERROR "ENAME".
 * Replies echo the request's req_id and tx_id.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xsd.h"

#define F_PRIV 0x1u /* only privileged connections */
#define F_TX   0x2u /* works inside a transaction (tx_id looked up) */

struct xs_req {
	struct xsd *d;
	struct xs_conn *c;
	const struct xsd_sockmsg *h;
	const char *p; /* payload, NUL-terminated at p[len] by the caller */
	uint32_t len;
	struct xs_tx *tx;
	struct xs_who who;
};

static const struct {
	int err;
	const char *name;
} errnames[] = {
#define XSD_ERRNAME(name) {name, #name},
    XSD_ERROR_LIST(XSD_ERRNAME)
#undef XSD_ERRNAME
};

const char *proto_errname(int err)
{
	size_t i;

	for (i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].err == err)
			return errnames[i].name;
	return "EIO";
}

static void reply(struct xs_req *r, const void *p, uint32_t len)
{
	conn_send(r->c, r->h->type, r->h->req_id, r->h->tx_id, p, len, NULL, 0);
}

static int reply_ok(struct xs_req *r)
{
	reply(r, "OK", 3);
	return 0;
}

/*
 * Split the payload into up to max NUL-terminated strings.  Returns how
 * many were found; *rest is set past the last one (for WRITE's value).
 * A trailing fragment without its NUL is not counted.
 */
static uint32_t split(const struct xs_req *r, const char **out, uint32_t max, uint32_t *rest)
{
	uint32_t pos = 0, n = 0;

	while (n < max && pos < r->len) {
		size_t l = strnlen(r->p + pos, r->len - pos);

		if (l == r->len - pos)
			break;
		out[n++] = r->p + pos;
		pos += (uint32_t)l + 1;
	}
	if (rest)
		*rest = pos;
	return n;
}

/* Canonical absolute path from a request argument. */
static int canon(struct xs_req *r, const char *in, char *out, uint32_t *len, bool special)
{
	return path_canon(in, r->c->domid, domain_quota(r->d, r->c->domid, QUOTA_PATH_MAX), special,
	                  out, len);
}

/* The single path argument of READ, DIRECTORY, GET_PERMS, MKDIR and RM. */
static int one_path(struct xs_req *r, char *out, uint32_t *len)
{
	const char *a[1];

	if (split(r, a, 1, NULL) != 1)
		return EINVAL;
	return canon(r, a[0], out, len, false);
}

static int parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	uint64_t x = 0;

	if (!*s)
		return EINVAL;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return EINVAL;
		if (x > (max - (uint64_t)(*s - '0')) / 10)
			return EINVAL;
		x = x * 10 + (uint64_t)(*s - '0');
	}
	*v = x;
	return 0;
}

static int parse_domid(const char *s, uint32_t *domid)
{
	uint64_t v;

	if (parse_u64(s, XSD_DOMID_MAX - 1, &v) != 0)
		return EINVAL;
	*domid = (uint32_t)v;
	return 0;
}

/* ---- node operations ---- */

/* The node at canonical @path, if it exists and the requester may read it. */
static int readable(struct xs_req *r, const char *path, uint32_t len, struct xs_node **out)
{
	struct xs_node *n = store_get(r->d, r->tx, path, len, true);

	if (!n)
		return ENOENT;
	*out = n;
	return store_check(&r->who, n, XS_PERM_READ);
}

/* The node named by the request's one path argument, if readable. */
static int readable_arg(struct xs_req *r, struct xs_node **out)
{
	char path[XSD_ABS_PATH_MAX + 1];
	uint32_t len;
	int err = one_path(r, path, &len);

	return err ? err : readable(r, path, len, out);
}

static int do_read(struct xs_req *r)
{
	struct xs_node *n;
	int err = readable_arg(r, &n);

	if (err)
		return err;
	reply(r, n->value, n->vlen);
	return 0;
}

static int do_directory(struct xs_req *r)
{
	struct xs_node *n;
	int err = readable_arg(r, &n);

	if (err)
		return err;
	if (n->clen > XENSTORE_PAYLOAD_MAX)
		return E2BIG; /* the client has to use DIRECTORY_PART */
	reply(r, n->children, n->clen);
	return 0;
}

static int do_directory_part(struct xs_req *r)
{
	char path[XSD_ABS_PATH_MAX + 1], *out = r->d->scratch;
	const char *a[2];
	struct xs_node *n;
	uint64_t off;
	uint32_t len, olen, start, end;
	int err;

	if (split(r, a, 2, NULL) != 2 || parse_u64(a[1], UINT32_MAX, &off) != 0)
		return EINVAL;
	err = canon(r, a[0], path, &len, false);
	if (!err)
		err = readable(r, path, len, &n);
	if (err)
		return err;
	olen = (uint32_t)snprintf(out, 32, "%" PRIu64, n->gen) + 1;
	start = off < n->clen ? (uint32_t)off : n->clen;
	/* whole names only, leaving room for the final NUL */
	end = start;
	while (end < n->clen) {
		uint32_t l = (uint32_t)strlen(n->children + end) + 1;

		if (olen + (end - start) + l + 1 > XENSTORE_PAYLOAD_MAX)
			break;
		end += l;
	}
	if (end == start && end < n->clen)
		return E2BIG;
	memcpy(out + olen, n->children + start, end - start);
	olen += end - start;
	if (end == n->clen)
		out[olen++] = '\0';
	reply(r, out, olen);
	return 0;
}

static int do_get_perms(struct xs_req *r)
{
	struct xs_node *n;
	int err = readable_arg(r, &n);

	if (err)
		return err;
	if (perms_wire_len(n->perms, n->nperms) > XENSTORE_PAYLOAD_MAX)
		return E2BIG;
	reply(r, r->d->scratch, perms_format(n->perms, n->nperms, r->d->scratch));
	return 0;
}

static int do_write(struct xs_req *r)
{
	char path[XSD_ABS_PATH_MAX + 1];
	const char *a[1];
	uint32_t len, rest;
	int err;

	if (split(r, a, 1, &rest) != 1)
		return EINVAL;
	err = canon(r, a[0], path, &len, false);
	if (!err)
		err =
		    store_write(r->d, r->tx, &r->who, path, len, r->p + rest, r->len - rest, false);
	return err ? err : reply_ok(r);
}

static int do_mkdir(struct xs_req *r)
{
	char path[XSD_ABS_PATH_MAX + 1];
	uint32_t len;
	int err = one_path(r, path, &len);

	if (!err)
		err = store_write(r->d, r->tx, &r->who, path, len, NULL, 0, true);
	return err ? err : reply_ok(r);
}

static int do_rm(struct xs_req *r)
{
	char path[XSD_ABS_PATH_MAX + 1];
	uint32_t len;
	int err = one_path(r, path, &len);

	if (!err)
		err = store_rm(r->d, r->tx, &r->who, path, len);
	return err ? err : reply_ok(r);
}

static int do_set_perms(struct xs_req *r)
{
	char path[XSD_ABS_PATH_MAX + 1];
	struct xs_perm perms[XENSTORE_PAYLOAD_MAX / 2];
	const char *a[1];
	uint32_t len, rest, np;
	int err;

	if (split(r, a, 1, &rest) != 1)
		return EINVAL;
	err = canon(r, a[0], path, &len, false);
	if (err)
		return err;
	err = perms_parse(r->p + rest, r->len - rest, perms, XENSTORE_PAYLOAD_MAX / 2, &np);
	if (err)
		return EINVAL;
	err = store_set_perms(r->d, r->tx, &r->who, path, len, perms, np);
	return err ? err : reply_ok(r);
}

/* ---- watches ---- */

static int watch_args(struct xs_req *r, char *path, uint32_t *relskip, const char **token)
{
	const char *a[2];
	uint32_t len;
	int err;

	if (split(r, a, 2, NULL) != 2)
		return EINVAL;
	err = canon(r, a[0], path, &len, true);
	if (err)
		return err;
	*relskip = (a[0][0] != '/' && a[0][0] != '@') ? len - (uint32_t)strlen(a[0]) : 0;
	*token = a[1];
	return 0;
}

static int do_watch(struct xs_req *r)
{
	char path[XSD_ABS_PATH_MAX + 1];
	const char *token;
	struct xs_watch *w = NULL;
	uint32_t relskip;
	int err = watch_args(r, path, &relskip, &token);

	if (!err)
		err = watch_add(r->d, r->c, path, relskip, token, &w);
	if (err)
		return err;
	reply_ok(r);
	watch_initial_event(w);
	return 0;
}

static int do_unwatch(struct xs_req *r)
{
	char path[XSD_ABS_PATH_MAX + 1];
	const char *token;
	uint32_t relskip;
	int err = watch_args(r, path, &relskip, &token);

	if (!err)
		err = watch_del(r->d, r->c, path, token);
	return err ? err : reply_ok(r);
}

static int do_reset_watches(struct xs_req *r)
{
	/* like C xenstored: watches and open transactions of the connection go */
	watch_del_all(r->d, r->c);
	while (r->c->txs)
		tx_end(r->d, r->c, r->c->txs, false);
	return reply_ok(r);
}

/* ---- transactions ---- */

static int do_tx_start(struct xs_req *r)
{
	struct xs_tx *tx;
	char buf[16];

	if (r->h->tx_id != 0)
		return EBUSY;
	if (r->c->ntx >= domain_quota(r->d, r->c->domid,
	                              r->c->priv ? QUOTA_PRIV_TRANSACTIONS : QUOTA_TRANSACTIONS))
		return ENOSPC;
	tx = tx_start(r->d, r->c);
	if (!tx)
		return ENOMEM;
	reply(r, buf, (uint32_t)snprintf(buf, sizeof(buf), "%u", tx->id) + 1);
	return 0;
}

static int do_tx_end(struct xs_req *r)
{
	const char *a[1];
	bool commit;
	int err;

	if (split(r, a, 1, NULL) != 1)
		return EINVAL;
	if (strcmp(a[0], "T") == 0)
		commit = true;
	else if (strcmp(a[0], "F") == 0)
		commit = false;
	else
		return EINVAL;
	if (!r->tx)
		return ENOENT;
	err = tx_end(r->d, r->c, r->tx, commit);
	r->tx = NULL;
	return err ? err : reply_ok(r);
}

/* ---- domains ---- */

static int do_introduce(struct xs_req *r)
{
	const char *a[3];
	uint32_t domid;
	uint64_t mfn, port;
	int err;

	if (split(r, a, 3, NULL) != 3 || parse_domid(a[0], &domid) != 0 ||
	    parse_u64(a[1], UINT64_MAX, &mfn) != 0 || parse_u64(a[2], UINT32_MAX, &port) != 0)
		return EINVAL;
	err = domain_introduce(r->d, domid, mfn, (uint32_t)port);
	return err ? err : reply_ok(r);
}

static int one_domid(struct xs_req *r, uint32_t *domid)
{
	const char *a[1];

	if (split(r, a, 1, NULL) != 1)
		return EINVAL;
	return parse_domid(a[0], domid);
}

static int do_release(struct xs_req *r)
{
	uint32_t domid;
	int err = one_domid(r, &domid);

	if (!err)
		err = domain_release(r->d, domid);
	return err ? err : reply_ok(r);
}

static int do_get_domain_path(struct xs_req *r)
{
	const char *a[1];
	char buf[40];

	if (split(r, a, 1, NULL) != 1)
		return EINVAL;
	/* like C xenstored: the domid is read as atoi() would */
	reply(r, buf,
	      (uint32_t)snprintf(buf, sizeof(buf), "/local/domain/%u",
	                         (unsigned)strtoul(a[0], NULL, 10) & 0xffffu) +
	          1);
	return 0;
}

/* The request's one domid argument, and whether that domain has been introduced. */
static int introduced_arg(struct xs_req *r, uint32_t *domid, bool *introduced)
{
	const struct xsd_domain *dom;
	int err = one_domid(r, domid);

	if (err)
		return err;
	dom = domain_get(r->d, *domid, false);
	*introduced = dom && dom->introduced;
	return 0;
}

static int do_is_introduced(struct xs_req *r)
{
	uint32_t domid;
	bool in;
	int err = introduced_arg(r, &domid, &in);

	if (!err)
		reply(r, (domid == XSD_PRIV_DOMID || in) ? "T" : "F", 2);
	return err;
}

static int do_resume(struct xs_req *r)
{
	uint32_t domid;
	bool in;
	int err = introduced_arg(r, &domid, &in);

	if (!err && !in)
		err = ENOENT;
	return err ? err : reply_ok(r); /* no ring to reset yet: nothing else to do */
}

static int do_set_target(struct xs_req *r)
{
	const char *a[2];
	uint32_t domid, target;
	int err;

	if (split(r, a, 2, NULL) != 2 || parse_domid(a[0], &domid) != 0 ||
	    parse_domid(a[1], &target) != 0)
		return EINVAL;
	err = domain_set_target(r->d, domid, target);
	return err ? err : reply_ok(r);
}

/* ---- quotas ---- */

/* Optional leading domid argument: consumes a[0] when it is all digits. */
static int quota_target(struct xs_req *r, const char **a, uint32_t *n, uint32_t *domid)
{
	*domid = XSD_DOMID_MAX;
	if (*n && a[0][0] >= '0' && a[0][0] <= '9') {
		if (parse_domid(a[0], domid) != 0)
			return EINVAL;
		memmove(a, a + 1, (*n - 1) * sizeof(*a));
		(*n)--;
	}
	return 0;
}

static int do_get_quota(struct xs_req *r)
{
	const char *a[2];
	char *out = r->d->scratch;
	uint32_t n = split(r, a, 2, NULL), domid, olen = 0;
	int id;

	if (n == 1 && a[0][0] == '\0')
		n = 0;
	if (quota_target(r, a, &n, &domid) != 0 || n > 1)
		return EINVAL;
	if (n == 0) {
		for (id = 0; id < QUOTA_COUNT; id++)
			olen += (uint32_t)sprintf(out + olen, "%s", quota_name(id)) + 1;
		reply(r, out, olen);
		return 0;
	}
	id = quota_lookup(a[0]);
	if (id < 0)
		return EINVAL;
	if (domid != XSD_DOMID_MAX && !domain_get(r->d, domid, false))
		return ENOENT;
	olen = (uint32_t)sprintf(
	    out, "%u", domid == XSD_DOMID_MAX ? r->d->quota.v[id] : domain_quota(r->d, domid, id));
	reply(r, out, olen + 1);
	return 0;
}

static int do_set_quota(struct xs_req *r)
{
	const char *a[3];
	uint32_t n = split(r, a, 3, NULL), domid;
	uint64_t v;
	int id, err;

	if (quota_target(r, a, &n, &domid) != 0 || n != 2)
		return EINVAL;
	id = quota_lookup(a[0]);
	if (id < 0 || parse_u64(a[1], UINT32_MAX, &v) != 0)
		return EINVAL;
	if (domid == XSD_DOMID_MAX)
		err = quota_set(r->d, id, (uint32_t)v);
	else
		err = domain_set_quota(r->d, domid, id, (uint32_t)v);
	return err ? err : reply_ok(r);
}

/* ---- CONTROL ---- */

static int ctl_reply(struct xs_req *r, uint32_t len)
{
	r->d->scratch[len] = '\0';
	reply(r, r->d->scratch, len + 1);
	return 0;
}

static int ctl_quota(struct xs_req *r, const char **a, uint32_t n)
{
	char *out = r->d->scratch;
	size_t cap = XENSTORE_PAYLOAD_MAX - 1;
	uint32_t len = 0, domid;
	uint64_t v;
	int id;

	if (n == 0) {
		for (id = 0; id < QUOTA_COUNT; id++)
			len +=
			    (uint32_t)snprintf(out + len, cap - len, "%-18s %10u  %s\n",
			                       quota_name(id), r->d->quota.v[id], quota_help(id));
		return ctl_reply(r, len);
	}
	if (n == 1) {
		struct xsd_domain *dom;

		if (parse_domid(a[0], &domid) != 0)
			return EINVAL;
		dom = domain_get(r->d, domid, false);
		if (!dom)
			return ENOENT;
		len = (uint32_t)snprintf(
		    out, cap, "nodes %lld/%u\nmemory %lld/%u\nwatches %u/%u\ntransactions %u/%u\n",
		    (long long)dom->nodes, domain_quota(r->d, domid, QUOTA_NODES),
		    (long long)dom->memory, domain_quota(r->d, domid, QUOTA_MEMORY), dom->watches,
		    domain_quota(r->d, domid, QUOTA_WATCHES), dom->transactions,
		    domain_quota(r->d, domid, QUOTA_TRANSACTIONS));
		return ctl_reply(r, len);
	}
	if (n != 2 || (id = quota_lookup(a[0])) < 0 || parse_u64(a[1], UINT32_MAX, &v) != 0)
		return EINVAL;
	return quota_set(r->d, id, (uint32_t)v) ? EINVAL : reply_ok(r);
}

/* A domain's own watches (a toolstack saving it): ctl_watches' state. */
struct watch_list {
	char *out;
	uint32_t len, cap, skip, count;
	bool full;
};

/* watch_each_kept callback: "PATH\0TOKEN\0" (PATH relative for a relative watch) while it fits. */
static void list_watch(void *arg, const struct xs_watch *w)
{
	struct watch_list *l = arg;
	const char *p = w->path + w->relskip;
	uint32_t need = w->plen - w->relskip + 1 + w->tlen + 1;

	if (l->skip) {
		l->skip--;
		return;
	}
	if (l->full || l->len + need > l->cap) {
		l->full = true;
		return;
	}
	memcpy(l->out + l->len, p, w->plen - w->relskip + 1);
	l->len += w->plen - w->relskip + 1;
	memcpy(l->out + l->len, w->token, w->tlen + 1);
	l->len += w->tlen + 1;
	l->count++;
}

/*
 * "watches DOMID [FROM]": the watches domain DOMID keeps (oldest first, from the FROM-th),
 * as many as fit in one reply; an empty reply ends the list.  Dom0's socket clients only.
 */
static int ctl_watches(struct xs_req *r, const char **a, uint32_t n)
{
	struct watch_list l = {.out = r->d->scratch, .cap = XENSTORE_PAYLOAD_MAX - 1};
	uint32_t domid;
	uint64_t from = 0;
	struct xsd_domain *dom;

	if (n < 1 || n > 2 || parse_domid(a[0], &domid) != 0 ||
	    (n == 2 && parse_u64(a[1], UINT32_MAX, &from) != 0))
		return EINVAL;
	dom = domain_get(r->d, domid, false);
	if (!dom || !dom->introduced)
		return ENOENT;
	l.skip = (uint32_t)from;
	watch_each_kept(r->d, domid, list_watch, &l);
	if (l.len == 0) {
		reply(r, "", 1);
		return 0;
	}
	reply(r, l.out, l.len);
	return 0;
}

/* "watch DOMID PATH TOKEN": give domain DOMID a watch of its own (PATH relative to its home
 * when it does not start with / or @).  Dom0's socket clients only. */
static int ctl_watch(struct xs_req *r, const char **a, uint32_t n)
{
	char path[XSD_ABS_PATH_MAX + 1];
	uint32_t domid, len, relskip;
	int err;

	if (n != 3 || parse_domid(a[0], &domid) != 0)
		return EINVAL;
	err = path_canon(a[1], domid, domain_quota(r->d, domid, QUOTA_PATH_MAX), true, path, &len);
	if (err)
		return err;
	relskip = (a[1][0] != '/' && a[1][0] != '@') ? len - (uint32_t)strlen(a[1]) : 0;
	err = watch_give(r->d, domid, path, relskip, a[2]);
	return err ? err : reply_ok(r);
}

static int do_control(struct xs_req *r)
{
	const char *a[4];
	uint32_t n = split(r, a, 4, NULL);

	if (n == 0)
		return EINVAL;
	if (strcmp(a[0], "help") == 0) {
		static const char help[] = "help\n"
		                           "quota [NAME VALUE | DOMID]\n"
		                           "log on|off\n"
		                           "check\n"
		                           "compact\n"
		                           "watches DOMID [FROM]\n"
		                           "watch DOMID PATH TOKEN\n";

		reply(r, help, sizeof(help));
		return 0;
	}
	if (strcmp(a[0], "quota") == 0)
		return ctl_quota(r, a + 1, n - 1);
	if (strcmp(a[0], "log") == 0) {
		if (n != 2 || (strcmp(a[1], "on") != 0 && strcmp(a[1], "off") != 0))
			return EINVAL;
		r->d->trace = strcmp(a[1], "on") == 0;
		return reply_ok(r);
	}
	if (strcmp(a[0], "check") == 0) {
		int bad = domain_check(r->d, r->d->scratch, XENSTORE_PAYLOAD_MAX - 8);

		if (bad < 0)
			return ENOMEM;
		if (bad == 0)
			return reply_ok(r);
		return ctl_reply(r, (uint32_t)strnlen(r->d->scratch, XENSTORE_PAYLOAD_MAX - 8));
	}
	if (strcmp(a[0], "watches") == 0 || strcmp(a[0], "watch") == 0) {
		if (r->c->is_domain) /* a guest's ring, dom0's too: not for guests to touch */
			return EACCES;
		return a[0][5] ? ctl_watches(r, a + 1, n - 1) : ctl_watch(r, a + 1, n - 1);
	}
	if (strcmp(a[0], "compact") == 0) {
		if (journal_flush(r->d) != 0 || journal_compact(r->d) != 0)
			return EIO;
		return reply_ok(r);
	}
	return EINVAL;
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	int (*fn)(struct xs_req *r);
	uint32_t flags;
} wire_ops[XS_TYPE_COUNT] = {
    [XS_CONTROL] = {"CONTROL", do_control, F_PRIV},
    [XS_DIRECTORY] = {"DIRECTORY", do_directory, F_TX},
    [XS_READ] = {"READ", do_read, F_TX},
    [XS_GET_PERMS] = {"GET_PERMS", do_get_perms, F_TX},
    [XS_WATCH] = {"WATCH", do_watch, 0},
    [XS_UNWATCH] = {"UNWATCH", do_unwatch, 0},
    [XS_TRANSACTION_START] = {"TRANSACTION_START", do_tx_start, 0},
    [XS_TRANSACTION_END] = {"TRANSACTION_END", do_tx_end, F_TX},
    [XS_INTRODUCE] = {"INTRODUCE", do_introduce, F_PRIV},
    [XS_RELEASE] = {"RELEASE", do_release, F_PRIV},
    [XS_GET_DOMAIN_PATH] = {"GET_DOMAIN_PATH", do_get_domain_path, 0},
    [XS_WRITE] = {"WRITE", do_write, F_TX},
    [XS_MKDIR] = {"MKDIR", do_mkdir, F_TX},
    [XS_RM] = {"RM", do_rm, F_TX},
    [XS_SET_PERMS] = {"SET_PERMS", do_set_perms, F_TX},
    [XS_IS_DOMAIN_INTRODUCED] = {"IS_DOMAIN_INTRODUCED", do_is_introduced, F_PRIV},
    [XS_RESUME] = {"RESUME", do_resume, F_PRIV},
    [XS_SET_TARGET] = {"SET_TARGET", do_set_target, F_PRIV},
    [XS_RESET_WATCHES] = {"RESET_WATCHES", do_reset_watches, 0},
    [XS_DIRECTORY_PART] = {"DIRECTORY_PART", do_directory_part, F_TX},
    [XS_GET_QUOTA] = {"GET_QUOTA", do_get_quota, F_PRIV},
    [XS_SET_QUOTA] = {"SET_QUOTA", do_set_quota, F_PRIV},
};

void proto_handle(struct xsd *d, struct xs_conn *c, const struct xsd_sockmsg *hdr,
                  const char *payload)
{
	struct xs_req r = {.d = d, .c = c, .h = hdr, .p = payload, .len = hdr->len};
	struct xsd_domain *dom;
	int err;

	if (hdr->type >= XS_TYPE_COUNT || !wire_ops[hdr->type].fn) {
		err = ENOSYS;
		goto out;
	}
	if (d->trace)
		fprintf(stderr, "xenstored: dom%u %s req %u tx %u len %u\n", c->domid,
		        wire_ops[hdr->type].name, hdr->req_id, hdr->tx_id, hdr->len);
	if ((wire_ops[hdr->type].flags & F_PRIV) && !c->priv) {
		err = EACCES;
		goto out;
	}
	if ((wire_ops[hdr->type].flags & F_TX) && hdr->tx_id != 0) {
		r.tx = tx_find(c, hdr->tx_id);
		if (!r.tx) {
			err = ENOENT;
			goto out;
		}
		if (!c->priv && hdr->type != XS_TRANSACTION_END &&
		    r.tx->nodes >= domain_quota(d, c->domid, QUOTA_TX_NODES)) {
			err = ENOSPC;
			goto out;
		}
	}
	r.who.domid = c->domid;
	r.who.priv = c->priv;
	dom = domain_get(d, c->domid, false);
	r.who.target = dom ? dom->target : XSD_DOMID_MAX;
	err = wire_ops[hdr->type].fn(&r);
out:
	if (err) {
		const char *name = proto_errname(err);

		conn_send(c, XS_ERROR, hdr->req_id, hdr->tx_id, name, (uint32_t)strlen(name) + 1,
		          NULL, 0);
	}
}
