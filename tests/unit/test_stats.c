// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>

#include "guest/common/bench_protocol.h"
#include "vmm/bench/stats.h"
#include "tests/unit/unit.h"

#define MAXN 8

/* Expected figures worked out by hand; stddev is the sample one (n - 1). */
static const struct {
	uint64_t v[MAXN];
	size_t n;
	double scale;
	double mean, median, min, max, p99, stddev;
} summary_cases[] = {
	{ { 5 }, 1, 1, 5, 5, 5, 5, 5, 0 },
	{ { 1, 2, 3, 4 }, 4, 1, 2.5, 2.5, 1, 4, 4, 1.2909944487358056 },
	{ { 9, 1, 5 }, 3, 1, 5, 5, 1, 9, 9, 4 },
	{ { 10, 10, 10, 10, 10 }, 5, 1, 10, 10, 10, 10, 10, 0 },
	/* ops_per_sample 4 -> scale 1/4 */
	{ { 400, 800 }, 2, 0.25, 150, 150, 100, 200, 200, 70.71067811865476 },
	/* CNTVCT at 62.5 MHz: 16 ns a tick */
	{ { 3, 1, 2 }, 3, 16, 32, 32, 16, 48, 48, 16 },
	{ { UINT64_MAX, UINT64_MAX },
	  2,
	  1,
	  1.8446744073709552e19,
	  1.8446744073709552e19,
	  1.8446744073709552e19,
	  1.8446744073709552e19,
	  1.8446744073709552e19,
	  0 },
};

static void near(double got, double want, const char *what, size_t i)
{
	ck_assert_msg(fabs(got - want) <= 1e-9 * fmax(1, fabs(want)),
		      "case %zu %s: got %.17g want %.17g", i, what, got, want);
}

START_TEST(test_summary_table)
{
	for (size_t i = 0; i < sizeof(summary_cases) / sizeof(summary_cases[0]);
	     i++) {
		struct stats_summary s;

		ck_assert_int_eq(stats_summarize(summary_cases[i].v,
						 summary_cases[i].n,
						 summary_cases[i].scale, &s),
				 0);
		ck_assert_uint_eq(s.n, summary_cases[i].n);
		near(s.mean, summary_cases[i].mean, "mean", i);
		near(s.median, summary_cases[i].median, "median", i);
		near(s.min, summary_cases[i].min, "min", i);
		near(s.max, summary_cases[i].max, "max", i);
		near(s.p99, summary_cases[i].p99, "p99", i);
		near(s.stddev, summary_cases[i].stddev, "stddev", i);
	}
}
END_TEST

/*
 * Outliers: samples above 4x the median, worked out by hand. share is
 * the outliers' sum over all samples' sum; without is the mean of the
 * rest, per op (times scale).
 */
static const struct {
	uint64_t v[MAXN];
	size_t n;
	double scale;
	uint64_t outliers;
	double share, without;
} outlier_cases[] = {
	/* median 12: 40 is 3.3x, not an outlier; without == mean 86 / 5 */
	{ { 10, 13, 11, 40, 12 }, 5, 1, 0, 0, 17.2 },
	/* median (100 + 100) / 2; 1000 and 5000 are out: 6000 of 6600 */
	{ { 100, 90, 110, 100, 5000, 100, 1000, 100 },
	  8,
	  1,
	  2,
	  6000.0 / 6600,
	  100 },
	/* median 16: exactly 4x (64) stays, 65 is out; without 112 / 4 / 16 */
	{ { 16, 64, 16, 65, 16 }, 5, 0.0625, 1, 65.0 / 177, 1.75 },
	/* even n: median 2.5, 13 is out; without (1 + 2 + 3) / 3 */
	{ { 1, 2, 3, 13 }, 4, 1, 1, 13.0 / 19, 2 },
	{ { 7, 7, 7, 7 }, 4, 1, 0, 0, 7 },
	{ { 5 }, 1, 1, 0, 0, 5 },
	/* median 0: nothing counts, though 5 and 9 are above 4 x 0 */
	{ { 0, 9, 0, 5, 0 }, 5, 1, 0, 0, 2.8 },
	{ { 0 }, 1, 1, 0, 0, 0 },
	/* sums past UINT64_MAX: the outlier is (almost) all of the total */
	{ { 1, UINT64_MAX, 1 }, 3, 1, 1, 1, 1 },
};

START_TEST(test_outlier_table)
{
	for (size_t i = 0; i < sizeof(outlier_cases) / sizeof(outlier_cases[0]);
	     i++) {
		struct stats_summary s;

		ck_assert_int_eq(stats_summarize(outlier_cases[i].v,
						 outlier_cases[i].n,
						 outlier_cases[i].scale, &s),
				 0);
		ck_assert_msg(s.outliers == outlier_cases[i].outliers,
			      "case %zu outliers: %" PRIu64, i, s.outliers);
		near(s.outlier_share, outlier_cases[i].share, "share", i);
		near(s.mean_without_outliers, outlier_cases[i].without,
		     "without", i);
	}
}
END_TEST

/* With no outliers the mean without them is the mean, to the last bit. */
START_TEST(test_no_outliers_same_mean)
{
	static const uint64_t v[] = { 3, 1, 4, 1, 5, 9, 2, 6 };
	struct stats_summary s;

	ck_assert_int_eq(stats_summarize(v, 8, 1.0 / 16, &s), 0);
	ck_assert_uint_eq(s.outliers, 0);
	ck_assert(s.mean_without_outliers == s.mean);
}
END_TEST

/* A new unit scales the mean without outliers, not the count or share. */
START_TEST(test_rescale_outliers)
{
	struct stats_summary in = { .n = 10,
				    .median = 2,
				    .outliers = 3,
				    .outlier_share = 0.41,
				    .mean_without_outliers = 2.5 },
			     out;

	stats_rescale(&in, 16, &out);
	ck_assert_uint_eq(out.outliers, 3);
	near(out.outlier_share, 0.41, "share", 0);
	near(out.mean_without_outliers, 40, "without", 0);
	near(out.median, 32, "median", 0);
}
END_TEST

/* Nearest rank: index = ceil(pct/100 * n) - 1. */
static const struct {
	size_t n;
	unsigned int pct;
	size_t index;
} rank_cases[] = {
	{ 1, 99, 0 },	   { 2, 99, 1 },     { 100, 99, 98 },
	{ 101, 99, 99 },   { 200, 99, 197 }, { 1000, 99, 989 },
	{ 1000, 50, 499 }, { 3, 50, 1 },     { 1000000, 99, 989999 },
};

START_TEST(test_rank_table)
{
	for (size_t i = 0; i < sizeof(rank_cases) / sizeof(rank_cases[0]); i++)
		ck_assert_msg(
			stats_rank_index(rank_cases[i].n, rank_cases[i].pct) ==
				rank_cases[i].index,
			"case %zu", i);
}
END_TEST

START_TEST(test_p99_of_1_to_1000)
{
	static uint64_t v[1000];
	struct stats_summary s;

	for (size_t i = 0; i < 1000; i++)
		v[i] = 1000 - i; /* reversed: the sort matters */
	ck_assert_int_eq(stats_summarize(v, 1000, 1, &s), 0);
	near(s.p99, 990, "p99", 0);
	near(s.median, 500.5, "median", 0);
}
END_TEST

START_TEST(test_summary_rejects)
{
	uint64_t v[1] = { 1 };
	struct stats_summary s;

	ck_assert_int_eq(stats_summarize(v, 0, 1, &s), -EINVAL);
	ck_assert_int_eq(stats_summarize(v, 1, 0, &s), -EINVAL);
	ck_assert_int_eq(stats_summarize(v, 1, -1, &s), -EINVAL);
}
END_TEST

static const struct {
	uint32_t counter;
	uint64_t hz;
	uint32_t ops;
	bool icount;
	int ret;
	const char *unit, *raw_unit;
	double scale, raw_scale;
} unit_cases[] = {
	{ BENCH_COUNTER_PMU_CYCLES, 0, 1, false, 0, "cycles", "cycles", 1, 1 },
	{ BENCH_COUNTER_PMU_CYCLES, 0, 4, true, 0, "instructions (icount)",
	  "cycles", 0.25, 0.25 },
	{ BENCH_COUNTER_CNTVCT, 62500000, 1, false, 0, "ns", "ticks", 16, 1 },
	{ BENCH_COUNTER_CNTVCT, 1000000000, 10, true, 0,
	  "instructions (icount)", "ticks", 0.1, 0.1 },
	{ BENCH_COUNTER_CNTVCT, 62500000, 1, true, 0, "instructions (icount)",
	  "ticks", 16, 1 },
	{ BENCH_COUNTER_CNTVCT, 0, 1, false, -EINVAL, NULL, NULL, 0, 0 },
	{ BENCH_COUNTER_PMU_CYCLES, 0, 0, false, -EINVAL, NULL, NULL, 0, 0 },
	{ 0, 0, 1, false, -EINVAL, NULL, NULL, 0, 0 },
	{ BENCH_COUNTER_TSC, 0, 16, false, 0, "cycles", "ticks", 0.0625,
	  0.0625 },
	{ BENCH_COUNTER_TSC, 0, 1, true, 0, "instructions (icount)", "ticks", 1,
	  1 },
	{ 4, 100, 1, false, -EINVAL, NULL, NULL, 0, 0 },
};

START_TEST(test_unit_table)
{
	for (size_t i = 0; i < sizeof(unit_cases) / sizeof(unit_cases[0]);
	     i++) {
		struct stats_unit u;
		int ret = stats_unit_for(unit_cases[i].counter,
					 unit_cases[i].hz, unit_cases[i].ops,
					 unit_cases[i].icount, &u);

		ck_assert_msg(ret == unit_cases[i].ret, "case %zu: %d", i, ret);
		if (ret)
			continue;
		ck_assert_str_eq(u.unit, unit_cases[i].unit);
		ck_assert_str_eq(u.raw_unit, unit_cases[i].raw_unit);
		near(u.scale, unit_cases[i].scale, "scale", i);
		near(u.raw_scale, unit_cases[i].raw_scale, "raw_scale", i);
	}
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_summary_table,
		test_outlier_table,
		test_no_outliers_same_mean,
		test_rescale_outliers,
		test_rank_table,
		test_p99_of_1_to_1000,
		test_summary_rejects,
		test_unit_table,
		NULL,
	};

	return unit_run_tests("stats", "core", tests);
}
