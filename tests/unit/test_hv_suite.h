/*
 * main() of a shoji-hv unit test made of one test case: each of @tests runs
 * in a process of its own (check's default) between @setup and @teardown.
 */
#ifndef SHOJI_TEST_HV_SUITE_H
#define SHOJI_TEST_HV_SUITE_H

#include <check.h>
#include <stddef.h>

#include "check-run.h"

static inline int hv_test_main(const char *name, void (*setup)(void), void (*teardown)(void),
                               const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	size_t i;

	tcase_add_checked_fixture(tc, setup, teardown);
	for (i = 0; i < n; i++)
		tcase_add_test(tc, tests[i]);
	suite_add_tcase(s, tc);
	return check_run(s);
}

#endif
