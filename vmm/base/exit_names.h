/* SPDX-License-Identifier: MIT */
/* KVM exit reasons by name, for messages a user can search for. */
#ifndef TINYVMM_VMM_EXIT_NAMES_H
#define TINYVMM_VMM_EXIT_NAMES_H

#include <stdint.h>

/* "KVM_EXIT_MMIO", ...; "KVM_EXIT_?" for a reason this build does not know. */
const char *kvm_exit_name(uint32_t reason);

#endif
