// SPDX-License-Identifier: MIT
/*
 * vm_switch on arm64 (guest/common/bench_vm_switch.c has the design):
 * our block is a wfi, which KVM turns into a block of our vCPU thread.
 *
 * Clock: CNTPCT_EL0 in both VMs (KVM offsets only each VM's virtual
 * counter). Our virtual timer ends the block: a pending interrupt wakes
 * wfi even with interrupts masked, which they stay, so no handler runs.
 * The shared page is cleaned and invalidated around each access: we run
 * with caches off, the peer VM and tinyvmm with them on.
 */
#include "bench_arm64.h"
#include "mmio.h"

/* The first block's length (0.5 ms); doubled after each early wake-up. */
#define VM_SWITCH_WAIT_DIV 2000

static void peer_page_sync(volatile struct bench_peer_page *pg)
{
	dsb_sy();
	dcache_civac((uintptr_t)pg, sizeof(*pg));
}

/* Arms the virtual timer that ends a block @wait ticks from now. */
static void arm_block_timer(uint64_t wait)
{
	write_sysreg(read_cntvct() + wait, cntv_cval_el0);
	write_sysreg(CNTV_CTL_ENABLE, cntv_ctl_el0);
	isb();
}

static bool timer_fired(void)
{
	return read_sysreg(cntv_ctl_el0) & CNTV_CTL_ISTATUS;
}

/*
 * vs->wait is in CNTVCT ticks. t0 goes out only at the end, so that no
 * store to *@t0 sits in the window.
 */
int bench_arch_vm_switch_block(struct bench *b, struct bench_vm_switch *vs,
			       uint64_t *t0)
{
	volatile struct bench_peer_page *pg = vs->page;
	uint64_t freq = read_cntfrq(), start = read_cntvct();
	uint64_t req = pg->request + 1, t;
	unsigned int blocks = 1;

	(void)b;
	/*
	 * An interrupt left pending while masked (an SGI_WAKE of
	 * virtual_ipi's, the last block's timer before KVM resampled its
	 * level) would end every wfi below at once, and no try could be
	 * clean: take it here, outside the window.
	 */
	irq_enable();
	isb();
	irq_disable();
	arm_block_timer(vs->wait);
	t = cntpct_read();
	pg->request = req;
	peer_page_sync(pg);
	wfi();
	peer_page_sync(pg);
	while (pg->ack != req) {
		if (read_cntvct() - start > BENCH_PEER_WAIT_S * freq) {
			write_sysreg(0, cntv_ctl_el0);
			return -1;
		}
		if (timer_fired())
			arm_block_timer(vs->wait);
		wfi();
		blocks++;
		peer_page_sync(pg);
	}
	write_sysreg(0, cntv_ctl_el0);
	isb();
	*t0 = t;
	return blocks == 1;
}

int vm_switch_sample(struct bench *b, struct bench_arm64 *a, uint64_t *sample)
{
	int ret;

	irq_disable();
	ret = bench_vm_switch_sample(b, &a->vm_switch, sample);
	irq_enable(); /* takes what came meanwhile, e.g. a stale SGI_WAKE */
	return ret;
}

uint32_t vm_switch_prep(struct bench *b, struct bench_arm64 *a)
{
	uint64_t freq = read_cntfrq();
	uint32_t status;

	if (!freq) {
		bench_note(b, "CNTFRQ_EL0 reads 0: no timer to end a block");
		return BENCH_STATUS_SKIPPED;
	}
	status = bench_vm_switch_prep(b, &a->vm_switch,
				      freq / VM_SWITCH_WAIT_DIV);
	if (status == BENCH_STATUS_OK)
		peer_page_sync(a->vm_switch.page);
	return status;
}
