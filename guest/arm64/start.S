/* SPDX-License-Identifier: MIT */
/*
 * Entry points of the arm64 guests: the Linux Image header, the primary
 * and secondary entries, and the exception vectors. The protocol is in
 * arm64.h. Everything here addresses memory with adr/adrp, relative to
 * the PC, because the image runs wherever the loader put it.
 */
#include "arm64.h"

	.section .text.head, "ax"
/*
 * The 64-byte Image header (booting.rst "Call the kernel image").
 * text_offset 0: the image wants to sit right at a 2 MiB aligned base;
 * booting.rst honours text_offset whenever image_size is non-zero.
 * image_size covers .bss and the stacks, so a loader keeps them free.
 */
	.globl	_start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0			/* text_offset */
	.quad	_image_size		/* image_size, from guest.ld */
	.quad	ARM64_IMAGE_FLAGS	/* flags */
	.quad	0			/* res2 */
	.quad	0			/* res3 */
	.quad	0			/* res4 */
	.long	0x644d5241		/* magic "ARM\x64" */
	.long	0			/* res5: no PE/COFF header */
/*
 * The header has its 4 KiB page to itself: hello.bin is this image
 * without that page, a raw binary loaded at RAM + 0x80000 and entered at
 * its first byte, primary_entry. adrp needs every instruction at the same
 * offset within its page as linked, which a 64-byte cut would break.
 */
	.balign	4096

	.section .text.entry, "ax"
	.globl	primary_entry
primary_entry:
	mov	x19, x0			/* the DTB; x19 survives calls */
	mov	x0, #ARM64_BOOT_SLOT
	bl	cpu_setup
	bl	bss_zero
	mov	x0, x19
	bl	main
	b	halt

	.text
/* x0 = context id = /cpus index, chosen by the primary's CPU_ON. */
	.globl	secondary_entry
secondary_entry:
	cmp	x0, #ARM64_MAX_CPUS
	b.hs	halt			/* no stack for it: never run C */
	mov	x19, x0
	bl	cpu_setup
	mov	x0, x19
	bl	secondary_main
	b	halt

/*
 * cpu_setup(slot = x0): stack = top of slot x0, TPIDR_EL1 = x0, vectors
 * installed, SError unmasked so asynchronous aborts are reported too.
 * Leaf, uses x0-x2 only. Also called from the vectors to get a good stack.
 */
cpu_setup:
	msr	daifset, #0xf		/* booting.rst wants it; be sure */
	msr	spsel, #1		/* run on SP_EL1 */
	msr	tpidr_el1, x0
	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	add	x2, x0, #1
	mov	x0, #ARM64_STACK_SIZE
	madd	x1, x2, x0, x1
	mov	sp, x1
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	isb
	msr	daifclr, #0x4		/* A: SError */
	ret

/*
 * .bss is zeroed here because a loader need not. The stacks are left
 * alone: they are NOLOAD and need no initial value.
 */
bss_zero:
	adrp	x0, __bss_start
	add	x0, x0, :lo12:__bss_start
	adrp	x1, __bss_end
	add	x1, x1, :lo12:__bss_end
1:	cmp	x0, x1
	b.hs	2f
	str	xzr, [x0], #8		/* RAM, not MMIO: writeback is fine */
	b	1b
2:	ret

halt:
	wfi
	b	halt

/*
 * The vector table (Arm ARM D1.10.2): 16 entries of 128 bytes, 2 KiB
 * aligned, in groups of four (synchronous, IRQ, FIQ, SError) for: current
 * EL with SP_EL0, current EL with SP_ELx, lower EL AArch64, lower EL
 * AArch32. The guests run at EL1 on SP_EL1 only, so entry 5 (IRQ, current
 * EL with SP_ELx) is the one interrupt entry; it returns to the
 * interrupted code. Every other entry passes its number to
 * exception_report(), which prints ESR/ELR/FAR and resets the machine.
 */
.macro	vector, n
	.balign	128
	mov	x0, #\n
	b	exception_entry
.endm

	.balign	2048
vectors:
	.irp	n, 0, 1, 2, 3, 4
	vector	\n
	.endr
	.balign	128
	b	irq_entry		/* 5: IRQ, EL1 on SP_EL1 */
	.irp	n, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15
	vector	\n
	.endr

/*
 * IRQ: save what the AAPCS64 lets a C function clobber (x0-x18, and the
 * frame and link registers), call exception_irq(), restore, eret. The
 * frame goes on the interrupted code's stack (always SP_EL1 here);
 * 21 registers round up to 176 bytes to keep SP 16-byte aligned. IRQs
 * stay masked throughout (PSTATE.I is set on entry), so nothing nests and
 * ELR_EL1/SPSR_EL1 survive untouched; a fault in the handler resets.
 */
#define IRQ_FRAME 176
irq_entry:
	sub	sp, sp, #IRQ_FRAME
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x29, [sp, #144]
	str	x30, [sp, #160]
	bl	exception_irq
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x29, [sp, #144]
	ldr	x30, [sp, #160]
	add	sp, sp, #IRQ_FRAME
	eret

/*
 * The faulting context's SP may be the cause, so restart on the top of
 * this CPU's stack slot: we never return, and the old frames are not
 * needed for a report that reads the fault from system registers.
 */
exception_entry:
	mov	x20, x0
	mrs	x0, tpidr_el1
	cmp	x0, #ARM64_BOOT_SLOT
	b.ls	1f
	mov	x0, #ARM64_BOOT_SLOT	/* TPIDR_EL1 corrupt: any valid slot */
1:	bl	cpu_setup
	mov	x0, x20
	bl	exception_report
	b	halt

/* One stack per CPU plus the primary's boot stack; see arm64.h. */
	.section .stacks, "aw", %nobits
	.balign	16
stacks:
	.space	(ARM64_MAX_CPUS + 1) * ARM64_STACK_SIZE
