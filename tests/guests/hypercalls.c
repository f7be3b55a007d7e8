/*
 * hypercalls: every hypercall shoji-hv implements, on its success and its
 * error paths.  Bad guest pointers give -EFAULT (an unmapped virtual
 * address, an identity-mapped address beyond RAM, a non-canonical address),
 * unknown hypercalls and sub-ops -ENOSYS, bad arguments -EINVAL (or the
 * errno Xen uses for that case).  Run with 1 vCPU.
 */
#include "check.h"

#include <shoji/hvm.h>
#include <shoji/memory.h>
#include <shoji/sched.h>
#include <shoji/vcpu.h>
#include <shoji/version.h>

#define BAD_UNMAPPED     ((void *)0x0000700000000000UL) /* PML4 slot not present */
#define BAD_BEYOND_RAM   ((void *)0x00000000c0000000UL) /* identity-mapped, no RAM */
#define BAD_NONCANONICAL ((void *)0x8000000000000000UL)

static uint64_t ram_end; /* end of guest memory (RAM + reserved special pages) below 4 GiB */

/* Run one call against each bad pointer; each must fail with -EFAULT. */
#define CHECK_EFAULT(name, call_with_bad)                                                          \
	do {                                                                                       \
		void *bad;                                                                         \
		bad = BAD_UNMAPPED;                                                                \
		check_rc(name "_efault_unmapped", (call_with_bad), -XEN_EFAULT);                   \
		bad = BAD_BEYOND_RAM;                                                              \
		check_rc(name "_efault_beyond_ram", (call_with_bad), -XEN_EFAULT);                 \
		bad = BAD_NONCANONICAL;                                                            \
		check_rc(name "_efault_noncanonical", (call_with_bad), -XEN_EFAULT);               \
	} while (0)

/* A NUL inside buf, and nothing but zeros after it. */
static bool string_ok(const char *buf, size_t len)
{
	size_t n = strnlen(buf, len);

	if (n == len)
		return false;
	for (size_t i = n; i < len; i++) {
		if (buf[i] != '\0')
			return false;
	}
	return true;
}

static void test_xen_version(void)
{
	const struct xen_info *xi = xen_get_info();
	union {
		xen_extraversion_t extra;
		struct xen_compile_info ci;
		xen_capabilities_info_t caps;
		xen_changeset_info_t cs;
		struct xen_platform_parameters pp;
		struct xen_feature_info fi;
		xen_domain_handle_t h;
	} u;
	long rc;

	rc = hyp_xen_version(XENVER_version, NULL);
	check(rc == (long)xi->version, "xen_version", "version=%ld.%ld cpuid=%u.%u", rc >> 16,
	      rc & 0xffff, xi->version >> 16, xi->version & 0xffff);

	memset(&u, 0xaa, sizeof(u));
	rc = hyp_xen_version(XENVER_extraversion, &u.extra);
	check(rc == 0 && string_ok(u.extra, sizeof(u.extra)), "xen_version_extraversion", "rc=%ld",
	      rc);

	memset(&u, 0xaa, sizeof(u));
	rc = hyp_xen_version(XENVER_compile_info, &u.ci);
	check(rc == 0 && string_ok(u.ci.compiler, sizeof(u.ci.compiler)) &&
	          string_ok(u.ci.compile_by, sizeof(u.ci.compile_by)) &&
	          string_ok(u.ci.compile_domain, sizeof(u.ci.compile_domain)) &&
	          string_ok(u.ci.compile_date, sizeof(u.ci.compile_date)),
	      "xen_version_compile_info", "rc=%ld", rc);

	memset(&u, 0xaa, sizeof(u));
	rc = hyp_xen_version(XENVER_capabilities, &u.caps);
	check(rc == 0 && string_ok(u.caps, sizeof(u.caps)), "xen_version_capabilities", "rc=%ld",
	      rc);
	check(rc == 0 && strstr(u.caps, "hvm-3.0-x86_64") != NULL, "xen_version_capabilities_hvm",
	      NULL);

	memset(&u, 0xaa, sizeof(u));
	rc = hyp_xen_version(XENVER_changeset, &u.cs);
	check(rc == 0 && string_ok(u.cs, sizeof(u.cs)), "xen_version_changeset", "rc=%ld", rc);

	rc = hyp_xen_version(XENVER_platform_parameters, &u.pp);
	check_rc("xen_version_platform_parameters", rc, 0);

	u.fi.submap_idx = 0;
	u.fi.submap = 0;
	rc = hyp_xen_version(XENVER_get_features, &u.fi);
	check_rc("xen_version_get_features", rc, 0);
	u.fi.submap_idx = 1000;
	check_rc("xen_version_get_features_bad_idx", hyp_xen_version(XENVER_get_features, &u.fi),
	         -XEN_EINVAL);

	check_rc("xen_version_pagesize", hyp_xen_version(XENVER_pagesize, NULL), 4096);
	check_rc("xen_version_guest_handle", hyp_xen_version(XENVER_guest_handle, &u.h), 0);
	check_rc("xen_version_unknown_cmd", hyp_xen_version(99, &u), -XEN_ENOSYS);

	CHECK_EFAULT("xen_version_extraversion", hyp_xen_version(XENVER_extraversion, bad));
	CHECK_EFAULT("xen_version_capabilities", hyp_xen_version(XENVER_capabilities, bad));
	CHECK_EFAULT("xen_version_compile_info", hyp_xen_version(XENVER_compile_info, bad));
	CHECK_EFAULT("xen_version_get_features", hyp_xen_version(XENVER_get_features, bad));
	/* A buffer that starts in RAM and runs past its end. */
	check_rc("xen_version_efault_straddle",
	         hyp_xen_version(XENVER_capabilities, (void *)(uintptr_t)(ram_end - 16)),
	         -XEN_EFAULT);
}

static void test_console_io(void)
{
	static const char msg[] = "console_io: direct write\n";

	check_rc("console_io_write", hyp_console_io(CONSOLEIO_write, sizeof(msg) - 1, msg), 0);
	check_rc("console_io_write_empty", hyp_console_io(CONSOLEIO_write, 0, msg), 0);
	CHECK_EFAULT("console_io_write", hyp_console_io(CONSOLEIO_write, 16, bad));
	check_rc("console_io_unknown_cmd", hyp_console_io(7, 1, msg), -XEN_ENOSYS);
}

static void test_sched_op(void)
{
	struct sched_poll poll = {.nr_ports = 0};
	evtchn_port_t port = 1;
	uint64_t deadline;
	long rc;

	check_rc("sched_op_yield", sched_yield(), 0);

	deadline = monotonic_ns() + 1000000;
	timer_set_singleshot(deadline, false);
	rc = sched_block();
	check(rc == 0 && monotonic_ns() >= deadline, "sched_op_block", "rc=%ld", rc);

	deadline = monotonic_ns() + 1000000;
	poll.timeout = deadline;
	rc = hyp_sched_op(SCHEDOP_poll, &poll);
	check(rc == 0 && monotonic_ns() >= deadline, "sched_op_poll_timeout", "rc=%ld", rc);
	poll.nr_ports = 1;
	set_xen_guest_handle(poll.ports, (evtchn_port_t *)BAD_UNMAPPED);
	poll.timeout = monotonic_ns() + 1000000;
	check_rc("sched_op_poll_efault_ports", hyp_sched_op(SCHEDOP_poll, &poll), -XEN_EFAULT);
	set_xen_guest_handle(poll.ports, &port);
	poll.nr_ports = 1000;
	check_rc("sched_op_poll_too_many_ports", hyp_sched_op(SCHEDOP_poll, &poll), -XEN_EINVAL);
	CHECK_EFAULT("sched_op_poll", hyp_sched_op(SCHEDOP_poll, bad));

	/* A shutdown that cannot read its argument must fail and not shut down. */
	CHECK_EFAULT("sched_op_shutdown", hyp_sched_op(SCHEDOP_shutdown, bad));
	CHECK_EFAULT("sched_op_shutdown_code", hyp_sched_op(SCHEDOP_shutdown_code, bad));
	check_rc("sched_op_unknown_cmd", hyp_sched_op(99, NULL), -XEN_ENOSYS);
}

static void test_vcpu_op(void)
{
	struct vcpu_runstate_info rs;
	struct vcpu_set_singleshot_timer st;
	struct vcpu_set_periodic_timer pt;
	struct vcpu_hvm_context ctx = {.mode = VCPU_HVM_MODE_64B};
	long rc;

	check_rc("vcpu_op_is_up_self", hyp_vcpu_op(VCPUOP_is_up, 0, NULL), 1);
	check_rc("vcpu_op_is_up_missing", hyp_vcpu_op(VCPUOP_is_up, 1, NULL), -XEN_ENOENT);
	check_rc("vcpu_op_is_up_huge", hyp_vcpu_op(VCPUOP_is_up, 100000, NULL), -XEN_ENOENT);

	memset(&rs, 0xaa, sizeof(rs));
	rc = hyp_vcpu_op(VCPUOP_get_runstate_info, 0, &rs);
	check(rc == 0 && rs.state == RUNSTATE_running, "vcpu_op_get_runstate_info",
	      "rc=%ld state=%d", rc, rs.state);
	CHECK_EFAULT("vcpu_op_get_runstate_info", hyp_vcpu_op(VCPUOP_get_runstate_info, 0, bad));

	check_rc("vcpu_op_initialise_running", hyp_vcpu_op(VCPUOP_initialise, 0, &ctx),
	         -XEN_EEXIST);
	check_rc("vcpu_op_initialise_missing", hyp_vcpu_op(VCPUOP_initialise, 1, &ctx),
	         -XEN_ENOENT);
	check_rc("vcpu_op_up_missing", hyp_vcpu_op(VCPUOP_up, 1, NULL), -XEN_ENOENT);

	st.timeout_abs_ns = monotonic_ns() + 1000000000ULL;
	st.flags = 0;
	check_rc("vcpu_op_set_singleshot_timer", hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, &st),
	         0);
	check_rc("vcpu_op_stop_singleshot_timer",
	         hyp_vcpu_op(VCPUOP_stop_singleshot_timer, 0, NULL), 0);
	st.timeout_abs_ns = 1;
	st.flags = VCPU_SSHOTTMR_future;
	check_rc("vcpu_op_set_singleshot_timer_past_future",
	         hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, &st), -XEN_ETIME);
	check_rc("vcpu_op_set_singleshot_timer_other_vcpu",
	         hyp_vcpu_op(VCPUOP_set_singleshot_timer, 1, &st), -XEN_ENOENT);
	CHECK_EFAULT("vcpu_op_set_singleshot_timer",
	             hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, bad));

	pt.period_ns = 10000000;
	check_rc("vcpu_op_set_periodic_timer", hyp_vcpu_op(VCPUOP_set_periodic_timer, 0, &pt), 0);
	check_rc("vcpu_op_stop_periodic_timer", hyp_vcpu_op(VCPUOP_stop_periodic_timer, 0, NULL),
	         0);
	pt.period_ns = ~0ULL;
	check_rc("vcpu_op_set_periodic_timer_huge", hyp_vcpu_op(VCPUOP_set_periodic_timer, 0, &pt),
	         -XEN_EINVAL);
	CHECK_EFAULT("vcpu_op_set_periodic_timer", hyp_vcpu_op(VCPUOP_set_periodic_timer, 0, bad));

	check_rc("vcpu_op_unknown_cmd", hyp_vcpu_op(99, 0, NULL), -XEN_ENOSYS);
}

/* vcpu_info moves for good, so this runs after everything that reads time. */
static void test_register_vcpu_info(void)
{
	uint8_t *page = page_alloc(1);
	struct vcpu_register_vcpu_info info = {.mfn = (uintptr_t)page >> 12, .offset = 64};
	const volatile struct vcpu_info *vi = (const void *)(page + 64);
	uint64_t t0, t1;

	info.offset = GUEST_PAGE_SIZE - 32;
	check_rc("vcpu_op_register_vcpu_info_bad_offset",
	         hyp_vcpu_op(VCPUOP_register_vcpu_info, 0, &info), -XEN_EINVAL);
	info.offset = 64;
	info.mfn = (uintptr_t)BAD_BEYOND_RAM >> 12;
	check_rc("vcpu_op_register_vcpu_info_beyond_ram",
	         hyp_vcpu_op(VCPUOP_register_vcpu_info, 0, &info), -XEN_EINVAL);
	CHECK_EFAULT("vcpu_op_register_vcpu_info", hyp_vcpu_op(VCPUOP_register_vcpu_info, 0, bad));
	info.mfn = (uintptr_t)page >> 12;
	check_rc("vcpu_op_register_vcpu_info", hyp_vcpu_op(VCPUOP_register_vcpu_info, 0, &info), 0);
	t0 = pvclock_read(&vi->time);
	sched_yield();
	t1 = pvclock_read(&vi->time);
	check(vi->time.tsc_to_system_mul != 0 && t0 > 0 && t1 > t0,
	      "vcpu_op_register_vcpu_info_time", "t0=%lu t1=%lu", (unsigned long)t0,
	      (unsigned long)t1);
	check_rc("vcpu_op_register_vcpu_info_again",
	         hyp_vcpu_op(VCPUOP_register_vcpu_info, 0, &info), -XEN_EINVAL);
}

static void test_memory_op(const struct hvm_start_info *si)
{
	struct e820entry map[16];
	struct xen_memory_map mm = {.nr_entries = 16};
	struct xen_add_to_physmap xatp = {.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info};
	struct xen_memory_reservation res = {.domid = DOMID_SELF};
	domid_t self = DOMID_SELF;
	uint64_t ram = 0, si_ram = 0;
	xen_pfn_t gfn;
	long rc, cur, max;
	uint8_t *page;

	set_xen_guest_handle(mm.buffer, map);
	rc = hyp_memory_op(XENMEM_memory_map, &mm);
	for (unsigned int i = 0; rc == 0 && i < mm.nr_entries && i < 16; i++) {
		if (map[i].type == E820_RAM)
			ram += map[i].size;
	}
	for (unsigned int i = 0; i < si->memmap_entries; i++) {
		const struct hvm_memmap_table_entry *e =
		    (const void *)(uintptr_t)(si->memmap_paddr + i * sizeof(*e));

		if (e->type == XEN_HVM_MEMMAP_TYPE_RAM)
			si_ram += e->size;
	}
	check(rc == 0 && mm.nr_entries > 0 && ram == si_ram, "memory_op_memory_map",
	      "rc=%ld entries=%u ram=%lu start_info_ram=%lu", rc, mm.nr_entries, (unsigned long)ram,
	      (unsigned long)si_ram);
	mm.nr_entries = 1;
	rc = hyp_memory_op(XENMEM_memory_map, &mm);
	check(rc == 0 && mm.nr_entries == 1, "memory_op_memory_map_truncated", "rc=%ld entries=%u",
	      rc, mm.nr_entries);
	mm.nr_entries = 16;
	set_xen_guest_handle(mm.buffer, (void *)BAD_UNMAPPED);
	check_rc("memory_op_memory_map_efault_buffer", hyp_memory_op(XENMEM_memory_map, &mm),
	         -XEN_EFAULT);
	CHECK_EFAULT("memory_op_memory_map", hyp_memory_op(XENMEM_memory_map, bad));

	cur = hyp_memory_op(XENMEM_current_reservation, &self);
	max = hyp_memory_op(XENMEM_maximum_reservation, &self);
	check(cur > 0 && (uint64_t)cur * 4096 <= si_ram + 16 * 4096 && max >= cur,
	      "memory_op_reservation", "current=%ld maximum=%ld", cur, max);
	CHECK_EFAULT("memory_op_current_reservation",
	             hyp_memory_op(XENMEM_current_reservation, bad));
	rc = hyp_memory_op(XENMEM_maximum_ram_page, NULL);
	check(rc > 0, "memory_op_maximum_ram_page", "rc=%ld", rc);

	/* Give one page back, check the accounting, then populate it again. */
	page = page_alloc(1);
	memset(page, 0x5a, GUEST_PAGE_SIZE);
	gfn = (uintptr_t)page >> 12;
	set_xen_guest_handle(res.extent_start, &gfn);
	res.nr_extents = 1;
	check_rc("memory_op_decrease_reservation", hyp_memory_op(XENMEM_decrease_reservation, &res),
	         1);
	check_rc("memory_op_decrease_reservation_accounting",
	         hyp_memory_op(XENMEM_current_reservation, &self), cur - 1);
	check_rc("memory_op_populate_physmap", hyp_memory_op(XENMEM_populate_physmap, &res), 1);
	check(page[0] == 0 && page[GUEST_PAGE_SIZE - 1] == 0, "memory_op_populate_physmap_zeroed",
	      "byte=0x%x", page[0]);
	check_rc("memory_op_populate_physmap_accounting",
	         hyp_memory_op(XENMEM_current_reservation, &self), cur);
	res.nr_extents = 0;
	check_rc("memory_op_increase_reservation_empty",
	         hyp_memory_op(XENMEM_increase_reservation, &res), 0);
	/* No headroom above the maximum: nothing is granted. */
	res.nr_extents = 1;
	check_rc("memory_op_increase_reservation_at_max",
	         hyp_memory_op(XENMEM_increase_reservation, &res), max > cur ? 1 : 0);
	/* Free the page again (it stays unmapped: never touched below), then
	 * take the page back as reservation only. */
	hyp_memory_op(XENMEM_decrease_reservation, &res);
	rc = hyp_memory_op(XENMEM_increase_reservation, &res);
	check(rc == 1 && hyp_memory_op(XENMEM_current_reservation, &self) == cur,
	      "memory_op_increase_reservation", "rc=%ld", rc);
	res.nr_extents = 1;
	set_xen_guest_handle(res.extent_start, (xen_pfn_t *)BAD_UNMAPPED);
	check_rc("memory_op_decrease_reservation_bad_extents",
	         hyp_memory_op(XENMEM_decrease_reservation, &res), 0);
	CHECK_EFAULT("memory_op_populate_physmap", hyp_memory_op(XENMEM_populate_physmap, bad));

	xatp.idx = 1;
	xatp.gpfn = (uintptr_t)page >> 12;
	check_rc("memory_op_add_to_physmap_bad_idx", hyp_memory_op(XENMEM_add_to_physmap, &xatp),
	         -XEN_EINVAL);
	xatp.idx = 0;
	xatp.space = 99;
	check_rc("memory_op_add_to_physmap_bad_space", hyp_memory_op(XENMEM_add_to_physmap, &xatp),
	         -XEN_EINVAL);
	CHECK_EFAULT("memory_op_add_to_physmap", hyp_memory_op(XENMEM_add_to_physmap, bad));
	check_rc("memory_op_unknown_cmd", hyp_memory_op(99, NULL), -XEN_ENOSYS);
}

/* Map shared_info above RAM and read the clock there.  Last: it moves the page. */
static void test_shared_info_above_ram(void)
{
	uintptr_t gpa = (uintptr_t)BAD_BEYOND_RAM + 0x100000;
	struct xen_add_to_physmap xatp = {
	    .domid = DOMID_SELF,
	    .space = XENMAPSPACE_shared_info,
	    .idx = 0,
	    .gpfn = gpa >> 12,
	};
	const volatile struct shared_info *s = (const void *)gpa;
	long rc = hyp_memory_op(XENMEM_add_to_physmap, &xatp);

	check(rc == 0 && s->vcpu_info[0].time.version != 0 &&
	          s->vcpu_info[0].time.tsc_to_system_mul != 0 && (s->wc_version & 1) == 0,
	      "memory_op_add_to_physmap_above_ram", "rc=%ld", rc);
}

static void test_hvm_op(void)
{
	struct xen_hvm_param p = {.domid = DOMID_SELF, .index = HVM_PARAM_CALLBACK_IRQ};
	struct xen_hvm_evtchn_upcall_vector uv = {.vcpu = 0, .vector = GUEST_UPCALL_VECTOR};
	long rc;

	p.value = HVM_PARAM_CALLBACK_VECTOR(GUEST_UPCALL_VECTOR);
	check_rc("hvm_op_set_param", hyp_hvm_op(HVMOP_set_param, &p), 0);
	p.value = 0;
	rc = hyp_hvm_op(HVMOP_get_param, &p);
	check(rc == 0 && p.value == HVM_PARAM_CALLBACK_VECTOR(GUEST_UPCALL_VECTOR),
	      "hvm_op_get_param", "rc=%ld value=0x%lx", rc, (unsigned long)p.value);
	p.index = HVM_PARAM_STORE_PFN;
	check_rc("hvm_op_get_param_store_pfn", hyp_hvm_op(HVMOP_get_param, &p), 0);
	p.index = HVM_NR_PARAMS;
	check_rc("hvm_op_set_param_bad_index", hyp_hvm_op(HVMOP_set_param, &p), -XEN_EINVAL);
	check_rc("hvm_op_get_param_bad_index", hyp_hvm_op(HVMOP_get_param, &p), -XEN_EINVAL);
	p.index = 0xffffffffU;
	check_rc("hvm_op_get_param_huge_index", hyp_hvm_op(HVMOP_get_param, &p), -XEN_EINVAL);
	p.index = HVM_PARAM_STORE_PFN;
	p.domid = 0x7000;
	check_rc("hvm_op_get_param_no_such_domain", hyp_hvm_op(HVMOP_get_param, &p), -XEN_ESRCH);
	CHECK_EFAULT("hvm_op_get_param", hyp_hvm_op(HVMOP_get_param, bad));
	CHECK_EFAULT("hvm_op_set_param", hyp_hvm_op(HVMOP_set_param, bad));

	check_rc("hvm_op_set_evtchn_upcall_vector", hyp_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv),
	         0);
	uv.vector = 0x0f;
	check_rc("hvm_op_set_evtchn_upcall_vector_low",
	         hyp_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv), -XEN_EINVAL);
	uv.vector = GUEST_UPCALL_VECTOR;
	uv.vcpu = 7;
	check_rc("hvm_op_set_evtchn_upcall_vector_no_vcpu",
	         hyp_hvm_op(HVMOP_set_evtchn_upcall_vector, &uv), -XEN_ENOENT);
	CHECK_EFAULT("hvm_op_set_evtchn_upcall_vector",
	             hyp_hvm_op(HVMOP_set_evtchn_upcall_vector, bad));
	check_rc("hvm_op_unknown_cmd", hyp_hvm_op(99, NULL), -XEN_ENOSYS);
}

static void test_unknown_hypercalls(void)
{
	static const unsigned int nrs[] = {__HYPERVISOR_mmu_update, __HYPERVISOR_argo_op,
	                                   __HYPERVISOR_arch_0, 63, 127};
	char name[48];

	for (size_t i = 0; i < sizeof(nrs) / sizeof(nrs[0]); i++) {
		snprintf(name, sizeof(name), "hypercall_unknown_%u", nrs[i]);
		check_rc(name, hypercall_raw(nrs[i], 1, 2, 3, 4, 5), -XEN_ENOSYS);
	}
}

int guest_main(const struct hvm_start_info *si)
{
	for (unsigned int i = 0; i < si->memmap_entries; i++) {
		const struct hvm_memmap_table_entry *e =
		    (const void *)(uintptr_t)(si->memmap_paddr + i * sizeof(*e));
		uint64_t end = e->addr + e->size;

		if ((e->type == XEN_HVM_MEMMAP_TYPE_RAM ||
		     e->type == XEN_HVM_MEMMAP_TYPE_RESERVED) &&
		    end <= 0x100000000ULL && end > ram_end)
			ram_end = end;
	}
	if (ram_end > (uintptr_t)BAD_BEYOND_RAM) {
		printf("FAIL setup: run with --memory below 3072\n");
		return check_finish() + 1;
	}

	test_xen_version();
	test_console_io();
	test_sched_op();
	test_vcpu_op();
	test_memory_op(si);
	test_hvm_op();
	test_unknown_hypercalls();
	test_register_vcpu_info();
	test_shared_info_above_ram();
	return check_finish();
}
