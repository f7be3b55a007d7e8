/*
 * guest32: an i386 PVH guest, built with -m32 and no guest runtime, that
 * makes hypercalls the way 32-bit Xen guests do (hypercall page; number in
 * eax, arguments in ebx, ecx, edx, esi, edi) with Xen's 32-bit structure
 * layouts, written out here as an i386 guest sees them.  It prints one
 * PASS/FAIL line per check on console_io and powers off.
 *
 * Checks: xen_version; XENMEM_memory_map (a 32-bit handle); HVMOP_get_param;
 * an event channel allocated, its status read, closed; GNTTABOP_query_size;
 * XENMEM_add_to_physmap of grant frame 0 (32-bit idx and gpfn) and a grant
 * entry written there; VCPUOP_get_runstate_info (whose uint64 fields sit at
 * offset 4 on i386, 8 on x86-64).
 *
 * The PVH entry (XEN_ELFNOTE_PHYS32_ENTRY, type 18) is only in a note
 * section; the guest starts in 32-bit protected mode, paging off, with %ebx
 * holding hvm_start_info's address.
 */
#include <stdint.h>

/*
 * Shoji's headers describe the x86-64 ABI only (they refuse -m32), so the
 * numbers and i386 layouts this guest needs are written out here, from
 * Xen's public headers.
 */
#define HC_memory_op             12
#define HC_xen_version           17
#define HC_console_io            18
#define HC_grant_table_op        20
#define HC_vcpu_op               24
#define HC_sched_op              29
#define HC_event_channel_op      32
#define HC_hvm_op                34

#define CONSOLEIO_write          0
#define XENVER_version           0
#define XENMEM_add_to_physmap_op 7
#define XENMEM_memory_map_op     9
#define XENMAPSPACE_grant        1
#define GNTTABOP_query_size_op   6
#define VCPUOP_runstate_info     4
#define EVTCHNOP_close           3
#define EVTCHNOP_status          5
#define EVTCHNOP_alloc_unbound   6
#define EVTCHNSTAT_unbound       1
#define HVMOP_get_param          1
#define HVM_PARAM_STORE_PFN      1
#define SCHEDOP_shutdown         2
#define SHUTDOWN_poweroff        0
#define SHUTDOWN_crash           3
#define DOMID_SELF               0x7ff0
#define E820_RAM                 1

/* The i386 layouts (where they equal x86-64's, only for completeness). */
struct xen_hvm_param {
	uint16_t domid;
	uint32_t index;
	uint64_t value;
} __attribute__((aligned(8)));
struct evtchn_alloc_unbound {
	uint16_t dom, remote_dom;
	uint32_t port;
};
struct evtchn_status {
	uint16_t dom;
	uint32_t port;
	uint32_t status;
	uint32_t vcpu;
	union {
		struct {
			uint16_t dom;
		} unbound;
		uint32_t pad[2];
	} u;
};
struct evtchn_close {
	uint32_t port;
};
struct sched_shutdown {
	uint32_t reason;
};
struct memmap32 {
	uint32_t nr_entries;
	uint32_t buffer; /* guest handle: a 32-bit pointer */
};
struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));
struct add_to_physmap32 {
	uint16_t domid, size;
	uint32_t space;
	uint32_t idx;  /* xen_ulong_t */
	uint32_t gpfn; /* xen_pfn_t */
};
struct query_size32 {
	uint16_t dom;
	uint16_t pad;
	uint32_t nr_frames, max_nr_frames;
	int16_t status;
};
struct runstate32 {
	int32_t state;
	uint64_t state_entry_time; /* offset 4 */
	uint64_t time[4];
} __attribute__((packed, aligned(4)));
_Static_assert(sizeof(struct runstate32) == 44, "i386 vcpu_runstate_info is 44 bytes");
_Static_assert(sizeof(struct add_to_physmap32) == 16, "i386 xen_add_to_physmap is 16 bytes");

void guest32_main(uint32_t start_info);

__asm__(".section .note.Xen, \"a\", @note\n"
        ".balign 4\n"
        ".long 4, 4, 18\n" /* name size ("Xen\\0"), descriptor size, PHYS32_ENTRY */
        ".asciz \"Xen\"\n"
        ".balign 4\n"
        ".long guest32_start\n"
        ".text\n"
        ".globl guest32_start\n"
        "guest32_start:\n"
        "	cli\n"
        "	movl $guest32_stack + 16384, %esp\n"
        "	pushl %ebx\n"
        "	call guest32_main\n"
        "1:	hlt\n"
        "	jmp 1b\n");

uint8_t guest32_stack[16384] __attribute__((aligned(16)));
static uint8_t hypercall_page[4096] __attribute__((aligned(4096)));
static uint8_t grant_frame[4096] __attribute__((aligned(4096)));
static unsigned int failures;

static long hcall(unsigned int nr, uint32_t a1, uint32_t a2, uint32_t a3)
{
	long r;
	uint32_t b = a1, c = a2, d = a3;

	__asm__ volatile("call *%[fn]"
	                 : "=a"(r), "+b"(b), "+c"(c), "+d"(d)
	                 : [fn] "r"(hypercall_page + nr * 32)
	                 : "memory", "esi", "edi");
	return r;
}

static uint32_t ptr(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static unsigned int len(const char *s)
{
	unsigned int n = 0;

	while (s[n])
		n++;
	return n;
}

static void puts32(const char *s)
{
	hcall(HC_console_io, CONSOLEIO_write, len(s), ptr(s));
}

static void putnum(uint32_t v)
{
	char b[12], *p = b + sizeof(b) - 1;

	*p = 0;
	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) && p > b);
	puts32(p);
}

static void check(int ok, const char *name, uint32_t value)
{
	puts32(ok ? "PASS " : "FAIL ");
	puts32(name);
	puts32(" ");
	putnum(value);
	puts32("\n");
	failures += !ok;
}

/* CPUID leaves 0x40000000 + 0x100 * k: Xen's signature, then the hypercall-page MSR. */
static int setup_hypercalls(void)
{
	for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
		uint32_t a, b, c, d;

		__asm__ volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base), "c"(0));
		if (b != 0x566e6558 || c != 0x65584d4d || d != 0x4d4d566e) /* "XenVMMXenVMM" */
			continue;
		__asm__ volatile("cpuid"
		                 : "=a"(a), "=b"(b), "=c"(c), "=d"(d)
		                 : "a"(base + 2), "c"(0));
		__asm__ volatile("wrmsr" : : "c"(b), "a"(ptr(hypercall_page)), "d"(0));
		return 0;
	}
	return -1;
}

void guest32_main(uint32_t start_info)
{
	static struct e820_entry map[16];
	struct memmap32 mm = {.nr_entries = 16, .buffer = ptr(map)};
	struct xen_hvm_param hp = {.domid = DOMID_SELF, .index = HVM_PARAM_STORE_PFN};
	struct evtchn_alloc_unbound au = {.dom = DOMID_SELF, .remote_dom = 0};
	struct evtchn_status st = {.dom = DOMID_SELF};
	struct evtchn_close cl;
	struct query_size32 qs = {.dom = DOMID_SELF};
	struct add_to_physmap32 xa = {.domid = DOMID_SELF,
	                              .space = XENMAPSPACE_grant,
	                              .idx = 0,
	                              .gpfn = ptr(grant_frame) >> 12};
	struct runstate32 rs = {.state = -1}; /* the hypercall fills it */
	struct sched_shutdown sd = {.reason = SHUTDOWN_poweroff};
	long r;

	if (setup_hypercalls() < 0)
		return; /* no Xen: nothing to print on */
	puts32("guest32: i386 PVH guest, start_info at ");
	putnum(start_info);
	puts32("\n");

	r = hcall(HC_xen_version, XENVER_version, 0, 0);
	check(r > 0 && (uint32_t)r >> 16 >= 4, "guest32_xen_version", (uint32_t)r >> 16);

	r = hcall(HC_memory_op, XENMEM_memory_map_op, ptr(&mm), 0);
	check(r == 0 && mm.nr_entries >= 1 && mm.nr_entries <= 16 && map[0].addr == 0 &&
	          map[0].type == E820_RAM && map[0].size >= (1u << 20),
	      "guest32_memory_map", mm.nr_entries);

	r = hcall(HC_hvm_op, HVMOP_get_param, ptr(&hp), 0);
	check(r == 0 && hp.value != 0, "guest32_hvm_param_store_pfn", (uint32_t)hp.value);

	r = hcall(HC_event_channel_op, EVTCHNOP_alloc_unbound, ptr(&au), 0);
	check(r == 0 && au.port > 0, "guest32_evtchn_alloc", au.port);
	st.port = au.port;
	r = hcall(HC_event_channel_op, EVTCHNOP_status, ptr(&st), 0);
	check(r == 0 && st.status == EVTCHNSTAT_unbound && st.u.unbound.dom == 0,
	      "guest32_evtchn_status", st.status);
	cl.port = au.port;
	r = hcall(HC_event_channel_op, EVTCHNOP_close, ptr(&cl), 0);
	check(r == 0, "guest32_evtchn_close", (uint32_t)-r);

	r = hcall(HC_grant_table_op, GNTTABOP_query_size_op, ptr(&qs), 1);
	check(r == 0 && qs.status == 0 && qs.nr_frames >= 1 && qs.max_nr_frames >= qs.nr_frames,
	      "guest32_gnttab_query_size", qs.max_nr_frames);

	r = hcall(HC_memory_op, XENMEM_add_to_physmap_op, ptr(&xa), 0);
	check(r == 0, "guest32_add_to_physmap_grant_frame", (uint32_t)-r);
	/* Grant entry 8 to Dom0 in the placed frame: the frame is ours to write now. */
	((volatile uint32_t *)grant_frame)[8 * 2 + 1] = 0x1234;
	((volatile uint32_t *)grant_frame)[8 * 2] = 1 /* GTF_permit_access */;
	check(((volatile uint32_t *)grant_frame)[8 * 2 + 1] == 0x1234,
	      "guest32_grant_frame_writable", 0);

	r = hcall(HC_vcpu_op, VCPUOP_runstate_info, 0, ptr(&rs));
	check(r == 0 && rs.state == 0 /* running */ && rs.time[0] > 0 &&
	          rs.state_entry_time <= rs.time[0] + rs.time[1] + rs.time[2] + rs.time[3],
	      "guest32_runstate_layout", (uint32_t)rs.state);

	puts32(failures ? "FAILURE\n" : "SUCCESS\n");
	if (failures)
		sd.reason = SHUTDOWN_crash;
	hcall(HC_sched_op, SCHEDOP_shutdown, ptr(&sd), 0);
}
