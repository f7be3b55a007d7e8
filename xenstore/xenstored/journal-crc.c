/*
 * The checksum of the journal's records: the writer seals each record with
 * it, the replay stops at the first record that fails it.
 */
#include "config.h"

#include "journal.h"

static uint32_t crc_table[256];

static void crc_init(void)
{
	uint32_t i, j;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (j = 0; j < 8; j++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[i] = c;
	}
}

uint32_t journal_crc32(const void *p, size_t len)
{
	const unsigned char *b = p;
	uint32_t c = 0xffffffffu;

	if (!crc_table[1])
		crc_init();
	while (len--)
		c = crc_table[(c ^ *b++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}
