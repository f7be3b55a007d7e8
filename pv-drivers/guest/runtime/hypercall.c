/*
 * hypercall.c: find the hypervisor through CPUID, install the hypercall
 * page, and call through it; read the HVM params that name a PV device.
 *
 * A hypercall is a call to hypercall_page + nr * 32 with the arguments in
 * rdi, rsi, rdx, r10, r8; the result comes back in rax (negative Xen errno on
 * failure).  Argument registers may be clobbered by the hypervisor.
 */
#include "shoji-guest.h"
#include "guest-internal.h"

#include <shoji/event_channel.h>
#include <shoji/hvm.h>
#include <shoji/xen.h>

#define XEN_CPUID_LAST_BASE 0x4000ff00u

/* Filled by the hypervisor when we write its address to the hypercall MSR. */
uint8_t hypercall_page[XEN_HYPERCALL_PAGE_NR * XEN_HYPERCALL_STUB_SIZE]
    __attribute__((aligned(4096)));

static struct xen_info xen_info;

static void cpuid(uint32_t leaf, uint32_t sub, uint32_t r[4])
{
	__asm__ volatile("cpuid"
	                 : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3])
	                 : "a"(leaf), "c"(sub));
}

static void wrmsr(uint32_t msr, uint64_t v)
{
	__asm__ volatile("wrmsr"
	                 :
	                 : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32))
	                 : "memory");
}

int hypercall_init(void)
{
	uint32_t r[4];

	for (uint32_t base = XEN_CPUID_FIRST_LEAF; base <= XEN_CPUID_LAST_BASE; base += 0x100) {
		cpuid(base, 0, r);
		/* "XenVMMXenVMM" in EBX, ECX, EDX; at least leaves base..base+2. */
		if (r[1] == XEN_CPUID_SIGNATURE_EBX && r[2] == XEN_CPUID_SIGNATURE_ECX &&
		    r[3] == XEN_CPUID_SIGNATURE_EDX && r[0] >= base + 2) {
			xen_info.cpuid_base = base;
			xen_info.max_leaf = r[0];
			break;
		}
	}
	if (xen_info.cpuid_base == 0)
		return -1;

	cpuid(xen_info.cpuid_base + 1, 0, r);
	xen_info.version = r[0];

	cpuid(xen_info.cpuid_base + 2, 0, r);
	if (r[0] < 1)
		return -1;
	xen_info.hypercall_msr = r[1];
	wrmsr(xen_info.hypercall_msr, (uint64_t)(uintptr_t)hypercall_page);

	if (xen_info.max_leaf >= xen_info.cpuid_base + 4) {
		cpuid(xen_info.cpuid_base + 4, 0, r);
		xen_info.hvm_features = r[0];
		if (r[0] & XEN_HVM_CPUID_DOMID_PRESENT) {
			xen_info.have_domid = true;
			xen_info.domid = (uint16_t)r[2];
		}
	}
	xen_info.ready = true;
	return 0;
}

const struct xen_info *xen_get_info(void)
{
	return &xen_info;
}

long hypercall_raw(unsigned int nr, unsigned long a1, unsigned long a2, unsigned long a3,
                   unsigned long a4, unsigned long a5)
{
	register unsigned long r10 __asm__("r10") = a4;
	register unsigned long r8 __asm__("r8") = a5;
	void *stub = hypercall_page + (size_t)nr * XEN_HYPERCALL_STUB_SIZE;
	long ret;

	if (nr >= XEN_HYPERCALL_PAGE_NR)
		return -XEN_ENOSYS; /* the page has no stub for it */

	__asm__ volatile("call *%[stub]"
	                 : "=a"(ret), "+D"(a1), "+S"(a2), "+d"(a3), "+r"(r10), "+r"(r8)
	                 : [stub] "r"(stub)
	                 : "memory", "rcx", "r11");
	return ret;
}

long hyp_memory_op(unsigned int cmd, void *arg)
{
	return hypercall_raw(__HYPERVISOR_memory_op, cmd, (unsigned long)arg, 0, 0, 0);
}

long hyp_xen_version(int cmd, void *arg)
{
	return hypercall_raw(__HYPERVISOR_xen_version, (unsigned long)cmd, (unsigned long)arg, 0, 0,
	                     0);
}

long hyp_console_io(int cmd, unsigned int count, const void *buf)
{
	return hypercall_raw(__HYPERVISOR_console_io, (unsigned long)cmd, count, (unsigned long)buf,
	                     0, 0);
}

long hyp_grant_table_op(unsigned int cmd, void *uop, unsigned int count)
{
	return hypercall_raw(__HYPERVISOR_grant_table_op, cmd, (unsigned long)uop, count, 0, 0);
}

long hyp_vcpu_op(int cmd, unsigned int vcpu, void *arg)
{
	return hypercall_raw(__HYPERVISOR_vcpu_op, (unsigned long)cmd, vcpu, (unsigned long)arg, 0,
	                     0);
}

long hyp_sched_op(int cmd, void *arg)
{
	return hypercall_raw(__HYPERVISOR_sched_op, (unsigned long)cmd, (unsigned long)arg, 0, 0,
	                     0);
}

long hyp_event_channel_op(int cmd, void *arg)
{
	return hypercall_raw(__HYPERVISOR_event_channel_op, (unsigned long)cmd, (unsigned long)arg,
	                     0, 0, 0);
}

long hyp_hvm_op(unsigned int cmd, void *arg)
{
	return hypercall_raw(__HYPERVISOR_hvm_op, cmd, (unsigned long)arg, 0, 0, 0);
}

static long get_param(uint32_t index, uint64_t *value)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = index};
	long rc = hyp_hvm_op(HVMOP_get_param, &p);

	*value = p.value;
	return rc;
}

long hvm_ring_params(uint32_t pfn_index, uint32_t port_index, void **page, evtchn_port_t *port)
{
	uint64_t pfn, evtchn;
	long rc = get_param(pfn_index, &pfn);

	if (rc == 0)
		rc = get_param(port_index, &evtchn);
	if (rc != 0)
		return rc;
	if (pfn == 0 || pfn >= (1ULL << 20) || evtchn == 0 || evtchn >= EVTCHN_2L_NR_CHANNELS)
		return -XEN_ENOENT;
	*page = (void *)(uintptr_t)(pfn << 12);
	*port = (evtchn_port_t)evtchn;
	return 0;
}
