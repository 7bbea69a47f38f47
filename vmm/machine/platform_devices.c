// SPDX-License-Identifier: MIT
/*
 * The machine's own platform devices, created by kind in this order
 * (vmm/machine/device.h). A new platform device kind is its own file
 * and one line here. The console UART is not here: the console loop and
 * every vCPU's stop path hold it directly (vm->console).
 */
#include "vmm/devices/boot_timer.h"
#include "vmm/devices/workload_mark.h"
#include "vmm/machine/device.h"

const struct vm_device_spec vm_platform_devices[] = {
	{ .kind = &boot_timer_kind },
	{ .kind = &workload_mark_kind },
};

const unsigned int vm_nr_platform_devices =
	sizeof(vm_platform_devices) / sizeof(vm_platform_devices[0]);
