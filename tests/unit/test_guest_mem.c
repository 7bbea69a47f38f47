// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "unit.h"

#define BASE 0x80000000ULL
#define SIZE (1ULL << 20)

static struct guest_mem mem;

static void setup(void)
{
	memset(&mem, 0, sizeof(mem));
	ck_assert_int_eq(guest_mem_add(&mem, BASE, SIZE), 0);
}

static void teardown(void)
{
	guest_mem_destroy(&mem);
}

static const struct {
	uint64_t gpa, len;
	int ok;
} ptr_cases[] = {
	{ BASE, 1, 1 },
	{ BASE, SIZE, 1 },
	{ BASE + SIZE - 1, 1, 1 },
	{ BASE + SIZE, 1, 0 },          /* just past the end */
	{ BASE + SIZE - 1, 2, 0 },      /* crosses the end */
	{ BASE - 1, 1, 0 },             /* just below */
	{ BASE - 1, 2, 0 },             /* crosses the start */
	{ 0, 1, 0 },
	{ BASE + 8, UINT64_MAX, 0 },    /* length overflows */
	{ UINT64_MAX, 1, 0 },
	{ UINT64_MAX - 3, 8, 0 },       /* gpa + len wraps to low memory */
	{ BASE, 0, 1 },                 /* empty range inside RAM */
};

START_TEST(test_ptr_table)
{
	for (size_t i = 0; i < sizeof(ptr_cases) / sizeof(ptr_cases[0]); i++) {
		void *p = guest_mem_ptr(&mem, ptr_cases[i].gpa, ptr_cases[i].len);

		ck_assert_msg(!!p == ptr_cases[i].ok, "case %zu", i);
		if (p)
			ck_assert_ptr_eq(p, (uint8_t *)mem.regions[0].host +
						    (ptr_cases[i].gpa - BASE));
	}
}
END_TEST

START_TEST(test_write)
{
	const char msg[] = "hello";

	ck_assert_int_eq(guest_mem_write(&mem, BASE + 16, msg, sizeof(msg)), 0);
	ck_assert_str_eq((char *)guest_mem_ptr(&mem, BASE + 16, 6), "hello");
	ck_assert_int_eq(guest_mem_write(&mem, BASE + SIZE - 2, msg, sizeof(msg)),
			 -EFAULT);
}
END_TEST

START_TEST(test_add_rejects)
{
	ck_assert_int_eq(guest_mem_add(&mem, BASE, SIZE), -EINVAL);       /* overlap */
	ck_assert_int_eq(guest_mem_add(&mem, BASE - 4096, 8192), -EINVAL);
	ck_assert_int_eq(guest_mem_add(&mem, 0, 0), -EINVAL);
	ck_assert_int_eq(guest_mem_add(&mem, 0x1001, 4096), -EINVAL);    /* unaligned */
	ck_assert_int_eq(guest_mem_add(&mem, UINT64_MAX - 4095, 8192), -EINVAL);
	ck_assert_int_eq(guest_mem_add(&mem, 0, 4096), 0);
	ck_assert_ptr_nonnull(guest_mem_ptr(&mem, 0, 4096));
	ck_assert_ptr_null(guest_mem_ptr(&mem, 4095, 2)); /* no merging across regions */
}
END_TEST

int main(void)
{
	Suite *s = suite_create("guest_mem");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_ptr_table);
	tcase_add_test(tc, test_write);
	tcase_add_test(tc, test_add_rejects);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
