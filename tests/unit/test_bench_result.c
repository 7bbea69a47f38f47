// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <string.h>

#include "vmm/bench/bench_result.h"
#include "tests/unit/unit.h"

#define RAM_BASE 0x80000000ULL
#define RAM_SIZE (1ULL << 20)
#define REPORT_GPA (RAM_BASE + 0x1000)
#define SAMPLES_GPA (RAM_BASE + 0x2000)

static struct bench_report good(void)
{
	struct bench_report r = {
		.name = "hypercall",
		.status = BENCH_STATUS_OK,
		.counter = BENCH_COUNTER_PMU_CYCLES,
		.ops_per_sample = 1,
		.nr_samples = 4,
		.samples_gpa = SAMPLES_GPA,
		.note = "fine",
	};
	return r;
}

/* Each case breaks one field of a good report; ret 0: still good. */
enum mutation {
	M_NONE,
	M_NAME_EMPTY,
	M_NAME_UNTERMINATED,
	M_NAME_CHARS,
	M_STATUS,
	M_COUNTER,
	M_OPS_ZERO,
	M_HZ_ZERO,
	M_TOO_MANY,
	M_SAMPLES_OUTSIDE,
	M_SAMPLES_WRAP,
	M_SAMPLES_STRADDLE,
	M_OK_NO_SAMPLES,
	M_SKIPPED_EMPTY,
	M_NOTE_UNTERMINATED,
	M_REPORT_OUTSIDE,
	M_REPORT_STRADDLE,
};

static const struct {
	enum mutation m;
	int ret;
	const char *note_has; /* in the result's note */
} cases[] = {
	{ M_NONE, 0, "fine" },
	{ M_NAME_EMPTY, -EINVAL, "name" },
	{ M_NAME_UNTERMINATED, -EINVAL, "name" },
	{ M_NAME_CHARS, -EINVAL, "name" },
	{ M_STATUS, -EINVAL, "unknown status" },
	{ M_COUNTER, -EINVAL, "unknown counter" },
	{ M_OPS_ZERO, -EINVAL, "ops_per_sample" },
	{ M_HZ_ZERO, -EINVAL, "counter_hz" },
	{ M_TOO_MANY, -EINVAL, "BENCH_MAX_SAMPLES" },
	{ M_SAMPLES_OUTSIDE, -EFAULT, "not in guest RAM" },
	{ M_SAMPLES_WRAP, -EFAULT, "not in guest RAM" },
	{ M_SAMPLES_STRADDLE, -EFAULT, "not in guest RAM" },
	{ M_OK_NO_SAMPLES, -EINVAL, "no samples" },
	{ M_SKIPPED_EMPTY, 0, "" },
	{ M_NOTE_UNTERMINATED, 0, "xxxx" },
	{ M_REPORT_OUTSIDE, -EFAULT, "report at" },
	{ M_REPORT_STRADDLE, -EFAULT, "report at" },
};

static uint64_t mutate(struct bench_report *r, enum mutation m)
{
	switch (m) {
	case M_NAME_EMPTY:
		r->name[0] = '\0';
		break;
	case M_NAME_UNTERMINATED:
		memset(r->name, 'a', sizeof(r->name));
		break;
	case M_NAME_CHARS:
		strcpy(r->name, "Hyper\033call");
		break;
	case M_STATUS:
		r->status = 3;
		break;
	case M_COUNTER:
		r->counter = 7;
		break;
	case M_OPS_ZERO:
		r->ops_per_sample = 0;
		break;
	case M_HZ_ZERO:
		r->counter = BENCH_COUNTER_CNTVCT;
		break;
	case M_TOO_MANY:
		r->nr_samples = BENCH_MAX_SAMPLES + 1;
		break;
	case M_SAMPLES_OUTSIDE:
		r->samples_gpa = 0x1000;
		break;
	case M_SAMPLES_WRAP:
		r->samples_gpa = UINT64_MAX - 8;
		break;
	case M_SAMPLES_STRADDLE:
		r->samples_gpa = RAM_BASE + RAM_SIZE - 8;
		break;
	case M_OK_NO_SAMPLES:
		r->nr_samples = 0;
		break;
	case M_SKIPPED_EMPTY:
		r->status = BENCH_STATUS_SKIPPED;
		r->nr_samples = 0;
		r->note[0] = '\0';
		break;
	case M_NOTE_UNTERMINATED:
		memset(r->note, 'x', sizeof(r->note));
		break;
	case M_REPORT_OUTSIDE:
		return 0x1000;
	case M_REPORT_STRADDLE:
		return RAM_BASE + RAM_SIZE - 16;
	default:
		break;
	}
	return REPORT_GPA;
}

START_TEST(test_report_table)
{
	static const uint64_t samples[4] = { 10, 20, 30, 40 };
	struct guest_mem mem = { 0 };

	ck_assert_int_eq(guest_mem_add(&mem, RAM_BASE, RAM_SIZE), 0);
	ck_assert_int_eq(
		guest_mem_write(&mem, SAMPLES_GPA, samples, sizeof(samples)),
		0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bench_report r = good();
		uint64_t gpa = mutate(&r, cases[i].m);
		struct bench_result out;
		int ret;

		ck_assert_int_eq(
			guest_mem_write(&mem, REPORT_GPA, &r, sizeof(r)), 0);
		ret = bench_result_from_guest(&mem, gpa, 3, &out);
		ck_assert_msg(ret == cases[i].ret, "case %zu: ret %d", i, ret);
		ck_assert_msg(strstr(out.note, cases[i].note_has),
			      "case %zu: '%s'", i, out.note);
		ck_assert_msg(strlen(out.note) < sizeof(out.note), "case %zu",
			      i);
		if (ret) {
			ck_assert_uint_eq(out.status, BENCH_STATUS_FAILED);
			ck_assert_ptr_null(out.samples);
		}
		if (cases[i].m == M_NONE) {
			ck_assert_str_eq(out.name, "hypercall");
			ck_assert_uint_eq(out.nr_samples, 4);
			ck_assert_mem_eq(out.samples, samples, sizeof(samples));
		}
		if (cases[i].m == M_NAME_CHARS)
			ck_assert_str_eq(out.name, "#3");
		bench_result_free(&out);
	}
	guest_mem_destroy(&mem);
}
END_TEST

START_TEST(test_note_made_printable)
{
	struct guest_mem mem = { 0 };
	struct bench_report r = good();
	struct bench_result out;

	ck_assert_int_eq(guest_mem_add(&mem, RAM_BASE, RAM_SIZE), 0);
	strcpy(r.note, "bad\033[31m\n\"q\"");
	r.nr_samples = 0;
	r.status = BENCH_STATUS_SKIPPED;
	ck_assert_int_eq(guest_mem_write(&mem, REPORT_GPA, &r, sizeof(r)), 0);
	ck_assert_int_eq(bench_result_from_guest(&mem, REPORT_GPA, 0, &out), 0);
	ck_assert_str_eq(out.note, "bad?[31m?\"q\"");
	bench_result_free(&out);
	guest_mem_destroy(&mem);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_report_table,
		test_note_made_printable,
		NULL,
	};

	return unit_run_tests("bench_result", "core", tests);
}
