/* SPDX-License-Identifier: MIT */
/*
 * The chart of a comparison (compare.h) as SVG text: one bar group per
 * benchmark, one bar per file. Units and magnitudes differ between
 * benchmarks, so bars are normalised per benchmark: height = the file's
 * median / the first file's median (the first file's bar is 1.0). Each
 * bar is labelled with its real median (the unit is under the group
 * name) and, after the first file, its ratio. A benchmark a file cannot
 * show (SKIPPED, FAILED, missing, no figures, units differ, or no figure
 * in the first file to normalise by) gets a vertical note instead of a
 * bar. Exactly one <rect> per drawn bar: background and legend swatches
 * are paths.
 */
#ifndef TINYVMM_VMM_CHART_SVG_H
#define TINYVMM_VMM_CHART_SVG_H

#include <stdio.h>

#include "vmm/compare/compare.h"
#include "vmm/base/log.h"

/* Writes the whole SVG document. Returns 0, or -EIO if @out failed. */
TV_MUST_CHECK int chart_svg_write(const struct compare *c, FILE *out);

#endif
