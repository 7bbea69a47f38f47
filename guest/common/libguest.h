/* SPDX-License-Identifier: MIT */
/*
 * libguest: the freestanding library of tinyvmm's test guests, behind one
 * header. No libc, no heap, no global state: every call gets what it works
 * on (a console, a device tree) from its caller.
 *
 * Contract with the arch code that links it:
 *   - provide a struct console whose write() puts one raw byte on a UART;
 *   - build with -ffreestanding -fno-builtin
 *     -fno-tree-loop-distribute-patterns (the last keeps GCC from turning
 *     memset() below into a call to itself);
 *   - keep static initializers free of pointers when the image may run
 *     away from its link address (see guest/arm64/guest.ld).
 * Nothing here uses atomics or unaligned accesses, so it runs with the
 * MMU off, where all of RAM is Device memory.
 */
#ifndef TINYVMM_GUEST_LIBGUEST_H
#define TINYVMM_GUEST_LIBGUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/*
 * string.c: the functions GCC may call even in a freestanding build
 * (struct copies and zeroing), plus the few string helpers we use.
 * Byte-wise on purpose: with the MMU off an unaligned wide access faults.
 */
void *memset(void *s, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/*
 * console.c: text output over one byte-wide sink. Bytes go out exactly as
 * given ("\n" is not expanded to "\r\n"): the VMM's log parser reads lines.
 */
struct console {
	/* Puts one byte on the device; NULL means "no console yet". */
	void (*write)(const struct console *con, char c);
	uintptr_t base; /* for write(): the device's MMIO base */
};

void con_putc(const struct console *con, char c);
void con_puts(const struct console *con, const char *s);

/*
 * A small printf: %s %c %d %i %u %x %X %p %%, the length modifiers l, ll
 * and z, a '0' flag and a field width (e.g. %016lx). Returns the number of
 * bytes written. Unknown conversions are printed as-is.
 */
int con_printf(const struct console *con, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int con_vprintf(const struct console *con, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * fdt.c: a read-only flattened device tree reader (devicetree spec v0.4,
 * chapter 5). Every read is bounds-checked against the blob's validated
 * totalsize, so a corrupt or hostile tree yields an error, never a read
 * past its end. Nodes are named by their offset in the blob (>= 0);
 * functions returning an int return such an offset or a negative
 * -FDT_ERR_* code.
 */
#define FDT_MAGIC 0xd00dfeedU
#define FDT_MAX_SIZE (2U << 20) /* arm64 booting.rst: a DTB is <= 2 MiB */

#define FDT_ERR_NOTFOUND 1 /* no such node or property */
#define FDT_ERR_BADBLOB 2  /* bad header, token, offset or length */
#define FDT_ERR_BADVALUE 3 /* a property with an unusable value */

struct fdt {
	const uint8_t *blob;
	uint32_t totalsize;
	uint32_t struct_off, struct_end;   /* structure block [off, end) */
	uint32_t strings_off, strings_end; /* strings block [off, end) */
};

/*
 * Validates the header at @blob (magic, version 17, totalsize at most
 * FDT_MAX_SIZE, both blocks inside totalsize) and fills @fdt. Reads only
 * the 40-byte header before totalsize is known to be sane.
 * Returns 0 or -FDT_ERR_BADBLOB.
 */
int fdt_init(struct fdt *fdt, const void *blob);

/* Big-endian loads, byte by byte: blob data need not be aligned. */
uint32_t fdt_be32(const uint8_t *p);
/* @n (0..2) big-endian 32-bit cells as one number. */
uint64_t fdt_cells(const uint8_t *p, unsigned int n);

/* The root node. */
int fdt_root(const struct fdt *fdt);

/*
 * The node after @node in document order; *depth goes up by one when it
 * is a child, stays for a sibling, and drops for each level left.
 * Returns -FDT_ERR_NOTFOUND after the last node.
 */
int fdt_next_node(const struct fdt *fdt, int node, int *depth);
int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);
/* The parent of @node; -FDT_ERR_NOTFOUND for the root. */
int fdt_parent(const struct fdt *fdt, int node);

/* The name of @node ("cpu@0"; "" for the root), NUL-terminated in bounds. */
const char *fdt_node_name(const struct fdt *fdt, int node);

/*
 * The child of @parent called @name. A @name without "@unit" also matches
 * a node that has one ("psci" finds "psci" or "psci@0", whichever is first).
 */
int fdt_subnode(const struct fdt *fdt, int parent, const char *name);
/* The node at absolute @path ("/cpus/cpu@1"); "/" is the root. */
int fdt_path(const struct fdt *fdt, const char *path);

/*
 * The value of property @name of @node, its length in *len (may be NULL).
 * NULL when absent or when the tree is corrupt.
 */
const void *fdt_prop(const struct fdt *fdt, int node, const char *name,
		     uint32_t *len);
/* A property that is a NUL-terminated string; NULL otherwise. */
const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name);
/* A one-cell property; -FDT_ERR_NOTFOUND, -FDT_ERR_BADVALUE on errors. */
int fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		 uint32_t *val);

/* Whether @compat is one of the strings of @node's "compatible". */
bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat);
/* "status" absent, "okay" or "ok" (devicetree spec 2.3.4). */
bool fdt_is_available(const struct fdt *fdt, int node);
/*
 * The first node after @after (or from the root when @after < 0) that is
 * compatible with @compat.
 */
int fdt_find_compatible(const struct fdt *fdt, int after, const char *compat);

/*
 * Entry @index of @node's "reg", decoded with the #address-cells and
 * #size-cells of its parent (defaults 2 and 1, spec 2.3.5). Cell counts
 * above 2 are -FDT_ERR_BADVALUE: they do not fit a uint64_t. @size may be
 * NULL; it is 0 when #size-cells is 0 (as under /cpus).
 */
int fdt_reg(const struct fdt *fdt, int node, unsigned int index, uint64_t *addr,
	    uint64_t *size);

#endif
