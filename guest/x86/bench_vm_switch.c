// SPDX-License-Identifier: MIT
/*
 * vm_switch on x86 (guest/common/bench_vm_switch.c has the design): our
 * block is a hlt, which KVM turns into a block of our vCPU thread; the
 * peer VM runs arch/x86/peer_code.S.
 *
 * Clock: the TSC in both VMs, one clock when tinyvmm gives both a TSC
 * offset of 0. Our APIC timer ends the block. Unlike arm64's wfi, hlt
 * wakes only for an interrupt it can take, so interrupts are on for the
 * hlt and the timer's handler runs after the wake-up, outside the window.
 */
#include "bench_x86.h"

/* The first block's length (0.5 ms); doubled after each early wake-up. */
#define VM_SWITCH_WAIT_NS 500000ULL

/*
 * vs->wait is in ns. t0 goes out only at the end, so that no store to
 * *@t0 sits in the window.
 */
int bench_arch_vm_switch_block(struct bench *b, struct bench_vm_switch *vs,
			       uint64_t *t0)
{
	struct bench_x86 *a = b->arch;
	volatile struct bench_peer_page *pg = vs->page;
	const volatile uint32_t *fired = &a->g->timer_fired[x86_cpu_index()];
	uint64_t start = tsc_read(), limit = BENCH_PEER_WAIT_S * a->g->tsc_hz;
	uint64_t req = pg->request + 1, t;
	unsigned int blocks = 1;

	apic_timer_arm(vs->wait);
	t = tsc_read();
	pg->request = req;
	sti_hlt_cli();
	while (pg->ack != req) {
		if (tsc_read() - start > limit) {
			apic_timer_stop();
			return -1;
		}
		if (*fired)
			apic_timer_arm(vs->wait);
		sti_hlt_cli();
		blocks++;
	}
	apic_timer_stop();
	*t0 = t;
	return blocks == 1;
}

int vm_switch_sample(struct bench *b, struct bench_x86 *a, uint64_t *sample)
{
	int ret;

	irq_disable();
	ret = bench_vm_switch_sample(b, &a->vm_switch, sample);
	irq_enable();
	return ret;
}

uint32_t vm_switch_prep(struct bench *b, struct bench_x86 *a)
{
	return bench_vm_switch_prep(b, &a->vm_switch, VM_SWITCH_WAIT_NS);
}
