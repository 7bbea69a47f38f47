/* SPDX-License-Identifier: MIT */
/*
 * What kind of file --kernel is on arm64, from its first bytes: a Linux
 * Image, a gzip stream (a distribution's vmlinuz), an ELF file, or
 * anything else, which is loaded raw as kvmtool does. Pure: no I/O.
 */
#ifndef TINYVMM_ARCH_ARM64_KERNEL_FORMAT_H
#define TINYVMM_ARCH_ARM64_KERNEL_FORMAT_H

#include <stddef.h>

/* Enough of the file's start to tell every format apart. */
#define ARM64_KERNEL_FORMAT_PROBE 64

enum arm64_kernel_format {
	ARM64_KERNEL_RAW,   /* none of the below: loaded raw */
	ARM64_KERNEL_IMAGE, /* "ARM\x64" at byte 56 */
	ARM64_KERNEL_GZIP,  /* 1f 8b, method 8 (deflate) */
	ARM64_KERNEL_ELF,   /* "\x7fELF" */
};

/*
 * The format of a file whose first @len bytes are at @buf (@len may be
 * less than ARM64_KERNEL_FORMAT_PROBE for a short file). A file too short
 * for a format's magic is not that format.
 */
enum arm64_kernel_format arm64_kernel_format(const void *buf, size_t len);

/* "Linux Image", "gzip", "ELF" or "raw binary", for messages. */
const char *arm64_kernel_format_name(enum arm64_kernel_format f);

#endif
