/* The pre-built VM pool (see vmpool.h). */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "vmpool.h"

static void *refill(void *arg)
{
	struct vm_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		struct vm_pool_vm pv = {0};
		int r;

		if (p->count >= p->target) {
			pthread_cond_wait(&p->cond, &p->lock);
			continue;
		}
		pthread_mutex_unlock(&p->lock);
		r = kvm_vm_create(p->kvm, &pv.vm, p->ram_size);
		if (r == 0 && (r = p->prepare(p->opaque, &pv)) < 0)
			kvm_vm_destroy(&pv.vm);
		pthread_mutex_lock(&p->lock);
		if (r < 0) {
			log_warnx("VM pool: cannot build a VM: %s", strerror(-r));
			break; /* domain creation falls back to building its own */
		}
		p->vms[p->count++] = pv;
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int vm_pool_start(struct vm_pool *p, struct kvm_host *k, uint64_t ram_size, unsigned int target,
                  vm_pool_prepare_fn *prepare, vm_pool_release_fn *release, void *opaque)
{
	int r;

	memset(p, 0, sizeof(*p));
	if (target < 1 || target > VM_POOL_MAX)
		return -EINVAL;
	p->kvm = k;
	p->ram_size = ram_size;
	p->target = target;
	p->prepare = prepare;
	p->release = release;
	p->opaque = opaque;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	r = pthread_create(&p->thread, NULL, refill, p);
	if (r)
		return -r;
	p->running = true;
	return 0;
}

void vm_pool_stop(struct vm_pool *p)
{
	if (!p->running)
		return;
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_signal(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	while (p->count) {
		struct vm_pool_vm *pv = &p->vms[--p->count];

		p->release(p->opaque, pv);
		kvm_vm_destroy(&pv->vm);
	}
	p->running = false;
}

bool vm_pool_take(struct vm_pool *p, uint64_t ram_size, struct vm_pool_vm *out)
{
	bool ok = false;

	if (!p->running || ram_size != p->ram_size)
		return false;
	pthread_mutex_lock(&p->lock);
	if (p->count) {
		/* The oldest first: pooled VMs hand out their reserved domids in order. */
		*out = p->vms[0];
		memmove(&p->vms[0], &p->vms[1], --p->count * sizeof(p->vms[0]));
		ok = true;
		pthread_cond_signal(&p->cond);
	}
	pthread_mutex_unlock(&p->lock);
	return ok;
}
