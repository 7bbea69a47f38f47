// SPDX-License-Identifier: MIT
/* arm64's part of the seccomp allow-lists (vmm/seccomp.h). */
#include <linux/audit.h>
#include <linux/kvm.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "vmm/base/seccomp_arch.h"
#include "vmm/base/seccomp.h"

#define M SECCOMP_BIT(SECCOMP_MAIN)
#define V SECCOMP_BIT(SECCOMP_VCPU)
#define VB SECCOMP_BIT(SECCOMP_VCPU_BENCH)

#define IOCTL(kinds, req)                                                    \
	{                                                                    \
		(kinds), SYS_ioctl, #req, SECCOMP_ARG_EQ, 1, (uint32_t)(req) \
	}

/* arm64 has only the syscalls the common lists name: ioctls only. */
static const struct seccomp_rule arm64_rules[] = {
	IOCTL(V | M, KVM_IRQ_LINE), /* arch_irq_set(): the UART's SPI */
	IOCTL(V, KVM_GET_ONE_REG),  /* arch_vcpu_pc(), for messages */
	/* arch_peer_vcpu_init(), from the vCPU that starts the peer */
	IOCTL(VB, KVM_ARM_PREFERRED_TARGET),
	IOCTL(VB, KVM_ARM_VCPU_INIT),
	IOCTL(VB, KVM_SET_ONE_REG),
};

uint32_t arch_seccomp_audit_arch(void)
{
	return AUDIT_ARCH_AARCH64;
}

const struct seccomp_rule *arch_seccomp_rules(size_t *nr)
{
	*nr = sizeof(arm64_rules) / sizeof(arm64_rules[0]);
	return arm64_rules;
}

uint64_t arch_seccomp_sigsys_arg(const void *ucontext, unsigned int i)
{
	const ucontext_t *uc = ucontext;

	return i < 6 ? uc->uc_mcontext.regs[i] : 0;
}
