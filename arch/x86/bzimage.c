// SPDX-License-Identifier: MIT
/*
 * The bzImage setup header, after Documentation/arch/x86/boot.rst ("The
 * real-mode kernel header", "Details of header fields"). The image is
 * untrusted: every field is checked against the buffer before use.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/bzimage.h"
#include "arch/x86/le.h"

/* Field offsets in the file (boot.rst, "The real-mode kernel header"). */
#define HDR_SETUP_SECTS 0x1f1
#define HDR_SYSSIZE 0x1f4
#define HDR_BOOT_FLAG 0x1fe
#define HDR_JUMP_LEN 0x201 /* second byte of the short jump at 0x200 */
#define HDR_MAGIC 0x202
#define HDR_VERSION 0x206
#define HDR_LOADFLAGS 0x211
#define HDR_INITRD_ADDR_MAX 0x22c
#define HDR_KERNEL_ALIGNMENT 0x230
#define HDR_RELOCATABLE 0x234
#define HDR_XLOADFLAGS 0x236
#define HDR_CMDLINE_SIZE 0x238
#define HDR_PAYLOAD_OFFSET 0x248
#define HDR_PAYLOAD_LENGTH 0x24c
#define HDR_PREF_ADDRESS 0x258
#define HDR_INIT_SIZE 0x260
#define HDR_END_2_12 0x268 /* handover_offset ends the 2.12 fields */

#define BOOT_FLAG 0xaa55
#define HDRS_MAGIC 0x53726448U /* "HdrS" */
#define SECTOR 512ULL
#define SETUP_SECTS_LEGACY 4 /* what setup_sects 0 means */

static int refuse(int err, const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return err;
}

/* The header's fixed part: signatures and the protocol version. */
static int check_magic(const uint8_t *p, size_t len, const char **why)
{
	if (len < HDR_BOOT_FLAG + 2)
		return refuse(-ENOEXEC, why,
			      "truncated: shorter than a 512-byte boot sector");
	if (x86_get_le(p + HDR_BOOT_FLAG, 2) != BOOT_FLAG)
		return refuse(-ENOEXEC, why,
			      "no 0xAA55 boot sector signature at 0x1fe");
	if (len < HDR_VERSION + 2)
		return refuse(-ENOEXEC, why,
			      "truncated: the setup header is cut short");
	if (x86_get_le(p + HDR_MAGIC, 4) != HDRS_MAGIC)
		return refuse(-ENOEXEC, why,
			      "no \"HdrS\" magic at 0x202: not a bzImage");
	if (x86_get_le(p + HDR_VERSION, 2) < X86_BOOT_PROTOCOL_MIN)
		return refuse(-ENOEXEC, why,
			      "boot protocol older than 2.12 (Linux 3.8): "
			      "no 64-bit entry point");
	return 0;
}

/* The setup sectors and the header inside them lie within the file. */
static int check_setup(const uint8_t *p, size_t len, struct x86_bzimage *img,
		       const char **why)
{
	uint64_t sects =
		p[HDR_SETUP_SECTS] ? p[HDR_SETUP_SECTS] : SETUP_SECTS_LEGACY;
	size_t hdr_end = HDR_MAGIC + (size_t)p[HDR_JUMP_LEN];

	img->setup_sects = p[HDR_SETUP_SECTS];
	img->payload_offset = (sects + 1) * SECTOR;
	if (img->payload_offset > len)
		return refuse(-ENOEXEC, why,
			      "truncated: the setup code runs past the end "
			      "of the file");
	if (hdr_end < HDR_END_2_12)
		return refuse(-ENOEXEC, why,
			      "setup header shorter than boot protocol 2.12's");
	if (hdr_end > X86_SETUP_HDR_LIMIT)
		hdr_end = X86_SETUP_HDR_LIMIT;
	img->hdr_len = hdr_end - X86_SETUP_HDR_OFFSET;
	memcpy(img->hdr, p + X86_SETUP_HDR_OFFSET, img->hdr_len);
	return 0;
}

/* The protected-mode kernel after the setup code, also inside the file. */
static int check_payload(const uint8_t *p, size_t len, struct x86_bzimage *img,
			 const char **why)
{
	uint64_t inner_off = x86_get_le(p + HDR_PAYLOAD_OFFSET, 4);
	uint64_t inner_len = x86_get_le(p + HDR_PAYLOAD_LENGTH, 4);

	img->payload_size = x86_get_le(p + HDR_SYSSIZE, 4) * 16;
	if (img->payload_size > len - img->payload_offset)
		return refuse(-ENOEXEC, why,
			      "truncated: the kernel (syssize) runs past the "
			      "end of the file");
	if (img->payload_size <= X86_BZIMAGE_ENTRY64_OFFSET)
		return refuse(-ENOEXEC, why,
			      "the protected-mode kernel is too small to hold "
			      "its 64-bit entry point");
	/* The compressed kernel inside the payload (protocol 2.08). */
	if (inner_off > img->payload_size ||
	    inner_len > img->payload_size - inner_off)
		return refuse(-EINVAL, why,
			      "payload_offset/payload_length point outside "
			      "the kernel");
	return 0;
}

/* What the loader relies on: flags, alignment, sizes. */
static int check_fields(struct x86_bzimage *img, const char **why)
{
	if (!(img->loadflags & X86_LOADED_HIGH))
		return refuse(
			-ENOEXEC, why,
			"not LOADED_HIGH: a zImage, which runs below 1 MiB");
	if (!(img->xloadflags & X86_XLF_KERNEL_64))
		return refuse(-ENOEXEC, why,
			      "no 64-bit entry point (XLF_KERNEL_64 clear): "
			      "not an x86_64 kernel");
	if (!img->kernel_alignment ||
	    (img->kernel_alignment & (img->kernel_alignment - 1)))
		return refuse(-EINVAL, why,
			      "kernel_alignment is not a power of two");
	if (img->init_size < img->payload_size)
		return refuse(-EINVAL, why,
			      "init_size is smaller than the kernel itself");
	return 0;
}

static void read_fields(const uint8_t *p, struct x86_bzimage *img)
{
	img->version = (uint16_t)x86_get_le(p + HDR_VERSION, 2);
	img->loadflags = p[HDR_LOADFLAGS];
	img->xloadflags = (uint16_t)x86_get_le(p + HDR_XLOADFLAGS, 2);
	img->relocatable = p[HDR_RELOCATABLE] != 0;
	img->kernel_alignment =
		(uint32_t)x86_get_le(p + HDR_KERNEL_ALIGNMENT, 4);
	img->pref_address = x86_get_le(p + HDR_PREF_ADDRESS, 8);
	img->init_size = (uint32_t)x86_get_le(p + HDR_INIT_SIZE, 4);
	img->initrd_addr_max = (uint32_t)x86_get_le(p + HDR_INITRD_ADDR_MAX, 4);
	img->cmdline_size = (uint32_t)x86_get_le(p + HDR_CMDLINE_SIZE, 4);
}

int x86_bzimage_parse(const void *buf, size_t len, struct x86_bzimage *img,
		      const char **why)
{
	const uint8_t *p = buf;
	struct x86_bzimage out;
	int ret;

	if (!img || (!buf && len))
		return refuse(-EINVAL, why, "no image");
	memset(&out, 0, sizeof(out));
	ret = check_magic(p, len, why);
	if (!ret)
		ret = check_setup(p, len, &out, why);
	if (ret)
		return ret;
	/* From here every header byte read lies below payload_offset <= len. */
	read_fields(p, &out);
	ret = check_payload(p, len, &out, why);
	if (!ret)
		ret = check_fields(&out, why);
	if (!ret)
		*img = out;
	return ret;
}

int x86_bzimage_runtime_start(const struct x86_bzimage *img, uint64_t load_addr,
			      uint64_t *start)
{
	uint64_t addr = load_addr, mask;

	if (!img->relocatable && img->pref_address) {
		*start = img->pref_address;
		return 0;
	}
	if (addr < img->pref_address)
		addr = img->pref_address;
	mask = (uint64_t)img->kernel_alignment - 1;
	if (addr > UINT64_MAX - mask)
		return -ENOSPC;
	*start = (addr + mask) & ~mask;
	return 0;
}
