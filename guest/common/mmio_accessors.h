/* SPDX-License-Identifier: MIT */
/*
 * Writes the guests' MMIO accessors, mmio_read<bits>() and
 * mmio_write<bits>(), from one instruction each: every arch's mmio.h
 * names the instruction and the operand constraints that make the access
 * one the hypervisor can decode, and says why.
 */
#ifndef TINYVMM_GUEST_COMMON_MMIO_ACCESSORS_H
#define TINYVMM_GUEST_COMMON_MMIO_ACCESSORS_H

#include <stdint.h>

/* The "memory" clobber keeps each access in order with other memory. */
#define GUEST_MMIO_WRITE(bits, insn, val_constraint)            \
	static inline void mmio_write##bits(uintptr_t addr,     \
					    uint##bits##_t val) \
	{                                                       \
		asm volatile(insn                               \
			     :                                  \
			     : val_constraint(val), "r"(addr)   \
			     : "memory");                       \
	}

#define GUEST_MMIO_READ(bits, insn, val_constraint)                  \
	static inline uint##bits##_t mmio_read##bits(uintptr_t addr) \
	{                                                            \
		uint##bits##_t val;                                  \
                                                                     \
		asm volatile(insn                                    \
			     : val_constraint(val)                   \
			     : "r"(addr)                             \
			     : "memory");                            \
		return val;                                          \
	}

#endif
