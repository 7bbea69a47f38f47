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

int stats_summarize(const uint64_t *samples, size_t n, double scale,
		    struct stats_summary *out)
{
	uint64_t *s;
	double mean, sd, median;

	if (n == 0 || !(scale > 0))
		return -EINVAL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return -ENOMEM;
	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	mean_stddev(s, n, &mean, &sd);
	median = n % 2 ? (double)s[n / 2]
		       : ((double)s[n / 2 - 1] + (double)s[n / 2]) / 2;
	*out = (struct stats_summary){
		.n = n,
		.mean = mean * scale,
		.median = median * scale,
		.min = (double)s[0] * scale,
		.max = (double)s[n - 1] * scale,
		.p99 = (double)s[stats_rank_index(n, 99)] * scale,
		.stddev = sd * scale,
	};
	free(s);
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
