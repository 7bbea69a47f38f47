// SPDX-License-Identifier: MIT
/*
 * The x86 bzImage parser (arch/x86/bzimage.c) on the input as an image
 * file, then what the loader does with an image it accepts: the runtime
 * start, the boot plan and the zero page (arch/x86/boot_params.c) for a
 * RAM size and initrd the input picks.
 *
 * Input: RAM size, initrd size, load address (8 bytes each), then the
 * image.
 */
#include <errno.h>

#include "arch/x86/boot_params.h"
#include "arch/x86/bzimage.h"
#include "tests/fuzz/fuzz.h"

static void loader_check(const struct x86_bzimage *img, uint64_t ram,
			 uint64_t initrd, uint64_t load)
{
	struct x86_boot_plan plan;
	const char *why = NULL;
	uint8_t *zp;
	uint64_t start;
	int ret;

	if (x86_bzimage_runtime_start(img, load, &start) == 0 &&
	    (img->relocatable || !img->pref_address))
		FUZZ_ASSERT(start >= load &&
			    start % img->kernel_alignment == 0);
	ret = x86_boot_plan(img, ram, initrd, &plan, &why);
	if (ret) {
		FUZZ_ASSERT(why && (ret == -EINVAL || ret == -ENOSPC ||
				    ret == -E2BIG));
		return;
	}
	FUZZ_ASSERT(plan.kernel_end <= ram);
	FUZZ_ASSERT(plan.kernel_end >= plan.kernel_addr + img->payload_size);
	FUZZ_ASSERT(plan.entry64 ==
		    plan.kernel_addr + X86_BZIMAGE_ENTRY64_OFFSET);
	if (initrd) {
		FUZZ_ASSERT(plan.initrd_addr >= plan.kernel_end);
		FUZZ_ASSERT(plan.initrd_addr + initrd <= ram);
		FUZZ_ASSERT(plan.initrd_addr + initrd - 1 <=
			    img->initrd_addr_max);
	}
	/* The zero page, in a block of exactly its size. */
	zp = malloc(X86_ZERO_PAGE_SIZE);
	FUZZ_ASSERT(zp);
	ret = x86_boot_params_build(
		&(struct x86_boot_params_config){
			.img = img,
			.ram_size = ram,
			.cmdline_addr = 0x20000,
			.initrd_addr = plan.initrd_addr,
			.initrd_size = initrd,
		},
		zp);
	FUZZ_ASSERT(ret == 0 || ret == -EINVAL);
	free(zp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	/* Mostly RAM sizes the loader takes: up to 4 GiB, often less. */
	uint64_t ram = fuzz_u64(&in) & 0x1ffffffffULL;
	uint64_t initrd = fuzz_u64(&in) & 0xffffffffULL;
	uint64_t load = fuzz_u64(&in);
	struct x86_bzimage img;
	const char *why = NULL;
	uint8_t *file = malloc(in.n ? in.n : 1);
	int ret;

	FUZZ_ASSERT(file);
	memcpy(file, in.p, in.n);
	ret = x86_bzimage_parse(file, in.n, &img, &why);
	if (ret == 0) {
		FUZZ_ASSERT(img.payload_offset + img.payload_size <= in.n);
		FUZZ_ASSERT(img.hdr_len <= sizeof(img.hdr));
		FUZZ_ASSERT(
			img.kernel_alignment &&
			!(img.kernel_alignment & (img.kernel_alignment - 1)));
		loader_check(&img, ram, initrd, load);
	} else {
		FUZZ_ASSERT(why && (ret == -ENOEXEC || ret == -EINVAL));
	}
	free(file);
	return 0;
}
