/* SPDX-License-Identifier: MIT */
/* What every Check unit test's main() does after building its suite. */
#ifndef TINYVMM_TESTS_UNIT_H
#define TINYVMM_TESTS_UNIT_H

#include <check.h>
#include <stdlib.h>

/* Runs @s with Check's summary line on stdout; the exit status for main(). */
static inline int unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
