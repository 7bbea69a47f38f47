/* SPDX-License-Identifier: MIT */
/*
 * ELF64 arm64 kernels (--kernel FILE where FILE is an ELF executable):
 * checking the ELF header and program headers and planning where each
 * PT_LOAD segment goes in guest RAM. Pure: no I/O; the boot code copies.
 *
 * Where a segment goes: its p_paddr, taken as a guest-physical address.
 * The vCPU starts with the MMU off (booting.rst), so what matters is the
 * physical address; p_vaddr is used only to find the entry point, e_entry
 * (a virtual address), which must lie in a segment's file data and starts
 * the vCPU at that segment's p_paddr + (e_entry - p_vaddr). For a file
 * linked at the physical address it runs at (p_vaddr == p_paddr, what
 * bare-metal and test-guest linkers produce) that is e_entry itself.
 */
#ifndef TINYVMM_ARCH_ARM64_ELF_LOAD_H
#define TINYVMM_ARCH_ARM64_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

/* More PT_LOAD segments than this are refused (kernels have 2-4). */
#define ARM64_ELF_MAX_SEGMENTS 16

struct arm64_elf_segment {
	uint64_t offset; /* of its data in the file */
	uint64_t filesz; /* bytes copied from the file */
	uint64_t paddr;	 /* guest-physical load address */
	uint64_t memsz;	 /* bytes it occupies; memsz - filesz are zeroed */
};

struct arm64_elf_info {
	uint64_t entry; /* guest-physical address of the first instruction */
	uint64_t low;	/* lowest p_paddr of a segment */
	uint64_t high;	/* highest p_paddr + p_memsz of a segment */
	unsigned int nr_segments;
	struct arm64_elf_segment seg[ARM64_ELF_MAX_SEGMENTS];
};

/*
 * Checks the ELF file whose first @len bytes are at @buf (all of it, or at
 * least its ELF header and program header table) and which is @file_size
 * bytes long, for RAM [@ram_base, @ram_base + @ram_size). Returns 0 and
 * fills @info, or a negative errno with *@why set to a reason that
 * completes "--kernel FILE: ":
 *   -ENOEXEC  not ELF64, not little-endian, not EM_AARCH64, not an
 *             executable (ET_EXEC or ET_DYN)
 *   -EINVAL   a malformed header, program header table or segment
 *             (past the end of the file, p_filesz > p_memsz, overlapping
 *             segments), no PT_LOAD segment, or an entry point outside
 *             every segment's file data or not 4-byte aligned
 *   -E2BIG    more than ARM64_ELF_MAX_SEGMENTS segments, or a program
 *             header table beyond the first @len bytes
 *   -ENOSPC   a segment outside guest RAM
 * Segments with p_memsz 0 are skipped. @info is written only on success.
 */
int arm64_elf_parse(const void *buf, size_t len, uint64_t file_size,
		    uint64_t ram_base, uint64_t ram_size,
		    struct arm64_elf_info *info, const char **why);

#endif
