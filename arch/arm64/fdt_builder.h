/* SPDX-License-Identifier: MIT */
/*
 * The device tree tinyvmm hands an arm64 guest, built with libfdt from a
 * plain description of the machine. Pure: no KVM, unit-tested on any host.
 * (Not named fdt.h, which would shadow libfdt's own <fdt.h>.)
 */
#ifndef TINYVMM_ARCH_ARM64_FDT_BUILDER_H
#define TINYVMM_ARCH_ARM64_FDT_BUILDER_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/base/device_desc.h"

/*
 * The PMU overflow interrupt (INTID, a PPI) the tree names when has_pmu is
 * set; the vCPU setup must give KVM the same number
 * (KVM_ARM_VCPU_PMU_V3_IRQ).
 */
#define ARM64_PMU_INTID 23

struct arm64_fdt_machine {
	uint64_t ram_base, ram_size;
	unsigned int nr_cpus;
	/*
	 * nr_cpus MPIDR_EL1 values. The cpu@ unit address and reg are their
	 * affinity fields (Aff3..Aff0), so KVM's raw values with bit 31 set
	 * may be passed as they are.
	 */
	const uint64_t *mpidrs;
	int gic_version; /* 2 or 3 */
	uint64_t gicd_base, gicd_size;
	uint64_t gicr_base, gicr_size; /* v3: redistributors; v2: CPU if */
	int has_its; /* v3 only: describe the ITS (arm,gic-v3-its) */
	uint64_t its_base, its_size;
	uint64_t uart_base, uart_size;
	unsigned int uart_intid; /* GIC INTID (SPI, >= 32) */
	uint32_t uart_clock_hz;
	const char *cmdline;		   /* may be NULL: no bootargs */
	uint64_t initrd_start, initrd_end; /* both 0: no initrd */
	int has_pmu; /* describe arm,armv8-pmuv3 (PPI 23) */
	/*
	 * A guest hypervisor's machine (--nested; GICv3 only): the GIC node
	 * names the maintenance interrupt (ARM64_GIC_MAINT_INTID), the timer
	 * node all five timers (with the EL2 virtual one), and PSCI is
	 * called with SMC: an HVC from EL2 would trap to the guest itself.
	 */
	int nested;
	/*
	 * The devices the machine shows the guest (the bench device, the
	 * virtio-mmio transports), one node each, in order; their irq is a
	 * GIC INTID (an SPI), edge-triggered.
	 */
	const struct device_desc *devices;
	unsigned int nr_devices;
};

/*
 * Builds the tree into @buf (@size bytes): / (compatible "tinyvmm,arm64",
 * #address-cells = #size-cells = 2), memory@, cpus/cpu@N (enable-method
 * "psci"), psci (arm,psci-0.2, method "hvc", "smc" when nested), intc@ (arm,gic-v3 or
 * arm,cortex-a15-gic; with has_its its child msi-controller@
 * (arm,gic-v3-its, #msi-cells 1)), timer (arm,armv8-timer), pmu (when has_pmu),
 * uart@ (ns16550a), one node per devices[] (fdt_write_device()), chosen
 * (bootargs, linux,initrd-start/-end, stdout-path).
 * Returns 0, -E2BIG when @buf is too small, -EINVAL for an impossible
 * machine (no cpus, two cpus with one affinity, no RAM or RAM that wraps,
 * a GIC version other than 2 or 3, more than 8 cpus on GICv2, fewer v3
 * redistributor frames (ARM64_GICR_STRIDE each) than cpus, a UART INTID
 * or device INTID that is not an SPI (32..1019), initrd_end below
 * initrd_start, has_its without a GICv3 or with an empty or wrapping
 * ITS frame, nested without a GICv3).
 * The tree's totalsize is what it uses, not @size.
 */
int arm64_fdt_build(const struct arm64_fdt_machine *m, void *buf, size_t size);

#endif /* TINYVMM_ARCH_ARM64_FDT_BUILDER_H */
