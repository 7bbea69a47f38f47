// SPDX-License-Identifier: MIT
/*
 * vm_switch: the time from this VM blocking to another VM running on the
 * same host CPU; arm64's design (guest/arm64/bench_vm_switch.c) on x86.
 *
 * The other VM is tinyvmm's peer (BENCH_REG_PEER): one vCPU on the host
 * CPU of our vCPU 0, spinning on the struct bench_peer_page both VMs map
 * (arch/x86/peer_code.S). Because the peer is always runnable there, our
 * hlt, which KVM turns into a block of our vCPU thread, makes the host
 * scheduler switch straight to the peer's thread, and the peer re-enters
 * its guest. KVM's halt polling does not delay the switch: it stops
 * polling as soon as another task is runnable on the CPU.
 *
 * Clock: the TSC in both VMs, one clock when tinyvmm gives both a TSC
 * offset of 0 (bench_clock_check() confirms ours is the host's). Starts
 * at our TSC read just before we publish a new request and halt; stops
 * at the peer's TSC read when it first sees that request (peer_ran).
 * One sample per block.
 *
 * Our APIC timer ends the block. Unlike arm64's wfi, hlt wakes only for
 * an interrupt it can take, so interrupts are on for the hlt and the
 * timer's handler runs after the wake-up, outside the window. A sample
 * is clean only if the peer answered within that one block; if we woke
 * first (the timer too early, or any other interrupt), the peer ran
 * after our extra wake-up and block, so the sample is thrown away and
 * retried with a longer block.
 */
#include "bench_x86.h"
#include "mmio.h"

/* The first block's length (0.5 ms); doubled after each early wake-up. */
#define VM_SWITCH_WAIT_NS 500000ULL
#define VM_SWITCH_TRIES 8

/*
 * One request: stamps t0, publishes it, blocks. Returns 1 with the sample
 * when the peer answered within that one block, 0 when we woke first
 * (after waiting for the answer anyway, so that the next try starts
 * clean), -1 when the peer never answered. Interrupts off on entry and
 * on return.
 */
static int vm_switch_try(struct bench *b, struct bench_x86 *a,
			 uint64_t *sample)
{
	volatile struct bench_peer_page *pg = a->peer_page;
	const volatile uint32_t *fired =
	    &a->g->timer_fired[x86_cpu_index()];
	uint64_t start = tsc_read(), limit = BENCH_WAIT_S * a->g->tsc_hz;
	uint64_t req = pg->request + 1, t0;
	unsigned int blocks = 1;

	apic_timer_arm(a->peer_wait_ns);
	t0 = tsc_read();
	pg->request = req;
	sti_hlt_cli();
	while (pg->ack != req) {
		if (tsc_read() - start > limit) {
			apic_timer_stop();
			bench_note(b, "the peer VM never answered");
			return -1;
		}
		if (*fired)
			apic_timer_arm(a->peer_wait_ns);
		sti_hlt_cli();
		blocks++;
	}
	apic_timer_stop();
	if (blocks > 1)
		return 0;
	if (pg->peer_ran < t0) {
		bench_notef(b, "clocks disagree: t0 %lu, peer_ran %lu",
			    (unsigned long)t0, (unsigned long)pg->peer_ran);
		return -1;
	}
	*sample = pg->peer_ran - t0;
	return 1;
}

int vm_switch_sample(struct bench *b, uint64_t *sample)
{
	struct bench_x86 *a = b->arch;
	int ret = 0;

	irq_disable();
	for (unsigned int i = 0; i < VM_SWITCH_TRIES && ret == 0; i++) {
		ret = vm_switch_try(b, a, sample);
		if (ret == 0)
			a->peer_wait_ns *= 2;
	}
	irq_enable();
	if (ret == 0)
		bench_notef(b, "woke before the peer ran %u times in a row",
			    VM_SWITCH_TRIES);
	return ret == 1 ? 0 : -1;
}

uint32_t vm_switch_prep(struct bench *b, struct bench_x86 *a)
{
	uint64_t gpa;
	uint32_t status;

	if (mmio_read64(b->base + BENCH_REG_VERSION) < 3) {
		bench_note(b, "needs bench protocol version 3 (a peer VM)");
		return BENCH_STATUS_SKIPPED;
	}
	status = bench_clock_check(b);
	if (status != BENCH_STATUS_OK)
		return status;
	mmio_write64(b->base + BENCH_REG_PEER, BENCH_PEER_START);
	gpa = mmio_read64(b->base + BENCH_REG_PEER);
	if (!gpa || gpa % 64) {
		bench_note(b, "tinyvmm started no peer VM (its stderr says why)");
		return BENCH_STATUS_SKIPPED;
	}
	a->peer_page = (volatile struct bench_peer_page *)(uintptr_t)gpa;
	a->peer_wait_ns = VM_SWITCH_WAIT_NS;
	return BENCH_STATUS_OK;
}

uint32_t vm_switch_post(struct bench *b, struct bench_x86 *a)
{
	mmio_write64(b->base + BENCH_REG_PEER, BENCH_PEER_STOP);
	a->peer_page = NULL;
	return BENCH_STATUS_OK;
}
