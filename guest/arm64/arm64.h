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

#include "arm64_layout.h" /* arch/arm64: ARM64_MAX_VCPUS */

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
	/*
	 * Called for each IRQ (EL1h vector, IRQs masked, caller-saved
	 * registers saved); it acknowledges and completes the interrupt.
	 * NULL: an IRQ is unexpected and reported like a fault. Set at run
	 * time (a function address in static data would be absolute).
	 */
	void (*irq_handler)(struct arm64_guest *g);
	void *irq_ctx; /* for irq_handler */
};

extern struct arm64_guest arm64_guest;

/* start.S */
extern char _start[];
void secondary_entry(void);

/* Called by start.S; none of them returns. */
_Noreturn void main(uintptr_t dtb);
_Noreturn void secondary_main(unsigned int index);
_Noreturn void exception_report(unsigned int vector);
void exception_irq(void);

/* cpus.c: the /cpus list and secondary bring-up, shared by the guests. */
#define CPU_START_TIMEOUT 1 /* cpu_start(): CPU_ON worked, no online flag */

/* Fills g->mpidr[] and g->nr_cpus from the /cpus/cpu@ nodes, in order. */
int cpus_probe(const struct fdt *fdt, struct arm64_guest *g);
/*
 * CPU_ON for /cpus index @i at secondary_entry, then waits up to @timeout_s
 * seconds for it to set g->online[i]. Returns 0, a negative PSCI code from
 * CPU_ON, or CPU_START_TIMEOUT.
 */
int cpu_start(struct arm64_guest *g, unsigned int i, unsigned int timeout_s);

/* Reads system register @reg (a bare name: esr_el1, far_el1, ...). */
#define read_sysreg(reg)                                     \
	({                                                   \
		uint64_t __val;                              \
		asm volatile("mrs %0, " #reg : "=r"(__val)); \
		__val;                                       \
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

/* Writes system register @reg; an isb is the caller's business. */
#define write_sysreg(val, reg)                                      \
	do {                                                        \
		uint64_t __wval = (uint64_t)(val);                  \
		asm volatile("msr " #reg ", %x0" : : "rZ"(__wval)); \
	} while (0)

static inline void isb(void)
{
	asm volatile("isb" : : : "memory");
}

static inline void irq_enable(void)
{
	asm volatile("msr daifclr, #2" : : : "memory");
}

static inline void irq_disable(void)
{
	asm volatile("msr daifset, #2" : : : "memory");
}

/* Sleeps until an interrupt is pending, masked or not (Arm ARM D1.6.2). */
static inline void wfi(void)
{
	asm volatile("wfi" : : : "memory");
}

static inline void dsb_sy(void)
{
	asm volatile("dsb sy" : : : "memory");
}

/*
 * DC CIVAC over [@addr, @addr + @len) by the smallest D-cache line
 * (CTR_EL0.DminLine), then a dsb: the guest runs with caches off, the
 * host reads and writes guest RAM through a cacheable mapping. Cleaning
 * pushes a line the host dirtied to memory and invalidating drops one it
 * may have cached, so that each side sees the other's writes.
 */
static inline void dcache_civac(uintptr_t addr, size_t len)
{
	uint64_t line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t end = addr + len;

	for (addr &= ~(line - 1); addr < end; addr += line)
		asm volatile("dc civac, %0" : : "r"(addr) : "memory");
	dsb_sy();
}

static inline _Noreturn void cpu_halt(void)
{
	for (;;)
		asm volatile("wfi" : : : "memory");
}

#endif /* __ASSEMBLER__ */
#endif
