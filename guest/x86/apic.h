/* SPDX-License-Identifier: MIT */
/*
 * The local APIC (xAPIC, memory-mapped) and the I/O APIC of the x86_64
 * guests: what the benchmarks use of them (SDM vol. 3, chapter 11; the
 * 82093AA I/O APIC datasheet). Both are KVM's in-kernel models: with
 * neither AVIC nor APICv (none under nested SVM on QEMU TCG) every
 * register access below is a nested page fault that KVM emulates in the
 * kernel. Accesses are single 32-bit movs (mmio.h).
 *
 * The timer is KVM's model too: its input clock is KVM's APIC bus,
 * 1 GHz (APIC_BUS_CYCLE_NS = 1), divided by 2 here, so one count is
 * 2 ns and a one-shot lasts up to 8.5 s.
 */
#ifndef TINYVMM_GUEST_X86_APIC_H
#define TINYVMM_GUEST_X86_APIC_H

#include "x86.h"

/* Local APIC registers (offsets from the 4 KiB xAPIC page). */
#define APIC_ID 0x020
#define APIC_LVR 0x030 /* version: read-only, no side effect */
#define APIC_TPR 0x080
#define APIC_EOI 0x0b0
#define APIC_SVR 0x0f0
#define APIC_ICR_LO 0x300
#define APIC_ICR_HI 0x310
#define APIC_LVT_TIMER 0x320
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_ERROR 0x370
#define APIC_TMICT 0x380 /* timer initial count */
#define APIC_TMCCT 0x390 /* timer current count */
#define APIC_TDCR 0x3e0	 /* timer divide configuration */

#define APIC_SVR_ENABLE (1U << 8)
#define APIC_LVT_MASKED (1U << 16)
#define APIC_ICR_ASSERT (1U << 14)
#define APIC_ICR_SELF (1U << 18) /* destination shorthand 01 */
#define APIC_TDCR_DIV2 0x0
#define APIC_LVT_TSC_DEADLINE (2U << 17)   /* timer mode 10b */
#define X86_MSR_TSC_DEADLINE 0x6e0	   /* IA32_TSC_DEADLINE */
#define X86_CPUID1_TSC_DEADLINE (1U << 24) /* leaf 1 ECX */
#define APIC_TIMER_NS_PER_COUNT 2

/*
 * Vectors: all in one priority class (vector / 16), so none preempts
 * another's handler, which runs with interrupts off anyway.
 */
#define APIC_VEC_WAKE 0x40  /* no work: makes a halted CPU look at its flags */
#define APIC_VEC_TIMER 0x48 /* the one-shot timer of apic_timer_arm() */
#define APIC_VEC_PROG 0x41  /* 0x41..0x47: the program's own */
#define APIC_VEC_SPURIOUS 0xff

#define X86_MSR_APIC_BASE 0x1b
#define X86_APIC_BASE_ENABLE (1ULL << 11)

/* The I/O APIC's two windows and its redirection table. */
#define IOAPIC_REGSEL 0x00
#define IOAPIC_WIN 0x10
#define IOAPIC_REG_VER 0x01
#define IOAPIC_REG_REDTBL(pin) (0x10 + 2 * (pin))
#define IOAPIC_RTE_MASKED (1U << 16)
#define IOAPIC_RTE_LEVEL (1U << 15)

/*
 * CPU 0, once, before anything else here: masks the legacy PICs (their
 * IRQs share GSIs 0-15 with the I/O APIC under KVM's default routing),
 * finds the xAPIC page (IA32_APIC_BASE), sets CPU 0's local APIC up
 * (apic_cpu_init()) and calibrates the TSC against the timer into
 * g->tsc_hz (1 ms; the timeouts need no more). Returns 0, or -1 when the
 * APIC is off in IA32_APIC_BASE or its timer does not count.
 */
int apic_boot_init(struct x86_guest *g);

/*
 * On the calling CPU: software-enables its local APIC (SVR, spurious
 * vector), accepts every priority (TPR 0), masks LINT0/LINT1/error and
 * makes the timer one-shot on APIC_VEC_TIMER, stopped.
 */
void apic_cpu_init(void);

uint32_t apic_read(uint32_t reg);
void apic_write(uint32_t reg, uint32_t val);

/* Completes the interrupt being handled (not for the spurious vector). */
static inline void apic_eoi(void)
{
	apic_write(APIC_EOI, 0);
}

/* Fixed IPI @vector to the CPU with APIC id @apic_id (physical mode). */
void apic_send_ipi(uint32_t apic_id, unsigned int vector);
/* ICR_HI for apic_send_ipi_lo(): written once before a timed send. */
void apic_ipi_dest(uint32_t apic_id);
/* The ICR_LO write alone: the one register write that sends the IPI. */
void apic_send_ipi_lo(unsigned int vector);
/* Fixed IPI @vector to the calling CPU (shorthand "self"). */
void apic_send_self(unsigned int vector);

/*
 * The calling CPU's one-shot timer: interrupts on APIC_VEC_TIMER after
 * @ns (at most about 8.5 s), when trap.c sets x86_guest.timer_fired[cpu].
 * apic_timer_arm() clears that flag first; apic_timer_stop() stops it.
 */
void apic_timer_arm(uint64_t ns);
void apic_timer_stop(void);

/*
 * Routes I/O APIC pin @gsi to @vector on the CPU with APIC id @apic_id,
 * fixed delivery, physical, active high, edge or level, unmasked.
 * Returns 0, or -1 when the I/O APIC has no such pin.
 */
int ioapic_route(uint32_t gsi, unsigned int vector, uint32_t apic_id,
		 bool edge);

#endif
