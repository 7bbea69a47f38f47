/* SPDX-License-Identifier: MIT */
/* The tinyvmm command line: parsing and validation, no side effects. */
#ifndef TINYVMM_VMM_OPTIONS_H
#define TINYVMM_VMM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guest/common/bench_protocol.h"
#include "virtio/blk_spec.h"
#include "virtio/net_spec.h"
#include "vmm/base/cpu_features.h"
#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"

#define OPTIONS_DEFAULT_MEM (256ULL << 20)
#define OPTIONS_DEFAULT_CPUS 1
/* --bench: virtual_ipi needs a second vCPU, so two unless --cpus says. */
#define OPTIONS_BENCH_DEFAULT_CPUS 2
#define OPTIONS_DEFAULT_ITERATIONS 1000
#define OPTIONS_MAX_ITERATIONS 1000000
#define OPTIONS_DEFAULT_WARMUP 100
#define OPTIONS_MAX_WARMUP 1000000
#define OPTIONS_MAX_BENCH_SELECT 16
#define OPTIONS_MAX_TAGS 16
#define OPTIONS_MAX_DISKS 8
#define OPTIONS_MAX_NETS 4

struct options {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *dtb_out;
	uint64_t mem_size;
	/* --hugepages: thp (default), off, hugetlbfs[:2M|1G]. */
	enum guest_mem_huge huge;
	uint64_t hugetlb_page; /* hugetlbfs: 2 MiB (default) or 1 GiB */
	unsigned int nr_cpus;
	bool host_info;
	bool verbose;
	bool no_seccomp; /* --no-seccomp: threads stay unconfined */
	bool no_its;	 /* --no-its: arm64 leaves the GICv3 ITS out */
	bool cpus_given;
	/* Pin vCPU i to the i-th CPU tinyvmm may run on: --pin / --no-pin;
	 * on by default with --bench. */
	bool pin_vcpus;
	bool pin_given;

	/* --bench and its options; meaningful only with bench set. */
	bool bench;
	uint32_t iterations;
	uint32_t warmup;
	const char *json;
	/* --bench-only, split: names point into bench_only_buf. */
	char bench_only_buf[OPTIONS_MAX_BENCH_SELECT * BENCH_NAME_LEN];
	const char *bench_select[OPTIONS_MAX_BENCH_SELECT];
	unsigned int nr_bench_select;
	/* --tag KEY=VALUE, as given (argv strings). */
	const char *tags[OPTIONS_MAX_TAGS];
	unsigned int nr_tags;

	/*
	 * --sve=on|off, --no-sve, --ptrauth=on|off, --no-ptrauth,
	 * --pmu=on|off (the last one given wins); cpu_arg is the value as
	 * given (NULL for --no-X), for messages.
	 */
	struct cpu_features_request cpu;
	const char *cpu_arg[CPU_FEATURE_COUNT];
	enum cpu_nested nested; /* --nested[=vhe|nvhe]; off by default */

	/* --disk, --net (repeatable), in command-line order. */
	struct disk_spec disks[OPTIONS_MAX_DISKS];
	unsigned int nr_disks;
	struct net_spec nets[OPTIONS_MAX_NETS];
	unsigned int nr_nets;

	bool help;
	bool version;
};

/*
 * Parses "256M", "1G", "512MiB", "4096K", "2T"; a bare number means MiB
 * (as QEMU's -m). Returns 0, or -EINVAL for an empty, negative, malformed
 * or unknown-suffix string, -ERANGE when it does not fit in 64 bits.
 */
TV_MUST_CHECK int parse_size(const char *s, uint64_t *bytes);

/*
 * Parses a --hugepages value: "thp", "off", "hugetlbfs" (2 MiB pages),
 * "hugetlbfs:SIZE" with SIZE 2M or 1G (any parse_size() spelling of
 * them). Returns 0, or -EINVAL after printing one line.
 */
TV_MUST_CHECK int options_parse_hugepages(const char *arg, struct options *o);

/*
 * Splits a --bench-only list "a,b_2,c" into @o's bench_select. Returns 0,
 * or -EINVAL after printing one line: an empty name, a character outside
 * [a-z0-9_], a name of BENCH_NAME_LEN or more, a name not in the bench
 * protocol's BENCH_NAMES (the line lists them), more than
 * OPTIONS_MAX_BENCH_SELECT names.
 */
TV_MUST_CHECK int options_parse_bench_only(const char *list, struct options *o);

/*
 * Parses argv into @opts (defaults filled first). The limits (@max_mem,
 * @max_cpus) are the arch memory map's. Returns 0, or -EINVAL after
 * printing one line that names the bad option and why.
 */
TV_MUST_CHECK int options_parse(int argc, char **argv, uint64_t max_mem,
				unsigned int max_cpus, struct options *opts);

/*
 * Refuses a CPU feature switch the arch cannot honour: @supported is
 * arch_platform()->cpu_features (CPU_FEATURE_BIT()s), @arch its name.
 * Returns 0, or -EINVAL after one line naming the switch.
 */
TV_MUST_CHECK int options_check_cpu_features(const struct options *o,
					     unsigned int supported,
					     const char *arch);

/*
 * Refuses --nested where the arch cannot give vCPUs EL2 (@supported
 * false; @arch its name). Returns 0, or -EINVAL after one line.
 */
TV_MUST_CHECK int options_check_nested(const struct options *o, bool supported,
				       const char *arch);

void options_usage(FILE *out);

#endif
