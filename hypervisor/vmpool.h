/*
 * A pool of pre-built, never-run VMs: irqchip, user-space MSR exits, RAM
 * memfd and its memslot, vCPU 0, and the first VM_POOL_POPULATE bytes of RAM
 * faulted in.  A background thread keeps @target VMs of one RAM size ready;
 * domain creation takes one when the size matches.
 */
#ifndef SHOJI_HV_VMPOOL_H
#define SHOJI_HV_VMPOOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "kvm.h"

#define VM_POOL_MAX      16
#define VM_POOL_POPULATE (2ULL << 20) /* guest images load at 1 MiB */

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
	struct kvm_vm vms[VM_POOL_MAX];
};

/* Start keeping @target (1..VM_POOL_MAX) VMs of @ram_size bytes ready. 0 or -errno. */
int vm_pool_start(struct vm_pool *p, struct kvm_host *k, uint64_t ram_size, unsigned int target);
/* Stop the refill thread and destroy the VMs still pooled. */
void vm_pool_stop(struct vm_pool *p);
/* Take a ready VM of @ram_size into @out; false when none is ready. */
bool vm_pool_take(struct vm_pool *p, uint64_t ram_size, struct kvm_vm *out);

#endif
