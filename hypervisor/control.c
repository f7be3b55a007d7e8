/*
 * The control socket: a typed request table (one struct per message, sizes
 * checked on receive, validated before acting) served from the event loop,
 * plus state-change events for subscribers.  The Dom0 event channel and
 * grant requests are entries of the same table, served by dom0port.c.
 */
#include "config.h"

#include <errno.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <shoji/sched.h>

#include "proto/hv-ctrl.h"
#include "proto/hv-dom0.h"
#include "control.h"
#include "cpuid.h"
#include "ctrlop.h"
#include "dom0port.h"
#include "domain.h"
#include "hv.h"
#include "log.h"
#include "platform.h"
#include "save.h"
#include "scmfd.h"
#include "vcpu.h"

#define EVQ_SIZE 1024
#define MSG_MAX  (sizeof(struct ctrl_hdr) + sizeof(struct ctrl_console_reply))

/* One connection (ctrlop.h: the client a request came from). */
struct ctrl_client {
	struct control *ctl;
	int fd;
	bool subscribed;
	bool behind; /* a subscriber that missed events: the overflow marker is owed */
	struct hv_event ev;
	struct ctrl_client *next;
	int in_fds[CTRL_MAX_FDS]; /* descriptors that came with the request being handled */
	unsigned int nr_in;
};

struct control {
	struct hv *hv;
	const char *path; /* of the socket, removed at close */
	int listen_fd;
	struct hv_event listen_ev;
	struct ctrl_client *conns;

	/* State changes from any thread, sent to subscribers by the loop thread. */
	pthread_mutex_t qlock;
	struct ctrl_event queue[EVQ_SIZE];
	unsigned int qhead, qlen;
	bool qlost; /* the queue was full: events were dropped, every subscriber is behind */
	int qfd;
	struct hv_event q_ev;

	uint8_t rx[MSG_MAX]; /* request being handled (loop thread) */
	uint8_t tx[MSG_MAX]; /* its reply body */
};

/* Flags of a ctrl_ops entry. */
enum {
	OP_ECHO = 1u << 0,     /* the reply is the request's struct, OUT fields filled */
	OP_ERR_BODY = 1u << 1, /* a refused request still gets its reply body (a load's reason) */
	OP_NO_REPLY = 1u << 2, /* fire and forget: no reply at all */
};

/*
 * One request type: its request and reply body sizes and its handler
 * (ctrlop.h).  A family of requests (CTRL_EVTCHN, CTRL_GNTTAB) shares one
 * struct for every op: the family's entry has the sizes, and the op (the
 * struct's first 32 bits) picks the handler in @ops.
 */
struct ctrl_op {
	size_t req_size;
	size_t reply_size;
	ctrl_fn *fn;
	unsigned int flags; /* OP_* */
	const struct ctrl_op *ops;
	uint32_t nr_ops;
};

static bool str_ok(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

/* A name that fits the request fits the domain: both are <shoji/limits.h>'s. */
_Static_assert(CTRL_NAME_MAX == HV_NAME_MAX, "name buffers agree");
_Static_assert(CTRL_MAX_FDS <= SCMFD_MAX, "a request's descriptors fit scmfd's message");

static int op_create(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                     int *pass_fd)
{
	const struct ctrl_create *q = req;
	struct ctrl_create_reply *r = reply;
	struct domain_config cfg;
	struct domain *d;
	const char *bad;
	int rc;

	memset(&cfg, 0, sizeof(cfg));
	if (!str_ok(q->name, sizeof(q->name)) || !str_ok(q->hide_cpuid, sizeof(q->hide_cpuid)))
		return -EINVAL;
	if (q->memory_kib < SHOJI_DOMAIN_MEMORY_MIN_KIB ||
	    q->memory_kib > SHOJI_DOMAIN_MEMORY_MAX_KIB || q->vcpus < 1 || q->vcpus > HV_MAX_VCPUS)
		return -EINVAL;
	if (cpuid_parse_hide(q->hide_cpuid[0] ? q->hide_cpuid : CPUID_HIDE_DEFAULT, &cfg.cpuid_hide,
	                     &bad) < 0)
		return -EINVAL;
	snprintf(cfg.name, sizeof(cfg.name), "%s", q->name);
	memcpy(cfg.uuid, q->uuid, sizeof(cfg.uuid));
	cfg.memory = (q->memory_kib << 10) + GM_PAGE_SIZE - 1; /* KiB: the one unit on the wire */
	cfg.memory &= ~(uint64_t)(GM_PAGE_SIZE - 1);
	cfg.nr_vcpus = q->vcpus;
	rc = domain_create(hv, &cfg, &d);
	if (rc < 0)
		return rc;
	r->domid = d->domid;
	memcpy(r->uuid, d->uuid, sizeof(r->uuid));
	log_debug("created domain %u (%s)", d->domid, d->name);
	domain_put(d);
	return 0;
}

static int op_load(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                   int *pass_fd)
{
	const struct ctrl_load *q = req;
	struct ctrl_load_reply *r = reply;
	int kfd = ctrl_client_take_fd(client, 0);
	int ifd = q->has_initrd ? ctrl_client_take_fd(client, 1) : -1;
	struct domain *d = NULL;
	int rc = -EINVAL;

	if (!str_ok(q->kernel_name, sizeof(q->kernel_name)) ||
	    !str_ok(q->initrd_name, sizeof(q->initrd_name)) ||
	    !str_ok(q->cmdline, sizeof(q->cmdline)))
		goto out;
	if (kfd < 0 || (q->has_initrd && ifd < 0)) {
		snprintf(r->error, sizeof(r->error),
		         "the %s's descriptor did not come with the request",
		         kfd < 0 ? "kernel" : "initrd");
		rc = -EBADF;
		goto out;
	}
	d = hv_domain_get(hv, q->domid);
	if (!d) {
		rc = -ESRCH;
		goto out;
	}
	rc = domain_load_fd(d, kfd, q->kernel_name[0] ? q->kernel_name : "kernel", ifd,
	                    q->initrd_name[0] ? q->initrd_name : "initrd", q->cmdline, r->error,
	                    sizeof(r->error));
	domain_put(d);
out:
	if (kfd >= 0)
		close(kfd);
	if (ifd >= 0)
		close(ifd);
	return rc;
}

static int op_unpause(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                      int *pass_fd)
{
	const struct ctrl_domid *q = req;
	struct domain *d = hv_domain_get(hv, q->domid);
	int rc;

	if (!d)
		return -ESRCH;
	rc = domain_unpause(d);
	domain_put(d);
	return rc;
}

static int op_pause(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                    int *pass_fd)
{
	const struct ctrl_domid *q = req;
	struct domain *d = hv_domain_get(hv, q->domid);

	if (!d)
		return -ESRCH;
	domain_pause(d);
	domain_put(d);
	return 0;
}

static int op_rename(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                     int *pass_fd)
{
	const struct ctrl_rename *q = req;
	struct domain *d;

	if (!str_ok(q->name, sizeof(q->name)) || q->name[0] == '\0')
		return -EINVAL;
	d = hv_domain_get(hv, q->domid);
	if (!d)
		return -ESRCH;
	pthread_mutex_lock(&d->lock);
	snprintf(d->name, sizeof(d->name), "%s", q->name);
	pthread_mutex_unlock(&d->lock);
	domain_put(d);
	return 0;
}

static void send_event(struct control *c, const struct ctrl_event *ev);

static int op_destroy(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                      int *pass_fd)
{
	const struct ctrl_domid *q = req;
	struct domain *d = hv_domain_get(hv, q->domid);
	struct ctrl_event gone = {.domid = q->domid, .state = CTRL_STATE_GONE};

	if (!d)
		return -ESRCH;
	domain_destroy(d);
	domain_put(d);
	send_event(client->ctl, &gone);
	return 0;
}

_Static_assert(HV_DOMID_MAX == SHOJI_DOMAINS_MAX, "limits.h tells the CLI the domain limit");

static uint64_t cpu_time_ns(struct domain *d)
{
	uint64_t total = 0;
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		struct timespec ts;
		clockid_t cid;

		if (!v->thread_started || pthread_getcpuclockid(v->thread, &cid) != 0 ||
		    clock_gettime(cid, &ts) != 0)
			continue;
		total += (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	}
	return total;
}

static void fill_info(struct domain *d, struct ctrl_dominfo *r)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->state = domain_state(d);
	pthread_mutex_lock(&d->lock);
	r->domid = d->domid;
	r->shutdown_reason = d->shutdown_reason;
	r->vcpus = d->nr_vcpus;
	for (i = 0; i < d->nr_vcpus; i++)
		r->online_vcpus += d->vcpus[i]->online;
	r->max_kib = d->max_pages * 4;
	r->cur_kib = d->tot_pages * 4;
	memcpy(r->uuid, d->uuid, sizeof(r->uuid));
	snprintf(r->name, sizeof(r->name), "%s", d->name);
	pthread_mutex_unlock(&d->lock);
	r->cpu_time_ns = cpu_time_ns(d);
}

static int op_info(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                   int *pass_fd)
{
	const struct ctrl_domid *q = req;
	struct domain *d = hv_domain_get(hv, q->domid);

	if (!d)
		return -ESRCH;
	fill_info(d, reply);
	domain_put(d);
	return 0;
}

static int op_list(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                   int *pass_fd)
{
	const struct ctrl_list *q = req;
	struct ctrl_list_reply *r = reply;
	uint32_t id;

	for (id = q->first_domid ? q->first_domid : 1; id <= HV_DOMID_MAX; id++) {
		struct domain *d = hv_domain_get(hv, id);

		if (!d)
			continue;
		if (r->count == CTRL_LIST_MAX) {
			r->more = 1;
			domain_put(d);
			break;
		}
		fill_info(d, &r->dom[r->count++]);
		domain_put(d);
	}
	return 0;
}

static int op_param(struct hv *hv, const void *req, void *reply, bool set)
{
	const struct ctrl_param *q = req;
	struct ctrl_param *r = reply;
	struct domain *d = hv_domain_get(hv, q->domid);
	int rc;

	if (!d)
		return -ESRCH;
	*r = *q;
	pthread_mutex_lock(&d->lock);
	rc = set ? hvm_param_set(d, q->index, q->value) : hvm_param_get(d, q->index, &r->value);
	pthread_mutex_unlock(&d->lock);
	domain_put(d);
	return rc < 0 ? -EINVAL : 0;
}

static int op_set_param(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                        int *pass_fd)
{
	return op_param(hv, req, reply, true);
}

static int op_get_param(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                        int *pass_fd)
{
	return op_param(hv, req, reply, false);
}

static int op_console_read(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                           int *pass_fd)
{
	const struct ctrl_console_read *q = req;
	struct ctrl_console_reply *r = reply;
	struct domain *d;
	uint64_t pos = q->pos;
	size_t max = q->max < CTRL_CONSOLE_MAX ? q->max : CTRL_CONSOLE_MAX;
	size_t n;

	d = hv_domain_get(hv, q->domid);
	if (!d)
		return -ESRCH;
	pthread_mutex_lock(&d->lock);
	n = console_ring_read(&d->console, &pos, r->data, max);
	pthread_mutex_unlock(&d->lock);
	domain_put(d);
	r->len = (uint32_t)n;
	r->next = pos;
	r->pos = pos - n;
	return 0;
}

/* Fill @r from KVM's copy of @v's registers; 0 or -errno. */
static int read_vcpu_regs(struct vcpu *v, struct ctrl_vcpu_context *r)
{
	struct kvm_regs g;
	struct kvm_sregs s;

	if (v->kvm.fd < 0)
		return -ENODEV;
	if (ioctl(v->kvm.fd, KVM_GET_REGS, &g) < 0 || ioctl(v->kvm.fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	r->rax = g.rax;
	r->rbx = g.rbx;
	r->rcx = g.rcx;
	r->rdx = g.rdx;
	r->rsi = g.rsi;
	r->rdi = g.rdi;
	r->rsp = g.rsp;
	r->rbp = g.rbp;
	r->r8 = g.r8;
	r->r9 = g.r9;
	r->r10 = g.r10;
	r->r11 = g.r11;
	r->r12 = g.r12;
	r->r13 = g.r13;
	r->r14 = g.r14;
	r->r15 = g.r15;
	r->rip = g.rip;
	r->rflags = g.rflags;
	r->cr0 = s.cr0;
	r->cr2 = s.cr2;
	r->cr3 = s.cr3;
	r->cr4 = s.cr4;
	r->efer = s.efer;
	r->fs_base = s.fs.base;
	r->gs_base = s.gs.base;
	r->cs = s.cs.selector;
	r->ds = s.ds.selector;
	r->es = s.es.selector;
	r->fs = s.fs.selector;
	r->gs = s.gs.selector;
	r->ss = s.ss.selector;
	return 0;
}

/*
 * A vCPU's registers, for core dumps.  Its domain must be paused or
 * stopped, so the vCPU cannot enter KVM_RUN again (only this thread
 * unpauses), and the vCPU must be out of KVM_RUN now, or KVM_GET_REGS
 * would wait for its next exit: -EBUSY until then.
 */
static int op_vcpu_context(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                           int *pass_fd)
{
	const struct ctrl_vcpu_id *q = req;
	struct ctrl_vcpu_context *r = reply;
	struct domain *d = hv_domain_get(hv, q->domid);
	struct vcpu *v;
	int rc = 0;

	if (!d)
		return -ESRCH;
	if (q->vcpu >= d->nr_vcpus) {
		domain_put(d);
		return -EINVAL;
	}
	v = d->vcpus[q->vcpu];
	pthread_mutex_lock(&d->lock);
	if (!(d->pause_count || d->is_shutdown || d->crashed) || v->running)
		rc = -EBUSY;
	r->vcpu = q->vcpu;
	r->flags = v->online ? CTRL_VCPU_ONLINE : 0;
	pthread_mutex_unlock(&d->lock);
	if (rc == 0)
		rc = read_vcpu_regs(v, r);
	domain_put(d);
	return rc;
}

/* --- vcpu-list and vcpu-pin: the vCPU threads' placement. --- */

/*
 * The kernel thread id of a thread CPU-time clock: Linux encodes a thread's
 * clock as (~tid << 3) | CPUCLOCK_PERTHREAD_MASK | CPUCLOCK_SCHED (see the
 * kernel's include/linux/posix-timers.h, CPUCLOCK_PID), which glibc's
 * pthread_getcpuclockid() returns.
 */
static pid_t clock_tid(clockid_t cid)
{
	return (pid_t) ~(cid >> 3);
}

/* The CPU thread tid runs or last ran on (field 39 of its stat), -1 if unknown. */
static int32_t thread_cpu(pid_t tid)
{
	char path[64], buf[1024], *p;
	FILE *f;
	size_t n;
	int field = 2, cpu = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold spaces */
	for (; p && *p; p++) {
		if (*p != ' ')
			continue;
		if (++field == 39) {
			cpu = atoi(p + 1);
			break;
		}
	}
	return cpu;
}

/* The vCPU q names, with a reference on its domain (domain_put); -errno. */
static int vcpu_lookup(struct hv *hv, const struct ctrl_vcpu_id *q, struct domain **dp,
                       struct vcpu **vp)
{
	struct domain *d = hv_domain_get(hv, q->domid);

	if (!d)
		return -ESRCH;
	if (q->vcpu >= d->nr_vcpus) {
		domain_put(d);
		return -EINVAL;
	}
	*dp = d;
	*vp = d->vcpus[q->vcpu];
	return 0;
}

static int op_vcpu_sched(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                         int *pass_fd)
{
	struct ctrl_vcpu_sched *r = reply;
	struct domain *d;
	struct vcpu *v;
	struct timespec ts;
	cpu_set_t set;
	clockid_t cid;
	bool started;
	int rc = vcpu_lookup(hv, req, &d, &v);

	if (rc)
		return rc;
	memset(r, 0, sizeof(*r));
	r->vcpu = v->id;
	r->tid = r->cpu = -1;
	pthread_mutex_lock(&d->lock);
	r->flags = (v->online ? CTRL_VCPU_ONLINE : 0) | (v->running ? CTRL_VCPU_RUNNING : 0);
	started = v->thread_started;
	pthread_mutex_unlock(&d->lock);
	/* The thread lives until the domain is destroyed, and we hold a reference. */
	if (started && pthread_getcpuclockid(v->thread, &cid) == 0) {
		r->flags |= CTRL_VCPU_THREAD;
		r->tid = clock_tid(cid);
		r->cpu = thread_cpu(r->tid);
		if (clock_gettime(cid, &ts) == 0)
			r->cpu_time_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
		CPU_ZERO(&set);
		if (pthread_getaffinity_np(v->thread, sizeof(set), &set) == 0)
			for (int c = 0; c < CTRL_CPUMASK_WORDS * 64 && c < CPU_SETSIZE; c++)
				if (CPU_ISSET(c, &set))
					r->affinity[c / 64] |= 1ULL << (c % 64);
	}
	domain_put(d);
	return 0;
}

/* The host's CPUs are 0 .. configured-1; a mask must name some, and only those. */
static int vcpu_pin(struct vcpu *v, const uint64_t *mask)
{
	long ncpus = sysconf(_SC_NPROCESSORS_CONF);
	bool any = false, started;
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int c = 0; c < CTRL_CPUMASK_WORDS * 64; c++) {
		if (!(mask[c / 64] & (1ULL << (c % 64))))
			continue;
		if (c >= ncpus || c >= CPU_SETSIZE)
			return -EINVAL;
		CPU_SET(c, &set);
		any = true;
	}
	if (!any)
		return -EINVAL;
	pthread_mutex_lock(&v->d->lock);
	started = v->thread_started;
	pthread_mutex_unlock(&v->d->lock);
	if (!started)
		return -EAGAIN; /* no thread before the vCPU first runs */
	return -pthread_setaffinity_np(v->thread, sizeof(set), &set);
}

static int op_vcpu_pin(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                       int *pass_fd)
{
	const struct ctrl_vcpu_pin *q = req;
	struct ctrl_vcpu_id id = {.domid = q->domid, .vcpu = q->vcpu};
	struct domain *d;
	struct vcpu *v;
	int rc = vcpu_lookup(hv, &id, &d, &v);

	if (rc)
		return rc;
	rc = vcpu_pin(v, q->affinity);
	domain_put(d);
	return rc;
}

static int op_subscribe(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                        int *pass_fd)
{
	client->subscribed = true; /* CTRL_EVENT messages follow */
	return 0;
}

/* A request of struct @req, answered by @reply_size bytes (0: none), OP_* @flags. */
#define ENTRY(req, reply_size_, handler, flags_)                                                   \
	{                                                                                          \
		.req_size = sizeof(req), .reply_size = (reply_size_), .fn = (handler),             \
		.flags = (flags_)                                                                  \
	}

/*
 * A family of requests: struct @type both ways (the reply is the request
 * with its OUT fields filled), the op in its first 32 bits picking the entry
 * of @table.
 */
#define FAMILY(type, table)                                                                        \
	{                                                                                          \
		.req_size = sizeof(type), .reply_size = sizeof(type), .flags = OP_ECHO,            \
		.ops = (table), .nr_ops = (uint32_t)(sizeof(table) / sizeof((table)[0]))           \
	}

/* CTRL_EVTCHN: struct ctrl_evtchn both ways; its op picks the entry. */
static const struct ctrl_op evtchn_ops[] = {
    [CTRL_EVTCHN_BIND_UNBOUND] = {.fn = dom0port_bind_unbound},
    [CTRL_EVTCHN_BIND_INTERDOMAIN] = {.fn = dom0port_bind_interdomain},
    [CTRL_EVTCHN_BIND_VIRQ] = {.fn = dom0port_bind_virq},
    [CTRL_EVTCHN_SEND] = {.fn = dom0port_send, .flags = OP_NO_REPLY},
    [CTRL_EVTCHN_UNBIND] = {.fn = dom0port_unbind},
    [CTRL_EVTCHN_SET_MAX_PORT] = {.fn = dom0port_set_max_port},
    [CTRL_EVTCHN_ALLOC_IN] = {.fn = dom0port_alloc_in},
};

/* CTRL_GNTTAB: struct ctrl_gnttab both ways; its op picks the entry. */
static const struct ctrl_op gnttab_ops[] = {
    [CTRL_GNT_MAP] = {.fn = dom0port_gnt_map},
    [CTRL_GNT_UNMAP] = {.fn = dom0port_gnt_unmap},
    [CTRL_GNT_FOREIGN] = {.fn = dom0port_gnt_foreign},
    [CTRL_GNT_ARENA] = {.fn = dom0port_gnt_arena},
    [CTRL_GNT_COPY] = {.fn = dom0port_gnt_copy},
};

_Static_assert(offsetof(struct ctrl_evtchn, op) == 0 && offsetof(struct ctrl_gnttab, op) == 0,
               "a family's op comes first");

static const struct ctrl_op ctrl_ops[CTRL_TYPE_MAX] = {
    [CTRL_CREATE] = ENTRY(struct ctrl_create, sizeof(struct ctrl_create_reply), op_create, 0),
    [CTRL_LOAD] = ENTRY(struct ctrl_load, sizeof(struct ctrl_load_reply), op_load, OP_ERR_BODY),
    [CTRL_UNPAUSE] = ENTRY(struct ctrl_domid, 0, op_unpause, 0),
    [CTRL_PAUSE] = ENTRY(struct ctrl_domid, 0, op_pause, 0),
    [CTRL_DESTROY] = ENTRY(struct ctrl_domid, 0, op_destroy, 0),
    [CTRL_INFO] = ENTRY(struct ctrl_domid, sizeof(struct ctrl_dominfo), op_info, 0),
    [CTRL_LIST] = ENTRY(struct ctrl_list, sizeof(struct ctrl_list_reply), op_list, 0),
    [CTRL_SET_PARAM] = ENTRY(struct ctrl_param, 0, op_set_param, 0),
    [CTRL_GET_PARAM] = ENTRY(struct ctrl_param, sizeof(struct ctrl_param), op_get_param, 0),
    [CTRL_CONSOLE_READ] =
        ENTRY(struct ctrl_console_read, sizeof(struct ctrl_console_reply), op_console_read, 0),
    [CTRL_SUBSCRIBE] = {.fn = op_subscribe}, /* an empty message */
    [CTRL_RENAME] = ENTRY(struct ctrl_rename, 0, op_rename, 0),
    [CTRL_EVTCHN] = FAMILY(struct ctrl_evtchn, evtchn_ops),
    [CTRL_GNTTAB] = FAMILY(struct ctrl_gnttab, gnttab_ops),
    [CTRL_VCPU_CONTEXT] =
        ENTRY(struct ctrl_vcpu_id, sizeof(struct ctrl_vcpu_context), op_vcpu_context, 0),
    [CTRL_VCPU_SCHED] =
        ENTRY(struct ctrl_vcpu_id, sizeof(struct ctrl_vcpu_sched), op_vcpu_sched, 0),
    [CTRL_VCPU_PIN] = ENTRY(struct ctrl_vcpu_pin, 0, op_vcpu_pin, 0),
    [CTRL_SAVE] =
        ENTRY(struct ctrl_save, sizeof(struct ctrl_save_reply), save_op_save, OP_ERR_BODY),
    [CTRL_RESTORE] =
        ENTRY(struct ctrl_restore, sizeof(struct ctrl_restore_reply), save_op_restore, OP_ERR_BODY),
};

/* --- Connections. --- */

/* Close the descriptors of the last request that no handler took. */
static void drop_in_fds(struct ctrl_client *cn)
{
	unsigned int i;

	for (i = 0; i < cn->nr_in; i++)
		if (cn->in_fds[i] >= 0)
			close(cn->in_fds[i]);
	cn->nr_in = 0;
}

int ctrl_client_take_fd(struct ctrl_client *cn, unsigned int i)
{
	int fd;

	if (i >= cn->nr_in)
		return -1;
	fd = cn->in_fds[i];
	cn->in_fds[i] = -1;
	return fd;
}

static void conn_close(struct ctrl_client *cn)
{
	struct control *c = cn->ctl;
	struct ctrl_client **pp;

	for (pp = &c->conns; *pp; pp = &(*pp)->next)
		if (*pp == cn) {
			*pp = cn->next;
			break;
		}
	hv_event_del(c->hv, &cn->ev);
	dom0port_release(c->hv, cn); /* its Dom0 ports, grant maps and copy arena */
	drop_in_fds(cn);
	close(cn->fd);
	free(cn);
}

/*
 * Reply to @req with @status: the header, then @body when the request
 * succeeded (or @err_body says a refusal carries it too), and @pass_fd, if
 * any, as SCM_RIGHTS when it succeeded.
 */
static void conn_reply(struct ctrl_client *cn, const struct ctrl_hdr *req, int status,
                       const void *body, size_t len, bool err_body, int pass_fd)
{
	struct ctrl_hdr h = {.magic = CTRL_PROTO_MAGIC,
	                     .version = CTRL_PROTO_VERSION,
	                     .type = req->type,
	                     .seq = req->seq,
	                     .status = status};
	struct iovec iov[2] = {{&h, sizeof(h)}, {(void *)body, status == 0 || err_body ? len : 0}};
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 2};

	if (pass_fd >= 0 && status == 0) {
		struct cmsghdr *cm;

		memset(&u, 0, sizeof(u));
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pass_fd, sizeof(int));
	}
	if (sendmsg(cn->fd, &mh, MSG_NOSIGNAL) < 0)
		log_debug("control: reply: %s", strerror(errno));
}

static int catch_up(struct ctrl_client *cn);

/*
 * Receive one request into the rx buffer, with the descriptors (at most
 * CTRL_MAX_FDS, SCM_RIGHTS) that came with it.  A request whose descriptors
 * did not all fit keeps none of them, so its handler finds too few.
 */
static ssize_t recv_request(struct ctrl_client *cn)
{
	return scmfd_recv(cn->fd, cn->ctl->rx, MSG_MAX, MSG_TRUNC | MSG_DONTWAIT, cn->in_fds,
	                  CTRL_MAX_FDS, &cn->nr_in);
}

/*
 * The one decode of a request: its type (and a family's op) picks the
 * ctrl_ops entry, its size must be the entry's, and the handler runs on it.
 * False when the connection was closed (not one of ours).
 */
static bool dispatch(struct ctrl_client *cn, size_t n)
{
	struct control *c = cn->ctl;
	const uint8_t *body = c->rx + sizeof(struct ctrl_hdr);
	const struct ctrl_op *op, *family;
	struct ctrl_hdr h;
	unsigned int flags;
	uint32_t sub;
	int rc, pass_fd = -1;

	if (n < sizeof(h)) {
		conn_close(cn); /* not even a header: not one of ours */
		return false;
	}
	memcpy(&h, c->rx, sizeof(h));
	if (h.magic != CTRL_PROTO_MAGIC) {
		conn_close(cn);
		return false;
	}
	if (h.version != CTRL_PROTO_VERSION) {
		conn_reply(cn, &h, -EPROTO, NULL, 0, false, -1);
		return true;
	}
	family = op = h.type < CTRL_TYPE_MAX ? &ctrl_ops[h.type] : NULL;
	if (!op || (!op->fn && !op->ops)) {
		conn_reply(cn, &h, -EOPNOTSUPP, NULL, 0, false, -1);
		return true;
	}
	if (n != sizeof(h) + op->req_size) {
		conn_reply(cn, &h, -EINVAL, NULL, 0, false, -1);
		return true;
	}
	if (family->ops) {
		memcpy(&sub, body, sizeof(sub));
		op = sub < family->nr_ops ? &family->ops[sub] : NULL;
		if (!op || !op->fn) {
			conn_reply(cn, &h, -EOPNOTSUPP, NULL, 0, false, -1);
			return true;
		}
	}
	flags = family->flags | op->flags;
	if (flags & OP_ECHO)
		memcpy(c->tx, body, family->reply_size);
	else
		memset(c->tx, 0, family->reply_size);
	rc = op->fn(c->hv, cn, body, c->tx, &pass_fd);
	if (!(flags & OP_NO_REPLY))
		conn_reply(cn, &h, rc, c->tx, family->reply_size, flags & OP_ERR_BODY, pass_fd);
	if (pass_fd >= 0)
		close(pass_fd);
	return true;
}

/*
 * A request came (or a subscriber that fell behind can be written to
 * again): receive it with its descriptors and dispatch it.
 */
static void conn_readable(void *opaque)
{
	struct ctrl_client *cn = opaque;
	ssize_t n;

	if (catch_up(cn) < 0)
		return;
	n = recv_request(cn);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		conn_close(cn);
		return;
	}
	if (dispatch(cn, (size_t)n))
		drop_in_fds(cn); /* the ones no handler took, or a refused request brought */
}

static void listen_readable(void *opaque)
{
	struct control *c = opaque;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	struct ctrl_client *cn;
	int fd;

	fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (fd < 0)
		return;
	/* The socket is 0600; refuse anyone but our own user anyway. */
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		close(fd);
		return;
	}
	cn = calloc(1, sizeof(*cn));
	if (!cn) {
		close(fd);
		return;
	}
	cn->ctl = c;
	cn->fd = fd;
	cn->ev.fd = fd;
	cn->ev.fn = conn_readable;
	cn->ev.opaque = cn;
	if (hv_event_add(c->hv, &cn->ev) < 0) {
		close(fd);
		free(cn);
		return;
	}
	cn->next = c->conns;
	c->conns = cn;
}

/* --- State events. --- */

/*
 * A subscriber's stream.  Events go straight into its socket; one that
 * stops reading fills the socket's buffer and falls behind: later events
 * are dropped for it, and once it can be written to again it gets the
 * overflow marker (CTRL_STATE_OVERFLOW), after which its stream is
 * complete again and it re-reads the domain list.  So a slow or stopped
 * subscriber costs shoji-hv nothing but a flag, and loses no state.
 */

/* Send event @ev to subscriber @cn: 1 sent, 0 its socket is full, -1 broken (closed). */
static int sub_send(struct ctrl_client *cn, const struct ctrl_event *ev)
{
	uint8_t buf[sizeof(struct ctrl_hdr) + sizeof(*ev)];
	struct ctrl_hdr h = {
	    .magic = CTRL_PROTO_MAGIC, .version = CTRL_PROTO_VERSION, .type = CTRL_EVENT};

	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), ev, sizeof(*ev));
	if (send(cn->fd, buf, sizeof(buf), MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)sizeof(buf))
		return 1;
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
		return 0;
	log_debug("control: dropping a subscriber: %s", strerror(errno));
	conn_close(cn);
	return -1;
}

/* @cn missed an event: owe it the marker, sent when its socket is writable. */
static void fall_behind(struct ctrl_client *cn)
{
	if (cn->behind)
		return;
	cn->behind = true;
	if (hv_event_want_write(cn->ctl->hv, &cn->ev, true) < 0)
		log_warn("control: cannot wait for a subscriber to catch up");
}

/* Send the marker @cn is owed, if it can take it now.  0, or -1 after closing it. */
static int catch_up(struct ctrl_client *cn)
{
	const struct ctrl_event marker = {.domid = 0, .state = CTRL_STATE_OVERFLOW};
	int r;

	if (!cn->behind)
		return 0;
	r = sub_send(cn, &marker);
	if (r <= 0)
		return r;
	cn->behind = false;
	if (hv_event_want_write(cn->ctl->hv, &cn->ev, false) < 0)
		log_warn("control: subscriber");
	log_info("control: a subscriber missed events; it has the overflow marker");
	return 0;
}

static void send_event(struct control *c, const struct ctrl_event *ev)
{
	struct ctrl_client *cn, *next;

	for (cn = c->conns; cn; cn = next) {
		next = cn->next;
		if (!cn->subscribed || catch_up(cn) < 0 || cn->behind)
			continue; /* dropped for one behind: the marker stands for it */
		if (sub_send(cn, ev) == 0)
			fall_behind(cn);
	}
}

/* Any thread: queue the new state of @d for the loop thread. */
static void on_state(void *opaque, struct domain *d)
{
	struct control *c = opaque;
	struct ctrl_event ev = {.domid = d->domid};
	uint64_t one = 1;

	ev.state = domain_state(d);
	pthread_mutex_lock(&d->lock);
	ev.shutdown_reason = d->shutdown_reason;
	pthread_mutex_unlock(&d->lock);
	pthread_mutex_lock(&c->qlock);
	if (c->qlen < EVQ_SIZE) {
		c->queue[(c->qhead + c->qlen) % EVQ_SIZE] = ev;
		c->qlen++;
	} else {
		c->qlost = true;
	}
	pthread_mutex_unlock(&c->qlock);
	if (write(c->qfd, &one, sizeof(one)) < 0)
		log_warn("control: event queue");
}

static void queue_readable(void *opaque)
{
	struct control *c = opaque;
	struct ctrl_client *cn, *next;
	bool lost;
	uint64_t n;

	if (read(c->qfd, &n, sizeof(n)) < 0)
		return;
	for (;;) {
		struct ctrl_event ev;

		pthread_mutex_lock(&c->qlock);
		if (!c->qlen) {
			lost = c->qlost; /* events dropped before this point */
			c->qlost = false;
			pthread_mutex_unlock(&c->qlock);
			break;
		}
		ev = c->queue[c->qhead];
		c->qhead = (c->qhead + 1) % EVQ_SIZE;
		c->qlen--;
		pthread_mutex_unlock(&c->qlock);
		send_event(c, &ev);
	}
	if (!lost)
		return;
	log_warnx("control: more than %u state changes at once; subscribers resync", EVQ_SIZE);
	for (cn = c->conns; cn; cn = next) {
		next = cn->next;
		if (cn->subscribed) {
			fall_behind(cn);
			catch_up(cn);
		}
	}
}

/* --- Set-up. --- */

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct stat st;
	char dir[sizeof(sa.sun_path)];
	char *slash;
	mode_t old;
	int fd, r;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_warnx("control socket path too long: %s", path);
		return -1;
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			log_warn("cannot create %s", dir);
			return -1;
		}
	}
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path); /* stale socket of an earlier run */
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		log_warn("socket");
		return -1;
	}
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r < 0 || chmod(path, 0600) < 0 || listen(fd, 16) < 0) {
		log_warn("cannot listen on %s", path);
		close(fd);
		return -1;
	}
	return fd;
}

struct control *control_open(struct hv *hv, const char *path)
{
	struct control *c = calloc(1, sizeof(*c));

	if (!c) {
		log_warnx("out of memory");
		return NULL;
	}
	c->hv = hv;
	c->path = path;
	c->listen_fd = c->qfd = -1;
	pthread_mutex_init(&c->qlock, NULL);
	c->listen_fd = listen_on(path);
	if (c->listen_fd < 0)
		goto out;
	c->qfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (c->qfd < 0) {
		log_warn("eventfd");
		goto out;
	}
	c->listen_ev = (struct hv_event){c->listen_fd, listen_readable, c};
	c->q_ev = (struct hv_event){c->qfd, queue_readable, c};
	if (hv_event_add(hv, &c->listen_ev) < 0 || hv_event_add(hv, &c->q_ev) < 0) {
		log_warn("event loop");
		goto out;
	}
	hv->on_state = on_state;
	hv->on_state_opaque = c;
	return c;
out:
	control_close(c);
	return NULL;
}

void control_close(struct control *c)
{
	while (c->conns)
		conn_close(c->conns);
	if (c->listen_fd >= 0) {
		close(c->listen_fd);
		unlink(c->path);
	}
	if (c->qfd >= 0)
		close(c->qfd);
	if (c->hv->on_state_opaque == c) {
		c->hv->on_state = NULL;
		c->hv->on_state_opaque = NULL;
	}
	pthread_mutex_destroy(&c->qlock);
	free(c);
}
