/* SPDX-License-Identifier: MIT */
/*
 * Turning KVM_GET_SUPPORTED_CPUID's answer into one vCPU's CPUID: its
 * APIC id in every leaf that carries one, and a topology of nr_cpus
 * single-threaded cores in one package. No ioctls; it uses x86's KVM
 * UAPI structures, so it is built (and unit-tested) on x86 hosts only.
 */
#ifndef TINYVMM_ARCH_X86_CPUID_H
#define TINYVMM_ARCH_X86_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

/* Entries x86_cpuid_fixup() may add: three subleaves of 0xb and of 0x1f. */
#define X86_CPUID_EXTRA_ENTRIES 6

#define X86_CPUID_HYPERVISOR_BIT (1U << 31)   /* leaf 1 ECX */
#define X86_CPUID_TSC_DEADLINE_BIT (1U << 24) /* leaf 1 ECX */

struct x86_cpuid_vcpu {
	unsigned int apic_id;
	unsigned int nr_cpus;
	bool tsc_deadline; /* KVM_CAP_TSC_DEADLINE_TIMER: advertise it */
};

/*
 * Rewrites @cpuid (which has room for @max_entries) for vCPU @v:
 * leaf 1 (initial APIC id, logical count, hypervisor bit, TSC deadline),
 * leaf 4 (cores per package), leaves 0xb/0x1f when present (x2APIC id,
 * SMT and core levels, rebuilt as subleaves 0..2), 0x8000_0008 (AMD core
 * count and APIC id size), 0x8000_001e (AMD extended APIC id). KVM's own
 * leaves (0x4000_0000...) are kept as they are. Returns 0, or -E2BIG when
 * the rebuilt leaves do not fit in @max_entries.
 */
int x86_cpuid_fixup(struct kvm_cpuid2 *cpuid, unsigned int max_entries,
		    const struct x86_cpuid_vcpu *v);

/* The entry for @function/@index, or NULL. */
struct kvm_cpuid_entry2 *x86_cpuid_find(struct kvm_cpuid2 *cpuid,
					uint32_t function, uint32_t index);

#endif
