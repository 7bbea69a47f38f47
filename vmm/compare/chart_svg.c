// SPDX-License-Identifier: MIT
/* The comparison chart as SVG; contract in chart_svg.h. */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "vmm/compare/chart_axis.h"
#include "vmm/compare/chart_svg.h"
#include "vmm/compare/safe_text.h"

/*
 * Columns are as wide as their longest text, sized by char_em_100(): the
 * viewer's font is not known, so each character counts as wide as a
 * wide sans-serif face draws it.
 */
#define FS 11	      /* bar lines: titles, medians, ratios */
#define FS_GROUP 12   /* a benchmark's name and unit */
#define FS_TICK 10    /* the axis */
#define FS_HEAD 15    /* the chart's title */
#define FS_NOTE 11    /* the lines under it, the legend */
#define MARGIN 16     /* around everything */
#define PAD 10	      /* between columns */
#define LINE_H 16     /* a bar line: > FS, so lines never touch */
#define BAR_H 11      /* a bar, within its line */
#define GROUP_HEAD 22 /* a group's name line */
#define GROUP_GAP 8
#define GROUP_UNIT_DX 8 /* between a benchmark's name and its unit */
#define HEAD_H 64	/* the title and the two lines under it */
#define AXIS_H 20	/* the tick labels' line, above and below */
#define ENDS_H 24	/* under the lower one: "cheaper", "costlier" */
#define LEGEND_LINE 18
#define PX_PER_DECADE 160 /* 1-2 and 5-10 ticks 48 px apart, never closer */
#define PLOT_MIN_W 320
#define PLOT_MAX_W 720
#define UNIT_MAX 40 /* characters of a unit shown */
#define SHORT_LEN 32

static const char *const head_title =
	"tinyvmm compare: median cost per operation relative to ";
static const char *const head_note =
	"lower is better: a bar left of x1 is cheaper than the baseline, one right of it costlier (log scale)";
static const char *const head_note2 =
	"per benchmark: each file's median / the baseline's; right of the bars: the median in the benchmark's unit, and the ratio";

static const char *const chart_colors[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
	"#edc948", "#b07aa1", "#9c755f", "#ff9da7", "#bab0ac",
};

#define NR_COLORS (sizeof(chart_colors) / sizeof(chart_colors[0]))

struct chart {
	const struct compare *c;
	struct chart_axis axis;
	int plot_left, plot_w; /* the bars' area, x */
	int value_right;       /* medians end here (right-aligned) */
	int ratio_left;	       /* ratios start here */
	int plot_top;	       /* the first group's top */
	int plot_bottom;       /* below the last group */
	int width, height;
};

/*
 * @s as XML character data (also safe inside attribute quotes): filtered
 * (safe_text.h: no control characters, valid UTF-8), then escaped.
 */
static void xml_text(FILE *out, const char *s)
{
	char step[SAFE_TEXT_MAX_BYTES];
	size_t len;

	while (*s) {
		s = safe_text_step(s, step, &len);
		if (len > 1)
			fwrite(step, 1, len, out);
		else if (step[0] == '&')
			fputs("&amp;", out);
		else if (step[0] == '<')
			fputs("&lt;", out);
		else if (step[0] == '>')
			fputs("&gt;", out);
		else if (step[0] == '"')
			fputs("&quot;", out);
		else
			fputc(step[0], out);
	}
}

/*
 * Printable ASCII's advances in 1/100 em, rounded up: DejaVu Sans Bold's
 * (read from the hmtx table of Debian's DejaVuSans-Bold.ttf; DejaVu Sans
 * is fontconfig's sans-serif there, and Bold is no narrower than Book for any
 * character), so bold and normal text fit alike. A flat 0.6 em let a
 * label of 32 "W"s (1.1 em each) run off the chart's left edge.
 */
static const unsigned char ascii_em_100[95] = {
	35,  46, 53, 84, 70, 101, 88, 31,  46, 46, 53, 84, 38, 42,  38, 37,
	70,  70, 70, 70, 70, 70,  70, 70,  70, 70, 40, 40, 84, 84,  84, 59,
	100, 78, 77, 74, 84, 69,  69, 83,  84, 38, 38, 78, 64, 100, 84, 86,
	74,  86, 78, 73, 69, 82,  78, 111, 78, 73, 73, 46, 37, 46,  84, 50,
	50,  68, 72, 60, 72, 68,  44, 72,  72, 35, 35, 67, 35, 105, 72, 69,
	72,  72, 50, 60, 48, 72,  66, 93,  65, 66, 59, 72, 37, 72,  84,
};

/*
 * One character's width in 1/100 em, from its first byte (@s is filtered
 * text: printable ASCII or valid UTF-8). Any other character counts as
 * 1.25 em: a CJK ideograph is 1 em, and some symbols of fallback fonts
 * (emoji) are wider.
 */
static int char_em_100(unsigned char c)
{
	return c >= 0x20 && c < 0x7f ? ascii_em_100[c - 0x20] : 125;
}

/* The estimated width of @s (filtered) at font size @fs, in pixels. */
static int text_w(const char *s, int fs)
{
	char buf[1024];
	long em_100 = 0;

	for (const char *p = safe_text(buf, sizeof(buf), s); *p; p++)
		if ((*p & 0xc0) != 0x80) /* not a UTF-8 continuation byte */
			em_100 += char_em_100((unsigned char)*p);
	return (int)ceil((double)em_100 * fs / 100);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

/* The unit shown under a benchmark's name: filtered, cut. */
static void unit_text(const struct compare_row *row, char *buf, size_t size)
{
	safe_text(buf, size,
		  row->units_differ ? "units differ"
		  : row->unit	    ? row->unit
				    : "");
	safe_text_clip(buf, UNIT_MAX);
}

/* A short median: "12592", "1.5", "2.4e+07". */
static void median_text(double v, char *buf, size_t size)
{
	snprintf(buf, size, v >= 1e6 ? "%.2g" : v >= 100 ? "%.0f" : "%.3g", v);
}

/*
 * "x1.47", "x905", "x2.4e+05", "x3.1e-05": short at any size (the table's
 * "x%.2f" is not); "base" for the baseline's own bar.
 */
static void ratio_text(const struct chart *ch, size_t f,
		       const struct compare_cell *cell, char *buf, size_t size)
{
	double r = cell->ratio;

	if (f == ch->c->baseline)
		snprintf(buf, size, "base");
	else
		snprintf(buf, size,
			 r > 0 && r < 0.01 ? "x%.2g"
			 : r < 100	   ? "x%.2f"
			 : r < 1e4	   ? "x%.0f"
					   : "x%.2g",
			 r);
}

/* Why a cell has no bar. */
static const char *no_bar_text(const struct compare_row *row,
			       const struct compare_cell *cell)
{
	return row->units_differ		   ? "units differ"
	       : !cell->bench			   ? "missing"
	       : strcmp(cell->bench->status, "OK") ? cell->bench->status
	       : !cell->usable			   ? "no figures"
						   : "no base";
}

/*
 * Why no file has a bar for @row, when that is the same for all (a
 * benchmark SKIPPED everywhere); NULL otherwise. Such a group gets one
 * line instead of a column's worth of identical notes.
 */
static const char *row_note(const struct compare *c,
			    const struct compare_row *row)
{
	const char *why = no_bar_text(row, &row->cells[0]);

	for (size_t f = 0; f < c->nr_files; f++)
		if (row->cells[f].has_ratio ||
		    strcmp(no_bar_text(row, &row->cells[f]), why))
			return NULL;
	return why;
}

/* Bar lines in @row's group: one per file, or one for them all. */
static int group_lines(const struct compare *c, const struct compare_row *row)
{
	return row_note(c, row) ? 1 : (int)c->nr_files;
}

/* The title column's text on a row_note() line. */
static void all_files_text(const struct compare *c, char *buf, size_t size)
{
	if (c->nr_files == 2)
		snprintf(buf, size, "both files");
	else
		snprintf(buf, size, "all %zu files", c->nr_files);
}

/* The axis from the ratios there are (x0.5 .. x2 when none). */
static void fit_axis(struct chart *ch)
{
	const struct compare *c = ch->c;
	double rmin = 1, rmax = 1;

	for (size_t r = 0; r < c->nr_rows; r++)
		for (size_t f = 0; f < c->nr_files; f++) {
			const struct compare_cell *cell = &c->rows[r].cells[f];

			if (!cell->has_ratio)
				continue;
			rmin = cell->ratio > 0 && cell->ratio < rmin
				       ? cell->ratio
				       : rmin;
			rmax = cell->ratio > rmax ? cell->ratio : rmax;
		}
	chart_axis_fit(&ch->axis, rmin, rmax);
}

/* The widest median and ratio (or no-bar note) of any bar line. */
static void value_widths(const struct chart *ch, int *value_w, int *ratio_w)
{
	const struct compare *c = ch->c;
	char buf[SHORT_LEN];

	*value_w = *ratio_w = 0;
	for (size_t r = 0; r < c->nr_rows; r++)
		for (size_t f = 0; f < c->nr_files; f++) {
			const struct compare_cell *cell = &c->rows[r].cells[f];

			if (!cell->has_ratio) {
				*value_w = max_int(
					*value_w,
					text_w(no_bar_text(&c->rows[r], cell),
					       FS));
				continue;
			}
			median_text(cell->bench->median, buf, sizeof(buf));
			*value_w = max_int(*value_w, text_w(buf, FS));
			ratio_text(ch, f, cell, buf, sizeof(buf));
			*ratio_w = max_int(*ratio_w, text_w(buf, FS));
		}
}

/* The widest text that spans the chart: header, group and legend lines. */
static int widest_line(const struct chart *ch)
{
	const struct compare *c = ch->c;
	char unit[COMPARE_TITLE_LEN];
	int w = max_int(text_w(head_note, FS_NOTE),
			text_w(head_note2, FS_NOTE));

	w = max_int(w, text_w(head_title, FS_HEAD) +
			       text_w(c->titles[c->baseline], FS_HEAD));
	for (size_t r = 0; r < c->nr_rows; r++) {
		unit_text(&c->rows[r], unit, sizeof(unit));
		w = max_int(w, text_w(c->rows[r].name, FS_GROUP) +
				       GROUP_UNIT_DX + text_w(unit, FS_GROUP));
	}
	for (size_t f = 0; f < c->nr_files; f++)
		w = max_int(w, 18 + text_w(c->titles[f], FS_NOTE) +
				       text_w(base_name(c->paths[f]), FS_NOTE) +
				       text_w(" - (baseline)", FS_NOTE));
	return w;
}

static void chart_layout(struct chart *ch, const struct compare *c)
{
	int title_w, value_w, ratio_w;
	char all[SHORT_LEN];

	ch->c = c;
	fit_axis(ch);
	all_files_text(c, all, sizeof(all));
	title_w = text_w(all, FS);
	for (size_t f = 0; f < c->nr_files; f++)
		title_w = max_int(title_w, text_w(c->titles[f], FS));
	value_widths(ch, &value_w, &ratio_w);
	ch->plot_left = MARGIN + title_w + PAD;
	ch->plot_w = (int)(ch->axis.span * PX_PER_DECADE);
	ch->plot_w = ch->plot_w < PLOT_MIN_W   ? PLOT_MIN_W
		     : ch->plot_w > PLOT_MAX_W ? PLOT_MAX_W
					       : ch->plot_w;
	ch->value_right = ch->plot_left + ch->plot_w + PAD + value_w;
	ch->ratio_left = ch->value_right + PAD;
	ch->width =
		max_int(ch->ratio_left + ratio_w, MARGIN + widest_line(ch)) +
		MARGIN;
	ch->plot_top = MARGIN + HEAD_H + AXIS_H;
	ch->plot_bottom = ch->plot_top;
	for (size_t r = 0; r < c->nr_rows; r++)
		ch->plot_bottom += GROUP_HEAD +
				   group_lines(c, &c->rows[r]) * LINE_H +
				   GROUP_GAP;
	ch->height = ch->plot_bottom + AXIS_H + ENDS_H +
		     (int)c->nr_files * LEGEND_LINE + MARGIN;
}

static double ratio_x(const struct chart *ch, double ratio)
{
	return ch->plot_left + chart_axis_pos(&ch->axis, ratio) * ch->plot_w;
}

/* <text x y font-size [more attributes]>@s</text>, @s filtered. */
static void svg_text(FILE *out, double x, double y, int fs, const char *attrs,
		     const char *s)
{
	fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\"%s%s>", x, y,
		fs, *attrs ? " " : "", attrs);
	xml_text(out, s);
	fputs("</text>\n", out);
}

static void svg_head(const struct chart *ch, FILE *out)
{
	int y = MARGIN + FS_HEAD;

	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		ch->width, ch->height, ch->width, ch->height);
	fprintf(out, "<path d=\"M0 0H%dV%dH0Z\" fill=\"#ffffff\"/>\n",
		ch->width, ch->height);
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"bold\">%s",
		MARGIN, y, FS_HEAD, head_title);
	xml_text(out, ch->c->titles[ch->c->baseline]);
	fputs("</text>\n", out);
	svg_text(out, MARGIN, y + 22, FS_NOTE, "font-weight=\"bold\"",
		 head_note);
	svg_text(out, MARGIN, y + 40, FS_NOTE, "fill=\"#555555\"", head_note2);
}

/* Tick labels on a line at @y; the ends' meaning under the lower one. */
static void svg_tick_labels(const struct chart *ch, int y, bool ends, FILE *out)
{
	double ticks[CHART_AXIS_MAX_TICKS];
	size_t n = chart_axis_ticks(&ch->axis, ticks);
	char label[SHORT_LEN];

	for (size_t i = 0; i < n; i++) {
		snprintf(label, sizeof(label), "x%g", ticks[i]);
		svg_text(out, ratio_x(ch, ticks[i]), y, FS_TICK,
			 "text-anchor=\"middle\" fill=\"#555555\"", label);
	}
	if (!ends)
		return;
	svg_text(out, ch->plot_left, y + 16, FS_TICK, "fill=\"#555555\"",
		 "\xe2\x86\x90 cheaper");
	svg_text(out, ch->plot_left + ch->plot_w, y + 16, FS_TICK,
		 "text-anchor=\"end\" fill=\"#555555\"",
		 "costlier \xe2\x86\x92");
}

/* Grid lines over a group's bars, from @y0 to @y1; x1 stands out. */
static void svg_grid(const struct chart *ch, int y0, int y1, FILE *out)
{
	double ticks[CHART_AXIS_MAX_TICKS];
	size_t n = chart_axis_ticks(&ch->axis, ticks);

	for (size_t i = 0; i < n; i++)
		fprintf(out,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#dddddd\"/>\n",
			ratio_x(ch, ticks[i]), y0, ratio_x(ch, ticks[i]), y1);
	fprintf(out,
		"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333333\" "
		"stroke-dasharray=\"4 3\"/>\n",
		ratio_x(ch, 1), y0 - 2, ratio_x(ch, 1), y1 + 2);
}

/* The bar from x1 to the ratio (at least 2 px wide, so x1 shows too). */
static void svg_bar_rect(const struct chart *ch, const struct compare_row *row,
			 size_t f, int y, FILE *out)
{
	const struct compare_cell *cell = &row->cells[f];
	double x1 = ratio_x(ch, 1), xr = ratio_x(ch, cell->ratio);
	double left = xr < x1 ? xr : x1, w = fabs(xr - x1);
	char v[SHORT_LEN], ratio[SHORT_LEN];

	if (w < 2) {
		left = (x1 + xr) / 2 - 1;
		w = 2;
	}
	median_text(cell->bench->median, v, sizeof(v));
	ratio_text(ch, f, cell, ratio, sizeof(ratio));
	fprintf(out,
		"<rect class=\"bar\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>",
		left, y + (LINE_H - BAR_H) / 2, w, BAR_H,
		chart_colors[f % NR_COLORS]);
	xml_text(out, ch->c->titles[f]);
	fprintf(out, ": %s: %s ", row->name, v);
	xml_text(out, row->unit);
	fprintf(out, " per op, %s</title></rect>\n", ratio);
}

/* One file's line in a group: title, bar, median and ratio. */
static void svg_bar_line(const struct chart *ch, const struct compare_row *row,
			 size_t f, int y, FILE *out)
{
	const struct compare_cell *cell = &row->cells[f];
	double base = y + LINE_H - 4; /* the text's baseline */
	char v[SHORT_LEN];

	svg_text(out, ch->plot_left - PAD, base, FS,
		 "class=\"column\" text-anchor=\"end\"", ch->c->titles[f]);
	if (!cell->has_ratio) {
		svg_text(out, ch->value_right, base, FS,
			 "class=\"value\" text-anchor=\"end\" fill=\"#777777\"",
			 no_bar_text(row, cell));
		return;
	}
	svg_bar_rect(ch, row, f, y, out);
	median_text(cell->bench->median, v, sizeof(v));
	svg_text(out, ch->value_right, base, FS,
		 "class=\"value\" text-anchor=\"end\"", v);
	ratio_text(ch, f, cell, v, sizeof(v));
	svg_text(out, ch->ratio_left, base, FS,
		 f == ch->c->baseline ? "class=\"value\" fill=\"#555555\""
				      : "class=\"value\" font-weight=\"bold\"",
		 v);
}

/* The one line of a group no file has a bar in, all for one reason. */
static void svg_note_line(const struct chart *ch, const char *why, int y,
			  FILE *out)
{
	char all[SHORT_LEN];

	all_files_text(ch->c, all, sizeof(all));
	svg_text(out, ch->plot_left - PAD, y + LINE_H - 4, FS,
		 "class=\"column\" text-anchor=\"end\" fill=\"#777777\"", all);
	svg_text(out, ch->value_right, y + LINE_H - 4, FS,
		 "class=\"value\" text-anchor=\"end\" fill=\"#777777\"", why);
}

/*
 * A benchmark at @top: its name and unit, then a striped line per file
 * (or one line for all). Returns the group's height.
 */
static int svg_group(const struct chart *ch, const struct compare_row *row,
		     int top, FILE *out)
{
	int lines = group_lines(ch->c, row), y0 = top + GROUP_HEAD;
	char unit[COMPARE_TITLE_LEN];

	unit_text(row, unit, sizeof(unit));
	/* dx, not spaces: SVG collapses those. */
	fprintf(out,
		"<text x=\"%d\" y=\"%d\" font-size=\"%d\" font-weight=\"bold\">",
		MARGIN, top + 16, FS_GROUP);
	xml_text(out, row->name);
	fprintf(out,
		"<tspan dx=\"%d\" font-weight=\"normal\" fill=\"#555555\">",
		GROUP_UNIT_DX);
	xml_text(out, unit);
	fputs("</tspan></text>\n", out);
	for (int l = 1; l < lines; l += 2)
		fprintf(out,
			"<path d=\"M%d %dH%dv%dH%dZ\" fill=\"#f4f4f4\"/>\n",
			MARGIN, y0 + l * LINE_H, ch->width - MARGIN, LINE_H,
			MARGIN);
	svg_grid(ch, y0, y0 + lines * LINE_H, out);
	if (row_note(ch->c, row))
		svg_note_line(ch, row_note(ch->c, row), y0, out);
	else
		for (size_t f = 0; f < ch->c->nr_files; f++)
			svg_bar_line(ch, row, f, y0 + (int)f * LINE_H, out);
	return GROUP_HEAD + lines * LINE_H + GROUP_GAP;
}

static void svg_legend(const struct chart *ch, FILE *out)
{
	int top = ch->plot_bottom + AXIS_H + ENDS_H;

	for (size_t f = 0; f < ch->c->nr_files; f++) {
		int y = top + (int)f * LEGEND_LINE;

		fprintf(out, "<path d=\"M%d %dh12v12h-12Z\" fill=\"%s\"/>\n",
			MARGIN, y, chart_colors[f % NR_COLORS]);
		fprintf(out,
			"<text class=\"legend\" x=\"%d\" y=\"%d\" font-size=\"%d\">",
			MARGIN + 18, y + 10, FS_NOTE);
		xml_text(out, ch->c->titles[f]);
		fputs(" - ", out);
		xml_text(out, base_name(ch->c->paths[f]));
		fputs(f == ch->c->baseline ? " (baseline)</text>\n"
					   : "</text>\n",
		      out);
	}
}

int chart_svg_write(const struct compare *c, FILE *out)
{
	struct chart ch;
	int top;

	chart_layout(&ch, c);
	top = ch.plot_top;
	svg_head(&ch, out);
	svg_tick_labels(&ch, ch.plot_top - 8, false, out);
	for (size_t r = 0; r < c->nr_rows; r++)
		top += svg_group(&ch, &c->rows[r], top, out);
	svg_tick_labels(&ch, ch.plot_bottom + 4, true, out);
	svg_legend(&ch, out);
	fputs("</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}
