/* SPDX-License-Identifier: MIT */
/*
 * A minimal GICv3 driver for the arm64 guests (Arm IHI 0069, "GIC
 * architecture specification v3/v4"): the distributor, each CPU's
 * redistributor, and the system-register CPU interface. Software
 * generated interrupts (SGIs), the virtual timer PPI (a watchdog, and
 * what the timer benchmark takes), and one SPI (the bench device's):
 * that is all the benchmarks use.
 * Register accesses are single 32-bit ldr/str (mmio.h): KVM's vgic
 * decodes nothing else. Interrupts are group 1 non-secure, EOImode 0
 * (one ICC_EOIR1_EL1 write both drops priority and deactivates).
 */
#ifndef TINYVMM_GUEST_ARM64_GIC_H
#define TINYVMM_GUEST_ARM64_GIC_H

#include "arm64.h"

/* Distributor registers. */
#define GICD_CTLR 0x0000
#define GICD_TYPER 0x0004
#define GICD_IIDR 0x0008
#define GICD_IGROUPR0 0x0080	/* 1 bit per INTID */
#define GICD_ISENABLER0 0x0100	/* 1 bit per INTID, write 1 to enable */
#define GICD_ICENABLER0 0x0180	/* 1 bit per INTID, write 1 to disable */
#define GICD_IPRIORITYR0 0x0400 /* 8 bits per INTID */
#define GICD_ICFGR0 0x0c00	/* 2 bits per INTID; bit 1: edge */
#define GICD_IROUTER0 0x6000	/* 64 bits per INTID (SPIs only) */
/*
 * The bits differ with the security state (IHI 0069, GICD_CTLR): seen from
 * Non-secure with DS=0, bit 0 is EnableGrp1 and bit 1 EnableGrp1A; with
 * DS=1 (KVM's vgic, QEMU virt without EL3) bit 0 is EnableGrp0 and bit 1
 * EnableGrp1. Setting both enables group 1 either way.
 */
#define GICD_CTLR_ENABLE_G1 (1U << 0)
#define GICD_CTLR_ENABLE_G1A (1U << 1)
#define GICD_CTLR_ARE_NS (1U << 4)
#define GICD_CTLR_RWP (1U << 31)

/* INTIDs 1020-1023 are special: "no interrupt" for ICC_IAR1_EL1. */
#define GIC_INTID_SPURIOUS_FIRST 1020
#define GIC_NR_SGIS 16
#define GIC_PPI_VTIMER 27 /* the EL1 virtual timer's PPI (INTID) */
#define GIC_SPI_FIRST 32
#define GIC_SPI_LAST 1019

struct gic {
	unsigned int version; /* 3, or 2 (found but not driven here) */
	uintptr_t gicd;	      /* distributor base */
	uintptr_t gicr;	      /* first redistributor frame (v3) */
	uint64_t gicr_size;   /* the whole redistributor region */
};

/*
 * Finds the interrupt controller in the tree: "arm,gic-v3" (reg 0 =
 * distributor, reg 1 = redistributor region) or "arm,cortex-a15-gic"
 * (version 2: only gicd is set). Returns 0 or a -FDT_ERR_* code.
 */
int gic_probe(const struct fdt *fdt, struct gic *gic);

/*
 * v3 only. Enables the distributor: affinity routing and group 1.
 * Returns 0, or -1 when GICD_CTLR.RWP never clears.
 */
int gic_dist_init(const struct gic *gic);

/*
 * v3 only, on the CPU whose MPIDR is @mpidr: wakes its redistributor,
 * puts the SGIs in group 1 and enables them, then enables the CPU
 * interface (SRE, PMR, EOImode 0, group 1). Returns 0, or -1 when no
 * redistributor frame has this affinity or it does not wake.
 */
int gic_cpu_init(const struct gic *gic, uint64_t mpidr);

/*
 * v3 only, after gic_dist_init(): makes SPI @intid (32..1019) a group 1
 * interrupt, edge-triggered if @edge (else level), at the SGIs' priority,
 * routed to the CPU with MPIDR @mpidr, and enables it. Returns 0, or -1
 * for an INTID out of range or when GICD_CTLR.RWP never clears.
 */
int gic_spi_enable(const struct gic *gic, uint32_t intid, bool edge,
		   uint64_t mpidr);

/* Redistributor RD_base registers (IHI 0069, 12.10). */
#define GICR_CTLR 0x0000
#define GICR_TYPER 0x0008 /* 64 bits, read as two 32-bit halves */
#define GICR_PROPBASER 0x0070
#define GICR_PENDBASER 0x0078
#define GICR_CTLR_ENABLE_LPIS (1U << 0)
#define GICR_TYPER_PLPIS (1U << 0)
#define GICR_TYPER_VLPIS (1U << 1)
#define GICR_TYPER_PROC_NUM(lo) (((lo) >> 8) & 0xffff)

/* The first LPI: INTIDs from 8192 up are LPIs. */
#define GIC_LPI_FIRST 8192

/*
 * v3 only: the redistributor frame (RD_base) whose GICR_TYPER
 * Affinity_Value (bits 63:32, Aff3.Aff2.Aff1.Aff0) is @mpidr's; 0 if
 * none before the Last frame or the end of the region.
 */
uintptr_t gic_find_redist(const struct gic *gic, uint64_t mpidr);

/* ICC_IAR1_EL1: acknowledges the highest priority pending interrupt. */
static inline uint32_t gic_ack(void)
{
	uint32_t iar = (uint32_t)read_sysreg(s3_0_c12_c12_0);

	/* As Linux does: the acknowledge completes before the handler runs. */
	asm volatile("dsb sy" : : : "memory");
	return iar;
}

/* ICC_EOIR1_EL1 with what gic_ack() returned (EOImode 0: deactivates). */
static inline void gic_eoi(uint32_t iar)
{
	write_sysreg(iar, s3_0_c12_c12_1);
}

/*
 * The ICC_SGI1R_EL1 value that sends SGI @intid to the CPU with MPIDR
 * @mpidr: Aff3.Aff2.Aff1 name its cluster, TargetList has one bit per
 * Aff0 within the 16-CPU range RS (IHI 0069, ICC_SGI1R_EL1).
 */
static inline uint64_t gic_sgi_value(uint64_t mpidr, unsigned int intid)
{
	uint64_t aff0 = mpidr & 0xff;

	return (1ULL << (aff0 & 0xf)) | ((mpidr >> 8 & 0xff) << 16) |
	       ((uint64_t)(intid & 0xf) << 24) | ((mpidr >> 16 & 0xff) << 32) |
	       ((aff0 >> 4) << 44) | ((mpidr >> 32 & 0xff) << 48);
}

/* Sends what gic_sgi_value() made; the isb makes the write take effect. */
static inline void gic_sgi_write(uint64_t sgi1r)
{
	write_sysreg(sgi1r, s3_0_c12_c11_5);
	isb();
}

static inline void gic_send_sgi(uint64_t mpidr, unsigned int intid)
{
	gic_sgi_write(gic_sgi_value(mpidr, intid));
}

#endif
