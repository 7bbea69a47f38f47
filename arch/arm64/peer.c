// SPDX-License-Identifier: MIT
/* vm_switch's peer VM on arm64: its code and its one vCPU. */
#include <errno.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm/bench/bench_arch.h"
#include "arch/arm64/arm64.h"

/* peer_code.S */
extern const char arm64_peer_code_start[], arm64_peer_code_end[];

int arch_peer_code(const void **code, size_t *len)
{
	*code = arm64_peer_code_start;
	*len = (size_t)(arm64_peer_code_end - arm64_peer_code_start);
	return 0;
}

/* No PSCI, PMU or vGIC: the peer only spins, loads, stores. */
int arch_peer_vcpu_init(int vm_fd, int vcpu_fd, uint64_t entry, uint64_t arg)
{
	struct kvm_vcpu_init init;
	int ret;

	if (ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, &init) ||
	    ioctl(vcpu_fd, KVM_ARM_VCPU_INIT, &init)) {
		tv_errno(errno, "initialising the vm_switch peer's vCPU");
		return -errno;
	}
	ret = arm64_fd_set_entry(vcpu_fd, entry, arg);
	if (ret)
		tv_errno(ret, "setting the vm_switch peer's entry registers");
	return ret;
}
