/* SPDX-License-Identifier: MIT */
/*
 * The arm64 Linux Image format (Documentation/arch/arm64/booting.rst):
 * parsing the 64-byte header and planning where kernel, initrd and device
 * tree go in guest RAM. Pure functions over byte buffers: no KVM, no I/O,
 * so they are unit-tested on any host.
 */
#ifndef TINYVMM_ARCH_ARM64_IMAGE_H
#define TINYVMM_ARCH_ARM64_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define ARM64_IMAGE_MAGIC 0x644d5241U /* "ARM\x64", little endian */
#define ARM64_IMAGE_HEADER_SIZE 64
#define ARM64_IMAGE_ALIGN (2ULL << 20)	/* base of the load area */
#define ARM64_DTB_MAX_SIZE (2ULL << 20) /* booting.rst: at most 2 MiB */

struct arm64_image_header_info {
	uint64_t text_offset; /* from the 2 MiB aligned base */
	uint64_t image_size;  /* bytes the kernel needs, bss included */
	uint64_t flags;
};

/*
 * Validates the 64-byte header at @buf (@len bytes of the Image's start;
 * the loader passes just the header and checks the file size itself).
 * Returns 0 and fills @info, or:
 *   -ENOEXEC  too short for a header, or the magic is wrong
 *   -EINVAL   fields that no kernel could have (image_size smaller than the
 *             file, text_offset not 4 KiB aligned, big-endian kernel flag)
 * An image_size of 0 (kernels before 3.17) is taken as text_offset 0x80000
 * and the file length, as booting.rst prescribes.
 */
int arm64_image_parse(const void *buf, size_t len,
		      struct arm64_image_header_info *info);

/* Where everything goes; all addresses are guest-physical. */
struct arm64_boot_plan {
	uint64_t kernel_addr; /* where byte 0 of the Image is copied */
	uint64_t kernel_end;  /* kernel_addr + image_size */
	uint64_t initrd_addr; /* 0 when there is no initrd */
	uint64_t initrd_size;
	uint64_t dtb_addr; /* ARM64_DTB_MAX_SIZE bytes reserved here */
};

/*
 * Plans the layout in RAM [@ram_base, @ram_base + @ram_size): the kernel at
 * the 2 MiB aligned RAM base + text_offset, the device tree in the last
 * 2 MiB-aligned 2 MiB of RAM, the initrd page-aligned just below the tree.
 * Returns 0, or -ENOSPC when kernel, initrd and tree do not fit (the
 * caller names which) or an address computed from the header would pass
 * 2^64, or -EINVAL for a RAM base that is not 2 MiB aligned or RAM that
 * runs past 2^64. @plan is written only on success.
 */
int arm64_boot_plan(const struct arm64_image_header_info *info,
		    uint64_t ram_base, uint64_t ram_size, uint64_t initrd_size,
		    struct arm64_boot_plan *plan);

/*
 * The largest initrd arm64_boot_plan() places with the kernel and tree of
 * @plan (a plan made with any initrd size, 0 included): page-aligned
 * above kernel_end, ending at dtb_addr. 0 when there is no room.
 */
uint64_t arm64_initrd_room(const struct arm64_boot_plan *plan);

#endif
