// SPDX-License-Identifier: MIT
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/compare/json.h"
#include "tests/unit/unit.h"

#define FIXTURE TINYVMM_TEST_DATA "/bench-arm64-vhe-icount.json"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* Parses a C string literal of JSON (its length, so NULs can be in it). */
static int parse_n(const char *text, size_t len, struct json_value **v,
		   struct json_error *err)
{
	return json_parse(text, len, v, err);
}

static struct json_value *parse_ok(const char *text)
{
	struct json_error err = { 0 };
	struct json_value *v = NULL;
	int ret = parse_n(text, strlen(text), &v, &err);

	ck_assert_msg(ret == 0, "%s: %s at %zu", text, err.what, err.offset);
	ck_assert(v != NULL);
	return v;
}

static const struct {
	const char *in;
	enum json_type type;
	double number;	 /* JSON_NUMBER */
	const char *str; /* JSON_STRING */
} valid_scalars[] = {
	{ "null", JSON_NULL, 0, NULL },
	{ "true", JSON_TRUE, 0, NULL },
	{ " \t\r\nfalse\n", JSON_FALSE, 0, NULL },
	{ "0", JSON_NUMBER, 0, NULL },
	{ "-0", JSON_NUMBER, 0, NULL },
	{ "42", JSON_NUMBER, 42, NULL },
	{ "-12.25E-2", JSON_NUMBER, -0.1225, NULL },
	{ "1.5e3", JSON_NUMBER, 1500, NULL },
	{ "1e+2", JSON_NUMBER, 100, NULL },
	{ "1e-400", JSON_NUMBER, 0, NULL }, /* underflow: 0, not an error */
	{ "1.7976931348623157e308", JSON_NUMBER, 1.7976931348623157e308, NULL },
	{ "\"\"", JSON_STRING, 0, "" },
	{ "\"plain\"", JSON_STRING, 0, "plain" },
	{ "\"q\\\"b\\\\s\\/\\b\\f\\n\\r\\t\"", JSON_STRING, 0,
	  "q\"b\\s/\b\f\n\r\t" },
	{ "\"\\u0041\\u00e9\\u20AC\"", JSON_STRING, 0,
	  "A\xc3\xa9\xe2\x82\xac" },
	{ "\"\\ud83d\\ude00\"", JSON_STRING, 0, "\xf0\x9f\x98\x80" },
	{ "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", JSON_STRING, 0,
	  "caf\xc3\xa9 \xf0\x9f\x98\x80" },
	{ "\"split (nVHE)\"", JSON_STRING, 0, "split (nVHE)" },
};

START_TEST(test_valid_scalars)
{
	for (size_t i = 0; i < ARRAY_SIZE(valid_scalars); i++) {
		struct json_value *v = parse_ok(valid_scalars[i].in);
		double d;

		ck_assert_msg(v->type == valid_scalars[i].type, "case %zu", i);
		if (v->type == JSON_NUMBER) {
			ck_assert(json_as_number(v, &d));
			ck_assert_msg(d == valid_scalars[i].number,
				      "case %zu: %g", i, d);
		}
		if (v->type == JSON_STRING)
			ck_assert_str_eq(json_as_string(v),
					 valid_scalars[i].str);
		json_free(v);
	}
}
END_TEST

static const struct {
	const char *in;
	size_t len; /* 0: strlen(in) */
	size_t offset;
	const char *what; /* a part of the message */
} invalid[] = {
	{ "", 0, 0, "end of input" },
	{ "   ", 0, 3, "end of input" },
	{ "nul", 0, 3, "end of input" },
	{ "nulL", 0, 0, "expected a value" },
	{ "[tru", 0, 4, "end of input" },
	{ "[1,2", 0, 4, "truncated" },
	{ "{\"a\":", 0, 5, "truncated" },
	{ "{\"a\"", 0, 4, "truncated" },
	{ "[1,]", 0, 3, "expected a value" },
	{ "[1 2]", 0, 3, "expected ',' or ']'" },
	{ "{\"a\" 1}", 0, 5, "expected ':'" },
	{ "{\"a\":1,}", 0, 7, "string key" },
	{ "{\"a\":1 \"b\":2}", 0, 7, "expected ',' or '}'" },
	{ "{1:2}", 0, 1, "string key" },
	{ "[1] x", 0, 4, "after the JSON value" },
	{ "01", 0, 1, "after the JSON value" },
	{ "1.", 0, 0, "malformed number" },
	{ ".5", 0, 0, "expected a value" },
	{ "-", 0, 0, "malformed number" },
	{ "-a", 0, 0, "malformed number" },
	{ "+1", 0, 0, "expected a value" },
	{ "1e", 0, 0, "malformed number" },
	{ "1e+", 0, 0, "malformed number" },
	{ "0x10", 0, 1, "after the JSON value" },
	{ "1e400", 0, 0, "out of range" },
	{ "[-1e99999]", 0, 1, "out of range" },
	{ "NaN", 0, 0, "expected a value" },
	{ "\"abc", 0, 0, "unterminated" },
	{ "\"abc\\\"", 0, 0, "unterminated" },
	{ "\"\\", 0, 0, "unterminated" },
	{ "\"\\u00", 0, 0, "unterminated" },
	{ "\"a\nb\"", 0, 2, "control character" },
	{ "\"\\x\"", 0, 1, "unknown escape" },
	{ "\"\\u12\"", 0, 1, "four hex digits" },
	{ "\"\\u12g4\"", 0, 1, "four hex digits" },
	{ "\"\\u0000\"", 0, 1, "\\u0000" },
	{ "\"\\udc00\"", 0, 1, "lone low surrogate" },
	{ "\"\\ud800\"", 0, 1, "without a low one" },
	{ "\"\\ud800\\u0041\"", 0, 1, "without a low one" },
	{ "\"\\ud800x\"", 0, 1, "without a low one" },
	{ "\xff", 0, 0, "UTF-8" },
	{ "\"\xc3\"", 0, 1, "UTF-8" },		   /* cut sequence */
	{ "\"\xc0\xaf\"", 0, 1, "UTF-8" },	   /* overlong '/' */
	{ "\"\xed\xa0\x80\"", 0, 1, "UTF-8" },	   /* a surrogate in UTF-8 */
	{ "\"\xf4\x90\x80\x80\"", 0, 1, "UTF-8" }, /* above U+10FFFF */
	{ "[1,\0]", 5, 3, "expected a value" },
	{ "\"a\0b\"", 5, 2, "control character" },
	{ "\xef\xbb\xbf{}", 0, 0, "expected a value" }, /* a BOM */
};

START_TEST(test_invalid_table)
{
	for (size_t i = 0; i < ARRAY_SIZE(invalid); i++) {
		size_t len =
			invalid[i].len ? invalid[i].len : strlen(invalid[i].in);
		struct json_error err = { 0 };
		struct json_value *v = (void *)1;
		int ret = parse_n(invalid[i].in, len, &v, &err);

		ck_assert_msg(ret == -EINVAL, "case %zu: %d", i, ret);
		ck_assert_msg(v == NULL, "case %zu", i);
		ck_assert_msg(err.what && strstr(err.what, invalid[i].what),
			      "case %zu: '%s'", i, err.what);
		ck_assert_msg(err.offset == invalid[i].offset,
			      "case %zu: offset %zu", i, err.offset);
	}
}
END_TEST

/* @n '[' then @n ']'. */
static char *nested(size_t n)
{
	char *s = malloc(2 * n + 1);

	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	return s;
}

START_TEST(test_depth_limit)
{
	struct json_error err = { 0 };
	struct json_value *v;
	char *ok = nested(JSON_MAX_DEPTH), *deep = nested(JSON_MAX_DEPTH + 1);
	char *huge = nested(1000000);

	v = parse_ok(ok);
	json_free(v);
	ck_assert_int_eq(json_parse(deep, strlen(deep), &v, &err), -EINVAL);
	ck_assert(strstr(err.what, "64 levels"));
	ck_assert_uint_eq(err.offset, JSON_MAX_DEPTH);
	ck_assert_int_eq(json_parse(huge, strlen(huge), &v, &err), -EINVAL);
	ck_assert_uint_eq(err.offset, JSON_MAX_DEPTH);
	free(ok);
	free(deep);
	free(huge);
}
END_TEST

START_TEST(test_lookups)
{
	struct json_value *v = parse_ok(
		"{\"a\":{\"b\":[true,null,3.5]},\"s\":\"x\",\"a\":0,\"e\":{}}");
	const struct json_value *b = json_get(json_get(v, "a"), "b");
	const char *key;
	double d;

	ck_assert_uint_eq(json_length(v), 4);
	ck_assert_uint_eq(json_length(b), 3);
	ck_assert_int_eq(json_index(b, 0)->type, JSON_TRUE);
	ck_assert(json_as_number(json_index(b, 2), &d) && d == 3.5);
	ck_assert(json_index(b, 3) == NULL);
	ck_assert(json_index(v, 0) == NULL); /* not an array */
	ck_assert_str_eq(json_as_string(json_get(v, "s")), "x");
	ck_assert(json_as_string(json_get(v, "a")) == NULL);
	ck_assert(json_get(v, "missing") == NULL);
	ck_assert(json_get(b, "a") == NULL); /* not an object */
	ck_assert(json_get(NULL, "a") == NULL);
	ck_assert(!json_as_number(NULL, &d));
	ck_assert(json_member_at(v, 3, &key) && !strcmp(key, "e"));
	ck_assert(json_member_at(v, 4, &key) == NULL);
	ck_assert_uint_eq(json_length(json_get(v, "e")), 0);
	ck_assert_str_eq(json_type_name(json_get(v, "a")), "object");
	ck_assert_str_eq(json_type_name(json_index(b, 1)), "null");
	ck_assert_str_eq(json_type_name(NULL), "missing");
	json_free(v);
	json_free(NULL);
}
END_TEST

/* Every proper prefix of a real document is an error, never a crash. */
START_TEST(test_truncations)
{
	size_t len;
	char *text = unit_slurp(FIXTURE, &len);
	struct json_error err;
	struct json_value *v;

	for (size_t n = 0; n < len; n++) {
		if (n + 1 == len && text[n] == '\n')
			continue; /* only the final newline cut: still valid */
		ck_assert_msg(json_parse(text, n, &v, &err) == -EINVAL,
			      "prefix %zu", n);
	}
	ck_assert_int_eq(json_parse(text, len, &v, &err), 0);
	json_free(v);
	free(text);
}
END_TEST

/* Garbage at every byte: an answer either way, no crash or leak. */
START_TEST(test_mutations)
{
	static const char garbage[] = { '"', '\\', '{',	   ']',
					',', '\0', '\x80', 'e' };
	size_t len;
	char *text = unit_slurp(FIXTURE, &len);
	struct json_error err;
	struct json_value *v;

	for (size_t i = 0; i < len; i++) {
		char saved = text[i];

		for (size_t g = 0; g < sizeof(garbage); g++) {
			text[i] = garbage[g];
			if (json_parse(text, len, &v, &err) == 0)
				json_free(v);
			else
				ck_assert(err.what && err.offset <= len);
		}
		text[i] = saved;
	}
	free(text);
}
END_TEST

START_TEST(test_read_file)
{
	char path[] = "/tmp/tinyvmm-json-XXXXXX";
	struct json_error err;
	struct json_value *v;
	int fd;

	ck_assert_int_eq(json_read_file(FIXTURE, &v, &err), 0);
	ck_assert_str_eq(json_as_string(json_get(v, "schema")),
			 "tinyvmm-bench");
	json_free(v);
	ck_assert_int_eq(json_read_file("/nonexistent/x.json", &v, &err),
			 -ENOENT);
	ck_assert(v == NULL && err.what == NULL);
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, JSON_MAX_FILE + 1), 0);
	close(fd);
	ck_assert_int_eq(json_read_file(path, &v, &err), -EINVAL);
	ck_assert(strstr(err.what, "16 MiB"));
	unlink(path);
	ck_assert_int_eq(json_read_file("/", &v, &err), -EISDIR);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("json");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_valid_scalars);
	tcase_add_test(tc, test_invalid_table);
	tcase_add_test(tc, test_depth_limit);
	tcase_add_test(tc, test_lookups);
	tcase_add_test(tc, test_truncations);
	tcase_add_test(tc, test_mutations);
	tcase_add_test(tc, test_read_file);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
