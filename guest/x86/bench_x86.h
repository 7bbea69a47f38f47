/* SPDX-License-Identifier: MIT */
/*
 * The x86_64 side of the benchmark guest (bench.img): the state its
 * bench_arch_*() hooks and interrupt handler share with its entry points.
 */
#ifndef TINYVMM_GUEST_X86_BENCH_X86_H
#define TINYVMM_GUEST_X86_BENCH_X86_H

#include "apic.h"
#include "bench.h"

/* The benchmarks' own vectors (apic.h: APIC_VEC_PROG and up). */
#define BENCH_VEC_EOI (APIC_VEC_PROG + 0)
#define BENCH_VEC_IPI (APIC_VEC_PROG + 1)
#define BENCH_VEC_IO (APIC_VEC_PROG + 2)
#define BENCH_VEC_TIMER (APIC_VEC_PROG + 6) /* timer: the LAPIC timer's */

/* BENCH_WAIT_S for the APIC timer. */
#define BENCH_WAIT_NS (BENCH_WAIT_S * 1000000000ULL)

/* timer's state (bench_timer.c); its handler stamps t1, bumps seq. */
struct bench_timer_x86 {
	volatile uint32_t seq;
	volatile uint64_t t1; /* TSC, read by the handler */
	uint64_t lead;	      /* TSC ticks from arming to the deadline */
	bool deadline;	      /* TSC-deadline mode; else one-shot */
};

/*
 * Per benchmark run. The volatile fields are mailboxes between CPUs or
 * between a loop and an interrupt handler: one writer each, plain
 * stores, which x86 keeps in order (TSO); barrier() keeps the compiler
 * from reordering them.
 */
struct bench_x86 {
	struct x86_guest *g;
	unsigned int self; /* the boot CPU's /cpus index (0) */
	unsigned int peer; /* virtual_ipi's receiver */
	bool vmmcall;	   /* AMD/Hygon: VMMCALL; else VMCALL */
	bool kvm;	   /* CPUID 0x40000000 says "KVMKVMKVM" */
	char vendor[13];   /* CPUID 0's vendor string */

	volatile uint32_t eoi_seq; /* eoi: bumped by the handler per sample */
	volatile uint64_t eoi_delta;
	volatile uint32_t ipi_seq; /* virtual_ipi: bumped by peer's handler */
	volatile uint64_t ipi_t1;
	volatile uint32_t idle_seq; /* bumped by peer before each hlt */
	uint32_t idle_seq_at_send;
	volatile uint32_t stop; /* peer: leave the hlt loop */

	/* io_out/io_in: io.irq is the bench device's GSI (BENCH_VEC_IO). */
	struct bench_io io;

	/* vm_switch: vm_switch.wait is in ns. */
	struct bench_vm_switch vm_switch;

	struct bench_timer_x86 timer; /* timer (bench_timer.c) */
};

/* bench.img's one static object, beside x86_guest (no heap). */
struct bench_guest {
	struct bench bench;
	struct bench_x86 x86;
};

/* CPUID: vendor, which hypercall instruction, whether KVM is below. */
void bench_cpu_probe(struct bench_x86 *a);

/*
 * After the APICs are up: reads the bench node's "interrupts" (one cell,
 * the GSI) and routes that I/O APIC pin, edge, to BENCH_VEC_IO on the CPU
 * with APIC id @apic_id. Sets a->io (ok, irq), or leaves a->io.ok false
 * with a->io.why saying why (io_out and io_in then report SKIPPED with it).
 */
void bench_io_init(const struct fdt *fdt, int node, struct bench_x86 *a,
		   uint32_t apic_id);

/*
 * Arms this CPU's APIC timer for BENCH_WAIT_NS (or is given it armed),
 * then halts with interrupts on until *@p != @old or the timer fires.
 * Returns whether *@p changed. Interrupts are on when it returns.
 */
bool wait_armed_idle(struct bench_x86 *a, const volatile uint32_t *p,
		     uint32_t old);

/*
 * vm_switch (bench_vm_switch.c): the bench_arch_*() hooks' cases around
 * guest/common's (its post is bench_vm_switch_post() alone).
 */
uint32_t vm_switch_prep(struct bench *b, struct bench_x86 *a);
int vm_switch_sample(struct bench *b, struct bench_x86 *a, uint64_t *sample);

/*
 * timer (bench_timer.c): the bench_arch_*() hooks' cases, and the
 * handler of BENCH_VEC_TIMER.
 */
uint32_t timer_prep(struct bench *b, struct bench_x86 *a);
int timer_sample(struct bench *b, struct bench_x86 *a, uint64_t *sample);
uint32_t timer_post(struct bench_x86 *a);
void timer_handle(struct bench_x86 *a);

/* Spins until *@p != @old; false after BENCH_WAIT_S. */
bool wait_change(const struct x86_guest *g, const volatile uint32_t *p,
		 uint32_t old);

/* The handler of the benchmarks' vectors (x86_guest.irq_handler). */
void bench_irq(struct x86_guest *g, unsigned int cpu, struct x86_frame *f);

/* The receiver's side of virtual_ipi: idles in hlt until a->stop. */
void bench_peer_idle(struct bench_x86 *a);

#endif
