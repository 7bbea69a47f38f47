/* SPDX-License-Identifier: MIT */
/*
 * What every fuzz target shares: the libFuzzer entry point's prototype and
 * a reader that turns the input into the numbers a target needs.
 *
 * A target is one file, tests/fuzz/fuzz_<name>.c, defining
 * LLVMFuzzerTestOneInput(). Built with clang -Dfuzz=true it links
 * libFuzzer; in every build it also links replay.c, a main() that runs
 * the files of its corpus once (the regression check). So a target must
 * not keep state from one input to the next, must free what it allocates
 * and must abort() when it finds a broken promise of the code under test:
 * a sanitizer report or an abort is the finding.
 */
#ifndef TINYVMM_TESTS_FUZZ_H
#define TINYVMM_TESTS_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Optional: once before the first input (libFuzzer's, and replay.c's). */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * Says what promise broke, then aborts: the sanitizers print the stack,
 * libFuzzer keeps the input. Straight to fd 2, so that it is seen even
 * when a target has sent the stdio stream stderr to /dev/null
 * (fuzz_quiet()).
 */
#define FUZZ_ASSERT(cond)                                                      \
	do {                                                                   \
		if (!(cond)) {                                                 \
			dprintf(2, "%s:%d: fuzz check failed: %s\n", __FILE__, \
				__LINE__, #cond);                              \
			abort();                                               \
		}                                                              \
	} while (0)

/*
 * Sends what the code under test prints to stderr (tv_err(): a line per
 * guest mistake) to /dev/null, unless FUZZ_VERBOSE is set: at thousands
 * of inputs a second it would drown the log. libFuzzer's and the
 * sanitizers' reports do not go through this stream and still show.
 */
static inline void fuzz_quiet(void)
{
	FILE *null;

	if (getenv("FUZZ_VERBOSE"))
		return;
	null = fopen("/dev/null", "w");
	if (null)
		stderr = null;
}

/* The input, consumed from the front; reads past the end give zeros. */
struct fuzz_in {
	const uint8_t *p;
	size_t n;
};

static inline uint64_t fuzz_bits(struct fuzz_in *in, unsigned int bytes)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < bytes && in->n; i++, in->p++, in->n--)
		v |= (uint64_t)in->p[0] << (8 * i);
	return v;
}

static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	return (uint8_t)fuzz_bits(in, 1);
}

static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	return (uint16_t)fuzz_bits(in, 2);
}

static inline uint32_t fuzz_u32(struct fuzz_in *in)
{
	return (uint32_t)fuzz_bits(in, 4);
}

static inline uint64_t fuzz_u64(struct fuzz_in *in)
{
	return fuzz_bits(in, 8);
}

/* Up to @max bytes of the input (fewer at its end); their count in *@len. */
static inline const uint8_t *fuzz_take(struct fuzz_in *in, size_t max,
				       size_t *len)
{
	const uint8_t *p = in->p;

	*len = max < in->n ? max : in->n;
	in->p += *len;
	in->n -= *len;
	return p;
}

/*
 * A NUL-terminated copy of the bytes up to the next NUL (or the end, or
 * @max bytes); the caller frees it. The NUL is consumed.
 */
static inline char *fuzz_string(struct fuzz_in *in, size_t max)
{
	const uint8_t *end = memchr(in->p, 0, in->n < max ? in->n : max);
	size_t len = end ? (size_t)(end - in->p) : (in->n < max ? in->n : max);
	char *s = malloc(len + 1);

	if (!s)
		abort();
	memcpy(s, in->p, len);
	s[len] = '\0';
	in->p += len + (end ? 1 : 0);
	in->n -= len + (end ? 1 : 0);
	return s;
}

#endif
