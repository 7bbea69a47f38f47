/* SPDX-License-Identifier: MIT */
/*
 * A small JSON reader (RFC 8259): text -> a tree of values, and lookups.
 * Pure: no I/O but json_read_file(). Unit-tested in tests/unit/test_json.c.
 *
 * What it accepts, and what it refuses with an error (never a crash):
 *   - input must be valid UTF-8; at most JSON_MAX_DEPTH nested arrays and
 *     objects; files of at most JSON_MAX_FILE bytes;
 *   - strings: the escapes of RFC 8259 section 7, \uXXXX decoded to UTF-8
 *     (surrogate pairs joined; a lone surrogate is an error); \u0000 is
 *     refused, so every string is also a C string; raw control
 *     characters are refused;
 *   - numbers: the grammar of section 6 checked first, then strtod();
 *     one that overflows a double is refused (an underflow becomes 0 or
 *     a subnormal, as strtod gives it);
 *   - duplicate object keys are kept; json_get() finds the first;
 *   - exactly one value, with only whitespace around it.
 */
#ifndef TINYVMM_VMM_JSON_H
#define TINYVMM_VMM_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/base/log.h"

#define JSON_MAX_DEPTH 64
#define JSON_MAX_FILE (16u << 20)

enum json_type {
	JSON_NULL,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

struct json_member;

struct json_value {
	enum json_type type;
	union {
		double number;
		char *string; /* UTF-8, NUL-terminated, no NUL inside */
		struct {
			struct json_value *items;
			size_t n;
		} array;
		struct {
			struct json_member *members;
			size_t n;
		} object;
	} u;
};

struct json_member {
	char *key;
	struct json_value value;
};

/* Why parsing failed: a fixed message and the byte offset it applies to. */
struct json_error {
	const char *what;
	size_t offset;
};

/*
 * Parses @len bytes at @text (need not be NUL-terminated) into a new tree
 * in *@out. Returns 0; -EINVAL with @err filled for malformed input;
 * -ENOMEM. On error *@out is NULL and nothing is left allocated.
 */
TV_MUST_CHECK int json_parse(const char *text, size_t len,
			     struct json_value **out, struct json_error *err);

/*
 * Reads @path (at most JSON_MAX_FILE bytes) and parses it. Returns 0;
 * -EINVAL (@err filled: the file is malformed, or too large with offset
 * JSON_MAX_FILE); -ENOMEM; another -errno from open() or read(), with
 * @err->what NULL.
 */
TV_MUST_CHECK int json_read_file(const char *path, struct json_value **out,
				 struct json_error *err);

/* Frees a tree from json_parse() or json_read_file(); NULL is fine. */
void json_free(struct json_value *v);

/* The first member @key of object @obj; NULL if none or not an object. */
const struct json_value *json_get(const struct json_value *obj,
				  const char *key);

/* Item @i of array @arr; NULL if out of range or not an array. */
const struct json_value *json_index(const struct json_value *arr, size_t i);

/* Items of an array or members of an object; 0 for anything else. */
size_t json_length(const struct json_value *v);

/* Member @i of object @obj (key in *@key); NULL if out of range. */
const struct json_value *json_member_at(const struct json_value *obj, size_t i,
					const char **key);

/* Whether @v is a number; its value in *@out if so. */
bool json_as_number(const struct json_value *v, double *out);

/* The string @v holds; NULL if @v is NULL or not a string. */
const char *json_as_string(const struct json_value *v);

/* "null", "boolean", "number", "string", "array" or "object". */
const char *json_type_name(const struct json_value *v);

#endif
