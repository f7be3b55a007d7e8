/*
 * Unit tests of shoji-blkback's I/O engine and backing store on a real
 * temp file, once with io_uring and once with the thread pool: patterns
 * of 512 B .. 1 MiB at aligned and unaligned sectors and buffers (the
 * store picks O_DIRECT or the page cache per transfer), checked in the
 * file with plain pread; batches; flush; discard; a read-only store.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "check-run.h"
#include "engine.h"
#include "store.h"
#include "test_blkif_util.h"

#define DISK_BYTES (8u << 20)

static const enum blk_engine_kind kinds[] = {BLK_ENGINE_URING, BLK_ENGINE_THREADS};
static char path[256];
static struct blk_store store;
static struct blk_engine *eng;
static int completions;

static void count_done(struct blk_io *io)
{
	completions++;
}

/* The engine of loop iteration @i; io_uring must work unless the kernel disabled it. */
static struct blk_engine *engine_for(int i)
{
	char why[160] = "";
	struct blk_engine *e = blk_engine_new(kinds[i], 64, why, sizeof(why));

	if (!e && kinds[i] == BLK_ENGINE_URING) {
		FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
		int disabled = 0;

		if (f && fscanf(f, "%d", &disabled) != 1)
			disabled = 0;
		if (f)
			fclose(f);
		ck_assert_msg(disabled, "io_uring failed though it is enabled: %s", why);
		printf("SKIP: io_uring disabled by kernel.io_uring_disabled=%d\n", disabled);
		return NULL;
	}
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(blk_engine_name(e), kinds[i] == BLK_ENGINE_URING ? "io_uring" : "threads");
	return e;
}

static void setup(void)
{
	char err[256];

	temp_disk(path, sizeof(path), DISK_BYTES);
	ck_assert_msg(blk_store_open(&store, path, false, err, sizeof(err)) == 0, "%s", err);
	completions = 0;
}

static void teardown(void)
{
	blk_engine_free(eng);
	eng = NULL;
	blk_store_close(&store);
	unlink(path);
}

/* Run @io to completion on the engine; its result. */
static int run(struct blk_io *io)
{
	io->done = count_done;
	blk_engine_queue(eng, io);
	blk_engine_submit(eng);
	while (blk_engine_pending(eng))
		blk_engine_reap(eng, true);
	return io->result;
}

static int rw(enum blk_io_op op, void *buf, size_t len, uint64_t off)
{
	struct iovec iov = {.iov_base = buf, .iov_len = len};
	struct blk_io io = {.op = op, .offset = off, .len = len, .iov = &iov, .iovcnt = 1};

	io.fd = blk_store_fd_for(&store, off, &iov, 1);
	return run(&io);
}

START_TEST(test_geometry)
{
	ck_assert_uint_eq(store.sectors, DISK_BYTES / 512);
	ck_assert(!store.readonly && !store.blockdev && store.discard);
	ck_assert_msg(store.direct, "O_DIRECT refused on this file system");
	ck_assert_uint_ge(store.dio_mem_align, 1);
}
END_TEST

START_TEST(test_patterns)
{
	static const size_t sizes[] = {512, 1024, 4096, 4608, 65536, 1u << 20};
	static const uint64_t offs[] = {0, 512, 4096, 7 * 512, 3u << 20};
	uint8_t *mem, *back;
	uint32_t seed = 1;

	eng = engine_for(_i);
	if (!eng)
		return;
	ck_assert_int_eq(posix_memalign((void **)&mem, 4096, (2u << 20) + 4096), 0);
	back = malloc(2u << 20);
	for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++) {
		for (size_t o = 0; o < sizeof(offs) / sizeof(offs[0]); o++) {
			for (int misalign = 0; misalign < 2; misalign++) {
				uint8_t *buf = mem + (misalign ? 512 : 0);
				size_t len = sizes[s];
				uint64_t off = offs[o];
				long bad;

				seed++;
				pattern_fill(buf, len, seed, off);
				ck_assert_int_eq(rw(BLK_IO_WRITE, buf, len, off), 0);
				ck_assert_int_eq(pread(store.fd_buffered, back, len, (off_t)off),
				                 (ssize_t)len);
				bad = pattern_check(back, len, seed, off);
				ck_assert_msg(bad < 0,
				              "size %zu off %llu misalign %d: byte %ld differs",
				              len, (unsigned long long)off, misalign, bad);
				memset(buf, 0, len);
				ck_assert_int_eq(rw(BLK_IO_READ, buf, len, off), 0);
				ck_assert_int_eq(pattern_check(buf, len, seed, off), -1);
			}
		}
	}
	free(back);
	free(mem);
}
END_TEST

/* One batch of many I/Os with several iovecs each, in one submit. */
START_TEST(test_batch)
{
	enum { N = 48, SEGS = 11 };
	static struct blk_io ios[N];
	static struct iovec iov[N][SEGS];
	uint8_t *mem;

	eng = engine_for(_i);
	if (!eng)
		return;
	ck_assert_int_eq(posix_memalign((void **)&mem, 4096, (size_t)N * SEGS * 4096), 0);
	for (int i = 0; i < N; i++) {
		uint64_t off = (uint64_t)i * SEGS * 4096;

		pattern_fill(mem + off, SEGS * 4096, 99, off);
		for (int j = 0; j < SEGS; j++)
			iov[i][j] = (struct iovec){mem + off + (size_t)j * 4096, 4096};
		ios[i] = (struct blk_io){.op = BLK_IO_WRITE,
		                         .offset = off,
		                         .len = SEGS * 4096,
		                         .iov = iov[i],
		                         .iovcnt = SEGS,
		                         .done = count_done};
		ios[i].fd = blk_store_fd_for(&store, off, iov[i], SEGS);
		ck_assert_int_eq(ios[i].fd, store.fd); /* page-aligned: O_DIRECT */
		blk_engine_queue(eng, &ios[i]);
	}
	ck_assert_uint_eq(blk_engine_pending(eng), N);
	blk_engine_submit(eng);
	while (blk_engine_pending(eng))
		blk_engine_reap(eng, true);
	ck_assert_int_eq(completions, N);
	for (int i = 0; i < N; i++)
		ck_assert_int_eq(ios[i].result, 0);
	memset(mem, 0, (size_t)N * SEGS * 4096);
	ck_assert_int_eq(pread(store.fd_buffered, mem, (size_t)N * SEGS * 4096, 0),
	                 N * SEGS * 4096);
	ck_assert_int_eq(pattern_check(mem, (size_t)N * SEGS * 4096, 99, 0), -1);
	free(mem);
}
END_TEST

START_TEST(test_flush_discard)
{
	struct blk_io io = {.op = BLK_IO_FSYNC};
	uint8_t *buf;
	struct stat before, after;

	eng = engine_for(_i);
	if (!eng)
		return;
	ck_assert_int_eq(posix_memalign((void **)&buf, 4096, 1u << 20), 0);
	pattern_fill(buf, 1u << 20, 5, 1u << 20);
	ck_assert_int_eq(rw(BLK_IO_WRITE, buf, 1u << 20, 1u << 20), 0);
	io.fd = store.fd;
	ck_assert_int_eq(run(&io), 0);
	ck_assert_int_eq(fstat(store.fd, &before), 0);
	io = (struct blk_io){
	    .op = BLK_IO_DISCARD, .fd = store.fd, .offset = (1u << 20) + 65536, .len = 65536};
	ck_assert_int_eq(run(&io), 0);
	ck_assert_int_eq(fstat(store.fd, &after), 0);
	ck_assert_int_eq(after.st_size, DISK_BYTES); /* KEEP_SIZE */
	ck_assert_int_lt(after.st_blocks, before.st_blocks);
	ck_assert_int_eq(rw(BLK_IO_READ, buf, 1u << 20, 1u << 20), 0);
	ck_assert_int_eq(pattern_check(buf, 65536, 5, 1u << 20), -1);
	for (size_t i = 65536; i < 131072; i++)
		ck_assert_msg(buf[i] == 0, "byte %zu of the hole is %u", i, buf[i]);
	ck_assert_int_eq(pattern_check(buf + 131072, (1u << 20) - 131072, 5, (1u << 20) + 131072),
	                 -1);
	free(buf);
}
END_TEST

START_TEST(test_readonly_store)
{
	struct blk_store ro;
	char err[256];
	uint8_t *buf;

	eng = engine_for(_i);
	if (!eng)
		return;
	ck_assert_int_eq(blk_store_open(&ro, path, true, err, sizeof(err)), 0);
	ck_assert(ro.readonly && !ro.discard);
	ck_assert_int_eq(posix_memalign((void **)&buf, 4096, 4096), 0);
	memset(buf, 0x5a, 4096);
	struct iovec iov = {buf, 4096};
	struct blk_io io = {.op = BLK_IO_WRITE, .fd = ro.fd, .len = 4096, .iov = &iov, .iovcnt = 1};
	ck_assert_int_eq(run(&io), -EBADF);
	ck_assert_int_eq(pread(ro.fd_buffered, buf, 4096, 0), 4096);
	ck_assert_uint_eq(buf[0], 0);
	blk_store_close(&ro);
	free(buf);
	ck_assert_int_eq(blk_store_open(&ro, "/nonexistent/disk.img", false, err, sizeof(err)), -1);
	ck_assert_msg(strstr(err, "/nonexistent/disk.img") != NULL, "%s", err);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("blkif_engine");
	TCase *tc = tcase_create("engine");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, test_geometry, 0, 1);
	tcase_add_loop_test(tc, test_patterns, 0, 2);
	tcase_add_loop_test(tc, test_batch, 0, 2);
	tcase_add_loop_test(tc, test_flush_discard, 0, 2);
	tcase_add_loop_test(tc, test_readonly_store, 0, 2);
	suite_add_tcase(s, tc);
	return check_run(s);
}
