/* SPDX-License-Identifier: MIT */
/*
 * A "tinyvmm-bench" JSON document (schema in report.h), read back and
 * checked, for `tinyvmm compare`. Only what comparing needs is checked and
 * kept; a document that lacks it, or has the wrong type for it, or another
 * schema or schema_version, is refused with one line in doc->error.
 *
 * Needed: "schema" "tinyvmm-bench", "schema_version" 1, host.kvm_mode
 * (string), host.tags (an object; optional) and its label (a string;
 * optional: the column title, --tag label=...), config.iterations and config.warmup (numbers >= 0),
 * config.pinned and config.seccomp (true or false; optional: absent is
 * unknown, as in documents written before they existed), config.its
 * (true, false, or null where the arch has none; optional),
 * config.guest_ram (an object or null; optional, as those) and its
 * backing (a string; optional),
 * config.cpu_features (null, or an object whose sve, ptrauth, pmu are
 * true or false and sve_max_vl_bits a number >= 0, each optional; the
 * whole optional too),
 * exit_profile.note (string or null; optional), "benchmarks" (array) of
 * objects with name (string, unique), status ("OK", "SKIPPED", "FAILED"),
 * note and unit (string or null), ops_per_sample (number >= 1), stats
 * (null, or an object with numbers n >= 1 and min, median, p99, max >= 0
 * where min <= median <= p99 <= max), stats_raw (the same; optional) and
 * exits (an object of numbers). A refusal of a benchmark's statistics
 * names it: "benchmarks[0] (hypercall).stats: ...". Anything else is
 * ignored. Schemas: schema/bench.schema.json says all of it.
 */
#ifndef TINYVMM_VMM_BENCH_DOC_H
#define TINYVMM_VMM_BENCH_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/compare/json.h"
#include "vmm/base/log.h"

#define BENCH_DOC_ERROR_LEN 256
/* Benchmarks one document may hold: a run reports at most 16. */
#define BENCH_DOC_MAX_BENCHES 4096

/* One benchmark; strings point into the document's tree. */
struct bench_doc_bench {
	const char *name;
	const char *status; /* "OK", "SKIPPED" or "FAILED" */
	const char *note;   /* "" when none */
	const char *unit;   /* NULL: the report had none */
	bool has_median;    /* stats was an object */
	double median;	    /* per operation, in unit */
	/* Operations the exit window saw: warm-up and measured samples. */
	double window_ops;
	const struct json_value *exits; /* an object: counter -> delta */
};

/* A true/false member that older documents lack. */
enum bench_doc_flag {
	BENCH_DOC_UNKNOWN,
	BENCH_DOC_OFF,
	BENCH_DOC_ON,
};

struct bench_doc {
	struct json_value *root;
	const char *kvm_mode;
	const char *label;	     /* host.tags.label; NULL: none */
	enum bench_doc_flag pinned;  /* config.pinned */
	enum bench_doc_flag seccomp; /* config.seccomp */
	enum bench_doc_flag its;     /* config.its; null is unknown */
	/* config.guest_ram.backing ("thp", "off", "hugetlbfs"); NULL: unknown */
	const char *ram_backing;
	/* config.cpu_features, short: "sve2048 ptrauth pmu", "none on",
	 * "none" (null: the arch switches none), "unknown" (absent) */
	char cpu_features[48];
	const char *profile_note; /* NULL: exit profiles were taken */
	struct bench_doc_bench *benches;
	size_t nr_benches;
	char error[BENCH_DOC_ERROR_LEN]; /* why loading failed */
};

/*
 * Parses and checks @len bytes of JSON. Returns 0; -EINVAL with
 * @doc->error set (malformed JSON: "what at byte offset N"; or the schema
 * check's finding); -ENOMEM. On error nothing is left to free.
 */
TV_MUST_CHECK int bench_doc_parse(struct bench_doc *doc, const char *text,
				  size_t len);

/* As bench_doc_parse() on the file @path; I/O errors set @doc->error too. */
TV_MUST_CHECK int bench_doc_load(struct bench_doc *doc, const char *path);

/* Frees what a successful parse or load holds; a zeroed @doc is fine. */
void bench_doc_free(struct bench_doc *doc);

/* The benchmark @name of @doc, or NULL. */
const struct bench_doc_bench *bench_doc_find(const struct bench_doc *doc,
					     const char *name);

/* OK with a median and a unit: a figure that can be compared. */
bool bench_doc_usable(const struct bench_doc_bench *b);

#endif
