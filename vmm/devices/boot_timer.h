/* SPDX-License-Identifier: MIT */
/*
 * The boot timer: a write-only MMIO register at arch_platform()->
 * boot_timer that a guest's init writes (any value, any width) as its
 * first act. On the first write tinyvmm prints one line:
 *
 *   tinyvmm: boot timer: init_ms=T rss_kib=R guest_touched_kib=G
 *            overhead_kib=O
 *
 * T: milliseconds from boot_timer_mark_start() (first thing in main()) to
 * that write, CLOCK_MONOTONIC. R: tinyvmm's resident set then (VmRSS).
 * G: the part of guest RAM resident then (mincore()). O = R - G: what
 * tinyvmm itself costs in memory. Later writes are ignored; reads give 0.
 */
#ifndef TINYVMM_VMM_BOOT_TIMER_H
#define TINYVMM_VMM_BOOT_TIMER_H

#include "vmm/base/log.h"
#include "vmm/machine/device.h"

/* Records tinyvmm's start; call first thing in main(). */
void boot_timer_mark_start(void);

/*
 * The machine creates it by kind (vmm/machine/device.h): registered on
 * the VM's MMIO bus; nothing where the arch has none. No spec.
 */
extern const struct vm_device_kind boot_timer_kind;

#endif
