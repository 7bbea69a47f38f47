// SPDX-License-Identifier: MIT
/*
 * The GICv3 ITS and LPIs; see its.h. Register and command layouts are
 * those of Arm IHI 0069 (12.19 "The ITS register descriptions", 6.3
 * "ITS commands").
 */
#include "its.h"
#include "mmio.h"

/* ITS control frame registers. */
#define GITS_CTLR 0x0000
#define GITS_TYPER 0x0008
#define GITS_CBASER 0x0080
#define GITS_CWRITER 0x0088
#define GITS_CREADR 0x0090
#define GITS_BASER0 0x0100 /* 8 of them, 64 bits each */
#define GITS_NR_BASER 8

#define GITS_CTLR_ENABLED (1U << 0)
#define GITS_TYPER_PHYSICAL (1ULL << 0)
#define GITS_TYPER_PTA (1ULL << 19) /* RDbase is an address, not a PE no. */
#define GITS_CBASER_VALID (1ULL << 63)
#define GITS_BASER_VALID (1ULL << 63)
#define GITS_BASER_INDIRECT (1ULL << 62)
#define GITS_BASER_TYPE(v) (((v) >> 56) & 7)
#define GITS_BASER_TYPE_DEVICE 1
#define GITS_BASER_TYPE_COLLECTION 4
#define GITS_BASER_PAGE_SIZE(v) (((v) >> 8) & 3) /* 4, 16, 64 KiB */
#define GITS_BASER_ADDR_MASK 0x0000fffffffff000ULL
#define GITS_BASER_SIZE_MASK 0xffULL

/* Command numbers (the low byte of a command's first doubleword). */
#define ITS_CMD_INT 0x03
#define ITS_CMD_SYNC 0x05
#define ITS_CMD_MAPD 0x08
#define ITS_CMD_MAPC 0x09
#define ITS_CMD_MAPTI 0x0a
#define ITS_CMD_INV 0x0c
#define ITS_CMD_SIZE 32 /* four doublewords */
#define ITS_CMD_VALID (1ULL << 63)

/*
 * LPI INTIDs 8192..16383: GICR_PROPBASER.IDbits is this minus one. The
 * property table holds one byte per LPI, the pending table one bit per
 * INTID (the first 1 KiB, for INTIDs below 8192, unused).
 */
#define ITS_ID_BITS 14
#define LPI_PROP_SIZE ((1U << ITS_ID_BITS) - GIC_LPI_FIRST)
#define LPI_PEND_SIZE ((1U << ITS_ID_BITS) / 8)
/* A property byte: priority in bits 7:2, bit 1 RES1, bit 0 enable. */
#define LPI_PROP_ENABLE 0x01
#define LPI_PROP_RES1 0x02
#define LPI_PRIORITY 0xa0 /* the SGIs' (gic.c): well above the PMR */

/*
 * The memory, carved out of one .bss block aligned at run time (the
 * image's own load address fixes the physical alignment): the device
 * and collection tables one 64 KiB ITS page each, the largest page size
 * GITS_BASER<n> may demand (KVM's); the command queue 64 KiB aligned,
 * though GITS_CBASER has 4 KiB granules, because KVM clears address bits
 * 15:12 of what is written there (vgic_sanitise_its_cbaser()); the
 * property table 4 KiB aligned; the ITT 256 bytes (MAPD); the pending
 * table 64 KiB aligned (GICR_PENDBASER).
 */
#define ITS_PAGE 0x10000
#define ITS_CMDQ_SIZE 0x1000 /* one 4 KiB page: 128 commands */
#define ITS_ITT_SIZE 0x100
#define OFF_DEVICES 0x00000
#define OFF_COLLECTIONS 0x10000
#define OFF_CMDQ 0x20000
#define OFF_PROP (OFF_CMDQ + ITS_CMDQ_SIZE)
#define OFF_ITT (OFF_PROP + LPI_PROP_SIZE)
#define OFF_PEND 0x30000
#define ITS_MEM_USED (OFF_PEND + LPI_PEND_SIZE)

_Static_assert(OFF_ITT + ITS_ITT_SIZE <= OFF_PEND, "tables do not overlap");

static uint8_t its_mem[ITS_MEM_USED + ITS_PAGE] __attribute__((aligned(4096)));

/* Bounds the CREADR and RWP polls: generous, then give up. */
#define ITS_POLL_LIMIT 10000000UL

int its_probe(const struct fdt *fdt, struct its *its)
{
	int node = fdt_find_compatible(fdt, -1, "arm,gic-v3-its");
	uint64_t addr;
	int ret;

	if (node < 0)
		return node;
	if (!fdt_is_available(fdt, node))
		return -FDT_ERR_NOTFOUND;
	ret = fdt_reg(fdt, node, 0, &addr, NULL);
	if (ret)
		return ret;
	its->base = (uintptr_t)addr;
	return 0;
}

static uintptr_t its_mem_base(void)
{
	uintptr_t p = (uintptr_t)its_mem;

	return (p + ITS_PAGE - 1) & ~(uintptr_t)(ITS_PAGE - 1);
}

/*
 * GICR_PROPBASER and GICR_PENDBASER, then GICR_CTLR.EnableLPIs (the
 * tables may not change once it is set). Cache and shareability fields
 * are left 0: what KVM makes of them does not matter to a guest that
 * cleans every line it hands over.
 */
static int lpi_rd_enable(struct its *its, uintptr_t mem, const char **why)
{
	uint32_t typer = mmio_read32(its->rd + GICR_TYPER);
	uint8_t *prop = (uint8_t *)(mem + OFF_PROP);

	if (!(typer & GICR_TYPER_PLPIS)) {
		*why = "the redistributor has no LPIs (GICR_TYPER.PLPIS 0)";
		return -1;
	}
	if (mmio_read32(its->rd + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS) {
		*why = "LPIs were already on at the redistributor";
		return -1;
	}
	for (unsigned int i = 0; i < LPI_PROP_SIZE; i++)
		prop[i] = LPI_PRIORITY | LPI_PROP_RES1; /* all off for now */
	dcache_civac(mem + OFF_CMDQ, ITS_MEM_USED - OFF_CMDQ);
	mmio_write64(its->rd + GICR_PROPBASER,
		     (uint64_t)(mem + OFF_PROP) | (ITS_ID_BITS - 1));
	mmio_write64(its->rd + GICR_PENDBASER, (uint64_t)(mem + OFF_PEND));
	mmio_write32(its->rd + GICR_CTLR, GICR_CTLR_ENABLE_LPIS);
	dsb_sy();
	if (!(mmio_read32(its->rd + GICR_CTLR) & GICR_CTLR_ENABLE_LPIS)) {
		*why = "the redistributor did not turn LPIs on";
		return -1;
	}
	return 0;
}

/*
 * Points GITS_BASER<n> of @type at the 64 KiB at @table, a flat table:
 * Size counts pages of the register's own (read-only here) page size.
 */
static int its_baser_set(const struct its *its, unsigned int type,
			 uintptr_t table)
{
	static const uint32_t page[] = { 0x1000, 0x4000, 0x10000, 0x10000 };

	for (unsigned int n = 0; n < GITS_NR_BASER; n++) {
		uintptr_t reg = its->base + GITS_BASER0 + 8 * n;
		uint64_t v = mmio_read64(reg);
		uint32_t psz = page[GITS_BASER_PAGE_SIZE(v)];

		if (GITS_BASER_TYPE(v) != type)
			continue;
		v &= ~(GITS_BASER_VALID | GITS_BASER_INDIRECT |
		       GITS_BASER_ADDR_MASK | GITS_BASER_SIZE_MASK);
		v |= GITS_BASER_VALID | (uint64_t)table |
		     (uint64_t)(ITS_PAGE / psz - 1);
		mmio_write64(reg, v);
		v = mmio_read64(reg);
		return (v & GITS_BASER_VALID) &&
				       (v & GITS_BASER_ADDR_MASK) == table
			       ? 0
			       : -1;
	}
	return -1;
}

/*
 * The command queue: 4 KiB, empty (CWRITER = CREADR = 0). False when
 * GITS_CBASER does not read back where we put it.
 */
static bool its_cmdq_init(struct its *its, uintptr_t mem)
{
	its->cmdq = mem + OFF_CMDQ;
	its->cwriter = 0;
	mmio_write64(its->base + GITS_CBASER,
		     GITS_CBASER_VALID | (uint64_t)its->cmdq |
			     (ITS_CMDQ_SIZE / 0x1000 - 1));
	mmio_write64(its->base + GITS_CWRITER, 0);
	return (mmio_read64(its->base + GITS_CBASER) & GITS_BASER_ADDR_MASK) ==
	       its->cmdq;
}

int its_init(const struct gic *gic, struct its *its, uint64_t mpidr,
	     const char **why)
{
	uintptr_t mem = its_mem_base();
	uint64_t typer = mmio_read64(its->base + GITS_TYPER);

	its->rd = gic_find_redist(gic, mpidr);
	if (!its->rd) {
		*why = "no redistributor for this cpu";
		return -1;
	}
	if (!(typer & GITS_TYPER_PHYSICAL)) {
		*why = "the ITS takes no physical LPIs (GITS_TYPER.Physical 0)";
		return -1;
	}
	/* RDbase: the redistributor's address, or its processor number. */
	its->rdbase = typer & GITS_TYPER_PTA
			      ? (uint64_t)its->rd
			      : (uint64_t)GICR_TYPER_PROC_NUM(
					mmio_read32(its->rd + GICR_TYPER))
					<< 16;
	its->itt = mem + OFF_ITT;
	if (lpi_rd_enable(its, mem, why))
		return -1;
	dcache_civac(mem + OFF_DEVICES, 2 * ITS_PAGE);
	if (its_baser_set(its, GITS_BASER_TYPE_DEVICE, mem + OFF_DEVICES) ||
	    its_baser_set(its, GITS_BASER_TYPE_COLLECTION,
			  mem + OFF_COLLECTIONS)) {
		*why = "the ITS has no flat device and collection tables";
		return -1;
	}
	if (!its_cmdq_init(its, mem)) {
		*why = "GITS_CBASER does not hold the command queue's address";
		return -1;
	}
	mmio_write32(its->base + GITS_CTLR, GITS_CTLR_ENABLED);
	if (!(mmio_read32(its->base + GITS_CTLR) & GITS_CTLR_ENABLED)) {
		*why = "the ITS did not enable (GITS_CTLR.Enabled 0)";
		return -1;
	}
	return 0;
}

/*
 * Writes one command at GITS_CWRITER's offset, cleans its line so the
 * ITS reads what we wrote, and moves CWRITER past it: the write KVM
 * acts on.
 */
static inline __attribute__((always_inline)) void
its_cmd(struct its *its, uint64_t d0, uint64_t d1, uint64_t d2)
{
	volatile uint64_t *c = (volatile uint64_t *)(its->cmdq + its->cwriter);

	c[0] = d0;
	c[1] = d1;
	c[2] = d2;
	c[3] = 0;
	dcache_civac((uintptr_t)c, ITS_CMD_SIZE);
	its->cwriter = (its->cwriter + ITS_CMD_SIZE) % ITS_CMDQ_SIZE;
	mmio_write64(its->base + GITS_CWRITER, its->cwriter);
}

/* Waits until the ITS has read every queued command (CREADR = CWRITER). */
static bool its_drain(const struct its *its)
{
	for (unsigned long i = 0; i < ITS_POLL_LIMIT; i++)
		if ((mmio_read64(its->base + GITS_CREADR) & ~0x1fULL) ==
		    its->cwriter)
			return true;
	return false;
}

int its_map_lpi(struct its *its, uint32_t device_id, uint32_t event_id,
		uint32_t intid, const char **why)
{
	uint8_t *prop = (uint8_t *)(its_mem_base() + OFF_PROP);
	uint64_t dev = (uint64_t)device_id << 32;

	if (intid < GIC_LPI_FIRST || intid >= (1U << ITS_ID_BITS) ||
	    event_id > 1) {
		*why = "LPI or EventID out of this driver's range";
		return -1;
	}
	/* Enabled before MAPTI: KVM reads the byte when it maps the LPI. */
	prop[intid - GIC_LPI_FIRST] =
		LPI_PRIORITY | LPI_PROP_RES1 | LPI_PROP_ENABLE;
	dcache_civac((uintptr_t)&prop[intid - GIC_LPI_FIRST], 1);
	/* MAPD: one EventID bit (Size 0), the ITT, Valid. */
	its_cmd(its, ITS_CMD_MAPD | dev, 0, ITS_CMD_VALID | its->itt);
	/* MAPC: collection 0 to our redistributor, Valid. */
	its_cmd(its, ITS_CMD_MAPC, 0, ITS_CMD_VALID | its->rdbase | 0);
	its_cmd(its, ITS_CMD_MAPTI | dev, event_id | (uint64_t)intid << 32, 0);
	its_cmd(its, ITS_CMD_INV | dev, event_id, 0);
	its_cmd(its, ITS_CMD_SYNC, 0, its->rdbase);
	if (!its_drain(its)) {
		*why = "the ITS did not consume its commands (GITS_CREADR)";
		return -1;
	}
	return 0;
}

void its_send_int(struct its *its, uint32_t device_id, uint32_t event_id)
{
	its_cmd(its, ITS_CMD_INT | (uint64_t)device_id << 32, event_id, 0);
}
