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

/*
 * The PMU overflow interrupt (INTID, a PPI) the tree names when has_pmu is
 * set; the vCPU setup must give KVM the same number
 * (KVM_ARM_VCPU_PMU_V3_IRQ).
 */
#define ARM64_PMU_INTID 23

/* A virtio-mmio transport: one register window and its SPI. */
struct arm64_fdt_virtio {
	uint64_t base, size;
	unsigned int intid; /* GIC INTID (SPI, >= 32), edge-triggered */
};

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
	uint64_t uart_base, uart_size;
	unsigned int uart_intid; /* GIC INTID (SPI, >= 32) */
	uint32_t uart_clock_hz;
	const char *cmdline;		   /* may be NULL: no bootargs */
	uint64_t initrd_start, initrd_end; /* both 0: no initrd */
	int has_pmu; /* describe arm,armv8-pmuv3 (PPI 23) */
	/*
	 * The bench device (guest/common/bench_protocol.h); bench_size 0: no
	 * bench node. bench_select names the benchmarks to run (NULL or
	 * nr_bench_select 0: every one).
	 */
	uint64_t bench_base, bench_size;
	unsigned int bench_intid; /* its io_in SPI (edge); 0: no interrupt */
	uint32_t bench_iterations, bench_warmup;
	const char *const *bench_select;
	unsigned int nr_bench_select;
	/* virtio-mmio transports (virtio/mmio.h), one node each. */
	const struct arm64_fdt_virtio *virtio;
	unsigned int nr_virtio;
};

/*
 * Builds the tree into @buf (@size bytes): / (compatible "tinyvmm,arm64",
 * #address-cells = #size-cells = 2), memory@, cpus/cpu@N (enable-method
 * "psci"), psci (arm,psci-0.2, method "hvc"), intc@ (arm,gic-v3 or
 * arm,cortex-a15-gic), timer (arm,armv8-timer), pmu (when has_pmu),
 * uart@ (ns16550a), bench@ (tinyvmm,bench-v1, when bench_size),
 * virtio_mmio@ (virtio,mmio, dma-coherent; one per virtio[]), chosen
 * (bootargs, linux,initrd-start/-end, stdout-path).
 * Returns 0, -E2BIG when @buf is too small, -EINVAL for an impossible
 * machine (no cpus, two cpus with one affinity, no RAM or RAM that wraps,
 * a GIC version other than 2 or 3, more than 8 cpus on GICv2, fewer v3
 * redistributor frames (ARM64_GICR_STRIDE each) than cpus, a UART INTID
 * or virtio INTID that is not an SPI (32..1019), initrd_end below
 * initrd_start).
 * The tree's totalsize is what it uses, not @size.
 */
int arm64_fdt_build(const struct arm64_fdt_machine *m, void *buf, size_t size);

#endif /* TINYVMM_ARCH_ARM64_FDT_BUILDER_H */
