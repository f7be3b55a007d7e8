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

void guest_start(uint32_t start_info_gpa) __attribute__((noreturn));
void smp_ap_start(struct guest_cpu *cpu) __attribute__((noreturn));
/* Triple-fault on purpose: the way out when the hypercall page is missing. */
void guest_die(void) __attribute__((noreturn));

#endif /* SHOJI_GUEST_INTERNAL_H */
