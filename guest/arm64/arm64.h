/* SPDX-License-Identifier: MIT */
/*
 * The contract between start.S and the C side of the arm64 guests, and
 * the few system-register helpers they use. Included by assembly too, so
 * the C part sits behind __ASSEMBLER__.
 *
 * Boot protocol (Documentation/arch/arm64/booting.rst, PSCI CPU_ON):
 *   primary    enters _start at EL1, MMU and D-cache off, x0 = DTB
 *              physical address; start.S zeroes .bss and calls main(dtb).
 *   secondary  enters secondary_entry the same way with x0 = the context
 *              id given to CPU_ON, which is the CPU's index in /cpus;
 *              start.S calls secondary_main(index).
 * Each CPU runs on its own stack slot: slot i for /cpus index i, slot
 * ARM64_BOOT_SLOT for the primary (it does not know its index before the
 * device tree is read). TPIDR_EL1 holds the slot number, which is how the
 * exception vectors find a known-good stack.
 */
#ifndef TINYVMM_GUEST_ARM64_ARM64_H
#define TINYVMM_GUEST_ARM64_ARM64_H

#include "layout.h" /* arch/arm64: ARM64_MAX_VCPUS */

#define ARM64_MAX_CPUS ARM64_MAX_VCPUS
#define ARM64_BOOT_SLOT ARM64_MAX_CPUS
#define ARM64_STACK_SIZE 4096 /* per CPU; the guests do not recurse */

/*
 * Image header flags (booting.rst): bit 0 = 0 little endian; bits 1-2 =
 * 0 page size unspecified (no MMU); bit 3 = 1 the 2 MiB aligned base may
 * be anywhere in RAM, true because the code is position independent (see
 * guest.ld).
 */
#define ARM64_IMAGE_FLAGS (1 << 3)

#ifndef __ASSEMBLER__

#include <stdint.h>

#include "libguest.h"
#include "psci.h"

/* MPIDR_EL1 affinity fields Aff3 and Aff2..Aff0: what PSCI and /cpus use. */
#define MPIDR_AFF_MASK 0xff00ffffffULL

/*
 * What the primary learns from the device tree and the other CPUs and the
 * exception vectors need. This is the guest's only mutable global: entry
 * points and vectors have no argument to carry a pointer in. Written by
 * the primary before any secondary starts (CPU_ON is ordered after it by
 * a dsb), afterwards only online[] changes.
 */
struct arm64_guest {
	struct console con;	   /* write == NULL until a UART is found */
	enum psci_conduit conduit; /* HVC until the tree says otherwise */
	unsigned int nr_cpus;
	uint64_t mpidr[ARM64_MAX_CPUS];
	/* Set to 1 by CPU i once it is up; plain stores, no atomics. */
	volatile uint32_t online[ARM64_MAX_CPUS];
	/* Exceptions taken so far per stack slot, to stop recursion. */
	volatile uint32_t in_exception[ARM64_MAX_CPUS + 1];
};

extern struct arm64_guest arm64_guest;

/* start.S */
extern char _start[];
void secondary_entry(void);

/* Called by start.S; none of them returns. */
_Noreturn void main(uintptr_t dtb);
_Noreturn void secondary_main(unsigned int index);
_Noreturn void exception_report(unsigned int vector);

/* Reads system register @reg (a bare name: esr_el1, far_el1, ...). */
#define read_sysreg(reg)                                      \
	({                                                    \
		uint64_t __val;                               \
		asm volatile("mrs %0, " #reg : "=r"(__val)); \
		__val;                                        \
	})

static inline uint64_t read_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

static inline uint64_t read_cntvct(void)
{
	uint64_t v;

	/* The isb keeps the read from being taken early (Arm ARM D12.2). */
	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

static inline uint64_t read_cntfrq(void)
{
	return read_sysreg(cntfrq_el0);
}

static inline void dsb_sy(void)
{
	asm volatile("dsb sy" : : : "memory");
}

static inline _Noreturn void cpu_halt(void)
{
	for (;;)
		asm volatile("wfi" : : : "memory");
}

#endif /* __ASSEMBLER__ */
#endif
