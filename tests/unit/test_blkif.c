/*
 * Unit tests of shoji-blkback's request validator (blkif_check.c): every
 * field a frontend controls, one check at a time, against a 1000-sector
 * disk.
 */
#include "config.h"

#include <string.h>

#include "blkif_check.h"
#include "check-run.h"

#define DISK 1000u

static const struct blk_limits rw = {.sectors = DISK, .discard = true};
static const struct blk_limits ro = {.sectors = DISK, .readonly = true, .discard = true};
static const struct blk_limits nodiscard = {.sectors = DISK};
static const struct blk_limits ind = {.sectors = 4 * DISK, .max_indirect_segs = 200};
static const struct blk_limits ind_ro = {
    .sectors = DISK, .readonly = true, .max_indirect_segs = 200};

/* A request of @op with @n full-page segments (8 sectors each) at @sector. */
static struct blkif_request req(uint8_t op, uint8_t n, uint64_t sector)
{
	struct blkif_request r;

	memset(&r, 0, sizeof(r));
	r.operation = op;
	r.nr_segments = n;
	r.id = 0xfeedfacecafe0000ull + n;
	r.sector_number = sector;
	for (unsigned int i = 0; i < BLKIF_MAX_SEGMENTS_PER_REQUEST; i++) {
		r.seg[i].gref = 100 + i;
		r.seg[i].first_sect = 0;
		r.seg[i].last_sect = 7;
	}
	return r;
}

static struct blkif_request discard(uint64_t sector, uint64_t n)
{
	struct blkif_request r;
	struct blkif_request_discard d = {
	    .operation = BLKIF_OP_DISCARD, .id = 77, .sector_number = sector, .nr_sectors = n};

	memset(&r, 0xaa, sizeof(r));
	memcpy(&r, &d, sizeof(d));
	return r;
}

START_TEST(test_read_write_ok)
{
	struct blkif_request r = req(BLKIF_OP_READ, 11, 8);
	struct blk_req out;

	r.seg[3].first_sect = 2;
	r.seg[3].last_sect = 2;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
	ck_assert_int_eq(out.kind, BLK_READ);
	ck_assert_uint_eq(out.nr_segs, 11);
	ck_assert_uint_eq(out.nr_sectors, 10 * 8 + 1);
	ck_assert_uint_eq(out.sector, 8);
	ck_assert_uint_eq(out.seg[3].gref, 103);
	ck_assert_uint_eq(out.id, r.id); /* opaque, echoed */
	r.operation = BLKIF_OP_WRITE;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
	ck_assert_int_eq(out.kind, BLK_WRITE);
}
END_TEST

START_TEST(test_segment_count)
{
	/* Valid-looking segments follow the request in memory, so that only the
	 * count check can refuse more than 11. */
	struct {
		struct blkif_request r;
		struct blkif_request_segment more[256];
	} m;
	struct blkif_request r = req(BLKIF_OP_READ, 0, 0);
	struct blk_req out;

	for (int i = 0; i < 256; i++)
		m.more[i] =
		    (struct blkif_request_segment){.gref = 1, .first_sect = 0, .last_sect = 0};
	m.r = req(BLKIF_OP_WRITE, BLKIF_MAX_SEGMENTS_PER_REQUEST + 1, 0);
	ck_assert_int_eq(blkif_check_request(&m.r, &rw, &out), BLKIF_RSP_ERROR);
	m.r.nr_segments = 255;
	ck_assert_int_eq(blkif_check_request(&m.r, &rw, &out), BLKIF_RSP_ERROR);

	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r.operation = BLKIF_OP_WRITE;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r.nr_segments = BLKIF_MAX_SEGMENTS_PER_REQUEST;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
}
END_TEST

START_TEST(test_sectors_in_page)
{
	struct blkif_request r = req(BLKIF_OP_READ, 2, 0);
	struct blk_req out;

	r.seg[1].first_sect = 5;
	r.seg[1].last_sect = 4;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 0;
	r.seg[1].last_sect = 8;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 8;
	r.seg[1].last_sect = 8;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r.seg[1].first_sect = 7;
	r.seg[1].last_sect = 7;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
	ck_assert_uint_eq(out.nr_sectors, 9);
	/* segments beyond nr_segments are not looked at */
	r.seg[5].first_sect = 200;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
}
END_TEST

START_TEST(test_disk_range)
{
	struct blkif_request r = req(BLKIF_OP_READ, 1, DISK - 8);
	struct blk_req out;

	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY); /* the last 8 */
	r.sector_number = DISK - 7;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR); /* one past */
	r.sector_number = DISK;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r.sector_number = UINT64_MAX - 3; /* sector + count wraps */
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r.operation = BLKIF_OP_WRITE;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_readonly)
{
	struct blkif_request r = req(BLKIF_OP_WRITE, 1, 0);
	struct blk_req out;

	ck_assert_int_eq(blkif_check_request(&r, &ro, &out), BLKIF_RSP_ERROR);
	r.operation = BLKIF_OP_READ;
	ck_assert_int_eq(blkif_check_request(&r, &ro, &out), BLKIF_RSP_OKAY);
	r.operation = BLKIF_OP_FLUSH_DISKCACHE; /* a flush with data writes */
	ck_assert_int_eq(blkif_check_request(&r, &ro, &out), BLKIF_RSP_ERROR);
	r.operation = BLKIF_OP_WRITE_BARRIER;
	ck_assert_int_eq(blkif_check_request(&r, &ro, &out), BLKIF_RSP_ERROR);
	r.nr_segments = 0; /* a bare flush writes nothing */
	ck_assert_int_eq(blkif_check_request(&r, &ro, &out), BLKIF_RSP_OKAY);
	r = discard(0, 8);
	ck_assert_int_eq(blkif_check_request(&r, &ro, &out), BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_flush_barrier)
{
	struct blkif_request r = req(BLKIF_OP_FLUSH_DISKCACHE, 0, 123456789);
	struct blk_req out;

	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
	ck_assert_int_eq(out.kind, BLK_FLUSH);
	ck_assert_uint_eq(out.nr_segs, 0);
	ck_assert_uint_eq(out.nr_sectors, 0);
	ck_assert_uint_eq(out.sector, 0); /* the wire's sector_number means nothing here */
	r.nr_segments = 2;
	r.sector_number = 0;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
	ck_assert_uint_eq(out.nr_sectors, 16);
	r.operation = BLKIF_OP_WRITE_BARRIER;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
	ck_assert_int_eq(out.kind, BLK_BARRIER);
	r.sector_number = DISK - 8; /* 16 sectors do not fit */
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r.nr_segments = 12;
	r.sector_number = 0;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
}
END_TEST

START_TEST(test_discard)
{
	struct blkif_request r = discard(10, DISK - 10);
	struct blk_req out;

	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_OKAY);
	ck_assert_int_eq(out.kind, BLK_DISCARD);
	ck_assert_uint_eq(out.sector, 10);
	ck_assert_uint_eq(out.nr_sectors, DISK - 10);
	ck_assert_uint_eq(out.nr_segs, 0);
	ck_assert_uint_eq(out.id, 77);
	r = discard(10, DISK - 9);
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r = discard(DISK + 1, 0);
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r = discard(5, 0);
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r = discard(8, UINT64_MAX - 4);
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_ERROR);
	r = discard(0, 8);
	ck_assert_int_eq(blkif_check_request(&r, &nodiscard, &out), BLKIF_RSP_EOPNOTSUPP);
}
END_TEST

static struct blkif_request indirect(uint8_t op, uint16_t nseg, uint64_t sector)
{
	struct blkif_request r;
	struct blkif_request_indirect i = {
	    .operation = BLKIF_OP_INDIRECT,
	    .indirect_op = op,
	    .nr_segments = nseg,
	    .id = 31337,
	    .sector_number = sector,
	    .indirect_grefs = {500, 501, 502, 503, 504, 505, 506, 507}};

	memset(&r, 0xcc, sizeof(r));
	memcpy(&r, &i, sizeof(i));
	return r;
}

/* The segments an indirect page would hold: @n full pages, then the stage-2 check. */
static int indirect_stage2(struct blk_req *out, const struct blk_limits *lim, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		out->seg[i] =
		    (struct blkif_request_segment){.gref = i, .first_sect = 0, .last_sect = 7};
	return blkif_check_indirect_segments(out, lim);
}

START_TEST(test_indirect)
{
	struct blkif_request r = indirect(BLKIF_OP_WRITE, 100, 16);
	struct blk_req out;

	ck_assert_int_eq(blkif_check_request(&r, &rw, &out),
	                 BLKIF_RSP_EOPNOTSUPP); /* not offered */
	ck_assert_int_eq(blkif_check_request(&r, &ind, &out), BLKIF_RSP_OKAY);
	ck_assert(out.indirect);
	ck_assert_int_eq(out.kind, BLK_WRITE);
	ck_assert_uint_eq(out.nr_segs, 100);
	ck_assert_uint_eq(out.nr_indirect_pages, 1);
	ck_assert_uint_eq(out.indirect_grefs[0], 500);
	ck_assert_uint_eq(out.id, 31337);
	ck_assert_int_eq(indirect_stage2(&out, &ind, 100), BLKIF_RSP_OKAY);
	ck_assert_uint_eq(out.nr_sectors, 800);
	ck_assert_uint_eq(out.sector, 16);
	/* stage 2: a bad segment, the disk's end */
	ck_assert_int_eq(blkif_check_request(&r, &ind, &out), BLKIF_RSP_OKAY);
	for (int i = 0; i < 100; i++)
		out.seg[i] = (struct blkif_request_segment){.first_sect = 0, .last_sect = 7};
	out.seg[99].last_sect = 8;
	ck_assert_int_eq(blkif_check_indirect_segments(&out, &ind), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_READ, 200, 4 * DISK - 1599); /* one sector too far */
	ck_assert_int_eq(blkif_check_request(&r, &ind, &out), BLKIF_RSP_OKAY);
	ck_assert_int_eq(indirect_stage2(&out, &ind, 200), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_READ, 200, 4 * DISK - 1600);
	ck_assert_int_eq(blkif_check_request(&r, &ind, &out), BLKIF_RSP_OKAY);
	ck_assert_int_eq(indirect_stage2(&out, &ind, 200), BLKIF_RSP_OKAY);
	/* a stage 2 without a stage 1 */
	memset(&out, 0, sizeof(out));
	ck_assert_int_eq(blkif_check_indirect_segments(&out, &ind), BLKIF_RSP_ERROR);
	/* header: count, operation, read-only */
	r = indirect(BLKIF_OP_READ, 201, 0);
	ck_assert_int_eq(blkif_check_request(&r, &ind, &out), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_READ, 0, 0);
	ck_assert_int_eq(blkif_check_request(&r, &ind, &out), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_FLUSH_DISKCACHE, 8, 0);
	ck_assert_int_eq(blkif_check_request(&r, &ind, &out), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_INDIRECT, 8, 0);
	ck_assert_int_eq(blkif_check_request(&r, &ind, &out), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_WRITE, 8, 0);
	ck_assert_int_eq(blkif_check_request(&r, &ind_ro, &out), BLKIF_RSP_ERROR);
	r = indirect(BLKIF_OP_READ, 8, 0);
	ck_assert_int_eq(blkif_check_request(&r, &ind_ro, &out), BLKIF_RSP_OKAY);
}
END_TEST

START_TEST(test_unsupported_ops)
{
	struct blkif_request r = req(BLKIF_OP_RESERVED_1, 1, 0);
	struct blk_req out;

	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_EOPNOTSUPP);
	r.operation = 200;
	ck_assert_int_eq(blkif_check_request(&r, &rw, &out), BLKIF_RSP_EOPNOTSUPP);
	ck_assert_uint_eq(out.operation, 200); /* echoed as sent */
	ck_assert_uint_eq(out.id, r.id);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "blkif", .name = "validator"};

	return CHECK_MAIN(c, test_read_write_ok, test_segment_count, test_sectors_in_page,
	                  test_disk_range, test_readonly, test_flush_barrier, test_discard,
	                  test_indirect, test_unsupported_ops);
}
