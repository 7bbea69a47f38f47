/* SPDX-License-Identifier: MIT */
/*
 * An address bus: non-overlapping ranges, each owned by a device. The MMIO
 * bus and (on x86) the port I/O bus are both one of these. Devices are
 * registered during set-up, before any vCPU runs; lookups after that are
 * read-only and need no lock.
 */
#ifndef TINYVMM_VMM_BUS_H
#define TINYVMM_VMM_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/base/log.h"

struct bus_device_ops {
	/*
	 * @offset is relative to the range base, @len is 1, 2, 4 or 8 and
	 * offset + len never crosses the range end (the bus checks). A read
	 * fills @data (little-endian bytes, as KVM passes them).
	 */
	void (*read)(void *opaque, uint64_t offset, void *data, uint32_t len);
	void (*write)(void *opaque, uint64_t offset, const void *data,
		      uint32_t len);
};

struct bus_range {
	uint64_t base, len;
	const char *name;
	const struct bus_device_ops *ops;
	void *opaque;
};

struct bus {
	const char *name;	  /* "mmio" or "pio", for messages */
	struct bus_range *ranges; /* sorted by base */
	unsigned int nr, cap;
};

void bus_init(struct bus *bus, const char *name);
void bus_destroy(struct bus *bus);

/*
 * Adds [base, base + len). Returns 0, -EINVAL for len 0 or a range that
 * wraps past 2^64, -EEXIST when it overlaps a registered range, -ENOMEM.
 */
TV_MUST_CHECK int bus_register(struct bus *bus, uint64_t base, uint64_t len,
			       const char *name,
			       const struct bus_device_ops *ops, void *opaque);

/* The range holding all of [addr, addr + len), or NULL. */
const struct bus_range *bus_find(const struct bus *bus, uint64_t addr,
				 uint32_t len);

/*
 * Dispatches one access. Returns true when a device took it; false when
 * nothing is mapped there (a read then returns all ones, like an open bus).
 */
bool bus_access(const struct bus *bus, uint64_t addr, void *data, uint32_t len,
		bool is_write);

#endif
