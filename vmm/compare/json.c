// SPDX-License-Identifier: MIT
/* A recursive-descent JSON reader (RFC 8259); contract in json.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vmm/base/file.h"
#include "vmm/compare/json.h"

#define JSON_STR2(x) #x
#define JSON_STR(x) JSON_STR2(x)

_Static_assert(JSON_MAX_FILE == 16u << 20, "json_read_file() says 16 MiB");

struct json_parser {
	const char *s;
	size_t len, pos;
	unsigned int depth;
	struct json_error *err;
};

static int parse_value(struct json_parser *p, struct json_value *v);

static int fail(struct json_parser *p, size_t at, const char *what)
{
	p->err->what = what;
	p->err->offset = at;
	return -EINVAL;
}

/* As fail() at the cursor, saying "truncated" when it is at the end. */
static int fail_expect(struct json_parser *p, const char *what)
{
	if (p->pos >= p->len)
		what = "unexpected end of input (truncated?)";
	return fail(p, p->pos, what);
}

static int peek(const struct json_parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static void skip_ws(struct json_parser *p)
{
	int c;

	while ((c = peek(p)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		p->pos++;
}

/* Length of the valid UTF-8 sequence at @s, or 0 (RFC 3629 section 4). */
static size_t utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		lo = c == 0xe0 ? 0xa0 : lo; /* no overlong forms */
		hi = c == 0xed ? 0x9f : hi; /* no UTF-16 surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		lo = c == 0xf0 ? 0x90 : lo;
		hi = c == 0xf4 ? 0x8f : hi; /* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (avail < n || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* Offset of the first byte that is not valid UTF-8, or @len. */
static size_t utf8_check(const char *text, size_t len)
{
	const unsigned char *s = (const unsigned char *)text;
	size_t i = 0, n;

	while (i < len) {
		n = utf8_seq(s + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

static size_t utf8_put(unsigned int cp, char *o)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* The four hex digits at @at, or -EINVAL. */
static int hex4(const struct json_parser *p, size_t at, unsigned int *out)
{
	unsigned int v = 0;

	if (at > p->len || p->len - at < 4)
		return -EINVAL;
	for (size_t i = at; i < at + 4; i++) {
		int c = (unsigned char)p->s[i];

		if (!isxdigit(c))
			return -EINVAL;
		v = v << 4 | (unsigned int)(isdigit(c) ? c - '0'
						       : (c | 0x20) - 'a' + 10);
	}
	*out = v;
	return 0;
}

static bool is_low_surrogate(unsigned int u)
{
	return u >= 0xdc00 && u <= 0xdfff;
}

/* \uXXXX (or a surrogate pair of them) at *@i: the code point, *@i past. */
static int unicode_escape(struct json_parser *p, size_t *i, unsigned int *cp)
{
	size_t at = *i;
	unsigned int hi, lo;

	if (hex4(p, at + 2, &hi))
		return fail(p, at, "\\u needs four hex digits");
	*i = at + 6;
	if (is_low_surrogate(hi))
		return fail(p, at, "lone low surrogate in a \\u escape");
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
		return hi ? 0
			  : fail(p, at, "\\u0000 in a string is not supported");
	}
	if (*i + 1 >= p->len || p->s[*i] != '\\' || p->s[*i + 1] != 'u' ||
	    hex4(p, *i + 2, &lo) || !is_low_surrogate(lo))
		return fail(p, at,
			    "high surrogate without a low one in a \\u escape");
	*i += 6;
	*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	return 0;
}

/* The escape at *@i (a backslash) decoded to @o; returns bytes written. */
static int escape(struct json_parser *p, size_t *i, char *o, size_t *used)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e = *i + 1 < p->len ? strchr(from, p->s[*i + 1]) : NULL;
	unsigned int cp;
	int ret;

	if (e && *e) {
		o[(*used)++] = to[e - from];
		*i += 2;
		return 0;
	}
	if (*i + 1 >= p->len || p->s[*i + 1] != 'u')
		return fail(p, *i, "unknown escape in a string");
	ret = unicode_escape(p, i, &cp);
	if (!ret)
		*used += utf8_put(cp, o + *used);
	return ret;
}

/* Offset of the closing quote of the string that opens at the cursor. */
static int string_end(struct json_parser *p, size_t *end)
{
	size_t i = p->pos + 1;

	while (i < p->len) {
		unsigned char c = (unsigned char)p->s[i];

		if (c == '"') {
			*end = i;
			return 0;
		}
		if (c < 0x20)
			return fail(p, i, "control character in a string");
		i += c == '\\' ? 2 : 1;
	}
	return fail(p, p->pos, "unterminated string (truncated?)");
}

/* The string at the cursor into a new C string; escapes only shrink it. */
static int parse_string(struct json_parser *p, char **out)
{
	size_t end, i, used = 0;
	char *buf;
	int ret = string_end(p, &end);

	if (ret)
		return ret;
	buf = malloc(end - p->pos);
	if (!buf)
		return -ENOMEM;
	for (i = p->pos + 1; i < end && !ret;) {
		if (p->s[i] == '\\')
			ret = escape(p, &i, buf, &used);
		else
			buf[used++] = p->s[i++];
	}
	if (ret) {
		free(buf);
		return ret;
	}
	buf[used] = '\0';
	p->pos = end + 1;
	*out = buf;
	return 0;
}

static size_t skip_digits(const struct json_parser *p, size_t i)
{
	while (i < p->len && isdigit((unsigned char)p->s[i]))
		i++;
	return i;
}

/* End of the number at the cursor per RFC 8259 section 6, or 0. */
static size_t number_end(const struct json_parser *p)
{
	size_t i = p->pos, d;

	if (i < p->len && p->s[i] == '-')
		i++;
	d = i < p->len && p->s[i] == '0' ? i + 1 : skip_digits(p, i);
	if (d == i)
		return 0;
	i = d;
	if (i < p->len && p->s[i] == '.') {
		d = skip_digits(p, i + 1);
		if (d == i + 1)
			return 0;
		i = d;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		d = skip_digits(p, i);
		if (d == i)
			return 0;
		i = d;
	}
	return i;
}

static int parse_number(struct json_parser *p, struct json_value *v)
{
	size_t end = number_end(p);
	char *copy, *stop;
	double d;

	if (!end)
		return fail(p, p->pos, "malformed number");
	copy = strndup(p->s + p->pos, end - p->pos);
	if (!copy)
		return -ENOMEM;
	errno = 0;
	d = strtod(copy, &stop);
	if (*stop || (errno == ERANGE && isinf(d))) {
		free(copy);
		return fail(p, p->pos, "number out of range of a double");
	}
	free(copy);
	v->type = JSON_NUMBER;
	v->u.number = d;
	p->pos = end;
	return 0;
}

static int parse_literal(struct json_parser *p, struct json_value *v)
{
	static const struct {
		const char *word;
		enum json_type type;
	} words[] = {
		{ "null", JSON_NULL },
		{ "true", JSON_TRUE },
		{ "false", JSON_FALSE },
	};

	size_t left = p->len - p->pos;

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		size_t n = strlen(words[i].word);

		if (left >= n && !memcmp(p->s + p->pos, words[i].word, n)) {
			v->type = words[i].type;
			p->pos += n;
			return 0;
		}
		if (left && left < n &&
		    !memcmp(p->s + p->pos, words[i].word, left))
			return fail(p, p->len,
				    "unexpected end of input (truncated?)");
	}
	return fail_expect(p, "expected a value");
}

/* Room for one more of @size-byte items; the (maybe moved) array or NULL. */
static void *grow(void *items, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 4;
	void *grown;

	if (n < *cap)
		return items;
	if (ncap > SIZE_MAX / size)
		return NULL;
	grown = realloc(items, ncap * size);
	if (grown)
		*cap = ncap;
	return grown;
}

/* After an item: 1 on ',', 0 on @close, else an error. */
static int list_next(struct json_parser *p, int close, const char *what)
{
	int c;

	skip_ws(p);
	c = peek(p);
	if (c != ',' && c != close)
		return fail_expect(p, what);
	p->pos++;
	return c == ',';
}

/* Items are counted before they are parsed so json_free() sees them. */
static int parse_array(struct json_parser *p, struct json_value *v)
{
	size_t cap = 0;
	int ret;

	v->type = JSON_ARRAY;
	p->pos++;
	skip_ws(p);
	if (peek(p) == ']') {
		p->pos++;
		return 0;
	}
	do {
		struct json_value *items = grow(v->u.array.items, v->u.array.n,
						&cap, sizeof(*items));

		if (!items)
			return -ENOMEM;
		v->u.array.items = items;
		memset(&items[v->u.array.n], 0, sizeof(*items));
		ret = parse_value(p, &items[v->u.array.n++]);
		if (!ret)
			ret = list_next(p, ']',
					"expected ',' or ']' in an array");
	} while (ret > 0);
	return ret;
}

static int parse_member(struct json_parser *p, struct json_value *v,
			size_t *cap)
{
	struct json_member *m;
	int ret;

	skip_ws(p);
	if (peek(p) != '"')
		return fail_expect(p, "expected a string key in an object");
	m = grow(v->u.object.members, v->u.object.n, cap, sizeof(*m));
	if (!m)
		return -ENOMEM;
	v->u.object.members = m;
	m += v->u.object.n;
	memset(m, 0, sizeof(*m));
	ret = parse_string(p, &m->key);
	if (ret)
		return ret;
	v->u.object.n++;
	skip_ws(p);
	if (peek(p) != ':')
		return fail_expect(p, "expected ':' after an object key");
	p->pos++;
	return parse_value(p, &m->value);
}

static int parse_object(struct json_parser *p, struct json_value *v)
{
	size_t cap = 0;
	int ret;

	v->type = JSON_OBJECT;
	p->pos++;
	skip_ws(p);
	if (peek(p) == '}') {
		p->pos++;
		return 0;
	}
	do {
		ret = parse_member(p, v, &cap);
		if (!ret)
			ret = list_next(p, '}',
					"expected ',' or '}' in an object");
	} while (ret > 0);
	return ret;
}

static int parse_nested(struct json_parser *p, struct json_value *v,
			bool object)
{
	int ret;

	if (++p->depth > JSON_MAX_DEPTH)
		return fail(p, p->pos,
			    "nested more than " JSON_STR(
				    JSON_MAX_DEPTH) " levels deep");
	ret = object ? parse_object(p, v) : parse_array(p, v);
	p->depth--;
	return ret;
}

static int parse_value(struct json_parser *p, struct json_value *v)
{
	int c;

	skip_ws(p);
	c = peek(p);
	if (c == '-' || (c >= '0' && c <= '9'))
		return parse_number(p, v);
	switch (c) {
	case '{':
		return parse_nested(p, v, true);
	case '[':
		return parse_nested(p, v, false);
	case '"':
		v->type = JSON_STRING;
		return parse_string(p, &v->u.string);
	default:
		return parse_literal(p, v);
	}
}

static void value_clear(struct json_value *v)
{
	switch (v->type) {
	case JSON_STRING:
		free(v->u.string);
		break;
	case JSON_ARRAY:
		for (size_t i = 0; i < v->u.array.n; i++)
			value_clear(&v->u.array.items[i]);
		free(v->u.array.items);
		break;
	case JSON_OBJECT:
		for (size_t i = 0; i < v->u.object.n; i++) {
			free(v->u.object.members[i].key);
			value_clear(&v->u.object.members[i].value);
		}
		free(v->u.object.members);
		break;
	default:
		break;
	}
}

void json_free(struct json_value *v)
{
	if (!v)
		return;
	value_clear(v);
	free(v);
}

int json_parse(const char *text, size_t len, struct json_value **out,
	       struct json_error *err)
{
	struct json_parser p = { .s = text, .len = len, .err = err };
	size_t bad = utf8_check(text, len);
	struct json_value *v;
	int ret;

	*out = NULL;
	if (bad < len)
		return fail(&p, bad, "not valid UTF-8");
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	ret = parse_value(&p, v);
	skip_ws(&p);
	if (!ret && p.pos < len)
		ret = fail(&p, p.pos, "unexpected data after the JSON value");
	if (ret) {
		json_free(v);
		return ret;
	}
	*out = v;
	return 0;
}

/* All of @fd into a new buffer; -EFBIG beyond JSON_MAX_FILE bytes. */
int json_read_file(const char *path, struct json_value **out,
		   struct json_error *err)
{
	size_t len = 0;
	char *buf = NULL;
	int ret;

	*out = NULL;
	err->what = NULL;
	err->offset = 0;
	ret = file_read_all(path, JSON_MAX_FILE, &buf, &len);
	if (ret == -EFBIG) {
		err->what = "larger than 16 MiB, the limit for a JSON file";
		err->offset = JSON_MAX_FILE;
		return -EINVAL;
	}
	if (ret)
		return ret;
	ret = json_parse(buf, len, out, err);
	free(buf);
	return ret;
}

const struct json_value *json_get(const struct json_value *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->u.object.n; i++)
		if (!strcmp(obj->u.object.members[i].key, key))
			return &obj->u.object.members[i].value;
	return NULL;
}

const struct json_value *json_index(const struct json_value *arr, size_t i)
{
	if (!arr || arr->type != JSON_ARRAY || i >= arr->u.array.n)
		return NULL;
	return &arr->u.array.items[i];
}

size_t json_length(const struct json_value *v)
{
	if (v && v->type == JSON_ARRAY)
		return v->u.array.n;
	if (v && v->type == JSON_OBJECT)
		return v->u.object.n;
	return 0;
}

const struct json_value *json_member_at(const struct json_value *obj, size_t i,
					const char **key)
{
	if (!obj || obj->type != JSON_OBJECT || i >= obj->u.object.n)
		return NULL;
	*key = obj->u.object.members[i].key;
	return &obj->u.object.members[i].value;
}

bool json_as_number(const struct json_value *v, double *out)
{
	if (!v || v->type != JSON_NUMBER)
		return false;
	*out = v->u.number;
	return true;
}

const char *json_as_string(const struct json_value *v)
{
	return v && v->type == JSON_STRING ? v->u.string : NULL;
}

const char *json_type_name(const struct json_value *v)
{
	static const char *const names[] = {
		[JSON_NULL] = "null",	  [JSON_FALSE] = "boolean",
		[JSON_TRUE] = "boolean",  [JSON_NUMBER] = "number",
		[JSON_STRING] = "string", [JSON_ARRAY] = "array",
		[JSON_OBJECT] = "object",
	};

	return v ? names[v->type] : "missing";
}
