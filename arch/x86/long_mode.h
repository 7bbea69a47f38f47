/* SPDX-License-Identifier: MIT */
/*
 * The structures a vCPU needs in guest RAM to start in 64-bit long mode:
 * a flat GDT and identity-mapping page tables (SDM Vol. 3A 3.4.5
 * "Segment Descriptors", 4.5 "4-Level Paging"). Pure: writes into
 * buffers, unit-tested on any host.
 */
#ifndef TINYVMM_ARCH_X86_LONG_MODE_H
#define TINYVMM_ARCH_X86_LONG_MODE_H

#include <stddef.h>
#include <stdint.h>

/*
 * The GDT: null, 64-bit code, flat data, and a TSS for TR. Code and data
 * sit at the selectors Linux's 64-bit boot protocol names, __BOOT_CS
 * 0x10 and __BOOT_DS 0x18 (Documentation/arch/x86/boot.rst), so entry 1
 * is a second null descriptor.
 */
enum x86_gdt_index {
	X86_GDT_NULL,
	X86_GDT_UNUSED,
	X86_GDT_CODE64,
	X86_GDT_DATA,
	X86_GDT_TSS,
	X86_GDT_ENTRIES
};
#define X86_GDT_SELECTOR(index) ((uint16_t)((index)*8))

/* A segment descriptor's fields, the way KVM's struct kvm_segment has them. */
struct x86_segment {
	uint64_t base;
	uint32_t limit; /* in bytes: scaled by the granularity bit */
	uint8_t type, s, dpl, present, avl, l, db, g;
};

/* Fills @gdt with the X86_GDT_ENTRIES descriptors. */
void x86_gdt_build(uint64_t gdt[X86_GDT_ENTRIES]);

/* Decodes one descriptor (the inverse of what x86_gdt_build() wrote). */
void x86_segment_decode(uint64_t desc, struct x86_segment *seg);

/* PML4, PDPT and four page directories. */
#define X86_PAGE_TABLES_PAGES 6
#define X86_PAGE_TABLES_SIZE (X86_PAGE_TABLES_PAGES * 4096)
#define X86_IDENTITY_MAP_END (4ULL << 30)

/* Page-table entry bits (SDM Vol. 3A table 4-14ff). */
#define X86_PTE_PRESENT (1ULL << 0)
#define X86_PTE_WRITE (1ULL << 1)
#define X86_PTE_LARGE (1ULL << 7) /* PS: a 2 MiB page in a PD */

/*
 * Writes page tables that identity-map [0, X86_IDENTITY_MAP_END) with
 * 2 MiB pages into @buf (X86_PAGE_TABLES_SIZE bytes), which the guest
 * will see at guest-physical @gpa (page aligned; the PML4 is there, so
 * CR3 = @gpa). Returns 0, or -EINVAL for a @gpa that is not page aligned
 * or would put a table at or above 4 GiB.
 */
int x86_page_tables_build(void *buf, uint64_t gpa);

#endif
