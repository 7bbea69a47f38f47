// SPDX-License-Identifier: MIT
/* The arm64 Image header parser and boot planner, table-driven. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/image.h"
#include "tests/unit/unit.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define RAM 0x80000000ULL

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* A header as a v3.17+ kernel writes it (code0/code1 are a branch). */
static void make_header(uint8_t *p, uint64_t text_offset, uint64_t image_size,
			uint64_t flags)
{
	memset(p, 0, ARM64_IMAGE_HEADER_SIZE);
	put_le(p + 0, 0x14000010, 4); /* b #0x40 */
	put_le(p + 8, text_offset, 8);
	put_le(p + 16, image_size, 8);
	put_le(p + 24, flags, 8);
	put_le(p + 56, ARM64_IMAGE_MAGIC, 4);
}

struct parse_case {
	const char *name;
	size_t len;			    /* bytes handed to the parser */
	struct arm64_image_header_info hdr; /* what the header says */
	int bad_magic;
	int ret;
	struct arm64_image_header_info want;
};

#define HDR(t, s, f)                                                \
	{                                                           \
		.text_offset = (t), .image_size = (s), .flags = (f) \
	}

static const struct parse_case parse_cases[] = {
	{ .name = "valid, 4K pages, anywhere",
	  .len = 4096,
	  .hdr = HDR(0, 0x1000000, 0xa),
	  .want = HDR(0, 0x1000000, 0xa) },
	{ .name = "text_offset 0x80000",
	  .len = 4096,
	  .hdr = HDR(0x80000, 0x200000, 0x2),
	  .want = HDR(0x80000, 0x200000, 0x2) },
	{ .name = "image_size == file length",
	  .len = 8192,
	  .hdr = HDR(0, 8192, 0),
	  .want = HDR(0, 8192, 0) },
	{ .name = "exactly a header",
	  .len = 64,
	  .hdr = HDR(0, 0x1000000, 0),
	  .want = HDR(0, 0x1000000, 0) },
	{ .name = "legacy image_size 0",
	  .len = 12345,
	  .hdr = HDR(0x1234, 0, 0),
	  .want = HDR(0x80000, 12345, 0) },
	{ .name = "big-endian flag",
	  .len = 4096,
	  .hdr = HDR(0, 0x1000000, 0x1),
	  .ret = -EINVAL },
	{ .name = "big-endian among other flags",
	  .len = 4096,
	  .hdr = HDR(0, 0x1000000, 0xb),
	  .ret = -EINVAL },
	{ .name = "image_size < file length",
	  .len = 8192,
	  .hdr = HDR(0, 8191, 0),
	  .ret = -EINVAL },
	{ .name = "text_offset not page aligned",
	  .len = 4096,
	  .hdr = HDR(0x80010, 0x1000000, 0),
	  .ret = -EINVAL },
	{ .name = "wrong magic",
	  .len = 4096,
	  .hdr = HDR(0, 0x1000000, 0),
	  .bad_magic = 1,
	  .ret = -ENOEXEC },
	{ .name = "empty",
	  .len = 0,
	  .hdr = HDR(0, 0x1000000, 0),
	  .ret = -ENOEXEC },
	{ .name = "truncated to 63 bytes",
	  .len = 63,
	  .hdr = HDR(0, 0x1000000, 0),
	  .ret = -ENOEXEC },
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	size_t alloc = c->len > 64 ? c->len : 64;
	/* +1: parse at an odd address to catch aligned-load assumptions. */
	uint8_t *mem = calloc(1, alloc + 1), *img = mem + 1;
	struct arm64_image_header_info info = { 1, 2, 3 };
	int ret;

	ck_assert_ptr_nonnull(mem);
	make_header(img, c->hdr.text_offset, c->hdr.image_size, c->hdr.flags);
	if (c->bad_magic)
		img[56] = 'X';
	ret = arm64_image_parse(img, c->len, &info);
	ck_assert_msg(ret == c->ret, "%s: ret %d, want %d", c->name, ret,
		      c->ret);
	if (c->ret == 0) {
		ck_assert_uint_eq(info.text_offset, c->want.text_offset);
		ck_assert_uint_eq(info.image_size, c->want.image_size);
		ck_assert_uint_eq(info.flags, c->want.flags);
	} else {
		/* A failed parse leaves the output alone. */
		ck_assert_uint_eq(info.text_offset, 1);
	}
	free(mem);
}
END_TEST

START_TEST(test_parse_null)
{
	struct arm64_image_header_info info;
	uint8_t hdr[64];

	make_header(hdr, 0, 4096, 0);
	ck_assert_int_eq(arm64_image_parse(NULL, 0, &info), -ENOEXEC);
	ck_assert_int_eq(arm64_image_parse(NULL, 64, &info), -EINVAL);
	ck_assert_int_eq(arm64_image_parse(hdr, 64, NULL), -EINVAL);
}
END_TEST

struct plan_case {
	const char *name;
	uint64_t text_offset, image_size;
	uint64_t ram_base, ram_size, initrd_size;
	int ret;
	struct arm64_boot_plan want; /* initrd_size is copied from above */
};

#define PLAN(k, ke, i, d)                                                   \
	{                                                                   \
		.kernel_addr = (k), .kernel_end = (ke), .initrd_addr = (i), \
		.dtb_addr = (d)                                             \
	}
#define TOP 0xffffffffff000000ULL /* 16 MiB below 2^64 */

static const struct plan_case plan_cases[] = {
	{ .name = "fits, no initrd",
	  .image_size = 32 * MiB,
	  .ram_base = RAM,
	  .ram_size = 256 * MiB,
	  .want = PLAN(RAM, RAM + 32 * MiB, 0, RAM + 254 * MiB) },
	{ .name = "fits, initrd page-aligned below dtb",
	  .text_offset = 0x80000,
	  .image_size = 32 * MiB,
	  .ram_base = RAM,
	  .ram_size = 256 * MiB,
	  .initrd_size = 5000,
	  .want = PLAN(RAM + 0x80000, RAM + 0x80000 + 32 * MiB,
		       RAM + 254 * MiB - 8192, RAM + 254 * MiB) },
	{ .name = "RAM end not 2 MiB aligned",
	  .image_size = 16 * MiB,
	  .ram_base = RAM,
	  .ram_size = 64 * MiB + 12345,
	  .initrd_size = 4096,
	  .want = PLAN(RAM, RAM + 16 * MiB, RAM + 62 * MiB - 4096,
		       RAM + 62 * MiB) },
	{ .name = "kernel, initrd, dtb exactly fill RAM",
	  .image_size = 2 * MiB,
	  .ram_base = RAM,
	  .ram_size = 6 * MiB,
	  .initrd_size = 2 * MiB,
	  .want = PLAN(RAM, RAM + 2 * MiB, RAM + 2 * MiB, RAM + 4 * MiB) },
	{ .name = "top of the 64-bit space, fits",
	  .image_size = 2 * MiB,
	  .ram_base = TOP,
	  .ram_size = 8 * MiB,
	  .initrd_size = 4096,
	  .want = PLAN(TOP, TOP + 2 * MiB, TOP + 6 * MiB - 4096,
		       TOP + 6 * MiB) },
	{ .name = "kernel bigger than RAM",
	  .image_size = GiB,
	  .ram_base = RAM,
	  .ram_size = 512 * MiB,
	  .ret = -ENOSPC },
	{ .name = "kernel runs into the dtb",
	  .image_size = 255 * MiB,
	  .ram_base = RAM,
	  .ram_size = 256 * MiB,
	  .ret = -ENOSPC },
	{ .name = "initrd too big",
	  .image_size = 32 * MiB,
	  .ram_base = RAM,
	  .ram_size = 256 * MiB,
	  .initrd_size = 223 * MiB,
	  .ret = -ENOSPC },
	{ .name = "initrd bigger than the address space below the dtb",
	  .image_size = 32 * MiB,
	  .ram_base = RAM,
	  .ram_size = 256 * MiB,
	  .initrd_size = UINT64_MAX,
	  .ret = -ENOSPC },
	{ .name = "RAM too small for the dtb",
	  .image_size = 4096,
	  .ram_base = RAM,
	  .ram_size = 2 * MiB - 1,
	  .ret = -ENOSPC },
	{ .name = "kernel and dtb want the only 2 MiB",
	  .image_size = 4096,
	  .ram_base = RAM,
	  .ram_size = 3 * MiB,
	  .ret = -ENOSPC },
	{ .name = "no RAM",
	  .image_size = 4096,
	  .ram_base = RAM,
	  .ret = -ENOSPC },
	{ .name = "unaligned RAM base",
	  .image_size = 4096,
	  .ram_base = RAM + 4096,
	  .ram_size = 256 * MiB,
	  .ret = -EINVAL },
	{ .name = "RAM wraps past 2^64",
	  .image_size = 4096,
	  .ram_base = 0xffffffffffe00000ULL,
	  .ram_size = 4 * MiB,
	  .ret = -EINVAL },
	{ .name = "RAM ends at 2^64 - 1, kernel meets dtb",
	  .image_size = 2 * MiB,
	  .ram_base = 0xffffffffffc00000ULL,
	  .ram_size = 4 * MiB - 1,
	  .ret = -ENOSPC },
	{ .name = "RAM base + text_offset wraps",
	  .text_offset = 0xfffffffffff00000ULL,
	  .image_size = 4096,
	  .ram_base = RAM,
	  .ram_size = 256 * MiB,
	  .ret = -ENOSPC },
	{ .name = "kernel_addr + image_size wraps",
	  .image_size = UINT64_MAX - 4096,
	  .ram_base = RAM,
	  .ram_size = 256 * MiB,
	  .ret = -ENOSPC },
};

START_TEST(test_plan_table)
{
	const struct plan_case *c = &plan_cases[_i];
	struct arm64_image_header_info info = {
		.text_offset = c->text_offset,
		.image_size = c->image_size,
	};
	struct arm64_boot_plan p = { .kernel_addr = 42 };
	int ret;

	ret = arm64_boot_plan(&info, c->ram_base, c->ram_size, c->initrd_size,
			      &p);
	ck_assert_msg(ret == c->ret, "%s: ret %d, want %d", c->name, ret,
		      c->ret);
	if (c->ret != 0) {
		ck_assert_uint_eq(p.kernel_addr, 42);
		return;
	}
	ck_assert_msg(p.kernel_addr == c->want.kernel_addr,
		      "%s: kernel_addr %#llx", c->name,
		      (unsigned long long)p.kernel_addr);
	ck_assert_uint_eq(p.kernel_end, c->want.kernel_end);
	ck_assert_msg(p.initrd_addr == c->want.initrd_addr,
		      "%s: initrd_addr %#llx", c->name,
		      (unsigned long long)p.initrd_addr);
	ck_assert_uint_eq(p.initrd_size, c->initrd_size);
	ck_assert_msg(p.dtb_addr == c->want.dtb_addr, "%s: dtb_addr %#llx",
		      c->name, (unsigned long long)p.dtb_addr);
}
END_TEST

/* Invariants over a sweep: nothing overlaps, everything inside RAM. */
START_TEST(test_plan_invariants)
{
	struct arm64_image_header_info info = { .text_offset = 0x80000 };

	for (uint64_t ram = 4 * MiB; ram <= 64 * MiB; ram += 3 * MiB + 4096) {
		for (uint64_t initrd = 0; initrd < ram; initrd += 1 * MiB + 7) {
			struct arm64_boot_plan p;

			info.image_size = 1 * MiB;
			if (arm64_boot_plan(&info, RAM, ram, initrd, &p))
				continue;
			ck_assert_uint_ge(p.kernel_addr, RAM);
			ck_assert_uint_le(p.kernel_end, p.dtb_addr);
			ck_assert_uint_eq(p.dtb_addr % (2 * MiB), 0);
			ck_assert_uint_le(p.dtb_addr + 2 * MiB, RAM + ram);
			if (!initrd)
				continue;
			ck_assert_uint_eq(p.initrd_addr % 4096, 0);
			ck_assert_uint_ge(p.initrd_addr, p.kernel_end);
			ck_assert_uint_le(p.initrd_addr + initrd, p.dtb_addr);
		}
	}
}
END_TEST

START_TEST(test_plan_null)
{
	struct arm64_image_header_info info = { 0, 4096, 0 };
	struct arm64_boot_plan p;

	ck_assert_int_eq(arm64_boot_plan(NULL, RAM, GiB, 0, &p), -EINVAL);
	ck_assert_int_eq(arm64_boot_plan(&info, RAM, GiB, 0, NULL), -EINVAL);
}
END_TEST

static Suite *image_suite(void)
{
	Suite *s = suite_create("arm64_image");
	TCase *parse = tcase_create("parse");
	TCase *plan = tcase_create("boot_plan");

	tcase_add_loop_test(parse, test_parse_table, 0,
			    sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(parse, test_parse_null);
	tcase_add_loop_test(plan, test_plan_table, 0,
			    sizeof(plan_cases) / sizeof(plan_cases[0]));
	tcase_add_test(plan, test_plan_invariants);
	tcase_add_test(plan, test_plan_null);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, plan);
	return s;
}

int main(void)
{
	return unit_run(image_suite());
}
