/*
 * libFuzzer target: shoji-hv's PVH loader and Linux hypercall-stub rewrite
 * on arbitrary images.  Neither may crash; a failed load must not touch
 * guest RAM; a rewrite that is not done must leave the image as it was, and
 * one that is done must change exactly the two 3-byte sites.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hcpatch.h"
#include "loader.h"

#define MEM (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bytes of @a and @b differ only inside the sites of @res. */
static void check_patch(const uint8_t *a, const uint8_t *b, size_t size,
                        const struct hcpatch_result *res, int r)
{
	size_t i;
	unsigned int s;

	for (i = 0; i < size; i++) {
		bool in_site = false;

		for (s = 0; r == 1 && s < res->nsites; s++)
			if (i >= res->sites[s].offset && i < res->sites[s].offset + HCPATCH_LEN)
				in_site = true;
		if (a[i] != b[i] && !in_site)
			abort();
	}
	if (r == 1 && res->nsites != HCPATCH_SITES)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct hcpatch_result res;
	struct guestmem m;
	struct pvh_boot boot;
	char err[256];
	uint8_t *img;
	int r;

	if (!ram)
		ram = malloc(MEM);
	if (!ram)
		abort();
	ram[LOADER_START_INFO(MEM)] = 0x5a;
	m.base = ram;
	m.size = MEM;
	/* An exact-size copy so ASan sees any read past the image. */
	img = malloc(size ? size : 1);
	if (!img)
		abort();
	memcpy(img, data, size);
	r = hcpatch_apply(img, size, &res, err, sizeof(err));
	check_patch(data, img, size, &res, r);
	if (pvh_load(&m, img, size, size > 64 ? img : NULL, size > 64 ? 64 : 0, "console=hvc0",
	             1 + size % 4, &boot, err, sizeof(err)) < 0) {
		if (ram[LOADER_START_INFO(MEM)] != 0x5a || err[0] == '\0')
			abort(); /* a failed load wrote guest memory, or said nothing */
	} else if (boot.start_info != LOADER_START_INFO(MEM)) {
		abort();
	}
	free(img);
	return 0;
}
