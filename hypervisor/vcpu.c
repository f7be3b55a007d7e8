/* vCPU threads: the KVM_RUN loop, exit handlers, blocking, kicks and timers. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <shoji/sched.h>

#include "cpuid.h"
#include "domain.h"
#include "evtglue.h"
#include "hvtime.h"
#include "hypercall.h"
#include "kvm.h"
#include "log.h"
#include "physmap.h"
#include "pio.h"
#include "platform.h"
#include "vcpu.h"

/* An exit handler returns 0 to keep running or -1 after crashing the domain. */
typedef int exit_fn(struct vcpu *v);

static void timer_event(void *opaque);

int vcpu_create(struct domain *d, unsigned int id, struct vcpu **out)
{
	struct kvm_cpuid2 *cpuid = NULL;
	bool preset = false;
	pthread_condattr_t ca;
	struct vcpu *v;
	int r;

	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->d = d;
	v->id = id;
	v->kvm.fd = -1;
	v->timerfd = -1;
	v->runstate = RUNSTATE_offline;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&v->cond, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&v->timer_send, NULL);

	if (id == 0 && kvm_vm_take_boot_vcpu(&d->vm, &v->kvm)) {
		preset = d->boot_cpuid_set; /* a pooled VM's, for this domid */
		v->pvh_preloaded = d->boot_pvh_preloaded;
		r = 0;
	} else {
		r = kvm_vcpu_create(&d->hv->kvm, &d->vm, id, &v->kvm);
	}
	if (r < 0)
		goto out;
	v->regs = &v->kvm.run->s.regs;
	if (!preset) {
		cpuid = cpuid_build(d->hv->kvm.supported, d->cpuid_hide, d->domid, id);
		r = -ENOMEM;
		if (!cpuid)
			goto out;
		r = kvm_vcpu_set_cpuid(&v->kvm, cpuid);
		if (r < 0)
			goto out;
	}
	v->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (v->timerfd < 0) {
		r = -errno;
		goto out;
	}
	v->timer_ev.fd = v->timerfd;
	v->timer_ev.fn = timer_event;
	v->timer_ev.opaque = v;
	r = hv_event_add(d->hv, &v->timer_ev);
	if (r < 0)
		goto out;
	free(cpuid);
	*out = v;
	return 0;
out:
	free(cpuid);
	if (v->timerfd >= 0)
		close(v->timerfd);
	kvm_vcpu_destroy(&v->kvm);
	pthread_cond_destroy(&v->cond);
	pthread_mutex_destroy(&v->timer_send);
	free(v);
	return r;
}

void vcpu_destroy(struct vcpu *v)
{
	if (v->thread_started)
		pthread_join(v->thread, NULL);
	if (v->timerfd >= 0) {
		hv_event_del(v->d->hv, &v->timer_ev);
		close(v->timerfd);
	}
	kvm_vcpu_destroy(&v->kvm);
	pthread_cond_destroy(&v->cond);
	pthread_mutex_destroy(&v->timer_send);
	free(v);
}

bool vcpu_claim_wake(struct vcpu *v)
{
	/*
	 * One signal per block is enough: a vCPU already woken re-checks
	 * everything once it has d->lock back, and one that is not blocked
	 * has nobody waiting (vcpu_block() starts from woken = false).
	 */
	if (v->woken)
		return false;
	v->woken = true;
	return v->blocked;
}

void vcpu_wake(struct vcpu *v)
{
	if (vcpu_claim_wake(v))
		pthread_cond_signal(&v->cond);
}

/* Out of KVM_RUN (or not into it) and back through the thread's loop.  d->lock held. */
static void vcpu_poke(struct vcpu *v)
{
	vcpu_wake(v);
	if (v->running) {
		v->kvm.run->immediate_exit = 1;
		pthread_kill(v->thread, SIGUSR1);
	}
}

void vcpu_kick(struct vcpu *v)
{
	__atomic_store_n(&v->kicked, true, __ATOMIC_RELEASE); /* a long hypercall stops */
	vcpu_poke(v);
}

/* Xen's callback vector goes as an ExtINT, injected by the vCPU's own thread (below)? */
static bool callback_by_extint(const struct vcpu *v)
{
	return v->d->vm.split_irqchip && !v->upcall_vector &&
	       __atomic_load_n(&v->d->callback_vector, __ATOMIC_RELAXED);
}

/*
 * The per-vCPU vector (HVMOP_set_evtchn_upcall_vector) goes through the
 * LAPIC as an MSI, and the guest EOIs it, as on Xen.  The domain-wide
 * callback vector (HVM_PARAM_CALLBACK_IRQ) does not touch the LAPIC on Xen:
 * the vCPU's thread injects it (vcpu_inject_callback) on its way into
 * KVM_RUN; without a split irqchip it too goes as an MSI.
 */
void vcpu_notify_upcall(struct vcpu *v)
{
	struct domain *d = v->d;
	uint8_t vector = v->upcall_vector ? v->upcall_vector : d->callback_vector;

	if (vector != v->logged_vector) {
		/* Which delivery a guest chose is the first question when events stop. */
		log_debug("domain %u vcpu %u: upcalls on vector 0x%x (%s)", d->domid, v->id, vector,
		          !vector                 ? "none"
		          : v->upcall_vector      ? "per-vCPU, EOI'd"
		          : callback_by_extint(v) ? "domain callback, ExtINT, no EOI"
		                                  : "domain callback, MSI");
		v->logged_vector = vector;
	}
	if (callback_by_extint(v)) {
		vcpu_poke(v);
	} else if (vector) {
		int r = kvm_vm_signal_msi(&d->vm, v->id, vector);

		/*
		 * A LAPIC the guest has not enabled takes no interrupt: KVM
		 * drops it (r == 0), as Xen does.  Xen then raises the per-vCPU
		 * upcall when the guest enables its LAPIC, if upcall_pending
		 * is still set.  Linux meets exactly that: it sets its vector
		 * (upcall_pending is set since VCPUOP_register_vcpu_info)
		 * before enabling its LAPIC, and if that upcall is lost no
		 * later event raises another.  KVM does not say when the LAPIC
		 * is enabled, so the upcall is held and tried again before the
		 * vCPU next runs (the run loop) until a LAPIC takes it.
		 */
		if (v->upcall_held && r > 0)
			log_debug("domain %u vcpu %u: held upcall taken by its LAPIC", d->domid,
			          v->id);
		v->upcall_held = v->upcall_vector && r <= 0;
	}
	vcpu_wake(v);
}

/*
 * Before KVM_RUN, on the vCPU's thread: while evtchn_upcall_pending is set,
 * the callback vector is given as an ExtINT (one at a time: KVM holds it
 * until the guest can take it), and KVM is asked to come back once the
 * guest can take another, so it is given again for as long as the guest
 * leaves upcall_pending set: Xen's level-triggered callback.
 */
static void vcpu_inject_callback(struct vcpu *v)
{
	struct vcpu_info *vi = vcpu_info_of(v);
	bool pending = callback_by_extint(v) && vi &&
	               __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE);

	if (pending && kvm_vcpu_interrupt(&v->kvm, v->d->callback_vector) < 0)
		pending = false;
	v->kvm.run->request_interrupt_window = pending;
}

/* Is the vCPU kept from running (paused, stopped, offline)?  d->lock held. */
static bool vcpu_stopped(const struct vcpu *v)
{
	const struct domain *d = v->d;

	return d->dying || d->is_shutdown || d->crashed || !v->online;
}

bool vcpu_block(struct vcpu *v, uint64_t deadline, bool wake_on_upcall)
{
	struct domain *d = v->d;
	bool timed_out = false;

	v->woken = false;
	v->blocked = true;
	vcpu_set_runstate(v, RUNSTATE_blocked);
	for (;;) {
		struct vcpu_info *vi = vcpu_info_of(v);

		if (v->woken || vcpu_stopped(v))
			break;
		if (wake_on_upcall &&
		    (v->timer_fired ||
		     (vi && __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE))))
			break;
		if (deadline) {
			uint64_t abs = d->start_ns + deadline;
			struct timespec ts = {.tv_sec = (time_t)(abs / 1000000000ULL),
			                      .tv_nsec = (long)(abs % 1000000000ULL)};

			if (domain_system_time(d) >= deadline) {
				timed_out = true;
				break;
			}
			pthread_cond_timedwait(&v->cond, &d->lock, &ts);
		} else {
			pthread_cond_wait(&v->cond, &d->lock);
		}
	}
	if (wake_on_upcall)
		v->timer_fired = false;
	v->woken = false;
	v->blocked = false;
	vcpu_set_runstate(v, RUNSTATE_running);
	time_update_vcpu(v);
	return timed_out;
}

/* --- Timers: one timerfd per vCPU, serviced by the hv event loop. --- */

void vcpu_timer_update(struct vcpu *v)
{
	struct itimerspec its;
	uint64_t next = v->singleshot;

	memset(&its, 0, sizeof(its));
	if (v->period && (!next || v->periodic_next < next))
		next = v->periodic_next;
	if (next) {
		uint64_t abs = v->d->start_ns + next;

		its.it_value.tv_sec = (time_t)(abs / 1000000000ULL);
		its.it_value.tv_nsec = (long)(abs % 1000000000ULL);
		if (!its.it_value.tv_sec && !its.it_value.tv_nsec)
			its.it_value.tv_nsec = 1;
	}
	if (v->timerfd >= 0)
		timerfd_settime(v->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* The vCPU's timer fired: wake it (VIRQ_TIMER delivery joins here with event channels). */
static void vcpu_timer_fire(struct vcpu *v)
{
	v->timer_fired = true;
	vcpu_wake(v);
}

static void timer_event(void *opaque)
{
	struct vcpu *v = opaque;
	struct domain *d = v->d;
	uint64_t ticks, now;
	bool fired = false;

	if (read(v->timerfd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("domain %u vcpu %u: timer", d->domid, v->id);
	pthread_mutex_lock(&v->timer_send);
	pthread_mutex_lock(&d->lock);
	now = domain_system_time(d);
	if (v->singleshot && v->singleshot <= now) {
		v->singleshot = 0;
		fired = true;
	}
	if (v->period && v->periodic_next <= now) {
		v->periodic_next += v->period * ((now - v->periodic_next) / v->period + 1);
		fired = true;
	}
	if (fired)
		vcpu_timer_fire(v);
	vcpu_timer_update(v);
	pthread_mutex_unlock(&d->lock);
	if (fired)
		evtglue_send_virq(d, v->id, VIRQ_TIMER); /* outside d->lock: it kicks */
	pthread_mutex_unlock(&v->timer_send);
}

void vcpu_timer_quiesce(struct vcpu *v)
{
	/* timer_event takes timer_send before d->lock: drop d->lock to wait. */
	pthread_mutex_unlock(&v->d->lock);
	pthread_mutex_lock(&v->timer_send);
	pthread_mutex_unlock(&v->timer_send);
	pthread_mutex_lock(&v->d->lock);
}

/* --- The run loop. --- */

/*
 * Hypercall @nr from the vCPU's current mode, with the 64-bit ABI's
 * arguments @a64 or the 32-bit ABI's @a32 (CS.L clear: 32-bit code, in
 * protected or compat mode); the value for rax.
 */
static long guest_hypercall(struct vcpu *v, uint64_t nr, const uint64_t a64[5],
                            const uint64_t a32[5])
{
	const struct kvm_sregs *s = &v->regs->sregs;

	if (s->cs.dpl != 0) {
		v->hcall.continued = false;
		return -XEN_EPERM; /* hypercalls are for guest kernel mode */
	}
	v->compat = !s->cs.l;
	v->paging.cr0 = s->cr0;
	v->paging.cr3 = s->cr3;
	v->paging.cr4 = s->cr4;
	v->paging.efer = s->efer;
	return hypercall_dispatch(v, v->compat ? (uint32_t)nr : nr, v->compat ? a32 : a64);
}

/* Trapping instructions, for a continuation to step back over. */
#define OUT_IMM8_LEN 2 /* out %eax, $imm8 */
#define VMCALL_LEN   3 /* vmcall, vmmcall */

/*
 * The handler preempted hypercall @nr (hypercall.h): let KVM complete the
 * trapping instruction of @len bytes without running the guest, then put
 * the guest back on it with eax = @nr and the argument registers of its
 * mode set to what is left to do.  The run loop sees any pause or destroy
 * before the guest next runs and issues the rest.  0, or -1 after crashing
 * the domain.
 */
static int continue_hypercall(struct vcpu *v, uint64_t nr, const uint64_t a[5], unsigned int len)
{
	struct kvm_run *run = v->kvm.run;
	struct kvm_regs *r = &v->regs->regs;
	int rc;

	run->immediate_exit = 1;
	rc = kvm_vcpu_run(&v->kvm);
	run->immediate_exit = 0;
	if (rc != -EINTR) {
		domain_crash(v->d, "vcpu %u: cannot continue hypercall %llu: %s", v->id,
		             (unsigned long long)nr, rc < 0 ? strerror(-rc) : "the guest ran");
		return -1;
	}
	if (v->compat) {
		r->rbx = (uint32_t)a[0];
		r->rcx = (uint32_t)a[1];
		r->rdx = (uint32_t)a[2];
		r->rsi = (uint32_t)a[3];
		r->rdi = (uint32_t)a[4];
	} else {
		r->rdi = a[0];
		r->rsi = a[1];
		r->rdx = a[2];
		r->r10 = a[3];
		r->r8 = a[4];
	}
	r->rax = nr;
	r->rip -= len;
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	return 0;
}

/* `out %eax, $HV_HYPERCALL_PORT`: our hypercall page, or a stub hcpatch.c rewrote. */
static int exit_hypercall(struct vcpu *v)
{
	struct kvm_run *run = v->kvm.run;
	struct kvm_regs *r = &v->regs->regs;
	const uint64_t a64[5] = {r->rdi, r->rsi, r->rdx, r->r10, r->r8};
	const uint64_t a32[5] = {(uint32_t)r->rbx, (uint32_t)r->rcx, (uint32_t)r->rdx,
	                         (uint32_t)r->rsi, (uint32_t)r->rdi};
	uint64_t next[5];
	uint32_t nr;
	long rax;

	memcpy(&nr, (uint8_t *)run + run->io.data_offset, sizeof(nr));
	rax = guest_hypercall(v, nr, a64, a32);
	if (hypercall_continued(v, next))
		return continue_hypercall(v, nr, next, OUT_IMM8_LEN);
	r->rax = (uint64_t)rax;
	if (v->compat)
		r->rax = (uint32_t)r->rax; /* eax: the low half, as a 32-bit guest reads it */
	run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
	return 0;
}

/* vmcall/vmmcall caught by KVM's Xen intercept (kvm.c enables it where KVM has it). */
static int exit_xen(struct vcpu *v)
{
	struct kvm_xen_exit *x = &v->kvm.run->xen;
	uint64_t a[5];
	unsigned int i;

	if (x->type != KVM_EXIT_XEN_HCALL) {
		domain_crash(v->d, "vcpu %u: unknown KVM Xen exit %u", v->id, x->type);
		return -1;
	}
	/* KVM already took the arguments from the registers of the caller's mode. */
	for (i = 0; i < 5; i++)
		a[i] = x->u.hcall.params[i];
	x->u.hcall.result = (uint64_t)guest_hypercall(v, x->u.hcall.input, a, a);
	if (hypercall_continued(v, a))
		return continue_hypercall(v, x->u.hcall.input, a, VMCALL_LEN);
	return 0;
}

/* What pio.c asks to log about an access no device claimed (rate-limited there). */
static void log_unclaimed(struct vcpu *v, const char *what, const struct pio_access *a,
                          enum pio_log log, uint64_t count)
{
	if (log == PIO_LOG_ACCESS)
		log_warnx("domain %u vcpu %u: unclaimed %u-byte %s %s 0x%llx at rip 0x%llx: %s",
		          v->d->domid, v->id, a->size, a->write ? "write to" : "read of", what,
		          (unsigned long long)a->addr, (unsigned long long)v->regs->regs.rip,
		          a->write ? "dropped" : "all-ones");
	else if (log == PIO_LOG_SUMMARY)
		log_warnx("domain %u: %llu unclaimed %s accesses so far (the first %u logged)",
		          v->d->domid, (unsigned long long)count, what, PIO_LOG_FIRST);
}

/*
 * Port I/O: the hypercall trap (`out %eax, $HV_HYPERCALL_PORT`), else each
 * of the count accesses (rep ins/outs) to pio.c's devices.
 */
static int exit_io(struct vcpu *v)
{
	struct kvm_run *run = v->kvm.run;
	uint8_t size = run->io.size;
	uint8_t *data;
	uint32_t i;

	if (run->io.port == HV_HYPERCALL_PORT && run->io.direction == KVM_EXIT_IO_OUT &&
	    run->io.size == 4 && run->io.count == 1)
		return exit_hypercall(v);
	if (size == 0 || size > sizeof(uint64_t) ||
	    run->io.data_offset > (uint64_t)v->kvm.run_size ||
	    (uint64_t)size * run->io.count > (uint64_t)v->kvm.run_size - run->io.data_offset) {
		domain_crash(v->d,
		             "vcpu %u: KVM reported a malformed port access (port 0x%x, %u x %u)",
		             v->id, run->io.port, run->io.count, size);
		return -1;
	}
	data = (uint8_t *)run + run->io.data_offset;
	for (i = 0; i < run->io.count; i++, data += size) {
		struct pio_access a = {.addr = run->io.port,
		                       .size = size,
		                       .write = run->io.direction == KVM_EXIT_IO_OUT};
		enum pio_log log;
		uint64_t count;

		if (a.write)
			memcpy(&a.data, data, size); /* little-endian, like the guest */
		log = pio_port(v->d, &a, &count);
		if (!a.write)
			memcpy(data, &a.data, size);
		log_unclaimed(v, "port", &a, log, count);
	}
	return 0;
}

static int exit_wrmsr(struct vcpu *v)
{
	struct kvm_run *run = v->kvm.run;
	uint64_t gpa = run->msr.data & ~(GM_PAGE_SIZE - 1);
	uint8_t *page;

	run->msr.error = 1; /* #GP unless the page is valid */
	if (run->msr.index != HV_HYPERCALL_MSR || (run->msr.data & (GM_PAGE_SIZE - 1)))
		return 0;
	page = gm_gpa(&v->d->mem, gpa, GM_PAGE_SIZE);
	if (!page)
		return 0;
	hypercall_page_fill(page);
	run->msr.error = 0;
	return 0;
}

static int exit_rdmsr(struct vcpu *v)
{
	v->kvm.run->msr.error = 1;
	return 0;
}

static int exit_shutdown(struct vcpu *v)
{
	domain_crash(v->d, "triple fault at rip 0x%llx", (unsigned long long)v->regs->regs.rip);
	return -1;
}

/*
 * An access KVM could not back with RAM.  A write to a read-only grant
 * mapping is dropped and raises #GP(0) in the writer, as on Xen; KVM has
 * already completed the instruction, so the saved rip is the next one.
 * Anything else is unbacked memory: as on Xen and real hardware, a read
 * gives all-ones and a write is dropped (pio.c counts them).
 */
static int exit_mmio(struct vcpu *v)
{
	struct kvm_run *run = v->kvm.run;
	struct pio_access a = {.addr = run->mmio.phys_addr,
	                       .size = (uint8_t)run->mmio.len,
	                       .write = run->mmio.is_write};
	enum pio_log log;
	uint64_t count;

	if (a.write && physmap_grant_readonly(v->d, a.addr)) {
		if (!__atomic_exchange_n(&v->d->ro_write_warned, true, __ATOMIC_RELAXED))
			log_warnx(
			    "domain %u vcpu %u: write to read-only grant mapping at 0x%llx; #GP",
			    v->d->domid, v->id, (unsigned long long)a.addr);
		if (kvm_vcpu_inject_exception(&v->kvm, 13, 0) == 0)
			return 0;
		domain_crash(v->d, "vcpu %u: cannot raise #GP for a write to read-only 0x%llx",
		             v->id, (unsigned long long)a.addr);
		return -1;
	}
	if (run->mmio.len == 0 || run->mmio.len > sizeof(run->mmio.data)) {
		domain_crash(v->d, "vcpu %u: KVM reported a malformed MMIO access (%u bytes)",
		             v->id, run->mmio.len);
		return -1;
	}
	if (a.write)
		memcpy(&a.data, run->mmio.data, a.size);
	log = pio_mmio(v->d, &a, &count);
	if (!a.write)
		memcpy(run->mmio.data, &a.data, a.size);
	log_unclaimed(v, "MMIO", &a, log, count);
	return 0;
}

static int exit_internal_error(struct vcpu *v)
{
	domain_crash(v->d, "vcpu %u: KVM could not run the guest (internal error %u) at rip 0x%llx",
	             v->id, v->kvm.run->internal.suberror, (unsigned long long)v->regs->regs.rip);
	return -1;
}

static int exit_fail_entry(struct vcpu *v)
{
	domain_crash(v->d, "vcpu %u: invalid guest state (entry failure 0x%llx)", v->id,
	             (unsigned long long)v->kvm.run->fail_entry.hardware_entry_failure_reason);
	return -1;
}

static int exit_system_event(struct vcpu *v)
{
	switch (v->kvm.run->system_event.type) {
	case KVM_SYSTEM_EVENT_RESET:
		domain_shutdown(v->d, SHUTDOWN_reboot);
		return 0;
	case KVM_SYSTEM_EVENT_SHUTDOWN:
		domain_shutdown(v->d, SHUTDOWN_poweroff);
		return 0;
	default:
		domain_crash(v->d, "vcpu %u: system event %u", v->id,
		             v->kvm.run->system_event.type);
		return -1;
	}
}

static int exit_nothing(struct vcpu *v)
{
	return 0;
}

static exit_fn *const exit_table[] = {
    [KVM_EXIT_IO] = exit_io,
    [KVM_EXIT_HLT] = exit_nothing,
    [KVM_EXIT_IRQ_WINDOW_OPEN] = exit_nothing, /* vcpu_inject_callback looks again */
    [KVM_EXIT_MMIO] = exit_mmio,
    [KVM_EXIT_SHUTDOWN] = exit_shutdown,
    [KVM_EXIT_FAIL_ENTRY] = exit_fail_entry,
    [KVM_EXIT_INTR] = exit_nothing,
    [KVM_EXIT_INTERNAL_ERROR] = exit_internal_error,
    [KVM_EXIT_SYSTEM_EVENT] = exit_system_event,
    [KVM_EXIT_X86_RDMSR] = exit_rdmsr,
    [KVM_EXIT_X86_WRMSR] = exit_wrmsr,
    [KVM_EXIT_XEN] = exit_xen,
};

int vcpu_handle_exit(struct vcpu *v)
{
	struct kvm_run *run = v->kvm.run;
	exit_fn *fn = run->exit_reason < sizeof(exit_table) / sizeof(exit_table[0])
	                  ? exit_table[run->exit_reason]
	                  : NULL;

	if (!fn) {
		domain_crash(v->d, "vcpu %u: unhandled exit reason %u at rip 0x%llx", v->id,
		             run->exit_reason, (unsigned long long)v->regs->regs.rip);
		return -1;
	}
	return fn(v);
}

/* Segment and control registers of @sregs into vCPU @fd, and make it runnable.  0 or -errno. */
static int load_sregs(int fd, const struct kvm_sregs *sregs)
{
	struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_RUNNABLE};
	struct kvm_sregs s;

	if (ioctl(fd, KVM_GET_SREGS, &s) < 0)
		return -errno;
	s.cs = sregs->cs;
	s.ds = sregs->ds;
	s.es = sregs->es;
	s.fs = sregs->fs;
	s.gs = sregs->gs;
	s.ss = sregs->ss;
	s.tr = sregs->tr;
	s.ldt = sregs->ldt;
	s.gdt = sregs->gdt;
	s.idt = sregs->idt;
	s.cr0 = sregs->cr0;
	s.cr3 = sregs->cr3;
	s.cr4 = sregs->cr4;
	s.efer = sregs->efer;
	if (ioctl(fd, KVM_SET_SREGS, &s) < 0)
		return -errno;
	if (ioctl(fd, KVM_SET_MP_STATE, &mp) < 0)
		return -errno;
	return 0;
}

int vcpu_preload_pvh(struct kvm_vcpu *c)
{
	struct vcpu_start pvh;

	vcpu_pvh_start_state(&pvh, 0, 0);
	return load_sregs(c->fd, &pvh.sregs);
}

/*
 * Load a start state into KVM (own thread, before the first KVM_RUN after
 * it).  A vCPU whose PVH segment state was preloaded (the pool's vCPU 0)
 * only needs its registers, which go in through the synced kvm_run copy.
 */
static int apply_start(struct vcpu *v, const struct vcpu_start *st)
{
	struct vcpu_start pvh;
	int r;

	if (v->pvh_preloaded) {
		v->pvh_preloaded = false;
		vcpu_pvh_start_state(&pvh, 0, 0);
		if (!memcmp(&st->sregs, &pvh.sregs, sizeof(pvh.sregs))) {
			v->regs->regs = st->regs;
			v->kvm.run->kvm_dirty_regs = KVM_SYNC_X86_REGS;
			return 0;
		}
	}
	r = load_sregs(v->kvm.fd, &st->sregs);
	if (r < 0)
		return r;
	if (ioctl(v->kvm.fd, KVM_SET_REGS, &st->regs) < 0)
		return -errno;
	v->kvm.run->kvm_dirty_regs = 0;
	return 0;
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *v = arg;
	struct domain *d = v->d;
	struct kvm_run *run = v->kvm.run;

	for (;;) {
		struct vcpu_start st;
		bool apply = false;
		int r;

		pthread_mutex_lock(&d->lock);
		/* What a kick asked for is seen below, under the lock. */
		__atomic_store_n(&v->kicked, false, __ATOMIC_RELAXED);
		while (!d->dying && (d->pause_count || vcpu_stopped(v))) {
			if (!v->online)
				vcpu_set_runstate(v, RUNSTATE_offline);
			v->parked = true;
			pthread_cond_wait(&d->cond, &d->lock);
		}
		v->parked = false;
		if (d->dying) {
			pthread_mutex_unlock(&d->lock);
			break;
		}
		if (v->upcall_held) {
			/* See vcpu_notify_upcall: raised again while still wanted. */
			struct vcpu_info *vi = vcpu_info_of(v);

			if (vi && __atomic_load_n(&vi->evtchn_upcall_pending, __ATOMIC_ACQUIRE))
				vcpu_notify_upcall(v);
			else
				v->upcall_held = false;
		}
		if (v->start_pending) {
			st = v->start;
			v->start_pending = false;
			apply = true;
		}
		vcpu_set_runstate(v, RUNSTATE_running);
		v->running = true;
		pthread_mutex_unlock(&d->lock);

		if (apply && (r = apply_start(v, &st)) < 0) {
			domain_crash(d, "vcpu %u: cannot load its start state: %s", v->id,
			             strerror(-r));
			r = -1;
		} else {
			vcpu_inject_callback(v);
			r = kvm_vcpu_run(&v->kvm);
		}

		pthread_mutex_lock(&d->lock);
		v->running = false;
		run->immediate_exit = 0;
		pthread_mutex_unlock(&d->lock);

		if (r == -EINTR || r == -EAGAIN || r == -1)
			continue;
		if (r < 0) {
			domain_crash(d, "vcpu %u: KVM_RUN failed: %s", v->id, strerror(-r));
			continue;
		}
		vcpu_handle_exit(v);
	}
	return NULL;
}

int vcpu_start(struct vcpu *v)
{
	struct domain *d = v->d;
	int r;

	v->online = true;
	vcpu_set_runstate(v, RUNSTATE_runnable);
	if (v->thread_started) {
		pthread_cond_broadcast(&d->cond);
		return 0;
	}
	r = pthread_create(&v->thread, NULL, vcpu_thread, v);
	if (r) {
		v->online = false;
		return -r;
	}
	v->thread_started = true;
	return 0;
}
