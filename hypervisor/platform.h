/*
 * The platform: what shoji-hv's KVM-free core (libhv-core.a: the hypercall
 * handlers, the loader, guest memory, time, the event channel glue) needs
 * from the process it runs in.  These eleven functions, and nothing else
 * of domain.c, vcpu.c, kvm.c and hv.c, are the core's calls up into the
 * process; the unit tests' fake platform (tests/unit/test_hv_platform.c)
 * implements exactly this header.
 *
 * "d->lock held" means the caller holds the lock of the vCPU's domain;
 * the others take the locks they need and must be called without d->lock
 * and hv->lock.
 */
#ifndef SHOJI_HV_PLATFORM_H
#define SHOJI_HV_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

struct domain;
struct hv;
struct kvm_vm;
struct vcpu;

/* --- The domain table (hv.c, domain.c). --- */

/*
 * The domain with id @domid, with a reference taken, or NULL when there is
 * none (ids 1 .. HV_DOMID_MAX; a domain still being built or already
 * destroyed is not found).  Drop the reference with domain_put().
 */
struct domain *hv_domain_get(struct hv *hv, uint32_t domid);
/* Drop a reference; the last one frees @d (its RAM included). */
void domain_put(struct domain *d);

/*
 * SCHEDOP_shutdown: @d's state becomes shutdown with @reason (or the code
 * SCHEDOP_shutdown_code set), every vCPU stops running guest code, Dom0 gets
 * VIRQ_DOM_EXC and the toolstack a state change.  A domain already shut
 * down, crashed or dying is left as it is.
 */
void domain_shutdown(struct domain *d, unsigned int reason);

/* --- vCPUs (vcpu.c). --- */

/* Make @v leave KVM_RUN or a block and re-check its state.  d->lock held. */
void vcpu_kick(struct vcpu *v);
/*
 * vcpu_wake() without the signal: mark @v woken and return true when the
 * caller must signal v->cond itself, once d->lock is released (signalled
 * under it, the woken thread, often preempting the sender on its CPU, finds
 * d->lock held and sleeps again: three context switches instead of one).
 * d->lock held.
 */
bool vcpu_claim_wake(struct vcpu *v);
/*
 * Bring @v online with its start state (v->start) and run its thread.
 * d->lock held.  0 or -errno.
 */
int vcpu_start(struct vcpu *v);
/*
 * From @v's own thread, d->lock held (released while it sleeps): wait until
 * vcpu_kick(), @deadline (domain system time ns, 0 = none), or the domain or
 * vCPU stops.  With @wake_on_upcall (SCHEDOP_block) it also returns at once
 * when an upcall is pending or a timer fired since the last block.  Returns
 * true when the deadline passed.
 */
bool vcpu_block(struct vcpu *v, uint64_t deadline, bool wake_on_upcall);
/*
 * Events are pending for @v: inject its upcall vector through the LAPIC
 * (when one is set and the upcall is not masked) and wake it from a block.
 * d->lock held.
 */
void vcpu_notify_upcall(struct vcpu *v);
/* (Re)arm @v's timer from v->singleshot / v->periodic_next.  d->lock held. */
void vcpu_timer_update(struct vcpu *v);
/*
 * After a timer of @v was stopped or re-armed: return once a VIRQ_TIMER the
 * old setting fired just before has been delivered, so none arrives after
 * the caller returns to the guest.  d->lock held (released meanwhile); not
 * from the hv event loop.
 */
void vcpu_timer_quiesce(struct vcpu *v);

/* --- KVM (kvm.c). --- */

/*
 * Map (@size > 0) or unmap (@size == 0) memslot @slot of @vm: @size bytes
 * at host address @host appear at guest-physical @gpa, with KVM_MEM_*
 * @flags.  Once an unmap returns, no vCPU can reach the old pages.
 * 0 or -errno.
 */
int kvm_vm_set_slot(struct kvm_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
                    void *host);

#endif
