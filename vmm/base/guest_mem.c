// SPDX-License-Identifier: MIT
#include <asm-generic/hugetlb_encode.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "vmm/base/guest_mem.h"

static bool regions_overlap(const struct guest_mem_region *r, uint64_t gpa,
			    uint64_t size)
{
	return gpa < r->gpa + r->size && r->gpa < gpa + size;
}

/* What guest_mem_map() refuses whatever the backing. */
static int region_check(const struct guest_mem *mem, uint64_t gpa,
			uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), end;

	if (size == 0 || (gpa | size) & (page - 1) ||
	    __builtin_add_overflow(gpa, size, &end) || size > SIZE_MAX ||
	    size > INT64_MAX - GUEST_MEM_HUGETLB_MAX_PAGE)
		return -EINVAL; /* the last: an off_t, with room to align */
	for (unsigned int i = 0; i < mem->nr; i++)
		if (regions_overlap(&mem->regions[i], gpa, size))
			return -EINVAL;
	if (mem->nr == GUEST_MEM_MAX_REGIONS)
		return -ENOSPC;
	return 0;
}

/* Huge pages come in whole pages, placed at multiples of their size. */
static int backing_check(const struct guest_mem_backing *b, uint64_t gpa,
			 uint64_t size)
{
	uint64_t page = b->hugetlb_page;

	if (b->huge == GUEST_MEM_THP || b->huge == GUEST_MEM_NO_HUGE)
		return 0;
	if (b->huge != GUEST_MEM_HUGETLB ||
	    (page != 2ULL << 20 && page != GUEST_MEM_HUGETLB_MAX_PAGE))
		return -EINVAL;
	return (gpa | size) & (page - 1) ? -EINVAL : 0;
}

uint64_t guest_mem_align(const struct guest_mem_backing *b)
{
	return b->huge == GUEST_MEM_HUGETLB ? b->hugetlb_page
					    : GUEST_MEM_THP_ALIGN;
}

uint64_t guest_mem_place(uint64_t start, uint64_t gpa, uint64_t align)
{
	/* Unsigned wrap-around gives the distance modulo @align either way. */
	return start + ((gpa - start) & (align - 1));
}

/* memfd_create()'s flags for @b: the page size rides in bits 26 up. */
static unsigned int memfd_flags(const struct guest_mem_backing *b)
{
	unsigned int flags = MFD_CLOEXEC | MFD_ALLOW_SEALING;

	if (b->huge != GUEST_MEM_HUGETLB)
		return flags;
	return flags | MFD_HUGETLB |
	       (b->hugetlb_page == GUEST_MEM_HUGETLB_MAX_PAGE
			? HUGETLB_FLAG_ENCODE_1GB
			: HUGETLB_FLAG_ENCODE_2MB);
}

/* A memfd of @size bytes whose size nobody can change any more. */
static int sealed_memfd(const struct guest_mem_backing *b, uint64_t size)
{
	int fd = memfd_create("tinyvmm-guest-ram", memfd_flags(b));
	int err;

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

/*
 * Maps [0, @size) of @fd (-1: anonymous memory) at a host address
 * congruent to @gpa modulo @align: reserves @size + @align bytes of
 * address space, maps the region over the right part of it and gives
 * back the rest. hugetlbfs memory is mapped without MAP_NORESERVE, so
 * that its huge pages are reserved now or the mapping fails.
 */
static void *map_congruent(uint64_t gpa, uint64_t size, uint64_t align, int fd,
			   bool hugetlb)
{
	int flags = MAP_FIXED |
		    (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED) |
		    (hugetlb ? 0 : MAP_NORESERVE);
	size_t span = size + align;
	uint8_t *res = mmap(NULL, span, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	uint8_t *host, *end;
	int err;

	if (res == MAP_FAILED)
		return MAP_FAILED;
	host = (uint8_t *)(uintptr_t)guest_mem_place((uintptr_t)res, gpa,
						     align);
	if (mmap(host, size, PROT_READ | PROT_WRITE, flags, fd, 0) ==
	    MAP_FAILED) {
		err = errno;
		munmap(res, span);
		errno = err;
		return MAP_FAILED;
	}
	end = host + size;
	if (host > res)
		munmap(res, (size_t)(host - res));
	if (res + span > end)
		munmap(end, (size_t)(res + span - end));
	return host;
}

/* The advice THP and NO_HUGE give; hugetlbfs pages take none. */
static int region_advise(void *host, uint64_t size, enum guest_mem_huge huge)
{
	int advice = huge == GUEST_MEM_THP ? MADV_HUGEPAGE : MADV_NOHUGEPAGE;

	if (huge == GUEST_MEM_HUGETLB)
		return 0;
	return madvise(host, size, advice) ? -errno : 0;
}

/* Maps and records region @gpa, @size as @b says; @fd: see map_congruent. */
static int region_map(struct guest_mem *mem, uint64_t gpa, uint64_t size,
		      int fd, const struct guest_mem_backing *b)
{
	uint64_t align = guest_mem_align(b);
	void *host = map_congruent(gpa, size, align, fd,
				   b->huge == GUEST_MEM_HUGETLB);
	int ret;

	if (host == MAP_FAILED)
		return -errno;
	ret = region_advise(host, size, b->huge);
	if (ret) {
		munmap(host, size);
		return ret;
	}
	mem->regions[mem->nr++] = (struct guest_mem_region){
		.gpa = gpa,
		.size = size,
		.host = host,
		.fd = fd,
		.backing = *b,
		.align = align,
	};
	return 0;
}

/*
 * hugetlbfs pages and shared memory come from a memfd; the memfd of
 * private hugetlbfs memory is closed once mapped (nobody else gets it).
 */
int guest_mem_map(struct guest_mem *mem, uint64_t gpa, uint64_t size,
		  const struct guest_mem_backing *b)
{
	int ret = region_check(mem, gpa, size), fd = -1;
	bool hugetlb = b->huge == GUEST_MEM_HUGETLB;

	if (!ret)
		ret = backing_check(b, gpa, size);
	if (ret)
		return ret;
	if (b->shared || hugetlb) {
		fd = sealed_memfd(b, size);
		if (fd < 0)
			return fd;
	}
	ret = region_map(mem, gpa, size, fd, b);
	if (fd >= 0 && (ret || !b->shared))
		close(fd);
	if (!ret && !b->shared)
		mem->regions[mem->nr - 1].fd = -1;
	return ret;
}

int guest_mem_add(struct guest_mem *mem, uint64_t gpa, uint64_t size)
{
	const struct guest_mem_backing thp = { .huge = GUEST_MEM_THP };

	return guest_mem_map(mem, gpa, size, &thp);
}

int guest_mem_add_shared(struct guest_mem *mem, uint64_t gpa, uint64_t size)
{
	const struct guest_mem_backing thp = { .huge = GUEST_MEM_THP,
					       .shared = true };

	return guest_mem_map(mem, gpa, size, &thp);
}

void guest_mem_destroy(struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr; i++) {
		munmap(mem->regions[i].host, mem->regions[i].size);
		if (mem->regions[i].fd >= 0)
			close(mem->regions[i].fd);
	}
	mem->nr = 0;
}

void *guest_mem_ptr(const struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < mem->nr; i++) {
		const struct guest_mem_region *r = &mem->regions[i];
		uint64_t off = gpa - r->gpa;

		/* Unsigned wrap makes gpa < r->gpa fail the first test. */
		if (gpa < r->gpa || off >= r->size)
			continue;
		if (len > r->size - off)
			return NULL;
		return (uint8_t *)r->host + off;
	}
	return NULL;
}

int guest_mem_write(const struct guest_mem *mem, uint64_t gpa, const void *src,
		    size_t len)
{
	void *dst = guest_mem_ptr(mem, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

/* Bytes of address space this process maps now; 0 when unknown. */
static uint64_t mapped_now(void)
{
	FILE *f = fopen("/proc/self/statm", "r");
	unsigned long long pages = 0;

	if (f) {
		if (fscanf(f, "%llu", &pages) != 1)
			pages = 0;
		fclose(f);
	}
	return pages * (uint64_t)sysconf(_SC_PAGESIZE);
}

/* vm.overcommit_memory, or -1 when unknown. */
static int overcommit_policy(void)
{
	FILE *f = fopen("/proc/sys/vm/overcommit_memory", "r");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* "2 MiB", "1 GiB", "64 KiB": @bytes in the largest whole unit. */
static const char *size_words(uint64_t bytes, char *buf, size_t len)
{
	if (bytes && bytes % (1ULL << 30) == 0)
		snprintf(buf, len, "%" PRIu64 " GiB", bytes >> 30);
	else if (bytes % (1ULL << 20) == 0)
		snprintf(buf, len, "%" PRIu64 " MiB", bytes >> 20);
	else
		snprintf(buf, len, "%" PRIu64 " KiB", bytes >> 10);
	return buf;
}

/* A count from the sysfs directory of @page's huge pages; -1: unknown. */
static long long hugepage_count(uint64_t page, const char *name)
{
	char path[96];
	long long n = -1;
	FILE *f;

	snprintf(path, sizeof(path),
		 "/sys/kernel/mm/hugepages/hugepages-%" PRIu64 "kB/%s",
		 page >> 10, name);
	f = fopen(path, "r");
	if (f) {
		if (fscanf(f, "%lld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

/* Why @size bytes of @page huge pages were refused, and what to do. */
static void hugetlb_refusal(uint64_t page, uint64_t size, char *buf, size_t len)
{
	long long need = (long long)(size / page),
		  free_ = hugepage_count(page, "free_hugepages"),
		  resv = hugepage_count(page, "resv_hugepages"),
		  nr = hugepage_count(page, "nr_hugepages");
	long long avail = free_ - (resv > 0 ? resv : 0);
	char words[16];

	size_words(page, words, sizeof(words));
	if (free_ < 0 || nr < 0)
		snprintf(buf, len,
			 "it needs %lld free %s huge pages and the host says "
			 "nothing of its own (no /sys/kernel/mm/hugepages/"
			 "hugepages-%" PRIu64 "kB)",
			 need, words, page >> 10);
	else if (avail >= need)
		snprintf(buf, len,
			 "the host has %lld free %s huge pages, enough for the "
			 "%lld needed, yet refused them (a cgroup's hugetlb "
			 "limit?)",
			 avail, words, need);
	else
		snprintf(buf, len,
			 "it needs %lld free %s huge pages and the host has "
			 "%lld; reserve them: echo %lld > /sys/kernel/mm/"
			 "hugepages/hugepages-%" PRIu64 "kB/nr_hugepages "
			 "(or /proc/sys/vm/nr_hugepages for the default size)",
			 need, words, avail < 0 ? 0 : avail,
			 nr + need - (avail < 0 ? 0 : avail), page >> 10);
}

const char *guest_mem_refusal(const struct guest_mem_backing *b, uint64_t size,
			      char *buf, size_t len)
{
	struct rlimit as;
	uint64_t used = mapped_now();

	if (getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY &&
	    (used >= as.rlim_cur || size > as.rlim_cur - used))
		snprintf(
			buf, len,
			"RLIMIT_AS (ulimit -v) allows %" PRIu64
			" MiB of address space and tinyvmm already maps %" PRIu64
			" MiB",
			(uint64_t)as.rlim_cur >> 20, used >> 20);
	else if (b && b->huge == GUEST_MEM_HUGETLB)
		hugetlb_refusal(b->hugetlb_page, size, buf, len);
	else if (overcommit_policy() == 2)
		snprintf(
			buf, len,
			"the host's strict overcommit accounting (vm.overcommit_memory=2) has no room for it");
	else
		snprintf(buf, len,
			 "the host has no memory or address space left for it");
	return buf;
}

const char *guest_mem_host_thp(bool shmem, char *buf, size_t len)
{
	FILE *f = fopen(
		shmem ? "/sys/kernel/mm/transparent_hugepage/shmem_enabled"
		      : "/sys/kernel/mm/transparent_hugepage/enabled",
		"r");
	char line[128] = "", *open_, *close_;

	if (len)
		buf[0] = '\0';
	if (!f)
		return buf;
	if (!fgets(line, sizeof(line), f))
		line[0] = '\0';
	fclose(f);
	open_ = strchr(line, '[');
	close_ = open_ ? strchr(open_, ']') : NULL;
	if (close_)
		snprintf(buf, len, "%.*s", (int)(close_ - open_ - 1),
			 open_ + 1);
	return buf;
}

const char *guest_mem_huge_name(enum guest_mem_huge huge)
{
	switch (huge) {
	case GUEST_MEM_THP:
		return "thp";
	case GUEST_MEM_NO_HUGE:
		return "off";
	case GUEST_MEM_HUGETLB:
		return "hugetlbfs";
	}
	return "unknown";
}

/* Whether host THP policy @policy leaves an MADV_HUGEPAGE region none. */
static bool thp_defeated(const char *policy)
{
	return !strcmp(policy, "never") || !strcmp(policy, "deny");
}

/* The page part of guest_mem_describe()'s line. */
static void describe_pages(const struct guest_mem_region *r,
			   const char *host_thp, char *buf, size_t len)
{
	char words[16];

	if (r->backing.huge == GUEST_MEM_HUGETLB)
		snprintf(buf, len, "%s hugetlbfs pages",
			 size_words(r->backing.hugetlb_page, words,
				    sizeof(words)));
	else if (r->backing.huge == GUEST_MEM_NO_HUGE)
		snprintf(buf, len, "no huge pages (MADV_NOHUGEPAGE)");
	else if (!host_thp[0])
		snprintf(buf, len, "THP (MADV_HUGEPAGE; host policy unknown)");
	else if (thp_defeated(host_thp))
		snprintf(buf, len,
			 "THP advised (MADV_HUGEPAGE) but the host's %s "
			 "policy is '%s': base pages only",
			 r->fd >= 0 ? "shmem THP" : "THP", host_thp);
	else
		snprintf(buf, len, "THP (MADV_HUGEPAGE; host %s policy '%s')",
			 r->fd >= 0 ? "shmem THP" : "THP", host_thp);
}

const char *guest_mem_describe(const struct guest_mem_region *r,
			       const char *host_thp, char *buf, size_t len)
{
	bool hugetlb = r->backing.huge == GUEST_MEM_HUGETLB;
	char size[24], align[16], pages[128];
	const char *kind =
		r->fd >= 0
			? (hugetlb ? "shared hugetlbfs memfd" : "shared memfd")
			: (hugetlb ? "hugetlbfs memfd" : "anonymous");

	describe_pages(r, host_thp, pages, sizeof(pages));
	snprintf(buf, len, "%s at 0x%" PRIx64 ", %s, %s-aligned, %s",
		 size_words(r->size, size, sizeof(size)), r->gpa, kind,
		 size_words(r->align, align, sizeof(align)), pages);
	return buf;
}
