// SPDX-License-Identifier: MIT
/*
 * The per-vCPU CPUID fix-ups, on a made-up KVM_GET_SUPPORTED_CPUID answer
 * shaped like an AMD host's (and Intel's leaf 4 and 0xb).
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/cpuid.h"
#include "tests/unit/unit.h"

#define ROOM 32

static struct kvm_cpuid2 *fake_supported(void)
{
	static const struct kvm_cpuid_entry2 entries[] = {
		{ .function = 0, .eax = 0x1f },
		/* APIC id 7 and count 2 from the host, CLFLUSH 8, brand 3 */
		{ .function = 1,
		  .eax = 0xa00f11,
		  .ebx = 0x07020803,
		  .ecx = 0x76fa3203,
		  .edx = 0x078bfbff },
		{ .function = 4,
		  .index = 0,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x3c000121 }, /* L1d */
		{ .function = 4,
		  .index = 1,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0x3c07c163 }, /* L3, shared by 32 */
		{ .function = 4,
		  .index = 2,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 0 }, /* the end */
		{ .function = 0xb,
		  .index = 0,
		  .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 1,
		  .ebx = 2,
		  .ecx = 0x100,
		  .edx = 9 },
		{ .function = 0x40000000,
		  .eax = 0x40000001,
		  .ebx = 0x4b4d564b,
		  .ecx = 0x564b4d56,
		  .edx = 0x4d },
		{ .function = 0x40000001, .eax = 0x01007afb },
		{ .function = 0x80000000, .eax = 0x80000021 },
		{ .function = 0x80000008, .eax = 0x3030, .ecx = 0x0000700f },
		{ .function = 0x8000001e, .eax = 5, .ebx = 0x105, .ecx = 0x300 },
	};
	struct kvm_cpuid2 *c =
		calloc(1, sizeof(*c) + ROOM * sizeof(c->entries[0]));

	ck_assert_ptr_nonnull(c);
	c->nent = sizeof(entries) / sizeof(entries[0]);
	memcpy(c->entries, entries, sizeof(entries));
	return c;
}

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid2 *c, uint32_t fn,
				     uint32_t idx)
{
	struct kvm_cpuid_entry2 *e = x86_cpuid_find(c, fn, idx);

	ck_assert_msg(e != NULL, "leaf 0x%x.%u missing", fn, idx);
	return e;
}

START_TEST(test_leaf1_apic_id_per_vcpu)
{
	for (unsigned int id = 0; id < 4; id++) {
		struct kvm_cpuid2 *c = fake_supported();
		const struct x86_cpuid_vcpu v = { .apic_id = id, .nr_cpus = 4 };
		struct kvm_cpuid_entry2 *e;

		ck_assert_int_eq(x86_cpuid_fixup(c, ROOM, &v), 0);
		e = find(c, 1, 0);
		ck_assert_uint_eq(e->ebx >> 24, id);
		ck_assert_uint_eq((e->ebx >> 16) & 0xff, 4); /* logical count */
		ck_assert_uint_eq(e->ebx & 0xffff, 0x0803);  /* kept */
		ck_assert(e->ecx & X86_CPUID_HYPERVISOR_BIT);
		ck_assert(e->edx & (1U << 28)); /* HTT: the count is valid */
		ck_assert_uint_eq(e->eax, 0xa00f11);
		free(c);
	}
}
END_TEST

START_TEST(test_leaf1_counts_round_up)
{
	struct kvm_cpuid2 *c = fake_supported();
	const struct x86_cpuid_vcpu v = { .apic_id = 2,
					  .nr_cpus = 3,
					  .tsc_deadline = true };
	struct kvm_cpuid_entry2 *e;

	ck_assert_int_eq(x86_cpuid_fixup(c, ROOM, &v), 0);
	e = find(c, 1, 0);
	ck_assert_uint_eq((e->ebx >> 16) & 0xff, 4);
	ck_assert(e->ecx & X86_CPUID_TSC_DEADLINE_BIT);
	free(c);
}
END_TEST

START_TEST(test_leaf0b_rebuilt)
{
	struct kvm_cpuid2 *c = fake_supported();
	const struct x86_cpuid_vcpu v = { .apic_id = 5, .nr_cpus = 6 };
	struct kvm_cpuid_entry2 *smt, *core, *end;

	ck_assert_int_eq(x86_cpuid_fixup(c, ROOM, &v), 0);
	smt = find(c, 0xb, 0);
	core = find(c, 0xb, 1);
	end = find(c, 0xb, 2);
	ck_assert_uint_eq(smt->edx, 5);
	ck_assert_uint_eq(core->edx, 5);
	ck_assert_uint_eq(end->edx, 5);
	ck_assert_uint_eq(smt->eax, 0); /* one thread per core */
	ck_assert_uint_eq(smt->ebx, 1);
	ck_assert_uint_eq(smt->ecx, 0x100); /* level 0, type SMT */
	ck_assert_uint_eq(core->eax, 3);    /* 6 cores need 3 id bits */
	ck_assert_uint_eq(core->ebx, 6);
	ck_assert_uint_eq(core->ecx, 0x201); /* level 1, type core */
	ck_assert_uint_eq(end->ecx & 0xff00, 0);
	ck_assert_uint_eq(end->ebx, 0);
	ck_assert(core->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	/* No 0x1f in the input: none added. */
	ck_assert_ptr_null(x86_cpuid_find(c, 0x1f, 0));
	free(c);
}
END_TEST

START_TEST(test_leaf4_cores)
{
	struct kvm_cpuid2 *c = fake_supported();
	const struct x86_cpuid_vcpu v = { .apic_id = 1, .nr_cpus = 2 };

	ck_assert_int_eq(x86_cpuid_fixup(c, ROOM, &v), 0);
	ck_assert_uint_eq(find(c, 4, 0)->eax >> 26, 1);
	ck_assert_uint_eq((find(c, 4, 0)->eax >> 14) & 0xfff, 0); /* L1: own */
	ck_assert_uint_eq((find(c, 4, 1)->eax >> 14) & 0xfff, 1); /* L3: both */
	ck_assert_uint_eq(find(c, 4, 0)->eax & 0x3fff, 0x121);
	ck_assert_uint_eq(find(c, 4, 2)->eax, 0);
	free(c);
}
END_TEST

START_TEST(test_amd_leaves)
{
	struct kvm_cpuid2 *c = fake_supported();
	const struct x86_cpuid_vcpu v = { .apic_id = 3, .nr_cpus = 4 };
	struct kvm_cpuid_entry2 *e;

	ck_assert_int_eq(x86_cpuid_fixup(c, ROOM, &v), 0);
	e = find(c, 0x80000008, 0);
	ck_assert_uint_eq(e->ecx & 0xff, 3);	    /* NC = cores - 1 */
	ck_assert_uint_eq((e->ecx >> 12) & 0xf, 2); /* ApicIdSize */
	ck_assert_uint_eq(e->eax, 0x3030);
	e = find(c, 0x8000001e, 0);
	ck_assert_uint_eq(e->eax, 3);		    /* extended APIC id */
	ck_assert_uint_eq(e->ebx & 0xff, 3);	    /* core id */
	ck_assert_uint_eq((e->ebx >> 8) & 0xff, 0); /* 1 thread per core */
	ck_assert_uint_eq(e->ecx, 0);
	free(c);
}
END_TEST

START_TEST(test_kvm_leaves_kept)
{
	struct kvm_cpuid2 *c = fake_supported();
	const struct x86_cpuid_vcpu v = { .apic_id = 0, .nr_cpus = 1 };

	ck_assert_int_eq(x86_cpuid_fixup(c, ROOM, &v), 0);
	ck_assert_uint_eq(find(c, 0x40000000, 0)->ebx, 0x4b4d564b); /* "KVMK" */
	ck_assert_uint_eq(find(c, 0x40000001, 0)->eax, 0x01007afb);
	ck_assert_uint_eq(find(c, 1, 0)->ebx >> 24, 0);
	ck_assert_uint_eq((find(c, 1, 0)->ebx >> 16) & 0xff, 1);
	free(c);
}
END_TEST

START_TEST(test_no_room)
{
	struct kvm_cpuid2 *c = fake_supported();
	const struct x86_cpuid_vcpu v = { .apic_id = 0, .nr_cpus = 2 };
	unsigned int n = c->nent;

	/* Leaf 0xb grows from one subleaf to three: two more than there are. */
	ck_assert_int_eq(x86_cpuid_fixup(c, n + 1, &v), -E2BIG);
	free(c);
	c = fake_supported();
	ck_assert_int_eq(x86_cpuid_fixup(c, n + 2, &v), 0);
	ck_assert_uint_eq(c->nent, n + 2);
	ck_assert_int_eq(x86_cpuid_fixup(c, n - 1, &v), -EINVAL);
	free(c);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_leaf1_apic_id_per_vcpu,
		test_leaf1_counts_round_up,
		test_leaf0b_rebuilt,
		test_leaf4_cores,
		test_amd_leaves,
		test_kvm_leaves_kept,
		test_no_room,
		NULL,
	};

	return unit_run_tests("x86_cpuid", "cpuid", tests);
}
