/*
 * guest-internal.h: runtime pieces shared between its own files only.
 */
#ifndef SHOJI_GUEST_INTERNAL_H
#define SHOJI_GUEST_INTERNAL_H

#include "shoji-guest.h"

/* Per-vCPU block at the base of each GUEST_STACK_SIZE-aligned stack. */
struct guest_cpu {
	unsigned int id;
	void (*fn)(unsigned int vcpu, void *arg);
	void *arg;
};

/* The index of the lowest set bit of @w (not 0).  bsf rather than tzcnt: the
 * instruction emulator some hosts run guest code in knows bsf. */
static inline unsigned int lowest_bit(uint64_t w)
{
	uint64_t r;

	__asm__("bsfq %1, %0" : "=r"(r) : "rm"(w));
	return (unsigned int)r;
}

/* This vCPU's block (what smp_cpu_id() reads), without a call: hot paths use it. */
static inline struct guest_cpu *guest_cpu_self(void)
{
	uintptr_t sp;

	__asm__("mov %%rsp, %0" : "=r"(sp));
	return (struct guest_cpu *)(sp & ~(GUEST_STACK_SIZE - 1));
}

/* hypercall.c's page, filled by the hypervisor: stub nr at nr * XEN_HYPERCALL_STUB_SIZE. */
extern uint8_t hypercall_page[XEN_HYPERCALL_PAGE_NR * XEN_HYPERCALL_STUB_SIZE];

/*
 * A two-argument hypercall inlined into its caller (the notify and block
 * paths: every guest instruction counts where KVM emulates them).  nr must
 * be a constant below XEN_HYPERCALL_PAGE_NR.
 */
static inline long hypercall2(unsigned int nr, unsigned long a1, void *a2)
{
	long ret;

	__asm__ volatile("call *%[stub]"
	                 : "=a"(ret), "+D"(a1), "+S"(a2)
	                 : [stub] "r"(hypercall_page + nr * XEN_HYPERCALL_STUB_SIZE)
	                 : "memory", "rcx", "rdx", "r8", "r10", "r11");
	return ret;
}

void guest_start(uint32_t start_info_gpa) __attribute__((noreturn));
void smp_ap_start(struct guest_cpu *cpu) __attribute__((noreturn));
/* Triple-fault on purpose: the way out when the hypercall page is missing. */
void guest_die(void) __attribute__((noreturn));

#endif /* SHOJI_GUEST_INTERNAL_H */
