// SPDX-License-Identifier: MIT
/*
 * What the exception vectors call: report the fault and reset, so that a
 * crashing guest shows up as a line on the console and a distinct VMM
 * exit (SYSTEM_RESET, not SYSTEM_OFF), never as a hang.
 */
#include "arm64.h"

/* The vector number of an IRQ taken at EL1 on SP_EL1 (start.S). */
#define VECTOR_IRQ_EL1_SPX 5

struct arm64_guest arm64_guest;

/* Vector number -> "sync"/"irq"/... and where it came from (start.S). */
static void print_vector(const struct console *con, unsigned int vector)
{
	static const char kinds[4][8] = { "sync", "irq", "fiq", "serror" };
	static const char from[4][16] = { "el1 sp0", "el1 spx", "el0 a64",
					  "el0 a32" };

	/* Arrays of arrays, not of pointers: see guest.ld on why. */
	con_printf(con, "%s from %s", kinds[vector % 4], from[vector / 4 % 4]);
}

void exception_report(unsigned int vector)
{
	struct arm64_guest *g = &arm64_guest;
	unsigned int slot =
		(unsigned int)read_sysreg(tpidr_el1); /* start.S checked */
	uint32_t depth = ++g->in_exception[slot];

	/*
	 * A fault while reporting: reset without the console. If the
	 * reset itself faulted (an "smc" with no EL3 is UNDEFINED), the
	 * tree named the wrong conduit: try the other one, then give up.
	 */
	if (depth == 2)
		psci_system_reset(g->conduit);
	if (depth == 3)
		psci_system_reset(g->conduit == PSCI_CONDUIT_HVC
					  ? PSCI_CONDUIT_SMC
					  : PSCI_CONDUIT_HVC);
	if (depth > 3)
		cpu_halt();
	con_puts(&g->con, "tinyvmm-guest: exception: ");
	print_vector(&g->con, vector);
	con_printf(&g->con,
		   " on stack slot %u: esr 0x%lx elr 0x%lx far 0x%lx"
		   " (image at 0x%lx)\n",
		   slot, read_sysreg(esr_el1), read_sysreg(elr_el1),
		   read_sysreg(far_el1), (unsigned long)(uintptr_t)_start);
	psci_system_reset(g->conduit);
}

/*
 * Called by the EL1h IRQ vector with the interrupted context's
 * caller-saved registers saved; returning resumes it. A guest that
 * installed no handler did not expect interrupts: report and reset.
 */
void exception_irq(void)
{
	struct arm64_guest *g = &arm64_guest;

	if (!g->irq_handler)
		exception_report(VECTOR_IRQ_EL1_SPX);
	g->irq_handler(g);
}
