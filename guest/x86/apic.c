// SPDX-License-Identifier: MIT
/*
 * The local APIC and the I/O APIC: see apic.h. Every access traps to
 * KVM, so nothing here polls a register it need not (KVM delivers an IPI
 * within the ICR write: its delivery status never reads busy).
 */
#include "apic.h"
#include "mmio.h"

/* The calibration window: long against one timer read's exit. */
#define APIC_CALIBRATE_NS 1000000ULL
#define APIC_TIMER_MAX_COUNT 0xffffffffULL

/* The 8259A pair's interrupt mask registers (OCW1). */
#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

uint32_t apic_read(uint32_t reg)
{
	return mmio_read32(x86_guest.lapic + reg);
}

void apic_write(uint32_t reg, uint32_t val)
{
	mmio_write32(x86_guest.lapic + reg, val);
}

void apic_cpu_init(void)
{
	apic_write(APIC_SVR, APIC_SVR_ENABLE | APIC_VEC_SPURIOUS);
	apic_write(APIC_TPR, 0);
	apic_write(APIC_LVT_LINT0, APIC_LVT_MASKED);
	apic_write(APIC_LVT_LINT1, APIC_LVT_MASKED);
	apic_write(APIC_LVT_ERROR, APIC_LVT_MASKED);
	apic_write(APIC_TDCR, APIC_TDCR_DIV2);
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, APIC_VEC_TIMER); /* one-shot, unmasked */
}

void apic_ipi_dest(uint32_t apic_id)
{
	apic_write(APIC_ICR_HI, apic_id << 24);
}

void apic_send_ipi_lo(unsigned int vector)
{
	apic_write(APIC_ICR_LO, APIC_ICR_ASSERT | (vector & 0xff));
}

void apic_send_ipi(uint32_t apic_id, unsigned int vector)
{
	apic_ipi_dest(apic_id);
	apic_send_ipi_lo(vector);
}

void apic_send_self(unsigned int vector)
{
	apic_write(APIC_ICR_LO,
		   APIC_ICR_SELF | APIC_ICR_ASSERT | (vector & 0xff));
}

static uint32_t apic_ns_to_count(uint64_t ns)
{
	uint64_t count = ns / APIC_TIMER_NS_PER_COUNT;

	if (count == 0)
		count = 1;
	return (uint32_t)(count > APIC_TIMER_MAX_COUNT ? APIC_TIMER_MAX_COUNT
						       : count);
}

void apic_timer_arm(uint64_t ns)
{
	x86_guest.timer_fired[x86_cpu_index()] = 0;
	barrier();
	apic_write(APIC_TMICT, apic_ns_to_count(ns));
}

void apic_timer_stop(void)
{
	apic_write(APIC_TMICT, 0);
}

/*
 * TSC ticks across APIC_CALIBRATE_NS of the (masked) timer. Only the
 * timeouts use the result: an error of a few percent does not matter.
 */
static uint64_t apic_calibrate_tsc(void)
{
	uint64_t t0, t1;

	apic_write(APIC_LVT_TIMER, APIC_LVT_MASKED | APIC_VEC_TIMER);
	apic_write(APIC_TMICT, apic_ns_to_count(APIC_CALIBRATE_NS));
	t0 = tsc_read();
	while (apic_read(APIC_TMCCT) != 0)
		cpu_relax();
	t1 = tsc_read();
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, APIC_VEC_TIMER);
	return (t1 - t0) * (1000000000ULL / APIC_CALIBRATE_NS);
}

int apic_boot_init(struct x86_guest *g)
{
	uint64_t base = rdmsr(X86_MSR_APIC_BASE);

	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	if (!(base & X86_APIC_BASE_ENABLE))
		return -1;
	apic_cpu_init(); /* g->lapic: set by x86_boot_init() */
	g->tsc_hz = apic_calibrate_tsc();
	return g->tsc_hz ? 0 : -1;
}

static uint32_t ioapic_read(uint32_t reg)
{
	mmio_write32(X86_IOAPIC_BASE + IOAPIC_REGSEL, reg);
	return mmio_read32(X86_IOAPIC_BASE + IOAPIC_WIN);
}

static void ioapic_write(uint32_t reg, uint32_t val)
{
	mmio_write32(X86_IOAPIC_BASE + IOAPIC_REGSEL, reg);
	mmio_write32(X86_IOAPIC_BASE + IOAPIC_WIN, val);
}

int ioapic_route(uint32_t gsi, unsigned int vector, uint32_t apic_id, bool edge)
{
	uint32_t pins = (ioapic_read(IOAPIC_REG_VER) >> 16 & 0xff) + 1;

	if (gsi >= pins)
		return -1;
	/* Masked while half written; the low word, written last, unmasks. */
	ioapic_write(IOAPIC_REG_REDTBL(gsi), IOAPIC_RTE_MASKED);
	ioapic_write(IOAPIC_REG_REDTBL(gsi) + 1, apic_id << 24);
	ioapic_write(IOAPIC_REG_REDTBL(gsi),
		     (edge ? 0 : IOAPIC_RTE_LEVEL) | (vector & 0xff));
	return 0;
}
