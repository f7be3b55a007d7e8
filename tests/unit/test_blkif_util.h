/*
 * Helpers of the shoji-blkback unit tests: a temp backing file and byte
 * patterns that say where they belong (so a misplaced sector shows).
 */
#ifndef TEST_BLKIF_UTIL_H
#define TEST_BLKIF_UTIL_H

#include <check.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A file of @bytes zeros under $TMPDIR; its path goes to @path (unlinked by the caller). */
static inline void temp_disk(char *path, size_t len, uint64_t bytes)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	snprintf(path, len, "%s/blkif-test.XXXXXX", dir && *dir ? dir : "/tmp");
	fd = mkstemp(path);
	ck_assert_msg(fd >= 0, "mkstemp %s", path);
	ck_assert_int_eq(ftruncate(fd, (off_t)bytes), 0);
	close(fd);
}

/* The byte of pattern @seed at disk byte @pos. */
static inline uint8_t pattern_byte(uint32_t seed, uint64_t pos)
{
	uint64_t x = (pos >> 3) * 0x9e3779b97f4a7c15ull + seed;

	return (uint8_t)((x >> 29) ^ (pos & 7) ^ (x >> 47));
}

static inline void pattern_fill(uint8_t *buf, size_t len, uint32_t seed, uint64_t pos)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_byte(seed, pos + i);
}

/* Index of the first byte of @buf that differs from the pattern, or -1. */
static inline long pattern_check(const uint8_t *buf, size_t len, uint32_t seed, uint64_t pos)
{
	for (size_t i = 0; i < len; i++)
		if (buf[i] != pattern_byte(seed, pos + i))
			return (long)i;
	return -1;
}

#endif
