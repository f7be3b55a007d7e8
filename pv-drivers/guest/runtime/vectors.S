/*
 * vectors.S: interrupt entry stubs.
 *
 * Exceptions 0-31 push a uniform frame (error code, or 0 when the CPU pushes
 * none, then the vector number and all general registers) and call
 * irq_exception(struct irq_frame *), which never returns.  The upcall vector
 * saves the caller-saved registers around irq_upcall(); spurious LAPIC
 * interrupts just return.  Everything sits at the fixed offsets of
 * vectors.h, so irq.c can build the IDT at compile time.
 */
#include "vectors.h"

	.section .text.vectors, "ax"

	.macro exc_stub vec
	.balign 16
	/* The CPU pushes an error code for 8, 10-14, 17, 21, 29 and 30 only. */
	.if (\vec == 8) || (\vec >= 10 && \vec <= 14) || (\vec == 17) || (\vec == 21) || (\vec == 29) || (\vec == 30)
	.else
	pushq $0                        /* no error code: keep the frame uniform */
	.endif
	pushq $\vec
	jmp exc_common
	.endm

	/* 32 stubs, 16 bytes apart: stub v is at irq_exception_stubs + 16 * v.
	 * guest.lds puts this section first, at VECTORS_BASE. */
	.balign 16
	.globl irq_exception_stubs
irq_exception_stubs:
	exc_stub 0
	exc_stub 1
	exc_stub 2
	exc_stub 3
	exc_stub 4
	exc_stub 5
	exc_stub 6
	exc_stub 7
	exc_stub 8
	exc_stub 9
	exc_stub 10
	exc_stub 11
	exc_stub 12
	exc_stub 13
	exc_stub 14
	exc_stub 15
	exc_stub 16
	exc_stub 17
	exc_stub 18
	exc_stub 19
	exc_stub 20
	exc_stub 21
	exc_stub 22
	exc_stub 23
	exc_stub 24
	exc_stub 25
	exc_stub 26
	exc_stub 27
	exc_stub 28
	exc_stub 29
	exc_stub 30
	exc_stub 31

	.org VECTORS_UPCALL_OFF
	.globl irq_upcall_entry
irq_upcall_entry:
	/* The CPU pushed 5 words; 9 more keep %rsp 16-byte aligned. */
	pushq %rax
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	cld
	call irq_upcall
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rax
	iretq

	.org VECTORS_SPURIOUS_OFF
	.globl irq_spurious_entry
irq_spurious_entry:
	iretq                           /* spurious LAPIC interrupts need no EOI */

exc_common:
	/* Save everything so the handler can print it; the order matches
	 * struct irq_frame in irq.c (r15 at the lowest address). */
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	andq $-16, %rsp                 /* the ABI wants a 16-byte aligned call */
	call irq_exception
1:	hlt                             /* irq_exception never returns */
	jmp 1b

	.section .note.GNU-stack, "", @progbits
