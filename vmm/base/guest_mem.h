/* SPDX-License-Identifier: MIT */
/*
 * Guest RAM and the one checked way from a guest-physical address to host
 * memory. Everything a guest hands us (descriptor addresses, lengths,
 * register values) goes through guest_mem_ptr() before it is touched.
 */
#ifndef TINYVMM_VMM_GUEST_MEM_H
#define TINYVMM_VMM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

#define GUEST_MEM_MAX_REGIONS 4

/*
 * The host mapping of transparent huge pages and MADV_NOHUGEPAGE regions
 * is placed congruent to the guest address modulo this: the PMD size of
 * a 4 KiB-page host (arm64 and x86_64 alike), so that every 2 MiB-aligned
 * guest block is one host huge page and KVM can map it as one stage-2
 * (or EPT/NPT) block.
 */
#define GUEST_MEM_THP_ALIGN (2ULL << 20)
/* The largest hugetlbfs page tinyvmm asks for (the other is 2 MiB). */
#define GUEST_MEM_HUGETLB_MAX_PAGE (1ULL << 30)

/* How guest RAM is backed on the host (--hugepages). */
enum guest_mem_huge {
	GUEST_MEM_THP,	   /* MADV_HUGEPAGE: transparent huge pages */
	GUEST_MEM_NO_HUGE, /* MADV_NOHUGEPAGE: base pages only */
	GUEST_MEM_HUGETLB, /* hugetlbfs pages from a memfd (MFD_HUGETLB) */
};

struct guest_mem_backing {
	enum guest_mem_huge huge;
	/* GUEST_MEM_HUGETLB: the page size, 2 MiB or 1 GiB; else unused. */
	uint64_t hugetlb_page;
	/*
	 * A memfd that another process can map too (a vhost-user backend),
	 * kept open in the region's fd; otherwise private memory.
	 */
	bool shared;
};

struct guest_mem_region {
	uint64_t gpa;
	uint64_t size;
	void *host;
	/*
	 * The file the region is mapped from, for another process to map
	 * too (a vhost-user backend): a memfd from a shared backing, mapped
	 * from fd_offset on; -1 for private memory.
	 */
	int fd;
	uint64_t fd_offset;
	struct guest_mem_backing backing;
	uint64_t align; /* host == gpa modulo this (guest_mem_align()) */
};

struct guest_mem {
	struct guest_mem_region regions[GUEST_MEM_MAX_REGIONS];
	unsigned int nr;
};

/*
 * Maps @size bytes for guest address @gpa as @b says, the host address
 * congruent to @gpa modulo guest_mem_align(@b) so that huge pages line up
 * with guest blocks. THP and NO_HUGE: anonymous memory (shared: a sealed
 * memfd, shmem) with MAP_NORESERVE, so a large --mem costs only the
 * pages the guest touches, advised MADV_HUGEPAGE or MADV_NOHUGEPAGE.
 * HUGETLB: a memfd with MFD_HUGETLB whose pages are reserved when it is
 * mapped, so a host without enough free huge pages refuses it here, not
 * with SIGBUS when the guest touches the page. A shared region's memfd
 * has its size sealed: a backend cannot shrink it under us (which would
 * turn our accesses into SIGBUS).
 * Returns 0, -EINVAL (size 0, not page aligned, wraps, overlaps; for
 * HUGETLB a gpa or size that is not a multiple of the huge page or a page
 * size other than 2 MiB or 1 GiB), -ENOSPC (too many regions), -ENODEV
 * (memfd_create(): the host has no huge pages of that size), or
 * mmap()'s -errno when the host refused the mapping (-ENOMEM:
 * guest_mem_refusal() says why).
 */
TV_MUST_CHECK int guest_mem_map(struct guest_mem *mem, uint64_t gpa,
				uint64_t size,
				const struct guest_mem_backing *b);

/* guest_mem_map() of private memory with transparent huge pages. */
TV_MUST_CHECK int guest_mem_add(struct guest_mem *mem, uint64_t gpa,
				uint64_t size);

/*
 * guest_mem_map() of a shared memfd with transparent huge pages (shmem
 * gets them only where the host enables them for shmem: see
 * guest_mem_host_thp()), for a VM whose RAM a vhost-user backend maps.
 */
TV_MUST_CHECK int guest_mem_add_shared(struct guest_mem *mem, uint64_t gpa,
				       uint64_t size);

/*
 * The alignment @b asks of the host mapping: the huge page size for
 * HUGETLB, else GUEST_MEM_THP_ALIGN.
 */
uint64_t guest_mem_align(const struct guest_mem_backing *b);

/*
 * The lowest address at or above @start that is congruent to @gpa modulo
 * @align (a power of two). Where a region of a reservation starting at
 * @start goes: below @start + @align.
 */
uint64_t guest_mem_place(uint64_t start, uint64_t gpa, uint64_t align);

void guest_mem_destroy(struct guest_mem *mem);

/*
 * Why the host refused to map @size more bytes of guest RAM backed as @b
 * (NULL: ordinary memory) with -ENOMEM, for the end of an error line,
 * into @buf (@len bytes, NUL-terminated): the address-space limit
 * (RLIMIT_AS, `ulimit -v`) with what it allows and what this process
 * already maps, when that is what stood in the way; else for HUGETLB the
 * huge pages needed, free, and how to reserve them; else strict
 * overcommit (vm.overcommit_memory=2); else the host's own shortage.
 * Reads the limits now, so call it right after the failure. Returns @buf.
 */
const char *guest_mem_refusal(const struct guest_mem_backing *b, uint64_t size,
			      char *buf, size_t len);

/*
 * The host's policy for transparent huge pages, the bracketed word of
 * /sys/kernel/mm/transparent_hugepage/enabled (@shmem: shmem_enabled),
 * e.g. "madvise", "always", "never", into @buf; "" when unknown.
 * Returns @buf.
 */
const char *guest_mem_host_thp(bool shmem, char *buf, size_t len);

/*
 * One line on how region @r is backed, into @buf (@len bytes), e.g.
 * "256 MiB at 0x80000000, anonymous, 2 MiB-aligned, THP (madvise)";
 * @host_thp is guest_mem_host_thp()'s word for the region's kind of
 * memory ("" unknown): a policy that defeats the advice is said.
 * Returns @buf.
 */
const char *guest_mem_describe(const struct guest_mem_region *r,
			       const char *host_thp, char *buf, size_t len);

/* "thp", "off" or "hugetlbfs": the --hugepages word for @huge. */
const char *guest_mem_huge_name(enum guest_mem_huge huge);

/*
 * Host pointer for [gpa, gpa + len) when that whole range lies inside one
 * RAM region, else NULL. Overflow-safe for any gpa and len.
 */
void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len);

/* Copies into guest RAM; -EFAULT when [gpa, gpa + len) is not all RAM. */
TV_MUST_CHECK int guest_mem_write(const struct guest_mem *mem, uint64_t gpa,
				  const void *src, size_t len);

#endif
