// SPDX-License-Identifier: MIT
/*
 * vm_switch: the time from this VM blocking to another VM running on the
 * same host CPU.
 *
 * The other VM is tinyvmm's peer (BENCH_REG_PEER): one vCPU on the host
 * CPU of our vCPU 0, spinning on the struct bench_peer_page both VMs
 * map. Because the peer is always runnable there, our wfi, which KVM
 * turns into a block of our vCPU thread, makes the host scheduler switch
 * straight to the peer's thread, and the peer re-enters its guest. KVM's
 * halt polling does not delay the switch: it stops polling as soon as
 * another task is runnable on the CPU.
 *
 * Clock: CNTPCT_EL0 in both VMs (KVM offsets only each VM's virtual
 * counter; bench_clock_check() confirms ours is the host's clock, which
 * the peer's is too). Starts at our counter read just before we publish
 * a new request and wfi; stops at the peer's counter read when it first
 * sees that request (peer_ran). One sample per block.
 *
 * Our virtual timer ends the block: a pending interrupt wakes wfi even
 * with interrupts masked, which they stay, so no handler runs. A sample
 * is clean only if the peer answered within that one block; if we woke
 * first (the timer too early, or any other interrupt), the peer ran after
 * our extra wake-up and block, so the sample is thrown away and retried
 * with a longer block.
 */
#include "bench_arm64.h"
#include "mmio.h"

/* The first block's length (0.5 ms); doubled after each early wake-up. */
#define VM_SWITCH_WAIT_DIV 2000
#define VM_SWITCH_TRIES 8

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
 * One request: stamps t0, publishes it, blocks. Returns 1 with the sample
 * when the peer answered within that one block, 0 when we woke first
 * (after waiting for the answer anyway, so that the next try starts
 * clean), -1 when the peer never answered.
 */
static int vm_switch_try(struct bench *b, struct bench_arm64 *a,
			 uint64_t *sample)
{
	volatile struct bench_peer_page *pg = a->peer_page;
	uint64_t freq = read_cntfrq(), start = read_cntvct();
	uint64_t req = pg->request + 1, t0;
	unsigned int blocks = 1;

	arm_block_timer(a->peer_wait);
	t0 = cntpct_read();
	pg->request = req;
	peer_page_sync(pg);
	wfi();
	peer_page_sync(pg);
	while (pg->ack != req) {
		if (read_cntvct() - start > BENCH_WAIT_S * freq) {
			write_sysreg(0, cntv_ctl_el0);
			bench_note(b, "the peer VM never answered");
			return -1;
		}
		if (timer_fired())
			arm_block_timer(a->peer_wait);
		wfi();
		blocks++;
		peer_page_sync(pg);
	}
	write_sysreg(0, cntv_ctl_el0);
	isb();
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
	struct bench_arm64 *a = b->arch;
	int ret = 0;

	irq_disable();
	for (unsigned int i = 0; i < VM_SWITCH_TRIES && ret == 0; i++) {
		ret = vm_switch_try(b, a, sample);
		if (ret == 0)
			a->peer_wait *= 2;
	}
	irq_enable(); /* takes what came meanwhile, e.g. a stale SGI_WAKE */
	if (ret == 0)
		bench_notef(b, "woke before the peer ran %u times in a row",
			    VM_SWITCH_TRIES);
	return ret == 1 ? 0 : -1;
}

uint32_t vm_switch_prep(struct bench *b, struct bench_arm64 *a)
{
	uint64_t gpa, freq = read_cntfrq();
	uint32_t status;

	if (mmio_read64(b->base + BENCH_REG_VERSION) < 3) {
		bench_note(b, "needs bench protocol version 3 (a peer VM)");
		return BENCH_STATUS_SKIPPED;
	}
	if (!freq) {
		bench_note(b, "CNTFRQ_EL0 reads 0: no timer to end a block");
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
	a->peer_wait = freq / VM_SWITCH_WAIT_DIV;
	peer_page_sync(a->peer_page);
	b->report.counter = BENCH_COUNTER_CNTVCT; /* same rate as CNTPCT */
	b->report.counter_hz = freq;
	return BENCH_STATUS_OK;
}

uint32_t vm_switch_post(struct bench *b, struct bench_arm64 *a)
{
	mmio_write64(b->base + BENCH_REG_PEER, BENCH_PEER_STOP);
	a->peer_page = NULL;
	return BENCH_STATUS_OK;
}
