// SPDX-License-Identifier: MIT
/* Reading a "tinyvmm-bench" document back; contract in bench_doc.h. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/compare/bench_doc.h"
#include "vmm/compare/safe_text.h"
#include "guest/common/bench_protocol.h"
#include "vmm/bench/bench_result.h"
#include "vmm/bench/report.h"

TV_PRINTF(2, 3)
static int doc_fail(struct bench_doc *doc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(doc->error, sizeof(doc->error), fmt, ap);
	va_end(ap);
	/* It quotes the document (a schema, a status): printable only. */
	safe_text(doc->error, sizeof(doc->error), doc->error);
	return -EINVAL;
}

/* "@where.@key: missing" or "...: expected @type, found <type>". */
static int bad_member(struct bench_doc *doc, const char *where, const char *key,
		      const struct json_value *v, const char *type)
{
	const char *dot = *where ? "." : "";

	if (!v)
		return doc_fail(doc, "%s%s%s: missing", where, dot, key);
	return doc_fail(doc, "%s%s%s: expected %s, found %s", where, dot, key,
			type, json_type_name(v));
}

static int member_str(struct bench_doc *doc, const struct json_value *obj,
		      const char *where, const char *key, bool nullable,
		      const char **out)
{
	const struct json_value *v = json_get(obj, key);

	*out = json_as_string(v);
	if (*out || (nullable && v && v->type == JSON_NULL))
		return 0;
	return bad_member(doc, where, key, v,
			  nullable ? "a string or null" : "a string");
}

/* A number of at least @min. */
static int member_num(struct bench_doc *doc, const struct json_value *obj,
		      const char *where, const char *key, double min,
		      double *out)
{
	const struct json_value *v = json_get(obj, key);

	if (!json_as_number(v, out))
		return bad_member(doc, where, key, v, "a number");
	if (*out < min)
		return doc_fail(doc, "%s%s%s: %g is below %g", where,
				*where ? "." : "", key, *out, min);
	return 0;
}

/* true or false, or absent: unknown. */
static int member_flag(struct bench_doc *doc, const struct json_value *obj,
		       const char *where, const char *key,
		       enum bench_doc_flag *out)
{
	const struct json_value *v = json_get(obj, key);

	*out = BENCH_DOC_UNKNOWN;
	if (!v)
		return 0;
	if (v->type != JSON_TRUE && v->type != JSON_FALSE)
		return bad_member(doc, where, key, v, "true or false");
	*out = v->type == JSON_TRUE ? BENCH_DOC_ON : BENCH_DOC_OFF;
	return 0;
}

/* As member_flag(), and null is allowed: unknown (not this arch's). */
static int member_flag_or_null(struct bench_doc *doc,
			       const struct json_value *obj, const char *where,
			       const char *key, enum bench_doc_flag *out)
{
	const struct json_value *v = json_get(obj, key);

	if (v && v->type == JSON_NULL) {
		*out = BENCH_DOC_UNKNOWN;
		return 0;
	}
	return member_flag(doc, obj, where, key, out);
}

/* An object, or (if @nullable) null giving *@out NULL. */
static int member_obj(struct bench_doc *doc, const struct json_value *obj,
		      const char *where, const char *key, bool nullable,
		      const struct json_value **out)
{
	const struct json_value *v = json_get(obj, key);

	*out = v && v->type == JSON_OBJECT ? v : NULL;
	if (*out || (nullable && v && v->type == JSON_NULL))
		return 0;
	return bad_member(doc, where, key, v,
			  nullable ? "an object or null" : "an object");
}

static int check_schema(struct bench_doc *doc)
{
	const struct json_value *root = doc->root;
	const char *schema;
	double version;

	if (root->type != JSON_OBJECT)
		return doc_fail(
			doc,
			"not a %s document: the top level is %s, not an object",
			REPORT_SCHEMA, json_type_name(root));
	if (member_str(doc, root, "", "schema", false, &schema))
		return doc_fail(doc, "not a %s document: no \"schema\" string",
				REPORT_SCHEMA);
	if (strcmp(schema, REPORT_SCHEMA))
		return doc_fail(doc, "schema is \"%.64s\", not \"%s\"", schema,
				REPORT_SCHEMA);
	if (member_num(doc, root, "", "schema_version", 0, &version))
		return -EINVAL;
	if (version != REPORT_SCHEMA_VERSION)
		return doc_fail(
			doc,
			"schema_version %g is not supported (this tinyvmm reads version %d)",
			version, REPORT_SCHEMA_VERSION);
	return 0;
}

static bool status_known(const char *status)
{
	return !strcmp(status, "OK") || !strcmp(status, "SKIPPED") ||
	       !strcmp(status, "FAILED");
}

/* Every member of the exits object is a number. */
static int check_exits(struct bench_doc *doc, const char *where,
		       const struct json_value *exits)
{
	const char *key;
	double n;

	for (size_t i = 0; i < json_length(exits); i++) {
		const struct json_value *v = json_member_at(exits, i, &key);

		if (!json_as_number(v, &n) || n < 0)
			return doc_fail(
				doc, "%s.exits.%.64s: expected a number >= 0",
				where, key);
	}
	return 0;
}

/* The stats object's median, when it is an object (null: no samples). */
static int load_stats(struct bench_doc *doc, size_t i,
		      const struct json_value *stats, struct bench_doc_bench *b)
{
	char at[48];

	b->has_median = stats != NULL;
	if (!stats)
		return 0;
	snprintf(at, sizeof(at), "benchmarks[%zu].stats", i);
	return member_num(doc, stats, at, "median", 0, &b->median);
}

/*
 * @key (stats or stats_raw) of benchmark @i holds figures that can be
 * true of some samples: n >= 1 and min <= median <= p99 <= max. A file
 * whose figures cannot be would put a made-up ratio in the table or the
 * gate. (Every JSON number is finite: the reader refuses the rest.)
 */
static int check_stats(struct bench_doc *doc, size_t i,
		       const struct json_value *bench, const char *key,
		       const char *name)
{
	const struct json_value *stats = json_get(bench, key);
	double n, min, median, p99, max;
	char at[64];

	if (!stats || stats->type == JSON_NULL)
		return 0;
	snprintf(at, sizeof(at), "benchmarks[%zu] (%.24s).%s", i, name, key);
	if (stats->type != JSON_OBJECT)
		return doc_fail(doc, "%s: expected an object or null, found %s",
				at, json_type_name(stats));
	if (member_num(doc, stats, at, "n", 1, &n) ||
	    member_num(doc, stats, at, "min", 0, &min) ||
	    member_num(doc, stats, at, "median", 0, &median) ||
	    member_num(doc, stats, at, "p99", 0, &p99) ||
	    member_num(doc, stats, at, "max", 0, &max))
		return -EINVAL;
	if (min <= median && median <= p99 && p99 <= max)
		return 0;
	return doc_fail(
		doc,
		"%s: not min <= median <= p99 <= max (min %g, median %g, p99 %g, max %g)",
		at, min, median, p99, max);
}

static int load_bench(struct bench_doc *doc, const struct json_value *v,
		      size_t i, double window_samples,
		      struct bench_doc_bench *b)
{
	const struct json_value *stats;
	double ops_per_sample;
	char where[40];

	snprintf(where, sizeof(where), "benchmarks[%zu]", i);
	if (v->type != JSON_OBJECT)
		return doc_fail(doc, "%s: expected an object, found %s", where,
				json_type_name(v));
	if (member_str(doc, v, where, "name", false, &b->name) ||
	    member_str(doc, v, where, "status", false, &b->status) ||
	    member_str(doc, v, where, "note", true, &b->note) ||
	    member_str(doc, v, where, "unit", true, &b->unit) ||
	    member_num(doc, v, where, "ops_per_sample", 1, &ops_per_sample) ||
	    member_obj(doc, v, where, "stats", true, &stats) ||
	    member_obj(doc, v, where, "exits", false, &b->exits) ||
	    check_exits(doc, where, b->exits) || load_stats(doc, i, stats, b))
		return -EINVAL;
	if (!bench_name_ok(b->name, BENCH_NAME_LEN))
		return doc_fail(
			doc,
			"%s.name: \"%.40s\" is not 1-%d characters of [a-z0-9_]",
			where, b->name, BENCH_NAME_LEN - 1);
	if (!status_known(b->status))
		return doc_fail(
			doc,
			"%s.status: \"%.32s\" is not OK, SKIPPED or FAILED",
			where, b->status);
	if (bench_doc_find(doc, b->name))
		return doc_fail(doc, "%s.name: \"%.64s\" appears twice", where,
				b->name);
	if (check_stats(doc, i, v, "stats", b->name) ||
	    check_stats(doc, i, v, "stats_raw", b->name))
		return -EINVAL;
	b->note = b->note ? b->note : "";
	b->window_ops = window_samples * ops_per_sample;
	return 0;
}

static int load_benches(struct bench_doc *doc, double window_samples)
{
	const struct json_value *list = json_get(doc->root, "benchmarks");
	size_t n = json_length(list);

	if (!list || list->type != JSON_ARRAY)
		return bad_member(doc, "", "benchmarks", list, "an array");
	/* Far above any real run; keeps lookups by name cheap on hostile files. */
	if (n > BENCH_DOC_MAX_BENCHES)
		return doc_fail(doc, "benchmarks: %zu entries, more than %d", n,
				BENCH_DOC_MAX_BENCHES);
	doc->benches = calloc(n ? n : 1, sizeof(*doc->benches));
	if (!doc->benches)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		int ret = load_bench(doc, json_index(list, i), i,
				     window_samples, &doc->benches[i]);

		if (ret)
			return ret;
		doc->nr_benches++;
	}
	return 0;
}

/* host.tags.label: optional, as are the tags (older documents). */
static int load_label(struct bench_doc *doc, const struct json_value *host)
{
	const struct json_value *tags = json_get(host, "tags");

	if (!tags)
		return 0;
	if (member_obj(doc, host, "host", "tags", false, &tags))
		return -EINVAL;
	if (!json_get(tags, "label"))
		return 0;
	return member_str(doc, tags, "host.tags", "label", false, &doc->label);
}

/*
 * config.guest_ram.backing: optional (documents written before it have
 * no guest_ram, and it is null where the run did not know).
 */
static int load_ram_backing(struct bench_doc *doc,
			    const struct json_value *config)
{
	const struct json_value *ram;

	doc->ram_backing = NULL;
	if (!json_get(config, "guest_ram"))
		return 0;
	if (member_obj(doc, config, "config", "guest_ram", true, &ram))
		return -EINVAL;
	if (!ram || !json_get(ram, "backing"))
		return 0;
	return member_str(doc, ram, "config.guest_ram", "backing", false,
			  &doc->ram_backing);
}

/*
 * config.cpu_features, optional (older documents) and null where the arch
 * switches none, as a short text for compare's note: "sve2048 ptrauth
 * pmu" (the features on; SVE with its longest vector in bits), "none on",
 * "none" (null), "unknown" (absent).
 */
static int load_cpu_features(struct bench_doc *doc,
			     const struct json_value *config)
{
	static const char *const names[] = { "sve", "ptrauth", "pmu" };
	const struct json_value *f;
	size_t used = 0;

	snprintf(doc->cpu_features, sizeof(doc->cpu_features), "%s",
		 json_get(config, "cpu_features") ? "none" : "unknown");
	if (!json_get(config, "cpu_features"))
		return 0;
	if (member_obj(doc, config, "config", "cpu_features", true, &f))
		return -EINVAL;
	for (size_t i = 0; f && i < sizeof(names) / sizeof(names[0]); i++) {
		enum bench_doc_flag on;
		double vl = 0;

		if (member_flag(doc, f, "config.cpu_features", names[i], &on))
			return -EINVAL;
		if (on != BENCH_DOC_ON)
			continue;
		if (i == 0 && json_get(f, "sve_max_vl_bits") &&
		    member_num(doc, f, "config.cpu_features", "sve_max_vl_bits",
			       0, &vl))
			return -EINVAL;
		used += (size_t)snprintf(doc->cpu_features + used,
					 sizeof(doc->cpu_features) - used,
					 vl > 0 ? "%s%s%.0f" : "%s%s",
					 used ? " " : "", names[i], vl);
		if (used >= sizeof(doc->cpu_features))
			break;
	}
	if (f && !used)
		snprintf(doc->cpu_features, sizeof(doc->cpu_features),
			 "none on");
	return 0;
}

static int load_doc(struct bench_doc *doc)
{
	const struct json_value *host, *config, *profile;
	double iterations, warmup;

	if (check_schema(doc) ||
	    member_obj(doc, doc->root, "", "host", false, &host) ||
	    member_str(doc, host, "host", "kvm_mode", false, &doc->kvm_mode) ||
	    load_label(doc, host) ||
	    member_obj(doc, doc->root, "", "config", false, &config) ||
	    member_num(doc, config, "config", "iterations", 0, &iterations) ||
	    member_num(doc, config, "config", "warmup", 0, &warmup) ||
	    member_flag(doc, config, "config", "pinned", &doc->pinned) ||
	    member_flag(doc, config, "config", "seccomp", &doc->seccomp) ||
	    member_flag_or_null(doc, config, "config", "its", &doc->its) ||
	    load_ram_backing(doc, config) || load_cpu_features(doc, config))
		return -EINVAL;
	profile = json_get(doc->root, "exit_profile");
	if (profile &&
	    (member_obj(doc, doc->root, "", "exit_profile", false, &profile) ||
	     member_str(doc, profile, "exit_profile", "note", true,
			&doc->profile_note)))
		return -EINVAL;
	return load_benches(doc, iterations + warmup);
}

/* After json_parse() or json_read_file() returned @ret: report, or check. */
static int doc_finish(struct bench_doc *doc, int ret,
		      const struct json_error *jerr)
{
	char error[BENCH_DOC_ERROR_LEN];

	if (ret == -EINVAL && jerr->what)
		return doc_fail(doc, "%s at byte offset %zu", jerr->what,
				jerr->offset);
	if (ret) {
		snprintf(doc->error, sizeof(doc->error), "cannot read: %s",
			 strerror(-ret));
		return ret;
	}
	ret = load_doc(doc);
	if (ret) {
		memcpy(error, doc->error, sizeof(error));
		bench_doc_free(doc);
		memcpy(doc->error, error, sizeof(error));
	}
	return ret;
}

int bench_doc_parse(struct bench_doc *doc, const char *text, size_t len)
{
	struct json_error jerr = { 0 };

	memset(doc, 0, sizeof(*doc));
	return doc_finish(doc, json_parse(text, len, &doc->root, &jerr), &jerr);
}

int bench_doc_load(struct bench_doc *doc, const char *path)
{
	struct json_error jerr = { 0 };

	memset(doc, 0, sizeof(*doc));
	return doc_finish(doc, json_read_file(path, &doc->root, &jerr), &jerr);
}

void bench_doc_free(struct bench_doc *doc)
{
	json_free(doc->root);
	free(doc->benches);
	memset(doc, 0, sizeof(*doc));
}

const struct bench_doc_bench *bench_doc_find(const struct bench_doc *doc,
					     const char *name)
{
	for (size_t i = 0; i < doc->nr_benches; i++)
		if (!strcmp(doc->benches[i].name, name))
			return &doc->benches[i];
	return NULL;
}

bool bench_doc_usable(const struct bench_doc_bench *b)
{
	return b && b->has_median && b->unit && !strcmp(b->status, "OK");
}
