/* SPDX-License-Identifier: MIT */
/*
 * The guest CPU features a run can switch (arm64: SVE, pointer
 * authentication, the PMU): what the command line asked for, what KVM
 * offers, and what the vCPUs got. Each is on when KVM offers it unless
 * asked off; asked on and not offered is an error. They change what a
 * world switch saves and restores, so every result records them.
 */
#ifndef TINYVMM_VMM_CPU_FEATURES_H
#define TINYVMM_VMM_CPU_FEATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/base/log.h"

enum cpu_feature {
	CPU_FEATURE_SVE,     /* arm64: KVM_ARM_VCPU_SVE */
	CPU_FEATURE_PTRAUTH, /* arm64: KVM_ARM_VCPU_PTRAUTH_{ADDRESS,GENERIC} */
	CPU_FEATURE_PMU,     /* arm64: KVM_ARM_VCPU_PMU_V3 */
	CPU_FEATURE_COUNT,
};

/* What the command line said of one feature. */
enum cpu_feature_req {
	CPU_FEATURE_AUTO, /* on when KVM offers it (the default) */
	CPU_FEATURE_OFF,
	CPU_FEATURE_ON, /* required: an error when KVM lacks it */
};

/*
 * --nested: whether the vCPUs get a virtual EL2 so the guest can be a
 * hypervisor itself (arm64), and which forms of it the guest may use.
 * Never on by default: a guest hypervisor changes how the guest boots.
 */
enum cpu_nested {
	CPU_NESTED_OFF,
	CPU_NESTED_VHE,	 /* EL2 with VHE allowed (--nested, --nested=vhe) */
	CPU_NESTED_NVHE, /* EL2 without VHE: E2H is RES0 (--nested=nvhe) */
};

struct cpu_features_request {
	enum cpu_feature_req req[CPU_FEATURE_COUNT];
};

/* What a VM's vCPUs got. */
struct cpu_features {
	bool valid; /* false: the arch switches none (x86_64) */
	bool on[CPU_FEATURE_COUNT];
	unsigned int sve_max_vl_bits; /* the longest vector; 0 without SVE */
};

/* "sve", "ptrauth", "pmu"; NULL for a value out of range. */
const char *cpu_feature_name(enum cpu_feature f);

/* "off", "vhe", "nvhe": --nested's values; NULL for one out of range. */
const char *cpu_nested_name(enum cpu_nested n);

/* The bit of @f in a feature mask (arch_platform()->cpu_features). */
#define CPU_FEATURE_BIT(f) (1U << (f))

/*
 * Chooses each feature from @req and @offered (KVM's capabilities):
 * AUTO follows @offered, OFF is off, ON is on when offered. Returns 0, or
 * -ENOTSUP with *@missing set to the first feature asked on that KVM
 * lacks (@on then undefined). Prints nothing.
 */
TV_MUST_CHECK int cpu_features_select(const struct cpu_features_request *req,
				      const bool offered[CPU_FEATURE_COUNT],
				      bool on[CPU_FEATURE_COUNT],
				      enum cpu_feature *missing);

/*
 * "sve=on sve_max_vl_bits=2048 ptrauth=on pmu=off" (sve_max_vl_bits only
 * with SVE on), or "none" when !@f->valid: the -v line and the console
 * line lab/workload-report reads. Truncates to @size.
 */
void cpu_features_format(const struct cpu_features *f, char *buf, size_t size);

#endif
