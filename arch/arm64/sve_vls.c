// SPDX-License-Identifier: MIT
/* KVM_REG_ARM64_SVE_VLS bitmaps (sve_vls.h). */
#include "arch/arm64/sve_vls.h"

unsigned int arm64_sve_vls_max_vq(const uint64_t vls[ARM64_SVE_VLS_WORDS])
{
	for (unsigned int w = ARM64_SVE_VLS_WORDS; w-- > 0;)
		if (vls[w])
			return w * 64 +
			       (64 - (unsigned int)__builtin_clzll(vls[w]));
	return 0;
}
