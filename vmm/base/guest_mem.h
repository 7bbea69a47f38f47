/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM and the one checked way from a guest-physical address to host
 * memory. Everything a guest hands us (descriptor addresses, lengths,
 * register values) goes through guest_mem_ptr() before it is touched.
 */
#ifndef TINYVMM_VMM_GUEST_MEM_H
#define TINYVMM_VMM_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

#define GUEST_MEM_MAX_REGIONS 4

struct guest_mem_region {
	uint64_t gpa;
	uint64_t size;
	void *host;
	/*
	 * The file the region is mapped from, for another process to map
	 * too (a vhost-user backend): a memfd from guest_mem_add_shared(),
	 * mapped from fd_offset on; -1 for anonymous memory.
	 */
	int fd;
	uint64_t fd_offset;
};

struct guest_mem {
	struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
	unsigned int nr;
};

/*
 * Maps @size bytes of anonymous memory for guest address @gpa. Returns 0,
 * -EINVAL (size 0, not page aligned, wraps, overlaps), -ENOSPC (too many
 * regions) or mmap()'s -errno when the host refused the mapping (-ENOMEM:
 * guest_mem_refusal() says why).
 */
TV_MUST_CHECK int guest_mem_add(struct guest_mem *mem, uint64_t gpa,
				uint64_t size);

/*
 * Like guest_mem_add(), but the memory is a memfd mapped MAP_SHARED, kept
 * open in the region's fd, so that a backend process handed that fd sees
 * guest RAM (vhost-user). The memfd's size is sealed: a backend cannot
 * shrink it under us (which would turn our accesses into SIGBUS). Costs
 * what anonymous memory does (pages as the guest touches them), except
 * that shmem gets no transparent huge pages unless the host enables
 * them for shmem, so only VMs that need sharing should ask for it.
 * Returns what guest_mem_add() does, or -errno from memfd_create() or
 * ftruncate().
 */
TV_MUST_CHECK int guest_mem_add_shared(struct guest_mem *mem, uint64_t gpa,
				       uint64_t size);
void guest_mem_destroy(struct guest_mem *mem);

/*
 * Why the host refused to map @size more bytes of guest RAM with -ENOMEM,
 * for the end of an error line, into @buf (@len bytes, NUL-terminated):
 * the address-space limit (RLIMIT_AS, `ulimit -v`) with what it allows
 * and what this process already maps, when that is what stood in the
 * way; else strict overcommit (vm.overcommit_memory=2); else the host's
 * own shortage. Reads the limits now, so call it right after the
 * failure. Returns @buf.
 */
const char *guest_mem_refusal(uint64_t size, char *buf, size_t len);

/*
 * Host pointer for [gpa, gpa + len) when that whole range lies inside one
 * RAM region, else NULL. Overflow-safe for any gpa and len.
 */
void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* Copies into guest RAM; -EFAULT when [gpa, gpa + len) is not all RAM. */
TV_MUST_CHECK int guest_mem_write(const struct guest_mem *mem, uint64_t gpa,
				  const void *src, size_t len);

#endif
