/* SPDX-License-Identifier: MIT */
/*
 * The device tree an x86 flat guest (the benchmark guest, test images)
 * gets in RDI: the machine described the way the arm64 guests read it,
 * so guest/common's device-tree code serves both. Linux guests get ACPI
 * instead. Pure (libfdt only), unit-tested on any host.
 */
#ifndef TINYVMM_ARCH_X86_BENCH_FDT_H
#define TINYVMM_ARCH_X86_BENCH_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/base/device_desc.h"

struct x86_fdt_machine {
	uint64_t ram_size; /* RAM at guest-physical 0 */
	unsigned int nr_cpus;
	const uint32_t *apic_ids; /* nr_cpus local APIC ids */
	uint16_t uart_port;	  /* a 16550 on I/O ports [port, port + 8) */
	unsigned int uart_gsi;
	uint32_t uart_clock_hz;
	const char *cmdline; /* NULL: no bootargs */
	/*
	 * The devices the machine shows the guest (the bench device, the
	 * virtio-mmio transports), one node each, in order; their irq is an
	 * IOAPIC GSI, edge-triggered.
	 */
	const struct device_desc *devices;
	unsigned int nr_devices;
};

/*
 * Builds the tree into @buf (@size bytes): / (compatible "tinyvmm,x86_64",
 * #address-cells = #size-cells = 2), memory@0, cpus/cpu@<apic id> (reg =
 * APIC id), uart@<port> (ns16550a, reg = <0 port 0 8>, the empty property
 * "tinyvmm,pio": the reg is an I/O port, not MMIO; interrupts = <GSI>),
 * one node per devices[] (fdt_write_device(), interrupts = <GSI>), chosen
 * (bootargs, stdout-path).
 * Interrupts are one cell: an IOAPIC GSI. Returns 0, -E2BIG when @buf is
 * too small, -EINVAL for no cpus, no RAM, two cpus with one APIC id, or
 * devices counted but not given.
 */
int x86_bench_fdt_build(const struct x86_fdt_machine *m, void *buf,
			size_t size);

#endif
