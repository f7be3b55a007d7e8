/*
 * Save and restore of a domain's hypervisor state (see save.h): the HV_*
 * records of docs/migration-stream.md, their writers and their checked
 * readers.  Record bodies are little-endian C structs of fixed layout,
 * defined here and documented there.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <shoji/errno.h>
#include <shoji/event_channel.h>
#include <shoji/hvm.h>

#include "proto/hv-ctrl.h"
#include "domain.h"
#include "evtchn.h"
#include "evtglue.h"
#include "gnttab.h"
#include "hv.h"
#include "hvtime.h"
#include "log.h"
#include "migstream.h"
#include "physmap.h"
#include "platform.h"
#include "save.h"
#include "vcpu.h"

#define HV_STREAM_VERSION 1u
#define HV_NONE           (~(uint64_t)0) /* no frame, no address */
#define PAGES_BATCH       1024u          /* frames per HV_PAGES record */
#define PAGE_ZERO         (1ULL << 63)   /* an HV_PAGES entry for a frame of zeros */
#define PAUSE_WAIT_MS     1000           /* how long a save waits for vCPUs to leave KVM_RUN */
#define SYSTEM_TIME_MAX   (1ULL << 62)   /* guest time a stream may claim: 146 years */

/* HV_BEGIN: the domain's shape; the populated bitmap follows, (frames + 7) / 8 bytes. */
struct rec_begin {
	uint32_t version; /* HV_STREAM_VERSION */
	uint32_t nr_vcpus;
	uint64_t memory; /* bytes */
	uint64_t cpuid_hide;
	uint64_t max_pages;
	uint64_t tot_pages;
	uint32_t flags; /* BEGIN_* */
	uint32_t evtchn_max_port;
	uint32_t domid; /* the source's, for messages */
	uint32_t pad;
	uint8_t uuid[16]; /* the source's */
};
#define BEGIN_STARTED 0x1u /* vCPU 0 was started: online vCPUs run from their state */

/*
 * HV_PAGES: @count entries (a frame number, PAGE_ZERO set for a frame of
 * zeros), then the 4 KiB of each other frame, in entry order.
 */
struct rec_pages {
	uint32_t count;
	uint32_t pad;
};

/* HV_VCPU: one per vCPU, in id order. */
struct rec_vcpu {
	uint32_t id;
	uint32_t flags;             /* VCPU_REC_* */
	struct kvm_regs start_regs; /* VCPU_REC_START_PENDING: the start state not yet loaded */
	struct kvm_sregs start_sregs;
	struct kvm_vcpu_state state;
};
#define VCPU_REC_ONLINE        0x1u
#define VCPU_REC_INITIALISED   0x2u
#define VCPU_REC_START_PENDING 0x4u
#define VCPU_REC_FLAGS         0x7u

/* HV_XEN, per vCPU.  Timer deadlines are guest system time (ns since creation). */
struct rec_xen_vcpu {
	uint64_t vcpu_info_gpa; /* HV_NONE: its slot in shared_info */
	uint64_t singleshot;    /* 0 = off */
	uint64_t period;        /* 0 = off */
	uint64_t periodic_next;
	uint32_t upcall_vector; /* HVMOP_set_evtchn_upcall_vector; 0 = none */
	uint32_t pad;
};

/* HV_XEN: time, shared_info, vcpu_info, timers, HVM params (the callback among them). */
struct rec_xen {
	uint64_t system_time; /* guest system time at the save */
	uint64_t kvm_clock;   /* KVM_GET_CLOCK */
	uint64_t shinfo_gfn;  /* HV_NONE: not mapped */
	uint64_t hvm_params[HVM_NR_PARAMS];
	uint32_t nr_vcpus;
	uint32_t pad;
	struct rec_xen_vcpu vcpu[HV_MAX_VCPUS];
	uint8_t shinfo[GM_PAGE_SIZE];       /* shared_info's content */
	uint8_t shinfo_saved[GM_PAGE_SIZE]; /* the RAM page it overlays (inside RAM) */
};

/* HV_EVTCHN: @count struct evtchn_port_image follow. */
struct rec_evtchn {
	uint32_t abi; /* EVTCHN_ABI_2L */
	uint32_t count;
};
#define EVTCHN_ABI_2L 1u

/* HV_GNTTAB: @nr_frames GFNs (HV_NONE: the table's own page), then 4 KiB of each of those. */
struct rec_gnttab {
	uint32_t version; /* 1 */
	uint32_t nr_frames;
};

_Static_assert(sizeof(struct evtchn_port_image) == 28, "HV_EVTCHN's entries are 28 bytes");
_Static_assert(sizeof(struct rec_begin) == 72, "HV_BEGIN's fixed part");
_Static_assert(sizeof(struct kvm_regs) == 144 && sizeof(struct kvm_sregs) == 312,
               "Linux's x86-64 KVM register layouts");

static uint64_t frames_of(const struct domain *d)
{
	return d->mem.size >> GM_PAGE_SHIFT;
}

static uint64_t bitmap_bytes(uint64_t frames)
{
	return (frames + 7) / 8;
}

/* --- Save --- */

struct saver {
	struct domain *d;
	int fd;
	struct save_stats *st;
	char *err;
	size_t errlen;
	uint64_t *entries; /* PAGES_BATCH */
	uint8_t *data;     /* PAGES_BATCH frames */
};

static int put(struct saver *s, uint32_t type, const struct iovec *iov, int n)
{
	size_t len = 0;
	int i, e;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (mig_write_recordv(s->fd, type, iov, n) < 0) {
		e = errno;
		snprintf(s->err, s->errlen, "cannot write the %s record: %s", mig_rec_name(type),
		         strerror(e));
		return -e;
	}
	s->st->bytes += sizeof(struct mig_rec_hdr) + ((len + 7) & ~(size_t)7);
	return 0;
}

static int put1(struct saver *s, uint32_t type, const void *body, size_t len)
{
	struct iovec iov = {(void *)body, len};

	return put(s, type, &iov, 1);
}

static int save_begin(struct saver *s)
{
	struct domain *d = s->d;
	struct rec_begin b;
	struct evtchn_domain *ec = evtglue_port_table(d);
	uint64_t nb = bitmap_bytes(frames_of(d));
	uint8_t *bits = malloc(nb);
	int rc;

	if (!bits || !ec) {
		free(bits);
		if (ec)
			evtchn_domain_put(ec);
		snprintf(s->err, s->errlen, "out of memory");
		return -ENOMEM;
	}
	memset(&b, 0, sizeof(b));
	b.version = HV_STREAM_VERSION;
	b.evtchn_max_port = evtchn_max_port(ec);
	evtchn_domain_put(ec);
	pthread_mutex_lock(&d->lock);
	b.nr_vcpus = d->nr_vcpus;
	b.memory = d->mem.size;
	b.cpuid_hide = d->cpuid_hide;
	b.max_pages = d->max_pages;
	b.tot_pages = d->tot_pages;
	b.flags = d->started ? BEGIN_STARTED : 0;
	b.domid = d->domid;
	memcpy(b.uuid, d->uuid, sizeof(b.uuid));
	memcpy(bits, d->populated, nb);
	pthread_mutex_unlock(&d->lock);
	rc = put(s, MIG_REC_HV_BEGIN, (struct iovec[]){{&b, sizeof(b)}, {bits, nb}}, 2);
	free(bits);
	return rc;
}

static bool page_is_zero(const uint8_t *p)
{
	const uint64_t *w = (const uint64_t *)(const void *)p;
	size_t i;

	for (i = 0; i < GM_PAGE_SIZE / sizeof(*w); i++)
		if (w[i])
			return false;
	return true;
}

/* Write the batch of @n entries (@ndata with data), if any. */
static int flush_pages(struct saver *s, uint32_t n, uint32_t ndata)
{
	struct rec_pages h = {.count = n};

	if (!n)
		return 0;
	s->st->pages += ndata;
	s->st->zero_pages += n - ndata;
	return put(s, MIG_REC_HV_PAGES,
	           (struct iovec[]){{&h, sizeof(h)},
	                            {s->entries, n * sizeof(uint64_t)},
	                            {s->data, (size_t)ndata * GM_PAGE_SIZE}},
	           3);
}

/*
 * The next frame at or after @pfn that RAM's memfd holds data for (holes
 * were never written, or were given back by the balloon: not populated),
 * or the end of RAM.
 */
static uint64_t next_data(const struct domain *d, uint64_t pfn, uint64_t *hole)
{
	off_t at, end;

	*hole = frames_of(d);
	if (d->vm.memfd < 0)
		return pfn;
	at = lseek(d->vm.memfd, (off_t)(pfn << GM_PAGE_SHIFT), SEEK_DATA);
	if (at < 0)
		return errno == ENXIO ? frames_of(d) : pfn; /* ENXIO: no data after */
	end = lseek(d->vm.memfd, at, SEEK_HOLE);
	if (end > at && (uint64_t)end < d->mem.size)
		*hole = ((uint64_t)end + GM_PAGE_SIZE - 1) >> GM_PAGE_SHIFT;
	return (uint64_t)at >> GM_PAGE_SHIFT;
}

/* HV_PAGES: every frame that holds data, as data or, when all zero, as a zero entry. */
static int save_pages(struct saver *s)
{
	struct domain *d = s->d;
	uint64_t pfn = 0, hole, frames = frames_of(d);
	uint32_t n = 0, ndata = 0;
	int rc;

	while (pfn < frames) {
		pfn = next_data(d, pfn, &hole);
		for (; pfn < frames && pfn < hole; pfn++) {
			const uint8_t *p = d->mem.base + (pfn << GM_PAGE_SHIFT);

			if (page_is_zero(p)) {
				s->entries[n++] = pfn | PAGE_ZERO;
			} else {
				s->entries[n++] = pfn;
				memcpy(s->data + (size_t)ndata++ * GM_PAGE_SIZE, p, GM_PAGE_SIZE);
			}
			if (n == PAGES_BATCH) {
				rc = flush_pages(s, n, ndata);
				if (rc < 0)
					return rc;
				n = ndata = 0;
			}
		}
	}
	return flush_pages(s, n, ndata);
}

static int save_vcpu(struct saver *s, struct vcpu *v)
{
	struct domain *d = s->d;
	struct rec_vcpu *r = calloc(1, sizeof(*r));
	int rc;

	if (!r) {
		snprintf(s->err, s->errlen, "out of memory");
		return -ENOMEM;
	}
	r->id = v->id;
	pthread_mutex_lock(&d->lock);
	r->flags = (v->online ? VCPU_REC_ONLINE : 0) | (v->initialised ? VCPU_REC_INITIALISED : 0) |
	           (v->start_pending ? VCPU_REC_START_PENDING : 0);
	r->start_regs = v->start.regs;
	r->start_sregs = v->start.sregs;
	pthread_mutex_unlock(&d->lock);
	rc = kvm_vcpu_get_state(&d->hv->kvm, &v->kvm, &r->state);
	if (rc < 0)
		snprintf(s->err, s->errlen, "cannot read vcpu %u's state from KVM: %s", v->id,
		         strerror(-rc));
	else
		rc = put1(s, MIG_REC_HV_VCPU, r, sizeof(*r));
	free(r);
	return rc;
}

static int save_xen(struct saver *s)
{
	struct domain *d = s->d;
	struct rec_xen *x = calloc(1, sizeof(*x));
	unsigned int i;
	int rc;

	if (!x) {
		snprintf(s->err, s->errlen, "out of memory");
		return -ENOMEM;
	}
	rc = kvm_vm_get_clock(&d->vm, &x->kvm_clock);
	if (rc < 0) {
		snprintf(s->err, s->errlen, "cannot read KVM's clock: %s", strerror(-rc));
		free(x);
		return rc;
	}
	pthread_mutex_lock(&d->lock);
	x->system_time = domain_system_time(d);
	x->shinfo_gfn = d->shared_info ? d->shinfo_gfn : HV_NONE;
	if (d->shared_info)
		memcpy(x->shinfo, d->shared_info, GM_PAGE_SIZE);
	if (d->shared_info && !d->shinfo_slot)
		memcpy(x->shinfo_saved, d->shinfo_saved, GM_PAGE_SIZE);
	memcpy(x->hvm_params, d->hvm_params, sizeof(x->hvm_params));
	x->nr_vcpus = d->nr_vcpus;
	for (i = 0; i < d->nr_vcpus; i++) {
		const struct vcpu *v = d->vcpus[i];
		struct rec_xen_vcpu *xv = &x->vcpu[i];

		xv->vcpu_info_gpa = v->vcpu_info_reg ? v->vcpu_info_gpa : HV_NONE;
		xv->singleshot = v->singleshot;
		xv->period = v->period;
		xv->periodic_next = v->period ? v->periodic_next : 0;
		xv->upcall_vector = v->upcall_vector;
	}
	pthread_mutex_unlock(&d->lock);
	rc = put1(s, MIG_REC_HV_XEN, x, sizeof(*x));
	free(x);
	return rc;
}

static int save_evtchn(struct saver *s)
{
	struct evtchn_domain *ec = evtglue_port_table(s->d);
	struct rec_evtchn h = {.abi = EVTCHN_ABI_2L};
	struct evtchn_port_image *ports = NULL;
	uint32_t max;
	int n, rc = -ENOMEM;

	if (!ec) {
		snprintf(s->err, s->errlen, "domain %u has no event channels", s->d->domid);
		return -ESRCH;
	}
	max = evtchn_max_port(ec);
	ports = calloc(max, sizeof(*ports));
	if (!ports) {
		snprintf(s->err, s->errlen, "out of memory");
		goto out;
	}
	n = evtchn_export(ec, ports, max);
	if (n < 0) {
		rc = n == -XEN_EOPNOTSUPP ? -EOPNOTSUPP : -EIO;
		snprintf(s->err, s->errlen, "%s",
		         rc == -EOPNOTSUPP ? "the guest uses FIFO event channels, which a save "
		                             "cannot carry yet"
		                           : "cannot read the event channels");
		goto out;
	}
	h.count = (uint32_t)n;
	rc = put(s, MIG_REC_HV_EVTCHN,
	         (struct iovec[]){{&h, sizeof(h)}, {ports, (size_t)n * sizeof(*ports)}}, 2);
out:
	free(ports);
	evtchn_domain_put(ec);
	return rc;
}

static int save_gnttab(struct saver *s)
{
	struct gnttab *gt = evtglue_grant_table(s->d);
	struct rec_gnttab h = {.version = 1};
	uint64_t *gfns = NULL;
	uint8_t *own = NULL;
	uint32_t i, nown = 0;
	int rc = -ENOMEM;

	if (!gt) {
		snprintf(s->err, s->errlen, "domain %u has no grant table", s->d->domid);
		return -ESRCH;
	}
	h.nr_frames = gnttab_nr_frames(gt);
	gfns = calloc(h.nr_frames, sizeof(*gfns));
	own = malloc((size_t)h.nr_frames * GM_PAGE_SIZE);
	if (!gfns || !own) {
		snprintf(s->err, s->errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < h.nr_frames; i++) {
		int carried =
		    gnttab_export_frame(gt, i, &gfns[i], own + (size_t)nown * GM_PAGE_SIZE);

		if (carried < 0) {
			rc = -EIO;
			snprintf(s->err, s->errlen, "cannot read grant table frame %u", i);
			goto out;
		}
		nown += (uint64_t)carried;
	}
	rc = put(s, MIG_REC_HV_GNTTAB,
	         (struct iovec[]){{&h, sizeof(h)},
	                          {gfns, (size_t)h.nr_frames * sizeof(*gfns)},
	                          {own, (size_t)nown * GM_PAGE_SIZE}},
	         3);
out:
	free(gfns);
	free(own);
	gnttab_put(gt);
	return rc;
}

/*
 * Paused, and every vCPU thread parked with its last exit completed (KVM
 * finishes a port or MMIO access only at the next KVM_RUN: one with
 * immediate_exit does it without running the guest).  Only this thread
 * unpauses, so it stays so for the whole save.
 */
static int quiesce(struct saver *s)
{
	struct domain *d = s->d;
	unsigned int i, waited;
	bool running = true;

	for (waited = 0; running && waited <= PAUSE_WAIT_MS; waited++) {
		pthread_mutex_lock(&d->lock);
		if (!d->pause_count || d->dying) {
			pthread_mutex_unlock(&d->lock);
			snprintf(s->err, s->errlen, "domain %u is %s: pause it first", d->domid,
			         d->dying ? "being destroyed" : "not paused");
			return -EBUSY;
		}
		/* A thread out of KVM_RUN may still be handling its exit: wait until it parks. */
		for (running = false, i = 0; i < d->nr_vcpus; i++)
			running |= d->vcpus[i]->thread_started && !d->vcpus[i]->parked;
		pthread_mutex_unlock(&d->lock);
		if (running)
			nanosleep(&(struct timespec){0, 1000000}, NULL);
	}
	if (running) {
		snprintf(s->err, s->errlen, "domain %u's vCPUs have not stopped yet: try again",
		         d->domid);
		return -EBUSY;
	}
	for (i = 0; i < d->nr_vcpus; i++) {
		struct kvm_vcpu *c = &d->vcpus[i]->kvm;
		int r;

		if (!d->vcpus[i]->thread_started)
			continue;
		c->run->immediate_exit = 1;
		r = kvm_vcpu_run(c);
		c->run->immediate_exit = 0;
		if (r < 0 && r != -EINTR) {
			snprintf(s->err, s->errlen, "cannot complete vcpu %u's last exit: %s", i,
			         strerror(-r));
			return r;
		}
	}
	return 0;
}

int save_domain(struct domain *d, int fd, struct save_stats *st, char *err, size_t errlen)
{
	struct saver s = {.d = d, .fd = fd, .st = st, .err = err, .errlen = errlen};
	unsigned int i;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = quiesce(&s);
	if (rc < 0)
		return rc;
	s.entries = malloc(PAGES_BATCH * sizeof(*s.entries));
	s.data = malloc((size_t)PAGES_BATCH * GM_PAGE_SIZE);
	rc = -ENOMEM;
	if (!s.entries || !s.data) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rc = save_begin(&s);
	if (rc == 0)
		rc = save_pages(&s);
	for (i = 0; rc == 0 && i < d->nr_vcpus; i++)
		rc = save_vcpu(&s, d->vcpus[i]);
	if (rc == 0)
		rc = save_xen(&s);
	if (rc == 0)
		rc = save_evtchn(&s);
	if (rc == 0)
		rc = save_gnttab(&s);
	if (rc == 0)
		rc = put1(&s, MIG_REC_HV_END, "", 0);
out:
	free(s.entries);
	free(s.data);
	return rc;
}

/* --- Restore --- */

struct restorer {
	struct hv *hv;
	struct mig_reader r;
	struct mig_rec_hdr h;
	struct domain *d;
	struct rec_begin b;
	struct rec_xen_vcpu timers[HV_MAX_VCPUS];
	char *err;
	size_t errlen;
};

/* The record just read is refused: say which and why.  -EINVAL. */
static int __attribute__((format(printf, 2, 3))) refuse(struct restorer *rs, const char *fmt, ...)
{
	char why[CTRL_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(rs->err, rs->errlen, "bad stream: record %u (%s, ending at byte %llu): %s",
	         rs->r.index, mig_rec_name(rs->h.type), (unsigned long long)rs->r.offset, why);
	return -EINVAL;
}

/* Read the next record, which must be @type. */
static int next(struct restorer *rs, uint32_t type)
{
	int rc = type ? mig_expect_record(&rs->r, type, &rs->h) : mig_read_record(&rs->r, &rs->h);

	if (rc < 0) {
		rc = -errno;
		snprintf(rs->err, rs->errlen, "%s", rs->r.err);
	}
	return rc;
}

/* The body of the record just read is exactly @len bytes (fixed-size records). */
static int want_len(struct restorer *rs, size_t len)
{
	if (rs->h.length != len)
		return refuse(rs, "%u bytes, %zu expected", rs->h.length, len);
	return 0;
}

static unsigned int popcount_bytes(const uint8_t *p, uint64_t n)
{
	unsigned int c = 0;
	uint64_t i;

	for (i = 0; i < n; i++)
		c += (unsigned int)__builtin_popcount(p[i]);
	return c;
}

/* HV_BEGIN: check the shape, then create the domain. */
static int load_begin(struct restorer *rs, uint32_t domid, const char *name, const uuid_t uuid)
{
	struct domain_config cfg;
	const struct rec_begin *b = (const void *)rs->r.body;
	uint64_t frames, nb;
	const uint8_t *bits;
	int rc;

	if (rs->h.length < sizeof(*b))
		return refuse(rs, "%u bytes, too short", rs->h.length);
	rs->b = *b;
	b = &rs->b;
	if (b->version != HV_STREAM_VERSION)
		return refuse(rs, "hypervisor state version %u, this shoji-hv reads %u", b->version,
		              HV_STREAM_VERSION);
	if (b->memory < HV_MEMORY_MIN || b->memory > HV_MEMORY_MAX ||
	    (b->memory & (GM_PAGE_SIZE - 1)))
		return refuse(rs, "memory size %llu bytes out of range",
		              (unsigned long long)b->memory);
	if (b->nr_vcpus < 1 || b->nr_vcpus > HV_MAX_VCPUS)
		return refuse(rs, "%u vCPUs (1 .. %u)", b->nr_vcpus, HV_MAX_VCPUS);
	if (b->flags & ~BEGIN_STARTED)
		return refuse(rs, "unknown flags 0x%x", b->flags);
	if (b->evtchn_max_port == 0 || b->evtchn_max_port >= EVTCHN_2L_NR_CHANNELS)
		return refuse(rs, "highest event channel port %u out of range", b->evtchn_max_port);
	frames = b->memory >> GM_PAGE_SHIFT;
	nb = bitmap_bytes(frames);
	if (rs->h.length != sizeof(*b) + nb)
		return refuse(rs, "%u bytes, %llu expected for %llu frames", rs->h.length,
		              (unsigned long long)(sizeof(*b) + nb), (unsigned long long)frames);
	bits = rs->r.body + sizeof(*b);
	if ((frames % 8) && (bits[nb - 1] >> (frames % 8)))
		return refuse(rs, "populated frames past the end of RAM");
	if (b->max_pages > frames || b->tot_pages > b->max_pages ||
	    popcount_bytes(bits, nb) != b->tot_pages)
		return refuse(rs,
		              "page counts disagree (%llu populated of at most %llu, %llu frames)",
		              (unsigned long long)b->tot_pages, (unsigned long long)b->max_pages,
		              (unsigned long long)frames);

	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.name, sizeof(cfg.name), "%s", name);
	cfg.memory = b->memory;
	cfg.nr_vcpus = b->nr_vcpus;
	cfg.cpuid_hide = b->cpuid_hide;
	cfg.domid = domid;
	cfg.evtchn_max_port = b->evtchn_max_port;
	uuid_copy(cfg.uuid, uuid);
	rc = domain_create(rs->hv, &cfg, &rs->d);
	if (rc == -EEXIST) {
		snprintf(rs->err, rs->errlen, "domain id %u is taken: restore with another id",
		         domid);
		return rc;
	}
	if (rc < 0) {
		snprintf(rs->err, rs->errlen, "cannot create the domain: %s", strerror(-rc));
		return rc;
	}
	pthread_mutex_lock(&rs->d->lock);
	memcpy(rs->d->populated, bits, nb);
	rs->d->max_pages = b->max_pages;
	rs->d->tot_pages = b->tot_pages;
	pthread_mutex_unlock(&rs->d->lock);
	return 0;
}

/* HV_PAGES: every frame inside RAM, the sizes exact.  RAM starts zeroed: zero entries cost nothing. */
static int load_pages(struct restorer *rs)
{
	struct domain *d = rs->d;
	struct rec_pages h;
	const uint64_t *e;
	const uint8_t *data;
	uint64_t frames = frames_of(d), ndata = 0, i;

	if (rs->h.length < sizeof(h))
		return refuse(rs, "%u bytes, too short", rs->h.length);
	memcpy(&h, rs->r.body, sizeof(h));
	if (h.count == 0 || h.count > PAGES_BATCH)
		return refuse(rs, "%u frames (1 .. %u)", h.count, PAGES_BATCH);
	if (rs->h.length < sizeof(h) + (uint64_t)h.count * sizeof(*e))
		return refuse(rs, "%u bytes cannot list %u frames", rs->h.length, h.count);
	e = (const uint64_t *)(const void *)(rs->r.body + sizeof(h));
	for (i = 0; i < h.count; i++) {
		if ((e[i] & ~PAGE_ZERO) >= frames)
			return refuse(rs, "frame 0x%llx is outside RAM (0x%llx frames)",
			              (unsigned long long)(e[i] & ~PAGE_ZERO),
			              (unsigned long long)frames);
		ndata += !(e[i] & PAGE_ZERO);
	}
	if (rs->h.length != sizeof(h) + h.count * sizeof(*e) + ndata * GM_PAGE_SIZE)
		return refuse(
		    rs, "%u bytes, %llu expected for %u frames (%llu with data)", rs->h.length,
		    (unsigned long long)(sizeof(h) + h.count * sizeof(*e) + ndata * GM_PAGE_SIZE),
		    h.count, (unsigned long long)ndata);
	data = (const uint8_t *)(e + h.count);
	for (i = 0; i < h.count; i++) {
		if (e[i] & PAGE_ZERO)
			continue;
		memcpy(d->mem.base + (e[i] << GM_PAGE_SHIFT), data, GM_PAGE_SIZE);
		data += GM_PAGE_SIZE;
	}
	return 0;
}

/* HV_VCPU @id: the record of vCPU @id, its flags and state checked. */
static int load_vcpu(struct restorer *rs, unsigned int id)
{
	struct domain *d = rs->d;
	struct rec_vcpu *r;
	struct vcpu *v = d->vcpus[id];
	unsigned int i;
	int rc;

	rc = want_len(rs, sizeof(*r));
	if (rc < 0)
		return rc;
	r = (struct rec_vcpu *)(void *)rs->r.body;
	if (r->id != id)
		return refuse(rs, "vcpu %u where vcpu %u was due", r->id, id);
	if ((r->flags & ~VCPU_REC_FLAGS) ||
	    ((r->flags & VCPU_REC_START_PENDING) && !(r->flags & VCPU_REC_INITIALISED)) ||
	    ((r->flags & VCPU_REC_ONLINE) && !(rs->b.flags & BEGIN_STARTED)))
		return refuse(rs, "vcpu %u: flags 0x%x do not fit together", id, r->flags);
	if ((r->state.flags & ~KVM_STATE_XSAVE) ||
	    (r->state.events.flags & ~KVM_STATE_EVENTS_FLAGS))
		return refuse(rs, "vcpu %u: unknown state flags 0x%x, 0x%x", id, r->state.flags,
		              r->state.events.flags);
	if (r->state.nr_msrs > KVM_STATE_MSRS_MAX || r->state.xcrs.nr_xcrs > KVM_MAX_XCRS)
		return refuse(rs, "vcpu %u: %u MSRs, %u XCRs: too many", id, r->state.nr_msrs,
		              r->state.xcrs.nr_xcrs);
	for (i = 0; i < r->state.nr_msrs; i++)
		if (!kvm_state_msr_ok(r->state.msrs[i].index))
			return refuse(rs, "vcpu %u: MSR 0x%x is not one a save carries", id,
			              r->state.msrs[i].index);
	rc = kvm_vcpu_set_state(&v->kvm, &r->state);
	if (rc < 0)
		return refuse(rs, "vcpu %u: KVM refuses its state: %s", id, strerror(-rc));
	pthread_mutex_lock(&d->lock);
	v->online = false; /* vcpu_start() brings the online ones up at the end */
	v->initialised = r->flags & VCPU_REC_INITIALISED;
	v->start_pending = r->flags & VCPU_REC_START_PENDING;
	v->start.regs = r->start_regs;
	v->start.sregs = r->start_sregs;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* A vcpu_info address: a whole struct vcpu_info inside one RAM page. */
static bool vcpu_info_ok(const struct domain *d, uint64_t gpa)
{
	return (gpa & (GM_PAGE_SIZE - 1)) <= GM_PAGE_SIZE - sizeof(struct vcpu_info) &&
	       gm_gpa(&d->mem, gpa, sizeof(struct vcpu_info)) != NULL;
}

/* Check HV_XEN's per-vCPU part; its choke point.  NULL or what is wrong. */
static const char *xen_vcpu_bad(const struct domain *d, const struct rec_xen_vcpu *xv)
{
	if (xv->vcpu_info_gpa != HV_NONE && !vcpu_info_ok(d, xv->vcpu_info_gpa))
		return "vcpu_info not inside one page of RAM";
	if (xv->upcall_vector &&
	    (xv->upcall_vector < VCPU_UPCALL_VECTOR_MIN || xv->upcall_vector > 0xff))
		return "bad upcall vector";
	if (xv->period &&
	    (xv->period < VCPU_TIMER_PERIOD_MIN || xv->period > VCPU_TIMER_PERIOD_MAX))
		return "periodic timer period out of range";
	if (xv->singleshot >= SYSTEM_TIME_MAX || xv->periodic_next >= SYSTEM_TIME_MAX)
		return "timer deadline out of range";
	return NULL;
}

/* HV_XEN: time, shared_info (pending bits left to HV_EVTCHN), params, vcpu_info, timers. */
static int load_xen(struct restorer *rs)
{
	struct domain *d = rs->d;
	struct rec_xen *x;
	struct shared_info *si;
	const char *bad;
	unsigned int i;
	int rc;

	rc = want_len(rs, sizeof(*x));
	if (rc < 0)
		return rc;
	x = (struct rec_xen *)(void *)rs->r.body;
	if (x->nr_vcpus != d->nr_vcpus)
		return refuse(rs, "%u vCPUs, HV_BEGIN said %u", x->nr_vcpus, d->nr_vcpus);
	if (x->system_time >= SYSTEM_TIME_MAX)
		return refuse(rs, "guest time %llu ns out of range",
		              (unsigned long long)x->system_time);
	for (i = 0; i < d->nr_vcpus; i++) {
		bad = xen_vcpu_bad(d, &x->vcpu[i]);
		if (bad)
			return refuse(rs, "vcpu %u: %s", i, bad);
		rs->timers[i] = x->vcpu[i];
	}
	rc = kvm_vm_set_clock(&d->vm, x->kvm_clock);
	if (rc < 0)
		return refuse(rs, "KVM refuses the clock: %s", strerror(-rc));

	pthread_mutex_lock(&d->lock);
	/* Guest time goes on from where it was saved. */
	d->start_ns = time_mono_ns() - x->system_time;
	for (i = 0; i < HVM_NR_PARAMS; i++)
		if (hvm_param_set(d, i, x->hvm_params[i]) < 0) {
			pthread_mutex_unlock(&d->lock);
			return refuse(rs, "HVM param %u: bad value 0x%llx", i,
			              (unsigned long long)x->hvm_params[i]);
		}
	if (x->shinfo_gfn != HV_NONE) {
		if (physmap_map_shared_info(d, x->shinfo_gfn) < 0) {
			pthread_mutex_unlock(&d->lock);
			return refuse(rs, "shared_info cannot live at frame 0x%llx",
			              (unsigned long long)x->shinfo_gfn);
		}
		si = d->shared_info;
		memcpy(si, x->shinfo, GM_PAGE_SIZE);
		if (!d->shinfo_slot)
			memcpy(d->shinfo_saved, x->shinfo_saved, GM_PAGE_SIZE);
		/* HV_EVTCHN raises what was pending: the bitmap and selectors start clear. */
		memset(si->evtchn_pending, 0, sizeof(si->evtchn_pending));
		for (i = 0; i < XEN_LEGACY_MAX_VCPUS; i++) {
			si->vcpu_info[i].evtchn_pending_sel = 0;
			si->vcpu_info[i].evtchn_upcall_pending = 0;
		}
	}
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];
		uint64_t gpa = x->vcpu[i].vcpu_info_gpa;

		v->upcall_vector = (uint8_t)x->vcpu[i].upcall_vector;
		if (gpa != HV_NONE) {
			v->vcpu_info_reg = gm_gpa(&d->mem, gpa, sizeof(struct vcpu_info));
			v->vcpu_info_gpa = gpa;
		}
	}
	pthread_mutex_unlock(&d->lock);
	if (x->shinfo_gfn != HV_NONE)
		evtglue_shared_info_moved(d);
	for (i = 0; i < d->nr_vcpus; i++)
		if (x->vcpu[i].vcpu_info_gpa != HV_NONE)
			evtglue_vcpu_info_moved(d->vcpus[i]);
	return 0;
}

/* HV_EVTCHN: the count exact; each port checked by evtchn_import_port, its choke point. */
static int load_evtchn(struct restorer *rs)
{
	struct evtchn_domain *ec;
	struct rec_evtchn h;
	struct evtchn_port_image p;
	uint32_t i;
	int rc = 0;

	if (rs->h.length < sizeof(h))
		return refuse(rs, "%u bytes, too short", rs->h.length);
	memcpy(&h, rs->r.body, sizeof(h));
	if (h.abi != EVTCHN_ABI_2L)
		return refuse(rs, "event ABI %u (only 2-level, %u, is restored)", h.abi,
		              EVTCHN_ABI_2L);
	if (h.count >= EVTCHN_2L_NR_CHANNELS ||
	    rs->h.length != sizeof(h) + (uint64_t)h.count * sizeof(p))
		return refuse(rs, "%u bytes do not hold %u ports", rs->h.length, h.count);
	ec = evtglue_port_table(rs->d);
	if (!ec)
		return refuse(rs, "the domain has no port table");
	for (i = 0; i < h.count && rc == 0; i++) {
		memcpy(&p, rs->r.body + sizeof(h) + i * sizeof(p), sizeof(p));
		if (evtchn_import_port(ec, &p) < 0)
			rc = refuse(rs, "port %u (state %u, vcpu %u) cannot be restored", p.port,
			            p.state, p.vcpu);
	}
	evtchn_domain_put(ec);
	return rc;
}

/* HV_GNTTAB: version 1, every frame in RAM or carried, sizes exact. */
static int load_gnttab(struct restorer *rs)
{
	struct domain *d = rs->d;
	struct gnttab *gt;
	struct rec_gnttab h;
	const uint64_t *gfns;
	const uint8_t *own;
	uint64_t nown = 0;
	uint32_t i;
	int rc = 0;

	if (rs->h.length < sizeof(h))
		return refuse(rs, "%u bytes, too short", rs->h.length);
	memcpy(&h, rs->r.body, sizeof(h));
	if (h.version != 1)
		return refuse(rs, "grant table version %u (only 1 exists here)", h.version);
	if (h.nr_frames < 1 || h.nr_frames > GNTTAB_DEFAULT_MAX_FRAMES ||
	    rs->h.length < sizeof(h) + (uint64_t)h.nr_frames * sizeof(*gfns))
		return refuse(rs, "%u frames in %u bytes", h.nr_frames, rs->h.length);
	gfns = (const uint64_t *)(const void *)(rs->r.body + sizeof(h));
	/* A frame never placed or placed above RAM travels with its content. */
	for (i = 0; i < h.nr_frames; i++)
		nown += gfns[i] == GNTTAB_INVALID_GFN || gfns[i] >= frames_of(d);
	if (rs->h.length != sizeof(h) + h.nr_frames * sizeof(*gfns) + nown * GM_PAGE_SIZE)
		return refuse(rs, "%u bytes do not hold %u frames (%llu carried)", rs->h.length,
		              h.nr_frames, (unsigned long long)nown);
	own = (const uint8_t *)(gfns + h.nr_frames);
	gt = evtglue_grant_table(d);
	if (!gt)
		return refuse(rs, "the domain has no grant table");
	for (i = 0; i < h.nr_frames && rc == 0; i++) {
		bool carried = gfns[i] == GNTTAB_INVALID_GFN || gfns[i] >= frames_of(d);
		bool above = carried && gfns[i] != GNTTAB_INVALID_GFN;
		void *page = carried ? NULL : d->mem.base + (gfns[i] << GM_PAGE_SHIFT);

		if (gnttab_import_frame(gt, i, gfns[i], page, own) < 0)
			rc = refuse(rs, "grant frame %u cannot be restored", i);
		else if (above &&
		         physmap_map_grant_frame(d, i, gfns[i], gnttab_own_page(gt, i)) < 0)
			rc = refuse(rs,
			            "grant frame %u at 0x%llx is neither in RAM nor free above it",
			            i, (unsigned long long)gfns[i]);
		own += carried ? GM_PAGE_SIZE : 0;
	}
	gnttab_put(gt);
	return rc;
}

/* Everything is in: guest time, timers, and the online vCPUs' threads (which wait: paused). */
static int finish(struct restorer *rs)
{
	struct domain *d = rs->d;
	unsigned int i;
	uint32_t khz;
	int64_t offset;
	int rc;

	rc = kvm_vcpu_tsc_info(&d->vcpus[0]->kvm, &khz, &offset);
	if (rc < 0) {
		snprintf(rs->err, rs->errlen, "cannot read the restored TSC: %s", strerror(-rc));
		return rc;
	}
	pthread_mutex_lock(&d->lock);
	time_init(d, khz, offset); /* the guest's TSC is the saved one now */
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		v->singleshot = rs->timers[i].singleshot;
		v->period = rs->timers[i].period;
		v->periodic_next = rs->timers[i].periodic_next;
		vcpu_timer_update(v);
		time_update_vcpu(v);
	}
	time_update_wallclock(d);
	d->started = rs->b.flags & BEGIN_STARTED;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

/* Bring the vCPUs that were online up again (their threads wait while paused). */
static int start_vcpus(struct restorer *rs, const uint32_t *online)
{
	struct domain *d = rs->d;
	unsigned int i;
	int rc = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_vcpus && rc == 0; i++)
		if (online[i])
			rc = vcpu_start(d->vcpus[i]);
	pthread_mutex_unlock(&d->lock);
	if (rc < 0)
		snprintf(rs->err, rs->errlen, "cannot start the vCPU threads: %s", strerror(-rc));
	return rc;
}

int restore_domain(struct hv *hv, int fd, uint32_t domid, const char *name, const uuid_t uuid,
                   struct domain **out, char *err, size_t errlen)
{
	struct restorer rs = {.hv = hv, .err = err, .errlen = errlen};
	uint32_t online[HV_MAX_VCPUS] = {0};
	unsigned int i;
	int rc;

	mig_reader_init(&rs.r, fd);
	rc = next(&rs, MIG_REC_HV_BEGIN);
	if (rc == 0)
		rc = load_begin(&rs, domid, name, uuid);
	if (rc == 0)
		rc = next(&rs, 0);
	while (rc == 0 && rs.h.type == MIG_REC_HV_PAGES) {
		rc = load_pages(&rs);
		if (rc == 0)
			rc = next(&rs, 0);
	}
	for (i = 0; rc == 0 && i < rs.b.nr_vcpus; i++) {
		if (i > 0)
			rc = next(&rs, 0);
		if (rc == 0 && rs.h.type != MIG_REC_HV_VCPU)
			rc = refuse(&rs, "HV_VCPU of vcpu %u expected", i);
		if (rc == 0)
			rc = load_vcpu(&rs, i);
		if (rc == 0)
			online[i] = ((const struct rec_vcpu *)(const void *)rs.r.body)->flags &
			            VCPU_REC_ONLINE;
	}
	if (rc == 0)
		rc = next(&rs, MIG_REC_HV_XEN);
	if (rc == 0)
		rc = load_xen(&rs);
	if (rc == 0)
		rc = next(&rs, MIG_REC_HV_EVTCHN);
	if (rc == 0)
		rc = load_evtchn(&rs);
	if (rc == 0)
		rc = next(&rs, MIG_REC_HV_GNTTAB);
	if (rc == 0)
		rc = load_gnttab(&rs);
	if (rc == 0)
		rc = next(&rs, MIG_REC_HV_END);
	if (rc == 0)
		rc = want_len(&rs, 0);
	if (rc == 0)
		rc = finish(&rs);
	if (rc == 0)
		rc = start_vcpus(&rs, online);
	mig_reader_free(&rs.r);
	if (rc < 0 && rs.d) {
		domain_destroy(rs.d);
		domain_put(rs.d);
		rs.d = NULL;
	}
	*out = rs.d;
	return rc;
}

/* --- The control requests --- */

int save_op_save(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                 int *pass_fd)
{
	const struct ctrl_save *q = req;
	struct ctrl_save_reply *r = reply;
	struct save_stats st;
	struct domain *d = NULL;
	int fd = ctrl_client_take_fd(client, 0);
	int rc;

	if (fd < 0) {
		snprintf(r->error, sizeof(r->error), "no stream descriptor came with the request");
		return -EBADF;
	}
	rc = -EINVAL;
	if (q->flags) {
		snprintf(r->error, sizeof(r->error), "unknown save flags 0x%x", q->flags);
		goto out;
	}
	d = hv_domain_get(hv, q->domid);
	rc = -ESRCH;
	if (!d) {
		snprintf(r->error, sizeof(r->error), "no domain %u", q->domid);
		goto out;
	}
	rc = save_domain(d, fd, &st, r->error, sizeof(r->error));
	if (rc == 0) {
		r->pages = st.pages;
		r->zero_pages = st.zero_pages;
		r->bytes = st.bytes;
		log_info("saved domain %u: %llu frames with data, %llu zero, %llu bytes", d->domid,
		         (unsigned long long)st.pages, (unsigned long long)st.zero_pages,
		         (unsigned long long)st.bytes);
	} else {
		log_warnx("save of domain %u refused: %s", q->domid, r->error);
	}
out:
	if (d)
		domain_put(d);
	close(fd);
	return rc;
}

int save_op_restore(struct hv *hv, struct ctrl_client *client, const void *req, void *reply,
                    int *pass_fd)
{
	const struct ctrl_restore *q = req;
	struct ctrl_restore_reply *r = reply;
	struct domain *d = NULL;
	int fd = ctrl_client_take_fd(client, 0);
	int rc = -EINVAL;

	if (fd < 0) {
		snprintf(r->error, sizeof(r->error), "no stream descriptor came with the request");
		return -EBADF;
	}
	if (!memchr(q->name, '\0', sizeof(q->name))) {
		snprintf(r->error, sizeof(r->error), "the name is not terminated");
		goto out;
	}
	if (q->domid != CTRL_DOMID_ANY && (q->domid == 0 || q->domid > HV_DOMID_MAX)) {
		snprintf(r->error, sizeof(r->error), "domain id %u out of range (1 .. %u)",
		         q->domid, HV_DOMID_MAX);
		goto out;
	}
	rc = restore_domain(hv, fd, q->domid == CTRL_DOMID_ANY ? 0 : q->domid, q->name, q->uuid, &d,
	                    r->error, sizeof(r->error));
	if (rc == 0) {
		r->domid = d->domid;
		log_info("restored domain %u (%s), paused", d->domid, d->name);
		domain_put(d);
	} else {
		log_warnx("restore refused: %s", r->error);
	}
out:
	close(fd);
	return rc;
}
