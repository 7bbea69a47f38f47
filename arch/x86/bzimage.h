/* SPDX-License-Identifier: MIT */
/*
 * The Linux x86 boot protocol's bzImage (Documentation/arch/x86/boot.rst):
 * validating the real-mode setup header of an image we will enter at its
 * 64-bit entry point. Pure functions over byte buffers: no KVM, no I/O, no
 * x86 UAPI headers, so they build and are unit-tested on any host.
 *
 * A bzImage file is the setup code ((setup_sects + 1) sectors of 512 bytes,
 * the boot sector included) followed by the protected-mode kernel (the
 * "payload" here). The loader copies the payload to guest RAM and jumps to
 * payload + X86_BZIMAGE_ENTRY64_OFFSET in long mode with %rsi pointing at
 * the zero page (boot_params.h).
 */
#ifndef TINYVMM_ARCH_X86_BZIMAGE_H
#define TINYVMM_ARCH_X86_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Setup header offsets in the image file (and in the zero page). */
#define X86_SETUP_HDR_OFFSET 0x1f1 /* first copied byte: setup_sects */
#define X86_SETUP_HDR_LIMIT 0x290  /* boot_params.hdr ends before this */

#define X86_BOOT_PROTOCOL_MIN 0x020c	 /* 2.12: xloadflags, 64-bit entry */
#define X86_BZIMAGE_ENTRY64_OFFSET 0x200 /* from the payload's load address */

/* loadflags (0x211) */
#define X86_LOADED_HIGH 0x01 /* the payload runs at 0x100000 or above */
#define X86_QUIET_FLAG 0x20
#define X86_CAN_USE_HEAP 0x80 /* heap_end_ptr is valid */

/* xloadflags (0x236) */
#define X86_XLF_KERNEL_64 0x01 /* has the 64-bit entry */
#define X86_XLF_CAN_BE_LOADED_ABOVE_4G 0x02

/* What tinyvmm needs from a validated image's setup header. */
struct x86_bzimage {
	uint16_t version;    /* boot protocol, 0x020c or later */
	uint8_t setup_sects; /* as in the file: 0 means 4 */
	uint8_t loadflags;
	uint16_t xloadflags;
	uint8_t relocatable;	   /* relocatable_kernel != 0 */
	uint32_t kernel_alignment; /* a power of two */
	uint64_t pref_address;	   /* preferred runtime address, 0: none */
	uint32_t init_size;	   /* bytes needed from the runtime start */
	uint32_t initrd_addr_max;  /* highest byte an initrd may occupy */
	uint32_t cmdline_size;	   /* longest command line, NUL excluded */
	uint64_t payload_offset; /* file offset of the protected-mode kernel */
	uint64_t payload_size;	 /* its bytes (syssize * 16) */
	/*
	 * The file's setup header, bytes X86_SETUP_HDR_OFFSET up to its end
	 * (0x202 + the byte at 0x201, capped at X86_SETUP_HDR_LIMIT):
	 * x86_boot_params_build() copies it into the zero page.
	 */
	uint8_t hdr[X86_SETUP_HDR_LIMIT - X86_SETUP_HDR_OFFSET];
	size_t hdr_len;
};

/*
 * Validates the bzImage @buf of @len bytes (the whole file: the payload is
 * checked to lie inside it). Returns 0 and fills @img, or a negative errno
 * with *@why set to a static sentence for the user (e.g. "not a bzImage:
 * no HdrS magic at 0x202"; @why may be NULL):
 *   -ENOEXEC  not a bzImage tinyvmm can boot: no 0xAA55 boot signature, no
 *             "HdrS", protocol older than 2.12, no 64-bit entry
 *             (XLF_KERNEL_64), not LOADED_HIGH, or the setup code or the
 *             payload runs past the end of the file (truncated)
 *   -EINVAL   a header no kernel build writes: kernel_alignment not a
 *             power of two, init_size smaller than the payload, a
 *             compressed payload (payload_offset/length) outside it
 * @img is written only on success.
 */
int x86_bzimage_parse(const void *buf, size_t len, struct x86_bzimage *img,
		      const char **why);

/*
 * The address the kernel decompresses itself to when its payload is copied
 * to @load_addr (boot.rst, init_size): a relocatable kernel runs at
 * @load_addr raised to pref_address, aligned up to kernel_alignment; any
 * other at pref_address. Returns 0 and sets *@start, or -ENOSPC when that
 * computation passes 2^64.
 */
int x86_bzimage_runtime_start(const struct x86_bzimage *img, uint64_t load_addr,
			      uint64_t *start);

#endif /* TINYVMM_ARCH_X86_BZIMAGE_H */
