/* SPDX-License-Identifier: MIT */
/*
 * The bench layer's own arch hooks (arch/<arch>/peer.c): what only the
 * benchmark needs of an arch, kept out of the machine's contract
 * (vmm/machine/arch.h).
 */
#ifndef TINYVMM_BENCH_BENCH_ARCH_H
#define TINYVMM_BENCH_BENCH_ARCH_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

/*
 * vm_switch's peer VM (bench_peer.h). arch_peer_code(): the code its one
 * vCPU runs, position-independent and copied to the start of its RAM,
 * with no stack and no MMU; it expects the guest-physical address of the
 * struct bench_peer_page in its first argument register.
 * arch_peer_vcpu_init(): sets up vCPU @vcpu_fd of VM @vm_fd, right after
 * KVM_CREATE_VCPU, to start at @entry with @arg in that register.
 * Both return 0, or -EOPNOTSUPP / -errno after printing one line.
 */
TV_MUST_CHECK int arch_peer_code(const void **code, size_t *len);
TV_MUST_CHECK int arch_peer_vcpu_init(int vm_fd, int vcpu_fd, uint64_t entry,
				      uint64_t arg);

#endif
