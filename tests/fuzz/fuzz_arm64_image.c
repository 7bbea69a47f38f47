// SPDX-License-Identifier: MIT
/*
 * The arm64 Image loader's pure half (arch/arm64/image.c): the header
 * parser on the input's bytes, then the boot plan for a RAM layout the
 * input picks, checked against what image.h promises.
 *
 * Input: RAM base, RAM size, initrd size (8 bytes each), then the Image.
 */
#include <errno.h>

#include "arch/arm64/image.h"
#include "tests/fuzz/fuzz.h"

#define PAGE 4096ULL

static void plan_check(const struct arm64_image_header_info *info,
		       uint64_t base, uint64_t size, uint64_t initrd)
{
	struct arm64_boot_plan p;
	int ret = arm64_boot_plan(info, base, size, initrd, &p);

	if (ret) {
		FUZZ_ASSERT(ret == -ENOSPC || ret == -EINVAL);
		return;
	}
	/* Everything inside RAM, in order, nothing overlapping. */
	FUZZ_ASSERT(base + size >= base);
	FUZZ_ASSERT(p.kernel_addr == base + info->text_offset);
	FUZZ_ASSERT(p.kernel_end - p.kernel_addr == info->image_size);
	FUZZ_ASSERT(p.kernel_end >= p.kernel_addr);
	FUZZ_ASSERT(p.dtb_addr >= p.kernel_end);
	FUZZ_ASSERT(p.dtb_addr % ARM64_IMAGE_ALIGN == 0);
	FUZZ_ASSERT(p.dtb_addr + ARM64_DTB_MAX_SIZE <= base + size);
	FUZZ_ASSERT(p.initrd_size == initrd);
	if (initrd) {
		FUZZ_ASSERT(p.initrd_addr % PAGE == 0);
		FUZZ_ASSERT(p.initrd_addr >= p.kernel_end);
		FUZZ_ASSERT(p.initrd_addr + initrd >= p.initrd_addr);
		FUZZ_ASSERT(p.initrd_addr + initrd <= p.dtb_addr);
	} else {
		FUZZ_ASSERT(p.initrd_addr == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct arm64_image_header_info info;
	uint64_t base = fuzz_u64(&in), ram = fuzz_u64(&in);
	uint64_t initrd = fuzz_u64(&in);
	/* The image in a block of its own size: ASan catches overreads. */
	uint8_t *img = malloc(in.n ? in.n : 1);
	int ret;

	FUZZ_ASSERT(img);
	memcpy(img, in.p, in.n);
	ret = arm64_image_parse(img, in.n, &info);
	if (ret == 0) {
		FUZZ_ASSERT(in.n >= ARM64_IMAGE_HEADER_SIZE);
		FUZZ_ASSERT(info.image_size >= in.n);
		FUZZ_ASSERT(info.text_offset % PAGE == 0);
		FUZZ_ASSERT(!(info.flags & 1));
		plan_check(&info, base, ram, initrd);
		/* And the layout tinyvmm uses: 2 MiB-aligned RAM at 2 GiB. */
		plan_check(&info, 0x80000000ULL, ram & ((1ULL << 40) - 1),
			   initrd & ((1ULL << 36) - 1));
	} else {
		FUZZ_ASSERT(ret == -ENOEXEC || ret == -EINVAL);
	}
	free(img);
	return 0;
}
