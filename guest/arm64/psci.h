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
#define PSCI_AFFINITY_INFO 0xc4000004U
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

/* AFFINITY_INFO results (DEN 0022 5.7.2). */
#define PSCI_AFFINITY_ON 0
#define PSCI_AFFINITY_OFF 1
#define PSCI_AFFINITY_ON_PENDING 2

/* SMCCC_VERSION (DEN 0028 7.2): answered by the hypervisor itself. */
#define SMCCC_VERSION 0x80000000U

/*
 * SMCCC v1.0 (DEN 0028 2.6) lets the callee clobber x0-x17; v1.1 promises
 * to keep x4-x17, but we cannot know which version answers before asking,
 * so the asm clobbers all of them. The compiler therefore keeps anything
 * live across the call in x18 or x19-x28. The "memory" clobber orders the
 * call after our stores (CPU_ON publishes data the new CPU reads).
 */
#define SMCCC_CLOBBERS                                                         \
	"x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", \
		"x15", "x16", "x17", "memory"

/* One SMCCC call through @insn ("hvc #0" or "smc #0"); the value is x0. */
#define SMCCC_CALL(insn, fn, arg1, arg2, arg3)                        \
	({                                                            \
		register uint64_t x0 asm("x0") = (fn);                \
		register uint64_t x1 asm("x1") = (arg1);              \
		register uint64_t x2 asm("x2") = (arg2);              \
		register uint64_t x3 asm("x3") = (arg3);              \
		asm volatile(insn                                     \
			     : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) \
			     :                                        \
			     : SMCCC_CLOBBERS);                       \
		(int64_t) x0;                                         \
	})

/* HVC is 0 so that a zeroed state means "HVC" before the tree is read. */
enum psci_conduit {
	PSCI_CONDUIT_HVC = 0,
	PSCI_CONDUIT_SMC
};

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
