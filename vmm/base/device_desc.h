/* SPDX-License-Identifier: MIT */
/*
 * What the guest is told of one device, in no arch's terms: the machine
 * fills one of these per device it shows the guest (the platform devices
 * that describe themselves, then the virtio-mmio transports), and each
 * arch's device-tree and ACPI builders walk the same list, turning @irq
 * into their own interrupt format. Pure data: no KVM, no libfdt.
 */
#ifndef TINYVMM_BASE_DEVICE_DESC_H
#define TINYVMM_BASE_DEVICE_DESC_H

#include <stdbool.h>
#include <stdint.h>

struct device_desc {
	const char *node; /* device-tree node name: <node>@<base> */
	const char *compatible;
	const char *acpi_hid; /* NULL: not announced in ACPI */
	uint64_t base, size;  /* its MMIO register window */
	bool has_irq;
	unsigned int irq;  /* arch_platform() numbering; edge, high */
	bool dma_coherent; /* its DMA sees the CPU's caches */
	/*
	 * The kind's own device-tree properties, written after the common
	 * ones; NULL: none. Returns 0 or -errno (-E2BIG: buffer full).
	 */
	int (*fdt_props)(void *fdt, const void *opaque);
	const void *opaque;
};

#endif
