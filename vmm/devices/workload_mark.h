/* SPDX-License-Identifier: MIT */
/*
 * The workload marker: two write-only MMIO registers at
 * arch_platform()->workload_mark that a guest writes around a workload it
 * runs (the lab's Linux guest does, with devmem), so that tinyvmm can say
 * how many exits of each kind the workload caused:
 *
 *   +0x0  BEGIN  any value: snapshot KVM's binary statistics
 *   +0x8  END    any value: snapshot again and print one line
 *
 *   tinyvmm: workload exits: seconds=S name=N name=N ...
 *
 * S: wall-clock seconds between the two writes; then each cumulative KVM
 * counter (VM and vCPUs summed, kvm_stats.h) that changed, largest
 * first, e.g. exits=..., mmio_exit_user=..., wfi_exit_stat=.... An END
 * without a BEGIN, or on a host without binary statistics, prints why
 * instead. After 63 such lines one more says so and the rest are quiet:
 * the guest must not be able to flood stderr. Reads give 0.
 */
#ifndef TINYVMM_VMM_WORKLOAD_MARK_H
#define TINYVMM_VMM_WORKLOAD_MARK_H

#include "vmm/base/log.h"
#include "vmm/machine/device.h"

#define WORKLOAD_MARK_BEGIN 0x0
#define WORKLOAD_MARK_END 0x8
#define WORKLOAD_MARK_SIZE 0x10

/*
 * The machine creates it by kind (vmm/machine/device.h), after the vCPUs
 * exist (it opens their statistics): registered on the VM's MMIO bus;
 * nothing where the arch has none. No spec.
 */
extern const struct vm_device_kind workload_mark_kind;

#endif
