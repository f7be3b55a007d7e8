/*
 * Unit tests of the save/migration stream's framing (dom0-tools/util/
 * migstream.c): a stream reads back as written, through a pipe as through a
 * file; every truncation and every flipped bit of a stream is refused with
 * the line that says so; another format or version is refused by name.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check-run.h"
#include "migstream.h"

/* A stream of three records (bodies of 0, 5 and 4096 + 3 bytes) in a memfd; its size in *len. */
static int make_stream(size_t *len)
{
	static uint8_t page[4099];
	struct iovec iov[2] = {{page, 4096}, {page + 4096, 3}};
	int fd = memfd_create("stream", 0);
	size_t i;

	ck_assert_int_ge(fd, 0);
	for (i = 0; i < sizeof(page); i++)
		page[i] = (uint8_t)(i * 7 + 1);
	ck_assert_int_eq(mig_write_header(fd), 0);
	ck_assert_int_eq(mig_write_record(fd, MIG_REC_DOMAIN_CONFIG, "<dom>", 5), 0);
	ck_assert_int_eq(mig_write_recordv(fd, MIG_REC_HV_PAGES, iov, 2), 0);
	ck_assert_int_eq(mig_write_record(fd, MIG_REC_END, NULL, 0), 0);
	*len = (size_t)lseek(fd, 0, SEEK_CUR);
	return fd;
}

/* Read @fd from its start to the END record: 0, or -1 with errno and r->err. */
static int read_stream(int fd, struct mig_reader *r)
{
	struct mig_rec_hdr h;

	lseek(fd, 0, SEEK_SET);
	mig_reader_init(r, fd);
	if (mig_read_header(r) < 0)
		return -1;
	do
		if (mig_read_record(r, &h) < 0)
			return -1;
	while (h.type != MIG_REC_END);
	return 0;
}

START_TEST(test_round_trip)
{
	struct mig_reader r;
	struct mig_rec_hdr h;
	size_t len, i;
	int fd = make_stream(&len);

	/* 16 header + (16 + 8) + (16 + 4104) + 16 */
	ck_assert_uint_eq(len, 16 + 24 + 4120 + 16);
	lseek(fd, 0, SEEK_SET);
	mig_reader_init(&r, fd);
	ck_assert_int_eq(mig_read_header(&r), 0);
	ck_assert_int_eq(mig_expect_record(&r, MIG_REC_DOMAIN_CONFIG, &h), 0);
	ck_assert_uint_eq(h.length, 5);
	ck_assert_mem_eq(r.body, "<dom>", 5);
	ck_assert_int_eq(mig_read_record(&r, &h), 0);
	ck_assert_uint_eq(h.type, MIG_REC_HV_PAGES);
	ck_assert_uint_eq(h.length, 4099);
	for (i = 0; i < 4099; i++)
		ck_assert_uint_eq(r.body[i], (uint8_t)(i * 7 + 1));
	/* Expecting the wrong type is refused by name. */
	ck_assert_int_eq(mig_expect_record(&r, MIG_REC_HV_END, &h), -1);
	ck_assert_int_eq(errno, EBADMSG);
	ck_assert_msg(strstr(r.err, "END") && strstr(r.err, "HV_END expected"), "%s", r.err);
	ck_assert_uint_eq(r.offset, len);
	mig_reader_free(&r);
	close(fd);
}
END_TEST

/* Through a pipe, in small pieces: nothing relies on seeking or whole reads. */
START_TEST(test_pipe)
{
	struct mig_reader r;
	size_t len, off = 0;
	uint8_t buf[8192];
	int fd = make_stream(&len), p[2];
	pid_t pid;

	ck_assert_int_eq(pread(fd, buf, len, 0), (ssize_t)len);
	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		while (off < len) {
			size_t n = len - off < 7 ? len - off : 7;

			if (write(p[1], buf + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	close(p[1]);
	mig_reader_init(&r, p[0]);
	ck_assert_int_eq(mig_read_header(&r), 0);
	{
		struct mig_rec_hdr h;

		do
			ck_assert_int_eq(mig_read_record(&r, &h), 0);
		while (h.type != MIG_REC_END);
	}
	ck_assert_uint_eq(r.index, 3);
	mig_reader_free(&r);
	close(p[0]);
	close(fd);
}
END_TEST

/* Every cut of the stream short of its end is refused as truncated (or as no stream at all). */
START_TEST(test_truncated)
{
	struct mig_reader r;
	size_t len, cut;
	int fd = make_stream(&len);

	for (cut = 0; cut < len; cut++) {
		int t = memfd_create("cut", 0);
		uint8_t buf[8192];

		ck_assert_int_eq(pread(fd, buf, cut, 0), (ssize_t)cut);
		ck_assert_int_eq(write(t, buf, cut), (ssize_t)cut);
		ck_assert_int_eq(read_stream(t, &r), -1);
		if (cut < sizeof(struct mig_header)) {
			ck_assert_int_eq(errno, EPROTO);
		} else {
			ck_assert_msg(errno == EPIPE, "cut at %zu: %s", cut, r.err);
			ck_assert_msg(strstr(r.err, "truncated stream"), "%s", r.err);
		}
		mig_reader_free(&r);
		close(t);
	}
	ck_assert_int_eq(read_stream(fd, &r), 0);
	mig_reader_free(&r);
	close(fd);
}
END_TEST

/* Every single flipped bit after the header is refused as corrupt; a changed header as foreign. */
START_TEST(test_corrupt)
{
	struct mig_reader r;
	uint8_t orig[8192], buf[8192];
	size_t len, byte;
	unsigned int bit;
	int fd = make_stream(&len);

	ck_assert_int_eq(pread(fd, orig, len, 0), (ssize_t)len);
	for (byte = 0; byte < len; byte++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(buf, orig, len);
			buf[byte] ^= (uint8_t)(1u << bit);
			ck_assert_int_eq(pwrite(fd, buf, len, 0), (ssize_t)len);
			ck_assert_msg(read_stream(fd, &r) == -1,
			              "flip of bit %u of byte %zu passed", bit, byte);
			/* A flipped length may make the stream look short: truncated is fine then. */
			ck_assert_msg(errno == EPROTO || errno == EBADMSG || errno == EPIPE,
			              "byte %zu: %s", byte, strerror(errno));
			if (byte >= sizeof(struct mig_header) && errno != EPIPE)
				ck_assert_msg(strstr(r.err, "corrupt stream"), "%s", r.err);
			mig_reader_free(&r);
		}
	close(fd);
}
END_TEST

START_TEST(test_other_version)
{
	struct mig_reader r;
	struct mig_header h;
	size_t len;
	int fd = make_stream(&len);

	ck_assert_int_eq(pread(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	h.version = MIG_VERSION + 1;
	ck_assert_int_eq(pwrite(fd, &h, sizeof(h), 0), (ssize_t)sizeof(h));
	ck_assert_int_eq(read_stream(fd, &r), -1);
	ck_assert_int_eq(errno, EPROTO);
	ck_assert_msg(strstr(r.err, "version 2") && strstr(r.err, "version 1 only"), "%s", r.err);
	mig_reader_free(&r);
	ck_assert_int_eq(pwrite(fd, "ELF\177XXXX", 8, 0), 8);
	ck_assert_int_eq(read_stream(fd, &r), -1);
	ck_assert_msg(strstr(r.err, "not a Shoji save stream"), "%s", r.err);
	mig_reader_free(&r);
	close(fd);
}
END_TEST

/* A record larger than MIG_REC_MAX is never written. */
START_TEST(test_too_large)
{
	struct iovec iov = {NULL, (size_t)MIG_REC_MAX + 1};
	int fd = memfd_create("big", 0);

	ck_assert_int_eq(mig_write_recordv(fd, MIG_REC_HV_PAGES, &iov, 1), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 0);
	close(fd);
}
END_TEST

int main(void)
{
	const struct check_case c = {.suite = "migstream", .name = "migstream", .timeout = 60};

	return CHECK_MAIN(c, test_round_trip, test_pipe, test_truncated, test_corrupt,
	                  test_other_version, test_too_large);
}
