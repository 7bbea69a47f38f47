/* SPDX-License-Identifier: MIT */
/*
 * Little-endian loads and stores at any alignment, for the structures the
 * x86 boot protocol and ACPI lay out byte by byte. Byte at a time, so the
 * same code is right on any host.
 */
#ifndef TINYVMM_ARCH_X86_LE_H
#define TINYVMM_ARCH_X86_LE_H

#include <stdint.h>

static inline uint64_t x86_get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

static inline void x86_put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

#endif /* TINYVMM_ARCH_X86_LE_H */
