// SPDX-License-Identifier: MIT
/*
 * The zero page, the e820 map and the boot layout for a 64-bit Linux
 * boot, after Documentation/arch/x86/zero-page.rst and boot.rst ("64-bit
 * boot protocol", "Details of header fields").
 */
#include <errno.h>
#include <string.h>

#include "arch/x86/boot_params.h"
#include "arch/x86/x86_layout.h"
#include "arch/x86/le.h"

/* struct boot_params offsets (zero-page.rst). */
#define ZP_ACPI_RSDP_ADDR 0x070	   /* 8 */
#define ZP_EXT_RAMDISK_IMAGE 0x0c0 /* 4, high half */
#define ZP_EXT_RAMDISK_SIZE 0x0c4  /* 4, high half */
#define ZP_EXT_CMD_LINE_PTR 0x0c8  /* 4, high half */
#define ZP_E820_ENTRIES 0x1e8	   /* 1 */
#define ZP_E820_TABLE 0x2d0	   /* X86_E820_MAX x 20 */
#define ZP_E820_ENTRY_SIZE 20

/* The setup header inside it (boot.rst), loader-written fields. */
#define ZP_VID_MODE 0x1fa	/* 2 */
#define ZP_TYPE_OF_LOADER 0x210 /* 1 */
#define ZP_LOADFLAGS 0x211	/* 1 */
#define ZP_RAMDISK_IMAGE 0x218	/* 4 */
#define ZP_RAMDISK_SIZE 0x21c	/* 4 */
#define ZP_HEAP_END_PTR 0x224	/* 2 */
#define ZP_CMD_LINE_PTR 0x228	/* 4 */

#define VID_MODE_NORMAL 0xffff
#define LOADER_UNDEFINED 0xff
/* boot.rst's usual heap end: setup code + heap in a 64 KiB segment. */
#define HEAP_END 0xfe00
#define PAGE_SIZE 4096ULL
#define LOW_MEM_END 0x100000ULL /* the BIOS area ends at 1 MiB */

_Static_assert(ZP_E820_TABLE + X86_E820_MAX * ZP_E820_ENTRY_SIZE <=
		       X86_ZERO_PAGE_SIZE,
	       "the e820 table fits in the zero page");
_Static_assert(X86_SETUP_HDR_LIMIT <= ZP_E820_TABLE,
	       "the copied setup header stays clear of the e820 table");
_Static_assert(ZP_CMD_LINE_PTR + 4 <= X86_SETUP_HDR_LIMIT &&
		       ZP_VID_MODE >= X86_SETUP_HDR_OFFSET,
	       "loader fields are inside the setup header");
_Static_assert(X86_ACPI_ADDR >= X86_E820_LOW_RAM_END &&
		       X86_ACPI_ADDR + X86_ACPI_MAX <= LOW_MEM_END,
	       "the ACPI tables sit in the reserved BIOS area");
_Static_assert(X86_KERNEL_ADDR == LOW_MEM_END, "the kernel goes at 1 MiB");

static int refuse(int err, const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return err;
}

static uint64_t align_down(uint64_t v, uint64_t align)
{
	return v & ~(align - 1);
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static int ram_size_ok(uint64_t ram_size)
{
	return ram_size >= X86_RAM_MIN && ram_size <= X86_RAM_MAX;
}

/* Appends [addr, addr + size) of @type; -E2BIG when @tab is full. */
static int e820_add(struct x86_e820_entry *tab, unsigned int max,
		    unsigned int *n, uint64_t addr, uint64_t size,
		    uint32_t type)
{
	if (*n >= max)
		return -E2BIG;
	tab[*n].addr = addr;
	tab[*n].size = size;
	tab[*n].type = type;
	(*n)++;
	return 0;
}

int x86_e820_build(uint64_t ram_size, struct x86_e820_entry *tab,
		   unsigned int max)
{
	/* In address order; the ranges past RAM are fixed by layout.h. */
	const struct x86_e820_entry fixed[] = {
		{ 0, X86_E820_LOW_RAM_END, X86_E820_RAM },
		{ X86_E820_LOW_RAM_END, LOW_MEM_END - X86_E820_LOW_RAM_END,
		  X86_E820_RESERVED },
		{ LOW_MEM_END, ram_size - LOW_MEM_END, X86_E820_RAM },
		{ X86_IOAPIC_BASE, PAGE_SIZE, X86_E820_RESERVED },
		{ X86_LAPIC_BASE, PAGE_SIZE, X86_E820_RESERVED },
		/* The identity-map page, then the 3 TSS pages. */
		{ X86_KVM_IDENTITY_MAP_ADDR, 4 * PAGE_SIZE, X86_E820_RESERVED },
	};
	unsigned int n = 0;

	if (!tab || !ram_size_ok(ram_size))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (e820_add(tab, max, &n, fixed[i].addr, fixed[i].size,
			     fixed[i].type))
			return -E2BIG;
	}
	return (int)n;
}

int x86_initrd_place(const struct x86_bzimage *img, uint64_t ram_size,
		     uint64_t kernel_end, uint64_t initrd_size, uint64_t *addr,
		     const char **why)
{
	/* initrd_addr_max is the highest byte it may occupy, not the end. */
	uint64_t limit = min_u64(ram_size, (uint64_t)img->initrd_addr_max + 1);
	uint64_t start;

	if (initrd_size == 0) {
		*addr = 0;
		return 0;
	}
	if (initrd_size > limit)
		return refuse(-E2BIG, why,
			      "initrd too big: it does not fit below the "
			      "kernel's initrd_addr_max and the end of RAM");
	start = align_down(limit - initrd_size, PAGE_SIZE);
	if (start < kernel_end)
		return refuse(-E2BIG, why,
			      "initrd too big: it does not fit between the "
			      "kernel and min(RAM end, initrd_addr_max)");
	*addr = start;
	return 0;
}

/* The first byte above the copied payload and the decompression area. */
static int kernel_end(const struct x86_bzimage *img, uint64_t *end)
{
	uint64_t start;

	if (x86_bzimage_runtime_start(img, X86_KERNEL_ADDR, &start) ||
	    start > UINT64_MAX - img->init_size)
		return -ENOSPC;
	*end = max_u64(X86_KERNEL_ADDR + img->payload_size,
		       start + img->init_size);
	return 0;
}

int x86_boot_bounds(const struct x86_bzimage *img, uint64_t ram_size,
		    uint64_t *end, uint64_t *initrd_limit)
{
	if (kernel_end(img, end))
		return -ENOSPC;
	*initrd_limit = min_u64(ram_size, (uint64_t)img->initrd_addr_max + 1);
	return 0;
}

uint64_t x86_initrd_room(uint64_t kernel_end, uint64_t initrd_limit)
{
	/* x86_initrd_place() starts it page-aligned, at kernel_end or above. */
	uint64_t start = align_down(kernel_end + PAGE_SIZE - 1, PAGE_SIZE);

	if (kernel_end > UINT64_MAX - PAGE_SIZE || start >= initrd_limit)
		return 0;
	return initrd_limit - start;
}

int x86_boot_plan(const struct x86_bzimage *img, uint64_t ram_size,
		  uint64_t initrd_size, struct x86_boot_plan *plan,
		  const char **why)
{
	struct x86_boot_plan p = {
		.kernel_addr = X86_KERNEL_ADDR,
		.entry64 = X86_KERNEL_ADDR + X86_BZIMAGE_ENTRY64_OFFSET,
		.initrd_size = initrd_size,
	};
	int ret;

	if (!img || !plan)
		return refuse(-EINVAL, why, "no image");
	if (!ram_size_ok(ram_size))
		return refuse(-EINVAL, why,
			      "guest RAM below 2 MiB or above the 3 GiB "
			      "below the MMIO hole");
	if (kernel_end(img, &p.kernel_end) || p.kernel_end > ram_size)
		return refuse(-ENOSPC, why,
			      "the kernel needs more RAM than there is "
			      "(pref_address + init_size)");
	ret = x86_initrd_place(img, ram_size, p.kernel_end, initrd_size,
			       &p.initrd_addr, why);
	if (ret)
		return ret;
	*plan = p;
	return 0;
}

int x86_cmdline_check(const struct x86_bzimage *img, size_t len,
		      const char **why)
{
	if (len > img->cmdline_size)
		return refuse(-E2BIG, why,
			      "command line longer than the kernel's "
			      "cmdline_size");
	if (len >= X86_CMDLINE_MAX)
		return refuse(-E2BIG, why,
			      "command line longer than tinyvmm's 64 KiB");
	return 0;
}

static void put_e820(uint8_t *zp, const struct x86_e820_entry *tab,
		     unsigned int n)
{
	uint8_t *e = zp + ZP_E820_TABLE;

	zp[ZP_E820_ENTRIES] = (uint8_t)n;
	for (unsigned int i = 0; i < n; i++, e += ZP_E820_ENTRY_SIZE) {
		x86_put_le(e, tab[i].addr, 8);
		x86_put_le(e + 8, tab[i].size, 8);
		x86_put_le(e + 16, tab[i].type, 4);
	}
}

/* A 64-bit address as a 32-bit field plus its ext_ high half. */
static void put_split(uint8_t *zp, unsigned int lo_off, unsigned int hi_off,
		      uint64_t v)
{
	x86_put_le(zp + lo_off, v & 0xffffffffU, 4);
	x86_put_le(zp + hi_off, v >> 32, 4);
}

static void put_loader_fields(uint8_t *zp,
			      const struct x86_boot_params_config *cfg)
{
	x86_put_le(zp + ZP_VID_MODE, VID_MODE_NORMAL, 2);
	zp[ZP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	zp[ZP_LOADFLAGS] |= X86_LOADED_HIGH | X86_CAN_USE_HEAP;
	x86_put_le(zp + ZP_HEAP_END_PTR, HEAP_END, 2);
	put_split(zp, ZP_CMD_LINE_PTR, ZP_EXT_CMD_LINE_PTR, cfg->cmdline_addr);
	put_split(zp, ZP_RAMDISK_IMAGE, ZP_EXT_RAMDISK_IMAGE, cfg->initrd_addr);
	put_split(zp, ZP_RAMDISK_SIZE, ZP_EXT_RAMDISK_SIZE, cfg->initrd_size);
	x86_put_le(zp + ZP_ACPI_RSDP_ADDR, cfg->acpi_rsdp_addr, 8);
}

int x86_boot_params_build(const struct x86_boot_params_config *cfg, void *zp)
{
	struct x86_e820_entry tab[X86_E820_MAX];
	uint8_t *p = zp;
	int n;

	if (!cfg || !cfg->img || !zp ||
	    cfg->img->hdr_len > sizeof(cfg->img->hdr))
		return -EINVAL;
	n = x86_e820_build(cfg->ram_size, tab, X86_E820_MAX);
	if (n < 0)
		return n;
	memset(p, 0, X86_ZERO_PAGE_SIZE);
	memcpy(p + X86_SETUP_HDR_OFFSET, cfg->img->hdr, cfg->img->hdr_len);
	put_loader_fields(p, cfg);
	put_e820(p, tab, (unsigned int)n);
	return 0;
}
