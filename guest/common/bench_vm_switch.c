// SPDX-License-Identifier: MIT
/*
 * vm_switch: the time from this VM blocking to another VM running on the
 * same host CPU.
 *
 * The other VM is tinyvmm's peer (BENCH_REG_PEER): one vCPU on the host
 * CPU of our vCPU 0, spinning on the struct bench_peer_page both VMs
 * map. Because the peer is always runnable there, our idle wait (wfi,
 * hlt), which KVM turns into a block of our vCPU thread, makes the host
 * scheduler switch straight to the peer's thread, and the peer re-enters
 * its guest. KVM's halt polling does not delay the switch: it stops
 * polling as soon as another task is runnable on the CPU.
 *
 * Clock: bench_arch_clock()'s in both VMs (bench_clock_check() confirms
 * ours is the host's clock, which the peer's is too). Starts at our read
 * just before we publish a new request and block; stops at the peer's
 * read when it first sees that request (peer_ran). One sample per block.
 *
 * A timer of ours ends the block. A sample is clean only if the peer
 * answered within that one block; if we woke first (the timer too early,
 * or any other interrupt), the peer ran after our extra wake-up and
 * block, so the sample is thrown away and retried with a longer block.
 * The block, with its timer and the window, is the arch's
 * (bench_arch_vm_switch_block()); this file starts the peer and
 * sequences the tries.
 */
#include "bench.h"
#include "mmio.h"

/* Blocks per sample, the wait doubling after each, before giving up. */
#define VM_SWITCH_TRIES 8

uint32_t bench_vm_switch_prep(struct bench *b, struct bench_vm_switch *vs,
			      uint64_t wait)
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
		bench_note(b,
			   "tinyvmm started no peer VM (its stderr says why)");
		return BENCH_STATUS_SKIPPED;
	}
	vs->page = (volatile struct bench_peer_page *)(uintptr_t)gpa;
	vs->wait = wait;
	return BENCH_STATUS_OK;
}

int bench_vm_switch_sample(struct bench *b, struct bench_vm_switch *vs,
			   uint64_t *sample)
{
	uint64_t t0 = 0, peer_ran;
	int ret = 0;

	for (unsigned int i = 0; i < VM_SWITCH_TRIES && ret == 0; i++) {
		ret = bench_arch_vm_switch_block(b, vs, &t0);
		if (ret == 0)
			vs->wait *= 2;
	}
	if (ret < 0) {
		bench_note(b, "the peer VM never answered");
		return -1;
	}
	if (ret == 0) {
		bench_notef(
			b,
			"woke before the peer ran %u times in a row (last block %lu ticks)",
			VM_SWITCH_TRIES, (unsigned long)(vs->wait / 2));
		return -1;
	}
	peer_ran = vs->page->peer_ran;
	if (peer_ran < t0) {
		bench_notef(b, "clocks disagree: t0 %lu, peer_ran %lu",
			    (unsigned long)t0, (unsigned long)peer_ran);
		return -1;
	}
	*sample = peer_ran - t0;
	return 0;
}

uint32_t bench_vm_switch_post(struct bench *b, struct bench_vm_switch *vs)
{
	mmio_write64(b->base + BENCH_REG_PEER, BENCH_PEER_STOP);
	vs->page = NULL;
	return BENCH_STATUS_OK;
}
