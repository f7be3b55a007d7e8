/*
 * vCPUs: one thread each running KVM_RUN, the exit handlers, the PVH start
 * state, blocking (SCHEDOP_block/poll), timers and upcall injection.
 *
 * A vCPU's fields are protected by its domain's lock unless marked "own
 * thread": those only the vCPU's thread touches.
 */
#ifndef SHOJI_HV_VCPU_H
#define SHOJI_HV_VCPU_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <linux/kvm.h>

#include <shoji/xen.h>
#include <shoji/vcpu.h>

#include "guestmem.h"
#include "hv.h"
#include "hypercall.h"
#include "kvm.h"

struct domain;

/* The periodic timer's period (VCPUOP_set_periodic_timer): 1 ms, as Xen, .. 2^62 ns. */
#define VCPU_TIMER_PERIOD_MIN 1000000ULL
#define VCPU_TIMER_PERIOD_MAX (1ULL << 62)
/* The lowest upcall vector (callback or per-vCPU): below are exceptions. */
#define VCPU_UPCALL_VECTOR_MIN 0x10

/* Registers at PVH entry or VCPUOP_initialise, applied by the vCPU's own thread. */
struct vcpu_start {
	struct kvm_regs regs;
	struct kvm_sregs sregs;
};

struct vcpu {
	struct domain *d;
	unsigned int id;
	struct kvm_vcpu kvm; /* fd -1 in unit tests and fuzzers */
	pthread_t thread;
	bool thread_started;
	pthread_cond_t cond; /* wakes the vCPU from vcpu_block() */

	/*
	 * Registers at the current exit (own thread): kvm_run's sync regs in
	 * the daemon, a plain struct in tests.
	 */
	struct kvm_sync_regs *regs;
	struct gm_paging paging;      /* from regs->sregs at each hypercall (own thread) */
	bool compat;                  /* the current hypercall is from 32-bit code (compat.h) */
	struct hypercall_state hcall; /* its preemption budget, continuation (own thread) */

	/* Lifecycle (d->lock). */
	bool online;        /* VCPUOP_up'ed (vCPU 0: once the domain starts) */
	bool initialised;   /* has a start state (PVH entry or VCPUOP_initialise) */
	bool start_pending; /* start must be applied before the next KVM_RUN */
	struct vcpu_start start;
	bool pvh_preloaded; /* KVM holds the PVH segment state already (vcpu_preload_pvh) */
	bool blocked;       /* sleeping in SCHEDOP_block/poll */
	bool polling;       /* in SCHEDOP_poll: woken when any port becomes pending */
	bool woken;         /* vcpu_kick() since the vCPU last checked */
	bool running;       /* inside KVM_RUN */
	bool parked;        /* its thread waits in the run loop (paused, stopped): idle */
	bool kicked;        /* vcpu_kick() since the run loop looked (atomic: hypercalls read it) */

	/* vcpu_info: registered location (host pointer into RAM) or NULL. */
	struct vcpu_info *vcpu_info_reg;
	uint64_t vcpu_info_gpa;
	uint8_t upcall_vector; /* HVMOP_set_evtchn_upcall_vector; 0 = none */
	uint8_t logged_vector; /* the upcall vector last named in the log (-v) */
	bool upcall_held; /* a per-vCPU upcall no LAPIC took: raised again before each KVM_RUN */

	/* Timers (d->lock); deadlines in domain system time ns, 0 = off. */
	int timerfd;
	struct hv_event timer_ev;
	uint64_t singleshot;
	uint64_t period;
	uint64_t periodic_next;
	bool timer_fired; /* a timer fired since the vCPU last blocked */
	/* Held by timer_event from its decision that a timer fired until the VIRQ is raised. */
	pthread_mutex_t timer_send;

	/* Runstate accounting (d->lock). */
	int runstate;
	uint64_t runstate_entry;
	uint64_t runstate_time[4];
};

/* Allocate vCPU @id of @d (KVM fd when @d has a VM). 0 or -errno. */
int vcpu_create(struct domain *d, unsigned int id, struct vcpu **out);
/* Stop the thread (d->dying set and kicked beforehand) and free. */
void vcpu_destroy(struct vcpu *v);

/* Fill @s with the PVH entry state: 32-bit flat protected mode, EIP = @entry, EBX = @ebx. */
void vcpu_pvh_start_state(struct vcpu_start *s, uint32_t entry, uint32_t ebx);
/* Load the PVH boot segment state into a fresh vCPU ahead of its start.  0 or -errno. */
int vcpu_preload_pvh(struct kvm_vcpu *c);
/* Translate a VCPUOP_initialise context; 0 or -XEN_EINVAL. */
int vcpu_hvm_start_state(struct vcpu_start *s, const struct vcpu_hvm_context *ctx);

/*
 * vcpu_kick, vcpu_claim_wake, vcpu_start, vcpu_block, vcpu_notify_upcall,
 * vcpu_timer_update and vcpu_timer_quiesce, which the core calls, are in
 * platform.h.
 */

/*
 * Handle the exit KVM_RUN left in v->kvm.run (@v's own thread, no locks
 * held): 0 to run on, -1 after crashing the domain.  Unit tests call it
 * with a kvm_run of their own.
 */
int vcpu_handle_exit(struct vcpu *v);

/* Wake @v if it sleeps in vcpu_block() (it re-checks why). d->lock held. */
void vcpu_wake(struct vcpu *v);

/* Host pointer to @v's vcpu_info (registered or in shared_info), or NULL. d->lock held. */
struct vcpu_info *vcpu_info_of(struct vcpu *v);

/* Runstate change (RUNSTATE_*), accounting the time spent in the old one. d->lock held. */
void vcpu_set_runstate(struct vcpu *v, int state);

#endif
