// SPDX-License-Identifier: MIT
/*
 * The x86 ACPI tables (arch/x86/acpi.c, with its AML writer aml.c) for a
 * machine the input describes: vCPUs, COM1, virtio transports with their
 * windows and GSIs, the guest address and the buffer size. A table set it
 * says it built must parse back the way a guest reads it: the RSDP's v1
 * and extended checksums, the XSDT's entries inside the buffer, every
 * table's length and checksum, the MADT's entries inside the MADT (a
 * Local APIC per vCPU, the I/O APIC), the FACS and DSDT the FADT points
 * to, and the DSDT's AML walked through its package lengths down to each
 * device's _CRS, which must announce the window and GSI asked for. A
 * refusal must be the documented one: -EINVAL exactly for the machines
 * acpi.h calls impossible, -E2BIG exactly when the buffer is smaller than
 * the tables.
 *
 * Input: nr_cpus (u8), flags (u8: F_*), the gpa when asked (F_GPA_RAW:
 * u64; F_GPA_TOP: u16, 16-byte steps below 4 GiB), the buffer size when
 * asked (F_SIZE: u16; else X86_ACPI_MAX), nr_virtio (u8), then per
 * transport a u8 saying how it is described (bit 0: base and size follow,
 * two u64, else slot i of the layout; bit 1: the GSI follows, a u8, else
 * the first free GSI from bits 2-7 on).
 */
#include <errno.h>

#include "arch/x86/acpi.h"
#include "arch/x86/x86_layout.h"
#include "tests/fuzz/fuzz.h"

#define F_COM1 1
#define F_GPA_RAW 2
#define F_GPA_TOP 4
#define F_SIZE 8
#define F_NULL_VIRTIO 16 /* nr_virtio transports, but no array */

#define MAX_VIRTIO (X86_ACPI_MAX_VIRTIO + 1) /* one more than allowed */
#define GiB4 0x100000000ULL
#define PIT_GSI 2
#define HDR 36
#define FILL 0xa5 /* the buffer's bytes before the build */

struct machine {
	struct x86_acpi_machine m;
	struct x86_acpi_virtio virtio[MAX_VIRTIO];
	uint64_t gpa;
	size_t size;
};

/* The first GSI from @from on that @used lacks, or @from. */
static unsigned int free_gsi(uint32_t used, unsigned int from)
{
	for (unsigned int i = 0; i < X86_NR_GSIS; i++) {
		unsigned int gsi = (from + i) % X86_NR_GSIS;

		if (!(used & (1U << gsi)))
			return gsi;
	}
	return from;
}

static void virtio_read(struct machine *x, struct fuzz_in *in)
{
	uint32_t used = (1U << PIT_GSI) | (1U << X86_ACPI_SCI_GSI);

	if (x->m.has_com1)
		used |= 1U << X86_UART_GSI;
	x->m.nr_virtio = fuzz_u8(in) % (MAX_VIRTIO + 1);
	for (unsigned int i = 0; i < x->m.nr_virtio; i++) {
		struct x86_acpi_virtio *v = &x->virtio[i];
		uint8_t how = fuzz_u8(in);

		v->base = X86_VIRTIO_BASE + i * X86_VIRTIO_SLOT_SIZE;
		v->size = X86_VIRTIO_SLOT_SIZE;
		if (how & 1) {
			v->base = fuzz_u64(in);
			v->size = fuzz_u64(in);
		}
		v->gsi =
			how & 2 ? fuzz_u8(in) : free_gsi(used, (how >> 2) % 24);
		if (v->gsi < 32)
			used |= 1U << v->gsi;
	}
}

static void machine_read(struct machine *x, struct fuzz_in *in)
{
	uint8_t flags;

	x->m.nr_cpus = fuzz_u8(in);
	flags = fuzz_u8(in);
	x->m.has_com1 = flags & F_COM1;
	x->gpa = X86_ACPI_ADDR;
	if (flags & F_GPA_RAW)
		x->gpa = fuzz_u64(in);
	else if (flags & F_GPA_TOP)
		x->gpa = GiB4 - 16 * (uint64_t)fuzz_u16(in);
	x->size = flags & F_SIZE ? fuzz_u16(in) : X86_ACPI_MAX;
	virtio_read(x, in);
	x->m.virtio = flags & F_NULL_VIRTIO ? NULL : x->virtio;
}

/* acpi.h's list of impossible machines, but for the tables' end. */
static int machine_possible(const struct machine *x)
{
	const struct x86_acpi_machine *m = &x->m;
	uint32_t used = (1U << PIT_GSI) | (1U << X86_ACPI_SCI_GSI);

	if (m->nr_cpus == 0 || m->nr_cpus > X86_ACPI_MAX_CPUS ||
	    m->nr_virtio > X86_ACPI_MAX_VIRTIO ||
	    (m->nr_virtio && !m->virtio) || x->gpa % 16 || x->gpa >= GiB4)
		return 0;
	if (m->has_com1)
		used |= 1U << X86_UART_GSI;
	for (unsigned int i = 0; i < m->nr_virtio; i++) {
		const struct x86_acpi_virtio *v = &m->virtio[i];

		if (v->size == 0 || v->size >= GiB4 || v->base >= GiB4 ||
		    v->size > GiB4 - v->base)
			return 0;
		if (v->gsi >= X86_NR_GSIS || (used & (1U << v->gsi)))
			return 0;
		used |= 1U << v->gsi;
	}
	return 1;
}

/* --- Reading the tables back. --- */

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

/* The tables as built: @len bytes the guest sees at @gpa. */
struct tables {
	const uint8_t *buf;
	size_t len;
	uint64_t gpa;
	const struct machine *x;
};

/* @len bytes at guest address @gpa, which must lie inside the tables. */
static const uint8_t *at(const struct tables *t, uint64_t gpa, uint64_t len)
{
	FUZZ_ASSERT(gpa >= t->gpa && gpa - t->gpa <= t->len);
	FUZZ_ASSERT(len <= t->len - (gpa - t->gpa));
	return t->buf + (gpa - t->gpa);
}

/* The table @sig at @gpa: whole inside the buffer, summing to 0. */
static const uint8_t *table_at(const struct tables *t, uint64_t gpa,
			       const char *sig)
{
	const uint8_t *p = at(t, gpa, HDR);
	uint64_t len = get_le(p + 4, 4);

	FUZZ_ASSERT(memcmp(p, sig, 4) == 0);
	FUZZ_ASSERT(len >= HDR);
	p = at(t, gpa, len);
	FUZZ_ASSERT(sum(p, len) == 0);
	return p;
}

static void madt_check(const struct tables *t, const uint8_t *madt)
{
	uint64_t len = get_le(madt + 4, 4);
	unsigned int lapics = 0, ioapics = 0;

	FUZZ_ASSERT(len >= HDR + 8);
	for (uint64_t off = HDR + 8; off < len; off += madt[off + 1]) {
		const uint8_t *e = madt + off;

		FUZZ_ASSERT(len - off >= 2 && e[1] >= 2 && e[1] <= len - off);
		if (e[0] == 0) {
			FUZZ_ASSERT(e[1] == 8 && e[3] == lapics);
			FUZZ_ASSERT(get_le(e + 4, 4) & 1); /* enabled */
			lapics++;
		} else if (e[0] == 1) {
			FUZZ_ASSERT(e[1] == 12 && e[2] == t->x->m.nr_cpus);
			FUZZ_ASSERT(get_le(e + 4, 4) == X86_IOAPIC_BASE);
			ioapics++;
		} else {
			FUZZ_ASSERT(e[0] == 2 && e[1] == 10); /* an override */
		}
	}
	FUZZ_ASSERT(lapics == t->x->m.nr_cpus && ioapics == 1);
}

/* --- The DSDT's AML: the subset a static DSDT of devices needs. --- */

struct dev {
	char name[5];
	char hid[9];
	uint64_t uid;
	const uint8_t *crs;
	size_t crs_len;
};

struct dsdt {
	struct dev devs[MAX_VIRTIO + 1];
	unsigned int nr_devs, scopes, s5_count;
	uint64_t s5[2];
};

struct cur {
	const uint8_t *p, *end;
};

static uint8_t next(struct cur *c)
{
	FUZZ_ASSERT(c->p < c->end);
	return *c->p++;
}

/* A PkgLength and the bytes it covers (20.2.4); @c moves past them. */
static struct cur pkg(struct cur *c)
{
	const uint8_t *start = c->p;
	uint8_t lead = next(c);
	unsigned int n = lead >> 6;
	size_t len = n ? lead & 0x0f : lead & 0x3f;
	struct cur body;

	FUZZ_ASSERT(!n || !(lead & 0x30));
	for (unsigned int i = 0; i < n; i++)
		len |= (size_t)next(c) << (4 + 8 * i);
	FUZZ_ASSERT(len >= n + 1 && len <= (size_t)(c->end - start));
	body = (struct cur){ c->p, start + len };
	c->p = body.end;
	return body;
}

static void name_seg(struct cur *c, char out[5])
{
	if (c->p < c->end && *c->p == '\\')
		c->p++;
	for (int i = 0; i < 4; i++) {
		char ch = (char)next(c);

		FUZZ_ASSERT((ch >= 'A' && ch <= 'Z') || ch == '_' ||
			    (i && ch >= '0' && ch <= '9'));
		out[i] = ch;
	}
	out[4] = '\0';
}

static uint64_t integer(struct cur *c)
{
	static const unsigned int bytes[] = {
		[0x0a] = 1, [0x0b] = 2, [0x0c] = 4, [0x0e] = 8
	};
	uint8_t op = next(c);
	uint64_t v;

	if (op <= 1)
		return op;
	FUZZ_ASSERT(op < sizeof(bytes) / sizeof(bytes[0]) && bytes[op]);
	FUZZ_ASSERT((size_t)(c->end - c->p) >= bytes[op]);
	v = get_le(c->p, bytes[op]);
	c->p += bytes[op];
	return v;
}

/* A String's characters (0x01..0x7f) and NUL; copied to @out if room. */
static void string(struct cur *c, char *out, size_t room)
{
	size_t n = 0;

	for (uint8_t ch = next(c); ch; ch = next(c), n++) {
		FUZZ_ASSERT(ch <= 0x7f);
		if (n + 1 < room)
			out[n] = (char)ch;
	}
	if (room)
		out[n + 1 < room ? n : room - 1] = '\0';
}

/* The data object of Name(@name, ...) inside @dev (NULL: outside one). */
static void data_object(struct dsdt *d, struct cur *c, const char *name,
			struct dev *dev)
{
	struct cur body;

	switch (*c->p) {
	case 0x0d: /* String */
		c->p++;
		FUZZ_ASSERT(dev && !strcmp(name, "_HID"));
		string(c, dev->hid, sizeof(dev->hid));
		return;
	case 0x11: /* Buffer: BufferSize, then exactly that many bytes */
		c->p++;
		body = pkg(c);
		FUZZ_ASSERT(integer(&body) == (size_t)(body.end - body.p));
		FUZZ_ASSERT(dev && !strcmp(name, "_CRS"));
		dev->crs = body.p;
		dev->crs_len = (size_t)(body.end - body.p);
		return;
	case 0x12: /* Package: NumElements, then the integers */
		c->p++;
		body = pkg(c);
		FUZZ_ASSERT(!dev && !strcmp(name, "_S5_"));
		d->s5_count = next(&body);
		for (unsigned int i = 0; i < d->s5_count; i++) {
			uint64_t v = integer(&body);

			if (i < 2)
				d->s5[i] = v;
		}
		FUZZ_ASSERT(body.p == body.end);
		return;
	}
	FUZZ_ASSERT(dev && !strcmp(name, "_UID"));
	dev->uid = integer(c);
}

static void term_list(struct dsdt *d, struct cur *c, struct dev *dev,
		      unsigned int depth)
{
	FUZZ_ASSERT(depth <= 8);
	while (c->p < c->end) {
		uint8_t op = next(c);
		struct cur body;
		char name[5];

		if (op == 0x08) { /* Name */
			name_seg(c, name);
			FUZZ_ASSERT(c->p < c->end);
			data_object(d, c, name, dev);
		} else if (op == 0x10) { /* Scope */
			body = pkg(c);
			name_seg(&body, name);
			FUZZ_ASSERT(!dev && !strcmp(name, "_SB_"));
			d->scopes++;
			term_list(d, &body, NULL, depth + 1);
		} else {
			FUZZ_ASSERT(op == 0x5b && next(c) == 0x82); /* Device */
			FUZZ_ASSERT(!dev && d->nr_devs < MAX_VIRTIO + 1);
			body = pkg(c);
			dev = &d->devs[d->nr_devs++];
			name_seg(&body, dev->name);
			term_list(d, &body, dev, depth + 1);
			dev = NULL;
		}
	}
}

/* What a _CRS resource template holds (6.4), each item inside it. */
struct res {
	uint64_t mem_base, mem_size, gsi;
	unsigned int nr_mem, nr_gsi, gsi_flags, io_port, io_len, irq_mask;
};

static void large_item(const uint8_t *tag, size_t n, struct res *r)
{
	const uint8_t *data = tag + 3;

	if (*tag == 0x86) { /* Memory32Fixed */
		FUZZ_ASSERT(n == 9);
		r->mem_base = get_le(data + 1, 4);
		r->mem_size = get_le(data + 5, 4);
		r->nr_mem++;
	} else {
		FUZZ_ASSERT(*tag == 0x89 && n == 6 && data[1] == 1);
		r->gsi_flags = data[0];
		r->gsi = get_le(data + 2, 4);
		r->nr_gsi++;
	}
}

static void res_read(const struct dev *dev, struct res *r)
{
	const uint8_t *b = dev->crs;
	size_t i = 0, len = dev->crs_len, n;

	memset(r, 0, sizeof(*r));
	FUZZ_ASSERT(b);
	for (;;) {
		FUZZ_ASSERT(i < len);
		if (b[i] & 0x80) {
			FUZZ_ASSERT(len - i >= 3);
			n = get_le(b + i + 1, 2);
			FUZZ_ASSERT(n <= len - i - 3);
			large_item(b + i, n, r);
			i += 3 + n;
			continue;
		}
		n = b[i] & 7;
		FUZZ_ASSERT(n <= len - i - 1);
		if (b[i] == 0x79) /* End Tag: the template's last item */
			break;
		if (b[i] == 0x47) { /* IO, fixed: minimum = maximum */
			FUZZ_ASSERT(get_le(b + i + 2, 2) ==
				    get_le(b + i + 4, 2));
			r->io_port = (unsigned int)get_le(b + i + 2, 2);
			r->io_len = b[i + 7];
		} else {
			FUZZ_ASSERT(b[i] == 0x22); /* IRQNoFlags */
			r->irq_mask = (unsigned int)get_le(b + i + 1, 2);
		}
		i += 1 + n;
	}
	FUZZ_ASSERT(i + 2 == len);
}

/* Device VRnn: the transport _UID n, as the input described it. */
static void virtio_check(const struct tables *t, const struct dev *dev,
			 uint64_t *seen)
{
	const struct x86_acpi_virtio *v;
	char name[5];
	struct res r;

	FUZZ_ASSERT(dev->uid < t->x->m.nr_virtio && !(*seen >> dev->uid & 1));
	*seen |= 1ULL << dev->uid;
	v = &t->x->m.virtio[dev->uid];
	snprintf(name, sizeof(name), "VR%02X", (unsigned int)dev->uid & 0xff);
	FUZZ_ASSERT(!strcmp(dev->name, name));
	res_read(dev, &r);
	FUZZ_ASSERT(r.nr_mem == 1 && r.nr_gsi == 1);
	FUZZ_ASSERT(r.mem_base == v->base && r.mem_size == v->size);
	FUZZ_ASSERT(r.gsi == v->gsi);
	FUZZ_ASSERT((r.gsi_flags & 0x0f) == 0x03); /* consumer, edge, high */
}

static void dsdt_check(const struct tables *t, const uint8_t *table)
{
	struct cur c = { table + HDR, table + get_le(table + 4, 4) };
	struct dsdt *d = calloc(1, sizeof(*d));
	unsigned int com1 = 0;
	uint64_t seen = 0;
	struct res r;

	FUZZ_ASSERT(d);
	FUZZ_ASSERT(table[8] >= 2); /* 64-bit integers */
	term_list(d, &c, NULL, 0);
	FUZZ_ASSERT(d->scopes == 1 && d->s5_count == 4);
	FUZZ_ASSERT(d->s5[0] == X86_ACPI_S5_SLP_TYP &&
		    d->s5[1] == X86_ACPI_S5_SLP_TYP);
	for (unsigned int i = 0; i < d->nr_devs; i++) {
		if (!strcmp(d->devs[i].hid, "LNRO0005")) {
			virtio_check(t, &d->devs[i], &seen);
			continue;
		}
		FUZZ_ASSERT(!strcmp(d->devs[i].hid, "PNP0501"));
		res_read(&d->devs[i], &r);
		FUZZ_ASSERT(r.io_port == X86_COM1_PORT && r.io_len == 8);
		FUZZ_ASSERT(r.irq_mask == 1U << X86_UART_GSI);
		com1++;
	}
	FUZZ_ASSERT(d->nr_devs == t->x->m.nr_virtio + com1);
	FUZZ_ASSERT(com1 == (t->x->m.has_com1 ? 1U : 0U));
	free(d);
}

/* The FADT's FACS and DSDT: where it says, whole. */
static void fadt_check(const struct tables *t, const uint8_t *fadt)
{
	uint64_t facs = get_le(fadt + 132, 8), dsdt = get_le(fadt + 140, 8);
	const uint8_t *p;

	FUZZ_ASSERT(get_le(fadt + 4, 4) >= 148); /* X_DSDT is in */
	FUZZ_ASSERT(get_le(fadt + 40, 4) == dsdt);
	p = at(t, facs, 64);
	FUZZ_ASSERT(facs % 64 == 0 && !memcmp(p, "FACS", 4));
	FUZZ_ASSERT(get_le(p + 4, 4) == 64);
	dsdt_check(t, table_at(t, dsdt, "DSDT"));
}

static void tables_check(const struct tables *t)
{
	const uint8_t *rsdp = at(t, t->gpa, 36), *xsdt;
	const uint8_t *fadt = NULL, *madt = NULL;
	uint64_t n;

	FUZZ_ASSERT(!memcmp(rsdp, "RSD PTR ", 8) && rsdp[15] == 2);
	FUZZ_ASSERT(sum(rsdp, 20) == 0);
	FUZZ_ASSERT(get_le(rsdp + 20, 4) == 36 && sum(rsdp, 36) == 0);
	xsdt = table_at(t, get_le(rsdp + 24, 8), "XSDT");
	n = get_le(xsdt + 4, 4) - HDR;
	FUZZ_ASSERT(n % 8 == 0);
	for (uint64_t i = 0; i < n / 8; i++) {
		uint64_t gpa = get_le(xsdt + HDR + 8 * i, 8);
		const uint8_t *p = at(t, gpa, 4);

		if (!memcmp(p, "FACP", 4) && !fadt)
			fadt = table_at(t, gpa, "FACP");
		else if (!madt)
			madt = table_at(t, gpa, "APIC");
		else
			FUZZ_ASSERT(!"a third table in the XSDT");
	}
	FUZZ_ASSERT(fadt && madt);
	madt_check(t, madt);
	fadt_check(t, fadt);
}

/*
 * What the same machine needs, built in X86_ACPI_MAX where the guest finds
 * it, at the same address modulo 64 (acpi.h: what the layout depends on).
 */
static int tables_need(const struct machine *x)
{
	uint8_t *ref = malloc(X86_ACPI_MAX);
	int need;

	FUZZ_ASSERT(ref);
	need = x86_acpi_build(&x->m, X86_ACPI_ADDR + x->gpa % 64, ref,
			      X86_ACPI_MAX);
	free(ref);
	return need;
}

/* The FILL bytes still there: nothing written past what it used. */
static void tail_check(const uint8_t *p, size_t n)
{
	static const uint8_t fill[4096] = { [0 ... 4095] = FILL };

	for (size_t i = 0; i < n; i += sizeof(fill))
		FUZZ_ASSERT(
			!memcmp(p + i, fill,
				n - i < sizeof(fill) ? n - i : sizeof(fill)));
}

static void result_check(const struct machine *x, const uint8_t *buf, int ret)
{
	int need;

	if (!machine_possible(x)) {
		FUZZ_ASSERT(ret == -EINVAL);
		return;
	}
	/* acpi.h: the tables fit X86_ACPI_MAX, whatever the machine. */
	need = tables_need(x);
	FUZZ_ASSERT(need > 0 && need <= (int)X86_ACPI_MAX);
	if (x->size < (size_t)need) {
		FUZZ_ASSERT(ret == -E2BIG ||
			    (ret == -EINVAL && (uint64_t)need > GiB4 - x->gpa));
		return;
	}
	if ((uint64_t)need > GiB4 - x->gpa) {
		FUZZ_ASSERT(ret == -EINVAL); /* the tables would pass 4 GiB */
		return;
	}
	FUZZ_ASSERT(ret == need);
	tail_check(buf + ret, x->size - (size_t)ret);
	tables_check(&(struct tables){ buf, (size_t)ret, x->gpa, x });
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct machine x = { 0 };
	uint8_t *buf;
	int ret;

	machine_read(&x, &in);
	/* Exactly the size promised: ASan catches a write past it. */
	buf = malloc(x.size ? x.size : 1);
	FUZZ_ASSERT(buf);
	memset(buf, FILL, x.size);
	ret = x86_acpi_build(&x.m, x.gpa, buf, x.size);
	result_check(&x, buf, ret);
	free(buf);
	return 0;
}
