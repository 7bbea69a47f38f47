/* SPDX-License-Identifier: MIT */
/*
 * vm_switch's peer: a second, minimal VM that tinyvmm runs beside the
 * benchmark guest while the guest asks for it (BENCH_REG_PEER,
 * bench_protocol.h).
 *
 * Memory. One struct bench_peer_page of host memory is mapped into both
 * VMs: into the benchmark VM at arch_platform()->bench.peer_base for as
 * long as the bench device exists, and into the peer VM next to its code.
 * Its RAM is only that code (arch_peer_code()) and that page; it has no
 * devices and no interrupt controller. Any exit it takes to userspace is
 * a fault: it is reported once and the peer stops, which the benchmark
 * guest sees as a peer that never answers.
 *
 * CPU. The peer's vCPU thread runs on the host CPU of the benchmark VM's
 * vCPU 0, so when that vCPU blocks the host scheduler has the peer to run
 * there: the switch vm_switch times. Starting therefore needs pinned
 * vCPUs (--pin, the default with --bench).
 *
 * Threads. Start and stop come from a vCPU thread under the bench
 * device's lock; the peer's own thread only runs KVM_RUN.
 */
#ifndef TINYVMM_VMM_BENCH_PEER_H
#define TINYVMM_VMM_BENCH_PEER_H

#include <stdint.h>

#include "vmm/base/log.h"

struct vm;
struct bench_peer;

/* Maps the shared page into @vm. Returns 0 or -errno after one line. */
TV_MUST_CHECK int bench_peer_create(struct vm *vm, struct bench_peer **out);

/*
 * Creates and starts the peer VM (a no-op when it runs). Returns 0, or
 * -errno after one line saying why.
 */
TV_MUST_CHECK int bench_peer_start(struct bench_peer *peer);

/* Stops the peer VM and frees it; the shared page stays mapped. */
void bench_peer_stop(struct bench_peer *peer);

/* The page's guest-physical address in the benchmark VM while the peer runs, else 0. */
uint64_t bench_peer_page_gpa(const struct bench_peer *peer);

/* Stops the peer if it runs and frees everything; NULL is fine. */
void bench_peer_destroy(struct bench_peer *peer);

#endif
