// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "guest_mem.h"

static bool regions_overlap(const struct guest_mem_region *r, uint64_t gpa,
			    uint64_t size)
{
	return gpa < r->gpa + r->size && r->gpa < gpa + size;
}

int guest_mem_add(struct guest_mem *mem, uint64_t gpa, uint64_t size)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE), end;
	void *host;

	if (size == 0 || (gpa | size) & (page - 1) ||
	    __builtin_add_overflow(gpa, size, &end) || size > SIZE_MAX)
		return -EINVAL;
	for (unsigned int i = 0; i < mem->nr; i++)
		if (regions_overlap(&mem->regions[i], gpa, size))
			return -EINVAL;
	if (mem->nr == GUEST_MEM_MAX_REGIONS)
		return -ENOSPC;
	/* NORESERVE: a large --mem costs only the pages the guest touches. */
	host = mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (host == MAP_FAILED)
		return -ENOMEM;
	mem->regions[mem->nr++] = (struct guest_mem_region){
		.gpa = gpa, .size = size, .host = host,
	};
	return 0;
}

void guest_mem_destroy(struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr; i++)
		munmap(mem->regions[i].host, mem->regions[i].size);
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

int guest_mem_write(const struct guest_mem *mem, uint64_t gpa,
		    const void *src, size_t len)
{
	void *dst = guest_mem_ptr(mem, gpa, len);

	if (!dst)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}
