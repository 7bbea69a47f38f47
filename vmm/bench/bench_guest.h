/* SPDX-License-Identifier: MIT */
#ifndef TINYVMM_BENCH_BENCH_GUEST_H
#define TINYVMM_BENCH_BENCH_GUEST_H

#include <stddef.h>

#include "vmm/base/log.h"

/*
 * The benchmark guest built into tinyvmm for the host arch (an image
 * arch_boot_setup() loads from memory). Returns 0, or -ENOENT after
 * printing one line when this build carries none.
 */
TV_MUST_CHECK int bench_carried_guest(const void **image, size_t *len);

#endif
