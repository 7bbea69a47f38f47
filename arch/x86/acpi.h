/* SPDX-License-Identifier: MIT */
/*
 * The ACPI tables tinyvmm hands an x86_64 guest (ACPI 6.x): RSDP, XSDT,
 * FADT, FACS, MADT and a DSDT, built from a plain description of the
 * machine into a caller buffer the guest sees at a given address. Pure:
 * no KVM, unit-tested on any host.
 *
 * The FADT describes a full (not hardware-reduced) ACPI machine that is
 * always in ACPI mode (no SMI_CMD): PM1a event and control blocks in I/O
 * space (X86_PM1A_*_PORT), the SCI on X86_ACPI_SCI_GSI, no PM timer, no
 * GPE blocks, a reset register (X86_RESET_PORT, value
 * X86_ACPI_RESET_VALUE) and no legacy devices: no i8042, no VGA, no CMOS
 * RTC, so Linux probes none of them. The DSDT's \_S5 makes Linux power
 * off by writing SLP_TYP = X86_ACPI_S5_SLP_TYP with SLP_EN to PM1a_CNT.
 */
#ifndef TINYVMM_ARCH_X86_ACPI_H
#define TINYVMM_ARCH_X86_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define X86_ACPI_MAX_CPUS 254 /* xAPIC ids 0..253, the IOAPIC takes the next */
#define X86_ACPI_MAX_VIRTIO 64
#define X86_ACPI_RESET_VALUE 0x06 /* to X86_RESET_PORT: a full reset */
/* PM1 control register bits the VMM decodes (ACPI 6.x, 4.8.3.2.1). */
#define X86_ACPI_PM1_SLP_TYP_SHIFT 10
#define X86_ACPI_PM1_SLP_TYP_MASK (7U << 10)
#define X86_ACPI_PM1_SLP_EN (1U << 13)
#define X86_ACPI_PM1_SCI_EN (1U << 0)

/* A virtio-mmio transport: its register window and its GSI (edge, high). */
struct x86_acpi_virtio {
	uint64_t base, size;
	unsigned int gsi;
};

struct x86_acpi_machine {
	unsigned int nr_cpus; /* vCPU i gets local APIC id i */
	const struct x86_acpi_virtio *virtio;
	unsigned int nr_virtio;
	int has_com1; /* a PNP0501 device: I/O 0x3f8, 8 ports, ISA IRQ 4 */
};

/*
 * Builds the tables into @buf (@size bytes; X86_ACPI_MAX in guest RAM),
 * which the guest sees at guest-physical @gpa (X86_ACPI_ADDR): the RSDP
 * first (so @gpa is what boot_params' acpi_rsdp_addr holds, and a kernel
 * scanning 0xe0000..0xfffff finds it), then XSDT, FADT, FACS, MADT, DSDT,
 * each aligned in guest-physical space (the FACS on 64 bytes, 5.2.10),
 * so the bytes used depend on @gpa modulo 64.
 * The MADT has one enabled Processor Local APIC per vCPU (UID = APIC id =
 * index), one I/O APIC (id nr_cpus, X86_IOAPIC_BASE, GSI base 0) and
 * overrides ISA IRQ 0 -> GSI 2 and the SCI (level, active low). The DSDT
 * has \_SB.VRnn (_HID "LNRO0005", _UID n, _CRS Memory32Fixed + Interrupt)
 * per transport, \_SB.COM1 when has_com1, and \_S5.
 * Returns the bytes used, or:
 *   -E2BIG   @size is too small
 *   -EINVAL  an impossible machine: NULL arguments, no vCPUs or more than
 *            X86_ACPI_MAX_CPUS, more than X86_ACPI_MAX_VIRTIO transports,
 *            a window of size 0, outside 32-bit space or of all of it
 *            (Memory32Fixed's length has 32 bits), a GSI at or above
 *            X86_NR_GSIS or used twice (the PIT's GSI 2, the SCI and COM1's
 *            4 count as used), @gpa not 16-byte aligned or the tables
 *            ending past 4 GiB (the FADT's 32-bit fields hold addresses)
 */
int x86_acpi_build(const struct x86_acpi_machine *m, uint64_t gpa, void *buf,
		   size_t size);

#endif /* TINYVMM_ARCH_X86_ACPI_H */
