/* number: the daemons' checked number parser (see number.h). */
#include "config.h"

#include "number.h"

bool parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		uint64_t digit;

		if (*s < '0' || *s > '9')
			return false;
		digit = (uint64_t)(*s - '0');
		/* v * 10 + digit <= max, asked without overflowing */
		if (v > max / 10 || digit > max - v * 10)
			return false;
		v = v * 10 + digit;
	}
	*out = v;
	return true;
}
