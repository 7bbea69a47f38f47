/* SPDX-License-Identifier: MIT */
/*
 * Decompressing a gzip'd kernel (a distribution's vmlinuz) into host
 * memory, with the output bounded so that a gzip bomb is refused instead
 * of exhausting memory. Pure: no I/O, no messages; zlib does the inflating.
 */
#ifndef TINYVMM_ARCH_ARM64_GUNZIP_H
#define TINYVMM_ARCH_ARM64_GUNZIP_H

#include <stddef.h>
#include <stdint.h>

/*
 * Inflates the one gzip member at @in (@in_len bytes) into a buffer it
 * allocates; on success *@out (free() it) holds *@out_len bytes, at most
 * @limit. Zero bytes after the member are allowed (padding); anything else
 * is not. Returns 0, or:
 *   -EFBIG    the output would pass @limit bytes (nothing more is inflated)
 *   -ENODATA  the input ends before the member does (a truncated file)
 *   -EBADMSG  a bad header, corrupt deflate data, a CRC or length that
 *             does not match, or non-zero data after the member
 *   -ENOMEM   no memory for the output
 *   -EINVAL   NULL arguments
 * *@out and *@out_len are written only on success.
 */
int arm64_gunzip(const void *in, size_t in_len, size_t limit, uint8_t **out,
		 size_t *out_len);

/* A short reason for each error arm64_gunzip() returns, for messages. */
const char *arm64_gunzip_strerror(int err);

#endif
