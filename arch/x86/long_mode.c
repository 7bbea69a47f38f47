// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "arch/x86/long_mode.h"

#define PAGE_SIZE 4096ULL
#define ENTRIES_PER_TABLE 512
#define LARGE_PAGE_SIZE (2ULL << 20)
#define GIB (1ULL << 30)
#define NR_PDS 4

/* Segment types (SDM Vol. 3A tables 3-1 and 3-2). */
#define TYPE_CODE_EXEC_READ_ACCESSED 0xb
#define TYPE_DATA_READ_WRITE_ACCESSED 0x3
#define TYPE_TSS_BUSY 0xb

/* The 104-byte 64-bit TSS; the guest never uses this one, only TR needs it. */
#define TSS_LIMIT 0x67

_Static_assert(X86_PAGE_TABLES_PAGES == 2 + NR_PDS,
	       "a PML4, a PDPT and one PD per GiB");
_Static_assert(NR_PDS *GIB == X86_IDENTITY_MAP_END, "4 PDs map 4 GiB");

static uint64_t segment_encode(const struct x86_segment *seg)
{
	uint32_t limit = seg->g ? seg->limit >> 12 : seg->limit;

	return (uint64_t)(limit & 0xffff) | (seg->base & 0xffffffULL) << 16 |
	       (uint64_t)(seg->type & 0xf) << 40 |
	       (uint64_t)(seg->s & 1) << 44 | (uint64_t)(seg->dpl & 3) << 45 |
	       (uint64_t)(seg->present & 1) << 47 |
	       (uint64_t)((limit >> 16) & 0xf) << 48 |
	       (uint64_t)(seg->avl & 1) << 52 | (uint64_t)(seg->l & 1) << 53 |
	       (uint64_t)(seg->db & 1) << 54 | (uint64_t)(seg->g & 1) << 55 |
	       ((seg->base >> 24) & 0xff) << 56;
}

void x86_segment_decode(uint64_t desc, struct x86_segment *seg)
{
	uint32_t limit = (uint32_t)((desc & 0xffff) | ((desc >> 32) & 0xf0000));

	seg->base = ((desc >> 16) & 0xffffff) | ((desc >> 32) & 0xff000000);
	seg->type = (desc >> 40) & 0xf;
	seg->s = (desc >> 44) & 1;
	seg->dpl = (desc >> 45) & 3;
	seg->present = (desc >> 47) & 1;
	seg->avl = (desc >> 52) & 1;
	seg->l = (desc >> 53) & 1;
	seg->db = (desc >> 54) & 1;
	seg->g = (desc >> 55) & 1;
	seg->limit = seg->g ? (limit << 12) | 0xfff : limit;
}

void x86_gdt_build(uint64_t gdt[X86_GDT_ENTRIES])
{
	/* Flat: base 0, limit 4 GiB (ignored in 64-bit mode but kept sane). */
	const struct x86_segment code = {
		.limit = 0xffffffff,
		.type = TYPE_CODE_EXEC_READ_ACCESSED,
		.s = 1,
		.present = 1,
		.l = 1,
		.g = 1,
	};
	const struct x86_segment data = {
		.limit = 0xffffffff,
		.type = TYPE_DATA_READ_WRITE_ACCESSED,
		.s = 1,
		.present = 1,
		.db = 1,
		.g = 1,
	};
	const struct x86_segment tss = {
		.limit = TSS_LIMIT,
		.type = TYPE_TSS_BUSY,
		.present = 1,
	};

	gdt[X86_GDT_NULL] = 0;
	gdt[X86_GDT_UNUSED] = 0;
	gdt[X86_GDT_CODE64] = segment_encode(&code);
	gdt[X86_GDT_DATA] = segment_encode(&data);
	gdt[X86_GDT_TSS] = segment_encode(&tss);
}

/* Tables are written little-endian whatever the host: the guest reads them. */
static void put_entry(uint8_t *table, unsigned int i, uint64_t val)
{
	for (unsigned int b = 0; b < 8; b++)
		table[i * 8 + b] = (uint8_t)(val >> (8 * b));
}

int x86_page_tables_build(void *buf, uint64_t gpa)
{
	uint8_t *pml4 = buf, *pdpt = pml4 + PAGE_SIZE, *pd = pdpt + PAGE_SIZE;
	const uint64_t table = X86_PTE_PRESENT | X86_PTE_WRITE;

	if (gpa % PAGE_SIZE || gpa > (4 * GIB) - X86_PAGE_TABLES_SIZE)
		return -EINVAL;
	memset(buf, 0, X86_PAGE_TABLES_SIZE);
	put_entry(pml4, 0, (gpa + PAGE_SIZE) | table);
	for (unsigned int g = 0; g < NR_PDS; g++) {
		uint8_t *dir = pd + g * PAGE_SIZE;

		put_entry(pdpt, g, (gpa + (2 + g) * PAGE_SIZE) | table);
		for (unsigned int i = 0; i < ENTRIES_PER_TABLE; i++)
			put_entry(dir, i,
				  (g * GIB + i * LARGE_PAGE_SIZE) | table |
					  X86_PTE_LARGE);
	}
	return 0;
}
