/*
 * store.c: opening a backing store and learning its geometry (see store.h).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <shoji/io/blkif.h>

#include "store.h"

/* O_DIRECT alignment from statx (Linux 6.1+); 0 when the kernel does not say. */
static void dio_align(struct blk_store *s)
{
#ifdef STATX_DIOALIGN
	struct statx stx;

	if (statx(s->fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) == 0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_mem_align) {
		s->dio_mem_align = stx.stx_dio_mem_align;
		s->dio_offset_align = stx.stx_dio_offset_align;
		return;
	}
#endif
	s->dio_mem_align = 0;
}

int blk_store_open(struct blk_store *s, const char *path, bool readonly, char *err, size_t errlen)
{
	int flags = (readonly ? O_RDONLY : O_RDWR) | O_CLOEXEC;
	struct stat st;
	uint64_t bytes;

	memset(s, 0, sizeof(*s));
	s->fd = s->fd_buffered = -1;
	s->readonly = readonly;
	s->fd_buffered = open(path, flags);
	if (s->fd_buffered < 0) {
		snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(s->fd_buffered, &st) < 0)
		goto fail;
	if (S_ISBLK(st.st_mode)) {
		int pbs = 512;

		s->blockdev = true;
		if (ioctl(s->fd_buffered, BLKGETSIZE64, &bytes) < 0)
			goto fail;
		if (ioctl(s->fd_buffered, BLKPBSZGET, &pbs) < 0 || pbs < 512)
			pbs = 512;
		s->physical_sector_size = (uint32_t)pbs;
	} else if (S_ISREG(st.st_mode)) {
		bytes = (uint64_t)st.st_size;
		s->physical_sector_size = XEN_BLKIF_SECTOR_SIZE;
	} else {
		snprintf(err, errlen, "%s: not a regular file or a block device", path);
		errno = EINVAL;
		goto out;
	}
	s->sectors = bytes / XEN_BLKIF_SECTOR_SIZE;
	s->discard = !readonly;
	s->discard_granularity = st.st_blksize >= 512 ? (uint32_t)st.st_blksize : 4096;
	s->fd = open(path, flags | O_DIRECT);
	if (s->fd >= 0) {
		s->direct = true;
		dio_align(s);
		if (!s->dio_mem_align) { /* the kernel does not say: the logical sector size */
			int lbs = 512;

			if (s->blockdev && ioctl(s->fd, BLKSSZGET, &lbs) < 0)
				lbs = 512;
			s->dio_mem_align = s->dio_offset_align = (uint32_t)lbs;
		}
	} else {
		s->fd = s->fd_buffered; /* e.g. tmpfs: no O_DIRECT */
	}
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
out:
	blk_store_close(s);
	return -1;
}

void blk_store_close(struct blk_store *s)
{
	if (s->fd >= 0 && s->fd != s->fd_buffered)
		close(s->fd);
	if (s->fd_buffered >= 0)
		close(s->fd_buffered);
	s->fd = s->fd_buffered = -1;
}

int blk_store_fd_for(const struct blk_store *s, uint64_t offset, const struct iovec *iov,
                     int iovcnt)
{
	if (!s->direct || offset % s->dio_offset_align)
		return s->fd_buffered;
	for (int i = 0; i < iovcnt; i++)
		if ((uintptr_t)iov[i].iov_base % s->dio_mem_align ||
		    iov[i].iov_len % s->dio_offset_align)
			return s->fd_buffered;
	return s->fd;
}
