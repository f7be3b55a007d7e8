/* The KVM layer: host, VM and vCPU set-up (see kvm.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>
#include <x86intrin.h>

#include "kvm.h"
#include "platform.h"

#define SPLIT_IRQCHIP_ROUTES 24     /* MSI routes KVM keeps for a user-space IOAPIC (none here) */
#define LAPIC_LVT0           0x350  /* register offset in struct kvm_lapic_state */
#define LAPIC_LVT_EXTINT     0x700u /* delivery mode ExtINT, not masked */

#define MAX_CPUID_ENTRIES    256

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

/*
 * Which of the MSRs a saved vCPU carries (kvm_state_msr_ok) this host's KVM
 * saves and restores: those KVM_GET_MSR_INDEX_LIST names.  None when it
 * cannot be asked (a save then carries none).
 */
static void state_msrs(struct kvm_host *k)
{
	struct kvm_msr_list *list;
	uint32_t n = 0;
	unsigned int i;

	k->nr_state_msrs = 0;
	list = calloc(1, sizeof(*list));
	if (!list)
		return;
	/* The first call says how many (E2BIG), the second fills them. */
	if (ioctl(k->fd, KVM_GET_MSR_INDEX_LIST, list) < 0 && errno == E2BIG)
		n = list->nmsrs;
	free(list);
	if (n == 0 || n > 4096)
		return;
	list = calloc(1, sizeof(*list) + n * sizeof(list->indices[0]));
	if (!list)
		return;
	list->nmsrs = n;
	if (xioctl(k->fd, KVM_GET_MSR_INDEX_LIST, list) == 0)
		for (i = 0; i < list->nmsrs && k->nr_state_msrs < KVM_STATE_MSRS_MAX; i++)
			if (kvm_state_msr_ok(list->indices[i]))
				k->state_msrs[k->nr_state_msrs++] = list->indices[i];
	free(list);
}

int kvm_host_open(struct kvm_host *k)
{
	static const int caps[] = {
	    KVM_CAP_IRQCHIP,    KVM_CAP_SYNC_REGS,   KVM_CAP_X86_USER_SPACE_MSR,
	    KVM_CAP_SIGNAL_MSI, KVM_CAP_USER_MEMORY, KVM_CAP_IMMEDIATE_EXIT};
	struct kvm_cpuid2 *cpuid = NULL;
	int r, fd = -1;
	size_t i;

	k->fd = -1;
	k->supported = NULL;
	fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = -ENOTSUP;
	if (ioctl(fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION)
		goto out;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (ioctl(fd, KVM_CHECK_EXTENSION, caps[i]) <= 0)
			goto out;
	r = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (r <= 0) {
		r = -ENOTSUP;
		goto out;
	}
	k->run_size = r;
	k->nr_memslots = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_MEMSLOTS);
	k->readonly_mem = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_READONLY_MEM) > 0;
	r = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_XEN_HVM); /* a mask of KVM_XEN_HVM_CONFIG_* */
	k->xen_hcall = r > 0 && (r & KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL);
	cpuid = calloc(1, sizeof(*cpuid) + MAX_CPUID_ENTRIES * sizeof(cpuid->entries[0]));
	r = -ENOMEM;
	if (!cpuid)
		goto out;
	cpuid->nent = MAX_CPUID_ENTRIES;
	r = xioctl(fd, KVM_GET_SUPPORTED_CPUID, cpuid);
	if (r < 0)
		goto out;
	k->fd = fd;
	k->supported = cpuid;
	state_msrs(k);
	return 0;
out:
	free(cpuid);
	close(fd);
	return r;
}

void kvm_host_close(struct kvm_host *k)
{
	if (k->fd >= 0)
		close(k->fd);
	free(k->supported);
	k->fd = -1;
	k->supported = NULL;
}

/*
 * MSR accesses KVM refuses (the hypercall MSR among them: KVM knows no Xen or
 * Hyper-V here) exit to userspace.  No MSR filter: installing one costs a
 * ~15 ms SRCU synchronisation per VM on the hosts we target.
 */
static int enable_user_msrs(int vm_fd)
{
	struct kvm_enable_cap cap = {
	    .cap = KVM_CAP_X86_USER_SPACE_MSR,
	    .args = {KVM_MSR_EXIT_REASON_INVAL | KVM_MSR_EXIT_REASON_UNKNOWN},
	};

	return xioctl(vm_fd, KVM_ENABLE_CAP, &cap);
}

/*
 * KVM's own Xen support, for one thing only: vmcall/vmmcall exit to us as
 * KVM_EXIT_XEN hypercalls.  No MSR: the hypercall-page MSR keeps exiting to
 * userspace, which fills the page with its own trapping stubs.
 */
static int enable_xen_hcall(int vm_fd)
{
	struct kvm_xen_hvm_config cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = KVM_XEN_HVM_CONFIG_INTERCEPT_HCALL;
	return xioctl(vm_fd, KVM_XEN_HVM_CONFIG, &cfg);
}

int kvm_vm_create(struct kvm_host *k, struct kvm_vm *vm, uint64_t ram_size)
{
	void *ram = MAP_FAILED;
	int r;

	vm->fd = -1;
	vm->memfd = -1;
	vm->ram = NULL;
	vm->ram_size = 0;
	vm->boot_vcpu.fd = -1;
	vm->boot_vcpu.run = NULL;
	vm->xen_hcall = false;

	r = xioctl(k->fd, KVM_CREATE_VM, 0);
	if (r < 0)
		goto out;
	vm->fd = r;
	vm->memfd = memfd_create("shoji-guest-ram", MFD_CLOEXEC);
	if (vm->memfd < 0) {
		r = -errno;
		goto out;
	}
	if (ftruncate(vm->memfd, (off_t)ram_size) < 0) {
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
	/*
	 * RAM before the irqchip: once an in-kernel irqchip exists, every
	 * memslot change waits for an SRCU grace period (about 4-7 ms here),
	 * while this order makes both steps cost well under 0.2 ms.
	 */
	r = kvm_vm_set_slot(vm, 0, 0, 0, ram_size, ram);
	if (r < 0)
		goto out;
	/* Intel needs these for real mode; harmless elsewhere, so failure is ignored. */
	(void)ioctl(vm->fd, KVM_SET_TSS_ADDR, 0xfffbd000UL);
	/*
	 * The LAPICs in the kernel, the PIC and IOAPIC nowhere (a PVH guest has
	 * neither): with a split irqchip, KVM_INTERRUPT gives Xen's callback
	 * vector to a vCPU as an ExtINT through LINT0, with no IRR/ISR bit and
	 * so no EOI, whether or not the guest enabled its LAPIC (vcpu.c).  A
	 * KVM without it gets the whole irqchip, and the vector goes as an MSI.
	 */
	vm->split_irqchip = xioctl(vm->fd, KVM_ENABLE_CAP,
	                           &(struct kvm_enable_cap){.cap = KVM_CAP_SPLIT_IRQCHIP,
	                                                    .args = {SPLIT_IRQCHIP_ROUTES}}) == 0;
	r = vm->split_irqchip ? 0 : xioctl(vm->fd, KVM_CREATE_IRQCHIP, NULL);
	if (r < 0)
		goto out;
	r = enable_user_msrs(vm->fd);
	if (r < 0)
		goto out;
	vm->xen_hcall = k->xen_hcall && enable_xen_hcall(vm->fd) == 0;
	return 0;
out:
	kvm_vm_destroy(vm);
	return r;
}

/*
 * The last close of a VM fd tears the VM down and waits for an RCU grace
 * period (6-10 ms here).  It stays synchronous: done on a detached thread it
 * can still be running at process exit, where LeakSanitizer's stop-the-world
 * deadlocked against KVM's teardown of its worker task.
 */
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
	if (vm->boot_vcpu.fd < 0 && kvm_vcpu_create(k, vm, 0, &vm->boot_vcpu) < 0)
		vm->boot_vcpu.fd = -1;
	if (populate > vm->ram_size)
		populate = vm->ram_size;
	(void)madvise(vm->ram, populate, MADV_POPULATE_WRITE);
	/* and the last two frames, the xenstore and console pages the loader clears */
	if (vm->ram_size >= populate + 2 * 4096)
		(void)madvise(vm->ram + vm->ram_size - 2 * 4096, 2 * 4096, MADV_POPULATE_WRITE);
}

bool kvm_vm_take_boot_vcpu(struct kvm_vm *vm, struct kvm_vcpu *c)
{
	if (vm->boot_vcpu.fd < 0)
		return false;
	*c = vm->boot_vcpu;
	vm->boot_vcpu.fd = -1;
	vm->boot_vcpu.run = NULL;
	return true;
}

int kvm_vm_set_slot(struct kvm_vm *vm, uint32_t slot, uint32_t flags, uint64_t gpa, uint64_t size,
                    void *host)
{
	struct kvm_userspace_memory_region region = {
	    .slot = slot,
	    .flags = flags,
	    .guest_phys_addr = gpa,
	    .memory_size = size,
	    .userspace_addr = (uintptr_t)host,
	};

	return xioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region);
}

int kvm_vm_signal_msi(struct kvm_vm *vm, uint32_t apic_id, uint8_t vector)
{
	/* Fixed delivery, physical destination mode, edge triggered. */
	struct kvm_msi msi = {
	    .address_lo = 0xfee00000u | ((apic_id & 0xff) << 12),
	    .address_hi = 0,
	    .data = vector,
	};
	int r = xioctl(vm->fd, KVM_SIGNAL_MSI, &msi);

	if (r == -EPERM) /* no LAPIC matched the destination */
		return 0;
	return r < 0 ? r : r > 0;
}

/* LINT0 as the PC's "virtual wire": unmasked, ExtINT (KVM does this for vCPU 0 only). */
static int lint0_extint(int vcpu_fd)
{
	struct kvm_lapic_state s;
	uint32_t lvt0 = LAPIC_LVT_EXTINT;
	int r = xioctl(vcpu_fd, KVM_GET_LAPIC, &s);

	if (r < 0)
		return r;
	memcpy(&s.regs[LAPIC_LVT0], &lvt0, sizeof(lvt0));
	return xioctl(vcpu_fd, KVM_SET_LAPIC, &s);
}

int kvm_vcpu_create(struct kvm_host *k, struct kvm_vm *vm, unsigned int id, struct kvm_vcpu *c)
{
	void *run;
	int r;

	c->run = NULL;
	c->run_size = k->run_size;
	r = xioctl(vm->fd, KVM_CREATE_VCPU, (void *)(uintptr_t)id);
	if (r < 0)
		return r;
	c->fd = r;
	r = vm->split_irqchip ? lint0_extint(c->fd) : 0;
	run = r < 0 ? MAP_FAILED
	            : mmap(NULL, (size_t)k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (run == MAP_FAILED) {
		r = r < 0 ? r : -errno;
		close(c->fd);
		c->fd = -1;
		return r;
	}
	c->run = run;
	c->run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
	return 0;
}

int kvm_vcpu_run(struct kvm_vcpu *c)
{
	return ioctl(c->fd, KVM_RUN, 0) < 0 ? -errno : 0;
}

void kvm_vcpu_destroy(struct kvm_vcpu *c)
{
	if (c->run)
		munmap(c->run, (size_t)c->run_size);
	if (c->fd >= 0)
		close(c->fd);
	c->run = NULL;
	c->fd = -1;
}

int kvm_vcpu_set_cpuid(struct kvm_vcpu *c, const struct kvm_cpuid2 *cpuid)
{
	return xioctl(c->fd, KVM_SET_CPUID2, (void *)cpuid);
}

int kvm_vcpu_interrupt(struct kvm_vcpu *c, uint8_t vector)
{
	struct kvm_interrupt irq = {.irq = vector};
	int r = xioctl(c->fd, KVM_INTERRUPT, &irq);

	return r == -EEXIST ? 0 : r; /* one is still waiting for the guest: it covers this one */
}

int kvm_vcpu_inject_exception(struct kvm_vcpu *c, uint8_t vector, uint32_t error_code)
{
	struct kvm_vcpu_events ev;
	int r = xioctl(c->fd, KVM_GET_VCPU_EVENTS, &ev);

	if (r < 0)
		return r;
	if (ev.exception.injected || ev.exception.pending)
		return -EBUSY;
	ev.exception.injected = 1;
	ev.exception.nr = vector;
	ev.exception.has_error_code = 1;
	ev.exception.error_code = error_code;
	ev.flags = 0;
	return xioctl(c->fd, KVM_SET_VCPU_EVENTS, &ev);
}

int kvm_vcpu_tsc_info(struct kvm_vcpu *c, uint32_t *khz, int64_t *offset)
{
	/* struct kvm_msrs with room for one entry, without a GNU flexible-member struct. */
	uint64_t buf[(sizeof(struct kvm_msrs) + sizeof(struct kvm_msr_entry)) / 8 + 1];
	struct kvm_msrs *msrs = (struct kvm_msrs *)buf;
	uint64_t before, after;
	int r;

	memset(buf, 0, sizeof(buf));
	msrs->nmsrs = 1;
	msrs->entries[0].index = 0x10; /* IA32_TSC */
	r = xioctl(c->fd, KVM_GET_TSC_KHZ, NULL);
	if (r <= 0)
		return r < 0 ? r : -ENOTSUP;
	*khz = (uint32_t)r;
	before = __rdtsc();
	r = xioctl(c->fd, KVM_GET_MSRS, msrs);
	after = __rdtsc();
	if (r != 1)
		return r < 0 ? r : -EIO;
	*offset = (int64_t)(msrs->entries[0].data - (before + (after - before) / 2));
	return 0;
}

/* struct kvm_msrs with room for KVM_STATE_MSRS_MAX entries (no GNU flexible-member struct). */
union state_msrs_buf {
	struct kvm_msrs h;
	uint8_t b[sizeof(struct kvm_msrs) + KVM_STATE_MSRS_MAX * sizeof(struct kvm_msr_entry)];
};

/* struct kvm_xsave's legacy 4096 bytes (KVM_GET_XSAVE), without its flexible member. */
union xsave_buf {
	struct kvm_xsave h;
	uint8_t b[4096];
};
_Static_assert(sizeof(((struct kvm_xsave *)0)->region) == 4096, "the legacy XSAVE area");

int kvm_vcpu_get_state(const struct kvm_host *k, struct kvm_vcpu *c, struct kvm_vcpu_state *s)
{
	union state_msrs_buf m;
	union xsave_buf x;
	unsigned int i;
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = xioctl(c->fd, KVM_GET_REGS, &s->regs)) < 0 ||
	    (r = xioctl(c->fd, KVM_GET_SREGS, &s->sregs)) < 0 ||
	    (r = xioctl(c->fd, KVM_GET_LAPIC, &s->lapic)) < 0 ||
	    (r = xioctl(c->fd, KVM_GET_MP_STATE, &s->mp)) < 0 ||
	    (r = xioctl(c->fd, KVM_GET_VCPU_EVENTS, &s->events)) < 0)
		return r;
	s->events.flags &= KVM_STATE_EVENTS_FLAGS;
	if (xioctl(c->fd, KVM_GET_XSAVE, &x.h) == 0 && xioctl(c->fd, KVM_GET_XCRS, &s->xcrs) == 0) {
		memcpy(s->xsave, x.h.region, sizeof(s->xsave));
		s->flags |= KVM_STATE_XSAVE;
	} else {
		memset(&s->xcrs, 0, sizeof(s->xcrs));
		r = xioctl(c->fd, KVM_GET_FPU, &s->fpu);
		if (r < 0)
			return r;
	}
	memset(&m, 0, sizeof(m));
	m.h.nmsrs = k->nr_state_msrs;
	for (i = 0; i < k->nr_state_msrs; i++)
		m.h.entries[i].index = k->state_msrs[i];
	r = xioctl(c->fd, KVM_GET_MSRS, &m.h); /* how many it read, in order */
	if (r < 0)
		return r;
	if ((unsigned int)r != k->nr_state_msrs)
		return -EIO;
	s->nr_msrs = k->nr_state_msrs;
	memcpy(s->msrs, m.h.entries, s->nr_msrs * sizeof(s->msrs[0]));
	return 0;
}

/*
 * In the order QEMU restores a vCPU: registers, FPU/XSAVE and XCRs, segment
 * and control registers (EFER, APIC base) before the MSRs, then the run
 * state, the LAPIC and pending events.
 */
int kvm_vcpu_set_state(struct kvm_vcpu *c, const struct kvm_vcpu_state *s)
{
	union state_msrs_buf m;
	union xsave_buf x;
	int r;

	if (s->nr_msrs > KVM_STATE_MSRS_MAX)
		return -EINVAL;
	if ((r = xioctl(c->fd, KVM_SET_REGS, (void *)&s->regs)) < 0)
		return r;
	if (s->flags & KVM_STATE_XSAVE) {
		memset(&x, 0, sizeof(x));
		memcpy(x.h.region, s->xsave, sizeof(s->xsave));
		if ((r = xioctl(c->fd, KVM_SET_XSAVE, &x.h)) < 0 ||
		    (r = xioctl(c->fd, KVM_SET_XCRS, (void *)&s->xcrs)) < 0)
			return r;
	} else if ((r = xioctl(c->fd, KVM_SET_FPU, (void *)&s->fpu)) < 0) {
		return r;
	}
	if ((r = xioctl(c->fd, KVM_SET_SREGS, (void *)&s->sregs)) < 0)
		return r;
	memset(&m, 0, sizeof(m));
	m.h.nmsrs = s->nr_msrs;
	memcpy(m.h.entries, s->msrs, s->nr_msrs * sizeof(s->msrs[0]));
	r = xioctl(c->fd, KVM_SET_MSRS, &m.h); /* how many it wrote */
	if (r < 0)
		return r;
	if ((uint32_t)r != s->nr_msrs)
		return -EINVAL;
	if ((r = xioctl(c->fd, KVM_SET_MP_STATE, (void *)&s->mp)) < 0 ||
	    (r = xioctl(c->fd, KVM_SET_LAPIC, (void *)&s->lapic)) < 0 ||
	    (r = xioctl(c->fd, KVM_SET_VCPU_EVENTS, (void *)&s->events)) < 0)
		return r;
	c->run->kvm_dirty_regs = 0; /* KVM holds them now: the synced copy is stale */
	return 0;
}

int kvm_vm_get_clock(struct kvm_vm *vm, uint64_t *ns)
{
	struct kvm_clock_data data;
	int r;

	memset(&data, 0, sizeof(data));
	r = xioctl(vm->fd, KVM_GET_CLOCK, &data);
	if (r < 0)
		return r;
	*ns = data.clock;
	return 0;
}

int kvm_vm_set_clock(struct kvm_vm *vm, uint64_t ns)
{
	struct kvm_clock_data data;

	memset(&data, 0, sizeof(data));
	data.clock = ns;
	return xioctl(vm->fd, KVM_SET_CLOCK, &data);
}
