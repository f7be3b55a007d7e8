/*
 * shoji/ctrl.h - libshoji-ctrl: the Dom0 client of shoji-hv's control socket.
 *
 * A connection is a struct shoji_ctrl.  Every call returns 0 (or a count) on
 * success and -1 with errno set on failure; nothing prints or exits.  The
 * errno values: ESRCH no such domain, EINVAL a bad argument, ENOEXEC an
 * image the loader refused (the reason is in the error buffer), EPROTO a
 * shoji-hv speaking another protocol version, ECONNRESET shoji-hv went away.
 * A connection is not thread-safe; open one per thread.
 */
#ifndef SHOJI_CTRL_H
#define SHOJI_CTRL_H

#include <stddef.h>
#include <stdint.h>

#include <shoji/limits.h>

#ifdef __cplusplus
extern "C" {
#endif

/* shoji-hv's default control socket. */
#define SHOJI_CTRL_DEFAULT_SOCKET "/run/shoji/hv.sock"

enum shoji_domain_state {
	SHOJI_DOMAIN_RUNNING = 0,  /* at least one vCPU runs */
	SHOJI_DOMAIN_BLOCKED = 1,  /* every online vCPU waits for an event */
	SHOJI_DOMAIN_PAUSED = 2,   /* created, or paused by the toolstack */
	SHOJI_DOMAIN_SHUTDOWN = 3, /* SCHEDOP_shutdown; see shutdown_reason */
	SHOJI_DOMAIN_CRASHED = 4,  /* died (triple fault, unhandled exit) */
	SHOJI_DOMAIN_DYING = 5,    /* being destroyed */
	SHOJI_DOMAIN_GONE = 100,   /* events only: destroyed */
	/*
	 * Events only, domid 0: shoji-hv dropped events for this subscriber (it
	 * read too slowly); later events are complete.  Re-read the domains
	 * (shoji_ctrl_list, shoji_ctrl_info) and reconcile.
	 */
	SHOJI_EVENT_OVERFLOW = 101
};

/* Limits (SHOJI_DOMAIN_*) are in <shoji/limits.h>. */
struct shoji_domain_config {
	const char *name;       /* NULL or "": "domain-<id>"; else 1 .. NAME_MAX bytes */
	uint64_t memory_kib;    /* MEMORY_MIN_KIB .. MEMORY_MAX_KIB, rounded up to 4 KiB */
	uint32_t vcpus;         /* 1 .. VCPUS_MAX */
	const char *hide_cpuid; /* comma-separated features, "none", or NULL for the default */
	uint8_t uuid[16];       /* the domain's UUID; all zero: shoji-hv generates one */
};

struct shoji_dominfo {
	uint32_t domid;
	enum shoji_domain_state state;
	uint32_t shutdown_reason; /* SHUTDOWN_* when shut down or crashed */
	uint32_t vcpus;
	uint32_t online_vcpus;
	uint64_t max_kib;     /* memory limit */
	uint64_t cur_kib;     /* memory populated now */
	uint64_t cpu_time_ns; /* host CPU time of all vCPU threads */
	uint8_t uuid[16];
	char name[SHOJI_DOMAIN_NAME_MAX + 1];
};

struct shoji_ctrl_event {
	uint32_t domid;
	enum shoji_domain_state state;
	uint32_t shutdown_reason;
};

/* A vCPU's registers (shoji_ctrl_vcpu_context). */
struct shoji_vcpu_context {
	uint32_t vcpu;
	uint32_t online; /* 1 once brought up */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint64_t fs_base, gs_base;
	uint16_t cs, ds, es, fs, gs, ss;
};

/* Where a vCPU's host thread runs and may run (shoji_ctrl_vcpu_sched). */
#define SHOJI_CPUMASK_WORDS 16 /* host CPUs 0 .. 1023, bit c of word c / 64 */
struct shoji_vcpu_sched {
	uint32_t vcpu;
	uint32_t online;      /* 1 once brought up */
	uint32_t running;     /* 1 while inside KVM_RUN */
	int32_t tid;          /* the host thread id; -1 before the vCPU first ran */
	int32_t cpu;          /* the host CPU it runs or last ran on; -1 when unknown */
	uint64_t cpu_time_ns; /* the thread's CPU time */
	uint64_t affinity[SHOJI_CPUMASK_WORDS]; /* host CPUs it may run on (0: no thread) */
};

struct shoji_ctrl;

/* Connect to shoji-hv at @path (NULL: SHOJI_CTRL_DEFAULT_SOCKET). */
struct shoji_ctrl *shoji_ctrl_open(const char *path);
void shoji_ctrl_close(struct shoji_ctrl *c);

/* Create a paused, empty domain; its id goes to *domid. */
int shoji_ctrl_create(struct shoji_ctrl *c, const struct shoji_domain_config *cfg, uint32_t *domid);
/*
 * Load a PVH kernel (and optional initrd and command line) into a domain
 * that has not run yet.  The files are opened here, with the caller's own
 * rights (never blocking; regular files only), and their descriptors go to
 * shoji-hv, which opens no path itself.  On failure a one-line reason goes
 * to @err (may be NULL).
 */
int shoji_ctrl_load(struct shoji_ctrl *c, uint32_t domid, const char *kernel, const char *initrd,
                    const char *cmdline, char *err, size_t errlen);
/* The same from descriptors the caller holds (@initrd_fd -1: none); they stay the caller's. */
int shoji_ctrl_load_fd(struct shoji_ctrl *c, uint32_t domid, int kernel_fd, int initrd_fd,
                       const char *cmdline, char *err, size_t errlen);
int shoji_ctrl_unpause(struct shoji_ctrl *c, uint32_t domid);
/* Give a domain a new name (1 .. SHOJI_DOMAIN_NAME_MAX bytes). */
int shoji_ctrl_rename(struct shoji_ctrl *c, uint32_t domid, const char *name);
int shoji_ctrl_pause(struct shoji_ctrl *c, uint32_t domid);
int shoji_ctrl_destroy(struct shoji_ctrl *c, uint32_t domid);

int shoji_ctrl_info(struct shoji_ctrl *c, uint32_t domid, struct shoji_dominfo *info);

/*
 * The registers of vCPU @vcpu of a paused, shut down or crashed domain (as
 * KVM holds them; for core dumps).  EBUSY: the domain runs, or the vCPU
 * has not left the guest yet after a pause (ask again shortly); EINVAL: no
 * such vCPU.
 */
int shoji_ctrl_vcpu_context(struct shoji_ctrl *c, uint32_t domid, uint32_t vcpu,
                            struct shoji_vcpu_context *out);
/* The host thread of vCPU @vcpu: id, CPU, CPU time, affinity.  EINVAL: no such vCPU. */
int shoji_ctrl_vcpu_sched(struct shoji_ctrl *c, uint32_t domid, uint32_t vcpu,
                          struct shoji_vcpu_sched *out);
/*
 * Let vCPU @vcpu's thread run only on the host CPUs of @affinity.  EINVAL: an
 * empty mask, a CPU the host does not have, or no such vCPU; EAGAIN: the vCPU
 * has no thread yet (it has not run).
 */
int shoji_ctrl_vcpu_pin(struct shoji_ctrl *c, uint32_t domid, uint32_t vcpu,
                        const uint64_t affinity[SHOJI_CPUMASK_WORDS]);
/*
 * Write the hypervisor's part of paused domain @domid's save stream to @fd
 * (docs/migration-stream.md).  EBUSY: it runs.  The frames written with
 * data and as zero go to *@pages and *@zero_pages (either may be NULL).  On
 * failure a one-line reason goes to @err (may be NULL).
 */
int shoji_ctrl_save(struct shoji_ctrl *c, uint32_t domid, int fd, uint64_t *pages,
                    uint64_t *zero_pages, char *err, size_t errlen);
/*
 * Build a paused domain named @name with @uuid from the hypervisor's part of
 * a save stream read from @fd; with id @want (SHOJI_CTRL_DOMID_ANY: any
 * free one; EEXIST when it is taken).  Its id goes to *@domid.  On failure
 * (nothing is left behind) a one-line reason goes to @err (may be NULL).
 */
int shoji_ctrl_restore(struct shoji_ctrl *c, int fd, uint32_t want, const char *name,
                       const uint8_t uuid[16], uint32_t *domid, char *err, size_t errlen);
#define SHOJI_CTRL_DOMID_ANY 0xffffffffu
/* Fill up to @max entries of @out; returns how many domains exist (may exceed @max). */
int shoji_ctrl_list(struct shoji_ctrl *c, struct shoji_dominfo *out, size_t max);

int shoji_ctrl_set_param(struct shoji_ctrl *c, uint32_t domid, uint32_t index, uint64_t value);
int shoji_ctrl_get_param(struct shoji_ctrl *c, uint32_t domid, uint32_t index, uint64_t *value);

/*
 * Read the domain's console_io output (like `xl dmesg`) from absolute byte
 * position *pos; *pos advances past what was read (and past output the
 * bounded ring no longer holds).  Returns the byte count (0: nothing new).
 */
int shoji_ctrl_console_read(struct shoji_ctrl *c, uint32_t domid, uint64_t *pos, char *buf,
                            size_t len);

/*
 * Turn this connection into an event stream: afterwards only
 * shoji_ctrl_next_event() may be used on it.  shoji_ctrl_fd() polls
 * readable when an event waits.
 */
int shoji_ctrl_subscribe(struct shoji_ctrl *c);
int shoji_ctrl_next_event(struct shoji_ctrl *c, struct shoji_ctrl_event *ev);
int shoji_ctrl_fd(const struct shoji_ctrl *c);

/* Human-readable name of a state ("running", "shutdown", ...). */
const char *shoji_domain_state_name(enum shoji_domain_state s);

#ifdef __cplusplus
}
#endif

#endif /* SHOJI_CTRL_H */
