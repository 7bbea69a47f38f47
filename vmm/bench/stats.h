/* SPDX-License-Identifier: MIT */
/*
 * Statistics over a benchmark's raw samples, and the unit they are given
 * in. Pure: no I/O, unit-tested in tests/unit/test_stats.c.
 *
 * Definitions (docs/benchmarks.md and the JSON schema use these):
 *   n       number of samples (the warm-up is never among them)
 *   mean    arithmetic mean
 *   median  middle value of the sorted samples; for an even n, the mean
 *           of the two middle ones
 *   min/max smallest and largest sample
 *   p99     nearest-rank 99th percentile: the sorted sample of rank
 *           ceil(0.99 * n), ranks counted from 1 (n = 1..100: the max)
 *   stddev  SAMPLE standard deviation (divides by n - 1, Bessel's
 *           correction: the samples estimate the cost of an operation,
 *           they are not the whole population); 0 when n = 1
 *   outliers
 *           how many samples are above STATS_OUTLIER_FACTOR (4) times
 *           the median (strictly above); none when the median is 0
 *           (at least half the samples read no tick then: one that read
 *           any shows the counter's granularity, not host work)
 *   outlier_share
 *           the outliers' sum over the sum of all samples, 0..1 (0 with
 *           no outliers); unit-free, the same in every unit
 *   mean_without_outliers
 *           arithmetic mean of the samples that are not outliers (only
 *           the top is cut: no sample below the median is ever dropped);
 *           equal to mean when there are no outliers
 * Every figure is per operation: sample / ops_per_sample, then converted
 * to the unit (stats_unit_for()).
 */
#ifndef TINYVMM_VMM_STATS_H
#define TINYVMM_VMM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

/*
 * An outlier is a sample above this many times the median. Why the
 * median: outliers inflate the mean and the stddev, so a "mean + k
 * stddev" threshold is set by the very samples it should judge (QEMU 10
 * + Linux 7.3, gic_trap: mean + 3 stddev is 140456, about 38 times the median
 * of 3739), while each outlier moves the median by at most one rank. Why
 * not "median + k MAD": under -icount the samples are often all equal
 * (MAD 0), and then a sample one tick slower would count. Why 4: well
 * above an operation's own spread (QEMU 7.2 + Linux 6.1: p99 equals the
 * median) and well below what host timer work landing in a sample adds
 * (QEMU 10 + Linux 7.3: p99 23 to 51 times the median); as a ratio it
 * needs no unit.
 */
#define STATS_OUTLIER_FACTOR 4

struct stats_summary {
	uint64_t n;
	double mean, median, min, max, p99, stddev;
	uint64_t outliers;
	double outlier_share, mean_without_outliers;
};

/*
 * Summarises @n samples, each multiplied by @scale (per-op and unit
 * conversion in one factor; order-preserving since @scale > 0). Returns
 * 0, -EINVAL for n == 0 or scale <= 0, -ENOMEM (the sort needs a copy).
 */
TV_MUST_CHECK int stats_summarize(const uint64_t *samples, size_t n,
				  double scale, struct stats_summary *out);

/*
 * *@in with every figure multiplied by @factor (> 0): the same samples
 * in another unit, without sorting them again. Counts and outlier_share
 * have no unit and stay as they are.
 */
void stats_rescale(const struct stats_summary *in, double factor,
		   struct stats_summary *out);

/* Nearest-rank index (0-based) of percentile @pct in @n sorted samples. */
size_t stats_rank_index(size_t n, unsigned int pct);

struct stats_unit {
	const char *unit;     /* "cycles", "instructions (icount)", "ns" */
	const char *raw_unit; /* the counter's own: "cycles", "ticks" */
	double scale;	      /* raw per-sample value -> per-op in unit */
	double raw_scale;     /* raw per-sample value -> per-op raw */
};

/*
 * The unit of a benchmark's figures: PMU cycles (under QEMU -icount, known
 * from --tag icount=on, one "cycle" is one executed instruction), CNTVCT
 * ticks converted to ns with @counter_hz, or x86 TSC ticks, which are
 * reference cycles (and instructions under -icount) whatever @counter_hz
 * says. Returns 0, or -EINVAL for
 * an unknown counter, ops_per_sample 0 or CNTVCT with counter_hz 0.
 */
TV_MUST_CHECK int stats_unit_for(uint32_t counter, uint64_t counter_hz,
				 uint32_t ops_per_sample, bool icount,
				 struct stats_unit *out);

#endif
