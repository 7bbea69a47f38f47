/* SPDX-License-Identifier: MIT */
/*
 * The Linux x86 "zero page" (struct boot_params,
 * Documentation/arch/x86/zero-page.rst) for a 64-bit boot, its e820 memory
 * map, and where kernel and initrd go in guest RAM. Pure: no KVM, no x86
 * UAPI headers (they are absent on arm64 hosts); fields are written
 * little-endian at their documented offsets.
 */
#ifndef TINYVMM_ARCH_X86_BOOT_PARAMS_H
#define TINYVMM_ARCH_X86_BOOT_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "arch/x86/bzimage.h"

#define X86_ZERO_PAGE_SIZE 4096

/* e820 entry types (zero-page.rst, ACPI "Address Range Types"). */
#define X86_E820_RAM 1
#define X86_E820_RESERVED 2
#define X86_E820_ACPI 3
#define X86_E820_NVS 4

#define X86_E820_MAX 128 /* entries the zero page has room for */
/* The first entry's end: the top 1 KiB of low RAM is the EBDA on a PC. */
#define X86_E820_LOW_RAM_END 0x9fc00ULL
/* Smallest --mem: the kernel's first MiB plus a MiB to run in. */
#define X86_RAM_MIN 0x200000ULL

struct x86_e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

/*
 * Fills @tab (room for @max entries) with the map of a guest with
 * [0, @ram_size) of RAM, in address order, no overlaps:
 *   [0, 0x9fc00)              RAM
 *   [0x9fc00, 0x100000)       reserved: EBDA, VGA hole, BIOS area. It
 *                             holds the ACPI tables (X86_ACPI_ADDR), typed
 *                             reserved rather than ACPI because the FACS
 *                             among them must never be reclaimed.
 *   [0x100000, @ram_size)     RAM
 *   IOAPIC, local APIC pages  reserved, as firmware reports them
 *   KVM's identity-map + TSS  reserved (KVM_SET_IDENTITY_MAP/TSS_ADDR)
 * The MMIO hole's device windows are left out: the ACPI DSDT claims them.
 * Returns the number of entries, or -EINVAL when @ram_size is below
 * X86_RAM_MIN or above X86_RAM_MAX, or -E2BIG when @max is too small.
 */
int x86_e820_build(uint64_t ram_size, struct x86_e820_entry *tab,
		   unsigned int max);

/* Where the kernel and initrd go; all guest-physical. */
struct x86_boot_plan {
	uint64_t kernel_addr; /* payload copied here: X86_KERNEL_ADDR */
	uint64_t entry64;     /* kernel_addr + X86_BZIMAGE_ENTRY64_OFFSET */
	uint64_t kernel_end;  /* first byte above payload and init_size */
	uint64_t initrd_addr; /* 0 when there is no initrd */
	uint64_t initrd_size;
};

/*
 * Chooses where an initrd of @initrd_size bytes goes: the highest
 * page-aligned address at which it ends at or below
 * min(@ram_size, initrd_addr_max + 1) and starts at or above @kernel_end.
 * Returns 0 and sets *@addr (0 for an empty initrd), or -E2BIG with *@why
 * ("initrd too big ...", @why may be NULL) when it does not fit.
 */
int x86_initrd_place(const struct x86_bzimage *img, uint64_t ram_size,
		     uint64_t kernel_end, uint64_t initrd_size, uint64_t *addr,
		     const char **why);

/*
 * The bounds x86_boot_plan() works within, for messages that give sizes:
 * *@kernel_end, the first byte above the copied payload and the
 * decompression area (pref_address + init_size for most kernels), and
 * *@initrd_limit, min(@ram_size, initrd_addr_max + 1), where an initrd
 * must end. An initrd of up to x86_initrd_room() bytes fits. Returns 0,
 * or -ENOSPC when kernel_end passes 2^64.
 */
int x86_boot_bounds(const struct x86_bzimage *img, uint64_t ram_size,
		    uint64_t *kernel_end, uint64_t *initrd_limit);

/* The largest initrd that fits between @kernel_end and @initrd_limit. */
uint64_t x86_initrd_room(uint64_t kernel_end, uint64_t initrd_limit);

/*
 * Plans the boot of @img in [0, @ram_size) of RAM: the payload at
 * X86_KERNEL_ADDR, kernel_end above both the copied payload and the
 * init_size bytes from its runtime start (x86_bzimage_runtime_start()),
 * then the initrd (x86_initrd_place()). Returns 0 and fills @plan, or with
 * *@why set (@why may be NULL):
 *   -EINVAL   @ram_size below X86_RAM_MIN or above X86_RAM_MAX
 *   -ENOSPC   the kernel needs more RAM than @ram_size
 *   -E2BIG    the initrd does not fit between kernel_end and its limit
 * @plan is written only on success.
 */
int x86_boot_plan(const struct x86_bzimage *img, uint64_t ram_size,
		  uint64_t initrd_size, struct x86_boot_plan *plan,
		  const char **why);

/*
 * Checks that a command line of @len bytes (NUL excluded) fits both the
 * kernel's cmdline_size and X86_CMDLINE_MAX (NUL included). Returns 0, or
 * -E2BIG with *@why set (@why may be NULL).
 */
int x86_cmdline_check(const struct x86_bzimage *img, size_t len,
		      const char **why);

struct x86_boot_params_config {
	const struct x86_bzimage *img;
	uint64_t ram_size;
	uint64_t cmdline_addr; /* where the NUL-terminated line is */
	uint64_t initrd_addr, initrd_size; /* both 0: no initrd */
	uint64_t acpi_rsdp_addr; /* 0: the kernel scans 0xe0000..0xfffff */
};

/*
 * Builds the zero page into @zp (X86_ZERO_PAGE_SIZE bytes, all written):
 * zeroes, the image's setup header at 0x1f1, then what the loader owns:
 * vid_mode 0xffff (no mode switch: there is no real-mode setup run),
 * type_of_loader 0xff (undefined loader), loadflags LOADED_HIGH |
 * CAN_USE_HEAP with heap_end_ptr, cmd_line_ptr / ext_cmd_line_ptr,
 * ramdisk_image / ramdisk_size and their ext_ halves, acpi_rsdp_addr
 * (0x070, read by kernels since 5.0 whatever the protocol minor) and the
 * e820 map (x86_e820_build()).
 * Returns 0, or -EINVAL for a NULL argument or a map x86_e820_build()
 * refuses.
 */
int x86_boot_params_build(const struct x86_boot_params_config *cfg, void *zp);

#endif /* TINYVMM_ARCH_X86_BOOT_PARAMS_H */
