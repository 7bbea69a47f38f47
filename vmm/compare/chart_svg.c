// SPDX-License-Identifier: MIT
/* The comparison chart as SVG; contract in chart_svg.h. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "vmm/compare/chart_svg.h"
#include "vmm/compare/safe_text.h"

#define CHART_LEFT 70
#define CHART_RIGHT 30
#define CHART_TOP 70
#define CHART_PLOT_H 280
#define CHART_GAP 36
#define CHART_LEGEND_LINE 18

static const char *const chart_colors[] = {
	"#4e79a7", "#f28e2b", "#59a14f", "#e15759",
	"#76b7b2", "#edc948", "#b07aa1", "#9c755f",
};

#define NR_COLORS (sizeof(chart_colors) / sizeof(chart_colors[0]))

struct chart {
	const struct compare *c;
	double ymax, step; /* ratio at the top of the plot; tick spacing */
	int bar_w, group_w, width, height;
	int plot_bottom; /* y of ratio 0 */
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

/* A tick spacing of 1, 2, 2.5 or 5 times a power of ten, about @span/5. */
static double nice_step(double span)
{
	static const double mults[] = { 1, 2, 2.5, 5, 10 };
	double raw = span / 5, mag = pow(10, floor(log10(raw)));

	for (size_t i = 0; i < sizeof(mults) / sizeof(mults[0]); i++)
		if (mults[i] * mag >= raw)
			return mults[i] * mag;
	return 10 * mag;
}

static void chart_layout(struct chart *ch, const struct compare *c)
{
	double top = 1;

	for (size_t r = 0; r < c->nr_rows; r++)
		for (size_t f = 0; f < c->nr_files; f++)
			if (c->rows[r].cells[f].has_ratio &&
			    c->rows[r].cells[f].ratio > top)
				top = c->rows[r].cells[f].ratio;
	ch->c = c;
	ch->step = nice_step(top * 1.15); /* room for the labels */
	ch->ymax = ceil(top * 1.15 / ch->step) * ch->step;
	ch->bar_w = c->nr_files <= 3 ? 44 : 28;
	ch->group_w = (int)c->nr_files * ch->bar_w + CHART_GAP;
	ch->width = CHART_LEFT + (int)c->nr_rows * ch->group_w + CHART_RIGHT;
	ch->width = ch->width < 560 ? 560 : ch->width;
	ch->plot_bottom = CHART_TOP + CHART_PLOT_H;
	ch->height = ch->plot_bottom + 50 +
		     (int)c->nr_files * CHART_LEGEND_LINE + 10;
}

static double ratio_y(const struct chart *ch, double ratio)
{
	return ch->plot_bottom - ratio / ch->ymax * CHART_PLOT_H;
}

static void svg_head(const struct chart *ch, FILE *out)
{
	fprintf(out,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\">\n",
		ch->width, ch->height, ch->width, ch->height);
	fprintf(out, "<path d=\"M0 0H%dV%dH0Z\" fill=\"#ffffff\"/>\n",
		ch->width, ch->height);
	fputs("<text x=\"20\" y=\"26\" font-size=\"16\" font-weight=\"bold\">"
	      "tinyvmm compare: median cost per operation, relative to ",
	      out);
	xml_text(out, ch->c->titles[ch->c->baseline]);
	fputs("</text>\n<text x=\"20\" y=\"46\" font-size=\"11\" fill=\"#555555\">"
	      "bar height: the file's median / the first file's, per benchmark; "
	      "labels: the median in the benchmark's unit, and the ratio</text>\n",
	      out);
}

static void svg_axis(const struct chart *ch, FILE *out)
{
	int right = ch->width - CHART_RIGHT;

	for (double t = 0; t <= ch->ymax + ch->step / 2; t += ch->step) {
		double y = ratio_y(ch, t);

		fprintf(out,
			"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
			"stroke=\"#dddddd\"/>\n",
			CHART_LEFT, y, right, y);
		fprintf(out,
			"<text x=\"%d\" y=\"%.1f\" font-size=\"10\" "
			"text-anchor=\"end\">x%g</text>\n",
			CHART_LEFT - 6, y + 3, t);
	}
	fprintf(out,
		"<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
		"stroke=\"#333333\" stroke-dasharray=\"4 3\"/>\n",
		CHART_LEFT, ratio_y(ch, 1), right, ratio_y(ch, 1));
	fprintf(out,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333333\"/>\n",
		CHART_LEFT, ch->plot_bottom, right, ch->plot_bottom);
	fprintf(out,
		"<text x=\"16\" y=\"%d\" font-size=\"11\" "
		"transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">"
		"median / first file's</text>\n",
		CHART_TOP + CHART_PLOT_H / 2, CHART_TOP + CHART_PLOT_H / 2);
}

/* A short label: "12592", "1.5", "2.4e+07". */
static void bar_value(double v, char *buf, size_t size)
{
	snprintf(buf, size, v >= 1e6 ? "%.2g" : v >= 100 ? "%.0f" : "%.3g", v);
}

/* Why a cell has no bar, written upwards from the axis. */
static void svg_no_bar(const struct chart *ch, const struct compare_row *row,
		       const struct compare_cell *cell, double cx, FILE *out)
{
	const char *why = row->units_differ ? "units differ"
			  : !cell->bench    ? "missing"
			  : strcmp(cell->bench->status, "OK")
				  ? cell->bench->status
			  : !cell->usable ? "no figures"
					  : "no base";

	fprintf(out,
		"<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#777777\" "
		"transform=\"rotate(-90 %.1f %d)\">",
		cx + 3, ch->plot_bottom - 6, cx + 3, ch->plot_bottom - 6);
	xml_text(out, why);
	fputs("</text>\n", out);
}

static void svg_bar(const struct chart *ch, const struct compare_row *row,
		    size_t f, double x, FILE *out)
{
	const struct compare_cell *cell = &row->cells[f];
	double cx = x + ch->bar_w / 2.0, y;
	char v[32];

	if (!cell->has_ratio) {
		svg_no_bar(ch, row, cell, cx, out);
		return;
	}
	y = ratio_y(ch, cell->ratio);
	bar_value(cell->bench->median, v, sizeof(v));
	fprintf(out,
		"<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>",
		x + 3, y, ch->bar_w - 6, ch->plot_bottom - y,
		chart_colors[f % NR_COLORS]);
	xml_text(out, ch->c->titles[f]);
	fputs(": ", out);
	xml_text(out, row->name);
	fprintf(out, ": %s ", v);
	xml_text(out, row->unit);
	fprintf(out, " per op, x%.2f</title></rect>\n", cell->ratio);
	fprintf(out,
		"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" text-anchor=\"middle\">%s</text>\n",
		cx, y - 4, v);
	if (f != ch->c->baseline)
		fprintf(out,
			"<text x=\"%.1f\" y=\"%.1f\" font-size=\"10\" font-weight=\"bold\" "
			"text-anchor=\"middle\">x%.2f</text>\n",
			cx, y - 16, cell->ratio);
}

static void svg_group(const struct chart *ch, size_t r, FILE *out)
{
	const struct compare_row *row = &ch->c->rows[r];
	double x0 = CHART_LEFT + (double)r * ch->group_w + CHART_GAP / 2.0;
	double mid = x0 + (double)ch->c->nr_files * ch->bar_w / 2;

	for (size_t f = 0; f < ch->c->nr_files; f++)
		svg_bar(ch, row, f, x0 + (double)f * ch->bar_w, out);
	fprintf(out,
		"<text x=\"%.1f\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">",
		mid, ch->plot_bottom + 18);
	xml_text(out, row->name);
	fprintf(out,
		"</text>\n<text x=\"%.1f\" y=\"%d\" font-size=\"9\" "
		"fill=\"#555555\" text-anchor=\"middle\">",
		mid, ch->plot_bottom + 32);
	xml_text(out, row->units_differ ? "units differ"
		      : row->unit	? row->unit
					: "");
	fputs("</text>\n", out);
}

static void svg_legend(const struct chart *ch, FILE *out)
{
	for (size_t f = 0; f < ch->c->nr_files; f++) {
		int y = ch->plot_bottom + 50 + (int)f * CHART_LEGEND_LINE;

		fprintf(out, "<path d=\"M%d %dh12v12h-12Z\" fill=\"%s\"/>\n",
			CHART_LEFT, y, chart_colors[f % NR_COLORS]);
		fprintf(out, "<text x=\"%d\" y=\"%d\" font-size=\"12\">",
			CHART_LEFT + 18, y + 10);
		xml_text(out, ch->c->titles[f]);
		fputs(" \xe2\x80\x94 ", out);
		xml_text(out, ch->c->paths[f]);
		fputs("</text>\n", out);
	}
}

int chart_svg_write(const struct compare *c, FILE *out)
{
	struct chart ch;

	chart_layout(&ch, c);
	svg_head(&ch, out);
	svg_axis(&ch, out);
	for (size_t r = 0; r < c->nr_rows; r++)
		svg_group(&ch, r, out);
	svg_legend(&ch, out);
	fputs("</svg>\n", out);
	return ferror(out) ? -EIO : 0;
}
