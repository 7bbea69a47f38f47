// SPDX-License-Identifier: MIT
/*
 * The arm64 Image header and the boot layout in guest RAM, after
 * Documentation/arch/arm64/booting.rst ("Call the kernel image").
 */
#include <errno.h>
#include <string.h>

#include "arch/arm64/image.h"

/* booting.rst: text_offset when image_size is 0 (kernels before 3.17). */
#define ARM64_IMAGE_LEGACY_TEXT_OFFSET 0x80000ULL
/* Header flags, bit 0: 1 = big-endian kernel; we only boot little-endian. */
#define ARM64_IMAGE_FLAG_BE (1ULL << 0)
#define ARM64_PAGE_SIZE 4096ULL

/* Header field offsets (booting.rst, "The decompressed kernel image"). */
#define HDR_TEXT_OFFSET 8
#define HDR_IMAGE_SIZE 16
#define HDR_FLAGS 24
#define HDR_MAGIC 56

/* Byte loads: the buffer may be unaligned and the host may be big-endian. */
static uint64_t load_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

static int is_aligned(uint64_t v, uint64_t align)
{
	return (v & (align - 1)) == 0;
}

static uint64_t align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

/* *sum = a + b; returns -ENOSPC when that wraps past the 64-bit space. */
static int add_checked(uint64_t a, uint64_t b, uint64_t *sum)
{
	if (a > UINT64_MAX - b)
		return -ENOSPC;
	*sum = a + b;
	return 0;
}

int arm64_image_parse(const void *buf, size_t len,
		      struct arm64_image_header_info *info)
{
	const uint8_t *p = buf;
	struct arm64_image_header_info hdr;

	if (!info || (!buf && len))
		return -EINVAL;
	if (len < ARM64_IMAGE_HEADER_SIZE)
		return -ENOEXEC;
	if (load_le(p + HDR_MAGIC, 4) != ARM64_IMAGE_MAGIC)
		return -ENOEXEC;

	hdr.text_offset = load_le(p + HDR_TEXT_OFFSET, 8);
	hdr.image_size = load_le(p + HDR_IMAGE_SIZE, 8);
	hdr.flags = load_le(p + HDR_FLAGS, 8);
	if (hdr.image_size == 0) {
		/* Pre-3.17 header: the fields had no defined endianness. */
		hdr.text_offset = ARM64_IMAGE_LEGACY_TEXT_OFFSET;
		hdr.image_size = len;
	}
	if (hdr.flags & ARM64_IMAGE_FLAG_BE)
		return -EINVAL;
	if (hdr.image_size < len)
		return -EINVAL;
	if (!is_aligned(hdr.text_offset, ARM64_PAGE_SIZE))
		return -EINVAL;
	*info = hdr;
	return 0;
}

/*
 * The top 2 MiB-aligned 2 MiB of RAM holds the tree: booting.rst wants it
 * in a 2 MiB block with no other mapping attributes, and 2 MiB at most.
 */
static int plan_dtb(uint64_t ram_base, uint64_t ram_end, uint64_t *dtb)
{
	uint64_t top = align_down(ram_end, ARM64_IMAGE_ALIGN);
	uint64_t first_end;

	if (add_checked(ram_base, ARM64_DTB_MAX_SIZE, &first_end) ||
	    top < first_end)
		return -ENOSPC;
	*dtb = top - ARM64_DTB_MAX_SIZE;
	return 0;
}

/* The initrd ends at or below @limit, starts page-aligned, above the kernel. */
static int plan_initrd(uint64_t size, uint64_t kernel_end, uint64_t limit,
		       uint64_t *addr)
{
	uint64_t start;

	if (size == 0) {
		*addr = 0;
		return 0;
	}
	if (size > limit)
		return -ENOSPC;
	start = align_down(limit - size, ARM64_PAGE_SIZE);
	if (start < kernel_end)
		return -ENOSPC;
	*addr = start;
	return 0;
}

int arm64_boot_plan(const struct arm64_image_header_info *info,
		    uint64_t ram_base, uint64_t ram_size, uint64_t initrd_size,
		    struct arm64_boot_plan *plan)
{
	struct arm64_boot_plan p = { .initrd_size = initrd_size };
	uint64_t ram_end;
	int ret;

	if (!info || !plan || !is_aligned(ram_base, ARM64_IMAGE_ALIGN))
		return -EINVAL;
	/* RAM that wraps past the top of the address space is not RAM. */
	if (add_checked(ram_base, ram_size, &ram_end))
		return -EINVAL;

	ret = plan_dtb(ram_base, ram_end, &p.dtb_addr);
	if (ret)
		return ret;
	if (add_checked(ram_base, info->text_offset, &p.kernel_addr) ||
	    add_checked(p.kernel_addr, info->image_size, &p.kernel_end) ||
	    p.kernel_end > p.dtb_addr)
		return -ENOSPC;
	ret = plan_initrd(initrd_size, p.kernel_end, p.dtb_addr,
			  &p.initrd_addr);
	if (ret)
		return ret;
	*plan = p;
	return 0;
}

uint64_t arm64_initrd_room(const struct arm64_boot_plan *plan)
{
	uint64_t start;

	if (add_checked(plan->kernel_end, ARM64_PAGE_SIZE - 1, &start))
		return 0;
	start = align_down(start, ARM64_PAGE_SIZE);
	return start < plan->dtb_addr ? plan->dtb_addr - start : 0;
}
