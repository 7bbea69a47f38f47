// SPDX-License-Identifier: MIT
/* libfdt sequential-write helpers shared by the arch device-tree builders. */
#include <errno.h>
#include <limits.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "vmm/base/fdt_write.h"

#define NODE_NAME_MAX 32

int fdt_write_errno(int err)
{
	if (err >= 0)
		return 0;
	return err == -FDT_ERR_NOSPACE ? -E2BIG : -EINVAL;
}

int fdt_write_tree(void *buf, size_t size,
		   int (*write_root)(void *fdt, const void *ctx),
		   const void *ctx)
{
	int ret;

	/* libfdt sizes are int; a tree never gets near 2 GiB anyway. */
	FDT_TRY(fdt_create(buf, size > INT_MAX ? INT_MAX : (int)size));
	FDT_TRY(fdt_finish_reservemap(buf));
	FDT_TRY(fdt_begin_node(buf, ""));
	ret = write_root(buf, ctx);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(buf));
	FDT_TRY(fdt_finish(buf));
	return 0;
}

int fdt_write_cells(void *fdt, const char *name, const uint32_t *cells,
		    unsigned int n)
{
	fdt32_t be[FDT_WRITE_MAX_CELLS];

	if (n > FDT_WRITE_MAX_CELLS)
		return -EINVAL;
	for (unsigned int i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	FDT_TRY(fdt_property(fdt, name, be, (int)(n * sizeof(be[0]))));
	return 0;
}

void fdt_write_reg_entry(uint32_t cells[4], uint64_t addr, uint64_t size)
{
	cells[0] = (uint32_t)(addr >> 32);
	cells[1] = (uint32_t)addr;
	cells[2] = (uint32_t)(size >> 32);
	cells[3] = (uint32_t)size;
}

int fdt_write_begin_node(void *fdt, const char *base, uint64_t unit)
{
	char name[NODE_NAME_MAX];

	snprintf(name, sizeof(name), "%s@%" PRIx64, base, unit);
	FDT_TRY(fdt_begin_node(fdt, name));
	return 0;
}

int fdt_write_string_list(void *fdt, const char *name, const char *const *list,
			  unsigned int n)
{
	char buf[512];
	size_t len = 0;

	for (unsigned int i = 0; i < n; i++) {
		size_t l = strlen(list[i]) + 1;

		if (l > sizeof(buf) - len)
			return -E2BIG;
		memcpy(buf + len, list[i], l);
		len += l;
	}
	FDT_TRY(fdt_property(fdt, name, buf, (int)len));
	return 0;
}

int fdt_write_device(void *fdt, const struct device_desc *d,
		     const uint32_t *irq_cells, unsigned int nr_irq_cells)
{
	uint32_t reg[4];
	int ret = fdt_write_begin_node(fdt, d->node, d->base);

	if (ret)
		return ret;
	FDT_TRY(fdt_property_string(fdt, "compatible", d->compatible));
	fdt_write_reg_entry(reg, d->base, d->size);
	ret = fdt_write_cells(fdt, "reg", reg, 4);
	if (!ret && d->has_irq)
		ret = fdt_write_cells(fdt, "interrupts", irq_cells,
				      nr_irq_cells);
	if (!ret && d->dma_coherent)
		ret = fdt_write_errno(
			fdt_property(fdt, "dma-coherent", NULL, 0));
	if (!ret && d->fdt_props)
		ret = d->fdt_props(fdt, d->opaque);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

int fdt_write_devices(void *fdt, const struct device_desc *devices,
		      unsigned int n, fdt_irq_cells_fn irq_cells)
{
	uint32_t cells[FDT_WRITE_MAX_CELLS];
	int ret = 0;

	for (unsigned int i = 0; !ret && i < n; i++)
		ret = fdt_write_device(fdt, &devices[i], cells,
				       irq_cells(devices[i].irq, cells));
	return ret;
}
