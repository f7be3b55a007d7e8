/* libshoji-ctrl: the client side of shoji-hv's control protocol (see shoji/ctrl.h). */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <shoji/ctrl.h>

#include "proto/hv-ctrl.h"
#include "scmfd.h"

_Static_assert(SHOJI_CTRL_DOMID_ANY == CTRL_DOMID_ANY, "the same \"any id\"");

struct shoji_ctrl {
	int fd;
	uint32_t seq;
	int subscribed;
};

#define MSG_MAX (sizeof(struct ctrl_hdr) + sizeof(struct ctrl_console_reply))

struct shoji_ctrl *shoji_ctrl_open(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct shoji_ctrl *c;
	int err;

	if (!path)
		path = SHOJI_CTRL_DEFAULT_SOCKET;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		if (c->fd >= 0)
			close(c->fd);
		free(c);
		errno = err;
		return NULL;
	}
	return c;
}

void shoji_ctrl_close(struct shoji_ctrl *c)
{
	if (!c)
		return;
	close(c->fd);
	free(c);
}

int shoji_ctrl_fd(const struct shoji_ctrl *c)
{
	return c->fd;
}

/*
 * Send request @type with @req, and @nfds descriptors @fds (the server gets
 * copies), and wait for its reply; copy the reply body (which must be
 * exactly @reply_len bytes on success) into @reply.  Returns 0 or -1 with
 * errno (the server's status when it refused).
 */
static int call_fds(struct shoji_ctrl *c, uint16_t type, const void *req, size_t req_len,
                    void *reply, size_t reply_len, const int *fds, unsigned int nfds)
{
	struct ctrl_hdr h = {.magic = CTRL_PROTO_MAGIC,
	                     .version = CTRL_PROTO_VERSION,
	                     .type = type,
	                     .seq = ++c->seq};
	uint8_t *buf;
	ssize_t n;
	int r = -1;

	if (c->subscribed) {
		errno = EBUSY;
		return -1;
	}
	buf = malloc(MSG_MAX);
	if (!buf)
		return -1;
	memcpy(buf, &h, sizeof(h));
	if (req_len)
		memcpy(buf + sizeof(h), req, req_len);
	if (nfds > CTRL_MAX_FDS) {
		errno = EINVAL;
		goto out;
	}
	if (scmfd_send(c->fd, buf, sizeof(h) + req_len, fds, nfds) < 0)
		goto out;
	do
		n = recv(c->fd, buf, MSG_MAX, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		goto out;
	if (n == 0) {
		errno = ECONNRESET;
		goto out;
	}
	if ((size_t)n < sizeof(h)) {
		errno = EPROTO;
		goto out;
	}
	memcpy(&h, buf, sizeof(h));
	if (h.magic != CTRL_PROTO_MAGIC || h.type != type || h.seq != c->seq) {
		errno = EPROTO;
		goto out;
	}
	if (h.status < 0) {
		/* A refused load still carries its reason. */
		if (reply_len && (size_t)n == sizeof(h) + reply_len)
			memcpy(reply, buf + sizeof(h), reply_len);
		errno = -h.status;
		goto out;
	}
	if ((size_t)n != sizeof(h) + reply_len) {
		errno = EPROTO;
		goto out;
	}
	if (reply_len)
		memcpy(reply, buf + sizeof(h), reply_len);
	r = 0;
out:
	free(buf);
	return r;
}

static int call(struct shoji_ctrl *c, uint16_t type, const void *req, size_t req_len, void *reply,
                size_t reply_len)
{
	return call_fds(c, type, req, req_len, reply, reply_len, NULL, 0);
}

static int copy_str(char *dst, size_t size, const char *src)
{
	size_t len = src ? strlen(src) : 0;

	if (len >= size) {
		errno = EINVAL;
		return -1;
	}
	if (len)
		memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

int shoji_ctrl_create(struct shoji_ctrl *c, const struct shoji_domain_config *cfg, uint32_t *domid)
{
	struct ctrl_create q;
	struct ctrl_create_reply r;

	memset(&q, 0, sizeof(q));
	if (copy_str(q.name, sizeof(q.name), cfg->name) < 0 ||
	    copy_str(q.hide_cpuid, sizeof(q.hide_cpuid), cfg->hide_cpuid) < 0)
		return -1;
	q.memory_kib = cfg->memory_kib;
	q.vcpus = cfg->vcpus;
	memcpy(q.uuid, cfg->uuid, sizeof(q.uuid));
	if (call(c, CTRL_CREATE, &q, sizeof(q), &r, sizeof(r)) < 0)
		return -1;
	if (domid)
		*domid = r.domid;
	return 0;
}

/* The one line of @error (a reply's), or errno's text, into @err. */
static void reply_error(char *err, size_t errlen, char *error, size_t size, int saved)
{
	if (!err || !errlen)
		return;
	error[size - 1] = '\0';
	snprintf(err, errlen, "%s", error[0] ? error : strerror(saved));
}

/* The load request: the descriptors go with it, @kname and @iname name them in messages. */
static int load_fds(struct shoji_ctrl *c, uint32_t domid, int kernel_fd, const char *kname,
                    int initrd_fd, const char *iname, const char *cmdline, char *err, size_t errlen)
{
	struct ctrl_load *q;
	struct ctrl_load_reply r;
	int fds[2] = {kernel_fd, initrd_fd};
	int rc = -1, saved;

	memset(&r, 0, sizeof(r));
	q = calloc(1, sizeof(*q));
	if (!q)
		return -1;
	q->domid = domid;
	q->has_initrd = initrd_fd >= 0;
	snprintf(q->kernel_name, sizeof(q->kernel_name), "%s", kname);
	snprintf(q->initrd_name, sizeof(q->initrd_name), "%s", iname);
	if (kernel_fd < 0) {
		errno = EBADF;
		goto out;
	}
	if (copy_str(q->cmdline, sizeof(q->cmdline), cmdline) < 0)
		goto out;
	rc = call_fds(c, CTRL_LOAD, q, sizeof(*q), &r, sizeof(r), fds, initrd_fd >= 0 ? 2 : 1);
out:
	saved = errno;
	if (rc < 0)
		reply_error(err, errlen, r.error, sizeof(r.error), saved);
	free(q);
	errno = saved;
	return rc;
}

int shoji_ctrl_load_fd(struct shoji_ctrl *c, uint32_t domid, int kernel_fd, int initrd_fd,
                       const char *cmdline, char *err, size_t errlen)
{
	return load_fds(c, domid, kernel_fd, "kernel", initrd_fd, "initrd", cmdline, err, errlen);
}

/*
 * Open @path for loading, with the caller's rights: never blocking (a FIFO
 * without a writer), and a regular file only.  -1 with errno and a line in
 * @err on failure.
 */
static int open_image(const char *path, char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), saved;

	if (fd < 0) {
		saved = errno;
		if (err && errlen)
			snprintf(err, errlen, "cannot open %s: %s", path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (fstat(fd, &st) < 0)
		saved = errno;
	else if (!S_ISREG(st.st_mode))
		saved = EINVAL;
	else
		return fd;
	if (err && errlen)
		snprintf(err, errlen, "%s: %s", path,
		         saved == EINVAL ? "not a regular file" : strerror(saved));
	close(fd);
	errno = saved;
	return -1;
}

int shoji_ctrl_load(struct shoji_ctrl *c, uint32_t domid, const char *kernel, const char *initrd,
                    const char *cmdline, char *err, size_t errlen)
{
	int kfd = -1, ifd = -1, rc = -1, saved;

	if (!kernel) {
		errno = EINVAL;
		return -1;
	}
	kfd = open_image(kernel, err, errlen);
	if (kfd < 0)
		return -1;
	if (initrd) {
		ifd = open_image(initrd, err, errlen);
		if (ifd < 0)
			goto out;
	}
	rc = load_fds(c, domid, kfd, kernel, ifd, initrd ? initrd : "", cmdline, err, errlen);
out:
	saved = errno;
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	errno = saved;
	return rc;
}

int shoji_ctrl_save(struct shoji_ctrl *c, uint32_t domid, int fd, uint64_t *pages,
                    uint64_t *zero_pages, char *err, size_t errlen)
{
	struct ctrl_save q = {.domid = domid};
	struct ctrl_save_reply *r = calloc(1, sizeof(*r));
	int rc, saved;

	if (!r)
		return -1;
	rc = call_fds(c, CTRL_SAVE, &q, sizeof(q), r, sizeof(*r), &fd, 1);
	saved = errno;
	if (rc < 0)
		reply_error(err, errlen, r->error, sizeof(r->error), saved);
	else {
		if (pages)
			*pages = r->pages;
		if (zero_pages)
			*zero_pages = r->zero_pages;
	}
	free(r);
	errno = saved;
	return rc;
}

int shoji_ctrl_restore(struct shoji_ctrl *c, int fd, uint32_t want, const char *name,
                       const uint8_t uuid[16], uint32_t *domid, char *err, size_t errlen)
{
	struct ctrl_restore q = {.domid = want};
	struct ctrl_restore_reply r;
	int rc, saved;

	memset(&r, 0, sizeof(r));
	if (copy_str(q.name, sizeof(q.name), name) < 0)
		return -1;
	memcpy(q.uuid, uuid, sizeof(q.uuid));
	rc = call_fds(c, CTRL_RESTORE, &q, sizeof(q), &r, sizeof(r), &fd, 1);
	saved = errno;
	if (rc < 0)
		reply_error(err, errlen, r.error, sizeof(r.error), saved);
	else if (domid)
		*domid = r.domid;
	errno = saved;
	return rc;
}

static int domid_call(struct shoji_ctrl *c, uint16_t type, uint32_t domid)
{
	struct ctrl_domid q = {.domid = domid};

	return call(c, type, &q, sizeof(q), NULL, 0);
}

int shoji_ctrl_unpause(struct shoji_ctrl *c, uint32_t domid)
{
	return domid_call(c, CTRL_UNPAUSE, domid);
}

int shoji_ctrl_rename(struct shoji_ctrl *c, uint32_t domid, const char *name)
{
	struct ctrl_rename q = {.domid = domid};

	if (!name || !name[0] || copy_str(q.name, sizeof(q.name), name) < 0) {
		errno = EINVAL;
		return -1;
	}
	return call(c, CTRL_RENAME, &q, sizeof(q), NULL, 0);
}

int shoji_ctrl_pause(struct shoji_ctrl *c, uint32_t domid)
{
	return domid_call(c, CTRL_PAUSE, domid);
}

int shoji_ctrl_destroy(struct shoji_ctrl *c, uint32_t domid)
{
	return domid_call(c, CTRL_DESTROY, domid);
}

static void info_from_wire(struct shoji_dominfo *o, const struct ctrl_dominfo *w)
{
	memset(o, 0, sizeof(*o));
	o->domid = w->domid;
	o->state = (enum shoji_domain_state)w->state;
	o->shutdown_reason = w->shutdown_reason;
	o->vcpus = w->vcpus;
	o->online_vcpus = w->online_vcpus;
	o->max_kib = w->max_kib;
	o->cur_kib = w->cur_kib;
	o->cpu_time_ns = w->cpu_time_ns;
	memcpy(o->uuid, w->uuid, sizeof(o->uuid));
	memcpy(o->name, w->name, sizeof(o->name));
	o->name[sizeof(o->name) - 1] = '\0';
}

int shoji_ctrl_info(struct shoji_ctrl *c, uint32_t domid, struct shoji_dominfo *info)
{
	struct ctrl_domid q = {.domid = domid};
	struct ctrl_dominfo r;

	if (call(c, CTRL_INFO, &q, sizeof(q), &r, sizeof(r)) < 0)
		return -1;
	info_from_wire(info, &r);
	return 0;
}

int shoji_ctrl_vcpu_sched(struct shoji_ctrl *c, uint32_t domid, uint32_t vcpu,
                          struct shoji_vcpu_sched *out)
{
	struct ctrl_vcpu_id q = {.domid = domid, .vcpu = vcpu};
	struct ctrl_vcpu_sched r;

	if (call(c, CTRL_VCPU_SCHED, &q, sizeof(q), &r, sizeof(r)) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->vcpu = r.vcpu;
	out->online = (r.flags & CTRL_VCPU_ONLINE) != 0;
	out->running = (r.flags & CTRL_VCPU_RUNNING) != 0;
	out->tid = (r.flags & CTRL_VCPU_THREAD) ? r.tid : -1;
	out->cpu = (r.flags & CTRL_VCPU_THREAD) ? r.cpu : -1;
	out->cpu_time_ns = r.cpu_time_ns;
	memcpy(out->affinity, r.affinity, sizeof(out->affinity));
	return 0;
}

int shoji_ctrl_vcpu_pin(struct shoji_ctrl *c, uint32_t domid, uint32_t vcpu,
                        const uint64_t affinity[SHOJI_CPUMASK_WORDS])
{
	struct ctrl_vcpu_pin q = {.domid = domid, .vcpu = vcpu};

	memcpy(q.affinity, affinity, sizeof(q.affinity));
	return call(c, CTRL_VCPU_PIN, &q, sizeof(q), NULL, 0);
}

int shoji_ctrl_vcpu_context(struct shoji_ctrl *c, uint32_t domid, uint32_t vcpu,
                            struct shoji_vcpu_context *out)
{
	struct ctrl_vcpu_id q = {.domid = domid, .vcpu = vcpu};
	struct ctrl_vcpu_context r;

	if (call(c, CTRL_VCPU_CONTEXT, &q, sizeof(q), &r, sizeof(r)) < 0)
		return -1;
	memset(out, 0, sizeof(*out));
	out->vcpu = r.vcpu;
	out->online = (r.flags & CTRL_VCPU_ONLINE) != 0;
	out->rax = r.rax;
	out->rbx = r.rbx;
	out->rcx = r.rcx;
	out->rdx = r.rdx;
	out->rsi = r.rsi;
	out->rdi = r.rdi;
	out->rsp = r.rsp;
	out->rbp = r.rbp;
	out->r8 = r.r8;
	out->r9 = r.r9;
	out->r10 = r.r10;
	out->r11 = r.r11;
	out->r12 = r.r12;
	out->r13 = r.r13;
	out->r14 = r.r14;
	out->r15 = r.r15;
	out->rip = r.rip;
	out->rflags = r.rflags;
	out->cr0 = r.cr0;
	out->cr2 = r.cr2;
	out->cr3 = r.cr3;
	out->cr4 = r.cr4;
	out->efer = r.efer;
	out->fs_base = r.fs_base;
	out->gs_base = r.gs_base;
	out->cs = r.cs;
	out->ds = r.ds;
	out->es = r.es;
	out->fs = r.fs;
	out->gs = r.gs;
	out->ss = r.ss;
	return 0;
}

int shoji_ctrl_list(struct shoji_ctrl *c, struct shoji_dominfo *out, size_t max)
{
	struct ctrl_list q = {.first_domid = 1};
	struct ctrl_list_reply *r;
	size_t total = 0;
	uint32_t i;
	int rc = -1;

	r = malloc(sizeof(*r));
	if (!r)
		return -1;
	for (;;) {
		if (call(c, CTRL_LIST, &q, sizeof(q), r, sizeof(*r)) < 0)
			goto out;
		if (r->count > CTRL_LIST_MAX) {
			errno = EPROTO;
			goto out;
		}
		for (i = 0; i < r->count; i++, total++)
			if (total < max)
				info_from_wire(&out[total], &r->dom[i]);
		if (!r->more || !r->count)
			break;
		q.first_domid = r->dom[r->count - 1].domid + 1;
	}
	rc = total > INT32_MAX ? INT32_MAX : (int)total;
out:
	free(r);
	return rc;
}

int shoji_ctrl_set_param(struct shoji_ctrl *c, uint32_t domid, uint32_t index, uint64_t value)
{
	struct ctrl_param q = {.domid = domid, .index = index, .value = value};

	return call(c, CTRL_SET_PARAM, &q, sizeof(q), NULL, 0);
}

int shoji_ctrl_get_param(struct shoji_ctrl *c, uint32_t domid, uint32_t index, uint64_t *value)
{
	struct ctrl_param q = {.domid = domid, .index = index}, r;

	if (call(c, CTRL_GET_PARAM, &q, sizeof(q), &r, sizeof(r)) < 0)
		return -1;
	*value = r.value;
	return 0;
}

int shoji_ctrl_console_read(struct shoji_ctrl *c, uint32_t domid, uint64_t *pos, char *buf,
                            size_t len)
{
	struct ctrl_console_read q = {.domid = domid, .pos = *pos};
	struct ctrl_console_reply *r;
	int rc = -1;

	q.max = len < CTRL_CONSOLE_MAX ? (uint32_t)len : CTRL_CONSOLE_MAX;
	r = malloc(sizeof(*r));
	if (!r)
		return -1;
	if (call(c, CTRL_CONSOLE_READ, &q, sizeof(q), r, sizeof(*r)) < 0)
		goto out;
	if (r->len > q.max) {
		errno = EPROTO;
		goto out;
	}
	memcpy(buf, r->data, r->len);
	*pos = r->next;
	rc = (int)r->len;
out:
	free(r);
	return rc;
}

int shoji_ctrl_subscribe(struct shoji_ctrl *c)
{
	if (call(c, CTRL_SUBSCRIBE, NULL, 0, NULL, 0) < 0)
		return -1;
	c->subscribed = 1;
	return 0;
}

/* Event states cross unchanged: the wire's values are the API's. */
_Static_assert(CTRL_STATE_GONE == SHOJI_DOMAIN_GONE, "gone");
_Static_assert(CTRL_STATE_OVERFLOW == SHOJI_EVENT_OVERFLOW, "the overflow marker");

int shoji_ctrl_next_event(struct shoji_ctrl *c, struct shoji_ctrl_event *ev)
{
	uint8_t buf[sizeof(struct ctrl_hdr) + sizeof(struct ctrl_event)];
	struct ctrl_hdr h;
	struct ctrl_event w;
	ssize_t n;

	if (!c->subscribed) {
		errno = EINVAL;
		return -1;
	}
	do
		n = recv(c->fd, buf, sizeof(buf), MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		errno = ECONNRESET;
		return -1;
	}
	memcpy(&h, buf, (size_t)n < sizeof(h) ? (size_t)n : sizeof(h));
	if ((size_t)n != sizeof(buf) || h.magic != CTRL_PROTO_MAGIC || h.type != CTRL_EVENT) {
		errno = EPROTO;
		return -1;
	}
	memcpy(&w, buf + sizeof(h), sizeof(w));
	ev->domid = w.domid;
	ev->state = (enum shoji_domain_state)w.state;
	ev->shutdown_reason = w.shutdown_reason;
	return 0;
}

const char *shoji_domain_state_name(enum shoji_domain_state s)
{
	switch (s) {
	case SHOJI_DOMAIN_RUNNING:
		return "running";
	case SHOJI_DOMAIN_BLOCKED:
		return "blocked";
	case SHOJI_DOMAIN_PAUSED:
		return "paused";
	case SHOJI_DOMAIN_SHUTDOWN:
		return "shutdown";
	case SHOJI_DOMAIN_CRASHED:
		return "crashed";
	case SHOJI_DOMAIN_DYING:
		return "dying";
	case SHOJI_DOMAIN_GONE:
		return "gone";
	case SHOJI_EVENT_OVERFLOW:
		return "overflow";
	}
	return "unknown";
}

_Static_assert(SHOJI_CPUMASK_WORDS == CTRL_CPUMASK_WORDS, "one CPU mask size");
