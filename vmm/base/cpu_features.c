// SPDX-License-Identifier: MIT
/* Guest CPU feature selection and its one-line description. */
#include <errno.h>
#include <stdio.h>

#include "vmm/base/cpu_features.h"

static const char *const feature_names[CPU_FEATURE_COUNT] = {
	[CPU_FEATURE_SVE] = "sve",
	[CPU_FEATURE_PTRAUTH] = "ptrauth",
	[CPU_FEATURE_PMU] = "pmu",
};

const char *cpu_feature_name(enum cpu_feature f)
{
	return (unsigned int)f < CPU_FEATURE_COUNT ? feature_names[f] : NULL;
}

static const char *const nested_names[] = {
	[CPU_NESTED_OFF] = "off",
	[CPU_NESTED_VHE] = "vhe",
	[CPU_NESTED_NVHE] = "nvhe",
};

const char *cpu_nested_name(enum cpu_nested n)
{
	return (unsigned int)n < sizeof(nested_names) / sizeof(nested_names[0])
		       ? nested_names[n]
		       : NULL;
}

int cpu_features_select(const struct cpu_features_request *req,
			const bool offered[CPU_FEATURE_COUNT],
			bool on[CPU_FEATURE_COUNT], enum cpu_feature *missing)
{
	for (unsigned int i = 0; i < CPU_FEATURE_COUNT; i++) {
		if (req->req[i] == CPU_FEATURE_ON && !offered[i]) {
			*missing = (enum cpu_feature)i;
			return -ENOTSUP;
		}
		on[i] = req->req[i] != CPU_FEATURE_OFF && offered[i];
	}
	return 0;
}

void cpu_features_format(const struct cpu_features *f, char *buf, size_t size)
{
	size_t used = 0;

	if (!size)
		return;
	buf[0] = '\0';
	if (!f->valid) {
		snprintf(buf, size, "none");
		return;
	}
	for (unsigned int i = 0; i < CPU_FEATURE_COUNT && used < size; i++) {
		int n = snprintf(buf + used, size - used, "%s%s=%s",
				 i ? " " : "", feature_names[i],
				 f->on[i] ? "on" : "off");

		used += n > 0 ? (size_t)n : 0;
		if (i == CPU_FEATURE_SVE && f->on[i] && used < size) {
			n = snprintf(buf + used, size - used,
				     " sve_max_vl_bits=%u", f->sve_max_vl_bits);
			used += n > 0 ? (size_t)n : 0;
		}
	}
}
