/* Edit distance for hints (see strdist.h). */
#include "config.h"

#include <string.h>

#include "strdist.h"

size_t str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[STRDIST_MAX + 1], i, j;

	if (la > STRDIST_MAX || lb > STRDIST_MAX)
		return STRDIST_MAX + 1;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

int str_better_hint(const char *typed, const char *candidate, size_t *best)
{
	size_t n = strlen(typed), d = str_distance(typed, candidate);

	if (n >= 3 && !strncmp(candidate, typed, n))
		d = 1; /* a name it begins */
	if (d >= *best)
		return 0;
	*best = d;
	return 1;
}
