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

/* The MSRs a vCPU's saved state carries, where the host's KVM lists them. */
#define KVM_STATE_MSRS_MAX 16

struct kvm_host {
	int fd;
	int run_size;
	struct kvm_cpuid2 *supported; /* KVM_GET_SUPPORTED_CPUID */
	int nr_memslots;              /* KVM_CAP_NR_MEMSLOTS */
	bool readonly_mem;            /* KVM_CAP_READONLY_MEM */
	bool xen_hcall; /* KVM_CAP_XEN_HVM offers KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL */
	/* kvm_state_msrs() that KVM_GET_MSR_INDEX_LIST names: what a vCPU's state carries. */
	uint32_t state_msrs[KVM_STATE_MSRS_MAX];
	unsigned int nr_state_msrs;
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
	bool split_irqchip;        /* LAPICs in KVM, no PIC/IOAPIC: kvm_vcpu_interrupt works */
	int64_t clock_adjust;      /* simkvm.c: what KVM_SET_CLOCK moved its clock by */
};

/*
 * A vCPU's complete architectural state, as a save stream carries it
 * (docs/migration-stream.md, HV_VCPU): Linux's x86-64 KVM structures, whose
 * layouts are its stable user-space ABI.  The XSAVE area is the 4096-byte
 * legacy one of KVM_GET_XSAVE (no dynamic features: CPUID hides them).
 */
struct kvm_vcpu_state {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_fpu fpu;   /* only without KVM_STATE_XSAVE */
	uint32_t xsave[1024]; /* struct kvm_xsave's region (KVM_STATE_XSAVE) */
	struct kvm_xcrs xcrs; /* KVM_STATE_XSAVE */
	struct kvm_lapic_state lapic;
	struct kvm_mp_state mp;
	struct kvm_vcpu_events events;
	uint32_t flags; /* KVM_STATE_* */
	uint32_t nr_msrs;
	struct kvm_msr_entry msrs[KVM_STATE_MSRS_MAX];
};

#define KVM_STATE_XSAVE 0x1u /* xsave and xcrs hold the FPU/SSE/AVX state, fpu is unused */
/* The kvm_vcpu_events flags a state carries: what KVM reports without optional capabilities. */
#define KVM_STATE_EVENTS_FLAGS                                                                     \
	(KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SIPI_VECTOR |                       \
	 KVM_VCPUEVENT_VALID_SHADOW)

/*
 * The MSRs a saved vCPU carries (a fixed list: the TSC, SYSENTER, the
 * syscall MSRs, KERNEL_GS_BASE, PAT, TSC_AUX, MISC_ENABLE; EFER travels in
 * sregs).  kvm_state_msr_ok() says whether @index is one of them: the
 * choke point for MSR numbers from a stream.
 */
static inline bool kvm_state_msr_ok(uint32_t index)
{
	static const uint32_t list[] = {
	    0x00000010, /* IA32_TSC */
	    0x00000174, /* IA32_SYSENTER_CS */
	    0x00000175, /* IA32_SYSENTER_ESP */
	    0x00000176, /* IA32_SYSENTER_EIP */
	    0x000001a0, /* IA32_MISC_ENABLE */
	    0x00000277, /* IA32_PAT */
	    0xc0000081, /* STAR */
	    0xc0000082, /* LSTAR */
	    0xc0000083, /* CSTAR */
	    0xc0000084, /* FMASK (SYSCALL_MASK) */
	    0xc0000102, /* KERNEL_GS_BASE */
	    0xc0000103, /* TSC_AUX */
	};
	_Static_assert(sizeof(list) / sizeof(list[0]) <= KVM_STATE_MSRS_MAX, "room for each");
	unsigned int i;

	for (i = 0; i < sizeof(list) / sizeof(list[0]); i++)
		if (list[i] == index)
			return true;
	return false;
}

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
/*
 * Deliver @vector to the LAPIC with @apic_id (fixed delivery MSI): 1 when a
 * LAPIC took it, 0 when none did (KVM drops an MSI to a LAPIC the guest has
 * not enabled), -errno on error.
 */
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
/*
 * Give @vector to vCPU @c as an external interrupt (KVM_INTERRUPT; split
 * irqchip only): KVM delivers it through LINT0 once the guest can take an
 * interrupt, bypassing the LAPIC's IRR and ISR (no EOI).  From @c's own
 * thread.  0 (also when one is still waiting) or -errno.
 */
int kvm_vcpu_interrupt(struct kvm_vcpu *c, uint8_t vector);
/*
 * The whole state of vCPU @c, which must be out of KVM_RUN for good (its
 * domain paused and its last exit completed by a KVM_RUN with immediate_exit), into @s;
 * and back.  Setting checks nothing but what KVM checks: the caller
 * validates a stream's flags, counts and MSR numbers first.  0 or -errno.
 */
int kvm_vcpu_get_state(const struct kvm_host *k, struct kvm_vcpu *c, struct kvm_vcpu_state *s);
int kvm_vcpu_set_state(struct kvm_vcpu *c, const struct kvm_vcpu_state *s);
/* KVM's clock of @vm (kvmclock's ns, KVM_GET_CLOCK / KVM_SET_CLOCK).  0 or -errno. */
int kvm_vm_get_clock(struct kvm_vm *vm, uint64_t *ns);
int kvm_vm_set_clock(struct kvm_vm *vm, uint64_t ns);
/* Guest TSC frequency in kHz and current guest TSC minus host TSC. */
int kvm_vcpu_tsc_info(struct kvm_vcpu *c, uint32_t *khz, int64_t *offset);

#endif
