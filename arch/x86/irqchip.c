// SPDX-License-Identifier: MIT
/*
 * KVM's in-kernel PC interrupt hardware: two 8259 PICs, the IOAPIC (24
 * pins, GSI n = pin n; GSIs 0-15 also reach the PICs), a local APIC per
 * vCPU, and the 8254 PIT. Interrupt lines are driven by GSI, with
 * KVM_IRQ_LINE or (from other threads) KVM_IRQFD under KVM's default
 * routing.
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include "vmm/base/kvm.h"
#include "vmm/machine/arch.h"
#include "arch/x86/x86_layout.h"
#include "vmm/machine/vm.h"
#include "arch/x86/x86.h"

/*
 * Real mode and vm86 under VMX need an identity-mapped page table and a
 * TSS of KVM's own somewhere in guest-physical space (api.rst,
 * KVM_SET_IDENTITY_MAP_ADDR, KVM_SET_TSS_ADDR); AMD ignores both. They
 * go below the top of the 32-bit space, which the e820 map reserves.
 */
static int irqchip_private_pages(struct vm *vm)
{
	uint64_t ident = X86_KVM_IDENTITY_MAP_ADDR;

	if (kvm_has_cap(vm->vm_fd, KVM_CAP_SET_IDENTITY_MAP_ADDR) &&
	    ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &ident)) {
		tv_errno(errno, "KVM_SET_IDENTITY_MAP_ADDR 0x%" PRIx64, ident);
		return -errno;
	}
	if (ioctl(vm->vm_fd, KVM_SET_TSS_ADDR,
		  (unsigned long)X86_KVM_TSS_ADDR)) {
		tv_errno(errno, "KVM_SET_TSS_ADDR 0x%llx", X86_KVM_TSS_ADDR);
		return -errno;
	}
	return 0;
}

int x86_irqchip_create(struct vm *vm)
{
	/*
	 * KVM_PIT_SPEAKER_DUMMY: KVM serves port 0x61 too, whose PIT
	 * channel 2 gate and output bits Linux's TSC calibration polls.
	 */
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	int ret = irqchip_private_pages(vm);

	if (ret)
		return ret;
	if (ioctl(vm->vm_fd, KVM_CREATE_IRQCHIP, 0)) {
		tv_errno(errno,
			 "KVM_CREATE_IRQCHIP (PIC, IOAPIC, local APICs)");
		return -errno;
	}
	vm->arch.irqchip = true;
	if (ioctl(vm->vm_fd, KVM_CREATE_PIT2, &pit)) {
		tv_errno(errno, "KVM_CREATE_PIT2");
		return -errno;
	}
	return 0;
}

int arch_irq_set(struct vm *vm, unsigned int irq, int level)
{
	struct kvm_irq_level line = { .irq = irq, .level = level };

	if (irq >= X86_NR_GSIS || !vm->arch.irqchip)
		return -EINVAL;
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) ? -errno : 0;
}

/* KVM's default x86 routing: irqfd gsi n drives IOAPIC pin n (and PIC n < 16). */
int arch_irqfd_gsi(unsigned int irq, uint32_t *gsi)
{
	if (irq >= X86_NR_GSIS)
		return -EINVAL;
	*gsi = irq;
	return 0;
}
