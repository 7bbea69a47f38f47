// SPDX-License-Identifier: MIT
/*
 * hello: the seed of tinyvmm's arm64 benchmark guest. It proves the boot
 * path end to end: the Image loads and runs, x0 carries a device tree we
 * can parse, the console prints, PSCI brings every /cpus entry up, and
 * the machine powers off.
 *
 * Exit protocol, as the VMM sees it:
 *   PSCI SYSTEM_OFF    every CPU came up and said so
 *   PSCI SYSTEM_RESET  anything else (bad DTB, no console, no PSCI, a CPU
 *                      that failed to start, an exception); a line
 *                      starting "tinyvmm-guest: error:" says why when
 *                      there is a console to say it on.
 * Secondaries are started one at a time, each waited for before the
 * next, so their lines never interleave and no lock is needed.
 */
#include "arm64.h"
#include "uart.h"

/* How long a secondary may take from CPU_ON to its "online" flag. */
#define ONLINE_TIMEOUT_S 5

static _Noreturn void fail(const struct arm64_guest *g, const char *what,
			   int err)
{
	con_printf(&g->con, "tinyvmm-guest: error: %s (%d), resetting\n", what,
		   err);
	psci_system_reset(g->conduit);
}

static void cpu_bring_up(struct arm64_guest *g, unsigned int i)
{
	int ret = cpu_start(g, i, ONLINE_TIMEOUT_S);

	if (ret < 0) {
		con_printf(&g->con,
			   "tinyvmm-guest: error: CPU_ON cpu %u"
			   " (mpidr 0x%lx) returned %d\n",
			   i, g->mpidr[i], ret);
		fail(g, "cannot start a cpu", ret);
	}
	if (ret == CPU_START_TIMEOUT) {
		con_printf(&g->con,
			   "tinyvmm-guest: error: timeout: cpu %u"
			   " (mpidr 0x%lx) not online after %d s\n",
			   i, g->mpidr[i], ONLINE_TIMEOUT_S);
		fail(g, "cpu bring-up timed out", i);
	}
}

static void cpus_bring_up(struct arm64_guest *g)
{
	uint64_t self = read_mpidr();
	bool found_self = false;

	for (unsigned int i = 0; i < g->nr_cpus; i++) {
		if (g->mpidr[i] == self) {
			found_self = true;
			g->online[i] = 1;
			continue;
		}
		cpu_bring_up(g, i);
	}
	if (!found_self)
		fail(g, "the boot cpu's mpidr is not in /cpus", (int)self);
}

void main(uintptr_t dtb)
{
	struct arm64_guest *g = &arm64_guest;
	struct fdt fdt;
	int ret;

	/* booting.rst: the DTB is 8-byte aligned; 0 means there is none. */
	if (!dtb || dtb % 8 || fdt_init(&fdt, (const void *)dtb))
		psci_system_reset(g->conduit); /* no tree: no console either */
	if (uart_console_probe(&fdt, &g->con))
		psci_system_reset(g->conduit);
	ret = psci_conduit_from_fdt(&fdt, &g->conduit);
	if (ret)
		fail(g, "no usable /psci method", ret);
	ret = cpus_probe(&fdt, g);
	if (ret)
		fail(g, "cannot read /cpus", ret);
	con_printf(&g->con,
		   "tinyvmm-guest: hello from arm64 (dtb at 0x%lx, %u cpus)\n",
		   (unsigned long)dtb, g->nr_cpus);
	cpus_bring_up(g);
	con_printf(&g->con, "tinyvmm-guest: all %u cpus online, powering off\n",
		   g->nr_cpus);
	psci_system_off(g->conduit);
}

void secondary_main(unsigned int index)
{
	struct arm64_guest *g = &arm64_guest;

	con_printf(&g->con, "tinyvmm-guest: cpu %u online (mpidr 0x%lx)\n",
		   index, (unsigned long)read_mpidr());
	/* The line is out before the primary may print again. */
	dsb_sy();
	g->online[index] = 1;
	dsb_sy();
	psci_cpu_off(g->conduit);
}
