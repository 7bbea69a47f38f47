/* SPDX-License-Identifier: MIT */
/*
 * Comparing `tinyvmm --bench --json` documents: the paper-style table (a
 * row per benchmark, a column per file, the ratio to the baseline file:
 * the first unless compare_set_baseline() says otherwise), the
 * exit profile side by side, and the --fail-above gate. Pure: documents
 * in, text out. The command line around it is in compare_cmd.c.
 *
 * Rows: the union of benchmark names, in the first file's order, then
 * names only later files have, in their order. A cell is "usable" when
 * the benchmark is OK there with a median and a unit
 * (bench_doc_usable()).
 *
 * Units: a benchmark whose usable cells disagree on the unit is refused:
 * its row shows each figure with its own unit and no ratios, it is listed
 * below the table, and compare_build() counts it in nr_refused, so the
 * command exits 2 (the rest of the table is still printed).
 */
#ifndef TINYVMM_VMM_COMPARE_H
#define TINYVMM_VMM_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "vmm/compare/bench_doc.h"
#include "vmm/base/log.h"

#define COMPARE_MAX_FILES 16
#define COMPARE_TITLE_LEN 128
/* Exit counters shown per benchmark and file, and the least shown. */
#define COMPARE_TOP_EXITS 3
#define COMPARE_MIN_EXITS_PER_OP 0.05

struct compare_cell {
	const struct bench_doc_bench *bench; /* NULL: not in this file */
	bool usable;
	bool has_ratio; /* usable here and in the baseline, units agree */
	double ratio;	/* median / the baseline's median */
};

struct compare_row {
	const char *name;
	const char *unit;  /* the common unit; NULL when none is known */
	bool units_differ; /* refused: see the top comment */
	struct compare_cell cells[COMPARE_MAX_FILES];
};

struct compare {
	size_t nr_files;
	const char *paths[COMPARE_MAX_FILES];
	const struct bench_doc *docs[COMPARE_MAX_FILES];
	/*
	 * host.tags.label, else host.kvm_mode; "NAME (FILE)" when files
	 * share one (column_titles.h). Printable: filtered by safe_text.h.
	 */
	char titles[COMPARE_MAX_FILES][COMPARE_TITLE_LEN];
	struct compare_row *rows;
	size_t nr_rows;
	size_t nr_refused; /* rows with units_differ */
	size_t baseline;   /* the file ratios are to: 0 unless set */
};

/*
 * Builds the comparison of @n (2..COMPARE_MAX_FILES) documents; @paths
 * name them. @c keeps pointers into @docs and @paths. Returns 0, -EINVAL
 * for a bad @n, -ENOMEM.
 */
TV_MUST_CHECK int compare_build(struct compare *c,
				const struct bench_doc *const *docs,
				const char *const *paths, size_t n);

void compare_free(struct compare *c);

/*
 * Makes file @col (from 0; one out of range means 0) the baseline: the
 * ratios, the table's ratio columns and the chart are against it.
 */
void compare_set_baseline(struct compare *c, size_t col);

/*
 * The medians table, then the refused benchmarks, one line each, then a
 * note per config setting the files differ in (config.seccomp,
 * config.pinned; unknown in one file and known in another differs).
 * The notes inform; neither the gate nor the exit status depends on them.
 */
void compare_print(const struct compare *c, FILE *out);

/* The exit profile table: top exit counters per operation. */
void compare_print_exits(const struct compare *c, FILE *out);

/*
 * The gate of a two-file comparison: a benchmark fails when the second
 * file's median is more than @pct percent above the first's (the first
 * is BASE whatever the baseline of the ratios), or when it
 * is usable in the first but not in the second (FAILED, SKIPPED, gone).
 * Prints a line per failing benchmark and a verdict naming them. Returns
 * how many failed.
 */
size_t compare_gate(const struct compare *c, double pct, FILE *out);

/* "%.1f" for ordinary figures, "%.4g" for huge ones. */
void compare_format_value(double v, char *buf, size_t size);

#endif
