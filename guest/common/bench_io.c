// SPDX-License-Identifier: MIT
/*
 * io_out and io_in: the guest <-> I/O backend notifications, timed across
 * the guest's clock and tinyvmm's (bench_clock_check() has found them one
 * clock). Both take their sample from the same kind of round trip:
 *
 *   the guest reads its clock (t0), stores it in the slot it shares with
 *   tinyvmm and writes BENCH_REG_KICK, an ioeventfd that KVM signals
 *   without leaving the kernel to tinyvmm's vCPU thread; tinyvmm's I/O
 *   backend thread wakes and reads its counter (host_woke), reads it
 *   again (host_signal), bumps the slot's seq and signals an irqfd; KVM
 *   injects the bench interrupt into the guest, which waits for it idle
 *   (wfi, hlt); its handler reads the guest's clock first thing (t3).
 *
 * Everything from t0 to the idle wait, and the handler, is the arch's
 * (bench_arch_io_kick() and its interrupt handler): the instructions
 * inside the windows. This file checks what came back and subtracts.
 */
#include "bench.h"
#include "mmio.h"

uint32_t bench_io_prep(struct bench *b, struct bench_io *io)
{
	volatile struct bench_io_slot *s = &io->slot;
	uint32_t status;

	if (!io->ok) {
		bench_note(b, io->why);
		return BENCH_STATUS_SKIPPED;
	}
	status = bench_clock_check(b);
	if (status != BENCH_STATUS_OK)
		return status;
	s->guest_t0 = 0;
	s->host_woke = 0;
	s->host_signal = 0;
	s->seq = 0;
	bench_arch_publish((const void *)s, sizeof(*s));
	mmio_write64(b->base + BENCH_REG_IO_SLOT, (uintptr_t)s);
	return BENCH_STATUS_OK;
}

/*
 * One round trip, the same for io_out and io_in. Returns 0 with t0 and
 * the slot's stamps readable, or -1 after a note.
 */
static int bench_io_round_trip(struct bench *b, struct bench_io *io,
			       uint64_t *t0)
{
	uint64_t seq0 = io->slot.seq;
	uint32_t irq_seq = io->seq;
	bool woke = bench_arch_io_kick(b, io, irq_seq, t0);

	if (io->slot.seq == seq0) {
		bench_note(b, "the I/O backend did not answer");
		return -1;
	}
	if (!woke) {
		bench_notef(b, "the I/O backend answered, %s %u never came",
			    io->irq_name, io->irq);
		return -1;
	}
	return 0;
}

/* A counter difference @to - @from, FAILED when the clocks disagree. */
static int bench_io_delta(struct bench *b, const char *what, uint64_t from,
			  uint64_t to, uint64_t *sample)
{
	if (to < from) {
		bench_notef(b, "clocks disagree: %s %lu .. %lu", what,
			    (unsigned long)from, (unsigned long)to);
		return -1;
	}
	*sample = to - from;
	return 0;
}

/*
 * io_out: guest -> I/O backend notification. Clock: starts at the
 * guest's clock read (guest_t0) just before it stores that stamp in the
 * slot, makes the slot visible and writes BENCH_REG_KICK; stops at the
 * counter read of tinyvmm's I/O backend thread just after it woke on the
 * kick's ioeventfd (host_woke). One sample per round trip.
 */
int bench_io_out_sample(struct bench *b, struct bench_io *io, uint64_t *sample)
{
	uint64_t t0;

	if (bench_io_round_trip(b, io, &t0))
		return -1;
	return bench_io_delta(b, "guest_t0, host_woke", t0, io->slot.host_woke,
			      sample);
}

/*
 * io_in: I/O backend -> guest interrupt. Clock: starts at the counter
 * read of tinyvmm's I/O backend thread just before it signals the bench
 * device's irqfd (host_signal); stops at the guest's clock read in its
 * handler of the bench interrupt (t3: what comes before that read is the
 * arch's, at its handler). The guest waits for it idle. One sample per
 * round trip (the same round trip as io_out).
 */
int bench_io_in_sample(struct bench *b, struct bench_io *io, uint64_t *sample)
{
	uint64_t t0;

	if (bench_io_round_trip(b, io, &t0))
		return -1;
	return bench_io_delta(b, "host_signal, t3", io->slot.host_signal,
			      io->t3, sample);
}
