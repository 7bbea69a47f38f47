// SPDX-License-Identifier: MIT
/*
 * hello: the seed of tinyvmm's x86_64 benchmark guest. It proves the boot
 * path end to end: the flat image loads at X86_KERNEL_ADDR and runs in
 * long mode on every vCPU, RDI carries a device tree we can parse, the
 * console prints, the local APICs take IPIs, every /cpus entry answers,
 * and the machine powers off.
 *
 * Exit protocol, as the VMM sees it:
 *   ACPI S5 (PM1a_CNT)  every CPU came up and said so (tinyvmm exits 0)
 *   reset (port 0xcf9)  anything else (bad DTB, no console, a CPU that
 *                       did not answer, an exception); a line starting
 *                       "tinyvmm-guest: error:" says why when there is a
 *                       console to say it on.
 * Secondaries are asked one at a time, each waited for before the next,
 * so their lines never interleave and no lock is needed.
 */
#include "apic.h"
#include "uart.h"

/* How long a secondary may take from cpu_start() to its "online" flag. */
#define ONLINE_TIMEOUT_S 5

static _Noreturn void fail(const struct x86_guest *g, const char *what, int err)
{
	con_printf(&g->con, "tinyvmm-guest: error: %s (%d), resetting\n", what,
		   err);
	x86_reset();
}

static void cpus_bring_up(struct x86_guest *g)
{
	for (unsigned int i = 1; i < g->nr_cpus; i++) {
		if (cpu_start(g, i, ONLINE_TIMEOUT_S) == 0)
			continue;
		con_printf(&g->con,
			   "tinyvmm-guest: error: timeout: cpu %u"
			   " (apic id %u) not online after %d s\n",
			   i, g->apic_id[i], ONLINE_TIMEOUT_S);
		fail(g, "cpu bring-up timed out", (int)i);
	}
}

void main(uintptr_t dtb)
{
	struct x86_guest *g = &x86_guest;
	struct fdt fdt;
	int ret;

	if (!dtb || dtb % 8 || fdt_init(&fdt, (const void *)dtb))
		x86_reset(); /* no tree: no console either */
	if (uart_console_probe(&fdt, &g->con))
		x86_reset();
	ret = cpus_probe(&fdt, g);
	if (ret)
		fail(g, "cannot read /cpus", ret);
	if (g->apic_id[0] != 0)
		fail(g, "cpu@0 is not APIC id 0", (int)g->apic_id[0]);
	if (apic_boot_init(g))
		fail(g, "the local APIC is off or its timer does not count",
		     -1);
	con_printf(&g->con,
		   "tinyvmm-guest: hello from x86_64 (dtb at 0x%lx, %u cpus)\n",
		   (unsigned long)dtb, g->nr_cpus);
	cpus_bring_up(g);
	con_printf(&g->con, "tinyvmm-guest: all %u cpus online, powering off\n",
		   g->nr_cpus);
	x86_power_off();
}

void secondary_main(unsigned int index)
{
	struct x86_guest *g = &x86_guest;

	con_printf(&g->con, "tinyvmm-guest: cpu %u online (apic id %u)\n",
		   index, apic_read(APIC_ID) >> 24);
	barrier(); /* the line is out before CPU 0 may print again */
	g->online[index] = 1;
}
