/* SPDX-License-Identifier: MIT */
/*
 * The arm64 side of the benchmark guest (bench.img): the state its
 * bench_arch_*() hooks and IRQ handler share with its entry points.
 */
#ifndef TINYVMM_GUEST_ARM64_BENCH_ARM64_H
#define TINYVMM_GUEST_ARM64_BENCH_ARM64_H

#include "arm64.h"
#include "bench.h"
#include "gic.h"
#include "its.h"

/*
 * lpi (bench_lpi.c): the ITS as the device tree gave it, set up once by
 * the first prep, and the LPI handler's mailbox.
 */
struct bench_lpi {
	struct its its;
	bool found;	 /* an arm,gic-v3-its node */
	bool ready;	 /* LPIs on, the event mapped */
	const char *why; /* when not found */
	uint32_t intid;	 /* the LPI, once ready; 0 before */
	volatile uint32_t seq;
	volatile uint64_t t1; /* CNTPCT, read by the handler after its EOI */
};

/*
 * timer's state (bench_timer.c). While @on, INTID 27 (the virtual timer)
 * is the benchmark's, and its handler stamps t1 and bumps seq; otherwise
 * it is the watchdog's of wait_change_idle().
 */
struct bench_timer_arm64 {
	volatile uint32_t on;
	volatile uint32_t seq;
	volatile uint64_t t1; /* CNTVCT, read by the handler */
	uint64_t lead;	      /* CNTVCT ticks from arming to CVAL */
};

/*
 * Per benchmark run. The volatile fields are mailboxes between CPUs or
 * between a loop and an IRQ handler: one writer each, plain stores
 * (no atomics with the MMU off), a dsb between data and its sequence
 * number.
 */
struct bench_arm64 {
	struct arm64_guest *g;
	struct gic gic;
	unsigned int self; /* the boot CPU's /cpus index */
	unsigned int peer; /* virtual_ipi's receiver */
	bool has_pmu;	   /* PMCCNTR_EL0 enabled and counting */
	uint32_t counter; /* the running benchmark's (eoi's handler reads it) */

	volatile uint32_t eoi_seq; /* eoi: bumped by the handler per sample */
	volatile uint64_t eoi_delta;
	volatile uint32_t ipi_seq; /* virtual_ipi: bumped by peer's handler */
	volatile uint64_t ipi_t1;
	volatile uint32_t wfi_seq; /* bumped by peer before each wfi */
	uint32_t wfi_seq_at_send;
	volatile uint32_t stop; /* peer: leave the wfi loop, CPU_OFF */

	/* io_out/io_in: io.irq is the bench device's SPI's INTID, or 0. */
	struct bench_io io;

	/* vm_switch: vm_switch.wait is in CNTVCT ticks. */
	struct bench_vm_switch vm_switch;

	struct bench_timer_arm64 timer; /* timer (bench_timer.c) */
	struct bench_lpi lpi;
};

/* bench.img's one static object, beside arm64_guest (no heap). */
struct bench_guest {
	struct bench bench;
	struct bench_arm64 arm;
};

/*
 * The clocks: the default, b->counter, is CNTVCT_EL0 at CNTFRQ_EL0 (see
 * bench_arm64.c on why not the PMU); a->has_pmu says whether the tree
 * has an "arm,armv8-pmuv3" node, ID_AA64DFR0_EL1 a PMUv3, and its cycle
 * counter runs once enabled.
 */
void bench_counter_init(const struct fdt *fdt, struct bench *b,
			struct bench_arm64 *a);

/*
 * After the GIC is up: reads the bench node's "interrupts" (one GIC
 * triple, GIC_SPI n: INTID n + 32) and configures that SPI, routed to the
 * CPU with MPIDR @mpidr. Sets a->io (ok, irq), or leaves it not ok, irq
 * 0, with a->io.why saying why (io_out and io_in then report SKIPPED
 * with it).
 */
void bench_io_init(const struct fdt *fdt, int node, struct bench_arm64 *a,
		   uint64_t mpidr);

#define CNTV_CTL_ENABLE (1U << 0)
#define CNTV_CTL_IMASK (1U << 1)
#define CNTV_CTL_ISTATUS (1U << 2)

/*
 * The physical count, which tinyvmm's counter (CNTVCT_EL0 read at EL0 on
 * the host, with the host's CNTVOFF_EL2 0) should equal: io_out/io_in
 * subtract one from the other, after bench_clock_check() has seen it so.
 * KVM lets EL1 read it (CNTHCTL_EL2.EL1PCTEN, or its emulation). The
 * windows read it inline; bench_arch_clock() is this, out of line.
 */
static inline __attribute__((always_inline)) uint64_t cntpct_read(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntpct_el0; isb" : "=r"(v) : : "memory");
	return v;
}

/*
 * vm_switch (bench_vm_switch.c): the bench_arch_*() hooks' cases around
 * guest/common's (its post is bench_vm_switch_post() alone).
 */
uint32_t vm_switch_prep(struct bench *b, struct bench_arm64 *a);
int vm_switch_sample(struct bench *b, struct bench_arm64 *a, uint64_t *sample);

/*
 * timer (bench_timer.c): the bench_arch_*() hooks' cases, and the virtual
 * timer's handler while a->timer.on (bench_irq() calls it after the
 * acknowledge).
 */
uint32_t timer_prep(struct bench *b, struct bench_arm64 *a);
int timer_sample(struct bench *b, struct bench_arm64 *a, uint64_t *sample);
uint32_t timer_post(struct bench_arm64 *a);
void timer_handle(struct bench_arm64 *a, uint32_t iar);

/* Spins until *@p != @old; false after BENCH_WAIT_S. */
bool wait_change(const volatile uint32_t *p, uint32_t old);

/* lpi (bench_lpi.c): finding the ITS at set-up, then the hooks' cases. */
void bench_lpi_init(const struct fdt *fdt, struct bench_arm64 *a);
uint32_t lpi_prep(struct bench *b, struct bench_arm64 *a);
int lpi_sample(struct bench *b, struct bench_arm64 *a, uint64_t *sample);
void lpi_handle(struct bench_arm64 *a, uint32_t iar);

/* The IRQ handler of every CPU (arm64_guest.irq_handler). */
void bench_irq(struct arm64_guest *g);

/* The receiver's side of virtual_ipi: idles in wfi until a->stop. */
void bench_peer_idle(struct bench_arm64 *a);

#endif
