// SPDX-License-Identifier: MIT
/*
 * The arm64 kernel loader: the Image header parser and boot planner
 * (table-driven), format detection, the gzip inflater, the ELF parser, and
 * arm64_kernel_load() end to end into guest memory for each format.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "arch/arm64/elf_load.h"
#include "arch/arm64/gunzip.h"
#include "arch/arm64/image.h"
#include "arch/arm64/kernel_format.h"
#include "arch/arm64/kernel_load.h"
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

/*
 * arm64_initrd_room(), which "initrd does not fit" refusals print, is
 * exactly the largest initrd the plan takes.
 */
START_TEST(test_initrd_room)
{
	struct arm64_image_header_info info = { .text_offset = 0x80000 };

	for (uint64_t ram = 6 * MiB; ram <= 64 * MiB; ram += 3 * MiB + 4096) {
		for (uint64_t image = 4096; image < 3 * MiB;
		     image += 512 * 1024 + 1) {
			struct arm64_boot_plan p, q;
			uint64_t room;

			info.image_size = image;
			if (arm64_boot_plan(&info, RAM, ram, 0, &p))
				continue;
			room = arm64_initrd_room(&p);
			ck_assert_msg(room > 0, "ram %llu image %llu",
				      (unsigned long long)ram,
				      (unsigned long long)image);
			ck_assert_int_eq(
				arm64_boot_plan(&info, RAM, ram, room, &q), 0);
			ck_assert_uint_eq(arm64_initrd_room(&q), room);
			ck_assert_int_eq(
				arm64_boot_plan(&info, RAM, ram, room + 1, &q),
				-ENOSPC);
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

/* --- Format detection --------------------------------------------------- */

START_TEST(test_format)
{
	uint8_t b[128] = { 0 };

	ck_assert_int_eq(arm64_kernel_format(b, 0), ARM64_KERNEL_RAW);
	ck_assert_int_eq(arm64_kernel_format(b, sizeof(b)), ARM64_KERNEL_RAW);
	make_header(b, 0, 4096, 0);
	ck_assert_int_eq(arm64_kernel_format(b, 64), ARM64_KERNEL_IMAGE);
	/* The magic needs the whole header: 63 bytes are raw. */
	ck_assert_int_eq(arm64_kernel_format(b, 63), ARM64_KERNEL_RAW);
	memset(b, 0, sizeof(b));
	memcpy(b, "\x1f\x8b\x08", 3);
	ck_assert_int_eq(arm64_kernel_format(b, 3), ARM64_KERNEL_GZIP);
	ck_assert_int_eq(arm64_kernel_format(b, 2), ARM64_KERNEL_RAW);
	b[2] = 9; /* not deflate: no gzip tinyvmm could read */
	ck_assert_int_eq(arm64_kernel_format(b, 64), ARM64_KERNEL_RAW);
	memcpy(b,
	       "\x7f"
	       "ELF",
	       4);
	ck_assert_int_eq(arm64_kernel_format(b, 4), ARM64_KERNEL_ELF);
	ck_assert_int_eq(arm64_kernel_format(b, 3), ARM64_KERNEL_RAW);
	ck_assert_str_eq(arm64_kernel_format_name(ARM64_KERNEL_RAW),
			 "raw binary");
}
END_TEST

/* --- gzip --------------------------------------------------------------- */

/* @len bytes of @src gzip'd by zlib; *@out_len is the stream's length. */
static uint8_t *gzip_of(const void *src, size_t len, size_t *out_len)
{
	z_stream zs = { 0 };
	size_t cap = len + len / 100 + 1024;
	uint8_t *out = malloc(cap);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(deflateInit2(&zs, 9, Z_DEFLATED, 16 + MAX_WBITS, 9,
				      Z_DEFAULT_STRATEGY),
			 Z_OK);
	zs.next_in = (Bytef *)(uintptr_t)src;
	zs.avail_in = (uInt)len;
	zs.next_out = out;
	zs.avail_out = (uInt)cap;
	ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
	*out_len = zs.total_out;
	deflateEnd(&zs);
	return out;
}

/* Bytes that do not compress to nothing: a little LCG. */
static void fill_pattern(uint8_t *p, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}

START_TEST(test_gunzip_roundtrip)
{
	size_t len = 3 * MiB + 123, zlen, out_len = 0;
	uint8_t *src = malloc(len), *z, *out = NULL;

	ck_assert_ptr_nonnull(src);
	fill_pattern(src, len, 1);
	memset(src + MiB, 0, MiB); /* and a run that compresses well */
	z = gzip_of(src, len, &zlen);
	ck_assert_int_eq(arm64_gunzip(z, zlen, len, &out, &out_len), 0);
	ck_assert_uint_eq(out_len, len);
	ck_assert(!memcmp(out, src, len));
	free(out);
	/* One byte under the size it inflates to: refused. */
	out = NULL;
	ck_assert_int_eq(arm64_gunzip(z, zlen, len - 1, &out, &out_len),
			 -EFBIG);
	ck_assert_ptr_null(out);
	ck_assert_int_eq(arm64_gunzip(NULL, zlen, len, &out, &out_len),
			 -EINVAL);
	ck_assert_int_eq(arm64_gunzip(z, 0, len, &out, &out_len), -ENODATA);
	free(z);
	free(src);
}
END_TEST

/* Every cut of the stream short of its end is refused, never read past. */
START_TEST(test_gunzip_truncated)
{
	size_t len = 200000, zlen, out_len;
	uint8_t *src = malloc(len), *z, *out = NULL;

	ck_assert_ptr_nonnull(src);
	fill_pattern(src, len, 2);
	z = gzip_of(src, len, &zlen);
	for (size_t cut = 1; cut < zlen; cut += cut < 64 ? 1 : 997) {
		/* A copy of its own size: ASan sees any read past the cut. */
		uint8_t *part = malloc(cut);
		int ret;

		ck_assert_ptr_nonnull(part);
		memcpy(part, z, cut);
		ret = arm64_gunzip(part, cut, len, &out, &out_len);
		ck_assert_msg(ret == -ENODATA || ret == -EBADMSG,
			      "cut at %zu of %zu: %d", cut, zlen, ret);
		free(part);
	}
	/* The last 8 bytes (CRC, length) missing: truncated, not corrupt. */
	ck_assert_int_eq(arm64_gunzip(z, zlen - 8, len, &out, &out_len),
			 -ENODATA);
	ck_assert_int_eq(arm64_gunzip(z, zlen - 1, len, &out, &out_len),
			 -ENODATA);
	ck_assert_str_eq(arm64_gunzip_strerror(-ENODATA),
			 "the gzip stream is truncated");
	free(z);
	free(src);
}
END_TEST

START_TEST(test_gunzip_corrupt)
{
	size_t len = 100000, zlen, out_len;
	uint8_t *src = malloc(len), *z, *out = NULL;

	ck_assert_ptr_nonnull(src);
	fill_pattern(src, len, 3);
	z = gzip_of(src, len, &zlen);
	z[zlen - 6] ^= 0xff; /* the CRC-32 */
	ck_assert_int_eq(arm64_gunzip(z, zlen, len, &out, &out_len), -EBADMSG);
	z[zlen - 6] ^= 0xff;
	z[zlen - 2] ^= 0x01; /* ISIZE, the length mod 2^32 */
	ck_assert_int_eq(arm64_gunzip(z, zlen, len, &out, &out_len), -EBADMSG);
	z[zlen - 2] ^= 0x01;
	z[3] = 0xe0; /* reserved header flag bits */
	ck_assert_int_eq(arm64_gunzip(z, zlen, len, &out, &out_len), -EBADMSG);
	free(z);
	free(src);
}
END_TEST

/* 256 MiB of zeros in ~250 KiB: refused at the limit, not inflated. */
START_TEST(test_gunzip_bomb)
{
	size_t len = 256 * MiB, zlen, out_len;
	uint8_t *zeros = calloc(1, len), *z, *out = NULL;

	ck_assert_ptr_nonnull(zeros);
	z = gzip_of(zeros, len, &zlen);
	free(zeros);
	ck_assert_uint_lt(zlen, MiB);
	ck_assert_int_eq(arm64_gunzip(z, zlen, 16 * MiB, &out, &out_len),
			 -EFBIG);
	ck_assert_ptr_null(out);
	ck_assert_str_eq(arm64_gunzip_strerror(-EFBIG),
			 "decompresses to more than guest RAM can hold");
	free(z);
}
END_TEST

START_TEST(test_gunzip_trailing)
{
	size_t len = 5000, zlen, out_len = 0;
	uint8_t *src = malloc(len), *z, *padded, *out = NULL;

	ck_assert_ptr_nonnull(src);
	fill_pattern(src, len, 4);
	z = gzip_of(src, len, &zlen);
	padded = calloc(1, zlen + 4096);
	ck_assert_ptr_nonnull(padded);
	memcpy(padded, z, zlen);
	/* Zero padding after the member is fine... */
	ck_assert_int_eq(arm64_gunzip(padded, zlen + 4096, len, &out, &out_len),
			 0);
	ck_assert_uint_eq(out_len, len);
	free(out);
	/* ...other data (a second member, garbage) is not. */
	padded[zlen + 100] = 1;
	ck_assert_int_eq(arm64_gunzip(padded, zlen + 4096, len, &out, &out_len),
			 -EBADMSG);
	free(padded);
	free(z);
	free(src);
}
END_TEST

/* --- ELF ---------------------------------------------------------------- */

struct phdr {
	uint32_t type;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

#define ELF_PHOFF 64
#define PT_LOAD 1

/* An ELF64 arm64 ET_EXEC header and program headers into @b. */
static void make_elf(uint8_t *b, uint64_t entry, const struct phdr *ph,
		     unsigned int n)
{
	memset(b, 0, ELF_PHOFF + 56 * n);
	memcpy(b,
	       "\x7f"
	       "ELF",
	       4);
	b[4] = 2;		/* ELFCLASS64 */
	b[5] = 1;		/* ELFDATA2LSB */
	b[6] = 1;		/* EV_CURRENT */
	put_le(b + 16, 2, 2);	/* ET_EXEC */
	put_le(b + 18, 183, 2); /* EM_AARCH64 */
	put_le(b + 20, 1, 4);
	put_le(b + 24, entry, 8);
	put_le(b + 32, ELF_PHOFF, 8);
	put_le(b + 52, 64, 2); /* e_ehsize */
	put_le(b + 54, 56, 2); /* e_phentsize */
	put_le(b + 56, n, 2);
	for (unsigned int i = 0; i < n; i++) {
		uint8_t *p = b + ELF_PHOFF + 56 * i;

		put_le(p, ph[i].type, 4);
		put_le(p + 4, 5, 4); /* R X */
		put_le(p + 8, ph[i].offset, 8);
		put_le(p + 16, ph[i].vaddr, 8);
		put_le(p + 24, ph[i].paddr, 8);
		put_le(p + 32, ph[i].filesz, 8);
		put_le(p + 40, ph[i].memsz, 8);
		put_le(p + 48, 4096, 8);
	}
}

#define ELF_FILE 0x3000 /* bytes in each test file */
#define ERAM (16 * MiB)
#define SEG(o, pa, fs, ms)                           \
	{                                            \
		PT_LOAD, (o), (pa), (pa), (fs), (ms) \
	}

struct elf_case {
	const char *name;
	uint64_t entry;
	struct phdr ph[3];
	unsigned int n;
	unsigned int poke_at, poke; /* header byte to change first, if any */
	int ret;
	const char *why; /* a word the reason must contain */
	uint64_t want_entry, want_low, want_high;
};

static const struct elf_case elf_cases[] = {
	{ .name = "text and data+bss",
	  .entry = RAM + 0x1000,
	  .ph = { SEG(0x1000, RAM + 0x1000, 0x1000, 0x1000),
		  SEG(0x2000, RAM + 0x4000, 0x800, 0x5000) },
	  .n = 2,
	  .want_entry = RAM + 0x1000,
	  .want_low = RAM + 0x1000,
	  .want_high = RAM + 0x9000 },
	{ .name = "vaddr differs: entry is translated",
	  .entry = 0xffff800000001010ULL,
	  .ph = { { PT_LOAD, 0x1000, 0xffff800000001000ULL, RAM + 0x200000,
		    0x1000, 0x1000 } },
	  .n = 1,
	  .want_entry = RAM + 0x200010,
	  .want_low = RAM + 0x200000,
	  .want_high = RAM + 0x201000 },
	{ .name = "non-LOAD and empty segments are skipped",
	  .entry = RAM,
	  .ph = { { 4, 0x5000000, 0, 0, 0x100, 0x100 }, /* PT_NOTE */
		  SEG(0x1000, 0, 0, 0),
		  SEG(0x1000, RAM, 0x100, 0x100) },
	  .n = 3,
	  .want_entry = RAM,
	  .want_low = RAM,
	  .want_high = RAM + 0x100 },
	{ .name = "big-endian",
	  .poke_at = 5,
	  .poke = 2,
	  .n = 1,
	  .ret = -ENOEXEC,
	  .why = "big-endian" },
	{ .name = "ELF32",
	  .poke_at = 4,
	  .poke = 1,
	  .n = 1,
	  .ret = -ENOEXEC,
	  .why = "64-bit" },
	{ .name = "wrong machine (x86_64)",
	  .poke_at = 18,
	  .poke = 62,
	  .n = 1,
	  .ret = -ENOEXEC,
	  .why = "EM_AARCH64" },
	{ .name = "a relocatable object",
	  .poke_at = 16,
	  .poke = 1,
	  .n = 1,
	  .ret = -ENOEXEC,
	  .why = "executable" },
	{ .name = "segment data past the end of the file",
	  .entry = RAM,
	  .ph = { SEG(0x2000, RAM, 0x1001, 0x2000) },
	  .n = 1,
	  .ret = -EINVAL,
	  .why = "end of the file" },
	{ .name = "segment offset wraps",
	  .entry = RAM,
	  .ph = { SEG(UINT64_MAX - 10, RAM, 0x100, 0x100) },
	  .n = 1,
	  .ret = -EINVAL,
	  .why = "end of the file" },
	{ .name = "p_filesz > p_memsz",
	  .entry = RAM,
	  .ph = { SEG(0x1000, RAM, 0x200, 0x100) },
	  .n = 1,
	  .ret = -EINVAL,
	  .why = "p_memsz" },
	{ .name = "segment below RAM",
	  .entry = RAM - 0x1000,
	  .ph = { SEG(0x1000, RAM - 0x1000, 0x100, 0x100) },
	  .n = 1,
	  .ret = -ENOSPC,
	  .why = "outside guest RAM" },
	{ .name = "segment (its bss) past the end of RAM",
	  .entry = RAM,
	  .ph = { SEG(0x1000, RAM + ERAM - 0x1000, 0x100, 0x1001) },
	  .n = 1,
	  .ret = -ENOSPC,
	  .why = "outside guest RAM" },
	{ .name = "segment wraps past 2^64",
	  .entry = RAM,
	  .ph = { SEG(0x1000, UINT64_MAX - 0xff, 0x100, 0x200) },
	  .n = 1,
	  .ret = -ENOSPC,
	  .why = "outside guest RAM" },
	{ .name = "overlapping segments",
	  .entry = RAM,
	  .ph = { SEG(0x1000, RAM, 0x1000, 0x1000),
		  SEG(0x2000, RAM + 0xfff, 0x10, 0x10) },
	  .n = 2,
	  .ret = -EINVAL,
	  .why = "overlap" },
	{ .name = "entry outside every segment",
	  .entry = RAM + 0x100000,
	  .ph = { SEG(0x1000, RAM, 0x1000, 0x1000) },
	  .n = 1,
	  .ret = -EINVAL,
	  .why = "entry point" },
	{ .name = "entry in the bss, not in file data",
	  .entry = RAM + 0x1000,
	  .ph = { SEG(0x1000, RAM, 0x1000, 0x2000) },
	  .n = 1,
	  .ret = -EINVAL,
	  .why = "entry point" },
	{ .name = "entry not 4-byte aligned",
	  .entry = RAM + 2,
	  .ph = { SEG(0x1000, RAM, 0x1000, 0x1000) },
	  .n = 1,
	  .ret = -EINVAL,
	  .why = "aligned" },
	{ .name = "no PT_LOAD",
	  .entry = RAM,
	  .ph = { { 4, 0x1000, RAM, RAM, 0x100, 0x100 } },
	  .n = 1,
	  .ret = -EINVAL,
	  .why = "PT_LOAD" },
	{ .name = "no program headers",
	  .entry = RAM,
	  .n = 0,
	  .ret = -EINVAL,
	  .why = "program headers" },
	{ .name = "e_phentsize not 56",
	  .entry = RAM,
	  .ph = { SEG(0x1000, RAM, 0x100, 0x100) },
	  .n = 1,
	  .poke_at = 54,
	  .poke = 32,
	  .ret = -EINVAL,
	  .why = "e_phentsize" },
	{ .name = "program header table past the end of the file",
	  .entry = RAM,
	  .ph = { SEG(0x1000, RAM, 0x100, 0x100) },
	  .n = 1,
	  .poke_at = 33, /* e_phoff += 0x3000 - 0x40 + 0x100 */
	  .poke = 0x31,
	  .ret = -EINVAL,
	  .why = "program header table" },
};

START_TEST(test_elf_table)
{
	const struct elf_case *c = &elf_cases[_i];
	/* +1: parse at an odd address to catch aligned-load assumptions. */
	uint8_t *mem = calloc(1, ELF_FILE + 1), *b = mem + 1;
	struct arm64_elf_info info = { .entry = 42 };
	const char *why = NULL;
	int ret;

	ck_assert_ptr_nonnull(mem);
	make_elf(b, c->entry, c->ph, c->n);
	if (c->poke_at)
		b[c->poke_at] = (uint8_t)c->poke;
	ret = arm64_elf_parse(b, ELF_FILE, ELF_FILE, RAM, ERAM, &info, &why);
	ck_assert_msg(ret == c->ret, "%s: ret %d (%s), want %d", c->name, ret,
		      why ? why : "-", c->ret);
	if (ret) {
		ck_assert_ptr_nonnull(why);
		ck_assert_msg(strstr(why, c->why), "%s: reason \"%s\"", c->name,
			      why);
		ck_assert_uint_eq(info.entry, 42); /* left alone */
	} else {
		ck_assert_uint_eq(info.entry, c->want_entry);
		ck_assert_uint_eq(info.low, c->want_low);
		ck_assert_uint_eq(info.high, c->want_high);
	}
	free(mem);
}
END_TEST

START_TEST(test_elf_too_many_segments)
{
	struct phdr ph[ARM64_ELF_MAX_SEGMENTS + 1];
	uint8_t *b = calloc(1, ELF_FILE);
	struct arm64_elf_info info;
	const char *why = NULL;
	unsigned int n = ARM64_ELF_MAX_SEGMENTS + 1;

	ck_assert_ptr_nonnull(b);
	for (unsigned int i = 0; i < n; i++)
		ph[i] = (struct phdr)SEG(0x1000, RAM + 0x1000 * i, 0x10, 0x10);
	make_elf(b, RAM, ph, n);
	ck_assert_int_eq(
		arm64_elf_parse(b, ELF_FILE, ELF_FILE, RAM, ERAM, &info, &why),
		-E2BIG);
	/* Exactly the maximum loads. */
	make_elf(b, RAM, ph, n - 1);
	ck_assert_int_eq(
		arm64_elf_parse(b, ELF_FILE, ELF_FILE, RAM, ERAM, &info, &why),
		0);
	ck_assert_uint_eq(info.nr_segments, ARM64_ELF_MAX_SEGMENTS);
	free(b);
}
END_TEST

/* The loader reads a file's first bytes only: headers beyond are refused. */
START_TEST(test_elf_headers_beyond_read)
{
	struct phdr ph[1] = { SEG(0x1000, RAM, 0x10, 0x10) };
	uint8_t b[ELF_PHOFF + 56];
	struct arm64_elf_info info;
	const char *why = NULL;

	make_elf(b, RAM, ph, 1);
	ck_assert_int_eq(arm64_elf_parse(b, ELF_PHOFF + 55, ELF_FILE, RAM, ERAM,
					 &info, &why),
			 -E2BIG);
	ck_assert_int_eq(
		arm64_elf_parse(b, 63, ELF_FILE, RAM, ERAM, &info, &why),
		-ENOEXEC);
	ck_assert_int_eq(
		arm64_elf_parse(b, sizeof(b), 1, RAM, ERAM, &info, &why),
		-EINVAL); /* len > file_size */
}
END_TEST

/* --- arm64_kernel_load(), end to end into guest memory ----------------- */

#define LRAM (32 * MiB)

static struct guest_mem lmem;

static void mem_setup(void)
{
	memset(&lmem, 0, sizeof(lmem));
	ck_assert_int_eq(guest_mem_add(&lmem, RAM, LRAM), 0);
	/* Not zero: the ELF loader must zero its bss itself. */
	memset(guest_mem_ptr(&lmem, RAM, LRAM), 0xaa, LRAM);
}

static struct boot_src src_of(const void *p, size_t len)
{
	return (struct boot_src){ .what = "--kernel",
				  .path = "test",
				  .fd = -1,
				  .mem = p,
				  .size = len };
}

static const uint8_t *at(uint64_t gpa, uint64_t len)
{
	const uint8_t *p = guest_mem_ptr(&lmem, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* An Image of @len bytes, text_offset 0, image_size @len + 64 KiB. */
static uint8_t *make_image(size_t len)
{
	uint8_t *img = malloc(len);

	ck_assert_ptr_nonnull(img);
	fill_pattern(img, len, 5);
	make_header(img, 0, len + 0x10000, 0xa);
	return img;
}

START_TEST(test_load_image)
{
	size_t len = 100000;
	uint8_t *img = make_image(len);
	struct boot_src k = src_of(img, len), rd = src_of("initrd", 6);
	struct arm64_kernel_load r;

	mem_setup();
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &rd, &r), 0);
	ck_assert_int_eq(r.format, ARM64_KERNEL_IMAGE);
	ck_assert_int_eq(r.gzipped, 0);
	ck_assert_uint_eq(r.entry, RAM);
	ck_assert(!memcmp(at(RAM, len), img, len));
	ck_assert(!memcmp(at(r.plan.initrd_addr, 6), "initrd", 6));
	ck_assert_uint_eq(r.plan.dtb_addr, RAM + LRAM - 2 * MiB);
	guest_mem_destroy(&lmem);
	free(img);
}
END_TEST

START_TEST(test_load_gzip_image)
{
	size_t len = 2 * MiB + 4321, zlen;
	uint8_t *img = make_image(len), *z = gzip_of(img, len, &zlen);
	struct boot_src k = src_of(z, zlen), none = BOOT_SRC_NONE;
	struct arm64_kernel_load r;

	mem_setup();
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r), 0);
	ck_assert_int_eq(r.format, ARM64_KERNEL_IMAGE);
	ck_assert_int_eq(r.gzipped, 1);
	ck_assert_uint_eq(r.entry, RAM);
	ck_assert(!memcmp(at(RAM, len), img, len));
	guest_mem_destroy(&lmem);
	free(z);
	free(img);
}
END_TEST

START_TEST(test_load_elf)
{
	uint8_t *b = calloc(1, ELF_FILE);
	struct phdr ph[2] = { SEG(0x1000, RAM + 0x80000, 0x1000, 0x1000),
			      SEG(0x2000, RAM + 0x100000, 0x800, 0x3000) };
	struct boot_src k = src_of(b, ELF_FILE), rd = src_of("rd", 2);
	struct arm64_kernel_load r;

	ck_assert_ptr_nonnull(b);
	make_elf(b, RAM + 0x80000, ph, 2);
	fill_pattern(b + 0x1000, 0x2000, 6);
	mem_setup();
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &rd, &r), 0);
	ck_assert_int_eq(r.format, ARM64_KERNEL_ELF);
	ck_assert_uint_eq(r.entry, RAM + 0x80000);
	ck_assert(!memcmp(at(RAM + 0x80000, 0x1000), b + 0x1000, 0x1000));
	ck_assert(!memcmp(at(RAM + 0x100000, 0x800), b + 0x2000, 0x800));
	/* The bss is zeroed; the bytes around the segments are untouched. */
	for (uint64_t i = 0x800; i < 0x3000; i++)
		ck_assert_uint_eq(at(RAM + 0x100000 + i, 1)[0], 0);
	ck_assert_uint_eq(at(RAM + 0x7ffff, 1)[0], 0xaa);
	ck_assert_uint_eq(at(RAM + 0x103000, 1)[0], 0xaa);
	/* The initrd lands above the last segment, below the tree. */
	ck_assert_uint_ge(r.plan.initrd_addr, RAM + 0x103000);
	ck_assert_uint_le(r.plan.initrd_addr + 2, r.plan.dtb_addr);

	/* A segment where the device tree goes is refused. */
	ph[1].paddr = ph[1].vaddr = RAM + LRAM - MiB;
	make_elf(b, RAM + 0x80000, ph, 2);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &rd, &r),
			 -ENOSPC);
	guest_mem_destroy(&lmem);
	free(b);
}
END_TEST

START_TEST(test_load_raw)
{
	size_t len = 5000, zlen;
	uint8_t *raw = malloc(len), *z;
	struct boot_src k = src_of(raw, len), none = BOOT_SRC_NONE;
	struct arm64_kernel_load r;

	ck_assert_ptr_nonnull(raw);
	fill_pattern(raw, len, 7);
	raw[0] = 0; /* no magic of any format */
	mem_setup();
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r), 0);
	ck_assert_int_eq(r.format, ARM64_KERNEL_RAW);
	ck_assert_uint_eq(r.entry, RAM + 0x80000);
	ck_assert(!memcmp(at(RAM + 0x80000, len), raw, len));
	ck_assert_uint_eq(at(RAM + 0x7ffff, 1)[0], 0xaa);
	/* A gzip'd raw binary is raw once inflated. */
	z = gzip_of(raw, len, &zlen);
	k = src_of(z, zlen);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r), 0);
	ck_assert_int_eq(r.format, ARM64_KERNEL_RAW);
	ck_assert_int_eq(r.gzipped, 1);
	ck_assert(!memcmp(at(RAM + 0x80000, len), raw, len));
	/* A tiny file (shorter than any magic) is raw too. */
	k = src_of("\x00\x00\x00\x14", 4);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r), 0);
	ck_assert_int_eq(r.format, ARM64_KERNEL_RAW);
	guest_mem_destroy(&lmem);
	free(z);
	free(raw);
}
END_TEST

START_TEST(test_load_refusals)
{
	size_t big = LRAM, zlen, zzlen;
	uint8_t *zeros = calloc(1, big + MiB), *bomb, *twice;
	struct boot_src k, none = BOOT_SRC_NONE;
	struct arm64_kernel_load r = { .entry = 42 };

	ck_assert_ptr_nonnull(zeros);
	mem_setup();
	/* Empty. */
	k = src_of(zeros, 0);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r),
			 -ENOEXEC);
	/* A raw binary bigger than RAM (less the 0x80000 and the tree). */
	k = src_of(zeros, LRAM - 2 * MiB - 0x80000 + 1);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r),
			 -ENOSPC);
	/* A gzip bomb: inflates past guest RAM. */
	bomb = gzip_of(zeros, big + MiB, &zlen);
	k = src_of(bomb, zlen);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r),
			 -EFBIG);
	/* A truncated gzip. */
	k = src_of(bomb, zlen / 2);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r),
			 -ENODATA);
	/* gzip inside gzip. */
	twice = gzip_of(bomb, zlen, &zzlen);
	k = src_of(twice, zzlen);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r),
			 -EINVAL);
	/* An empty gzip stream. */
	free(twice);
	twice = gzip_of(zeros, 0, &zzlen);
	k = src_of(twice, zzlen);
	ck_assert_int_eq(arm64_kernel_load(&lmem, RAM, LRAM, &k, &none, &r),
			 -ENOEXEC);
	ck_assert_uint_eq(r.entry, 42); /* never written on failure */
	guest_mem_destroy(&lmem);
	free(twice);
	free(bomb);
	free(zeros);
}
END_TEST

static Suite *image_suite(void)
{
	Suite *s = suite_create("arm64_image");
	TCase *parse = tcase_create("parse");
	TCase *plan = tcase_create("boot_plan");
	TCase *format = tcase_create("format");
	TCase *gz = tcase_create("gunzip");
	TCase *elf = tcase_create("elf");
	TCase *load = tcase_create("kernel_load");

	tcase_add_loop_test(parse, test_parse_table, 0,
			    sizeof(parse_cases) / sizeof(parse_cases[0]));
	tcase_add_test(parse, test_parse_null);
	tcase_add_loop_test(plan, test_plan_table, 0,
			    sizeof(plan_cases) / sizeof(plan_cases[0]));
	tcase_add_test(plan, test_plan_invariants);
	tcase_add_test(plan, test_plan_null);
	tcase_add_test(plan, test_initrd_room);
	tcase_add_test(format, test_format);
	tcase_add_test(gz, test_gunzip_roundtrip);
	tcase_add_test(gz, test_gunzip_truncated);
	tcase_add_test(gz, test_gunzip_corrupt);
	tcase_add_test(gz, test_gunzip_bomb);
	tcase_add_test(gz, test_gunzip_trailing);
	tcase_add_loop_test(elf, test_elf_table, 0,
			    sizeof(elf_cases) / sizeof(elf_cases[0]));
	tcase_add_test(elf, test_elf_too_many_segments);
	tcase_add_test(elf, test_elf_headers_beyond_read);
	tcase_add_test(load, test_load_image);
	tcase_add_test(load, test_load_gzip_image);
	tcase_add_test(load, test_load_elf);
	tcase_add_test(load, test_load_raw);
	tcase_add_test(load, test_load_refusals);
	tcase_set_timeout(gz, 30);
	tcase_set_timeout(load, 30);
	suite_add_tcase(s, parse);
	suite_add_tcase(s, plan);
	suite_add_tcase(s, format);
	suite_add_tcase(s, gz);
	suite_add_tcase(s, elf);
	suite_add_tcase(s, load);
	return s;
}

int main(void)
{
	return unit_run(image_suite());
}
