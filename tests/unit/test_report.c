// SPDX-License-Identifier: MIT
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "vmm/compare/bench_doc.h"
#include "vmm/bench/report.h"
#include "tests/unit/unit.h"

/* Runs report_json_string() into a string. */
static char *json_of(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	report_json_string(f, s);
	fclose(f);
	return buf;
}

static const struct {
	const char *in, *out;
} escape_cases[] = {
	{ "", "\"\"" },
	{ "plain", "\"plain\"" },
	{ "a\"b", "\"a\\\"b\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "line\nnext\ttab", "\"line\\nnext\\ttab\"" },
	{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
	{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" }, /* UTF-8 passes through */
	{ "split (nVHE)", "\"split (nVHE)\"" },
};

START_TEST(test_escape_table)
{
	for (size_t i = 0; i < sizeof(escape_cases) / sizeof(escape_cases[0]);
	     i++) {
		char *got = json_of(escape_cases[i].in);

		ck_assert_msg(!strcmp(got, escape_cases[i].out), "case %zu: %s",
			      i, got);
		free(got);
	}
}
END_TEST

/*
 * A tiny structural check: strings closed, brackets balanced and nested
 * properly, nothing after the top-level value. Enough to catch a missing
 * comma-free bracket or an unescaped quote.
 */
static int json_balanced(const char *s)
{
	char stack[64];
	int depth = 0, in_str = 0;

	for (; *s; s++) {
		if (in_str) {
			if (*s == '\\')
				s++;
			else if (*s == '"')
				in_str = 0;
			else if ((unsigned char)*s < 0x20)
				return 0;
			continue;
		}
		if (*s == '"')
			in_str = 1;
		else if (*s == '{' || *s == '[')
			stack[depth++] = *s == '{' ? '}' : ']';
		else if (*s == '}' || *s == ']')
			if (depth == 0 || stack[--depth] != *s)
				return 0;
		if (depth >= 63)
			return 0;
	}
	return depth == 0 && !in_str;
}

/* The number after the first "key": at or after @from. */
static double number_after(const char *json, const char *from, const char *key)
{
	char pat[64];
	const char *p;
	double v = -1;

	snprintf(pat, sizeof(pat), "\"%s\":", key);
	p = strstr(strstr(json, from), pat);
	ck_assert_msg(p != NULL, "no %s after %s", key, from);
	ck_assert_int_eq(sscanf(p + strlen(pat), "%lf", &v), 1);
	return v;
}

/* The validator and the schema, from the source tree (tests/data/..). */
#define SCHEMA_CHECK TINYVMM_TEST_DATA "/../schema-check"
#define BENCH_SCHEMA TINYVMM_TEST_DATA "/../../schema/bench.schema.json"

/*
 * @json against schema/bench.schema.json (tests/schema-check, python3):
 * every document the unit tests make is one the schema must describe.
 * The checker's own rules only: that python3-jsonschema agrees with
 * them is schema.sh's business, and importing it would triple the time.
 * Without python3 (exit 127) it says so and checks nothing.
 */
static void schema_check(const char *json)
{
	char *path = unit_temp_file(json), *cmd;
	int rc;

	ck_assert_int_gt(asprintf(&cmd,
				  "python3 '%s' --builtin-only '%s' '%s' >&2",
				  SCHEMA_CHECK, BENCH_SCHEMA, path),
			 0);
	rc = system(cmd);
	unlink(path);
	free(path);
	free(cmd);
	if (WIFEXITED(rc) && WEXITSTATUS(rc) == 127) {
		fprintf(stderr,
			"test_report: no python3: schema not checked\n");
		return;
	}
	ck_assert_msg(WIFEXITED(rc) && WEXITSTATUS(rc) == 0,
		      "the document does not match %s (lines above): %s",
		      BENCH_SCHEMA, json);
}

static char *run_json(const struct report_run *run)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_int_eq(report_write_json(run, f), 0);
	fclose(f);
	schema_check(buf);
	return buf;
}

START_TEST(test_document)
{
	static uint64_t samples[4] = { 400, 800, 1200, 1600 };
	static struct bench_exit exits[2] = { { "hvc_exit_stat", 4000 },
					      { "mmio_exit_user", 1 } };
	struct bench_result results[2] = {
		{ .name = "hypercall",
		  .status = BENCH_STATUS_OK,
		  .counter = BENCH_COUNTER_CNTVCT,
		  .counter_hz = 62500000,
		  .ops_per_sample = 4,
		  .nr_samples = 4,
		  .samples = samples,
		  .note = "say \"hi\"",
		  .exits = exits,
		  .nr_exits = 2 },
		{ .name = "virtual_ipi",
		  .status = BENCH_STATUS_SKIPPED,
		  .counter = BENCH_COUNTER_PMU_CYCLES,
		  .ops_per_sample = 1,
		  .note = "needs 2 vCPUs" },
	};
	struct host_info host = { .kernel_release = "6.1.0-56-arm64",
				  .machine = "aarch64",
				  .cpu = "2 x MIDR",
				  .kvm_mode = "VHE",
				  .nr_evidence = 1,
				  .evidence = {
					  "kernel log: \"kvm [1]: VHE\"" } };
	struct host_emulation emu = { .emulated = 1,
				      .nr_evidence = 1,
				      .evidence = { "implementer 0x00" } };
	const char *tags[] = { "icount=off", "run=a\\b", "icount=on" };
	struct report_run run = {
		.tinyvmm_version = "0.1.0",
		.host = &host,
		.emulation = &emu,
		.tags = tags,
		.nr_tags = 3,
		.cpus = 2,
		.pinned = true,
		.seccomp = true,
		.iterations = 4,
		.warmup = 1,
		.results = results,
		.nr_results = 2,
	};
	char *json = run_json(&run);

	ck_assert_msg(json_balanced(json), "%s", json);
	ck_assert(strstr(json, "\"schema\":\"tinyvmm-bench\""));
	ck_assert_int_eq((int)number_after(json, "{", "schema_version"), 1);
	ck_assert(strstr(json, "\"kernel log: \\\"kvm [1]: VHE\\\"\""));
	ck_assert(strstr(json, "\"emulated\":true"));
	/* The later icount wins; a backslash in a tag is escaped. */
	ck_assert(strstr(json,
			 "\"tags\":{\"run\":\"a\\\\b\",\"icount\":\"on\"}"));
	ck_assert(strstr(json, "\"note\":\"say \\\"hi\\\"\""));
	/* Under icount, CNTVCT's virtual ns are instructions too. */
	ck_assert(strstr(
		json,
		"\"counter\":\"cntvct\",\"unit\":\"instructions (icount)\""));
	ck_assert(!strstr(json, "\"unit\":\"ns\""));
	/* 100..400 ticks per op at 16 ns a tick. */
	ck_assert_double_eq_tol(number_after(json, "hypercall", "mean"), 4000,
				1e-9);
	ck_assert_double_eq_tol(number_after(json, "hypercall", "median"), 4000,
				1e-9);
	ck_assert_double_eq_tol(number_after(json, "hypercall", "min"), 1600,
				1e-9);
	ck_assert_double_eq_tol(number_after(json, "hypercall", "p99"), 6400,
				1e-9);
	ck_assert_double_eq_tol(number_after(json, "stats_raw", "mean"), 250,
				1e-9);
	ck_assert_double_eq_tol(number_after(json, "exits", "hvc_exit_stat"),
				4000, 0.5);
	ck_assert(strstr(json, "\"unit\":\"instructions (icount)\""));
	ck_assert(strstr(json, "\"status\":\"SKIPPED\""));
	/* No MMIO exits recorded: the share is there, with no per-exit figure. */
	ck_assert(strstr(
		json,
		"\"vmm_userspace\":{\"mmio_exits\":0,\"ticks\":0,\"counter_hz\":0,\"per_exit\":null,\"unit\":null}"));
	ck_assert(strstr(json, "\"stats\":null"));
	ck_assert(strstr(json, "\"exits\":{}"));
	free(json);
}
END_TEST

/* @run's document as `tinyvmm compare` reads it back. */
static void read_back(const struct report_run *run, struct bench_doc *doc)
{
	char *json = run_json(run);
	int ret = bench_doc_parse(doc, json, strlen(json));

	ck_assert_msg(ret == 0, "%s", doc->error);
	free(json);
}

/* config: the run's own settings, seccomp either way. */
START_TEST(test_config)
{
	struct host_info host = { .kernel_release = "6.1",
				  .machine = "aarch64",
				  .kvm_mode = "VHE" };
	struct host_emulation emu = { .emulated = -1 };
	struct report_run run = { .tinyvmm_version = "0.1.0",
				  .host = &host,
				  .emulation = &emu,
				  .cpus = 2,
				  .pinned = true,
				  .seccomp = true,
				  .iterations = 10,
				  .warmup = 3,
				  .its = 1 };
	char *json = run_json(&run);

	ck_assert_msg(
		strstr(json,
		       "\"config\":{\"cpus\":2,\"pinned\":true,\"seccomp\":true,\"guest_ram\":null,\"iterations\":10,\"warmup\":3,\"its\":true,\"cpu_features\":null}"),
		"%s", json);
	free(json);
	run.pinned = false;
	run.seccomp = false;
	run.its = 0;
	json = run_json(&run);
	ck_assert_msg(strstr(json, "\"pinned\":false,\"seccomp\":false,"), "%s",
		      json);
	ck_assert_msg(strstr(json, "\"its\":false,"), "%s", json);
	ck_assert(json_balanced(json));
	free(json);
	run.its = -1; /* x86_64: no such part */
	json = run_json(&run);
	ck_assert_msg(strstr(json, "\"its\":null,"), "%s", json);
	ck_assert(json_balanced(json));
	free(json);
}
END_TEST

/* config.guest_ram: the backing as mapped, per kind. */
START_TEST(test_config_guest_ram)
{
	struct guest_mem_region ram = {
		.gpa = 0x80000000,
		.size = 256ULL << 20,
		.fd = -1,
		.backing = { .huge = GUEST_MEM_THP },
		.align = 2ULL << 20,
	};
	struct host_info host = { .kernel_release = "6.1" };
	struct host_emulation emu = { .emulated = -1 };
	struct report_run run = { .tinyvmm_version = "0.1.0",
				  .host = &host,
				  .emulation = &emu,
				  .cpus = 1, /* as any run has */
				  .ram = &ram,
				  .ram_host_thp = "madvise" };
	char *json = run_json(&run);

	ck_assert_msg(
		strstr(json,
		       "\"guest_ram\":{\"size\":268435456,\"gpa\":2147483648,"
		       "\"backing\":\"thp\",\"page_size\":null,\"align\":2097152,"
		       "\"shared\":false,\"host_thp\":\"madvise\",\"summary\":"
		       "\"256 MiB at 0x80000000, anonymous, 2 MiB-aligned, THP "
		       "(MADV_HUGEPAGE; host THP policy 'madvise')\"}"),
		"%s", json);
	free(json);
	ram.backing = (struct guest_mem_backing){ .huge = GUEST_MEM_HUGETLB,
						  .hugetlb_page = 1ULL << 30,
						  .shared = true };
	ram.fd = 7;
	ram.align = 1ULL << 30;
	json = run_json(&run);
	ck_assert_msg(strstr(json, "\"backing\":\"hugetlbfs\",\"page_size\":"
				   "1073741824,\"align\":1073741824,\"shared\":"
				   "true,\"host_thp\":null,"),
		      "%s", json);
	ck_assert(json_balanced(json));
	free(json);
}
END_TEST

/* config.cpu_features: what the vCPUs had, null where none switch. */
START_TEST(test_config_cpu_features)
{
	struct host_info host = { .kernel_release = "7.3",
				  .machine = "aarch64",
				  .kvm_mode = "VHE" };
	struct host_emulation emu = { .emulated = 1 };
	struct cpu_features f = { .valid = true,
				  .on = { true, true, true },
				  .sve_max_vl_bits = 2048 };
	struct report_run run = { .tinyvmm_version = "0.1.0",
				  .host = &host,
				  .emulation = &emu,
				  .cpus = 1,
				  .cpu_features = &f };
	struct bench_doc doc;
	char *json = run_json(&run);

	ck_assert_msg(strstr(json, "\"cpu_features\":{\"sve\":true,"
				   "\"sve_max_vl_bits\":2048,\"ptrauth\":true,"
				   "\"pmu\":true}}"),
		      "%s", json);
	free(json);
	read_back(&run, &doc);
	ck_assert_str_eq(doc.cpu_features, "sve2048 ptrauth pmu");
	bench_doc_free(&doc);
	f.on[CPU_FEATURE_SVE] = false;
	f.sve_max_vl_bits = 0;
	f.on[CPU_FEATURE_PMU] = false;
	json = run_json(&run);
	ck_assert_msg(strstr(json, "{\"sve\":false,\"sve_max_vl_bits\":0,"
				   "\"ptrauth\":true,\"pmu\":false}"),
		      "%s", json);
	free(json);
	read_back(&run, &doc);
	ck_assert_str_eq(doc.cpu_features, "ptrauth");
	bench_doc_free(&doc);
	f.on[CPU_FEATURE_PTRAUTH] = false;
	read_back(&run, &doc);
	ck_assert_str_eq(doc.cpu_features, "none on");
	bench_doc_free(&doc);
	f.valid = false; /* x86_64 */
	read_back(&run, &doc);
	ck_assert_str_eq(doc.cpu_features, "none");
	bench_doc_free(&doc);
}
END_TEST

/* What the writer says, the reader reads: both settings, both ways. */
START_TEST(test_config_read_back)
{
	struct host_info host = { .kernel_release = "6.1",
				  .machine = "aarch64",
				  .kvm_mode = "VHE" };
	struct host_emulation emu = { .emulated = 0 };
	struct report_run run = { .tinyvmm_version = "0.1.0",
				  .host = &host,
				  .emulation = &emu,
				  .cpus = 1,
				  .seccomp = true };
	struct bench_doc doc;

	read_back(&run, &doc);
	ck_assert_int_eq(doc.seccomp, BENCH_DOC_ON);
	ck_assert_int_eq(doc.pinned, BENCH_DOC_OFF);
	bench_doc_free(&doc);
	run.seccomp = false;
	run.pinned = true;
	read_back(&run, &doc);
	ck_assert_int_eq(doc.seccomp, BENCH_DOC_OFF);
	ck_assert_int_eq(doc.pinned, BENCH_DOC_ON);
	bench_doc_free(&doc);
}
END_TEST

/* tinyvmm's share per MMIO exit, by the host counter's rate (x86: 0). */
START_TEST(test_vmm_share_units)
{
	static uint64_t samples[1] = { 100 };
	struct bench_result r = {
		.name = "mmio_user",
		.status = BENCH_STATUS_OK,
		.counter = BENCH_COUNTER_TSC,
		.ops_per_sample = 1,
		.nr_samples = 1,
		.samples = samples,
		.vmm_mmio_exits = 10,
		.vmm_mmio_ticks = 1500,
	};
	struct host_info host = { .kernel_release = "6.1",
				  .machine = "x86_64" };
	struct host_emulation emu = { .emulated = 1 };
	const char *icount[] = { "icount=on" };
	struct report_run run = { .tinyvmm_version = "0.1.0",
				  .host = &host,
				  .emulation = &emu,
				  .tags = icount,
				  .nr_tags = 1,
				  .cpus = 1,
				  .iterations = 1,
				  .results = &r,
				  .nr_results = 1 };
	char *json = run_json(&run);

	/* An unknown-rate counter (the TSC) under icount: instructions. */
	ck_assert_msg(
		strstr(json,
		       "\"per_exit\":150,\"unit\":\"instructions (icount)\""),
		"%s", json);
	free(json);
	run.nr_tags = 0;
	json = run_json(&run);
	ck_assert_msg(strstr(json, "\"per_exit\":150,\"unit\":\"cycles\""),
		      "%s", json);
	free(json);
	/* CNTVCT at 62.5 MHz: 16 ns a tick. */
	r.vmm_counter_hz = 62500000;
	json = run_json(&run);
	ck_assert_msg(strstr(json, "\"per_exit\":2400,\"unit\":\"ns\""), "%s",
		      json);
	free(json);
}
END_TEST

/*
 * The outlier members in stats and stats_raw, and `tinyvmm compare`
 * reading the document (it does not use them) as before.
 */
START_TEST(test_json_outliers)
{
	/* 4 ops a sample at 62.5 MHz; median 10 ticks, 50 and 90 above 40. */
	static uint64_t samples[5] = { 10, 90, 10, 50, 10 };
	struct bench_result r = { .name = "gic_trap",
				  .status = BENCH_STATUS_OK,
				  .counter = BENCH_COUNTER_CNTVCT,
				  .counter_hz = 62500000,
				  .ops_per_sample = 4,
				  .nr_samples = 5,
				  .samples = samples };
	struct host_info host = { .kernel_release = "7.3",
				  .machine = "aarch64",
				  .kvm_mode = "VHE" };
	struct host_emulation emu = { .emulated = 1 };
	struct report_run run = { .tinyvmm_version = "0.1.0",
				  .host = &host,
				  .emulation = &emu,
				  .cpus = 1,
				  .iterations = 5,
				  .results = &r,
				  .nr_results = 1 };
	char *json = run_json(&run);
	struct bench_doc doc;

	/* 140 of 170 ticks; the rest: 10 ticks a sample, 2.5 an op, 40 ns. */
	ck_assert_msg(
		strstr(json,
		       "\"outliers\":2,\"outlier_share\":0.823529411764706,\"mean_without_outliers\":40}"),
		"%s", json);
	ck_assert_msg(
		strstr(json,
		       "\"outliers\":2,\"outlier_share\":0.823529411764706,\"mean_without_outliers\":2.5}"),
		"%s", json);
	free(json);
	read_back(&run, &doc);
	ck_assert(bench_doc_usable(bench_doc_find(&doc, "gic_trap")));
	ck_assert_double_eq_tol(doc.benches[0].median, 40, 1e-9);
	bench_doc_free(&doc);
}
END_TEST

/* report_print_table() of @run, as a string the caller frees. */
static char *run_table(const struct report_run *run)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	report_print_table(run, f);
	fclose(f);
	return buf;
}

START_TEST(test_table)
{
	static uint64_t samples[2] = { 100, 300 };
	struct bench_result r = { .name = "mmio_exit_user",
				  .status = BENCH_STATUS_OK,
				  .counter = BENCH_COUNTER_PMU_CYCLES,
				  .ops_per_sample = 1,
				  .nr_samples = 2,
				  .samples = samples };
	struct report_run run = { .results = &r, .nr_results = 1 };
	char *buf = run_table(&run);

	ck_assert(strstr(buf, "mmio_exit_user"));
	ck_assert(strstr(buf, "cycles"));
	ck_assert(strstr(buf, "200.0"));
	/* 300 is 1.5x the median 200: no outliers, and no footnote. */
	ck_assert_msg(strstr(buf, " p99   outliers    stddev"), "%s", buf);
	ck_assert_msg(strstr(buf, "300.0          0"), "%s", buf);
	ck_assert(!strstr(buf, "(outliers:"));
	free(buf);
}
END_TEST

/* The outliers column after p99, and the footnote that explains it. */
START_TEST(test_table_outliers)
{
	/* Median 100; 500 and 2500 are above 400: 3000 of 3400, 88%. */
	static uint64_t samples[6] = { 100, 500, 100, 100, 2500, 100 };
	static uint64_t tiny[4] = { 1000, 1000, 1000, 4001 };
	struct bench_result r[2] = {
		{ .name = "gic_trap",
		  .status = BENCH_STATUS_OK,
		  .counter = BENCH_COUNTER_PMU_CYCLES,
		  .ops_per_sample = 1,
		  .nr_samples = 6,
		  .samples = samples },
		/* 4001, just above 4x: 4001 of 7001 is 57%. */
		{ .name = "hypercall",
		  .status = BENCH_STATUS_OK,
		  .counter = BENCH_COUNTER_PMU_CYCLES,
		  .ops_per_sample = 1,
		  .nr_samples = 4,
		  .samples = tiny },
	};
	struct report_run run = { .results = r, .nr_results = 2 };
	char *buf = run_table(&run);

	ck_assert_msg(strstr(buf, "2500.0    2 (88%)"), "%s", buf);
	ck_assert_msg(strstr(buf, "4001.0    1 (57%)"), "%s", buf);
	ck_assert_msg(
		strstr(buf,
		       "\n(outliers: samples above 4x the median, and their share of the total; e.g. host work landing in a sample under emulation)\n"),
		"%s", buf);
	free(buf);
}
END_TEST

/* A share that rounds to 0% or 100% says so instead. */
START_TEST(test_table_outlier_share_ends)
{
	static uint64_t many[1001], few[3] = { 1, 1000, 1 };
	struct bench_result r = { .name = "mmio_user",
				  .status = BENCH_STATUS_OK,
				  .counter = BENCH_COUNTER_PMU_CYCLES,
				  .ops_per_sample = 1,
				  .nr_samples = 3,
				  .samples = few };
	struct report_run run = { .results = &r, .nr_results = 1 };
	char *buf = run_table(&run);

	/* 1000 of 1002 */
	ck_assert_msg(strstr(buf, "1000.0   1 (>99%)"), "%s", buf);
	free(buf);
	for (size_t i = 0; i < 1000; i++)
		many[i] = 10;
	many[1000] = 41; /* 41 of 10041 */
	r.samples = many;
	r.nr_samples = 1001;
	buf = run_table(&run);
	ck_assert_msg(strstr(buf, " 10.0    1 (<1%)"), "%s", buf);
	free(buf);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_escape_table,     test_document,
		test_config,	       test_config_guest_ram,
		test_config_read_back, test_config_cpu_features,
		test_vmm_share_units,  test_table,
		test_table_outliers,   test_table_outlier_share_ends,
		test_json_outliers,    NULL,
	};

	Suite *s = suite_create("report");
	TCase *tc = tcase_create("core");

	/* Each document starts a python3 (schema_check()): not 4 s on a busy host. */
	tcase_set_timeout(tc, 60);
	for (const TTest *const *t = tests; *t; t++)
		tcase_add_test(tc, *t);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
