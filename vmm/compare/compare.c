// SPDX-License-Identifier: MIT
/* The comparison of bench documents; contract in compare.h. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/compare/column_titles.h"
#include "vmm/compare/compare.h"
#include "vmm/compare/safe_text.h"

#define CELL_LEN 160
#define MAX_COLS (2 + 2 * COMPARE_MAX_FILES)

/* A table of text cells printed with columns as wide as their content. */
struct text_table {
	size_t rows, cols;
	size_t left_cols; /* the first ones left-aligned, the rest right */
	char (*cell)[CELL_LEN];
};

static int table_init(struct text_table *t, size_t rows, size_t cols,
		      size_t left_cols)
{
	t->rows = rows;
	t->cols = cols;
	t->left_cols = left_cols;
	t->cell = calloc(rows * cols, CELL_LEN);
	return t->cell ? 0 : -ENOMEM;
}

static char *table_at(struct text_table *t, size_t r, size_t c)
{
	return t->cell[r * t->cols + c];
}

/*
 * Cells hold strings from the documents: filtered first, then measured in
 * characters (not bytes) so that a UTF-8 label keeps the columns aligned.
 */
static void table_print(struct text_table *t, FILE *out)
{
	size_t width[MAX_COLS] = { 0 };

	for (size_t r = 0; r < t->rows; r++)
		for (size_t c = 0; c < t->cols; c++) {
			char *cell = table_at(t, r, c);
			size_t w = safe_text_width(
				safe_text(cell, CELL_LEN, cell));

			width[c] = w > width[c] ? w : width[c];
		}
	for (size_t r = 0; r < t->rows; r++) {
		for (size_t c = 0; c < t->cols; c++) {
			const char *cell = table_at(t, r, c);
			int pad = (int)(width[c] - safe_text_width(cell));
			bool left = c < t->left_cols, last = c + 1 == t->cols;

			fprintf(out, "%s%*s%s%*s", c ? "  " : "",
				left ? 0 : pad, "", cell,
				left && !last ? pad : 0, "");
		}
		fputc('\n', out);
	}
}

void compare_format_value(double v, char *buf, size_t size)
{
	/* A tiny median keeps its digits: "0.004", not "0.0". */
	snprintf(buf, size, v < 1e9 && (v == 0 || v >= 0.05) ? "%.1f" : "%.4g",
		 v);
}

/*
 * @v with @prec decimals while that stays short (|v| below 1e6, and not
 * rounded to zero), else "%.3g": a median of 1e308 over one of 1 is
 * "x1e+308", not a ratio of 309 digits.
 */
static void format_bounded(double v, int prec, char *buf, size_t size)
{
	double a = fabs(v);

	if (a < 1e6 && (a == 0 || a >= 0.5 * pow(10, -prec)))
		snprintf(buf, size, "%.*f", prec, v);
	else
		snprintf(buf, size, "%.3g", v);
}

/* What a cell holds instead of a figure: "missing", "SKIPPED", ... */
static const char *cell_state(const struct compare_cell *cell)
{
	if (!cell->bench)
		return "missing";
	if (strcmp(cell->bench->status, "OK"))
		return cell->bench->status;
	return cell->usable ? "OK" : "no figures";
}

/* The row @name, added at the end when new. */
static void add_row(struct compare *c, const char *name)
{
	for (size_t i = 0; i < c->nr_rows; i++)
		if (!strcmp(c->rows[i].name, name))
			return;
	c->rows[c->nr_rows++].name = name;
}

static void row_units(struct compare *c, struct compare_row *row)
{
	for (size_t f = 0; f < c->nr_files; f++) {
		const struct compare_cell *cell = &row->cells[f];

		if (!cell->usable)
			continue;
		if (!row->unit)
			row->unit = cell->bench->unit;
		else if (strcmp(row->unit, cell->bench->unit))
			row->units_differ = true;
	}
	for (size_t f = 0; f < c->nr_files && !row->unit; f++)
		if (row->cells[f].bench)
			row->unit = row->cells[f].bench->unit;
	c->nr_refused += row->units_differ;
}

static void fill_row(struct compare *c, struct compare_row *row)
{
	for (size_t f = 0; f < c->nr_files; f++) {
		row->cells[f].bench = bench_doc_find(c->docs[f], row->name);
		row->cells[f].usable = bench_doc_usable(row->cells[f].bench);
	}
	row_units(c, row);
}

/* Each cell's ratio to the baseline's, where both have a figure. */
static void row_ratios(const struct compare *c, struct compare_row *row)
{
	const struct compare_cell *base = &row->cells[c->baseline];

	for (size_t f = 0; f < c->nr_files; f++) {
		struct compare_cell *cell = &row->cells[f];

		cell->has_ratio = false;
		cell->ratio = 0;
		if (row->units_differ || !base->usable ||
		    base->bench->median <= 0 || !cell->usable)
			continue;
		cell->ratio = cell->bench->median / base->bench->median;
		/* Medians of 1e300 and 1e-300 both parse; their ratio does not. */
		cell->has_ratio = isfinite(cell->ratio);
	}
}

void compare_set_baseline(struct compare *c, size_t col)
{
	c->baseline = col < c->nr_files ? col : 0;
	for (size_t r = 0; r < c->nr_rows; r++)
		row_ratios(c, &c->rows[r]);
}

int compare_build(struct compare *c, const struct bench_doc *const *docs,
		  const char *const *paths, size_t n)
{
	size_t total = 0;

	memset(c, 0, sizeof(*c));
	if (n < 2 || n > COMPARE_MAX_FILES)
		return -EINVAL;
	c->nr_files = n;
	for (size_t f = 0; f < n; f++) {
		c->docs[f] = docs[f];
		c->paths[f] = paths[f];
		total += docs[f]->nr_benches;
	}
	c->rows = calloc(total ? total : 1, sizeof(*c->rows));
	if (!c->rows)
		return -ENOMEM;
	for (size_t f = 0; f < n; f++)
		for (size_t b = 0; b < docs[f]->nr_benches; b++)
			add_row(c, docs[f]->benches[b].name);
	for (size_t r = 0; r < c->nr_rows; r++)
		fill_row(c, &c->rows[r]);
	compare_set_baseline(c, 0);
	column_titles_make(c);
	return 0;
}

void compare_free(struct compare *c)
{
	free(c->rows);
	memset(c, 0, sizeof(*c));
}

static void value_cell(const struct compare_row *row,
		       const struct compare_cell *cell, char *buf)
{
	char v[64];

	if (!cell->usable) {
		snprintf(buf, CELL_LEN, "- (%s)", cell_state(cell));
		return;
	}
	compare_format_value(cell->bench->median, v, sizeof(v));
	snprintf(buf, CELL_LEN, "%s%s%s", v, row->units_differ ? " " : "",
		 row->units_differ ? cell->bench->unit : "");
}

/* The table column of file @f's ratio: one per file but the baseline. */
static size_t ratio_col(const struct compare *c, size_t f)
{
	return 2 + c->nr_files + (f < c->baseline ? f : f - 1);
}

static void medians_row(const struct compare *c, const struct compare_row *row,
			struct text_table *t, size_t r)
{
	size_t n = c->nr_files;
	char v[32];

	snprintf(table_at(t, r, 0), CELL_LEN, "%s", row->name);
	snprintf(table_at(t, r, 1), CELL_LEN, "%s",
		 row->units_differ ? "(units differ)"
		 : row->unit	   ? row->unit
				   : "-");
	for (size_t f = 0; f < n; f++)
		value_cell(row, &row->cells[f], table_at(t, r, 2 + f));
	for (size_t f = 0; f < n; f++) {
		const struct compare_cell *cell = &row->cells[f];

		if (f == c->baseline)
			continue;
		if (cell->has_ratio) {
			format_bounded(cell->ratio, 2, v, sizeof(v));
			snprintf(table_at(t, r, ratio_col(c, f)), CELL_LEN,
				 "x%s", v);
		} else
			strcpy(table_at(t, r, ratio_col(c, f)), "-");
	}
}

/*
 * A document's string filtered for printing, in a buffer of the calling
 * statement (a compound literal lives until the end of the block).
 */
#define SAFE(s) safe_text((char[CELL_LEN]){ 0 }, CELL_LEN, (s))

/* One line per refused benchmark: each file's unit. */
static void print_refused(const struct compare *c, FILE *out)
{
	for (size_t r = 0; r < c->nr_rows; r++) {
		const struct compare_row *row = &c->rows[r];

		if (!row->units_differ)
			continue;
		fprintf(out, "refused: %s: units differ:", row->name);
		for (size_t f = 0; f < c->nr_files; f++)
			if (row->cells[f].usable)
				fprintf(out, " %s '%s';", c->titles[f],
					SAFE(row->cells[f].bench->unit));
		fputs(" not compared\n", out);
	}
}

static const char *flag_name(enum bench_doc_flag f)
{
	return f == BENCH_DOC_ON    ? "on"
	       : f == BENCH_DOC_OFF ? "off"
				    : "unknown";
}

/*
 * "note: @what differs: TITLE on; TITLE off; @why" when the files' @flags
 * are not all alike (an unknown one differs from a known one only).
 */
static void flag_note(const struct compare *c, const enum bench_doc_flag *flags,
		      const char *what, const char *why, FILE *out)
{
	size_t f = 1;

	while (f < c->nr_files && flags[f] == flags[0])
		f++;
	if (f == c->nr_files)
		return;
	fprintf(out, "note: %s differs:", what);
	for (f = 0; f < c->nr_files; f++)
		fprintf(out, " %s %s;", c->titles[f], flag_name(flags[f]));
	fprintf(out, " %s\n", why);
}

/*
 * "note: guest RAM backing differs: TITLE thp; TITLE off; ..." when the
 * files' config.guest_ram.backing are not all alike (unknown included).
 */
static void ram_note(const struct compare *c, FILE *out)
{
	const char *first = c->docs[0]->ram_backing, *b;
	size_t f = 1;

	while (f < c->nr_files &&
	       (c->docs[f]->ram_backing && first
			? !strcmp(c->docs[f]->ram_backing, first)
			: c->docs[f]->ram_backing == first))
		f++;
	if (f == c->nr_files)
		return;
	fputs("note: guest RAM backing differs:", out);
	for (f = 0; f < c->nr_files; f++) {
		b = c->docs[f]->ram_backing;
		fprintf(out, " %s %s;", c->titles[f], b ? SAFE(b) : "unknown");
	}
	fputs(" huge pages let KVM map guest RAM in 2 MiB blocks, which moves "
	      "memory-bound figures\n",
	      out);
}

/*
 * "note: GICv3 ITS differs: ..." when some files had an ITS and some had
 * none; a file that does not know (x86, older files) is left out.
 */
static void its_note(const struct compare *c, FILE *out)
{
	bool on = false, off = false;

	for (size_t f = 0; f < c->nr_files; f++) {
		on |= c->docs[f]->its == BENCH_DOC_ON;
		off |= c->docs[f]->its == BENCH_DOC_OFF;
	}
	if (!on || !off)
		return;
	fputs("note: GICv3 ITS differs:", out);
	for (size_t f = 0; f < c->nr_files; f++)
		if (c->docs[f]->its != BENCH_DOC_UNKNOWN)
			fprintf(out, " %s %s;", c->titles[f],
				flag_name(c->docs[f]->its));
	fputs(" lpi is skipped without one\n", out);
}

/* A note per config setting that moves the figures and the files differ in. */
static void print_config_notes(const struct compare *c, FILE *out)
{
	enum bench_doc_flag seccomp[COMPARE_MAX_FILES],
		pinned[COMPARE_MAX_FILES];

	for (size_t f = 0; f < c->nr_files; f++) {
		seccomp[f] = c->docs[f]->seccomp;
		pinned[f] = c->docs[f]->pinned;
	}
	flag_note(
		c, seccomp, "seccomp confinement",
		"userspace exits (mmio_user, io_*) include the filters' cost where it is on",
		out);
	flag_note(
		c, pinned, "vCPU pinning",
		"unpinned vCPU threads can share host CPUs, which moves timings",
		out);
	ram_note(c, out);
	its_note(c, out);
}

/*
 * "note: guest CPU features differ: TITLE sve2048 ptrauth pmu; TITLE
 * pmu; ..." when the files' config.cpu_features are not all alike.
 */
static void print_cpu_features_note(const struct compare *c, FILE *out)
{
	size_t f = 1;

	while (f < c->nr_files &&
	       !strcmp(c->docs[f]->cpu_features, c->docs[0]->cpu_features))
		f++;
	if (f == c->nr_files)
		return;
	fputs("note: guest CPU features differ:", out);
	for (f = 0; f < c->nr_files; f++)
		fprintf(out, " %s %s;", c->titles[f],
			SAFE(c->docs[f]->cpu_features));
	fputs(" each one on adds state a world switch saves and restores\n",
	      out);
}

void compare_print(const struct compare *c, FILE *out)
{
	size_t n = c->nr_files;
	struct text_table t;

	if (table_init(&t, c->nr_rows + 1, 1 + 2 * n, 2)) {
		fputs("(no memory for the table)\n", out);
		return;
	}
	strcpy(table_at(&t, 0, 0), "benchmark");
	strcpy(table_at(&t, 0, 1), "unit");
	for (size_t f = 0; f < n; f++)
		snprintf(table_at(&t, 0, 2 + f), CELL_LEN, "%s", c->titles[f]);
	for (size_t f = 0; f < n; f++)
		if (f != c->baseline)
			snprintf(table_at(&t, 0, ratio_col(c, f)), CELL_LEN,
				 "%s / %s", c->titles[f],
				 n == 2 ? c->titles[c->baseline] : "base");
	for (size_t r = 0; r < c->nr_rows; r++)
		medians_row(c, &c->rows[r], &t, r + 1);
	table_print(&t, out);
	free(t.cell);
	fprintf(out,
		"(median per operation, lower is better; xN.NN: the file's median / the baseline's, %s)\n",
		c->titles[c->baseline]);
	print_refused(c, out);
	print_config_notes(c, out);
	print_cpu_features_note(c, out);
}

/* "hvc_exit_stat" -> "hvc", "mmio_exit_user" -> "mmio_user". */
static void short_exit_name(const char *name, char *buf, size_t size)
{
	static const char stat[] = "_exit_stat";
	size_t len = strlen(name), slen = sizeof(stat) - 1;
	const char *mid = strstr(name, "_exit_");

	if (len > slen && !strcmp(name + len - slen, stat))
		snprintf(buf, size, "%.*s", (int)(len - slen), name);
	else if (mid)
		snprintf(buf, size, "%.*s%s", (int)(mid - name), name, mid + 5);
	else
		snprintf(buf, size, "%s", name);
}

/* The counter ranked just below @prev (SIZE_MAX: the top); SIZE_MAX: none. */
static size_t next_exit(const struct json_value *exits, size_t prev)
{
	size_t best = SIZE_MAX;
	double pv = 0, bv = 0, v = 0;
	const char *key;

	if (prev != SIZE_MAX)
		json_as_number(json_member_at(exits, prev, &key), &pv);
	for (size_t i = 0; i < json_length(exits); i++) {
		json_as_number(json_member_at(exits, i, &key), &v);
		if (prev != SIZE_MAX && !(v < pv || (v == pv && i > prev)))
			continue;
		if (best == SIZE_MAX || v > bv) {
			best = i;
			bv = v;
		}
	}
	return best;
}

/* "exits 1.01, hvc 1.00": the top counters per operation. */
static void exits_cell(const struct bench_doc *doc,
		       const struct bench_doc_bench *b, char *buf)
{
	size_t used = 0, i = SIZE_MAX;
	const char *key;
	char name[64], per_op[32];
	double v;

	if (!b || strcmp(b->status, "OK")) {
		snprintf(buf, CELL_LEN, "- (%s)", b ? b->status : "missing");
		return;
	}
	if (doc->profile_note || b->window_ops <= 0) {
		strcpy(buf, "(no profile)");
		return;
	}
	for (int k = 0; k < COMPARE_TOP_EXITS; k++) {
		i = next_exit(b->exits, i);
		if (i == SIZE_MAX ||
		    !json_as_number(json_member_at(b->exits, i, &key), &v) ||
		    v / b->window_ops < COMPARE_MIN_EXITS_PER_OP)
			break;
		short_exit_name(key, name, sizeof(name));
		format_bounded(v / b->window_ops, 2, per_op, sizeof(per_op));
		used += (size_t)snprintf(buf + used, CELL_LEN - used, "%s%s %s",
					 k ? ", " : "", name, per_op);
		if (used >= CELL_LEN)
			break; /* truncated; buf is still terminated */
	}
	if (!used)
		strcpy(buf, "none");
}

void compare_print_exits(const struct compare *c, FILE *out)
{
	struct text_table t;

	if (table_init(&t, c->nr_rows + 1, 1 + c->nr_files, 1 + c->nr_files)) {
		fputs("(no memory for the table)\n", out);
		return;
	}
	strcpy(table_at(&t, 0, 0), "exits per op");
	for (size_t f = 0; f < c->nr_files; f++)
		snprintf(table_at(&t, 0, 1 + f), CELL_LEN, "%s", c->titles[f]);
	for (size_t r = 0; r < c->nr_rows; r++) {
		const struct compare_row *row = &c->rows[r];

		snprintf(table_at(&t, r + 1, 0), CELL_LEN, "%s", row->name);
		for (size_t f = 0; f < c->nr_files; f++)
			exits_cell(c->docs[f], row->cells[f].bench,
				   table_at(&t, r + 1, 1 + f));
	}
	table_print(&t, out);
	free(t.cell);
	fprintf(out,
		"(KVM counter deltas per operation, warm-up included; the top %d at %.2f/op or more)\n",
		COMPARE_TOP_EXITS, COMPARE_MIN_EXITS_PER_OP);
}

/* Whether @row fails the gate; prints why if so. */
static bool gate_row(const struct compare *c, const struct compare_row *row,
		     double pct, FILE *out)
{
	const struct compare_cell *base = &row->cells[0], *cur = &row->cells[1];
	double b, n;
	char bs[64], ns[64], more[32];

	if (!base->usable || row->units_differ)
		return false;
	if (!cur->usable) {
		fprintf(out,
			"gate: %s: measured in BASE (%s), %s in NEW (%s)\n",
			row->name, c->titles[0], cell_state(cur), c->titles[1]);
		return true;
	}
	b = base->bench->median;
	n = cur->bench->median;
	if (n <= b * (1 + pct / 100))
		return false;
	compare_format_value(b, bs, sizeof(bs));
	compare_format_value(n, ns, sizeof(ns));
	if (b > 0) {
		format_bounded((n / b - 1) * 100, 1, more, sizeof(more));
		fprintf(out,
			"gate: %s: %s -> %s %s (+%s%%), more than %g%% above BASE\n",
			row->name, bs, ns, SAFE(row->unit), more, pct);
	} else {
		fprintf(out, "gate: %s: %s -> %s %s, above a BASE of 0\n",
			row->name, bs, ns, SAFE(row->unit));
	}
	return true;
}

static void append_name(char *buf, size_t size, const char *name)
{
	size_t used = strlen(buf);

	if (used + 1 < size)
		snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
			 name);
}

size_t compare_gate(const struct compare *c, double pct, FILE *out)
{
	size_t failed = 0, gated = 0;
	char names[512] = "";

	for (size_t r = 0; r < c->nr_rows && c->nr_files == 2; r++) {
		const struct compare_row *row = &c->rows[r];

		gated += row->cells[0].usable && !row->units_differ;
		if (gate_row(c, row, pct, out)) {
			failed++;
			append_name(names, sizeof(names), row->name);
		}
	}
	if (failed)
		fprintf(out,
			"gate: FAILED: %zu of %zu benchmarks costlier than BASE + %g%% or no longer measured: %s\n",
			failed, gated, pct, names);
	else
		fprintf(out,
			"gate: passed: %zu benchmarks within BASE + %g%%\n",
			gated, pct);
	return failed;
}
