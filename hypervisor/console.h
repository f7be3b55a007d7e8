/*
 * The per-domain console_io ring: a bounded byte ring Dom0 reads like
 * `xl dmesg`.  Positions are absolute byte counts since domain creation, so a
 * reader that fell behind learns how much it lost.
 */
#ifndef SHOJI_HV_CONSOLE_H
#define SHOJI_HV_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#define CONSOLE_RING_SIZE 16384u /* power of two */

struct domain;

struct console_ring {
	char buf[CONSOLE_RING_SIZE];
	uint64_t prod;     /* bytes ever written */
	uint64_t first_ns; /* time_mono_ns() of the first byte (0: none yet) */
};

/* Append @len bytes (the oldest are overwritten when the ring is full). */
void console_ring_put(struct console_ring *r, const char *data, size_t len);

/*
 * Copy up to @max bytes starting at absolute position *@pos into @out;
 * *@pos is first raised to the oldest byte still held.  Returns the count
 * and advances *@pos.
 */
size_t console_ring_read(const struct console_ring *r, uint64_t *pos, char *out, size_t max);

/*
 * Guest output for @d's console log (console_io, the 0xe9 debug port): into
 * its ring, which `shoji dmesg` reads, and to stdout in run mode.  d->lock held.
 */
void console_append(struct domain *d, const char *data, size_t len);

#endif
