// SPDX-License-Identifier: MIT
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_config.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "virtio/mmio.h"
#include "virtio/mmio_worker.h"

#define MMIO_VERSION 2
#define VERSION_1 (1ULL << VIRTIO_F_VERSION_1)
/* Transport bits a device may ask for: virtq implements both. */
#define RING_FEATURES                        \
	((1ULL << VIRTIO_RING_F_EVENT_IDX) | \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC))
/* Device-type bits: below the transport range (spec 6). */
#define DEVICE_TYPE_FEATURES ((1ULL << VIRTIO_TRANSPORT_F_START) - 1)
/* Status bits the driver sets (spec 2.1); DEVICE_NEEDS_RESET is ours. */
#define DRIVER_STATUS                                              \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |    \
	 VIRTIO_CONFIG_S_DRIVER_OK | VIRTIO_CONFIG_S_FEATURES_OK | \
	 VIRTIO_CONFIG_S_FAILED)

static const struct virtio_mmio_ops no_ops;

const struct bus_device_ops virtio_mmio_bus_ops = {
	.read = virtio_mmio_read,
	.write = virtio_mmio_write,
};

/*
 * One line per guest mistake, at most VIRTIO_MMIO_MAX_REPORTS per device:
 * a guest in a loop must not flood the log. Lock-free (any thread).
 */
static void mmio_vreport(struct virtio_mmio_dev *dev, const char *tail,
			 const char *fmt, va_list ap)
{
	unsigned int n;
	char msg[256];

	if (atomic_load(&dev->reports) >= VIRTIO_MMIO_MAX_REPORTS)
		return;
	n = atomic_fetch_add(&dev->reports, 1);
	if (n >= VIRTIO_MMIO_MAX_REPORTS)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	tv_err("%s at 0x%" PRIx64 ": %s%s%s", dev->cfg.name, dev->base, msg,
	       tail,
	       n + 1 == VIRTIO_MMIO_MAX_REPORTS ? "; not reporting more" : "");
}

static void mmio_report(struct virtio_mmio_dev *dev, const char *fmt, ...)
	TV_PRINTF(2, 3);
static void mmio_report(struct virtio_mmio_dev *dev, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mmio_vreport(dev, "", fmt, ap);
	va_end(ap);
}

static void mmio_signal(struct virtio_mmio_dev *dev)
{
	int ret = dev->irq.signal ? dev->irq.signal(dev->irq.opaque) : 0;

	if (ret)
		mmio_report(dev, "raising its interrupt: %s", strerror(-ret));
}

static void mmio_interrupt(struct virtio_mmio_dev *dev, unsigned int cause)
{
	/* The cause is visible before the guest can take the interrupt. */
	atomic_fetch_or(&dev->interrupt_status, cause);
	mmio_signal(dev);
}

/*
 * Spec 2.1.2: the device sets DEVICE_NEEDS_RESET on an error it cannot
 * recover from and, once DRIVER_OK is set, sends a config-change
 * notification. Said once per reset. Lock-free, for the dataplane too;
 * only a reset clears the bit, and it stops the dataplane first.
 */
static void mmio_needs_reset(struct virtio_mmio_dev *dev, const char *fmt, ...)
	TV_PRINTF(2, 3);
static void mmio_needs_reset(struct virtio_mmio_dev *dev, const char *fmt, ...)
{
	unsigned int status = atomic_load(&dev->status);
	bool driver_ok = status & VIRTIO_CONFIG_S_DRIVER_OK;
	va_list ap;

	if (status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	/* The cause first: a driver that sees the status bit finds it too. */
	if (driver_ok)
		atomic_fetch_or(&dev->interrupt_status, VIRTIO_MMIO_INT_CONFIG);
	status = atomic_fetch_or(&dev->status, VIRTIO_CONFIG_S_NEEDS_RESET);
	if (status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return; /* another thread got there first */
	if (driver_ok)
		mmio_signal(dev);
	va_start(ap, fmt);
	mmio_vreport(dev, "; the device needs a reset", fmt, ap);
	va_end(ap);
}

static int mmio_config_check(const struct virtio_mmio_config *cfg)
{
	if (!cfg->name || cfg->nr_queues > VIRTIO_MMIO_MAX_QUEUES ||
	    cfg->config_size > VIRTIO_MMIO_CONFIG_MAX) {
		tv_err("%s: virtio-mmio takes at most %d queues and %d bytes of config space",
		       cfg->name ? cfg->name : "unnamed virtio device",
		       VIRTIO_MMIO_MAX_QUEUES, VIRTIO_MMIO_CONFIG_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->nr_queues; i++) {
		if (__builtin_popcount(cfg->queue_max[i]) != 1 ||
		    cfg->queue_max[i] > VIRTQ_MAX_SIZE) {
			tv_err("%s: queue %u: maximum size %u is not a power of two up to %d",
			       cfg->name, i, cfg->queue_max[i], VIRTQ_MAX_SIZE);
			return -EINVAL;
		}
	}
	return 0;
}

int virtio_mmio_init(struct virtio_mmio_dev *dev,
		     const struct virtio_mmio_config *cfg,
		     const struct virtio_mmio_ops *ops, void *opaque,
		     const struct guest_mem *mem,
		     const struct virtio_mmio_irq *irq)
{
	int ret = mmio_config_check(cfg);

	if (ret)
		return ret;
	memset(dev, 0, sizeof(*dev));
	dev->cfg = *cfg;
	dev->ops = ops ? ops : &no_ops;
	dev->opaque = opaque;
	dev->mem = mem;
	if (irq)
		dev->irq = *irq;
	dev->offered =
		(cfg->features & (DEVICE_TYPE_FEATURES | RING_FEATURES)) |
		VERSION_1;
	atomic_init(&dev->status, 0);
	atomic_init(&dev->interrupt_status, 0);
	atomic_init(&dev->config_generation, 0);
	atomic_init(&dev->reports, 0);
	ret = pthread_mutex_init(&dev->lock, NULL);
	if (ret) {
		tv_errno(ret, "%s: creating its lock", cfg->name);
		return -ret;
	}
	ret = pthread_cond_init(&dev->change_done, NULL);
	if (ret) {
		tv_errno(ret, "%s: creating its condition variable", cfg->name);
		pthread_mutex_destroy(&dev->lock);
		return -ret;
	}
	return 0;
}

static void mmio_wait_change(struct virtio_mmio_dev *dev);

/*
 * Status 0 (spec 4.2.2: clear InterruptStatus and every QueueReady). The
 * device's reset() stops its dataplane first, so nothing uses a queue
 * while it is taken down.
 */
static void mmio_reset(struct virtio_mmio_dev *dev)
{
	if (dev->ops->reset)
		dev->ops->reset(dev);
	dev->active = false;
	for (unsigned int i = 0; i < VIRTIO_MMIO_MAX_QUEUES; i++) {
		virtq_disable(&dev->queues[i].vq);
		dev->queues[i].num = 0;
		memset(dev->queues[i].addr, 0, sizeof(dev->queues[i].addr));
	}
	dev->device_features_sel = dev->driver_features_sel = 0;
	dev->queue_sel = 0;
	dev->driver_features = 0;
	dev->driver_features_high = false;
	atomic_store(&dev->interrupt_status, 0);
	atomic_store(&dev->status, 0);
}

void virtio_mmio_destroy(struct virtio_mmio_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	/* A running worker is done with @dev once its change is. */
	mmio_wait_change(dev);
	mmio_reset(dev);
	dev->change = VIRTIO_MMIO_CHANGE_NONE;
	pthread_mutex_unlock(&dev->lock);
	pthread_cond_destroy(&dev->change_done);
	pthread_mutex_destroy(&dev->lock);
}

void virtio_mmio_set_worker(struct virtio_mmio_dev *dev,
			    struct virtio_mmio_worker *w)
{
	pthread_mutex_lock(&dev->lock);
	dev->worker = w;
	pthread_mutex_unlock(&dev->lock);
}

int virtio_mmio_register(struct virtio_mmio_dev *dev, struct bus *bus,
			 uint64_t base)
{
	dev->base = base;
	return bus_register(bus, base, VIRTIO_MMIO_SIZE, dev->cfg.name,
			    &virtio_mmio_bus_ops, dev);
}

static struct virtio_mmio_queue *selected_queue(struct virtio_mmio_dev *dev)
{
	return dev->queue_sel < dev->cfg.nr_queues
		       ? &dev->queues[dev->queue_sel]
		       : NULL;
}

/* Replaces the 32-bit half @high of @word: registers come in halves. */
static void set_half(uint64_t *word, bool high, uint32_t v)
{
	unsigned int shift = high ? 32 : 0;

	*word = (*word & ~(0xffffffffULL << shift)) | (uint64_t)v << shift;
}

static uint32_t features_word(uint64_t features, uint32_t sel)
{
	return sel > 1 ? 0 : (uint32_t)(features >> (32 * sel));
}

/* Spec 3.1.1: features are settled once FEATURES_OK is set. */
static void driver_features_write(struct virtio_mmio_dev *dev, uint32_t v)
{
	if (atomic_load(&dev->status) & VIRTIO_CONFIG_S_FEATURES_OK) {
		mmio_report(
			dev,
			"driver features written after FEATURES_OK; ignored");
		return;
	}
	/* No bit above 63 is ever offered, so any is a refusal later. */
	if (dev->driver_features_sel > 1)
		dev->driver_features_high |= v != 0;
	else
		set_half(&dev->driver_features, dev->driver_features_sel, v);
}

/* Whether FEATURES_OK may stand (spec 2.2.2, 6.1). */
static bool features_acceptable(struct virtio_mmio_dev *dev)
{
	uint64_t extra = dev->driver_features & ~dev->offered;

	if (extra || dev->driver_features_high) {
		mmio_report(dev,
			    "driver took features 0x%" PRIx64
			    "%s that were not offered; FEATURES_OK refused",
			    extra,
			    dev->driver_features_high ? " (and bits above 63)"
						      : "");
		return false;
	}
	if (!(dev->driver_features & VERSION_1)) {
		mmio_report(
			dev,
			"driver did not take VIRTIO_F_VERSION_1 (legacy drivers are not supported); FEATURES_OK refused");
		return false;
	}
	return true;
}

/* DRIVER_OK's work, on the worker's thread or the writer's. */
static void mmio_activate(struct virtio_mmio_dev *dev)
{
	int ret = dev->ops->activate
			  ? dev->ops->activate(dev, dev->driver_features)
			  : 0;

	if (ret) {
		mmio_needs_reset(dev, "starting the device: %s",
				 strerror(-ret));
		return;
	}
	dev->active = true;
}

/*
 * Hands @change to the worker; false when there is none running (the
 * caller then makes it itself). Under dev->lock.
 */
static bool mmio_defer(struct virtio_mmio_dev *dev,
		       enum virtio_mmio_change change)
{
	if (!dev->worker)
		return false;
	dev->change = change;
	if (virtio_mmio_worker_queue(dev->worker, dev))
		return true;
	dev->change = VIRTIO_MMIO_CHANGE_NONE;
	return false;
}

/* Every access starts here: a queued status change completes first. */
static void mmio_wait_change(struct virtio_mmio_dev *dev)
{
	while (dev->change != VIRTIO_MMIO_CHANGE_NONE)
		pthread_cond_wait(&dev->change_done, &dev->lock);
}

void virtio_mmio_complete_change(struct virtio_mmio_dev *dev)
{
	pthread_mutex_lock(&dev->lock);
	if (dev->change == VIRTIO_MMIO_CHANGE_ACTIVATE)
		mmio_activate(dev);
	else if (dev->change == VIRTIO_MMIO_CHANGE_RESET)
		mmio_reset(dev);
	dev->change = VIRTIO_MMIO_CHANGE_NONE;
	pthread_cond_broadcast(&dev->change_done);
	pthread_mutex_unlock(&dev->lock);
}

static void driver_ok(struct virtio_mmio_dev *dev)
{
	unsigned int status = atomic_load(&dev->status);

	if (!(status & VIRTIO_CONFIG_S_FEATURES_OK)) {
		mmio_needs_reset(dev, "DRIVER_OK without FEATURES_OK");
		return;
	}
	if (status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return; /* already said why; the device stays inert */
	if (!mmio_defer(dev, VIRTIO_MMIO_CHANGE_ACTIVATE))
		mmio_activate(dev);
}

/*
 * Status 0: the write returns once the reset is done (see "Status
 * changes" in mmio.h), whichever thread did it.
 */
static void status_reset(struct virtio_mmio_dev *dev)
{
	if (mmio_defer(dev, VIRTIO_MMIO_CHANGE_RESET))
		mmio_wait_change(dev);
	else
		mmio_reset(dev);
}

static void status_write(struct virtio_mmio_dev *dev, uint32_t v)
{
	unsigned int old = atomic_load(&dev->status), set;

	if (v == 0) {
		status_reset(dev);
		return;
	}
	if (old & DRIVER_STATUS & ~v)
		mmio_report(
			dev,
			"driver cleared status bits 0x%x without a reset; ignored",
			old & DRIVER_STATUS & ~v);
	/* The driver only adds bits (spec 3.1.1). */
	set = v & DRIVER_STATUS & ~old;
	if ((set & VIRTIO_CONFIG_S_FEATURES_OK) && !features_acceptable(dev))
		set &= ~VIRTIO_CONFIG_S_FEATURES_OK;
	atomic_fetch_or(&dev->status, set);
	if (set & VIRTIO_CONFIG_S_DRIVER_OK)
		driver_ok(dev);
}

/* QueueNum and the ring address halves (spec 4.2.2: only while not ready). */
static void queue_reg_write(struct virtio_mmio_dev *dev, uint64_t off,
			    uint32_t v)
{
	struct virtio_mmio_queue *q = selected_queue(dev);

	if (!q || q->vq.ready) {
		mmio_report(dev,
			    "queue %u: register 0x%03" PRIx64
			    " written while %s; ignored",
			    dev->queue_sel, off,
			    q ? "the queue is ready" : "no such queue exists");
		return;
	}
	if (off == VIRTIO_MMIO_QUEUE_NUM) {
		q->num = v;
		return;
	}
	/* DESC, AVAIL, USED are 0x10 apart, each a LOW then a HIGH word. */
	set_half(&q->addr[(off - VIRTIO_MMIO_QUEUE_DESC_LOW) / 0x10], off & 4,
		 v);
}

static void queue_enable(struct virtio_mmio_dev *dev,
			 struct virtio_mmio_queue *q)
{
	unsigned int i = (unsigned int)(q - dev->queues);
	struct virtq_layout layout;
	const char *why;

	if (!(atomic_load(&dev->status) & VIRTIO_CONFIG_S_FEATURES_OK)) {
		mmio_needs_reset(dev, "queue %u enabled before FEATURES_OK", i);
		return;
	}
	if (q->num > dev->cfg.queue_max[i]) {
		mmio_needs_reset(dev, "queue %u: size %u above its maximum %u",
				 i, q->num, dev->cfg.queue_max[i]);
		return;
	}
	layout = (struct virtq_layout){
		.size = (uint16_t)q->num,
		.desc = q->addr[0],
		.avail = q->addr[1],
		.used = q->addr[2],
	};
	if (virtq_enable(&q->vq, dev->mem, &layout, dev->driver_features, &why))
		mmio_needs_reset(dev,
				 "queue %u: %s (size %u, rings at 0x%" PRIx64
				 ", 0x%" PRIx64 ", 0x%" PRIx64 ")",
				 i, why, q->num, layout.desc, layout.avail,
				 layout.used);
}

static void queue_ready_write(struct virtio_mmio_dev *dev, uint32_t v)
{
	struct virtio_mmio_queue *q = selected_queue(dev);

	if (!q) {
		mmio_report(
			dev,
			"QueueReady written for queue %u, which does not exist",
			dev->queue_sel);
		return;
	}
	if ((v != 0) == q->vq.ready)
		return;
	if (atomic_load(&dev->status) & VIRTIO_CONFIG_S_DRIVER_OK) {
		mmio_report(
			dev,
			"queue %u: QueueReady changed after DRIVER_OK; ignored",
			dev->queue_sel);
		return;
	}
	if (v)
		queue_enable(dev, q);
	else
		virtq_disable(&q->vq);
}

static void queue_notify(struct virtio_mmio_dev *dev, uint32_t v)
{
	if (v >= dev->cfg.nr_queues) {
		mmio_report(dev,
			    "QueueNotify for queue %u, which does not exist",
			    v);
		return;
	}
	/* Before DRIVER_OK the device must not use buffers (spec 3.1.1). */
	if (dev->active && dev->queues[v].vq.ready && dev->ops->queue_notify)
		dev->ops->queue_notify(dev, v);
}

static bool reg_read(struct virtio_mmio_dev *dev, uint64_t off, uint32_t *v)
{
	struct virtio_mmio_queue *q = selected_queue(dev);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		*v = VIRTIO_MMIO_MAGIC;
		break;
	case VIRTIO_MMIO_VERSION:
		*v = MMIO_VERSION;
		break;
	case VIRTIO_MMIO_DEVICE_ID:
		*v = dev->cfg.device_id;
		break;
	case VIRTIO_MMIO_VENDOR_ID:
		*v = VIRTIO_MMIO_VENDOR;
		break;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		*v = features_word(dev->offered, dev->device_features_sel);
		break;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		*v = q ? dev->cfg.queue_max[dev->queue_sel] : 0;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		*v = q && q->vq.ready;
		break;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		*v = atomic_load(&dev->interrupt_status) |
		     (dev->cfg.used_irq_external ? VIRTIO_MMIO_INT_VRING : 0);
		break;
	case VIRTIO_MMIO_STATUS:
		*v = atomic_load(&dev->status);
		break;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		*v = atomic_load(&dev->config_generation);
		break;
	/* No shared memory regions: length and base read as all ones. */
	case VIRTIO_MMIO_SHM_LEN_LOW ... VIRTIO_MMIO_SHM_BASE_HIGH:
		*v = UINT32_MAX;
		break;
	default:
		return false;
	}
	return true;
}

static bool reg_write(struct virtio_mmio_dev *dev, uint64_t off, uint32_t v)
{
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		dev->device_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		dev->driver_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		driver_features_write(dev, v);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		dev->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		queue_reg_write(dev, off, v);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		queue_ready_write(dev, v);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		queue_notify(dev, v);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		atomic_fetch_and(&dev->interrupt_status, ~v);
		break;
	case VIRTIO_MMIO_STATUS:
		status_write(dev, v);
		break;
	case VIRTIO_MMIO_SHM_SEL:
		break;
	default:
		return false;
	}
	return true;
}

/* Spec 4.2.2.2: registers take aligned 32-bit accesses only. */
static bool reg_access_ok(struct virtio_mmio_dev *dev, uint64_t off,
			  uint32_t len, const char *what)
{
	if (len == 4 && !(off & 3))
		return true;
	mmio_report(dev,
		    "%u-byte %s at register offset 0x%03" PRIx64
		    " refused: registers take aligned 32-bit accesses",
		    len, what, off);
	return false;
}

/* Config space: 1, 2 or 4 bytes (spec 4.2.2.2), inside its size. */
static bool config_access_ok(struct virtio_mmio_dev *dev, uint64_t off,
			     uint32_t len, const char *what)
{
	if ((len == 1 || len == 2 || len == 4) &&
	    off + len <= dev->cfg.config_size)
		return true;
	mmio_report(dev,
		    "%u-byte config space %s at offset 0x%" PRIx64
		    " refused (it holds %u bytes)",
		    len, what, off, dev->cfg.config_size);
	return false;
}

void virtio_mmio_read(void *opaque, uint64_t offset, void *data, uint32_t len)
{
	struct virtio_mmio_dev *dev = opaque;
	uint64_t off = offset - VIRTIO_MMIO_CONFIG;
	uint32_t v = 0;

	memset(data, 0, len);
	pthread_mutex_lock(&dev->lock);
	mmio_wait_change(dev);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (config_access_ok(dev, off, len, "read") &&
		    dev->ops->config_read)
			dev->ops->config_read(dev, (uint32_t)off, data, len);
	} else if (reg_access_ok(dev, offset, len, "read")) {
		if (!reg_read(dev, offset, &v))
			mmio_report(dev,
				    "read of register 0x%03" PRIx64
				    ", which is not readable",
				    offset);
		v = htole32(v);
		memcpy(data, &v, sizeof(v));
	}
	pthread_mutex_unlock(&dev->lock);
}

void virtio_mmio_write(void *opaque, uint64_t offset, const void *data,
		       uint32_t len)
{
	struct virtio_mmio_dev *dev = opaque;
	uint64_t off = offset - VIRTIO_MMIO_CONFIG;
	uint32_t v;

	pthread_mutex_lock(&dev->lock);
	mmio_wait_change(dev);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		if (config_access_ok(dev, off, len, "write") &&
		    dev->ops->config_write)
			dev->ops->config_write(dev, (uint32_t)off, data, len);
	} else if (reg_access_ok(dev, offset, len, "write")) {
		memcpy(&v, data, sizeof(v));
		if (!reg_write(dev, offset, le32toh(v)))
			mmio_report(dev,
				    "write to register 0x%03" PRIx64
				    ", which is not writable",
				    offset);
	}
	pthread_mutex_unlock(&dev->lock);
}

struct virtq *virtio_mmio_queue(struct virtio_mmio_dev *dev, unsigned int index)
{
	if (index >= dev->cfg.nr_queues || !dev->queues[index].vq.ready)
		return NULL;
	return &dev->queues[index].vq;
}

void virtio_mmio_signal_used(struct virtio_mmio_dev *dev)
{
	mmio_interrupt(dev, VIRTIO_MMIO_INT_VRING);
}

void virtio_mmio_config_changed(struct virtio_mmio_dev *dev)
{
	atomic_fetch_add(&dev->config_generation, 1);
	if (atomic_load(&dev->status) & VIRTIO_CONFIG_S_DRIVER_OK)
		mmio_interrupt(dev, VIRTIO_MMIO_INT_CONFIG);
}

void virtio_mmio_queue_error(struct virtio_mmio_dev *dev, unsigned int index,
			     int err, const char *why)
{
	mmio_needs_reset(dev, "queue %u: %s", index,
			 why ? why : strerror(-err));
}

void virtio_mmio_describe(uint64_t base, uint64_t size, unsigned int irq,
			  struct device_desc *desc)
{
	*desc = (struct device_desc){
		.node = "virtio_mmio",
		.compatible = "virtio,mmio",
		.acpi_hid = "LNRO0005",
		.base = base,
		.size = size,
		.has_irq = true,
		.irq = irq,
		.dma_coherent = true,
	};
}
