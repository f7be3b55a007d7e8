/*
 * check.c: result lines for test guests (see check.h).
 */
#include "check.h"

static unsigned int failures;

bool check(bool ok, const char *name, const char *detail, ...)
{
	char buf[256] = "";

	if (detail != NULL) {
		va_list ap;

		buf[0] = ' ';
		va_start(ap, detail);
		vsnprintf(buf + 1, sizeof(buf) - 1, detail, ap);
		va_end(ap);
	}
	printf("%s %s%s\n", ok ? "PASS" : "FAIL", name, buf);
	if (!ok)
		failures++;
	return ok;
}

bool check_rc(const char *name, long got, long want)
{
	if (got == want)
		return check(true, name, "rc=%ld", got);
	return check(false, name, "rc=%ld want=%ld", got, want);
}

unsigned int check_failures(void)
{
	return failures;
}

int check_finish(void)
{
	printf(failures == 0 ? "SUCCESS\n" : "FAILURE\n");
	return failures == 0 ? 0 : 1;
}

unsigned long cmdline_ulong(const struct hvm_start_info *si, const char *key, unsigned long def)
{
	char buf[32];

	if (!cmdline_get(si, key, buf, sizeof(buf)))
		return def;
	return strtoul_simple(buf, NULL);
}
