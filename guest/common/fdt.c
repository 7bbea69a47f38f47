// SPDX-License-Identifier: MIT
/*
 * A read-only flattened device tree reader (devicetree specification
 * v0.4, chapter 5 "Flattened Devicetree (DTB) Format").
 *
 * Safety rule: the header is validated once in fdt_init(); after that
 * every access goes through fdt_token() or fdt_string(), which check the
 * offset and length against the block they belong to. Offsets are ints
 * (the blob is at most FDT_MAX_SIZE) and all sums are done in uint32_t
 * after checking they cannot wrap.
 */
#include "libguest.h"

/* Structure block tokens (spec 5.4.1). */
#define FDT_BEGIN_NODE 0x1
#define FDT_END_NODE 0x2
#define FDT_PROP 0x3
#define FDT_NOP 0x4
#define FDT_END 0x9

#define FDT_HEADER_SIZE 40 /* version 17 header (spec 5.2) */
#define FDT_VERSION 17
#define FDT_MAX_DEPTH 32 /* deeper than any real tree; bounds fdt_parent() */

uint32_t fdt_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint64_t fdt_cells(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v = v << 32 | fdt_be32(p + 4 * i);
	return v;
}

/* Whether [off, off + len) lies inside [0, end); never overflows. */
static bool fdt_range_ok(uint32_t off, uint32_t len, uint32_t end)
{
	return off <= end && len <= end - off;
}

static uint32_t fdt_align4(uint32_t off)
{
	return (off + 3) & ~3U;
}

int fdt_init(struct fdt *fdt, const void *blob)
{
	const uint8_t *h = blob;
	uint32_t size, soff, slen, toff, tlen;

	if (!h || fdt_be32(h) != FDT_MAGIC)
		return -FDT_ERR_BADBLOB;
	size = fdt_be32(h + 4);
	toff = fdt_be32(h + 8);
	soff = fdt_be32(h + 12);
	tlen = fdt_be32(h + 36);
	slen = fdt_be32(h + 32);
	if (size < FDT_HEADER_SIZE || size > FDT_MAX_SIZE)
		return -FDT_ERR_BADBLOB;
	/* size_dt_struct exists from version 17; 16-only readers can't cope. */
	if (fdt_be32(h + 20) < FDT_VERSION || fdt_be32(h + 24) > FDT_VERSION)
		return -FDT_ERR_BADBLOB;
	/* Tokens are 32-bit aligned relative to the blob (spec 5.4). */
	if (toff < FDT_HEADER_SIZE || toff % 4 ||
	    !fdt_range_ok(toff, tlen, size))
		return -FDT_ERR_BADBLOB;
	if (soff < FDT_HEADER_SIZE || !fdt_range_ok(soff, slen, size))
		return -FDT_ERR_BADBLOB;
	*fdt = (struct fdt){
		.blob = h,
		.totalsize = size,
		.struct_off = toff,
		.struct_end = toff + tlen,
		.strings_off = soff,
		.strings_end = soff + slen,
	};
	return 0;
}

/* Length of the NUL-terminated string at @off before @end, or -1. */
static int fdt_strlen_in(const struct fdt *fdt, uint32_t off, uint32_t end)
{
	uint32_t i;

	for (i = off; i < end; i++) {
		if (!fdt->blob[i])
			return (int)(i - off);
	}
	return -1;
}

/*
 * Decodes the token at @off and sets *next just past it and its payload.
 * Returns the token, or -FDT_ERR_BADBLOB if it or its payload leaves the
 * structure block.
 */
static int fdt_token(const struct fdt *fdt, int off, uint32_t *next)
{
	uint32_t o = (uint32_t)off, end = fdt->struct_end, len;
	int tok, n;

	if (off < (int)fdt->struct_off || off % 4 || !fdt_range_ok(o, 4, end))
		return -FDT_ERR_BADBLOB;
	tok = (int)fdt_be32(fdt->blob + o);
	o += 4;
	switch (tok) {
	case FDT_BEGIN_NODE:
		n = fdt_strlen_in(fdt, o, end);
		if (n < 0)
			return -FDT_ERR_BADBLOB;
		o = fdt_align4(o + (uint32_t)n + 1);
		break;
	case FDT_PROP:
		if (!fdt_range_ok(o, 8, end))
			return -FDT_ERR_BADBLOB;
		len = fdt_be32(fdt->blob + o);
		if (!fdt_range_ok(o + 8, len, end))
			return -FDT_ERR_BADBLOB;
		o = fdt_align4(o + 8 + len);
		break;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		break;
	default:
		return -FDT_ERR_BADBLOB;
	}
	/* Padding may run past a block that ends unaligned: stop there. */
	*next = o < end ? o : end;
	return tok;
}

/* The first token at or after @off that is not a NOP. */
static int fdt_skip_nops(const struct fdt *fdt, int off, int *tok)
{
	uint32_t next;

	for (;;) {
		*tok = fdt_token(fdt, off, &next);
		if (*tok != FDT_NOP)
			return off;
		off = (int)next;
	}
}

int fdt_root(const struct fdt *fdt)
{
	int tok, off = fdt_skip_nops(fdt, (int)fdt->struct_off, &tok);

	if (tok < 0)
		return tok;
	return tok == FDT_BEGIN_NODE ? off : -FDT_ERR_BADBLOB;
}

int fdt_next_node(const struct fdt *fdt, int node, int *depth)
{
	uint32_t next;
	int tok = fdt_token(fdt, node, &next);

	if (tok != FDT_BEGIN_NODE)
		return -FDT_ERR_BADBLOB;
	/* Each step moves forward by at least 4 bytes: the loop ends. */
	for (;;) {
		int off = (int)next;

		tok = fdt_token(fdt, off, &next);
		switch (tok) {
		case FDT_BEGIN_NODE:
			++*depth;
			return off;
		case FDT_END_NODE:
			--*depth;
			break;
		case FDT_PROP:
		case FDT_NOP:
			break;
		case FDT_END:
			return -FDT_ERR_NOTFOUND;
		default:
			return tok;
		}
	}
}

int fdt_first_child(const struct fdt *fdt, int node)
{
	int depth = 0, child = fdt_next_node(fdt, node, &depth);

	if (child < 0)
		return child;
	return depth == 1 ? child : -FDT_ERR_NOTFOUND;
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
	int depth = 0;

	do {
		node = fdt_next_node(fdt, node, &depth);
	} while (node >= 0 && depth > 0);
	if (node < 0)
		return node;
	return depth == 0 ? node : -FDT_ERR_NOTFOUND;
}

int fdt_parent(const struct fdt *fdt, int node)
{
	int stack[FDT_MAX_DEPTH];
	int depth = 0, off = fdt_root(fdt);

	stack[0] = off;
	while (off >= 0 && off != node) {
		off = fdt_next_node(fdt, off, &depth);
		if (depth < 0)
			return -FDT_ERR_NOTFOUND; /* ran past the root */
		if (depth >= FDT_MAX_DEPTH)
			return -FDT_ERR_BADBLOB;
		stack[depth] = off;
	}
	if (off < 0)
		return off;
	return depth ? stack[depth - 1] : -FDT_ERR_NOTFOUND;
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	uint32_t next;

	/* fdt_token() checked that the name is terminated in bounds. */
	if (fdt_token(fdt, node, &next) != FDT_BEGIN_NODE)
		return NULL;
	return (const char *)fdt->blob + node + 4;
}

/*
 * Whether node name @full is @name[0..len): exactly, or as "name@unit"
 * when @name has no unit address of its own.
 */
static bool fdt_name_matches(const char *full, const char *name, size_t len)
{
	size_t i;

	if (strncmp(full, name, len))
		return false;
	if (!full[len])
		return true;
	for (i = 0; i < len && name[i] != '@'; i++)
		;
	return full[len] == '@' && i == len;
}

static int fdt_subnode_len(const struct fdt *fdt, int parent, const char *name,
			   size_t len)
{
	int node = fdt_first_child(fdt, parent);

	for (; node >= 0; node = fdt_next_sibling(fdt, node)) {
		if (fdt_name_matches(fdt_node_name(fdt, node), name, len))
			return node;
	}
	return node;
}

int fdt_subnode(const struct fdt *fdt, int parent, const char *name)
{
	return fdt_subnode_len(fdt, parent, name, strlen(name));
}

int fdt_path(const struct fdt *fdt, const char *path)
{
	int node = fdt_root(fdt);

	if (*path != '/')
		return -FDT_ERR_NOTFOUND;
	while (node >= 0 && *path) {
		size_t len;

		while (*path == '/')
			path++;
		for (len = 0; path[len] && path[len] != '/'; len++)
			;
		if (!len)
			break; /* trailing '/' */
		node = fdt_subnode_len(fdt, node, path, len);
		path += len;
	}
	return node;
}

/* Whether the strings-block string at @nameoff is @name. */
static bool fdt_string_is(const struct fdt *fdt, uint32_t nameoff,
			  const char *name)
{
	uint32_t off = fdt->strings_off + nameoff;
	int len;

	if (nameoff >= fdt->strings_end - fdt->strings_off)
		return false;
	len = fdt_strlen_in(fdt, off, fdt->strings_end);
	return len >= 0 && !strcmp((const char *)fdt->blob + off, name);
}

const void *fdt_prop(const struct fdt *fdt, int node, const char *name,
		     uint32_t *len)
{
	uint32_t next;
	int off = node;

	if (fdt_token(fdt, off, &next) != FDT_BEGIN_NODE)
		return NULL;
	/* Properties precede subnodes (spec 5.4.2): stop at the first one. */
	for (;;) {
		const uint8_t *p;
		int tok;

		off = (int)next;
		tok = fdt_token(fdt, off, &next);
		if (tok == FDT_NOP)
			continue;
		if (tok != FDT_PROP)
			return NULL;
		p = fdt->blob + off + 4;
		if (fdt_string_is(fdt, fdt_be32(p + 4), name)) {
			if (len)
				*len = fdt_be32(p);
			return p + 8;
		}
	}
}

const char *fdt_prop_string(const struct fdt *fdt, int node, const char *name)
{
	uint32_t len;
	const char *s = fdt_prop(fdt, node, name, &len);

	if (!s || !len || s[len - 1])
		return NULL;
	return s;
}

int fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		 uint32_t *val)
{
	uint32_t len;
	const uint8_t *p = fdt_prop(fdt, node, name, &len);

	if (!p)
		return -FDT_ERR_NOTFOUND;
	if (len != 4)
		return -FDT_ERR_BADVALUE;
	*val = fdt_be32(p);
	return 0;
}

bool fdt_is_compatible(const struct fdt *fdt, int node, const char *compat)
{
	uint32_t len, i = 0;
	const char *s = fdt_prop(fdt, node, "compatible", &len);
	size_t want = strlen(compat);

	if (!s)
		return false;
	/* A string list; the last string may lack its NUL in a bad tree. */
	while (i < len) {
		size_t n = strnlen(s + i, len - i);

		if (n == want && !memcmp(s + i, compat, n))
			return true;
		i += (uint32_t)n + 1;
	}
	return false;
}

bool fdt_is_available(const struct fdt *fdt, int node)
{
	const char *status = fdt_prop_string(fdt, node, "status");

	return !status || !strcmp(status, "okay") || !strcmp(status, "ok");
}

int fdt_find_compatible(const struct fdt *fdt, int after, const char *compat)
{
	int depth = 0;
	int node =
		after < 0 ? fdt_root(fdt) : fdt_next_node(fdt, after, &depth);

	for (; node >= 0; node = fdt_next_node(fdt, node, &depth)) {
		if (fdt_is_compatible(fdt, node, compat))
			return node;
	}
	return node;
}

/* A #address-cells or #size-cells value of @node, or @dflt if absent. */
static int fdt_cell_count(const struct fdt *fdt, int node, const char *name,
			  uint32_t dflt, uint32_t *val)
{
	int ret = fdt_prop_u32(fdt, node, name, val);

	if (ret == -FDT_ERR_NOTFOUND) {
		*val = dflt;
		ret = 0;
	}
	if (!ret && *val > 2)
		ret = -FDT_ERR_BADVALUE;
	return ret;
}

int fdt_reg(const struct fdt *fdt, int node, unsigned int index, uint64_t *addr,
	    uint64_t *size)
{
	int parent = fdt_parent(fdt, node);
	uint32_t ac, sc, len, entry;
	const uint8_t *p;
	int ret;

	if (parent < 0)
		return parent;
	ret = fdt_cell_count(fdt, parent, "#address-cells", 2, &ac);
	if (!ret)
		ret = fdt_cell_count(fdt, parent, "#size-cells", 1, &sc);
	if (ret)
		return ret;
	if (!ac)
		return -FDT_ERR_BADVALUE;
	p = fdt_prop(fdt, node, "reg", &len);
	if (!p)
		return -FDT_ERR_NOTFOUND;
	entry = 4 * (ac + sc);
	if (index >= len / entry)
		return -FDT_ERR_NOTFOUND;
	p += index * entry;
	*addr = fdt_cells(p, ac);
	if (size)
		*size = fdt_cells(p + 4 * ac, sc);
	return 0;
}
