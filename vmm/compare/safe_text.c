// SPDX-License-Identifier: MIT
/* Untrusted strings made printable; contract in safe_text.h. */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "vmm/compare/safe_text.h"

#define ESC 0x1b

/* After an ESC at @s - 1: past the sequence it starts (ECMA-48). */
static const unsigned char *skip_escape(const unsigned char *s)
{
	if (*s == '[') { /* CSI: parameters, intermediates, a final byte */
		for (s++; *s >= 0x20 && *s <= 0x3f; s++)
			;
		return *s >= 0x40 && *s <= 0x7e ? s + 1 : s;
	}
	if (*s && strchr("]P_^X", *s)) { /* a string, up to BEL or ST */
		for (s++; *s; s++) {
			if (*s == '\a')
				return s + 1;
			if (*s == ESC && s[1] == '\\')
				return s + 2;
		}
		return s;
	}
	for (; *s >= 0x20 && *s <= 0x2f; s++) /* intermediates */
		;
	return *s >= 0x30 && *s <= 0x7e ? s + 1 : s;
}

static bool cont(unsigned char c)
{
	return (c & 0xc0) == 0x80;
}

/*
 * The length of the well-formed UTF-8 sequence at @s (RFC 3629: no
 * overlong forms, surrogates or code points above U+10FFFF), its code
 * point in *@cp; 0 if it is not one.
 */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];

	if (c >= 0xc2 && c <= 0xdf && cont(s[1])) {
		*cp = (uint32_t)(c & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if (c >= 0xe0 && c <= 0xef && cont(s[1]) && cont(s[2]) &&
	    !(c == 0xe0 && s[1] < 0xa0) && !(c == 0xed && s[1] >= 0xa0)) {
		*cp = (uint32_t)(c & 0x0f) << 12 |
		      (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4 && cont(s[1]) && cont(s[2]) && cont(s[3]) &&
	    !(c == 0xf0 && s[1] < 0x90) && !(c == 0xf4 && s[1] >= 0x90)) {
		*cp = (uint32_t)(c & 0x07) << 18 |
		      (uint32_t)(s[1] & 0x3f) << 12 |
		      (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
		return 4;
	}
	return 0;
}

/* Code points above U+007F that are not shown as themselves. */
static bool hidden(uint32_t cp)
{
	return cp <= 0x9f ||			 /* C1 controls */
	       (cp >= 0x200e && cp <= 0x200f) || /* LRM, RLM */
	       (cp >= 0x2028 && cp <= 0x202e) || /* separators, embeddings */
	       (cp >= 0x2066 && cp <= 0x2069) || /* isolates */
	       cp == 0xfffe || cp == 0xffff;	 /* not XML characters */
}

const char *safe_text_step(const char *str, char out[SAFE_TEXT_MAX_BYTES],
			   size_t *len)
{
	const unsigned char *s = (const unsigned char *)str;
	uint32_t cp = 0;
	size_t n;

	*len = 1;
	out[0] = '?';
	if (*s == ESC)
		return (const char *)skip_escape(s + 1);
	if (*s < 0x80) {
		if (*s >= 0x20 && *s != 0x7f)
			out[0] = (char)*s;
		return str + 1;
	}
	n = utf8_decode(s, &cp);
	if (!n) /* one '?' per stray byte: never skips what follows */
		return str + 1;
	if (!hidden(cp)) {
		memcpy(out, s, n);
		*len = n;
	}
	return str + n;
}

char *safe_text(char *dst, size_t size, const char *src)
{
	size_t used = 0, len;
	char step[SAFE_TEXT_MAX_BYTES];

	/* Each step reads at least as many bytes as it writes: @dst may be @src. */
	while (*src) {
		src = safe_text_step(src, step, &len);
		if (used + len >= size)
			break;
		memcpy(dst + used, step, len);
		used += len;
	}
	dst[used] = '\0';
	return dst;
}

size_t safe_text_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += !cont((unsigned char)*s);
	return n;
}

void safe_text_clip(char *s, size_t max)
{
	size_t chars = 0, at = 0, cut = 0;

	for (; s[at]; at++) {
		if (cont((unsigned char)s[at]))
			continue;
		if (chars == max - 3)
			cut = at; /* where "..." goes if @s is too long */
		if (++chars > max) {
			strcpy(s + cut, "...");
			return;
		}
	}
}
