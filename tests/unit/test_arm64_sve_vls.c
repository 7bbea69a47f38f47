// SPDX-License-Identifier: MIT
/* KVM_REG_ARM64_SVE_VLS bitmaps (arch/arm64/sve_vls.h). */
#include <check.h>

#include "arch/arm64/sve_vls.h"
#include "tests/unit/unit.h"

START_TEST(test_max_vq)
{
	uint64_t vls[ARM64_SVE_VLS_WORDS] = { 0 };

	ck_assert_uint_eq(arm64_sve_vls_max_vq(vls), 0);
	/* vq 1 (128 bits) is bit 0 of word 0. */
	vls[0] = 1;
	ck_assert_uint_eq(arm64_sve_vls_max_vq(vls), 1);
	/* QEMU's -cpu max: every power of two up to 2048 bits (vq 16). */
	vls[0] = 1 | 1 << 1 | 1 << 3 | 1 << 7 | 1 << 15;
	ck_assert_uint_eq(arm64_sve_vls_max_vq(vls) * ARM64_SVE_VQ_BITS, 2048);
	/* A host with 256-bit vectors only: vq 2. */
	vls[0] = 1 << 1;
	ck_assert_uint_eq(arm64_sve_vls_max_vq(vls), 2);
	/* Bit 63 of word 0 is vq 64; bit 0 of word 1 is vq 65. */
	vls[0] = 1ULL << 63;
	ck_assert_uint_eq(arm64_sve_vls_max_vq(vls), 64);
	vls[1] = 1;
	ck_assert_uint_eq(arm64_sve_vls_max_vq(vls), 65);
	/* The architecture's ceiling, vq 512, is the last bit. */
	vls[ARM64_SVE_VLS_WORDS - 1] = 1ULL << 63;
	ck_assert_uint_eq(arm64_sve_vls_max_vq(vls), 512);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = { test_max_vq, NULL };

	return unit_run_tests("arm64_sve_vls", "core", tests);
}
