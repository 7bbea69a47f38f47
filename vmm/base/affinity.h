/* SPDX-License-Identifier: MIT */
/*
 * Host CPUs for tinyvmm's threads (--pin): vCPU i on the i-th CPU this
 * process may run on, the bench I/O backend on the last.
 */
#ifndef TINYVMM_VMM_AFFINITY_H
#define TINYVMM_VMM_AFFINITY_H

#include <pthread.h>

#include "vmm/base/log.h"

/*
 * The @index-th CPU (modulo their number) of those this process may run
 * on, in *@cpu, and how many there are in *@count (may be NULL).
 * Returns 0 or -errno.
 */
TV_MUST_CHECK int affinity_nth_cpu(unsigned int index, int *cpu, int *count);

/* Makes threads created with @attr run only on @cpu. 0 or -errno. */
TV_MUST_CHECK int affinity_attr_pin(pthread_attr_t *attr, int cpu);

#endif
