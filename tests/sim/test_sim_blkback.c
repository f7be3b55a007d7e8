/*
 * test_sim_blkback: shoji-blkback end to end without KVM.  The unchanged
 * daemon runs against hvsim (shoji-hv's own control socket, grant tables
 * and event channels, tests/sim/hvsim.h) and a private shoji-xenstored;
 * this test is the toolstack (the vbd layout of issue 13's contract) and
 * the blkfront of a simulated guest: it grants its ring and data pages,
 * goes through the xenbus handshake, writes and reads patterns (direct and
 * indirect requests) that are checked in the backing file, sends a corrupt
 * ring, kills the daemon and checks a new one adopts the connected device,
 * hot-detaches, and serves a host block device with 4 KiB logical sectors
 * (a loop device, where this host lets root make one).  No guest code runs: what is proven is the Dom0 side.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <linux/loop.h>
#include <unistd.h>

#include <shoji/io/blkif.h>
#include <shoji/io/xenbus.h>
#include <shoji/xs.h>

#include "check-run.h"
#include "hvsim.h"
#include "simtest.h"

#define MEMORY     (16u << 20)
#define DISK_BYTES (4u << 20)
#define DEVID      51712 /* xvda: (202 << 8) | (0 << 4) */
#define RING_REF   8
#define DATA_REF   9 /* DATA_REF + i grants guest page DATA_GFN + i */
#define DATA_GFN   (HVSIM_GFN_FREE + 1)
#define DATA_PAGES 64

static struct simtest t;
static char disk[sizeof(t.dir) + 16], bb_log[sizeof(t.dir) + 16];
static pid_t bb_pid = -1;
static uint32_t domid;
static evtchn_port_t port;
static blkif_front_ring_t ring;
static char fe[64], be[64];

static void start_blkback(const char *log_name)
{
	char bin[512];

	snprintf(bb_log, sizeof(bb_log), "%s/%s", t.dir, log_name);
	bb_pid =
	    simtest_spawn((char *[]){(char *)simtest_built(bin, sizeof(bin),
	                                                   "pv-drivers/dom0/blkback/shoji-blkback"),
	                             "--xs-socket", t.xs_socket, "--hv-socket",
	                             (char *)hvsim_socket(t.sim), "--state-dir", t.dir, NULL},
	                  bb_log);
}

static char *node(const char *dir, const char *name)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return shoji_xs_read(t.xs, SHOJI_XS_NO_TX, path, NULL);
}

static void put(const char *dir, const char *name, const char *value)
{
	simtest_put(&t, dir, name, "%s", value);
}

static void wait_state(const char *dir, enum xenbus_state want)
{
	char v[8], *got = NULL;

	snprintf(v, sizeof(v), "%d", (int)want);
	for (int i = 0; i < SIMTEST_WAIT_MS / 10; i++) {
		free(got);
		got = node(dir, "state");
		if (got && !strcmp(got, v))
			break;
		usleep(10000);
	}
	ck_assert_msg(got && !strcmp(got, v), "%s/state is '%s', not %s (log %s)", dir,
	              got ? got : "(none)", v, bb_log);
	free(got);
}

static uint8_t *page(unsigned int i)
{
	uint8_t *p =
	    hvsim_guest_mem(t.sim, domid, (uint64_t)(DATA_GFN + i) << XEN_PAGE_SHIFT, 4096);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* The toolstack's vbd layout, then the guest's grants, port and Initialised. */
static void setup(void)
{
	char v[96];
	int fd, r;
	blkif_sring_t *s;

	simtest_begin(&t, "test_sim_blkback");
	snprintf(disk, sizeof(disk), "%s/disk.img", t.dir);
	fd = open(disk, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, DISK_BYTES), 0);
	close(fd);
	start_blkback("blkback.log");
	r = hvsim_domain_new(t.sim, MEMORY);
	ck_assert_int_gt(r, 0);
	domid = (uint32_t)r;
	snprintf(fe, sizeof(fe), "/local/domain/%u/device/vbd/%d", domid, DEVID);
	snprintf(be, sizeof(be), "/local/domain/0/backend/vbd/%u/%d", domid, DEVID);
	put(fe, "backend", be);
	put(fe, "backend-id", "0");
	put(fe, "state", "1");
	snprintf(v, sizeof(v), "%d", DEVID);
	put(fe, "virtual-device", v);
	put(fe, "device-type", "disk");
	snprintf(v, sizeof(v), "%u", domid);
	put(be, "frontend-id", v);
	put(be, "online", "1");
	put(be, "state", "1");
	put(be, "params", disk);
	put(be, "type", "file");
	put(be, "mode", "w");
	put(be, "device-type", "disk");
	put(be, "dev", "xvda");
	put(be, "removable", "0");
	put(be, "bootable", "1");
	put(be, "frontend", fe);
	wait_state(be, XenbusStateInitWait);

	s = hvsim_guest_mem(t.sim, domid, (uint64_t)HVSIM_GFN_FREE << XEN_PAGE_SHIFT, 4096);
	ck_assert_ptr_nonnull(s);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&ring, s, 4096);
	ck_assert_int_eq(hvsim_grant(t.sim, domid, RING_REF, 0, HVSIM_GFN_FREE, false), 0);
	for (unsigned int i = 0; i < DATA_PAGES; i++)
		ck_assert_int_eq(hvsim_grant(t.sim, domid, DATA_REF + i, 0, DATA_GFN + i, false),
		                 0);
	r = hvsim_evtchn_alloc(t.sim, domid, 0);
	ck_assert_int_gt(r, 0);
	port = (evtchn_port_t)r;
	snprintf(v, sizeof(v), "%d", RING_REF);
	put(fe, "ring-ref", v);
	snprintf(v, sizeof(v), "%u", port);
	put(fe, "event-channel", v);
	put(fe, "protocol", "x86_64-abi");
	put(fe, "feature-persistent", "1");
	put(fe, "state", "3");
	wait_state(be, XenbusStateConnected);
}

static void teardown(void)
{
	ck_assert_int_eq(simtest_stop(&bb_pid, bb_log), 0);
	simtest_end(&t);
}

/* Publish, notify, and wait for @n responses into @rsp. */
static void exchange(unsigned int n, blkif_response_t *rsp)
{
	unsigned int got = 0;

	RING_PUSH_REQUESTS(&ring);
	ck_assert_int_eq(hvsim_evtchn_send(t.sim, domid, port), 0);
	while (got < n) {
		while (RING_HAS_UNCONSUMED_RESPONSES(&ring) && got < n) {
			RING_COPY_RESPONSE(&ring, ring.rsp_cons, &rsp[got]);
			ring.rsp_cons++;
			got++;
		}
		if (got < n) {
			int more;

			RING_FINAL_CHECK_FOR_RESPONSES(&ring, more); /* rsp_event: notify me */
			if (!more)
				ck_assert_msg(
				    hvsim_evtchn_wait(t.sim, domid, port, SIMTEST_WAIT_MS) == 0,
				    "%u of %u responses (log %s)", got, n, bb_log);
		}
	}
}

static void rw(uint8_t op, uint64_t id, uint64_t sector, unsigned int first_page, unsigned int n)
{
	blkif_request_t *r = RING_GET_REQUEST(&ring, ring.req_prod_pvt++);

	r->operation = op;
	r->nr_segments = (uint8_t)n;
	r->id = id;
	r->sector_number = sector;
	for (unsigned int i = 0; i < n; i++)
		r->seg[i] = (struct blkif_request_segment){
		    .gref = DATA_REF + first_page + i, .first_sect = 0, .last_sect = 7};
}

static uint8_t pat(unsigned int seed, size_t pos)
{
	return (uint8_t)(seed * 31 + pos * 7 + (pos >> 9));
}

START_TEST(test_nodes)
{
	static const char *const want[][2] = {
	    {"sectors", "8192"},
	    {"sector-size", "512"},
	    {"info", "0"},
	    {"feature-flush-cache", "1"},
	    {"feature-barrier", "1"},
	    {"feature-discard", "1"},
	    {"feature-persistent", "1"},
	    {"feature-max-indirect-segments", "256"},
	    {"max-ring-page-order", "4"},
	    {"multi-queue-max-queues", "4"},
	};

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *v = node(be, want[i][0]);

		ck_assert_msg(v && !strcmp(v, want[i][1]), "%s is '%s', not %s", want[i][0],
		              v ? v : "(none)", want[i][1]);
		free(v);
	}
}
END_TEST

/* Patterns written through the ring are in the file; read back through the ring. */
START_TEST(test_write_read)
{
	blkif_response_t rsp[4];
	uint8_t *buf = malloc(11 * 4096);
	int fd;

	for (unsigned int i = 0; i < 11; i++)
		for (size_t b = 0; b < 4096; b++)
			page(i)[b] = pat(1, i * 4096 + b);
	rw(BLKIF_OP_WRITE, 0xaaaa, 64, 0, 11);
	rw(BLKIF_OP_FLUSH_DISKCACHE, 0xbbbb, 0, 0, 0);
	exchange(2, rsp);
	for (int i = 0; i < 2; i++)
		ck_assert_msg(rsp[i].status == BLKIF_RSP_OKAY, "id %llx: %d",
		              (unsigned long long)rsp[i].id, rsp[i].status);
	fd = open(disk, O_RDONLY);
	ck_assert_int_eq(pread(fd, buf, 11 * 4096, 64 * 512), 11 * 4096);
	close(fd);
	for (size_t b = 0; b < 11 * 4096; b++)
		ck_assert_msg(buf[b] == pat(1, b), "file byte %zu", b);
	rw(BLKIF_OP_READ, 0xcccc, 64, 20, 11);
	exchange(1, rsp);
	ck_assert_uint_eq(rsp[0].id, 0xcccc);
	ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
	for (unsigned int i = 0; i < 11; i++)
		for (size_t b = 0; b < 4096; b++)
			ck_assert_msg(page(20 + i)[b] == pat(1, i * 4096 + b), "page %u byte %zu",
			              i, b);
	free(buf);
}
END_TEST

/* An indirect write of 40 pages, its list in guest page 63. */
START_TEST(test_indirect)
{
	blkif_response_t rsp[1];
	blkif_request_indirect_t *r;
	struct blkif_request_segment *list = (struct blkif_request_segment *)page(63);
	uint8_t *buf = malloc(40 * 4096);
	int fd;

	for (unsigned int i = 0; i < 40; i++) {
		memset(page(i), 0x30 + i, 4096);
		list[i] = (struct blkif_request_segment){
		    .gref = DATA_REF + i, .first_sect = 0, .last_sect = 7};
	}
	r = (blkif_request_indirect_t *)RING_GET_REQUEST(&ring, ring.req_prod_pvt++);
	memset(r, 0, sizeof(blkif_request_t));
	r->operation = BLKIF_OP_INDIRECT;
	r->indirect_op = BLKIF_OP_WRITE;
	r->nr_segments = 40;
	r->id = 77;
	r->sector_number = 1024;
	r->indirect_grefs[0] = DATA_REF + 63;
	exchange(1, rsp);
	ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
	ck_assert_uint_eq(rsp[0].operation, BLKIF_OP_INDIRECT);
	fd = open(disk, O_RDONLY);
	ck_assert_int_eq(pread(fd, buf, 40 * 4096, 1024 * 512), 40 * 4096);
	close(fd);
	for (unsigned int i = 0; i < 40; i++)
		ck_assert_uint_eq(buf[i * 4096 + 4095], 0x30 + i);
	free(buf);
}
END_TEST

/* A req_prod far ahead: the device goes to Closing with an error; the daemon lives on. */
START_TEST(test_corrupt_ring)
{
	char *err;

	ring.sring->req_prod = ring.req_prod_pvt + 1000;
	ck_assert_int_eq(hvsim_evtchn_send(t.sim, domid, port), 0);
	wait_state(be, XenbusStateClosing);
	err = node(be, "error");
	ck_assert_msg(err && strstr(err, "corrupt ring"), "error node '%s'", err ? err : "(none)");
	free(err);
	ck_assert(simtest_alive(bb_pid));
}
END_TEST

/* kill -9: a new shoji-blkback adopts the Connected device and serves the ring on. */
START_TEST(test_restart_adopts)
{
	blkif_response_t rsp[1];
	int status;
	char *st;

	rw(BLKIF_OP_WRITE, 1, 0, 0, 1);
	exchange(1, rsp);
	ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
	kill(bb_pid, SIGKILL);
	waitpid(bb_pid, &status, 0);
	bb_pid = -1;
	start_blkback("blkback2.log");
	usleep(300000);
	st = node(be, "state");
	ck_assert_str_eq(st, "4");
	free(st);
	memset(page(5), 0x99, 4096);
	rw(BLKIF_OP_WRITE, 2, 8, 5, 1);
	exchange(1, rsp);
	ck_assert_uint_eq(rsp[0].id, 2);
	ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
	wait_state(be, XenbusStateConnected);
}
END_TEST

/* Hot-detach: online=0 + Closing from the toolstack; the backend answers Closed. */
START_TEST(test_hot_detach)
{
	put(be, "online", "0");
	put(be, "state", "5");
	wait_state(be, XenbusStateClosed);
	/* the grants are no longer mapped: the guest can end access to every one */
	for (int i = 0; i < 200; i++) {
		if (hvsim_ungrant(t.sim, domid, RING_REF) == 0)
			break;
		usleep(10000);
	}
	ck_assert_int_eq(hvsim_grant_flags(t.sim, domid, RING_REF) & (GTF_reading | GTF_writing),
	                 0);
}
END_TEST

/*
 * Another vbd of the domain, @devid, on @params (a path; @type "phy" for a
 * block device, NULL: the backend's default), up to the backend's
 * InitWait; its frontend and backend directories into @fe and @be (64 bytes).
 */
static void add_vbd(int devid, const char *params, const char *type, char *fe_dir, char *be_dir)
{
	char v[16];

	snprintf(fe_dir, 64, "/local/domain/%u/device/vbd/%d", domid, devid);
	snprintf(be_dir, 64, "/local/domain/0/backend/vbd/%u/%d", domid, devid);
	put(fe_dir, "backend", be_dir);
	put(fe_dir, "state", "1");
	snprintf(v, sizeof(v), "%u", domid);
	put(be_dir, "frontend-id", v);
	put(be_dir, "online", "1");
	put(be_dir, "params", params);
	if (type)
		put(be_dir, "type", type);
	put(be_dir, "mode", "w");
	put(be_dir, "frontend", fe_dir);
	wait_state(be_dir, XenbusStateInitWait);
}

/*
 * A second disk with a four-page ring (ring-page-order 2, ring-ref0..3): 100
 * requests (more than one page's 32 slots) in one notification.
 */
START_TEST(test_multipage_ring)
{
	enum { DEVID2 = 51728, RING2_GFN = DATA_GFN + DATA_PAGES, RING2_REF = 200, N = 100 };
	char fe2[64], be2[64], disk2[sizeof(t.dir) + 16], v[96];
	blkif_front_ring_t r2;
	blkif_sring_t *s;
	evtchn_port_t p2;
	unsigned int got = 0;
	int fd, rc;

	snprintf(disk2, sizeof(disk2), "%s/disk2.img", t.dir);
	fd = open(disk2, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, DISK_BYTES), 0);
	add_vbd(DEVID2, disk2, NULL, fe2, be2);
	s = hvsim_guest_mem(t.sim, domid, (uint64_t)RING2_GFN << XEN_PAGE_SHIFT, 4 * 4096);
	ck_assert_ptr_nonnull(s);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&r2, s, 4 * 4096);
	ck_assert_uint_eq(RING_SIZE(&r2), 128);
	for (unsigned int i = 0; i < 4; i++) {
		char name[16];

		ck_assert_int_eq(hvsim_grant(t.sim, domid, RING2_REF + i, 0, RING2_GFN + i, false),
		                 0);
		snprintf(name, sizeof(name), "ring-ref%u", i);
		snprintf(v, sizeof(v), "%u", RING2_REF + i);
		put(fe2, name, v);
	}
	rc = hvsim_evtchn_alloc(t.sim, domid, 0);
	ck_assert_int_gt(rc, 0);
	p2 = (evtchn_port_t)rc;
	snprintf(v, sizeof(v), "%u", p2);
	put(fe2, "event-channel", v);
	put(fe2, "ring-page-order", "2");
	put(fe2, "state", "3");
	wait_state(be2, XenbusStateConnected);
	memset(page(0), 0x6b, 4096);
	for (unsigned int i = 0; i < N; i++) {
		blkif_request_t *q = RING_GET_REQUEST(&r2, r2.req_prod_pvt++);

		q->operation = BLKIF_OP_WRITE;
		q->nr_segments = 1;
		q->id = i;
		q->sector_number = (uint64_t)i * 8;
		q->seg[0] = (struct blkif_request_segment){
		    .gref = DATA_REF, .first_sect = 0, .last_sect = 7};
	}
	RING_PUSH_REQUESTS(&r2);
	ck_assert_int_eq(hvsim_evtchn_send(t.sim, domid, p2), 0);
	while (got < N) {
		int more;

		while (RING_HAS_UNCONSUMED_RESPONSES(&r2)) {
			blkif_response_t rsp;

			RING_COPY_RESPONSE(&r2, r2.rsp_cons, &rsp);
			r2.rsp_cons++;
			ck_assert_int_eq(rsp.status, BLKIF_RSP_OKAY);
			got++;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&r2, more);
		if (!more && got < N)
			ck_assert_msg(hvsim_evtchn_wait(t.sim, domid, p2, SIMTEST_WAIT_MS) == 0,
			              "%u of %d responses (log %s)", got, N, bb_log);
	}
	{
		uint8_t b[4096];

		ck_assert_int_eq(pread(fd, b, 4096, (N - 1) * 4096), 4096);
		ck_assert_uint_eq(b[0], 0x6b);
		ck_assert_uint_eq(b[4095], 0x6b);
	}
	close(fd);
}
END_TEST

/*
 * A third disk, multi-queue: two queues (queue-0/, queue-1/), each with its
 * own ring and event channel; a 32-bit frontend's layout on queue 1.
 */
START_TEST(test_multi_queue)
{
	enum { DEVID3 = 51744, RING_GFN = DATA_GFN + DATA_PAGES + 8, REF = 300 };
	char fe3[64], be3[64], disk3[sizeof(t.dir) + 16], v[96];
	blkif_front_ring_t r0 = {0};
	blkif_x86_32_front_ring_t r1 = {0};
	evtchn_port_t p[2];
	int fd, rc;

	snprintf(disk3, sizeof(disk3), "%s/disk3.img", t.dir);
	fd = open(disk3, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, DISK_BYTES), 0);
	add_vbd(DEVID3, disk3, NULL, fe3, be3);
	for (unsigned int i = 0; i < 2; i++) {
		char dir[96];
		void *s =
		    hvsim_guest_mem(t.sim, domid, (uint64_t)(RING_GFN + i) << XEN_PAGE_SHIFT, 4096);

		ck_assert_ptr_nonnull(s);
		ck_assert_int_eq(hvsim_grant(t.sim, domid, REF + i, 0, RING_GFN + i, false), 0);
		rc = hvsim_evtchn_alloc(t.sim, domid, 0);
		ck_assert_int_gt(rc, 0);
		p[i] = (evtchn_port_t)rc;
		snprintf(dir, sizeof(dir), "%s/queue-%u", fe3, i);
		snprintf(v, sizeof(v), "%u", REF + i);
		put(dir, "ring-ref", v);
		snprintf(v, sizeof(v), "%u", p[i]);
		put(dir, "event-channel", v);
		if (i == 0) {
			SHARED_RING_INIT((blkif_sring_t *)s);
			FRONT_RING_INIT(&r0, (blkif_sring_t *)s, 4096);
		} else {
			SHARED_RING_INIT((blkif_x86_32_sring_t *)s);
			FRONT_RING_INIT(&r1, (blkif_x86_32_sring_t *)s, 4096);
		}
	}
	put(fe3, "multi-queue-num-queues", "2");
	put(fe3, "protocol", "x86_32-abi");
	put(fe3, "state", "3");
	wait_state(be3, XenbusStateConnected);
	memset(page(0), 0x21, 4096);
	memset(page(1), 0x43, 4096);
	{
		struct blkif_x86_32_request *q = RING_GET_REQUEST(&r1, r1.req_prod_pvt++);

		*q = (struct blkif_x86_32_request){
		    .operation = BLKIF_OP_WRITE, .nr_segments = 1, .id = 11, .sector_number = 16};
		q->seg[0] = (struct blkif_request_segment){.gref = DATA_REF + 1, .last_sect = 7};
		RING_PUSH_REQUESTS(&r1);
		ck_assert_int_eq(hvsim_evtchn_send(t.sim, domid, p[1]), 0);
		ck_assert_int_eq(hvsim_evtchn_wait(t.sim, domid, p[1], SIMTEST_WAIT_MS), 0);
		ck_assert(RING_HAS_UNCONSUMED_RESPONSES(&r1));
		ck_assert_uint_eq(RING_GET_RESPONSE(&r1, r1.rsp_cons)->id, 11);
		ck_assert_int_eq(RING_GET_RESPONSE(&r1, r1.rsp_cons)->status, BLKIF_RSP_OKAY);
	}
	{
		uint8_t b[4096];

		ck_assert_int_eq(pread(fd, b, 4096, 16 * 512), 4096);
		ck_assert_uint_eq(b[0], 0x43);
		ck_assert_uint_eq(RING_HAS_UNCONSUMED_RESPONSES(&r0), 0); /* nothing on queue 0 */
	}
	close(fd);
}
END_TEST

/*
 * A loop device over a file, with 4096-byte logical sectors; its path in
 * @dev.  -1 when this host cannot make one (not root, no loop driver).
 */
static int make_loop(const char *file, char *dev, size_t len)
{
	/* Autoclear: the device goes with its last user, even when the test fails half-way. */
	struct loop_config lc = {.block_size = 4096, .info.lo_flags = LO_FLAGS_AUTOCLEAR};
	int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC), n, lfd = -1;

	if (ctl < 0)
		return -1;
	lc.fd = (uint32_t)open(file, O_RDWR | O_CLOEXEC);
	n = ioctl(ctl, LOOP_CTL_GET_FREE);
	close(ctl);
	if (n >= 0) {
		snprintf(dev, len, "/dev/loop%d", n);
		lfd = open(dev, O_RDWR | O_CLOEXEC);
	}
	if (lfd >= 0 && ioctl(lfd, LOOP_CONFIGURE, &lc) < 0) {
		close(lfd);
		lfd = -1;
	}
	close((int)lc.fd);
	return lfd;
}

/*
 * A host block device as the store (type phy): a loop device with 4 KiB
 * logical and physical sectors.  The vbd still speaks 512-byte sectors, as
 * blkif defines them, says physical-sector-size 4096 so a frontend aligns,
 * and both an aligned 4 KiB write and a single 512-byte sector written
 * through the ring reach the device.
 */
START_TEST(test_block_device)
{
	enum { DEVID4 = 51760, RING4_GFN = DATA_GFN + DATA_PAGES, RING4_REF = 400 };
	char fe4[64], be4[64], file[sizeof(t.dir) + 16], dev[32], v[96], *got;
	blkif_front_ring_t r4;
	blkif_sring_t *s;
	evtchn_port_t p4;
	blkif_request_t *q;
	uint8_t b[4096];
	int fd, lfd, rc;

	snprintf(file, sizeof(file), "%s/disk4.img", t.dir);
	fd = open(file, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, DISK_BYTES), 0);
	close(fd);
	lfd = make_loop(file, dev, sizeof(dev));
	if (lfd < 0) {
		fprintf(stderr, "SKIP: test_block_device NOT RUN: this host gives no loop device "
		                "(needs root and the loop driver)\n");
		return;
	}
	add_vbd(DEVID4, dev, "phy", fe4, be4);
	got = node(be4, "sectors");
	ck_assert_str_eq(got, "8192"); /* 4 MiB in blkif's 512-byte sectors */
	free(got);
	got = node(be4, "physical-sector-size");
	ck_assert_str_eq(got, "4096");
	free(got);
	s = hvsim_guest_mem(t.sim, domid, (uint64_t)RING4_GFN << XEN_PAGE_SHIFT, 4096);
	ck_assert_ptr_nonnull(s);
	SHARED_RING_INIT(s);
	FRONT_RING_INIT(&r4, s, 4096);
	ck_assert_int_eq(hvsim_grant(t.sim, domid, RING4_REF, 0, RING4_GFN, false), 0);
	rc = hvsim_evtchn_alloc(t.sim, domid, 0);
	ck_assert_int_gt(rc, 0);
	p4 = (evtchn_port_t)rc;
	snprintf(v, sizeof(v), "%d", RING4_REF);
	put(fe4, "ring-ref", v);
	snprintf(v, sizeof(v), "%u", p4);
	put(fe4, "event-channel", v);
	put(fe4, "state", "3");
	wait_state(be4, XenbusStateConnected);
	/*
	 * Page 0 at sector 8 (aligned); page 1 at sector 33 (its offset is not a
	 * 4 KiB block's); sector 1 of page 2 alone at sector 50, with a flush.
	 */
	memset(page(0), 0x5a, 4096);
	memset(page(1), 0xa5, 4096);
	memset(page(2), 0x3c, 4096);
	for (unsigned int i = 0; i < 3; i++) {
		static const uint64_t sector[] = {8, 33, 50};

		q = RING_GET_REQUEST(&r4, r4.req_prod_pvt++);
		*q = (blkif_request_t){.operation =
		                           i == 2 ? BLKIF_OP_FLUSH_DISKCACHE : BLKIF_OP_WRITE,
		                       .nr_segments = 1,
		                       .id = i,
		                       .sector_number = sector[i]};
		q->seg[0] = (struct blkif_request_segment){.gref = DATA_REF + i,
		                                           .first_sect = i == 2 ? 1 : 0,
		                                           .last_sect = i == 2 ? 1 : 7};
	}
	RING_PUSH_REQUESTS(&r4);
	ck_assert_int_eq(hvsim_evtchn_send(t.sim, domid, p4), 0);
	for (unsigned int n = 0; n < 3;) {
		int more;

		while (RING_HAS_UNCONSUMED_RESPONSES(&r4)) {
			blkif_response_t rsp;

			RING_COPY_RESPONSE(&r4, r4.rsp_cons, &rsp);
			r4.rsp_cons++;
			ck_assert_msg(rsp.status == BLKIF_RSP_OKAY, "id %llu: %d (log %s)",
			              (unsigned long long)rsp.id, rsp.status, bb_log);
			n++;
		}
		RING_FINAL_CHECK_FOR_RESPONSES(&r4, more);
		if (!more && n < 3)
			ck_assert_msg(hvsim_evtchn_wait(t.sim, domid, p4, SIMTEST_WAIT_MS) == 0,
			              "%u of 3 responses (log %s)", n, bb_log);
	}
	/* Read back from the device itself, in its own 4 KiB blocks (1 .. 6). */
	for (unsigned int blk = 1; blk < 7; blk++) {
		ck_assert_int_eq(pread(lfd, b, 4096, (off_t)blk * 4096), 4096);
		for (size_t i = 0; i < 4096; i++) {
			size_t at = blk * 4096 + i;
			uint8_t want = at >= 4096 && at < 8192           ? 0x5a
			               : at >= 33 * 512 && at < 41 * 512 ? 0xa5
			               : at >= 50 * 512 && at < 51 * 512 ? 0x3c
			                                                 : 0;

			ck_assert_msg(b[i] == want, "device byte %zu is %#x, not %#x", at, b[i],
			              want);
		}
	}
	put(be4, "online", "0");
	put(fe4, "state", "5");
	wait_state(be4, XenbusStateClosed);
	close(lfd);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "sim_blkback",
	                             .name = "vbd",
	                             .setup = setup,
	                             .teardown = teardown,
	                             .timeout = 60};

	return CHECK_MAIN(c, test_nodes, test_write_read, test_indirect, test_corrupt_ring,
	                  test_restart_adopts, test_hot_detach, test_multipage_ring,
	                  test_multi_queue, test_block_device);
}
