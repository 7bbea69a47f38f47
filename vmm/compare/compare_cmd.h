/* SPDX-License-Identifier: MIT */
/*
 * `tinyvmm compare [--svg FILE] [--baseline N|TITLE] [--fail-above PCT]
 * A.json B.json [...]`:
 * the command line around compare.h and chart_svg.h. main() hands it
 * argv from "compare" on, before its own option parsing.
 *
 * Exit status: COMPARE_EXIT_OK (the comparison printed, the gate, if
 * any, passed, the chart, if any, written); COMPARE_EXIT_GATE
 * (--fail-above: a benchmark is costlier than allowed, or no longer
 * measured); COMPARE_EXIT_BAD (bad command line; --svg naming an input,
 * by its path or a link; a file unreadable, malformed, of another schema
 * or version, or with impossible statistics; a benchmark whose units
 * differ between files; no column --baseline names, or one other than
 * the first with --fail-above, whose BASE is the first file; --svg not
 * writable; stdout not writable).
 * GATE wins over BAD once the gate has run: one benchmark over the bound
 * fails it whatever else is wrong, and a CI job must not take that
 * regression for a broken file. Errors before the gate (files, options)
 * leave no verdict: BAD. Every error is one line on stderr.
 *
 * --svg FILE is written to a temporary file in FILE's directory and
 * renamed into place: whole or not at all, and a symlink at FILE is
 * replaced, not followed.
 */
#ifndef TINYVMM_VMM_COMPARE_CMD_H
#define TINYVMM_VMM_COMPARE_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "vmm/compare/compare.h"
#include "vmm/base/log.h"

enum {
	COMPARE_EXIT_OK = 0,
	COMPARE_EXIT_GATE = 1,
	COMPARE_EXIT_BAD = 2,
};

#define COMPARE_MAX_PCT 1e6

struct compare_args {
	const char *svg;      /* NULL: no chart */
	bool gate;	      /* --fail-above given */
	double fail_above;    /* percent */
	const char *baseline; /* --baseline: a column number or title; NULL: 1 */
	bool help;
	const char *files[COMPARE_MAX_FILES];
	size_t nr_files;
};

/*
 * Parses argv ("compare", then options and files) into @a. Returns 0, or
 * -EINVAL after printing one line.
 */
TV_MUST_CHECK int compare_parse_args(int argc, char **argv,
				     struct compare_args *a);

/* Loads the files, prints the tables to @out, writes --svg, gates. */
int compare_run(const struct compare_args *a, FILE *out);

/* The whole command; returns the exit status. */
int compare_main(int argc, char **argv);

/* The usage text; @full: all of it, else the synopsis for tinyvmm --help. */
void compare_usage(FILE *out, bool full);

#endif
