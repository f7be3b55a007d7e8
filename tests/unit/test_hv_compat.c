/*
 * The 32-bit hypercall ABI on the fake platform: a caller in 32-bit code
 * (v->compat) passes structures in their 32-bit layouts.  Each test lays
 * the structure out by hand at the offsets of Xen's i386 ABI (which
 * tests/headers/xen-compat.sh checks compat-layout.h against), puts a
 * canary right after it, and checks that shoji-hv read and wrote exactly
 * those bytes: the native layout would read the wrong fields or run past
 * the structure.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <shoji/errno.h>
#include <shoji/grant_table.h>
#include <shoji/memory.h>
#include <shoji/sched.h>
#include <shoji/vcpu.h>
#include <shoji/version.h>

#include "evtglue.h"
#include "hypercall.h"
#include "test_hv_platform.h"
#include "check-run.h"

#define MEM    (4u << 20)
#define ARG    0x10000u
#define ARG2   0x20000u
#define CANARY 0xa5

static struct domain *d;
static struct vcpu *v;

static void setup(void)
{
	d = fake_domain_new(MEM, 1);
	v = d->vcpus[0];
	fake_vcpu_paging(v, 1, 0, 0, 0); /* protected mode, paging off */
	v->compat = true;
	d->hv->kvm.nr_memslots = 64; /* room for grant frames */
	ck_assert_int_eq(evtglue_hv_init(d->hv), 0);
	ck_assert_int_eq(evtglue_domain_create(d, 0), 0);
}

static void teardown(void)
{
	evtglue_domain_destroy(d);
	evtglue_hv_fini(d->hv);
	fake_domain_free(d);
}

static uint8_t *gp(uint64_t gpa)
{
	return d->mem.base + gpa;
}

static void put32(uint64_t gpa, uint32_t x)
{
	memcpy(gp(gpa), &x, 4);
}

static void put16(uint64_t gpa, uint16_t x)
{
	memcpy(gp(gpa), &x, 2);
}

static uint32_t get32(uint64_t gpa)
{
	uint32_t x;

	memcpy(&x, gp(gpa), 4);
	return x;
}

static long call(unsigned int nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t a[5] = {a0, a1, a2, 0, 0};

	return hypercall_dispatch(v, nr, a);
}

START_TEST(memory_map_32)
{
	struct e820entry e;

	memset(gp(ARG), CANARY, 64);
	put32(ARG + 0, 8);    /* nr_entries */
	put32(ARG + 4, ARG2); /* buffer: a 4-byte handle */
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_memory_map, ARG, 0), 0);
	ck_assert_uint_eq(get32(ARG), 3);        /* nr_entries written back */
	ck_assert_uint_eq(get32(ARG + 4), ARG2); /* the handle left alone */
	ck_assert_uint_eq(*gp(ARG + 8), CANARY); /* 8 bytes, not the native 16 */
	memcpy(&e, gp(ARG2), sizeof(e));
	ck_assert_uint_eq(e.addr, 0);
	ck_assert_uint_eq(e.type, E820_RAM);

	v->compat = false; /* the same bytes as a 64-bit caller's: the handle is garbage */
	put32(ARG + 0, 8);
	memset(gp(ARG + 4), 0xff, 12);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_memory_map, ARG, 0), -XEN_EFAULT);
}
END_TEST

START_TEST(add_to_physmap_32)
{
	memset(gp(ARG), CANARY, 64);
	put16(ARG + 0, DOMID_SELF);
	put16(ARG + 2, 0);
	put32(ARG + 4, XENMAPSPACE_shared_info);
	put32(ARG + 8, 0);     /* idx */
	put32(ARG + 12, 0x44); /* gpfn */
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), 0);
	ck_assert_ptr_eq(d->shared_info, (void *)gp(0x44000));
	ck_assert_uint_eq(*gp(ARG + 16), CANARY);

	put32(ARG + 8, 1); /* idx 1 of shared_info is refused: idx is read at offset 8 */
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), -XEN_EINVAL);
	put32(ARG + 8, 0);
	put16(ARG + 0, 0x1234); /* another domain: domid read at offset 0 */
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_add_to_physmap, ARG, 0), -XEN_ESRCH);
}
END_TEST

START_TEST(reservation_32)
{
	domid_t self = DOMID_SELF;

	memcpy(gp(ARG2), &self, sizeof(self));
	put32(0x30000, 0x100); /* the extent list: 4-byte xen_pfn_t */
	put32(0x30004, 0x102);
	memset(gp(0x100000), 0x99, 4096);
	memset(gp(0x101000), 0x99, 4096);
	memset(gp(0x102000), 0x99, 4096);
	put32(ARG + 0, 0x30000); /* extent_start */
	put32(ARG + 4, 2);       /* nr_extents */
	put32(ARG + 8, 0);       /* extent_order */
	put32(ARG + 12, 0);      /* mem_flags */
	put16(ARG + 16, DOMID_SELF);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_decrease_reservation, ARG, 0), 2);
	ck_assert_uint_eq(*gp(0x100000), 0);    /* given back */
	ck_assert_uint_eq(*gp(0x101000), 0x99); /* untouched: entries are 4 bytes apart */
	ck_assert_uint_eq(*gp(0x102000), 0);
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_current_reservation, ARG2, 0),
	                 (MEM >> 12) - 2);
	put32(ARG + 8, 10); /* extent_order at offset 8 */
	ck_assert_int_eq(call(__HYPERVISOR_memory_op, XENMEM_populate_physmap, ARG, 0),
	                 -XEN_EINVAL);
}
END_TEST

START_TEST(sched_poll_32)
{
	memset(gp(ARG), CANARY, 64);
	put32(ARG2, 5000);    /* an invalid port */
	put32(ARG + 0, ARG2); /* ports */
	put32(ARG + 4, 1);    /* nr_ports */
	put32(ARG + 8, 0);    /* timeout, low half ... */
	put32(ARG + 12, 0);   /* ... and high half */
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0), -XEN_EINVAL);
	put32(ARG2, 3); /* a valid port, never pending: the timeout (already past) ends the poll */
	put32(ARG + 8, 1);
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0), 0);
	put32(ARG + 4, 129); /* nr_ports at offset 4: over sched.c's limit of 128 */
	ck_assert_int_eq(call(__HYPERVISOR_sched_op, SCHEDOP_poll, ARG, 0), -XEN_EINVAL);
}
END_TEST

START_TEST(gnttab_setup_table_32)
{
	uint16_t status;

	ck_assert_int_eq(evtglue_map_grant_frame(d, 0, 0x80), 0);
	memset(gp(ARG), CANARY, 64);
	memset(gp(ARG2), CANARY, 64);
	put16(ARG + 0, DOMID_SELF);
	put16(ARG + 2, 0);
	put32(ARG + 4, 1);      /* nr_frames */
	put16(ARG + 8, 0x7777); /* status, OUT */
	put16(ARG + 10, 0);
	put32(ARG + 12, ARG2); /* frame_list: a 4-byte handle */
	ck_assert_int_eq(call(__HYPERVISOR_grant_table_op, GNTTABOP_setup_table, ARG, 1), 0);
	memcpy(&status, gp(ARG + 8), 2);
	ck_assert_int_eq((int16_t)status, GNTST_okay);
	ck_assert_uint_eq(get32(ARG2), 0x80);     /* the frame, as a 4-byte xen_pfn_t */
	ck_assert_uint_eq(*gp(ARG2 + 4), CANARY); /* and no more */
	ck_assert_uint_eq(get32(ARG + 12), ARG2); /* only status was written back */
	ck_assert_uint_eq(*gp(ARG + 16), CANARY);
}
END_TEST

START_TEST(gnttab_copy_32)
{
	unsigned int i;
	uint16_t status;

	memset(gp(ARG), CANARY, 128);
	for (i = 0; i < 2; i++) { /* two ops, 24 bytes apart */
		uint64_t op = ARG + i * 24;

		put32(op + 0, 0);      /* source.u.ref */
		put16(op + 4, 0x4321); /* source.domid: no such domain */
		put16(op + 6, 0);
		put32(op + 8, 0); /* dest.u.gmfn */
		put16(op + 12, DOMID_SELF);
		put16(op + 14, 0);
		put16(op + 16, 16); /* len */
		put16(op + 18, GNTCOPY_source_gref);
		put16(op + 20, 0x7777); /* status, OUT */
	}
	ck_assert_int_eq(call(__HYPERVISOR_grant_table_op, GNTTABOP_copy, ARG, 2), 0);
	for (i = 0; i < 2; i++) {
		memcpy(&status, gp(ARG + i * 24 + 20), 2);
		ck_assert_int_eq((int16_t)status, GNTST_bad_domain);
		ck_assert_uint_eq(get32(ARG + i * 24 + 8), 0);
	}
	ck_assert_uint_eq(*gp(ARG + 22), CANARY); /* padding of op 0 untouched */
	ck_assert_uint_eq(*gp(ARG + 48), CANARY); /* nothing past op 1 */
}
END_TEST

START_TEST(platform_parameters_32)
{
	memset(gp(ARG), CANARY, 16);
	ck_assert_int_eq(call(__HYPERVISOR_xen_version, XENVER_platform_parameters, ARG, 0), 0);
	ck_assert_uint_eq(get32(ARG), 0xf5800000u); /* Xen's 32-bit hypervisor hole */
	ck_assert_uint_eq(*gp(ARG + 4), CANARY);
}
END_TEST

START_TEST(singleshot_timer_32)
{
	uint64_t at = MEM - 12; /* the last 12 bytes of RAM: a native read would run past */
	uint64_t deadline = 5;

	memcpy(gp(at), &deadline, 8);
	put32(at + 8, 0);
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, at), 0);
	ck_assert_uint_eq(v->singleshot, 5);
	v->compat = false;
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_set_singleshot_timer, 0, at),
	                 -XEN_EFAULT);
}
END_TEST

START_TEST(runstate_info_32)
{
	uint64_t entry;

	memset(gp(ARG), CANARY, 64);
	v->runstate_entry = 0x1122334455667788ULL;
	ck_assert_int_eq(call(__HYPERVISOR_vcpu_op, VCPUOP_get_runstate_info, 0, ARG), 0);
	ck_assert_uint_eq(get32(ARG), RUNSTATE_running);
	memcpy(&entry, gp(ARG + 4), 8); /* state_entry_time right after state */
	ck_assert_uint_eq(entry, 0x1122334455667788ULL);
	ck_assert_uint_eq(*gp(ARG + 44), CANARY); /* 44 bytes, not the native 48 */
}
END_TEST

START_TEST(status_frames_32)
{
	uint16_t status;

	memset(gp(ARG), CANARY, 32);
	put32(ARG + 0, 0);          /* nr_frames */
	put16(ARG + 4, DOMID_SELF); /* dom */
	put16(ARG + 6, 0x7777);     /* status, OUT */
	put32(ARG + 8, ARG2);       /* frame_list */
	ck_assert_int_eq(call(__HYPERVISOR_grant_table_op, GNTTABOP_get_status_frames, ARG, 1), 0);
	memcpy(&status, gp(ARG + 6), 2);
	ck_assert_int_eq((int16_t)status, GNTST_okay);
	put32(ARG + 0, 1); /* a v1 table has no status frames */
	ck_assert_int_eq(call(__HYPERVISOR_grant_table_op, GNTTABOP_get_status_frames, ARG, 1), 0);
	memcpy(&status, gp(ARG + 6), 2);
	ck_assert_int_eq((int16_t)status, GNTST_general_error);
	ck_assert_uint_eq(get32(ARG + 8), ARG2);
	ck_assert_uint_eq(*gp(ARG + 12), CANARY);
}
END_TEST

/* Legacy paging walks, for 32-bit callers with paging on. */
START_TEST(walk_32bit_and_pae)
{
	uint64_t pd = 0x200000, pt = 0x201000, pdpt = 0x202000, pd_pae = 0x203000;
	uint64_t pt_pae = 0x204000;

	/* 32-bit: va 0x00401234 -> PDE 1 -> PT entry 1 -> frame 0x300000. */
	put32(pd + 1 * 4, (uint32_t)pt | 3);
	put32(pt + 1 * 4, 0x300000 | 3);
	/* and a 4 MiB page: va 0x00800000 -> PDE 2 (PS) -> 0x000000 + offset. */
	put32(pd + 2 * 4, 0x00000000 | 0x83);
	memcpy(gp(0x300234), "thirty-two", 10);
	memcpy(gp(0x001234), "four-meg", 8);
	fake_vcpu_paging(v, 0x80000001, pd, 1u << 4 /* PSE */, 0);
	{
		char buf[10];

		ck_assert_int_eq(copy_from_guest(v, buf, 0x00401234, 10), 0);
		ck_assert_int_eq(memcmp(buf, "thirty-two", 10), 0);
		ck_assert_int_eq(copy_from_guest(v, buf, 0x00801234, 8), 0);
		ck_assert_int_eq(memcmp(buf, "four-meg", 8), 0);
		ck_assert_int_eq(copy_from_guest(v, buf, 0x00c01234, 1),
		                 -XEN_EFAULT); /* no PDE 3 */
		ck_assert_int_eq(copy_from_guest(v, buf, 0x100401234ULL, 1),
		                 -XEN_EFAULT); /* 4 GiB + a mapped address */
	}
	/* Without CR4.PSE the PS bit is ignored: PDE 2 is a table at 0 (zeros): not present. */
	fake_vcpu_paging(v, 0x80000001, pd, 0, 0);
	{
		char c;

		ck_assert_int_eq(copy_from_guest(v, &c, 0x00801234, 1), -XEN_EFAULT);
	}

	/* PAE: va 0x40201234 -> PDPTE 1 -> PDE 1 -> PTE 1 -> 0x300000; va 0x40400000 2 MiB page. */
	memset(gp(pdpt), 0, 4096);
	{
		uint64_t e;
		char buf[10];

		e = pd_pae | 1;
		memcpy(gp(pdpt + 1 * 8), &e, 8);
		e = pt_pae | 3;
		memcpy(gp(pd_pae + 1 * 8), &e, 8);
		e = 0x300000 | 3;
		memcpy(gp(pt_pae + 1 * 8), &e, 8);
		e = 0x000000 | 0x83; /* 2 MiB page at 0 */
		memcpy(gp(pd_pae + 2 * 8), &e, 8);
		fake_vcpu_paging(v, 0x80010001, pdpt, 1u << 5 /* PAE */, 0);
		ck_assert_int_eq(copy_from_guest(v, buf, 0x40201234, 10), 0);
		ck_assert_int_eq(memcmp(buf, "thirty-two", 10), 0);
		ck_assert_int_eq(copy_from_guest(v, buf, 0x40401234, 8), 0);
		ck_assert_int_eq(memcmp(buf, "four-meg", 8), 0);
		/* CR0.WP and a read-only PTE: writes refused, reads fine. */
		e = 0x300000 | 1;
		memcpy(gp(pt_pae + 1 * 8), &e, 8);
		ck_assert_int_eq(copy_to_guest(v, 0x40201234, "x", 1), -XEN_EFAULT);
		ck_assert_int_eq(copy_from_guest(v, buf, 0x40201234, 1), 0);
		ck_assert_int_eq(copy_from_guest(v, buf, 0x80000000, 1), -XEN_EFAULT); /* PDPTE 2 */
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hv-compat");
	TCase *tc = tcase_create("compat");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, memory_map_32);
	tcase_add_test(tc, add_to_physmap_32);
	tcase_add_test(tc, reservation_32);
	tcase_add_test(tc, sched_poll_32);
	tcase_add_test(tc, gnttab_setup_table_32);
	tcase_add_test(tc, gnttab_copy_32);
	tcase_add_test(tc, platform_parameters_32);
	tcase_add_test(tc, singleshot_timer_32);
	tcase_add_test(tc, runstate_info_32);
	tcase_add_test(tc, status_frames_32);
	tcase_add_test(tc, walk_32bit_and_pae);
	suite_add_tcase(s, tc);
	return check_run(s);
}
