/*
 * The shoji-hv control protocol: Dom0 (libshoji-ctrl) <-> shoji-hv over a
 * SOCK_SEQPACKET Unix socket.  One message per packet: a ctrl_hdr followed
 * by exactly the payload struct its type names (fixed sizes, checked on
 * receive).  Every request gets one reply with the same seq and type; its
 * status is 0 or a negative errno.  Private to shoji-hv and libshoji-ctrl;
 * bump CTRL_PROTO_VERSION on any change.
 */
#ifndef SHOJI_HV_CTRL_PROTO_H
#define SHOJI_HV_CTRL_PROTO_H

#include <stdint.h>

#include <shoji/limits.h>

#define CTRL_PROTO_MAGIC   0x4a524853u /* "SHRJ" little-endian */
#define CTRL_PROTO_VERSION 6u

#define CTRL_NAME_MAX      (SHOJI_DOMAIN_NAME_MAX + 1) /* with the NUL */
#define CTRL_PATH_MAX      4096
#define CTRL_MAX_FDS       2 /* descriptors a request may bring (SCM_RIGHTS) */
#define CTRL_CMDLINE_MAX   4096
#define CTRL_HIDE_MAX      512
#define CTRL_ERR_MAX       512
#define CTRL_CONSOLE_MAX   16384
#define CTRL_LIST_MAX      64

enum ctrl_type {
	CTRL_CREATE = 1,   /* ctrl_create -> ctrl_create_reply */
	CTRL_LOAD,         /* ctrl_load -> ctrl_load_reply */
	CTRL_UNPAUSE,      /* ctrl_domid -> (empty) */
	CTRL_PAUSE,        /* ctrl_domid -> (empty) */
	CTRL_DESTROY,      /* ctrl_domid -> (empty) */
	CTRL_INFO,         /* ctrl_domid -> ctrl_dominfo */
	CTRL_LIST,         /* ctrl_list -> ctrl_list_reply */
	CTRL_SET_PARAM,    /* ctrl_param -> (empty) */
	CTRL_GET_PARAM,    /* ctrl_param -> ctrl_param */
	CTRL_CONSOLE_READ, /* ctrl_console_read -> ctrl_console_reply */
	CTRL_SUBSCRIBE,    /* (empty) -> (empty); then CTRL_EVENT messages follow */
	CTRL_EVENT,        /* server -> subscriber: ctrl_event (seq 0) */
	CTRL_RENAME,       /* ctrl_rename -> (empty) */
	CTRL_EVTCHN,       /* Dom0 event channels: see hv-dom0.h */
	CTRL_GNTTAB,       /* Dom0 grant maps/copies, foreign maps: see hv-dom0.h */
	CTRL_VCPU_CONTEXT, /* ctrl_vcpu_id -> ctrl_vcpu_context */
	CTRL_VCPU_SCHED,   /* ctrl_vcpu_id -> ctrl_vcpu_sched */
	CTRL_VCPU_PIN,     /* ctrl_vcpu_pin -> (empty) */
	CTRL_SAVE,         /* ctrl_save + the stream's fd -> ctrl_save_reply */
	CTRL_RESTORE,      /* ctrl_restore + the stream's fd -> ctrl_restore_reply */
	CTRL_TYPE_MAX
};

struct ctrl_hdr {
	uint32_t magic;
	uint16_t version;
	uint16_t type;  /* enum ctrl_type */
	uint32_t seq;   /* echoed in the reply */
	int32_t status; /* replies: 0 or -errno; requests: 0 */
};

struct ctrl_domid {
	uint32_t domid;
	uint32_t pad;
};

struct ctrl_create {
	char name[CTRL_NAME_MAX]; /* NUL-terminated; empty = "domain-<id>" */
	uint64_t memory_kib;      /* SHOJI_DOMAIN_MEMORY_{MIN,MAX}_KIB; rounded up to pages */
	uint32_t vcpus;           /* 1 .. SHOJI_DOMAIN_VCPUS_MAX */
	uint32_t pad;
	char hide_cpuid[CTRL_HIDE_MAX]; /* NUL-terminated feature list; empty = default */
	uint8_t uuid[16];               /* all zero: shoji-hv picks one */
};

struct ctrl_create_reply {
	uint32_t domid;
	uint32_t pad;
	uint8_t uuid[16];
};

/*
 * Load a kernel (and initrd) that the client opened with its own rights:
 * the request brings the kernel's descriptor, then the initrd's when
 * has_initrd.  shoji-hv opens no path on a client's behalf; it reads only
 * regular files.  The names are for messages only.
 */
struct ctrl_load {
	uint32_t domid;
	uint32_t has_initrd;
	char kernel_name[CTRL_PATH_MAX]; /* NUL-terminated; may be empty */
	char initrd_name[CTRL_PATH_MAX];
	char cmdline[CTRL_CMDLINE_MAX];
};

struct ctrl_load_reply {
	char error[CTRL_ERR_MAX]; /* why a load failed (status < 0) */
};

/*
 * Save a paused domain (EBUSY when it runs): shoji-hv writes the
 * hypervisor's part of the stream (docs/migration-stream.md, records
 * HV_BEGIN .. HV_END) to the descriptor that comes with the request, at its
 * current position, and leaves the domain as it was.
 */
struct ctrl_save {
	uint32_t domid;
	uint32_t flags; /* none defined: 0 */
};

struct ctrl_save_reply {
	uint64_t pages;           /* guest frames written with their data */
	uint64_t zero_pages;      /* guest frames written as zero */
	uint64_t bytes;           /* stream bytes written */
	char error[CTRL_ERR_MAX]; /* why a save failed (status < 0) */
};

/*
 * Build a paused domain from the hypervisor's part of a stream, read from
 * the descriptor that comes with the request (HV_BEGIN .. HV_END).  A
 * stream refused part-way leaves no domain behind.
 */
struct ctrl_restore {
	uint32_t domid; /* the id wanted; CTRL_DOMID_ANY: shoji-hv picks */
	uint32_t pad;
	char name[CTRL_NAME_MAX]; /* NUL-terminated */
	uint8_t uuid[16];
};

#define CTRL_DOMID_ANY 0xffffffffu

struct ctrl_restore_reply {
	uint32_t domid;
	uint32_t pad;
	char error[CTRL_ERR_MAX]; /* why a restore failed (status < 0); EEXIST: the id is taken */
};

struct ctrl_dominfo {
	uint32_t domid;
	uint32_t state;           /* enum domain_state */
	uint32_t shutdown_reason; /* SHUTDOWN_*, valid in shutdown/crashed */
	uint32_t vcpus;
	uint32_t online_vcpus;
	uint32_t pad;
	uint64_t max_kib;
	uint64_t cur_kib;
	uint64_t cpu_time_ns;
	uint8_t uuid[16];
	char name[CTRL_NAME_MAX];
};

struct ctrl_list {
	uint32_t first_domid; /* entries with domid >= this */
	uint32_t pad;
};

struct ctrl_list_reply {
	uint32_t count;
	uint32_t more; /* nonzero: ask again from the last domid + 1 */
	struct ctrl_dominfo dom[CTRL_LIST_MAX];
};

struct ctrl_param {
	uint32_t domid;
	uint32_t index;
	uint64_t value;
};

struct ctrl_console_read {
	uint32_t domid;
	uint32_t max;
	uint64_t pos; /* absolute position to read from */
};

struct ctrl_console_reply {
	uint64_t pos;  /* where the data starts (raised past lost bytes) */
	uint64_t next; /* position after the data */
	uint32_t len;
	uint32_t pad;
	char data[CTRL_CONSOLE_MAX];
};

struct ctrl_rename {
	uint32_t domid;
	uint32_t pad;
	char name[CTRL_NAME_MAX]; /* NUL-terminated, not empty */
};

struct ctrl_event {
	uint32_t domid;
	uint32_t state; /* enum domain_state; CTRL_STATE_GONE once destroyed */
	uint32_t shutdown_reason;
	uint32_t pad;
};

#define CTRL_STATE_GONE 100
/*
 * The overflow marker (domid 0): shoji-hv dropped events for this
 * subscriber (it did not read fast enough, or more happened at once than
 * shoji-hv queues).  Events after it are complete again; the subscriber
 * re-reads the domain list (CTRL_LIST, CTRL_INFO) and reconciles.
 */
#define CTRL_STATE_OVERFLOW 101

struct ctrl_vcpu_id {
	uint32_t domid;
	uint32_t vcpu;
};

/*
 * A vCPU's registers as KVM holds them.  Only for a vCPU that cannot run
 * meanwhile: its domain paused, shut down or crashed, and the vCPU out of
 * KVM_RUN (-EBUSY while a pause is still taking effect).
 */
struct ctrl_vcpu_context {
	uint32_t vcpu;
	uint32_t flags; /* CTRL_VCPU_* */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rip, rflags;
	uint64_t cr0, cr2, cr3, cr4, efer;
	uint64_t fs_base, gs_base;
	uint16_t cs, ds, es, fs, gs, ss;
	uint32_t pad;
};

#define CTRL_VCPU_ONLINE 0x1u /* brought up (vCPU 0 once the domain started) */

/* A vCPU's host thread (vcpu-list): where it runs and may run. */
#define CTRL_CPUMASK_WORDS 16 /* host CPUs 0 .. 1023 */
struct ctrl_vcpu_sched {
	uint32_t vcpu;
	uint32_t flags;       /* CTRL_VCPU_ONLINE, _RUNNING, _THREAD */
	int32_t tid;          /* the host thread id; -1 before the vCPU first ran */
	int32_t cpu;          /* the host CPU it runs or last ran on; -1 without a thread */
	uint64_t cpu_time_ns; /* the thread's CPU time */
	uint64_t affinity[CTRL_CPUMASK_WORDS]; /* host CPUs it may run on (0 without a thread) */
};

#define CTRL_VCPU_RUNNING 0x2u /* inside KVM_RUN */
#define CTRL_VCPU_THREAD  0x4u /* has a host thread (tid, cpu, affinity are set) */

/* vcpu-pin: the vCPU's thread may run on these host CPUs only (not empty, all present). */
struct ctrl_vcpu_pin {
	uint32_t domid;
	uint32_t vcpu;
	uint64_t affinity[CTRL_CPUMASK_WORDS];
};

#endif
