// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/compare/bench_doc.h"
#include "vmm/compare/chart_axis.h"
#include "vmm/compare/chart_svg.h"
#include "vmm/compare/column_titles.h"
#include "vmm/compare/compare.h"
#include "vmm/compare/compare_cmd.h"
#include "vmm/compare/safe_text.h"
#include "tests/unit/unit.h"

/* Two real runs (lab/run --icount, 50 iterations): VHE, then split. */
#define VHE TINYVMM_TEST_DATA "/bench-arm64-vhe-icount.json"
#define NVHE TINYVMM_TEST_DATA "/bench-arm64-nvhe-icount.json"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* @text with the first @from replaced by @to (which must occur). */
static char *edited_text(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	size_t head;
	char *out;

	ck_assert_msg(at != NULL, "%s not in the text", from);
	head = (size_t)(at - text);
	out = malloc(strlen(text) - strlen(from) + strlen(to) + 1);
	memcpy(out, text, head);
	strcpy(out + head, to);
	strcat(out, at + strlen(from));
	return out;
}

/* @path's text with the first @from replaced by @to (which must occur). */
static char *edited(const char *path, const char *from, const char *to)
{
	char *text = unit_slurp(path, NULL), *out;

	out = edited_text(text, from, to);
	free(text);
	return out;
}

static void load(struct bench_doc *doc, const char *path)
{
	int ret = bench_doc_load(doc, path);

	ck_assert_msg(ret == 0, "%s: %s", path, doc->error);
}

/* The comparison of @a and @b (loaded docs; paths for the titles). */
static void build2(struct compare *c, const struct bench_doc *a,
		   const struct bench_doc *b)
{
	const struct bench_doc *docs[] = { a, b };
	const char *paths[] = { "a.json", "b.json" };

	ck_assert_int_eq(compare_build(c, docs, paths, 2), 0);
}

static char *printed(const struct compare *c, int what, double pct)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (what == 0)
		compare_print(c, f);
	else if (what == 1)
		compare_print_exits(c, f);
	else
		compare_gate(c, pct, f);
	fclose(f);
	return buf;
}

static const struct compare_row *row_of(const struct compare *c,
					const char *name)
{
	for (size_t r = 0; r < c->nr_rows; r++)
		if (!strcmp(c->rows[r].name, name))
			return &c->rows[r];
	ck_abort_msg("no row %s", name);
	return NULL;
}

static const struct {
	const char *name;
	double ratio; /* < 0: no ratio */
} fixture_ratios[] = {
	{ "hypercall", 1504.0 / 1024 },
	{ "gic_trap", 2288.0 / 1824 },
	{ "mmio_user", 5728.0 / 5600 },
	{ "eoi", 1.0 },
	{ "virtual_ipi", 12592.0 / 12320 },
	{ "vm_switch", -1 },
	{ "io_out", -1 },
	{ "io_in", -1 },
};

START_TEST(test_fixture_table)
{
	struct bench_doc a, b;
	struct compare c;
	char *out;

	load(&a, VHE);
	load(&b, NVHE);
	build2(&c, &a, &b);
	ck_assert_uint_eq(c.nr_rows, ARRAY_SIZE(fixture_ratios));
	ck_assert_str_eq(c.titles[0], "VHE");
	ck_assert_str_eq(c.titles[1], "split (nVHE)");
	ck_assert_uint_eq(c.nr_refused, 0);
	for (size_t i = 0; i < ARRAY_SIZE(fixture_ratios); i++) {
		const struct compare_row *row = &c.rows[i];

		ck_assert_str_eq(row->name, fixture_ratios[i].name);
		ck_assert_str_eq(row->unit, "instructions (icount)");
		ck_assert_int_eq(row->cells[1].has_ratio,
				 fixture_ratios[i].ratio > 0);
		if (fixture_ratios[i].ratio > 0)
			ck_assert_double_eq_tol(row->cells[1].ratio,
						fixture_ratios[i].ratio, 1e-12);
	}
	out = printed(&c, 0, 0);
	ck_assert_msg(strstr(out, "split (nVHE) / VHE"), "%s", out);
	ck_assert(strstr(out, "1024.0"));
	ck_assert(strstr(out, "1504.0"));
	ck_assert(strstr(out, "x1.47"));
	ck_assert(strstr(out, "x1.25"));
	ck_assert(strstr(out, "- (SKIPPED)"));
	ck_assert(!strstr(out, "refused"));
	ck_assert(!strstr(out, "note:")); /* neither says seccomp or pinned */
	free(out);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
}
END_TEST

/* Exits per operation: 150 = 100 warm-up + 50 samples, short names. */
START_TEST(test_fixture_exits)
{
	struct bench_doc a, b;
	struct compare c;
	char *out;

	load(&a, VHE);
	load(&b, NVHE);
	build2(&c, &a, &b);
	out = printed(&c, 1, 0);
	ck_assert_msg(strstr(out, "exits 1.01, hvc 1.00"), "%s", out);
	ck_assert(strstr(out, "mmio_kernel 1.00"));
	ck_assert(strstr(out, "exits 2.13, halt_wakeup 1.01, wfi 1.01"));
	ck_assert(strstr(out, "- (SKIPPED)"));
	ck_assert(!strstr(out, "hvc_exit_stat"));
	free(out);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
}
END_TEST

/* A benchmark's unit differing between files: that row is refused. */
START_TEST(test_unit_mismatch)
{
	char *text = edited(NVHE, "\"unit\":\"instructions (icount)\"",
			    "\"unit\":\"cycles\"");
	struct bench_doc a, b;
	struct compare c;
	char *out;

	load(&a, VHE);
	ck_assert_int_eq(bench_doc_parse(&b, text, strlen(text)), 0);
	build2(&c, &a, &b);
	ck_assert_uint_eq(c.nr_refused, 1);
	ck_assert(row_of(&c, "hypercall")->units_differ);
	ck_assert(!row_of(&c, "hypercall")->cells[1].has_ratio);
	ck_assert(!row_of(&c, "gic_trap")->units_differ);
	out = printed(&c, 0, 0);
	ck_assert_msg(strstr(out, "refused: hypercall: units differ"), "%s",
		      out);
	ck_assert(strstr(out, "1504.0 cycles"));
	ck_assert(strstr(out, "(units differ)"));
	free(out);
	/* The gate does not judge it; the command exits 2 for it. */
	out = printed(&c, 2, 30);
	ck_assert_msg(strstr(out, "passed: 4 benchmarks"), "%s", out);
	free(out);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
	free(text);
}
END_TEST

static const struct {
	const char *from, *to; /* an edit of the VHE fixture */
	const char *error;     /* a part of doc.error */
} bad_docs[] = {
	{ "\"schema_version\":1", "\"schema_version\":2",
	  "schema_version 2 is not supported" },
	{ "\"schema_version\":1", "\"schema_version\":\"1\"",
	  "schema_version: expected a number, found string" },
	{ "\"schema_version\":1,", "", "schema_version: missing" },
	{ "\"schema\":\"tinyvmm-bench\"", "\"schema\":\"other\"",
	  "schema is \"other\"" },
	{ "\"schema\":\"tinyvmm-bench\"", "\"schema\":7",
	  "no \"schema\" string" },
	{ "\"kvm_mode\":\"VHE\"", "\"kvm_mode\":null",
	  "host.kvm_mode: expected a string, found null" },
	{ "\"iterations\":50", "\"iterations\":-5",
	  "config.iterations: -5 is below 0" },
	{ "\"cpus\":2,", "\"cpus\":2,\"seccomp\":1,",
	  "config.seccomp: expected true or false, found number" },
	{ "\"cpus\":2,", "\"cpus\":2,\"seccomp\":\"on\",",
	  "config.seccomp: expected true or false, found string" },
	{ "\"cpus\":2,", "\"cpus\":2,\"seccomp\":null,",
	  "config.seccomp: expected true or false, found null" },
	{ "\"cpus\":2,", "\"cpus\":2,\"pinned\":[true],",
	  "config.pinned: expected true or false, found array" },
	{ "\"cpus\":2,", "\"cpus\":2,\"its\":\"yes\",",
	  "config.its: expected true or false, found string" },
	{ "\"cpus\":2,", "\"cpus\":2,\"guest_ram\":\"thp\",",
	  "config.guest_ram: expected an object or null, found string" },
	{ "\"cpus\":2,", "\"cpus\":2,\"guest_ram\":{\"backing\":2},",
	  "config.guest_ram.backing: expected a string, found number" },
	{ "\"cpus\":2,", "\"cpus\":2,\"cpu_features\":true,",
	  "config.cpu_features: expected an object or null, found boolean" },
	{ "\"cpus\":2,", "\"cpus\":2,\"cpu_features\":{\"sve\":1},",
	  "config.cpu_features.sve: expected true or false, found number" },
	{ "\"cpus\":2,",
	  "\"cpus\":2,\"cpu_features\":{\"sve\":true,\"sve_max_vl_bits\":-128},",
	  "config.cpu_features.sve_max_vl_bits: -128 is below 0" },
	{ "\"benchmarks\":[", "\"benchmarks\":7,\"b\":[",
	  "benchmarks: expected an array, found number" },
	{ "\"median\":1024", "\"median\":\"1024\"",
	  "benchmarks[0].stats.median: expected a number, found string" },
	{ "\"median\":1024", "\"median\":-1",
	  "benchmarks[0].stats.median: -1 is below 0" },
	/* Statistics no samples can have: named by file and benchmark. */
	{ "\"stats\":{\"n\":50,", "\"stats\":{\"n\":0,",
	  "benchmarks[0] (hypercall).stats.n: 0 is below 1" },
	{ "\"median\":1024,\"min\":1008", "\"median\":1024,\"min\":1030",
	  "benchmarks[0] (hypercall).stats: not min <= median <= p99 <= max (min 1030, median 1024, p99 1024, max 1024)" },
	{ "\"median\":1024,", "\"median\":1100,",
	  "benchmarks[0] (hypercall).stats: not min <= median <= p99" },
	{ "\"p99\":1024,", "\"p99\":1e308,",
	  "benchmarks[0] (hypercall).stats: not min <= median <= p99 <= max (min 1008, median 1024, p99 1e+308, max 1024)" },
	{ "\"max\":1024,\"p99\":1024,", "\"max\":1024,",
	  "benchmarks[0] (hypercall).stats.p99: missing" },
	{ "\"median\":64,\"min\":63,\"max\":64",
	  "\"median\":64,\"min\":63,\"max\":60",
	  "benchmarks[0] (hypercall).stats_raw: not min <= median <= p99 <= max" },
	{ "\"stats_raw\":{", "\"stats_raw\":7,\"x\":{",
	  "benchmarks[0] (hypercall).stats_raw: expected an object or null, found number" },
	{ "\"status\":\"OK\"", "\"status\":\"GOOD\"",
	  "benchmarks[0].status: \"GOOD\" is not OK" },
	{ "\"name\":\"gic_trap\"", "\"name\":\"hypercall\"",
	  "benchmarks[1].name: \"hypercall\" appears twice" },
	{ "\"name\":\"gic_trap\"", "\"name\":\"x</title><script>\"",
	  "benchmarks[1].name: \"x</title><script>\" is not 1-31 characters of [a-z0-9_]" },
	{ "\"ops_per_sample\":1", "\"ops_per_sample\":0",
	  "benchmarks[0].ops_per_sample: 0 is below 1" },
	{ "\"hvc_exit_stat\":150", "\"hvc_exit_stat\":\"many\"",
	  "benchmarks[0].exits.hvc_exit_stat: expected a number" },
	{ "\"exits\":{\"exits\":151,", "\"exits\":[{\"exits\":151,",
	  "expected ',' or ']' in an array at byte offset" },
	{ "{\"schema\"", "[{\"schema\"", "at byte offset" },
	{ "\"median\":1024", "\"median\":1e999",
	  "number out of range of a double at byte offset" },
	{ "\"note\":\"\"", "\"note\":\"\\ud800\"", "surrogate" },
	{ "\"tags\":{\"icount\":\"on\"}", "\"tags\":{\"label\":7}",
	  "host.tags.label: expected a string, found number" },
	{ "\"tags\":{\"icount\":\"on\"}", "\"tags\":[\"label\"]",
	  "host.tags: expected an object, found array" },
	/* The error line quotes the document: filtered too. */
	{ "\"schema\":\"tinyvmm-bench\"", "\"schema\":\"\\u001b[2Jx\"",
	  "schema is \"?x\"" },
};

START_TEST(test_bad_documents)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_docs); i++) {
		char *text = edited(VHE, bad_docs[i].from, bad_docs[i].to);
		struct bench_doc doc;
		int ret = bench_doc_parse(&doc, text, strlen(text));

		ck_assert_msg(ret == -EINVAL, "case %zu: %d", i, ret);
		ck_assert_msg(strstr(doc.error, bad_docs[i].error),
			      "case %zu: '%s'", i, doc.error);
		ck_assert(doc.root == NULL && doc.benches == NULL);
		free(text);
	}
}
END_TEST

static const struct {
	const char *config; /* replaces the fixture's "cpus":2, */
	enum bench_doc_flag pinned, seccomp;
} flag_docs[] = {
	{ "\"cpus\":2,", BENCH_DOC_UNKNOWN, BENCH_DOC_UNKNOWN },
	{ "\"cpus\":2,\"seccomp\":true,", BENCH_DOC_UNKNOWN, BENCH_DOC_ON },
	{ "\"cpus\":2,\"seccomp\":false,", BENCH_DOC_UNKNOWN, BENCH_DOC_OFF },
	{ "\"cpus\":2,\"pinned\":true,\"seccomp\":false,", BENCH_DOC_ON,
	  BENCH_DOC_OFF },
	{ "\"cpus\":2,\"pinned\":false,", BENCH_DOC_OFF, BENCH_DOC_UNKNOWN },
	{ "\"cpus\":2,\"guest_ram\":{\"backing\":\"hugetlbfs\"},",
	  BENCH_DOC_UNKNOWN, BENCH_DOC_UNKNOWN },
};

/* config.pinned and config.seccomp: optional, absent is unknown. */
START_TEST(test_config_flags)
{
	for (size_t i = 0; i < ARRAY_SIZE(flag_docs); i++) {
		char *text = edited(VHE, "\"cpus\":2,", flag_docs[i].config);
		struct bench_doc doc;
		int ret = bench_doc_parse(&doc, text, strlen(text));

		ck_assert_msg(ret == 0, "case %zu: %s", i, doc.error);
		ck_assert_msg(doc.pinned == flag_docs[i].pinned, "case %zu", i);
		ck_assert_msg(doc.seccomp == flag_docs[i].seccomp, "case %zu",
			      i);
		ck_assert_msg(!doc.ram_backing ==
				      !strstr(flag_docs[i].config, "hugetlbfs"),
			      "case %zu", i);
		bench_doc_free(&doc);
		free(text);
	}
}
END_TEST

/* @path's document with @config in place of its "cpus":2, */
static void load_with(struct bench_doc *doc, const char *path,
		      const char *config)
{
	char *text = edited(path, "\"cpus\":2,", config);
	int ret = bench_doc_parse(doc, text, strlen(text));

	ck_assert_msg(ret == 0, "%s: %s", config, doc->error);
	/* The tree holds its own copies of the strings. */
	free(text);
}

#define SECCOMP_NOTE "note: seccomp confinement differs:"
#define PINNED_NOTE "note: vCPU pinning differs:"
#define RAM_NOTE "note: guest RAM backing differs:"
#define THP "\"guest_ram\":{\"backing\":\"thp\",\"align\":2097152},"
#define CPU_NOTE "note: guest CPU features differ:"
#define ITS_NOTE "note: GICv3 ITS differs:"
#define CPU_ALL                                                               \
	"\"cpus\":2,\"cpu_features\":{\"sve\":true,\"sve_max_vl_bits\":2048," \
	"\"ptrauth\":true,\"pmu\":true},"
#define CPU_NO_SVE                                                          \
	"\"cpus\":2,\"cpu_features\":{\"sve\":false,\"sve_max_vl_bits\":0," \
	"\"ptrauth\":true,\"pmu\":true},"

static const struct {
	const char *a, *b; /* configs of VHE and split */
	const char *says;  /* NULL: no note */
	const char *not_;  /* NULL, or a note not printed */
} note_cases[] = {
	{ "\"cpus\":2,", "\"cpus\":2,", NULL, NULL },
	{ "\"cpus\":2,\"pinned\":true,\"seccomp\":true,",
	  "\"cpus\":2,\"pinned\":true,\"seccomp\":true,", NULL, NULL },
	{ "\"cpus\":2,\"seccomp\":false,", "\"cpus\":2,\"seccomp\":false,",
	  NULL, NULL },
	{ "\"cpus\":2,\"seccomp\":true,", "\"cpus\":2,\"seccomp\":false,",
	  SECCOMP_NOTE
	  " VHE on; split (nVHE) off; userspace exits (mmio_user, io_*) include the filters' cost where it is on\n",
	  PINNED_NOTE },
	{ "\"cpus\":2,", "\"cpus\":2,\"seccomp\":true,",
	  SECCOMP_NOTE " VHE unknown; split (nVHE) on;", PINNED_NOTE },
	{ "\"cpus\":2,\"pinned\":false,\"seccomp\":true,",
	  "\"cpus\":2,\"pinned\":true,\"seccomp\":true,",
	  PINNED_NOTE " VHE off; split (nVHE) on; unpinned", SECCOMP_NOTE },
	{ "\"cpus\":2," THP, "\"cpus\":2," THP, NULL, NULL },
	{ "\"cpus\":2," THP, "\"cpus\":2,\"guest_ram\":{\"backing\":\"off\"},",
	  RAM_NOTE " VHE thp; split (nVHE) off; huge pages", SECCOMP_NOTE },
	/* Older documents: no guest_ram, or null. */
	{ "\"cpus\":2,\"guest_ram\":null,", "\"cpus\":2,", NULL, NULL },
	{ "\"cpus\":2,", "\"cpus\":2," THP,
	  RAM_NOTE " VHE unknown; split (nVHE) thp;", PINNED_NOTE },
	{ CPU_ALL, CPU_ALL, NULL, NULL },
	{ CPU_ALL, CPU_NO_SVE,
	  CPU_NOTE " VHE sve2048 ptrauth pmu; split (nVHE) ptrauth pmu; "
		   "each one on adds state a world switch saves and restores\n",
	  SECCOMP_NOTE },
	/* A file from before cpu_features: unknown, not "none". */
	{ "\"cpus\":2,", CPU_NO_SVE,
	  CPU_NOTE " VHE unknown; split (nVHE) ptrauth pmu;", NULL },
	{ "\"cpus\":2,\"cpu_features\":null,",
	  "\"cpus\":2,\"cpu_features\":{\"pmu\":false},",
	  CPU_NOTE " VHE none; split (nVHE) none on;", NULL },
	{ "\"cpus\":2,\"its\":true,", "\"cpus\":2,\"its\":true,", NULL, NULL },
	{ "\"cpus\":2,\"its\":true,", "\"cpus\":2,\"its\":false,",
	  ITS_NOTE " VHE on; split (nVHE) off; lpi is skipped without one\n",
	  SECCOMP_NOTE },
	/* null (x86: no ITS) or absent (older files) is no difference. */
	{ "\"cpus\":2,\"its\":true,", "\"cpus\":2,\"its\":null,", NULL, NULL },
	{ "\"cpus\":2,", "\"cpus\":2,\"its\":false,", NULL, NULL },
};

/* A note under the table when the files differ in seccomp or pinning. */
START_TEST(test_config_notes)
{
	for (size_t i = 0; i < ARRAY_SIZE(note_cases); i++) {
		struct bench_doc a, b;
		struct compare c;
		char *out;

		load_with(&a, VHE, note_cases[i].a);
		load_with(&b, NVHE, note_cases[i].b);
		build2(&c, &a, &b);
		out = printed(&c, 0, 0);
		if (note_cases[i].says)
			ck_assert_msg(strstr(out, note_cases[i].says),
				      "case %zu: %s", i, out);
		else
			ck_assert_msg(!strstr(out, "note:"), "case %zu: %s", i,
				      out);
		if (note_cases[i].not_)
			ck_assert_msg(!strstr(out, note_cases[i].not_),
				      "case %zu: %s", i, out);
		free(out);
		/* Information, not a verdict: the gate is as without it. */
		out = printed(&c, 2, 30);
		ck_assert_msg(strstr(out, "FAILED: 1 of 5") &&
				      !strstr(out, "note:"),
			      "case %zu: %s", i, out);
		free(out);
		compare_free(&c);
		bench_doc_free(&a);
		bench_doc_free(&b);
	}
}
END_TEST

/* Rows: the union in first-seen order; a missing one shows as such. */
START_TEST(test_union_and_missing)
{
	char *text = edited(NVHE, "\"name\":\"eoi\"", "\"name\":\"eoi_new\"");
	struct bench_doc a, b;
	struct compare c;
	char *out;

	load(&a, VHE);
	ck_assert_int_eq(bench_doc_parse(&b, text, strlen(text)), 0);
	build2(&c, &a, &b);
	ck_assert_uint_eq(c.nr_rows, 9);
	ck_assert_str_eq(c.rows[3].name, "eoi");
	ck_assert_str_eq(c.rows[8].name, "eoi_new");
	ck_assert(c.rows[3].cells[1].bench == NULL);
	ck_assert(c.rows[8].cells[0].bench == NULL);
	out = printed(&c, 0, 0);
	ck_assert(strstr(out, "- (missing)"));
	free(out);
	out = printed(&c, 2, 10);
	ck_assert_msg(
		strstr(out,
		       "gate: eoi: measured in BASE (VHE), missing in NEW"),
		"%s", out);
	free(out);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
	free(text);
}
END_TEST

static const struct {
	const char *base, *new_;
	double pct;
	size_t failed;
	const char *says;
} gate_cases[] = {
	{ VHE, NVHE, 10, 2,
	  "FAILED: 2 of 5 benchmarks costlier than BASE + 10% or no longer measured: hypercall, gic_trap" },
	{ VHE, NVHE, 30, 1,
	  "hypercall: 1024.0 -> 1504.0 instructions (icount) (+46.9%)" },
	{ VHE, NVHE, 46.8, 1, "FAILED: 1 of 5" },
	{ VHE, NVHE, 46.9, 0, "passed: 5 benchmarks within BASE + 46.9%" },
	{ VHE, NVHE, 60, 0, "passed" },
	{ NVHE, VHE, 0, 0, "passed" }, /* VHE is cheaper everywhere */
	{ VHE, VHE, 0, 0, "passed" },
};

START_TEST(test_gate)
{
	FILE *null = fopen("/dev/null", "w");

	for (size_t i = 0; i < ARRAY_SIZE(gate_cases); i++) {
		struct bench_doc a, b;
		struct compare c;
		char *out;

		load(&a, gate_cases[i].base);
		load(&b, gate_cases[i].new_);
		build2(&c, &a, &b);
		ck_assert_uint_eq(compare_gate(&c, gate_cases[i].pct, null),
				  gate_cases[i].failed);
		out = printed(&c, 2, gate_cases[i].pct);
		ck_assert_msg(strstr(out, gate_cases[i].says), "case %zu: %s",
			      i, out);
		free(out);
		compare_free(&c);
		bench_doc_free(&a);
		bench_doc_free(&b);
	}
	fclose(null);
}
END_TEST

static size_t count(const char *s, const char *what)
{
	size_t n = 0;

	for (; (s = strstr(s, what)); s += strlen(what))
		n++;
	return n;
}

START_TEST(test_svg)
{
	struct bench_doc a, b;
	const struct bench_doc *docs[3];
	const char *paths[] = { "a&b.json", "nvhe.json", "c.json" };
	struct compare c;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	load(&a, VHE);
	load(&b, NVHE);
	docs[0] = &a, docs[1] = &b, docs[2] = &a;
	ck_assert_int_eq(compare_build(&c, docs, paths, 3), 0);
	/* Two files in VHE mode: their titles carry the path. */
	ck_assert_str_eq(c.titles[0], "VHE (a&b.json)");
	ck_assert_str_eq(c.titles[1], "split (nVHE)");
	ck_assert_int_eq(chart_svg_write(&c, f), 0);
	fclose(f);
	ck_assert_msg(!strncmp(buf, "<svg", 4), "%.40s", buf);
	ck_assert(len > 7 && !strcmp(buf + len - 7, "</svg>\n"));
	/* 5 OK benchmarks x 3 files; the 3 SKIPPED ones have no bars. */
	ck_assert_uint_eq(count(buf, "<rect"), 15);
	/* SKIPPED in every file: one line for all. */
	ck_assert_uint_eq(count(buf, "SKIPPED"), 3);
	ck_assert_uint_eq(count(buf, ">all 3 files<"), 3);
	ck_assert_uint_eq(count(buf, ">base<"), 5);
	ck_assert(strstr(buf, "lower is better"));
	ck_assert(strstr(buf, "(baseline)</text>"));
	ck_assert(strstr(buf, "VHE (a&amp;b.json)"));
	ck_assert(!strstr(buf, "a&b"));
	ck_assert(strstr(buf, ">1504<"));
	ck_assert(strstr(buf, ">x1.47<"));
	ck_assert(strstr(buf, "instructions (icount)"));
	ck_assert_uint_eq(count(buf, "<text"), count(buf, "</text>"));
	free(buf);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
}
END_TEST

static const struct {
	const char *in, *out;
} safe_cases[] = {
	{ "7.3 VHE", "7.3 VHE" },
	{ "a\x1b[31mred\x1b[0m", "a?red?" }, /* CSI, whole */
	{ "\x1b[?1049h!", "?!" },	     /* private CSI */
	{ "\x1b]0;pwned\x07x", "?x" },	     /* OSC to BEL */
	{ "\x1b]8;;http://x\x1b\\y", "?y" }, /* OSC to ST */
	{ "\x1bPq#0\x1b\\z", "?z" },	     /* DCS */
	{ "\x1b(Bk", "?k" },		     /* ESC, intermediate, final */
	{ "\x1b", "?" },		     /* cut short */
	{ "\x1b[12", "?" },		     /* cut short */
	{ "a\tb\nc\rd\x7f", "a?b?c?d?" },    /* C0, DEL */
	{ "\302\23331m", "?31m" }, /* C1 CSI (octal: \x would eat the 31) */
	{ "\xc2\xb5s \xe2\x86\x92 ok",
	  "\xc2\xb5s \xe2\x86\x92 ok" },	    /* UTF-8 */
	{ "\xff\xfe", "??" },			    /* not UTF-8 */
	{ "\xc0\xaf", "??" },			    /* overlong */
	{ "\xed\xa0\x80", "???" },		    /* a surrogate */
	{ "\342\200\256evil", "?evil" },	    /* RLO */
	{ "\xef\xbf\xbf", "?" },		    /* U+FFFF */
	{ "\xf0\x9f\x9a\x80", "\xf0\x9f\x9a\x80" }, /* U+1F680 */
	{ "\xf4\x90\x80\x80", "????" },		    /* above U+10FFFF */
	{ "ab\xe2\x82", "ab??" },		    /* a cut sequence */
};

/* Untrusted strings: what reaches a terminal or the SVG. */
START_TEST(test_safe_text)
{
	char buf[64];

	for (size_t i = 0; i < ARRAY_SIZE(safe_cases); i++) {
		ck_assert_msg(
			!strcmp(safe_text(buf, sizeof(buf), safe_cases[i].in),
				safe_cases[i].out),
			"case %zu: '%s'", i, buf);
		strcpy(buf, safe_cases[i].in); /* in place */
		ck_assert_msg(!strcmp(safe_text(buf, sizeof(buf), buf),
				      safe_cases[i].out),
			      "case %zu in place: '%s'", i, buf);
	}
	/* Cut at a character boundary, never inside one. */
	ck_assert_str_eq(safe_text(buf, 4, "a\xc2\xb5z"), "a\xc2\xb5");
	ck_assert_str_eq(safe_text(buf, 3, "a\xc2\xb5z"), "a");
	ck_assert_str_eq(safe_text(buf, 1, "abc"), "");
	ck_assert_uint_eq(safe_text_width("a\xc2\xb5\xe2\x86\x92z"), 4);
	strcpy(buf, "abcdefgh");
	safe_text_clip(buf, 6);
	ck_assert_str_eq(buf, "abc...");
	strcpy(buf, "abcdef");
	safe_text_clip(buf, 6);
	ck_assert_str_eq(buf, "abcdef");
	strcpy(buf, "\xc2\xb5\xc2\xb5\xc2\xb5\xc2\xb5\xc2\xb5\xc2\xb5");
	safe_text_clip(buf, 5);
	ck_assert_str_eq(buf, "\xc2\xb5\xc2\xb5...");
}
END_TEST

/* Nothing but printable text and newlines in @s. */
static void assert_printable(const char *s, const char *what)
{
	for (const char *p = s; *p; p++)
		ck_assert_msg(*p == '\n' ||
				      ((unsigned char)*p >= 0x20 && *p != 0x7f),
			      "%s: byte 0x%02x at %zu", what, (unsigned char)*p,
			      (size_t)(p - s));
}

/* Escapes in a document's mode, unit and counter names stay out of output. */
START_TEST(test_hostile_strings)
{
	char *t1 =
		edited(VHE, "\"kvm_mode\":\"VHE\"",
		       "\"kvm_mode\":\"\\u001b]0;pwned\\u0007V\\u001b[2JHE\"");
	char *t2 = edited_text(t1, "\"unit\":\"instructions (icount)\"",
			       "\"unit\":\"instr\\u001b[31m\\n\"");
	char *text = edited_text(t2, "\"hvc_exit_stat\"",
				 "\"hvc\\u009b1m_exit_stat\"");
	struct bench_doc a, b;
	struct compare c;
	char *out, *svg = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&svg, &len);

	ck_assert_int_eq(bench_doc_parse(&a, text, strlen(text)), 0);
	load(&b, NVHE);
	build2(&c, &a, &b);
	ck_assert_str_eq(c.titles[0], "?V?HE");
	for (int what = 0; what < 3; what++) {
		out = printed(&c, what, 10);
		assert_printable(out, "table");
		free(out);
	}
	out = printed(&c, 0, 0);
	ck_assert_msg(strstr(out,
			     "refused: hypercall: units differ: ?V?HE 'instr?"
			     "?';"),
		      "%s", out);
	free(out);
	out = printed(&c, 1, 0);
	ck_assert_msg(strstr(out, "hvc?1m 1.00"), "%s", out);
	free(out);
	ck_assert_int_eq(chart_svg_write(&c, f), 0);
	fclose(f);
	assert_printable(svg, "svg");
	free(svg);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
	free(text);
	free(t2);
	free(t1);
}
END_TEST

#define TAGS "\"tags\":{\"icount\":\"on\"}"

/* @path's document with @tags in place of its tags object. */
static void load_tagged(struct bench_doc *doc, const char *path,
			const char *tags)
{
	char *text = edited(path, TAGS, tags);
	int ret = bench_doc_parse(doc, text, strlen(text));

	ck_assert_msg(ret == 0, "%s: %s", tags, doc->error);
	free(text);
}

static const struct {
	const char *tags[3]; /* of VHE, split, VHE */
	const char *titles[3];
} label_cases[] = {
	/* No label: the KVM mode, the file's name when shared. */
	{ { TAGS, TAGS, TAGS },
	  { "VHE (a.json)", "split (nVHE)", "VHE (c.json)" } },
	{ { "\"tags\":{\"label\":\"7.3 VHE\"}",
	    "\"tags\":{\"label\":\"6.1 split\"}",
	    "\"tags\":{\"label\":\"7.3 hVHE\"}" },
	  { "7.3 VHE", "6.1 split", "7.3 hVHE" } },
	/* A shared label is told apart as a shared mode is. */
	{ { "\"tags\":{\"label\":\"7.3\"}", "\"tags\":{\"label\":\"7.3\"}",
	    "\"tags\":{\"label\":\"6.1\"}" },
	  { "7.3 (a.json)", "7.3 (b.json)", "6.1" } },
	/* Empty: as none; no tags (older files): none; equal to a mode. */
	{ { "\"tags\":{\"label\":\"\"}", "\"tags\":{\"label\":\"VHE\"}",
	    "\"no_tags\":{}" },
	  { "VHE (a.json)", "VHE (b.json)", "VHE (c.json)" } },
	/* Escapes filtered, and cut to COLUMN_NAME_MAX characters. */
	{ { "\"tags\":{\"label\":\"\\u001b]0;pwned\\u0007\\u001b[1m7.3\\tVHE\"}",
	    "\"tags\":{\"label\":\"a label far longer than any column can show\"}",
	    "\"tags\":{}" },
	  { "??7.3?VHE", "a label far longer than any c...", "VHE" } },
};

START_TEST(test_labels)
{
	for (size_t i = 0; i < ARRAY_SIZE(label_cases); i++) {
		static const char *const paths[] = { "a.json", "b/b.json",
						     "c.json" };
		const char *files[] = { VHE, NVHE, VHE };
		struct bench_doc docs[3];
		const struct bench_doc *ptrs[3];
		struct compare c;

		for (size_t f = 0; f < 3; f++) {
			load_tagged(&docs[f], files[f], label_cases[i].tags[f]);
			ptrs[f] = &docs[f];
		}
		ck_assert_int_eq(compare_build(&c, ptrs, paths, 3), 0);
		for (size_t f = 0; f < 3; f++)
			ck_assert_msg(
				!strcmp(c.titles[f], label_cases[i].titles[f]),
				"case %zu file %zu: '%s'", i, f, c.titles[f]);
		compare_free(&c);
		for (size_t f = 0; f < 3; f++)
			bench_doc_free(&docs[f]);
	}
}
END_TEST

/* Ratios against another file: every ratio, header and note follows. */
START_TEST(test_baseline)
{
	struct bench_doc a, b;
	const struct bench_doc *docs[3] = { &a, &b, &a };
	const char *paths[] = { "a.json", "b.json", "c.json" };
	struct compare c;
	char *out;

	load(&a, VHE);
	load(&b, NVHE);
	build2(&c, &a, &b);
	ck_assert_uint_eq(c.baseline, 0);
	compare_set_baseline(&c, 1);
	ck_assert_uint_eq(c.baseline, 1);
	ck_assert_double_eq_tol(c.rows[0].cells[0].ratio, 1024.0 / 1504, 1e-12);
	ck_assert_double_eq_tol(c.rows[0].cells[1].ratio, 1.0, 1e-12);
	ck_assert(!row_of(&c, "vm_switch")->cells[0].has_ratio);
	out = printed(&c, 0, 0);
	ck_assert_msg(strstr(out, "VHE / split (nVHE)"), "%s", out);
	ck_assert(!strstr(out, "split (nVHE) / VHE"));
	ck_assert(strstr(out, "x0.68"));
	ck_assert(strstr(out, "the baseline's, split (nVHE)"));
	free(out);
	/* Out of range: the first file. */
	compare_set_baseline(&c, 7);
	ck_assert_uint_eq(c.baseline, 0);
	compare_free(&c);
	/* Three files: a ratio column for each but the baseline. */
	ck_assert_int_eq(compare_build(&c, docs, paths, 3), 0);
	compare_set_baseline(&c, 1);
	out = printed(&c, 0, 0);
	ck_assert_msg(strstr(out, "VHE (a.json) / base  VHE (c.json) / base\n"),
		      "%s", out);
	free(out);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
}
END_TEST

static const struct {
	const char *spec;
	int ret;
	size_t col;
} find_cases[] = {
	{ "1", 0, 0 },
	{ "3", 0, 2 },
	{ "03", 0, 2 },
	{ "0", -EINVAL, 0 },
	{ "4", -EINVAL, 0 },
	{ "99999999999999999999", -EINVAL, 0 },
	{ "split (nVHE)", 0, 1 },
	{ "VHE (a.json)", 0, 0 },
	{ "VHE", -ENOENT, 0 }, /* a title is matched whole */
	{ "split", -ENOENT, 0 },
	{ "", -ENOENT, 0 },
	{ "-1", -ENOENT, 0 },
};

/* --baseline's column: a number from 1, or a title. */
START_TEST(test_find_column)
{
	struct bench_doc a, b;
	const struct bench_doc *docs[3] = { &a, &b, &a };
	const char *paths[] = { "a.json", "b.json", "c.json" };
	const char *same[] = { "x/a.json", "x/a.json", "c.json" };
	struct compare c;
	size_t col;

	load(&a, VHE);
	load(&b, NVHE);
	ck_assert_int_eq(compare_build(&c, docs, paths, 3), 0);
	for (size_t i = 0; i < ARRAY_SIZE(find_cases); i++) {
		col = 99;
		ck_assert_msg(column_titles_find(&c, find_cases[i].spec,
						 &col) == find_cases[i].ret,
			      "case %zu", i);
		ck_assert_msg(find_cases[i].ret || col == find_cases[i].col,
			      "case %zu: %zu", i, col);
	}
	compare_free(&c);
	/* One file given twice: its title names two columns. */
	docs[1] = &a;
	ck_assert_int_eq(compare_build(&c, docs, same, 3), 0);
	ck_assert_str_eq(c.titles[0], "VHE (x/a.json)");
	ck_assert_int_eq(column_titles_find(&c, "VHE (x/a.json)", &col),
			 -EEXIST);
	ck_assert_int_eq(column_titles_find(&c, "2", &col), 0);
	ck_assert_uint_eq(col, 1);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
}
END_TEST

static const struct {
	double rmin, rmax;
	double lo, hi;
	int power_step;
	size_t nr_ticks;
} axis_cases[] = {
	{ 1, 1, 0.5, 2, 0, 3 }, /* x0.5 .. x2 at least */
	{ 0.9, 1.5, 0.5, 2, 0, 3 },
	{ 0.3, 4, 0.2, 5, 0, 5 },	/* 0.2 0.5 1 2 5 */
	{ 0.01, 9, 0.01, 10, 0, 10 },	/* three decades: 1-2-5 */
	{ 0.68, 905, 0.1, 1000, 1, 5 }, /* x86 eoi: 0.1 1 10 100 1000 */
	{ 0, 3, 0.5, 5, 0, 4 },		/* a ratio of 0 (median 0) */
	{ 1e-300, 1e300, 1e-300, 1e300, 60, 11 },   /* no more ticks */
	{ 1e-320, 1.7e308, 1e-300, 1e300, 60, 11 }, /* clamped */
	{ 1e-7, 1e5, 1e-8, 1e6, 2, 8 },		    /* every 2nd power */
};

/* The chart's log axis: its ends and ticks. */
START_TEST(test_chart_axis)
{
	for (size_t i = 0; i < ARRAY_SIZE(axis_cases); i++) {
		struct chart_axis a;
		double ticks[CHART_AXIS_MAX_TICKS];
		size_t n;

		chart_axis_fit(&a, axis_cases[i].rmin, axis_cases[i].rmax);
		n = chart_axis_ticks(&a, ticks);
		ck_assert_msg(fabs(a.lo / axis_cases[i].lo - 1) < 1e-9 &&
				      fabs(a.hi / axis_cases[i].hi - 1) < 1e-9,
			      "case %zu: %g .. %g", i, a.lo, a.hi);
		ck_assert_msg(a.power_step == axis_cases[i].power_step &&
				      n == axis_cases[i].nr_ticks,
			      "case %zu: step %d, %zu ticks", i, a.power_step,
			      n);
		ck_assert_msg(fabs(ticks[0] / a.lo - 1) < 1e-9 &&
				      fabs(ticks[n - 1] / a.hi - 1) < 1e-9,
			      "case %zu: ticks %g .. %g", i, ticks[0],
			      ticks[n - 1]);
		ck_assert_double_eq_tol(chart_axis_pos(&a, a.lo), 0, 1e-9);
		ck_assert_double_eq_tol(chart_axis_pos(&a, a.hi), 1, 1e-9);
		ck_assert(chart_axis_pos(&a, 0) == 0);
		ck_assert(chart_axis_pos(&a, 1e308) == 1);
	}
}
END_TEST

/* One place for a ratio, whatever the other ratios: 10 is a decade on. */
START_TEST(test_chart_axis_log)
{
	struct chart_axis a;

	chart_axis_fit(&a, 0.68, 905);
	ck_assert_double_eq_tol(chart_axis_pos(&a, 1), 0.25, 1e-9);
	ck_assert_double_eq_tol(chart_axis_pos(&a, 10), 0.5, 1e-9);
	ck_assert_double_eq_tol(chart_axis_pos(&a, 2) - chart_axis_pos(&a, 1),
				chart_axis_pos(&a, 1) - chart_axis_pos(&a, 0.5),
				1e-9);
}
END_TEST

/* argv for compare_parse_args(): "compare" then @args. */
static int parse(struct compare_args *a, const char *const *args)
{
	char *argv[16] = { "compare" };
	int argc = 1;

	for (; args[argc - 1]; argc++)
		argv[argc] = (char *)args[argc - 1];
	return compare_parse_args(argc, argv, a);
}

START_TEST(test_args)
{
	static const char *const bad[][6] = {
		{ NULL },
		{ "a.json", NULL },
		{ "--fail-above", "5", "a", "b", "c", NULL },
		{ "--fail-above", "x", "a", "b", NULL },
		{ "--fail-above", "-1", "a", "b", NULL },
		{ "--fail-above", "inf", "a", "b", NULL },
		{ "--svg", "", "a", "b", NULL },
		{ "--bogus", "a", "b", NULL },
		{ "a", "b", "--svg", NULL },
		{ "--baseline", "", "a", "b", NULL },
		{ "a", "b", "--baseline", NULL },
	};
	static const char *const good[] = { "a", "--svg",	 "o.svg",
					    "b", "--fail-above", "2.5",
					    NULL };
	struct compare_args a;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(parse(&a, bad[i]) == -EINVAL, "case %zu", i);
	ck_assert_int_eq(parse(&a, good), 0);
	ck_assert_uint_eq(a.nr_files, 2);
	ck_assert_str_eq(a.files[1], "b");
	ck_assert_str_eq(a.svg, "o.svg");
	ck_assert(a.gate && a.fail_above == 2.5);
	ck_assert(a.baseline == NULL);
	ck_assert_int_eq(
		parse(&a, (const char *const[]){ "--baseline", "7.3 VHE", "a",
						 "b", NULL }),
		0);
	ck_assert_str_eq(a.baseline, "7.3 VHE");
	ck_assert_int_eq(parse(&a, (const char *const[]){ "--help", NULL }), 0);
	ck_assert(a.help);
}
END_TEST

/* compare_run() on files: the exit status of each outcome. */
START_TEST(test_run_status)
{
	char *mismatch = edited(NVHE, "\"unit\":\"instructions (icount)\"",
				"\"unit\":\"ns\"");
	char *cut = unit_slurp(VHE, NULL);
	char *p_mismatch = unit_temp_file(mismatch), *p_cut;
	FILE *null = fopen("/dev/null", "w");
	struct compare_args a = { .nr_files = 2, .files = { VHE, NVHE } };

	cut[strlen(cut) / 2] = '\0';
	p_cut = unit_temp_file(cut);
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_OK);
	a.gate = true, a.fail_above = 10;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_GATE);
	a.fail_above = 50;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_OK);
	a.files[1] = p_mismatch; /* units refused, the rest passed: 2 */
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	a.fail_above = 10; /* gic_trap fails it: the gate's 1 stands */
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_GATE);
	a.fail_above = 50;
	a.files[1] = p_cut;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	a.files[1] = "/nonexistent.json";
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	a = (struct compare_args){ .nr_files = 2,
				   .files = { VHE, NVHE },
				   .svg = "/nonexistent/dir/x.svg" };
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	/* --baseline: a column, or exit 2; with the gate, the first only. */
	a = (struct compare_args){ .nr_files = 2, .files = { VHE, NVHE } };
	a.baseline = "split (nVHE)";
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_OK);
	a.baseline = "3";
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	a.baseline = "nVHE";
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	a.gate = true, a.fail_above = 10, a.baseline = "2";
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	a.baseline = "VHE";
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_GATE);
	fclose(null);
	unlink(p_mismatch);
	unlink(p_cut);
	free(p_mismatch);
	free(p_cut);
	free(mismatch);
	free(cut);
}
END_TEST

/* The longest line of @text, in bytes. */
static size_t longest_line(const char *text)
{
	size_t most = 0;

	while (*text) {
		size_t n = strcspn(text, "\n");

		most = n > most ? n : most;
		text += n + (text[n] == '\n');
	}
	return most;
}

/* Figures near a double's limits print in a few characters, not 300. */
START_TEST(test_huge_values)
{
	char *t1 = edited(
		NVHE, "\"median\":1504,\"min\":1504,\"max\":1504,\"p99\":1504",
		"\"median\":1e308,\"min\":1504,\"max\":1e308,\"p99\":1e308");
	char *text = edited_text(t1, "\"hvc_exit_stat\":150",
				 "\"hvc_exit_stat\":1e300");
	struct bench_doc a, b;
	struct compare c;
	char *out;

	load(&a, VHE);
	ck_assert_int_eq(bench_doc_parse(&b, text, strlen(text)), 0);
	build2(&c, &a, &b);
	out = printed(&c, 0, 0);
	ck_assert_msg(strstr(out, " x9.77e+304\n"), "%s", out);
	ck_assert_msg(longest_line(out) < 100, "%s", out);
	free(out);
	out = printed(&c, 1, 0);
	ck_assert_msg(strstr(out, "hvc 6.67e+297, exits 1.01"), "%s", out);
	ck_assert_msg(longest_line(out) < 100, "%s", out);
	free(out);
	out = printed(&c, 2, 10);
	ck_assert_msg(
		strstr(out,
		       "1024.0 -> 1e+308 instructions (icount) (+9.77e+306%)"),
		"%s", out);
	ck_assert_msg(longest_line(out) < 160, "%s", out);
	free(out);
	compare_free(&c);
	bench_doc_free(&a);
	bench_doc_free(&b);
	free(text);
	free(t1);
}
END_TEST

/* Regular files in @dir other than @keep: leftovers of a chart. */
static int files_besides(const char *dir, const char *keep)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "test -z \"$(ls -A '%s' | grep -vx '%s')\"",
		 dir, keep);
	return system(cmd) == 0 ? 0 : 1;
}

/*
 * --svg: never one of the inputs (by the path or through a link), written
 * whole or not at all, and a link at the path replaced, not followed.
 */
START_TEST(test_svg_path)
{
	char dir[] = "/tmp/tinyvmm-svg-XXXXXX", a_path[64], link[64],
	     target[64], *orig = unit_slurp(VHE, NULL), *now;
	FILE *null = fopen("/dev/null", "w");
	struct compare_args a = { .nr_files = 2, .files = { a_path, NVHE } };
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(a_path, sizeof(a_path), "%s/a.json", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	snprintf(target, sizeof(target), "%s/target", dir);
	free(unit_temp_file("")); /* $TMPDIR works */
	{
		FILE *f = fopen(a_path, "w");

		ck_assert_ptr_nonnull(f);
		fputs(orig, f);
		fclose(f);
	}
	/* The input itself, and a link to it: refused, the input intact. */
	a.svg = a_path;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	ck_assert_int_eq(symlink("a.json", link), 0);
	a.svg = link;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	a.files[0] = link; /* the input through a link, --svg the file */
	a.svg = a_path;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	now = unit_slurp(a_path, NULL);
	ck_assert_str_eq(now, orig);
	free(now);
	/* A link to elsewhere: replaced by the chart, its target untouched. */
	a.files[0] = a_path;
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(symlink("target", link), 0);
	a.svg = link;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_OK);
	ck_assert_int_eq(lstat(link, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	ck_assert_int_eq(access(target, F_OK), -1);
	now = unit_slurp(link, NULL);
	ck_assert_msg(strncmp(now, "<?xml", 5) == 0 || strstr(now, "<svg"),
		      "%.40s", now);
	free(now);
	/* A path that cannot take it (a directory): no temporary left. */
	ck_assert_int_eq(mkdir(target, 0755), 0);
	a.svg = target;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	ck_assert_int_eq(rmdir(target), 0);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(files_besides(dir, "a.json"), 0);
	ck_assert_int_eq(unlink(a_path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	fclose(null);
	free(orig);
}
END_TEST

/* A failed gate stays exit 1 whatever fails after it; stdout errors count. */
START_TEST(test_gate_status_survives)
{
	FILE *null = fopen("/dev/null", "w"), *full = fopen("/dev/full", "w");
	struct compare_args a = { .nr_files = 2,
				  .files = { VHE, NVHE },
				  .gate = true,
				  .fail_above = 10,
				  .svg = "/nonexistent/dir/x.svg" };

	ck_assert_ptr_nonnull(full);
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_GATE);
	ck_assert_int_eq(compare_run(&a, full), COMPARE_EXIT_GATE);
	a.fail_above = 50; /* passed: the other errors decide */
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_BAD);
	a.svg = NULL;
	ck_assert_int_eq(compare_run(&a, null), COMPARE_EXIT_OK);
	ck_assert_int_eq(compare_run(&a, full), COMPARE_EXIT_BAD);
	a.gate = false;
	ck_assert_int_eq(compare_run(&a, full), COMPARE_EXIT_BAD);
	fclose(full);
	fclose(null);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_fixture_table,
		test_fixture_exits,
		test_unit_mismatch,
		test_bad_documents,
		test_config_flags,
		test_config_notes,
		test_union_and_missing,
		test_gate,
		test_svg,
		test_safe_text,
		test_hostile_strings,
		test_labels,
		test_baseline,
		test_find_column,
		test_chart_axis,
		test_chart_axis_log,
		test_args,
		test_run_status,
		test_huge_values,
		test_svg_path,
		test_gate_status_survives,
		NULL,
	};

	return unit_run_tests("compare", "core", tests);
}
