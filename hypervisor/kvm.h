/*
 * The KVM layer: /dev/kvm, VMs with the in-kernel irqchip and guest RAM in
 * one memfd, and vCPU fds with a mapped kvm_run.  Nothing above this file
 * issues KVM ioctls except vcpu.c's run loop.  Functions return 0 or -errno.
 */
#ifndef SHOJI_HV_KVM_H
#define SHOJI_HV_KVM_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

/* I/O port the hypercall page stubs write the hypercall number to. */
#define HV_HYPERCALL_PORT 0xe5
/* The Xen hypercall-page MSR (CPUID 0x40000002 EBX). */
#define HV_HYPERCALL_MSR 0x40000000u

struct kvm_host {
	int fd;
	int run_size;
	struct kvm_cpuid2 *supported; /* KVM_GET_SUPPORTED_CPUID */
	int nr_memslots;              /* KVM_CAP_NR_MEMSLOTS */
	bool readonly_mem;            /* KVM_CAP_READONLY_MEM */
	bool xen_hcall; /* KVM_CAP_XEN_HVM offers KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL */
};

struct kvm_vcpu {
	int fd;
	struct kvm_run *run;
	int run_size;
};

struct kvm_vm {
	int fd;
	int memfd;
	uint8_t *ram;
	uint64_t ram_size;
	struct kvm_vcpu boot_vcpu; /* vCPU 0 made ahead by kvm_vm_prepare (fd -1: none) */
	bool xen_hcall;            /* vmcall/vmmcall exit as KVM_EXIT_XEN (KVM's Xen intercept) */
};

/* Open /dev/kvm and check every capability shoji-hv relies on. */
int kvm_host_open(struct kvm_host *k);
void kvm_host_close(struct kvm_host *k);

/*
 * A VM with irqchip, user-space MSR exits and @ram_size bytes of RAM at GPA 0
 * (memslot 0); where the host offers it, KVM's Xen hypercall intercept too
 * (vm->xen_hcall): a guest's vmcall/vmmcall then exits as KVM_EXIT_XEN.
 */
int kvm_vm_create(struct kvm_host *k, struct kvm_vm *vm, uint64_t ram_size);
void kvm_vm_destroy(struct kvm_vm *vm);
/*
 * Do ahead of time what every domain's boot needs: create vCPU 0 (taken
 * with kvm_vm_take_boot_vcpu) and fault in the first @populate bytes of RAM,
 * where guest images load, and the last two frames (the special pages).
 * Best effort: what fails is simply done later.
 */
void kvm_vm_prepare(struct kvm_host *k, struct kvm_vm *vm, uint64_t populate);
/* Move a prepared vCPU 0 into @c; false when there is none. */
bool kvm_vm_take_boot_vcpu(struct kvm_vm *vm, struct kvm_vcpu *c);
/* kvm_vm_set_slot(), which the core uses to map extra pages, is in platform.h. */
/* Deliver @vector to the LAPIC with @apic_id (fixed delivery MSI). */
int kvm_vm_signal_msi(struct kvm_vm *vm, uint32_t apic_id, uint8_t vector);

int kvm_vcpu_create(struct kvm_host *k, struct kvm_vm *vm, unsigned int id, struct kvm_vcpu *c);
void kvm_vcpu_destroy(struct kvm_vcpu *c);
int kvm_vcpu_set_cpuid(struct kvm_vcpu *c, const struct kvm_cpuid2 *cpuid);
/*
 * KVM_RUN on @c (its own thread): 0 at an exit (c->run says which), -EINTR
 * for a signal or c->run->immediate_exit, else -errno.  As KVM documents,
 * an exit to user space (port I/O, MMIO, MSR, Xen hypercall) is completed
 * at the next KVM_RUN, before immediate_exit is looked at: one with
 * immediate_exit set completes it (an `out` or `vmcall` is stepped over)
 * without running the guest.
 */
int kvm_vcpu_run(struct kvm_vcpu *c);
/*
 * Make exception @vector (with @error_code) pending for vCPU @c's next entry;
 * from @c's own thread.  0 or -errno.
 */
int kvm_vcpu_inject_exception(struct kvm_vcpu *c, uint8_t vector, uint32_t error_code);
/* Guest TSC frequency in kHz and current guest TSC minus host TSC. */
int kvm_vcpu_tsc_info(struct kvm_vcpu *c, uint32_t *khz, int64_t *offset);

#endif
