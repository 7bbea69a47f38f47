// SPDX-License-Identifier: MIT
/*
 * The guest's device tree, written front to back with libfdt's
 * sequential-write API: a node's properties must all precede its children,
 * which is why every node below is one function that finishes it.
 * Bindings: Documentation/devicetree/bindings/ in Linux (memory, cpus,
 * arm/psci, interrupt-controller/arm,gic{,-v3}, timer/arm,arch_timer,
 * arm/pmu, serial/8250, chosen).
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <libfdt.h>

#include "arch/arm64/fdt_builder.h"
#include "vmm/base/fdt_write.h"
#include "arch/arm64/arm64_layout.h"

#define GIC_PHANDLE 1
#define ITS_PHANDLE 2

/* The GIC binding's first interrupt cell, and the flags of the third. */
#define GIC_FDT_SPI 0
#define GIC_FDT_PPI 1
#define IRQ_TYPE_EDGE_RISING 1
#define IRQ_TYPE_LEVEL_HIGH 4
#define IRQ_TYPE_LEVEL_LOW 8
#define GIC_FDT_PPI_CPU_SHIFT 8 /* GICv2 only: bits[15:8] CPU mask */
#define GICV2_MAX_CPUS 8

#define GIC_PPI_BASE 16
#define GIC_SPI_LAST 1019
#define GICV3_REDIST_SIZE ARM64_GICR_STRIDE /* one RD + SGI frame pair */

/* MPIDR_EL1 affinity fields Aff3 (39:32) and Aff2..Aff0 (23:0). */
#define MPIDR_HWID_MASK 0xff00ffffffULL

#define NODE_NAME_MAX 32

_Static_assert(ARM64_TIMER_SEC_PHYS_INTID >= GIC_PPI_BASE &&
		       ARM64_TIMER_SEC_PHYS_INTID < ARM64_SPI_BASE &&
		       ARM64_TIMER_PHYS_INTID >= GIC_PPI_BASE &&
		       ARM64_TIMER_PHYS_INTID < ARM64_SPI_BASE &&
		       ARM64_TIMER_VIRT_INTID >= GIC_PPI_BASE &&
		       ARM64_TIMER_VIRT_INTID < ARM64_SPI_BASE &&
		       ARM64_TIMER_HYP_INTID >= GIC_PPI_BASE &&
		       ARM64_TIMER_HYP_INTID < ARM64_SPI_BASE &&
		       ARM64_TIMER_HYP_VIRT_INTID >= GIC_PPI_BASE &&
		       ARM64_TIMER_HYP_VIRT_INTID < ARM64_SPI_BASE &&
		       ARM64_GIC_MAINT_INTID >= GIC_PPI_BASE &&
		       ARM64_GIC_MAINT_INTID < ARM64_SPI_BASE &&
		       ARM64_PMU_INTID >= GIC_PPI_BASE &&
		       ARM64_PMU_INTID < ARM64_SPI_BASE,
	       "timer, maintenance and PMU interrupts must be PPIs");

/*
 * The third cell of a PPI: the GICv2 binding wants the mask of CPUs the
 * PPI is wired to in bits[15:8]; GICv3 has no such field.
 */
static uint32_t ppi_flags(const struct arm64_fdt_machine *m, uint32_t type)
{
	if (m->gic_version != 2)
		return type;
	return type | (((1U << m->nr_cpus) - 1) << GIC_FDT_PPI_CPU_SHIFT);
}

static uint64_t cpu_hwid(const struct arm64_fdt_machine *m, unsigned int i)
{
	return m->mpidrs[i] & MPIDR_HWID_MASK;
}

static int cpus_valid(const struct arm64_fdt_machine *m)
{
	if (m->nr_cpus == 0 || !m->mpidrs)
		return 0;
	if (m->gic_version == 2 && m->nr_cpus > GICV2_MAX_CPUS)
		return 0;
	if (m->gic_version == 3 &&
	    m->gicr_size / GICV3_REDIST_SIZE < m->nr_cpus)
		return 0;
	/* Two cpu@ nodes with one name would make the tree invalid. */
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		for (unsigned int j = 0; j < i; j++)
			if (cpu_hwid(m, i) == cpu_hwid(m, j))
				return 0;
	return 1;
}

static int is_spi(unsigned int intid)
{
	return intid >= ARM64_SPI_BASE && intid <= GIC_SPI_LAST;
}

static int machine_valid(const struct arm64_fdt_machine *m)
{
	if (m->gic_version != 2 && m->gic_version != 3)
		return 0;
	if (m->ram_size == 0 || m->ram_base > UINT64_MAX - m->ram_size)
		return 0;
	if (!is_spi(m->uart_intid))
		return 0;
	if (m->nr_devices && !m->devices)
		return 0;
	for (unsigned int i = 0; i < m->nr_devices; i++)
		if (m->devices[i].has_irq && !is_spi(m->devices[i].irq))
			return 0;
	if (m->initrd_end < m->initrd_start)
		return 0;
	/* The ITS is a GICv3 part; an empty or wrapping frame is no ITS. */
	if (m->has_its && (m->gic_version != 3 || m->its_size == 0 ||
			   m->its_base > UINT64_MAX - m->its_size))
		return 0;
	/* KVM gives a guest hypervisor a GIC interface only with a v3. */
	if (m->nested && m->gic_version != 3)
		return 0;
	return cpus_valid(m);
}

static int add_root_props(void *fdt)
{
	FDT_TRY(fdt_property_string(fdt, "compatible", "tinyvmm,arm64"));
	FDT_TRY(fdt_property_string(fdt, "model", "tinyvmm"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_TRY(fdt_property_u32(fdt, "interrupt-parent", GIC_PHANDLE));
	return 0;
}

static int add_memory(void *fdt, const struct arm64_fdt_machine *m)
{
	uint32_t reg[4];
	int ret;

	ret = fdt_write_begin_node(fdt, "memory", m->ram_base);
	if (ret)
		return ret;
	FDT_TRY(fdt_property_string(fdt, "device_type", "memory"));
	fdt_write_reg_entry(reg, m->ram_base, m->ram_size);
	ret = fdt_write_cells(fdt, "reg", reg, 4);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int add_cpu(void *fdt, uint64_t hwid, uint32_t addr_cells)
{
	uint32_t reg[2] = { (uint32_t)(hwid >> 32), (uint32_t)hwid };
	int ret;

	ret = fdt_write_begin_node(fdt, "cpu", hwid);
	if (ret)
		return ret;
	FDT_TRY(fdt_property_string(fdt, "device_type", "cpu"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,arm-v8"));
	ret = fdt_write_cells(fdt, "reg", reg + 2 - addr_cells, addr_cells);
	if (ret)
		return ret;
	FDT_TRY(fdt_property_string(fdt, "enable-method", "psci"));
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

/* One address cell holds Aff2..Aff0; Aff3 needs a second one. */
static uint32_t cpus_addr_cells(const struct arm64_fdt_machine *m)
{
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		if (cpu_hwid(m, i) >> 32)
			return 2;
	return 1;
}

static int add_cpus(void *fdt, const struct arm64_fdt_machine *m)
{
	uint32_t addr_cells = cpus_addr_cells(m);
	int ret;

	FDT_TRY(fdt_begin_node(fdt, "cpus"));
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", addr_cells));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 0));
	for (unsigned int i = 0; i < m->nr_cpus; i++) {
		ret = add_cpu(fdt, cpu_hwid(m, i), addr_cells);
		if (ret)
			return ret;
	}
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

/*
 * "arm,psci-0.2" is enough: Linux's 0.2 probe asks PSCI_VERSION and uses
 * the 1.x features KVM reports, and KVM implements at least 0.2 for vCPUs
 * created with KVM_ARM_VCPU_PSCI_0_2. A guest at EL2 (nested) must use
 * SMC: its HVC goes to its own EL2 vectors, and KVM takes SMC calls from
 * a vCPU's EL2 as PSCI calls just as HVC ones from EL1.
 */
static int add_psci(void *fdt, const struct arm64_fdt_machine *m)
{
	FDT_TRY(fdt_begin_node(fdt, "psci"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,psci-0.2"));
	FDT_TRY(fdt_property_string(fdt, "method", m->nested ? "smc" : "hvc"));
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int add_gic_props(void *fdt, const struct arm64_fdt_machine *m)
{
	uint32_t reg[8];

	/* v3: distributor + one redistributor region; v2: GICD + GICC. */
	fdt_write_reg_entry(reg, m->gicd_base, m->gicd_size);
	fdt_write_reg_entry(reg + 4, m->gicr_base, m->gicr_size);
	if (m->gic_version == 3) {
		FDT_TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
		FDT_TRY(fdt_property_u32(fdt, "#redistributor-regions", 1));
	} else {
		FDT_TRY(fdt_property_string(fdt, "compatible",
					    "arm,cortex-a15-gic"));
	}
	return fdt_write_cells(fdt, "reg", reg, 8);
}

/*
 * The ITS, a child of the GIC node (the arm,gic-v3 binding): an MSI
 * controller whose one msi-specifier cell is the DeviceID. Its reg is in
 * the root's address space: the GIC's ranges are empty (identity).
 */
static int add_its(void *fdt, const struct arm64_fdt_machine *m)
{
	uint32_t reg[4];
	int ret;

	ret = fdt_write_begin_node(fdt, "msi-controller", m->its_base);
	if (ret)
		return ret;
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	FDT_TRY(fdt_property(fdt, "msi-controller", NULL, 0));
	FDT_TRY(fdt_property_u32(fdt, "#msi-cells", 1));
	fdt_write_reg_entry(reg, m->its_base, m->its_size);
	ret = fdt_write_cells(fdt, "reg", reg, 4);
	if (ret)
		return ret;
	FDT_TRY(fdt_property_u32(fdt, "phandle", ITS_PHANDLE));
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

/*
 * With an ITS child the GIC node carries the root's address and size
 * cells and an identity ranges; without one, #address-cells 0 says
 * there are no children to interrupt-map parsers and dtc.
 */
static int add_gic_child_cells(void *fdt, const struct arm64_fdt_machine *m)
{
	if (!m->has_its) {
		FDT_TRY(fdt_property_u32(fdt, "#address-cells", 0));
		return 0;
	}
	FDT_TRY(fdt_property_u32(fdt, "#address-cells", 2));
	FDT_TRY(fdt_property_u32(fdt, "#size-cells", 2));
	FDT_TRY(fdt_property(fdt, "ranges", NULL, 0));
	return 0;
}

/*
 * The arm,gic-v3 binding's "interrupts": the maintenance interrupt, which
 * a guest hypervisor (Linux's KVM) needs for its own guests' vGIC. GICv3
 * only (machine_valid()), so no GICv2 CPU mask.
 */
static int add_gic_maint_irq(void *fdt)
{
	uint32_t irq[3] = {
		GIC_FDT_PPI,
		ARM64_GIC_MAINT_INTID - GIC_PPI_BASE,
		IRQ_TYPE_LEVEL_HIGH,
	};

	return fdt_write_cells(fdt, "interrupts", irq, 3);
}

static int add_gic(void *fdt, const struct arm64_fdt_machine *m)
{
	int ret;

	ret = fdt_write_begin_node(fdt, "intc", m->gicd_base);
	if (ret)
		return ret;
	ret = add_gic_props(fdt, m);
	if (!ret)
		ret = add_gic_child_cells(fdt, m);
	if (ret)
		return ret;
	FDT_TRY(fdt_property_u32(fdt, "#interrupt-cells", 3));
	FDT_TRY(fdt_property(fdt, "interrupt-controller", NULL, 0));
	FDT_TRY(fdt_property_u32(fdt, "phandle", GIC_PHANDLE));
	ret = m->nested ? add_gic_maint_irq(fdt) : 0;
	if (!ret && m->has_its)
		ret = add_its(fdt, m);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

/*
 * The arch timer binding's order: secure, non-secure, virtual, hyp (EL2
 * physical), hyp-virtual (EL2 virtual). Only a guest at EL2 has the
 * last: Linux in VHE wants it (else a "Firmware Bug" warning).
 */
static int add_timer(void *fdt, const struct arm64_fdt_machine *m)
{
	static const uint32_t intids[] = {
		ARM64_TIMER_SEC_PHYS_INTID, ARM64_TIMER_PHYS_INTID,
		ARM64_TIMER_VIRT_INTID,	    ARM64_TIMER_HYP_INTID,
		ARM64_TIMER_HYP_VIRT_INTID,
	};
	unsigned int n = m->nested ? 5 : 4;
	uint32_t irqs[3 * 5];
	int ret;

	for (unsigned int i = 0; i < n; i++) {
		irqs[3 * i] = GIC_FDT_PPI;
		irqs[3 * i + 1] = intids[i] - GIC_PPI_BASE;
		irqs[3 * i + 2] = ppi_flags(m, IRQ_TYPE_LEVEL_LOW);
	}
	FDT_TRY(fdt_begin_node(fdt, "timer"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
	ret = fdt_write_cells(fdt, "interrupts", irqs, 3 * n);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int add_pmu(void *fdt, const struct arm64_fdt_machine *m)
{
	uint32_t irq[3] = {
		GIC_FDT_PPI,
		ARM64_PMU_INTID - GIC_PPI_BASE,
		ppi_flags(m, IRQ_TYPE_LEVEL_HIGH),
	};
	int ret;

	FDT_TRY(fdt_begin_node(fdt, "pmu"));
	FDT_TRY(fdt_property_string(fdt, "compatible", "arm,armv8-pmuv3"));
	ret = fdt_write_cells(fdt, "interrupts", irq, 3);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int add_uart_props(void *fdt, const struct arm64_fdt_machine *m)
{
	uint32_t reg[4];
	uint32_t irq[3] = {
		GIC_FDT_SPI,
		m->uart_intid - ARM64_SPI_BASE,
		IRQ_TYPE_LEVEL_HIGH,
	};
	int ret;

	FDT_TRY(fdt_property_string(fdt, "compatible", "ns16550a"));
	fdt_write_reg_entry(reg, m->uart_base, m->uart_size);
	ret = fdt_write_cells(fdt, "reg", reg, 4);
	if (!ret)
		ret = fdt_write_cells(fdt, "interrupts", irq, 3);
	if (ret)
		return ret;
	FDT_TRY(fdt_property_u32(fdt, "clock-frequency", m->uart_clock_hz));
	/* Byte-wide registers at consecutive addresses. */
	FDT_TRY(fdt_property_u32(fdt, "reg-shift", 0));
	FDT_TRY(fdt_property_u32(fdt, "reg-io-width", 1));
	return 0;
}

static int add_uart(void *fdt, const struct arm64_fdt_machine *m)
{
	int ret;

	ret = fdt_write_begin_node(fdt, "uart", m->uart_base);
	if (!ret)
		ret = add_uart_props(fdt, m);
	if (ret)
		return ret;
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

/* A device's interrupt: an SPI (machine_valid() checked), rising edge. */
static unsigned int spi_edge_cells(unsigned int intid, uint32_t *cells)
{
	cells[0] = GIC_FDT_SPI;
	cells[1] = intid - ARM64_SPI_BASE;
	cells[2] = IRQ_TYPE_EDGE_RISING;
	return 3;
}

static int add_chosen(void *fdt, const struct arm64_fdt_machine *m)
{
	char stdout_path[NODE_NAME_MAX + 1];

	FDT_TRY(fdt_begin_node(fdt, "chosen"));
	if (m->cmdline)
		FDT_TRY(fdt_property_string(fdt, "bootargs", m->cmdline));
	if (m->initrd_end > m->initrd_start) {
		FDT_TRY(fdt_property_u64(fdt, "linux,initrd-start",
					 m->initrd_start));
		FDT_TRY(fdt_property_u64(fdt, "linux,initrd-end",
					 m->initrd_end));
	}
	/* Must name the node add_uart() wrote: the console before any driver. */
	snprintf(stdout_path, sizeof(stdout_path), "/uart@%" PRIx64,
		 m->uart_base);
	FDT_TRY(fdt_property_string(fdt, "stdout-path", stdout_path));
	FDT_TRY(fdt_end_node(fdt));
	return 0;
}

static int add_nodes(void *fdt, const struct arm64_fdt_machine *m)
{
	int ret;

	ret = add_memory(fdt, m);
	if (!ret)
		ret = add_cpus(fdt, m);
	if (!ret)
		ret = add_psci(fdt, m);
	if (!ret)
		ret = add_gic(fdt, m);
	if (!ret)
		ret = add_timer(fdt, m);
	if (!ret && m->has_pmu)
		ret = add_pmu(fdt, m);
	if (!ret)
		ret = add_uart(fdt, m);
	if (!ret)
		ret = fdt_write_devices(fdt, m->devices, m->nr_devices,
					spi_edge_cells);
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

int arm64_fdt_build(const struct arm64_fdt_machine *m, void *buf, size_t size)
{
	if (!m || !buf || !machine_valid(m))
		return -EINVAL;
	return fdt_write_tree(buf, size, write_root, m);
}
