/* SPDX-License-Identifier: MIT */
/* The tinyvmm command line: parsing and validation, no side effects. */
#ifndef TINYVMM_VMM_OPTIONS_H
#define TINYVMM_VMM_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "log.h"

#define OPTIONS_DEFAULT_MEM (256ULL << 20)
#define OPTIONS_DEFAULT_CPUS 1

struct options {
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *dtb_out;
	uint64_t mem_size;
	unsigned int nr_cpus;
	bool host_info;
	bool verbose;
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
 * Parses argv into @opts (defaults filled first). The limits (@max_mem,
 * @max_cpus) are the arch memory map's. Returns 0, or -EINVAL after
 * printing one line that names the bad option and why.
 */
TV_MUST_CHECK int options_parse(int argc, char **argv, uint64_t max_mem,
				unsigned int max_cpus, struct options *opts);

void options_usage(FILE *out);

#endif
