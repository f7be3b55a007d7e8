/*
 * The on-disk format of shoji-xenstored's journal (docs/xenstore-journal.md),
 * shared by its writer (journal.c) and its replay (journal-replay.c) and by
 * nothing else: the rest of the store calls the journal_* functions of xsd.h.
 */
#ifndef SHOJI_XSD_JOURNAL_H
#define SHOJI_XSD_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#define JOURNAL_MAGIC     "SHOJIXS2" /* version 2: adds watches and quotas */
#define JOURNAL_MAGIC_V1  "SHOJIXS1" /* version 1: nodes and domains; still read */
#define JOURNAL_MAGIC_LEN 8

/* One op of a record body; each names what follows it (see the format). */
enum {
	OP_NODE = 'N',
	OP_DEL = 'D',
	OP_DOMAIN = 'I',
	OP_DOMAIN_GONE = 'R',
	OP_WATCH = 'W',
	OP_UNWATCH = 'U',
	OP_WATCH_RESET = 'X',
	OP_QUOTA = 'Q',
	OP_DOMAIN_QUOTA = 'q',
};

#define JOURNAL_QUOTA_NAME_MAX 64 /* longest quota name a record may carry */

/* CRC-32 (IEEE, as zlib) of a record body (journal-crc.c). */
uint32_t journal_crc32(const void *p, size_t len);

#endif
