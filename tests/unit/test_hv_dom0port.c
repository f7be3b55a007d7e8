/*
 * Unit tests of Dom0's side of event channels and grants (dom0port.c): the
 * CTRL_EVTCHN / CTRL_GNTTAB handlers against one fake guest (no KVM, no
 * control socket: the tests call the handlers as control.c's dispatcher
 * does, the reply starting as a copy of the request).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <shoji/event_channel.h>
#include <shoji/grant_table.h>
#include <shoji/xen.h>

#include "proto/hv-dom0.h"
#include "dom0port.h"
#include "evtchn.h"
#include "evtglue.h"
#include "gnttab.h"
#include "hypercall.h"
#include "test_hv_platform.h"
#include "check-run.h"

#define MEM        (4u << 20)
#define PAGE       4096u
#define GNT_GFN    16u /* where the guest places grant frame 0 */
#define DATA_GFN   17u /* the page it grants */
#define MEMFD_GFN  18u /* a page only the guest memory file shows */
#define SHINFO_GFN 19u
#define CB_GFN     20u          /* a FIFO guest's control block page */
#define ARRAY_GFN  21u          /* its first event array page */
#define ARG_GPA    (22u * PAGE) /* hypercall arguments (paging off: GVA = GPA) */

static struct domain *d;
static struct shared_info *si; /* the guest's, in RAM */
static struct hv *hv;
static int memfd = -1;
static char client_a, client_b;
#define A ((struct ctrl_client *)&client_a)
#define B ((struct ctrl_client *)&client_b)

static void setup(void)
{
	d = fake_domain_new(MEM, 1);
	hv = d->hv;
	hv->kvm.nr_memslots = 64; /* room for grant maps */
	memfd = memfd_create("test-guest-ram", MFD_CLOEXEC);
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_eq(ftruncate(memfd, MEM), 0);
	d->vm.memfd = memfd;
	ck_assert_int_eq(evtglue_hv_init(hv), 0);
	ck_assert_int_eq(dom0port_hv_init(hv), 0);
	ck_assert_int_eq(evtglue_domain_create(d, 0), 0);
	si = (struct shared_info *)(d->mem.base + SHINFO_GFN * PAGE);
	d->shared_info = si;
	evtglue_shared_info_moved(d);
}

static void teardown(void)
{
	dom0port_release(hv, A);
	dom0port_release(hv, B);
	evtglue_domain_destroy(d);
	dom0port_hv_fini(hv);
	evtglue_hv_fini(hv);
	d->vm.memfd = -1;
	close(memfd);
	fake_domain_free(d);
}

/*
 * One request, as control.c's dispatcher serves it: the reply starts as a
 * copy of the request (*@q, @size bytes) and replaces it; *@fd is what the
 * handler passes (closed when @fd is NULL).
 */
static int request(ctrl_fn *fn, struct ctrl_client *c, void *q, size_t size, int *fd)
{
	union {
		struct ctrl_evtchn e;
		struct ctrl_gnttab g;
	} reply;
	int pass_fd = -1, r;

	ck_assert_uint_le(size, sizeof(reply));
	memcpy(&reply, q, size);
	r = fn(hv, c, q, &reply, &pass_fd);
	memcpy(q, &reply, size);
	if (fd)
		*fd = pass_fd;
	else if (pass_fd >= 0)
		close(pass_fd);
	return r;
}

#define call(fn, c, q, fd) request((fn), (c), (q), sizeof(*(q)), (fd))

/* Events counted on a Dom0 port's eventfd since the last look (0: none). */
static uint64_t events(int fd)
{
	uint64_t n = 0;

	if (read(fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return 0;
	return n;
}

/* The guest's port table. */
static struct evtchn_domain *guest_ports(void)
{
	struct evtchn_domain *ec = evtglue_port_table(d);

	ck_assert_ptr_nonnull(ec);
	evtchn_domain_put(ec); /* the domain keeps it */
	return ec;
}

/* Is @port pending in the guest's shared_info? */
static bool guest_pending(evtchn_port_t port)
{
	return __atomic_load_n(&si->evtchn_pending[port / 64], __ATOMIC_SEQ_CST) &
	       (1ULL << (port % 64));
}

/* Dom0 binds an unbound port for the guest, and the guest binds to it. */
static evtchn_port_t connect(int *fd, evtchn_port_t *guest_port)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_BIND_UNBOUND, .domid = d->domid};
	struct evtchn_bind_interdomain op = {.remote_dom = 0};

	ck_assert_int_eq(call(dom0port_bind_unbound, A, &q, fd), 0);
	ck_assert_int_ge(*fd, 0);
	op.remote_port = q.port;
	ck_assert_int_eq(evtchn_bind_interdomain(guest_ports(), &op), 0);
	*guest_port = op.local_port;
	return q.port;
}

START_TEST(interdomain_both_ways)
{
	evtchn_port_t port, gport;
	struct ctrl_evtchn q;
	int fd;

	port = connect(&fd, &gport);
	ck_assert_uint_eq(events(fd), 0);
	ck_assert_int_eq(evtchn_send(guest_ports(), gport), 0);
	ck_assert_uint_eq(events(fd), 1);

	/* The guest handles the event the bind raised, then Dom0 sends one. */
	ck_assert(guest_pending(gport));
	__atomic_and_fetch(&si->evtchn_pending[gport / 64], ~(1ULL << (gport % 64)),
	                   __ATOMIC_SEQ_CST);
	q = (struct ctrl_evtchn){.op = CTRL_EVTCHN_SEND, .port = port};
	ck_assert_int_eq(call(dom0port_send, A, &q, NULL), 0);
	ck_assert(guest_pending(gport));
	/* Only the client that bound a port acts on it. */
	ck_assert_int_eq(call(dom0port_send, B, &q, NULL), -ENOTCONN);
	q.op = CTRL_EVTCHN_UNBIND;
	ck_assert_int_eq(call(dom0port_unbind, B, &q, NULL), -ENOTCONN);
	ck_assert_int_eq(call(dom0port_unbind, A, &q, NULL), 0);
	ck_assert_int_eq(call(dom0port_unbind, A, &q, NULL), -ENOTCONN);
	close(fd);
}
END_TEST

START_TEST(bind_errors)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_BIND_UNBOUND, .domid = DOMID_FIRST_RESERVED};
	int fd;

	ck_assert_int_eq(call(dom0port_bind_unbound, A, &q, &fd), -ESRCH);
	q = (struct ctrl_evtchn){.op = CTRL_EVTCHN_BIND_INTERDOMAIN, .domid = DOMID_SELF};
	ck_assert_int_eq(call(dom0port_bind_interdomain, A, &q, &fd), -ESRCH);
	/* Port 1 of the guest is not an unbound port waiting for Dom0. */
	q = (struct ctrl_evtchn){
	    .op = CTRL_EVTCHN_BIND_INTERDOMAIN, .domid = d->domid, .remote_port = 1};
	ck_assert_int_lt(call(dom0port_bind_interdomain, A, &q, &fd), 0);
	ck_assert_int_eq(fd, -1);
}
END_TEST

START_TEST(virq_dom_exc_and_release)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_BIND_VIRQ, .virq = VIRQ_DOM_EXC};
	evtchn_port_t gport;
	int fd, fd2;

	ck_assert_int_eq(call(dom0port_bind_virq, A, &q, &fd), 0);
	evtglue_dom_exc(hv);
	ck_assert_uint_eq(events(fd), 1);
	close(fd);

	/* A client's ports go with it: the guest's peer port becomes unbound. */
	connect(&fd2, &gport);
	dom0port_release(hv, A);
	q = (struct ctrl_evtchn){.op = CTRL_EVTCHN_SEND, .port = q.port};
	ck_assert_int_eq(call(dom0port_send, A, &q, NULL), -ENOTCONN);
	ck_assert_int_eq(evtchn_send(guest_ports(), gport), 0); /* dropped, not delivered */
	ck_assert_uint_eq(events(fd2), 0);
	q = (struct ctrl_evtchn){
	    .op = CTRL_EVTCHN_BIND_INTERDOMAIN, .domid = d->domid, .remote_port = gport};
	ck_assert_int_eq(call(dom0port_bind_interdomain, B, &q, &fd),
	                 0); /* unbound for Dom0 again */
	close(fd);
	close(fd2);
}
END_TEST

START_TEST(toolstack_ops)
{
	struct ctrl_evtchn q = {.op = CTRL_EVTCHN_ALLOC_IN, .domid = d->domid, .remote_port = 0};
	struct ctrl_evtchn b = {.op = CTRL_EVTCHN_BIND_INTERDOMAIN, .domid = d->domid};
	int fd;

	ck_assert_int_eq(call(dom0port_alloc_in, A, &q, NULL), 0);
	ck_assert_uint_gt(q.port, 0);
	/* Dom0 (remote 0) may bind it. */
	b.remote_port = q.port;
	ck_assert_int_eq(call(dom0port_bind_interdomain, A, &b, &fd), 0);
	close(fd);
	q = (struct ctrl_evtchn){.op = CTRL_EVTCHN_ALLOC_IN, .domid = 0};
	ck_assert_int_eq(call(dom0port_alloc_in, A, &q, NULL), -EINVAL);
	q = (struct ctrl_evtchn){.op = CTRL_EVTCHN_ALLOC_IN, .domid = DOMID_FIRST_RESERVED};
	ck_assert_int_eq(call(dom0port_alloc_in, A, &q, NULL), -ESRCH);
	q = (struct ctrl_evtchn){
	    .op = CTRL_EVTCHN_ALLOC_IN, .domid = d->domid, .remote_port = DOMID_FIRST_RESERVED};
	ck_assert_int_eq(call(dom0port_alloc_in, A, &q, NULL), -EINVAL);

	q = (struct ctrl_evtchn){
	    .op = CTRL_EVTCHN_SET_MAX_PORT, .domid = d->domid, .remote_port = 63};
	ck_assert_int_eq(call(dom0port_set_max_port, A, &q, NULL), 0);
	q.domid = 2;
	ck_assert_int_eq(call(dom0port_set_max_port, A, &q, NULL), -ESRCH);
	d->started = true;
	q.domid = d->domid;
	ck_assert_int_eq(call(dom0port_set_max_port, A, &q, NULL), -EBUSY);
}
END_TEST

/* The guest places its grant frame 0 and grants DATA_GFN to Dom0 as ref 5. */
static grant_entry_v1_t *grant_to_dom0(bool readonly)
{
	grant_entry_v1_t *t = (grant_entry_v1_t *)(d->mem.base + GNT_GFN * PAGE);

	ck_assert_int_eq(evtglue_map_grant_frame(d, 0, GNT_GFN), 0);
	t[5].frame = DATA_GFN;
	t[5].domid = 0;
	__atomic_store_n(&t[5].flags, (uint16_t)(GTF_permit_access | (readonly ? GTF_readonly : 0)),
	                 __ATOMIC_RELEASE);
	return &t[5];
}

START_TEST(grant_map_unmap)
{
	grant_entry_v1_t *e = grant_to_dom0(true);
	struct ctrl_gnttab q = {.op = CTRL_GNT_MAP,
	                        .domid = d->domid,
	                        .ref = 5,
	                        .flags = CTRL_GNT_READONLY | CTRL_GNT_WANT_FD};
	struct ctrl_gnttab u;
	int fd;

	ck_assert_int_eq(call(dom0port_gnt_map, A, &q, &fd), 0);
	ck_assert_int_eq(q.gntst, GNTST_okay);
	ck_assert_uint_eq(q.gfn, DATA_GFN);
	ck_assert_uint_eq(q.mem_size, MEM);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert(e->flags & GTF_reading); /* pinned while mapped */

	u = (struct ctrl_gnttab){.op = CTRL_GNT_UNMAP, .handle = q.handle};
	ck_assert_int_eq(call(dom0port_gnt_unmap, B, &u, NULL), 0);
	ck_assert_int_eq(u.gntst, GNTST_bad_handle);
	ck_assert_int_eq(call(dom0port_gnt_unmap, A, &u, NULL), 0);
	ck_assert_int_eq(u.gntst, GNTST_okay);
	ck_assert(!(e->flags & GTF_reading));

	/* Read-only grant, writable map; no such ref; no such domain. */
	q = (struct ctrl_gnttab){.op = CTRL_GNT_MAP, .domid = d->domid, .ref = 5};
	ck_assert_int_eq(call(dom0port_gnt_map, A, &q, &fd), 0);
	ck_assert_int_eq(q.gntst, GNTST_general_error);
	ck_assert_int_eq(fd, -1);
	q = (struct ctrl_gnttab){.op = CTRL_GNT_MAP, .domid = d->domid, .ref = 100000};
	ck_assert_int_eq(call(dom0port_gnt_map, A, &q, NULL), 0);
	ck_assert_int_eq(q.gntst, GNTST_bad_gntref);
	q = (struct ctrl_gnttab){.op = CTRL_GNT_MAP, .domid = 2, .ref = 5};
	ck_assert_int_eq(call(dom0port_gnt_map, A, &q, NULL), 0);
	ck_assert_int_eq(q.gntst, GNTST_bad_domain);
	q.domid = DOMID_FIRST_RESERVED;
	ck_assert_int_eq(call(dom0port_gnt_map, A, &q, NULL), -ESRCH);

	/* A client's maps go with it. */
	q = (struct ctrl_gnttab){
	    .op = CTRL_GNT_MAP, .domid = d->domid, .ref = 5, .flags = CTRL_GNT_READONLY};
	ck_assert_int_eq(call(dom0port_gnt_map, B, &q, &fd), 0);
	ck_assert_int_eq(q.gntst, GNTST_okay);
	ck_assert_int_eq(fd, -1); /* not asked for */
	ck_assert(e->flags & GTF_reading);
	dom0port_release(hv, B);
	ck_assert(!(e->flags & GTF_reading));
}
END_TEST

START_TEST(foreign_map)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_FOREIGN,
	                        .domid = d->domid,
	                        .gfn = MEMFD_GFN,
	                        .count = 2,
	                        .flags = CTRL_GNT_WANT_FD};
	uint8_t byte = 0x5a, seen = 0;
	struct stat st;
	int fd;

	ck_assert_int_eq(call(dom0port_gnt_foreign, A, &q, &fd), 0);
	ck_assert_uint_eq(q.mem_size, MEM);
	ck_assert_int_ge(fd, 0);
	/* The fd is a copy of the guest's memory file. */
	ck_assert_int_eq(pwrite(memfd, &byte, 1, MEMFD_GFN * PAGE), 1);
	ck_assert_int_eq(pread(fd, &seen, 1, MEMFD_GFN * PAGE), 1);
	ck_assert_uint_eq(seen, byte);
	close(fd);

	/* The reply names the file; a client holding it gets no copy, one holding another does. */
	ck_assert_int_eq(fstat(memfd, &st), 0);
	ck_assert_uint_eq(q.mem_id, (uint64_t)st.st_ino);
	q.flags = 0;
	ck_assert_int_eq(call(dom0port_gnt_foreign, A, &q, &fd), 0);
	ck_assert_int_eq(fd, -1);
	q.mem_id = (uint64_t)st.st_ino + 1; /* an earlier domain's of the same id */
	ck_assert_int_eq(call(dom0port_gnt_foreign, A, &q, &fd), 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_eq(q.mem_id, (uint64_t)st.st_ino);
	close(fd);

	q.count = 0;
	ck_assert_int_eq(call(dom0port_gnt_foreign, A, &q, NULL), -EINVAL);
	q.gfn = MEM / PAGE - 1;
	q.count = 2;
	ck_assert_int_eq(call(dom0port_gnt_foreign, A, &q, NULL), -EINVAL);
	q.gfn = 0;
	q.domid = 2;
	ck_assert_int_eq(call(dom0port_gnt_foreign, A, &q, NULL), -ESRCH);
}
END_TEST

START_TEST(arena_copy)
{
	struct ctrl_gnttab q = {.op = CTRL_GNT_ARENA, .count = 2 * PAGE};
	uint8_t *guest = d->mem.base + DATA_GFN * PAGE;
	struct ctrl_gnt_copy *segs;
	uint8_t *arena;
	int fd;

	grant_to_dom0(false);
	memset(guest, 0xab, PAGE);
	ck_assert_int_eq(call(dom0port_gnt_arena, A, &q, &fd), 0);
	ck_assert_uint_eq(q.mem_size, 2 * PAGE);
	ck_assert_int_ge(fd, 0);
	arena = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(arena, MAP_FAILED);
	close(fd);
	ck_assert_int_eq(call(dom0port_gnt_arena, A, &q, NULL), -EBUSY);

	/* Guest -> arena, arena -> guest, a range outside the arena, a bad flag. */
	segs = (struct ctrl_gnt_copy *)arena;
	memset(arena + PAGE, 0xcd, 16);
	segs[0] = (struct ctrl_gnt_copy){.arena_off = PAGE + 100, .ref = 5, .domid = 1, .len = 8};
	segs[1] = (struct ctrl_gnt_copy){.arena_off = PAGE,
	                                 .ref = 5,
	                                 .domid = 1,
	                                 .offset = 8,
	                                 .len = 4,
	                                 .flags = CTRL_GNT_TO_GUEST};
	segs[2] = (struct ctrl_gnt_copy){.arena_off = 2 * PAGE - 2, .ref = 5, .domid = 1, .len = 4};
	segs[3] =
	    (struct ctrl_gnt_copy){.arena_off = PAGE, .ref = 5, .domid = 1, .len = 4, .flags = 4};
	segs[4] = (struct ctrl_gnt_copy){
	    .arena_off = PAGE, .ref = 5, .domid = 1, .offset = 4094, .len = 4};
	q = (struct ctrl_gnttab){.op = CTRL_GNT_COPY, .nr_segs = 5, .segs_off = 0};
	ck_assert_int_eq(call(dom0port_gnt_copy, A, &q, NULL), 0);
	ck_assert_int_eq(segs[0].status, GNTST_okay);
	ck_assert_uint_eq(arena[PAGE + 100], 0xab);
	ck_assert_int_eq(segs[1].status, GNTST_okay);
	ck_assert_uint_eq(guest[8], 0xcd);
	ck_assert_uint_eq(guest[12], 0xab);
	ck_assert_int_eq(segs[2].status, GNTST_bad_virt_addr);
	ck_assert_int_eq(segs[3].status, GNTST_general_error);
	ck_assert_int_eq(segs[4].status, GNTST_bad_copy_arg);

	/* The batch must lie in the arena, 8-aligned; only the arena's client copies. */
	q.segs_off = 4;
	ck_assert_int_eq(call(dom0port_gnt_copy, A, &q, NULL), -EINVAL);
	q.segs_off = 2 * PAGE - 8;
	ck_assert_int_eq(call(dom0port_gnt_copy, A, &q, NULL), -EFAULT);
	q.segs_off = 0;
	q.nr_segs = CTRL_GNT_COPY_SEGS + 1;
	ck_assert_int_eq(call(dom0port_gnt_copy, A, &q, NULL), -EINVAL);
	q.nr_segs = 1;
	ck_assert_int_eq(call(dom0port_gnt_copy, B, &q, NULL), -ENXIO);

	q = (struct ctrl_gnttab){.op = CTRL_GNT_ARENA, .count = PAGE + 1};
	ck_assert_int_eq(call(dom0port_gnt_arena, B, &q, NULL), -EINVAL);
	q.count = (uint64_t)CTRL_GNT_ARENA_MAX + PAGE;
	ck_assert_int_eq(call(dom0port_gnt_arena, B, &q, NULL), -EINVAL);
	munmap(arena, 2 * PAGE);
}
END_TEST

/* HYPERVISOR_event_channel_op(@cmd, *@arg) from the guest's vCPU 0; the result back in *@arg. */
static long guest_evtchn_op(unsigned int cmd, void *arg, size_t len)
{
	const uint64_t a[5] = {cmd, ARG_GPA, 0, 0, 0};
	long r;

	memcpy(d->mem.base + ARG_GPA, arg, len);
	r = hypercall_dispatch(d->vcpus[0], __HYPERVISOR_event_channel_op, a);
	memcpy(arg, d->mem.base + ARG_GPA, len);
	return r;
}

#define guest_op(cmd, arg) guest_evtchn_op((cmd), (arg), sizeof(*(arg)))

/* A FIFO guest, set up by hypercalls, and Dom0 on the other end of a channel. */
START_TEST(fifo_guest_and_dom0)
{
	struct evtchn_init_control ic = {.control_gfn = MEM / PAGE, .offset = 64, .vcpu = 0};
	struct evtchn_expand_array ea = {.array_gfn = MEM / PAGE};
	struct evtchn_fifo_control_block *cb = (void *)(d->mem.base + CB_GFN * PAGE + 64);
	event_word_t *words = (void *)(d->mem.base + ARRAY_GFN * PAGE);
	const event_word_t linked = 1u << EVTCHN_FIFO_PENDING | 1u << EVTCHN_FIFO_LINKED;
	struct ctrl_evtchn q;
	struct evtchn_send send;
	evtchn_port_t port, gport;
	int fd;

	/* Xen's checks, through the hypercall: frame not RAM, misaligned, no such vCPU. */
	ck_assert_int_eq(guest_op(EVTCHNOP_init_control, &ic), -XEN_EINVAL);
	ic.control_gfn = CB_GFN;
	ic.offset = 68;
	ck_assert_int_eq(guest_op(EVTCHNOP_init_control, &ic), -XEN_EINVAL);
	ic.offset = 64;
	ic.vcpu = 1;
	ck_assert_int_eq(guest_op(EVTCHNOP_init_control, &ic), -XEN_ENOENT);
	ck_assert_int_eq(guest_op(EVTCHNOP_expand_array, &ea), -XEN_EOPNOTSUPP);
	ic.vcpu = 0;
	ck_assert_int_eq(guest_op(EVTCHNOP_init_control, &ic), 0);
	ck_assert_uint_eq(ic.link_bits, EVTCHN_FIFO_LINK_BITS);
	ck_assert_int_eq(guest_op(EVTCHNOP_init_control, &ic), -XEN_EINVAL);
	ck_assert_int_eq(guest_op(EVTCHNOP_expand_array, &ea), -XEN_EINVAL);
	ea.array_gfn = ARRAY_GFN;
	ck_assert_int_eq(guest_op(EVTCHNOP_expand_array, &ea), 0);

	/* Dom0 offers a port and the guest binds: the bind's event lands in its queue. */
	port = connect(&fd, &gport);
	ck_assert_uint_eq(words[gport], linked);
	ck_assert_uint_eq(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], gport);
	ck_assert_uint_eq(cb->ready, 1u << EVTCHN_FIFO_PRIORITY_DEFAULT);
	ck_assert_uint_eq(si->vcpu_info[0].evtchn_upcall_pending, 1);
	ck_assert_uint_eq(fake_log.upcalls, 1);
	ck_assert(!guest_pending(gport)); /* not in the 2-level bitmap */
	ck_assert(evtglue_any_pending(d, &gport, 1));

	/* The guest handles it; then Dom0 sends one. */
	words[gport] = 0;
	cb->ready = 0;
	si->vcpu_info[0].evtchn_upcall_pending = 0;
	ck_assert(!evtglue_any_pending(d, &gport, 1));
	q = (struct ctrl_evtchn){.op = CTRL_EVTCHN_SEND, .port = port};
	ck_assert_int_eq(call(dom0port_send, A, &q, NULL), 0);
	ck_assert_uint_eq(words[gport], linked);
	ck_assert_uint_eq(cb->head[EVTCHN_FIFO_PRIORITY_DEFAULT], gport);
	ck_assert_uint_eq(fake_log.upcalls, 2);

	/* The guest sends to Dom0. */
	ck_assert_uint_eq(events(fd), 0);
	send.port = gport;
	ck_assert_int_eq(guest_op(EVTCHNOP_send, &send), 0);
	ck_assert_uint_eq(events(fd), 1);
	close(fd);
}
END_TEST

int main(void)
{
	const struct check_case c = {
	    .suite = "hv_dom0port", .name = "hv_dom0port", .setup = setup, .teardown = teardown};

	return CHECK_MAIN(c, interdomain_both_ways, bind_errors, virq_dom_exc_and_release,
	                  toolstack_ops, grant_map_unmap, foreign_map, arena_copy,
	                  fifo_guest_and_dom0);
}
