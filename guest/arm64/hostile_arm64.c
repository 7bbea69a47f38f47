// SPDX-License-Identifier: MIT
/*
 * The arm64 side of the hostile guest (guest/common/hostile.c does the
 * attack; hostile.h is the contract): boot through the device tree, the
 * generic timer as the clock, cache maintenance around ring hand-over,
 * the memory map's holes, WFI woken by the virtual timer, PSCI to leave.
 *
 * The guest runs at EL1 with the MMU off, so its accesses to RAM are
 * non-cacheable while tinyvmm's mapping of the same RAM is cacheable:
 * every hand-over cleans and invalidates the lines involved. IRQs stay
 * masked (PSTATE.I): the GIC is set up only so that the virtual timer's
 * interrupt can end a WFI, which it does pending and masked.
 */
#include "arm64.h"
#include "gic.h"
#include "hostile.h"
#include "uart.h"

/* The virtual timer's control register (Arm ARM D13.8.18, CNTV_CTL_EL0). */
#define TIMER_ENABLE (1U << 0)
#define TIMER_ISTATUS (1U << 2)

/* The GIC, only so that the virtual timer's PPI can end a WFI. */
struct hostile_arch {
	struct gic gic;
	bool have_gic;
};

const char hostile_arch_idle_insn[] = "wfi";

uint64_t hostile_arch_ticks(void)
{
	return read_cntvct();
}

/*
 * DC CIVAC by CTR_EL0.DminLine over [@p, @p + @len), then dsb: cleaning
 * writes back what tinyvmm's cacheable mapping dirtied, invalidating
 * drops what it may hold stale, so each side sees the other's writes.
 */
void hostile_arch_ram_sync(const volatile void *p, size_t len)
{
	uintptr_t step = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t a = (uintptr_t)p & ~(step - 1);

	for (; a < (uintptr_t)p + len; a += step)
		asm volatile("dc civac, %0" : : "r"(a) : "memory");
	dsb_sy();
}

void hostile_arch_publish_barrier(void)
{
	dsb_sy();
}

/* The GIC binding's three cells: SPI (type 0), number, flags. */
uint32_t hostile_arch_dev_irq(const struct fdt *fdt, int node)
{
	uint32_t len;
	const uint8_t *irq = fdt_prop(fdt, node, "interrupts", &len);

	return irq && len >= 8 ? 32 + fdt_be32(irq + 4) : 0;
}

/* Device memory (the MMU is off) faults on unaligned accesses at EL1. */
unsigned int hostile_arch_sweep_unaligned(struct hostile *h, uintptr_t base,
					  uint32_t size)
{
	return 0;
}

/* Holes of the memory map (arch/arm64/arm64_layout.h) and around RAM. */
unsigned int hostile_arch_holes(struct hostile *h, uint64_t *a)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	unsigned int n = 0;

	a[n++] = 0;
	a[n++] = 0x1000;
	a[n++] = 0x04000000;
	a[n++] = 0x09004000;		  /* past the workload marker */
	a[n++] = 0x0a000000 + 0x200 * 31; /* a virtio slot left empty */
	a[n++] = 0x40000000;
	a[n++] = h->ram_end;
	a[n++] = h->ram_end + 0x100000;
	if (parange >= 1) /* 36 bits or more (Arm ARM, ID_AA64MMFR0_EL1) */
		a[n++] = (1ULL << 36) - 0x1000;
	return n;
}

/* No other address space to probe. */
void hostile_arch_unmapped_more(struct hostile *h)
{
}

/*
 * Stops the virtual timer and retires its interrupt: the PPI is mapped
 * to the hardware timer (KVM), so it stays pending until acknowledged
 * and completed, whatever the timer does meanwhile. ICC_IAR1_EL1 works
 * with PSTATE.I masked.
 */
static void timer_stop(void)
{
	uint32_t iar = gic_ack();

	write_sysreg(0, cntv_ctl_el0);
	isb();
	if ((iar & 0xffffff) < GIC_INTID_SPURIOUS_FIRST)
		gic_eoi(iar);
}

static void timer_arm(uint64_t cval)
{
	write_sysreg(cval, cntv_cval_el0);
	write_sysreg(TIMER_ENABLE, cntv_ctl_el0);
	isb();
}

const char *hostile_arch_idle_setup(struct hostile *h)
{
	return h->arch->have_gic ? NULL
				 : "no GICv3 to deliver the timer's interrupt";
}

/* WFI until the virtual timer fires @us from now (or @bound passes). */
unsigned int hostile_arch_idle_sleep(struct hostile *h, uint64_t us,
				     uint64_t bound)
{
	unsigned int n = 0;

	timer_arm(hostile_ticks_after(h, us));
	while (!(read_sysreg(cntv_ctl_el0) & TIMER_ISTATUS) &&
	       !hostile_past(bound)) {
		wfi();
		n++;
	}
	timer_stop();
	return n;
}

/* WFI with the timer's interrupt pending (masked here): each returns. */
unsigned int hostile_arch_idle_storm(struct hostile *h, unsigned int max,
				     uint64_t bound)
{
	unsigned int n;

	timer_arm(0);
	for (n = 0; n < max && !hostile_past(bound); n++)
		wfi();
	timer_stop();
	return n;
}

/* ICC_HPPIR1_EL1: the highest priority pending interrupt, 1023 if none. */
void hostile_arch_idle_pending(struct hostile *h)
{
	con_printf(h->con, "INTID %lu",
		   (unsigned long)read_sysreg(s3_0_c12_c12_2) & 0xffffff);
}

void hostile_arch_reset(const struct hostile *h)
{
	psci_system_reset(arm64_guest.conduit);
}

void hostile_arch_power_off(const struct hostile *h)
{
	psci_system_off(arm64_guest.conduit);
}

static void setup_gic(struct hostile_arch *arch, const struct fdt *fdt)
{
	arch->have_gic = !gic_probe(fdt, &arch->gic) &&
			 arch->gic.version == 3 && !gic_dist_init(&arch->gic) &&
			 !gic_cpu_init(&arch->gic, read_mpidr());
}

void main(uintptr_t dtb)
{
	struct arm64_guest *g = &arm64_guest;
	struct hostile_arch arch = { .have_gic = false };
	struct hostile h = { .con = &g->con, .arch = &arch };
	struct fdt fdt;
	int ret;

	/* booting.rst: the DTB is 8-byte aligned; without it, no console. */
	if (!dtb || dtb % 8 || fdt_init(&fdt, (const void *)dtb) ||
	    uart_console_probe(&fdt, &g->con))
		psci_system_reset(g->conduit);
	ret = psci_conduit_from_fdt(&fdt, &g->conduit);
	if (ret)
		hostile_fail(&h, "no usable /psci method", ret);
	h.ticks_hz = read_cntfrq();
	if (!h.ticks_hz)
		hostile_fail(&h, "CNTFRQ_EL0 reads 0", 0);
	setup_gic(&arch, &fdt);
	hostile_run(&h, &fdt, dtb);
}

/* Never started: the attacks run on one CPU. */
void secondary_main(unsigned int index)
{
	psci_cpu_off(arm64_guest.conduit);
}
