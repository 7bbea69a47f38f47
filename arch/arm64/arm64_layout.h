/* SPDX-License-Identifier: MIT */
/*
 * The arm64 guest-physical memory map. One place for every fixed address,
 * shared by the VMM (device placement, device tree) and the guests built
 * in guest/arm64 (which learn addresses from the device tree, and use this
 * file only for sanity limits).
 *
 *   0x0000_0000 +--------------------------+
 *               | unmapped (faults)        |
 *   0x0800_0000 +--------------------------+ ARM64_GICD_BASE   64 KiB
 *               | GIC distributor          |
 *   0x0801_0000 +--------------------------+ ARM64_GICC_BASE    8 KiB (GICv2 only)
 *               | GICv2 CPU interface      |
 *   0x0808_0000 +--------------------------+ ARM64_GITS_BASE  128 KiB (GICv3 ITS)
 *               | ITS control + translater |   (issue 16; --no-its: unmapped)
 *   0x080a_0000 +--------------------------+ ARM64_GICR_BASE  128 KiB per vCPU
 *               | GICv3 redistributors     |   (room for ARM64_MAX_VCPUS)
 *   0x0900_0000 +--------------------------+ ARM64_UART_BASE    4 KiB
 *               | 16550 UART (ns16550a)    |
 *   0x0900_1000 +--------------------------+ ARM64_BENCH_BASE   4 KiB
 *               | paravirtual bench device |   (issue 3)
 *   0x0900_2000 +--------------------------+ ARM64_BOOT_TIMER_BASE 4 KiB
 *               | boot timer (write-only)  |   (issue 4; guest init writes it)
 *   0x0900_3000 +--------------------------+ ARM64_WORKLOAD_MARK_BASE 4 KiB
 *               | workload marker (WO)     |   (issue 4; begin/end a workload)
 *   0x0901_0000 +--------------------------+ ARM64_BENCH_PEER_BASE 64 KiB
 *               | vm_switch's shared page  |   RAM shared with the peer VM
 *   0x0a00_0000 +--------------------------+ ARM64_VIRTIO_BASE  512 B x 32
 *               | virtio-mmio slots        |   (issue 4)
 *   0x8000_0000 +--------------------------+ ARM64_RAM_BASE
 *               | guest RAM (--mem)        |
 *               |   kernel at +text_offset |
 *               |   ... initrd, DTB at top |
 *               +--------------------------+ ARM64_RAM_BASE + --mem
 */
#ifndef TINYVMM_ARCH_ARM64_LAYOUT_H
#define TINYVMM_ARCH_ARM64_LAYOUT_H

#define ARM64_GICD_BASE 0x08000000ULL
#define ARM64_GICD_SIZE 0x00010000ULL
#define ARM64_GICC_BASE 0x08010000ULL
#define ARM64_GICC_SIZE 0x00002000ULL
/*
 * The ITS: its control frame, then GITS_TRANSLATER's frame, 64 KiB each
 * (KVM_VGIC_V3_ITS_SIZE); KVM wants the base 64 KiB aligned.
 */
#define ARM64_GITS_BASE 0x08080000ULL
#define ARM64_GITS_SIZE 0x00020000ULL
#define ARM64_GICR_BASE 0x080a0000ULL
#define ARM64_GICR_STRIDE 0x00020000ULL /* RD_base + SGI_base frames */
#define ARM64_MAX_VCPUS 123		/* redistributors up to the UART */

#define ARM64_UART_BASE 0x09000000ULL
#define ARM64_UART_SIZE 0x00001000ULL
#define ARM64_UART_CLOCK_HZ 1843200

#define ARM64_BENCH_BASE 0x09001000ULL
#define ARM64_BENCH_SIZE 0x00001000ULL
#define ARM64_BOOT_TIMER_BASE 0x09002000ULL
#define ARM64_BOOT_TIMER_SIZE 0x00001000ULL
#define ARM64_WORKLOAD_MARK_BASE 0x09003000ULL
#define ARM64_WORKLOAD_MARK_SIZE 0x00001000ULL
#define ARM64_BENCH_PEER_BASE 0x09010000ULL
#define ARM64_BENCH_PEER_SIZE 0x00010000ULL /* a 64 KiB host page at most */

#define ARM64_VIRTIO_BASE 0x0a000000ULL
#define ARM64_VIRTIO_SLOT_SIZE 0x200ULL
#define ARM64_VIRTIO_SLOTS 32

/*
 * 1 GiB-aligned, so that guest RAM's 2 MiB and 1 GiB blocks are whole
 * host huge pages (--hugepages; guest_mem_map() places the host mapping
 * congruent to it) and KVM can map them as stage-2 blocks (checked in
 * platform.c: this header is also read by the guests' assembly).
 */
#define ARM64_RAM_BASE 0x80000000ULL

/*
 * Interrupt numbers as the GIC numbers them (INTID). SPIs start at 32; the
 * device tree's GIC_SPI cells count from 0, so dt_spi = intid - 32.
 */
#define ARM64_SPI_BASE 32
#define ARM64_UART_INTID 33
#define ARM64_BENCH_INTID 34 /* the bench device's io_in interrupt (edge) */
#define ARM64_VIRTIO_INTID_BASE 48 /* one SPI per virtio slot */
#define ARM64_NR_IRQS 128	   /* INTIDs the vGIC is sized for */

/*
 * Architected timer PPIs (INTID): KVM's defaults, which tinyvmm keeps
 * (it sets no KVM_ARM_VCPU_TIMER_IRQ_* attribute). The EL2 virtual timer
 * is only a guest hypervisor's (--nested).
 */
#define ARM64_TIMER_SEC_PHYS_INTID 29
#define ARM64_TIMER_PHYS_INTID 30
#define ARM64_TIMER_VIRT_INTID 27
#define ARM64_TIMER_HYP_INTID 26
#define ARM64_TIMER_HYP_VIRT_INTID 28

/* The vGIC maintenance interrupt of a guest hypervisor (--nested): the
 * PPI the GIC binding and QEMU's virt machine use. */
#define ARM64_GIC_MAINT_INTID 25

#endif
