/* Domains: creation, the domain table, lifecycle and state (see domain.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <shoji/sched.h>

#include "cpuid.h"
#include "domain.h"
#include "evtglue.h"
#include "hcpatch.h"
#include "hv.h"
#include "hvtime.h"
#include "loader.h"
#include "log.h"
#include "platform.h"
#include "vcpu.h"

/* Guest RAM a pooled VM has faulted in ahead: guest images load at 1 MiB. */
#define POOL_POPULATE (2ULL << 20)

/* Reserve the next free domid (Xen-style rover: ids are not reused soon). hv->lock held. */
static int domid_alloc(struct hv *hv, uint32_t *out)
{
	uint32_t i, id = hv->next_domid;

	for (i = 0; i < HV_DOMID_MAX; i++, id++) {
		if (id == 0 || id > HV_DOMID_MAX)
			id = 1;
		if (!hv->domains[id]) {
			*out = id;
			hv->next_domid = id + 1;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Free everything of a domain whose vCPU threads are gone. */
static void domain_free(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < HV_MAX_VCPUS; i++)
		if (d->vcpus[i])
			vcpu_destroy(d->vcpus[i]);
	kvm_vm_destroy(&d->vm);
	if (d->shinfo_extra)
		munmap(d->shinfo_extra, GM_PAGE_SIZE);
	free(d->shinfo_saved);
	free(d->populated);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

static int config_check(const struct domain_config *cfg)
{
	if (cfg->memory < HV_MEMORY_MIN || cfg->memory > HV_MEMORY_MAX ||
	    (cfg->memory & (GM_PAGE_SIZE - 1)))
		return -EINVAL;
	if (cfg->nr_vcpus < 1 || cfg->nr_vcpus > HV_MAX_VCPUS || cfg->domid > HV_DOMID_MAX)
		return -EINVAL;
	if (memchr(cfg->name, '\0', sizeof(cfg->name)) == NULL)
		return -EINVAL;
	return 0;
}

/* A pooled VM's domid: its slot holds this never-ready domain, which lookups skip. */
static struct domain domid_reserved;

/*
 * vm_pool prepare hook: reserve the domid the VM's domain will have and make
 * vCPU 0 with the default CPUID for it, so that taking the VM leaves only
 * the guest-specific work (KVM_SET_CPUID2 alone costs 100-150 us here).
 */
static int pool_prepare(void *opaque, struct vm_pool_vm *pv)
{
	struct hv *hv = opaque;
	struct kvm_cpuid2 *cpuid;
	const char *bad;
	int r;

	pthread_mutex_lock(&hv->lock);
	r = domid_alloc(hv, &pv->domid);
	if (r == 0)
		hv->domains[pv->domid] = &domid_reserved;
	pthread_mutex_unlock(&hv->lock);
	if (r < 0)
		return r;
	kvm_vm_prepare(&hv->kvm, &pv->vm, POOL_POPULATE);
	if (pv->vm.boot_vcpu.fd >= 0 &&
	    cpuid_parse_hide(CPUID_HIDE_DEFAULT, &pv->cpuid_hide, &bad) == 0) {
		cpuid = cpuid_build(hv->kvm.supported, pv->cpuid_hide, pv->domid, 0);
		pv->cpuid_set = cpuid && kvm_vcpu_set_cpuid(&pv->vm.boot_vcpu, cpuid) == 0;
		free(cpuid);
	}
	if (pv->vm.boot_vcpu.fd >= 0)
		pv->pvh_preloaded = vcpu_preload_pvh(&pv->vm.boot_vcpu) == 0;
	return 0;
}

static void pool_release(void *opaque, struct vm_pool_vm *pv)
{
	struct hv *hv = opaque;

	pthread_mutex_lock(&hv->lock);
	if (hv->domains[pv->domid] == &domid_reserved)
		hv->domains[pv->domid] = NULL;
	pthread_mutex_unlock(&hv->lock);
}

int domain_pool_start(struct hv *hv, uint64_t ram_size, unsigned int target)
{
	return vm_pool_start(&hv->pool, &hv->kvm, ram_size, target, pool_prepare, pool_release, hv);
}

int domain_create(struct hv *hv, const struct domain_config *cfg, struct domain **out)
{
	uint64_t pages = cfg->memory >> 12;
	struct vm_pool_vm pv;
	struct domain *d;
	bool pooled;
	void *extra;
	unsigned int i;
	uint32_t khz;
	int64_t offset;
	int r;

	r = config_check(cfg);
	if (r < 0)
		return r;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->hv = hv;
	d->vm.fd = -1;
	d->vm.memfd = -1;
	d->vm.boot_vcpu.fd = -1;
	d->shutdown_code = ~0u;
	d->pause_count = 1; /* created paused */
	d->nr_vcpus = cfg->nr_vcpus;
	d->cpuid_hide = cfg->cpuid_hide;
	d->console_stdout = cfg->console_stdout;
	d->refs = 1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	if (uuid_is_null(cfg->uuid))
		uuid_generate(d->uuid);
	else
		uuid_copy(d->uuid, cfg->uuid);

	r = -ENOMEM;
	d->populated = malloc(pages / 8 + 1);
	d->shinfo_saved = malloc(GM_PAGE_SIZE);
	extra = mmap(NULL, GM_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!d->populated || !d->shinfo_saved || extra == MAP_FAILED)
		goto out;
	d->shinfo_extra = extra;
	memset(d->populated, 0xff, pages / 8 + 1);
	d->tot_pages = d->max_pages = pages;

	/*
	 * The domid goes into CPUID, so reserve it first (the slot stays
	 * NULL-looking to lookups); a pooled VM comes with its domid reserved.
	 */
	pooled = !cfg->domid && vm_pool_take(&hv->pool, cfg->memory, &pv);
	pthread_mutex_lock(&hv->lock);
	if (pooled)
		d->domid = pv.domid;
	else if (cfg->domid)
		r = hv->domains[cfg->domid] ? -EEXIST : (d->domid = cfg->domid, 0);
	else
		r = domid_alloc(hv, &d->domid);
	if (pooled || r == 0)
		hv->domains[d->domid] = d;
	pthread_mutex_unlock(&hv->lock);
	if (!pooled && r < 0)
		goto out;
	if (cfg->name[0])
		snprintf(d->name, sizeof(d->name), "%s", cfg->name);
	else
		snprintf(d->name, sizeof(d->name), "domain-%u", d->domid);

	if (pooled) {
		d->vm = pv.vm;
		d->boot_cpuid_set = pv.cpuid_set && pv.cpuid_hide == cfg->cpuid_hide;
		d->boot_pvh_preloaded = pv.pvh_preloaded;
	} else {
		r = kvm_vm_create(&hv->kvm, &d->vm, cfg->memory);
		if (r < 0)
			goto out_id;
	}
	d->mem.base = d->vm.ram;
	d->mem.size = cfg->memory;
	for (i = 0; i < cfg->nr_vcpus; i++) {
		r = vcpu_create(d, i, &d->vcpus[i]);
		if (r < 0)
			goto out_id;
	}
	r = kvm_vcpu_tsc_info(&d->vcpus[0]->kvm, &khz, &offset);
	if (r < 0)
		goto out_id;
	time_init(d, khz, offset);
	r = evtglue_domain_create(d, cfg->evtchn_max_port);
	if (r < 0)
		goto out_id;

	pthread_mutex_lock(&hv->lock);
	d->ready = true;
	d->refs++; /* the caller's */
	hv->nr_domains++;
	pthread_mutex_unlock(&hv->lock);
	*out = d;
	return 0;
out_id:
	pthread_mutex_lock(&hv->lock);
	hv->domains[d->domid] = NULL;
	pthread_mutex_unlock(&hv->lock);
out:
	if (extra != MAP_FAILED && !d->shinfo_extra)
		munmap(extra, GM_PAGE_SIZE);
	domain_free(d);
	return r;
}

void domain_put(struct domain *d)
{
	struct hv *hv = d->hv;
	bool last;

	pthread_mutex_lock(&hv->lock);
	last = --d->refs == 0;
	pthread_mutex_unlock(&hv->lock);
	if (last)
		domain_free(d);
}

/* Kick every vCPU so it re-checks the domain state.  d->lock held. */
static void kick_all(struct domain *d)
{
	unsigned int i;

	for (i = 0; i < d->nr_vcpus; i++)
		vcpu_kick(d->vcpus[i]);
	pthread_cond_broadcast(&d->cond);
}

void domain_destroy(struct domain *d)
{
	struct hv *hv = d->hv;
	unsigned int i;

	pthread_mutex_lock(&d->lock);
	if (d->dying) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	d->dying = true;
	kick_all(d);
	pthread_mutex_unlock(&d->lock);
	hv_notify_state(hv, d);

	/* Join the vCPU threads now so no guest code runs after destroy returns. */
	for (i = 0; i < d->nr_vcpus; i++) {
		struct vcpu *v = d->vcpus[i];

		if (v->thread_started) {
			pthread_join(v->thread, NULL);
			v->thread_started = false;
		}
	}
	pthread_mutex_lock(&hv->lock);
	hv->domains[d->domid] = NULL;
	hv->nr_domains--;
	pthread_mutex_unlock(&hv->lock);
	evtglue_domain_destroy(d); /* ports, grants; VIRQ_DOM_EXC */
	domain_put(d);
}

void domain_pause(struct domain *d)
{
	pthread_mutex_lock(&d->lock);
	d->pause_count++;
	kick_all(d);
	pthread_mutex_unlock(&d->lock);
	hv_notify_state(d->hv, d);
}

int domain_unpause(struct domain *d)
{
	struct vcpu *v0 = d->vcpus[0];
	int r = 0;

	pthread_mutex_lock(&d->lock);
	if (!d->pause_count || d->dying) {
		r = -EINVAL;
		goto out;
	}
	if (!d->started) {
		if (!v0->initialised) {
			r = -EINVAL; /* nothing loaded */
			goto out;
		}
		r = vcpu_start(v0);
		if (r < 0)
			goto out;
		d->started = true;
	}
	d->pause_count--;
	pthread_cond_broadcast(&d->cond);
out:
	pthread_mutex_unlock(&d->lock);
	if (r == 0)
		hv_notify_state(d->hv, d);
	return r;
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
	pthread_mutex_lock(&d->lock);
	if (d->is_shutdown || d->crashed || d->dying) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	d->is_shutdown = true;
	d->shutdown_reason = d->shutdown_code != ~0u ? d->shutdown_code : reason;
	kick_all(d);
	pthread_mutex_unlock(&d->lock);
	evtglue_dom_exc(d->hv);
	hv_notify_state(d->hv, d);
}

void domain_crash(struct domain *d, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&d->lock);
	if (d->is_shutdown || d->crashed || d->dying) {
		pthread_mutex_unlock(&d->lock);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(d->crash_msg, sizeof(d->crash_msg), fmt, ap);
	va_end(ap);
	d->crashed = true;
	d->shutdown_reason = SHUTDOWN_crash;
	kick_all(d);
	pthread_mutex_unlock(&d->lock);
	log_warnx("domain %u crashed: %s", d->domid, d->crash_msg);
	evtglue_dom_exc(d->hv);
	hv_notify_state(d->hv, d);
}

enum domain_state domain_state(struct domain *d)
{
	enum domain_state s;
	unsigned int i, online = 0, blocked = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_vcpus; i++) {
		online += d->vcpus[i]->online;
		blocked += d->vcpus[i]->online && d->vcpus[i]->blocked;
	}
	if (d->dying)
		s = DOMAIN_DYING;
	else if (d->crashed)
		s = DOMAIN_CRASHED;
	else if (d->is_shutdown)
		s = DOMAIN_SHUTDOWN;
	else if (d->pause_count)
		s = DOMAIN_PAUSED;
	else if (online == blocked)
		s = DOMAIN_BLOCKED;
	else
		s = DOMAIN_RUNNING;
	pthread_mutex_unlock(&d->lock);
	return s;
}

const char *domain_state_name(enum domain_state s)
{
	static const char *const names[] = {
	    [DOMAIN_RUNNING] = "running", [DOMAIN_BLOCKED] = "blocked",
	    [DOMAIN_PAUSED] = "paused",   [DOMAIN_SHUTDOWN] = "shutdown",
	    [DOMAIN_CRASHED] = "crashed", [DOMAIN_DYING] = "dying",
	};

	return (unsigned int)s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* What hcpatch_apply did to a kernel image (where KVM has no Xen intercept). */
static void hcpatch_log(struct domain *d, int r, const struct hcpatch_result *hc, const char *msg)
{
	if (r < 0)
		log_warnx("domain %u: Linux hypercall stubs not rewritten: %s", d->domid, msg);
	else if (r > 0)
		log_info("domain %u: rewrote Linux's hypercall stubs (%s at 0x%llx, %s at 0x%llx) "
		         "to trap to shoji-hv",
		         d->domid, hc->sites[0].insn, (unsigned long long)hc->sites[0].paddr,
		         hc->sites[1].insn, (unsigned long long)hc->sites[1].paddr);
}

/* Load the images read into @img and @rd (NULL: none); @kernel names the kernel in messages. */
static int load_images(struct domain *d, const char *kernel, uint8_t *img, size_t len,
                       const uint8_t *rd, size_t rdlen, const char *cmdline, char *err,
                       size_t errlen)
{
	struct hcpatch_result hc;
	struct pvh_boot boot;
	struct vcpu *v0 = d->vcpus[0];
	char msg[256], hmsg[256];
	int hr;

	/* Where KVM cannot catch vmcall/vmmcall, Linux's stubs must trap another way. */
	hr = d->vm.xen_hcall ? 0 : hcpatch_apply(img, len, &hc, hmsg, sizeof(hmsg));
	pthread_mutex_lock(&d->lock);
	if (d->started || d->dying) {
		pthread_mutex_unlock(&d->lock);
		snprintf(err, errlen, "domain %u has already started", d->domid);
		return -EBUSY;
	}
	if (pvh_load(&d->mem, img, len, rd, rdlen, cmdline, d->nr_vcpus, &boot, msg, sizeof(msg)) <
	    0) {
		pthread_mutex_unlock(&d->lock);
		snprintf(err, errlen, "%s: %s", kernel, msg);
		return -ENOEXEC;
	}
	hcpatch_log(d, hr, &hc, hmsg);
	vcpu_pvh_start_state(&v0->start, boot.entry, boot.start_info);
	d->hvm_params[HVM_PARAM_STORE_PFN] = LOADER_STORE_PFN(d->mem.size);
	d->hvm_params[HVM_PARAM_CONSOLE_PFN] = LOADER_CONSOLE_PFN(d->mem.size);
	v0->initialised = true;
	v0->start_pending = true;
	pthread_mutex_unlock(&d->lock);
	return 0;
}

int domain_load(struct domain *d, const char *kernel, const char *initrd, const char *cmdline,
                char *err, size_t errlen)
{
	uint8_t *img = NULL, *rd = NULL;
	size_t len = 0, rdlen = 0;
	int r = -EINVAL;

	if (loader_read_file(kernel, d->mem.size, &img, &len, err, errlen) < 0)
		goto out;
	if (initrd && loader_read_file(initrd, d->mem.size, &rd, &rdlen, err, errlen) < 0)
		goto out;
	r = load_images(d, kernel, img, len, initrd ? rd : NULL, rdlen, cmdline, err, errlen);
out:
	free(img);
	free(rd);
	return r;
}

int domain_load_fd(struct domain *d, int kernel_fd, const char *kernel, int initrd_fd,
                   const char *initrd, const char *cmdline, char *err, size_t errlen)
{
	uint8_t *img = NULL, *rd = NULL;
	size_t len = 0, rdlen = 0;
	int r = -EINVAL;

	if (loader_read_fd(kernel_fd, kernel, d->mem.size, &img, &len, err, errlen) < 0)
		goto out;
	if (initrd_fd >= 0 &&
	    loader_read_fd(initrd_fd, initrd, d->mem.size, &rd, &rdlen, err, errlen) < 0)
		goto out;
	r = load_images(d, kernel, img, len, initrd_fd >= 0 ? rd : NULL, rdlen, cmdline, err,
	                errlen);
out:
	free(img);
	free(rd);
	return r;
}
