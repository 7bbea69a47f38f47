/* SPDX-License-Identifier: MIT */
/*
 * The device manager: one thread that carries out the virtio-mmio status
 * changes the guest asks for with a register write, DRIVER_OK (the
 * device's activate(): I/O threads, vhost-net rings, vhost-user messages)
 * and reset (its reset(): stopping them), so that the vCPU thread that
 * took the MMIO exit only records the change and queues the device (see
 * "Status changes" in mmio.h). That keeps thread creation, the vhost and
 * tap ioctls and the vhost-user socket off the vCPU threads, and out of
 * their seccomp lists: the device manager has its own (SECCOMP_DEVICES).
 *
 * Lifecycle: create, attach devices (virtio_mmio_set_worker()), start
 * before the vCPUs run, stop after they have stopped (it first finishes
 * whatever is queued, so no vCPU is left waiting), then destroy the
 * devices, then the worker.
 */
#ifndef TINYVMM_VIRTIO_MMIO_WORKER_H
#define TINYVMM_VIRTIO_MMIO_WORKER_H

#include <stdbool.h>

#include "vmm/base/log.h"

struct virtio_mmio_dev;
struct virtio_mmio_worker;
struct seccomp_policy;

/*
 * A worker whose thread will confine itself by @seccomp (NULL: it does
 * not), which must outlive it. Returns 0 or -errno after one line.
 */
TV_MUST_CHECK int
virtio_mmio_worker_create(const struct seccomp_policy *seccomp,
			  struct virtio_mmio_worker **out);

/*
 * Starts the thread and waits until it has confined itself. Returns 0, or
 * -errno after one line (no thread is left running).
 */
TV_MUST_CHECK int virtio_mmio_worker_start(struct virtio_mmio_worker *w);

/*
 * Carries out what is queued, then stops and joins the thread; nothing
 * may be queued afterwards but is then done by the caller (the queue
 * says no). Idempotent; takes a worker never started.
 */
void virtio_mmio_worker_stop(struct virtio_mmio_worker *w);

/* Stops it if it runs, and frees it; takes NULL. */
void virtio_mmio_worker_destroy(struct virtio_mmio_worker *w);

/*
 * The transport's side (mmio.c), with @dev's lock held: queues @dev, whose
 * dev->change is set, for virtio_mmio_complete_change() on the thread.
 * Returns false, queueing nothing, when the thread does not run.
 */
bool virtio_mmio_worker_queue(struct virtio_mmio_worker *w,
			      struct virtio_mmio_dev *dev);

#endif
