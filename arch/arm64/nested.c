// SPDX-License-Identifier: MIT
/* --nested on arm64: KVM's guest EL2, checked and asked for. */
#include <errno.h>

#include "arch/arm64/nested.h"
#include "vmm/base/kvm.h"
#include "vmm/machine/vm.h"

int arm64_nested_check(struct vm *vm)
{
	enum cpu_nested n = vm->cfg->nested;

	if (n == CPU_NESTED_OFF)
		return 0;
	if (!kvm_has_cap(vm->vm_fd, KVM_CAP_ARM_EL2)) {
		tv_err("--nested: this host's KVM lacks KVM_CAP_ARM_EL2 (a "
		       "guest EL2): boot the host with kvm-arm.mode=nested");
		return -ENOTSUP;
	}
	if (n == CPU_NESTED_NVHE &&
	    !kvm_has_cap(vm->vm_fd, KVM_CAP_ARM_EL2_E2H0)) {
		tv_err("--nested=nvhe: this host's KVM lacks "
		       "KVM_CAP_ARM_EL2_E2H0, so it cannot hide VHE from the "
		       "guest's EL2; use --nested=vhe");
		return -ENOTSUP;
	}
	tv_info("nested: %s: the vCPUs start at EL2 (KVM_ARM_VCPU_HAS_EL2%s)",
		cpu_nested_name(n),
		n == CPU_NESTED_NVHE
			? " + _E2H0: no VHE, the guest's KVM runs split"
			: "; the guest's KVM may use VHE");
	return 0;
}

uint32_t arm64_nested_vcpu_features(enum cpu_nested n)
{
	switch (n) {
	case CPU_NESTED_VHE:
		return 1U << KVM_ARM_VCPU_HAS_EL2;
	case CPU_NESTED_NVHE:
		/* E2H RES0: the guest hypervisor cannot turn VHE on. */
		return 1U << KVM_ARM_VCPU_HAS_EL2 |
		       1U << KVM_ARM_VCPU_HAS_EL2_E2H0;
	default:
		return 0;
	}
}
