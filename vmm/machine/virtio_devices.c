// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>

#include "vmm/machine/arch.h"
#include "virtio/blk.h"
#include "virtio/blk_spec.h"
#include "virtio/net_spec.h"
#include "virtio/net.h"
#include "virtio/vhost_user_blk.h"
#include "vmm/machine/virtio_devices.h"
#include "vmm/machine/vm.h"

/* What each kind of device needs from the VM, and how it is built. */
struct vm_virtio_kind {
	const char *name;
	unsigned int nr_queues;
	int (*create)(const void *spec, struct vm *vm, struct vm_virtio_dev *d,
		      struct virtio_mmio_dev **mmio);
	void (*destroy)(void *model);
	/* The device's line at exit: what ran, for results (may be NULL). */
	void (*describe)(void *model, uint64_t base);
};

static struct virtio_mmio_irq dev_irq(struct vm_virtio_dev *d)
{
	return (struct virtio_mmio_irq){ .signal = virtio_mmio_kvm_signal,
					 .opaque = &d->kvm };
}

static int blk_create(const void *spec, struct vm *vm, struct vm_virtio_dev *d,
		      struct virtio_mmio_dev **mmio)
{
	struct virtio_mmio_irq irq = dev_irq(d);
	struct virtio_blk *blk;
	int ret = virtio_blk_create(spec, &vm->mem, &irq, d->kvm.kick_fd,
				    &vm->seccomp, &blk);

	if (ret)
		return ret;
	d->model = blk;
	*mmio = virtio_blk_mmio(blk);
	return 0;
}

static void blk_destroy(void *model)
{
	virtio_blk_destroy(model);
}

static void blk_describe(void *model, uint64_t base)
{
	struct virtio_blk_info info;
	struct virtio_blk_stats st;

	virtio_blk_get_info(model, &info);
	virtio_blk_get_stats(model, &st);
	tv_notice("device virtio-blk at 0x%" PRIx64 ": path=%s sectors=%" PRIu64
		  " cache=%s io=%s ro=%d requests=%" PRIu64 " batches=%" PRIu64
		  " interrupts=%" PRIu64 " io_cpu_ns=%" PRIu64,
		  base, info.path, info.capacity,
		  info.cache == DISK_CACHE_NONE ? "none" : "writeback",
		  info.sync_io ? "sync" : "uring", info.read_only, st.requests,
		  st.batches, st.interrupts, st.io_cpu_ns);
}

static int vub_create(const void *spec, struct vm *vm, struct vm_virtio_dev *d,
		      struct virtio_mmio_dev **mmio)
{
	struct virtio_mmio_irq irq = dev_irq(d);
	struct vhost_user_blk *vub;
	int ret = vhost_user_blk_create(spec, &vm->mem, &irq, d->kvm.kick_fd,
					d->kvm.irq_fd, &vm->seccomp, &vub);

	if (ret)
		return ret;
	d->model = vub;
	*mmio = vhost_user_blk_mmio(vub);
	return 0;
}

static void vub_destroy(void *model)
{
	vhost_user_blk_destroy(model);
}

static int net_create(const void *spec, struct vm *vm, struct vm_virtio_dev *d,
		      struct virtio_mmio_dev **mmio)
{
	struct virtio_mmio_irq irq = dev_irq(d);
	struct virtio_net *net;
	int ret = virtio_net_create(spec, &vm->mem, &irq, d->kvm.kick_fd,
				    d->kvm.irq_fd, &vm->seccomp, &net);

	if (ret)
		return ret;
	d->model = net;
	*mmio = virtio_net_mmio(net);
	return 0;
}

static void net_destroy(void *model)
{
	virtio_net_destroy(model);
}

static void net_describe(void *model, uint64_t base)
{
	struct virtio_net_info info;

	virtio_net_get_info(model, &info);
	tv_notice(
		"device virtio-net at 0x%" PRIx64 ": tap=%s dataplane=%s "
		"queue_size=%u busy_poll_us=%u event_idx=%d features=0x%" PRIx64,
		base, info.tap, info.vhost ? "vhost-net" : "userspace",
		info.queue_size, info.busy_poll_us, info.event_idx,
		info.features);
}

static const struct vm_virtio_kind kind_blk = { "virtio-blk", 1, blk_create,
						blk_destroy, blk_describe };
static const struct vm_virtio_kind kind_vub = { "vhost-user-blk", 1, vub_create,
						vub_destroy, NULL };
static const struct vm_virtio_kind kind_net = { "virtio-net", 2, net_create,
						net_destroy, net_describe };

const char *vm_virtio_name(const struct vm_virtio_dev *dev)
{
	return dev->kind->name;
}

/* Slot @i of the arch's map: its window and its interrupt line. */
static void slot_place(unsigned int i, uint64_t *base, unsigned int *irq)
{
	const struct arch_platform *p = arch_platform();

	*base = p->virtio.base + i * p->virtio.slot_size;
	*irq = p->virtio.irq_base + i;
}

int vm_virtio_describe_config(const struct vm_config *cfg,
			      struct device_desc *descs, unsigned int max)
{
	const struct arch_platform *p = arch_platform();
	unsigned int n = cfg->nr_disks + cfg->nr_nets;
	unsigned int irq;
	uint64_t base;

	if (n > max || n > p->virtio.nr_slots)
		return -ENOSPC;
	for (unsigned int i = 0; i < n; i++) {
		slot_place(i, &base, &irq);
		virtio_mmio_describe(base, p->virtio.slot_size, irq, &descs[i]);
	}
	return (int)n;
}

static int add_device(struct vm *vm, const struct vm_virtio_kind *kind,
		      const void *spec)
{
	const struct arch_platform *p = arch_platform();
	struct vm_virtio_dev *d = &vm->virtio[vm->nr_virtio];
	struct virtio_mmio_dev *mmio;
	uint32_t gsi;
	int ret;

	if (vm->nr_virtio == p->virtio.nr_slots) {
		tv_err("%s: all %u virtio-mmio slots are taken", kind->name,
		       p->virtio.nr_slots);
		return -ENOSPC;
	}
	d->kind = kind;
	slot_place(vm->nr_virtio, &d->base, &d->irq);
	ret = arch_irqfd_gsi(d->irq, &gsi);
	if (ret) {
		tv_errno(ret,
			 "%s at 0x%" PRIx64 ": no irqfd route to its interrupt",
			 kind->name, d->base);
		return ret;
	}
	ret = virtio_mmio_kvm_bind(&d->kvm, vm->vm_fd, kind->name, d->base,
				   kind->nr_queues, gsi);
	if (ret)
		return ret;
	vm->nr_virtio++; /* from here on vm_virtio_destroy() unbinds it */
	ret = kind->create(spec, vm, d, &mmio);
	if (ret)
		return ret; /* the device model said why, in one line */
	d->mmio = mmio;
	virtio_mmio_set_worker(mmio, vm->virtio_worker);
	ret = virtio_mmio_register(mmio, &vm->mmio, d->base);
	if (ret)
		tv_errno(ret, "registering %s at 0x%" PRIx64, kind->name,
			 d->base);
	return ret;
}

int vm_virtio_create(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	unsigned int n = cfg->nr_disks + cfg->nr_nets;
	int ret = 0;

	if (n == 0)
		return 0;
	vm->virtio = calloc(n, sizeof(*vm->virtio));
	if (!vm->virtio) {
		tv_err("no host memory for %u virtio devices", n);
		return -ENOMEM;
	}
	ret = virtio_mmio_worker_create(&vm->seccomp, &vm->virtio_worker);
	if (ret)
		return ret;
	for (unsigned int i = 0; !ret && i < cfg->nr_disks; i++)
		ret = add_device(
			vm, cfg->disks[i].vhost_user ? &kind_vub : &kind_blk,
			&cfg->disks[i]);
	for (unsigned int i = 0; !ret && i < cfg->nr_nets; i++)
		ret = add_device(vm, &kind_net, &cfg->nets[i]);
	return ret;
}

int vm_virtio_start(struct vm *vm)
{
	return vm->virtio_worker ? virtio_mmio_worker_start(vm->virtio_worker)
				 : 0;
}

void vm_virtio_stop(struct vm *vm)
{
	if (vm->virtio_worker)
		virtio_mmio_worker_stop(vm->virtio_worker);
}

void vm_virtio_destroy(struct vm *vm)
{
	/*
	 * The manager stops first, or it could be working on a device freed
	 * here; then each device, whose reset stops the dataplane that uses
	 * the fds.
	 */
	vm_virtio_stop(vm);
	for (unsigned int i = vm->nr_virtio; i > 0; i--) {
		struct vm_virtio_dev *d = &vm->virtio[i - 1];

		if (d->model && d->kind->describe)
			d->kind->describe(d->model, d->base);
		if (d->model)
			d->kind->destroy(d->model);
		virtio_mmio_kvm_unbind(&d->kvm);
	}
	free(vm->virtio);
	vm->virtio = NULL;
	vm->nr_virtio = 0;
	virtio_mmio_worker_destroy(vm->virtio_worker);
	vm->virtio_worker = NULL;
}

void vm_virtio_describe(const struct vm_virtio_dev *dev,
			struct device_desc *desc)
{
	virtio_mmio_describe(dev->base, arch_platform()->virtio.slot_size,
			     dev->irq, desc);
}
