// SPDX-License-Identifier: MIT
/*
 * Console output and a small printf. Numbers are formatted into a local
 * buffer, so the only device accesses are the one-byte writes of
 * con->write().
 */
#include "libguest.h"

/* What one conversion asked for: "%08lx" is {zero, 8, 'l' x1}. */
struct fmt_spec {
	bool zero_pad;
	unsigned int width;
	unsigned int longs; /* how many 'l' (or 'z'): 0, 1 or 2 */
};

void con_putc(const struct console *con, char c)
{
	if (con && con->write)
		con->write(con, c);
}

void con_puts(const struct console *con, const char *s)
{
	while (*s)
		con_putc(con, *s++);
}

/* Writes @s padded on the left to @spec->width; returns bytes written. */
static int put_padded(const struct console *con, const char *s, size_t len,
		      const struct fmt_spec *spec, char pad)
{
	int n = 0;

	for (; len + n < spec->width; n++)
		con_putc(con, pad);
	for (size_t i = 0; i < len; i++)
		con_putc(con, s[i]);
	return n + (int)len;
}

static int put_number(const struct console *con, unsigned long long v,
		      unsigned int base, bool negative, bool upper,
		      const struct fmt_spec *spec)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char buf[24]; /* 2^64 has 20 decimal digits; one more for '-' */
	size_t i = sizeof(buf);

	do {
		buf[--i] = digits[v % base];
		v /= base;
	} while (v);
	if (negative && spec->zero_pad) {
		/* The sign goes before the zeros: "-0042". */
		struct fmt_spec rest = *spec;

		con_putc(con, '-');
		rest.width = spec->width ? spec->width - 1 : 0;
		return 1 +
		       put_padded(con, buf + i, sizeof(buf) - i, &rest, '0');
	}
	if (negative)
		buf[--i] = '-';
	return put_padded(con, buf + i, sizeof(buf) - i, spec,
			  spec->zero_pad ? '0' : ' ');
}

static unsigned long long get_unsigned(const struct fmt_spec *spec, va_list *ap)
{
	if (spec->longs >= 2)
		return va_arg(*ap, unsigned long long);
	if (spec->longs == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static long long get_signed(const struct fmt_spec *spec, va_list *ap)
{
	if (spec->longs >= 2)
		return va_arg(*ap, long long);
	if (spec->longs == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

static int put_signed(const struct console *con, const struct fmt_spec *spec,
		      va_list *ap)
{
	long long v = get_signed(spec, ap);
	unsigned long long mag = (unsigned long long)v;

	/* Negate in unsigned arithmetic: -LLONG_MIN overflows a long long. */
	if (v < 0)
		mag = 0ULL - mag;
	return put_number(con, mag, 10, v < 0, false, spec);
}

static int put_string(const struct console *con, const struct fmt_spec *spec,
		      va_list *ap)
{
	const char *s = va_arg(*ap, const char *);

	if (!s)
		s = "(null)";
	return put_padded(con, s, strlen(s), spec, ' ');
}

/* One conversion, the character after the spec being @c. */
static int put_conversion(const struct console *con, char c,
			  const struct fmt_spec *spec, va_list *ap)
{
	struct fmt_spec ptr = { true, 0, 1 };

	switch (c) {
	case 'd':
	case 'i':
		return put_signed(con, spec, ap);
	case 'u':
		return put_number(con, get_unsigned(spec, ap), 10, false, false,
				  spec);
	case 'x':
	case 'X':
		return put_number(con, get_unsigned(spec, ap), 16, false,
				  c == 'X', spec);
	case 'p':
		con_puts(con, "0x");
		return 2 + put_number(con, (uintptr_t)va_arg(*ap, void *), 16,
				      false, false, &ptr);
	case 's':
		return put_string(con, spec, ap);
	case 'c':
		con_putc(con, (char)va_arg(*ap, int));
		return 1;
	default: /* '%' itself, or a conversion we do not know */
		con_putc(con, c);
		return 1;
	}
}

/* Parses flags, width and length after a '%'; returns the new position. */
static const char *parse_spec(const char *p, struct fmt_spec *spec)
{
	*spec = (struct fmt_spec){ false, 0, 0 };
	if (*p == '0') {
		spec->zero_pad = true;
		p++;
	}
	for (; *p >= '0' && *p <= '9'; p++)
		spec->width = spec->width * 10 + (unsigned int)(*p - '0');
	/* 'z' counts as one 'l': size_t is an unsigned long on LP64. */
	for (; *p == 'l' || *p == 'z'; p++)
		spec->longs++;
	return p;
}

int con_vprintf(const struct console *con, const char *fmt, va_list ap)
{
	struct fmt_spec spec;
	va_list args;
	int n = 0;

	/* Helpers take a va_list pointer: a copy keeps that portable. */
	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			con_putc(con, *fmt++);
			n++;
			continue;
		}
		fmt = parse_spec(fmt + 1, &spec);
		if (!*fmt)
			break;
		n += put_conversion(con, *fmt++, &spec, &args);
	}
	va_end(args);
	return n;
}

int con_printf(const struct console *con, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = con_vprintf(con, fmt, ap);
	va_end(ap);
	return n;
}
