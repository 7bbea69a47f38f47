/* SPDX-License-Identifier: MIT */
/*
 * The virtio-mmio transport, version 2 (spec 4.2 "Virtio Over MMIO";
 * register offsets from <linux/virtio_mmio.h>). It knows no device type:
 * a device model (virtio-blk, virtio-net...) fills a struct
 * virtio_mmio_config and a struct virtio_mmio_ops, embeds a struct
 * virtio_mmio_dev, and gets its queues, already checked, at DRIVER_OK.
 * No KVM calls here, so it is unit-tested on any host; mmio_kvm.h binds
 * the kick and interrupt paths to KVM.
 *
 * What the transport enforces, so that device models need not:
 *  - registers take only 32-bit aligned accesses, config space 1, 2 or 4
 *    bytes inside its size; anything else is refused (reads give 0) and
 *    reported, at most VIRTIO_MMIO_MAX_REPORTS times per device;
 *  - it offers VIRTIO_F_VERSION_1, the device's own bits (0-23), and
 *    VIRTIO_RING_F_EVENT_IDX / VIRTIO_RING_F_INDIRECT_DESC when the device
 *    lists them; other transport bits the device lists are not offered;
 *  - driver features are writable only before FEATURES_OK; FEATURES_OK
 *    stays clear when the driver took a bit not offered or not
 *    VIRTIO_F_VERSION_1;
 *  - queue registers are writable only while the queue is not ready;
 *    QueueReady=1 (only after FEATURES_OK) checks the rings with
 *    virtq_enable(); QueueReady cannot change after DRIVER_OK (no
 *    VIRTIO_F_RING_RESET);
 *  - a guest mistake never stops the VMM: the device sets
 *    DEVICE_NEEDS_RESET, says why once, and ignores the queue until the
 *    driver resets it.
 *
 * Threads. Register accesses come from vCPU threads and are serialized by
 * dev->lock; each ops callback runs with that lock held and must not call
 * virtio_mmio_read() or virtio_mmio_write(). Once KVM ioeventfds carry the
 * kicks (mmio_kvm.h) this is not a hot path. With a worker
 * (mmio_worker.h), the status changes that start and stop the dataplane,
 * DRIVER_OK and reset, run activate() and reset() on the worker's thread,
 * not on the vCPU's (see "Status changes" below). The dataplane runs on the
 * device's own thread(s), between activate() and reset(); from there, and
 * from any thread, the device may call virtio_mmio_signal_used(),
 * virtio_mmio_config_changed() and virtio_mmio_queue_error(): they take
 * no lock (atomics only), so a reset waiting for the dataplane to stop
 * cannot deadlock against them.
 *
 * Status changes. The vCPU thread that writes DRIVER_OK or 0 to Status
 * only records the change and queues the device on its worker; the
 * worker's thread calls activate() or reset() and completes the change.
 * Until then every other access to the device's registers or config
 * space waits (on a condition variable, dev->lock released): a driver
 * never sees a half-made change, and a Status read after DRIVER_OK
 * already says whether activation failed (DEVICE_NEEDS_RESET). DRIVER_OK
 * returns at once: a kick meanwhile waits in its ioeventfd. The reset
 * write itself waits until reset() has returned, so Status reads 0 only
 * once no thread of the device touches guest memory any more (spec
 * 2.4.1: "the driver MUST wait for a read of device_status to return 0
 * before reinitializing"; Linux's virtio_mmio driver does not read it
 * back, and frees the rings right after, so the write must not return
 * earlier). Without a worker, or before it runs and after it stopped,
 * the writing thread makes the change itself.
 */
#ifndef TINYVMM_VIRTIO_MMIO_H
#define TINYVMM_VIRTIO_MMIO_H

#include <linux/virtio_mmio.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/base/bus.h"
#include "vmm/base/device_desc.h"
#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"
#include "virtio/queue.h"

#define VIRTIO_MMIO_MAGIC 0x74726976  /* "virt", little-endian */
#define VIRTIO_MMIO_VENDOR 0x4d4d5654 /* "TVMM", little-endian */
#define VIRTIO_MMIO_SIZE 0x200 /* registers, then config space at 0x100 */
#define VIRTIO_MMIO_CONFIG_MAX (VIRTIO_MMIO_SIZE - VIRTIO_MMIO_CONFIG)
#define VIRTIO_MMIO_MAX_QUEUES 16
#define VIRTIO_MMIO_MAX_REPORTS 8

struct virtio_mmio_dev;
struct virtio_mmio_worker;

/* What a device model is; copied by virtio_mmio_init(). */
struct virtio_mmio_config {
	const char *name;   /* "virtio-blk", for messages */
	uint32_t device_id; /* VIRTIO_ID_* from <linux/virtio_ids.h> */
	/*
	 * Device-type bits, plus VIRTIO_RING_F_EVENT_IDX and
	 * VIRTIO_RING_F_INDIRECT_DESC when the device's dataplane copes
	 * (virtq does the work; the device must call virtq_needs_notify()).
	 */
	uint64_t features;
	unsigned int nr_queues; /* 1..VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max
		[VIRTIO_MMIO_MAX_QUEUES]; /* powers of two <= VIRTQ_MAX_SIZE */
	uint32_t config_size; /* bytes of config space, <= VIRTIO_MMIO_CONFIG_MAX */
	/*
	 * The used-buffer interrupt bypasses the transport: another party
	 * (vhost-net, a vhost-user backend process) writes the irqfd itself,
	 * so virtio_mmio_signal_used() is never called and the VRING bit
	 * would never be set, and a driver that finds it clear ignores the
	 * interrupt (spec 4.2.3.4). With this set, InterruptStatus always
	 * reads with VIRTIO_MMIO_INT_VRING set, whatever was acknowledged:
	 * the driver then checks its used rings on every interrupt, which
	 * for a config-change one costs a look at an unchanged ring.
	 */
	bool used_irq_external;
};

/*
 * The device model's side. All are called with dev->lock held, from a vCPU
 * thread, the worker's (activate(), reset()) or the thread calling
 * virtio_mmio_destroy(). NULL means "nothing to do" (config reads then
 * give zeros).
 */
struct virtio_mmio_ops {
	/*
	 * Config space access of @len (1, 2 or 4) bytes at @offset, already
	 * checked to lie inside config_size. @data holds little-endian bytes.
	 */
	void (*config_read)(struct virtio_mmio_dev *dev, uint32_t offset,
			    void *data, uint32_t len);
	void (*config_write)(struct virtio_mmio_dev *dev, uint32_t offset,
			     const void *data, uint32_t len);
	/*
	 * The driver wrote queue @index to QueueNotify (an active device, a
	 * ready queue). Only when no ioeventfd took the write first: a device
	 * usually just signals the same eventfd its thread waits on.
	 */
	void (*queue_notify)(struct virtio_mmio_dev *dev, unsigned int index);
	/*
	 * DRIVER_OK: start the dataplane. @features are the negotiated bits;
	 * virtio_mmio_queue() gives the ready queues. Returns 0 or -errno
	 * (the device then reads DEVICE_NEEDS_RESET; reset() still follows).
	 */
	int (*activate)(struct virtio_mmio_dev *dev, uint64_t features);
	/*
	 * The driver wrote 0 to Status, or the device is being destroyed;
	 * called on every reset, active or not. Contract: when it returns,
	 * no thread of the device touches a queue or guest memory any more
	 * and no request is in flight (stop and join the dataplane, wait for
	 * or cancel its I/O). The transport disables the queues afterwards.
	 */
	void (*reset)(struct virtio_mmio_dev *dev);
};

/*
 * How the used-buffer and config-change interrupt reaches the guest: an
 * edge, one signal() per event (a KVM irqfd write; see mmio_kvm.h). Called
 * from any thread, possibly with dev->lock held; must not call back into
 * the transport. Returns 0 or -errno.
 */
struct virtio_mmio_irq {
	int (*signal)(void *opaque);
	void *opaque;
};

/* One queue's registers as the driver wrote them, and its ring state. */
struct virtio_mmio_queue {
	uint32_t num;	  /* QueueNum */
	uint64_t addr[3]; /* QueueDesc, QueueDriver, QueueDevice */
	struct virtq vq;  /* vq.ready is QueueReady */
};

/* A status change handed to the worker (see "Status changes" above). */
enum virtio_mmio_change {
	VIRTIO_MMIO_CHANGE_NONE,
	VIRTIO_MMIO_CHANGE_ACTIVATE, /* DRIVER_OK: activate() */
	VIRTIO_MMIO_CHANGE_RESET,    /* Status 0: reset(), then clear */
};

struct virtio_mmio_dev {
	/* Constant after virtio_mmio_init(). */
	struct virtio_mmio_config cfg;
	const struct virtio_mmio_ops *ops;
	void *opaque; /* the device model's, for its callbacks */
	const struct guest_mem *mem;
	struct virtio_mmio_irq irq;
	uint64_t offered; /* DeviceFeatures */
	uint64_t base;	  /* for messages; set by virtio_mmio_register() */

	/* Register state, under lock. */
	pthread_mutex_t lock;
	uint32_t device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	bool driver_features_high; /* bits written above 63: never offered */
	bool active;		   /* activate() succeeded; no reset() since */
	struct virtio_mmio_queue queues[VIRTIO_MMIO_MAX_QUEUES];
	struct virtio_mmio_worker *worker; /* NULL: the writer does the change */
	enum virtio_mmio_change change;	   /* queued on the worker, not done */
	pthread_cond_t change_done;	   /* broadcast when change is done */

	/* The worker's queue, under the worker's lock (mmio_worker.c). */
	struct virtio_mmio_dev *worker_next;
	bool worker_queued;

	/* Any thread. */
	atomic_uint status;	      /* Status, DEVICE_NEEDS_RESET included */
	atomic_uint interrupt_status; /* VIRTIO_MMIO_INT_* */
	atomic_uint config_generation;
	atomic_uint reports; /* lines printed, for the rate limit */
};

/*
 * Sets up @dev for a device described by @cfg, with callbacks @ops (and
 * @opaque for them), guest RAM @mem and interrupt @irq (NULL @ops or @irq:
 * none). Returns 0, or -EINVAL after printing why when @cfg is out of
 * bounds.
 */
TV_MUST_CHECK int virtio_mmio_init(struct virtio_mmio_dev *dev,
				   const struct virtio_mmio_config *cfg,
				   const struct virtio_mmio_ops *ops,
				   void *opaque, const struct guest_mem *mem,
				   const struct virtio_mmio_irq *irq);

/*
 * Resets the device (its reset() included) on the calling thread and frees
 * the lock, after a change queued on a running worker is done. No thread
 * may access the device's registers any more.
 */
void virtio_mmio_destroy(struct virtio_mmio_dev *dev);

/*
 * Hands @dev's DRIVER_OK and reset to @w (NULL: back to the writing
 * thread). Before the first register access.
 */
void virtio_mmio_set_worker(struct virtio_mmio_dev *dev,
			    struct virtio_mmio_worker *w);

/*
 * The worker's side: carries out @dev's queued status change, if any
 * (activate() or reset(), with dev->lock held), and wakes the accesses
 * waiting for it.
 */
void virtio_mmio_complete_change(struct virtio_mmio_dev *dev);

/* bus_device_ops handlers; @opaque is the struct virtio_mmio_dev. */
void virtio_mmio_read(void *opaque, uint64_t offset, void *data, uint32_t len);
void virtio_mmio_write(void *opaque, uint64_t offset, const void *data,
		       uint32_t len);
extern const struct bus_device_ops virtio_mmio_bus_ops;

/*
 * Registers [base, base + VIRTIO_MMIO_SIZE) on @bus as cfg.name; returns
 * bus_register()'s result.
 */
TV_MUST_CHECK int virtio_mmio_register(struct virtio_mmio_dev *dev,
				       struct bus *bus, uint64_t base);

/*
 * Queue @index when it is ready, else NULL. The dataplane may use it from
 * activate() until reset() returns.
 */
struct virtq *virtio_mmio_queue(struct virtio_mmio_dev *dev,
				unsigned int index);

/* Used-buffer interrupt: sets VIRTIO_MMIO_INT_VRING and signals. */
void virtio_mmio_signal_used(struct virtio_mmio_dev *dev);

/*
 * The device changed its config space: bumps ConfigGeneration and, once
 * DRIVER_OK is set, raises the config-change interrupt. Call it after the
 * change, which the device makes under a lock its config_read() takes.
 */
void virtio_mmio_config_changed(struct virtio_mmio_dev *dev);

/*
 * A queue turned out broken (virtq_pop() failed with @err, for @why, which
 * may be NULL; then strerror(-@err) is said): sets
 * DEVICE_NEEDS_RESET, tells the driver with a config-change interrupt and
 * the user with one line. The device stops serving that queue.
 */
void virtio_mmio_queue_error(struct virtio_mmio_dev *dev, unsigned int index,
			     int err, const char *why);

/*
 * What a guest is told of a virtio-mmio transport at [@base, @base +
 * @size) raising interrupt line @irq: virtio_mmio@<base>, compatible
 * "virtio,mmio", ACPI _HID LNRO0005 (which Linux's virtio_mmio driver
 * matches), DMA-coherent (guest RAM is ordinary cacheable memory to
 * tinyvmm, so drivers must not bypass their caches for the rings).
 */
void virtio_mmio_describe(uint64_t base, uint64_t size, unsigned int irq,
			  struct device_desc *desc);

#endif
