/*
 * The end of every check-based unit test's main(): run one suite at the
 * output level CK_VERBOSITY asks for (normal when it is unset) and turn the
 * result into the program's exit status.
 */
#ifndef CHECK_RUN_H
#define CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

/* Runs every test of s and frees s; returns EXIT_SUCCESS only if all passed. */
static inline int check_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
