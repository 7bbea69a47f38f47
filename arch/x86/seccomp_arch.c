// SPDX-License-Identifier: MIT
/* x86_64's part of the seccomp allow-lists (vmm/seccomp.h). */
#include <linux/audit.h>
#include <linux/kvm.h>
#include <sys/syscall.h>
#include <ucontext.h>

#include "vmm/base/seccomp_arch.h"
#include "vmm/base/seccomp.h"

#define M SECCOMP_BIT(SECCOMP_MAIN)
#define V SECCOMP_BIT(SECCOMP_VCPU)
#define N SECCOMP_BIT(SECCOMP_NET)
#define U SECCOMP_BIT(SECCOMP_VHOST_USER)
#define I SECCOMP_BIT(SECCOMP_BENCH_IO)
#define VB SECCOMP_BIT(SECCOMP_VCPU_BENCH)

#define SYS(kinds, call)                                      \
	{                                                     \
		(kinds), SYS_##call, #call, SECCOMP_ANY, 0, 0 \
	}
#define IOCTL(kinds, req)                                                    \
	{                                                                    \
		(kinds), SYS_ioctl, #req, SECCOMP_ARG_EQ, 1, (uint32_t)(req) \
	}

/*
 * glibc on x86_64 calls poll and epoll_wait where the common lists have
 * ppoll and epoll_pwait (arm64 has only those). The ioctls are those
 * the arch hooks issue after set-up.
 */
static const struct seccomp_rule x86_rules[] = {
	SYS(M | N, epoll_wait),
	SYS(U | I, poll),
	IOCTL(V | M, KVM_IRQ_LINE), /* arch_irq_set() */
	IOCTL(V, KVM_GET_REGS),	    /* arch_vcpu_pc(), for messages */
	/* arch_peer_vcpu_init(), from the vCPU that starts the peer */
	IOCTL(VB, KVM_GET_SREGS),
	IOCTL(VB, KVM_SET_SREGS),
	IOCTL(VB, KVM_SET_REGS),
	IOCTL(VB, KVM_SET_DEVICE_ATTR),
};

uint32_t arch_seccomp_audit_arch(void)
{
	return AUDIT_ARCH_X86_64;
}

const struct seccomp_rule *arch_seccomp_rules(size_t *nr)
{
	*nr = sizeof(x86_rules) / sizeof(x86_rules[0]);
	return x86_rules;
}

/* The syscall ABI's argument registers, in order. */
uint64_t arch_seccomp_sigsys_arg(const void *ucontext, unsigned int i)
{
	static const int regs[6] = { REG_RDI, REG_RSI, REG_RDX,
				     REG_R10, REG_R8,  REG_R9 };
	const ucontext_t *uc = ucontext;

	return i < 6 ? (uint64_t)uc->uc_mcontext.gregs[regs[i]] : 0;
}
