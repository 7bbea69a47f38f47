// SPDX-License-Identifier: MIT
/*
 * GICv3 set-up; see gic.h. Register names and fields are those of Arm
 * IHI 0069 (chapter 12, "Programmers' model").
 */
#include "gic.h"
#include "mmio.h"

/* Redistributor: the RD_base frame, then the SGI_base frame at +64 KiB. */
#define GICR_WAKER 0x0014
#define GICR_SGI_BASE 0x10000
#define GICR_IGROUPR0 (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI_BASE + 0x0100)
#define GICR_IPRIORITYR0 (GICR_SGI_BASE + 0x0400)

#define GICR_TYPER_LAST (1U << 4)
#define GICR_WAKER_PROCESSOR_SLEEP (1U << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1U << 2)
/* RD_base + SGI_base; GICv4 adds VLPI_base and a reserved frame. */
#define GICR_FRAME_SIZE 0x20000
#define GICR_FRAME_SIZE_VLPI 0x40000

/* SGIs get a middle priority, well above the PMR's 0xff (lower wins). */
#define GIC_SGI_PRIORITY 0xa0

/* Bounds the RWP and ChildrenAsleep polls: generous, then give up. */
#define GIC_POLL_LIMIT 10000000UL

#define ICC_SRE_SRE (1U << 0)

int gic_probe(const struct fdt *fdt, struct gic *gic)
{
	uint64_t addr, size;
	int node, ret;

	node = fdt_find_compatible(fdt, -1, "arm,gic-v3");
	gic->version = 3;
	if (node < 0) {
		node = fdt_find_compatible(fdt, -1, "arm,cortex-a15-gic");
		gic->version = 2;
	}
	if (node < 0)
		return node;
	ret = fdt_reg(fdt, node, 0, &addr, NULL);
	if (ret)
		return ret;
	gic->gicd = (uintptr_t)addr;
	gic->gicr = 0;
	gic->gicr_size = 0;
	if (gic->version == 2)
		return 0;
	ret = fdt_reg(fdt, node, 1, &addr, &size);
	if (ret)
		return ret;
	gic->gicr = (uintptr_t)addr;
	gic->gicr_size = size;
	return 0;
}

/* Polls until (*@addr & @mask) == @want; false if it never does. */
static bool gic_poll(uintptr_t addr, uint32_t mask, uint32_t want)
{
	for (unsigned long i = 0; i < GIC_POLL_LIMIT; i++)
		if ((mmio_read32(addr) & mask) == want)
			return true;
	return false;
}

/* GICD_CTLR: set ARE_NS first, then the group enables; wait for RWP each time.
 */
int gic_dist_init(const struct gic *gic)
{
	uintptr_t ctlr = gic->gicd + GICD_CTLR;

	mmio_write32(ctlr, GICD_CTLR_ARE_NS);
	if (!gic_poll(ctlr, GICD_CTLR_RWP, 0))
		return -1;
	mmio_write32(ctlr, GICD_CTLR_ARE_NS | GICD_CTLR_ENABLE_G1A |
				   GICD_CTLR_ENABLE_G1);
	return gic_poll(ctlr, GICD_CTLR_RWP, 0) ? 0 : -1;
}

/*
 * Read-modify-write of the @width-bit field for @intid in the bank of
 * registers at @reg0 (32 bits each, 32 / @width fields per register;
 * @width 1, 2 or 8).
 */
static void gicd_field_set(const struct gic *gic, uintptr_t reg0,
			   uint32_t intid, unsigned int width, uint32_t val)
{
	unsigned int per_reg = 32 / width;
	uintptr_t reg = gic->gicd + reg0 + 4 * (intid / per_reg);
	unsigned int shift = (intid % per_reg) * width;
	uint32_t mask = ((1U << width) - 1) << shift;

	mmio_write32(reg, (mmio_read32(reg) & ~mask) | (val << shift & mask));
}

/*
 * IHI 0069 (GICD_ICFGR<n>): changing Int_config of an enabled SPI is
 * UNPREDICTABLE, so the SPI is disabled first, and GICD_CTLR.RWP tracks
 * that GICD_ICENABLER<n> write. GICD_IROUTER<n>: Aff3 at bits 39:32 and
 * Aff2.Aff1.Aff0 at 23:0, where MPIDR_EL1 has them too; bit 31
 * (Interrupt_Routing_Mode) 0 routes to that one CPU.
 */
int gic_spi_enable(const struct gic *gic, uint32_t intid, bool edge,
		   uint64_t mpidr)
{
	uintptr_t ctlr = gic->gicd + GICD_CTLR;
	uint32_t bit = 1U << (intid % 32);

	if (intid < GIC_SPI_FIRST || intid > GIC_SPI_LAST)
		return -1;
	mmio_write32(gic->gicd + GICD_ICENABLER0 + 4 * (intid / 32), bit);
	if (!gic_poll(ctlr, GICD_CTLR_RWP, 0))
		return -1;
	gicd_field_set(gic, GICD_IGROUPR0, intid, 1, 1);
	gicd_field_set(gic, GICD_ICFGR0, intid, 2, edge ? 2 : 0);
	gicd_field_set(gic, GICD_IPRIORITYR0, intid, 8, GIC_SGI_PRIORITY);
	mmio_write64(gic->gicd + GICD_IROUTER0 + 8 * (uintptr_t)intid,
		     mpidr & MPIDR_AFF_MASK);
	mmio_write32(gic->gicd + GICD_ISENABLER0 + 4 * (intid / 32), bit);
	return 0;
}

uintptr_t gic_find_redist(const struct gic *gic, uint64_t mpidr)
{
	uint32_t want =
		(uint32_t)((mpidr >> 32 & 0xff) << 24 | (mpidr & 0xffffff));
	uintptr_t frame = gic->gicr;
	uintptr_t end = gic->gicr + gic->gicr_size;

	while (frame < end && end - frame >= GICR_FRAME_SIZE) {
		uint32_t lo = mmio_read32(frame + GICR_TYPER);
		uint32_t hi = mmio_read32(frame + GICR_TYPER + 4);

		if (hi == want)
			return frame;
		if (lo & GICR_TYPER_LAST)
			break;
		frame += lo & GICR_TYPER_VLPIS ? GICR_FRAME_SIZE_VLPI
					       : GICR_FRAME_SIZE;
	}
	return 0;
}

/* The CPU interface (ICC_*_EL1), through system registers. */
static void gic_cpu_if_init(void)
{
	write_sysreg(read_sysreg(s3_0_c12_c12_5) | ICC_SRE_SRE,
		     s3_0_c12_c12_5); /* ICC_SRE_EL1 */
	isb();
	write_sysreg(0xff, s3_0_c4_c6_0); /* ICC_PMR_EL1: let all in */
	write_sysreg(0, s3_0_c12_c12_3);  /* ICC_BPR1_EL1: no subgroups */
	write_sysreg(0, s3_0_c12_c12_4);  /* ICC_CTLR_EL1: EOImode 0 */
	write_sysreg(1, s3_0_c12_c12_7);  /* ICC_IGRPEN1_EL1 */
	isb();
}

int gic_cpu_init(const struct gic *gic, uint64_t mpidr)
{
	uintptr_t rd = gic_find_redist(gic, mpidr);
	uint32_t prio = GIC_SGI_PRIORITY * 0x01010101U;

	if (!rd)
		return -1;
	/* GICR_WAKER: clear ProcessorSleep, wait for ChildrenAsleep to clear.
	 */
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) &
					      ~GICR_WAKER_PROCESSOR_SLEEP);
	if (!gic_poll(rd + GICR_WAKER, GICR_WAKER_CHILDREN_ASLEEP, 0))
		return -1;
	for (unsigned int i = 0; i < GIC_NR_SGIS / 4; i++)
		mmio_write32(rd + GICR_IPRIORITYR0 + 4 * i, prio);
	mmio_write32(rd + GICR_IGROUPR0, 0xffffffffU); /* SGIs+PPIs: group 1 */
	/* The SGIs, and the virtual timer PPI (watchdog, timer benchmark). */
	mmio_write32(rd + GICR_ISENABLER0,
		     ((1U << GIC_NR_SGIS) - 1) | (1U << GIC_PPI_VTIMER));
	gic_cpu_if_init();
	return 0;
}
