/*
 * hvsim's KVM layer (see simkvm.h): every function of hypervisor/kvm.h and
 * kvm_vm_set_slot() of platform.h, with no /dev/kvm behind them.  What
 * needs a running vCPU (exceptions, registers) is refused; nothing here can
 * run guest code.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "platform.h"
#include "simkvm.h"

#define SIM_NR_MEMSLOTS 32764    /* KVM_CAP_NR_MEMSLOTS of the development hosts */
#define SIM_TSC_KHZ     1000000u /* a 1 GHz TSC: no guest reads it */

int kvm_host_open(struct kvm_host *k)
{
	memset(k, 0, sizeof(*k));
	k->fd = -1;
	/* No CPUID leaves of a host: cpuid_build() adds only the Xen ones. */
	k->supported = calloc(1, sizeof(*k->supported));
	if (!k->supported)
		return -ENOMEM;
	k->run_size = (int)sizeof(struct kvm_run);
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

	return write(vm->fd, &one, sizeof(one)) == (ssize_t)sizeof(one) ? 0 : -errno;
}

int simkvm_irq_fd(const struct kvm_vm *vm)
{
	return vm->fd;
}

int kvm_vcpu_create(struct kvm_host *k, struct kvm_vm *vm, unsigned int id, struct kvm_vcpu *c)
{
	c->fd = -1;
	c->run_size = k->run_size;
	c->run = calloc(1, sizeof(*c->run));
	return c->run ? 0 : -ENOMEM;
}

void kvm_vcpu_destroy(struct kvm_vcpu *c)
{
	free(c->run);
	c->run = NULL;
	c->fd = -1;
}

int kvm_vcpu_set_cpuid(struct kvm_vcpu *c, const struct kvm_cpuid2 *cpuid)
{
	return 0;
}

int kvm_vcpu_inject_exception(struct kvm_vcpu *c, uint8_t vector, uint32_t error_code)
{
	return -ENOTSUP;
}

int kvm_vcpu_tsc_info(struct kvm_vcpu *c, uint32_t *khz, int64_t *offset)
{
	*khz = SIM_TSC_KHZ;
	*offset = 0;
	return 0;
}
