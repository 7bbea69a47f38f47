// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "guest/common/bench_protocol.h"
#include "vmm/bench/stats.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

size_t stats_rank_index(size_t n, unsigned int pct)
{
	/* rank = ceil(pct * n / 100), in integers so 99% of 100 is exactly 99. */
	size_t rank = (pct * n + 99) / 100;

	return rank ? rank - 1 : 0;
}

/* Welford's running mean and variance: no catastrophic cancellation. */
static void mean_stddev(const uint64_t *v, size_t n, double *mean,
			double *stddev)
{
	double m = 0, m2 = 0;

	for (size_t i = 0; i < n; i++) {
		double x = (double)v[i], d = x - m;

		m += d / (double)(i + 1);
		m2 += d * (x - m);
	}
	*mean = m;
	*stddev = n > 1 ? sqrt(m2 / (double)(n - 1)) : 0;
}

/* A double: a few samples near UINT64_MAX would overflow a uint64_t. */
static double sum(const uint64_t *v, size_t n)
{
	double total = 0;

	for (size_t i = 0; i < n; i++)
		total += (double)v[i];
	return total;
}

/*
 * Index of the first outlier in the sorted @s, @n if none. A median of 0
 * has none: at least half the samples then read no tick (the operation is
 * shorter than the counter resolves), and every sample that read one
 * would be "above 4x" for the counter's granularity, not for host work.
 */
static size_t first_outlier(const uint64_t *s, size_t n, double median)
{
	size_t i = n;

	if (!(median > 0))
		return n;
	while (i > 0 && (double)s[i - 1] > STATS_OUTLIER_FACTOR * median)
		i--;
	return i;
}

/*
 * The outlier figures of the sorted @s (n >= 1) into @out, in raw units.
 * Samples up to the median are never outliers, so at least one remains
 * and, the median being > 0 when any is found, their sum is > 0.
 */
static void outlier_figures(const uint64_t *s, size_t n, double median,
			    struct stats_summary *out)
{
	size_t k = first_outlier(s, n, median);
	double kept = sum(s, k), cut = sum(s + k, n - k), unused;

	out->outliers = n - k;
	out->outlier_share = k < n ? cut / (kept + cut) : 0;
	/* Welford again: with no outliers, exactly the mean. */
	mean_stddev(s, k, &out->mean_without_outliers, &unused);
}

int stats_summarize(const uint64_t *samples, size_t n, double scale,
		    struct stats_summary *out)
{
	struct stats_summary raw;
	uint64_t *s;

	if (n == 0 || !(scale > 0))
		return -EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	raw = (struct stats_summary){
		.n = n,
		.median = n % 2 ? (double)s[n / 2]
				: ((double)s[n / 2 - 1] + (double)s[n / 2]) / 2,
		.min = (double)s[0],
		.max = (double)s[n - 1],
		.p99 = (double)s[stats_rank_index(n, 99)],
	};
	mean_stddev(s, n, &raw.mean, &raw.stddev);
	outlier_figures(s, n, raw.median, &raw);
	free(s);
	stats_rescale(&raw, scale, out);
	return 0;
}

void stats_rescale(const struct stats_summary *in, double factor,
		   struct stats_summary *out)
{
	*out = (struct stats_summary){
		.n = in->n,
		.mean = in->mean * factor,
		.median = in->median * factor,
		.min = in->min * factor,
		.max = in->max * factor,
		.p99 = in->p99 * factor,
		.stddev = in->stddev * factor,
		.outliers = in->outliers,
		.outlier_share = in->outlier_share,
		.mean_without_outliers = in->mean_without_outliers * factor,
	};
}

int stats_unit_for(uint32_t counter, uint64_t counter_hz,
		   uint32_t ops_per_sample, bool icount, struct stats_unit *out)
{
	double per_op;

	if (ops_per_sample == 0)
		return -EINVAL;
	per_op = 1.0 / ops_per_sample;
	switch (counter) {
	case BENCH_COUNTER_PMU_CYCLES:
		*out = (struct stats_unit){
			.unit = icount ? "instructions (icount)" : "cycles",
			.raw_unit = "cycles",
			.scale = per_op,
			.raw_scale = per_op,
		};
		return 0;
	case BENCH_COUNTER_CNTVCT:
		if (counter_hz == 0)
			return -EINVAL;
		/* -icount shift=0: one virtual ns per executed instruction. */
		*out = (struct stats_unit){
			.unit = icount ? "instructions (icount)" : "ns",
			.raw_unit = "ticks",
			.scale = per_op * 1e9 / (double)counter_hz,
			.raw_scale = per_op,
		};
		return 0;
	case BENCH_COUNTER_TSC:
		/*
		 * The TSC ticks at the nominal rate (reference cycles); its
		 * Hz, if known, is informational. Under -icount, one tick
		 * per executed instruction.
		 */
		*out = (struct stats_unit){
			.unit = icount ? "instructions (icount)" : "cycles",
			.raw_unit = "ticks",
			.scale = per_op,
			.raw_scale = per_op,
		};
		return 0;
	default:
		return -EINVAL;
	}
}
