// SPDX-License-Identifier: MIT
/*
 * The JSON reader of `tinyvmm compare` (vmm/json.c): the input as a
 * document. A tree it returns is walked with every accessor and checked
 * against json.h's promises (strings valid UTF-8 without NUL, json_get()
 * finds the first of duplicate keys); a refusal must say what and where.
 */
#include <errno.h>
#include <math.h>

#include "tests/fuzz/fuzz.h"
#include "vmm/compare/json.h"

/* Whether @s is valid UTF-8 (RFC 3629: no overlongs, surrogates, > U+10FFFF). */
static int utf8_valid(const unsigned char *s)
{
	while (*s) {
		unsigned int c = *s, n, cp;

		if (c < 0x80) {
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, cp = c & 0x07;
		else
			return 0;
		for (unsigned int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		s += n + 1;
	}
	return 1;
}

/* The earliest member named @key among the first @upto + 1 of @obj. */
static const struct json_value *first_of(const struct json_value *obj,
					 const char *key, size_t upto)
{
	const struct json_value *m;
	const char *k;

	for (size_t j = 0; j <= upto; j++) {
		m = json_member_at(obj, j, &k);
		if (strcmp(k, key) == 0)
			return m;
	}
	return NULL;
}

static void walk(const struct json_value *v, unsigned int depth)
{
	const char *key, *str;
	double d;

	FUZZ_ASSERT(depth <= JSON_MAX_DEPTH + 1);
	FUZZ_ASSERT(json_type_name(v) != NULL);
	switch (v->type) {
	case JSON_NUMBER:
		FUZZ_ASSERT(json_as_number(v, &d) && isfinite(d));
		break;
	case JSON_STRING:
		str = json_as_string(v);
		FUZZ_ASSERT(str && utf8_valid((const unsigned char *)str));
		break;
	case JSON_ARRAY:
		for (size_t i = 0; i < json_length(v); i++)
			walk(json_index(v, i), depth + 1);
		FUZZ_ASSERT(json_index(v, json_length(v)) == NULL);
		break;
	case JSON_OBJECT:
		for (size_t i = 0; i < json_length(v); i++) {
			const struct json_value *m = json_member_at(v, i, &key);
			const struct json_value *first = json_get(v, key);

			FUZZ_ASSERT(m && key &&
				    utf8_valid((const unsigned char *)key));
			FUZZ_ASSERT(first == first_of(v, key, i));
			walk(m, depth + 1);
		}
		break;
	default:
		FUZZ_ASSERT(!json_as_number(v, &d) && !json_as_string(v));
		FUZZ_ASSERT(json_length(v) == 0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_value *root = (struct json_value *)1;
	struct json_error err = { 0 };
	/* Not NUL-terminated, as json_parse() allows: ASan sees overreads. */
	char *text = malloc(size ? size : 1);
	int ret;

	FUZZ_ASSERT(text);
	memcpy(text, data, size);
	ret = json_parse(text, size, &root, &err);
	if (ret == 0) {
		FUZZ_ASSERT(root != NULL);
		walk(root, 0);
		json_free(root);
	} else {
		FUZZ_ASSERT(root == NULL);
		FUZZ_ASSERT(ret == -ENOMEM ||
			    (ret == -EINVAL && err.what && err.offset <= size));
	}
	free(text);
	return 0;
}
