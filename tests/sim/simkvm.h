/*
 * The simulated KVM layer of hvsim: hypervisor/kvm.h implemented without
 * /dev/kvm (simkvm.c replaces kvm.c in tests/sim/libhvsim.a).  A VM is its
 * RAM in a memfd, as in shoji-hv, and an eventfd that counts the
 * interrupts KVM would have delivered; a vCPU is a kvm_run in plain memory
 * whose guest does nothing but the hypercalls a test asks for.
 */
#ifndef SHOJI_SIMKVM_H
#define SHOJI_SIMKVM_H

#include "hvsim.h"
#include "kvm.h"

/*
 * The eventfd of @vm's interrupts: every kvm_vm_signal_msi() (an upcall
 * vector shoji-hv injects) adds one.  Readable while any is unread.
 */
int simkvm_irq_fd(const struct kvm_vm *vm);

/*
 * The guest of vCPU @c makes @call as from the hypercall page (the stub of
 * call->nr: mov $nr,%eax; out %eax,$HV_HYPERCALL_PORT; ret), the next time
 * shoji-hv's vCPU thread runs it (kvm_vcpu_run): the `out` exits, and when
 * shoji-hv puts the guest back on it (a continuation) the guest traps again
 * with the registers as they are, until it gets past it.  Waits for the
 * result; 0, -EBUSY while another call is under way, or -ESRCH when
 * @stopped(@opaque) says the vCPU will not run again before the call returns.
 */
int simkvm_vcpu_call(struct kvm_vcpu *c, struct hvsim_call *call, bool (*stopped)(void *),
                     void *opaque);
/* hvsim_vcpu_progress() of the call under way on @c. */
unsigned int simkvm_vcpu_progress(struct kvm_vcpu *c, uint64_t args[5]);

#endif
