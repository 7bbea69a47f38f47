/* SPDX-License-Identifier: MIT */
/*
 * A guest image to load into guest RAM (a kernel, an initrd): a file, or
 * bytes already in host memory (the embedded benchmark guest). Shared by
 * every arch's boot code. Each function prints one line when it fails.
 */
#ifndef TINYVMM_VMM_BOOT_SRC_H
#define TINYVMM_VMM_BOOT_SRC_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

struct guest_mem;

struct boot_src {
	const char *what; /* for messages: "--kernel", "--initrd", "embedded" */
	const char *path; /* the file, or the embedded image's name */
	int fd;		  /* -1 for an in-memory image or none */
	const uint8_t *mem;
	uint64_t size;
};

/* An empty source: nothing open (fd -1, size 0). */
#define BOOT_SRC_NONE ((struct boot_src){ .fd = -1 })

/* Opens @path, a non-empty regular file; 0 or -errno. */
TV_MUST_CHECK int boot_src_open(struct boot_src *f, const char *path,
				const char *what);

/* The embedded image @image (@len bytes), named "bench.img". */
void boot_src_memory(struct boot_src *f, const void *image, size_t len);

/*
 * Opens what a VM boots, for the arch's boot code: @kernel from the file
 * @kernel_path ("--kernel"), or when that is NULL from the image already
 * in memory, @image_len bytes at @image (the embedded bench guest);
 * @initrd from the file @initrd_path ("--initrd"), or empty
 * (BOOT_SRC_NONE) when that is NULL. Returns 0 or -errno after one line;
 * either way the caller closes both with boot_src_close().
 */
TV_MUST_CHECK int boot_src_open_guest(struct boot_src *kernel,
				      struct boot_src *initrd,
				      const char *kernel_path,
				      const void *image, size_t image_len,
				      const char *initrd_path);

/* Reads [@off, @off + @len) of @f; -EINVAL when that is not inside it. */
TV_MUST_CHECK int boot_src_read(const struct boot_src *f, void *dst,
				uint64_t len, uint64_t off);

/*
 * Copies [@off, f->size) of @f into guest RAM at @gpa, checked by
 * guest_mem_ptr(): -ENOSPC when it does not fit.
 */
TV_MUST_CHECK int boot_src_load_from(const struct guest_mem *mem,
				     const struct boot_src *f, uint64_t off,
				     uint64_t gpa);

/* boot_src_load_from() of the whole of @f. */
TV_MUST_CHECK int boot_src_load(const struct guest_mem *mem,
				const struct boot_src *f, uint64_t gpa);

/* Closes the file, if one is open. */
void boot_src_close(struct boot_src *f);

#endif
