/* SPDX-License-Identifier: MIT */
/*
 * The chart's ratio axis: logarithmic, always holding x0.5 to x2 (so
 * that ratios near 1 are not blown up across the plot), ends on ticks.
 * Up to three decades, ticks at 1, 2 and 5 of each; beyond, at powers of
 * ten, every Nth so that there are at most CHART_AXIS_MAX_STEPS steps.
 * Ratios are clamped to 1e-300 .. 1e300; a ratio of 0 (a median of 0)
 * does not widen the axis and sits at its left end.
 */
#ifndef TINYVMM_VMM_CHART_AXIS_H
#define TINYVMM_VMM_CHART_AXIS_H

#include <stddef.h>

#define CHART_AXIS_MAX_STEPS 10
#define CHART_AXIS_MAX_TICKS (3 * CHART_AXIS_MAX_STEPS + 1)

struct chart_axis {
	double lo, hi;	     /* the ratios at the ends */
	double lo_log, span; /* log10(lo), log10(hi / lo) */
	int power_step;	     /* 0: 1-2-5 ticks; N: every Nth power of ten */
};

/* The axis for ratios from @rmin to @rmax (any finite numbers). */
void chart_axis_fit(struct chart_axis *a, double rmin, double rmax);

/* Where @ratio sits: 0 at the left end, 1 at the right, clamped. */
double chart_axis_pos(const struct chart_axis *a, double ratio);

/* The ticks, left to right, into @ticks; returns how many. */
size_t chart_axis_ticks(const struct chart_axis *a,
			double ticks[CHART_AXIS_MAX_TICKS]);

#endif
