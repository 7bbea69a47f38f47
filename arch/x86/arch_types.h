/* SPDX-License-Identifier: MIT */
/* Per-VM and per-vCPU state owned by arch/x86 (filled in by issue 5). */
#ifndef TINYVMM_ARCH_X86_ARCH_TYPES_H
#define TINYVMM_ARCH_X86_ARCH_TYPES_H

struct arch_vm {
	int unused;
};

struct arch_vcpu {
	int unused;
};

#endif
