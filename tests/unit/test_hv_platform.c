/* The fake platform behind shoji-hv's unit tests and fuzzers (see test_hv_platform.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/vcpu.h>

#include "platform.h"
#include "test_hv_platform.h"

struct fake_log fake_log;

/* The single "host" the fake domains live in. */
static struct hv fake_hv;

struct domain *fake_domain_new(uint64_t mem, unsigned int nvcpus)
{
	struct domain *d = calloc(1, sizeof(*d));
	unsigned int i;

	if (!d)
		abort();
	d->hv = &fake_hv;
	d->domid = 1;
	d->refs = 1;
	d->ready = true;
	snprintf(d->name, sizeof(d->name), "fake");
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	d->vm.fd = -1;
	d->vm.memfd = -1;
	d->vm.boot_vcpu.fd = -1;
	d->mem.base = calloc(1, mem);
	d->mem.size = mem;
	d->max_pages = d->tot_pages = mem >> 12;
	d->populated = malloc(mem / 8 / 4096 + 1);
	memset(d->populated, 0xff, mem / 8 / 4096 + 1);
	d->shinfo_saved = calloc(1, 4096);
	d->shinfo_extra = aligned_alloc(4096, 4096);
	memset(d->shinfo_extra, 0, 4096);
	d->shutdown_code = ~0u;
	d->pause_count = 1;
	d->nr_vcpus = nvcpus;
	d->start_ns = 1;
	d->tsc_khz = 1000000;
	d->tsc_mul = 1u << 31;
	d->tsc_shift = 1;
	if (!d->mem.base)
		abort();
	for (i = 0; i < nvcpus; i++) {
		struct vcpu *v = calloc(1, sizeof(*v));

		v->d = d;
		v->id = i;
		v->kvm.fd = -1;
		v->timerfd = -1;
		v->regs = calloc(1, sizeof(*v->regs));
		v->regs->sregs.cs.l = 1;
		v->runstate = RUNSTATE_offline;
		pthread_cond_init(&v->cond, NULL);
		d->vcpus[i] = v;
	}
	d->vcpus[0]->online = true;
	d->vcpus[0]->initialised = true;
	d->vcpus[0]->runstate = RUNSTATE_running;
	fake_hv.domains[1] = d;
	return d;
}

void fake_domain_free(struct domain *d)
{
	unsigned int i;

	fake_hv.domains[d->domid] = NULL;
	for (i = 0; i < d->nr_vcpus; i++) {
		free(d->vcpus[i]->regs);
		pthread_cond_destroy(&d->vcpus[i]->cond);
		free(d->vcpus[i]);
	}
	free(d->mem.base);
	free(d->populated);
	free(d->shinfo_saved);
	free(d->shinfo_extra);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

void fake_vcpu_paging(struct vcpu *v, uint64_t cr0, uint64_t cr3, uint64_t cr4, uint64_t efer)
{
	v->paging.cr0 = cr0;
	v->paging.cr3 = cr3;
	v->paging.cr4 = cr4;
	v->paging.efer = efer;
}

/* --- platform.h: what vcpu.c, domain.c, hv.c and kvm.c provide in shoji-hv. --- */

struct domain *hv_domain_get(struct hv *hv, uint32_t domid)
{
	if (domid > HV_DOMID_MAX || !hv->domains[domid])
		return NULL;
	hv->domains[domid]->refs++;
	return hv->domains[domid];
}

void domain_put(struct domain *d)
{
	d->refs--;
}

void domain_shutdown(struct domain *d, unsigned int reason)
{
	if (d->is_shutdown || d->crashed)
		return;
	d->is_shutdown = true;
	d->shutdown_reason = d->shutdown_code != ~0u ? d->shutdown_code : reason;
}

void vcpu_kick(struct vcpu *v)
{
	fake_log.kicks++;
	v->woken = true;
}

bool vcpu_claim_wake(struct vcpu *v)
{
	bool was = v->woken;

	v->woken = true;
	return !was && v->blocked;
}

int vcpu_start(struct vcpu *v)
{
	fake_log.starts++;
	v->online = true;
	return 0;
}

bool vcpu_block(struct vcpu *v, uint64_t deadline, bool wake_on_upcall)
{
	/* Nothing else runs here: a block returns at once, as if its deadline passed. */
	fake_log.blocks++;
	v->woken = false;
	if (wake_on_upcall)
		v->timer_fired = false;
	return true;
}

void vcpu_notify_upcall(struct vcpu *v)
{
	fake_log.upcalls++;
}

void vcpu_timer_update(struct vcpu *v)
{
	fake_log.timer_updates++;
}

void vcpu_timer_quiesce(struct vcpu *v)
{
	/* No timer thread here: nothing is ever on its way. */
}

int kvm_vm_set_slot(struct kvm_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
                    void *host)
{
	fake_log.slot_sets++;
	fake_log.last_slot_gpa = gpa;
	fake_log.last_slot_size = size;
	return 0;
}
