// SPDX-License-Identifier: MIT
/* The x86 long-mode GDT and identity page tables, decoded entry by entry. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86/x86_layout.h"
#include "arch/x86/long_mode.h"
#include "tests/unit/unit.h"

#define GiB (1ULL << 30)
#define MiB (1ULL << 20)
#define PAGE 4096

static uint64_t entry(const uint8_t *tables, uint64_t table_offset,
		      unsigned int i)
{
	uint64_t v = 0;

	for (int b = 7; b >= 0; b--)
		v = v << 8 | tables[table_offset + i * 8 + (unsigned int)b];
	return v;
}

START_TEST(test_gdt_selectors_follow_boot_protocol)
{
	/* Linux's 64-bit boot protocol: __BOOT_CS 0x10, __BOOT_DS 0x18. */
	ck_assert_uint_eq(X86_GDT_SELECTOR(X86_GDT_CODE64), 0x10);
	ck_assert_uint_eq(X86_GDT_SELECTOR(X86_GDT_DATA), 0x18);
	ck_assert_uint_le(X86_GDT_ADDR + X86_GDT_ENTRIES * 8,
			  X86_BOOT_PARAMS_ADDR);
}
END_TEST

START_TEST(test_gdt_entries)
{
	uint64_t gdt[X86_GDT_ENTRIES];
	struct x86_segment s;

	memset(gdt, 0xa5, sizeof(gdt));
	x86_gdt_build(gdt);
	ck_assert_uint_eq(gdt[X86_GDT_NULL], 0);
	ck_assert_uint_eq(gdt[X86_GDT_UNUSED], 0);
	/* The well-known encodings of flat 64-bit code and flat data. */
	ck_assert_uint_eq(gdt[X86_GDT_CODE64], 0x00af9b000000ffffULL);
	ck_assert_uint_eq(gdt[X86_GDT_DATA], 0x00cf93000000ffffULL);

	x86_segment_decode(gdt[X86_GDT_CODE64], &s);
	ck_assert_uint_eq(s.base, 0);
	ck_assert_uint_eq(s.limit, 0xffffffff);
	ck_assert_uint_eq(s.type, 0xb);
	ck_assert(s.s && s.present && s.l && s.g && !s.db && s.dpl == 0);

	x86_segment_decode(gdt[X86_GDT_DATA], &s);
	ck_assert_uint_eq(s.limit, 0xffffffff);
	ck_assert_uint_eq(s.type, 0x3);
	ck_assert(s.s && s.present && !s.l && s.g && s.db);

	/* TR: a present busy TSS, a system descriptor, byte granular. */
	x86_segment_decode(gdt[X86_GDT_TSS], &s);
	ck_assert_uint_eq(s.type, 0xb);
	ck_assert(!s.s && s.present && !s.g);
	ck_assert_uint_eq(s.limit, 0x67);
}
END_TEST

START_TEST(test_page_tables_identity_map)
{
	uint8_t *pt = malloc(X86_PAGE_TABLES_SIZE);
	const uint64_t gpa = X86_PAGE_TABLES_ADDR;
	const uint64_t table_flags = X86_PTE_PRESENT | X86_PTE_WRITE;

	ck_assert_ptr_nonnull(pt);
	memset(pt, 0xa5, X86_PAGE_TABLES_SIZE);
	ck_assert_int_eq(x86_page_tables_build(pt, gpa), 0);

	/* PML4: one entry, the PDPT in the next page; nothing else. */
	ck_assert_uint_eq(entry(pt, 0, 0), (gpa + PAGE) | table_flags);
	for (unsigned int i = 1; i < 512; i++)
		ck_assert_uint_eq(entry(pt, 0, i), 0);
	/* PDPT: four page directories, one per GiB. */
	for (unsigned int g = 0; g < 4; g++)
		ck_assert_uint_eq(entry(pt, PAGE, g),
				  (gpa + (2 + g) * PAGE) | table_flags);
	for (unsigned int i = 4; i < 512; i++)
		ck_assert_uint_eq(entry(pt, PAGE, i), 0);
	/* Every 2 MiB page maps its own address. */
	for (unsigned int g = 0; g < 4; g++)
		for (unsigned int i = 0; i < 512; i++)
			ck_assert_uint_eq(entry(pt, (2 + g) * PAGE, i),
					  (g * GiB + i * 2 * MiB) |
						  table_flags | X86_PTE_LARGE);
	/* The last page maps the local APIC's page like any other. */
	ck_assert_uint_eq(entry(pt, 5 * PAGE, 511) & ~0xfffULL,
			  4 * GiB - 2 * MiB);
	free(pt);
}
END_TEST

START_TEST(test_page_tables_bad_address)
{
	uint8_t *pt = malloc(X86_PAGE_TABLES_SIZE);

	ck_assert_ptr_nonnull(pt);
	ck_assert_int_eq(x86_page_tables_build(pt, 0x9001), -EINVAL);
	ck_assert_int_eq(x86_page_tables_build(pt, 4 * GiB), -EINVAL);
	ck_assert_int_eq(x86_page_tables_build(pt, 4 * GiB - PAGE), -EINVAL);
	ck_assert_int_eq(
		x86_page_tables_build(pt, 4 * GiB - X86_PAGE_TABLES_SIZE), 0);
	free(pt);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_gdt_selectors_follow_boot_protocol,
		test_gdt_entries,
		test_page_tables_identity_map,
		test_page_tables_bad_address,
		NULL,
	};

	return unit_run_tests("x86_long_mode", "long_mode", tests);
}
