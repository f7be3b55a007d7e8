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

#define MAX_CPUID_ENTRIES 256

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
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
	r = xioctl(vm->fd, KVM_CREATE_IRQCHIP, NULL);
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

	return r < 0 ? r : 0;
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
	run = mmap(NULL, (size_t)k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (run == MAP_FAILED) {
		r = -errno;
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
