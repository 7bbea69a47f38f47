// SPDX-License-Identifier: MIT
/*
 * x86_flat_image_check(): what is refused as a flat x86_64 image (a
 * kernel of another kind, which would otherwise run as instructions) and
 * what is let through.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "arch/x86/flat_image.h"
#include "tests/unit/unit.h"

static int check_head(const void *magic, size_t magic_len, size_t offset,
		      size_t len, const char **why)
{
	uint8_t head[X86_FLAT_IMAGE_HEAD];

	/* x86 code around the magic: "cli; hlt" filling. */
	for (size_t i = 0; i < sizeof(head); i += 2) {
		head[i] = 0xfa;
		head[i + 1] = 0xf4;
	}
	memcpy(head + offset, magic, magic_len);
	return x86_flat_image_check(head, len, why);
}

START_TEST(test_refused_formats)
{
	static const struct {
		const char *magic;
		size_t len, offset;
		const char *says;
	} cases[] = {
		{ "ARM\x64", 4, 56, "an arm64 Linux Image" },
		{ "\x1f\x8b\x08", 3, 0, "gzip data" },
		{ "\x7f"
		  "ELF\x02\x01",
		  6, 0, "an ELF file" },
		{ "MZ", 2, 0, "a PE/COFF (EFI) image" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *why = NULL;

		ck_assert_int_eq(check_head(cases[i].magic, cases[i].len,
					    cases[i].offset,
					    X86_FLAT_IMAGE_HEAD, &why),
				 -ENOEXEC);
		ck_assert_ptr_nonnull(why);
		ck_assert_msg(strstr(why, cases[i].says), "%zu: '%s'", i, why);
	}
}
END_TEST

START_TEST(test_flat_code_accepted)
{
	const char *why = NULL;

	/* Plain code, and code that is merely short. */
	ck_assert_int_eq(
		check_head("\x48\x31\xc0", 3, 0, X86_FLAT_IMAGE_HEAD, &why), 0);
	ck_assert_ptr_null(why);
	ck_assert_int_eq(check_head("\xf4", 1, 0, 1, &why), 0);
	/* The arm64 magic needs all of its 4 bytes at 56: a 59-byte file
	 * with "ARM" there is not an Image. */
	ck_assert_int_eq(check_head("ARM\x64", 4, 56, 59, &why), 0);
	/* A magic elsewhere means nothing. */
	ck_assert_int_eq(check_head("\x7f"
				    "ELF",
				    4, 8, X86_FLAT_IMAGE_HEAD, &why),
			 0);
	ck_assert_int_eq(check_head("ARM\x64", 4, 0, X86_FLAT_IMAGE_HEAD, &why),
			 0);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_refused_formats,
		test_flat_code_accepted,
		NULL,
	};

	return unit_run_tests("x86_flat_image", "core", tests);
}
