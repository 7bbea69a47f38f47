// SPDX-License-Identifier: MIT
/*
 * ELF64 arm64 kernels: header and program header checks, and the load
 * plan (elf_load.h). Every offset and address from the file is checked
 * for overflow before it is added to anything.
 */
#include <errno.h>
#include <string.h>

#include "arch/arm64/elf_load.h"

/* The ELF64 fields used here (the System V ABI's gABI, elf.h's names). */
#define EI_CLASS 4
#define EI_DATA 5
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_AARCH64 183
#define PT_LOAD 1
#define EHDR_SIZE 64
#define PHDR_SIZE 56
#define PN_XNUM 0xffff

/* Byte loads: the buffer may be unaligned and the host big-endian. */
static uint64_t le(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = (v << 8) | p[bytes];
	return v;
}

/* Returns -@err after setting *@why; keeps the checks one line each. */
static int fail(const char **why, const char *reason, int err)
{
	*why = reason;
	return -err;
}

static int check_ident(const uint8_t *e, size_t len, const char **why)
{
	uint64_t type;

	if (len < EHDR_SIZE || memcmp(e,
				      "\x7f"
				      "ELF",
				      4))
		return fail(why, "not an ELF file (too short)", ENOEXEC);
	if (e[EI_CLASS] != ELFCLASS64)
		return fail(why, "not a 64-bit ELF file", ENOEXEC);
	if (e[EI_DATA] != ELFDATA2LSB)
		return fail(why,
			    "a big-endian ELF file; tinyvmm boots "
			    "little-endian kernels only",
			    ENOEXEC);
	if (le(e + 18, 2) != EM_AARCH64)
		return fail(why,
			    "an ELF file for another machine "
			    "(e_machine is not EM_AARCH64)",
			    ENOEXEC);
	type = le(e + 16, 2);
	if (type != ET_EXEC && type != ET_DYN)
		return fail(why, "an ELF file that is not an executable",
			    ENOEXEC);
	return 0;
}

/* [a, a + an) and [b, b + bn) share a byte; neither wraps. */
static int overlaps(uint64_t a, uint64_t an, uint64_t b, uint64_t bn)
{
	return a < b + bn && b < a + an;
}

/* One PT_LOAD: inside the file, inside RAM, not on top of another. */
static int add_segment(const uint8_t *ph, uint64_t file_size, uint64_t ram_base,
		       uint64_t ram_end, struct arm64_elf_info *info,
		       const char **why)
{
	struct arm64_elf_segment s = {
		.offset = le(ph + 8, 8),
		.paddr = le(ph + 24, 8),
		.filesz = le(ph + 32, 8),
		.memsz = le(ph + 40, 8),
	};
	uint64_t end;

	if (s.memsz == 0)
		return 0;
	if (s.filesz > s.memsz)
		return fail(why,
			    "a segment's p_filesz is larger than its p_memsz",
			    EINVAL);
	if (s.offset > file_size || s.filesz > file_size - s.offset)
		return fail(why,
			    "a segment's data runs past the end of the file",
			    EINVAL);
	if (__builtin_add_overflow(s.paddr, s.memsz, &end) ||
	    s.paddr < ram_base || end > ram_end)
		return fail(why,
			    "a segment's p_paddr range lies outside guest RAM",
			    ENOSPC);
	for (unsigned int i = 0; i < info->nr_segments; i++)
		if (overlaps(s.paddr, s.memsz, info->seg[i].paddr,
			     info->seg[i].memsz))
			return fail(why, "two segments overlap in memory",
				    EINVAL);
	if (info->nr_segments == ARM64_ELF_MAX_SEGMENTS)
		return fail(why, "more than 16 PT_LOAD segments", E2BIG);
	info->seg[info->nr_segments++] = s;
	if (info->nr_segments == 1 || s.paddr < info->low)
		info->low = s.paddr;
	if (info->nr_segments == 1 || end > info->high)
		info->high = end;
	return 0;
}

/*
 * e_entry through the segment whose file data holds it (vaddr -> paddr).
 * memsz was checked against RAM, so paddr + (entry - vaddr) cannot wrap.
 */
static int find_entry(const uint8_t *phdrs, uint64_t phnum, uint64_t entry,
		      struct arm64_elf_info *info, const char **why)
{
	if (entry & 3)
		return fail(why, "the entry point is not 4-byte aligned",
			    EINVAL);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = phdrs + i * PHDR_SIZE;
		uint64_t vaddr = le(ph + 16, 8), filesz = le(ph + 32, 8);

		if (le(ph, 4) != PT_LOAD || le(ph + 40, 8) == 0)
			continue;
		if (entry >= vaddr && entry - vaddr < filesz) {
			info->entry = le(ph + 24, 8) + (entry - vaddr);
			return 0;
		}
	}
	return fail(why,
		    "the entry point (e_entry) is outside every "
		    "segment's file data",
		    EINVAL);
}

int arm64_elf_parse(const void *buf, size_t len, uint64_t file_size,
		    uint64_t ram_base, uint64_t ram_size,
		    struct arm64_elf_info *info, const char **why)
{
	const uint8_t *e = buf;
	struct arm64_elf_info out = { 0 };
	uint64_t phoff, phnum, phentsize, table_end, ram_end;
	const char *unused;
	int ret;

	if (!why)
		why = &unused;
	if (!info || (!buf && len) || len > file_size)
		return fail(why, "invalid arguments", EINVAL);
	ret = check_ident(e, len, why);
	if (ret)
		return ret;
	phoff = le(e + 32, 8);
	phentsize = le(e + 54, 2);
	phnum = le(e + 56, 2);
	if (phentsize != PHDR_SIZE)
		return fail(why,
			    "e_phentsize is not 56 (an ELF64 program header)",
			    EINVAL);
	if (phnum == 0 || phnum == PN_XNUM)
		return fail(why, "no program headers to load", EINVAL);
	/* phnum < 2^16 and phentsize == 56: the product cannot wrap. */
	if (__builtin_add_overflow(phoff, phnum * PHDR_SIZE, &table_end) ||
	    table_end > file_size)
		return fail(why,
			    "the program header table runs past the end "
			    "of the file",
			    EINVAL);
	if (table_end > len)
		return fail(why,
			    "the program header table is too far into "
			    "the file",
			    E2BIG);
	if (__builtin_add_overflow(ram_base, ram_size, &ram_end))
		return fail(why, "guest RAM wraps past 2^64", EINVAL);
	for (uint64_t i = 0; i < phnum; i++) {
		const uint8_t *ph = e + phoff + i * PHDR_SIZE;

		if (le(ph, 4) != PT_LOAD)
			continue;
		ret = add_segment(ph, file_size, ram_base, ram_end, &out, why);
		if (ret)
			return ret;
	}
	if (out.nr_segments == 0)
		return fail(why, "no PT_LOAD segment with memory to load",
			    EINVAL);
	ret = find_entry(e + phoff, phnum, le(e + 24, 8), &out, why);
	if (ret)
		return ret;
	*info = out;
	return 0;
}
