// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm/machine/arch.h"
#include "vmm/devices/boot_timer.h"
#include "vmm/machine/vm.h"

struct boot_timer {
	struct vm *vm;
	atomic_bool fired;
	/* Opened at set-up: the vCPU that reads it opens no files (seccomp). */
	int status_fd;
};

static struct timespec tinyvmm_start;

void boot_timer_mark_start(void)
{
	clock_gettime(CLOCK_MONOTONIC, &tinyvmm_start);
}

static double ms_since_start(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - tinyvmm_start.tv_sec) * 1e3 +
	       (double)(now.tv_nsec - tinyvmm_start.tv_nsec) / 1e6;
}

/*
 * VmRSS from /proc/self/status, in KiB; 0 when unreadable. A read at
 * offset 0 makes the kernel write the file afresh.
 */
static uint64_t rss_kib(int status_fd)
{
	char status[8192];
	ssize_t n = status_fd < 0
			    ? -1
			    : pread(status_fd, status, sizeof(status) - 1, 0);
	const char *line = NULL;
	unsigned long long kib = 0;

	if (n > 0) {
		status[n] = '\0';
		line = strstr(status, "\nVmRSS:");
	}
	if (line && sscanf(line, "\nVmRSS: %llu kB", &kib) != 1)
		kib = 0;
	return kib;
}

/*
 * Resident KiB of guest RAM, by mincore(); 0 when unknown. Only the
 * regions whose pages VmRSS counts with @in_rss (hugetlbfs pages are
 * not in VmRSS), else only the others.
 */
static uint64_t guest_touched_kib(const struct guest_mem *mem, bool in_rss)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t resident = 0;

	for (unsigned int r = 0; r < mem->nr; r++) {
		if ((mem->regions[r].backing.huge != GUEST_MEM_HUGETLB) !=
		    in_rss)
			continue;
		size_t pages = (mem->regions[r].size + page - 1) / page;
		unsigned char *vec = malloc(pages);

		if (!vec ||
		    mincore(mem->regions[r].host, mem->regions[r].size, vec)) {
			free(vec);
			return 0;
		}
		for (size_t i = 0; i < pages; i++)
			resident += vec[i] & 1;
		free(vec);
	}
	return resident * page / 1024;
}

static void boot_timer_read(void *opaque, uint64_t offset, void *data,
			    uint32_t len)
{
	(void)opaque, (void)offset;
	memset(data, 0, len);
}

static void boot_timer_write(void *opaque, uint64_t offset, const void *data,
			     uint32_t len)
{
	struct boot_timer *bt = opaque;
	double ms = ms_since_start();
	uint64_t rss, guest, hugetlb;

	(void)offset, (void)data, (void)len;
	if (atomic_exchange(&bt->fired, true))
		return;
	rss = rss_kib(bt->status_fd);
	guest = guest_touched_kib(&bt->vm->mem, true);
	hugetlb = guest_touched_kib(&bt->vm->mem, false);
	/* VmRSS leaves hugetlbfs pages out: so does the overhead's sum. */
	tv_notice("boot timer: init_ms=%.3f rss_kib=%" PRIu64
		  " guest_touched_kib=%" PRIu64 " overhead_kib=%" PRId64,
		  ms, rss, guest + hugetlb, (int64_t)(rss - guest));
}

static const struct bus_device_ops boot_timer_ops = {
	.read = boot_timer_read,
	.write = boot_timer_write,
};

static void boot_timer_destroy(void *dev)
{
	struct boot_timer *bt = dev;

	if (bt && bt->status_fd >= 0)
		close(bt->status_fd);
	free(bt);
}

static int boot_timer_create(struct vm *vm, const void *spec, void **out)
{
	const struct arch_platform *p = arch_platform();
	struct boot_timer *bt;
	int ret;

	*out = NULL;
	if (p->boot_timer.size == 0)
		return 0;
	bt = calloc(1, sizeof(*bt));
	if (!bt)
		return -ENOMEM;
	bt->vm = vm;
	atomic_init(&bt->fired, false);
	bt->status_fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
	ret = bus_register(&vm->mmio, p->boot_timer.base, p->boot_timer.size,
			   "boot-timer", &boot_timer_ops, bt);
	if (ret) {
		tv_errno(ret, "creating the boot timer at 0x%" PRIx64,
			 p->boot_timer.base);
		boot_timer_destroy(bt);
		return ret;
	}
	*out = bt;
	return 0;
}

const struct vm_device_kind boot_timer_kind = {
	.name = "boot-timer",
	.create = boot_timer_create,
	.destroy = boot_timer_destroy,
};
