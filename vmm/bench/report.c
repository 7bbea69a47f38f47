// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "vmm/bench/bench.h"
#include "vmm/bench/report.h"
#include "vmm/bench/stats.h"

/* A result's figures: per op in its unit and in raw counter units. */
struct report_figures {
	bool valid; /* a known unit and at least one sample */
	struct stats_unit unit;
	struct stats_summary stats, raw;
};

static void report_figures(const struct report_run *run,
			   const struct bench_result *r,
			   struct report_figures *f)
{
	memset(f, 0, sizeof(*f));
	if (stats_unit_for(r->counter, r->counter_hz, r->ops_per_sample,
			   report_icount(run), &f->unit))
		return;
	if (r->nr_samples == 0 || stats_summarize(r->samples, r->nr_samples,
						  f->unit.raw_scale, &f->raw))
		return;
	/* One sort per result: the unit's figures are the raw ones rescaled. */
	stats_rescale(&f->raw, f->unit.scale / f->unit.raw_scale, &f->stats);
	f->valid = true;
}

bool report_icount(const struct report_run *run)
{
	for (unsigned int i = 0; i < run->nr_tags; i++)
		if (!strcmp(run->tags[i], "icount=on"))
			return true;
	return false;
}

/* "hvc_exit_stat 1000, exits 1001, ..." for the table's last column. */
static void top_exits(const struct bench_result *r, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < r->nr_exits && i < 3 && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used,
					 "%s%s %" PRIu64, i ? ", " : "",
					 r->exits[i].name, r->exits[i].delta);
}

/*
 * "0", or "3 (41%)": how many outliers and their share of the samples'
 * total, never rounded to a misleading 0% or 100%.
 */
static void outlier_cell(const struct stats_summary *s, char *buf, size_t size)
{
	double pct = s->outlier_share * 100;

	if (!s->outliers)
		snprintf(buf, size, "0");
	else if (pct < 0.5)
		snprintf(buf, size, "%" PRIu64 " (<1%%)", s->outliers);
	else if (pct >= 99.5)
		snprintf(buf, size, "%" PRIu64 " (>99%%)", s->outliers);
	else
		snprintf(buf, size, "%" PRIu64 " (%.0f%%)", s->outliers, pct);
}

/* One benchmark's row; whether it had outliers, for the footnote. */
static bool table_row(const struct report_run *run,
		      const struct bench_result *r, FILE *out)
{
	struct report_figures f;
	char exits[160], outliers[32];

	report_figures(run, r, &f);
	top_exits(r, exits, sizeof(exits));
	if (!f.valid || r->status != BENCH_STATUS_OK) {
		fprintf(out, "%-24s %s%s%s\n", r->name,
			bench_status_name(r->status), r->note[0] ? ": " : "",
			r->note);
		return false;
	}
	outlier_cell(&f.stats, outliers, sizeof(outliers));
	fprintf(out,
		"%-24s %-21s %7" PRIu64
		" %11.1f %11.1f %11.1f %11.1f %10s %9.1f  %s\n",
		r->name, f.unit.unit, f.stats.n, f.stats.mean, f.stats.median,
		f.stats.min, f.stats.p99, outliers, f.stats.stddev, exits);
	return f.stats.outliers > 0;
}

/*
 * tinyvmm's own userspace time per MMIO exit in @r's window, in the
 * run's unit (ns, or instructions under icount); false when there were
 * no MMIO exits. A host counter of unknown rate (arch_host_counter_hz()
 * 0: x86's TSC) counts like the guest's TSC: cycles, or instructions
 * under icount. Raw host ticks when no unit fits.
 */
static bool vmm_share_per_exit(const struct report_run *run,
			       const struct bench_result *r, double *value,
			       const char **unit)
{
	struct stats_unit u;

	if (r->vmm_mmio_exits == 0)
		return false;
	*value = (double)r->vmm_mmio_ticks / (double)r->vmm_mmio_exits;
	*unit = "host counter ticks";
	if (!stats_unit_for(r->vmm_counter_hz ? BENCH_COUNTER_CNTVCT
					      : BENCH_COUNTER_TSC,
			    r->vmm_counter_hz, 1, report_icount(run), &u)) {
		*value *= u.scale;
		*unit = u.unit;
	}
	return true;
}

static void table_vmm_share(const struct report_run *run, FILE *out)
{
	const char *unit;
	double v;

	for (unsigned int i = 0; i < run->nr_results; i++) {
		const struct bench_result *r = &run->results[i];

		/* Only where MMIO exits are what the benchmark does. */
		if (r->status != BENCH_STATUS_OK || !r->nr_samples ||
		    r->vmm_mmio_exits < r->nr_samples ||
		    !vmm_share_per_exit(run, r, &v, &unit))
			continue;
		fprintf(out,
			"%s: tinyvmm's own userspace time per MMIO exit: %.1f %s (%" PRIu64
			" exits)\n",
			r->name, v, unit, r->vmm_mmio_exits);
	}
}

/* What a world switch saved and restored: the guest's CPU features. */
static void table_cpu_features(const struct report_run *run, FILE *out)
{
	char line[96];

	if (!run->cpu_features || !run->cpu_features->valid)
		return;
	cpu_features_format(run->cpu_features, line, sizeof(line));
	fprintf(out, "(guest CPU features: %s)\n", line);
}

void report_print_table(const struct report_run *run, FILE *out)
{
	bool outliers = false;

	fprintf(out, "%-24s %-21s %7s %11s %11s %11s %11s %10s %9s  %s\n",
		"benchmark", "unit", "n", "mean", "median", "min", "p99",
		"outliers", "stddev", "top exits");
	for (unsigned int i = 0; i < run->nr_results; i++)
		outliers |= table_row(run, &run->results[i], out);
	fprintf(out,
		"(per operation; stddev: sample; p99: nearest rank; exits: %s)\n",
		run->profile_note ? run->profile_note : BENCH_WINDOW_NOTE);
	/* Only then: it explains a mean far above the median. */
	if (outliers)
		fprintf(out,
			"(outliers: samples above %dx the median, and their share of the total; e.g. host work landing in a sample under emulation)\n",
			STATS_OUTLIER_FACTOR);
	table_vmm_share(run, out);
	table_cpu_features(run, out);
}

void report_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* ,"key": — @first says whether a comma goes first. */
static void json_key(FILE *out, bool first, const char *key)
{
	fputs(first ? "" : ",", out);
	report_json_string(out, key);
	fputc(':', out);
}

static void json_kv_str(FILE *out, bool first, const char *key, const char *val)
{
	json_key(out, first, key);
	if (val)
		report_json_string(out, val);
	else
		fputs("null", out);
}

static void json_kv_u64(FILE *out, bool first, const char *key, uint64_t val)
{
	json_key(out, first, key);
	fprintf(out, "%" PRIu64, val);
}

static void json_kv_bool(FILE *out, bool first, const char *key, bool val)
{
	json_key(out, first, key);
	fputs(val ? "true" : "false", out);
}

static void json_kv_num(FILE *out, bool first, const char *key, double val)
{
	json_key(out, first, key);
	fprintf(out, "%.15g", val);
}

static void json_str_array(FILE *out, const char (*items)[200], unsigned int n)
{
	fputc('[', out);
	for (unsigned int i = 0; i < n; i++) {
		fputs(i ? "," : "", out);
		report_json_string(out, items[i]);
	}
	fputc(']', out);
}

/* Tags as an object; a KEY given again overrides (only the last is kept). */
static void json_tags(FILE *out, const struct report_run *run)
{
	bool first = true;

	fputc('{', out);
	for (unsigned int i = 0; i < run->nr_tags; i++) {
		const char *t = run->tags[i], *eq = strchr(t, '=');
		size_t klen = (size_t)(eq - t);
		char key[256];
		bool later = false;

		for (unsigned int j = i + 1; j < run->nr_tags; j++)
			later |= !strncmp(run->tags[j], t, klen + 1);
		if (later || klen >= sizeof(key))
			continue;
		memcpy(key, t, klen);
		key[klen] = '\0';
		json_kv_str(out, first, key, eq + 1);
		first = false;
	}
	fputc('}', out);
}

static void json_host(FILE *out, const struct report_run *run)
{
	const struct host_info *h = run->host;
	const struct host_emulation *e = run->emulation;

	fputc('{', out);
	json_kv_str(out, true, "kernel_release", h->kernel_release);
	json_kv_str(out, false, "machine", h->machine);
	json_kv_str(out, false, "cpu", h->cpu);
	json_kv_str(out, false, "kvm_mode", h->kvm_mode);
	json_key(out, false, "kvm_mode_evidence");
	json_str_array(out, h->evidence, h->nr_evidence);
	json_kv_str(out, false, "irqchip", h->irqchip[0] ? h->irqchip : NULL);
	json_key(out, false, "emulated");
	fputs(e->emulated < 0 ? "null" : e->emulated ? "true" : "false", out);
	json_key(out, false, "emulated_evidence");
	json_str_array(out, e->evidence, e->nr_evidence);
	json_key(out, false, "tags");
	json_tags(out, run);
	fputc('}', out);
}

static void json_stats(FILE *out, const struct stats_summary *s, bool valid)
{
	if (!valid) {
		fputs("null", out);
		return;
	}
	fputc('{', out);
	json_kv_u64(out, true, "n", s->n);
	json_kv_num(out, false, "mean", s->mean);
	json_kv_num(out, false, "median", s->median);
	json_kv_num(out, false, "min", s->min);
	json_kv_num(out, false, "max", s->max);
	json_kv_num(out, false, "p99", s->p99);
	json_kv_num(out, false, "stddev", s->stddev);
	json_kv_u64(out, false, "outliers", s->outliers);
	json_kv_num(out, false, "outlier_share", s->outlier_share);
	json_kv_num(out, false, "mean_without_outliers",
		    s->mean_without_outliers);
	fputc('}', out);
}

static const char *counter_name(uint32_t counter)
{
	switch (counter) {
	case BENCH_COUNTER_PMU_CYCLES:
		return "pmu_cycles";
	case BENCH_COUNTER_CNTVCT:
		return "cntvct";
	case BENCH_COUNTER_TSC:
		return "tsc";
	default:
		return NULL;
	}
}

static void json_exits(FILE *out, const struct bench_result *r)
{
	fputc('{', out);
	for (unsigned int i = 0; i < r->nr_exits; i++)
		json_kv_u64(out, i == 0, r->exits[i].name, r->exits[i].delta);
	fputc('}', out);
}

static void json_vmm_share(FILE *out, const struct report_run *run,
			   const struct bench_result *r)
{
	const char *unit;
	double v;

	json_key(out, false, "vmm_userspace");
	fputc('{', out);
	json_kv_u64(out, true, "mmio_exits", r->vmm_mmio_exits);
	json_kv_u64(out, false, "ticks", r->vmm_mmio_ticks);
	json_kv_u64(out, false, "counter_hz", r->vmm_counter_hz);
	if (vmm_share_per_exit(run, r, &v, &unit)) {
		json_kv_num(out, false, "per_exit", v);
		json_kv_str(out, false, "unit", unit);
	} else {
		fputs(",\"per_exit\":null,\"unit\":null", out);
	}
	fputc('}', out);
}

static void json_benchmark(FILE *out, const struct report_run *run,
			   const struct bench_result *r)
{
	struct report_figures f;

	report_figures(run, r, &f);
	fputs("\n    {", out);
	json_kv_str(out, true, "name", r->name);
	json_kv_str(out, false, "status", bench_status_name(r->status));
	json_kv_str(out, false, "note", r->note);
	json_kv_str(out, false, "counter", counter_name(r->counter));
	json_kv_str(out, false, "unit", f.unit.unit);
	json_kv_u64(out, false, "counter_hz", r->counter_hz);
	json_kv_u64(out, false, "ops_per_sample", r->ops_per_sample);
	json_key(out, false, "stats");
	json_stats(out, &f.stats, f.valid);
	json_kv_str(out, false, "raw_unit", f.unit.raw_unit);
	json_key(out, false, "stats_raw");
	json_stats(out, &f.raw, f.valid);
	json_key(out, false, "exits");
	json_exits(out, r);
	json_vmm_share(out, run, r);
	fputc('}', out);
}

/* config.guest_ram: the mapping as guest_mem_map() made it. */
static void json_guest_ram(FILE *out, const struct report_run *run)
{
	const struct guest_mem_region *r = run->ram;
	const char *thp = run->ram_host_thp ? run->ram_host_thp : "";
	bool hugetlb = r && r->backing.huge == GUEST_MEM_HUGETLB;
	char line[256];

	json_key(out, false, "guest_ram");
	if (!r) {
		fputs("null", out);
		return;
	}
	fputc('{', out);
	json_kv_u64(out, true, "size", r->size);
	json_kv_u64(out, false, "gpa", r->gpa);
	json_kv_str(out, false, "backing",
		    guest_mem_huge_name(r->backing.huge));
	if (hugetlb)
		json_kv_u64(out, false, "page_size", r->backing.hugetlb_page);
	else
		json_kv_str(out, false, "page_size", NULL);
	json_kv_u64(out, false, "align", r->align);
	json_kv_bool(out, false, "shared", r->fd >= 0);
	json_kv_str(out, false, "host_thp", hugetlb || !thp[0] ? NULL : thp);
	json_kv_str(out, false, "summary",
		    guest_mem_describe(r, thp, line, sizeof(line)));
	fputc('}', out);
}

/* {"sve":true,"sve_max_vl_bits":2048,"ptrauth":true,"pmu":true}, or null. */
static void json_cpu_features(FILE *out, const struct cpu_features *f)
{
	if (!f || !f->valid) {
		fputs("null", out);
		return;
	}
	fputc('{', out);
	for (unsigned int i = 0; i < CPU_FEATURE_COUNT; i++) {
		json_kv_bool(out, i == 0, cpu_feature_name(i), f->on[i]);
		if (i == CPU_FEATURE_SVE)
			json_kv_u64(out, false, "sve_max_vl_bits",
				    f->sve_max_vl_bits);
	}
	fputc('}', out);
}

int report_write_json(const struct report_run *run, FILE *out)
{
	fputc('{', out);
	json_kv_str(out, true, "schema", REPORT_SCHEMA);
	json_kv_u64(out, false, "schema_version", REPORT_SCHEMA_VERSION);
	json_kv_str(out, false, "tinyvmm_version", run->tinyvmm_version);
	fputs("\n  ", out);
	json_key(out, false, "host");
	json_host(out, run);
	fputs(",\n  \"config\":{", out);
	json_kv_u64(out, true, "cpus", run->cpus);
	json_kv_bool(out, false, "pinned", run->pinned);
	json_kv_bool(out, false, "seccomp", run->seccomp);
	json_guest_ram(out, run);
	json_kv_u64(out, false, "iterations", run->iterations);
	json_kv_u64(out, false, "warmup", run->warmup);
	json_key(out, false, "its");
	fputs(run->its < 0 ? "null" : run->its ? "true" : "false", out);
	json_key(out, false, "cpu_features");
	json_cpu_features(out, run->cpu_features);
	fputs("},\n  \"exit_profile\":{", out);
	json_kv_str(out, true, "window", BENCH_WINDOW_NOTE);
	json_kv_str(out, false, "note", run->profile_note);
	fputs("},\n  \"benchmarks\":[", out);
	for (unsigned int i = 0; i < run->nr_results; i++) {
		fputs(i ? "," : "", out);
		json_benchmark(out, run, &run->results[i]);
	}
	fputs("\n  ]\n}\n", out);
	return ferror(out) ? -EIO : 0;
}
