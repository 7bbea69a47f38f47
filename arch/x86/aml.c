// SPDX-License-Identifier: MIT
/*
 * An AML encoder for a static DSDT, after ACPI 6.x chapter 20 (the AML
 * grammar) and 6.4 (resource descriptors).
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/aml.h"
#include "arch/x86/le.h"

/* Opcodes (ACPI 6.x, 20.3 "AML Byte Stream Byte Values"). */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_STRING_PREFIX 0x0d
#define AML_QWORD_PREFIX 0x0e
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_PACKAGE_OP 0x12
#define AML_EXT_OP_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR '\\'

#define AML_PKG_LENGTH_MAX (1U << 28) /* 4 bytes: 4 + 8 + 8 + 8 bits */

static void fail(struct aml *a, int err)
{
	if (!a->error)
		a->error = err;
}

static void put_bytes(struct aml *a, const void *p, size_t n)
{
	if (a->error)
		return;
	if (n > a->size - a->len) {
		fail(a, -E2BIG);
		return;
	}
	memcpy(a->buf + a->len, p, n);
	a->len += n;
}

static void put_byte(struct aml *a, uint8_t b)
{
	put_bytes(a, &b, 1);
}

void aml_init(struct aml *a, void *buf, size_t size)
{
	memset(a, 0, sizeof(*a));
	a->buf = buf;
	a->size = buf ? size : 0;
}

static int is_lead_char(char c)
{
	return (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_name_char(char c)
{
	return is_lead_char(c) || (c >= '0' && c <= '9');
}

/* A NameString of one NameSeg, '_'-padded, with an optional root prefix. */
static void put_name(struct aml *a, const char *name)
{
	char seg[4] = { '_', '_', '_', '_' };
	size_t n;

	if (name && *name == AML_ROOT_CHAR) {
		put_byte(a, AML_ROOT_CHAR);
		name++;
	}
	n = name ? strlen(name) : 0;
	if (n < 1 || n > 4 || !is_lead_char(name[0])) {
		fail(a, -EINVAL);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_name_char(name[i])) {
			fail(a, -EINVAL);
			return;
		}
		seg[i] = name[i];
	}
	put_bytes(a, seg, sizeof(seg));
}

/* Opens a package: its PkgLength is written by aml_close(). */
static void open_package(struct aml *a)
{
	if (a->error)
		return;
	if (a->depth >= AML_MAX_DEPTH) {
		fail(a, -EINVAL);
		return;
	}
	a->open[a->depth++] = a->len;
}

/* Bytes a PkgLength takes when what follows it is @body bytes long. */
static size_t pkg_length_bytes(size_t body)
{
	if (body + 1 < 0x40)
		return 1;
	if (body + 2 < (1U << 12))
		return 2;
	if (body + 3 < (1U << 20))
		return 3;
	return 4;
}

/*
 * Encodes @len (which counts the PkgLength itself) in @n bytes: the lead
 * byte holds the byte count in bits 7-6 and the low nibble, the others
 * the following bits, 8 at a time (20.2.4 "Package Length Encoding").
 */
static void encode_pkg_length(uint8_t *p, size_t len, size_t n)
{
	if (n == 1) {
		p[0] = (uint8_t)len;
		return;
	}
	p[0] = (uint8_t)(((n - 1) << 6) | (len & 0x0f));
	for (size_t i = 1; i < n; i++)
		p[i] = (uint8_t)(len >> (4 + 8 * (i - 1)));
}

void aml_close(struct aml *a)
{
	size_t start, body, n;

	if (a->error)
		return;
	if (a->depth == 0) {
		fail(a, -EINVAL);
		return;
	}
	start = a->open[--a->depth];
	body = a->len - start;
	n = pkg_length_bytes(body);
	if (body + n >= AML_PKG_LENGTH_MAX) {
		fail(a, -E2BIG);
		return;
	}
	if (n > a->size - a->len) {
		fail(a, -E2BIG);
		return;
	}
	/* Make room in front of the body, now that its length is known. */
	memmove(a->buf + start + n, a->buf + start, body);
	encode_pkg_length(a->buf + start, body + n, n);
	a->len += n;
}

void aml_scope(struct aml *a, const char *name)
{
	put_byte(a, AML_SCOPE_OP);
	open_package(a);
	put_name(a, name);
}

void aml_device(struct aml *a, const char *name)
{
	put_byte(a, AML_EXT_OP_PREFIX);
	put_byte(a, AML_DEVICE_OP);
	open_package(a);
	put_name(a, name);
}

void aml_package(struct aml *a, unsigned int count)
{
	if (count > 0xff) {
		fail(a, -EINVAL); /* NumElements is a ByteData */
		return;
	}
	put_byte(a, AML_PACKAGE_OP);
	open_package(a);
	put_byte(a, (uint8_t)count);
}

void aml_name(struct aml *a, const char *name)
{
	put_byte(a, AML_NAME_OP);
	put_name(a, name);
}

void aml_integer(struct aml *a, uint64_t v)
{
	uint8_t b[9];
	unsigned int n;

	if (v <= 1) {
		put_byte(a, v ? AML_ONE_OP : AML_ZERO_OP);
		return;
	}
	if (v <= 0xff) {
		b[0] = AML_BYTE_PREFIX;
		n = 1;
	} else if (v <= 0xffff) {
		b[0] = AML_WORD_PREFIX;
		n = 2;
	} else if (v <= 0xffffffffU) {
		b[0] = AML_DWORD_PREFIX;
		n = 4;
	} else {
		b[0] = AML_QWORD_PREFIX;
		n = 8;
	}
	x86_put_le(b + 1, v, n);
	put_bytes(a, b, n + 1);
}

void aml_string(struct aml *a, const char *s)
{
	if (!s) {
		fail(a, -EINVAL);
		return;
	}
	/* AsciiCharList: 0x01..0x7f, then the NUL. */
	for (const char *c = s; *c; c++) {
		if ((unsigned char)*c > 0x7f) {
			fail(a, -EINVAL);
			return;
		}
	}
	put_byte(a, AML_STRING_PREFIX);
	put_bytes(a, s, strlen(s) + 1);
}

void aml_buffer(struct aml *a, const void *bytes, size_t len)
{
	put_byte(a, AML_BUFFER_OP);
	open_package(a);
	aml_integer(a, len); /* BufferSize */
	put_bytes(a, bytes, len);
	aml_close(a);
}

int aml_finish(struct aml *a)
{
	if (!a->error && a->depth)
		fail(a, -EINVAL);
	if (!a->error && a->len > (size_t)0x7fffffff)
		fail(a, -E2BIG);
	return a->error ? a->error : (int)a->len;
}

/* Resource descriptors (6.4.2 small items, 6.4.3 large items). */
#define RES_IRQ_NO_FLAGS 0x22	/* small item 0x4, 2 bytes */
#define RES_IO 0x47		/* small item 0x8, 7 bytes */
#define RES_END_TAG 0x79	/* small item 0xf, 1 byte */
#define RES_MEMORY32_FIXED 0x86 /* large item 0x06 */
#define RES_EXT_IRQ 0x89	/* large item 0x09 */
#define RES_MEM_READ_WRITE 0x01
#define RES_IO_DECODE16 0x01
#define RES_IRQ_CONSUMER 0x01
#define RES_IRQ_EDGE 0x02 /* clear: level */
/* Active high and exclusive are the zero bits (2 and 3). */

static void res_put(struct aml_res *r, const uint8_t *p, size_t n)
{
	if (r->error)
		return;
	if (n > sizeof(r->b) - r->len) {
		r->error = -E2BIG;
		return;
	}
	memcpy(r->b + r->len, p, n);
	r->len += n;
}

void aml_res_init(struct aml_res *r)
{
	memset(r, 0, sizeof(*r));
}

void aml_res_memory32_fixed(struct aml_res *r, uint32_t base, uint32_t size)
{
	uint8_t d[12] = { RES_MEMORY32_FIXED, 9, 0, RES_MEM_READ_WRITE };

	x86_put_le(d + 4, base, 4);
	x86_put_le(d + 8, size, 4);
	res_put(r, d, sizeof(d));
}

void aml_res_interrupt_edge(struct aml_res *r, uint32_t gsi)
{
	uint8_t d[9] = { RES_EXT_IRQ, 6, 0, RES_IRQ_CONSUMER | RES_IRQ_EDGE,
			 1 /* one GSI */ };

	x86_put_le(d + 5, gsi, 4);
	res_put(r, d, sizeof(d));
}

void aml_res_io(struct aml_res *r, uint16_t port, uint8_t len)
{
	uint8_t d[8] = { RES_IO, RES_IO_DECODE16 };

	x86_put_le(d + 2, port, 2); /* minimum base */
	x86_put_le(d + 4, port, 2); /* maximum base: fixed */
	d[6] = 1;		    /* alignment */
	d[7] = len;
	res_put(r, d, sizeof(d));
}

void aml_res_irq(struct aml_res *r, unsigned int irq)
{
	uint8_t d[3] = { RES_IRQ_NO_FLAGS };

	if (irq > 15) {
		r->error = r->error ? r->error : -EINVAL;
		return;
	}
	x86_put_le(d + 1, 1U << irq, 2);
	res_put(r, d, sizeof(d));
}

int aml_res_end(struct aml_res *r)
{
	/* Checksum 0: "treated as if the checksum operation succeeded". */
	const uint8_t d[2] = { RES_END_TAG, 0 };

	res_put(r, d, sizeof(d));
	return r->error;
}
