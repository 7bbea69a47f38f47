/* SPDX-License-Identifier: MIT */
/*
 * Entry point and interrupt entry of the x86_64 guests. The boot
 * protocol and what each CPU does here are in x86.h.
 *
 * The image is linked at X86_KERNEL_ADDR and only runs there (guest.ld):
 * addresses are formed RIP-relative anyway, as the small code model
 * prefers.
 */
#include "x86.h"

	.section .text.head, "ax"
	.code64
	.globl	_start
_start:
	cli
	cld
	cmp	$X86_MAX_CPUS, %rsi
	jae	halt			/* no stack slot: never run C */
	mov	%rsi, %rbx		/* the index; rbx survives calls */
	lea	1(%rsi), %rax		/* stack = top of slot rsi */
	imul	$X86_STACK_SIZE, %rax
	lea	x86_stacks(%rip), %rsp
	add	%rax, %rsp
	xor	%ebp, %ebp
	test	%rsi, %rsi
	jnz	secondary
	mov	%rdi, %r12		/* the DTB */
	call	bss_zero
	call	x86_boot_init		/* IDT, APIC address */
	call	x86_idt_load
	movl	$1, x86_boot_ready(%rip)	/* .data: bss_zero spares it */
	mov	%r12, %rdi
	call	main
	jmp	halt

/* Waits for CPU 0's .bss and IDT before running any C. */
secondary:
	pause
	cmpl	$0, x86_boot_ready(%rip)
	je	secondary
	call	x86_idt_load
	mov	%ebx, %edi
	call	secondary_park
	/* fall through: it does not return */

	.globl	halt
halt:
	cli
	hlt
	jmp	halt

/* .bss is zeroed here because a loader need not (the stacks are apart). */
bss_zero:
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	ret

/*
 * One entry stub per vector, X86_STUB_SIZE bytes apart (x86_boot_init()
 * points gate n at x86_entry_stubs + n * X86_STUB_SIZE). Each pushes an
 * error code where the CPU pushed none, then the vector, so that every
 * frame has the same shape (struct x86_frame).
 */
	.text
	.balign	X86_STUB_SIZE
	.globl	x86_entry_stubs
x86_entry_stubs:
	vector = 0
	.rept	X86_NR_VECTORS
	.balign	X86_STUB_SIZE
	.if !(vector == X86_VEC_DF || (vector >= X86_VEC_TS && vector <= X86_VEC_PF) || vector == X86_VEC_AC || vector == X86_VEC_CP || vector == X86_VEC_VC || vector == X86_VEC_SX)
	pushq	$0
	.endif
	pushq	$vector
	jmp	trap_common
	vector = vector + 1
	.endr

/*
 * Saves every general register, calls x86_trap(frame), restores, irets.
 * The CPU aligned RSP to 16 bytes before pushing its 5-word frame
 * (SDM vol. 3, 6.14.2); with the error code, the vector and 15 registers
 * the call sees a 16-byte aligned stack, as the SysV ABI wants. Interrupt
 * gates clear IF, so nothing nests; -mno-red-zone keeps C code from
 * keeping data below RSP where this frame goes.
 */
trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, %rdi
	cld
	call	x86_trap
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp		/* vector, error code */
	iretq

	.data
	.balign	4
	.globl	x86_boot_ready
x86_boot_ready:
	.long	0

/* One stack per CPU, slot i for CPU i; see x86.h. */
	.section .stacks, "aw", @nobits
	.balign	16
	.globl	x86_stacks
x86_stacks:
	.space	X86_MAX_CPUS * X86_STACK_SIZE

	.section .note.GNU-stack, "", @progbits
