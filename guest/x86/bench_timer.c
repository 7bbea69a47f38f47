// SPDX-License-Identifier: MIT
/*
 * timer on x86_64: the latency of the local APIC timer's interrupt, the
 * counterpart of arm64's virtual timer (guest/arm64/bench_timer.c).
 *
 * TSC-deadline mode, when CPUID leaf 1 offers it (tinyvmm does whenever
 * KVM has KVM_CAP_TSC_DEADLINE_TIMER): one sample writes
 * IA32_TSC_DEADLINE = now + lead, spins with interrupts on, and takes
 * BENCH_VEC_TIMER, whose handler reads the TSC (t1) first thing and
 * EOIs. The sample is
 *
 *     t1 - deadline
 *
 * the way from the moment the TSC reaches the deadline (the timer
 * condition, on the clock t1 is read with) to the handler; neither the
 * lead nor the arming is in it. The sample counts only if the TSC read
 * after the WRMSR is below the deadline (else the deadline had passed
 * when KVM armed it, and it is taken again with twice the lead). Under
 * KVM the WRMSR traps and KVM arms a host timer (an hrtimer; VMX's
 * preemption timer where there is one); when that fires while our vCPU
 * spins in the guest, the host's interrupt exits the guest, KVM's timer
 * callback makes the APIC timer interrupt pending, and KVM injects it
 * on the next entry. KVM may arm its timer early and wait for the
 * deadline before that entry (lapic_timer_advance): that design is in
 * the figure, as it is the hypervisor's.
 *
 * One-shot mode, without TSC deadline: the initial count that fires at
 * once (1, i.e. 2 ns) is written to TMICT; the sample is t1 - t0, with
 * t0 the TSC read just before that write, i.e. the whole round trip,
 * arming (a trapped APIC write) included: the expiry's own TSC value is
 * not known (KVM times the APIC timer on its own clock). The report's
 * note says which mode ran.
 */
#include "bench_x86.h"

/* The first lead, 1/TIMER_LEAD_DIV s (10 us); doubled when arming took longer. */
#define TIMER_LEAD_DIV 100000
#define TIMER_TRIES 8

static bool cpu_has_tsc_deadline(void)
{
	uint32_t r[4];

	cpuid(1, 0, r);
	return r[2] & X86_CPUID1_TSC_DEADLINE;
}

uint32_t timer_prep(struct bench *b, struct bench_x86 *a)
{
	uint64_t lead = a->g->tsc_hz / TIMER_LEAD_DIV;

	a->timer.lead = lead ? lead : 1;
	a->timer.deadline = cpu_has_tsc_deadline();
	apic_timer_stop(); /* the watchdog's one-shot */
	if (a->timer.deadline) {
		apic_write(APIC_LVT_TIMER,
			   APIC_LVT_TSC_DEADLINE | BENCH_VEC_TIMER);
		/* SDM: the mode change before any IA32_TSC_DEADLINE write. */
		asm volatile("mfence" : : : "memory");
	} else {
		apic_write(APIC_LVT_TIMER, BENCH_VEC_TIMER);
		bench_note(b,
			   "one-shot (no TSC deadline): from the TMICT write,"
			   " arming included");
	}
	return BENCH_STATUS_OK;
}

void timer_handle(struct bench_x86 *a)
{
	a->timer.t1 = tsc_read();
	apic_eoi();
	a->timer.seq = a->timer.seq + 1;
}

/*
 * One arm, fire, take in TSC-deadline mode: 1 with *@sample set, 0 when
 * the TSC had reached the deadline once armed (no sample), -1 when the
 * interrupt never came.
 */
static int deadline_once(struct bench_x86 *a, uint64_t *deadline,
			 uint64_t *sample)
{
	uint32_t seq = a->timer.seq;
	uint64_t armed;

	*deadline = tsc_read() + a->timer.lead;
	wrmsr(X86_MSR_TSC_DEADLINE, *deadline);
	armed = tsc_read();
	if (!wait_change(a->g, &a->timer.seq, seq))
		return -1;
	if (armed >= *deadline)
		return 0;
	*sample = a->timer.t1 - *deadline;
	return 1;
}

/* One arm, fire, take in one-shot mode: 1 with *@sample set, or -1. */
static int oneshot_once(struct bench_x86 *a, uint64_t *t0, uint64_t *sample)
{
	uint32_t seq = a->timer.seq;

	*t0 = tsc_read();
	apic_write(APIC_TMICT, 1);
	if (!wait_change(a->g, &a->timer.seq, seq))
		return -1;
	*sample = a->timer.t1 - *t0;
	return 1;
}

int timer_sample(struct bench *b, struct bench_x86 *a, uint64_t *sample)
{
	uint64_t start;

	for (unsigned int i = 0; i < TIMER_TRIES; i++) {
		int ret = a->timer.deadline ? deadline_once(a, &start, sample)
					    : oneshot_once(a, &start, sample);

		if (ret < 0) {
			bench_note(b, "the APIC timer's interrupt never came");
			return -1;
		}
		if (ret == 0) {
			a->timer.lead *= 2;
			continue;
		}
		/* Impossible with one TSC; a broken clock would show here. */
		if (a->timer.t1 < start) {
			bench_notef(b,
				    "the interrupt came before its time:"
				    " %lu < %lu",
				    (unsigned long)a->timer.t1,
				    (unsigned long)start);
			return -1;
		}
		return 0;
	}
	bench_notef(b, "arming took longer than a %lu-tick lead %u times",
		    (unsigned long)a->timer.lead, TIMER_TRIES);
	return -1;
}

/* Back to the watchdog's one-shot timer (apic_cpu_init()), stopped. */
uint32_t timer_post(struct bench_x86 *a)
{
	if (a->timer.deadline)
		wrmsr(X86_MSR_TSC_DEADLINE, 0);
	apic_write(APIC_LVT_TIMER, APIC_VEC_TIMER);
	apic_timer_stop();
	return BENCH_STATUS_OK;
}
