/*
 * irq.c: the IDT.  Exceptions print what happened and crash the domain; the
 * event upcall vector calls a handler the program installs.
 */
#include "shoji-guest.h"
#include "guest-internal.h"
#include "vectors.h"

#include <shoji/hvm.h>
#include <shoji/sched.h>

#define IDT_ENTRIES      256
#define IDT_INTERRUPT    0x8e /* present, DPL 0, 64-bit interrupt gate */
#define SEL_CODE64       0x08 /* entry.S's GDT */
#define SPURIOUS_VECTOR  0xff

#define LAPIC_BASE       0xfee00000UL
#define LAPIC_EOI        0x0b0
#define LAPIC_SVR        0x0f0
#define LAPIC_SVR_ENABLE 0x100

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

/* What vectors.S pushes, lowest address first, then the CPU's frame. */
struct irq_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

void irq_exception(struct irq_frame *f) __attribute__((noreturn));

static enum irq_upcall_mode upcall_mode; /* IRQ_UPCALL_CALLBACK */
void irq_upcall(void);

/* An interrupt gate to the vectors.S entry at @off (the image is below 4 GiB). */
#define GATE(off)                                                                                  \
	{                                                                                          \
		.offset_lo = (VECTORS_BASE + (off)) & 0xffff, .selector = SEL_CODE64,              \
		.type = IDT_INTERRUPT, .offset_mid = (VECTORS_BASE + (off)) >> 16,                 \
	}
#define EXC(v) [v] = GATE((v)*VECTORS_EXC_STRIDE)

/* Built at compile time: see vectors.h for why. */
/* clang-format off */
static const struct idt_gate idt[IDT_ENTRIES] __attribute__((aligned(16))) = {
	EXC(0),  EXC(1),  EXC(2),  EXC(3),  EXC(4),  EXC(5),  EXC(6),  EXC(7),
	EXC(8),  EXC(9),  EXC(10), EXC(11), EXC(12), EXC(13), EXC(14), EXC(15),
	EXC(16), EXC(17), EXC(18), EXC(19), EXC(20), EXC(21), EXC(22), EXC(23),
	EXC(24), EXC(25), EXC(26), EXC(27), EXC(28), EXC(29), EXC(30), EXC(31),
	[GUEST_UPCALL_VECTOR] = GATE(VECTORS_UPCALL_OFF),
	[SPURIOUS_VECTOR] = GATE(VECTORS_SPURIOUS_OFF),
};
/* clang-format on */

static void (*upcall_handler)(void);

static const char *const exception_names[32] = {
    [0] = "#DE divide error",
    [1] = "#DB debug",
    [2] = "NMI",
    [3] = "#BP breakpoint",
    [4] = "#OF overflow",
    [5] = "#BR bound range",
    [6] = "#UD invalid opcode",
    [7] = "#NM device not available",
    [8] = "#DF double fault",
    [10] = "#TS invalid TSS",
    [11] = "#NP segment not present",
    [12] = "#SS stack fault",
    [13] = "#GP general protection",
    [14] = "#PF page fault",
    [16] = "#MF x87 error",
    [17] = "#AC alignment check",
    [18] = "#MC machine check",
    [19] = "#XM SIMD error",
    [20] = "#VE virtualization",
    [21] = "#CP control protection",
};

void irq_load_idt(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} desc = {sizeof(idt) - 1, (uintptr_t)idt};

	__asm__ volatile("lidt %0" : : "m"(desc));
}

void irq_init(void)
{
	irq_load_idt();
}

void guest_die(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} null_idt = {0, 0};

	/* With no IDT the fault cannot be delivered: the CPU triple-faults,
	 * which the hypervisor reports as a crash. */
	__asm__ volatile("cli; lidt %0; ud2" : : "m"(null_idt));
	__builtin_unreachable();
}

void irq_exception(struct irq_frame *f)
{
	const char *name = f->vector < 32 ? exception_names[f->vector] : NULL;
	uint64_t cr2;

	__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
	if (!xen_get_info()->ready)
		guest_die();
	printf("shoji-guest: vCPU %u: exception %lu (%s) at rip=0x%lx error=0x%lx cr2=0x%lx\n",
	       smp_cpu_id(), f->vector, name != NULL ? name : "reserved", f->rip, f->error, cr2);
	printf("shoji-guest: rax=%lx rbx=%lx rcx=%lx rdx=%lx rsi=%lx rdi=%lx rsp=%lx rbp=%lx\n",
	       f->rax, f->rbx, f->rcx, f->rdx, f->rsi, f->rdi, f->rsp, f->rbp);
	shutdown(SHUTDOWN_crash);
}

static void lapic_write(unsigned int reg, uint32_t v)
{
	*(volatile uint32_t *)(LAPIC_BASE + reg) = v;
}

void irq_upcall(void)
{
	/* The handler clears upcall_pending (evtchn_dispatch does it first). */
	if (upcall_handler != NULL)
		upcall_handler();
	if (upcall_mode != IRQ_UPCALL_NO_LAPIC)
		lapic_write(LAPIC_EOI, 0);
}

void irq_set_upcall_mode(enum irq_upcall_mode mode)
{
	upcall_mode = mode;
}

long irq_set_upcall_handler(void (*fn)(void))
{
	struct xen_hvm_param p = {
	    .domid = DOMID_SELF,
	    .index = HVM_PARAM_CALLBACK_IRQ,
	    .value = HVM_PARAM_CALLBACK_VECTOR(GUEST_UPCALL_VECTOR),
	};
	struct xen_hvm_evtchn_upcall_vector u = {.vcpu = smp_cpu_id(),
	                                         .vector = GUEST_UPCALL_VECTOR};

	upcall_handler = fn;
	if (upcall_mode != IRQ_UPCALL_NO_LAPIC)
		lapic_write(LAPIC_SVR, LAPIC_SVR_ENABLE | SPURIOUS_VECTOR);
	if (upcall_mode == IRQ_UPCALL_PER_VCPU)
		return hyp_hvm_op(HVMOP_set_evtchn_upcall_vector, &u);
	return hyp_hvm_op(HVMOP_set_param, &p);
}
