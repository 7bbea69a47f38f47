/* SPDX-License-Identifier: MIT */
/*
 * MMIO accessors for the x86_64 guests (guest/common/bench.h and
 * guest/common/hostile.h want them).
 *
 * KVM hands an MMIO access to the in-kernel device or to tinyvmm after
 * decoding the instruction that faulted, so each helper is exactly one
 * plain "mov" of the access's width, which its emulator decodes (a
 * compiler could merge, split or widen a volatile access, or use an
 * instruction the emulator does not know). The "memory" clobber keeps
 * the order against other memory accesses.
 */
#ifndef TINYVMM_GUEST_X86_MMIO_H
#define TINYVMM_GUEST_X86_MMIO_H

#include "mmio_accessors.h"

/* clang-format off */
GUEST_MMIO_WRITE(8, "movb %0, (%1)", "q")
GUEST_MMIO_WRITE(16, "movw %0, (%1)", "r")
GUEST_MMIO_WRITE(32, "movl %0, (%1)", "r")
GUEST_MMIO_WRITE(64, "movq %0, (%1)", "r")
GUEST_MMIO_READ(8, "movb (%1), %0", "=q")
GUEST_MMIO_READ(16, "movw (%1), %0", "=r")
GUEST_MMIO_READ(32, "movl (%1), %0", "=r")
GUEST_MMIO_READ(64, "movq (%1), %0", "=r")
/* clang-format on */

#endif
