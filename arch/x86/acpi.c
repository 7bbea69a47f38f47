// SPDX-License-Identifier: MIT
/*
 * ACPI tables for an x86_64 guest, after the ACPI 6.x specification:
 * 5.2.5 RSDP, 5.2.6 table header, 5.2.8 XSDT, 5.2.9 FADT, 5.2.10 FACS,
 * 5.2.11 DSDT, 5.2.12 MADT. Every table is laid out byte by byte at the
 * spec's offsets, little-endian, so the code is the same on any host.
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/acpi.h"
#include "arch/x86/aml.h"
#include "arch/x86/x86_layout.h"
#include "arch/x86/le.h"

#define OEM_ID "TINYVM"		/* 6 bytes */
#define OEM_TABLE_ID "TINYVMM " /* 8 bytes */
#define CREATOR_ID "TVMM"
#define HDR_SIZE 36
#define HDR_CHECKSUM 9

#define RSDP_SIZE 36
#define RSDP_V1_SIZE 20 /* what the first checksum covers */
#define XSDT_ENTRIES 2	/* FADT, MADT */
#define FADT_SIZE 276	/* revision 6 */
#define FADT_REVISION 6
#define FACS_SIZE 64
#define FACS_ALIGN 64 /* 5.2.10: 64-byte aligned */
#define MADT_LAPIC_SIZE 8
#define MADT_IOAPIC_SIZE 12
#define MADT_ISO_SIZE 10
#define DSDT_REVISION 2 /* 2 and up: 64-bit AML integers */

_Static_assert(X86_ACPI_SCI_GSI < 16, "the SCI is an ISA IRQ (override)");
_Static_assert(X86_UART_GSI < 16, "COM1 is on an ISA IRQ");
_Static_assert(X86_NR_GSIS <= 32, "GSI sets fit in a uint32_t");

/* The region being filled and where the guest sees it. */
struct acpi_out {
	uint8_t *buf;
	size_t size, len;
	uint64_t gpa;
};

/*
 * Zeroed room for @len bytes whose guest address is @align-aligned: the
 * alignment the spec asks for is in guest-physical space, and the buffer
 * may sit at any 16-byte aligned @gpa. Its offset, or -E2BIG.
 */
static long reserve(struct acpi_out *o, size_t len, size_t align)
{
	uint64_t at = (o->gpa + o->len + align - 1) & ~(uint64_t)(align - 1);
	size_t off = (size_t)(at - o->gpa);

	if (off > o->size || len > o->size - off)
		return -E2BIG;
	memset(o->buf + off, 0, len);
	o->len = off + len;
	return (long)off;
}

static uint8_t sum_bytes(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	while (len--)
		sum += *p++;
	return sum;
}

/* Sets the checksum byte at @p[@at] so that @len bytes sum to 0. */
static void fix_checksum(uint8_t *p, size_t len, size_t at)
{
	p[at] = 0;
	p[at] = (uint8_t)-sum_bytes(p, len);
}

static void put_header(uint8_t *t, const char *sig, uint32_t len,
		       uint8_t revision)
{
	memcpy(t, sig, 4);
	x86_put_le(t + 4, len, 4);
	t[8] = revision;
	memcpy(t + 10, OEM_ID, 6);
	memcpy(t + 16, OEM_TABLE_ID, 8);
	x86_put_le(t + 24, 1, 4); /* OEM revision */
	memcpy(t + 28, CREATOR_ID, 4);
	x86_put_le(t + 32, 1, 4); /* creator revision */
}

/* Generic Address Structure (5.2.3.2) in system I/O space. */
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define GAS_ACCESS_WORD 2

static void put_gas_io(uint8_t *g, uint16_t port, uint8_t bits, uint8_t access)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = bits;
	g[2] = 0; /* bit offset */
	g[3] = access;
	x86_put_le(g + 4, port, 8);
}

static void build_rsdp(uint8_t *r, uint64_t xsdt_gpa)
{
	memcpy(r, "RSD PTR ", 8);
	memcpy(r + 9, OEM_ID, 6);
	r[15] = 2; /* revision: ACPI 2.0+, has XSDT */
	/* RsdtAddress (16) stays 0: modern guests use the XSDT. */
	x86_put_le(r + 20, RSDP_SIZE, 4);
	x86_put_le(r + 24, xsdt_gpa, 8);
	fix_checksum(r, RSDP_V1_SIZE, 8);
	fix_checksum(r, RSDP_SIZE, 32);
}

static void build_xsdt(uint8_t *t, const uint64_t *entries, unsigned int n)
{
	put_header(t, "XSDT", HDR_SIZE + 8 * n, 1);
	for (unsigned int i = 0; i < n; i++)
		x86_put_le(t + HDR_SIZE + 8 * i, entries[i], 8);
	fix_checksum(t, HDR_SIZE + 8 * n, HDR_CHECKSUM);
}

static void build_facs(uint8_t *f)
{
	memcpy(f, "FACS", 4);
	x86_put_le(f + 4, FACS_SIZE, 4);
	f[32] = 2; /* version; no checksum in the FACS */
}

/* FADT Flags (table 5.10) and IA-PC boot architecture flags (5.11). */
#define FADT_WBINVD (1U << 0)
#define FADT_PROC_C1 (1U << 2)
#define FADT_PWR_BUTTON (1U << 4) /* no fixed-feature power button */
#define FADT_SLP_BUTTON (1U << 5) /* no fixed-feature sleep button */
#define FADT_FIX_RTC (1U << 6)	  /* no RTC wake status in PM1 */
#define FADT_RESET_REG_SUP (1U << 10)
#define IAPC_VGA_NOT_PRESENT (1U << 2)
#define IAPC_CMOS_RTC_NOT_PRESENT (1U << 5)
/* LEGACY_DEVICES (bit 0) and 8042 (bit 1) stay clear: there are none. */

#define PM1_EVT_LEN 4
#define PM1_CNT_LEN 2
#define C2_LATENCY_NONE 101  /* > 100 us: C2 not supported */
#define C3_LATENCY_NONE 1001 /* > 1000 us: C3 not supported */

static void build_fadt(uint8_t *t, uint64_t facs_gpa, uint64_t dsdt_gpa)
{
	put_header(t, "FACP", FADT_SIZE, FADT_REVISION);
	/*
	 * FIRMWARE_CTRL (36) stays 0: with X_FIRMWARE_CTRL set it must
	 * (ACPI 6.4, 5.2.9; Linux lists the FACS twice otherwise). DSDT
	 * and X_DSDT hold the same value, as 5.2.9 allows.
	 */
	x86_put_le(t + 40, dsdt_gpa, 4); /* DSDT */
	x86_put_le(t + 46, X86_ACPI_SCI_GSI, 2);
	/* SMI_CMD (48) 0: always in ACPI mode, nothing to enable. */
	x86_put_le(t + 56, X86_PM1A_EVT_PORT, 4);
	x86_put_le(t + 64, X86_PM1A_CNT_PORT, 4);
	t[88] = PM1_EVT_LEN;
	t[89] = PM1_CNT_LEN;
	/* PM_TMR_BLK, PM_TMR_LEN, GPE blocks: 0, there are none. */
	x86_put_le(t + 96, C2_LATENCY_NONE, 2);
	x86_put_le(t + 98, C3_LATENCY_NONE, 2);
	x86_put_le(t + 109, IAPC_VGA_NOT_PRESENT | IAPC_CMOS_RTC_NOT_PRESENT,
		   2);
	x86_put_le(t + 112,
		   FADT_WBINVD | FADT_PROC_C1 | FADT_PWR_BUTTON |
			   FADT_SLP_BUTTON | FADT_FIX_RTC | FADT_RESET_REG_SUP,
		   4);
	put_gas_io(t + 116, X86_RESET_PORT, 8, GAS_ACCESS_BYTE); /* RESET_REG */
	t[128] = X86_ACPI_RESET_VALUE;
	x86_put_le(t + 132, facs_gpa, 8); /* X_FIRMWARE_CTRL */
	x86_put_le(t + 140, dsdt_gpa, 8); /* X_DSDT */
	put_gas_io(t + 148, X86_PM1A_EVT_PORT, 8 * PM1_EVT_LEN,
		   GAS_ACCESS_WORD); /* X_PM1a_EVT_BLK */
	put_gas_io(t + 172, X86_PM1A_CNT_PORT, 8 * PM1_CNT_LEN,
		   GAS_ACCESS_WORD); /* X_PM1a_CNT_BLK */
	fix_checksum(t, FADT_SIZE, HDR_CHECKSUM);
}

/* MADT structure types (5.2.12) and flags. */
#define MADT_PCAT_COMPAT 1U /* dual 8259s present */
#define MADT_TYPE_LAPIC 0
#define MADT_TYPE_IOAPIC 1
#define MADT_TYPE_ISO 2
#define MADT_LAPIC_ENABLED 1U
#define MPS_INTI_CONFORMS 0x0
#define MPS_INTI_ACTIVE_LOW 0x3
#define MPS_INTI_LEVEL (0x3 << 2)
#define PIT_ISA_IRQ 0
#define PIT_GSI 2

static size_t madt_size(unsigned int nr_cpus)
{
	return HDR_SIZE + 8 + MADT_LAPIC_SIZE * (size_t)nr_cpus +
	       MADT_IOAPIC_SIZE + 2 * MADT_ISO_SIZE;
}

static uint8_t *put_iso(uint8_t *e, uint8_t isa_irq, uint32_t gsi,
			uint16_t flags)
{
	e[0] = MADT_TYPE_ISO;
	e[1] = MADT_ISO_SIZE;
	e[2] = 0; /* bus: ISA */
	e[3] = isa_irq;
	x86_put_le(e + 4, gsi, 4);
	x86_put_le(e + 8, flags, 2);
	return e + MADT_ISO_SIZE;
}

static void build_madt(uint8_t *t, unsigned int nr_cpus)
{
	uint8_t *e = t + HDR_SIZE + 8;

	put_header(t, "APIC", (uint32_t)madt_size(nr_cpus), 5);
	x86_put_le(t + 36, X86_LAPIC_BASE, 4);
	x86_put_le(t + 40, MADT_PCAT_COMPAT, 4);
	for (unsigned int i = 0; i < nr_cpus; i++, e += MADT_LAPIC_SIZE) {
		e[0] = MADT_TYPE_LAPIC;
		e[1] = MADT_LAPIC_SIZE;
		e[2] = (uint8_t)i; /* ACPI processor UID */
		e[3] = (uint8_t)i; /* APIC id: the vCPU index */
		x86_put_le(e + 4, MADT_LAPIC_ENABLED, 4);
	}
	e[0] = MADT_TYPE_IOAPIC;
	e[1] = MADT_IOAPIC_SIZE;
	e[2] = (uint8_t)nr_cpus; /* the first id after the vCPUs' */
	x86_put_le(e + 4, X86_IOAPIC_BASE, 4);
	x86_put_le(e + 8, 0, 4); /* GSI base */
	e += MADT_IOAPIC_SIZE;
	/* The PIT's IRQ 0 is wired to IOAPIC pin 2, as on every PC. */
	e = put_iso(e, PIT_ISA_IRQ, PIT_GSI, MPS_INTI_CONFORMS);
	put_iso(e, X86_ACPI_SCI_GSI, X86_ACPI_SCI_GSI,
		MPS_INTI_ACTIVE_LOW | MPS_INTI_LEVEL);
	fix_checksum(t, madt_size(nr_cpus), HDR_CHECKSUM);
}

/* Device(VRnn): one virtio-mmio transport, matched by Linux's LNRO0005. */
static void dsdt_virtio(struct aml *a, unsigned int i,
			const struct x86_acpi_virtio *v)
{
	static const char hex[] = "0123456789ABCDEF";
	char name[5] = { 'V', 'R', hex[(i >> 4) & 0xf], hex[i & 0xf], 0 };
	struct aml_res r;

	aml_res_init(&r);
	aml_res_memory32_fixed(&r, (uint32_t)v->base, (uint32_t)v->size);
	aml_res_interrupt_edge(&r, v->gsi);
	if (aml_res_end(&r))
		a->error = a->error ? a->error : r.error;
	aml_device(a, name);
	aml_name(a, "_HID");
	aml_string(a, "LNRO0005");
	aml_name(a, "_UID");
	aml_integer(a, i);
	aml_name(a, "_CRS");
	aml_buffer(a, r.b, r.len);
	aml_close(a);
}

static void dsdt_com1(struct aml *a)
{
	struct aml_res r;

	aml_res_init(&r);
	aml_res_io(&r, X86_COM1_PORT, 8);
	aml_res_irq(&r, X86_UART_GSI);
	if (aml_res_end(&r))
		a->error = a->error ? a->error : r.error;
	aml_device(a, "COM1");
	aml_name(a, "_HID");
	aml_string(a, "PNP0501"); /* a 16550A-compatible UART */
	aml_name(a, "_UID");
	aml_integer(a, 1);
	aml_name(a, "_CRS");
	aml_buffer(a, r.b, r.len);
	aml_close(a);
}

/* The DSDT's AML after its header; returns its length or -errno. */
static int dsdt_body(const struct x86_acpi_machine *m, uint8_t *p, size_t size)
{
	struct aml a;

	aml_init(&a, p, size);
	aml_scope(&a, "\\_SB");
	for (unsigned int i = 0; i < m->nr_virtio; i++)
		dsdt_virtio(&a, i, &m->virtio[i]);
	if (m->has_com1)
		dsdt_com1(&a);
	aml_close(&a);
	/* \_S5: SLP_TYPa, SLP_TYPb, reserved, reserved. */
	aml_name(&a, "\\_S5");
	aml_package(&a, 4);
	aml_integer(&a, X86_ACPI_S5_SLP_TYP);
	aml_integer(&a, X86_ACPI_S5_SLP_TYP);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_close(&a);
	return aml_finish(&a);
}

static long build_dsdt(const struct x86_acpi_machine *m, struct acpi_out *o)
{
	long off = reserve(o, HDR_SIZE, 8);
	int body;

	if (off < 0)
		return off;
	body = dsdt_body(m, o->buf + o->len, o->size - o->len);
	if (body < 0)
		return body;
	o->len += (size_t)body;
	put_header(o->buf + off, "DSDT", (uint32_t)(HDR_SIZE + body),
		   DSDT_REVISION);
	fix_checksum(o->buf + off, HDR_SIZE + (size_t)body, HDR_CHECKSUM);
	return off;
}

static int virtio_ok(const struct x86_acpi_virtio *v, uint32_t *used_gsis)
{
	/* Memory32Fixed holds it: base and length 32 bits each. */
	if (v->size == 0 || v->size > 0xffffffffULL ||
	    v->base > 0xffffffffULL || v->size > 0x100000000ULL - v->base)
		return 0;
	if (v->gsi >= X86_NR_GSIS || (*used_gsis & (1U << v->gsi)))
		return 0;
	*used_gsis |= 1U << v->gsi;
	return 1;
}

static int machine_ok(const struct x86_acpi_machine *m, uint64_t gpa)
{
	uint32_t used = (1U << PIT_GSI) | (1U << X86_ACPI_SCI_GSI);

	if (m->nr_cpus == 0 || m->nr_cpus > X86_ACPI_MAX_CPUS ||
	    m->nr_virtio > X86_ACPI_MAX_VIRTIO ||
	    (m->nr_virtio && !m->virtio) || (gpa & 15) || gpa >= 0x100000000ULL)
		return 0;
	if (m->has_com1)
		used |= 1U << X86_UART_GSI;
	for (unsigned int i = 0; i < m->nr_virtio; i++) {
		if (!virtio_ok(&m->virtio[i], &used))
			return 0;
	}
	return 1;
}

/* Reserves every table in layout order; offsets in @off. */
struct acpi_offsets {
	long rsdp, xsdt, fadt, facs, madt, dsdt;
};

static int lay_out(const struct x86_acpi_machine *m, struct acpi_out *o,
		   struct acpi_offsets *off)
{
	off->rsdp = reserve(o, RSDP_SIZE, 16);
	off->xsdt = reserve(o, HDR_SIZE + 8 * XSDT_ENTRIES, 16);
	off->fadt = reserve(o, FADT_SIZE, 8);
	off->facs = reserve(o, FACS_SIZE, FACS_ALIGN);
	off->madt = reserve(o, madt_size(m->nr_cpus), 8);
	if (off->rsdp < 0 || off->xsdt < 0 || off->fadt < 0 || off->facs < 0 ||
	    off->madt < 0)
		return -E2BIG;
	off->dsdt = build_dsdt(m, o);
	return off->dsdt < 0 ? (int)off->dsdt : 0;
}

int x86_acpi_build(const struct x86_acpi_machine *m, uint64_t gpa, void *buf,
		   size_t size)
{
	struct acpi_out o = { .buf = buf, .size = size, .gpa = gpa };
	struct acpi_offsets off;
	uint64_t xsdt_entries[XSDT_ENTRIES];
	int ret;

	if (!m || !buf || !machine_ok(m, gpa))
		return -EINVAL;
	ret = lay_out(m, &o, &off);
	if (ret)
		return ret;
	/* The FADT's 32-bit pointers must reach every table. */
	if (o.len > 0x100000000ULL - gpa || o.len > 0x7fffffff)
		return -EINVAL;
	build_facs(o.buf + off.facs);
	build_madt(o.buf + off.madt, m->nr_cpus);
	build_fadt(o.buf + off.fadt, gpa + off.facs, gpa + off.dsdt);
	xsdt_entries[0] = gpa + off.fadt;
	xsdt_entries[1] = gpa + off.madt;
	build_xsdt(o.buf + off.xsdt, xsdt_entries, XSDT_ENTRIES);
	build_rsdp(o.buf + off.rsdp, gpa + off.xsdt);
	return (int)o.len;
}
