// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "vmm/machine/arch.h"
#include "vmm/base/fdt_write.h"
#include "vmm/bench/bench.h"
#include "guest/common/bench_protocol.h"
#include "vmm/bench/bench_io.h"
#include "vmm/bench/bench_peer.h"
#include "vmm/machine/kvm_stats.h"
#include "vmm/machine/vm.h"

struct bench_dev {
	struct vm *vm;
	const struct bench_config *cfg;
	pthread_mutex_t lock; /* BEGIN, REPORT, DONE; never NOP */
	struct kvm_stats stats;
	uint64_t *at_begin, *at_report; /* stats.nr values each */
	uint64_t vmm_exits_at_begin, vmm_ticks_at_begin;
	bool begun; /* BEGIN seen and at_begin valid, no REPORT since */
	struct bench_result results[BENCH_MAX_REPORTS];
	unsigned int nr_results, dropped;
	uint64_t nr_samples; /* kept in results[], for BENCH_MAX_RUN_SAMPLES */
	atomic_uint protocol_errors; /* any vCPU, no lock: only rate-limits */
	bool done;
	uint64_t done_count;
	struct bench_io *io;	 /* NULL: no io_out/io_in on this host */
	struct bench_peer *peer; /* NULL: no vm_switch on this arch */
};

/* One line for the first few protocol errors; the guest could loop on one. */
static void bench_protocol_error(struct bench_dev *dev, const char *what,
				 uint64_t offset)
{
	if (atomic_fetch_add(&dev->protocol_errors, 1) < 4)
		tv_err("bench device: guest %s at offset 0x%" PRIx64 " ignored",
		       what, offset);
}

static void bench_read(void *opaque, uint64_t offset, void *data, uint32_t len)
{
	struct bench_dev *dev = opaque;
	uint64_t val = 0;

	/* The measured path: no lock, no call, one store. */
	if (offset == BENCH_REG_NOP && len == 8) {
		memcpy(data, &val, 8);
		return;
	}
	/* A hot read too: the guest compares it with its own counter. */
	if (offset == BENCH_REG_HOST_COUNTER && len == 8) {
		val = arch_host_counter();
		memcpy(data, &val, 8);
		return;
	}
	if (len == 8 && offset == BENCH_REG_MAGIC) {
		val = BENCH_MAGIC;
	} else if (len == 8 && offset == BENCH_REG_VERSION) {
		val = BENCH_VERSION;
	} else if (len == 8 && offset == BENCH_REG_PEER) {
		pthread_mutex_lock(&dev->lock);
		val = bench_peer_page_gpa(dev->peer);
		pthread_mutex_unlock(&dev->lock);
	}
	/* Other registers are write-only or absent: they read as 0. */
	memset(data, 0, len);
	if (len == 8)
		memcpy(data, &val, 8); /* KVM passes little-endian bytes */
}

/* @index (the guest's table index) is not needed: REPORT names it. */
/* The vCPUs' MMIO exit counts and userspace ticks, summed. */
static void bench_vmm_share(const struct vm *vm, uint64_t *exits,
			    uint64_t *ticks)
{
	struct vcpu_exit_stats sum;

	vm_exit_stats(vm, &sum);
	*exits = sum.mmio_user_exits;
	*ticks = sum.mmio_user_ticks;
}

static void bench_begin(struct bench_dev *dev, uint64_t index)
{
	bench_vmm_share(dev->vm, &dev->vmm_exits_at_begin,
			&dev->vmm_ticks_at_begin);
	dev->begun = true;
	if (dev->stats.available &&
	    kvm_stats_snapshot(&dev->stats, dev->at_begin))
		dev->begun =
			false; /* no valid start: this one gets no profile */
}

static int cmp_exit(const void *a, const void *b)
{
	const struct bench_exit *x = a, *y = b;

	return (x->delta < y->delta) - (x->delta > y->delta);
}

/* The non-zero counter differences, largest first. */
static int bench_profile(struct bench_dev *dev, struct bench_result *r)
{
	const struct kvm_stats *s = &dev->stats;

	r->exits = calloc(s->nr ? s->nr : 1, sizeof(*r->exits));
	if (!r->exits)
		return -ENOMEM;
	for (unsigned int i = 0; i < s->nr; i++) {
		uint64_t d = dev->at_report[i] - dev->at_begin[i];

		if (d == 0 || dev->at_report[i] < dev->at_begin[i])
			continue;
		snprintf(r->exits[r->nr_exits].name, BENCH_EXIT_NAME_LEN, "%s",
			 s->counters[i].name);
		r->exits[r->nr_exits++].delta = d;
	}
	qsort(r->exits, r->nr_exits, sizeof(*r->exits), cmp_exit);
	return 0;
}

static void bench_report(struct bench_dev *dev, uint64_t gpa)
{
	struct bench_result *r;
	bool have_end;
	int ret;

	if (dev->nr_results == BENCH_MAX_REPORTS) {
		if (dev->dropped++ == 0)
			tv_err("bench device: more than %d reports; dropping the rest",
			       BENCH_MAX_REPORTS);
		return;
	}
	r = &dev->results[dev->nr_results];
	have_end = dev->stats.available &&
		   !kvm_stats_snapshot(&dev->stats, dev->at_report);
	ret = bench_result_from_guest(&dev->vm->mem, gpa, dev->nr_results, r);
	dev->nr_results++;
	if (ret == -ENOMEM)
		bench_result_fail(r, "out of host memory copying the report");
	if (!ret && dev->nr_samples + r->nr_samples > BENCH_MAX_RUN_SAMPLES) {
		bench_result_free(r);
		bench_result_fail(r,
				  "the run's reports hold more than %u samples",
				  BENCH_MAX_RUN_SAMPLES);
		ret = -E2BIG;
	}
	dev->nr_samples += r->nr_samples;
	if (ret)
		tv_err("bench device: benchmark %s: %s", r->name, r->note);
	/*
	 * Without a BEGIN the start snapshot is another benchmark's (or none):
	 * no profile. A benchmark that did not run may well skip BEGIN, so
	 * only a measured one is worth a line.
	 */
	if (!dev->begun) {
		if (dev->stats.available && r->status == BENCH_STATUS_OK)
			tv_err("bench device: benchmark %s reported without BEGIN: no exit profile",
			       r->name);
	} else {
		/* This REPORT's own exit is still being handled: not counted. */
		bench_vmm_share(dev->vm, &r->vmm_mmio_exits,
				&r->vmm_mmio_ticks);
		r->vmm_mmio_exits -= dev->vmm_exits_at_begin;
		r->vmm_mmio_ticks -= dev->vmm_ticks_at_begin;
		r->vmm_counter_hz = arch_host_counter_hz();
	}
	if (dev->begun && have_end && bench_profile(dev, r))
		tv_err("bench device: benchmark %s: no memory for its exit profile",
		       r->name);
	dev->begun = false;
}

/* The io_out/io_in slot: checked here, handed to the backend thread. */
static void bench_set_io_slot(struct bench_dev *dev, uint64_t gpa)
{
	struct bench_io_slot *slot =
		guest_mem_ptr(&dev->vm->mem, gpa, sizeof(*slot));

	if (!slot || gpa % 64) {
		bench_protocol_error(dev,
				     "IO_SLOT address (unaligned or not RAM)",
				     BENCH_REG_IO_SLOT);
		return;
	}
	if (dev->io)
		bench_io_set_slot(dev->io, slot);
}

/* Under the lock. A failed start leaves the register reading 0. */
static void bench_peer_command(struct bench_dev *dev, uint64_t cmd)
{
	if (cmd == BENCH_PEER_STOP) {
		bench_peer_stop(dev->peer);
	} else if (cmd != BENCH_PEER_START) {
		bench_protocol_error(dev, "PEER command", BENCH_REG_PEER);
	} else if (!dev->peer) {
		tv_err("bench device: vm_switch has no peer VM on %s",
		       arch_platform()->name);
	} else if (bench_peer_start(dev->peer)) {
		return; /* it said why; PEER reads 0, which the guest reports */
	}
}

/* Writes that take no lock; false for the others. */
static bool bench_write_unlocked(struct bench_dev *dev, uint64_t offset,
				 const void *data, uint32_t len)
{
	uint64_t val;

	if (offset == BENCH_REG_NOP)
		return true; /* the measured path: dropped, no lock */
	if (offset == BENCH_REG_KICK && len == 8 && !dev->io)
		return true; /* no ioeventfd here: bench_io_create() said so */
	if (offset != BENCH_REG_IO_SLOT || len != 8)
		return false;
	memcpy(&val, data, 8);
	bench_set_io_slot(dev, val);
	return true;
}

static void bench_write(void *opaque, uint64_t offset, const void *data,
			uint32_t len)
{
	struct bench_dev *dev = opaque;
	uint64_t val;

	if (bench_write_unlocked(dev, offset, data, len))
		return;
	if (len != 8 ||
	    (offset != BENCH_REG_BEGIN && offset != BENCH_REG_REPORT &&
	     offset != BENCH_REG_DONE && offset != BENCH_REG_PEER)) {
		bench_protocol_error(dev, "write", offset);
		return;
	}
	memcpy(&val, data, 8);
	pthread_mutex_lock(&dev->lock);
	if (offset == BENCH_REG_BEGIN) {
		bench_begin(dev, val);
	} else if (offset == BENCH_REG_REPORT) {
		bench_report(dev, val);
	} else if (offset == BENCH_REG_PEER) {
		bench_peer_command(dev, val);
	} else {
		dev->done = true;
		dev->done_count = val;
	}
	pthread_mutex_unlock(&dev->lock);
}

static const struct bus_device_ops bench_ops = {
	.read = bench_read,
	.write = bench_write,
};

static int bench_alloc(struct vm *vm, struct bench_dev **out)
{
	struct bench_dev *dev = calloc(1, sizeof(*dev));
	int ret;

	if (!dev)
		return -ENOMEM;
	dev->vm = vm;
	pthread_mutex_init(&dev->lock, NULL);
	ret = kvm_stats_open(&dev->stats, vm);
	if (!ret && dev->stats.available) {
		dev->at_begin = calloc(dev->stats.nr + 1, sizeof(uint64_t));
		dev->at_report = calloc(dev->stats.nr + 1, sizeof(uint64_t));
		if (!dev->at_begin || !dev->at_report)
			ret = -ENOMEM;
	}
	*out = dev;
	return ret;
}

static void bench_destroy(void *dev)
{
	struct bench_dev *b = dev;

	if (!b)
		return;
	bench_io_destroy(b->io); /* first: its thread writes guest RAM */
	bench_peer_destroy(b->peer);
	for (unsigned int i = 0; i < b->nr_results; i++)
		bench_result_free(&b->results[i]);
	kvm_stats_close(&b->stats);
	free(b->at_begin);
	free(b->at_report);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

/* The kind's create: @spec is the struct bench_config, kept by pointer. */
static int bench_create(struct vm *vm, const void *spec, void **dev)
{
	const struct arch_platform *p = arch_platform();
	struct bench_dev *b = NULL;
	int ret;

	*dev = NULL;
	if (p->bench.size == 0) {
		tv_err("--bench: no bench device on %s yet", p->name);
		return -ENODEV;
	}
	ret = bench_alloc(vm, &b);
	if (!ret) {
		b->cfg = spec;
		ret = bus_register(&vm->mmio, p->bench.base, p->bench.size,
				   "bench", &bench_ops, b);
	}
	/* Without it the io benchmarks time out in the guest; all else runs. */
	if (!ret)
		ret = bench_peer_create(vm, &b->peer);
	if (!ret)
		b->io = bench_io_create(vm, p->bench.base + BENCH_REG_KICK,
					p->bench.irq);
	if (ret) {
		tv_errno(ret, "creating the bench device at 0x%" PRIx64,
			 p->bench.base);
		bench_destroy(b);
		return ret;
	}
	*dev = b;
	return 0;
}

void bench_outcome(const struct bench_dev *dev, struct bench_outcome *out)
{
	*out = (struct bench_outcome){
		.done = dev->done,
		.done_count = dev->done_count,
		.dropped = dev->dropped,
		.results = dev->results,
		.nr_results = dev->nr_results,
		.profile_note = dev->stats.available ? NULL : dev->stats.note,
	};
}

int bench_fdt_props(void *fdt, const void *opaque)
{
	const struct bench_config *cfg = opaque;
	int ret = 0;

	if (cfg->select && cfg->nr_select)
		ret = fdt_write_string_list(fdt, "tinyvmm,select", cfg->select,
					    cfg->nr_select);
	if (ret)
		return ret;
	FDT_TRY(fdt_property_u32(fdt, "tinyvmm,iterations", cfg->iterations));
	FDT_TRY(fdt_property_u32(fdt, "tinyvmm,warmup", cfg->warmup));
	return 0;
}

void bench_describe(const struct bench_config *cfg, uint64_t base,
		    uint64_t size, unsigned int irq, struct device_desc *desc)
{
	*desc = (struct device_desc){
		.node = "bench",
		.compatible = BENCH_COMPATIBLE,
		.base = base,
		.size = size,
		.has_irq = true,
		.irq = irq,
		.fdt_props = bench_fdt_props,
		.opaque = cfg,
	};
}

static void bench_kind_describe(const void *dev, struct device_desc *desc)
{
	const struct arch_platform *p = arch_platform();
	const struct bench_dev *d = dev;

	bench_describe(d->cfg, p->bench.base, p->bench.size, p->bench.irq,
		       desc);
}

const struct vm_device_kind bench_kind = {
	.name = "bench",
	.create = bench_create,
	.destroy = bench_destroy,
	.describe = bench_kind_describe,
	.vcpu_starts_vms = true,
	.guest_clock_is_host = true,
};
