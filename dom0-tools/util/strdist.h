/* Edit distance, for "did you mean ...?" hints (the CLI's commands, shojid's domain names). */
#ifndef SHOJI_UTIL_STRDIST_H
#define SHOJI_UTIL_STRDIST_H

#include <stddef.h>

/* The most characters str_distance() compares; longer strings count as far apart. */
#define STRDIST_MAX 63

/* Levenshtein distance between @a and @b (STRDIST_MAX + 1 when either is longer than STRDIST_MAX). */
size_t str_distance(const char *a, const char *b);

/*
 * Whether @candidate is a good hint for a mistyped @typed: within two edits,
 * or (for @typed of three characters or more) a name it begins.  *@best is
 * the distance of the best hint so far (start at STRDIST_HINT), updated when
 * @candidate is better.
 */
#define STRDIST_HINT 3
int str_better_hint(const char *typed, const char *candidate, size_t *best);

#endif
