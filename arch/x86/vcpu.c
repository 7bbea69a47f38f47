// SPDX-License-Identifier: MIT
/*
 * x86 vCPUs: CPUID, the MSRs and FPU state Linux expects from firmware,
 * the local APIC's LINT pins, 64-bit entry state, and the exits KVM hands
 * to userspace that common code does not know.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/machine/arch.h"
#include "arch/x86/long_mode.h"
#include "vmm/machine/vm.h"
#include "arch/x86/x86.h"

#define CPUID_FIRST_TRY 128
#define CPUID_MAX_ENTRIES 4096

/* MSRs (SDM Vol. 4; AMD APM Vol. 2 for the SYSCALL ones). */
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_MTRR_DEF_TYPE 0x2ff
#define MSR_STAR 0xc0000081
#define MSR_LSTAR 0xc0000082
#define MSR_CSTAR 0xc0000083
#define MSR_SYSCALL_MASK 0xc0000084
#define MSR_KERNEL_GS_BASE 0xc0000102

#define MISC_ENABLE_FAST_STRING (1ULL << 0)
#define MTRR_ENABLE (1ULL << 11)
#define MTRR_TYPE_WRITE_BACK 6

/* FPU reset state: all exceptions masked (x87 FCW, SSE MXCSR). */
#define FPU_FCW_DEFAULT 0x37f
#define FPU_MXCSR_DEFAULT 0x1f80

/* Local APIC (SDM Vol. 3A 11.5.1): LVT LINT0/LINT1 and delivery modes. */
#define APIC_LVT_LINT0 0x350
#define APIC_LVT_LINT1 0x360
#define APIC_LVT_DELIVERY_MASK (7U << 8)
#define APIC_DELIVERY_NMI (4U << 8)
#define APIC_DELIVERY_EXTINT (7U << 8)

#define X86_CR0_PE (1ULL << 0)
#define X86_CR0_ET (1ULL << 4)
#define X86_CR0_NE (1ULL << 5)
#define X86_CR0_PG (1ULL << 31)
#define X86_CR4_PAE (1ULL << 5)
#define X86_EFER_LME (1ULL << 8)
#define X86_EFER_LMA (1ULL << 10)
#define X86_RFLAGS_RESERVED (1ULL << 1) /* always 1 */

int x86_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **cpuid,
			unsigned int *max)
{
	for (unsigned int n = CPUID_FIRST_TRY; n <= CPUID_MAX_ENTRIES; n *= 2) {
		unsigned int room = n + X86_CPUID_EXTRA_ENTRIES;
		struct kvm_cpuid2 *c =
			calloc(1, sizeof(*c) + room * sizeof(c->entries[0]));

		if (!c)
			return -ENOMEM;
		c->nent = n;
		if (!ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c)) {
			*cpuid = c;
			*max = room;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return -errno;
	}
	return -E2BIG;
}

int x86_vcpu_fd_set_cpuid(int vcpu_fd, const struct kvm_cpuid2 *supported,
			  unsigned int max, const struct x86_cpuid_vcpu *v)
{
	size_t size = sizeof(*supported) + max * sizeof(supported->entries[0]);
	struct kvm_cpuid2 *c = malloc(size);
	int ret;

	if (!c)
		return -ENOMEM;
	memcpy(c, supported, size);
	ret = x86_cpuid_fixup(c, max, v);
	if (!ret && ioctl(vcpu_fd, KVM_SET_CPUID2, c))
		ret = -errno;
	free(c);
	return ret;
}

/* What firmware leaves behind and Linux relies on (or is better off with). */
static int vcpu_set_msrs(struct vcpu *vcpu)
{
	static const struct {
		uint32_t index;
		uint64_t data;
	} boot_msrs[] = {
		{ MSR_IA32_SYSENTER_CS, 0 },
		{ MSR_IA32_SYSENTER_ESP, 0 },
		{ MSR_IA32_SYSENTER_EIP, 0 },
		{ MSR_STAR, 0 },
		{ MSR_CSTAR, 0 },
		{ MSR_KERNEL_GS_BASE, 0 },
		{ MSR_SYSCALL_MASK, 0 },
		{ MSR_LSTAR, 0 },
		/* rep movs/stos in fast-string mode, as a BIOS enables it */
		{ MSR_IA32_MISC_ENABLE, MISC_ENABLE_FAST_STRING },
		/* MTRRs on, all RAM write-back: Linux keeps PAT consistent */
		{ MSR_MTRR_DEF_TYPE, MTRR_ENABLE | MTRR_TYPE_WRITE_BACK },
	};
	const unsigned int n = sizeof(boot_msrs) / sizeof(boot_msrs[0]);
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry
			entries[sizeof(boot_msrs) / sizeof(boot_msrs[0])];
	} msrs;
	int ret;

	memset(&msrs, 0, sizeof(msrs));
	msrs.hdr.nmsrs = n;
	for (unsigned int i = 0; i < n; i++) {
		msrs.entries[i].index = boot_msrs[i].index;
		msrs.entries[i].data = boot_msrs[i].data;
	}
	ret = ioctl(vcpu->fd, KVM_SET_MSRS, &msrs);
	if (ret < 0) {
		tv_errno(errno, "KVM_SET_MSRS on vCPU %u", vcpu->id);
		return -errno;
	}
	/* KVM stops at the first MSR it refuses: name it. */
	if ((unsigned int)ret < n) {
		tv_err("KVM_SET_MSRS on vCPU %u: KVM refused MSR 0x%x",
		       vcpu->id, boot_msrs[ret].index);
		return -EINVAL;
	}
	return 0;
}

static int vcpu_set_fpu(struct vcpu *vcpu)
{
	struct kvm_fpu fpu;

	memset(&fpu, 0, sizeof(fpu));
	fpu.fcw = FPU_FCW_DEFAULT;
	fpu.mxcsr = FPU_MXCSR_DEFAULT;
	if (ioctl(vcpu->fd, KVM_SET_FPU, &fpu)) {
		tv_errno(errno, "KVM_SET_FPU on vCPU %u", vcpu->id);
		return -errno;
	}
	return 0;
}

static void lvt_set_delivery(struct kvm_lapic_state *lapic, unsigned int reg,
			     uint32_t mode)
{
	uint32_t v;

	memcpy(&v, &lapic->regs[reg], sizeof(v));
	v = (v & ~APIC_LVT_DELIVERY_MASK) | mode;
	memcpy(&lapic->regs[reg], &v, sizeof(v));
}

/* A PC wires the PIC's output to LINT0 and NMI to LINT1 (MP spec 5.1). */
static int vcpu_set_lapic_lints(struct vcpu *vcpu)
{
	struct kvm_lapic_state lapic;

	if (ioctl(vcpu->fd, KVM_GET_LAPIC, &lapic)) {
		tv_errno(errno, "KVM_GET_LAPIC on vCPU %u", vcpu->id);
		return -errno;
	}
	lvt_set_delivery(&lapic, APIC_LVT_LINT0, APIC_DELIVERY_EXTINT);
	lvt_set_delivery(&lapic, APIC_LVT_LINT1, APIC_DELIVERY_NMI);
	if (ioctl(vcpu->fd, KVM_SET_LAPIC, &lapic)) {
		tv_errno(errno, "KVM_SET_LAPIC on vCPU %u", vcpu->id);
		return -errno;
	}
	return 0;
}

int x86_vcpu_fd_set_tsc_offset(int vcpu_fd, uint64_t offset)
{
	struct kvm_device_attr attr = {
		.group = KVM_VCPU_TSC_CTRL,
		.attr = KVM_VCPU_TSC_OFFSET,
		.addr = (uint64_t)(uintptr_t)&offset,
	};

	return ioctl(vcpu_fd, KVM_SET_DEVICE_ATTR, &attr) ? -errno : 0;
}

/*
 * The guest's TSC is the host's where a device compares the two (the
 * bench device; see x86_vcpu_fd_set_tsc_offset()).
 */
static int vcpu_bench_clock(struct vcpu *vcpu)
{
	int ret;

	if (!vm_guest_clock_is_host(vcpu->vm))
		return 0;
	ret = x86_vcpu_fd_set_tsc_offset(vcpu->fd, 0);
	if (ret)
		tv_errno(ret,
			 "setting vCPU %u's TSC offset to 0 for --bench "
			 "(KVM_VCPU_TSC_OFFSET, Linux 5.16 or later)",
			 vcpu->id);
	return ret;
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	const struct x86_cpuid_vcpu v = {
		.apic_id = vcpu->id, /* KVM's initial APIC id is the vCPU id */
		.nr_cpus = vm->cfg->nr_cpus,
		.tsc_deadline = vm->arch.tsc_deadline,
	};
	int ret = x86_vcpu_fd_set_cpuid(vcpu->fd, vm->arch.cpuid,
					vm->arch.cpuid_max, &v);

	if (ret) {
		tv_errno(ret, "KVM_SET_CPUID2 on vCPU %u", vcpu->id);
		return ret;
	}
	ret = vcpu_set_msrs(vcpu);
	if (!ret)
		ret = vcpu_set_fpu(vcpu);
	if (!ret)
		ret = vcpu_set_lapic_lints(vcpu);
	if (!ret)
		ret = vcpu_bench_clock(vcpu);
	return ret;
}

static void segment_from_gdt(struct kvm_segment *kseg, enum x86_gdt_index i)
{
	uint64_t gdt[X86_GDT_ENTRIES];
	struct x86_segment seg;

	x86_gdt_build(gdt);
	x86_segment_decode(gdt[i], &seg);
	*kseg = (struct kvm_segment){
		.base = seg.base,
		.limit = seg.limit,
		.selector = X86_GDT_SELECTOR(i),
		.type = seg.type,
		.present = seg.present,
		.dpl = seg.dpl,
		.db = seg.db,
		.s = seg.s,
		.l = seg.l,
		.g = seg.g,
		.avl = seg.avl,
	};
}

static void sregs_long_mode(struct kvm_sregs *sregs,
			    const struct x86_long_mode_entry *e)
{
	struct kvm_segment data;

	segment_from_gdt(&sregs->cs, X86_GDT_CODE64);
	segment_from_gdt(&data, X86_GDT_DATA);
	sregs->ds = sregs->es = sregs->fs = sregs->gs = sregs->ss = data;
	segment_from_gdt(&sregs->tr, X86_GDT_TSS);
	sregs->gdt.base = e->gdt_base;
	sregs->gdt.limit = X86_GDT_ENTRIES * 8 - 1;
	sregs->idt.base = 0;
	sregs->idt.limit =
		0; /* interrupts stay off until the guest sets its own */
	sregs->cr0 = X86_CR0_PE | X86_CR0_ET | X86_CR0_NE | X86_CR0_PG;
	sregs->cr3 = e->cr3;
	sregs->cr4 = X86_CR4_PAE;
	sregs->efer = X86_EFER_LME | X86_EFER_LMA;
}

int x86_vcpu_fd_enter_long_mode(int vcpu_fd,
				const struct x86_long_mode_entry *e)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs))
		return -errno;
	sregs_long_mode(&sregs, e);
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs))
		return -errno;
	memset(&regs, 0, sizeof(regs));
	regs.rflags = X86_RFLAGS_RESERVED;
	regs.rip = e->rip;
	regs.rsp = e->rsp;
	regs.rdi = e->rdi;
	regs.rsi = e->rsi;
	return ioctl(vcpu_fd, KVM_SET_REGS, &regs) ? -errno : 0;
}

int x86_vcpu_start_at(struct vcpu *vcpu, const struct x86_long_mode_entry *e)
{
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_RUNNABLE };
	int ret = x86_vcpu_fd_enter_long_mode(vcpu->fd, e);

	if (ret) {
		tv_errno(ret, "setting the 64-bit entry state of vCPU %u",
			 vcpu->id);
		return ret;
	}
	/* Secondaries would otherwise wait for INIT/SIPI. */
	if (ioctl(vcpu->fd, KVM_SET_MP_STATE, &mp)) {
		tv_errno(errno, "KVM_SET_MP_STATE (runnable) on vCPU %u",
			 vcpu->id);
		return -errno;
	}
	return 0;
}

uint64_t arch_vcpu_pc(struct vcpu *vcpu)
{
	struct kvm_regs regs;

	if (vcpu->fd < 0 || ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		return 0;
	return regs.rip;
}

/*
 * A triple fault: on a PC the chipset resets the machine. Linux takes
 * this way on reboot when every other method failed.
 */
static void vcpu_handle_shutdown(struct vcpu *vcpu)
{
	tv_err("vCPU %u: triple fault (KVM_EXIT_SHUTDOWN) at rip 0x%" PRIx64
	       "; stopping as a reset",
	       vcpu->id, arch_vcpu_pc(vcpu));
	vm_request_stop(vcpu->vm, TINYVMM_EXIT_RESET);
}

int arch_vcpu_handle_exit(struct vcpu *vcpu)
{
	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_SHUTDOWN:
		vcpu_handle_shutdown(vcpu);
		return 0;
	case KVM_EXIT_HLT:
		/* The in-kernel local APIC handles HLT; should KVM ever pass
		 * one on, running again waits in the kernel anyway. */
		return 0;
	default:
		return -ENOSYS;
	}
}
