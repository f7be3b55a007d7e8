/*
 * Host CPU lists as vcpu-pin takes them ("0-1,3", or "all"), the same
 * grammar as Linux's cpuset lists: items N or N-M (N <= M), comma-separated.
 */
#ifndef SHOJI_CPULIST_H
#define SHOJI_CPULIST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parse @s into @mask (@words 64-bit words; bit c of word c / 64), every CPU
 * below @ncpus (the host's).  0, or -1 with a one-line reason in @why.
 */
int cpulist_parse(const char *s, unsigned int ncpus, uint64_t *mask, size_t words, char *why,
                  size_t whylen);

/* @mask as a list ("0-1,3"; "" when empty) into @out. */
void cpulist_format(const uint64_t *mask, size_t words, char *out, size_t len);

#endif
