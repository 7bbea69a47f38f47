/* SPDX-License-Identifier: MIT */
/*
 * The bench device's I/O backend: the host half of io_out/io_in
 * (bench_protocol.h, struct bench_io_slot).
 *
 * Path of one round trip. The guest's write to BENCH_REG_KICK is bound to
 * a KVM ioeventfd, so KVM signals the kick eventfd without an exit to
 * userspace. The backend thread, blocked in poll(), wakes, stamps
 * host_woke and host_signal into the guest's slot, bumps seq (release),
 * and writes the irqfd eventfd, which KVM turns into the bench device's
 * edge interrupt. That path takes no lock, allocates nothing and prints
 * nothing.
 *
 * Threads. The backend thread starts in bench_io_create() (before any
 * vCPU runs) and blocks signals, so the console loop alone sees SIGINT
 * and friends. It leaves on vm->stop_eventfd or on bench_io_destroy()'s
 * own quit eventfd (vm_create() can fail after the device exists, with no
 * stop ever requested); bench_io_destroy() joins it. bench_io_set_slot()
 * is called from vCPU threads.
 *
 * Pinning. With cfg->pin_vcpus the thread runs only on the last CPU this
 * process may use, away from the vCPUs (pinned from the first) while
 * there are more CPUs than vCPUs.
 */
#ifndef TINYVMM_VMM_BENCH_IO_H
#define TINYVMM_VMM_BENCH_IO_H

#include <stdint.h>

#include "guest/common/bench_protocol.h"

struct vm;
struct bench_io;

/*
 * Registers the kick ioeventfd at @kick_gpa (8-byte writes, any value)
 * and the irqfd for interrupt line @irq (arch_platform() numbering), then
 * starts the backend thread. When the host cannot (no KVM_CAP_IOEVENTFD or
 * KVM_CAP_IRQFD, no irqfd routing on this arch, KVM refused), prints one
 * line and returns NULL: the VM runs on without the io benchmarks.
 */
struct bench_io *bench_io_create(struct vm *vm, uint64_t kick_gpa,
				 unsigned int irq);

/* Stops and joins the thread, unregisters from KVM. NULL is fine. */
void bench_io_destroy(struct bench_io *io);

/*
 * Publishes the slot (a host pointer into guest RAM, already checked by
 * the caller) to the backend thread; later kicks write into it.
 */
void bench_io_set_slot(struct bench_io *io, struct bench_io_slot *slot);

#endif
