// SPDX-License-Identifier: MIT
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

/* What guest_mem_add() and guest_mem_add_shared() both refuse. */
static int region_check(const struct guest_mem *mem, uint64_t gpa,
			uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), end;

	if (size == 0 || (gpa | size) & (page - 1) ||
	    __builtin_add_overflow(gpa, size, &end) || size > SIZE_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < mem->nr; i++)
		if (regions_overlap(&mem->regions[i], gpa, size))
			return -EINVAL;
	if (mem->nr == GUEST_MEM_MAX_REGIONS)
		return -ENOSPC;
	return 0;
}

/* Maps [0, size) of @fd (-1: anonymous memory) as guest RAM at @gpa. */
static int region_map(struct guest_mem *mem, uint64_t gpa, uint64_t size,
		      int fd)
{
	/* NORESERVE: a large --mem costs only the pages the guest touches. */
	int flags = MAP_NORESERVE |
		    (fd < 0 ? MAP_PRIVATE | MAP_ANONYMOUS : MAP_SHARED);
	void *host = mmap(NULL, size, PROT_READ | PROT_WRITE, flags, fd, 0);

	if (host == MAP_FAILED)
		return -errno;
	mem->regions[mem->nr++] = (struct guest_mem_region){
		.gpa = gpa,
		.size = size,
		.host = host,
		.fd = fd,
	};
	return 0;
}

int guest_mem_add(struct guest_mem *mem, uint64_t gpa, uint64_t size)
{
	int ret = region_check(mem, gpa, size);

	return ret ? ret : region_map(mem, gpa, size, -1);
}

/* A memfd of @size bytes whose size nobody can change any more. */
static int sealed_memfd(uint64_t size)
{
	int fd = memfd_create("tinyvmm-guest-ram",
			      MFD_CLOEXEC | MFD_ALLOW_SEALING);
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

int guest_mem_add_shared(struct guest_mem *mem, uint64_t gpa, uint64_t size)
{
	int ret = region_check(mem, gpa, size), fd;

	if (ret)
		return ret;
	if (size > INT64_MAX)
		return -EINVAL; /* not an off_t */
	fd = sealed_memfd(size);
	if (fd < 0)
		return fd;
	ret = region_map(mem, gpa, size, fd);
	if (ret)
		close(fd);
	return ret;
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

const char *guest_mem_refusal(uint64_t size, char *buf, size_t len)
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
	else if (overcommit_policy() == 2)
		snprintf(
			buf, len,
			"the host's strict overcommit accounting (vm.overcommit_memory=2) has no room for it");
	else
		snprintf(buf, len,
			 "the host has no memory or address space left for it");
	return buf;
}
