/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 guest-physical memory map and the fixed port and interrupt
 * numbers. One place for every fixed address, shared by the VMM (boot
 * structures, ACPI tables, device placement) and guest/x86.
 *
 *   0x0000_0000 +--------------------------+
 *               | real-mode IVT/BDA (kept) |
 *   0x0000_0500 +--------------------------+ X86_GDT_ADDR        (flat 64-bit GDT)
 *   0x0000_7000 +--------------------------+ X86_BOOT_PARAMS_ADDR (Linux zero page)
 *   0x0000_9000 +--------------------------+ X86_PAGE_TABLES_ADDR
 *               | PML4, PDPT, 4 PDs        |   identity map of [0, 4 GiB),
 *               |                          |   2 MiB pages
 *   0x0000_f000 +--------------------------+ X86_BENCH_DTB_ADDR  (bench guest's DTB)
 *   0x0002_0000 +--------------------------+ X86_CMDLINE_ADDR    (Linux command line)
 *   0x000e_0000 +--------------------------+ X86_ACPI_ADDR       (RSDP first, then
 *               | ACPI tables              |   XSDT, FADT, FACS, MADT, DSDT)
 *   0x0010_0000 +--------------------------+ X86_KERNEL_ADDR     (bzImage payload,
 *               | kernel / bench guest     |   or the bench guest image)
 *               |   ... initrd near the top of low RAM
 *               +--------------------------+ --mem (at most X86_RAM_MAX)
 *   0xc000_0000 +--------------------------+ X86_MMIO_HOLE       (no RAM above)
 *   0xd000_0000 +--------------------------+ X86_VIRTIO_BASE     512 B x 8
 *   0xd010_0000 +--------------------------+ X86_BENCH_BASE      4 KiB
 *   0xd011_0000 +--------------------------+ X86_BENCH_PEER_BASE 64 KiB
 *   0xd020_0000 +--------------------------+ X86_BOOT_TIMER_BASE 4 KiB
 *   0xd020_1000 +--------------------------+ X86_WORKLOAD_MARK_BASE 4 KiB
 *   0xfec0_0000 +--------------------------+ IOAPIC (in-kernel)
 *   0xfee0_0000 +--------------------------+ local APICs (in-kernel)
 *   0xfffb_c000 +--------------------------+ KVM's identity-map page, then TSS
 *               |                          |   (3 pages), for KVM_SET_*_ADDR
 */
#ifndef TINYVMM_ARCH_X86_LAYOUT_H
#define TINYVMM_ARCH_X86_LAYOUT_H

#define X86_GDT_ADDR 0x00000500ULL
#define X86_BOOT_PARAMS_ADDR 0x00007000ULL
#define X86_PAGE_TABLES_ADDR 0x00009000ULL /* 6 pages: PML4, PDPT, 4 PDs */
#define X86_BENCH_DTB_ADDR 0x0000f000ULL
#define X86_BENCH_DTB_MAX 0x00001000ULL
#define X86_CMDLINE_ADDR 0x00020000ULL
#define X86_CMDLINE_MAX 0x00010000ULL
#define X86_ACPI_ADDR 0x000e0000ULL /* the legacy RSDP scan window */
#define X86_ACPI_MAX 0x00020000ULL
#define X86_KERNEL_ADDR 0x00100000ULL

#define X86_RAM_MAX 0xc0000000ULL /* 3 GiB: RAM ends below the MMIO hole */
#define X86_MMIO_HOLE 0xc0000000ULL

#define X86_VIRTIO_BASE 0xd0000000ULL
#define X86_VIRTIO_SLOT_SIZE 0x200ULL
#define X86_VIRTIO_SLOTS 8
#define X86_BENCH_BASE 0xd0100000ULL
#define X86_BENCH_SIZE 0x00001000ULL
#define X86_BENCH_PEER_BASE 0xd0110000ULL
#define X86_BENCH_PEER_SIZE 0x00010000ULL
#define X86_BOOT_TIMER_BASE 0xd0200000ULL
#define X86_BOOT_TIMER_SIZE 0x00001000ULL
#define X86_WORKLOAD_MARK_BASE 0xd0201000ULL
#define X86_WORKLOAD_MARK_SIZE 0x00001000ULL

#define X86_IOAPIC_BASE 0xfec00000ULL
#define X86_LAPIC_BASE 0xfee00000ULL
#define X86_KVM_IDENTITY_MAP_ADDR 0xfffbc000ULL
#define X86_KVM_TSS_ADDR 0xfffbd000ULL

/* Interrupts, as IOAPIC GSIs (KVM_IRQ_LINE / KVM_IRQFD numbering). */
#define X86_UART_GSI 4	       /* COM1, ISA IRQ 4 */
#define X86_ACPI_SCI_GSI 9     /* the FADT's SCI (level, active low) */
#define X86_BENCH_GSI 10       /* the bench device's io_in (edge) */
#define X86_VIRTIO_GSI_BASE 16 /* slot i raises GSI 16 + i (edge) */
#define X86_NR_GSIS 24	       /* KVM's in-kernel IOAPIC pins */

/* Ports. */
#define X86_COM1_PORT 0x3f8
#define X86_PM1A_EVT_PORT 0x600 /* ACPI PM1a event block, 4 bytes */
#define X86_PM1A_CNT_PORT 0x604 /* ACPI PM1a control block, 2 bytes */
#define X86_RESET_PORT 0xcf9	/* the FADT's RESET_REG (value 0x06) */
#define X86_ACPI_S5_SLP_TYP 5	/* _S5's SLP_TYP: poweroff */

#endif
