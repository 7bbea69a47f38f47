// SPDX-License-Identifier: MIT
/* gzip'd kernels, inflated with zlib under a size bound (gunzip.h). */
#include <errno.h>
#include <stdlib.h>

#include <zlib.h>

#include "arch/arm64/gunzip.h"

/* zlib's windowBits for "gzip wrapper only, 32 KiB window". */
#define GZIP_ONLY_WBITS (16 + MAX_WBITS)
/* First output buffer: a vmlinuz inflates to 2-4x its size. */
#define FIRST_GUESS_FACTOR 4
#define MIN_CHUNK (1U << 20)

/* zlib counts in uInt: feed and drain it at most this much at a time. */
static uInt chunk(size_t n)
{
	return n > UINT32_MAX ? UINT32_MAX : (uInt)n;
}

/* Grows *buf towards @limit + 1 (one byte past, to see a bomb). */
static int grow(uint8_t **buf, size_t *cap, size_t limit)
{
	size_t want = *cap > limit / 2 ? limit + 1 : *cap * 2;
	uint8_t *p;

	if (want <= *cap)
		return -EFBIG;
	p = realloc(*buf, want);
	if (!p)
		return -ENOMEM;
	*buf = p;
	*cap = want;
	return 0;
}

static int only_zeros(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* Runs inflate() to the end of the member; returns 0 or -errno. */
static int inflate_all(z_stream *zs, const uint8_t *in, size_t in_len,
		       size_t limit, uint8_t **buf, size_t *cap)
{
	size_t done = 0, fed = 0;
	int zret, ret;

	for (;;) {
		if (done == *cap) {
			ret = grow(buf, cap, limit);
			if (ret)
				return ret;
		}
		if (zs->avail_in == 0 && fed < in_len) {
			zs->next_in = (Bytef *)(uintptr_t)(in + fed);
			zs->avail_in = chunk(in_len - fed);
			fed += zs->avail_in;
		}
		zs->next_out = *buf + done;
		zs->avail_out = chunk(*cap - done);
		zret = inflate(zs, Z_NO_FLUSH);
		done = (size_t)(zs->next_out - *buf);
		if (done > limit)
			return -EFBIG;
		if (zret == Z_STREAM_END)
			break;
		if (zret == Z_DATA_ERROR || zret == Z_NEED_DICT)
			return -EBADMSG;
		if (zret == Z_MEM_ERROR)
			return -ENOMEM;
		/* Z_BUF_ERROR with input left is "give me room", handled above. */
		if (zret == Z_BUF_ERROR && zs->avail_in == 0 && fed == in_len)
			return -ENODATA;
		if (zret != Z_OK && zret != Z_BUF_ERROR)
			return -EBADMSG;
	}
	if (!only_zeros(zs->next_in, zs->avail_in) ||
	    !only_zeros(in + fed, in_len - fed))
		return -EBADMSG;
	return 0;
}

int arm64_gunzip(const void *in, size_t in_len, size_t limit, uint8_t **out,
		 size_t *out_len)
{
	z_stream zs = { 0 };
	uint8_t *buf = NULL;
	size_t cap = in_len < MIN_CHUNK / FIRST_GUESS_FACTOR
			     ? MIN_CHUNK
			     : in_len * FIRST_GUESS_FACTOR / 2;
	int ret;

	if (!in || !out || !out_len)
		return -EINVAL;
	if (in_len == 0)
		return -ENODATA;
	/* Never more than the limit up front: grow() goes one byte past. */
	cap = cap > limit ? limit : cap;
	if (inflateInit2(&zs, GZIP_ONLY_WBITS) != Z_OK)
		return -ENOMEM;
	buf = malloc(cap ? cap : 1);
	ret = buf ? inflate_all(&zs, in, in_len, limit, &buf, &cap) : -ENOMEM;
	inflateEnd(&zs);
	if (ret) {
		free(buf);
		return ret;
	}
	*out_len = (size_t)zs.total_out;
	*out = buf;
	return 0;
}

const char *arm64_gunzip_strerror(int err)
{
	switch (err) {
	case -EFBIG:
		return "decompresses to more than guest RAM can hold";
	case -ENODATA:
		return "the gzip stream is truncated";
	case -EBADMSG:
		return "the gzip stream is corrupt (or followed by other data)";
	case -ENOMEM:
		return "out of memory while decompressing";
	}
	return "cannot decompress";
}
