/* SPDX-License-Identifier: MIT */
/*
 * The guest side of bare-hypercall: copied into guest RAM by the host
 * program and run there at EL1 (MMU off, DAIF masked, no stack). The
 * host never executes it, so it sits in .rodata; it uses only PC-relative
 * branches, so it runs wherever it is copied.
 *
 * Entry registers (set with KVM_SET_ONE_REG):
 *   x0  guest-physical address of the sample array (8 bytes per sample)
 *   x1  warm-up samples (timed, not stored)
 *   x2  samples to store
 *   x3  guest-physical address outside every memslot: the exit
 *
 * One sample is the timed window of tinyvmm's bench guest, hypercall
 * (guest/arm64/bench_arm64.c, hypercall_batch) instruction for
 * instruction: "isb; mrs cntvct_el0; isb", then 16 times x0 =
 * SMCCC_VERSION, x1-x3 = 0, "hvc #0", count down and branch, then
 * "isb; mrs cntvct_el0; isb". KVM answers SMCCC_VERSION in the kernel and
 * writes x0-x3, so the loop's state lives in x18 and up.
 *
 * The guest state matches the bench guest's too: when the vCPU has a PMU,
 * its cycle counter runs (the bench guest starts it to time eoi), since
 * KVM's per-exit PMU work grows when a counter is enabled: about 8
 * instructions per hypercall in VHE, 19 in nVHE, under QEMU -icount.
 *
 * After the last sample, one 64-bit store of the number of samples taken
 * (warm-up included) to x3's address: KVM_EXIT_MMIO, the only exit to
 * userspace.
 */
#define SMCCC_VERSION_HI 0x8000 /* SMCCC_VERSION = 0x80000000 (DEN 0028) */
#define BATCH 16
#define PMCR_E_C_LC 0x45     /* enable, reset the cycle counter, 64-bit */
#define PMCNTEN_C (1 << 31)  /* the cycle counter */

	.section .rodata.bare_guest, "a"
	.balign 4
	.globl bare_guest_code
	.globl bare_guest_code_end
bare_guest_code:
	mov	x20, x0			/* sample array */
	mov	x21, x1			/* warm-up samples */
	add	x22, x1, x2		/* all samples */
	mov	x23, x3			/* exit address */
	mov	x24, #0			/* samples taken */
	cbz	x22, done

	/* ID_AA64DFR0_EL1.PMUVer: 0 none, 0xf IMPLEMENTATION DEFINED. */
	mrs	x9, id_aa64dfr0_el1
	ubfx	x9, x9, #8, #4
	cbz	x9, sample
	cmp	x9, #0xf
	b.eq	sample
	msr	pmccfiltr_el0, xzr	/* count at EL1 and EL0 */
	mov	x9, #PMCNTEN_C
	msr	pmcntenset_el0, x9
	mrs	x9, pmcr_el0
	mov	x10, #PMCR_E_C_LC
	orr	x9, x9, x10
	msr	pmcr_el0, x9
	isb

sample:
	isb
	mrs	x19, cntvct_el0
	isb
	mov	w18, #BATCH
1:	movz	x0, #SMCCC_VERSION_HI, lsl #16
	mov	x1, #0
	mov	x2, #0
	mov	x3, #0
	hvc	#0
	subs	w18, w18, #1
	b.ne	1b
	isb
	mrs	x1, cntvct_el0
	isb
	sub	x1, x1, x19

	/* Untimed: store the sample unless it is a warm-up one. */
	subs	x9, x24, x21
	b.lo	2f
	add	x9, x20, x9, lsl #3
	str	x1, [x9]
	/*
	 * With the MMU off the store bypasses the caches; the host reads
	 * through a cacheable mapping. Clean and invalidate the line so
	 * that no stale copy of it survives for the host to read.
	 */
	dc	civac, x9
2:	add	x24, x24, #1
	cmp	x24, x22
	b.lo	sample

done:
	dsb	sy
	str	x24, [x23]
	b	.
bare_guest_code_end:

	.section .note.GNU-stack, "", %progbits
