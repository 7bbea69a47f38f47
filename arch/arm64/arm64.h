/* SPDX-License-Identifier: MIT */
/* Internal interfaces between the files of arch/arm64. */
#ifndef TINYVMM_ARCH_ARM64_ARM64_H
#define TINYVMM_ARCH_ARM64_ARM64_H

#include <stdint.h>

#include "vmm/base/log.h"

struct vm;
struct vcpu;

/* KVM_SET_DEVICE_ATTR on a device or vCPU fd; 0 or -errno. */
TV_MUST_CHECK int arm64_set_attr(int fd, uint32_t group, uint64_t attr,
				 void *val);

/* gic.c: create the vGIC (v3, else v2) and map it; init after vCPUs. */
TV_MUST_CHECK int arm64_gic_create(struct vm *vm);
TV_MUST_CHECK int arm64_gic_finalize(struct vm *vm);
void arm64_gic_destroy(struct vm *vm);

/* vcpu.c: core register access through KVM_{GET,SET}_ONE_REG. */
TV_MUST_CHECK int arm64_reg_get(struct vcpu *vcpu, uint64_t id, uint64_t *val);
TV_MUST_CHECK int arm64_reg_set(struct vcpu *vcpu, uint64_t id, uint64_t val);
/* Entry registers of any vCPU fd (booting.rst state, EL1h); 0 or -errno,
 * silent. */
TV_MUST_CHECK int arm64_fd_set_entry(int vcpu_fd, uint64_t entry, uint64_t x0);
/* Gives @vcpu's PMU its overflow PPI and initialises it (vGIC must be up). */
TV_MUST_CHECK int arm64_vcpu_pmu_init(struct vcpu *vcpu);
/* Points @vcpu at @entry with x0 = @x0 and x1..x3 = 0 (booting.rst), at
 * EL1h, or at EL2h for a guest hypervisor (--nested). */
TV_MUST_CHECK int arm64_vcpu_set_entry(struct vcpu *vcpu, uint64_t entry,
				       uint64_t x0);

#endif
