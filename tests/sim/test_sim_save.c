/*
 * test_sim_save: shoji-hv's save and restore (CTRL_SAVE, CTRL_RESTORE;
 * hypervisor/save.c) on hvsim.  The test is a guest that fills some of its
 * memory, binds event channels (with Dom0, a VIRQ, an IPI) with pending and
 * masked bits, grants pages to Dom0, sets HVM params and a timer; Dom0
 * saves it to a memfd, destroys it and restores it, then checks from both
 * sides that it is the same guest.  Streams cut short or corrupt, saves of
 * running domains and saves that cannot write are refused, cleanly.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include <shoji/ctrl.h>
#include <shoji/event_channel.h>
#include <shoji/hvm.h>
#include <shoji/libevtchn.h>
#include <shoji/libgnttab.h>
#include <shoji/memory.h>
#include <shoji/vcpu.h>

#include "check-run.h"
#include "evtchn.h"
#include "hvsim.h"
#include "kvm.h"
#include "migstream.h"

#define MEMORY     (16u << 20)
#define FRAMES     (MEMORY >> XEN_PAGE_SHIFT)
#define ARG_GFN    12 /* the test's hypercall arguments */
#define DATA_GFN   HVSIM_GFN_FREE
#define NR_DATA    40                           /* frames DATA_GFN + 7 * i hold bytes */
#define ZERO_GFN   (DATA_GFN + 7 * NR_DATA + 3) /* written, then zeroed: data, all zero */
#define REF_A      8
#define REF_B      9
#define REF_C      (512 + 3)                    /* in frame 1, which lives above RAM */
#define FRAME1_GFN (DATA_GFN + 7 * NR_DATA + 7) /* where frame 1 is placed first */
#define BITS       (sizeof(xen_ulong_t) * 8)

static char dir[] = "/tmp/test_sim_save.XXXXXX";
static struct hvsim *sim;
static struct shoji_ctrl *ctrl;
static struct shoji_evtchn *x;

/* What the guest set up, to compare after the restore. */
struct guest {
	uint32_t domid;
	int inter, virq, ipi, unbound; /* its ports */
	int local;                     /* Dom0's end of inter */
	struct kvm_vcpu_state regs;
	uint8_t data[NR_DATA][64];
};

static void setup(void)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	sim = hvsim_start(dir);
	ck_assert_ptr_nonnull(sim);
	ctrl = shoji_ctrl_open(hvsim_socket(sim));
	ck_assert_ptr_nonnull(ctrl);
	x = shoji_evtchn_open(hvsim_socket(sim));
	ck_assert_ptr_nonnull(x);
}

static void teardown(void)
{
	shoji_evtchn_close(x);
	shoji_ctrl_close(ctrl);
	hvsim_stop(sim);
	rmdir(dir);
}

static void *gmem(uint32_t domid, uint64_t gfn)
{
	void *p = hvsim_guest_mem(sim, domid, gfn << XEN_PAGE_SHIFT, XEN_PAGE_SIZE);

	ck_assert_ptr_nonnull(p);
	return p;
}

static struct shared_info *shinfo(uint32_t domid)
{
	return gmem(domid, HVSIM_GFN_SHARED_INFO);
}

/* Hypercall @nr with (@a0, @a1, the argument page) after copying @arg (@len) there. */
static long call(uint32_t domid, unsigned int nr, uint64_t a0, uint64_t a1, void *arg, size_t len)
{
	uint8_t *page = gmem(domid, ARG_GFN);
	const uint64_t a[5] = {a0, a1, (uint64_t)ARG_GFN << XEN_PAGE_SHIFT};
	long r;

	memcpy(page, arg, len);
	r = hvsim_hypercall(sim, domid, nr,
	                    nr == __HYPERVISOR_vcpu_op ? a : (uint64_t[5]){a0, a[2]});
	memcpy(arg, page, len);
	return r;
}

static bool bit(const xen_ulong_t *map, int port)
{
	return (__atomic_load_n(&map[port / BITS], __ATOMIC_SEQ_CST) >> (port % BITS)) & 1;
}

static void set_mask(uint32_t domid, int port)
{
	__atomic_fetch_or(&shinfo(domid)->evtchn_mask[port / BITS], (xen_ulong_t)1 << (port % BITS),
	                  __ATOMIC_SEQ_CST);
}

static void clear_pending(uint32_t domid, int port)
{
	__atomic_fetch_and(&shinfo(domid)->evtchn_pending[port / BITS],
	                   ~((xen_ulong_t)1 << (port % BITS)), __ATOMIC_SEQ_CST);
}

/* A guest with some memory written, ports, grants, params, a timer and registers of its own. */
static void make_guest(struct guest *g)
{
	struct evtchn_bind_virq bv = {.virq = VIRQ_TIMER, .vcpu = 0};
	struct evtchn_bind_ipi bi = {.vcpu = 0};
	struct vcpu_set_periodic_timer pt = {.period_ns = 2000000000ULL};
	int r, i;

	memset(g, 0, sizeof(*g));
	r = hvsim_domain_new(sim, MEMORY);
	ck_assert_int_gt(r, 0);
	g->domid = (uint32_t)r;
	for (i = 0; i < NR_DATA; i++) {
		uint8_t *p = gmem(g->domid, DATA_GFN + 7 * i);

		for (size_t k = 0; k < sizeof(g->data[i]); k++)
			g->data[i][k] = (uint8_t)(i * 37 + k * 11 + 1);
		memcpy(p + (i * 64) % XEN_PAGE_SIZE, g->data[i], sizeof(g->data[i]));
	}
	memset(gmem(g->domid, ZERO_GFN), 0x5a, XEN_PAGE_SIZE);
	memset(gmem(g->domid, ZERO_GFN), 0, XEN_PAGE_SIZE);

	/* Ports: with Dom0 (pending), the timer VIRQ (masked), an IPI (pending and masked). */
	g->inter = hvsim_evtchn_alloc(sim, g->domid, 0);
	ck_assert_int_gt(g->inter, 0);
	g->local = shoji_evtchn_bind_interdomain(x, g->domid, (shoji_evtchn_port_t)g->inter);
	ck_assert_int_gt(g->local, 0);
	while (shoji_evtchn_pending(x) >= 0)
		; /* the new local end starts pending */
	ck_assert_int_eq(shoji_evtchn_unmask(x, (shoji_evtchn_port_t)g->local), 0);
	ck_assert_int_eq(
	    call(g->domid, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_virq, 0, &bv, sizeof(bv)),
	    0);
	g->virq = (int)bv.port;
	ck_assert_int_eq(
	    call(g->domid, __HYPERVISOR_event_channel_op, EVTCHNOP_bind_ipi, 0, &bi, sizeof(bi)),
	    0);
	g->ipi = (int)bi.port;
	g->unbound = hvsim_evtchn_alloc(sim, g->domid, 0);
	ck_assert_int_gt(g->unbound, 0);
	set_mask(g->domid, g->virq);
	set_mask(g->domid, g->ipi);
	ck_assert_int_eq(hvsim_evtchn_send(sim, g->domid, (evtchn_port_t)g->ipi), 0);
	ck_assert_int_eq(shoji_evtchn_notify(x, (shoji_evtchn_port_t)g->local), 0);

	/* Grants to Dom0, params, a periodic timer. */
	ck_assert_int_eq(hvsim_grant(sim, g->domid, REF_A, 0, DATA_GFN, false), 0);
	ck_assert_int_eq(hvsim_grant(sim, g->domid, REF_B, 0, DATA_GFN + 7, true), 0);
	{
		/*
		 * Frame 1 of the table: placed in RAM, a grant to Dom0 (REF_C)
		 * written there, then moved above RAM, where GRUB puts its
		 * table.  It must travel with its content.
		 */
		struct xen_add_to_physmap xa = {.domid = DOMID_SELF,
		                                .space = XENMAPSPACE_grant_table,
		                                .idx = 1,
		                                .gpfn = FRAME1_GFN};
		grant_entry_v1_t *e;

		ck_assert_int_eq(call(g->domid, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, 0,
		                      &xa, sizeof(xa)),
		                 0);
		e = (grant_entry_v1_t *)(void *)((uint8_t *)gmem(g->domid, FRAME1_GFN) +
		                                 (REF_C - 512) * sizeof(*e));
		e->domid = 0;
		e->frame = DATA_GFN;
		__atomic_store_n(&e->flags, GTF_permit_access, __ATOMIC_RELEASE);
		xa.gpfn = FRAMES + 1;
		ck_assert_int_eq(call(g->domid, __HYPERVISOR_memory_op, XENMEM_add_to_physmap, 0,
		                      &xa, sizeof(xa)),
		                 0);
	}
	ck_assert_int_eq(shoji_ctrl_set_param(ctrl, g->domid, HVM_PARAM_STORE_PFN, 0xabc), 0);
	ck_assert_int_eq(shoji_ctrl_set_param(ctrl, g->domid, HVM_PARAM_STORE_EVTCHN, 7), 0);
	ck_assert_int_eq(shoji_ctrl_set_param(ctrl, g->domid, HVM_PARAM_CONSOLE_PFN, 0xabd), 0);
	ck_assert_int_eq(
	    call(g->domid, __HYPERVISOR_vcpu_op, VCPUOP_set_periodic_timer, 0, &pt, sizeof(pt)), 0);

	/* Registers of its own, as KVM would hold them. */
	ck_assert_int_eq(hvsim_vcpu_state(sim, g->domid, 0, &g->regs, NULL), 0);
	g->regs.regs.rax = 0x1122334455667788ULL;
	g->regs.regs.rip = 0xffffffff81000123ULL;
	g->regs.sregs.cr3 = 0x5000;
	g->regs.sregs.efer = 0xd01;
	g->regs.flags = KVM_STATE_XSAVE;
	g->regs.xsave[7] = 0xdeadbeef;
	g->regs.xcrs.nr_xcrs = 1;
	g->regs.xcrs.xcrs[0].value = 7;
	g->regs.lapic.regs[0x80] = 0x42;
	g->regs.mp.mp_state = KVM_MP_STATE_HALTED;
	g->regs.events.nmi.pending = 1;
	g->regs.nr_msrs = 2;
	g->regs.msrs[0] = (struct kvm_msr_entry){.index = 0xc0000082, .data = 0xffffffff81800000};
	g->regs.msrs[1] = (struct kvm_msr_entry){.index = 0xc0000103, .data = 3};
	ck_assert_int_eq(hvsim_vcpu_state(sim, g->domid, 0, NULL, &g->regs), 0);
	ck_assert_int_eq(shoji_ctrl_pause(ctrl, g->domid), 0);
}

static int memfd(void)
{
	int fd = memfd_create("stream", MFD_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	return fd;
}

/* Save @domid to a new memfd, rewound; the stats in @pages/@zero. */
static int save(uint32_t domid, uint64_t *pages, uint64_t *zero)
{
	char err[256] = "";
	int fd = memfd();

	if (shoji_ctrl_save(ctrl, domid, fd, pages, zero, err, sizeof(err)) < 0)
		ck_abort_msg("save: %s (%s)", strerror(errno), err);
	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

static int restore(int fd, uint32_t want, uint32_t *domid, char *err, size_t len)
{
	static const uint8_t uuid[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

	ck_assert_int_eq(lseek(fd, 0, SEEK_SET), 0);
	err[0] = '\0';
	return shoji_ctrl_restore(ctrl, fd, want, "restored", uuid, domid, err, len);
}

static int nr_domains(void)
{
	struct shoji_dominfo info[4];

	return shoji_ctrl_list(ctrl, info, 4);
}

/* The restored @domid is @g's guest: memory, ports, grants, params, registers. */
static void check_same(const struct guest *g, uint32_t domid)
{
	struct shoji_gnttab *gt = shoji_gnttab_open(hvsim_socket(sim));
	struct shared_info *si;
	struct kvm_vcpu_state regs;
	struct shoji_dominfo info;
	uint64_t v;
	char *p;
	int i;

	ck_assert_int_eq(hvsim_domain_adopt(sim, domid), 0);
	ck_assert_int_eq(shoji_ctrl_info(ctrl, domid, &info), 0);
	ck_assert_int_eq(info.state, SHOJI_DOMAIN_PAUSED);
	ck_assert_str_eq(info.name, "restored");
	ck_assert_uint_eq(info.uuid[15], 16);
	ck_assert_uint_eq(info.max_kib, MEMORY >> 10);
	for (i = 0; i < NR_DATA; i++) {
		uint8_t *q = gmem(domid, DATA_GFN + 7 * i);

		ck_assert_mem_eq(q + (i * 64) % XEN_PAGE_SIZE, g->data[i], sizeof(g->data[i]));
	}
	ck_assert_uint_eq(((uint8_t *)gmem(domid, ZERO_GFN))[100], 0);

	/* Ports, with their bits, from the guest's side... */
	si = shinfo(domid);
	ck_assert(bit(si->evtchn_pending, g->inter) && !bit(si->evtchn_mask, g->inter));
	ck_assert(bit(si->evtchn_pending, g->ipi) && bit(si->evtchn_mask, g->ipi));
	ck_assert(bit(si->evtchn_mask, g->virq));
	ck_assert(!bit(si->evtchn_pending, g->unbound) && !bit(si->evtchn_mask, g->unbound));
	ck_assert_int_eq(hvsim_evtchn_wait(sim, domid, (evtchn_port_t)g->inter, 0), 0);
	/* ... and bound: Dom0's end reaches the guest and back. */
	ck_assert_int_eq(shoji_evtchn_notify(x, (shoji_evtchn_port_t)g->local), 0);
	ck_assert_int_eq(hvsim_evtchn_wait(sim, domid, (evtchn_port_t)g->inter, 5000), 0);
	ck_assert_int_eq(hvsim_evtchn_send(sim, domid, (evtchn_port_t)g->inter), 0);
	ck_assert_int_eq(shoji_evtchn_pending(x), g->local);
	ck_assert_int_eq(shoji_evtchn_unmask(x, (shoji_evtchn_port_t)g->local), 0);
	/* An IPI is still an IPI; the unbound port still waits for Dom0. */
	ck_assert_int_eq(hvsim_evtchn_send(sim, domid, (evtchn_port_t)g->ipi), 0);
	i = shoji_evtchn_bind_interdomain(x, domid, (shoji_evtchn_port_t)g->unbound);
	ck_assert_int_gt(i, 0);
	ck_assert_int_eq(shoji_evtchn_unbind(x, (shoji_evtchn_port_t)i), 0);
	/* The timer goes on: VIRQ_TIMER fires within its 2 s period. */
	clear_pending(domid, g->virq);
	for (i = 0; i < 300 && !bit(si->evtchn_pending, g->virq); i++)
		nanosleep(&(struct timespec){0, 10000000}, NULL);
	ck_assert_msg(bit(si->evtchn_pending, g->virq), "the periodic timer did not fire");

	/* Grants: nobody maps them yet; Dom0 maps them and sees the guest's bytes. */
	ck_assert_ptr_nonnull(gt);
	ck_assert_int_eq(hvsim_grant_flags(sim, domid, REF_A), GTF_permit_access);
	p = shoji_gnttab_map_grant_ref(gt, domid, REF_A, PROT_READ | PROT_WRITE);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, g->data[0], sizeof(g->data[0]));
	ck_assert_int_eq(shoji_gnttab_unmap(gt, p, 1), 0);
	ck_assert_ptr_null(shoji_gnttab_map_grant_ref(gt, domid, REF_B, PROT_READ | PROT_WRITE));
	p = shoji_gnttab_map_grant_ref(gt, domid, REF_B, PROT_READ);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p + 64, g->data[1], sizeof(g->data[1]));
	ck_assert_int_eq(shoji_gnttab_unmap(gt, p, 1), 0);
	/* The grant in frame 1, above RAM, came back with its frame. */
	p = shoji_gnttab_map_grant_ref(gt, domid, REF_C, PROT_READ);
	ck_assert_ptr_nonnull(p);
	ck_assert_mem_eq(p, g->data[0], sizeof(g->data[0]));
	ck_assert_int_eq(shoji_gnttab_unmap(gt, p, 1), 0);
	ck_assert_int_eq(shoji_gnttab_close(gt), 0);

	/* Params, the callback among them. */
	ck_assert_int_eq(shoji_ctrl_get_param(ctrl, domid, HVM_PARAM_STORE_PFN, &v), 0);
	ck_assert_uint_eq(v, 0xabc);
	ck_assert_int_eq(shoji_ctrl_get_param(ctrl, domid, HVM_PARAM_STORE_EVTCHN, &v), 0);
	ck_assert_uint_eq(v, 7);
	ck_assert_int_eq(shoji_ctrl_get_param(ctrl, domid, HVM_PARAM_CONSOLE_PFN, &v), 0);
	ck_assert_uint_eq(v, 0xabd);
	ck_assert_int_eq(shoji_ctrl_get_param(ctrl, domid, HVM_PARAM_CALLBACK_IRQ, &v), 0);
	ck_assert_uint_eq(v, HVM_PARAM_CALLBACK_VECTOR(HVSIM_UPCALL_VECTOR));

	/* Registers, FPU, LAPIC, MSRs, events: all as saved. */
	ck_assert_int_eq(hvsim_vcpu_state(sim, domid, 0, &regs, NULL), 0);
	ck_assert_mem_eq(&regs, &g->regs, sizeof(regs));
}

START_TEST(round_trip)
{
	struct shoji_gnttab *mapper;
	struct guest g;
	uint64_t pages = 0, zero = 0;
	void *mapped;
	uint32_t domid = 0;
	char err[256];
	off_t size;
	int fd;

	make_guest(&g);
	/* Dom0 maps a grant across the save: the map does not travel, its flags neither. */
	mapper = shoji_gnttab_open(hvsim_socket(sim));
	ck_assert_ptr_nonnull(mapper);
	mapped = shoji_gnttab_map_grant_ref(mapper, g.domid, REF_A, PROT_READ | PROT_WRITE);
	ck_assert_ptr_nonnull(mapped);
	fd = save(g.domid, &pages, &zero);
	/* Populated frames only, zero ones as entries: about pages x 4 KiB. */
	size = lseek(fd, 0, SEEK_END);
	ck_assert_uint_ge(pages, NR_DATA + 1);
	ck_assert_uint_le(pages, NR_DATA + 16);
	ck_assert_uint_ge(zero, 1);
	ck_assert_uint_lt(zero, 64);
	ck_assert_int_gt(size, (off_t)pages * 4096);
	ck_assert_int_lt(size, (off_t)pages * 4096 + 64 * 1024);
	/* The source is left as it was. */
	ck_assert_int_eq(nr_domains(), 1);

	/* Its id is taken while it exists; with any id, a restore works beside it. */
	ck_assert_int_eq(restore(fd, g.domid, &domid, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_msg(strstr(err, "taken") != NULL, "%s", err);
	ck_assert_int_eq(nr_domains(), 1);
	ck_assert_int_eq(shoji_ctrl_destroy(ctrl, g.domid), 0);
	/* (hvsim forgets it too) */
	hvsim_domain_destroy(sim, g.domid);

	ck_assert_int_eq(restore(fd, g.domid, &domid, err, sizeof(err)), 0);
	ck_assert_uint_eq(domid, g.domid);
	check_same(&g, domid);
	/* The old map stays the old domain's: letting it go leaves the new one's grant alone. */
	ck_assert_int_eq(shoji_gnttab_unmap(mapper, mapped, 1), 0);
	ck_assert_int_eq(hvsim_grant_flags(sim, domid, REF_A), GTF_permit_access);
	ck_assert_int_eq(shoji_gnttab_close(mapper), 0);
	close(fd);
}
END_TEST

START_TEST(any_domid)
{
	struct guest g;
	uint32_t domid = 0;
	char err[256];
	int fd;

	make_guest(&g);
	fd = save(g.domid, NULL, NULL);
	ck_assert_int_eq(restore(fd, SHOJI_CTRL_DOMID_ANY, &domid, err, sizeof(err)), 0);
	ck_assert_uint_ne(domid, g.domid);
	ck_assert_int_eq(hvsim_domain_adopt(sim, domid), 0);
	ck_assert_mem_eq((uint8_t *)gmem(domid, DATA_GFN + 7 * 3) + 3 * 64, g.data[3], 64);
	/* The port with Dom0 came back unbound, reserved for Dom0: a backend binds it anew. */
	ck_assert_int_gt(shoji_evtchn_bind_interdomain(x, domid, (shoji_evtchn_port_t)g.inter), 0);
	ck_assert_int_eq(nr_domains(), 2);
	close(fd);
}
END_TEST

/* Copy @len bytes of @fd into a new memfd, with @fix applied at @at (if @at >= 0). */
static int copy_stream(int fd, off_t len, off_t at, uint8_t flip)
{
	uint8_t *buf = malloc((size_t)len);
	int out = memfd();

	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(pread(fd, buf, (size_t)len, 0), len);
	if (at >= 0)
		buf[at] ^= flip;
	ck_assert_int_eq(write(out, buf, (size_t)len), len);
	free(buf);
	return out;
}

/* A restore of @fd is refused with one line saying @what; nothing is left. */
static void refused(int fd, int err_no, const char *what)
{
	uint32_t domid = 0;
	char err[256];

	ck_assert_int_eq(restore(fd, SHOJI_CTRL_DOMID_ANY, &domid, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, err_no);
	ck_assert_msg(strstr(err, what) != NULL, "'%s' does not say '%s'", err, what);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_int_eq(nr_domains(), 0);
}

START_TEST(bad_streams)
{
	struct guest g;
	off_t size;
	int fd, bad;

	make_guest(&g);
	fd = save(g.domid, NULL, NULL);
	ck_assert_int_eq(shoji_ctrl_destroy(ctrl, g.domid), 0);
	hvsim_domain_destroy(sim, g.domid);
	size = lseek(fd, 0, SEEK_END);

	bad = copy_stream(fd, size - 100, -1, 0);
	refused(bad, EPIPE, "truncated");
	close(bad);
	bad = copy_stream(fd, size / 2, -1, 0);
	refused(bad, EPIPE, "truncated");
	close(bad);
	bad = copy_stream(fd, size, size / 2, 0x10);
	refused(bad, EBADMSG, "checksum");
	close(bad);
	close(fd);
}
END_TEST

/*
 * The stream of @fd with record @type's body changed by @edit (its CRC
 * made right again): a hostile stream, well framed.
 */
static int edit_record(int fd, uint32_t type, void (*edit)(uint8_t *body, uint32_t len))
{
	off_t size = lseek(fd, 0, SEEK_END), at = 0;
	int out = copy_stream(fd, size, -1, 0);
	uint8_t *s = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, out, 0);
	struct mig_rec_hdr h;

	ck_assert_ptr_ne(s, MAP_FAILED);
	for (;;) {
		ck_assert_int_lt(at, size);
		memcpy(&h, s + at, sizeof(h));
		if (h.type == type)
			break;
		at += (off_t)(sizeof(h) + ((h.length + 7) & ~7u));
	}
	edit(s + at + sizeof(h), h.length);
	{
		uint8_t le[8];
		uLong crc = crc32(0L, Z_NULL, 0);

		memcpy(le, &h.type, 4);
		memcpy(le + 4, &h.length, 4);
		crc = crc32(crc, le, 8);
		h.crc = (uint32_t)crc32_z(crc, s + at + sizeof(h), h.length);
		memcpy(s + at, &h, sizeof(h));
	}
	munmap(s, (size_t)size);
	return out;
}

/* HV_PAGES: the first frame listed is the one just past RAM. */
static void frame_past_ram(uint8_t *body, uint32_t len)
{
	uint64_t e;

	memcpy(&e, body + 8, sizeof(e));
	e = (e & (1ULL << 63)) | FRAMES;
	memcpy(body + 8, &e, sizeof(e));
}

/* HV_EVTCHN: the last port notifies a vCPU the domain does not have. */
static void port_bad_vcpu(uint8_t *body, uint32_t len)
{
	struct evtchn_port_image p;

	memcpy(&p, body + len - sizeof(p), sizeof(p));
	p.vcpu = 5;
	memcpy(body + len - sizeof(p), &p, sizeof(p));
}

/* HV_EVTCHN: the last port is one past the limit. */
static void port_past_limit(uint8_t *body, uint32_t len)
{
	struct evtchn_port_image p;

	memcpy(&p, body + len - sizeof(p), sizeof(p));
	p.port = 1024;
	memcpy(body + len - sizeof(p), &p, sizeof(p));
}

/* HV_VCPU: the second MSR is one no save carries. */
static void msr_not_saved(uint8_t *body, uint32_t len)
{
	struct kvm_vcpu_state *s =
	    (struct kvm_vcpu_state *)(void *)(body + len - sizeof(struct kvm_vcpu_state));

	s->msrs[1].index = 0x1b; /* IA32_APIC_BASE */
}

/* HV_XEN: vCPU 0's vcpu_info at @gpa (offset 344: after the times, gfn, params, count). */
static void vcpu_info_at(uint8_t *body, uint64_t gpa)
{
	memcpy(body + 8 * 3 + 8 * HVM_NR_PARAMS + 8, &gpa, sizeof(gpa));
}

static void vcpu_info_past_ram(uint8_t *body, uint32_t len)
{
	vcpu_info_at(body, MEMORY - 8);
}

static void vcpu_info_across_pages(uint8_t *body, uint32_t len)
{
	vcpu_info_at(body, ((uint64_t)DATA_GFN << XEN_PAGE_SHIFT) + XEN_PAGE_SIZE - 8);
}

/*
 * HV_GNTTAB: the frame that travels with its content (placed above RAM) is
 * said to live in the MMIO hole below 4 GiB, where no page may go.
 */
static void grant_frame_in_hole(uint8_t *body, uint32_t len)
{
	const uint64_t hole = 0xfe000;
	uint32_t nr, i;
	uint64_t gfn;

	memcpy(&nr, body + 4, sizeof(nr));
	for (i = 0; i < nr && 8 + (i + 1) * 8 <= len; i++) {
		memcpy(&gfn, body + 8 + i * 8, sizeof(gfn));
		if (gfn == FRAMES + 1) {
			memcpy(body + 8 + i * 8, &hole, sizeof(hole));
			return;
		}
	}
	ck_abort_msg("the saved grant table has no frame above RAM");
}

START_TEST(hostile_records)
{
	struct guest g;
	int fd, bad;

	make_guest(&g);
	fd = save(g.domid, NULL, NULL);
	ck_assert_int_eq(shoji_ctrl_destroy(ctrl, g.domid), 0);
	hvsim_domain_destroy(sim, g.domid);

	bad = edit_record(fd, MIG_REC_HV_PAGES, frame_past_ram);
	refused(bad, EINVAL, "HV_PAGES");
	close(bad);
	bad = edit_record(fd, MIG_REC_HV_EVTCHN, port_bad_vcpu);
	refused(bad, EINVAL, "HV_EVTCHN");
	close(bad);
	bad = edit_record(fd, MIG_REC_HV_EVTCHN, port_past_limit);
	refused(bad, EINVAL, "HV_EVTCHN");
	close(bad);
	bad = edit_record(fd, MIG_REC_HV_XEN, vcpu_info_past_ram);
	refused(bad, EINVAL, "vcpu 0: vcpu_info not inside one page of RAM");
	close(bad);
	bad = edit_record(fd, MIG_REC_HV_XEN, vcpu_info_across_pages);
	refused(bad, EINVAL, "vcpu 0: vcpu_info not inside one page of RAM");
	close(bad);
	bad = edit_record(fd, MIG_REC_HV_GNTTAB, grant_frame_in_hole);
	refused(bad, EINVAL, "is neither in RAM nor free above it");
	close(bad);
	bad = edit_record(fd, MIG_REC_HV_VCPU, msr_not_saved);
	refused(bad, EINVAL, "MSR 0x1b");
	close(bad);
	close(fd);
}
END_TEST

START_TEST(save_needs_a_paused_domain)
{
	struct shoji_dominfo info;
	char err[256] = "";
	int fd = memfd(), ro, r;

	r = hvsim_domain_new(sim, MEMORY);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(hvsim_vcpu_start(sim, (uint32_t)r), 0);
	ck_assert_int_eq(shoji_ctrl_save(ctrl, (uint32_t)r, fd, NULL, NULL, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EBUSY);
	ck_assert_msg(strstr(err, "not paused") != NULL, "%s", err);
	ck_assert_int_eq(shoji_ctrl_info(ctrl, (uint32_t)r, &info), 0);
	ck_assert_int_ne(info.state, SHOJI_DOMAIN_PAUSED);

	/* A stream that cannot be written: refused, the domain unharmed and still paused. */
	ck_assert_int_eq(shoji_ctrl_pause(ctrl, (uint32_t)r), 0);
	ro = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(ro, 0);
	ck_assert_int_eq(shoji_ctrl_save(ctrl, (uint32_t)r, ro, NULL, NULL, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "cannot write the HV_BEGIN record") != NULL, "%s", err);
	ck_assert_int_eq(shoji_ctrl_info(ctrl, (uint32_t)r, &info), 0);
	ck_assert_int_eq(info.state, SHOJI_DOMAIN_PAUSED);
	ck_assert_int_eq(shoji_ctrl_save(ctrl, (uint32_t)r, fd, NULL, NULL, err, sizeof(err)), 0);
	close(ro);
	close(fd);
}
END_TEST

/* A domain that ran: its vCPU comes back online, with its thread, and runs on unpause. */
START_TEST(started_domain)
{
	struct kvm_vcpu_state before, after;
	struct shoji_dominfo info;
	struct hvsim_call c = {.nr = __HYPERVISOR_xen_version}; /* XENVER_version */
	uint32_t domid = 0;
	char err[256];
	int fd, r;

	r = hvsim_domain_new(sim, MEMORY);
	ck_assert_int_gt(r, 0);
	ck_assert_int_eq(hvsim_vcpu_start(sim, (uint32_t)r), 0);
	ck_assert_int_eq(hvsim_vcpu_call(sim, (uint32_t)r, &c), 0);
	ck_assert_int_gt(c.result, 0);
	ck_assert_int_eq(shoji_ctrl_pause(ctrl, (uint32_t)r), 0);
	fd = save((uint32_t)r, NULL, NULL);
	ck_assert_int_eq(hvsim_vcpu_state(sim, (uint32_t)r, 0, &before, NULL), 0);
	ck_assert_int_eq(restore(fd, SHOJI_CTRL_DOMID_ANY, &domid, err, sizeof(err)), 0);
	ck_assert_int_eq(hvsim_domain_adopt(sim, domid), 0);
	ck_assert_int_eq(hvsim_vcpu_state(sim, domid, 0, &after, NULL), 0);
	ck_assert_mem_eq(&after, &before, sizeof(after));
	ck_assert_int_eq(shoji_ctrl_info(ctrl, domid, &info), 0);
	ck_assert_uint_eq(info.online_vcpus, 1);
	ck_assert_int_eq(info.state, SHOJI_DOMAIN_PAUSED);
	ck_assert_int_eq(shoji_ctrl_unpause(ctrl, domid), 0);
	ck_assert_int_eq(shoji_ctrl_info(ctrl, domid, &info), 0);
	ck_assert_int_ne(info.state, SHOJI_DOMAIN_PAUSED);
	ck_assert_int_eq(shoji_ctrl_destroy(ctrl, domid), 0);
	hvsim_domain_destroy(sim, domid);
	close(fd);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "sim", .name = "save", .setup = setup, .teardown = teardown, .timeout = 60};

	return CHECK_MAIN(c, round_trip, any_domid, bad_streams, hostile_records,
	                  save_needs_a_paused_domain, started_domain);
}
