// SPDX-License-Identifier: MIT
/*
 * The transition microbenchmarks on arm64: the bench_arch_*() hooks of
 * guest/common/bench.h and the IRQ handler they use.
 *
 * The clock. Every timestamp is "isb; mrs <counter>; isb", so the read
 * is neither taken early nor overtaken by what follows (counter reads are
 * not ordered by themselves). Sample functions are expanded once per
 * counter (always_inline with a constant argument), so no test of which
 * counter is used sits between the two reads.
 *
 * Which counter. KVM backs a guest's PMU with host perf events created
 * with exclude_host and exclude_hv (arch/arm64/kvm/pmu-emul.c), and traps
 * every PMU register access (MDCR_EL2.TPM): PMCCNTR_EL0 counts only while
 * the guest itself runs, never the hypervisor. Measured under QEMU
 * -icount (1 count per instruction), in both VHE and nVHE, it gives
 * hypercall 8, gic_trap 3, mmio_user 3: the guest's own instructions.
 * So every benchmark whose clock window includes hypervisor work uses
 * CNTVCT_EL0, which keeps counting while the hypervisor runs; only eoi,
 * whose ICC_EOIR1_EL1 write the GIC's virtual CPU interface completes
 * without leaving the guest, uses the finer PMU cycle counter if any.
 */
#include "bench_arm64.h"
#include "mmio.h"

/* The SGIs the benchmarks send. */
#define SGI_WAKE 0 /* no work: makes an idle CPU look at its flags */
#define SGI_EOI 1
#define SGI_IPI 2

#define BENCH_SPIN_LIMIT 500000000UL /* if CNTFRQ_EL0 reads 0 */

#define ID_AA64DFR0_PMUVER(v) (((v) >> 8) & 0xf)
#define PMCR_E (1U << 0)  /* enable the counters */
#define PMCR_C (1U << 2)  /* reset the cycle counter */
#define PMCR_LC (1U << 6) /* 64-bit cycle counter overflow */
#define PMCNTEN_C (1U << 31)

#define ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * Operations per sample for the benchmarks that need no interrupt per
 * operation: a batch amortises the two counter reads (and their isbs)
 * over 16 operations. Under -icount with QEMU 7.2, CNTVCT (62.5 MHz)
 * ticks every 16 instructions, too coarse for one ~1000-instruction
 * hypercall, and the batch makes the per-operation resolution one
 * instruction; QEMU 10's CNTFRQ is 1 GHz, one tick per instruction.
 */
#define BENCH_BATCH 16

static ALWAYS_INLINE uint64_t counter_read(uint32_t counter)
{
	uint64_t v;

	if (counter == BENCH_COUNTER_PMU_CYCLES)
		asm volatile("isb; mrs %0, pmccntr_el0; isb"
			     : "=r"(v)
			     :
			     : "memory");
	else
		asm volatile("isb; mrs %0, cntvct_el0; isb"
			     : "=r"(v)
			     :
			     : "memory");
	return v;
}

/* fn(counter, ...) with the counter a compile-time constant in each arm. */
#define FOR_COUNTER(c, fn, ...)                              \
	((c) == BENCH_COUNTER_PMU_CYCLES                     \
		 ? fn(BENCH_COUNTER_PMU_CYCLES, __VA_ARGS__) \
		 : fn(BENCH_COUNTER_CNTVCT, __VA_ARGS__))

/*
 * Enables the cycle counter for EL1 and EL0 (PMCCFILTR_EL0 = 0; KVM
 * ignores the EL2 filter bit anyway) and checks that it moves.
 */
static bool pmu_enable(void)
{
	uint64_t dfr0 = read_sysreg(id_aa64dfr0_el1);
	unsigned int ver = ID_AA64DFR0_PMUVER(dfr0);
	uint64_t t0;

	if (ver == 0 || ver == 0xf) /* none, or IMPLEMENTATION DEFINED */
		return false;
	write_sysreg(0, pmccfiltr_el0);
	write_sysreg(PMCNTEN_C, pmcntenset_el0);
	write_sysreg(read_sysreg(pmcr_el0) | PMCR_E | PMCR_C | PMCR_LC,
		     pmcr_el0);
	isb();
	t0 = counter_read(BENCH_COUNTER_PMU_CYCLES);
	for (volatile int i = 0; i < 1000; i++)
		;
	return counter_read(BENCH_COUNTER_PMU_CYCLES) != t0;
}

void bench_counter_init(const struct fdt *fdt, struct bench *b,
			struct bench_arm64 *a)
{
	int pmu = fdt_find_compatible(fdt, -1, "arm,armv8-pmuv3");

	a->has_pmu = pmu >= 0 && fdt_is_available(fdt, pmu) && pmu_enable();
	b->counter = BENCH_COUNTER_CNTVCT; /* CNTPCT's rate */
	b->counter_hz = read_cntfrq();
	b->clock_name = "CNTPCT";
}

bool wait_change(const volatile uint32_t *p, uint32_t old)
{
	uint64_t freq = read_cntfrq();
	uint64_t start = read_cntvct();

	for (unsigned long spins = 0; *p == old; spins++) {
		if (freq && read_cntvct() - start > BENCH_WAIT_S * freq)
			return false;
		if (!freq && spins > BENCH_SPIN_LIMIT)
			return false;
	}
	dsb_sy(); /* the data before the sequence number is in */
	return true;
}

/*
 * Waits in wfi until *@p != @old: the peer sends SGI_WAKE after each
 * change. Spinning instead would be harmless on hardware but not under
 * QEMU's -icount, where emulated CPUs take turns on one host thread: a
 * spinning CPU 0 keeps the turn until its next timer deadline (a host
 * tick, ~4 ms), and the peer's work waits for it. The virtual timer is
 * the watchdog: false after BENCH_WAIT_S.
 */
static bool wait_change_idle(const volatile uint32_t *p, uint32_t old)
{
	uint64_t freq = read_cntfrq();
	bool changed;

	if (!freq)
		return wait_change(p, old);
	write_sysreg(read_cntvct() + BENCH_WAIT_S * freq, cntv_cval_el0);
	write_sysreg(CNTV_CTL_ENABLE, cntv_ctl_el0);
	isb();
	for (;;) {
		irq_disable(); /* test, then wfi: a wake-up in between still ends it */
		changed = *p != old;
		if (changed || (read_sysreg(cntv_ctl_el0) & CNTV_CTL_ISTATUS))
			break;
		wfi();
		irq_enable();
	}
	irq_enable();
	write_sysreg(0, cntv_ctl_el0);
	isb();
	dsb_sy(); /* the data before the sequence number is in */
	return changed;
}

/*
 * hypercall: "hvc #0" with x0 = SMCCC_VERSION (0x80000000), which KVM
 * answers in the kernel (kvm_hvc_call_handler) without an exit to
 * userspace and without changing any state. x1-x3 are zeroed first.
 * Clock: starts at the counter read before the first of BENCH_BATCH
 * back-to-back hvcs, stops at the counter read after the last returns;
 * so one operation = guest -> hypervisor -> guest round trip plus four
 * movs and the loop's own count-and-branch.
 * SMCCC_CALL clobbers x0-x17, so t0 and the loop count live in
 * callee-saved registers.
 */
static ALWAYS_INLINE uint64_t hypercall_batch(uint32_t c, int unused)
{
	uint64_t t0 = counter_read(c);

	(void)unused;
	for (unsigned int i = 0; i < BENCH_BATCH; i++)
		SMCCC_CALL("hvc #0", SMCCC_VERSION, 0, 0, 0);
	return counter_read(c) - t0;
}

/*
 * gic_trap: a 32-bit ldr of GICD_IIDR, a distributor register the
 * in-kernel vgic emulates (a stage-2 data abort handled in the kernel,
 * no exit to userspace). Clock: starts at the counter read before the
 * first of BENCH_BATCH back-to-back ldrs, stops at the counter read after
 * the last.
 */
static ALWAYS_INLINE uint64_t gic_trap_batch(uint32_t c, uintptr_t gicd)
{
	uint64_t t0 = counter_read(c);

	for (unsigned int i = 0; i < BENCH_BATCH; i++)
		mmio_read32(gicd + GICD_IIDR);
	return counter_read(c) - t0;
}

/*
 * mmio_user: a 64-bit ldr of BENCH_REG_NOP, which tinyvmm serves in
 * userspace (KVM_EXIT_MMIO, then KVM_RUN again). Clock: starts at the
 * counter read before the first of BENCH_BATCH back-to-back ldrs, stops
 * at the counter read after the last.
 */
static ALWAYS_INLINE uint64_t mmio_user_batch(uint32_t c, uintptr_t base)
{
	uint64_t t0 = counter_read(c);

	for (unsigned int i = 0; i < BENCH_BATCH; i++)
		mmio_read64(base + BENCH_REG_NOP);
	return counter_read(c) - t0;
}

/* The GIC binding's interrupt triple (one cell each). */
#define GIC_FDT_SPI 0
#define IRQ_TYPE_EDGE_BOTH 3 /* rising 1, falling 2; level types 4, 8 */

void bench_io_init(const struct fdt *fdt, int node, struct bench_arm64 *a,
		   uint64_t mpidr)
{
	struct bench_io *io = &a->io;
	uint32_t len, intid;
	const uint8_t *irq = fdt_prop(fdt, node, "interrupts", &len);
	bool edge;

	io->ok = false;
	io->irq_name = "INTID";
	io->irq = 0; /* bench_irq() matches it: no SPI until set up */
	if (!irq) {
		io->why = "the bench node has no interrupts property";
		return;
	}
	intid = fdt_be32(irq + 4) + GIC_SPI_FIRST;
	if (len != 12 || fdt_be32(irq) != GIC_FDT_SPI || intid > GIC_SPI_LAST ||
	    intid < GIC_SPI_FIRST) {
		io->why = "the bench node's interrupts is not one GIC_SPI";
		return;
	}
	if (a->gic.version != 3) {
		io->why = "needs a GICv3 (this guest drives no GICv2)";
		return;
	}
	edge = fdt_be32(irq + 8) & IRQ_TYPE_EDGE_BOTH;
	if (gic_spi_enable(&a->gic, intid, edge, mpidr)) {
		io->why = "the GIC did not take the bench SPI's set-up";
		return;
	}
	io->irq = intid;
	io->ok = true;
}

uint64_t bench_arch_clock(void)
{
	return cntpct_read();
}

/*
 * io_out's and io_in's kick (bench_io.c). The slot's cache line is
 * cleaned between the t0 stamp and the kick, so io_out's window holds
 * that; after the wait it is cleaned and invalidated again, because the
 * host wrote it through its cacheable mapping.
 */
bool bench_arch_io_kick(struct bench *b, struct bench_io *io, uint32_t irq_seq,
			uint64_t *t0)
{
	volatile struct bench_io_slot *s = &io->slot;
	bool woke;

	*t0 = cntpct_read();
	s->guest_t0 = *t0;
	dsb_sy();
	dcache_civac((uintptr_t)s, sizeof(*s));
	mmio_write64(b->base + BENCH_REG_KICK, 1);
	woke = wait_change_idle(&io->seq, irq_seq);
	dcache_civac((uintptr_t)s, sizeof(*s));
	return woke;
}

/*
 * The bench SPI: t3 for io_in, first thing after bench_irq()
 * acknowledged it (ICC_IAR1_EL1) and matched its INTID.
 */
static void io_handle(struct bench_arm64 *a, uint32_t iar)
{
	a->io.t3 = cntpct_read();
	gic_eoi(iar);
	dsb_sy();
	a->io.seq = a->io.seq + 1;
}

unsigned int bench_arch_ops_per_sample(enum bench_id id)
{
	switch (id) {
	case BENCH_HYPERCALL:
	case BENCH_GIC_TRAP:
	case BENCH_MMIO_USER:
		return BENCH_BATCH;
	default:
		return 1; /* one interrupt round trip per sample */
	}
}

/*
 * eoi: virtual interrupt completion. The loop sends SGI_EOI to its own
 * CPU and waits; the IRQ handler, after acknowledging it (ICC_IAR1_EL1),
 * takes one sample. Counter: PMCCNTR_EL0 when the vCPU has a PMU (the
 * write does not leave the guest), else CNTVCT_EL0. Clock: starts at the
 * counter read just before the ICC_EOIR1_EL1 write, stops at the counter read
 * after that write and an isb. EOImode 0: the write drops the priority and
 * deactivates.
 */
static ALWAYS_INLINE uint64_t eoi_once(uint32_t c, uint32_t iar)
{
	uint64_t t0 = counter_read(c);

	gic_eoi(iar);
	isb();
	return counter_read(c) - t0;
}

static int eoi_sample(struct bench *b, uint64_t *sample)
{
	struct bench_arm64 *a = b->arch;
	uint32_t seq = a->eoi_seq;

	gic_send_sgi(a->g->mpidr[a->self], SGI_EOI);
	if (!wait_change(&a->eoi_seq, seq)) {
		bench_note(b, "the SGI to self never arrived");
		return -1;
	}
	*sample = a->eoi_delta;
	return 0;
}

/*
 * virtual_ipi: CPU 0 (the boot CPU) interrupts CPU 1 (the peer), which
 * idles in wfi with interrupts enabled. Counter: CNTVCT_EL0, which is
 * also the one clock both CPUs share (PMU counters are per CPU). Clock: starts
 * at CPU 0's CNTVCT read just before its ICC_SGI1R_EL1 write; stops at CPU 1's
 * CNTVCT read in its IRQ handler, right after it acknowledged the SGI
 * (ICC_IAR1_EL1). Each sample waits first until the peer has gone back to its
 * wfi since the previous one, so every SGI finds it idle. CPU 0 waits in
 * wfi too (wait_change_idle); under QEMU's -icount, where the emulated
 * CPUs take turns, a sample therefore also holds CPU 0's own way from the
 * SGI write to idle before CPU 1 gets its turn.
 */
static int virtual_ipi_sample(struct bench *b, uint64_t *sample)
{
	struct bench_arm64 *a = b->arch;
	uint64_t sgi1r = gic_sgi_value(a->g->mpidr[a->peer], SGI_IPI);
	uint32_t seq = a->ipi_seq;
	uint64_t t0;

	if (!wait_change_idle(&a->wfi_seq, a->wfi_seq_at_send)) {
		bench_note(b, "the peer cpu never went back to wfi");
		return -1;
	}
	a->wfi_seq_at_send = a->wfi_seq;
	t0 = counter_read(BENCH_COUNTER_CNTVCT);
	gic_sgi_write(sgi1r);
	if (!wait_change_idle(&a->ipi_seq, seq)) {
		bench_note(b, "the SGI to the peer cpu never arrived");
		return -1;
	}
	*sample = a->ipi_t1 - t0;
	return 0;
}

/* The lowest /cpus index other than ours. */
static unsigned int peer_index(const struct bench_arm64 *a)
{
	return a->self == 0 ? 1 : 0;
}

static uint32_t virtual_ipi_prep(struct bench *b, struct bench_arm64 *a)
{
	struct arm64_guest *g = a->g;
	int ret;

	a->peer = peer_index(a);
	a->stop = 0;
	a->wfi_seq = 0;
	a->wfi_seq_at_send = 0;
	g->online[a->peer] = 0;
	dsb_sy();
	ret = cpu_start(g, a->peer, BENCH_WAIT_S);
	if (ret) {
		bench_note(b, ret == CPU_START_TIMEOUT
				      ? "the peer cpu did not come online"
				      : "PSCI CPU_ON of the peer cpu failed");
		return BENCH_STATUS_FAILED;
	}
	return BENCH_STATUS_OK;
}

/* Stops the peer and waits until PSCI says it is off. */
static uint32_t virtual_ipi_post(struct bench *b, struct bench_arm64 *a)
{
	struct arm64_guest *g = a->g;
	uint64_t freq = read_cntfrq();
	uint64_t start = read_cntvct();

	a->stop = 1;
	dsb_sy();
	gic_send_sgi(g->mpidr[a->peer], SGI_WAKE);
	while (psci_call(g->conduit, PSCI_AFFINITY_INFO, g->mpidr[a->peer], 0,
			 0) != PSCI_AFFINITY_OFF) {
		if (!freq || read_cntvct() - start > BENCH_WAIT_S * freq) {
			bench_note(b, "the peer cpu did not power off");
			return BENCH_STATUS_FAILED;
		}
	}
	return BENCH_STATUS_OK;
}

void bench_peer_idle(struct bench_arm64 *a)
{
	/*
	 * Mask, test, wfi, unmask: an SGI that comes after the test still
	 * ends the wfi (a pending interrupt wakes it even when masked) and
	 * is taken at the unmask, so no wake-up is lost.
	 */
	for (;;) {
		irq_disable();
		if (a->stop)
			break;
		a->wfi_seq = a->wfi_seq + 1;
		dsb_sy();
		gic_send_sgi(a->g->mpidr[a->self], SGI_WAKE);
		wfi();
		irq_enable();
	}
}

static void ipi_handle(struct bench_arm64 *a, uint32_t iar)
{
	a->ipi_t1 = counter_read(BENCH_COUNTER_CNTVCT);
	gic_eoi(iar);
	dsb_sy();
	a->ipi_seq = a->ipi_seq + 1;
	dsb_sy();
	gic_send_sgi(a->g->mpidr[a->self], SGI_WAKE);
}

/*
 * The watchdog of wait_change_idle() fired: mask the (level) timer so it
 * stops asserting, but keep it enabled so its ISTATUS tells the waiter.
 */
static void vtimer_handle(uint32_t iar)
{
	write_sysreg(CNTV_CTL_ENABLE | CNTV_CTL_IMASK, cntv_ctl_el0);
	isb();
	gic_eoi(iar);
}

static void eoi_handle(struct bench_arm64 *a, uint32_t iar)
{
	a->eoi_delta = FOR_COUNTER(a->counter, eoi_once, iar);
	a->eoi_seq = a->eoi_seq + 1;
}

void bench_irq(struct arm64_guest *g)
{
	struct bench_arm64 *a = g->irq_ctx;
	uint32_t iar = gic_ack();
	uint32_t intid = iar & 0xffffff;

	/* First: io_in's clock stops in io_handle(). */
	if (intid == a->io.irq && intid >= GIC_SPI_FIRST)
		io_handle(a, iar);
	else if (intid == a->lpi.intid && intid >= GIC_LPI_FIRST)
		lpi_handle(a, iar); /* before 1020..1023: LPIs are above */
	else if (intid >= GIC_INTID_SPURIOUS_FIRST)
		return; /* nothing to complete */
	else if (intid == SGI_EOI)
		eoi_handle(a, iar);
	else if (intid == SGI_IPI)
		ipi_handle(a, iar);
	else if (intid == GIC_PPI_VTIMER && a->timer.on)
		timer_handle(a, iar);
	else if (intid == GIC_PPI_VTIMER)
		vtimer_handle(iar);
	else
		gic_eoi(iar);
}

uint32_t bench_arch_prep(struct bench *b, enum bench_id id)
{
	struct bench_arm64 *a = b->arch;
	bool needs_v3 = id == BENCH_EOI || id == BENCH_VIRTUAL_IPI ||
			id == BENCH_TIMER || id == BENCH_LPI;

	if (id == BENCH_EOI && a->has_pmu) {
		b->report.counter = BENCH_COUNTER_PMU_CYCLES;
		b->report.counter_hz = 0;
	}
	a->counter = b->report.counter;
	if (needs_v3 && a->gic.version != 3) {
		bench_note(b, "needs a GICv3 (this guest drives no GICv2)");
		return BENCH_STATUS_SKIPPED;
	}
	switch (id) {
	case BENCH_VIRTUAL_IPI:
		return virtual_ipi_prep(b, a);
	case BENCH_IO_OUT:
	case BENCH_IO_IN:
		return bench_io_prep(b, &a->io);
	case BENCH_VM_SWITCH:
		return vm_switch_prep(b, a);
	case BENCH_TIMER:
		return timer_prep(b, a);
	case BENCH_LPI:
		return lpi_prep(b, a);
	default:
		return BENCH_STATUS_OK;
	}
}

int bench_arch_sample(struct bench *b, enum bench_id id, uint64_t *sample)
{
	struct bench_arm64 *a = b->arch;

	switch (id) {
	case BENCH_HYPERCALL:
		*sample = FOR_COUNTER(a->counter, hypercall_batch, 0);
		return 0;
	case BENCH_GIC_TRAP:
		*sample = FOR_COUNTER(a->counter, gic_trap_batch, a->gic.gicd);
		return 0;
	case BENCH_MMIO_USER:
		*sample = FOR_COUNTER(a->counter, mmio_user_batch, b->base);
		return 0;
	case BENCH_EOI:
		return eoi_sample(b, sample);
	case BENCH_VIRTUAL_IPI:
		return virtual_ipi_sample(b, sample);
	case BENCH_IO_OUT:
		return bench_io_out_sample(b, &a->io, sample);
	case BENCH_IO_IN:
		return bench_io_in_sample(b, &a->io, sample);
	case BENCH_VM_SWITCH:
		return vm_switch_sample(b, a, sample);
	case BENCH_TIMER:
		return timer_sample(b, a, sample);
	case BENCH_LPI:
		return lpi_sample(b, a, sample);
	default:
		bench_note(b, "no sample function");
		return -1;
	}
}

uint32_t bench_arch_post(struct bench *b, enum bench_id id)
{
	struct bench_arm64 *a = b->arch;

	if (id == BENCH_VIRTUAL_IPI)
		return virtual_ipi_post(b, a);
	if (id == BENCH_VM_SWITCH)
		return bench_vm_switch_post(b, &a->vm_switch);
	if (id == BENCH_TIMER)
		return timer_post(a);
	return BENCH_STATUS_OK;
}

/*
 * The dsb first: with the MMU off our stores are to Device memory, which
 * a DC CIVAC may overtake unless a DSB or DMB comes between them (Arm
 * ARM, "Ordering and completion of data and instruction cache
 * instructions").
 */
void bench_arch_publish(const void *p, size_t len)
{
	dsb_sy();
	dcache_civac((uintptr_t)p, len);
}
