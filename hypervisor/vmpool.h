/*
 * A pool of pre-built, never-run VMs: irqchip, user-space MSR exits, RAM
 * memfd and its memslot, plus whatever the owner's prepare hook adds (the
 * domain layer reserves a domid and sets up vCPU 0 with its CPUID).  A
 * background thread keeps @target VMs of one RAM size ready; domain
 * creation takes one when the size matches.
 */
#ifndef SHOJI_HV_VMPOOL_H
#define SHOJI_HV_VMPOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvm.h"

#define VM_POOL_MAX 16

/* One pooled VM and what the prepare hook recorded about it. */
struct vm_pool_vm {
	struct kvm_vm vm;
	uint32_t domid;      /* reserved for the domain that takes it */
	bool cpuid_set;      /* vCPU 0's CPUID is set for @domid and @cpuid_hide */
	uint64_t cpuid_hide; /* cpuid_parse_hide() mask */
	bool pvh_preloaded;  /* vCPU 0 holds the PVH segment state (vcpu_preload_pvh) */
};

/* Run by the refill thread on a new VM: 0, or -errno to drop it and stop refilling. */
typedef int vm_pool_prepare_fn(void *opaque, struct vm_pool_vm *pv);
/* Undo prepare for a VM the pool destroys without handing it out. */
typedef void vm_pool_release_fn(void *opaque, struct vm_pool_vm *pv);

struct vm_pool {
	struct kvm_host *kvm;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	pthread_t thread;
	bool running;
	bool stop;
	uint64_t ram_size;
	unsigned int target;
	unsigned int count;
	struct vm_pool_vm vms[VM_POOL_MAX];
	vm_pool_prepare_fn *prepare;
	vm_pool_release_fn *release;
	void *opaque;
};

/*
 * Start keeping @target (1..VM_POOL_MAX) VMs of @ram_size bytes ready, each
 * passed through @prepare; @release undoes it for VMs never taken.  0 or -errno.
 */
int vm_pool_start(struct vm_pool *p, struct kvm_host *k, uint64_t ram_size, unsigned int target,
                  vm_pool_prepare_fn *prepare, vm_pool_release_fn *release, void *opaque);
/* Stop the refill thread and destroy the VMs still pooled. */
void vm_pool_stop(struct vm_pool *p);
/* Take a ready VM of @ram_size into @out; false when none is ready. */
bool vm_pool_take(struct vm_pool *p, uint64_t ram_size, struct vm_pool_vm *out);

#endif
