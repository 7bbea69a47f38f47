// SPDX-License-Identifier: MIT
/* boot_src_open_guest(): what each arch's boot code opens, as a table. */
#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/base/boot_src.h"
#include "tests/unit/unit.h"

static const char image[] = "an embedded guest";

#define MISSING "/nonexistent/tinyvmm-test"

/* Path choices: NULL, a temporary file ("KERNEL"/"INITRD"), MISSING. */
enum which {
	NONE,
	FILE_OK,
	FILE_MISSING
};

static const struct {
	enum which kernel, initrd;
	int ret;
	bool kernel_open, initrd_open; /* what the caller then has to close */
} open_cases[] = {
	{ NONE, NONE, 0, false, false },   /* the embedded image */
	{ NONE, FILE_OK, 0, false, true }, /* embedded + --initrd */
	{ FILE_OK, NONE, 0, true, false },
	{ FILE_OK, FILE_OK, 0, true, true },
	{ FILE_MISSING, FILE_OK, -ENOENT, false, false }, /* initrd untried */
	{ FILE_OK, FILE_MISSING, -ENOENT, true, false },
};

static const char *pick(enum which w, const char *file)
{
	return w == NONE ? NULL : w == FILE_OK ? file : MISSING;
}

START_TEST(test_open_table)
{
	char *kfile = unit_temp_file("KERNEL");
	char *ifile = unit_temp_file("INITRD");
	struct boot_src kernel, initrd;
	int ret;

	ret = boot_src_open_guest(
		&kernel, &initrd, pick(open_cases[_i].kernel, kfile), image,
		sizeof(image), pick(open_cases[_i].initrd, ifile));
	ck_assert_int_eq(ret, open_cases[_i].ret);
	ck_assert_int_eq(kernel.fd >= 0, open_cases[_i].kernel_open);
	ck_assert_int_eq(initrd.fd >= 0, open_cases[_i].initrd_open);
	if (open_cases[_i].kernel == NONE) {
		ck_assert_ptr_eq(kernel.mem, image);
		ck_assert_uint_eq(kernel.size, sizeof(image));
		ck_assert_str_eq(kernel.what, "embedded");
	} else if (!ret || open_cases[_i].kernel_open) {
		ck_assert_uint_eq(kernel.size, strlen("KERNEL"));
		ck_assert_str_eq(kernel.what, "--kernel");
	}
	if (open_cases[_i].initrd_open) {
		ck_assert_uint_eq(initrd.size, strlen("INITRD"));
		ck_assert_str_eq(initrd.what, "--initrd");
	} else {
		ck_assert_uint_eq(initrd.size, 0);
	}
	boot_src_close(&initrd);
	boot_src_close(&kernel);
	unlink(kfile);
	unlink(ifile);
	free(kfile);
	free(ifile);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("boot_src");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_open_table, 0,
			    (int)(sizeof(open_cases) / sizeof(open_cases[0])));
	suite_add_tcase(s, tc);
	return unit_run(s);
}
