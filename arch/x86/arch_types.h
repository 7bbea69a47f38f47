/* SPDX-License-Identifier: MIT */
/* Per-VM and per-vCPU state owned by arch/x86. */
#ifndef TINYVMM_ARCH_X86_ARCH_TYPES_H
#define TINYVMM_ARCH_X86_ARCH_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kvm_cpuid2;
struct arch_vm {
	/* KVM_GET_SUPPORTED_CPUID, each vCPU's starting point (cpuid.h). */
	struct kvm_cpuid2 *cpuid;
	unsigned int cpuid_max; /* entries it has room for */
	bool tsc_deadline;	/* KVM_CAP_TSC_DEADLINE_TIMER */
	bool irqchip;		/* KVM_CREATE_IRQCHIP done */
	void *dtb;		/* a flat guest's device tree (bench_fdt.h) */
	size_t dtb_size;
	/* PM1a_EN, the ACPI event enable register (pio.c): Linux reads
	 * back what it enables (the global lock's GBL_EN). */
	_Atomic uint16_t pm1a_enable;
};

struct arch_vcpu {
	int unused;
};

#endif
