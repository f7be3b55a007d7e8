/*
 * Unit tests of shoji-blkback's ring consumer (vbd_ring.c) driven by a
 * frontend written against the public ring macros in this process.  The
 * segment mapper is the test's: "guest memory" is a memfd, grant ref N is
 * its page N, and a mapping maps those pages (as libshoji-gnttab maps the
 * guest's memory file), so no shoji-hv is needed.  Data goes to a real
 * temp file through the real engine, both io_uring and threads.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>

#include "check-run.h"
#include "test_blkif_util.h"
#include "vbd_ring.h"

#define GUEST_PAGES 64
#define DISK_BYTES  (4u << 20)

static const enum blk_engine_kind kinds[] = {BLK_ENGINE_URING, BLK_ENGINE_THREADS};
static char path[256];
static struct blk_store store;
static struct blk_engine *eng;
static int memfd;
static uint8_t *guest; /* the frontend's view of its memory */
static void *sring_mem;
static blkif_front_ring_t front;
static struct vbd_ring *ring;
static int maps_live, notifies;
static char broken_why[200];

static void *test_map(void *arg, uint32_t n, const grant_ref_t *refs, bool writable)
{
	uint8_t *area = mmap(NULL, (size_t)n * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ck_assert_ptr_ne(area, MAP_FAILED);
	for (uint32_t i = 0; i < n; i++) {
		if (refs[i] >= GUEST_PAGES) { /* not granted: refused, as shoji-hv would */
			munmap(area, (size_t)n * 4096);
			return NULL;
		}
		ck_assert_ptr_ne(mmap(area + (size_t)i * 4096, 4096,
		                      writable ? PROT_READ | PROT_WRITE : PROT_READ,
		                      MAP_SHARED | MAP_FIXED, memfd, (off_t)refs[i] * 4096),
		                 MAP_FAILED);
	}
	maps_live++;
	return area;
}

static void test_unmap(void *arg, void *addr, uint32_t n)
{
	maps_live--;
	munmap(addr, (size_t)n * 4096);
}

static void test_notify(void *arg)
{
	notifies++;
}

static void test_broken(void *arg, const char *why)
{
	snprintf(broken_why, sizeof(broken_why), "%s", why);
}

static bool persistent, abi32;
static unsigned int max_persistent;

static void attach(bool readonly)
{
	struct vbd_ring_config cfg = {.sring = sring_mem,
	                              .abi32 = abi32,
	                              .ring_pages = 1,
	                              .store = &store,
	                              .limits = {.sectors = store.sectors,
	                                         .readonly = readonly,
	                                         .discard = store.discard,
	                                         .max_indirect_segs = BLK_MAX_INDIRECT_SEGS},
	                              .engine = eng,
	                              .mapper = {test_map, test_unmap, NULL},
	                              .persistent = persistent,
	                              .max_persistent = max_persistent,
	                              .notify = test_notify,
	                              .broken = test_broken};

	ring = vbd_ring_new(&cfg);
	ck_assert_ptr_nonnull(ring);
}

static bool use_persistent;

static void setup_kind(int i)
{
	char err[256];

	temp_disk(path, sizeof(path), DISK_BYTES);
	ck_assert_msg(blk_store_open(&store, path, false, err, sizeof(err)) == 0, "%s", err);
	eng = blk_engine_new(kinds[i], 64, NULL, 0);
	if (!eng && kinds[i] == BLK_ENGINE_URING) /* disabled on this kernel */
		eng = blk_engine_new(BLK_ENGINE_THREADS, 64, NULL, 0);
	ck_assert_ptr_nonnull(eng);
	memfd = memfd_create("guest", MFD_CLOEXEC);
	ck_assert_int_ge(memfd, 0);
	ck_assert_int_eq(ftruncate(memfd, GUEST_PAGES * 4096), 0);
	guest = mmap(NULL, GUEST_PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	ck_assert_ptr_ne(guest, MAP_FAILED);
	ck_assert_int_eq(posix_memalign(&sring_mem, 4096, 4096), 0);
	SHARED_RING_INIT((blkif_sring_t *)sring_mem);
	FRONT_RING_INIT(&front, (blkif_sring_t *)sring_mem, 4096);
	maps_live = notifies = 0;
	broken_why[0] = '\0';
	persistent = use_persistent;
	max_persistent = 0;
	attach(false);
}

static void teardown(void)
{
	vbd_ring_free(ring);
	ring = NULL;
	ck_assert_int_eq(maps_live, 0); /* every segment mapping was released */
	blk_engine_free(eng);
	blk_store_close(&store);
	munmap(guest, GUEST_PAGES * 4096);
	close(memfd);
	free(sring_mem);
	unlink(path);
}

static void push(const struct blkif_request *r)
{
	memcpy(RING_GET_REQUEST(&front, front.req_prod_pvt), r, sizeof(*r));
	front.req_prod_pvt++;
}

/* Publish, notify the backend, and wait for @n responses; they go to @rsp. */
static void kick_collect(unsigned int n, blkif_response_t *rsp)
{
	unsigned int got = 0;

	RING_PUSH_REQUESTS(&front);
	vbd_ring_kick(ring);
	while (got < n) {
		while (RING_HAS_UNCONSUMED_RESPONSES(&front) && got < n) {
			rsp[got++] = *RING_GET_RESPONSE(&front, front.rsp_cons);
			front.rsp_cons++;
		}
		if (got == n)
			break;
		ck_assert_msg(blk_engine_pending(eng) > 0, "%u of %u responses, nothing in flight",
		              got, n);
		blk_engine_reap(eng, true);
	}
	ck_assert_int_eq(RING_HAS_UNCONSUMED_RESPONSES(&front), 0);
}

/* A read or write of @nseg segments on guest pages @page.. at @sector. */
static struct blkif_request rw_req(uint8_t op, uint64_t id, uint64_t sector, unsigned int page,
                                   unsigned int nseg, uint8_t first, uint8_t last)
{
	struct blkif_request r = {
	    .operation = op, .nr_segments = (uint8_t)nseg, .id = id, .sector_number = sector};

	for (unsigned int i = 0; i < nseg && i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++)
		r.seg[i] = (struct blkif_request_segment){
		    .gref = page + i, .first_sect = first, .last_sect = last};
	return r;
}

/* Writes through the ring land in the file; reads through the ring return them. */
START_TEST(test_write_read)
{
	blkif_response_t rsp[32];
	uint8_t *back = malloc(11 * 4096);

	setup_kind(_i);
	for (unsigned int nseg = 1; nseg <= 11; nseg += 5) {
		for (uint8_t first = 0; first < 8; first += 3) {
			uint64_t sector = 100 + first * 3 + nseg;
			size_t per = (size_t)(8 - first) * 512, len = per * nseg;
			struct blkif_request w =
			    rw_req(BLKIF_OP_WRITE, 0x1000 + nseg, sector, 0, nseg, first, 7);
			struct blkif_request rd =
			    rw_req(BLKIF_OP_READ, 0x2000 + nseg, sector, 20, nseg, first, 7);

			for (unsigned int i = 0; i < nseg; i++)
				pattern_fill(guest + i * 4096 + first * 512, per, nseg * 8 + first,
				             sector * 512 + i * per);
			push(&w);
			kick_collect(1, rsp);
			ck_assert_uint_eq(rsp[0].id, w.id);
			ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
			ck_assert_uint_eq(rsp[0].operation, BLKIF_OP_WRITE);
			ck_assert_int_eq(pread(store.fd_buffered, back, len, (off_t)(sector * 512)),
			                 (ssize_t)len);
			ck_assert_int_eq(pattern_check(back, len, nseg * 8 + first, sector * 512),
			                 -1);
			memset(guest + 20 * 4096, 0, 11 * 4096);
			push(&rd);
			kick_collect(1, rsp);
			ck_assert_uint_eq(rsp[0].id, rd.id);
			ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
			for (unsigned int i = 0; i < nseg; i++) {
				ck_assert_int_eq(
				    pattern_check(guest + (20 + i) * 4096 + first * 512, per,
				                  nseg * 8 + first, sector * 512 + i * per),
				    -1);
				if (first)
					ck_assert_uint_eq(guest[(20 + i) * 4096 + first * 512 - 1],
					                  0);
			}
		}
	}
	ck_assert_int_gt(notifies, 0);
	free(back);
}
END_TEST

/* A full ring of requests in one notification: all answered, ids echoed. */
START_TEST(test_full_ring)
{
	blkif_response_t rsp[32];
	bool seen[32] = {false};

	setup_kind(_i);
	for (unsigned int i = 0; i < 32; i++) {
		struct blkif_request r = rw_req(i & 1 ? BLKIF_OP_READ : BLKIF_OP_WRITE,
		                                0xabcd000000000000ull | i, i * 8, i, 1, 0, 7);

		push(&r);
	}
	ck_assert(RING_FULL(&front));
	kick_collect(32, rsp);
	for (unsigned int i = 0; i < 32; i++) {
		ck_assert_int_eq(rsp[i].status, BLKIF_RSP_OKAY);
		ck_assert_uint_eq(rsp[i].id >> 48, 0xabcd);
		seen[rsp[i].id & 31] = true;
	}
	for (unsigned int i = 0; i < 32; i++)
		ck_assert(seen[i]);
}
END_TEST

/* Malformed requests get errors, between good ones that still work. */
START_TEST(test_bad_requests)
{
	struct blkif_request r[7];
	blkif_response_t rsp[7];
	int16_t want[7];
	uint8_t zero[4096] = {0}, back[4096];

	setup_kind(_i);
	r[0] = rw_req(BLKIF_OP_WRITE, 1, 8, 0, 1, 0, 7);
	want[0] = BLKIF_RSP_OKAY;
	r[1] = rw_req(BLKIF_OP_WRITE, 2, 16, 0, 1, 6, 2); /* first > last */
	want[1] = BLKIF_RSP_ERROR;
	r[2] = rw_req(BLKIF_OP_WRITE, 3, DISK_BYTES / 512 - 4, 0, 1, 0, 7); /* past the end */
	want[2] = BLKIF_RSP_ERROR;
	r[3] = rw_req(BLKIF_OP_READ, 4, 0, GUEST_PAGES + 5, 1, 0, 7); /* not granted */
	want[3] = BLKIF_RSP_ERROR;
	r[4] = rw_req(BLKIF_OP_READ, 5, 0, 0, 12, 0, 7); /* 12 segments */
	want[4] = BLKIF_RSP_ERROR;
	r[5] = rw_req(BLKIF_OP_RESERVED_1, 6, 0, 0, 1, 0, 7); /* not an operation */
	want[5] = BLKIF_RSP_EOPNOTSUPP;
	r[6] = rw_req(BLKIF_OP_READ, 7, 0, 1, 1, 0, 7);
	want[6] = BLKIF_RSP_OKAY;
	memset(guest, 0x77, 4096);
	memset(guest + 4096, 0x55, 4096);
	for (int i = 0; i < 7; i++)
		push(&r[i]);
	kick_collect(7, rsp);
	for (int i = 0; i < 7; i++) {
		int found = 0;

		for (int j = 0; j < 7; j++) {
			if (rsp[j].id != r[i].id)
				continue;
			found++;
			ck_assert_msg(rsp[j].status == want[i], "id %llu: status %d, expected %d",
			              (unsigned long long)r[i].id, rsp[j].status, want[i]);
			ck_assert_uint_eq(rsp[j].operation, r[i].operation);
		}
		ck_assert_msg(found == 1, "id %llu: %d responses", (unsigned long long)r[i].id,
		              found);
	}
	ck_assert_str_eq(broken_why, "");
	ck_assert_int_eq(pread(store.fd_buffered, back, 4096, DISK_BYTES - 4096), 4096);
	ck_assert_int_eq(memcmp(back, zero, 4096), 0); /* nothing written past the end */
	ck_assert_uint_eq(guest[4096], 0);             /* the good read came back */
	ck_assert_int_eq(pread(store.fd_buffered, back, 4096, 8 * 512), 4096);
	ck_assert_uint_eq(back[0], 0x77); /* the good write went in */
}
END_TEST

START_TEST(test_readonly_disk)
{
	blkif_response_t rsp[2];
	struct blkif_request w = rw_req(BLKIF_OP_WRITE, 9, 0, 0, 1, 0, 7);
	struct blkif_request f = rw_req(BLKIF_OP_FLUSH_DISKCACHE, 10, 0, 0, 0, 0, 7);
	uint8_t back[4096], zero[4096] = {0};

	setup_kind(_i);
	vbd_ring_free(ring);
	attach(true);
	memset(guest, 0xee, 4096);
	push(&w);
	push(&f);
	kick_collect(2, rsp);
	ck_assert_uint_eq(rsp[0].id, 9);
	ck_assert_int_eq(rsp[0].status, BLKIF_RSP_ERROR);
	ck_assert_int_eq(rsp[1].status, BLKIF_RSP_OKAY);
	ck_assert_int_eq(pread(store.fd_buffered, back, 4096, 0), 4096);
	ck_assert_int_eq(memcmp(back, zero, 4096), 0);
}
END_TEST

/* A barrier is answered after every request before it; flush and discard work. */
START_TEST(test_barrier_flush_discard)
{
	blkif_response_t rsp[12];
	struct blkif_request_discard d = {
	    .operation = BLKIF_OP_DISCARD, .id = 99, .sector_number = 0, .nr_sectors = 8};
	struct blkif_request r;
	uint8_t back[4096];
	int barrier_at = -1;

	setup_kind(_i);
	for (int i = 0; i < 8; i++) {
		r = rw_req(BLKIF_OP_WRITE, (uint64_t)i, 64 + (uint64_t)i * 88, 0, 11, 0, 7);
		push(&r);
	}
	r = rw_req(BLKIF_OP_WRITE_BARRIER, 50, 8, 12, 1, 0, 7);
	push(&r);
	r = rw_req(BLKIF_OP_WRITE, 51, 16, 12, 1, 0, 7);
	push(&r);
	r = rw_req(BLKIF_OP_FLUSH_DISKCACHE, 52, 0, 0, 0, 0, 0);
	push(&r);
	memset(&r, 0, sizeof(r));
	memcpy(&r, &d, sizeof(d));
	push(&r);
	memset(guest + 12 * 4096, 0x42, 4096);
	kick_collect(12, rsp);
	for (int i = 0; i < 12; i++) {
		ck_assert_msg(rsp[i].status == BLKIF_RSP_OKAY, "id %llu: %d",
		              (unsigned long long)rsp[i].id, rsp[i].status);
		if (rsp[i].id == 50)
			barrier_at = i;
	}
	ck_assert_int_ge(barrier_at, 8); /* after the eight writes before it */
	ck_assert_int_eq(pread(store.fd_buffered, back, 4096, 8 * 512), 4096);
	ck_assert_uint_eq(back[0], 0x42);
	ck_assert_int_eq(pread(store.fd_buffered, back, 4096, 0), 4096);
	ck_assert_uint_eq(back[100], 0); /* discarded */
}
END_TEST

/* A frontend publishing req_prod far ahead: the ring is broken, nothing is answered. */
START_TEST(test_hostile_index)
{
	struct blkif_request r = rw_req(BLKIF_OP_WRITE, 1, 0, 0, 1, 0, 7);
	blkif_sring_t *s;

	setup_kind(_i);
	s = sring_mem;
	push(&r);
	RING_PUSH_REQUESTS(&front);
	s->req_prod = front.req_prod_pvt + 32; /* 33 published: one more than fits */
	vbd_ring_kick(ring);
	ck_assert_msg(strstr(broken_why, "ahead") != NULL, "broken: '%s'", broken_why);
	ck_assert(vbd_ring_is_broken(ring));
	ck_assert_uint_eq(s->rsp_prod, 0);
	vbd_ring_kick(ring); /* no loop, no crash, still nothing */
	ck_assert_uint_eq(vbd_ring_inflight(ring), 0);
	ck_assert_uint_eq(s->rsp_prod, 0);
	/* Far ahead, and wrapped backwards (as far "ahead"). */
	for (int k = 0; k < 2; k++) {
		vbd_ring_free(ring);
		SHARED_RING_INIT(s);
		attach(false);
		s->req_prod = k ? (RING_IDX)-5 : 100000;
		broken_why[0] = '\0';
		vbd_ring_kick(ring);
		ck_assert_msg(strstr(broken_why, "ahead") != NULL, "broken: '%s'", broken_why);
		ck_assert_uint_eq(s->rsp_prod, 0);
	}
}
END_TEST

/* A new backend attaches to a ring where it stands: answered requests are not redone. */
START_TEST(test_resume)
{
	blkif_response_t rsp[4];
	struct blkif_request r = rw_req(BLKIF_OP_WRITE, 1, 0, 0, 1, 0, 7);
	uint8_t back[512];

	setup_kind(_i);
	memset(guest, 0x11, 4096);
	push(&r);
	push(&r);
	kick_collect(2, rsp);
	vbd_ring_free(ring); /* the backend goes away ... */
	memset(guest, 0x22, 4096);
	attach(false); /* ... and a new one adopts the ring */
	r.id = 3;
	r.sector_number = 8;
	push(&r);
	kick_collect(1, rsp);
	ck_assert_uint_eq(rsp[0].id, 3);
	ck_assert_int_eq(pread(store.fd_buffered, back, 512, 0), 512);
	ck_assert_uint_eq(back[0], 0x11); /* the first two were not replayed */
	ck_assert_int_eq(pread(store.fd_buffered, back, 512, 8 * 512), 512);
	ck_assert_uint_eq(back[0], 0x22);
	ck_assert_uint_eq(((blkif_sring_t *)sring_mem)->rsp_prod, 3);
}
END_TEST

/* An indirect request of @nseg full pages 0.. listed in guest page @ipage. */
static struct blkif_request ind_req(uint8_t op, uint64_t id, uint64_t sector, uint16_t nseg,
                                    unsigned int ipage)
{
	struct blkif_request r;
	struct blkif_request_indirect ind = {.operation = BLKIF_OP_INDIRECT,
	                                     .indirect_op = op,
	                                     .nr_segments = nseg,
	                                     .id = id,
	                                     .sector_number = sector,
	                                     .indirect_grefs = {ipage}};
	struct blkif_request_segment *list = (struct blkif_request_segment *)(guest + ipage * 4096);

	for (unsigned int i = 0; i < nseg && i < 512; i++)
		list[i] =
		    (struct blkif_request_segment){.gref = i, .first_sect = 0, .last_sect = 7};
	memset(&r, 0, sizeof(r));
	memcpy(&r, &ind, sizeof(ind));
	return r;
}

/* Indirect requests move 40 pages at once; bad ones are refused and write nothing. */
START_TEST(test_indirect)
{
	blkif_response_t rsp[4];
	struct blkif_request r;
	uint8_t *back = malloc(40 * 4096);
	struct blkif_request_segment *list;

	setup_kind(_i);
	pattern_fill(guest, 40 * 4096, 123, 800 * 512);
	r = ind_req(BLKIF_OP_WRITE, 0x1d, 800, 40, 60);
	push(&r);
	kick_collect(1, rsp);
	ck_assert_uint_eq(rsp[0].id, 0x1d);
	ck_assert_uint_eq(rsp[0].operation, BLKIF_OP_INDIRECT);
	ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
	ck_assert_int_eq(pread(store.fd_buffered, back, 40 * 4096, 800 * 512), 40 * 4096);
	ck_assert_int_eq(pattern_check(back, 40 * 4096, 123, 800 * 512), -1);
	memset(guest, 0, 40 * 4096);
	r = ind_req(BLKIF_OP_READ, 0x1e, 800, 40, 60);
	push(&r);
	kick_collect(1, rsp);
	ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
	ck_assert_int_eq(pattern_check(guest, 40 * 4096, 123, 800 * 512), -1);

	/* A bad segment in the indirect page; a page not granted; too many segments. */
	memset(guest, 0xdd, 40 * 4096);
	r = ind_req(BLKIF_OP_WRITE, 1, 0, 40, 61);
	list = (struct blkif_request_segment *)(guest + 61 * 4096);
	list[39].last_sect = 9;
	push(&r);
	r = ind_req(BLKIF_OP_WRITE, 2, 0, 40, 62);
	((struct blkif_request_indirect *)&r)->indirect_grefs[0] = GUEST_PAGES + 1;
	push(&r);
	r = ind_req(BLKIF_OP_WRITE, 3, 0, BLK_MAX_INDIRECT_SEGS + 1, 63);
	push(&r);
	kick_collect(3, rsp);
	for (int i = 0; i < 3; i++)
		ck_assert_msg(rsp[i].status == BLKIF_RSP_ERROR, "id %llu: %d",
		              (unsigned long long)rsp[i].id, rsp[i].status);
	ck_assert_int_eq(pread(store.fd_buffered, back, 40 * 4096, 0), 40 * 4096);
	for (size_t i = 0; i < 40 * 4096; i++)
		ck_assert_msg(back[i] == 0, "byte %zu written by a refused request", i);
	free(back);
}
END_TEST

/* feature-persistent: pages mapped once and kept; data still right; full cache falls back. */
START_TEST(test_persistent)
{
	blkif_response_t rsp[16];
	uint8_t back[8 * 4096];

	use_persistent = true;
	setup_kind(_i);
	for (int round = 0; round < 3; round++) {
		struct blkif_request w = rw_req(BLKIF_OP_WRITE, 1, 64, 0, 8, 0, 7);
		struct blkif_request rd = rw_req(BLKIF_OP_READ, 2, 64, 10, 8, 0, 7);

		pattern_fill(guest, 8 * 4096, 40 + round, 64 * 512);
		push(&w);
		kick_collect(1, rsp);
		ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
		memset(guest + 10 * 4096, 0, 8 * 4096);
		push(&rd);
		kick_collect(1, rsp);
		ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
		ck_assert_int_eq(pattern_check(guest + 10 * 4096, 8 * 4096, 40 + round, 64 * 512),
		                 -1);
		ck_assert_int_eq(pread(store.fd_buffered, back, sizeof(back), 64 * 512),
		                 (ssize_t)sizeof(back));
		ck_assert_int_eq(pattern_check(back, sizeof(back), 40 + round, 64 * 512), -1);
		/* 16 pages mapped once each, and still mapped */
		ck_assert_uint_eq(vbd_ring_persistent_grants(ring), 16);
		ck_assert_int_eq(maps_live, 16);
	}
	/* A cache of 4: an 8-page request is mapped for its own time only. */
	vbd_ring_free(ring);
	ck_assert_int_eq(maps_live, 0);
	max_persistent = 4;
	attach(false);
	struct blkif_request w = rw_req(BLKIF_OP_WRITE, 3, 64, 20, 8, 0, 7);
	pattern_fill(guest + 20 * 4096, 8 * 4096, 77, 64 * 512);
	push(&w);
	kick_collect(1, rsp);
	ck_assert_int_eq(rsp[0].status, BLKIF_RSP_OKAY);
	ck_assert_uint_eq(vbd_ring_persistent_grants(ring), 0);
	ck_assert_int_eq(maps_live, 0);
	ck_assert_int_eq(pread(store.fd_buffered, back, sizeof(back), 64 * 512),
	                 (ssize_t)sizeof(back));
	ck_assert_int_eq(pattern_check(back, sizeof(back), 77, 64 * 512), -1);
	use_persistent = false;
}
END_TEST

/* A 32-bit frontend (protocol x86_32-abi): its slot layouts, read and answered in kind. */
START_TEST(test_abi32)
{
	blkif_x86_32_front_ring_t f32;
	struct blkif_x86_32_request *q;
	struct blkif_x86_32_request_discard *d;
	struct blkif_x86_32_response rsp[3] = {{0}};
	uint8_t back[8192];
	unsigned int got = 0;

	setup_kind(_i);
	vbd_ring_free(ring);
	abi32 = true;
	attach(false);
	abi32 = false;
	FRONT_RING_INIT(&f32, (blkif_x86_32_sring_t *)sring_mem, 4096);
	ck_assert_uint_eq(RING_SIZE(&f32), 32);
	pattern_fill(guest + 3 * 4096, 8192, 32, 40 * 512);
	q = RING_GET_REQUEST(&f32, f32.req_prod_pvt++);
	*q = (struct blkif_x86_32_request){.operation = BLKIF_OP_WRITE,
	                                   .nr_segments = 2,
	                                   .id = 0x1122334455667788ull,
	                                   .sector_number = 40};
	q->seg[0] = (struct blkif_request_segment){.gref = 3, .first_sect = 0, .last_sect = 7};
	q->seg[1] = (struct blkif_request_segment){.gref = 4, .first_sect = 0, .last_sect = 7};
	q = RING_GET_REQUEST(&f32, f32.req_prod_pvt++);
	*q = (struct blkif_x86_32_request){
	    .operation = BLKIF_OP_READ, .nr_segments = 1, .id = 0xfeed, .sector_number = 48};
	q->seg[0] = (struct blkif_request_segment){.gref = 9, .first_sect = 0, .last_sect = 7};
	d = (struct blkif_x86_32_request_discard *)RING_GET_REQUEST(&f32, f32.req_prod_pvt++);
	*d = (struct blkif_x86_32_request_discard){
	    .operation = BLKIF_OP_DISCARD, .id = 0xd15c, .sector_number = 1024, .nr_sectors = 8};
	RING_PUSH_REQUESTS(&f32);
	vbd_ring_kick(ring);
	while (got < 3) {
		while (RING_HAS_UNCONSUMED_RESPONSES(&f32) && got < 3)
			rsp[got++] = *RING_GET_RESPONSE(&f32, f32.rsp_cons++);
		if (got < 3) {
			ck_assert_uint_gt(blk_engine_pending(eng), 0);
			blk_engine_reap(eng, true);
		}
	}
	for (int i = 0; i < 3; i++) {
		ck_assert_msg(rsp[i].status == BLKIF_RSP_OKAY, "id %llx: %d",
		              (unsigned long long)rsp[i].id, rsp[i].status);
		ck_assert(rsp[i].id == 0x1122334455667788ull || rsp[i].id == 0xfeed ||
		          rsp[i].id == 0xd15c);
		ck_assert_uint_eq(rsp[i].operation, rsp[i].id == 0xfeed   ? BLKIF_OP_READ
		                                    : rsp[i].id == 0xd15c ? BLKIF_OP_DISCARD
		                                                          : BLKIF_OP_WRITE);
	}
	ck_assert_int_eq(pread(store.fd_buffered, back, 8192, 40 * 512), 8192);
	ck_assert_int_eq(pattern_check(back, 8192, 32, 40 * 512), -1);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blkif_ring");
	TCase *tc = tcase_create("ring");

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_write_read, 0, 2);
	tcase_add_loop_test(tc, test_full_ring, 0, 2);
	tcase_add_loop_test(tc, test_bad_requests, 0, 2);
	tcase_add_loop_test(tc, test_readonly_disk, 0, 2);
	tcase_add_loop_test(tc, test_barrier_flush_discard, 0, 2);
	tcase_add_loop_test(tc, test_hostile_index, 0, 2);
	tcase_add_loop_test(tc, test_resume, 0, 2);
	tcase_add_loop_test(tc, test_persistent, 0, 2);
	tcase_add_loop_test(tc, test_indirect, 0, 2);
	tcase_add_loop_test(tc, test_abi32, 0, 2);
	suite_add_tcase(s, tc);
	return check_run(s);
}
