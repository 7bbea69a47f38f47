/* SPDX-License-Identifier: MIT */
/*
 * One benchmark's result as the host keeps it: the guest's struct
 * bench_report (bench_protocol.h) copied out of guest RAM and checked, its
 * samples copied into host memory, and the exit profile the bench device
 * adds. Pure (guest RAM through guest_mem_ptr() only), unit-tested.
 */
#ifndef TINYVMM_VMM_BENCH_RESULT_H
#define TINYVMM_VMM_BENCH_RESULT_H

#include <stdbool.h>
#include <stdint.h>

#include "guest/common/bench_protocol.h"
#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"

#define BENCH_RESULT_NOTE_LEN (BENCH_NOTE_LEN + 96)
#define BENCH_EXIT_NAME_LEN 64

/* A KVM statistic that moved while the benchmark ran. */
struct bench_exit {
	char name[BENCH_EXIT_NAME_LEN];
	uint64_t delta;
};

struct bench_result {
	char name[BENCH_NAME_LEN];
	uint32_t status;  /* enum bench_status */
	uint32_t counter; /* enum bench_counter; 0 when the report was bad */
	uint64_t counter_hz;
	uint32_t ops_per_sample;
	uint32_t nr_samples;
	uint64_t *samples;		  /* host copy, malloc'd */
	char note[BENCH_RESULT_NOTE_LEN]; /* printable ASCII only */
	struct bench_exit *exits;	  /* non-zero deltas, largest first */
	unsigned int nr_exits;
	/* tinyvmm's userspace share of the MMIO exits in the window. */
	uint64_t vmm_mmio_exits, vmm_mmio_ticks, vmm_counter_hz;
};

/*
 * Copies the struct bench_report at guest address @gpa and its samples into
 * @out, checking everything the guest controls: the report and the sample
 * array inside RAM (overflow-safe), name NUL-terminated and [a-z0-9_]+,
 * status and counter known, ops_per_sample >= 1, counter_hz set for
 * CNTVCT, nr_samples <= BENCH_MAX_SAMPLES, an OK benchmark with samples.
 * The note is cut at its NUL (or its end) and non-printable bytes become
 * '?'.
 * Returns 0; or -EINVAL/-EFAULT with @out marked FAILED and a note saying
 * what was wrong (named "#@index" when the name itself is unusable);
 * -ENOMEM. Never reads outside guest RAM, never trusts a value twice.
 */
TV_MUST_CHECK int bench_result_from_guest(const struct guest_mem *mem,
					  uint64_t gpa, unsigned int index,
					  struct bench_result *out);

/* Marks @r failed with @fmt as its note (keeps the name). */
void bench_result_fail(struct bench_result *r, const char *fmt, ...)
	TV_PRINTF(2, 3);

/* Frees samples and exits; @r may be zeroed or half filled. */
void bench_result_free(struct bench_result *r);

const char *bench_status_name(uint32_t status);

/*
 * A benchmark name as the protocol allows it: 1 to @size - 1 characters
 * of [a-z0-9_], NUL-terminated within @size bytes.
 */
bool bench_name_ok(const char *name, size_t size);

#endif
