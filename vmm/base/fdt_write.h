/* SPDX-License-Identifier: MIT */
/*
 * Small helpers over libfdt's sequential-write API that every arch's
 * device-tree builder needs, and the bench device's node (one writer, so
 * arm64 and x86 guests read the same node). Pure: no KVM.
 * Every helper returns 0, -E2BIG when the tree's buffer is full, or
 * -EINVAL.
 */
#ifndef TINYVMM_VMM_FDT_WRITE_H
#define TINYVMM_VMM_FDT_WRITE_H

#include <stdint.h>

/* libfdt returns -FDT_ERR_*; the rest of tinyvmm speaks -errno. */
int fdt_write_errno(int err);

/* Returns from the calling function with -errno when a libfdt call fails. */
#define FDT_TRY(call)                                         \
	do {                                                  \
		int fdt_try_ret_ = (call);                    \
		if (fdt_try_ret_ < 0)                         \
			return fdt_write_errno(fdt_try_ret_); \
	} while (0)

/* The most cells fdt_write_cells() writes in one property. */
#define FDT_WRITE_MAX_CELLS 12

/* A property of @n (at most FDT_WRITE_MAX_CELLS) 32-bit cells. */
int fdt_write_cells(void *fdt, const char *name, const uint32_t *cells,
		    unsigned int n);

/* One reg entry with #address-cells = #size-cells = 2: four cells. */
void fdt_write_reg_entry(uint32_t cells[4], uint64_t addr, uint64_t size);

/* Begins node "@base@<unit in hex>". */
int fdt_write_begin_node(void *fdt, const char *base, uint64_t unit);

/* A string-list property ("a\0b\0"), at most 512 bytes. */
int fdt_write_string_list(void *fdt, const char *name, const char *const *list,
			  unsigned int n);

/* The bench device (guest/common/bench_protocol.h) as the guest sees it. */
struct fdt_write_bench {
	uint64_t base, size;
	/* Its interrupt in the tree's interrupt-parent format; n 0: none. */
	const uint32_t *irq_cells;
	unsigned int nr_irq_cells;
	uint32_t iterations, warmup;
	const char *const *select; /* NULL or nr_select 0: every benchmark */
	unsigned int nr_select;
};

/*
 * Writes bench@<base>: compatible BENCH_COMPATIBLE, reg (2 + 2 cells),
 * interrupts (when given), tinyvmm,select (when given),
 * tinyvmm,iterations, tinyvmm,warmup.
 */
int fdt_write_bench_node(void *fdt, const struct fdt_write_bench *b);

#endif
