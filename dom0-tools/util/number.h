/*
 * number: the checked number parser behind every daemon option that takes a
 * number (shoji-hv, shoji-xenstored, shoji-consoled).
 */
#ifndef SHOJI_UTIL_NUMBER_H
#define SHOJI_UTIL_NUMBER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * s as a decimal number of at most max: true with *out set.  False, with
 * *out untouched, for NULL, an empty string, any character but 0-9 (no
 * sign, no white space, no "0x", nothing after the digits), or a value above
 * max (one past UINT64_MAX included).
 */
bool parse_u64(const char *s, uint64_t max, uint64_t *out);

#endif
