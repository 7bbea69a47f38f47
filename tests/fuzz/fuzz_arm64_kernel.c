// SPDX-License-Identifier: MIT
/*
 * The arm64 kernel loader on hostile files: format detection, the gzip
 * inflater, the ELF parser, and arm64_kernel_load() end to end into a
 * small guest RAM, each checked against what its header promises.
 *
 * Input: one byte choosing guest RAM (2-9 MiB), then the --kernel file.
 */
#include <errno.h>

#include "arch/arm64/elf_load.h"
#include "arch/arm64/gunzip.h"
#include "arch/arm64/kernel_format.h"
#include "arch/arm64/kernel_load.h"
#include "tests/fuzz/fuzz.h"

#define RAM_BASE 0x80000000ULL
#define MiB (1ULL << 20)
#define RAM_MAX (9 * MiB)

static struct guest_mem mem;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	/* Mapped once: RAM contents do not steer the loader. */
	FUZZ_ASSERT(guest_mem_add(&mem, RAM_BASE, RAM_MAX) == 0);
	return 0;
}

/* Every segment in the file and in RAM, apart, the entry in one's data. */
static void elf_check(const uint8_t *f, size_t len, uint64_t ram)
{
	struct arm64_elf_info e;
	const char *why = NULL;
	int ret = arm64_elf_parse(f, len, len, RAM_BASE, ram, &e, &why);
	int entry_found = 0;

	if (ret) {
		FUZZ_ASSERT(why);
		FUZZ_ASSERT(ret == -ENOEXEC || ret == -EINVAL ||
			    ret == -E2BIG || ret == -ENOSPC);
		return;
	}
	FUZZ_ASSERT(e.nr_segments >= 1 &&
		    e.nr_segments <= ARM64_ELF_MAX_SEGMENTS);
	FUZZ_ASSERT(e.entry % 4 == 0);
	for (unsigned int i = 0; i < e.nr_segments; i++) {
		const struct arm64_elf_segment *s = &e.seg[i];

		FUZZ_ASSERT(s->filesz <= s->memsz && s->memsz > 0);
		FUZZ_ASSERT(s->offset <= len && s->filesz <= len - s->offset);
		FUZZ_ASSERT(s->paddr >= RAM_BASE && s->paddr >= e.low);
		FUZZ_ASSERT(s->memsz <= RAM_BASE + ram - s->paddr);
		FUZZ_ASSERT(s->paddr + s->memsz <= e.high);
		for (unsigned int j = 0; j < i; j++)
			FUZZ_ASSERT(s->paddr >=
					    e.seg[j].paddr + e.seg[j].memsz ||
				    e.seg[j].paddr >= s->paddr + s->memsz);
		if (e.entry >= s->paddr && e.entry - s->paddr < s->filesz)
			entry_found = 1;
	}
	FUZZ_ASSERT(entry_found);
}

static void gunzip_check(const uint8_t *f, size_t len, uint64_t ram)
{
	uint8_t *out = NULL;
	size_t out_len = 0;
	int ret = arm64_gunzip(f, len, ram, &out, &out_len);

	if (ret) {
		FUZZ_ASSERT(!out);
		FUZZ_ASSERT(ret == -EFBIG || ret == -ENODATA ||
			    ret == -EBADMSG || ret == -ENOMEM);
		return;
	}
	FUZZ_ASSERT(out && out_len <= ram);
	free(out);
}

static void load_check(const uint8_t *f, size_t len, uint64_t ram)
{
	struct boot_src k = { .what = "--kernel",
			      .path = "fuzz",
			      .fd = -1,
			      .mem = f,
			      .size = len };
	struct boot_src none = BOOT_SRC_NONE;
	struct arm64_kernel_load r;

	if (arm64_kernel_load(&mem, RAM_BASE, ram, &k, &none, &r))
		return;
	FUZZ_ASSERT(r.format != ARM64_KERNEL_GZIP);
	FUZZ_ASSERT(r.entry >= RAM_BASE && r.entry < r.plan.dtb_addr);
	FUZZ_ASSERT(r.plan.kernel_end <= r.plan.dtb_addr);
	FUZZ_ASSERT(r.plan.dtb_addr + ARM64_DTB_MAX_SIZE <= RAM_BASE + ram);
	if (r.format == ARM64_KERNEL_RAW)
		FUZZ_ASSERT(r.entry == RAM_BASE + ARM64_RAW_TEXT_OFFSET);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	uint64_t ram = (2 + (fuzz_u8(&in) & 7)) * MiB;
	/* The file in a block of its own size: ASan catches overreads. */
	uint8_t *f = malloc(in.n ? in.n : 1);

	FUZZ_ASSERT(f);
	memcpy(f, in.p, in.n);
	switch (arm64_kernel_format(f, in.n)) {
	case ARM64_KERNEL_ELF:
		elf_check(f, in.n, ram);
		break;
	case ARM64_KERNEL_GZIP:
		gunzip_check(f, in.n, ram);
		break;
	case ARM64_KERNEL_IMAGE:
	case ARM64_KERNEL_RAW:
		break;
	}
	load_check(f, in.n, ram);
	free(f);
	return 0;
}
