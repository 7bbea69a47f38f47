// SPDX-License-Identifier: MIT
/*
 * vm_switch's peer VM on x86_64: its code (peer_code.S) and its one vCPU,
 * which runs that code in 32-bit protected mode without paging. No
 * CPUID, irqchip or MSRs: the peer only spins, loads, stores and reads
 * the TSC.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/bench/bench_arch.h"
#include "arch/x86/x86.h"

#define X86_CR0_PE (1ULL << 0)
#define X86_CR0_ET (1ULL << 4)
#define X86_RFLAGS_FIXED 0x2ULL /* bit 1 is always set */

/* Segment selectors of a GDT the peer never loads (the caches are set). */
#define PEER_SEL_CODE 0x08
#define PEER_SEL_DATA 0x10
#define PEER_SEL_TSS 0x18

/* Segment types (SDM vol. 3, 3.4.5.1 and table 3-2). */
#define SEG_TYPE_DATA_RW_ACCESSED 0x3
#define SEG_TYPE_CODE_RX_ACCESSED 0xb
#define SEG_TYPE_TSS32_BUSY 0xb
#define SEG_TYPE_LDT 0x2

/* peer_code.S */
extern const char x86_peer_code_start[], x86_peer_code_end[];

int arch_peer_code(const void **code, size_t *len)
{
	*code = x86_peer_code_start;
	*len = (size_t)(x86_peer_code_end - x86_peer_code_start);
	return 0;
}

/* A flat 4 GiB, 32-bit, ring 0 code or data segment. */
static struct kvm_segment peer_flat_segment(uint16_t selector, uint8_t type)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.dpl = 0,
		.db = 1,
		.s = 1,
		.g = 1,
	};
}

/*
 * Protected mode, paging off: CR0.PE (and ET, hardwired), flat segments
 * in the descriptor caches, a busy 32-bit TSS and no LDT (what VMX's
 * guest-state checks want; SVM checks less).
 */
static int peer_set_sregs(int vcpu_fd)
{
	struct kvm_sregs s;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &s))
		return -errno;
	s.cs = peer_flat_segment(PEER_SEL_CODE, SEG_TYPE_CODE_RX_ACCESSED);
	s.ds = peer_flat_segment(PEER_SEL_DATA, SEG_TYPE_DATA_RW_ACCESSED);
	s.es = s.ds;
	s.fs = s.ds;
	s.gs = s.ds;
	s.ss = s.ds;
	s.tr = (struct kvm_segment){
		.selector = PEER_SEL_TSS,
		.limit = 0x67,
		.type = SEG_TYPE_TSS32_BUSY,
		.present = 1,
	};
	s.ldt = (struct kvm_segment){
		.type = SEG_TYPE_LDT,
		.unusable = 1,
	};
	s.cr0 = X86_CR0_PE | X86_CR0_ET;
	s.cr3 = 0;
	s.cr4 = 0;
	s.efer = 0;
	return ioctl(vcpu_fd, KVM_SET_SREGS, &s) ? -errno : 0;
}

static int peer_set_regs(int vcpu_fd, uint64_t entry, uint64_t arg)
{
	struct kvm_regs r;

	memset(&r, 0, sizeof(r));
	r.rip = entry;
	r.rdi = arg;
	r.rflags = X86_RFLAGS_FIXED; /* interrupts off */
	return ioctl(vcpu_fd, KVM_SET_REGS, &r) ? -errno : 0;
}

/* Entry @entry, the shared page @arg in EDI ("its first argument register"). */
int arch_peer_vcpu_init(int vm_fd, int vcpu_fd, uint64_t entry, uint64_t arg)
{
	int ret;

	(void)vm_fd;
	if (entry > UINT32_MAX || arg > UINT32_MAX) {
		tv_err("vm_switch peer: entry 0x%llx or page 0x%llx above 4 GiB,"
		       " out of reach of 32-bit code",
		       (unsigned long long)entry, (unsigned long long)arg);
		return -EINVAL;
	}
	ret = peer_set_sregs(vcpu_fd);
	if (ret) {
		tv_errno(
			ret,
			"setting the vm_switch peer's segment and control registers");
		return ret;
	}
	ret = peer_set_regs(vcpu_fd, entry, arg);
	if (ret) {
		tv_errno(ret, "setting the vm_switch peer's entry registers");
		return ret;
	}
	ret = x86_vcpu_fd_set_tsc_offset(vcpu_fd, 0);
	if (ret)
		tv_errno(ret, "setting the vm_switch peer's TSC offset to 0"
			      " (KVM_VCPU_TSC_OFFSET, Linux 5.16 or later)");
	return ret;
}
