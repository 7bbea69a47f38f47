// SPDX-License-Identifier: MIT
/*
 * The x86 ACPI tables, parsed back the way a guest would: from the RSDP
 * through the XSDT and FADT to every table, checksums included, and the
 * DSDT's AML through a small decoder written here for the subset we emit.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/x86_layout.h"
#include "tests/unit/unit.h"

#define GPA X86_ACPI_ADDR

static uint64_t get_le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;

	while (len--)
		s += *p++;
	return s;
}

/* The tables in a region the guest sees at GPA. */
struct region {
	const uint8_t *buf;
	size_t len;
};

/* The table at guest address @gpa, after checking it is whole and sums to 0. */
static const uint8_t *table_at(const struct region *r, uint64_t gpa,
			       const char *sig)
{
	const uint8_t *t;
	uint64_t len;

	ck_assert_uint_ge(gpa, GPA);
	ck_assert_uint_le(gpa - GPA + 36, r->len);
	t = r->buf + (gpa - GPA);
	ck_assert_msg(memcmp(t, sig, 4) == 0, "want %s, found %.4s", sig, t);
	len = get_le(t + 4, 4);
	ck_assert_uint_le(gpa - GPA + len, r->len);
	ck_assert_msg(sum(t, len) == 0, "%s checksum", sig);
	return t;
}

/* A test machine: slot i at the layout's address with GSI 16 + i. */
static struct x86_acpi_virtio slots[X86_VIRTIO_SLOTS];

static void make_slots(void)
{
	for (unsigned int i = 0; i < X86_VIRTIO_SLOTS; i++) {
		slots[i].base = X86_VIRTIO_BASE + i * X86_VIRTIO_SLOT_SIZE;
		slots[i].size = X86_VIRTIO_SLOT_SIZE;
		slots[i].gsi = X86_VIRTIO_GSI_BASE + i;
	}
}

/* --- A decoder for the AML subset the DSDT uses. --- */

struct dev {
	char name[5];
	char hid[16];
	uint64_t uid;
	const uint8_t *crs;
	size_t crs_len;
};

struct dsdt {
	struct dev devs[80];
	unsigned int nr_devs;
	uint64_t s5[4];
	unsigned int nr_s5;
	int scopes;
};

struct cursor {
	const uint8_t *p, *end;
};

static uint8_t next(struct cursor *c)
{
	ck_assert_msg(c->p < c->end, "AML parse ran past its table");
	return *c->p++;
}

/* A PkgLength: the end of what it covers. */
static const uint8_t *pkg_end(struct cursor *c)
{
	const uint8_t *start = c->p;
	uint8_t lead = next(c);
	unsigned int n = lead >> 6;
	size_t len;

	if (n == 0) {
		len = lead & 0x3f;
	} else {
		ck_assert_uint_eq(lead & 0x30, 0);
		len = lead & 0x0f;
		for (unsigned int i = 0; i < n; i++)
			len |= (size_t)next(c) << (4 + 8 * i);
		/* We emit the shortest encoding. */
		ck_assert_uint_ge(len, n == 1 ? 0x40 : 1U << (4 + 8 * (n - 1)));
	}
	ck_assert_uint_le(len, (size_t)(c->end - start));
	return start + len;
}

static void name_seg(struct cursor *c, char *out)
{
	if (*c->p == '\\')
		next(c);
	for (int i = 0; i < 4; i++)
		out[i] = (char)next(c);
	out[4] = 0;
}

static uint64_t integer(struct cursor *c)
{
	uint8_t op = next(c);
	unsigned int n;
	uint64_t v;

	switch (op) {
	case 0x00:
		return 0;
	case 0x01:
		return 1;
	case 0x0a:
		n = 1;
		break;
	case 0x0b:
		n = 2;
		break;
	case 0x0c:
		n = 4;
		break;
	case 0x0e:
		n = 8;
		break;
	default:
		ck_abort_msg("integer opcode 0x%x", op);
		return 0;
	}
	ck_assert_uint_le(n, (size_t)(c->end - c->p));
	v = get_le(c->p, n);
	c->p += n;
	return v;
}

static void term_list(struct dsdt *d, struct cursor *c, struct dev *dev);

static void name_op(struct dsdt *d, struct cursor *c, struct dev *dev)
{
	char name[5];
	uint8_t op;

	name_seg(c, name);
	op = *c->p;
	if (op == 0x0d) { /* String */
		size_t n;

		next(c);
		n = strnlen((const char *)c->p, (size_t)(c->end - c->p));
		ck_assert_uint_lt(n, (size_t)(c->end - c->p));
		ck_assert_ptr_nonnull(dev);
		ck_assert_str_eq(name, "_HID");
		ck_assert_uint_lt(n, sizeof(dev->hid));
		memcpy(dev->hid, c->p, n + 1);
		c->p += n + 1;
	} else if (op == 0x11) { /* Buffer */
		struct cursor body;
		uint64_t size;

		next(c);
		body.end = pkg_end(c);
		body.p = c->p;
		size = integer(&body);
		ck_assert_uint_eq(size, (size_t)(body.end - body.p));
		ck_assert_ptr_nonnull(dev);
		ck_assert_str_eq(name, "_CRS");
		dev->crs = body.p;
		dev->crs_len = size;
		c->p = body.end;
	} else if (op == 0x12) { /* Package */
		struct cursor body;

		next(c);
		body.end = pkg_end(c);
		body.p = c->p;
		ck_assert_str_eq(name, "_S5_");
		d->nr_s5 = next(&body);
		ck_assert_uint_le(d->nr_s5, 4);
		for (unsigned int i = 0; i < d->nr_s5; i++)
			d->s5[i] = integer(&body);
		ck_assert_ptr_eq(body.p, body.end);
		c->p = body.end;
	} else {
		ck_assert_ptr_nonnull(dev);
		ck_assert_str_eq(name, "_UID");
		dev->uid = integer(c);
	}
}

static void device_op(struct dsdt *d, struct cursor *c)
{
	struct cursor body;
	struct dev *dev;

	body.end = pkg_end(c);
	body.p = c->p;
	ck_assert_uint_lt(d->nr_devs, sizeof(d->devs) / sizeof(d->devs[0]));
	dev = &d->devs[d->nr_devs++];
	name_seg(&body, dev->name);
	term_list(d, &body, dev);
	c->p = body.end;
}

static void term_list(struct dsdt *d, struct cursor *c, struct dev *dev)
{
	while (c->p < c->end) {
		uint8_t op = next(c);

		if (op == 0x08) {
			name_op(d, c, dev);
		} else if (op == 0x10) {
			struct cursor body;
			char name[5];

			body.end = pkg_end(c);
			body.p = c->p;
			name_seg(&body, name);
			ck_assert_str_eq(name, "_SB_");
			d->scopes++;
			term_list(d, &body, NULL);
			c->p = body.end;
		} else if (op == 0x5b && next(c) == 0x82) {
			device_op(d, c);
		} else {
			ck_abort_msg("unexpected AML opcode 0x%x", op);
		}
	}
}

/* --- Resource templates. --- */

struct res {
	uint32_t mem_base, mem_size;
	int nr_mem;
	uint32_t gsi, gsi_flags;
	int nr_gsi;
	uint16_t io_port;
	uint8_t io_len;
	uint16_t irq_mask;
	int end_tag;
};

static void decode_res(const uint8_t *b, size_t len, struct res *r)
{
	size_t i = 0;

	memset(r, 0, sizeof(*r));
	while (i < len) {
		uint8_t tag = b[i];
		const uint8_t *data;
		size_t n;

		ck_assert_int_eq(r->end_tag, 0);
		if (tag & 0x80) {
			ck_assert_uint_le(i + 3, len);
			n = get_le(b + i + 1, 2);
			data = b + i + 3;
			ck_assert_uint_le(i + 3 + n, len);
			i += 3 + n;
			if ((tag & 0x7f) == 0x06) {
				ck_assert_uint_eq(n, 9);
				ck_assert_uint_eq(data[0], 1); /* read-write */
				r->mem_base = (uint32_t)get_le(data + 1, 4);
				r->mem_size = (uint32_t)get_le(data + 5, 4);
				r->nr_mem++;
			} else if ((tag & 0x7f) == 0x09) {
				ck_assert_uint_eq(data[1], 1);
				ck_assert_uint_eq(n, 6);
				r->gsi_flags = data[0];
				r->gsi = (uint32_t)get_le(data + 2, 4);
				r->nr_gsi++;
			} else {
				ck_abort_msg("large item 0x%x", tag);
			}
			continue;
		}
		n = tag & 7;
		data = b + i + 1;
		ck_assert_uint_le(i + 1 + n, len);
		i += 1 + n;
		switch ((tag >> 3) & 0xf) {
		case 0x8: /* I/O */
			ck_assert_uint_eq(n, 7);
			ck_assert_uint_eq(get_le(data + 1, 2),
					  get_le(data + 3, 2));
			r->io_port = (uint16_t)get_le(data + 1, 2);
			r->io_len = data[6];
			break;
		case 0x4: /* IRQ */
			ck_assert_uint_eq(n, 2);
			r->irq_mask = (uint16_t)get_le(data, 2);
			break;
		case 0xf: /* End Tag */
			ck_assert_uint_eq(n, 1);
			r->end_tag = 1;
			break;
		default:
			ck_abort_msg("small item 0x%x", tag);
		}
	}
	ck_assert_int_eq(r->end_tag, 1);
}

/* --- The whole set. --- */

static void check_madt(const uint8_t *t, unsigned int nr_cpus)
{
	uint64_t len = get_le(t + 4, 4);
	unsigned int lapics = 0, ioapics = 0, isos = 0, sci = 0, pit = 0;

	ck_assert_uint_eq(get_le(t + 36, 4), X86_LAPIC_BASE);
	ck_assert_uint_eq(get_le(t + 40, 4) & 1, 1); /* PCAT_COMPAT */
	for (uint64_t off = 44; off < len; off += t[off + 1]) {
		const uint8_t *e = t + off;

		ck_assert_uint_ge(e[1], 2);
		ck_assert_uint_le(off + e[1], len);
		switch (e[0]) {
		case 0:
			ck_assert_uint_eq(e[1], 8);
			ck_assert_uint_eq(e[3], lapics); /* APIC id = index */
			ck_assert_uint_eq(get_le(e + 4, 4) & 1, 1);
			lapics++;
			break;
		case 1:
			ck_assert_uint_eq(e[1], 12);
			ck_assert_uint_eq(e[2], nr_cpus);
			ck_assert_uint_eq(get_le(e + 4, 4), X86_IOAPIC_BASE);
			ck_assert_uint_eq(get_le(e + 8, 4), 0);
			ioapics++;
			break;
		case 2:
			ck_assert_uint_eq(e[1], 10);
			ck_assert_uint_eq(e[2], 0); /* ISA */
			if (e[3] == 0 && get_le(e + 4, 4) == 2)
				pit++;
			if (e[3] == X86_ACPI_SCI_GSI &&
			    get_le(e + 4, 4) == X86_ACPI_SCI_GSI &&
			    get_le(e + 8, 2) == 0xf) /* level, active low */
				sci++;
			isos++;
			break;
		default:
			ck_abort_msg("MADT entry type %u", e[0]);
		}
	}
	ck_assert_uint_eq(lapics, nr_cpus);
	ck_assert_uint_eq(ioapics, 1);
	ck_assert_uint_eq(isos, 2);
	ck_assert_uint_eq(pit, 1);
	ck_assert_uint_eq(sci, 1);
}

static void check_gas_io(const uint8_t *g, uint64_t port, unsigned int bits)
{
	ck_assert_uint_eq(g[0], 1); /* system I/O */
	ck_assert_uint_eq(g[1], bits);
	ck_assert_uint_eq(get_le(g + 4, 8), port);
}

/* Returns the DSDT after checking the FADT's fields and the FACS. */
static const uint8_t *check_fadt(const struct region *r, const uint8_t *f)
{
	const uint8_t *facs;

	ck_assert_uint_eq(get_le(f + 4, 4), 276);
	ck_assert_uint_eq(f[8], 6);
	ck_assert_uint_eq(get_le(f + 46, 2), X86_ACPI_SCI_GSI);
	ck_assert_uint_eq(get_le(f + 48, 4), 0); /* no SMI_CMD */
	ck_assert_uint_eq(get_le(f + 56, 4), X86_PM1A_EVT_PORT);
	ck_assert_uint_eq(get_le(f + 64, 4), X86_PM1A_CNT_PORT);
	ck_assert_uint_eq(f[88], 4);
	ck_assert_uint_eq(f[89], 2);
	ck_assert_uint_eq(get_le(f + 76, 4), 0); /* no PM timer */
	ck_assert_uint_eq(f[91], 0);
	ck_assert_uint_eq(get_le(f + 109, 2) & 0x3, 0); /* no legacy, 8042 */
	ck_assert_uint_ne(get_le(f + 112, 4) & (1U << 10), 0); /* RESET_REG */
	ck_assert_uint_eq(get_le(f + 112, 4) & (1U << 20),
			  0); /* not HW_REDUCED */
	check_gas_io(f + 116, X86_RESET_PORT, 8);
	ck_assert_uint_eq(f[128], 0x06);
	check_gas_io(f + 148, X86_PM1A_EVT_PORT, 32);
	check_gas_io(f + 172, X86_PM1A_CNT_PORT, 16);
	ck_assert_uint_eq(get_le(f + 36, 4), 0); /* X_FIRMWARE_CTRL only */
	ck_assert_uint_eq(get_le(f + 40, 4), get_le(f + 140, 8));
	ck_assert_uint_eq(get_le(f + 132, 8) % 64, 0);
	ck_assert_uint_ge(get_le(f + 132, 8), GPA);
	ck_assert_uint_le(get_le(f + 132, 8) - GPA + 64, r->len);
	facs = r->buf + (get_le(f + 132, 8) - GPA);
	ck_assert_mem_eq(facs, "FACS", 4);
	ck_assert_uint_eq(get_le(facs + 4, 4), 64);
	return table_at(r, get_le(f + 140, 8), "DSDT");
}

static void check_dsdt(const uint8_t *t, unsigned int nr_virtio, int has_com1)
{
	struct cursor c = { t + 36, t + get_le(t + 4, 4) };
	struct dsdt *d = calloc(1, sizeof(*d));
	unsigned int virtio = 0, com1 = 0;

	ck_assert_uint_eq(t[8], 2); /* 64-bit integers */
	term_list(d, &c, NULL);
	ck_assert_int_eq(d->scopes, 1);
	ck_assert_uint_eq(d->nr_s5, 4);
	ck_assert_uint_eq(d->s5[0], X86_ACPI_S5_SLP_TYP);
	ck_assert_uint_eq(d->s5[1], X86_ACPI_S5_SLP_TYP);
	for (unsigned int i = 0; i < d->nr_devs; i++) {
		struct dev *dev = &d->devs[i];
		struct res r;

		ck_assert_ptr_nonnull(dev->crs);
		decode_res(dev->crs, dev->crs_len, &r);
		if (!strcmp(dev->hid, "PNP0501")) {
			ck_assert_uint_eq(r.io_port, 0x3f8);
			ck_assert_uint_eq(r.io_len, 8);
			ck_assert_uint_eq(r.irq_mask, 1U << 4);
			com1++;
			continue;
		}
		ck_assert_str_eq(dev->hid, "LNRO0005");
		ck_assert_uint_eq(dev->uid, virtio);
		ck_assert_int_eq(r.nr_mem, 1);
		ck_assert_int_eq(r.nr_gsi, 1);
		ck_assert_uint_eq(r.mem_base, slots[virtio].base);
		ck_assert_uint_eq(r.mem_size, slots[virtio].size);
		ck_assert_uint_eq(r.gsi, slots[virtio].gsi);
		/* Consumer, edge, active high, exclusive. */
		ck_assert_uint_eq(r.gsi_flags & 0x0f, 0x03);
		virtio++;
	}
	ck_assert_uint_eq(virtio, nr_virtio);
	ck_assert_uint_eq(com1, has_com1 ? 1 : 0);
	free(d);
}

static void check_tables(const uint8_t *buf, size_t len, unsigned int nr_cpus,
			 unsigned int nr_virtio, int has_com1)
{
	struct region r = { buf, len };
	const uint8_t *xsdt, *fadt = NULL, *madt = NULL;
	uint64_t n;

	/* The RSDP at the start: the address boot_params will carry. */
	ck_assert_mem_eq(buf, "RSD PTR ", 8);
	ck_assert_uint_eq(buf[15], 2);
	ck_assert_uint_eq(sum(buf, 20), 0);
	ck_assert_uint_eq(get_le(buf + 20, 4), 36);
	ck_assert_uint_eq(sum(buf, 36), 0);
	xsdt = table_at(&r, get_le(buf + 24, 8), "XSDT");
	n = (get_le(xsdt + 4, 4) - 36) / 8;
	ck_assert_uint_eq(n, 2);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t gpa = get_le(xsdt + 36 + 8 * i, 8);
		const uint8_t *t = r.buf + (gpa - GPA);

		ck_assert_uint_ge(gpa, GPA);
		ck_assert_uint_lt(gpa - GPA, len);
		if (!memcmp(t, "FACP", 4))
			fadt = table_at(&r, gpa, "FACP");
		else
			madt = table_at(&r, gpa, "APIC");
	}
	ck_assert_ptr_nonnull(fadt);
	ck_assert_ptr_nonnull(madt);
	check_madt(madt, nr_cpus);
	check_dsdt(check_fadt(&r, fadt), nr_virtio, has_com1);
}

static int build(unsigned int nr_cpus, unsigned int nr_virtio, int has_com1,
		 uint8_t *buf, size_t size)
{
	struct x86_acpi_machine m = {
		.nr_cpus = nr_cpus,
		.virtio = slots,
		.nr_virtio = nr_virtio,
		.has_com1 = has_com1,
	};

	make_slots();
	return x86_acpi_build(&m, GPA, buf, size);
}

START_TEST(test_tables_parse_back)
{
	static const unsigned int cpus[] = { 1, 2, 4 };
	uint8_t *buf = malloc(X86_ACPI_MAX);

	for (unsigned int c = 0; c < 3; c++) {
		for (unsigned int v = 0; v <= X86_VIRTIO_SLOTS; v++) {
			int com1 = v & 1;
			int len;

			memset(buf, 0xa5, X86_ACPI_MAX);
			len = build(cpus[c], v, com1, buf, X86_ACPI_MAX);
			ck_assert_int_gt(len, 0);
			check_tables(buf, (size_t)len, cpus[c], v, com1);
		}
	}
	free(buf);
}
END_TEST

/* The most a machine can ask for still fits X86_ACPI_MAX, with long AML. */
START_TEST(test_largest_machine)
{
	struct x86_acpi_virtio many[X86_ACPI_MAX_VIRTIO];
	struct x86_acpi_machine m = {
		.nr_cpus = X86_ACPI_MAX_CPUS,
		.virtio = many,
		.nr_virtio = 20,
		.has_com1 = 1,
	};
	uint8_t *buf = malloc(X86_ACPI_MAX);
	int len;

	make_slots();
	for (unsigned int i = 0; i < 20; i++) {
		many[i].base = X86_VIRTIO_BASE + i * X86_VIRTIO_SLOT_SIZE;
		many[i].size = X86_VIRTIO_SLOT_SIZE;
		many[i].gsi = i < 8 ? 16 + i : (i < 10 ? 10 + i - 8 : 0);
	}
	/* GSIs 16..23, 10, 11: a Scope longer than 4 KiB needs no more. */
	m.nr_virtio = 10;
	memcpy(slots, many, sizeof(slots));
	len = x86_acpi_build(&m, GPA, buf, X86_ACPI_MAX);
	ck_assert_int_gt(len, 0);
	ck_assert_int_le(len, X86_ACPI_MAX);
	free(buf);
}
END_TEST

/* Every size short of what is needed: -E2BIG, and no write past @size. */
START_TEST(test_too_small)
{
	uint8_t *full = malloc(X86_ACPI_MAX);
	int need = build(4, 8, 1, full, X86_ACPI_MAX);

	ck_assert_int_gt(need, 0);
	for (int size = 0; size < need; size++) {
		uint8_t *buf = malloc(size ? (size_t)size : 1);

		ck_assert_int_eq(build(4, 8, 1, buf, (size_t)size), -E2BIG);
		free(buf);
	}
	ck_assert_int_eq(build(4, 8, 1, full, (size_t)need), need);
	free(full);
}
END_TEST

/*
 * The FACS is 64-byte aligned in guest-physical space (5.2.10) wherever
 * the tables go, not merely in the buffer: found by fuzz_x86_acpi.
 */
START_TEST(test_facs_aligned_in_guest)
{
	uint8_t *buf = malloc(X86_ACPI_MAX);

	make_slots();
	for (uint64_t gpa = GPA; gpa < GPA + 64; gpa += 16) {
		struct x86_acpi_machine m = { .nr_cpus = 2,
					      .virtio = slots,
					      .nr_virtio = 2 };
		const uint8_t *xsdt, *fadt = NULL;
		int len = x86_acpi_build(&m, gpa, buf, X86_ACPI_MAX);

		ck_assert_int_gt(len, 0);
		xsdt = buf + (get_le(buf + 24, 8) - gpa);
		for (unsigned int i = 0; i < 2; i++) {
			const uint8_t *t =
				buf + (get_le(xsdt + 36 + 8 * i, 8) - gpa);

			if (!memcmp(t, "FACP", 4))
				fadt = t;
		}
		ck_assert_ptr_nonnull(fadt);
		ck_assert_uint_eq(get_le(fadt + 132, 8) % 64, 0);
		ck_assert_mem_eq(buf + (get_le(fadt + 132, 8) - gpa), "FACS",
				 4);
	}
	free(buf);
}
END_TEST

struct bad_case {
	const char *name;
	unsigned int nr_cpus, nr_virtio;
	int has_com1;
	uint64_t base, size; /* slot 0's, when size */
	unsigned int gsi;    /* slot 0's, when nonzero */
	uint64_t gpa;
};

static const struct bad_case bad_cases[] = {
	{ "no cpus", 0, 1, 0, 0, 0, 0, GPA },
	{ "255 cpus", X86_ACPI_MAX_CPUS + 1, 1, 0, 0, 0, 0, GPA },
	{ "too many transports", 1, X86_ACPI_MAX_VIRTIO + 1, 0, 0, 0, 0, GPA },
	{ "GSI 24", 1, 1, 0, 0, 0, X86_NR_GSIS, GPA },
	{ "GSI of the SCI", 1, 1, 0, 0, 0, X86_ACPI_SCI_GSI, GPA },
	{ "GSI of the PIT", 1, 1, 0, 0, 0, 2, GPA },
	{ "GSI of COM1", 1, 1, 1, 0, 0, X86_UART_GSI, GPA },
	{ "GSI used twice", 1, 2, 0, 0, 0, X86_VIRTIO_GSI_BASE + 1, GPA },
	{ "empty window", 1, 1, 0, X86_VIRTIO_BASE, 0, 0, GPA },
	{ "window past 4 GiB", 1, 1, 0, 0xfffff000ULL, 0x2000, 0, GPA },
	{ "window above 4 GiB", 1, 1, 0, 0x100000000ULL, 0x200, 0, GPA },
	{ "window of all 4 GiB", 1, 1, 0, 0, 0x100000000ULL, 0, GPA },
	{ "RSDP not 16-byte aligned", 1, 0, 0, 0, 0, 0, GPA + 8 },
	{ "tables above 4 GiB", 1, 0, 0, 0, 0, 0, 0x100000000ULL },
};

START_TEST(test_bad_input)
{
	const struct bad_case *c = &bad_cases[_i];
	struct x86_acpi_virtio v[X86_ACPI_MAX_VIRTIO + 1];
	struct x86_acpi_machine m = {
		.nr_cpus = c->nr_cpus,
		.virtio = v,
		.nr_virtio = c->nr_virtio,
		.has_com1 = c->has_com1,
	};
	uint8_t *buf = malloc(X86_ACPI_MAX);

	for (unsigned int i = 0; i <= X86_ACPI_MAX_VIRTIO; i++) {
		v[i].base = X86_VIRTIO_BASE + i * X86_VIRTIO_SLOT_SIZE;
		v[i].size = X86_VIRTIO_SLOT_SIZE;
		v[i].gsi = X86_VIRTIO_GSI_BASE + (i % 8);
	}
	if (c->size || c->base) {
		v[0].base = c->base;
		v[0].size = c->size;
	}
	if (c->gsi)
		v[0].gsi = c->gsi;
	ck_assert_msg(x86_acpi_build(&m, c->gpa, buf, X86_ACPI_MAX) == -EINVAL,
		      "%s", c->name);
	free(buf);
}
END_TEST

START_TEST(test_null)
{
	struct x86_acpi_machine m = { .nr_cpus = 1, .nr_virtio = 1 };
	uint8_t buf[64];

	ck_assert_int_eq(x86_acpi_build(NULL, GPA, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(x86_acpi_build(&m, GPA, buf, sizeof(buf)), -EINVAL);
	m.nr_virtio = 0;
	ck_assert_int_eq(x86_acpi_build(&m, GPA, NULL, 0), -EINVAL);
}
END_TEST

static Suite *x86_acpi_suite(void)
{
	Suite *s = suite_create("x86_acpi");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_tables_parse_back);
	tcase_add_test(tc, test_largest_machine);
	tcase_add_test(tc, test_too_small);
	tcase_add_test(tc, test_facs_aligned_in_guest);
	tcase_add_loop_test(tc, test_bad_input, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, test_null);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(x86_acpi_suite());
}
