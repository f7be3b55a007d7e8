/*
 * check.h: XTF/Solo5-style result lines for test guests.  Every check prints
 * one line, "PASS <name>[ <detail>]" or "FAIL <name>[ <detail>]"; the guest
 * ends with check_finish(), which prints "SUCCESS" or "FAILURE".
 */
#ifndef SHOJI_TEST_GUEST_CHECK_H
#define SHOJI_TEST_GUEST_CHECK_H

#include "shoji-guest.h"

/* Record one check; detail (may be NULL) is a printf format. */
bool check(bool ok, const char *name, const char *detail, ...)
    __attribute__((format(printf, 3, 4)));
/* A hypercall result check: passes when got == want, prints both otherwise. */
bool check_rc(const char *name, long got, long want);
/* Print SUCCESS (returns 0) or FAILURE (returns 1): use as guest_main's result. */
int check_finish(void);
/* Number of failed checks so far. */
unsigned int check_failures(void);

/* Command-line integer "key=value" or def when absent. */
unsigned long cmdline_ulong(const struct hvm_start_info *si, const char *key, unsigned long def);

#endif /* SHOJI_TEST_GUEST_CHECK_H */
