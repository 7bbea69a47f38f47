/* SPDX-License-Identifier: MIT */
/*
 * KVM_REG_ARM64_SVE_VLS, the set of SVE vector lengths a vCPU offers its
 * guest (api.rst, KVM_SET_ONE_REG): a __u64[8] bitmap in which bit
 * (vq - 1) says vectors of vq x 128 bits are there, vq 1..512. Pure code,
 * unit-tested on any host.
 */
#ifndef TINYVMM_ARCH_ARM64_SVE_VLS_H
#define TINYVMM_ARCH_ARM64_SVE_VLS_H

#include <stdint.h>

#define ARM64_SVE_VLS_WORDS 8 /* KVM_ARM64_SVE_VLS_WORDS */
#define ARM64_SVE_VQ_BITS 128 /* bits per vq, the SVE granule */

/* The longest vector length @vls holds, in vq (128-bit units); 0: none. */
unsigned int arm64_sve_vls_max_vq(const uint64_t vls[ARM64_SVE_VLS_WORDS]);

#endif
