// SPDX-License-Identifier: MIT
/*
 * The flat guest's device tree, written front to back with libfdt's
 * sequential-write API (a node's properties before its children).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>

#include <libfdt.h>

#include "arch/x86/bench_fdt.h"
#include "vmm/base/fdt_write.h"

#define UART_REG_SIZE 8

static int machine_valid(const struct x86_fdt_machine *m)
{
	if (m->nr_cpus == 0 || !m->apic_ids || m->ram_size == 0)
		return 0;
	if (m->nr_devices && !m->devices) /* as the ACPI builder refuses it */
		return 0;
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		for (unsigned int j = 0; j < i; j++)
			if (m->apic_ids[i] == m->apic_ids[j])
				return 0;
	return 1;
}

static int add_root_props(void *fdt)
{
	FDT_TRY(fdt_property_string(fdt, "compatible", "tinyvmm,x86_64"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 2));
	return 0;
}

static int add_memory(void *fdt, const struct x86_fdt_machine *m)
{
	uint32_t reg[4];
	int ret = fdt_write_begin_node(fdt, "memory", 0);

	if (ret)
		return ret;
	FDT_TRY(fdt_property_string(fdt, "device_type", "memory"));
	fdt_write_reg_entry(reg, 0, m->ram_size);
	ret = fdt_write_cells(fdt, "reg", reg, 4);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int add_cpus(void *fdt, const struct x86_fdt_machine *m)
{
	FDT_TRY(fdt_begin_node(fdt, "cpus"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 1));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < m->nr_cpus; i++) {
		int ret = fdt_write_begin_node(fdt, "cpu", m->apic_ids[i]);

		if (ret)
			return ret;
		FDT_TRY(fdt_property_string(fdt, "device_type", "cpu"));
		FDT_TRY(fdt_property_u32(fdt, "reg", m->apic_ids[i]));
		FDT_TRY(fdt_end_node(fdt));
	}
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int add_uart(void *fdt, const struct x86_fdt_machine *m)
{
	uint32_t reg[4];
	int ret = fdt_write_begin_node(fdt, "uart", m->uart_port);

	if (ret)
		return ret;
	FDT_TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	fdt_write_reg_entry(reg, m->uart_port, UART_REG_SIZE);
	ret = fdt_write_cells(fdt, "reg", reg, 4);
	if (ret)
		return ret;
	FDT_TRY(fdt_property(fdt, "tinyvmm,pio", NULL, 0));
	FDT_TRY(fdt_property_u32(fdt, "interrupts", m->uart_gsi));
	FDT_TRY(fdt_property_u32(fdt, "clock-frequency", m->uart_clock_hz));
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

/* A device's interrupt: one cell, its IOAPIC GSI. */
static unsigned int gsi_cells(unsigned int gsi, uint32_t *cells)
{
	cells[0] = gsi;
	return 1;
}

static int add_chosen(void *fdt, const struct x86_fdt_machine *m)
{
	char stdout_path[40];

	FDT_TRY(fdt_begin_node(fdt, "chosen"));
	if (m->cmdline)
		FDT_TRY(fdt_property_string(fdt, "bootargs", m->cmdline));
	snprintf(stdout_path, sizeof(stdout_path), "/uart@%x",
		 (unsigned int)m->uart_port);
	FDT_TRY(fdt_property_string(fdt, "stdout-path", stdout_path));
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int add_nodes(void *fdt, const struct x86_fdt_machine *m)
{
	int ret = add_memory(fdt, m);

	if (!ret)
		ret = add_cpus(fdt, m);
	if (!ret)
		ret = add_uart(fdt, m);
	if (!ret)
		ret = fdt_write_devices(fdt, m->devices, m->nr_devices,
					gsi_cells);
	if (!ret)
		ret = add_chosen(fdt, m);
	return ret;
}

/* The root node's properties, then every node under it. */
static int write_root(void *fdt, const void *ctx)
{
	int ret = add_root_props(fdt);

	return ret ? ret : add_nodes(fdt, ctx);
}

int x86_bench_fdt_build(const struct x86_fdt_machine *m, void *buf, size_t size)
{
	if (!m || !buf || !machine_valid(m))
		return -EINVAL;
	return fdt_write_tree(buf, size, write_root, m);
}
