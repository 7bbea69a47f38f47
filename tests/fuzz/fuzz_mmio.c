// SPDX-License-Identifier: MIT
/*
 * The virtio-mmio transport (virtio/mmio.c) behind the MMIO bus
 * (vmm/bus.c), driven by a sequence of guest accesses and guest RAM
 * writes from the input, with a small device model that serves its queues
 * synchronously on each kick, so that rings the input builds get walked.
 *
 * Input: a header (queues, config space size, features, queue maxima,
 * flags), then 8-byte operations: kind, offset, size, value.
 */
#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#include "tests/fuzz/fuzz.h"
#include "virtio/mmio.h"

#define MMIO_BASE 0x0a000000ULL
#define RAM_GPA 0x40000000ULL
#define RAM_SIZE 0x4000ULL
#define MAX_OPS 1024
#define CHAINS_PER_KICK 8

enum {
	FLAG_IRQ_EXTERNAL = 1,
	FLAG_ACTIVATE_FAILS = 2,
	FLAG_SIGNAL_FAILS = 4,
};

struct fake {
	struct virtio_mmio_dev dev;
	struct guest_mem mem;
	uint8_t *config; /* exactly cfg.config_size bytes */
	uint8_t flags;
	unsigned int signals;
};

static void fake_config_read(struct virtio_mmio_dev *dev, uint32_t off,
			     void *data, uint32_t len)
{
	struct fake *f = dev->opaque;

	FUZZ_ASSERT(len <= 4 && off + len <= dev->cfg.config_size);
	memcpy(data, f->config + off, len);
}

static void fake_config_write(struct virtio_mmio_dev *dev, uint32_t off,
			      const void *data, uint32_t len)
{
	struct fake *f = dev->opaque;

	FUZZ_ASSERT(len <= 4 && off + len <= dev->cfg.config_size);
	memcpy(f->config + off, data, len);
}

/* Serves a few chains of queue @index: reads them, fills them, returns them. */
static void fake_notify(struct virtio_mmio_dev *dev, unsigned int index)
{
	struct virtq *vq = virtio_mmio_queue(dev, index);
	struct virtq_seg seg[8];
	struct virtq_chain c = { .seg = seg, .max_seg = 8 };
	int head;

	FUZZ_ASSERT(index < dev->cfg.nr_queues && vq && dev->active);
	for (unsigned int i = 0; i < CHAINS_PER_KICK; i++) {
		head = virtq_pop(vq, &c);
		if (head == -EAGAIN)
			break;
		if (head < 0) {
			virtio_mmio_queue_error(dev, index, head, c.why);
			break;
		}
		for (unsigned int s = 0; s < c.nr_readable + c.nr_writable; s++)
			if (seg[s].writable)
				memset(seg[s].addr, 0xa5, seg[s].len);
		FUZZ_ASSERT(virtq_push(vq, (uint16_t)head, c.writable_len) ==
			    0);
	}
	if (virtq_needs_notify(vq))
		virtio_mmio_signal_used(dev);
}

static int fake_activate(struct virtio_mmio_dev *dev, uint64_t features)
{
	struct fake *f = dev->opaque;

	/* The transport accepted only what it offered, VERSION_1 included. */
	FUZZ_ASSERT((features & ~dev->offered) == 0);
	FUZZ_ASSERT(features & (1ULL << VIRTIO_F_VERSION_1));
	if (f->flags & FLAG_ACTIVATE_FAILS)
		return -EIO;
	virtio_mmio_config_changed(dev);
	return 0;
}

static void fake_reset(struct virtio_mmio_dev *dev)
{
}

static int fake_signal(void *opaque)
{
	struct fake *f = opaque;

	f->signals++;
	return f->flags & FLAG_SIGNAL_FAILS ? -EIO : 0;
}

static const struct virtio_mmio_ops fake_ops = {
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.queue_notify = fake_notify,
	.activate = fake_activate,
	.reset = fake_reset,
};

/* What virtio_mmio_init() must take (mmio.h's bounds). */
static int config_ok(const struct virtio_mmio_config *cfg)
{
	if (cfg->nr_queues > VIRTIO_MMIO_MAX_QUEUES ||
	    cfg->config_size > VIRTIO_MMIO_CONFIG_MAX)
		return 0;
	for (unsigned int i = 0; i < cfg->nr_queues; i++)
		if (cfg->queue_max[i] > VIRTQ_MAX_SIZE)
			return 0;
	return 1;
}

/* The device as the header describes it; -1 when the transport refused. */
static int fake_init(struct fake *f, struct fuzz_in *in)
{
	struct virtio_mmio_config cfg = { .name = "fuzz-dev", .device_id = 2 };
	struct virtio_mmio_irq irq = { fake_signal, f };

	cfg.nr_queues = fuzz_u8(in) % (VIRTIO_MMIO_MAX_QUEUES + 2);
	cfg.config_size = fuzz_u16(in) % (VIRTIO_MMIO_CONFIG_MAX + 9);
	cfg.features = fuzz_u64(in);
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		cfg.queue_max[i] = (uint16_t)(1u << (fuzz_u8(in) % 12));
	f->flags = fuzz_u8(in);
	cfg.used_irq_external = f->flags & FLAG_IRQ_EXTERNAL;
	f->config = calloc(1, cfg.config_size ? cfg.config_size : 1);
	FUZZ_ASSERT(f->config);
	if (virtio_mmio_init(&f->dev, &cfg, &fake_ops, f, &f->mem, &irq)) {
		FUZZ_ASSERT(!config_ok(&cfg));
		return -1;
	}
	FUZZ_ASSERT(config_ok(&cfg));
	return 0;
}

/* One guest access or RAM write; kinds 0-2 MMIO, 3 guest RAM. */
static void op_run(struct fake *f, struct bus *bus, struct fuzz_in *in)
{
	uint8_t kind = fuzz_u8(in), size = fuzz_u8(in);
	uint16_t off = fuzz_u16(in);
	uint32_t v = fuzz_u32(in), len = 1u << (size & 3);
	uint8_t data[8];
	/* Mostly inside the window, sometimes just around it. */
	uint64_t addr = MMIO_BASE - 8 + off % (VIRTIO_MMIO_SIZE + 16);

	switch (kind & 3) {
	case 0:
		memset(data, 0xcc, sizeof(data));
		bus_access(bus, addr, data, len, false);
		break;
	case 1:
	case 2:
		memcpy(data, &v, 4);
		memcpy(data + 4, &v, 4);
		bus_access(bus, addr, data, len, true);
		break;
	default: {
		uint64_t at = (uint64_t)off * 4 % RAM_SIZE;

		FUZZ_ASSERT(guest_mem_write(&f->mem, RAM_GPA + at, &v, 4) == 0);
		break;
	}
	}
}

/* What holds after any access sequence. */
static void state_check(struct fake *f)
{
	unsigned int status = atomic_load(&f->dev.status);

	if (f->dev.active)
		FUZZ_ASSERT(status & VIRTIO_CONFIG_S_DRIVER_OK);
	if (status & VIRTIO_CONFIG_S_FEATURES_OK)
		FUZZ_ASSERT((f->dev.driver_features & ~f->dev.offered) == 0);
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++)
		if (f->dev.queues[i].vq.ready)
			FUZZ_ASSERT(i < f->dev.cfg.nr_queues &&
				    f->dev.queues[i].vq.size <=
					    f->dev.cfg.queue_max[i]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct fake f = { 0 };
	struct bus bus;
	void *ram = calloc(1, RAM_SIZE);

	FUZZ_ASSERT(ram);
	f.mem.regions[0] = (struct guest_mem_region){
		.gpa = RAM_GPA,
		.size = RAM_SIZE,
		.host = ram,
		.fd = -1,
	};
	f.mem.nr = 1;
	if (fake_init(&f, &in) == 0) {
		bus_init(&bus, "mmio");
		FUZZ_ASSERT(virtio_mmio_register(&f.dev, &bus, MMIO_BASE) == 0);
		for (unsigned int i = 0; i < MAX_OPS && in.n; i++) {
			op_run(&f, &bus, &in);
			state_check(&f);
		}
		bus_destroy(&bus);
		virtio_mmio_destroy(&f.dev);
		FUZZ_ASSERT(atomic_load(&f.dev.status) == 0 && !f.dev.active);
	}
	free(f.config);
	free(ram);
	return 0;
}
