/*
 * shoji/vcpu.h - __HYPERVISOR_vcpu_op(cmd, vcpuid, arg) sub-operations,
 * and the initial register state of an HVM/PVH vCPU (VCPUOP_initialise).
 */
#ifndef SHOJI_VCPU_H
#define SHOJI_VCPU_H

#include <shoji/xen.h>

#define VCPUOP_initialise                     0 /* arg: struct vcpu_hvm_context */
#define VCPUOP_up                             1 /* start an initialised vCPU */
#define VCPUOP_down                           2 /* stop a vCPU */
#define VCPUOP_is_up                          3 /* returns 1 if running, else 0 */
#define VCPUOP_get_runstate_info              4 /* arg: struct vcpu_runstate_info */
#define VCPUOP_register_runstate_memory_area  5 /* arg: struct vcpu_register_runstate_memory_area */
#define VCPUOP_set_periodic_timer             6 /* arg: struct vcpu_set_periodic_timer */
#define VCPUOP_stop_periodic_timer            7 /* arg unused */
#define VCPUOP_set_singleshot_timer           8 /* arg: struct vcpu_set_singleshot_timer */
#define VCPUOP_stop_singleshot_timer          9 /* arg unused */
#define VCPUOP_register_vcpu_info             10 /* arg: struct vcpu_register_vcpu_info */
#define VCPUOP_send_nmi                       11 /* arg unused */
#define VCPUOP_get_physid                     12 /* arg: struct vcpu_get_physid */
#define VCPUOP_register_vcpu_time_memory_area 13 /* arg: struct vcpu_register_time_memory_area */

/* vcpu_runstate_info.state */
#define RUNSTATE_running  0 /* running on a physical CPU */
#define RUNSTATE_runnable 1 /* ready to run, waiting for a CPU */
#define RUNSTATE_blocked  2 /* waiting for an event */
#define RUNSTATE_offline  3 /* down or paused */
/* Set in state_entry_time while the hypervisor updates the area. */
#define XEN_RUNSTATE_UPDATE (xen_mk_ullong(1) << 63)

/* vcpu_set_singleshot_timer.flags: fail with -ETIME if the deadline has passed. */
#define _VCPU_SSHOTTMR_future 0
#define VCPU_SSHOTTMR_future  (1U << _VCPU_SSHOTTMR_future)

/* vcpu_hvm_context.mode */
#define VCPU_HVM_MODE_32B 0 /* start in 32-bit protected mode: cpu_regs.x86_32 */
#define VCPU_HVM_MODE_64B 1 /* start in 64-bit long mode: cpu_regs.x86_64 */

#ifndef __ASSEMBLY__

struct vcpu_runstate_info {
	int state;                 /* RUNSTATE_* */
	uint64_t state_entry_time; /* system time (ns) of entering state */
	uint64_t time[4];          /* ns spent in each RUNSTATE_* */
};
typedef struct vcpu_runstate_info vcpu_runstate_info_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_runstate_info_t);
SHOJI_ABI_SIZE(struct vcpu_runstate_info, 48);
SHOJI_ABI_OFFSET(struct vcpu_runstate_info, state_entry_time, 8);
SHOJI_ABI_OFFSET(struct vcpu_runstate_info, time, 16);

struct vcpu_register_runstate_memory_area {
	union {
		XEN_GUEST_HANDLE(vcpu_runstate_info_t) h;
		struct vcpu_runstate_info *v;
		uint64_t p;
	} addr; /* guest virtual address the hypervisor keeps updated */
};
typedef struct vcpu_register_runstate_memory_area vcpu_register_runstate_memory_area_t;
SHOJI_ABI_SIZE(struct vcpu_register_runstate_memory_area, 8);

struct vcpu_set_periodic_timer {
	uint64_t period_ns;
};
typedef struct vcpu_set_periodic_timer vcpu_set_periodic_timer_t;
SHOJI_ABI_SIZE(struct vcpu_set_periodic_timer, 8);

/* Fire VIRQ_TIMER once, when system time reaches timeout_abs_ns. */
struct vcpu_set_singleshot_timer {
	uint64_t timeout_abs_ns;
	uint32_t flags; /* VCPU_SSHOTTMR_* */
};
typedef struct vcpu_set_singleshot_timer vcpu_set_singleshot_timer_t;
SHOJI_ABI_SIZE(struct vcpu_set_singleshot_timer, 16);
SHOJI_ABI_OFFSET(struct vcpu_set_singleshot_timer, flags, 8);

/* Move this vCPU's vcpu_info out of shared_info to gfn mfn at offset. */
struct vcpu_register_vcpu_info {
	uint64_t mfn;    /* guest frame holding the new vcpu_info */
	uint32_t offset; /* byte offset inside that frame */
	uint32_t rsvd;   /* must be zero */
};
typedef struct vcpu_register_vcpu_info vcpu_register_vcpu_info_t;
SHOJI_ABI_SIZE(struct vcpu_register_vcpu_info, 16);
SHOJI_ABI_OFFSET(struct vcpu_register_vcpu_info, offset, 8);
SHOJI_ABI_OFFSET(struct vcpu_register_vcpu_info, rsvd, 12);

struct vcpu_get_physid {
	uint64_t phys_id;
};
typedef struct vcpu_get_physid vcpu_get_physid_t;
SHOJI_ABI_SIZE(struct vcpu_get_physid, 8);

DEFINE_XEN_GUEST_HANDLE(vcpu_time_info_t);
struct vcpu_register_time_memory_area {
	union {
		XEN_GUEST_HANDLE(vcpu_time_info_t) h;
		struct vcpu_time_info *v;
		uint64_t p;
	} addr;
};
typedef struct vcpu_register_time_memory_area vcpu_register_time_memory_area_t;
SHOJI_ABI_SIZE(struct vcpu_register_time_memory_area, 8);

/*
 * Initial state of a vCPU started in 32-bit protected mode.  Segment
 * attributes (*_ar) use the VMX access-rights layout: type 3:0, S 4,
 * DPL 6:5, P 7, AVL 8, L 9, D/B 10, G 11.
 */
struct vcpu_hvm_x86_32 {
	uint32_t eax;
	uint32_t ecx;
	uint32_t edx;
	uint32_t ebx;
	uint32_t esp;
	uint32_t ebp;
	uint32_t esi;
	uint32_t edi;
	uint32_t eip;
	uint32_t eflags;

	uint32_t cr0;
	uint32_t cr3;
	uint32_t cr4;

	uint32_t pad1;

	uint64_t efer;

	uint32_t cs_base;
	uint32_t ds_base;
	uint32_t ss_base;
	uint32_t es_base;
	uint32_t tr_base;
	uint32_t cs_limit;
	uint32_t ds_limit;
	uint32_t ss_limit;
	uint32_t es_limit;
	uint32_t tr_limit;
	uint16_t cs_ar;
	uint16_t ds_ar;
	uint16_t ss_ar;
	uint16_t es_ar;
	uint16_t tr_ar;

	uint16_t pad2[3];
};
SHOJI_ABI_SIZE(struct vcpu_hvm_x86_32, 120);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_32, eip, 32);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_32, cr0, 40);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_32, efer, 56);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_32, cs_base, 64);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_32, cs_limit, 84);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_32, cs_ar, 104);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_32, tr_ar, 112);

/*
 * Initial state of a vCPU started in 64-bit mode: flat segments are
 * implied, so only the general registers and control registers are given.
 */
struct vcpu_hvm_x86_64 {
	uint64_t rax;
	uint64_t rcx;
	uint64_t rdx;
	uint64_t rbx;
	uint64_t rsp;
	uint64_t rbp;
	uint64_t rsi;
	uint64_t rdi;
	uint64_t rip;
	uint64_t rflags;

	uint64_t cr0;
	uint64_t cr3;
	uint64_t cr4;
	uint64_t efer;
};
SHOJI_ABI_SIZE(struct vcpu_hvm_x86_64, 112);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_64, rip, 64);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_64, cr0, 80);
SHOJI_ABI_OFFSET(struct vcpu_hvm_x86_64, efer, 104);

struct vcpu_hvm_context {
	uint32_t mode; /* VCPU_HVM_MODE_* */
	uint32_t pad;
	union {
		struct vcpu_hvm_x86_32 x86_32;
		struct vcpu_hvm_x86_64 x86_64;
	} cpu_regs;
};
typedef struct vcpu_hvm_context vcpu_hvm_context_t;
DEFINE_XEN_GUEST_HANDLE(vcpu_hvm_context_t);
SHOJI_ABI_SIZE(struct vcpu_hvm_context, 128);
SHOJI_ABI_OFFSET(struct vcpu_hvm_context, cpu_regs, 8);

#endif /* !__ASSEMBLY__ */

#endif /* SHOJI_VCPU_H */
