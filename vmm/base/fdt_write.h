/* SPDX-License-Identifier: MIT */
/*
 * Small helpers over libfdt's sequential-write API that every arch's
 * device-tree builder needs, and the one writer of a device's node from
 * its description (device_desc.h), so arm64 and x86 guests read the
 * same nodes. Pure: no KVM.
 * Every helper returns 0, -E2BIG when the tree's buffer is full, or
 * -EINVAL.
 */
#ifndef TINYVMM_VMM_FDT_WRITE_H
#define TINYVMM_VMM_FDT_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/base/device_desc.h"

/* libfdt returns -FDT_ERR_*; the rest of tinyvmm speaks -errno. */
int fdt_write_errno(int err);

/* Returns from the calling function with -errno when a libfdt call fails. */
#define FDT_TRY(call)                                         \
	do {                                                  \
		int fdt_try_ret_ = (call);                    \
		if (fdt_try_ret_ < 0)                         \
			return fdt_write_errno(fdt_try_ret_); \
	} while (0)

/* The most cells fdt_write_cells() writes in one property: arm64's
 * five timer interrupts of three cells (a guest hypervisor's). */
#define FDT_WRITE_MAX_CELLS 15

/* A property of @n (at most FDT_WRITE_MAX_CELLS) 32-bit cells. */
int fdt_write_cells(void *fdt, const char *name, const uint32_t *cells,
		    unsigned int n);

/* One reg entry with #address-cells = #size-cells = 2: four cells. */
void fdt_write_reg_entry(uint32_t cells[4], uint64_t addr, uint64_t size);

/*
 * Writes a whole tree into @buf (@size bytes): the header, an empty
 * reserve map, the root node with whatever @write_root writes into it
 * (its properties and subnodes, from @ctx), and the end. 0 or -errno.
 */
int fdt_write_tree(void *buf, size_t size,
		   int (*write_root)(void *fdt, const void *ctx),
		   const void *ctx);

/* Begins node "@base@<unit in hex>". */
int fdt_write_begin_node(void *fdt, const char *base, uint64_t unit);

/* A string-list property ("a\0b\0"), at most 512 bytes. */
int fdt_write_string_list(void *fdt, const char *name, const char *const *list,
			  unsigned int n);

/*
 * Writes <node>@<base> for @d: compatible, reg (2 + 2 cells), interrupts
 * (@irq_cells, the arch's format of d->irq, when d->has_irq),
 * dma-coherent, then the kind's own properties.
 */
int fdt_write_device(void *fdt, const struct device_desc *d,
		     const uint32_t *irq_cells, unsigned int nr_irq_cells);

/*
 * The arch's interrupt specifier for interrupt line @irq (arch_platform()
 * numbering), edge-triggered, in @cells (FDT_WRITE_MAX_CELLS); returns
 * how many cells.
 */
typedef unsigned int (*fdt_irq_cells_fn)(unsigned int irq, uint32_t *cells);

/* fdt_write_device() for each of @devices[0..@n), in order. */
int fdt_write_devices(void *fdt, const struct device_desc *devices,
		      unsigned int n, fdt_irq_cells_fn irq_cells);

#endif
