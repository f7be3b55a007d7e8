/*
 * hvsim's KVM layer (see simkvm.h): every function of hypervisor/kvm.h and
 * kvm_vm_set_slot() of platform.h, with no /dev/kvm behind them.  What
 * needs guest code (exceptions) is refused; KVM_RUN plays a guest that
 * only makes the hypercalls a test hands it.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"
#include "simkvm.h"

#define SIM_NR_MEMSLOTS 32764    /* KVM_CAP_NR_MEMSLOTS of the development hosts */
#define SIM_TSC_KHZ     1000000u /* a 1 GHz TSC: no guest reads it */

/*
 * The guest's hypercall page (its address is the sim's choice): the stub
 * of hypercall nr at SIM_STUB_PAGE + nr * 32 is mov $nr,%eax (5 bytes);
 * out %eax,$HV_HYPERCALL_PORT (2); ret.
 */
#define SIM_STUB_PAGE    0x7000u
#define SIM_STUB_OUT(nr) (SIM_STUB_PAGE + (uint64_t)(nr)*32 + 5)
#define SIM_OUT_LEN      2
#define SIM_KICK_POLL_NS 2000000 /* how soon KVM_RUN sees immediate_exit: 2 ms */
#define SIM_STOP_POLL_NS 10000000

#define CR0_PE           (1ull << 0)
#define CR0_WP           (1ull << 16)
#define CR0_PG           (1ull << 31)
#define CR4_PAE          (1ull << 5)
#define EFER_LME         (1ull << 8)
#define EFER_LMA         (1ull << 10)

/* A vCPU: its kvm_run (what c->run points at) and the guest's call. */
struct sim_vcpu {
	struct kvm_run run;
	uint32_t io_data; /* an exit's port data (run.io.data_offset) */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool active;  /* a call was handed over and has not returned */
	bool trapped; /* ... and it has trapped at least once */
	bool done;    /* ... the guest is past it: result below */
	struct hvsim_call call;
	bool exit_pending; /* the `out` exited: KVM completes it at the next KVM_RUN */
	uint64_t exit_rip;
	/* What KVM would hold besides regs and sregs (which are run.s.regs): stored as set. */
	struct kvm_vcpu_state state;
};

static struct sim_vcpu *sim_vcpu(struct kvm_vcpu *c)
{
	return (struct sim_vcpu *)((char *)c->run - offsetof(struct sim_vcpu, run));
}

static void deadline_in(struct timespec *ts, long ns)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_nsec += ns;
	ts->tv_sec += ts->tv_nsec / 1000000000;
	ts->tv_nsec %= 1000000000;
}

int kvm_host_open(struct kvm_host *k)
{
	memset(k, 0, sizeof(*k));
	k->fd = -1;
	/* No CPUID leaves of a host: cpuid_build() adds only the Xen ones. */
	k->supported = calloc(1, sizeof(*k->supported));
	if (!k->supported)
		return -ENOMEM;
	k->run_size = (int)sizeof(struct sim_vcpu);
	k->nr_memslots = SIM_NR_MEMSLOTS;
	k->readonly_mem = true;
	return 0;
}

void kvm_host_close(struct kvm_host *k)
{
	free(k->supported);
	k->supported = NULL;
}

int kvm_vm_create(struct kvm_host *k, struct kvm_vm *vm, uint64_t ram_size)
{
	void *ram;
	int r;

	memset(vm, 0, sizeof(*vm));
	vm->memfd = -1;
	vm->boot_vcpu.fd = -1;
	vm->fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (vm->fd < 0)
		return -errno;
	vm->memfd = memfd_create("shoji-guest-ram", MFD_CLOEXEC);
	if (vm->memfd < 0 || ftruncate(vm->memfd, (off_t)ram_size) < 0) {
		r = -errno;
		goto out;
	}
	ram = mmap(NULL, ram_size, PROT_READ | PROT_WRITE, MAP_SHARED, vm->memfd, 0);
	if (ram == MAP_FAILED) {
		r = -errno;
		goto out;
	}
	vm->ram = ram;
	vm->ram_size = ram_size;
	return 0;
out:
	kvm_vm_destroy(vm);
	return r;
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	kvm_vcpu_destroy(&vm->boot_vcpu);
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->memfd >= 0)
		close(vm->memfd);
	if (vm->fd >= 0)
		close(vm->fd);
	vm->ram = NULL;
	vm->memfd = -1;
	vm->fd = -1;
}

void kvm_vm_prepare(struct kvm_host *k, struct kvm_vm *vm, uint64_t populate)
{
}

bool kvm_vm_take_boot_vcpu(struct kvm_vm *vm, struct kvm_vcpu *c)
{
	return false;
}

/* Memslots only matter to a running vCPU: extra pages stay where physmap.c put them. */
int kvm_vm_set_slot(struct kvm_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
                    void *host)
{
	return slot < SIM_NR_MEMSLOTS && (size & 4095) == 0 ? 0 : -EINVAL;
}

int kvm_vm_signal_msi(struct kvm_vm *vm, uint32_t apic_id, uint8_t vector)
{
	uint64_t one = 1;

	return write(vm->fd, &one, sizeof(one)) == (ssize_t)sizeof(one) ? 1 : -errno;
}

int simkvm_irq_fd(const struct kvm_vm *vm)
{
	return vm->fd;
}

int kvm_vcpu_create(struct kvm_host *k, struct kvm_vm *vm, unsigned int id, struct kvm_vcpu *c)
{
	struct sim_vcpu *sv = calloc(1, sizeof(*sv));
	pthread_condattr_t ca;

	c->fd = -1;
	c->run_size = k->run_size;
	c->run = NULL;
	if (!sv)
		return -ENOMEM;
	pthread_mutex_init(&sv->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sv->cond, &ca);
	pthread_condattr_destroy(&ca);
	c->run = &sv->run;
	return 0;
}

void kvm_vcpu_destroy(struct kvm_vcpu *c)
{
	struct sim_vcpu *sv;

	if (c->run) {
		sv = sim_vcpu(c);
		pthread_mutex_destroy(&sv->lock);
		pthread_cond_destroy(&sv->cond);
		free(sv);
	}
	c->run = NULL;
	c->fd = -1;
}

/* The guest reaches its hypercall stub: registers as the stub's `mov` leaves them.  sv->lock held. */
static void call_enter(struct sim_vcpu *sv)
{
	struct kvm_regs *r = &sv->run.s.regs.regs;
	struct kvm_sregs *s = &sv->run.s.regs.sregs;
	const uint64_t *a = sv->call.args;

	memset(r, 0, sizeof(*r));
	memset(s, 0, sizeof(*s));
	r->rax = sv->call.nr;
	if (sv->call.compat) {
		r->rbx = (uint32_t)a[0];
		r->rcx = (uint32_t)a[1];
		r->rdx = (uint32_t)a[2];
		r->rsi = (uint32_t)a[3];
		r->rdi = (uint32_t)a[4];
		s->cs.db = 1;
		s->cr0 = CR0_PE;
	} else {
		r->rdi = a[0];
		r->rsi = a[1];
		r->rdx = a[2];
		r->r10 = a[3];
		r->r8 = a[4];
		s->cs.l = 1;
		if (sv->call.cr3) {
			s->cr0 = CR0_PE | CR0_WP | CR0_PG;
			s->cr3 = sv->call.cr3;
			s->cr4 = CR4_PAE;
			s->efer = EFER_LME | EFER_LMA;
		}
	}
	r->rip = SIM_STUB_OUT(sv->call.nr);
}

/* The argument registers as the guest's mode has them. */
static void call_args(const struct sim_vcpu *sv, uint64_t a[5])
{
	const struct kvm_regs *r = &sv->run.s.regs.regs;

	if (sv->call.compat) {
		a[0] = (uint32_t)r->rbx;
		a[1] = (uint32_t)r->rcx;
		a[2] = (uint32_t)r->rdx;
		a[3] = (uint32_t)r->rsi;
		a[4] = (uint32_t)r->rdi;
	} else {
		a[0] = r->rdi;
		a[1] = r->rsi;
		a[2] = r->rdx;
		a[3] = r->r10;
		a[4] = r->r8;
	}
}

/*
 * The guest runs from where shoji-hv left it: at the stub's `out` it traps
 * (true, an exit in sv->run); just past it, the call has returned and the
 * waiter gets rax; anywhere else it went astray (-EFAULT to the waiter).
 * sv->lock held.
 */
static bool guest_step(struct sim_vcpu *sv)
{
	struct kvm_run *run = &sv->run;
	struct kvm_regs *r = &run->s.regs.regs;
	uint64_t out = SIM_STUB_OUT(sv->call.nr);

	if (!sv->trapped)
		call_enter(sv);
	if (r->rip == out) {
		if (sv->trapped)
			sv->call.continuations++;
		sv->trapped = true;
		call_args(sv, sv->call.last);
		run->exit_reason = KVM_EXIT_IO;
		run->io.direction = KVM_EXIT_IO_OUT;
		run->io.size = 4;
		run->io.port = HV_HYPERCALL_PORT;
		run->io.count = 1;
		run->io.data_offset = offsetof(struct sim_vcpu, io_data);
		sv->io_data = (uint32_t)r->rax; /* the stub's out %eax */
		sv->exit_pending = true;
		sv->exit_rip = r->rip;
		return true;
	}
	if (r->rip == out + SIM_OUT_LEN)
		sv->call.result = sv->call.compat ? (long)(int32_t)r->rax : (long)r->rax;
	else
		sv->call.result = -EFAULT;
	sv->done = true;
	pthread_cond_broadcast(&sv->cond);
	return false;
}

int kvm_vcpu_run(struct kvm_vcpu *c)
{
	struct sim_vcpu *sv = sim_vcpu(c);
	struct kvm_run *run = c->run;
	struct timespec ts;
	int rc;

	pthread_mutex_lock(&sv->lock);
	run->kvm_dirty_regs = 0; /* the registers are this memory already */
	if (sv->exit_pending) {
		/* KVM completes the `out`, unless user space moved rip. */
		sv->exit_pending = false;
		if (run->s.regs.regs.rip == sv->exit_rip)
			run->s.regs.regs.rip += SIM_OUT_LEN;
	}
	for (;;) {
		if (__atomic_load_n(&run->immediate_exit, __ATOMIC_ACQUIRE)) {
			rc = -EINTR;
			break;
		}
		if (sv->active && !sv->done) {
			if (guest_step(sv)) {
				rc = 0;
				break;
			}
			continue;
		}
		/* The guest runs code of its own: wait for a call or a kick. */
		deadline_in(&ts, SIM_KICK_POLL_NS);
		pthread_cond_timedwait(&sv->cond, &sv->lock, &ts);
	}
	pthread_mutex_unlock(&sv->lock);
	return rc;
}

int simkvm_vcpu_call(struct kvm_vcpu *c, struct hvsim_call *call, bool (*stopped)(void *),
                     void *opaque)
{
	struct sim_vcpu *sv = sim_vcpu(c);
	struct timespec ts;
	int rc = 0;

	if (call->compat && call->cr3)
		return -EINVAL;
	pthread_mutex_lock(&sv->lock);
	if (sv->active) {
		pthread_mutex_unlock(&sv->lock);
		return -EBUSY;
	}
	sv->call = *call;
	sv->call.continuations = 0;
	sv->active = true;
	sv->trapped = false;
	sv->done = false;
	pthread_cond_broadcast(&sv->cond);
	while (!sv->done) {
		deadline_in(&ts, SIM_STOP_POLL_NS);
		pthread_cond_timedwait(&sv->cond, &sv->lock, &ts);
		if (!sv->done && stopped(opaque)) {
			rc = -ESRCH; /* the vCPU stays busy with it: it will not run again */
			break;
		}
	}
	if (rc == 0) {
		*call = sv->call;
		sv->active = false;
	}
	pthread_mutex_unlock(&sv->lock);
	return rc;
}

unsigned int simkvm_vcpu_progress(struct kvm_vcpu *c, uint64_t args[5])
{
	struct sim_vcpu *sv = sim_vcpu(c);
	unsigned int n = 0;

	pthread_mutex_lock(&sv->lock);
	if (sv->active) {
		n = sv->call.continuations;
		if (args)
			memcpy(args, sv->call.last, sizeof(sv->call.last));
	}
	pthread_mutex_unlock(&sv->lock);
	return n;
}

int kvm_vcpu_set_cpuid(struct kvm_vcpu *c, const struct kvm_cpuid2 *cpuid)
{
	return 0;
}

/* The simulated VM has the whole irqchip (split_irqchip false): upcalls go as MSIs. */
int kvm_vcpu_interrupt(struct kvm_vcpu *c, uint8_t vector)
{
	return -ENOTSUP;
}

int kvm_vcpu_inject_exception(struct kvm_vcpu *c, uint8_t vector, uint32_t error_code)
{
	return -ENOTSUP;
}

int kvm_vcpu_get_state(const struct kvm_host *k, struct kvm_vcpu *c, struct kvm_vcpu_state *s)
{
	struct sim_vcpu *sv = sim_vcpu(c);

	pthread_mutex_lock(&sv->lock);
	*s = sv->state;
	s->regs = sv->run.s.regs.regs;
	s->sregs = sv->run.s.regs.sregs;
	pthread_mutex_unlock(&sv->lock);
	return 0;
}

/* As KVM: the counts must fit (KVM_SET_MSRS stops at one it refuses). */
int kvm_vcpu_set_state(struct kvm_vcpu *c, const struct kvm_vcpu_state *s)
{
	struct sim_vcpu *sv = sim_vcpu(c);

	if (s->nr_msrs > KVM_STATE_MSRS_MAX || s->xcrs.nr_xcrs > KVM_MAX_XCRS)
		return -EINVAL;
	pthread_mutex_lock(&sv->lock);
	sv->state = *s;
	sv->run.s.regs.regs = s->regs;
	sv->run.s.regs.sregs = s->sregs;
	sv->run.kvm_dirty_regs = 0;
	pthread_mutex_unlock(&sv->lock);
	return 0;
}

/* KVM's clock runs with CLOCK_MONOTONIC; KVM_SET_CLOCK moves it. */
static uint64_t sim_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int kvm_vm_get_clock(struct kvm_vm *vm, uint64_t *ns)
{
	*ns = sim_mono_ns() + (uint64_t)vm->clock_adjust;
	return 0;
}

int kvm_vm_set_clock(struct kvm_vm *vm, uint64_t ns)
{
	vm->clock_adjust = (int64_t)(ns - sim_mono_ns());
	return 0;
}

int kvm_vcpu_tsc_info(struct kvm_vcpu *c, uint32_t *khz, int64_t *offset)
{
	*khz = SIM_TSC_KHZ;
	*offset = 0;
	return 0;
}
