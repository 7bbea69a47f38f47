/* SPDX-License-Identifier: MIT */
/*
 * The chart of a comparison (compare.h) as SVG text, made to stay
 * readable at 8-16 columns: one group per benchmark, and in it one
 * horizontal bar line per file, labelled with the file's column title on
 * the left and its median (in the unit under the group name) and ratio
 * on the right.
 *
 * Bars show the ratio to the baseline's median on a log scale, drawn
 * from x1: left of it cheaper, right of it costlier ("lower is better").
 * Log, not linear with outliers clipped: ratios multiply, so x0.5 and x2
 * are the same distance from x1, and one x900 outlier takes a few
 * decades of axis instead of flattening every other bar; nothing is cut
 * off, so nothing needs a broken-bar mark. The axis spans at least x0.5
 * to x2, ticks at 1, 2, 5 per decade (powers of ten past three decades),
 * and widens with the decades it spans.
 *
 * Sizes follow the content, so labels never overlap: every bar has its
 * own line, and the title and value columns are as wide as their longest
 * text at 0.6 x the font size per character; the legend names every
 * column (title and file) and marks the baseline. A cell without a bar
 * (SKIPPED, FAILED, missing, no figures, units differ, or no baseline
 * figure to divide by) says why in the value column. Exactly one <rect>
 * per drawn bar (the baseline's is a thin mark at x1); everything else
 * is paths, lines and text.
 */
#ifndef TINYVMM_VMM_CHART_SVG_H
#define TINYVMM_VMM_CHART_SVG_H

#include <stdio.h>

#include "vmm/compare/compare.h"
#include "vmm/base/log.h"

/* Writes the whole SVG document. Returns 0, or -EIO if @out failed. */
TV_MUST_CHECK int chart_svg_write(const struct compare *c, FILE *out);

#endif
