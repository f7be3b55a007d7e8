/*
 * libFuzzer target over shoji-blkback's request validator: the input is a
 * ring slot (struct blkif_request, 112 bytes), the disk's size, a flags
 * byte (read-only, discard, indirect limit) and, for an indirect request,
 * the segments of its indirect page.  Besides "no crash, no UB", every request the validator
 * passes must keep its promises: inside the disk, no sector wrap, no
 * write on a read-only disk, segments inside their page.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "blkif_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct blkif_request req;
	struct blk_limits lim = {0};
	struct blk_req out;
	uint8_t flags = 0;
	int rc;

	if (size < sizeof(req))
		return 0;
	memcpy(&req, data, sizeof(req));
	data += sizeof(req);
	size -= sizeof(req);
	if (size >= 8) {
		memcpy(&lim.sectors, data, 8);
		data += 8;
		size -= 8;
	} else {
		lim.sectors = 2048;
	}
	if (size >= 1)
		flags = data[0];
	lim.readonly = flags & 1;
	lim.discard = flags & 2;
	lim.max_indirect_segs = flags & 4 ? (flags >> 3) * 9u : 0;
	if (size >= 1) {
		data++;
		size--;
	}
	rc = blkif_check_request(&req, &lim, &out);
	if (out.id != req.id || out.operation != req.operation)
		abort();
	if (rc == BLKIF_RSP_OKAY && out.indirect) {
		/* Stage 2 over what an indirect page would hold: the rest of the input. */
		if (out.nr_segs == 0 || out.nr_segs > lim.max_indirect_segs ||
		    out.nr_indirect_pages != (out.nr_segs + 511) / 512 || out.kind > BLK_WRITE)
			abort();
		memset(out.seg, 0, sizeof(out.seg));
		memcpy(out.seg, data, size < sizeof(out.seg) ? size : sizeof(out.seg));
		rc = blkif_check_indirect_segments(&out, &lim);
	}
	if (rc != BLKIF_RSP_OKAY)
		return 0;
	if (out.sector > lim.sectors || out.nr_sectors > lim.sectors - out.sector)
		abort();
	if (lim.readonly && out.kind != BLK_READ && out.nr_sectors > 0)
		abort();
	if (out.nr_segs > (req.operation == BLKIF_OP_INDIRECT ? lim.max_indirect_segs
	                                                      : BLKIF_MAX_SEGMENTS_PER_REQUEST))
		abort();
	uint64_t total = 0;
	for (uint32_t i = 0; i < out.nr_segs; i++) {
		if (out.seg[i].first_sect > out.seg[i].last_sect ||
		    out.seg[i].last_sect >= BLK_SECTORS_PER_PAGE)
			abort();
		total += out.seg[i].last_sect - out.seg[i].first_sect + 1u;
	}
	if (out.kind != BLK_DISCARD && total != out.nr_sectors)
		abort();
	if ((out.kind == BLK_READ || out.kind == BLK_WRITE) && out.nr_segs == 0)
		abort();
	return 0;
}
