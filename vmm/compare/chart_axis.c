// SPDX-License-Identifier: MIT
/* The chart's log ratio axis; contract in chart_axis.h. */
#include <math.h>

#include "vmm/compare/chart_axis.h"

#define RATIO_MIN 1e-300
#define RATIO_MAX 1e300

static const double mults[] = { 1, 2, 5 };

#define NR_MULTS (sizeof(mults) / sizeof(mults[0]))

/* The largest 1, 2 or 5 x 10^k at most @r (r in RATIO_MIN .. RATIO_MAX). */
static double tick_below(double r)
{
	double e = floor(log10(r));

	/* From a decade up: log10() may round across a power of ten. */
	for (double k = e + 1; k >= e - 1; k--)
		for (size_t m = NR_MULTS; m--;)
			if (mults[m] * pow(10, k) <= r)
				return mults[m] * pow(10, k);
	return pow(10, e - 1);
}

/* The smallest 1, 2 or 5 x 10^k at least @r. */
static double tick_above(double r)
{
	double e = floor(log10(r));

	for (double k = e - 1; k <= e + 1; k++)
		for (size_t m = 0; m < NR_MULTS; m++)
			if (mults[m] * pow(10, k) >= r)
				return mults[m] * pow(10, k);
	return pow(10, e + 2);
}

/* Past three decades: ends on powers of ten, a multiple of the step. */
static void fit_powers(struct chart_axis *a)
{
	double lo = floor(log10(a->lo) + 1e-9), hi = ceil(log10(a->hi) - 1e-9);
	int step = (int)ceil((hi - lo) / CHART_AXIS_MAX_STEPS);

	/* Widening both ends to multiples may add a step: then a longer one. */
	while (ceil(hi / step) - floor(lo / step) > CHART_AXIS_MAX_STEPS)
		step++;
	a->power_step = step;
	a->lo = pow(10, floor(lo / step) * step);
	a->hi = pow(10, ceil(hi / step) * step);
}

static double clamp(double v, double lo, double hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

void chart_axis_fit(struct chart_axis *a, double rmin, double rmax)
{
	if (!(rmin > 0)) /* 0 sits at the left end, wherever that is */
		rmin = 1;
	a->lo = tick_below(clamp(rmin < 0.5 ? rmin : 0.5, RATIO_MIN, 0.5));
	a->hi = tick_above(clamp(rmax > 2 ? rmax : 2, 2, RATIO_MAX));
	a->power_step = 0;
	if (log10(a->hi / a->lo) > 3 + 1e-9)
		fit_powers(a);
	a->lo_log = log10(a->lo);
	a->span = log10(a->hi) - a->lo_log;
}

double chart_axis_pos(const struct chart_axis *a, double ratio)
{
	if (!(ratio > 0)) /* 0 (a median of 0), or NaN */
		return 0;
	return clamp((log10(ratio) - a->lo_log) / a->span, 0, 1);
}

size_t chart_axis_ticks(const struct chart_axis *a,
			double ticks[CHART_AXIS_MAX_TICKS])
{
	double first = round(a->lo_log), last = round(log10(a->hi));
	size_t n = 0;

	if (a->power_step) {
		for (double k = first; k <= last && n < CHART_AXIS_MAX_TICKS;
		     k += a->power_step)
			ticks[n++] = pow(10, k);
		return n;
	}
	for (double k = floor(a->lo_log) - 1; k <= last; k++)
		for (size_t m = 0; m < NR_MULTS; m++) {
			double t = mults[m] * pow(10, k);

			if (t >= a->lo * (1 - 1e-9) &&
			    t <= a->hi * (1 + 1e-9) && n < CHART_AXIS_MAX_TICKS)
				ticks[n++] = t;
		}
	return n;
}
