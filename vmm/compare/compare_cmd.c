// SPDX-License-Identifier: MIT
/* `tinyvmm compare`; contract in compare_cmd.h. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/compare/chart_svg.h"
#include "vmm/compare/column_titles.h"
#include "vmm/compare/compare_cmd.h"

void compare_usage(FILE *out, bool full)
{
	fputs("usage: tinyvmm compare [--svg FILE] [--baseline N|TITLE] [--fail-above PCT]\n"
	      "                       A.json B.json [C.json ...]\n",
	      out);
	if (!full) {
		fputs("Compares the JSON of --bench runs; see tinyvmm compare --help.\n",
		      out);
		return;
	}
	fputs("Compares documents written by `tinyvmm --bench --json FILE`: a row per\n"
	      "benchmark, a column per file, the median per operation (lower is\n"
	      "better) and its ratio to the baseline file (A.json unless --baseline);\n"
	      "then the exit profile side by side. A column's title is the file's\n"
	      "--tag label=TEXT (filtered to printable text, at most 32 characters),\n"
	      "or its KVM mode without one; titles that two files share get the\n"
	      "file's name added, \"TITLE (B.json)\".\n"
	      "A note under the table names a setting the files differ in (seccomp\n"
	      "confinement, vCPU pinning, guest RAM backing, guest CPU features,\n"
	      "the GICv3 ITS; from config, unknown in older files): it moves\n"
	      "figures, but neither the gate nor the exit status depends on it.\n"
	      "\n"
	      "      --svg FILE        also write a bar chart (SVG): a group per\n"
	      "                        benchmark, a bar per file, its ratio to the\n"
	      "                        baseline on a log scale, sized to fit\n"
	      "      --baseline N|TITLE\n"
	      "                        the column ratios are to: its number from 1,\n"
	      "                        or its whole title (default 1, A.json)\n"
	      "      --fail-above PCT  with exactly two files, BASE.json NEW.json:\n"
	      "                        exit 1 naming each benchmark whose NEW median is\n"
	      "                        more than PCT percent above BASE, or that BASE\n"
	      "                        measured and NEW did not; BASE is always the\n"
	      "                        first file (--baseline may only name it)\n"
	      "  -h, --help            this text\n"
	      "\n"
	      "--svg FILE is written to a temporary file beside it, then renamed\n"
	      "into place (a symlink at FILE is replaced, not followed); FILE may\n"
	      "not be one of the inputs.\n"
	      "\n"
	      "Exit status:\n"
	      "  0  compared; the gate, if any, passed; the chart, if any, written\n"
	      "  1  the gate failed (a benchmark more than PCT above BASE, or no\n"
	      "     longer measured), whatever else failed after it (said on stderr)\n"
	      "  2  the gate did not fail, and: a bad command line; --svg names an\n"
	      "     input; a file unreadable, malformed, of another schema or\n"
	      "     schema_version, or with statistics no samples can have (n < 1,\n"
	      "     not min <= median <= p99 <= max); a benchmark whose units differ\n"
	      "     between files; no column --baseline names; the --svg file not\n"
	      "     writable; standard output not writable\n",
	      out);
}

static const struct option compare_options[] = {
	{ "svg", required_argument, NULL, 's' },
	{ "fail-above", required_argument, NULL, 'f' },
	{ "baseline", required_argument, NULL, 'b' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Plain decimal, as a person writes a percentage: strtod alone takes hex. */
static bool is_plain_decimal(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	if (!digits)
		return false;
	if (s[digits] == '.')
		return s[digits + 1] &&
		       !s[digits + 1 + strspn(s + digits + 1, "0123456789")];
	return !s[digits];
}

static int parse_pct(const char *arg, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(arg, &end);
	if (!is_plain_decimal(arg) || end == arg || *end || errno ||
	    !isfinite(*out) || *out < 0 || *out > COMPARE_MAX_PCT) {
		tv_err("compare --fail-above %s: expected a decimal percentage such as 5 or 2.5, from 0 to %.0f",
		       arg, COMPARE_MAX_PCT);
		return -EINVAL;
	}
	return 0;
}

static int parse_option(int c, char **argv, struct compare_args *a)
{
	switch (c) {
	case 's':
		a->svg = optarg;
		if (*optarg)
			return 0;
		tv_err("compare --svg: needs a file name");
		return -EINVAL;
	case 'f':
		a->gate = true;
		return parse_pct(optarg, &a->fail_above);
	case 'b':
		a->baseline = optarg;
		if (*optarg)
			return 0;
		tv_err("compare --baseline: needs a column number or title");
		return -EINVAL;
	case 'h':
		a->help = true;
		return 0;
	case ':':
		tv_err("compare %s: needs a value; see tinyvmm compare --help",
		       argv[optind - 1]);
		return -EINVAL;
	default:
		tv_err("compare: unrecognized option '%s'; see tinyvmm compare --help",
		       argv[optind - 1]);
		return -EINVAL;
	}
}

static int check_files(struct compare_args *a, int argc, char **argv)
{
	size_t n = (size_t)(argc - optind);

	if (a->help)
		return 0;
	if (n > COMPARE_MAX_FILES) {
		tv_err("compare: %zu files; at most %d", n, COMPARE_MAX_FILES);
		return -EINVAL;
	}
	if (a->gate && n != 2) {
		tv_err("compare --fail-above: needs exactly two files, BASE.json NEW.json (got %zu)",
		       n);
		return -EINVAL;
	}
	if (n < 2) {
		tv_err("compare: needs at least two files, A.json B.json; see tinyvmm compare --help");
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++)
		a->files[i] = argv[optind + (int)i];
	a->nr_files = n;
	return 0;
}

int compare_parse_args(int argc, char **argv, struct compare_args *a)
{
	int c;

	memset(a, 0, sizeof(*a));
	optind = 0; /* full reset: main() or tests may have used getopt */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", compare_options, NULL)) != -1)
		if (parse_option(c, argv, a))
			return -EINVAL;
	return check_files(a, argc, argv);
}

static int load_docs(const struct compare_args *a, struct bench_doc *docs)
{
	for (size_t i = 0; i < a->nr_files; i++) {
		int ret = bench_doc_load(&docs[i], a->files[i]);

		if (ret) {
			tv_err("%s: %s", a->files[i], docs[i].error);
			while (i--)
				bench_doc_free(&docs[i]);
			return ret;
		}
	}
	return 0;
}

/*
 * The directory of @path with a temporary name in it, for mkstemp():
 * "dir/.tinyvmm-compare-XXXXXX". NULL: out of memory.
 */
static char *svg_temp_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	int dir_len = slash ? (int)(slash - path) + 1 : 0;
	char *tmp;

	if (asprintf(&tmp, "%.*s.tinyvmm-compare-XXXXXX", dir_len, path) < 0)
		return NULL;
	return tmp;
}

/* The chart into @fd, made as open() would have made the file. */
static int write_svg_fd(const struct compare *c, int fd)
{
	mode_t mask = umask(0);
	FILE *f;
	int ret;

	umask(mask);
	if (fchmod(fd, 0666 & ~mask)) {
		ret = -errno;
		close(fd);
		return ret;
	}
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = chart_svg_write(c, f);
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

/*
 * The chart goes to a temporary file in @path's directory, renamed into
 * place once whole: a reader never sees half a chart, a failed write
 * leaves what was there, and a symlink at @path is replaced, not
 * followed to whatever it names.
 */
static int write_svg(const struct compare *c, const char *path)
{
	char *tmp = svg_temp_name(path);
	int fd, ret;

	if (!tmp) {
		tv_err("compare --svg %s: out of memory", path);
		return -ENOMEM;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		ret = -errno;
		tv_errno(-ret, "compare --svg %s: creating %s", path, tmp);
		free(tmp);
		return ret;
	}
	ret = write_svg_fd(c, fd);
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret) {
		tv_errno(-ret, "compare --svg %s: writing", path);
		unlink(tmp);
	}
	free(tmp);
	return ret;
}

/* Whether @a and @b are one file (either may be missing: then not). */
static bool same_file(const struct stat *a, bool a_ok, const struct stat *b,
		      bool b_ok)
{
	return a_ok && b_ok && a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Refuses an --svg that is one of the inputs: the path itself or where
 * it leads (a link) against each input and where it leads. Writing the
 * chart there would destroy that input.
 */
static int check_svg_path(const struct compare_args *a)
{
	struct stat out[2], in[2];
	bool out_ok[2], in_ok[2];

	if (!a->svg)
		return 0;
	out_ok[0] = lstat(a->svg, &out[0]) == 0;
	out_ok[1] = stat(a->svg, &out[1]) == 0;
	for (size_t i = 0; i < a->nr_files; i++) {
		in_ok[0] = lstat(a->files[i], &in[0]) == 0;
		in_ok[1] = stat(a->files[i], &in[1]) == 0;
		for (int o = 0; o < 4; o++)
			if (same_file(&out[o / 2], out_ok[o / 2], &in[o % 2],
				      in_ok[o % 2])) {
				tv_err("compare --svg %s: that is the input %s (the same file); the chart would overwrite it",
				       a->svg, a->files[i]);
				return -EINVAL;
			}
	}
	return 0;
}

/*
 * @len bytes of @text to @out, all of them: a full disk or a closed pipe
 * on stdout is an error like any other (one line, exit 2). Written in one
 * go so that the failing call's errno is the one said.
 */
static int emit(const char *text, size_t len, FILE *out)
{
	int ret = 0;

	errno = 0;
	if (fwrite(text, 1, len, out) != len || fflush(out) || ferror(out))
		ret = errno ? -errno : -EIO;
	if (ret)
		tv_errno(-ret, "compare: writing to standard output");
	return ret;
}

/* One line naming the benchmarks refused for their units. */
static void report_refused(const struct compare *c)
{
	char names[512] = "";
	size_t used = 0;

	for (size_t r = 0; r < c->nr_rows && used + 1 < sizeof(names); r++)
		if (c->rows[r].units_differ)
			used += (size_t)snprintf(
				names + used, sizeof(names) - used, "%s%s",
				used ? ", " : "", c->rows[r].name);
	tv_err("compare: units differ between the files for %s; not compared",
	       names);
}

/* The tables, and the gate's lines: what goes to stdout. */
static void print_tables(const struct compare_args *a, const struct compare *c,
			 FILE *out, bool *gate_failed)
{
	compare_print(c, out);
	fputc('\n', out);
	compare_print_exits(c, out);
	if (a->gate) {
		fputc('\n', out);
		*gate_failed = compare_gate(c, a->fail_above, out) > 0;
	}
}

/*
 * Prints, gates and charts. A failed gate is exit 1 whatever goes wrong
 * after it (the chart, stdout): those errors are still said on stderr,
 * but a CI job must not read a regression as a broken file.
 */
static int compare_report(const struct compare_args *a, const struct compare *c,
			  FILE *out)
{
	bool gate_failed = false, bad = false;
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);

	if (!mem) {
		tv_err("compare: out of memory");
		return COMPARE_EXIT_BAD;
	}
	print_tables(a, c, mem, &gate_failed);
	/* Out first: the lines below go to stderr, after the tables. */
	bad = fclose(mem) ? (tv_err("compare: out of memory"), true)
			  : emit(text, len, out) != 0;
	free(text);
	if (c->nr_refused) {
		report_refused(c);
		bad = true;
	}
	if (a->svg && write_svg(c, a->svg))
		bad = true;
	return gate_failed ? COMPARE_EXIT_GATE
	       : bad	   ? COMPARE_EXIT_BAD
			   : COMPARE_EXIT_OK;
}

/* Every column as "N 'TITLE'", for an error line. */
static void list_columns(const struct compare *c, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t f = 0; f < c->nr_files && used + 1 < size; f++)
		used += (size_t)snprintf(buf + used, size - used, "%s%zu '%s'",
					 f ? ", " : "", f + 1, c->titles[f]);
}

/* One line: why --baseline names no column (@ret from column_titles_find). */
static void baseline_error(const struct compare_args *a,
			   const struct compare *c, int ret)
{
	char cols[512];

	list_columns(c, cols, sizeof(cols));
	if (ret == -EINVAL)
		tv_err("compare --baseline %s: no column %s; there are %zu: %s",
		       a->baseline, a->baseline, c->nr_files, cols);
	else if (ret == -EEXIST)
		tv_err("compare --baseline %s: two columns have that title; give its number: %s",
		       a->baseline, cols);
	else
		tv_err("compare --baseline %s: no column has that title: %s",
		       a->baseline, cols);
}

/* Makes the --baseline column the baseline; one line if it cannot be. */
static int use_baseline(const struct compare_args *a, struct compare *c)
{
	size_t col = 0;
	int ret;

	if (!a->baseline)
		return 0;
	ret = column_titles_find(c, a->baseline, &col);
	if (ret) {
		baseline_error(a, c, ret);
		return ret;
	}
	/*
	 * The gate's BASE and NEW are its files in order, as CI scripts
	 * give them: a baseline that swapped them would turn the gate round.
	 */
	if (a->gate && col) {
		tv_err("compare --baseline %s: with --fail-above the baseline is BASE, the first file ('%s'), not column %zu",
		       a->baseline, c->titles[0], col + 1);
		return -EINVAL;
	}
	compare_set_baseline(c, col);
	return 0;
}

int compare_run(const struct compare_args *a, FILE *out)
{
	struct bench_doc docs[COMPARE_MAX_FILES];
	const struct bench_doc *ptrs[COMPARE_MAX_FILES];
	struct compare c;
	int status = COMPARE_EXIT_BAD;

	if (check_svg_path(a) || load_docs(a, docs))
		return COMPARE_EXIT_BAD;
	for (size_t i = 0; i < a->nr_files; i++)
		ptrs[i] = &docs[i];
	if (compare_build(&c, ptrs, a->files, a->nr_files))
		tv_err("compare: out of memory");
	else if (!use_baseline(a, &c))
		status = compare_report(a, &c, out);
	compare_free(&c);
	for (size_t i = 0; i < a->nr_files; i++)
		bench_doc_free(&docs[i]);
	return status;
}

int compare_main(int argc, char **argv)
{
	struct compare_args a;

	if (compare_parse_args(argc, argv, &a))
		return COMPARE_EXIT_BAD;
	if (a.help) {
		compare_usage(stdout, true);
		if (!ferror(stdout) && !fflush(stdout))
			return COMPARE_EXIT_OK;
		tv_errno(errno ? errno : EIO,
			 "compare --help: writing to standard output");
		return COMPARE_EXIT_BAD;
	}
	return compare_run(&a, stdout);
}
