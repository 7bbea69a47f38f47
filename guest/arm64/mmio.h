/* SPDX-License-Identifier: MIT */
/*
 * MMIO accessors for the arm64 guests.
 *
 * Why inline asm: an MMIO access traps to the VMM, and KVM can only hand
 * it over when the data abort carries a valid instruction syndrome
 * (ESR_ELx.ISV, Arm ARM D17.2.40): single-register loads and stores
 * without writeback. A compiler may legally pick ldp/stp, pre/post-index
 * addressing or split an access; KVM then fails the vCPU run with
 * -ENOSYS. Each helper here is exactly one ldr/str with a plain base
 * register, and a "memory" clobber so the compiler keeps the order.
 */
#ifndef TINYVMM_GUEST_ARM64_MMIO_H
#define TINYVMM_GUEST_ARM64_MMIO_H

#include "mmio_accessors.h"

/* clang-format off */
GUEST_MMIO_WRITE(8, "strb %w0, [%1]", "rZ")
GUEST_MMIO_WRITE(16, "strh %w0, [%1]", "rZ")
GUEST_MMIO_WRITE(32, "str %w0, [%1]", "rZ")
GUEST_MMIO_WRITE(64, "str %x0, [%1]", "rZ")
GUEST_MMIO_READ(8, "ldrb %w0, [%1]", "=r")
GUEST_MMIO_READ(16, "ldrh %w0, [%1]", "=r")
GUEST_MMIO_READ(32, "ldr %w0, [%1]", "=r")
GUEST_MMIO_READ(64, "ldr %x0, [%1]", "=r")
/* clang-format on */

#endif
