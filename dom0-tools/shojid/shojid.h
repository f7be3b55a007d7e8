/*
 * shojid: the Shoji Dom0 toolstack daemon (see shojid(8)).
 *
 * Error convention: functions return 0 or a positive errno, and a failed
 * operation leaves a one-line reason in the caller's struct sd_err; the
 * API dispatcher sends both to the CLI.  Only the log family (log.h) prints.
 *
 * Layers, each calling only those before it:
 *   err.c, dom.c, action.c, xslayout.c, xsdev.c, vbd.c, vif.c, fsid.c -> state.c
 *   -> coredump.c, spawn.c, detach.c, block.c, net.c
 *   -> build.c -> save.c
 *   -> lifecycle.c -> api.c -> main.c
 * A lower layer tells the ones above through hooks they register: events
 * go out with sd_emit (api.c listens), state_adopt and life_wait take
 * callbacks.
 */
#ifndef SHOJID_H
#define SHOJID_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include <event2/event.h>

#include <shoji/ctrl.h>
#include <shoji/libevtchn.h>
#include <shoji/xs.h>

#include "proto/shojid-api.h"
#include "acceptgate.h"
#include "domxml.h"
#include "log.h"
#include "migstream.h"
#include "usock.h"

struct sd_err {
	char msg[512];
};

/* Sets e->msg and returns err (a positive errno). */
int sd_fail(struct sd_err *e, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* One domain shojid built (or adopted): its running record. */
/* A client's user and group (files it names are reached with its rights). */
struct sd_cred {
	uid_t uid;
	gid_t gid;
};

struct sd_dom {
	struct sd_dom *next;
	uint32_t domid;
	char name[API_NAME_MAX + 1];
	struct domain_config cfg;
	uint64_t target_kib;
	uint64_t start_ns;    /* CLOCK_REALTIME when it was built (0: unknown, an older record) */
	bool acted;           /* the on_* action for its current stop has run */
	struct sd_cred owner; /* who built it: a restart opens its kernel and initrd as owner */
};

/* Recent restarts of one name (lifecycle.c throttles restart loops). */
struct sd_restart_note {
	char name[API_NAME_MAX + 1];
	time_t window_start;
	unsigned int count;
};
#define SD_RESTART_NOTES 32

struct sd_waiter; /* a wait for a shutdown or reboot (lifecycle.c) */
struct sd_detach; /* a block- or network-detach waiting for the backend (detach.c) */
struct sd_client; /* an API connection (api.c) */
struct sd_lost;   /* a domain lost with shoji-hv, to restart (lifecycle.c) */
struct shojid;

/* Something happened to a domain or a definition (build.c, lifecycle.c, api.c say so). */
struct sd_event {
	uint32_t kind;      /* API_EV_* */
	uint32_t domid;     /* API_DOMID_NONE: a definition, not a running domain */
	uint32_t new_domid; /* API_EV_RESTARTED: the domain that replaced domid */
	uint32_t reason;    /* API_EV_SHUTDOWN, API_EV_CRASHED: the guest's shutdown reason */
	const char *name;
};
/* Who hears the events: api.c registers one (for the CLI's subscribers). */
typedef void sd_event_fn(struct shojid *sd, const struct sd_event *ev);

#define SHOJID_MAX_CLIENTS 256        /* --max-clients default */
#define SHOJID_SUB_OUT_MAX (1u << 20) /* events queued for a subscriber that does not read */

struct shojid {
	struct event_base *base;
	const char *socket_path, *group, *state_dir;
	const char *hv_socket, *xs_socket;
	const char *hv_bin, *xs_bin, *consoled_bin, *blkback_bin, *netback_bin;
	const char *log_dir, *run_dir; /* for shoji-consoled */
	const char *dump_dir;          /* core files of on_* coredump-* actions */
	const char *schema;
	char **hv_args, **xs_args; /* extra arguments for the spawned daemons */
	int n_hv_args, n_xs_args;
	bool verbose;
	bool lost_xs; /* xenstored went away for good: exit with status 1 */

	struct domxml_parser *parser;
	struct shoji_ctrl *hv;       /* requests */
	struct shoji_ctrl *hv_ev;    /* the event stream */
	struct shoji_evtchn *evtchn; /* allocates the guests' store and console ports */
	struct shoji_xs *xs;
	struct event *hv_event;
	struct event *hv_retry;  /* shoji-hv went away: reconnects every second */
	struct sd_lost *hv_lost; /* domains lost with it that on_crash restarts when it is back */
	struct event *backends_event; /* supervises shoji-consoled, -blkback and -netback */
	struct event *xs_event;
	struct event *listen_event;
	struct accept_gate gate; /* CLI clients: --max-clients, accept back-off */
	unsigned long max_clients;
	struct log_limit log_writers; /* clients dropped for sending without reading */
	struct log_limit log_readers; /* subscribers dropped for reading nothing */
	struct log_limit log_refused; /* peers neither root nor in --group */
	gid_t group_gid;              /* --group's */
	struct usock_id sock_id;      /* the socket file we bound: removed at exit if still ours */
	struct event *sig_events[3];
	int listen_fd;

	struct sd_dom *doms;
	struct sd_waiter *waiters;
	struct sd_detach *detaches; /* detaches waiting for the backend (detach.c) */
	struct sd_client *clients;
	sd_event_fn *on_event; /* NULL: nobody listens */
	struct sd_restart_note restarts[SD_RESTART_NOTES];
};

/* Tell the listener (if any) about an event; new_domid is API_DOMID_NONE but for a restart. */
static inline void sd_emit(struct shojid *sd, uint32_t kind, uint32_t domid, uint32_t new_domid,
                           uint32_t reason, const char *name)
{
	struct sd_event ev = {
	    .kind = kind, .domid = domid, .new_domid = new_domid, .reason = reason, .name = name};

	if (sd->on_event)
		sd->on_event(sd, &ev);
}

/* dom.c: the running domains (sd->doms). */
/* The domain target names (its name, or its domid in decimal); NULL when shojid runs none. */
struct sd_dom *dom_find(struct shojid *sd, const char *target);
struct sd_dom *dom_by_id(struct shojid *sd, uint32_t domid);
bool dom_name_taken(struct shojid *sd, const char *name);
void dom_link(struct shojid *sd, struct sd_dom *dom);
void dom_unlink(struct shojid *sd, struct sd_dom *dom);
void dom_free(struct sd_dom *dom);

/* spawn.c: make sure shoji-hv and shoji-xenstored answer, starting them if not. */
int sd_spawn_services(struct shojid *sd);
/* Follow the xenstored connection and reconnect when xenstored goes away. */
int sd_watch_xs(struct shojid *sd);
/* Start shoji-consoled and shoji-blkback (those whose binary is set) and start
 * them again whenever they stop. */
int sd_supervise_backends(struct shojid *sd);

/* state.c: definitions, autostart marks and running records in the state directory. */
int state_init(struct shojid *sd);
int state_write_atomic(const char *path, const void *buf, size_t len);
/* The directory part of @path ("." or "/" at the ends), malloc'd; NULL when out of memory. */
char *state_dir_of(const char *path);
/* fsync directory @dir, so a rename into it is durable (best effort). */
void state_fsync_dir(const char *dir);
char *state_path(const struct shojid *sd, const char *dir, const char *name, const char *suffix);
int state_save_def(struct shojid *sd, const struct domain_config *cfg);
int state_load_def(struct shojid *sd, const char *name, struct domain_config *cfg,
                   struct sd_err *e);
bool state_has_def(const struct shojid *sd, const char *name);
int state_remove_def(struct shojid *sd, const char *name);
int state_set_autostart(struct shojid *sd, const char *name, bool on);
/* Autostart on, by who: the autostart builds the domain with who's rights (boot.c). */
int state_mark_autostart(struct shojid *sd, const char *name, const struct sd_cred *who);
/* Who turned autostart on (shojid's own user for a mark that does not say). */
void state_autostart_owner(const struct shojid *sd, const char *name, struct sd_cred *who);
bool state_autostart(const struct shojid *sd, const char *name);
/* Calls fn for each defined name; stops when fn returns non-zero. */
int state_each_def(struct shojid *sd, int (*fn)(struct shojid *, const char *, void *), void *arg);
int state_save_record(struct shojid *sd, const struct sd_dom *dom);
int state_remove_record(struct shojid *sd, uint32_t domid);
/* What to do with a domain that stopped (state and reason as shoji-hv says). */
typedef void sd_stopped_fn(struct shojid *sd, struct sd_dom *dom, enum shoji_domain_state state,
                           uint32_t reason);
/*
 * Re-adopt the domains shoji-hv still runs from their records (at start);
 * the records of those that are gone are removed.  stopped is called for
 * each adopted domain that shut down or crashed meanwhile.
 */
void state_adopt(struct shojid *sd, sd_stopped_fn *stopped);
/* Parse XML text into cfg (second, privileged validation); errors to e. */
int sd_parse_xml(struct shojid *sd, const char *xml, size_t len, struct domain_config *cfg,
                 struct sd_err *e);

/* build.c */
/*
 * The files a domain boots from: the kernel's and initrd's descriptors a
 * client opened with its own rights (-1: not passed), and whose rights
 * shojid takes to open the paths itself when there are none (a restart).
 */
struct sd_boot {
	int kernel_fd, initrd_fd;
	struct sd_cred owner;
};
/* No descriptors, shojid's own identity. */
void boot_init(struct sd_boot *b);
void boot_close(struct sd_boot *b);
/*
 * Whether client as may boot cfg with b: a descriptor passed must be a
 * regular file and the very file cfg names; a client other than root (or
 * shojid's own user) must pass them, so shojid never opens a file on its behalf.
 */
int boot_check(const struct domain_config *cfg, const struct sd_cred *as, const struct sd_boot *b,
               struct sd_err *e);
/* Load dom's kernel and initrd from b's descriptors, or open them as dom's owner (b NULL or
 * without descriptors). */
int boot_load(struct shojid *sd, const struct sd_dom *dom, const struct sd_boot *b,
              struct sd_err *e);
/* Build, load and (unless paused) start a domain from cfg, which it takes
 * over (cfg is left empty, to be freed as usual), from boot's files (NULL:
 * shojid opens the paths itself); on failure nothing is left. */
int dom_build(struct shojid *sd, struct domain_config *cfg, bool paused, const struct sd_boot *boot,
              struct sd_dom **out, struct sd_err *e);
/* Destroy the domain and undo everything dom_build did; frees dom. */
void dom_teardown(struct shojid *sd, struct sd_dom *dom);

/* save.c: save and restore (docs/migration-stream.md). */
/*
 * Write running or paused dom to fd as a save stream, then destroy it (keep:
 * let it run on as before, a checkpoint).  A failed save leaves the domain
 * as it was.  What was written goes to *out.
 */
int save_domain(struct shojid *sd, struct sd_dom *dom, int fd, bool keep,
                struct api_save_reply *out, struct sd_err *e);
/* A restore under way: the stream read so far. */
struct sd_restore {
	struct mig_reader r;
	int fd;
	struct domain_config cfg; /* the saved domain's (valid while have_cfg) */
	bool have_cfg;
	uint32_t saved_domid;
	uint64_t target_kib;
	uint8_t *nodes; /* the XENSTORE record's body */
	size_t nodes_len;
	uint32_t nnodes;
	uint8_t *watches; /* the XS_WATCHES record's body */
	size_t watches_len;
	uint32_t nwatches;
};
/* Read the stream's header and DOMAIN_CONFIG (rs->cfg: the caller checks name and uuid). */
int restore_begin(struct shojid *sd, int fd, struct sd_restore *rs, struct sd_err *e);
/* Read the rest and build the domain (paused if asked) as *out; on failure nothing is left. */
int restore_domain(struct shojid *sd, struct sd_restore *rs, bool paused, struct sd_dom **out,
                   struct sd_err *e);
void restore_free(struct sd_restore *rs);

/* coredump.c: ELF core files of a domain's memory (see shojid(8)). */
/*
 * Write domid's memory to path (atomically: a temporary name, then rename),
 * with as's file-system identity when as is not NULL; a running domain is
 * paused meanwhile (its run state is restored, and the core records it).
 */
int coredump_domain(struct shojid *sd, uint32_t domid, const char *path, const struct sd_cred *as,
                    struct sd_err *e);
/* fsid.c: file-system access with a client's identity (see fsid.c). */
#define SD_GROUPS_MAX 256 /* supplementary groups shojid may have */
struct sd_fs_id {
	uid_t uid;
	gid_t gid;
	gid_t groups[SD_GROUPS_MAX];
	int n_groups;
	bool switched;
};
/* Take as's identity (nothing to do when as is NULL or shojid's own); EPERM on failure,
 * after which sd_fs_id_leave must still be called. */
int sd_fs_id_enter(struct sd_fs_id *f, const struct sd_cred *as);
void sd_fs_id_leave(struct sd_fs_id *f);
/* Dump a stopped domain into sd->dump_dir as NAME-DOMID-TIMESTAMP.core; the path goes to path. */
int coredump_action(struct shojid *sd, const struct sd_dom *dom, char *path, size_t len,
                    struct sd_err *e);

/* xslayout.c */
int xs_layout_write(struct shojid *sd, const struct sd_dom *dom, struct sd_err *e);
/* Remove /local/domain/ID, its /vm path and its disks' and vifs' backend directories, and RELEASE
 * the domain. */
void xs_layout_remove(struct shojid *sd, uint32_t domid);
int xs_write_str(struct shojid *sd, uint32_t domid, const char *rel, const char *val,
                 struct sd_err *e);
/* The domain's /vm directory: /vm/UUID, or /vm/UUID-ID when another domain of the same
 * definition (preserved, or the source of a restore) still holds /vm/UUID. */
void xs_vm_path(struct shojid *sd, const struct sd_dom *dom, char *out, size_t len);

/* xsdev.c: the backend and frontend directories of a PV device of class CLS ("vbd",
 * "vif") in xenstore, written in one transaction. */
#define XSDEV_PATH_MAX 128 /* a backend or frontend directory path */
struct xsdev_tx;           /* one transaction's writes: the first failure stops the rest */
void xsdev_fail(struct xsdev_tx *x, const char *what);
void xsdev_put(struct xsdev_tx *x, const char *dir, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Make dir, owned by owner (no access for others) and readable by reader. */
void xsdev_mkdir(struct xsdev_tx *x, const char *dir, uint32_t owner, uint32_t reader);
/* Fail (EEXIST) when dir exists already. */
void xsdev_absent(struct xsdev_tx *x, const char *dir);
bool xsdev_exists(struct xsdev_tx *x, const char *path);
/* Run fn in one transaction (retried on a conflict); 0 or an errno with e set. */
int xsdev_transaction(struct shoji_xs *xs, const char *what,
                      void (*fn)(struct xsdev_tx *, const void *), const void *arg,
                      struct sd_err *e);
/* The backend and frontend directories of a device (each XSDEV_PATH_MAX bytes). */
void xsdev_paths(const char *cls, uint32_t domid, long devid, char *be, char *fe);
/* Ask the backend to let the device go: online=0, state=5 (Closing). */
int xsdev_close(struct shoji_xs *xs, const char *cls, uint32_t domid, long devid, struct sd_err *e);
/* The number in DIR/NAME, -1 when absent or not a number. */
int xsdev_read_int(struct shoji_xs *xs, const char *dir, const char *name);
/* The backend's state (XenbusState*), -1 when the device is gone. */
int xsdev_backend_state(struct shoji_xs *xs, const char *cls, uint32_t domid, long devid);
/* Remove both directories of one device, or every directory of the class of a domain. */
void xsdev_remove(struct shoji_xs *xs, const char *cls, uint32_t domid, long devid);
void xsdev_remove_all(struct shoji_xs *xs, const char *cls, uint32_t domid);

/* vbd.c: PV block devices in xenstore (the contract with shoji-blkback; see vbd.c). */
#define VBD_PATH_MAX XSDEV_PATH_MAX
struct stat;
/* The backend and frontend directories of a device (each VBD_PATH_MAX bytes). */
void vbd_paths(uint32_t domid, long devid, char *be, char *fe);
/* Write both directories of disk d of domid in one transaction; nothing is left on failure. */
int vbd_write(struct shoji_xs *xs, uint32_t domid, const struct domain_disk *d, bool bootable,
              struct sd_err *e);
/* xsdev_close, xsdev_backend_state, xsdev_remove(_all) for class vbd. */
int vbd_close(struct shoji_xs *xs, uint32_t domid, long devid, struct sd_err *e);
int vbd_backend_state(struct shoji_xs *xs, uint32_t domid, long devid);
void vbd_remove(struct shoji_xs *xs, uint32_t domid, long devid);
void vbd_remove_all(struct shoji_xs *xs, uint32_t domid);
/* d's source exists and is of its type (a regular file, or a block device); *st is filled. */
int vbd_check_source(const struct domain_disk *d, struct stat *st, struct sd_err *e);
/* The client as (NULL: shojid itself) can open d's source as d needs it (read, or read
 * and write): a client gets no file through shojid that it could not open itself. */
struct sd_cred;
int vbd_check_access(const struct domain_disk *d, const struct sd_cred *as, struct sd_err *e);
/* d (of cfg) may use that store: no running domain, nor an earlier disk of cfg, has it
 * unless both are read-only. */
int vbd_check_sharing(struct shojid *sd, const struct domain_config *cfg,
                      const struct domain_disk *d, const struct stat *st, struct sd_err *e);

/* vif.c: PV network devices in xenstore (the contract with shoji-netback; see vif.c). */
#define VIF_PATH_MAX  XSDEV_PATH_MAX
#define VIF_DEVID_MAX 65535            /* vifDOMID.DEVID stays within an interface name */
#define SD_SYSFS_NET  "/sys/class/net" /* where the host's interfaces are */
void vif_paths(uint32_t domid, long devid, char *be, char *fe);
/* mac as xenstore and the CLI write it: aa:bb:cc:dd:ee:ff. */
void vif_mac_str(const uint8_t mac[6], char out[18]);
/* The TAP's name (DOMAIN_IFNAME_MAX + 1 bytes): nic's <target dev>, else vifDOMID.DEVID. */
void vif_name(uint32_t domid, long devid, const struct domain_nic *nic, char *out);
/* Write both directories of nic as device devid of domid in one transaction; nothing is
 * left on failure. */
int vif_write(struct shoji_xs *xs, uint32_t domid, long devid, const struct domain_nic *nic,
              struct sd_err *e);
/* xsdev_close, xsdev_remove(_all) for class vif. */
int vif_close(struct shoji_xs *xs, uint32_t domid, long devid, struct sd_err *e);
void vif_remove(struct shoji_xs *xs, uint32_t domid, long devid);
void vif_remove_all(struct shoji_xs *xs, uint32_t domid);
/* The backend's node NAME of a device (malloc'd), NULL when absent. */
char *vif_read(struct shoji_xs *xs, uint32_t domid, long devid, const char *name);
/* The devids of domid's vifs in xenstore (at most max into out); -1 on a xenstore error. */
int vif_devids(struct shoji_xs *xs, uint32_t domid, long *out, size_t max, size_t *n);
/* The devid of domid's vif with that MAC, -1 when none. */
long vif_find_mac(struct shoji_xs *xs, uint32_t domid, const uint8_t mac[6]);
/* A bridge nic's bridge exists (SYSFS/BR/bridge); ENODEV with e set otherwise. */
int vif_check_bridge(const char *sysfs, const struct domain_nic *nic, struct sd_err *e);
/* No host interface NAME exists but a TAP (one shoji-netback may take); EEXIST otherwise. */
int vif_check_ifname(const char *sysfs, const char *name, struct sd_err *e);
/* SYSFS/NAME/statistics/COUNTER, -1 when the interface or counter is absent. */
int64_t vif_counter(const char *sysfs, const char *name, const char *counter);

/* detach.c: waiting for a backend to close a device (block-detach, network-detach). */
/* How a detach ends: status 0, or ETIMEDOUT with a message (the entries are gone either way). */
typedef void sd_detach_done_fn(void *arg, int status, const char *msg);
/* Remove device devid of domid from xenstore and from its domain's record. */
typedef void sd_forget_fn(struct shojid *sd, uint32_t domid, long devid);
/* A detach of that device is under way. */
bool detach_pending(struct shojid *sd, const char *cls, uint32_t domid, long devid);
/* Once the backend of the closed device says Closed (or timeout_s passed), forget it and
 * call done (once) with arg; what names the device in messages. */
int detach_wait(struct shojid *sd, const char *cls, uint32_t domid, long devid, const char *what,
                unsigned int timeout_s, sd_forget_fn *forget, sd_detach_done_fn *done, void *arg,
                struct sd_err *e);
/* The client arg went away: its detaches go on without telling it. */
void detach_drop_waits(struct shojid *sd, void *arg);
/* Stop every wait (shojid exits). */
void detach_close(struct shojid *sd);

/* block.c: the disks of running domains (build, block-attach/detach/list). */
/* Every disk of cfg has its source and may use it (vbd_check_sharing). */
int block_check_config(struct shojid *sd, const struct domain_config *cfg, struct sd_err *e);
/* vbd_check_access for every disk of cfg. */
int block_check_access(const struct domain_config *cfg, const struct sd_cred *as, struct sd_err *e);
/* Write the vbd directories of every disk of dom (the first one bootable). */
int block_write_all(struct shojid *sd, const struct sd_dom *dom, struct sd_err *e);
/* Hot-attach d (taken over on success, left to the caller otherwise) to the running dom;
 * on failure nothing is left in xenstore or the record. */
int block_attach(struct shojid *sd, struct sd_dom *dom, struct domain_disk *d,
                 const struct sd_cred *as, struct sd_err *e);
/* Detach target from dom: at once with force, else once the backend closed (or
 * timeout_s passed); done is called once, maybe before this returns. */
int block_detach(struct shojid *sd, struct sd_dom *dom, const char *target, bool force,
                 unsigned int timeout_s, sd_detach_done_fn *done, void *arg, struct sd_err *e);
/* cfg's disks as block-list shows them, with xenstore's view when domid is not API_DOMID_NONE. */
int block_list(struct shojid *sd, const struct domain_config *cfg, uint32_t domid,
               struct api_vbd **out, size_t *n, struct sd_err *e);

/* net.c: the vifs of running domains (build, network-attach/detach/list). */
/* Every interface of cfg may be used: its bridge exists, its MAC and TAP name are not a
 * running domain's (domid: cfg's own domain when it runs, else API_DOMID_NONE). */
int net_check_config(struct shojid *sd, const struct domain_config *cfg, uint32_t domid,
                     struct sd_err *e);
/* Write the vif directories of every interface of dom (devids 0, 1, ...). */
int net_write_all(struct shojid *sd, const struct sd_dom *dom, struct sd_err *e);
/* Hot-attach nic (taken over on success, left to the caller otherwise) to the running dom
 * as the next devid (*devid); on failure nothing is left in xenstore or the record. */
int net_attach(struct shojid *sd, struct sd_dom *dom, struct domain_nic *nic, long *devid,
               struct sd_err *e);
/* Detach vif devid from dom: at once with force, else once the backend closed (or
 * timeout_s passed); done is called once, maybe before this returns. */
int net_detach(struct shojid *sd, struct sd_dom *dom, long devid, bool force,
               unsigned int timeout_s, sd_detach_done_fn *done, void *arg, struct sd_err *e);
/* cfg's interfaces as network-list shows them, with xenstore's and the host's view when
 * domid is not API_DOMID_NONE. */
int net_list(struct shojid *sd, const struct domain_config *cfg, uint32_t domid,
             struct api_vif **out, size_t *n, struct sd_err *e);

/* action.c: what a stopped domain gets (a crash or watchdog shutdown: on_crash). */
bool life_is_crash(enum shoji_domain_state state, uint32_t reason);
enum domain_action life_action(const struct domain_config *cfg, enum shoji_domain_state state,
                               uint32_t reason);

/* lifecycle.c */
/*
 * shoji-hv's event stream.  When it ends shoji-hv is gone: every domain is
 * reported crashed and dropped (those whose on_crash restarts them are
 * built again once it is back), and shojid reconnects every second.
 */
void life_hv_event(evutil_socket_t fd, short what, void *arg);
/* Free what a shoji-hv that went away left (at exit). */
void life_hv_close(struct shojid *sd);
/* state_adopt, applying the on_* action to each adopted domain that stopped meanwhile. */
void life_adopt(struct shojid *sd);
/*
 * How a wait ends: status 0 when the domain stopped (restarted: the domain
 * that replaced it, for a reboot wait; else NULL; msg "destroyed" when --force
 * destroyed it), or ETIMEDOUT and a reason.
 */
typedef void sd_wait_done_fn(void *arg, int status, struct sd_dom *restarted, const char *msg);
/*
 * Wait up to timeout_s for domid to shut down (or reboot), then call done
 * once with arg; with force a domain that did not stop is destroyed.
 */
int life_wait(struct shojid *sd, uint32_t domid, bool reboot, bool force, unsigned int timeout_s,
              sd_wait_done_fn *done, void *arg);
/* Forget the waits of arg (its client went away): done is not called. */
void life_drop_waits(struct shojid *sd, void *arg);
void life_autostart(struct shojid *sd);

/* api.c: serve the CLI on sd->socket_path; its subscribers hear sd_emit's events. */
int api_listen(struct shojid *sd);
struct api_call;
/*
 * Take descriptor @i (0-based) of those the request being handled brought
 * (the client opened them with its own rights; SCM_RIGHTS): the caller owns
 * it.  -1 when the request brought fewer.  The rest are closed after it.
 */
int api_take_fd(struct api_call *x, unsigned int i);
void api_close(struct shojid *sd);

#endif
