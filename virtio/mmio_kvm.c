// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "virtio/mmio_kvm.h"
#include "vmm/base/kvm.h"

static int kick_ioeventfd(struct virtio_mmio_kvm *k, unsigned int q,
			  bool assign)
{
	/*
	 * Datamatch on the queue index: the driver writes the index of the
	 * queue it kicks (no VIRTIO_F_NOTIFICATION_DATA is offered).
	 */
	uint64_t index = q;

	return kvm_ioeventfd(k->vm_fd, k->base + VIRTIO_MMIO_QUEUE_NOTIFY, 4,
			     &index, k->kick_fd[q], assign);
}

static int irq_irqfd(struct virtio_mmio_kvm *k, bool assign)
{
	return kvm_irqfd(k->vm_fd, k->gsi, k->irq_fd, assign);
}

static int bind_failed(struct virtio_mmio_kvm *k, int err, const char *what)
{
	tv_errno(err, "%s at 0x%" PRIx64 ": %s", k->name, k->base, what);
	virtio_mmio_kvm_unbind(k);
	return err;
}

static int bind_kicks(struct virtio_mmio_kvm *k)
{
	int ret;

	for (unsigned int q = 0; q < k->nr_queues; q++) {
		k->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (k->kick_fd[q] < 0)
			return bind_failed(k, -errno,
					   "creating a kick eventfd");
		ret = kick_ioeventfd(k, q, true);
		if (ret)
			return bind_failed(k, ret,
					   "KVM_IOEVENTFD on QueueNotify");
		k->kick_bound[q] = true;
	}
	return 0;
}

static int bind_irq(struct virtio_mmio_kvm *k, uint32_t gsi)
{
	int ret;

	k->gsi = gsi;
	k->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (k->irq_fd < 0)
		return bind_failed(k, -errno, "creating its interrupt eventfd");
	ret = irq_irqfd(k, true);
	if (ret)
		return bind_failed(k, ret, "KVM_IRQFD for its interrupt");
	k->irq_bound = true;
	return 0;
}

int virtio_mmio_kvm_bind(struct virtio_mmio_kvm *k, int vm_fd, const char *name,
			 uint64_t base, unsigned int nr_queues, uint32_t gsi)
{
	const char *missing;
	char why[64];
	int ret;

	memset(k, 0, sizeof(*k));
	k->vm_fd = vm_fd;
	k->name = name;
	k->base = base;
	k->nr_queues = nr_queues;
	k->irq_fd = -1;
	for (unsigned int q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++)
		k->kick_fd[q] = -1;
	if (nr_queues > VIRTIO_MMIO_MAX_QUEUES)
		return bind_failed(k, -EINVAL, "too many queues");
	ret = kvm_check_eventfd_caps(vm_fd, &missing);
	if (ret) {
		snprintf(why, sizeof(why), "this host's KVM lacks %s", missing);
		return bind_failed(k, ret, why);
	}
	ret = bind_kicks(k);
	return ret ? ret : bind_irq(k, gsi);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

void virtio_mmio_kvm_unbind(struct virtio_mmio_kvm *k)
{
	/* Best effort: closing the VM fd drops them as well. */
	if (k->irq_bound && irq_irqfd(k, false))
		tv_info("%s: KVM_IRQFD deassign failed", k->name);
	k->irq_bound = false;
	close_fd(&k->irq_fd);
	for (unsigned int q = 0; q < VIRTIO_MMIO_MAX_QUEUES; q++) {
		if (k->kick_bound[q] && kick_ioeventfd(k, q, false))
			tv_info("%s: KVM_IOEVENTFD deassign failed", k->name);
		k->kick_bound[q] = false;
		close_fd(&k->kick_fd[q]);
	}
}

int virtio_mmio_kvm_signal(void *opaque)
{
	struct virtio_mmio_kvm *k = opaque;
	uint64_t one = 1;

	/* EAGAIN: the counter is saturated, so an interrupt is pending anyway. */
	if (write(k->irq_fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		return -errno;
	return 0;
}
