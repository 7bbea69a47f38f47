// SPDX-License-Identifier: MIT
/*
 * timer on arm64: the latency of the EL1 virtual timer's interrupt, from
 * the moment its condition is met to the moment our handler runs.
 *
 * One sample: arm the virtual timer with CNTV_CVAL_EL0 = now + lead and
 * CNTV_CTL_EL0.ENABLE, spin with interrupts unmasked, take INTID 27 (a
 * PPI) through the vGIC, disable the timer and EOI it. The sample is
 *
 *     t1 - CVAL
 *
 * where t1 is the handler's CNTVCT_EL0 read, just after it acknowledged
 * the interrupt (ICC_IAR1_EL1) and dispatched on its INTID. CVAL is
 * exact: the timer condition is met when CNTVCT reaches CVAL, the clock
 * t1 is read with (Arm ARM, "The virtual timer"). So neither the lead
 * (the wait) nor the arming is in the window, only the way from the
 * condition to the handler. Under KVM, with the vCPU running our spin
 * loop when CVAL comes, that way is: the virtual timer is the hardware
 * timer while the vCPU runs, so its interrupt exits the guest to the
 * host; KVM's timer interrupt handler marks the guest's INTID 27 pending
 * in the vGIC (mapped to the hardware interrupt, which stays active until
 * the guest's EOI deactivates it); KVM enters the guest again with it in
 * a list register; the guest takes the IRQ exception (the vector saves
 * the registers, bench_irq() acknowledges in the virtual CPU interface,
 * no exit). The EOI comes after t1: not in the window.
 *
 * The sample counts only if arming was complete before CVAL (a CNTVCT
 * read after the writes and an isb is below CVAL); else the condition
 * was met at the enable, at an unknown time, and the sample is taken
 * again with twice the lead. Spinning (not wfi) keeps the vCPU in the
 * guest: a vCPU blocked in wfi would instead be woken by KVM's software
 * timer, a different path (vm_switch's). Counter: CNTVCT_EL0 at
 * CNTFRQ_EL0, the default (b->counter).
 */
#include "bench_arm64.h"

/* The first lead, 1/TIMER_LEAD_DIV s (10 us); doubled when arming took longer. */
#define TIMER_LEAD_DIV 100000
#define TIMER_TRIES 8

/* CNTVCT_EL0, neither taken early nor overtaken (bench_arm64.c's clock). */
static inline __attribute__((always_inline)) uint64_t cntvct_stamp(void)
{
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0; isb" : "=r"(v) : : "memory");
	return v;
}

uint32_t timer_prep(struct bench *b, struct bench_arm64 *a)
{
	uint64_t freq = read_cntfrq();

	if (!freq) {
		bench_note(b, "CNTFRQ_EL0 reads 0: no timer rate for the lead");
		return BENCH_STATUS_SKIPPED;
	}
	a->timer.lead = freq / TIMER_LEAD_DIV ? freq / TIMER_LEAD_DIV : 1;
	write_sysreg(0, cntv_ctl_el0);
	isb();
	a->timer.on = 1;
	dsb_sy(); /* before the timer can fire */
	return BENCH_STATUS_OK;
}

/*
 * The level-sensitive timer keeps asserting until disabled: disable it
 * before the EOI, so that the deactivated interrupt is not taken again.
 */
void timer_handle(struct bench_arm64 *a, uint32_t iar)
{
	a->timer.t1 = cntvct_stamp();
	write_sysreg(0, cntv_ctl_el0);
	isb();
	gic_eoi(iar);
	dsb_sy();
	a->timer.seq = a->timer.seq + 1;
}

/*
 * One arm, fire, take: 1 with *@sample set, 0 when arming ended at or
 * after CVAL (no sample), -1 when the interrupt never came.
 */
static int timer_once(struct bench_arm64 *a, uint64_t lead, uint64_t *cval,
		      uint64_t *sample)
{
	uint32_t seq = a->timer.seq;
	uint64_t armed;

	*cval = cntvct_stamp() + lead;
	write_sysreg(*cval, cntv_cval_el0);
	write_sysreg(CNTV_CTL_ENABLE, cntv_ctl_el0);
	armed = cntvct_stamp(); /* its isb puts both writes in effect first */
	if (!wait_change(&a->timer.seq, seq))
		return -1;
	if (armed >= *cval)
		return 0;
	*sample = a->timer.t1 - *cval;
	return 1;
}

int timer_sample(struct bench *b, struct bench_arm64 *a, uint64_t *sample)
{
	uint64_t cval;

	for (unsigned int i = 0; i < TIMER_TRIES; i++) {
		int ret = timer_once(a, a->timer.lead, &cval, sample);

		if (ret < 0) {
			write_sysreg(0, cntv_ctl_el0);
			bench_note(b,
				   "the virtual timer's interrupt never came");
			return -1;
		}
		if (ret == 0) {
			a->timer.lead *= 2;
			continue;
		}
		/* Architecturally impossible; a broken clock would show here. */
		if (a->timer.t1 < cval) {
			bench_notef(b,
				    "the interrupt came before CVAL: %lu < %lu",
				    (unsigned long)a->timer.t1,
				    (unsigned long)cval);
			return -1;
		}
		return 0;
	}
	bench_notef(b, "arming took longer than a %lu-tick lead %u times",
		    (unsigned long)a->timer.lead, TIMER_TRIES);
	return -1;
}

uint32_t timer_post(struct bench_arm64 *a)
{
	write_sysreg(0, cntv_ctl_el0);
	isb();
	a->timer.on = 0;
	dsb_sy();
	return BENCH_STATUS_OK;
}
