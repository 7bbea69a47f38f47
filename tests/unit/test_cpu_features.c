// SPDX-License-Identifier: MIT
/* Guest CPU feature selection (vmm/base/cpu_features.h). */
#include <check.h>
#include <errno.h>
#include <string.h>

#include "vmm/base/cpu_features.h"
#include "tests/unit/unit.h"

#define A CPU_FEATURE_AUTO
#define OFF CPU_FEATURE_OFF
#define ON CPU_FEATURE_ON

/* One feature's choice for each request and offer. */
static const struct {
	enum cpu_feature_req req;
	bool offered;
	int ret; /* 0, or -ENOTSUP: asked on, not offered */
	bool on;
} select_cases[] = {
	{ A, true, 0, true },	 { A, false, 0, false },
	{ OFF, true, 0, false }, { OFF, false, 0, false },
	{ ON, true, 0, true },	 { ON, false, -ENOTSUP, false },
};

START_TEST(test_select_each_feature)
{
	for (size_t i = 0; i < sizeof(select_cases) / sizeof(select_cases[0]);
	     i++) {
		for (unsigned int f = 0; f < CPU_FEATURE_COUNT; f++) {
			struct cpu_features_request req = { { A, A, A } };
			bool offered[CPU_FEATURE_COUNT] = { true, true, true };
			bool on[CPU_FEATURE_COUNT];
			enum cpu_feature missing = CPU_FEATURE_COUNT;
			int ret;

			req.req[f] = select_cases[i].req;
			offered[f] = select_cases[i].offered;
			ret = cpu_features_select(&req, offered, on, &missing);
			ck_assert_msg(ret == select_cases[i].ret,
				      "case %zu feature %u: ret %d", i, f, ret);
			if (ret) {
				ck_assert_int_eq(missing, f);
				continue;
			}
			ck_assert_msg(on[f] == select_cases[i].on,
				      "case %zu feature %u", i, f);
			/* The others, AUTO and offered, stay on. */
			for (unsigned int g = 0; g < CPU_FEATURE_COUNT; g++)
				ck_assert(g == f || on[g]);
		}
	}
}
END_TEST

START_TEST(test_first_missing_is_named)
{
	struct cpu_features_request req = { { ON, ON, ON } };
	bool offered[CPU_FEATURE_COUNT] = { true, false, false };
	bool on[CPU_FEATURE_COUNT];
	enum cpu_feature missing = CPU_FEATURE_COUNT;

	ck_assert_int_eq(cpu_features_select(&req, offered, on, &missing),
			 -ENOTSUP);
	ck_assert_int_eq(missing, CPU_FEATURE_PTRAUTH);
	ck_assert_str_eq(cpu_feature_name(missing), "ptrauth");
	ck_assert_ptr_null(cpu_feature_name(CPU_FEATURE_COUNT));
}
END_TEST

START_TEST(test_format)
{
	struct cpu_features f = { .valid = true,
				  .on = { true, true, false },
				  .sve_max_vl_bits = 2048 };
	char buf[96], small[12];

	cpu_features_format(&f, buf, sizeof(buf));
	ck_assert_str_eq(buf, "sve=on sve_max_vl_bits=2048 ptrauth=on pmu=off");
	/* The vector length only with SVE on. */
	f.on[CPU_FEATURE_SVE] = false;
	cpu_features_format(&f, buf, sizeof(buf));
	ck_assert_str_eq(buf, "sve=off ptrauth=on pmu=off");
	cpu_features_format(&f, small, sizeof(small));
	ck_assert_str_eq(small, "sve=off ptr");
	f.valid = false;
	cpu_features_format(&f, buf, sizeof(buf));
	ck_assert_str_eq(buf, "none");
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_select_each_feature,
		test_first_missing_is_named,
		test_format,
		NULL,
	};

	return unit_run_tests("cpu_features", "core", tests);
}
