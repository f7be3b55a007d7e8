/*
 * store.h - a vbd's backing store: a raw file or a host block device,
 * opened with O_DIRECT where the store allows it (and read-only for
 * mode=r), with the geometry shoji-blkback advertises.
 */
#ifndef BLKBACK_STORE_H
#define BLKBACK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct blk_store {
	int fd;          /* O_DIRECT when @direct */
	int fd_buffered; /* through the page cache: transfers O_DIRECT cannot align */
	bool direct, readonly, blockdev, discard;
	uint64_t sectors;          /* in XEN_BLKIF_SECTOR_SIZE units */
	uint32_t dio_mem_align;    /* O_DIRECT: buffer address and length alignment */
	uint32_t dio_offset_align; /* O_DIRECT: file offset alignment */
	uint32_t physical_sector_size;
	uint32_t discard_granularity;
};

/*
 * Open @path (read-only when @readonly).  0, or -1 with errno and a
 * one-line reason in @err.  A store whose size is not a whole number of
 * sectors serves the whole sectors only.
 */
int blk_store_open(struct blk_store *s, const char *path, bool readonly, char *err, size_t errlen);
void blk_store_close(struct blk_store *s);

/* The fd for a transfer at @offset over @iov: O_DIRECT when everything is aligned for it. */
struct iovec;
int blk_store_fd_for(const struct blk_store *s, uint64_t offset, const struct iovec *iov,
                     int iovcnt);

#endif
