/* SPDX-License-Identifier: MIT */
/*
 * PSCI calls (Arm DEN 0022, "Power State Coordination Interface") over
 * the SMC Calling Convention (Arm DEN 0028). The conduit, HVC or SMC,
 * comes from the device tree's /psci "method".
 */
#ifndef TINYVMM_GUEST_ARM64_PSCI_H
#define TINYVMM_GUEST_ARM64_PSCI_H

#include <stdint.h>

#include "libguest.h"

/* Function IDs (DEN 0022 5.1): SMC32 0x84..., SMC64 0xC4... */
#define PSCI_VERSION 0x84000000U
#define PSCI_CPU_OFF 0x84000002U
#define PSCI_CPU_ON 0xc4000003U
#define PSCI_SYSTEM_OFF 0x84000008U
#define PSCI_SYSTEM_RESET 0x84000009U

/* Return codes (DEN 0022 5.2.2). */
#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED -1
#define PSCI_INVALID_PARAMETERS -2
#define PSCI_DENIED -3
#define PSCI_ALREADY_ON -4
#define PSCI_ON_PENDING -5
#define PSCI_INTERNAL_FAILURE -6
#define PSCI_INVALID_ADDRESS -9

/* HVC is 0 so that a zeroed state means "HVC" before the tree is read. */
enum psci_conduit { PSCI_CONDUIT_HVC = 0, PSCI_CONDUIT_SMC };

/* One call; returns x0 (PSCI results fit in its low 32 bits). */
int64_t psci_call(enum psci_conduit conduit, uint64_t fn, uint64_t arg1,
		  uint64_t arg2, uint64_t arg3);

/*
 * The conduit named by /psci "method" ("hvc" or "smc").
 * Returns 0, -FDT_ERR_NOTFOUND without /psci or its method, or
 * -FDT_ERR_BADVALUE for any other method.
 */
int psci_conduit_from_fdt(const struct fdt *fdt, enum psci_conduit *conduit);

/* Starts @mpidr at physical @entry with x0 = @context; a PSCI_* code. */
int psci_cpu_on(enum psci_conduit conduit, uint64_t mpidr, uintptr_t entry,
		uint64_t context);

/* These do not return; if the call fails the CPU sleeps forever. */
_Noreturn void psci_cpu_off(enum psci_conduit conduit);
_Noreturn void psci_system_off(enum psci_conduit conduit);
_Noreturn void psci_system_reset(enum psci_conduit conduit);

#endif
