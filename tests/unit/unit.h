/* SPDX-License-Identifier: MIT */
/* What every Check unit test's main() does after building its suite. */
#ifndef TINYVMM_TESTS_UNIT_H
#define TINYVMM_TESTS_UNIT_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/*
 * unit_run() of a suite @name with one test case @tcase holding @tests,
 * in order, up to a NULL.
 */
static inline int unit_run_tests(const char *name, const char *tcase,
				 const TTest *const *tests)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(tcase);

	for (; *tests; tests++)
		tcase_add_test(tc, *tests);
	suite_add_tcase(s, tc);
	return unit_run(s);
}

/* The whole of @path, NUL-terminated; its length in *@len if @len. */
static inline char *unit_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	ck_assert_msg(f != NULL, "%s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	if (len)
		*len = (size_t)n;
	return buf;
}

/* A new file in $TMPDIR (or /tmp) holding @text; caller unlinks, frees. */
static inline char *unit_temp_file(const char *text)
{
	const char *dir = getenv("TMPDIR");
	char *path;
	int fd;

	ck_assert_int_gt(asprintf(&path, "%s/tinyvmm-test-XXXXXX",
				  dir && *dir ? dir : "/tmp"),
			 0);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

#endif
