/* SPDX-License-Identifier: MIT */
/*
 * A small ACPI Machine Language encoder (ACPI 6.x, chapter 20, "ACPI
 * Machine Language Specification"): just what a DSDT describing fixed
 * devices needs. Errors are sticky: after the first one every call is a
 * no-op and aml_finish() reports it, so callers write straight-line code.
 */
#ifndef TINYVMM_ARCH_X86_AML_H
#define TINYVMM_ARCH_X86_AML_H

#include <stddef.h>
#include <stdint.h>

#define AML_MAX_DEPTH 8

struct aml {
	uint8_t *buf;
	size_t size, len;
	int error;		    /* 0, -E2BIG or -EINVAL */
	size_t open[AML_MAX_DEPTH]; /* where each open package's body starts */
	unsigned int depth;
};

/* Starts encoding into @buf (@size bytes). */
void aml_init(struct aml *a, void *buf, size_t size);

/*
 * Scope(@name) { and Device(@name) {: the body follows, up to the matching
 * aml_close(). @name is a single NameSeg of 1..4 characters (padded with
 * '_'), optionally prefixed with '\' for the root: "\\_SB", "VR00".
 */
void aml_scope(struct aml *a, const char *name);
void aml_device(struct aml *a, const char *name);
/* Package(@count) { ... }: exactly @count data objects follow. */
void aml_package(struct aml *a, unsigned int count);
/* Closes the innermost Scope, Device or Package, writing its PkgLength. */
void aml_close(struct aml *a);

/* Name(@name, ...: exactly one data object (integer, string, ...) follows. */
void aml_name(struct aml *a, const char *name);
/* An Integer in its shortest encoding (Zero, One, Byte .. QWord). */
void aml_integer(struct aml *a, uint64_t v);
/* A String of printable ASCII. */
void aml_string(struct aml *a, const char *s);
/* Buffer() { @bytes }: e.g. a resource template (struct aml_res). */
void aml_buffer(struct aml *a, const void *bytes, size_t len);

/*
 * Returns the bytes encoded, or the first error: -E2BIG when the buffer
 * was too small, -EINVAL for a bad name, a close without an open, nesting
 * deeper than AML_MAX_DEPTH, or a package still open.
 */
int aml_finish(struct aml *a);

/* Resource template bytes (ACPI 6.x, 6.4 "Resource Data Types"). */
#define AML_RES_MAX 128

struct aml_res {
	uint8_t b[AML_RES_MAX];
	size_t len;
	int error; /* -E2BIG once something did not fit */
};

void aml_res_init(struct aml_res *r);
/* Memory32Fixed(ReadWrite, @base, @size): a 12-byte large item. */
void aml_res_memory32_fixed(struct aml_res *r, uint32_t base, uint32_t size);
/*
 * Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) { @gsi }: the
 * extended interrupt descriptor, 9 bytes.
 */
void aml_res_interrupt_edge(struct aml_res *r, uint32_t gsi);
/* IO(Decode16, @port, @port, 1, @len): one fixed range, 8 bytes. */
void aml_res_io(struct aml_res *r, uint16_t port, uint8_t len);
/* IRQNoFlags() { @irq }: an ISA IRQ (0..15), edge, active high. */
void aml_res_irq(struct aml_res *r, unsigned int irq);
/* The End Tag; returns 0, or -E2BIG / -EINVAL for a failed item. */
int aml_res_end(struct aml_res *r);

#endif /* TINYVMM_ARCH_X86_AML_H */
