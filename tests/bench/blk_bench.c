/*
 * blk_bench: shoji-blkback's request path beside a plain io_uring program
 * doing the same I/O on the same file in the same run.
 *
 * "direct": io_uring on the file (O_DIRECT), QD requests kept in flight,
 * every completion there is reaped and refilled with one submit.
 * "backend": an in-process frontend puts the same I/O on a blkif ring
 * (1 MiB = 24 requests of up to 11 segments; 4 KiB = one) and the
 * backend's ring consumer serves it: copy + validate each request, map its
 * segments (faked: mmap of the "guest" memfd pages, one mmap per segment,
 * as libshoji-gnttab maps guest memory, without shoji-hv's round trip),
 * one engine batch per notification, respond.  No guest and no event
 * channel: the figures are the Dom0 side's cost.  "persistent" is the same
 * with feature-persistent: each guest page is mapped once and kept; for
 * 1 MiB, "+ indirect" also sends each 1 MiB as one indirect request.
 *
 * Usage: blk_bench FILE [SECONDS_PER_LINE]   (FILE is created, 256 MiB)
 * CPU is this process's user+system time per guest request, frontend
 * included (a few hundred ns of it).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "vbd_ring.h"

#define FILE_BYTES  (256ull << 20)
#define SEG_BYTES   4096u
#define REQ_BYTES   (BLKIF_MAX_SEGMENTS_PER_REQUEST * SEG_BYTES)
#define GUEST_PAGES 520

struct result {
	double secs, cpu_us;
	uint64_t ios, bytes;
};

struct load {
	const char *name;
	bool write, random;
	size_t bs;
	unsigned int qd;
};

static double secs_per_line = 1.0;
static uint64_t rng = 88172645463325252ull;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

/* The next offset of @l: sequential wrapping at the end, or random aligned to bs. */
static uint64_t next_off(const struct load *l, uint64_t *seq)
{
	uint64_t off;

	if (l->random) {
		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
		return (rng % (FILE_BYTES / l->bs)) * l->bs;
	}
	off = *seq;
	*seq = (*seq + l->bs) % FILE_BYTES;
	return off;
}

static void direct(const char *path, const struct load *l, struct result *res)
{
	struct io_uring ring;
	struct io_uring_cqe *cqe;
	uint8_t *buf;
	uint64_t seq = 0;
	double t0, c0, end;
	int fd = open(path, O_RDWR | O_DIRECT);

	if (fd < 0 || io_uring_queue_init(l->qd, &ring, 0) < 0 ||
	    posix_memalign((void **)&buf, 4096, l->bs * l->qd)) {
		fprintf(stderr, "blk_bench: direct set-up failed: %s\n", strerror(errno));
		exit(1);
	}
	memset(buf, 0x5a, l->bs * l->qd);
	memset(res, 0, sizeof(*res));
	t0 = now();
	c0 = cpu_now();
	end = t0 + secs_per_line;
	for (unsigned int i = 0; i < l->qd; i++) {
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		if (l->write)
			io_uring_prep_write(sqe, fd, buf + i * l->bs, (unsigned int)l->bs,
			                    next_off(l, &seq));
		else
			io_uring_prep_read(sqe, fd, buf + i * l->bs, (unsigned int)l->bs,
			                   next_off(l, &seq));
		io_uring_sqe_set_data64(sqe, i);
	}
	io_uring_submit(&ring);
	/* Reap every completion there is, refill, one submit: the batching a good program does. */
	for (unsigned int inflight = l->qd; inflight > 0;) {
		bool refill = now() < end;
		unsigned int got = 0;

		if (io_uring_wait_cqe(&ring, &cqe) < 0) {
			fprintf(stderr, "blk_bench: io_uring_wait_cqe failed\n");
			exit(1);
		}
		while (io_uring_peek_cqe(&ring, &cqe) == 0) {
			unsigned int i = (unsigned int)io_uring_cqe_get_data64(cqe);

			if (cqe->res != (int)l->bs) {
				fprintf(stderr, "blk_bench: direct I/O failed: %d\n", cqe->res);
				exit(1);
			}
			io_uring_cqe_seen(&ring, cqe);
			res->ios++;
			res->bytes += l->bs;
			inflight--;
			got++;
			if (refill) {
				struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

				if (l->write)
					io_uring_prep_write(sqe, fd, buf + i * l->bs,
					                    (unsigned int)l->bs, next_off(l, &seq));
				else
					io_uring_prep_read(sqe, fd, buf + i * l->bs,
					                   (unsigned int)l->bs, next_off(l, &seq));
				io_uring_sqe_set_data64(sqe, i);
				inflight++;
			}
		}
		if (refill && got)
			io_uring_submit(&ring);
	}
	res->secs = now() - t0;
	res->cpu_us = cpu_now() - c0;
	io_uring_queue_exit(&ring);
	free(buf);
	close(fd);
}

/* --- the backend's path, with a frontend in this process --- */

static int memfd;

static void *fake_map(void *arg, uint32_t n, const grant_ref_t *refs, bool writable)
{
	uint8_t *area = mmap(NULL, (size_t)n * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (area == MAP_FAILED)
		return NULL;
	for (uint32_t i = 0; i < n; i++)
		if (refs[i] >= GUEST_PAGES ||
		    mmap(area + (size_t)i * 4096, 4096,
		         writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED | MAP_FIXED,
		         memfd, (off_t)refs[i] * 4096) == MAP_FAILED) {
			munmap(area, (size_t)n * 4096);
			return NULL;
		}
	return area;
}

static void fake_unmap(void *arg, void *addr, uint32_t n)
{
	munmap(addr, (size_t)n * 4096);
}

static void no_notify(void *arg)
{
}

static void on_broken(void *arg, const char *why)
{
	fprintf(stderr, "blk_bench: ring broken: %s\n", why);
	exit(1);
}

static void backend(const char *path, const struct load *l, enum blk_engine_kind kind,
                    bool persistent, bool indirect, struct result *res)
{
	unsigned int parts_per_io =
	    indirect ? 1 : (unsigned int)((l->bs + REQ_BYTES - 1) / REQ_BYTES);
	unsigned int pages_per_io = (unsigned int)(l->bs / SEG_BYTES);
	unsigned int left[64] = {0};
	struct blk_store store;
	struct blk_engine *eng = blk_engine_new(kind, 256, NULL, 0);
	blkif_front_ring_t front;
	struct vbd_ring *ring;
	void *sring;
	char err[256];
	uint64_t seq = 0;
	double t0, c0, end;
	unsigned int inflight = 0;

	if (!eng || blk_store_open(&store, path, false, err, sizeof(err)) < 0 ||
	    posix_memalign(&sring, 4096, 4096) || l->qd * parts_per_io > 32 || l->qd > 64 ||
	    l->qd * pages_per_io + (indirect ? l->qd : 0) > GUEST_PAGES) {
		fprintf(stderr, "blk_bench: backend set-up failed\n");
		exit(1);
	}
	SHARED_RING_INIT((blkif_sring_t *)sring);
	FRONT_RING_INIT(&front, (blkif_sring_t *)sring, 4096);
	ring = vbd_ring_new(
	    &(struct vbd_ring_config){.sring = sring,
	                              .ring_pages = 1,
	                              .store = &store,
	                              .limits = {.sectors = store.sectors,
	                                         .discard = store.discard,
	                                         .max_indirect_segs = BLK_MAX_INDIRECT_SEGS},
	                              .engine = eng,
	                              .mapper = {fake_map, fake_unmap, NULL},
	                              .persistent = persistent,
	                              .max_persistent = GUEST_PAGES,
	                              .notify = no_notify,
	                              .broken = on_broken});
	memset(res, 0, sizeof(*res));
	t0 = now();
	c0 = cpu_now();
	end = t0 + secs_per_line;
	for (bool more = true; more || inflight > 0;) {
		/* Queue every free guest I/O slot, then one notification. */
		for (unsigned int k = 0; more && k < l->qd; k++) {
			uint64_t off;

			if (left[k])
				continue;
			off = next_off(l, &seq);
			if (indirect) { /* the segment list in the last guest pages */
				blkif_request_indirect_t *rq =
				    (blkif_request_indirect_t *)RING_GET_REQUEST(
				        &front, front.req_prod_pvt++);
				struct blkif_request_segment *list =
				    (struct blkif_request_segment *)mmap(
				        NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd,
				        (off_t)(GUEST_PAGES - 1 - k) * 4096);

				for (unsigned int s = 0; s < pages_per_io; s++)
					list[s] = (struct blkif_request_segment){
					    .gref = k * pages_per_io + s,
					    .first_sect = 0,
					    .last_sect = 7};
				munmap(list, 4096);
				rq->operation = BLKIF_OP_INDIRECT;
				rq->indirect_op = l->write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
				rq->nr_segments = (uint16_t)pages_per_io;
				rq->id = k;
				rq->sector_number = off / 512;
				rq->indirect_grefs[0] = GUEST_PAGES - 1 - k;
			}
			for (unsigned int p = 0; !indirect && p < parts_per_io; p++) {
				blkif_request_t *rq =
				    RING_GET_REQUEST(&front, front.req_prod_pvt++);
				unsigned int first = p * BLKIF_MAX_SEGMENTS_PER_REQUEST;
				unsigned int n =
				    pages_per_io - first < BLKIF_MAX_SEGMENTS_PER_REQUEST
				        ? pages_per_io - first
				        : BLKIF_MAX_SEGMENTS_PER_REQUEST;

				rq->operation = l->write ? BLKIF_OP_WRITE : BLKIF_OP_READ;
				rq->nr_segments = (uint8_t)n;
				rq->id = k;
				rq->sector_number = (off + (uint64_t)first * SEG_BYTES) / 512;
				for (unsigned int s = 0; s < n; s++)
					rq->seg[s] = (struct blkif_request_segment){
					    .gref = k * pages_per_io + first + s,
					    .first_sect = 0,
					    .last_sect = 7};
			}
			left[k] = parts_per_io;
			inflight++;
		}
		RING_PUSH_REQUESTS(&front);
		vbd_ring_kick(ring);
		if (!RING_HAS_UNCONSUMED_RESPONSES(&front))
			blk_engine_reap(eng, true);
		while (RING_HAS_UNCONSUMED_RESPONSES(&front)) {
			blkif_response_t *rs = RING_GET_RESPONSE(&front, front.rsp_cons++);

			if (rs->status != BLKIF_RSP_OKAY) {
				fprintf(stderr, "blk_bench: request failed: %d\n", rs->status);
				exit(1);
			}
			if (--left[rs->id] == 0) {
				inflight--;
				res->ios++;
				res->bytes += l->bs;
			}
		}
		more = now() < end;
	}
	res->secs = now() - t0;
	res->cpu_us = cpu_now() - c0;
	vbd_ring_free(ring);
	blk_engine_free(eng);
	blk_store_close(&store);
	free(sring);
}

static void print(const char *what, const struct result *r)
{
	printf("  %-22s %9.1f MB/s %9.0f IOPS %8.2f us CPU/req\n", what,
	       (double)r->bytes / r->secs / 1e6, (double)r->ios / r->secs,
	       r->cpu_us / (double)r->ios);
}

int main(int argc, char **argv)
{
	static const struct load loads[] = {
	    {"sequential write 1 MiB, QD1", true, false, 1u << 20, 1},
	    {"sequential read 1 MiB, QD1", false, false, 1u << 20, 1},
	    {"random read 4 KiB, QD1", false, true, 4096, 1},
	    {"random read 4 KiB, QD32", false, true, 4096, 32},
	};
	const char *path;
	int fd;

	if (argc < 2) {
		fprintf(stderr, "usage: blk_bench FILE [SECONDS_PER_LINE]\n");
		return 2;
	}
	path = argv[1];
	if (argc > 2)
		secs_per_line = atof(argv[2]);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || fallocate(fd, 0, 0, FILE_BYTES) < 0) {
		fprintf(stderr, "blk_bench: cannot make %s: %s\n", path, strerror(errno));
		return 1;
	}
	close(fd);
	memfd = memfd_create("guest", MFD_CLOEXEC);
	if (memfd < 0 || ftruncate(memfd, GUEST_PAGES * 4096) < 0)
		return 1;
	for (size_t i = 0; i < sizeof(loads) / sizeof(loads[0]); i++) {
		struct result d, b, t, p, n;
		bool big = loads[i].bs > REQ_BYTES;

		direct(path, &loads[i], &d);
		backend(path, &loads[i], BLK_ENGINE_URING, false, false, &b);
		backend(path, &loads[i], BLK_ENGINE_THREADS, false, false, &t);
		backend(path, &loads[i], BLK_ENGINE_URING, true, false, &p);
		if (big)
			backend(path, &loads[i], BLK_ENGINE_URING, true, true, &n);
		printf("%s (%s, %.1f s each)\n", loads[i].name, path, secs_per_line);
		print("direct io_uring", &d);
		print("backend, io_uring", &b);
		print("backend, threads", &t);
		print("backend, persistent", &p);
		if (big)
			print("  + indirect (1 req)", &n);
		printf(
		    "  %-22s %5.0f %% of direct MB/s, %.2fx direct CPU/req (persistent: %.0f %%, "
		    "%.2fx)\n",
		    "backend/direct",
		    100.0 * ((double)b.bytes / b.secs) / ((double)d.bytes / d.secs),
		    (b.cpu_us / (double)b.ios) / (d.cpu_us / (double)d.ios),
		    100.0 * ((double)p.bytes / p.secs) / ((double)d.bytes / d.secs),
		    (p.cpu_us / (double)p.ios) / (d.cpu_us / (double)d.ios));
	}
	unlink(path);
	return 0;
}
