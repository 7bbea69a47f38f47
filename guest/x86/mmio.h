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

#include <stdint.h>

static inline void mmio_write8(uintptr_t addr, uint8_t val)
{
	asm volatile("movb %0, (%1)" : : "q"(val), "r"(addr) : "memory");
}

static inline void mmio_write16(uintptr_t addr, uint16_t val)
{
	asm volatile("movw %0, (%1)" : : "r"(val), "r"(addr) : "memory");
}

static inline void mmio_write32(uintptr_t addr, uint32_t val)
{
	asm volatile("movl %0, (%1)" : : "r"(val), "r"(addr) : "memory");
}

static inline void mmio_write64(uintptr_t addr, uint64_t val)
{
	asm volatile("movq %0, (%1)" : : "r"(val), "r"(addr) : "memory");
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t val;

	asm volatile("movb (%1), %0" : "=q"(val) : "r"(addr) : "memory");
	return val;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
	uint16_t val;

	asm volatile("movw (%1), %0" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t val;

	asm volatile("movl (%1), %0" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
	uint64_t val;

	asm volatile("movq (%1), %0" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

#endif
