// SPDX-License-Identifier: MIT
/* Telling --kernel's format from its magic bytes (kernel_format.h). */
#include <string.h>

#include "arch/arm64/image.h"
#include "arch/arm64/kernel_format.h"

/* booting.rst: the Image magic sits at byte 56 of the 64-byte header. */
#define IMAGE_MAGIC_OFFSET 56

enum arm64_kernel_format arm64_kernel_format(const void *buf, size_t len)
{
	static const unsigned char image_magic[4] = { 'A', 'R', 'M', 0x64 };
	static const unsigned char gzip_magic[3] = { 0x1f, 0x8b, 8 };
	static const unsigned char elf_magic[4] = { 0x7f, 'E', 'L', 'F' };
	const unsigned char *p = buf;

	/* The Image first: its header's code0 could be any bytes. */
	if (len >= ARM64_IMAGE_HEADER_SIZE &&
	    !memcmp(p + IMAGE_MAGIC_OFFSET, image_magic, sizeof(image_magic)))
		return ARM64_KERNEL_IMAGE;
	if (len >= sizeof(gzip_magic) &&
	    !memcmp(p, gzip_magic, sizeof(gzip_magic)))
		return ARM64_KERNEL_GZIP;
	if (len >= sizeof(elf_magic) &&
	    !memcmp(p, elf_magic, sizeof(elf_magic)))
		return ARM64_KERNEL_ELF;
	return ARM64_KERNEL_RAW;
}

const char *arm64_kernel_format_name(enum arm64_kernel_format f)
{
	switch (f) {
	case ARM64_KERNEL_IMAGE:
		return "Linux Image";
	case ARM64_KERNEL_GZIP:
		return "gzip";
	case ARM64_KERNEL_ELF:
		return "ELF";
	case ARM64_KERNEL_RAW:
		break;
	}
	return "raw binary";
}
