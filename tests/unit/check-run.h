/*
 * The end of every check-based unit test's main(): run one suite at the
 * output level CK_VERBOSITY asks for (normal when it is unset) and turn the
 * result into the program's exit status.  check_main() also builds the
 * suite, for the tests made of one test case.
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

/* A suite of one test case. */
struct check_case {
	const char *suite; /* the suite's name */
	const char *name;  /* its test case's (what CK_RUN_CASE picks) */
	SFun setup;        /* the checked fixture around each test; either may be NULL */
	SFun teardown;
	double timeout;    /* seconds; 0 keeps check's default */
	const TTest *loop; /* NULL, or the one loop test among the tests, */
	int loops;         /* which runs with _i from 0 to loops - 1 */
};

/* Builds c with tests, in their order up to a NULL, and runs it as check_run() does. */
static inline int check_main(const struct check_case *c, const TTest *const *tests)
{
	Suite *s = suite_create(c->suite);
	TCase *tc = tcase_create(c->name);

	if (c->setup || c->teardown)
		tcase_add_checked_fixture(tc, c->setup, c->teardown);
	if (c->timeout > 0)
		tcase_set_timeout(tc, c->timeout);
	for (; *tests; tests++)
		tcase_add_loop_test(tc, *tests, 0, *tests == c->loop ? c->loops : 1);
	suite_add_tcase(s, tc);
	return check_run(s);
}

/* check_main(&c, tests) with the tests listed: CHECK_MAIN(c, test_a, test_b). */
#define CHECK_MAIN(c, ...) check_main(&(c), (const TTest *const[]){__VA_ARGS__, NULL})

#endif
