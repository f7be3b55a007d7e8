/*
 * shoji/xen.h - base of the Xen guest ABI (x86-64): scalar types, guest
 * handles, hypercall numbers, domain ids, virtual IRQs, the console_io
 * hypercall, CPUID discovery leaves and the shared_info / vcpu_info pages.
 *
 * Numbers and layouts follow the public Xen interface; the definitions
 * and comments are Shoji's own.  Constants are usable from assembly
 * (define __ASSEMBLY__); types are hidden there.
 */
#ifndef SHOJI_XEN_H
#define SHOJI_XEN_H

/* Integer constants that assembly and C can both use. */
#ifdef __ASSEMBLY__
#define xen_mk_ulong(x)  x
#define xen_mk_ullong(x) x
#else
#define xen_mk_ulong(x)  x##UL
#define xen_mk_ullong(x) x##ULL
#endif

#define XEN_PAGE_SHIFT 12
#define XEN_PAGE_SIZE  (xen_mk_ulong(1) << XEN_PAGE_SHIFT)

/*
 * Hypercall numbers.  On x86-64 HVM/PVH the guest calls
 * hypercall_page + 32 * number with arguments in rdi, rsi, rdx, r10, r8;
 * the result (a negative XEN_E* value on failure) comes back in rax.
 */
#define __HYPERVISOR_set_trap_table                0
#define __HYPERVISOR_mmu_update                    1
#define __HYPERVISOR_set_gdt                       2
#define __HYPERVISOR_stack_switch                  3
#define __HYPERVISOR_set_callbacks                 4
#define __HYPERVISOR_fpu_taskswitch                5
#define __HYPERVISOR_sched_op_compat               6
#define __HYPERVISOR_platform_op                   7
#define __HYPERVISOR_set_debugreg                  8
#define __HYPERVISOR_get_debugreg                  9
#define __HYPERVISOR_update_descriptor             10
#define __HYPERVISOR_memory_op                     12
#define __HYPERVISOR_multicall                     13
#define __HYPERVISOR_update_va_mapping             14
#define __HYPERVISOR_set_timer_op                  15
#define __HYPERVISOR_event_channel_op_compat       16
#define __HYPERVISOR_xen_version                   17
#define __HYPERVISOR_console_io                    18
#define __HYPERVISOR_physdev_op_compat             19
#define __HYPERVISOR_grant_table_op                20
#define __HYPERVISOR_vm_assist                     21
#define __HYPERVISOR_update_va_mapping_otherdomain 22
#define __HYPERVISOR_iret                          23
#define __HYPERVISOR_vcpu_op                       24
#define __HYPERVISOR_set_segment_base              25
#define __HYPERVISOR_mmuext_op                     26
#define __HYPERVISOR_xsm_op                        27
#define __HYPERVISOR_nmi_op                        28
#define __HYPERVISOR_sched_op                      29
#define __HYPERVISOR_callback_op                   30
#define __HYPERVISOR_xenoprof_op                   31
#define __HYPERVISOR_event_channel_op              32
#define __HYPERVISOR_physdev_op                    33
#define __HYPERVISOR_hvm_op                        34
#define __HYPERVISOR_sysctl                        35
#define __HYPERVISOR_domctl                        36
#define __HYPERVISOR_kexec_op                      37
#define __HYPERVISOR_xc_reserved_op                38 /* formerly tmem_op */
#define __HYPERVISOR_tmem_op                       __HYPERVISOR_xc_reserved_op
#define __HYPERVISOR_argo_op                       39
#define __HYPERVISOR_xenpmu_op                     40
#define __HYPERVISOR_dm_op                         41
#define __HYPERVISOR_hypfs_op                      42
/* Architecture-specific numbers; on x86 arch_0 is unused and arch_1 is mca. */
#define __HYPERVISOR_arch_0 48
#define __HYPERVISOR_arch_1 49
#define __HYPERVISOR_arch_2 50
#define __HYPERVISOR_arch_3 51
#define __HYPERVISOR_arch_4 52
#define __HYPERVISOR_arch_5 53
#define __HYPERVISOR_arch_6 54
#define __HYPERVISOR_arch_7 55
#define __HYPERVISOR_mca    __HYPERVISOR_arch_1

/* Size of one stub in the hypercall page and the number of stubs it holds. */
#define XEN_HYPERCALL_STUB_SIZE 32
#define XEN_HYPERCALL_PAGE_NR   (4096 / XEN_HYPERCALL_STUB_SIZE)

/* console_io(cmd, count, buffer): sub-commands. */
#define CONSOLEIO_write 0
#define CONSOLEIO_read  1

/* Virtual IRQs a guest can bind to an event channel (EVTCHNOP_bind_virq). */
#define VIRQ_TIMER      0  /* per vCPU: the single-shot/periodic timer fired */
#define VIRQ_DEBUG      1  /* per vCPU: debug request */
#define VIRQ_CONSOLE    2  /* global: hypervisor console has input (dom0) */
#define VIRQ_DOM_EXC    3  /* global: a domain crashed or shut down (dom0) */
#define VIRQ_TBUF       4  /* global: trace buffer has records */
#define VIRQ_DEBUGGER   6  /* global: a domain was paused for the debugger */
#define VIRQ_XENOPROF   7  /* per vCPU: profiling samples */
#define VIRQ_CON_RING   8  /* global: console ring has new output */
#define VIRQ_PCPU_STATE 9  /* global: physical CPU state changed */
#define VIRQ_MEM_EVENT  10 /* global: memory event */
#define VIRQ_ARGO       11 /* global: argo message */
#define VIRQ_ENOMEM     12 /* global: low memory */
#define VIRQ_XENPMU     13 /* per vCPU: PMU interrupt */
#define VIRQ_ARCH_0     16
#define VIRQ_ARCH_1     17
#define VIRQ_ARCH_2     18
#define VIRQ_ARCH_3     19
#define VIRQ_ARCH_4     20
#define VIRQ_ARCH_5     21
#define VIRQ_ARCH_6     22
#define VIRQ_ARCH_7     23
#define NR_VIRQS        24

/* Reserved domain ids (domid_t values at and above DOMID_FIRST_RESERVED). */
#define DOMID_FIRST_RESERVED 0x7FF0U
#define DOMID_SELF           0x7FF0U /* the calling domain */
#define DOMID_IO             0x7FF1U /* owner of I/O memory */
#define DOMID_XEN            0x7FF2U /* the hypervisor itself */
#define DOMID_COW            0x7FF3U /* owner of shared copy-on-write pages */
#define DOMID_INVALID        0x7FF4U /* no domain */
#define DOMID_IDLE           0x7FFFU /* the idle domain */
#define DOMID_MASK           0x7FFFU

/* Flags in hvm_start_info.flags (and PV start_info.flags). */
#define SIF_PRIVILEGED      (1 << 0) /* may use physical devices */
#define SIF_INITDOMAIN      (1 << 1) /* the initial control domain */
#define SIF_MULTIBOOT_MOD   (1 << 2)
#define SIF_MOD_START_PFN   (1 << 3)
#define SIF_VIRT_P2M_4TOOLS (1 << 4)

/* Vcpus whose vcpu_info lives in shared_info (x86). */
#define XEN_LEGACY_MAX_VCPUS 32

/* vcpu_time_info.flags */
#define XEN_PVCLOCK_TSC_STABLE_BIT (1 << 0) /* TSC is synchronised across vCPUs */
#define XEN_PVCLOCK_GUEST_STOPPED  (1 << 1) /* guest was paused since last read */

/*
 * CPUID discovery.  The hypervisor leaves sit at a base in
 * 0x40000000..0x4000ff00 (step 0x100); base+0 returns the signature
 * "XenVMMXenVMM" in EBX/ECX/EDX and the highest leaf in EAX.
 */
#define XEN_CPUID_FIRST_LEAF    0x40000000U
#define XEN_CPUID_LEAF(i)       (XEN_CPUID_FIRST_LEAF + (i))
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558U /* "XenV" */
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4dU /* "MMXe" */
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566eU /* "nVMM" */
/* base+1: EAX = (major << 16) | minor.  base+2: EAX = number of hypercall
 * pages, EBX = MSR through which the guest places them.
 * base+4: HVM features in EAX: */
#define XEN_HVM_CPUID_APIC_ACCESS_VIRT (1u << 0)
#define XEN_HVM_CPUID_X2APIC_VIRT      (1u << 1)
#define XEN_HVM_CPUID_IOMMU_MAPPINGS   (1u << 2)
#define XEN_HVM_CPUID_VCPU_ID_PRESENT  (1u << 3) /* EBX holds the vCPU id */
#define XEN_HVM_CPUID_DOMID_PRESENT    (1u << 4) /* ECX holds the domain id */
#define XEN_HVM_CPUID_EXT_DEST_ID      (1u << 5) /* 15-bit APIC ids in MSI/RTE (not offered) */
#define XEN_HVM_CPUID_UPCALL_VECTOR    (1u << 6) /* HVMOP_set_evtchn_upcall_vector */

#ifndef __ASSEMBLY__

#include <stdint.h>
#include <shoji/abi-check.h>

/* Scalar types of the x86-64 ABI. */
typedef unsigned long xen_ulong_t;
typedef long xen_long_t;
typedef unsigned long xen_pfn_t;
typedef uint16_t domid_t;
typedef uint32_t evtchn_port_t; /* see shoji/event_channel.h */
#define PRI_xen_pfn   "lx"
#define PRI_xen_ulong "lx"

/*
 * Guest handles: a guest pointer wrapped in a struct so that handles to
 * different types do not mix.  On x86-64 a handle is one 8-byte pointer.
 */
#define ___DEFINE_XEN_GUEST_HANDLE(name, type)                                                     \
	typedef struct {                                                                           \
		type *p;                                                                           \
	} __guest_handle_##name
#define DEFINE_XEN_GUEST_HANDLE(name)  ___DEFINE_XEN_GUEST_HANDLE(name, name)
#define XEN_GUEST_HANDLE(name)         __guest_handle_##name
#define set_xen_guest_handle(hnd, val) ((hnd).p = (val))
#define guest_handle_is_null(hnd)      ((hnd).p == NULL)
/* The guest-virtual address a handle holds, as the hypervisor sees it. */
#define SHOJI_GUEST_HANDLE_ADDR(hnd) ((uint64_t)(uintptr_t)(hnd).p)

___DEFINE_XEN_GUEST_HANDLE(uchar, unsigned char);
___DEFINE_XEN_GUEST_HANDLE(char, char);
___DEFINE_XEN_GUEST_HANDLE(int, int);
___DEFINE_XEN_GUEST_HANDLE(uint, unsigned int);
___DEFINE_XEN_GUEST_HANDLE(ulong, unsigned long);
___DEFINE_XEN_GUEST_HANDLE(void, void);
DEFINE_XEN_GUEST_HANDLE(uint8_t);
DEFINE_XEN_GUEST_HANDLE(uint16_t);
DEFINE_XEN_GUEST_HANDLE(uint32_t);
DEFINE_XEN_GUEST_HANDLE(uint64_t);
DEFINE_XEN_GUEST_HANDLE(xen_pfn_t);
DEFINE_XEN_GUEST_HANDLE(xen_ulong_t);
DEFINE_XEN_GUEST_HANDLE(domid_t);
DEFINE_XEN_GUEST_HANDLE(evtchn_port_t);

SHOJI_ABI_SIZE(xen_ulong_t, 8);
SHOJI_ABI_SIZE(xen_pfn_t, 8);
SHOJI_ABI_SIZE(XEN_GUEST_HANDLE(void), 8);

/* One entry of a __HYPERVISOR_multicall batch. */
struct multicall_entry {
	xen_ulong_t op;      /* hypercall number */
	xen_ulong_t result;  /* filled in with that hypercall's result */
	xen_ulong_t args[6]; /* its arguments */
};
typedef struct multicall_entry multicall_entry_t;
DEFINE_XEN_GUEST_HANDLE(multicall_entry_t);
SHOJI_ABI_SIZE(struct multicall_entry, 64);
SHOJI_ABI_OFFSET(struct multicall_entry, args, 16);

/*
 * Paravirtual clock of one vCPU.  The hypervisor bumps version to an odd
 * value before an update and to an even value after it; a reader retries
 * while version is odd or changed during its read.  System time in ns is
 *   system_time + (((tsc - tsc_timestamp) << tsc_shift) * tsc_to_system_mul) >> 32
 * with a right shift instead when tsc_shift is negative.
 */
struct vcpu_time_info {
	uint32_t version;
	uint32_t pad0;
	uint64_t tsc_timestamp;     /* TSC at the last update */
	uint64_t system_time;       /* ns since boot at the last update */
	uint32_t tsc_to_system_mul; /* 32.32 fixed-point TSC->ns factor */
	int8_t tsc_shift;
	uint8_t flags; /* XEN_PVCLOCK_* */
	uint8_t pad1[2];
};
typedef struct vcpu_time_info vcpu_time_info_t;
SHOJI_ABI_SIZE(struct vcpu_time_info, 32);
SHOJI_ABI_OFFSET(struct vcpu_time_info, tsc_timestamp, 8);
SHOJI_ABI_OFFSET(struct vcpu_time_info, system_time, 16);
SHOJI_ABI_OFFSET(struct vcpu_time_info, tsc_to_system_mul, 24);
SHOJI_ABI_OFFSET(struct vcpu_time_info, tsc_shift, 28);
SHOJI_ABI_OFFSET(struct vcpu_time_info, flags, 29);

/* x86 part of vcpu_info. */
struct arch_vcpu_info {
	xen_ulong_t cr2; /* PV only: faulting address of the last page fault */
	xen_ulong_t pad;
};
typedef struct arch_vcpu_info arch_vcpu_info_t;
SHOJI_ABI_SIZE(struct arch_vcpu_info, 16);

/*
 * Per-vCPU event and time state.  With the 2-level event channel ABI the
 * hypervisor sets a port's bit in shared_info.evtchn_pending, then the
 * port's word bit in evtchn_pending_sel, then evtchn_upcall_pending, and
 * raises the upcall unless evtchn_upcall_mask is set.
 */
struct vcpu_info {
	uint8_t evtchn_upcall_pending;
	uint8_t evtchn_upcall_mask;
	xen_ulong_t evtchn_pending_sel; /* which evtchn_pending words to scan */
	struct arch_vcpu_info arch;
	struct vcpu_time_info time;
};
typedef struct vcpu_info vcpu_info_t;
SHOJI_ABI_SIZE(struct vcpu_info, 64);
SHOJI_ABI_OFFSET(struct vcpu_info, evtchn_upcall_mask, 1);
SHOJI_ABI_OFFSET(struct vcpu_info, evtchn_pending_sel, 8);
SHOJI_ABI_OFFSET(struct vcpu_info, arch, 16);
SHOJI_ABI_OFFSET(struct vcpu_info, time, 32);

/* x86 part of shared_info (PV memory-management bookkeeping). */
struct arch_shared_info {
	xen_ulong_t max_pfn;
	xen_pfn_t pfn_to_mfn_frame_list_list;
	xen_ulong_t nmi_reason;
	xen_ulong_t p2m_cr3;
	xen_ulong_t p2m_vaddr;
	xen_ulong_t p2m_generation;
};
typedef struct arch_shared_info arch_shared_info_t;
SHOJI_ABI_SIZE(struct arch_shared_info, 48);

/*
 * The shared info page, placed in guest memory with
 * XENMEM_add_to_physmap(XENMAPSPACE_shared_info).  Wall-clock time at
 * system time 0 is wc_sec_hi:wc_sec seconds + wc_nsec; wc_version follows
 * the same odd/even protocol as vcpu_time_info.version.
 */
struct shared_info {
	struct vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];
	xen_ulong_t evtchn_pending[sizeof(xen_ulong_t) * 8]; /* one bit per port */
	xen_ulong_t evtchn_mask[sizeof(xen_ulong_t) * 8];    /* set: port masked */
	uint32_t wc_version;
	uint32_t wc_sec;
	uint32_t wc_nsec;
	uint32_t wc_sec_hi; /* upper 32 bits of the seconds (x86-64 layout) */
	struct arch_shared_info arch;
};
typedef struct shared_info shared_info_t;
SHOJI_ABI_OFFSET(struct shared_info, evtchn_pending, 2048);
SHOJI_ABI_OFFSET(struct shared_info, evtchn_mask, 2560);
SHOJI_ABI_OFFSET(struct shared_info, wc_version, 3072);
SHOJI_ABI_OFFSET(struct shared_info, wc_sec, 3076);
SHOJI_ABI_OFFSET(struct shared_info, wc_nsec, 3080);
SHOJI_ABI_OFFSET(struct shared_info, wc_sec_hi, 3084);
SHOJI_ABI_OFFSET(struct shared_info, arch, 3088);
SHOJI_ABI_SIZE(struct shared_info, 3136);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_XEN_H */
