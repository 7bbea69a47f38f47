/* SPDX-License-Identifier: MIT */
/*
 * A flat x86_64 image (the benchmark and test guests) has no header to
 * check: it is code entered at its first byte. tinyvmm takes any --kernel
 * without a bzImage header as one, so it is recognised by what it is
 * not: the formats a user may hand over by mistake, which would
 * otherwise be run as instructions. Pure: no KVM, no I/O.
 */
#ifndef TINYVMM_ARCH_X86_FLAT_IMAGE_H
#define TINYVMM_ARCH_X86_FLAT_IMAGE_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the file's start x86_flat_image_check() looks at. */
#define X86_FLAT_IMAGE_HEAD 64

/*
 * Checks the first @len bytes (up to X86_FLAT_IMAGE_HEAD; fewer if the
 * file is shorter) of an image without a bzImage header. Returns 0, or
 * -ENOEXEC with *@why (may be NULL) set to a static sentence when it is
 * an arm64 Linux Image ("ARM\x64" at offset 56), gzip data, an ELF file
 * or a PE/COFF ("MZ") image.
 */
int x86_flat_image_check(const uint8_t *head, size_t len, const char **why);

#endif
