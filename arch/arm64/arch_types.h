/* SPDX-License-Identifier: MIT */
/* Per-VM and per-vCPU state owned by arch/arm64. */
#ifndef TINYVMM_ARCH_ARM64_ARCH_TYPES_H
#define TINYVMM_ARCH_ARM64_ARCH_TYPES_H

#include <stddef.h>
#include <stdint.h>

struct arch_vm {
	int gic_fd;	 /* the vGIC KVM device, valid when gic_version != 0 */
	int gic_version; /* 3, or 2 where the host has no vGICv3; 0: none yet */
	int its_fd;	 /* the GICv3 ITS KVM device, or -1: none (--no-its) */
	int has_pmu;	 /* vCPUs have a PMUv3 (KVM_ARM_VCPU_PMU_V3) */
	void *dtb;	 /* the device tree handed to the guest */
	size_t dtb_size;
};

struct arch_vcpu {
	uint64_t mpidr; /* MPIDR_EL1 as KVM set it: the device tree's cpu reg */
};

#endif
