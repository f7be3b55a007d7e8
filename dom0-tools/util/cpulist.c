/* Host CPU lists (see cpulist.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpulist.h"

/* A CPU number at *p (digits only, no sign, below 100000); advances *p. -1 if none. */
static long cpu_number(const char **p)
{
	long v = 0;
	int digits = 0;

	while (**p >= '0' && **p <= '9' && digits < 6) {
		v = v * 10 + (**p - '0');
		(*p)++;
		digits++;
	}
	return digits && !(**p >= '0' && **p <= '9') ? v : -1;
}

int cpulist_parse(const char *s, unsigned int ncpus, uint64_t *mask, size_t words, char *why,
                  size_t whylen)
{
	const char *p = s;
	size_t limit = words * 64 < ncpus ? words * 64 : ncpus;

	memset(mask, 0, words * sizeof(*mask));
	if (!strcmp(s, "all")) {
		for (size_t c = 0; c < limit; c++)
			mask[c / 64] |= 1ULL << (c % 64);
		return 0;
	}
	for (;;) {
		long lo = cpu_number(&p), hi = lo;

		if (lo >= 0 && *p == '-') {
			p++;
			hi = cpu_number(&p);
		}
		if (lo < 0 || hi < 0 || hi < lo || (*p && *p != ',')) {
			snprintf(why, whylen, "'%s' is not a CPU list (e.g. 0-1,3 or all)", s);
			return -1;
		}
		if ((size_t)hi >= limit) {
			snprintf(why, whylen, "this host has no CPU %ld (it has 0 .. %zu)", hi,
			         limit - 1);
			return -1;
		}
		for (long c = lo; c <= hi; c++)
			mask[c / 64] |= 1ULL << (c % 64);
		if (!*p)
			return 0;
		p++; /* ',' */
	}
}

void cpulist_format(const uint64_t *mask, size_t words, char *out, size_t len)
{
	size_t used = 0, n = words * 64;

	out[0] = '\0';
	for (size_t c = 0; c < n; c++) {
		size_t end = c;
		int w;

		if (!(mask[c / 64] & (1ULL << (c % 64))))
			continue;
		while (end + 1 < n && (mask[(end + 1) / 64] & (1ULL << ((end + 1) % 64))))
			end++;
		w = end > c ? snprintf(out + used, len - used, "%s%zu-%zu", used ? "," : "", c, end)
		            : snprintf(out + used, len - used, "%s%zu", used ? "," : "", c);
		if (w < 0 || (size_t)w >= len - used)
			return; /* truncated: out stays NUL-terminated */
		used += (size_t)w;
		c = end;
	}
}
