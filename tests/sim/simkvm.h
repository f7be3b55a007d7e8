/*
 * The simulated KVM layer of hvsim: hypervisor/kvm.h implemented without
 * /dev/kvm (simkvm.c replaces kvm.c in tests/sim/libhvsim.a).  A VM is its
 * RAM in a memfd, as in shoji-hv, and an eventfd that counts the
 * interrupts KVM would have delivered; a vCPU is a kvm_run in plain memory
 * that never runs.
 */
#ifndef SHOJI_SIMKVM_H
#define SHOJI_SIMKVM_H

#include "kvm.h"

/*
 * The eventfd of @vm's interrupts: every kvm_vm_signal_msi() (an upcall
 * vector shoji-hv injects) adds one.  Readable while any is unread.
 */
int simkvm_irq_fd(const struct kvm_vm *vm);

#endif
