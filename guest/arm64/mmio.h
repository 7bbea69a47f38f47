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

#include <stdint.h>

static inline void mmio_write8(uintptr_t addr, uint8_t val)
{
	asm volatile("strb %w0, [%1]" : : "rZ"(val), "r"(addr) : "memory");
}

static inline void mmio_write16(uintptr_t addr, uint16_t val)
{
	asm volatile("strh %w0, [%1]" : : "rZ"(val), "r"(addr) : "memory");
}

static inline void mmio_write32(uintptr_t addr, uint32_t val)
{
	asm volatile("str %w0, [%1]" : : "rZ"(val), "r"(addr) : "memory");
}

static inline void mmio_write64(uintptr_t addr, uint64_t val)
{
	asm volatile("str %x0, [%1]" : : "rZ"(val), "r"(addr) : "memory");
}

static inline uint8_t mmio_read8(uintptr_t addr)
{
	uint8_t val;

	asm volatile("ldrb %w0, [%1]" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

static inline uint16_t mmio_read16(uintptr_t addr)
{
	uint16_t val;

	asm volatile("ldrh %w0, [%1]" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

static inline uint32_t mmio_read32(uintptr_t addr)
{
	uint32_t val;

	asm volatile("ldr %w0, [%1]" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

static inline uint64_t mmio_read64(uintptr_t addr)
{
	uint64_t val;

	asm volatile("ldr %x0, [%1]" : "=r"(val) : "r"(addr) : "memory");
	return val;
}

#endif
