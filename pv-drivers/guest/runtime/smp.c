/*
 * smp.c: secondary vCPUs.  Each one starts directly in 64-bit mode
 * (VCPUOP_initialise with a VCPU_HVM_MODE_64B context) on its own stack,
 * shares vCPU 0's page tables, loads the GDT and IDT and runs a function.
 *
 * A vCPU finds its id in the struct guest_cpu at the base of its
 * GUEST_STACK_SIZE-aligned stack, so no MSR or CPUID is needed for it.
 */
#include "shoji-guest.h"
#include "guest-internal.h"

#include <shoji/vcpu.h>

#define EFER_LME        0x100UL
#define EFER_LMA        0x400UL
#define RFLAGS_RESERVED 0x2UL

extern const char smp_ap_entry64[];

unsigned int smp_cpu_id(void)
{
	return guest_cpu_self()->id;
}

unsigned int smp_nr_vcpus(void)
{
	unsigned int n = 1;

	/* VCPUOP_is_up answers 0 or 1 for a vCPU that exists, -ENOENT beyond. */
	while (n < 4096 && hyp_vcpu_op(VCPUOP_is_up, n, NULL) >= 0)
		n++;
	return n;
}

long smp_start_vcpu(unsigned int vcpu, void (*fn)(unsigned int vcpu, void *arg), void *arg)
{
	struct vcpu_hvm_context ctx = {.mode = VCPU_HVM_MODE_64B};
	struct vcpu_hvm_x86_64 *r = &ctx.cpu_regs.x86_64;
	uint8_t *stack = mem_alloc(GUEST_STACK_SIZE, GUEST_STACK_SIZE);
	struct guest_cpu *cpu;
	uint64_t *top;
	uint64_t cr;
	long rc;

	if (stack == NULL)
		return -XEN_ENOMEM;
	cpu = (struct guest_cpu *)stack;
	cpu->id = vcpu;
	cpu->fn = fn;
	cpu->arg = arg;
	/* smp_ap_entry64 takes the block's address from the top of the stack. */
	top = (uint64_t *)(stack + GUEST_STACK_SIZE) - 2;
	top[0] = (uintptr_t)cpu;

	r->rip = (uintptr_t)smp_ap_entry64;
	r->rsp = (uintptr_t)top;
	r->rflags = RFLAGS_RESERVED; /* interrupts off */
	__asm__ volatile("mov %%cr0, %0" : "=r"(cr));
	r->cr0 = cr;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr));
	r->cr3 = cr;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr));
	r->cr4 = cr;
	r->efer = EFER_LME | EFER_LMA;

	rc = hyp_vcpu_op(VCPUOP_initialise, vcpu, &ctx);
	if (rc < 0)
		return rc;
	return hyp_vcpu_op(VCPUOP_up, vcpu, NULL);
}

void smp_ap_start(struct guest_cpu *cpu)
{
	irq_load_idt();
	cpu->fn(cpu->id, cpu->arg);
	hyp_vcpu_op(VCPUOP_down, cpu->id, NULL);
	for (;;)
		__asm__ volatile("cli; hlt");
}
