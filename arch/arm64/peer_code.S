/* SPDX-License-Identifier: MIT */
/*
 * vm_switch's peer VM runs this, copied into its RAM (vmm/bench_peer.h);
 * the host never executes it. x0 = the struct bench_peer_page
 * (guest/common/bench_protocol.h): request at +0, ack at +8, peer_ran
 * at +16. MMU off, no stack, no exceptions expected.
 *
 * It spins until request moves, stamps CNTPCT_EL0 (the clock both VMs
 * share) into peer_ran, then publishes ack. While it spins it never
 * exits: the host switches away from it only by preemption, which is
 * what lets the benchmark VM's vCPU take the CPU back.
 */
	.section .rodata, "a"
	.balign 4
	.global arm64_peer_code_start, arm64_peer_code_end
arm64_peer_code_start:
1:	ldr	x1, [x0]		/* request */
	ldr	x2, [x0, #8]		/* ack */
	cmp	x1, x2
	b.eq	1b
	isb
	mrs	x3, cntpct_el0
	isb
	str	x3, [x0, #16]		/* peer_ran, then ack: in this order */
	dmb	sy
	str	x1, [x0, #8]
	b	1b
arm64_peer_code_end:
	.section .note.GNU-stack, "", %progbits
