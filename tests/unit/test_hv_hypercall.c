/* Unit tests of shoji-hv's hypercall handlers against a fake domain (no KVM). */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>
#include <shoji/hvm.h>
#include <shoji/memory.h>
#include <shoji/sched.h>
#include <shoji/vcpu.h>
#include <shoji/version.h>

#include "console.h"
#include "cpuid.h"
#include "hvtime.h"
#include "hypercall.h"
#include "test_hv_platform.h"
#include "check-run.h"

#define MEM  (4u << 20)
#define ARG  0x10000u /* scratch GPA for hypercall arguments */
#define ARG2 0x20000u
#define BAD  (MEM + 0x1000u)

static struct domain *d;
static struct vcpu *v;

static void setup(void)
{
	memset(&fake_log, 0, sizeof(fake_log));
	d = fake_domain_new(MEM, 2);
	v = d->vcpus[0];
	fake_vcpu_paging(v, 1, 0, 0, 0); /* protected mode, paging off: GVA = GPA */
}

static void teardown(void)
{
	fake_domain_free(d);
}

static long call(unsigned int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t a[5] = {a0, a1, a2, 0, 0};

	return hypercall_dispatch(v, nr, a);
}

static void *gp(uint64_t gpa)
{
	return d->mem.base + gpa;
}

START_TEST(unknown_numbers)
{
	ck_assert_int_eq(call(0, 0, 0, 0), -XEN_ENOSYS);
	ck_assert_int_eq(call(__HYPERVISOR_event_channel_op, 0, 0, 0), -XEN_ENOSYS);
	ck_assert_int_eq(call(63, 0, 0, 0), -XEN_ENOSYS);
	ck_assert_int_eq(call(64, 0, 0, 0), -XEN_ENOSYS);
	ck_assert_int_eq(call(~0u, 0, 0, 0), -XEN_ENOSYS);
}
END_TEST

START_TEST(xen_version_ops)
{
	xen_extraversion_t ev;
	struct xen_feature_info fi = {.submap_idx = 0};
	size_t i;

	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_version, 0, 0),
	                 (HV_XEN_MAJOR << 16) | HV_XEN_MINOR);
	memset(gp(ARG), 0xee, 2048);
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_extraversion, ARG, 0), 0);
	memcpy(ev, gp(ARG), sizeof(ev));
	ck_assert_str_eq(ev, ".0-shoji");
	for (i = strlen(ev); i < sizeof(ev); i++)
		ck_assert_int_eq(ev[i], 0); /* NUL-terminated, nothing after */
	ck_assert_uint_eq(*(uint8_t *)gp(ARG + sizeof(ev)), 0xee); /* no overrun */
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_capabilities, ARG, 0), 0);
	ck_assert_ptr_nonnull(strstr(gp(ARG), "hvm-3.0-x86_64"));
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_pagesize, 0, 0), 4096);
	memcpy(gp(ARG), &fi, sizeof(fi));
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_get_features, ARG, 0), 0);
	memcpy(&fi, gp(ARG), sizeof(fi));
	ck_assert(fi.submap & (1u << XENFEAT_hvm_callback_vector));
	fi.submap_idx = 1;
	memcpy(gp(ARG), &fi, sizeof(fi));
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_get_features, ARG, 0), -XEN_EINVAL);
	memset(d->uuid, 0x42, sizeof(d->uuid));
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_guest_handle, ARG, 0), 0);
	ck_assert_uint_eq(*(uint8_t *)gp(ARG + 15), 0x42);
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_compile_info, BAD, 0), -XEN_EFAULT);
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_changeset, MEM - 10, 0),
	                 -XEN_EFAULT);
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, 99, ARG, 0), -XEN_ENOSYS);
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_commandline, ARG, 0), -XEN_EPERM);
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, 0xffffffff00000000ULL, 0, 0),
	                 (HV_XEN_MAJOR << 16) | HV_XEN_MINOR); /* cmd is an int */
}
END_TEST

START_TEST(console_write_and_ring)
{
	char out[64];
	uint64_t pos = 0;

	memcpy(gp(ARG), "hello ring", 10);
	ck_assert_int_eq(call(__HYPERVISOR_console_io, CONSOLEIO_write, 10, ARG), 0);
	ck_assert_uint_eq(console_ring_read(&d->console, &pos, out, sizeof(out)), 10);
	ck_assert_int_eq(memcmp(out, "hello ring", 10), 0);
	ck_assert_uint_eq(pos, 10);
	ck_assert_int_eq(call(__HYPERVISOR_console_io, CONSOLEIO_write, 10, BAD), -XEN_EFAULT);
	ck_assert_int_eq(call(__HYPERVISOR_console_io, CONSOLEIO_write, 1u << 30, ARG),
	                 -XEN_EINVAL);
	ck_assert_int_eq(call(__HYPERVISOR_console_io, CONSOLEIO_read, 10, ARG), -XEN_EPERM);
	ck_assert_int_eq(call(__HYPERVISOR_console_io, 7, 10, ARG), -XEN_ENOSYS);
}
END_TEST

START_TEST(console_ring_wraps)
{
	static char big[CONSOLE_RING_SIZE + 100];
	char out[128];
	uint64_t pos = 0;
	size_t i;

	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	console_ring_put(&d->console, big, sizeof(big));
	ck_assert_uint_eq(d->console.prod, sizeof(big));
	/* A reader at 0 lost the first 100 bytes and resumes at the oldest kept. */
	ck_assert_uint_eq(console_ring_read(&d->console, &pos, out, 10), 10);
	ck_assert_uint_eq(pos, 110);
	ck_assert_int_eq(memcmp(out, big + 100, 10), 0);
	pos = sizeof(big) - 5;
	ck_assert_uint_eq(console_ring_read(&d->console, &pos, out, sizeof(out)), 5);
	ck_assert_int_eq(memcmp(out, big + sizeof(big) - 5, 5), 0);
	ck_assert_uint_eq(console_ring_read(&d->console, &pos, out, sizeof(out)), 0);
}
END_TEST

START_TEST(sched_shutdown_reasons)
{
	struct sched_shutdown s = {.reason = 6};

	memcpy(gp(ARG), &s, sizeof(s));
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, ARG, 0), -XEN_EINVAL);
	ck_assert(!d->is_shutdown);
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, BAD, 0), -XEN_EFAULT);
	s.reason = SHUTDOWN_crash;
	memcpy(gp(ARG), &s, sizeof(s));
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_shutdown_code, ARG, 0), 0);
	s.reason = SHUTDOWN_reboot;
	memcpy(gp(ARG), &s, sizeof(s));
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_shutdown, ARG, 0), 0);
	ck_assert(d->is_shutdown);
	ck_assert_uint_eq(d->shutdown_reason, SHUTDOWN_crash); /* the recorded code wins */
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_remote_shutdown, ARG, 0), -XEN_EPERM);
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, 42, ARG, 0), -XEN_ENOSYS);
}
END_TEST

START_TEST(sched_block_and_poll)
{
	struct sched_poll p;
	evtchn_port_t ports[2] = {3, 70};

	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_yield, 0, 0), 0);
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_block, 0, 0), 0);
	ck_assert_uint_eq(fake_log.blocks, 1);
	memset(&p, 0, sizeof(p));
	memcpy(gp(ARG2), ports, sizeof(ports));
	p.ports.p = (evtchn_port_t *)(uintptr_t)ARG2;
	p.nr_ports = 2;
	p.timeout = 5;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0), 0);
	p.nr_ports = 129;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0), -XEN_EINVAL);
	p.nr_ports = 2;
	p.ports.p = (evtchn_port_t *)(uintptr_t)BAD;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0), -XEN_EFAULT);
	ports[1] = 5000;
	memcpy(gp(ARG2), ports, sizeof(ports));
	p.ports.p = (evtchn_port_t *)(uintptr_t)ARG2;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0), -XEN_EINVAL);
}
END_TEST

START_TEST(vcpu_ops)
{
	struct vcpu_hvm_context ctx;
	struct vcpu_set_periodic_timer per = {.period_ns = 1000};
	struct vcpu_set_singleshot_timer ss = {.timeout_abs_ns = 0, .flags = VCPU_SSHOTTMR_future};
	struct vcpu_runstate_info ri;

	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 0, 0), 1);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 0);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 2, 0), -XEN_ENOENT);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0), -XEN_EINVAL); /* no context */
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_down, 0, 0), -XEN_EINVAL); /* last */

	memset(&ctx, 0, sizeof(ctx));
	ctx.mode = 7;
	memcpy(gp(ARG), &ctx, sizeof(ctx));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -XEN_EINVAL);
	ctx.mode = VCPU_HVM_MODE_32B;
	ctx.cpu_regs.x86_32.cr0 = 1;
	ctx.cpu_regs.x86_32.cs_ar = 0xc9b;
	ctx.cpu_regs.x86_32.cs_limit = ~0u;
	ctx.cpu_regs.x86_32.ds_ar = ctx.cpu_regs.x86_32.ss_ar = ctx.cpu_regs.x86_32.es_ar = 0xc93;
	ctx.cpu_regs.x86_32.eip = 0x100000;
	memcpy(gp(ARG), &ctx, sizeof(ctx));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), 0);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_initialise, 1, ARG), -XEN_EEXIST);
	ck_assert_uint_eq(d->vcpus[1]->start.regs.rip, 0x100000);
	ck_assert_uint_eq(d->vcpus[1]->start.sregs.cs.db, 1);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_up, 1, 0), 0);
	ck_assert_uint_eq(fake_log.starts, 1);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 1);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_down, 1, 0), 0);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_is_up, 1, 0), 0);

	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, ARG), 0);
	memcpy(&ri, gp(ARG), sizeof(ri));
	ck_assert_int_eq(ri.state, RUNSTATE_running);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, BAD), -XEN_EFAULT);

	memcpy(gp(ARG), &per, sizeof(per));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, ARG),
	                 -XEN_EINVAL);
	per.period_ns = 10000000;
	memcpy(gp(ARG), &per, sizeof(per));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, ARG), 0);
	ck_assert_uint_eq(v->period, 10000000);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_stop_periodic_timer, 0, 0), 0);
	ck_assert_uint_eq(v->period, 0);
	memcpy(gp(ARG), &ss, sizeof(ss));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG),
	                 -XEN_ETIME);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 1, ARG),
	                 -XEN_EINVAL); /* not the caller */
	ss.timeout_abs_ns = ~0ULL >> 2;
	memcpy(gp(ARG), &ss, sizeof(ss));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, ARG), 0);
	ck_assert_uint_eq(v->singleshot, ~0ULL >> 2);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_stop_singleshot_timer, 0, 0), 0);
	ck_assert_uint_eq(v->singleshot, 0);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, 99, 0, 0), -XEN_ENOSYS);
}
END_TEST

START_TEST(register_vcpu_info)
{
	struct vcpu_register_vcpu_info r = {.mfn = 0x30, .offset = 64};
	struct vcpu_info *vi;

	r.offset = 4090;
	memcpy(gp(ARG), &r, sizeof(r));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, ARG),
	                 -XEN_EINVAL);
	r.offset = 64;
	r.mfn = MEM >> 12;
	memcpy(gp(ARG), &r, sizeof(r));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, ARG),
	                 -XEN_EINVAL);
	r.mfn = 0x30;
	r.rsvd = 1;
	memcpy(gp(ARG), &r, sizeof(r));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, ARG),
	                 -XEN_EINVAL);
	r.rsvd = 0;
	memcpy(gp(ARG), &r, sizeof(r));
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, ARG), 0);
	vi = gp(0x30000 + 64);
	ck_assert_ptr_eq(vcpu_info_of(v), vi);
	ck_assert_uint_eq(vi->evtchn_upcall_pending, 1);
	ck_assert_uint_eq(vi->time.version % 2, 0);
	ck_assert_uint_ne(vi->time.version, 0);
	ck_assert_uint_eq(vi->time.tsc_to_system_mul, d->tsc_mul);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_register_vcpu_info, 0, ARG),
	                 -XEN_EINVAL); /* once only */
}
END_TEST

START_TEST(shared_info_inside_and_above_ram)
{
	struct xen_add_to_physmap x = {.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info};
	struct shared_info *si;

	memset(gp(0x40000), 0x77, 4096); /* the RAM page shared_info will overlay */
	x.gpfn = 0x40;
	memcpy(gp(ARG), &x, sizeof(x));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), 0);
	si = gp(0x40000);
	ck_assert_ptr_eq(d->shared_info, si);
	ck_assert_uint_eq(si->wc_version % 2, 0);
	ck_assert_uint_ne(si->wc_sec, 0);
	ck_assert_uint_ne(si->vcpu_info[0].time.version, 0);
	ck_assert_uint_eq(si->evtchn_pending[0], 0);
	si->evtchn_pending[1] = 0xabc; /* guest state that must move with the page */

	/* Move it above RAM: the RAM page gets its content back. */
	x.gpfn = (MEM >> 12) + 16;
	memcpy(gp(ARG), &x, sizeof(x));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), 0);
	ck_assert_uint_eq(*(uint8_t *)gp(0x40000), 0x77);
	ck_assert_uint_eq(*(uint8_t *)gp(0x40fff), 0x77);
	ck_assert_ptr_eq(d->shared_info, (void *)d->shinfo_extra);
	ck_assert_uint_eq(d->shared_info->evtchn_pending[1], 0xabc);
	ck_assert_uint_eq(fake_log.last_slot_gpa, (uint64_t)x.gpfn << 12);
	ck_assert_uint_eq(fake_log.last_slot_size, 4096);

	/* And back inside RAM elsewhere. */
	memset(gp(0x50000), 0x55, 4096);
	x.gpfn = 0x50;
	memcpy(gp(ARG), &x, sizeof(x));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), 0);
	ck_assert_ptr_eq(d->shared_info, gp(0x50000));
	ck_assert_uint_eq(d->shared_info->evtchn_pending[1], 0xabc);
	ck_assert_uint_eq(fake_log.last_slot_size, 0); /* the extra slot is gone */

	x.gpfn = 0xfee00; /* the LAPIC window */
	memcpy(gp(ARG), &x, sizeof(x));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), -XEN_EINVAL);
	x.gpfn = 0x50;
	x.idx = 1;
	memcpy(gp(ARG), &x, sizeof(x));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), -XEN_EINVAL);
	x.idx = 0;
	x.space = 99;
	memcpy(gp(ARG), &x, sizeof(x));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), -XEN_EINVAL);
	x.space = XENMAPSPACE_shared_info;
	x.domid = 0x1234;
	memcpy(gp(ARG), &x, sizeof(x));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), -XEN_ESRCH);
}
END_TEST

START_TEST(balloon_accounting)
{
	struct xen_memory_reservation r;
	xen_pfn_t gfns[3] = {0x100, 0x101, 0x100};
	domid_t self = DOMID_SELF;
	uint64_t pages = MEM >> 12;

	memcpy(gp(ARG2), &self, sizeof(self));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_current_reservation, ARG2, 0), pages);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_maximum_reservation, ARG2, 0), pages);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_maximum_ram_page, 0, 0), pages - 1);

	memset(&r, 0, sizeof(r));
	memcpy(gp(0x30000), gfns, sizeof(gfns));
	r.extent_start.p = (xen_pfn_t *)(uintptr_t)0x30000;
	r.nr_extents = 3;
	r.domid = DOMID_SELF;
	memset(gp(0x100000), 0x99, 8192);
	memcpy(gp(ARG), &r, sizeof(r));
	/* The third extent repeats a page already given back: stops after two. */
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, ARG, 0), 2);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_current_reservation, ARG2, 0),
	                 pages - 2);
	ck_assert_uint_eq(*(uint8_t *)gp(0x100000), 0); /* released memory reads as zero */
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_populate_physmap, ARG, 0), 3);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_current_reservation, ARG2, 0), pages);
	/* Full again: increase_reservation has no room. */
	r.nr_extents = 1;
	memcpy(gp(ARG), &r, sizeof(r));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_increase_reservation, ARG, 0), 0);
	r.extent_order = 10;
	memcpy(gp(ARG), &r, sizeof(r));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_populate_physmap, ARG, 0),
	                 -XEN_EINVAL);
	r.extent_order = 0;
	r.domid = 0x4321;
	memcpy(gp(ARG), &r, sizeof(r));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, ARG, 0),
	                 -XEN_ESRCH);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, BAD, 0),
	                 -XEN_EFAULT);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, 40, ARG, 0), -XEN_ENOSYS);
}
END_TEST

START_TEST(memory_map)
{
	struct xen_memory_map m = {.nr_entries = 4};
	struct e820entry e;

	m.buffer.p = (void *)(uintptr_t)ARG2;
	memcpy(gp(ARG), &m, sizeof(m));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_memory_map, ARG, 0), 0);
	memcpy(&m, gp(ARG), sizeof(m));
	ck_assert_uint_eq(m.nr_entries, 3);
	memcpy(&e, gp(ARG2), sizeof(e));
	ck_assert_uint_eq(e.addr, 0);
	ck_assert_uint_eq(e.size, MEM - 3 * 4096);
	ck_assert_uint_eq(e.type, E820_RAM);
	memcpy(&e, (char *)gp(ARG2) + sizeof(e), sizeof(e));
	ck_assert_uint_eq(e.addr, MEM - 3 * 4096); /* the ACPI tables */
	ck_assert_uint_eq(e.size, 4096);
	ck_assert_uint_eq(e.type, E820_ACPI);
	memcpy(&e, (char *)gp(ARG2) + 2 * sizeof(e), sizeof(e));
	ck_assert_uint_eq(e.addr, MEM - 2 * 4096);
	ck_assert_uint_eq(e.size, 2 * 4096);
	ck_assert_uint_eq(e.type, E820_RESERVED);
	m.buffer.p = (void *)(uintptr_t)BAD;
	memcpy(gp(ARG), &m, sizeof(m));
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_memory_map, ARG, 0), -XEN_EFAULT);
}
END_TEST

START_TEST(hvm_params_and_vectors)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ};
	struct xen_hvm_evtchn_upcall_vector u = {.vcpu = 1, .vector = 0xf3};

	p.value = HVM_PARAM_CALLBACK_VECTOR(0xf3);
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_param, ARG, 0), 0);
	ck_assert_uint_eq(d->callback_vector, 0xf3);
	p.value = 0;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), 0);
	memcpy(&p, gp(ARG), sizeof(p));
	ck_assert_uint_eq(p.value, HVM_PARAM_CALLBACK_VECTOR(0xf3));
	p.value = HVM_PARAM_CALLBACK_VECTOR(3);
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_param, ARG, 0), -XEN_EINVAL);
	/* A GSI (Linux's "1" after choosing per-vCPU vectors) is kept, not delivered. */
	p.value = 1;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_param, ARG, 0), 0);
	ck_assert_uint_eq(d->callback_vector, 0);
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), 0);
	memcpy(&p, gp(ARG), sizeof(p));
	ck_assert_uint_eq(p.value, 1);
	p.value = (uint64_t)HVM_PARAM_CALLBACK_TYPE_PCI_INTX << HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_param, ARG, 0), 0);
	p.value = (uint64_t)HVM_PARAM_CALLBACK_TYPE_PPI
	          << HVM_PARAM_CALLBACK_IRQ_TYPE_SHIFT; /* Arm's */
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_param, ARG, 0), -XEN_EOPNOTSUPP);
	p.index = HVM_PARAM_STORE_PFN;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_param, ARG, 0), -XEN_EPERM);
	ck_assert_int_eq(hvm_param_set(d, HVM_PARAM_STORE_PFN, 0xfeff), 0); /* the toolstack may */
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), 0);
	memcpy(&p, gp(ARG), sizeof(p));
	ck_assert_uint_eq(p.value, 0xfeff);
	p.index = HVM_NR_PARAMS;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), -XEN_EINVAL);
	p.index = 0;
	p.domid = 0x7000;
	memcpy(gp(ARG), &p, sizeof(p));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_get_param, ARG, 0), -XEN_ESRCH);

	memcpy(gp(ARG), &u, sizeof(u));
	fake_log.upcalls = 0;
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, ARG, 0), 0);
	ck_assert_uint_eq(d->vcpus[1]->upcall_vector, 0xf3);
	ck_assert_uint_eq(fake_log.upcalls, 1); /* raised at once, as on Xen */
	u.vector = 0xf;
	memcpy(gp(ARG), &u, sizeof(u));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, ARG, 0),
	                 -XEN_EINVAL);
	u.vcpu = 2; /* both wrong: the vector is checked first */
	memcpy(gp(ARG), &u, sizeof(u));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, ARG, 0),
	                 -XEN_EINVAL);
	ck_assert_uint_eq(fake_log.upcalls, 1);
	u.vector = 0x40;
	u.vcpu = 2;
	memcpy(gp(ARG), &u, sizeof(u));
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, HVMOP_set_evtchn_upcall_vector, ARG, 0),
	                 -XEN_ENOENT);
	ck_assert_int_eq(call(__HYPERVISOR_hvm_op, 77, ARG, 0), -XEN_ENOSYS);
}
END_TEST

START_TEST(hypercall_page_stubs)
{
	uint8_t page[4096];

	hypercall_page_fill(page);
	/* mov $17,%eax ; out %eax,$port ; ret */
	ck_assert_uint_eq(page[17 * 32 + 0], 0xb8);
	ck_assert_uint_eq(page[17 * 32 + 1], 17);
	ck_assert_uint_eq(page[17 * 32 + 5], 0xe7);
	ck_assert_uint_eq(page[17 * 32 + 7], 0xc3);
	ck_assert_uint_eq(page[17 * 32 + 8], 0xcc);
}
END_TEST

START_TEST(cpuid_hide_lists)
{
	uint64_t m = 0;
	const char *bad;

	ck_assert_int_eq(cpuid_parse_hide(CPUID_HIDE_DEFAULT, &m, &bad), 0);
	ck_assert_uint_ne(m, 0);
	ck_assert_int_eq(cpuid_parse_hide("none", &m, &bad), 0);
	ck_assert_uint_eq(m, 0);
	ck_assert_int_eq(cpuid_parse_hide("avx,bogus", &m, &bad), -22);
	ck_assert_str_eq(bad, "bogus");
}
END_TEST

/* The entry for @fn in @c, or NULL. */
static const struct kvm_cpuid_entry2 *leaf(const struct kvm_cpuid2 *c, uint32_t fn)
{
	uint32_t i;

	for (i = 0; i < c->nent; i++)
		if (c->entries[i].function == fn)
			return &c->entries[i];
	return NULL;
}

START_TEST(cpuid_table)
{
	struct kvm_cpuid2 *sup = calloc(1, sizeof(*sup) + 8 * sizeof(sup->entries[0]));
	const struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 *c;
	uint64_t mask;
	const char *bad;

	sup->nent = 4;
	sup->entries[0] = (struct kvm_cpuid_entry2){.function = 1, .ecx = ~0u, .ebx = 0x00ffffff};
	sup->entries[1] = (struct kvm_cpuid_entry2){.function = 7, .ebx = ~0u};
	sup->entries[2] = (struct kvm_cpuid_entry2){.function = 0xd, .eax = 7};
	sup->entries[3] = (struct kvm_cpuid_entry2){.function = 0x40000000, .ebx = 0x4b4d564b};
	ck_assert_int_eq(cpuid_parse_hide(CPUID_HIDE_DEFAULT, &mask, &bad), 0);
	c = cpuid_build(sup, mask, 7, 3);
	ck_assert_ptr_nonnull(c);
	e = leaf(c, 1);
	ck_assert_uint_eq(e->ecx & (1u << 26), 0);         /* xsave */
	ck_assert_uint_eq(e->ecx & (1u << 28), 0);         /* avx */
	ck_assert_uint_eq(e->ecx & (1u << 13), 0);         /* cmpxchg16b */
	ck_assert_uint_ne(e->ecx & (1u << 20), 0);         /* sse4_2 stays */
	ck_assert_uint_eq(e->ebx >> 24, 3);                /* APIC id = vCPU id */
	ck_assert_uint_eq(leaf(c, 7)->ebx & (1u << 5), 0); /* avx2 */
	ck_assert_ptr_null(leaf(c, 0xd));                  /* XSAVE leaf gone with xsave */
	e = leaf(c, 0x40000000);
	ck_assert_uint_eq(e->ebx, 0x566e6558); /* "XenV", not KVM's signature */
	ck_assert_uint_ge(e->eax, 0x40000004);
	ck_assert_uint_eq(leaf(c, 0x40000001)->eax, (4u << 16) | 17);
	ck_assert_uint_eq(leaf(c, 0x40000002)->eax, 1);
	ck_assert_uint_eq(leaf(c, 0x40000002)->ebx, 0x40000000);
	e = leaf(c, 0x40000004);
	ck_assert_uint_eq(e->eax & ((1u << 3) | (1u << 4)), (1u << 3) | (1u << 4));
	ck_assert_uint_ne(e->eax & (1u << 6), 0); /* UPCALL_VECTOR: Linux takes per-vCPU vectors */
	ck_assert_uint_eq(e->ebx, 3);
	ck_assert_uint_eq(e->ecx, 7);
	free(c);
	c = cpuid_build(sup, 0, 7, 0);
	ck_assert_uint_ne(leaf(c, 1)->ecx & (1u << 26), 0); /* "none" hides nothing */
	ck_assert_ptr_nonnull(leaf(c, 0xd));
	free(c);
	free(sup);
}
END_TEST

START_TEST(pvclock_scale)
{
	static const uint64_t hz[] = {1000000000ULL, 2400000000ULL, 3700123000ULL, 100000000ULL};
	unsigned int i;

	for (i = 0; i < sizeof(hz) / sizeof(hz[0]); i++) {
		uint32_t mul;
		int8_t shift;
		uint64_t t = hz[i]; /* one second of ticks */
		uint64_t ns;

		time_scale(hz[i], &mul, &shift);
		ck_assert_uint_ge(mul, 1u << 31);
		t = shift < 0 ? t >> -shift : t << shift;
		ns = (uint64_t)(((unsigned __int128)t * mul) >> 32);
		ck_assert_msg(ns > 999999000ULL && ns < 1000001000ULL, "%llu Hz -> %llu ns",
		              (unsigned long long)hz[i], (unsigned long long)ns);
	}
}
END_TEST

/*
 * The preemption bounds of hypercall.h, item by item: none before
 * HYPERCALL_ITEMS_MIN, then at HYPERCALL_ITEMS_MAX or once the time slice
 * is spent; a kicked vCPU stops after any item.  Continuations keep what
 * the handler asked for, and the next call starts afresh.
 */
START_TEST(preemption_bounds)
{
	const uint64_t next[5] = {1, 2, 3, 4, 5};
	uint64_t got[5];
	uint32_t i;

	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_pagesize, 0, 0), 4096);
	ck_assert(!hypercall_continued(v, got));
	v->hcall.start_ns = UINT64_MAX / 2; /* the slice never ends: items alone count */
	for (i = 1; i < HYPERCALL_ITEMS_MAX; i++)
		ck_assert_msg(!hypercall_preempt_check(v), "preempted after %u items", i);
	ck_assert(hypercall_preempt_check(v)); /* item HYPERCALL_ITEMS_MAX */

	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_pagesize, 0, 0), 4096);
	v->hcall.start_ns = 0; /* a slice spent on slow items */
	for (i = 1; i < HYPERCALL_ITEMS_MIN; i++)
		ck_assert(!hypercall_preempt_check(v));
	ck_assert(hypercall_preempt_check(v));

	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_pagesize, 0, 0), 4096);
	v->hcall.start_ns = UINT64_MAX / 2;
	v->kicked = true; /* paused, shut down or destroyed meanwhile */
	ck_assert(hypercall_preempt_check(v));
	v->kicked = false;

	ck_assert_int_eq(hypercall_create_continuation(v, next), 0);
	ck_assert(hypercall_continued(v, got));
	ck_assert_int_eq(memcmp(got, next, sizeof(got)), 0);
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_pagesize, 0, 0), 4096);
	ck_assert(!hypercall_continued(v, got));
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "hv_hypercall", .name = "dispatch", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, unknown_numbers, xen_version_ops, console_write_and_ring,
	                  console_ring_wraps, sched_shutdown_reasons, sched_block_and_poll,
	                  vcpu_ops, register_vcpu_info, shared_info_inside_and_above_ram,
	                  balloon_accounting, memory_map, hvm_params_and_vectors,
	                  hypercall_page_stubs, cpuid_hide_lists, cpuid_table, pvclock_scale,
	                  preemption_bounds);
}
