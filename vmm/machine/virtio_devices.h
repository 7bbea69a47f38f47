/* SPDX-License-Identifier: MIT */
/*
 * The VM's virtio devices (--disk, --net): each gets a virtio-mmio slot
 * of arch_platform()->virtio (a register window and an interrupt line),
 * KVM ioeventfds for its queue kicks and a KVM irqfd for its interrupt
 * (virtio/mmio_kvm.h), and a device model behind the transport:
 *   --disk FILE              virtio-blk, io_uring dataplane (virtio/blk.h)
 *   --disk vhost-user=SOCK   virtio-blk served by a vhost-user-blk
 *                            backend (virtio/vhost_user_blk.h)
 *   --net tap=NAME           virtio-net on vhost-net or the userspace
 *                            dataplane (virtio/net.h)
 * Slots are handed out in command-line order, disks first, so a guest
 * sees the same devices at the same addresses from run to run.
 */
#ifndef TINYVMM_VMM_VIRTIO_DEVICES_H
#define TINYVMM_VMM_VIRTIO_DEVICES_H

#include <stdint.h>

#include "vmm/base/device_desc.h"
#include "vmm/base/log.h"
#include "virtio/mmio_kvm.h"
#include "virtio/mmio_worker.h"

struct vm;
struct vm_config;
struct device_desc;

struct vm_virtio_dev {
	const struct vm_virtio_kind *kind;
	uint64_t base;	  /* the register window, VIRTIO_MMIO_SIZE bytes */
	unsigned int irq; /* arch_irq_set() numbering */
	struct virtio_mmio_kvm kvm;
	void *model; /* the device model: struct virtio_blk, ... */
	struct virtio_mmio_dev *mmio; /* its transport, in the model */
};

/*
 * Creates every device of vm->cfg (after the vCPUs and the irqchip exist,
 * before the device tree is built). Returns 0 or -errno after one line;
 * whatever was created stays for vm_virtio_destroy().
 */
TV_MUST_CHECK int vm_virtio_create(struct vm *vm);

/*
 * Starts the device manager (virtio/mmio_worker.h), which from then on
 * carries out the devices' DRIVER_OK and reset; before the vCPUs run.
 * Returns 0 or -errno after one line. No devices: nothing to start.
 */
TV_MUST_CHECK int vm_virtio_start(struct vm *vm);

/*
 * Stops the device manager once the vCPUs have stopped: it first finishes
 * what they queued. Idempotent.
 */
void vm_virtio_stop(struct vm *vm);

/*
 * Prints one "tinyvmm: device KIND at BASE: key=value ..." line per device
 * (what ran: path or tap, cache mode or dataplane, queue size, counters),
 * then stops and frees them all; after the vCPUs have stopped.
 */
void vm_virtio_destroy(struct vm *vm);

/* What the guest is told of @dev's transport (virtio_mmio_describe()). */
void vm_virtio_describe(const struct vm_virtio_dev *dev,
			struct device_desc *desc);

/*
 * What the guest would be told of the transports @cfg asks for (its
 * disks, then its NICs, slot by slot), without creating them: for a
 * machine description built without KVM. Fills @descs (room for @max);
 * returns how many, or -ENOSPC when @max or the arch's slots are too few.
 */
TV_MUST_CHECK int vm_virtio_describe_config(const struct vm_config *cfg,
					    struct device_desc *descs,
					    unsigned int max);

/* "virtio-blk", "vhost-user-blk", "virtio-net": for messages and tables. */
const char *vm_virtio_name(const struct vm_virtio_dev *dev);

#endif
