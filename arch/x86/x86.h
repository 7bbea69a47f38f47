/* SPDX-License-Identifier: MIT */
/*
 * What arch/x86's files offer each other (and the peer VM of
 * bench_peer.h): vCPU register set-up, the irqchip, the port devices.
 * Every function returns 0 or -errno; those taking a struct vm print one
 * line when they fail, the fd-level ones print nothing.
 */
#ifndef TINYVMM_ARCH_X86_X86_H
#define TINYVMM_ARCH_X86_X86_H

#include <stdint.h>

#include "arch/x86/cpuid.h"
#include "vmm/base/log.h"

struct vm;
struct vcpu;

/* A vCPU's state at entry in 64-bit mode (long_mode.h's GDT and tables). */
struct x86_long_mode_entry {
	uint64_t gdt_base; /* X86_GDT_ENTRIES descriptors from x86_gdt_build() */
	uint64_t cr3;	   /* x86_page_tables_build()'s PML4 */
	uint64_t rip, rsp, rdi, rsi;
};

/*
 * Sets segment, control and general registers of vCPU @vcpu_fd for @e:
 * CS 64-bit code, data segments flat, CR0 PE|ET|NE|PG, CR4 PAE,
 * EFER LME|LMA, RFLAGS 0x2 (interrupts off). The vCPU's CPUID must
 * already offer long mode (x86_vcpu_fd_set_cpuid()).
 */
TV_MUST_CHECK int
x86_vcpu_fd_enter_long_mode(int vcpu_fd, const struct x86_long_mode_entry *e);

/*
 * KVM_GET_SUPPORTED_CPUID on @kvm_fd into a new allocation with room for
 * X86_CPUID_EXTRA_ENTRIES more (*@max entries in all); free() it.
 */
TV_MUST_CHECK int x86_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **cpuid,
				      unsigned int *max);

/* A copy of @supported fixed up for @v (x86_cpuid_fixup()), KVM_SET_CPUID2. */
TV_MUST_CHECK int x86_vcpu_fd_set_cpuid(int vcpu_fd,
					const struct kvm_cpuid2 *supported,
					unsigned int max,
					const struct x86_cpuid_vcpu *v);

/*
 * Guest TSC = host TSC + @offset (KVM_VCPU_TSC_CTRL, Linux 5.16). With 0,
 * the guest's RDTSC and tinyvmm's are one clock: --bench's io_out, io_in
 * and vm_switch subtract one from the other.
 */
TV_MUST_CHECK int x86_vcpu_fd_set_tsc_offset(int vcpu_fd, uint64_t offset);

/* Starts vCPU @vcpu at @e now (KVM_MP_STATE_RUNNABLE), not on INIT/SIPI. */
TV_MUST_CHECK int x86_vcpu_start_at(struct vcpu *vcpu,
				    const struct x86_long_mode_entry *e);

/* The in-kernel PIC, IOAPIC, local APICs and PIT; KVM's private pages. */
TV_MUST_CHECK int x86_irqchip_create(struct vm *vm);

/*
 * The small port devices on vm->pio: ACPI PM1a event/control (S5 ->
 * poweroff), the reset register and PCI configuration ports, the i8042's
 * reset line, and quiet stand-ins for what Linux probes at boot.
 */
TV_MUST_CHECK int x86_pio_create(struct vm *vm);

#endif
