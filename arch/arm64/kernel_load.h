/* SPDX-License-Identifier: MIT */
/*
 * Putting --kernel (and --initrd) into guest RAM on arm64, whatever the
 * kernel's format (kernel_format.h): a Linux Image by its header, a gzip
 * stream decompressed first, an ELF file by its program headers, anything
 * else raw at RAM base + 0x80000 as kvmtool does. No KVM calls: it writes
 * guest memory only, so it is unit-tested on any host. Each failure
 * prints one line.
 */
#ifndef TINYVMM_ARCH_ARM64_KERNEL_LOAD_H
#define TINYVMM_ARCH_ARM64_KERNEL_LOAD_H

#include <stdint.h>

#include "arch/arm64/image.h"
#include "arch/arm64/kernel_format.h"
#include "vmm/base/boot_src.h"
#include "vmm/base/guest_mem.h"

/* Where a raw binary goes: kvmtool's offset, the pre-3.17 text_offset. */
#define ARM64_RAW_TEXT_OFFSET 0x80000ULL

struct arm64_kernel_load {
	struct arm64_boot_plan plan;	 /* kernel, initrd and dtb in RAM */
	uint64_t entry;			 /* where vCPU 0 starts, x0 = dtb */
	enum arm64_kernel_format format; /* after decompression */
	int gzipped;			 /* it came out of a gzip stream */
};

/*
 * Loads @kernel and @initrd (BOOT_SRC_NONE for none) into @mem, whose RAM
 * is [@ram_base, @ram_base + @ram_size), and plans the device tree's place
 * (arm64_boot_plan()). Returns 0 and fills @out, or -errno after one line
 * naming the file and why.
 */
TV_MUST_CHECK int arm64_kernel_load(const struct guest_mem *mem,
				    uint64_t ram_base, uint64_t ram_size,
				    const struct boot_src *kernel,
				    const struct boot_src *initrd,
				    struct arm64_kernel_load *out);

#endif
