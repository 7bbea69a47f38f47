/* SPDX-License-Identifier: MIT */
/*
 * A guest hypervisor (--nested): vCPUs with a virtual EL2, which KVM
 * offers when the host booted with kvm-arm.mode=nested (api.rst:
 * KVM_ARM_VCPU_HAS_EL2; KVM_CAP_ARM_EL2).
 */
#ifndef TINYVMM_ARCH_ARM64_NESTED_H
#define TINYVMM_ARCH_ARM64_NESTED_H

#include <stdint.h>

#include "vmm/base/cpu_features.h"
#include "vmm/base/log.h"

/*
 * Debian 12's linux-libc-dev (6.1) predates these; the numbers are the
 * kernel's UAPI ones (include/uapi/linux/kvm.h, arch/arm64/include/uapi/
 * asm/kvm.h), so newer headers agree with them.
 */
#ifndef KVM_CAP_ARM_EL2
#define KVM_CAP_ARM_EL2 240
#endif
#ifndef KVM_CAP_ARM_EL2_E2H0
#define KVM_CAP_ARM_EL2_E2H0 241
#endif
#ifndef KVM_ARM_VCPU_HAS_EL2
#define KVM_ARM_VCPU_HAS_EL2 7 /* the vCPU has EL2 */
#endif
#ifndef KVM_ARM_VCPU_HAS_EL2_E2H0
#define KVM_ARM_VCPU_HAS_EL2_E2H0 8 /* ... without VHE (E2H is RES0) */
#endif
#ifndef KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ
#define KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ 9 /* vGIC attr: the maintenance PPI */
#endif

struct vm;

/*
 * Whether the VM's KVM can give its vCPUs what --nested asks: EL2
 * (KVM_CAP_ARM_EL2) and, for nvhe, EL2 without VHE (KVM_CAP_ARM_EL2_E2H0).
 * Returns 0 (also when --nested is off), or -ENOTSUP after one line
 * saying what is missing and how to get it. Says the choice with -v.
 */
TV_MUST_CHECK int arm64_nested_check(struct vm *vm);

/* The KVM_ARM_VCPU_INIT feature bits for @n: none when off. */
uint32_t arm64_nested_vcpu_features(enum cpu_nested n);

#endif
