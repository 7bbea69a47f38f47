// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "vmm/machine/arch.h"
#include "vmm/machine/kvm_stats.h"
#include "vmm/machine/vm.h"
#include "vmm/devices/workload_mark.h"

struct workload_mark {
	pthread_mutex_t lock; /* vCPU threads */
	struct kvm_stats stats;
	uint64_t *at_begin, *at_end;
	struct timespec began;
	bool begun;
	unsigned int lines; /* printed, for WORKLOAD_MARK_MAX_LINES */
};

/* A guest looping on END must not flood stderr. */
#define WORKLOAD_MARK_MAX_LINES 64

static void workload_mark_read(void *opaque, uint64_t offset, void *data,
			       uint32_t len)
{
	(void)opaque, (void)offset;
	memset(data, 0, len);
}

static void mark_begin(struct workload_mark *wm)
{
	clock_gettime(CLOCK_MONOTONIC, &wm->began);
	wm->begun = !kvm_stats_snapshot(&wm->stats, wm->at_begin);
}

/* "exits=12 mmio_exit_user=3 ...", largest first, into @line. */
static void format_deltas(struct workload_mark *wm, char *line, size_t size)
{
	size_t used = strlen(line);
	bool *shown = calloc(wm->stats.nr + 1, sizeof(*shown));

	for (unsigned int n = 0; shown && n < wm->stats.nr && used < size;
	     n++) {
		unsigned int best = wm->stats.nr;
		uint64_t best_d = 0;

		for (unsigned int i = 0; i < wm->stats.nr; i++) {
			uint64_t d = wm->at_end[i] - wm->at_begin[i];

			if (!shown[i] && wm->at_end[i] > wm->at_begin[i] &&
			    d > best_d) {
				best = i;
				best_d = d;
			}
		}
		if (best == wm->stats.nr)
			break;
		shown[best] = true;
		used += (size_t)snprintf(line + used, size - used,
					 " %s=%" PRIu64,
					 wm->stats.counters[best].name, best_d);
	}
	free(shown);
}

static void mark_end(struct workload_mark *wm)
{
	struct timespec now;
	char line[2048];

	if (!wm->stats.available) {
		tv_notice("workload exits: none counted (%s)", wm->stats.note);
		return;
	}
	if (!wm->begun || kvm_stats_snapshot(&wm->stats, wm->at_end)) {
		tv_notice("workload exits: none counted (END without a BEGIN)");
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(line, sizeof(line), "seconds=%.3f",
		 (double)(now.tv_sec - wm->began.tv_sec) +
			 (double)(now.tv_nsec - wm->began.tv_nsec) / 1e9);
	format_deltas(wm, line, sizeof(line));
	tv_notice("workload exits: %s", line);
	wm->begun = false;
}

static void workload_mark_write(void *opaque, uint64_t offset, const void *data,
				uint32_t len)
{
	struct workload_mark *wm = opaque;

	(void)data, (void)len;
	pthread_mutex_lock(&wm->lock);
	if (offset == WORKLOAD_MARK_BEGIN) {
		mark_begin(wm);
	} else if (offset == WORKLOAD_MARK_END &&
		   wm->lines < WORKLOAD_MARK_MAX_LINES) {
		if (++wm->lines == WORKLOAD_MARK_MAX_LINES)
			tv_notice(
				"workload marker: %u workloads reported; not reporting more",
				WORKLOAD_MARK_MAX_LINES - 1);
		else
			mark_end(wm);
	}
	pthread_mutex_unlock(&wm->lock);
}

static const struct bus_device_ops workload_mark_ops = {
	.read = workload_mark_read,
	.write = workload_mark_write,
};

static int workload_mark_alloc(struct vm *vm, struct workload_mark *wm)
{
	int ret = kvm_stats_open(&wm->stats, vm);

	if (ret)
		return ret;
	wm->at_begin = calloc(wm->stats.nr + 1, sizeof(uint64_t));
	wm->at_end = calloc(wm->stats.nr + 1, sizeof(uint64_t));
	return wm->at_begin && wm->at_end ? 0 : -ENOMEM;
}

static void workload_mark_destroy(void *dev)
{
	struct workload_mark *wm = dev;

	if (!wm)
		return;
	kvm_stats_close(&wm->stats);
	free(wm->at_begin);
	free(wm->at_end);
	pthread_mutex_destroy(&wm->lock);
	free(wm);
}

static int workload_mark_create(struct vm *vm, const void *spec, void **out)
{
	const struct arch_platform *p = arch_platform();
	struct workload_mark *wm;
	int ret;

	*out = NULL;
	if (p->workload_mark.size == 0)
		return 0;
	wm = calloc(1, sizeof(*wm));
	if (!wm)
		return -ENOMEM;
	pthread_mutex_init(&wm->lock, NULL);
	ret = workload_mark_alloc(vm, wm);
	if (!ret)
		ret = bus_register(&vm->mmio, p->workload_mark.base,
				   p->workload_mark.size, "workload-mark",
				   &workload_mark_ops, wm);
	if (ret) {
		tv_errno(ret, "creating the workload marker at 0x%" PRIx64,
			 p->workload_mark.base);
		workload_mark_destroy(wm);
		return ret;
	}
	*out = wm;
	return 0;
}

const struct vm_device_kind workload_mark_kind = {
	.name = "workload-mark",
	.create = workload_mark_create,
	.destroy = workload_mark_destroy,
};
