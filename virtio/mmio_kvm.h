/* SPDX-License-Identifier: MIT */
/*
 * Binds a virtio-mmio device's two fast paths to KVM, so that neither
 * leaves the kernel through a vCPU exit:
 *  - kicks: a KVM ioeventfd per queue on QueueNotify (4-byte writes whose
 *    value is the queue index) signals that queue's kick eventfd; the
 *    transport's QueueNotify handler then never sees those writes;
 *  - the interrupt: a KVM irqfd, written by virtio_mmio_kvm_signal(),
 *    which is meant for struct virtio_mmio_irq.
 * Set up before the vCPUs run, torn down after they stop.
 */
#ifndef TINYVMM_VIRTIO_MMIO_KVM_H
#define TINYVMM_VIRTIO_MMIO_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/base/log.h"
#include "virtio/mmio.h"

struct virtio_mmio_kvm {
	int vm_fd;
	const char *name;
	uint64_t base;
	unsigned int nr_queues;
	int kick_fd[VIRTIO_MMIO_MAX_QUEUES]; /* the dataplane polls these */
	bool kick_bound[VIRTIO_MMIO_MAX_QUEUES];
	int irq_fd;
	uint32_t gsi;
	bool irq_bound;
};

/*
 * Creates the eventfds and registers them with the VM @vm_fd for the
 * device @name at @base with @nr_queues queues, raising its interrupt
 * through KVM_IRQFD @gsi (the machine routes the line: arch_irqfd_gsi()).
 * Returns 0, or -errno after printing one line and undoing every step.
 */
TV_MUST_CHECK int virtio_mmio_kvm_bind(struct virtio_mmio_kvm *k, int vm_fd,
				       const char *name, uint64_t base,
				       unsigned int nr_queues, uint32_t gsi);

/* Deregisters and closes what virtio_mmio_kvm_bind() set up; idempotent. */
void virtio_mmio_kvm_unbind(struct virtio_mmio_kvm *k);

/* struct virtio_mmio_irq's signal: @opaque is the struct virtio_mmio_kvm. */
int virtio_mmio_kvm_signal(void *opaque);

#endif
