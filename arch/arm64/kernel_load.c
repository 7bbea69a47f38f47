// SPDX-License-Identifier: MIT
/*
 * --kernel into guest RAM, by format (kernel_load.h). The Image path is
 * booting.rst's; gzip unwraps to one of the others; ELF goes by program
 * headers (elf_load.h); a raw binary is copied whole to RAM base +
 * 0x80000 and entered at its first byte, as kvmtool does for
 * kvm-unit-tests' .flat files.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/elf_load.h"
#include "arch/arm64/gunzip.h"
#include "arch/arm64/kernel_load.h"

/* An ELF's headers must be within this much of its start (see load_elf). */
#define ELF_HEAD_MAX (64U << 10)

/* The RAM and the files, passed down together. */
struct load_ctx {
	const struct guest_mem *mem;
	uint64_t ram_base, ram_size;
	const struct boot_src *kernel, *initrd;
};

static uint64_t round_up_mib(uint64_t v)
{
	return (v >> 20) + ((v & ((1 << 20) - 1)) != 0);
}

static int read_image_header(const struct boot_src *k,
			     struct arm64_image_header_info *info)
{
	uint8_t hdr[ARM64_IMAGE_HEADER_SIZE];
	int ret = boot_src_read(k, hdr, sizeof(hdr), 0);

	if (ret)
		return ret;
	ret = arm64_image_parse(hdr, sizeof(hdr), info);
	if (ret) {
		tv_err("%s %s: the arm64 Image header is inconsistent "
		       "(big-endian kernel, or text_offset/image_size invalid)",
		       k->what, k->path);
		return ret;
	}
	/* Before Linux 3.17 image_size was 0: the file is all there is. */
	if (!memcmp(hdr + 16, "\0\0\0\0\0\0\0\0", 8))
		info->image_size = k->size;
	/* The header's image_size must also cover the file itself. */
	if (info->image_size < k->size) {
		tv_err("%s %s: header says %" PRIu64 " bytes but the file "
		       "has %" PRIu64,
		       k->what, k->path, info->image_size, k->size);
		return -EINVAL;
	}
	return 0;
}

/*
 * What arm64_boot_plan() needs for a kernel ending at @end: RAM up to the
 * next 2 MiB boundary, then the tree's 2 MiB block. 0 when that wraps.
 */
static uint64_t ram_needed(uint64_t end)
{
	uint64_t need;

	if (__builtin_add_overflow(end, ARM64_IMAGE_ALIGN - 1, &need))
		return 0;
	need &= ~(ARM64_IMAGE_ALIGN - 1);
	if (__builtin_add_overflow(need, ARM64_DTB_MAX_SIZE, &need))
		return 0;
	return need;
}

/* The kernel and tree fit, the initrd does not: both sizes. */
static void report_initrd_no_room(const struct load_ctx *c,
				  const struct arm64_image_header_info *info)
{
	struct arm64_boot_plan p = { 0 };

	if (arm64_boot_plan(info, c->ram_base, c->ram_size, 0, &p))
		p = (struct arm64_boot_plan){ 0 }; /* cannot be: need fits */
	tv_err("--initrd %s: %" PRIu64 " bytes, and the room for it is %" PRIu64
	       " bytes: from the kernel's end at 0x%" PRIx64
	       " to the device tree at 0x%" PRIx64 " (--mem %" PRIu64 "M)",
	       c->initrd->path, c->initrd->size, arm64_initrd_room(&p),
	       p.kernel_end, p.dtb_addr, c->ram_size >> 20);
}

static void report_no_room(const struct load_ctx *c,
			   const struct arm64_image_header_info *info)
{
	uint64_t mib = c->ram_size >> 20, end, need = 0;

	/* A hostile header's sum may wrap: that kernel fits nowhere either. */
	if (!__builtin_add_overflow(info->text_offset, info->image_size, &end))
		need = ram_needed(end);
	if (!need)
		tv_err("%s %s: the kernel asks for more memory than there is "
		       "(text_offset + image_size overflow)",
		       c->kernel->what, c->kernel->path);
	else if (need > c->ram_size || !c->initrd->size)
		tv_err("%s %s: needs %" PRIu64 " MiB with its device "
		       "tree, more than --mem %" PRIu64 "M",
		       c->kernel->what, c->kernel->path, round_up_mib(need),
		       mib);
	else
		report_initrd_no_room(c, info);
}

/* The plan for a kernel occupying @info, with the initrd and the tree. */
static int plan(const struct load_ctx *c,
		const struct arm64_image_header_info *info,
		struct arm64_boot_plan *p)
{
	int ret = arm64_boot_plan(info, c->ram_base, c->ram_size,
				  c->initrd->size, p);

	if (ret == -ENOSPC)
		report_no_room(c, info);
	else if (ret)
		tv_errno(ret, "planning guest RAM for %s %s", c->kernel->what,
			 c->kernel->path);
	return ret;
}

static int load_image(const struct load_ctx *c, const struct boot_src *k,
		      struct arm64_kernel_load *out)
{
	struct arm64_image_header_info info;
	int ret = read_image_header(k, &info);

	if (!ret)
		ret = plan(c, &info, &out->plan);
	if (!ret)
		ret = boot_src_load(c->mem, k, out->plan.kernel_addr);
	out->entry = out->plan.kernel_addr;
	return ret;
}

static int load_raw(const struct load_ctx *c, const struct boot_src *k,
		    struct arm64_kernel_load *out)
{
	struct arm64_image_header_info info = {
		.text_offset = ARM64_RAW_TEXT_OFFSET,
		.image_size = k->size,
	};
	int ret = plan(c, &info, &out->plan);

	if (ret)
		return ret;
	tv_info("%s %s: not a Linux Image, gzip or ELF file: loading its "
		"%" PRIu64 " bytes raw at 0x%" PRIx64
		", entered at its first byte with x0 = the device tree",
		k->what, k->path, k->size, out->plan.kernel_addr);
	out->entry = out->plan.kernel_addr;
	return boot_src_load(c->mem, k, out->plan.kernel_addr);
}

/* Copies each segment's file bytes and zeroes the rest of its memory. */
static int load_segments(const struct load_ctx *c, const struct boot_src *k,
			 const struct arm64_elf_info *elf)
{
	for (unsigned int i = 0; i < elf->nr_segments; i++) {
		const struct arm64_elf_segment *s = &elf->seg[i];
		uint8_t *dst = guest_mem_ptr(c->mem, s->paddr, s->memsz);
		int ret;

		/* arm64_elf_parse() checked RAM's bounds; the map is RAM. */
		if (!dst) {
			tv_err("%s %s: segment at 0x%" PRIx64
			       " is not in guest RAM",
			       k->what, k->path, s->paddr);
			return -ENOSPC;
		}
		ret = boot_src_read(k, dst, s->filesz, s->offset);
		if (ret)
			return ret;
		memset(dst + s->filesz, 0, s->memsz - s->filesz);
	}
	return 0;
}

/*
 * The ELF header and program headers are read from the file's first
 * ELF_HEAD_MAX bytes (linkers put them at the start); segments are then
 * read straight from the file into guest RAM.
 */
static int load_elf(const struct load_ctx *c, const struct boot_src *k,
		    struct arm64_kernel_load *out)
{
	size_t n = k->size < ELF_HEAD_MAX ? (size_t)k->size : ELF_HEAD_MAX;
	uint8_t *head = malloc(n);
	struct arm64_elf_info *elf = malloc(sizeof(*elf));
	struct arm64_image_header_info span;
	const char *why = NULL;
	int ret = head && elf ? boot_src_read(k, head, n, 0) : -ENOMEM;

	if (!ret) {
		ret = arm64_elf_parse(head, n, k->size, c->ram_base,
				      c->ram_size, elf, &why);
		if (ret == -ENOSPC)
			tv_err("%s %s: %s (RAM is 0x%" PRIx64 "-0x%" PRIx64
			       ", --mem %" PRIu64 "M)",
			       k->what, k->path, why, c->ram_base,
			       c->ram_base + c->ram_size - 1,
			       c->ram_size >> 20);
		else if (ret)
			tv_err("%s %s: %s", k->what, k->path, why);
	} else if (ret == -ENOMEM) {
		tv_errno(ret, "%s %s: reading its ELF headers", k->what,
			 k->path);
	}
	if (!ret) {
		/* The plan keeps the initrd and the tree clear of every segment. */
		span.text_offset = elf->low - c->ram_base;
		span.image_size = elf->high - elf->low;
		ret = plan(c, &span, &out->plan);
	}
	if (!ret)
		ret = load_segments(c, k, elf);
	if (!ret) {
		out->entry = elf->entry;
		tv_info("%s %s: ELF, %u segments in 0x%" PRIx64 "-0x%" PRIx64
			", entry 0x%" PRIx64,
			k->what, k->path, elf->nr_segments, elf->low, elf->high,
			elf->entry);
	}
	free(elf);
	free(head);
	return ret;
}

/*
 * The whole of @k inflated into host memory, as a new in-memory source
 * @out (*@buf holds it; the caller frees it). Bounded by guest RAM: what
 * inflates to more could not be loaded anyway.
 */
static int gunzip_kernel(const struct load_ctx *c, const struct boot_src *k,
			 uint8_t **buf, struct boot_src *out)
{
	uint8_t *packed;
	size_t len = 0;
	int ret;

	if (k->size > c->ram_size) {
		tv_err("%s %s: the gzip file's %" PRIu64 " bytes are more "
		       "than --mem %" PRIu64 "M",
		       k->what, k->path, k->size, c->ram_size >> 20);
		return -EFBIG;
	}
	packed = malloc(k->size);
	if (!packed) {
		tv_errno(ENOMEM, "%s %s: reading the gzip file", k->what,
			 k->path);
		return -ENOMEM;
	}
	ret = boot_src_read(k, packed, k->size, 0);
	if (ret) {
		free(packed);
		return ret;
	}
	ret = arm64_gunzip(packed, k->size, c->ram_size, buf, &len);
	free(packed);
	if (ret == -EFBIG)
		tv_err("%s %s: %s (more than %" PRIu64 " bytes, --mem %" PRIu64
		       "M)",
		       k->what, k->path, arm64_gunzip_strerror(ret),
		       c->ram_size, c->ram_size >> 20);
	else if (ret)
		tv_err("%s %s: %s", k->what, k->path,
		       arm64_gunzip_strerror(ret));
	else if (len == 0)
		tv_err("%s %s: the gzip stream holds no data", k->what,
		       k->path);
	if (ret || len == 0)
		return ret ? ret : -ENOEXEC;
	*out = (struct boot_src){ .what = k->what,
				  .path = k->path,
				  .fd = -1,
				  .mem = *buf,
				  .size = len };
	tv_info("%s %s: gzip, %" PRIu64 " bytes inflated to %zu", k->what,
		k->path, k->size, len);
	return 0;
}

static int format_of(const struct boot_src *k, enum arm64_kernel_format *f)
{
	uint8_t head[ARM64_KERNEL_FORMAT_PROBE];
	size_t n = k->size < sizeof(head) ? (size_t)k->size : sizeof(head);
	int ret;

	if (k->size == 0) {
		tv_err("%s %s: the file is empty", k->what, k->path);
		return -ENOEXEC;
	}
	ret = boot_src_read(k, head, n, 0);
	if (!ret)
		*f = arm64_kernel_format(head, n);
	return ret;
}

static int load_kernel(const struct load_ctx *c, const struct boot_src *k,
		       struct arm64_kernel_load *out)
{
	switch (out->format) {
	case ARM64_KERNEL_IMAGE:
		return load_image(c, k, out);
	case ARM64_KERNEL_ELF:
		return load_elf(c, k, out);
	case ARM64_KERNEL_RAW:
		return load_raw(c, k, out);
	case ARM64_KERNEL_GZIP:
		break;
	}
	tv_err("%s %s: a gzip stream inside a gzip stream", k->what, k->path);
	return -EINVAL;
}

int arm64_kernel_load(const struct guest_mem *mem, uint64_t ram_base,
		      uint64_t ram_size, const struct boot_src *kernel,
		      const struct boot_src *initrd,
		      struct arm64_kernel_load *out)
{
	const struct load_ctx c = { mem, ram_base, ram_size, kernel, initrd };
	struct arm64_kernel_load r = { 0 };
	struct boot_src inflated;
	const struct boot_src *k = kernel;
	uint8_t *buf = NULL;
	int ret = format_of(k, &r.format);

	if (!ret && r.format == ARM64_KERNEL_GZIP) {
		r.gzipped = 1;
		ret = gunzip_kernel(&c, k, &buf, &inflated);
		k = &inflated;
		if (!ret)
			ret = format_of(k, &r.format);
	}
	if (!ret)
		ret = load_kernel(&c, k, &r);
	if (!ret && initrd->size)
		ret = boot_src_load(mem, initrd, r.plan.initrd_addr);
	free(buf);
	if (!ret)
		*out = r;
	return ret;
}
