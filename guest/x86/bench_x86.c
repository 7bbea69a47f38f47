// SPDX-License-Identifier: MIT
/*
 * The transition microbenchmarks on x86_64: the bench_arch_*() hooks of
 * guest/common/bench.h and the interrupt handler they use. The names and
 * the windows are arm64's (docs/benchmarks.md); what differs is the
 * instruction each window times and the clock.
 *
 * The clock is the TSC, read with "lfence; rdtsc; lfence" (x86.h), in
 * every benchmark: it keeps counting while the hypervisor runs, and
 * unlike arm64's PMU nothing here completes without leaving the guest
 * (without AVIC even the EOI traps), so no benchmark wants a
 * guest-only clock. Its rate is not architecturally known: samples are
 * reported as BENCH_COUNTER_TSC ticks, which under QEMU's -icount are one
 * per executed instruction (the emulated TSC counts virtual ns).
 *
 * What traps where, with KVM on AMD SVM and neither AVIC nor decode
 * assists to speak of (nested under QEMU TCG, which also lacks
 * nrip-save, so KVM decodes every intercepted instruction to skip it):
 * VMMCALL is an intercept KVM handles in the kernel; a local APIC
 * access is a nested page fault on an MMIO page that KVM emulates in
 * the kernel (lapic.c); a bench device access is the same fault handed
 * to tinyvmm (KVM_EXIT_MMIO).
 */
#include "bench_x86.h"
#include "mmio.h"

/* KVM's hypercall that does nothing (Documentation/virt/kvm/x86/hypercalls.rst). */
#define KVM_HC_VAPIC_POLL_IRQ 1
#define KVM_CPUID_SIGNATURE 0x40000000

#define ALWAYS_INLINE inline __attribute__((always_inline))

/*
 * Operations per sample for the benchmarks that need no interrupt per
 * operation: 16, as on arm64, so that both time the same loop shape
 * (the TSC would resolve one operation; arm64's CNTVCT does not under
 * QEMU 7.2, at 16 instructions a tick).
 */
#define BENCH_BATCH 16

void bench_cpu_probe(struct bench_x86 *a)
{
	uint32_t r[4];

	cpuid(0, 0, r);
	memcpy(a->vendor, &r[1], 4);
	memcpy(a->vendor + 4, &r[3], 4);
	memcpy(a->vendor + 8, &r[2], 4);
	a->vendor[12] = '\0';
	a->vmmcall = !strcmp(a->vendor, "AuthenticAMD") ||
		     !strcmp(a->vendor, "HygonGenuine");
	cpuid(KVM_CPUID_SIGNATURE, 0, r);
	a->kvm = !memcmp(&r[1], "KVMK", 4) && !memcmp(&r[2], "VMKV", 4) &&
		 !memcmp(&r[3], "M\0\0\0", 4);
}

bool wait_change(const struct x86_guest *g, const volatile uint32_t *p,
		 uint32_t old)
{
	uint64_t start = tsc_read();

	while (*p == old) {
		if (tsc_read() - start > BENCH_WAIT_S * g->tsc_hz)
			return false;
		cpu_relax();
	}
	return true;
}

bool wait_armed_idle(struct bench_x86 *a, const volatile uint32_t *p,
		     uint32_t old)
{
	const volatile uint32_t *fired = &a->g->timer_fired[x86_cpu_index()];
	bool changed;

	irq_disable(); /* test, then halt: sti_hlt_cli() loses no wake-up */
	for (;;) {
		changed = *p != old;
		if (changed || *fired)
			break;
		sti_hlt_cli();
	}
	irq_enable();
	return changed;
}

static bool wait_change_idle(struct bench_x86 *a, const volatile uint32_t *p,
			     uint32_t old)
{
	bool changed;

	apic_timer_arm(BENCH_WAIT_NS);
	changed = wait_armed_idle(a, p, old);
	apic_timer_stop();
	return changed;
}

/*
 * hypercall: VMMCALL (VMCALL on Intel) with RAX = KVM_HC_VAPIC_POLL_IRQ,
 * which KVM answers in the kernel (kvm_emulate_hypercall: RAX = 0) with
 * no exit to userspace and no state changed; the other registers are
 * preserved. Clock: starts at the TSC read before the first of
 * BENCH_BATCH back-to-back calls, stops at the TSC read after the last
 * returns; one operation = guest -> hypervisor -> guest plus a mov and
 * the loop's own count-and-branch.
 */
static ALWAYS_INLINE uint64_t hypercall_batch(bool vmmcall)
{
	uint64_t t0 = tsc_read();

	for (unsigned int i = 0; i < BENCH_BATCH; i++) {
		unsigned long ax = KVM_HC_VAPIC_POLL_IRQ;

		if (vmmcall)
			asm volatile("vmmcall" : "+a"(ax) : : "memory");
		else
			asm volatile("vmcall" : "+a"(ax) : : "memory");
	}
	return tsc_read() - t0;
}

/*
 * gic_trap, the "interrupt controller trap": a 32-bit read of the local
 * APIC's version register (read-only, no side effect, like arm64's
 * GICD_IIDR), which KVM's in-kernel APIC emulates. Clock: starts at the
 * TSC read before the first of BENCH_BATCH back-to-back reads, stops at
 * the TSC read after the last.
 */
static ALWAYS_INLINE uint64_t gic_trap_batch(uintptr_t lapic)
{
	uint64_t t0 = tsc_read();

	for (unsigned int i = 0; i < BENCH_BATCH; i++)
		mmio_read32(lapic + APIC_LVR);
	return tsc_read() - t0;
}

/*
 * mmio_user: a 64-bit read of BENCH_REG_NOP, which tinyvmm serves in
 * userspace (KVM_EXIT_MMIO, then KVM_RUN again, which completes the
 * read). Clock: as gic_trap.
 */
static ALWAYS_INLINE uint64_t mmio_user_batch(uintptr_t base)
{
	uint64_t t0 = tsc_read();

	for (unsigned int i = 0; i < BENCH_BATCH; i++)
		mmio_read64(base + BENCH_REG_NOP);
	return tsc_read() - t0;
}

void bench_io_init(const struct fdt *fdt, int node, struct bench_x86 *a,
		   uint32_t apic_id)
{
	struct bench_io *io = &a->io;
	uint32_t len;
	const uint8_t *irq = fdt_prop(fdt, node, "interrupts", &len);

	io->ok = false;
	io->irq_name = "GSI";
	if (!irq) {
		io->why = "the bench node has no interrupts property";
		return;
	}
	if (len != 4) {
		io->why = "the bench node's interrupts is not one GSI cell";
		return;
	}
	io->irq = fdt_be32(irq);
	if (ioapic_route(io->irq, BENCH_VEC_IO, apic_id, true)) {
		io->why = "the I/O APIC has no pin for the bench GSI";
		return;
	}
	io->ok = true;
}

/*
 * The guest's TSC, which tinyvmm's counter (BENCH_REG_HOST_COUNTER, its
 * RDTSC) equals when tinyvmm gives the vCPUs a TSC offset of 0.
 */
uint64_t bench_arch_clock(void)
{
	return tsc_read();
}

/*
 * io_out's and io_in's kick (bench_io.c). The watchdog timer is armed
 * before t0, so that arming it (an APIC write: a trap) is in neither
 * window; x86 keeps the slot coherent with the host's accesses, so a
 * compiler barrier orders the stamp before the kick.
 */
bool bench_arch_io_kick(struct bench *b, struct bench_io *io, uint32_t irq_seq,
			uint64_t *t0)
{
	struct bench_x86 *a = b->arch; /* loaded here, not in the window */
	volatile struct bench_io_slot *s = &io->slot;
	bool woke;

	apic_timer_arm(BENCH_WAIT_NS);
	*t0 = tsc_read();
	s->guest_t0 = *t0;
	barrier();
	mmio_write64(b->base + BENCH_REG_KICK, 1);
	woke = wait_armed_idle(a, &io->seq, irq_seq);
	apic_timer_stop();
	return woke;
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
 * eoi: virtual interrupt completion. The loop sends BENCH_VEC_EOI to its
 * own CPU; the handler takes one sample. Clock: starts at the TSC read
 * just before the write of the local APIC's EOI register, stops at the
 * TSC read after it. Without AVIC or APICv that write traps to KVM,
 * which emulates it in the kernel: unlike a GICv3's EOI, which the
 * virtual CPU interface completes in the guest.
 */
static void eoi_handle(struct bench_x86 *a)
{
	uint64_t t0 = tsc_read();

	apic_eoi();
	a->eoi_delta = tsc_read() - t0;
	a->eoi_seq = a->eoi_seq + 1;
}

static int eoi_sample(struct bench *b, uint64_t *sample)
{
	struct bench_x86 *a = b->arch;
	uint32_t seq = a->eoi_seq;

	apic_send_self(BENCH_VEC_EOI);
	if (!wait_change(a->g, &a->eoi_seq, seq)) {
		bench_note(b, "the self-IPI never arrived");
		return -1;
	}
	*sample = a->eoi_delta;
	return 0;
}

/*
 * virtual_ipi: CPU 0 interrupts CPU 1 (the peer), which idles in hlt
 * with interrupts on. Clock: the TSC, which KVM keeps in step across a
 * VM's vCPUs. Starts at CPU 0's TSC read just before its write of the
 * ICR's low word (the write that sends; the destination is written
 * before); stops at CPU 1's TSC read first thing in its handler. Each
 * sample first waits until the peer has gone back to hlt since the
 * previous one. CPU 0 halts too; under QEMU's -icount, where the
 * emulated CPUs take turns, a sample therefore also holds CPU 0's own
 * way from the ICR write to its halt, as on arm64.
 */
static int virtual_ipi_sample(struct bench *b, uint64_t *sample)
{
	struct bench_x86 *a = b->arch;
	uint32_t seq = a->ipi_seq;
	uint64_t t0;
	bool arrived;

	if (!wait_change_idle(a, &a->idle_seq, a->idle_seq_at_send)) {
		bench_note(b, "the peer cpu never went back to hlt");
		return -1;
	}
	a->idle_seq_at_send = a->idle_seq;
	apic_ipi_dest(a->g->apic_id[a->peer]);
	apic_timer_arm(BENCH_WAIT_NS);
	t0 = tsc_read();
	apic_send_ipi_lo(BENCH_VEC_IPI);
	arrived = wait_armed_idle(a, &a->ipi_seq, seq);
	apic_timer_stop();
	if (!arrived) {
		bench_note(b, "the IPI to the peer cpu never arrived");
		return -1;
	}
	*sample = a->ipi_t1 - t0;
	return 0;
}

static uint32_t virtual_ipi_prep(struct bench *b, struct bench_x86 *a)
{
	struct x86_guest *g = a->g;

	a->peer = a->self == 0 ? 1 : 0;
	a->stop = 0;
	a->idle_seq = 0;
	a->idle_seq_at_send = 0;
	barrier();
	if (cpu_start(g, a->peer, BENCH_WAIT_S)) {
		bench_note(b, "the peer cpu did not come online");
		return BENCH_STATUS_FAILED;
	}
	return BENCH_STATUS_OK;
}

/* Stops the peer and waits until it is parked again. */
static uint32_t virtual_ipi_post(struct bench *b, struct bench_x86 *a)
{
	struct x86_guest *g = a->g;

	a->stop = 1;
	barrier();
	apic_send_ipi(g->apic_id[a->peer], APIC_VEC_WAKE);
	if (!cpu_wait_online(g, a->peer, 0, BENCH_WAIT_S)) {
		bench_note(b, "the peer cpu did not stop");
		return BENCH_STATUS_FAILED;
	}
	return BENCH_STATUS_OK;
}

void bench_peer_idle(struct bench_x86 *a)
{
	uint32_t self_apic = a->g->apic_id[a->self];

	/* Test, then halt with sti's shadow: no wake-up is lost. */
	irq_disable();
	while (!a->stop) {
		a->idle_seq = a->idle_seq + 1;
		barrier();
		apic_send_ipi(self_apic, APIC_VEC_WAKE);
		sti_hlt_cli();
	}
	irq_enable();
}

static void ipi_handle(struct bench_x86 *a)
{
	a->ipi_t1 = tsc_read();
	apic_eoi();
	a->ipi_seq = a->ipi_seq + 1;
	barrier();
	apic_send_ipi(a->g->apic_id[a->self], APIC_VEC_WAKE);
}

/*
 * The bench GSI: t3 for io_in, first thing in the handler of BENCH_VEC_IO
 * (on x86 the delivery is the acknowledgement).
 */
static void io_handle(struct bench_x86 *a)
{
	a->io.t3 = tsc_read();
	apic_eoi();
	a->io.seq = a->io.seq + 1;
}

void bench_irq(struct x86_guest *g, unsigned int cpu, struct x86_frame *f)
{
	struct bench_x86 *a = g->irq_ctx;

	(void)cpu;
	switch (f->vector) {
	case BENCH_VEC_IO:
		io_handle(a);
		break;
	case BENCH_VEC_EOI:
		eoi_handle(a);
		break;
	case BENCH_VEC_IPI:
		ipi_handle(a);
		break;
	case BENCH_VEC_TIMER:
		timer_handle(a);
		break;
	default:
		apic_eoi();
		break;
	}
}

uint32_t bench_arch_prep(struct bench *b, enum bench_id id)
{
	struct bench_x86 *a = b->arch;

	if (id == BENCH_HYPERCALL && !a->kvm) {
		bench_notef(b, "no KVM hypercall interface (CPUID 0x%x)",
			    KVM_CPUID_SIGNATURE);
		return BENCH_STATUS_SKIPPED;
	}
	switch (id) {
	case BENCH_LPI:
		/* No ITS here; a posted-MSI counterpart is not written yet. */
		bench_note(b, "no GICv3 ITS on x86: lpi is arm64's");
		return BENCH_STATUS_SKIPPED;
	case BENCH_VIRTUAL_IPI:
		return virtual_ipi_prep(b, a);
	case BENCH_IO_OUT:
	case BENCH_IO_IN:
		return bench_io_prep(b, &a->io);
	case BENCH_VM_SWITCH:
		return vm_switch_prep(b, a);
	case BENCH_TIMER:
		return timer_prep(b, a);
	default:
		return BENCH_STATUS_OK;
	}
}

int bench_arch_sample(struct bench *b, enum bench_id id, uint64_t *sample)
{
	struct bench_x86 *a = b->arch;

	switch (id) {
	case BENCH_HYPERCALL:
		*sample = a->vmmcall ? hypercall_batch(true)
				     : hypercall_batch(false);
		return 0;
	case BENCH_GIC_TRAP:
		*sample = gic_trap_batch(a->g->lapic);
		return 0;
	case BENCH_MMIO_USER:
		*sample = mmio_user_batch(b->base);
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
	default:
		bench_note(b, "no sample function");
		return -1;
	}
}

uint32_t bench_arch_post(struct bench *b, enum bench_id id)
{
	struct bench_x86 *a = b->arch;

	if (id == BENCH_VIRTUAL_IPI)
		return virtual_ipi_post(b, a);
	if (id == BENCH_VM_SWITCH)
		return bench_vm_switch_post(b, &a->vm_switch);
	if (id == BENCH_TIMER)
		return timer_post(a);
	return BENCH_STATUS_OK;
}

/* x86 keeps caches coherent with the host's accesses: order suffices. */
void bench_arch_publish(const void *p, size_t len)
{
	(void)p, (void)len;
	barrier();
}
