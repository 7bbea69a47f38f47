/* SPDX-License-Identifier: MIT */
/*
 * The benchmark framework of the test guests: the table of benchmarks,
 * the warm-up and sample loops, and the bench device protocol
 * (bench_protocol.h). Arch-neutral; the arch links it with the hooks
 * declared at the end, which do the measuring.
 *
 * One run, as the host sees it (bench_protocol.h): for each selected
 * benchmark BEGIN(index), then REPORT(&report) once its samples are in
 * RAM; after the last one DONE(count). An unknown name in tinyvmm,select
 * gets BEGIN(BENCH_INDEX_NONE) and a FAILED report.
 *
 * Contract with the arch:
 *   - provide mmio.h with mmio_read64()/mmio_write64(), single accesses;
 *   - run with VA == PA (the report's samples_gpa is a plain pointer);
 *   - implement the bench_arch_*() hooks below.
 *
 * What is measured is the arch's: every instruction inside a clock
 * window sits in an arch hook or handler. What io_out, io_in and
 * vm_switch share beyond that (set-up, checks, retries, notes) is here,
 * in bench_io.c and bench_vm_switch.c, on state (struct bench_io, struct
 * bench_vm_switch) that the arch keeps in its own and passes in.
 */
#ifndef TINYVMM_GUEST_BENCH_H
#define TINYVMM_GUEST_BENCH_H

#include "bench_protocol.h"
#include "libguest.h"

/* The sample buffer: tinyvmm,iterations above this is capped (and said). */
#define BENCH_BUF_SAMPLES (64U * 1024)

/* How long to wait for an interrupt, a CPU or a VM before calling it failed. */
#define BENCH_WAIT_S 5

/*
 * How long vm_switch waits for the peer VM's answer. Its first answer
 * follows the peer's start, which in a nested guest hypervisor (L2 under
 * an L1 under an emulated L0, no -icount) took more than BENCH_WAIT_S of
 * wall time; a peer that never runs still fails, only later.
 */
#define BENCH_PEER_WAIT_S 60

/* BEGIN's value for a selected name that is in no table. */
#define BENCH_INDEX_NONE UINT64_MAX

/* The benchmarks, in table order; BEGIN carries this index. */
enum bench_id {
	BENCH_HYPERCALL,
	BENCH_GIC_TRAP,
	BENCH_MMIO_USER,
	BENCH_EOI,
	BENCH_VIRTUAL_IPI,
	BENCH_VM_SWITCH,
	BENCH_IO_OUT,
	BENCH_IO_IN,
	BENCH_TIMER,
	BENCH_LPI,
	BENCH_NR
};

/*
 * One row of the table. prep/sample/post are not pointers here (a pointer
 * in static data is an absolute address, which a position-independent
 * guest cannot have): the arch hooks switch on the id instead.
 */
struct bench_def {
	char name[BENCH_NAME_LEN];
	uint32_t min_cpus; /* fewer: SKIPPED, "needs N vCPUs" */
};

/*
 * A run's state. The arch fills the first block, then calls bench_run();
 * the rest is the framework's. Large (the sample buffer): lives in .bss.
 */
struct bench {
	const struct console *con;
	uintptr_t base;	     /* the device's MMIO base */
	uint32_t iterations; /* from the tree; >= 1 */
	uint32_t warmup;
	const char *select;  /* tinyvmm,select string list, or NULL: all */
	uint32_t select_len; /* its length, NULs included */
	unsigned int nr_cpus;
	uint32_t counter;    /* enum bench_counter: the default clock */
	uint64_t counter_hz; /* 0 for PMU cycles */
	void *arch;	     /* the hooks' own state */
	/* What bench_arch_clock() reads, for notes: "CNTPCT", "TSC". */
	const char *clock_name;

	/* Of the benchmark being run; prep may change counter/counter_hz. */
	struct bench_report report;
	uint64_t samples[BENCH_BUF_SAMPLES];
};

/*
 * Reads the first available BENCH_COMPATIBLE node of @fdt into @b: base
 * (reg 0, at least BENCH_REG_END long), iterations (required, >= 1),
 * warmup (0 when absent), select/select_len (a non-empty string list, or
 * NULL/0 when absent); then checks that the device there answers with
 * BENCH_MAGIC and BENCH_VERSION, saying on b->con (set first) what it
 * found when it does not. Returns the node, or a negative -FDT_ERR_*
 * code with *@why naming the problem, for the arch's fatal
 * "tinyvmm-bench: error: <why> (<code>)" line.
 *
 * Built with -DBENCH_TOLERATE_NO_DEVICE (to run against a VMM that maps
 * no bench device yet), a wrong magic or version is a warning line and
 * the node is returned.
 */
int bench_probe(const struct fdt *fdt, struct bench *b, const char **why);

/*
 * Runs every benchmark tinyvmm,select names (all of the table when it is
 * absent), in that order, reporting each; then writes DONE. Returns how
 * many were reported.
 */
uint32_t bench_run(struct bench *b);

/* Sets the current report's note (truncated to fit). */
void bench_note(struct bench *b, const char *note);
/* The same, formatted as con_printf() formats. */
void bench_notef(struct bench *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* "pmu cycles", "cntvct ticks" or "tsc ticks": for the console lines. */
const char *bench_counter_name(uint32_t counter);

/*
 * Whether bench_arch_clock() and tinyvmm's counter (BENCH_REG_HOST_COUNTER)
 * are one clock, which io_out, io_in and vm_switch need: a host read
 * between two guest reads must fall between them. Returns
 * BENCH_STATUS_OK, else SKIPPED after a note.
 */
uint32_t bench_clock_check(struct bench *b);

/*
 * io_out and io_in (bench_io.c): their state, which the arch keeps in its
 * own, where its interrupt handler finds it, and passes to bench_io_*().
 */
struct bench_io {
	/*
	 * Shared with tinyvmm's I/O backend: alone in its 64-byte line, and
	 * first, so that the kick needs no address arithmetic for it.
	 */
	_Alignas(64) volatile struct bench_io_slot slot;

	/* Set by the arch before bench_run(). */
	bool ok;	      /* the bench interrupt comes to this CPU */
	const char *why;      /* if not, why: io_out/io_in are SKIPPED */
	const char *irq_name; /* the interrupt's kind, for notes: "INTID" */
	uint32_t irq;	      /* and its number */

	/* The bench interrupt's handler reads t3, then bumps seq. */
	volatile uint64_t t3; /* bench_arch_clock()'s clock, read inline */
	volatile uint32_t seq;
};

/* io_out's and io_in's prep (both) and samples, for the arch's hooks. */
uint32_t bench_io_prep(struct bench *b, struct bench_io *io);
int bench_io_out_sample(struct bench *b, struct bench_io *io, uint64_t *sample);
int bench_io_in_sample(struct bench *b, struct bench_io *io, uint64_t *sample);

/*
 * vm_switch (bench_vm_switch.c): its state, which the arch keeps in its
 * own and passes to bench_vm_switch_*().
 */
struct bench_vm_switch {
	volatile struct bench_peer_page *page; /* shared with the peer VM */
	uint64_t wait; /* a block's length, in the arch's timer unit */
};

/*
 * vm_switch's prep: starts tinyvmm's peer VM and sets vs->page, and
 * vs->wait to @wait, the first block's length. Its post stops the peer.
 */
uint32_t bench_vm_switch_prep(struct bench *b, struct bench_vm_switch *vs,
			      uint64_t wait);
uint32_t bench_vm_switch_post(struct bench *b, struct bench_vm_switch *vs);
/*
 * One vm_switch sample, tried up to 8 times with a block twice as long
 * each time. Call it with interrupts masked, as
 * bench_arch_vm_switch_block() wants them.
 */
int bench_vm_switch_sample(struct bench *b, struct bench_vm_switch *vs,
			   uint64_t *sample);

/*
 * The arch hooks. Each gets the benchmark's id; b->report.name, .counter
 * and .counter_hz are set (the defaults) when prep is called.
 *
 * prep:   make ready, e.g. start a CPU. Returns BENCH_STATUS_OK, or
 *         SKIPPED/FAILED after bench_note(); then neither sample nor post
 *         is called.
 * sample: take one sample into *@sample. Returns 0, or -1 after
 *         bench_note() (the benchmark is then FAILED, post still runs).
 * post:   undo prep. Returns BENCH_STATUS_OK, or FAILED after
 *         bench_note() (a FAILED from sample takes precedence).
 */
uint32_t bench_arch_prep(struct bench *b, enum bench_id id);
int bench_arch_sample(struct bench *b, enum bench_id id, uint64_t *sample);
/* How many back-to-back operations one sample of @id times (>= 1). */
unsigned int bench_arch_ops_per_sample(enum bench_id id);
uint32_t bench_arch_post(struct bench *b, enum bench_id id);
/*
 * Makes [@p, @p + @len), written by this CPU, visible to a host that reads
 * guest RAM through its own (cacheable) mapping: the guest may write with
 * caches off, and a line the host cached earlier would be stale.
 */
void bench_arch_publish(const void *p, size_t len);

/*
 * A read of the guest's clock that tinyvmm's counter should equal
 * (arm64: CNTPCT_EL0; x86: the TSC), ordered against the code around
 * it; b->clock_name names it. io_out, io_in and vm_switch subtract one
 * from the other once bench_clock_check() has found them one clock, and
 * report in the default counter (b->counter at b->counter_hz), which
 * must tick at this clock's rate. Their windows read it inline, in the
 * arch's own hooks; this one is for checks.
 */
uint64_t bench_arch_clock(void);

/*
 * The arch's half of io_out's and io_in's round trip (bench_io.c): reads
 * the clock, inline, into *@t0 and io->slot.guest_t0, makes the slot
 * visible to tinyvmm, writes BENCH_REG_KICK, then waits idle (wfi, hlt)
 * until the bench interrupt's handler has moved io->seq off @irq_seq, or
 * for BENCH_WAIT_S. Returns whether it did; either way the slot as
 * tinyvmm left it is readable on return. io_out's window starts at the
 * t0 read, so nothing else goes between it and the kick.
 */
bool bench_arch_io_kick(struct bench *b, struct bench_io *io, uint32_t irq_seq,
			uint64_t *t0);

/*
 * vm_switch's block (bench_vm_switch.c), entered and left with interrupts
 * masked: arms a timer for vs->wait, reads the clock, inline, into *@t0,
 * publishes vs->page->request + 1 and blocks idle (wfi, hlt), which is
 * vm_switch's window; then waits on for the peer's ack to that request,
 * re-arming the timer whenever it fires, for up to BENCH_WAIT_S, and
 * stops the timer. Returns 1 when the peer answered within that one
 * block, 0 when we woke before it had (and it answered later), -1 when
 * it never did. The page as the peer left it is readable on return.
 */
int bench_arch_vm_switch_block(struct bench *b, struct bench_vm_switch *vs,
			       uint64_t *t0);

#endif
