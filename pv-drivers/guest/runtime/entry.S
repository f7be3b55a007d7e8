/*
 * entry.S: PVH boot for Shoji guests.
 *
 * The domain builder starts us in 32-bit protected mode with paging off,
 * flat segments and EBX = GPA of struct hvm_start_info.  We switch to long
 * mode on identity-mapped page tables (first 4 GiB, 2 MiB pages, built at
 * link time so no loop runs in the slow emulated boot path), take a stack
 * and call guest_start(start_info).
 *
 * .bss is not cleared here: it is the part of the PT_LOAD segment beyond
 * p_filesz, which the ELF/PVH loader zero-fills (shoji-hv and Xen do).
 * Clearing it again cost most of the boot time on hosts where KVM emulates
 * guest kernel code (every rep stosq iteration is emulated).
 *
 * Secondary vCPUs enter at smp_ap_entry64, already in 64-bit mode (set up by
 * VCPUOP_initialise with a vcpu_hvm_context); they only reload our GDT.
 */

#define XEN_ELFNOTE_PHYS32_ENTRY 18

#define CR0_PE    0x00000001
#define CR0_PG    0x80000000
#define CR4_PAE   0x00000020
#define MSR_EFER  0xc0000080
#define EFER_LME  0x00000100

#define PTE_P     0x001 /* present */
#define PTE_W     0x002 /* writable */
#define PTE_PS    0x080 /* large page in a page directory */

#define SEL_CODE64 0x08
#define SEL_DATA   0x10

/* The PVH entry point: an ELF note "Xen", type PHYS32_ENTRY, 4-byte address. */
	.section .note.Xen, "a", @note
	.balign 4
	.long 4                         /* namesz: "Xen" + NUL */
	.long 4                         /* descsz: a 32-bit physical address */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.long pvh_start32
	.balign 4

	.section .text.boot, "ax"
	.code32
	.globl pvh_start32
	.type pvh_start32, @function
pvh_start32:
	cli
	cld
	movl %ebx, %esi                 /* keep the start_info GPA; becomes arg 1 */

	lgdt boot_gdt_desc
	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss

	movl %cr4, %eax                 /* long mode needs PAE paging */
	orl $CR4_PAE, %eax
	movl %eax, %cr4

	movl $boot_pml4, %eax
	movl %eax, %cr3

	movl $MSR_EFER, %ecx            /* request long mode */
	rdmsr
	orl $EFER_LME, %eax
	wrmsr

	movl %cr0, %eax                 /* paging on: long mode becomes active */
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0

	ljmp $SEL_CODE64, $pvh_start64  /* load the 64-bit code segment */
	.size pvh_start32, . - pvh_start32

	.code64
pvh_start64:
	xorl %eax, %eax                 /* FS/GS unused: null selectors */
	movl %eax, %fs
	movl %eax, %gs

	movq $boot_stack_top, %rsp
	xorl %ebp, %ebp
	movl %esi, %edi                 /* guest_start(start_info GPA) */
	call guest_start
1:	hlt                             /* guest_start never returns */
	jmp 1b

/*
 * Secondary vCPU entry: 64-bit mode, our CR3, flat segments whose selectors
 * are unknown.  smp.c left a pointer to the vCPU's block at (%rsp).
 */
	.globl smp_ap_entry64
	.type smp_ap_entry64, @function
smp_ap_entry64:
	lgdt boot_gdt_desc(%rip)
	pushq $SEL_CODE64               /* far return to reload CS */
	leaq 2f(%rip), %rax
	pushq %rax
	lretq
2:	movl $SEL_DATA, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	xorl %eax, %eax
	movl %eax, %fs
	movl %eax, %gs
	xorl %ebp, %ebp
	movq (%rsp), %rdi               /* smp_ap_start(struct cpu *) */
	call smp_ap_start
3:	hlt                             /* smp_ap_start never returns */
	jmp 3b
	.size smp_ap_entry64, . - smp_ap_entry64

	.section .rodata.boot, "a"
	.balign 8
boot_gdt:
	.quad 0                         /* null */
	.quad 0x00af9b000000ffff        /* 0x08: 64-bit code, DPL 0 */
	.quad 0x00cf93000000ffff        /* 0x10: flat data, DPL 0 */
boot_gdt_end:
	.balign 8
	.globl boot_gdt_desc
boot_gdt_desc:
	.word boot_gdt_end - boot_gdt - 1
	.quad boot_gdt                  /* 32-bit lgdt reads only the low half */

/* Identity map of the first 4 GiB: PML4 -> one PDPT -> four directories of
 * 2 MiB pages. */
	.section .data.pagetables, "aw"
	.balign 4096
	.globl boot_pml4
boot_pml4:
	.quad boot_pdpt + (PTE_P | PTE_W)
	.fill 511, 8, 0
boot_pdpt:
	.quad boot_pd + 0x0000 + (PTE_P | PTE_W)
	.quad boot_pd + 0x1000 + (PTE_P | PTE_W)
	.quad boot_pd + 0x2000 + (PTE_P | PTE_W)
	.quad boot_pd + 0x3000 + (PTE_P | PTE_W)
	.fill 508, 8, 0
boot_pd:
	.set pd_addr, 0
	.rept 2048
	.quad pd_addr + (PTE_P | PTE_W | PTE_PS)
	.set pd_addr, pd_addr + 0x200000
	.endr

/* vCPU 0's stack.  Stacks are GUEST_STACK_SIZE (16 KiB) aligned with a
 * struct guest_cpu at the base (all zero here: vCPU 0); see smp.c. */
	.section .bss.stack, "aw", @nobits
	.balign 16384
boot_stack:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
