// SPDX-License-Identifier: MIT
/*
 * The per-vCPU CPUID fix-ups. References: SDM Vol. 2A "CPUID" (leaves 1,
 * 4, 0xb, 0x1f), AMD APM Vol. 3 appendix E (0x8000_0008, 0x8000_001e),
 * Linux's Documentation/virt/kvm/api.rst (KVM_GET_SUPPORTED_CPUID).
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/cpuid.h"

#define LEAF1_EBX_APIC_ID_SHIFT 24
#define LEAF1_EBX_COUNT_SHIFT 16
#define LEAF1_EDX_HTT (1U << 28)
#define LEAF4_EAX_CORES_SHIFT 26
#define LEAF4_EAX_SHARING_SHIFT 14
#define LEAF4_EAX_SHARING_MASK (0xfffU << LEAF4_EAX_SHARING_SHIFT)
#define LEAF4_EAX_LEVEL(eax) (((eax) >> 5) & 7)
#define TOPO_LEVEL_SMT 1
#define TOPO_LEVEL_CORE 2
#define AMD_8_ECX_NC_MASK 0xffU
#define AMD_8_ECX_APIC_SIZE_SHIFT 12
#define AMD_8_ECX_APIC_SIZE_MASK (0xfU << AMD_8_ECX_APIC_SIZE_SHIFT)

/* Bits needed to number @n things: 1 -> 0, 2 -> 1, 3..4 -> 2, ... */
static unsigned int order_bits(unsigned int n)
{
	unsigned int bits = 0;

	while ((1U << bits) < n)
		bits++;
	return bits;
}

struct kvm_cpuid_entry2 *x86_cpuid_find(struct kvm_cpuid2 *cpuid,
					uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];
		bool indexed = e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;

		if (e->function == function && (!indexed || e->index == index))
			return e;
	}
	return NULL;
}

static void fix_leaf1(struct kvm_cpuid_entry2 *e,
		      const struct x86_cpuid_vcpu *v)
{
	unsigned int count = 1U << order_bits(v->nr_cpus);

	if (count > 0xff)
		count = 0xff;
	e->ebx &= 0xffff; /* brand index and CLFLUSH size stay */
	e->ebx |= (v->apic_id & 0xffU) << LEAF1_EBX_APIC_ID_SHIFT;
	e->ebx |= count << LEAF1_EBX_COUNT_SHIFT;
	e->edx |= LEAF1_EDX_HTT; /* makes the count above valid */
	e->ecx |= X86_CPUID_HYPERVISOR_BIT;
	if (v->tsc_deadline)
		e->ecx |= X86_CPUID_TSC_DEADLINE_BIT;
}

/* Intel's deterministic cache parameters: caches per core, cores per package. */
static void fix_leaf4(struct kvm_cpuid_entry2 *e,
		      const struct x86_cpuid_vcpu *v)
{
	uint32_t cores = (1U << order_bits(v->nr_cpus)) - 1;

	if ((e->eax & 0x1f) == 0)
		return; /* type 0: no more caches */
	if (cores > 63)
		cores = 63;
	e->eax &= ~(0x3fU << LEAF4_EAX_CORES_SHIFT) & ~LEAF4_EAX_SHARING_MASK;
	e->eax |= cores << LEAF4_EAX_CORES_SHIFT;
	/* L3 and beyond are shared by the package; L1 and L2 by one core. */
	if (LEAF4_EAX_LEVEL(e->eax) >= 3)
		e->eax |= (cores << LEAF4_EAX_SHARING_SHIFT) &
			  LEAF4_EAX_SHARING_MASK;
}

/* Drops every subleaf of @function; returns whether there was one. */
static bool remove_leaf(struct kvm_cpuid2 *cpuid, uint32_t function)
{
	uint32_t out = 0;
	bool found = false;

	for (uint32_t i = 0; i < cpuid->nent; i++) {
		if (cpuid->entries[i].function == function) {
			found = true;
			continue;
		}
		cpuid->entries[out++] = cpuid->entries[i];
	}
	cpuid->nent = out;
	return found;
}

/*
 * Extended topology (0xb, and 0x1f where KVM offers it): subleaf 0 the
 * SMT level (one thread per core), 1 the core level (nr_cpus cores),
 * 2 the invalid level that ends the list; EDX the x2APIC id in each.
 */
static int rebuild_topology_leaf(struct kvm_cpuid2 *cpuid,
				 unsigned int max_entries, uint32_t function,
				 const struct x86_cpuid_vcpu *v)
{
	const uint32_t level_type[3] = { TOPO_LEVEL_SMT, TOPO_LEVEL_CORE, 0 };

	if (!remove_leaf(cpuid, function))
		return 0;
	if (cpuid->nent + 3 > max_entries)
		return -E2BIG;
	for (uint32_t i = 0; i < 3; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[cpuid->nent++];

		memset(e, 0, sizeof(*e));
		e->function = function;
		e->index = i;
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		e->eax = i == 1 ? order_bits(v->nr_cpus) : 0;
		e->ebx = i == 0 ? 1 : i == 1 ? v->nr_cpus : 0;
		e->ecx = level_type[i] << 8 | i;
		e->edx = v->apic_id;
	}
	return 0;
}

/* AMD: cores in the package, and how many APIC id bits number them. */
static void fix_amd_leaf8(struct kvm_cpuid_entry2 *e,
			  const struct x86_cpuid_vcpu *v)
{
	uint32_t nc = v->nr_cpus - 1;

	if (nc > 0xff)
		nc = 0xff;
	e->ecx &= ~(AMD_8_ECX_NC_MASK | AMD_8_ECX_APIC_SIZE_MASK);
	e->ecx |= nc | order_bits(v->nr_cpus) << AMD_8_ECX_APIC_SIZE_SHIFT;
}

/* AMD TOPOEXT: extended APIC id, one thread per core, core id, node 0. */
static void fix_amd_leaf1e(struct kvm_cpuid_entry2 *e,
			   const struct x86_cpuid_vcpu *v)
{
	e->eax = v->apic_id;
	e->ebx = v->apic_id & 0xff;
	e->ecx = 0;
	e->edx = 0;
}

int x86_cpuid_fixup(struct kvm_cpuid2 *cpuid, unsigned int max_entries,
		    const struct x86_cpuid_vcpu *v)
{
	int ret;

	if (cpuid->nent > max_entries || v->nr_cpus == 0)
		return -EINVAL;
	for (uint32_t i = 0; i < cpuid->nent; i++) {
		struct kvm_cpuid_entry2 *e = &cpuid->entries[i];

		switch (e->function) {
		case 1:
			fix_leaf1(e, v);
			break;
		case 4:
			fix_leaf4(e, v);
			break;
		case 0x80000008:
			fix_amd_leaf8(e, v);
			break;
		case 0x8000001e:
			fix_amd_leaf1e(e, v);
			break;
		default:
			break;
		}
	}
	ret = rebuild_topology_leaf(cpuid, max_entries, 0xb, v);
	if (!ret)
		ret = rebuild_topology_leaf(cpuid, max_entries, 0x1f, v);
	return ret;
}
