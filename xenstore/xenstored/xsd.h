/*
 * shoji-xenstored internals: the store (nodes, transactions, watches,
 * domains, quotas, journal) and the protocol layer.  Nothing here knows about
 * libevent; the daemon's event loop lives in xenstored.c.
 *
 * Error convention: store and protocol functions return 0 or a positive
 * errno value (EINVAL, ENOENT, ...) that the dispatcher turns into the wire
 * error "ENAME".  Allocation failure is ENOMEM.
 */
#ifndef SHOJI_XSD_H
#define SHOJI_XSD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <shoji/io/xs_wire.h>

#define XSD_DOMID_MAX  0x7ff0u /* DOMID_FIRST_RESERVED: ids above are not domains */
#define XSD_PRIV_DOMID 0u      /* dom0: privileged */

/* ---- paths (path.c) ---- */

#define XSD_ABS_PATH_MAX 3072 /* longest absolute path we ever store */

/*
 * Canonicalise a request path: check characters and shape, resolve a
 * relative path under /local/domain/<domid>/ and apply the path-max quota.
 * Writes a NUL-terminated absolute path into out (XSD_ABS_PATH_MAX + 1 bytes)
 * and returns 0, or EINVAL.  "@..." special paths are accepted only when
 * allow_special is set, and are returned unchanged.
 */
int path_canon(const char *in, uint32_t domid, uint32_t path_max, bool allow_special, char *out,
               uint32_t *outlen);
/* True when child is node or lies below it (prefix at a '/' boundary). */
bool path_is_below(const char *child, uint32_t clen, const char *node, uint32_t nlen);
/* Length of the parent of path (1 for "/a"); 0 for "/". */
uint32_t path_parent_len(const char *path, uint32_t len);
/* Number of '/'-separated components ("/" is 0). */
uint32_t path_depth(const char *path, uint32_t len);

/* ---- permissions (perms.c) ---- */

#define XS_PERM_NONE  0u
#define XS_PERM_READ  1u
#define XS_PERM_WRITE 2u
#define XS_PERM_BOTH  3u
#define XS_PERM_OWNER 4u /* internal: the request needs ownership */

struct xs_perm {
	uint32_t domid;
	uint32_t perm;
};

/* Parse "r5\0n0\0..." (n entries, NUL separated, total len bytes).  EINVAL on junk. */
int perms_parse(const char *buf, uint32_t len, struct xs_perm *out, uint32_t max, uint32_t *n);
/* Append the wire form of perms to buf (which must hold perms_wire_len()). */
uint32_t perms_format(const struct xs_perm *p, uint32_t n, char *buf);
uint32_t perms_wire_len(const struct xs_perm *p, uint32_t n);

/* Who is asking: the connection's domain, its target and its privilege. */
struct xs_who {
	uint32_t domid;
	uint32_t target; /* SET_TARGET delegation, or XSD_DOMID_MAX for none */
	bool priv;
};

/* Permission bits (XS_PERM_*) that who has on a node with these perms. */
uint32_t perms_get(const struct xs_who *who, const struct xs_perm *p, uint32_t n);

/* ---- nodes and the store (tree.c) ---- */

/* Transaction overlay flags (only on nodes held in a transaction). */
#define TXN_GONE     0x01u /* absent in the transaction's view */
#define TXN_DEP      0x02u /* commit requires main's generation == base_gen */
#define TXN_DIRTY    0x04u /* value/perms (or existence) changed by the transaction */
#define TXN_NEED     0x08u /* commit requires the node to exist in main */
#define TXN_REPLACED 0x10u /* deleted and re-created: drop main's subtree first */

struct xs_node {
	struct xs_node *hnext; /* hash chain */
	struct xs_node *dnext; /* transaction: dirty list */
	uint64_t gen;          /* bumped on every change of value, perms or children */
	uint64_t base_gen;     /* transaction: main's gen when first accessed (0: absent) */
	char *value;
	char *children; /* "a\0b\0": the DIRECTORY payload, insertion order */
	struct xs_perm *perms;
	uint32_t hash;
	uint32_t pathlen;
	uint32_t vlen, vcap;
	uint32_t clen, ccap;
	uint32_t nperms;
	uint32_t txflags;
	uint32_t dorder; /* transaction: order in the dirty list */
	char path[];     /* NUL terminated */
};

struct xs_htab {
	struct xs_node **b;
	uint32_t mask;
	uint32_t count;
};

uint32_t xs_hash(const char *s, uint32_t len);
struct xs_node *htab_find(const struct xs_htab *h, const char *path, uint32_t len, uint32_t hash);
int htab_insert(struct xs_htab *h, struct xs_node *n);
void htab_remove(struct xs_htab *h, struct xs_node *n);
void htab_free(struct xs_htab *h);

/* Allocate a node with a copy of path; value/children empty, no perms. */
struct xs_node *node_alloc(const char *path, uint32_t len, uint32_t hash);
void node_free(struct xs_node *n);
int node_set_value(struct xs_node *n, const void *val, uint32_t len);
int node_set_perms(struct xs_node *n, const struct xs_perm *p, uint32_t np);
int node_add_child(struct xs_node *n, const char *name, uint32_t len);
void node_del_child(struct xs_node *n, const char *name, uint32_t len);
/* Copy value, perms and children of src into dst (same path). */
int node_copy_data(struct xs_node *dst, const struct xs_node *src);
/* Bytes a node costs its owner under the memory quota. */
uint32_t node_mem(const struct xs_node *n);

/* ---- quotas (quota.c) ---- */

enum xsd_quota_id {
	QUOTA_NODES,
	QUOTA_WATCHES,
	QUOTA_TRANSACTIONS,
	QUOTA_OUTSTANDING,
	QUOTA_TX_NODES,
	QUOTA_MEMORY,
	QUOTA_NODE_SIZE,
	QUOTA_PATH_MAX,
	QUOTA_PERMS,
	QUOTA_PRIV_WATCHES,      /* privileged connections: high, but not without bound */
	QUOTA_PRIV_TRANSACTIONS, /* likewise */
	QUOTA_COUNT
};

struct xsd_quota {
	uint32_t v[QUOTA_COUNT];
};

/* Xen's (C xenstored 4.17) defaults. */
void quota_defaults(struct xsd_quota *q);
/* Index of a quota by name ("nodes", "watches", ...), or -1. */
int quota_lookup(const char *name);
const char *quota_name(int id);
const char *quota_help(int id);
/* The smallest value quota id may be set to (quota.c says why). */
uint32_t quota_min(int id);
struct xsd;
/*
 * Run-time change of a global quota (SET_QUOTA, CONTROL quota): set and
 * journalled; EINVAL below its minimum.
 */
int quota_set(struct xsd *d, int id, uint32_t value);

/* ---- domains and accounting (domain.c) ---- */

struct xsd_domain {
	uint32_t domid;
	bool introduced;
	uint64_t mfn;
	uint32_t port;
	uint32_t target;     /* SET_TARGET, or XSD_DOMID_MAX */
	uint32_t quota_mask; /* bit id set: quota.v[id] overrides the global value */
	struct xsd_quota quota;
	/* watches the domain keeps while it has no ring connection (oldest first) */
	struct xs_watch *parked;
	/* accounting of what this domid owns or uses */
	int64_t nodes;
	int64_t memory;
	uint32_t watches;
	uint32_t transactions;
	int64_t cnt_nodes, cnt_mem; /* domain_check's recount */
};

struct xsd_domain *domain_get(struct xsd *d, uint32_t domid, bool create);
/* Effective quota value for a domain. */
uint32_t domain_quota(struct xsd *d, uint32_t domid, int id);
/*
 * SET_QUOTA for an introduced domain: override one quota (journalled);
 * ENOENT otherwise, EINVAL below its minimum.
 */
int domain_set_quota(struct xsd *d, uint32_t domid, int id, uint32_t value);
/* INTRODUCE: record (or refresh) a domain; fires @introduceDomain when new. */
int domain_introduce(struct xsd *d, uint32_t domid, uint64_t mfn, uint32_t port);
/*
 * RELEASE: forget the domain, chown its nodes to dom0, drop its ACL entries,
 * its watches and its quota overrides.
 */
int domain_release(struct xsd *d, uint32_t domid);
int domain_set_target(struct xsd *d, uint32_t domid, uint32_t target);
void domain_free_all(struct xsd *d);
/* Recount node/memory accounting from the tree; returns number of mismatches fixed. */
int domain_check(struct xsd *d, char *report, size_t len);

/* ---- transactions (transaction.c) ---- */

struct xs_conn;
struct xs_tx {
	struct xs_tx *next; /* per connection */
	uint32_t id;
	struct xs_htab overlay;
	struct xs_node *dirty_head, **dirty_tail;
	uint32_t ndirty;
	uint32_t ngone; /* overlay entries marked gone (ancestor checks needed) */
	uint32_t nodes; /* overlay entries (tx-nodes quota) */
	/* node and memory delta per owner caused by this transaction (few owners: linear) */
	uint32_t ndelta, cdelta;
	struct xs_tx_delta {
		uint32_t domid;
		int32_t nodes;
		int64_t mem;
	} * delta;
};

/* ---- watches (watch.c) ---- */

struct xs_watch {
	struct xs_watch *next;    /* per connection */
	struct xs_watch *hnext;   /* list of every watch */
	struct xs_watch **hprevp; /* list of every watch */
	struct xs_watch *bnext;   /* hash bucket (by path) */
	uint32_t hash;            /* xs_hash(path) */
	struct xs_conn *conn;     /* NULL while parked on its domain */
	char *token;
	uint32_t tlen;
	uint32_t plen;    /* registered (absolute) path length */
	uint32_t relskip; /* bytes to strip from event paths (relative watch), else 0 */
	char path[];      /* absolute path or "@..." */
};

/* ---- connections (conn.c) ---- */

struct xs_transport_ops {
	const char *name;
	/* read up to len bytes: >0 bytes, 0 EOF, -1 with errno (EAGAIN: nothing yet) */
	ssize_t (*read)(struct xs_conn *c, void *buf, size_t len);
	/* write up to len bytes: >=0 bytes written, -1 with errno */
	ssize_t (*write)(struct xs_conn *c, const void *buf, size_t len);
	void (*close)(struct xs_conn *c);
};

#define XSD_INBUF_SIZE (16 * 1024)

struct xs_conn {
	struct xs_conn *next, **prevp; /* all connections */
	struct xs_conn *fnext;         /* pending flush list */
	struct xsd *d;
	const struct xs_transport_ops *ops;
	void *tp; /* transport private data */
	int fd;
	uint32_t domid;
	bool priv;
	bool dead;      /* drop as soon as the loop gets back to it */
	bool flushing;  /* on the flush list */
	bool is_domain; /* a domain (ring) connection: unprivileged unless dom0 */
	/* input */
	char *in;
	uint32_t inlen;
	/* output */
	char *out;
	size_t outoff, outlen, outcap;
	size_t out_limit;
	struct xs_tx *txs;
	uint32_t ntx;
	uint32_t next_txid;
	struct xs_watch *watches;
	uint32_t nwatches;
	void *loop_data; /* the event loop's per-connection state */
};

struct xs_conn *conn_new(struct xsd *d, const struct xs_transport_ops *ops, void *tp, int fd,
                         uint32_t domid, bool priv);
/* Tear down: watches, transactions, buffers; calls ops->close. */
void conn_free(struct xs_conn *c);
/* Queue a message for c (header + payload).  Marks c dead when over its limit. */
void conn_send(struct xs_conn *c, uint32_t type, uint32_t req_id, uint32_t tx_id, const void *p1,
               uint32_t l1, const void *p2, uint32_t l2);
/*
 * Read what is available and handle the complete messages, stopping while
 * the connection is throttled (too much unsent output: the rest waits in
 * the input buffer).  Returns -1 when c must be closed.
 */
int conn_input(struct xs_conn *c);
/* Handle buffered messages without reading (after output drained). */
int conn_process(struct xs_conn *c);
/* Put c on the flush list (its output, then its buffered input, get looked at). */
void conn_want_flush(struct xs_conn *c);
/* True while c has so much unsent output that its input is not handled. */
bool conn_throttled(const struct xs_conn *c);
/* Write queued output.  Returns 1 when output remains, 0 when empty, -1 on error. */
int conn_output(struct xs_conn *c);
extern const struct xs_transport_ops xs_socket_ops;

/* ---- the daemon context ---- */

struct xsd_journal;

struct xsd {
	struct xs_htab nodes;
	uint64_t gen;
	struct xsd_quota quota;
	struct xsd_quota quota_base; /* the start values (options) run-time changes are made to */
	struct xsd_domain **doms;    /* indexed by domid, created on demand */
	struct xs_conn *conns;
	struct xs_conn *flush_list;
	struct xs_watch *watch_list; /* every watch */
	struct xs_watch **wbuckets;  /* watches by path: mask + 1 buckets */
	uint32_t wmask, nwatches;
	struct xsd_journal *journal; /* NULL: no persistence (unit tests, fuzzer) */
	bool fsync;                  /* journal: on the disk before replies go out (--fsync) */
	bool replaying;              /* journal replay: no watches, no journal records */
	bool trace;                  /* CONTROL log on: trace requests to stderr */
	size_t out_limit;            /* per-connection output limit in bytes */
	/* INTRODUCE of a domain with no live connection: connect its ring (NULL: record only) */
	int (*ring_connect)(struct xsd *d, uint32_t domid, uint64_t gfn, uint32_t port);
	void *ring_data; /* for ring_connect */
	/* Where the core's warnings go (the daemon sets its log); NULL: dropped. */
	void (*warn)(const char *msg);
	char scratch[XENSTORE_PAYLOAD_MAX + 64];
};

int xsd_init(struct xsd *d);
void xsd_fini(struct xsd *d);
/* A warning of the store core: formatted and handed to d->warn, if set. */
void xsd_warn(struct xsd *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- store operations (tree.c, transaction.c) ----
 * tx == NULL works on the live tree (journalling and firing watches at once);
 * otherwise on the transaction's private view.  Paths are canonical.
 */
struct xs_node *store_lookup(struct xsd *d, const char *path, uint32_t len);
/* Node visible to a request (and record a read dependency in tx); NULL if absent. */
struct xs_node *store_get(struct xsd *d, struct xs_tx *tx, const char *path, uint32_t len,
                          bool dep);
int store_write(struct xsd *d, struct xs_tx *tx, const struct xs_who *who, const char *path,
                uint32_t len, const void *val, uint32_t vlen, bool mkdir);
int store_rm(struct xsd *d, struct xs_tx *tx, const struct xs_who *who, const char *path,
             uint32_t len);
int store_set_perms(struct xsd *d, struct xs_tx *tx, const struct xs_who *who, const char *path,
                    uint32_t len, const struct xs_perm *p, uint32_t np);
/* Check who may access node n in mode (XS_PERM_READ/WRITE); 0 or EACCES. */
int store_check(const struct xs_who *who, const struct xs_node *n, uint32_t mode);
/* Build the initial tree (/, /tool, /tool/xenstored) if the store is empty. */
int store_init_root(struct xsd *d);
/* Main-tree primitives (also used by journal replay and transaction commit). */
int tree_set(struct xsd *d, const char *path, uint32_t len, const void *val, uint32_t vlen,
             const struct xs_perm *p, uint32_t np, bool set_value, bool fire);
int tree_delete(struct xsd *d, struct xs_node *n, bool fire);
void tree_free_all(struct xsd *d);
void account_node(struct xsd *d, const struct xs_node *n, int sign);

struct xs_tx *tx_start(struct xsd *d, struct xs_conn *c);
struct xs_tx *tx_find(struct xs_conn *c, uint32_t id);
/* Commit (or abort) and free tx: 0, EAGAIN on conflict, ENOSPC over quota. */
int tx_end(struct xsd *d, struct xs_conn *c, struct xs_tx *tx, bool commit);
void tx_free(struct xsd *d, struct xs_tx *tx);
/* Transaction-view helpers used by tree.c. */
struct xs_node *tx_get(struct xsd *d, struct xs_tx *tx, const char *path, uint32_t len, bool dep);
struct xs_node *tx_make(struct xsd *d, struct xs_tx *tx, const char *path, uint32_t len);
void tx_mark_dirty(struct xs_tx *tx, struct xs_node *n);
int tx_rm(struct xsd *d, struct xs_tx *tx, struct xs_node *n);
int tx_delta(struct xs_tx *tx, uint32_t domid, int nodes, int mem);
int32_t tx_delta_nodes(const struct xs_tx *tx, uint32_t domid);

/* ---- watches (watch.c) ----
 * The watches of a domain's (ring) connection belong to the introduced
 * domain: they are journalled, survive a restart and a closed connection
 * (parked on the domain until it has a ring again) and end with RELEASE.
 * Socket clients' watches end with their connection.
 */
int watch_add(struct xsd *d, struct xs_conn *c, const char *path, uint32_t relskip,
              const char *token, struct xs_watch **added);
/* Queue w's initial event for its connection: the path as registered and the token. */
void watch_initial_event(const struct xs_watch *w);
int watch_del(struct xsd *d, struct xs_conn *c, const char *path, const char *token);
/* The client dropped all its watches (RESET_WATCHES, XENSTORE_RECONNECT). */
void watch_del_all(struct xsd *d, struct xs_conn *c);
/* c is closing: a domain's watches are parked on the domain, others freed. */
void watch_conn_closed(struct xsd *d, struct xs_conn *c);
/* c is a new ring connection: serve the domain's parked watches on it, each with its event. */
void watch_attach(struct xsd *d, struct xs_conn *c);
/* Log replay: give introduced domain domid a (parked) watch; EEXIST and ENOENT are harmless. */
int watch_restore(struct xsd *d, uint32_t domid, const char *path, uint32_t relskip,
                  const char *token);
/*
 * CONTROL watch: give introduced domain domid a watch of its own (a restored domain's), on its
 * ring connection when it has one (with its initial event), else parked (journalled either
 * way).  ENOENT: not introduced; EEXIST, E2BIG as WATCH.
 */
int watch_give(struct xsd *d, uint32_t domid, const char *path, uint32_t relskip,
               const char *token);
/* Log replay: drop one of a domain's parked watches. */
void watch_forget(struct xsd *d, uint32_t domid, const char *path, const char *token);
/* RELEASE: drop every watch of domid, parked or on its connections (not journalled). */
void watch_release(struct xsd *d, uint32_t domid);
/* Call fn for every watch domid keeps across a restart, oldest first (for snapshots). */
void watch_each_kept(struct xsd *d, uint32_t domid, void (*fn)(void *arg, const struct xs_watch *w),
                     void *arg);
/*
 * Fire watches for a change of path.  recurse: the node was removed, so
 * watches below it fire too (with their own path).  n: the node as it was
 * (its perms decide who may see the event); NULL for special paths.
 */
void watch_fire(struct xsd *d, const char *path, uint32_t len, const struct xs_node *n,
                bool recurse);

/* ---- the journal (journal.c writes it, journal-replay.c reads it back) ----
 * Every change of the live tree, the introduced domains, their watches and
 * the run-time quotas is recorded; docs/xenstore-journal.md has the format.
 * Without journal_open (d->journal NULL) the record calls do nothing.
 */
/*
 * Replay the journal of the directory dirfd into d, then append to it (made
 * if missing; the journal keeps its own copy of dirfd).  The journal and its
 * temporary file are never opened through a symbolic link (ELOOP), and the
 * journal must be a regular file (EINVAL).  -1 with errno.
 */
int journal_open(struct xsd *d, int dirfd);
/* Flush what is pending and close the journal. */
void journal_close(struct xsd *d);
void journal_node(struct xsd *d, const struct xs_node *n);
void journal_delete(struct xsd *d, const char *path, uint32_t len);
void journal_domain(struct xsd *d, const struct xsd_domain *dom);
void journal_domain_gone(struct xsd *d, uint32_t domid);
void journal_watch(struct xsd *d, uint32_t domid, const struct xs_watch *w);
void journal_unwatch(struct xsd *d, uint32_t domid, const struct xs_watch *w);
void journal_watch_reset(struct xsd *d, uint32_t domid);
void journal_quota(struct xsd *d, int id);
void journal_domain_quota(struct xsd *d, const struct xsd_domain *dom, int id);
/*
 * Write what was recorded since the last flush (one write(2)), and with
 * d->fsync wait until it is on the disk (fdatasync); -1 on I/O error.
 */
int journal_flush(struct xsd *d);
/* Rewrite the journal as a snapshot of the current state. */
int journal_compact(struct xsd *d);
/*
 * Replay a journal file into d (journal_open does, at start).  Stops at the
 * first damaged record; *good_len is the length of the good part.  Returns 1
 * when the file should be rewritten as a snapshot (an older format, or
 * records that no longer apply), 0 otherwise, -1 on a read error or no memory.
 */
int journal_replay(struct xsd *d, int fd, uint64_t *good_len);

/* ---- protocol (proto.c) ---- */
/* Handle one complete message from c.  payload holds hdr->len bytes. */
void proto_handle(struct xsd *d, struct xs_conn *c, const struct xsd_sockmsg *hdr,
                  const char *payload);
const char *proto_errname(int err);

#endif
