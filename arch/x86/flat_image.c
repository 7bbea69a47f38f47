// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "arch/x86/flat_image.h"

struct not_flat {
	size_t offset;
	const char *magic;
	size_t len;
	const char *why;
};

/* arm64 booting.rst, RFC 1952, the ELF and PE/COFF specifications. */
static const struct not_flat not_flat[] = {
	{ 56, "ARM\x64", 4,
	  "an arm64 Linux Image (\"ARM\\x64\" at offset 56), not an x86 "
	  "kernel" },
	{ 0, "\x1f\x8b", 2,
	  "gzip data: tinyvmm on x86 boots an uncompressed bzImage or flat "
	  "image (gunzip it first)" },
	{ 0,
	  "\x7f"
	  "ELF",
	  4,
	  "an ELF file (a vmlinux?): tinyvmm on x86 boots a bzImage "
	  "(arch/x86/boot/bzImage) or a flat 64-bit image" },
	{ 0, "MZ", 2,
	  "a PE/COFF (EFI) image without a Linux bzImage header (no \"HdrS\" "
	  "at 0x202)" },
};

int x86_flat_image_check(const uint8_t *head, size_t len, const char **why)
{
	for (size_t i = 0; i < sizeof(not_flat) / sizeof(not_flat[0]); i++) {
		const struct not_flat *n = &not_flat[i];

		if (len >= n->offset + n->len &&
		    !memcmp(head + n->offset, n->magic, n->len)) {
			if (why)
				*why = n->why;
			return -ENOEXEC;
		}
	}
	return 0;
}
