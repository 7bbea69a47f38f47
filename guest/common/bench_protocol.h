/* SPDX-License-Identifier: MIT */
/*
 * The bench protocol: how a benchmark guest and tinyvmm talk. The ONE
 * definition, included by guest/ (freestanding) and vmm/ alike; it uses
 * only fixed-width types and no libc.
 *
 * The device. A paravirtual MMIO device, described in the device tree as
 *
 *     bench@<base> {
 *         compatible = "tinyvmm,bench-v1";
 *         reg = <base size>;                   (64-bit cells)
 *         tinyvmm,iterations = <N>;            (measured, per benchmark)
 *         tinyvmm,warmup = <W>;                (run first, not recorded)
 *         tinyvmm,select = "hypercall", ...;   (absent: run every one)
 *     };
 *
 * Its registers are 64 bits wide, little-endian, accessed with single
 * 64-bit ldr/str (KVM decodes nothing else):
 *
 *   BENCH_REG_MAGIC    RO  BENCH_MAGIC
 *   BENCH_REG_VERSION  RO  BENCH_VERSION
 *   BENCH_REG_NOP      RW  the "mmio exit to userspace" target: reads
 *                          return 0, writes are dropped. Served by tinyvmm
 *                          itself, so each access is one full exit.
 *   BENCH_REG_BEGIN    WO  the guest is about to run benchmark number
 *                          <value> (its index in the guest's table): the
 *                          host snapshots KVM's statistics.
 *   BENCH_REG_REPORT   WO  guest-physical address of a struct
 *                          bench_report: the benchmark that BEGIN named is
 *                          over; the host snapshots statistics again and
 *                          copies the report and its samples out of guest
 *                          RAM (every address and length checked).
 *   BENCH_REG_DONE     WO  all selected benchmarks reported; value = how
 *                          many. The guest then powers off.
 *   BENCH_REG_HOST_COUNTER RO  the host's own counter (arm64: CNTVCT_EL0
 *                          read by tinyvmm at EL0) when tinyvmm serves the
 *                          read: lets the guest check that its CNTPCT_EL0
 *                          and the host's counter are one clock.
 *   BENCH_REG_IO_SLOT  WO  guest-physical address of a struct
 *                          bench_io_slot (64-byte aligned) for io_out/io_in.
 *   BENCH_REG_KICK     WO  the io_out kick. Bound to a KVM ioeventfd: the
 *                          write does not exit to userspace, it wakes
 *                          tinyvmm's I/O backend thread, which writes
 *                          host_woke and host_signal into the slot, bumps
 *                          seq, and raises the bench device's interrupt
 *                          through a KVM irqfd.
 *   BENCH_REG_PEER     RW  vm_switch's second VM (version 3). Writing
 *                          BENCH_PEER_START makes tinyvmm start a minimal
 *                          peer VM whose one vCPU runs on the same host
 *                          CPU as this VM's vCPU 0; BENCH_PEER_STOP ends
 *                          it. A read returns the guest-physical address
 *                          of the struct bench_peer_page this VM shares
 *                          with the running peer, or 0 when no peer runs
 *                          (tinyvmm printed why: e.g. vCPUs not pinned).
 *
 * The device's interrupt (io_in) is an edge-triggered SPI named by the
 * node's "interrupts" property (GIC_SPI n, IRQ_TYPE_EDGE_RISING).
 *
 * Samples. The guest ships raw samples; the host computes statistics. A
 * sample is the counter delta across ops_per_sample back-to-back
 * operations, warm-up excluded.
 */
#ifndef TINYVMM_BENCH_PROTOCOL_H
#define TINYVMM_BENCH_PROTOCOL_H

#include <stdint.h>

#define BENCH_COMPATIBLE "tinyvmm,bench-v1"
#define BENCH_MAGIC 0x31484342564d5654ULL /* "TVMVBCH1" little-endian */
#define BENCH_VERSION 3

enum bench_reg {
	BENCH_REG_MAGIC = 0x00,
	BENCH_REG_VERSION = 0x08,
	BENCH_REG_NOP = 0x10,
	BENCH_REG_BEGIN = 0x18,
	BENCH_REG_REPORT = 0x20,
	BENCH_REG_DONE = 0x28,
	BENCH_REG_HOST_COUNTER = 0x30,
	BENCH_REG_IO_SLOT = 0x38,
	BENCH_REG_KICK = 0x40,
	BENCH_REG_PEER = 0x48,
	BENCH_REG_END = 0x50, /* first offset past the registers */
};

/* Values written to BENCH_REG_PEER. */
enum bench_peer_cmd {
	BENCH_PEER_STOP = 0,
	BENCH_PEER_START = 1,
};

/* What the samples count. */
enum bench_counter {
	/* PMU cycle counter (PMCCNTR_EL0): cycles; under QEMU's -icount, one
	 * per executed instruction. */
	BENCH_COUNTER_PMU_CYCLES = 1,
	/* Generic timer (CNTVCT_EL0) ticks at counter_hz. */
	BENCH_COUNTER_CNTVCT = 2,
	/* x86 time-stamp counter (RDTSC) ticks: the TSC runs at a constant
	 * rate that no architectural register states, so counter_hz is 0
	 * (unknown) and figures stay in ticks; under QEMU's -icount the TSC
	 * counts virtual ns, one per executed instruction. */
	BENCH_COUNTER_TSC = 3,
};

enum bench_status {
	BENCH_STATUS_OK = 0,
	BENCH_STATUS_SKIPPED = 1, /* cannot run here (e.g. needs 2 vCPUs) */
	BENCH_STATUS_FAILED = 2,  /* ran and went wrong; see note */
};

#define BENCH_NAME_LEN 32

/*
 * The benchmarks' names, in the guests' table order (enum bench_id,
 * guest/common/bench.c). Part of the protocol: tinyvmm refuses a
 * --bench-only name that is not one of them before the guest starts.
 */
#define BENCH_NAME_HYPERCALL "hypercall"
#define BENCH_NAME_GIC_TRAP "gic_trap"
#define BENCH_NAME_MMIO_USER "mmio_user"
#define BENCH_NAME_EOI "eoi"
#define BENCH_NAME_VIRTUAL_IPI "virtual_ipi"
#define BENCH_NAME_VM_SWITCH "vm_switch"
#define BENCH_NAME_IO_OUT "io_out"
#define BENCH_NAME_IO_IN "io_in"
#define BENCH_NAME_TIMER "timer"
#define BENCH_NAME_LPI "lpi"
#define BENCH_NAMES                                                           \
	BENCH_NAME_HYPERCALL, BENCH_NAME_GIC_TRAP, BENCH_NAME_MMIO_USER,      \
		BENCH_NAME_EOI, BENCH_NAME_VIRTUAL_IPI, BENCH_NAME_VM_SWITCH, \
		BENCH_NAME_IO_OUT, BENCH_NAME_IO_IN, BENCH_NAME_TIMER,        \
		BENCH_NAME_LPI
#define BENCH_NR_NAMES 10
#define BENCH_NOTE_LEN 96
#define BENCH_MAX_SAMPLES (1u << 20)

/* Lives in guest RAM; the host reads it when REPORT is written. */
struct bench_report {
	char name[BENCH_NAME_LEN]; /* NUL-terminated: "hypercall", ... */
	uint32_t status;	   /* enum bench_status */
	uint32_t counter;	   /* enum bench_counter */
	uint64_t counter_hz;	   /* ticks per second; 0 for PMU cycles */
	uint32_t ops_per_sample;   /* >= 1 */
	uint32_t nr_samples;	   /* <= BENCH_MAX_SAMPLES */
	uint64_t samples_gpa;	   /* nr_samples uint64_t counter deltas */
	char note[BENCH_NOTE_LEN]; /* why skipped/failed; may be empty */
};

/*
 * The io_out/io_in exchange, in guest RAM. One round trip: the guest
 * writes guest_t0 (its CNTPCT_EL0) and kicks; the host's backend thread
 * wakes, reads its counter into host_woke, reads it again into
 * host_signal just before signalling the irqfd, then bumps seq; the
 * guest's handler reads CNTPCT_EL0 (t3).
 *   io_out sample = host_woke - guest_t0      (kick until the backend wakes)
 *   io_in sample  = t3 - host_signal          (irqfd signal until the handler)
 * Both in counter ticks, valid only when the guest has checked (with
 * BENCH_REG_HOST_COUNTER) that CNTPCT_EL0 and the host counter agree.
 */
struct bench_io_slot {
	uint64_t guest_t0;
	uint64_t host_woke;
	uint64_t host_signal;
	uint64_t seq;
	uint64_t pad[4]; /* one 64-byte line */
};

/*
 * The vm_switch exchange: one page of host memory mapped into both VMs.
 * The peer VM's vCPU spins, comparing request with ack; the benchmark
 * guest reads its CNTPCT_EL0 (t0), bumps request and blocks in wfi, which
 * makes the host switch to the peer's vCPU thread; the peer, on seeing
 * the new request, stores its own CNTPCT_EL0 in peer_ran and then sets
 * ack = request. Sample = peer_ran - t0. CNTPCT_EL0 is one clock in
 * both VMs (KVM offsets only the virtual counter, per VM).
 */
struct bench_peer_page {
	uint64_t request; /* written by the benchmark guest */
	uint64_t ack;	  /* written by the peer, after peer_ran */
	uint64_t peer_ran;
	uint64_t pad[5]; /* one 64-byte line */
};

#endif
