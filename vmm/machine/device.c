// SPDX-License-Identifier: MIT
#include <errno.h>

#include "vmm/machine/device.h"
#include "vmm/machine/virtio_devices.h"
#include "vmm/machine/vm.h"

static int vm_device_create(struct vm *vm, const struct vm_device_spec *s)
{
	struct vm_device *d;
	int ret;

	if (vm->nr_devices == VM_MAX_DEVICES) {
		tv_err("%s: more than %d platform devices", s->kind->name,
		       VM_MAX_DEVICES);
		return -ENOSPC;
	}
	d = &vm->devices[vm->nr_devices];
	d->kind = s->kind;
	d->dev = NULL;
	ret = s->kind->create(vm, s->spec, &d->dev);
	if (!ret)
		vm->nr_devices++;
	return ret;
}

int vm_devices_create(struct vm *vm)
{
	int ret = 0;

	for (unsigned int i = 0; !ret && i < vm_nr_platform_devices; i++)
		ret = vm_device_create(vm, &vm_platform_devices[i]);
	for (unsigned int i = 0; !ret && i < vm->cfg->nr_devices; i++)
		ret = vm_device_create(vm, &vm->cfg->devices[i]);
	return ret;
}

void vm_devices_destroy(struct vm *vm)
{
	while (vm->nr_devices > 0) {
		struct vm_device *d = &vm->devices[--vm->nr_devices];

		d->kind->destroy(d->dev);
		d->dev = NULL;
	}
}

void *vm_device_find(const struct vm *vm, const struct vm_device_kind *kind)
{
	for (unsigned int i = 0; i < vm->nr_devices; i++)
		if (vm->devices[i].kind == kind)
			return vm->devices[i].dev;
	return NULL;
}

int vm_describe_devices(const struct vm *vm, struct device_desc *descs,
			unsigned int max)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < vm->nr_devices; i++) {
		const struct vm_device *d = &vm->devices[i];

		if (!d->kind->describe || !d->dev)
			continue;
		if (n == max)
			return -ENOSPC;
		descs[n] = (struct device_desc){ 0 };
		d->kind->describe(d->dev, &descs[n++]);
	}
	for (unsigned int i = 0; i < vm->nr_virtio; i++) {
		if (n == max)
			return -ENOSPC;
		vm_virtio_describe(&vm->virtio[i], &descs[n++]);
	}
	return (int)n;
}

/* Every configured device kind, the machine's own first. */
static const struct vm_device_kind *configured_kind(const struct vm *vm,
						    unsigned int i)
{
	if (i < vm_nr_platform_devices)
		return vm_platform_devices[i].kind;
	i -= vm_nr_platform_devices;
	return i < vm->cfg->nr_devices ? vm->cfg->devices[i].kind : NULL;
}

enum seccomp_thread vm_vcpu_seccomp_thread(const struct vm *vm)
{
	const struct vm_device_kind *k;

	for (unsigned int i = 0; (k = configured_kind(vm, i)); i++)
		if (k->vcpu_starts_vms)
			return SECCOMP_VCPU_BENCH;
	return SECCOMP_VCPU;
}

bool vm_guest_clock_is_host(const struct vm *vm)
{
	const struct vm_device_kind *k;

	for (unsigned int i = 0; (k = configured_kind(vm, i)); i++)
		if (k->guest_clock_is_host)
			return true;
	return false;
}
