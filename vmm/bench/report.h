/* SPDX-License-Identifier: MIT */
/*
 * The results of `tinyvmm --bench`: a table on stdout and, with --json
 * FILE, a JSON document written by hand (strings escaped per RFC 8259:
 * '"', '\\' and control characters; other bytes pass through, so UTF-8
 * stays UTF-8).
 *
 * JSON schema "tinyvmm-bench", version 1
 * --------------------------------------
 * {
 *   "schema": "tinyvmm-bench",
 *   "schema_version": 1,
 *   "tinyvmm_version": "0.1.0",
 *   "host": {
 *     "kernel_release": "6.1.0-56-arm64",      uname -r
 *     "machine": "aarch64",                    uname -m
 *     "cpu": "2 x MIDR implementer 0x00 part 0x051",
 *     "kvm_mode": "VHE",        as --host-info: "VHE", "split (nVHE)",
 *                               "protected (pKVM, nVHE)", ..., "unknown"
 *     "kvm_mode_evidence": ["kernel log: ...", ...],
 *     "irqchip": "vGICv3, ITS offered (on unless --no-its)",
 *                               as --host-info's irqchip line; null
 *                               where the arch says nothing (x86_64)
 *     "emulated": true,         true: the host CPU is emulated (QEMU TCG);
 *                               false: no sign of it; null: cannot tell
 *                               (e.g. QEMU's virt board, TCG or KVM)
 *     "emulated_evidence": ["/proc/cpuinfo: CPU implementer 0x00 ...", ...],
 *     "tags": {"icount": "on"}  --tag KEY=VALUE, as given (a repeated
 *                               KEY: the last one); icount=on makes PMU
 *                               figures "instructions (icount)"; label
 *                               titles the run's column in tinyvmm compare
 *   },
 *   "config": {"cpus": 2, "pinned": true, "seccomp": true,
 *              "guest_ram": {...}, "iterations": 1000, "warmup": 100,
 *              "its": true,
 *              "cpu_features": {"sve": true, "sve_max_vl_bits": 2048,
 *                               "ptrauth": true, "pmu": true}},
 *                               pinned: each vCPU thread bound to its own
 *                               host CPU (--pin, the --bench default);
 *                               seccomp: the threads confined by their
 *                               seccomp filters (false: --no-seccomp), whose
 *                               cost the userspace exits (mmio_user, io_*)
 *                               include
 *                               guest_ram: how guest RAM was backed, or
 *                               null: {"size": 268435456, "gpa": 2147483648,
 *                               "backing": "thp" | "off" | "hugetlbfs"
 *                               (--hugepages), "page_size": 2097152 (the
 *                               hugetlbfs page; null otherwise),
 *                               "align": 2097152 (host address == gpa
 *                               modulo this), "shared": false (a memfd a
 *                               vhost-user backend maps), "host_thp":
 *                               "madvise" (the host's THP policy for that
 *                               memory; null for hugetlbfs or unknown),
 *                               "summary": "256 MiB at 0x80000000, ..."
 *                               (the -v line)};
 *                               its: the GICv3 ITS is there
 *                               (arm64: false with --no-its or where
 *                               KVM offers none; null on x86_64, which
 *                               has no such part), which lpi needs;
 *                               cpu_features: what the vCPUs had
 *                               (arm64: --no-sve, --no-ptrauth, --pmu=off
 *                               turn them off; sve_max_vl_bits is KVM's
 *                               longest vector, 0 without SVE), which
 *                               changes what a world switch saves and
 *                               restores; null where the arch switches
 *                               none (x86_64)
 *   "exit_profile": {
 *     "window": "KVM counters between BEGIN and REPORT: ...",
 *     "note": null              or why there are no exit profiles
 *   },
 *   "benchmarks": [
 *     {
 *       "name": "hypercall",
 *       "status": "OK",         "OK" | "SKIPPED" | "FAILED"
 *       "note": "",             the guest's, or tinyvmm's reason
 *       "counter": "pmu_cycles", "pmu_cycles" | "cntvct" | "tsc" | null (bad
 *                               report)
 *       "unit": "cycles",       "cycles" | "instructions (icount)" | "ns"
 *                               | null (bad report)
 *       "counter_hz": 0,        CNTVCT frequency; 0 for PMU cycles and the
 *                               TSC (its rate is unknown)
 *       "ops_per_sample": 1,
 *       "stats": {              per operation, in "unit"; null: no samples
 *         "n": 1000, "mean": 6413.2, "median": 6400, "min": 6390,
 *         "max": 7000, "p99": 6500, "stddev": 12.5,
 *         "outliers": 0,        samples above 4x the median (none when
 *                               the median is 0)
 *         "outlier_share": 0,   their sum over all samples' sum, 0..1
 *         "mean_without_outliers": 6413.2
 *                               the mean of the other samples
 *       },
 *       "raw_unit": "cycles",   "cycles" | "ticks" (CNTVCT, TSC): the
 *                               counter's own unit
 *                               (null: bad report)
 *       "stats_raw": {...},     the same per operation in raw_unit
 *       "exits": {"exits": 1001, "hvc_exit_stat": 1000, ...}
 *                               non-zero KVM counter deltas (see
 *                               exit_profile.window); {} when none
 *       "vmm_userspace": {      tinyvmm's own share of the MMIO exits in
 *         "mmio_exits": 17601,  the same window: host counter ticks from
 *         "ticks": 1234567,     KVM_RUN returning with KVM_EXIT_MMIO to
 *         "counter_hz": 62500000, calling KVM_RUN again (BEGIN's exit in,
 *         "per_exit": 1122.4,   REPORT's out); per_exit in unit ("ns",
 *         "unit": "ns"          "instructions (icount)", or "host counter
 *       }                       ticks" when the rate is unknown); null
 *                               per_exit and unit without MMIO exits
 *     }
 *   ]
 * }
 * Members may be added within a version: a reader ignores what it does
 * not know, and takes an added member that is absent (a document written
 * before it existed) as unknown. config.pinned, config.seccomp,
 * config.guest_ram and config.cpu_features were added so (and config.its,
 * which compare does not read); `tinyvmm compare` reads them that way
 * (vmm/compare/bench_doc.h). So
 * were outliers, outlier_share and mean_without_outliers in stats and
 * stats_raw, which compare does not read.
 * Statistics are defined in vmm/bench/stats.h (p99 nearest-rank, stddev
 * the sample standard deviation, outliers above STATS_OUTLIER_FACTOR
 * times the median). Numbers are JSON numbers ("%.15g" for
 * fractions, integers for counts).
 * The same as a JSON Schema (draft 2020-12): schema/bench.schema.json;
 * a member added here goes there too (test_report checks every document
 * it makes against it).
 */
#ifndef TINYVMM_VMM_REPORT_H
#define TINYVMM_VMM_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vmm/base/cpu_features.h"
#include "vmm/bench/bench_result.h"
#include "vmm/base/guest_mem.h"
#include "vmm/machine/hostinfo.h"
#include "vmm/base/log.h"

#define REPORT_SCHEMA "tinyvmm-bench"
#define REPORT_SCHEMA_VERSION 1

struct report_run {
	const char *tinyvmm_version;
	const struct host_info *host;
	const struct host_emulation *emulation;
	const char *const *tags; /* "KEY=VALUE" */
	unsigned int nr_tags;
	unsigned int cpus;
	bool pinned;  /* vCPU threads pinned one per host CPU (--pin) */
	bool seccomp; /* threads confined by seccomp (not --no-seccomp) */
	/* Guest RAM as mapped (NULL: unknown), and the host's THP policy
	 * for its kind of memory (guest_mem_host_thp(); "" unknown). */
	const struct guest_mem_region *ram;
	const char *ram_host_thp;
	/* The guest's CPU features; NULL or !valid: none to report. */
	const struct cpu_features *cpu_features;
	uint32_t iterations, warmup;
	int its; /* arch_vm_its(): 1 on, 0 off, -1 no such part (x86) */
	const struct bench_result *results;
	unsigned int nr_results;
	const char *profile_note; /* NULL: exit profiles were taken */
};

/* Whether the run is under QEMU -icount: --tag icount=on. */
bool report_icount(const struct report_run *run);

/* The table: one row per benchmark, then the exit window's note. */
void report_print_table(const struct report_run *run, FILE *out);

/* The JSON document. Returns 0, or -EIO when @out reports an error. */
TV_MUST_CHECK int report_write_json(const struct report_run *run, FILE *out);

/* @s as a JSON string literal, quotes included. */
void report_json_string(FILE *out, const char *s);

#endif
