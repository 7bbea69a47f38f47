/* SPDX-License-Identifier: MIT */
/*
 * vm_switch's peer VM runs this, copied into its RAM (vmm/bench_peer.h);
 * the host never executes it. 32-bit protected mode without paging, flat
 * segments (peer.c), no stack, no IDT, no exceptions expected.
 * EDI = the struct bench_peer_page (guest/common/bench_protocol.h):
 * request at +0, ack at +8, peer_ran at +16, each 64 bits, little endian.
 *
 * It spins until request moves, stamps the TSC (the clock both VMs
 * share: tinyvmm gives both a TSC offset of 0) into peer_ran, then
 * publishes ack. x86 keeps stores in program order, so peer_ran is
 * visible before ack; ack's low half, the one the spin compares (it
 * changes with every request), goes last. The spin has no PAUSE: with
 * SVM's pause filter, a PAUSE loop would make KVM exit and yield, and
 * the peer must leave the CPU only by preemption, which is what lets the
 * benchmark VM's vCPU take the CPU back.
 */
	.section .rodata, "a"
	.code32
	.balign	16
	.global	x86_peer_code_start, x86_peer_code_end
x86_peer_code_start:
1:	movl	(%edi), %ecx		/* request, low half */
	cmpl	8(%edi), %ecx		/* ack, low half */
	je	1b
	movl	4(%edi), %ebx		/* request, high half */
	lfence
	rdtsc
	lfence
	movl	%eax, 16(%edi)		/* peer_ran */
	movl	%edx, 20(%edi)
	movl	%ebx, 12(%edi)		/* ack = request, low half last */
	movl	%ecx, 8(%edi)
	jmp	1b
x86_peer_code_end:
	.code64
	.section .note.GNU-stack, "", @progbits
