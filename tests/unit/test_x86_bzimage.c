// SPDX-License-Identifier: MIT
/*
 * The bzImage parser, the zero page and the boot plan, on small fake
 * images synthesized here. The zero page is read back by the offsets
 * zero-page.rst documents, not through the code under test.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/boot_params.h"
#include "arch/x86/bzimage.h"
#include "arch/x86/x86_layout.h"
#include "tests/unit/unit.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

#define SETUP_SECTS 4
#define PAYLOAD_OFF ((SETUP_SECTS + 1) * 512)
#define SYSSIZE 0x100 /* 4 KiB of protected-mode kernel */
#define PAYLOAD_SIZE (SYSSIZE * 16)
#define IMAGE_SIZE (PAYLOAD_OFF + PAYLOAD_SIZE)
#define INIT_SIZE (32 * MiB)
#define PREF_ADDRESS (16 * MiB)
#define ALIGNMENT (2 * MiB)
#define CMDLINE_SIZE 2047
#define INITRD_ADDR_MAX 0x7fffffffU

static void put_le(uint8_t *p, uint64_t v, unsigned int bytes)
{
	for (unsigned int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

/* A bzImage header as a 64-bit Linux 6.x build writes it (protocol 2.15). */
static void make_image(uint8_t *p, size_t len)
{
	memset(p, 0, len);
	p[0x1f1] = SETUP_SECTS;
	put_le(p + 0x1f4, SYSSIZE, 4);
	put_le(p + 0x1fa, 0xffff, 2); /* vid_mode */
	put_le(p + 0x1fe, 0xaa55, 2);
	p[0x200] = 0xeb; /* jmp short */
	p[0x201] = 0x6a; /* header ends at 0x26c */
	memcpy(p + 0x202, "HdrS", 4);
	put_le(p + 0x206, 0x020f, 2);
	put_le(p + 0x214, 0x100000, 4); /* code32_start */
	p[0x211] = 0x01;		/* LOADED_HIGH */
	put_le(p + 0x22c, INITRD_ADDR_MAX, 4);
	put_le(p + 0x230, ALIGNMENT, 4);
	p[0x234] = 1;		    /* relocatable */
	p[0x235] = 21;		    /* min_alignment */
	put_le(p + 0x236, 0x03, 2); /* KERNEL_64 | ABOVE_4G */
	put_le(p + 0x238, CMDLINE_SIZE, 4);
	put_le(p + 0x248, 0x100, 4); /* payload_offset */
	put_le(p + 0x24c, 0x800, 4); /* payload_length */
	put_le(p + 0x258, PREF_ADDRESS, 8);
	put_le(p + 0x260, INIT_SIZE, 4);
	put_le(p + 0x268, 0x1234, 4); /* kernel_info_offset */
	/* Setup code past the header, so a wrong copy length shows. */
	memset(p + 0x26c, 0xcc, PAYLOAD_OFF - 0x26c);
	memset(p + PAYLOAD_OFF, 0x90, len - PAYLOAD_OFF);
}

/* Image edits, one per test case. */
static void bad_boot_flag(uint8_t *p)
{
	p[0x1ff] = 0x55;
}
static void bad_magic(uint8_t *p)
{
	p[0x205] = 's';
}
static void protocol_2_11(uint8_t *p)
{
	put_le(p + 0x206, 0x020b, 2);
}
static void not_64bit(uint8_t *p)
{
	put_le(p + 0x236, 0x02, 2);
}
static void not_loaded_high(uint8_t *p)
{
	p[0x211] = 0x80;
}
static void short_header(uint8_t *p)
{
	p[0x201] = 0x60;
}
static void long_header(uint8_t *p)
{
	p[0x201] = 0xff;
}
static void bad_alignment(uint8_t *p)
{
	put_le(p + 0x230, 0x300000, 4);
}
static void small_init_size(uint8_t *p)
{
	put_le(p + 0x260, 0x100, 4);
}
static void inner_outside(uint8_t *p)
{
	put_le(p + 0x24c, PAYLOAD_SIZE, 4);
}
static void huge_syssize(uint8_t *p)
{
	put_le(p + 0x1f4, 0xffffffff, 4);
}
static void setup_sects_0(uint8_t *p)
{
	p[0x1f1] = 0;
}
static void setup_sects_255(uint8_t *p)
{
	p[0x1f1] = 255;
}

struct parse_case {
	const char *name;
	void (*edit)(uint8_t *p);
	size_t len; /* bytes handed to the parser; 0: IMAGE_SIZE */
	int ret;
	const char *why; /* a word the reason must contain */
};

static const struct parse_case parse_cases[] = {
	{ "good", NULL, 0, 0, NULL },
	{ "trailing signature", NULL, IMAGE_SIZE + 1000, 0, NULL },
	{ "setup_sects 0 means 4", setup_sects_0, 0, 0, NULL },
	{ "header longer than boot_params'", long_header, 0, 0, NULL },
	{ "wrong boot sector signature", bad_boot_flag, 0, -ENOEXEC, "0xAA55" },
	{ "wrong HdrS magic", bad_magic, 0, -ENOEXEC, "HdrS" },
	{ "protocol 2.11", protocol_2_11, 0, -ENOEXEC, "2.12" },
	{ "not 64-bit", not_64bit, 0, -ENOEXEC, "64-bit" },
	{ "zImage", not_loaded_high, 0, -ENOEXEC, "LOADED_HIGH" },
	{ "header shorter than 2.12's", short_header, 0, -ENOEXEC, "2.12" },
	{ "empty", NULL, 1, -ENOEXEC, "truncated" },
	{ "half a boot sector", NULL, 256, -ENOEXEC, "truncated" },
	{ "boot sector only", NULL, 512, -ENOEXEC, "truncated" },
	{ "truncated setup", NULL, PAYLOAD_OFF - 1, -ENOEXEC, "setup" },
	{ "setup_sects past the file", setup_sects_255, 0, -ENOEXEC, "setup" },
	{ "truncated payload", NULL, IMAGE_SIZE - 1, -ENOEXEC, "truncated" },
	{ "syssize past the file", huge_syssize, 0, -ENOEXEC, "truncated" },
	{ "alignment not a power of 2", bad_alignment, 0, -EINVAL, "power" },
	{ "init_size below the kernel", small_init_size, 0, -EINVAL,
	  "init_size" },
	{ "compressed payload outside", inner_outside, 0, -EINVAL, "payload" },
};

START_TEST(test_parse_table)
{
	const struct parse_case *c = &parse_cases[_i];
	size_t len = c->len ? c->len : IMAGE_SIZE;
	size_t alloc = len > IMAGE_SIZE ? len : IMAGE_SIZE;
	/* Exactly @len bytes handed over, at an odd address. */
	uint8_t *mem = malloc(alloc + 1), *img = mem + 1, *copy;
	struct x86_bzimage bz;
	const char *why = NULL;
	int ret;

	ck_assert_ptr_nonnull(mem);
	make_image(img, alloc);
	if (c->edit)
		c->edit(img);
	copy = malloc(len);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, img, len); /* so ASan sees any read past @len */
	memset(&bz, 0x5a, sizeof(bz));
	ret = x86_bzimage_parse(copy, c->len == 1 ? 0 : len, &bz, &why);
	ck_assert_msg(ret == c->ret, "%s: got %d, want %d (%s)", c->name, ret,
		      c->ret, why ? why : "");
	if (c->why) {
		ck_assert_ptr_nonnull(why);
		ck_assert_msg(strstr(why, c->why), "%s: reason \"%s\"", c->name,
			      why);
	} else {
		ck_assert_uint_eq(bz.payload_offset, PAYLOAD_OFF);
		ck_assert_uint_eq(bz.payload_size, PAYLOAD_SIZE);
	}
	free(copy);
	free(mem);
}
END_TEST

static struct x86_bzimage good_image(void)
{
	uint8_t img[IMAGE_SIZE];
	struct x86_bzimage bz;

	make_image(img, sizeof(img));
	ck_assert_int_eq(x86_bzimage_parse(img, sizeof(img), &bz, NULL), 0);
	return bz;
}

START_TEST(test_parse_fields)
{
	struct x86_bzimage bz = good_image();

	ck_assert_uint_eq(bz.version, 0x020f);
	ck_assert_uint_eq(bz.setup_sects, SETUP_SECTS);
	ck_assert_uint_eq(bz.loadflags, 0x01);
	ck_assert_uint_eq(bz.xloadflags, 0x03);
	ck_assert_uint_eq(bz.relocatable, 1);
	ck_assert_uint_eq(bz.kernel_alignment, ALIGNMENT);
	ck_assert_uint_eq(bz.pref_address, PREF_ADDRESS);
	ck_assert_uint_eq(bz.init_size, INIT_SIZE);
	ck_assert_uint_eq(bz.initrd_addr_max, INITRD_ADDR_MAX);
	ck_assert_uint_eq(bz.cmdline_size, CMDLINE_SIZE);
	ck_assert_uint_eq(bz.payload_offset, PAYLOAD_OFF);
	ck_assert_uint_eq(bz.payload_size, PAYLOAD_SIZE);
	ck_assert_uint_eq(bz.hdr_len, 0x26c - 0x1f1);
	ck_assert_uint_eq(bz.hdr[0], SETUP_SECTS);
}
END_TEST

/* Every prefix of a good image is refused or parsed without a stray read. */
START_TEST(test_parse_every_prefix)
{
	uint8_t img[IMAGE_SIZE];
	struct x86_bzimage bz;

	make_image(img, sizeof(img));
	for (size_t len = 0; len <= sizeof(img); len++) {
		uint8_t *copy = malloc(len ? len : 1);
		int ret;

		memcpy(copy, img, len);
		ret = x86_bzimage_parse(copy, len, &bz, NULL);
		ck_assert_int_eq(ret, len == sizeof(img) ? 0 : -ENOEXEC);
		free(copy);
	}
}
END_TEST

START_TEST(test_runtime_start)
{
	struct x86_bzimage bz = good_image();
	uint64_t start;

	ck_assert_int_eq(x86_bzimage_runtime_start(&bz, MiB, &start), 0);
	ck_assert_uint_eq(start, PREF_ADDRESS); /* raised to pref_address */
	ck_assert_int_eq(x86_bzimage_runtime_start(&bz, 17 * MiB, &start), 0);
	ck_assert_uint_eq(start, 18 * MiB); /* aligned up */
	bz.relocatable = 0;
	ck_assert_int_eq(x86_bzimage_runtime_start(&bz, 17 * MiB, &start), 0);
	ck_assert_uint_eq(start, PREF_ADDRESS); /* not relocatable: fixed */
	bz.relocatable = 1;
	ck_assert_int_eq(x86_bzimage_runtime_start(&bz, UINT64_MAX - 5, &start),
			 -ENOSPC);
}
END_TEST

/* The zero page, read back at zero-page.rst's offsets. */
START_TEST(test_boot_params_offsets)
{
	struct x86_bzimage bz = good_image();
	struct x86_boot_params_config cfg = {
		.img = &bz,
		.ram_size = 512 * MiB,
		.cmdline_addr = X86_CMDLINE_ADDR,
		.initrd_addr = 0x123456000ULL,
		.initrd_size = 0x100000789ULL,
		.acpi_rsdp_addr = X86_ACPI_ADDR,
	};
	uint8_t *zp = malloc(X86_ZERO_PAGE_SIZE);

	memset(zp, 0xee, X86_ZERO_PAGE_SIZE);
	ck_assert_int_eq(x86_boot_params_build(&cfg, zp), 0);
	ck_assert_uint_eq(zp[0x000], 0);	   /* screen_info: zero */
	ck_assert_uint_eq(zp[0x1f1], SETUP_SECTS); /* copied header */
	ck_assert_mem_eq(zp + 0x202, "HdrS", 4);
	ck_assert_uint_eq(get_le(zp + 0x206, 2), 0x020f);
	ck_assert_uint_eq(get_le(zp + 0x230, 4), ALIGNMENT);
	ck_assert_uint_eq(get_le(zp + 0x260, 4), INIT_SIZE);
	ck_assert_uint_eq(get_le(zp + 0x268, 4), 0x1234);
	ck_assert_uint_eq(zp[0x26c], 0);		  /* past the header */
	ck_assert_uint_eq(get_le(zp + 0x1fa, 2), 0xffff); /* vid_mode */
	ck_assert_uint_eq(zp[0x210], 0xff);		  /* type_of_loader */
	ck_assert_uint_eq(zp[0x211], 0x81); /* LOADED_HIGH|CAN_USE_HEAP */
	ck_assert_uint_ne(get_le(zp + 0x224, 2), 0); /* heap_end_ptr */
	ck_assert_uint_eq(get_le(zp + 0x228, 4), X86_CMDLINE_ADDR);
	ck_assert_uint_eq(get_le(zp + 0x0c8, 4), 0); /* ext_cmd_line_ptr */
	ck_assert_uint_eq(get_le(zp + 0x218, 4), 0x23456000);
	ck_assert_uint_eq(get_le(zp + 0x0c0, 4), 1); /* ext_ramdisk_image */
	ck_assert_uint_eq(get_le(zp + 0x21c, 4), 0x00000789);
	ck_assert_uint_eq(get_le(zp + 0x0c4, 4), 1); /* ext_ramdisk_size */
	ck_assert_uint_eq(get_le(zp + 0x070, 8), X86_ACPI_ADDR);
	ck_assert_uint_eq(zp[0x1ef], 0); /* sentinel */
	ck_assert_uint_ge(zp[0x1e8], 3); /* e820_entries */
	ck_assert_uint_eq(zp[0xfff], 0);
	free(zp);
}
END_TEST

struct range {
	uint64_t start, end;
	uint32_t type;
};

static unsigned int read_e820(const uint8_t *zp, struct range *r)
{
	unsigned int n = zp[0x1e8];

	ck_assert_uint_le(n, 128);
	for (unsigned int i = 0; i < n; i++) {
		const uint8_t *e = zp + 0x2d0 + 20 * i;

		r[i].start = get_le(e, 8);
		r[i].end = r[i].start + get_le(e + 8, 8);
		r[i].type = (uint32_t)get_le(e + 16, 4);
		ck_assert_uint_gt(r[i].end, r[i].start);
	}
	return n;
}

/* Sorted, no overlaps, RAM exactly [0, 639 KiB) + [1 MiB, ram_size). */
static void check_e820(uint64_t ram_size)
{
	struct x86_bzimage bz = good_image();
	struct x86_boot_params_config cfg = { .img = &bz,
					      .ram_size = ram_size };
	uint8_t zp[X86_ZERO_PAGE_SIZE];
	struct range r[128];
	uint64_t ram = 0, covered = 0;
	unsigned int n;

	ck_assert_int_eq(x86_boot_params_build(&cfg, zp), 0);
	n = read_e820(zp, r);
	for (unsigned int i = 0; i < n; i++) {
		if (i)
			ck_assert_uint_ge(r[i].start, r[i - 1].end);
		if (r[i].type == X86_E820_RAM) {
			ck_assert_uint_le(r[i].end, ram_size);
			ram += r[i].end - r[i].start;
		}
		/* Nothing but RAM and reserved below ram_size, no gaps. */
		if (r[i].start < ram_size) {
			ck_assert_uint_eq(r[i].start, covered);
			covered = r[i].end;
		}
	}
	ck_assert_uint_eq(covered, ram_size);
	ck_assert_uint_eq(ram, ram_size - (0x100000 - 0x9fc00));
	ck_assert_uint_eq(r[0].start, 0);
	ck_assert_uint_eq(r[0].end, 0x9fc00);
	ck_assert_uint_eq(r[1].type, X86_E820_RESERVED); /* holds the ACPI */
	ck_assert_uint_le(r[1].start, X86_ACPI_ADDR);
	ck_assert_uint_ge(r[1].end, X86_ACPI_ADDR + X86_ACPI_MAX);
}

START_TEST(test_e820)
{
	check_e820(X86_RAM_MIN);
	check_e820(512 * MiB);
	check_e820(512 * MiB + 4096);
	check_e820(X86_RAM_MAX);
}
END_TEST

START_TEST(test_e820_refused)
{
	struct x86_e820_entry tab[X86_E820_MAX];
	struct x86_bzimage bz = good_image();
	struct x86_boot_params_config cfg = { .img = &bz, .ram_size = MiB };
	uint8_t zp[X86_ZERO_PAGE_SIZE];

	ck_assert_int_eq(x86_e820_build(X86_RAM_MIN - 1, tab, 128), -EINVAL);
	ck_assert_int_eq(x86_e820_build(X86_RAM_MAX + 1, tab, 128), -EINVAL);
	ck_assert_int_eq(x86_e820_build(512 * MiB, tab, 2), -E2BIG);
	ck_assert_int_gt(x86_e820_build(512 * MiB, tab, 128), 0);
	ck_assert_int_eq(x86_boot_params_build(&cfg, zp), -EINVAL);
	ck_assert_int_eq(x86_boot_params_build(NULL, zp), -EINVAL);
}
END_TEST

struct plan_case {
	const char *name;
	uint64_t ram_size, initrd_size;
	uint32_t initrd_addr_max; /* 0: the image's */
	int relocatable;
	int ret;
	uint64_t limit; /* where the initrd must end below */
};

static const struct plan_case plan_cases[] = {
	{ "fits", 512 * MiB, 10 * MiB, 0, 1, 0, 512 * MiB },
	{ "odd size", 512 * MiB, 10 * MiB + 5, 0, 1, 0, 512 * MiB },
	{ "no initrd", 512 * MiB, 0, 0, 1, 0, 0 },
	{ "below initrd_addr_max", 2 * GiB, 10 * MiB, 0x37ffffff, 1, 0,
	  0x38000000 },
	{ "just fits above the kernel", 64 * MiB, 16 * MiB, 0, 1, 0, 64 * MiB },
	{ "too big for RAM", 512 * MiB, 600 * MiB, 0, 1, -E2BIG, 0 },
	{ "too big above the kernel", 64 * MiB, 16 * MiB + 1, 0, 1, -E2BIG, 0 },
	{ "above initrd_addr_max", 2 * GiB, 64 * MiB, 0x03ffffff, 1, -E2BIG,
	  0 },
	{ "kernel does not fit", 40 * MiB, 0, 0, 1, -ENOSPC, 0 },
	{ "RAM above the hole", X86_RAM_MAX + 1, 0, 0, 1, -EINVAL, 0 },
	{ "not relocatable", 512 * MiB, 10 * MiB, 0, 0, 0, 512 * MiB },
};

START_TEST(test_plan_table)
{
	const struct plan_case *c = &plan_cases[_i];
	struct x86_bzimage bz = good_image();
	struct x86_boot_plan plan;
	const char *why = NULL;
	int ret;

	if (c->initrd_addr_max)
		bz.initrd_addr_max = c->initrd_addr_max;
	bz.relocatable = (uint8_t)c->relocatable;
	ret = x86_boot_plan(&bz, c->ram_size, c->initrd_size, &plan, &why);
	ck_assert_msg(ret == c->ret, "%s: got %d (%s)", c->name, ret,
		      why ? why : "");
	if (ret == -E2BIG)
		ck_assert_ptr_nonnull(strstr(why, "initrd too big"));
	if (ret)
		return;
	ck_assert_uint_eq(plan.kernel_addr, X86_KERNEL_ADDR);
	ck_assert_uint_eq(plan.entry64, X86_KERNEL_ADDR + 0x200);
	ck_assert_uint_eq(plan.kernel_end, PREF_ADDRESS + INIT_SIZE);
	ck_assert_uint_eq(plan.initrd_size, c->initrd_size);
	if (!c->initrd_size) {
		ck_assert_uint_eq(plan.initrd_addr, 0);
		return;
	}
	ck_assert_uint_eq(plan.initrd_addr % 4096, 0);
	ck_assert_uint_ge(plan.initrd_addr, plan.kernel_end);
	ck_assert_uint_le(plan.initrd_addr + c->initrd_size, c->limit);
	/* The highest such address: one page up would pass the limit. */
	ck_assert_uint_gt(plan.initrd_addr + 4096 + c->initrd_size, c->limit);
}
END_TEST

/*
 * The sizes a refusal gives: x86_initrd_room() is exactly the largest
 * initrd x86_boot_plan() accepts, for each case of the plan table where
 * the kernel fits.
 */
START_TEST(test_initrd_room)
{
	const struct plan_case *c = &plan_cases[_i];
	struct x86_bzimage bz = good_image();
	struct x86_boot_plan plan;
	uint64_t end, limit, room;

	if (c->initrd_addr_max)
		bz.initrd_addr_max = c->initrd_addr_max;
	bz.relocatable = (uint8_t)c->relocatable;
	if (c->ret == -ENOSPC || c->ret == -EINVAL)
		return;
	ck_assert_int_eq(x86_boot_bounds(&bz, c->ram_size, &end, &limit), 0);
	ck_assert_uint_eq(end, PREF_ADDRESS + INIT_SIZE);
	room = x86_initrd_room(end, limit);
	ck_assert_msg(room > 0, "%s: no room", c->name);
	ck_assert_msg(!x86_boot_plan(&bz, c->ram_size, room, &plan, NULL),
		      "%s: %llu bytes of room refused", c->name,
		      (unsigned long long)room);
	ck_assert_msg(x86_boot_plan(&bz, c->ram_size, room + 1, &plan, NULL) ==
			      -E2BIG,
		      "%s: room + 1 accepted", c->name);
	/* The plan table's own "just fits" case: 16 MiB above a 48 MiB end. */
	if (!strcmp(c->name, "just fits above the kernel"))
		ck_assert_uint_eq(room, 16 * MiB);
}
END_TEST

START_TEST(test_initrd_room_edges)
{
	ck_assert_uint_eq(x86_initrd_room(0x1001, 0x3000), 0x1000);
	ck_assert_uint_eq(x86_initrd_room(0x1000, 0x3000), 0x2000);
	ck_assert_uint_eq(x86_initrd_room(0x3000, 0x3000), 0);
	ck_assert_uint_eq(x86_initrd_room(0x2001, 0x3000), 0);
	ck_assert_uint_eq(x86_initrd_room(UINT64_MAX - 5, UINT64_MAX), 0);
}
END_TEST

START_TEST(test_cmdline)
{
	struct x86_bzimage bz = good_image();
	const char *why = NULL;

	ck_assert_int_eq(x86_cmdline_check(&bz, 0, &why), 0);
	ck_assert_int_eq(x86_cmdline_check(&bz, CMDLINE_SIZE, &why), 0);
	ck_assert_int_eq(x86_cmdline_check(&bz, CMDLINE_SIZE + 1, &why),
			 -E2BIG);
	ck_assert_ptr_nonnull(strstr(why, "cmdline_size"));
	bz.cmdline_size = 0xffffffff;
	ck_assert_int_eq(x86_cmdline_check(&bz, X86_CMDLINE_MAX - 1, NULL), 0);
	ck_assert_int_eq(x86_cmdline_check(&bz, X86_CMDLINE_MAX, &why), -E2BIG);
}
END_TEST

static Suite *x86_bzimage_suite(void)
{
	Suite *s = suite_create("x86_bzimage");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_initrd_room, 0,
			    sizeof(plan_cases) / sizeof(plan_cases[0]));
	tcase_add_test(tc, test_initrd_room_edges);
	tcase_add_loop_test(tc, test_parse_table, 0,
			    sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(tc, test_parse_fields);
	tcase_add_test(tc, test_parse_every_prefix);
	tcase_add_test(tc, test_runtime_start);
	tcase_add_test(tc, test_boot_params_offsets);
	tcase_add_test(tc, test_e820);
	tcase_add_test(tc, test_e820_refused);
	tcase_add_loop_test(tc, test_plan_table, 0,
			    sizeof(plan_cases) / sizeof(plan_cases[0]));
	tcase_add_test(tc, test_cmdline);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(x86_bzimage_suite());
}
