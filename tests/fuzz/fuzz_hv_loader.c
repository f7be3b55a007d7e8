/* libFuzzer target: shoji-hv's PVH loader on arbitrary images (must never crash or touch RAM on error). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

#define MEM (4u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t *ram;
	struct guestmem m;
	struct pvh_boot boot;
	char err[256];
	uint8_t *img;

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
