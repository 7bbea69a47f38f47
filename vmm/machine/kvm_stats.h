/* SPDX-License-Identifier: MIT */
/*
 * KVM's binary statistics (Documentation/virt/kvm/api.rst, "KVM_GET_STATS_FD"):
 * one stats file per VM and per vCPU, each a header, descriptors and a
 * data block. tinyvmm reads the header and descriptors once, keeps the
 * cumulative counters (KVM_STATS_TYPE_CUMULATIVE, unit none, one value:
 * "how many times did X happen"; peaks, instants, histograms and times are
 * not exit counts), and snapshots them with one pread per file. A vCPU
 * counter is summed over all vCPUs; VM counters are taken as they are.
 */
#ifndef TINYVMM_VMM_KVM_STATS_H
#define TINYVMM_VMM_KVM_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

struct vm;

#define KVM_STATS_NAME_LEN 64

struct kvm_stat_counter {
	char name[KVM_STATS_NAME_LEN];
	unsigned int source; /* 0: the VM file; 1: the vCPU files (summed) */
	size_t index;	     /* in the data block, in u64 */
};

struct kvm_stat_file {
	int fd;
	uint32_t data_offset;
	size_t data_words; /* u64 values in the data block */
};

struct kvm_stats {
	bool available;
	char note[160]; /* why not available */
	struct kvm_stat_counter *counters;
	unsigned int nr;
	struct kvm_stat_file *files; /* [0] the VM, [1..] the vCPUs */
	unsigned int nr_files;
	uint64_t *buf; /* one data block, reused by every snapshot */
	size_t buf_words;
};

/*
 * Opens the stats files of @vm and its vCPUs. A host without
 * KVM_CAP_BINARY_STATS_FD, or whose files do not parse, leaves
 * available false and a note saying why; that is not an error. Returns
 * 0, or -ENOMEM.
 */
TV_MUST_CHECK int kvm_stats_open(struct kvm_stats *s, const struct vm *vm);

/*
 * Reads every counter into @values (s->nr of them). No allocation; safe
 * from any thread, one caller at a time. Returns 0 or -errno.
 */
TV_MUST_CHECK int kvm_stats_snapshot(struct kvm_stats *s, uint64_t *values);

void kvm_stats_close(struct kvm_stats *s);

#endif
