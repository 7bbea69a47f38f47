/* SPDX-License-Identifier: MIT */
/*
 * Platform devices by kind. A kind says how the machine creates and
 * destroys one device of it; the machine creates its own platform
 * devices (vmm/machine/platform_devices.c, one table line per kind), then
 * those its user appends to struct vm_config's list (the bench layer
 * appends the bench device), in order, after the vCPUs exist, and
 * destroys them in reverse. The machine names no kind of a higher layer:
 * it only walks the list.
 */
#ifndef TINYVMM_MACHINE_DEVICE_H
#define TINYVMM_MACHINE_DEVICE_H

#include <stdbool.h>

#include "vmm/base/device_desc.h"
#include "vmm/base/seccomp.h"
#include "vmm/base/log.h"

struct vm;

struct vm_device_kind {
	const char *name;
	/*
	 * Creates the device for @vm from @spec (the kind's own options; may
	 * be NULL) and stores it in *@dev; NULL there with 0 returned means
	 * "nothing to create on this arch". Returns 0, or -errno after
	 * printing one line.
	 */
	TV_MUST_CHECK int (*create)(struct vm *vm, const void *spec,
				    void **dev);
	void (*destroy)(void *dev); /* takes NULL */
	/*
	 * What the guest is told of @dev (its device-tree node, its ACPI
	 * device); NULL: nothing, the guest finds it by other means.
	 */
	void (*describe)(const void *dev, struct device_desc *desc);
	/*
	 * Its register handlers create VMs on the vCPU thread (the bench
	 * device's peer VM), so vCPU threads need SECCOMP_VCPU_BENCH.
	 */
	bool vcpu_starts_vms;
	/* It compares guest and host clocks: the guest's must be the host's. */
	bool guest_clock_is_host;
};

/* One entry of struct vm_config's device list. */
struct vm_device_spec {
	const struct vm_device_kind *kind;
	const void *spec;
};

/* At most this many platform devices per VM, the machine's own included. */
#define VM_MAX_DEVICES 8

/* A created device. */
struct vm_device {
	const struct vm_device_kind *kind;
	void *dev;
};

/* The machine's own platform devices (platform_devices.c). */
extern const struct vm_device_spec vm_platform_devices[];
extern const unsigned int vm_nr_platform_devices;

/* Creates every device: the machine's, then @vm's config list. */
TV_MUST_CHECK int vm_devices_create(struct vm *vm);

/* Destroys what vm_devices_create() made, in reverse; idempotent. */
void vm_devices_destroy(struct vm *vm);

/*
 * Fills @descs (room for @max) with what the guest is told of the VM's
 * devices: the platform devices that describe themselves, in creation
 * order, then the virtio-mmio transports in slot order. Returns how many,
 * or -ENOSPC when @max is too small. Each arch's device-tree and ACPI
 * builders walk this one list.
 */
TV_MUST_CHECK int vm_describe_devices(const struct vm *vm,
				      struct device_desc *descs,
				      unsigned int max);

/*
 * The seccomp list of @vm's vCPU threads: SECCOMP_VCPU_BENCH when a
 * configured device's kind starts VMs from them, else SECCOMP_VCPU.
 * Answers from the configuration, so it holds before devices exist.
 */
enum seccomp_thread vm_vcpu_seccomp_thread(const struct vm *vm);

/* Whether a configured device needs the guest's clock to be the host's. */
bool vm_guest_clock_is_host(const struct vm *vm);

/* The first created device of @kind, or NULL. */
void *vm_device_find(const struct vm *vm, const struct vm_device_kind *kind);

#endif
