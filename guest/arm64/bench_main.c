// SPDX-License-Identifier: MIT
/*
 * bench: tinyvmm's arm64 benchmark guest (bench.img). It reads its
 * set-up from the device tree (console, PSCI, CPUs, the bench device,
 * the GIC, the PMU), then runs the transition microbenchmarks of
 * guest/common/bench.c and reports raw samples to tinyvmm through the
 * bench device (guest/common/bench_protocol.h).
 *
 * Exit protocol, as the VMM sees it:
 *   PSCI SYSTEM_OFF    every selected benchmark was reported (each with
 *                      its own status) and DONE written
 *   PSCI SYSTEM_RESET  set-up failed (no bench node, bad magic, no GIC,
 *                      ...) or an exception; a line starting
 *                      "tinyvmm-bench: error:" says why when there is a
 *                      console to say it on.
 *
 * Build with -DBENCH_TOLERATE_NO_DEVICE to run against a VMM that maps
 * no bench device yet: a bad magic is then a warning, not an error
 * (bench_probe()).
 */
#include "bench_arm64.h"
#include "uart.h"

static struct bench_guest bench_guest;

static _Noreturn void fail(const struct arm64_guest *g, const char *what,
			   int err)
{
	con_printf(&g->con, "tinyvmm-bench: error: %s (%d), resetting\n", what,
		   err);
	psci_system_reset(g->conduit);
}

/* The /cpus index of the CPU running this, or -1. */
static int self_index(const struct arm64_guest *g)
{
	uint64_t self = read_mpidr();

	for (unsigned int i = 0; i < g->nr_cpus; i++)
		if (g->mpidr[i] == self)
			return (int)i;
	return -1;
}

static void bench_setup(const struct fdt *fdt, struct arm64_guest *g,
			struct bench_guest *bg)
{
	struct bench *b = &bg->bench;
	struct bench_arm64 *a = &bg->arm;
	const char *why;
	int ret, self, node;

	ret = psci_conduit_from_fdt(fdt, &g->conduit);
	if (ret)
		fail(g, "no usable /psci method", ret);
	ret = cpus_probe(fdt, g);
	if (ret)
		fail(g, "cannot read /cpus", ret);
	self = self_index(g);
	if (self < 0)
		fail(g, "the boot cpu's mpidr is not in /cpus", self);
	b->con = &g->con;
	node = bench_probe(fdt, b, &why);
	if (node < 0)
		fail(g, why, node);
	ret = gic_probe(fdt, &a->gic);
	if (ret)
		fail(g, "no arm,gic-v3 or arm,cortex-a15-gic node", ret);
	if (a->gic.version == 3 && gic_dist_init(&a->gic))
		fail(g, "the GIC distributor does not come up", -1);
	if (a->gic.version == 3 && gic_cpu_init(&a->gic, g->mpidr[self]))
		fail(g, "no GIC redistributor for the boot cpu", self);
	bench_io_init(fdt, node, a, g->mpidr[self]);
	bench_lpi_init(fdt, a);
	a->g = g;
	a->self = (unsigned int)self;
	b->nr_cpus = g->nr_cpus;
	b->arch = a;
	bench_counter_init(fdt, b, a);
}

void main(uintptr_t dtb)
{
	struct arm64_guest *g = &arm64_guest;
	struct bench_guest *bg = &bench_guest;
	struct bench *b = &bg->bench;
	struct fdt fdt;
	uint32_t count;

	/* booting.rst: the DTB is 8-byte aligned; 0 means there is none. */
	if (!dtb || dtb % 8 || fdt_init(&fdt, (const void *)dtb))
		psci_system_reset(g->conduit); /* no tree: no console either */
	if (uart_console_probe(&fdt, &g->con))
		psci_system_reset(g->conduit);
	bench_setup(&fdt, g, bg);
	con_printf(&g->con,
		   "tinyvmm-bench: %u cpus, gicv%u, %s (%lu Hz)%s,"
		   " %u iterations, %u warm-up\n",
		   g->nr_cpus, bg->arm.gic.version,
		   bench_counter_name(b->counter), (unsigned long)b->counter_hz,
		   bg->arm.has_pmu ? ", pmu cycles for eoi" : "", b->iterations,
		   b->warmup);
	if (bg->arm.gic.version == 3) {
		g->irq_ctx = &bg->arm;
		g->irq_handler = bench_irq;
		dsb_sy(); /* before any secondary can take an IRQ */
		irq_enable();
	}
	count = bench_run(b);
	con_printf(&g->con, "tinyvmm-bench: %u reported, powering off\n",
		   count);
	psci_system_off(g->conduit);
}

/* Started by virtual_ipi's prep; idles until its post says stop. */
void secondary_main(unsigned int index)
{
	struct arm64_guest *g = &arm64_guest;
	struct bench_arm64 *a = &bench_guest.arm;

	if (gic_cpu_init(&a->gic, g->mpidr[index])) {
		con_printf(&g->con,
			   "tinyvmm-bench: error: cpu %u: no GIC"
			   " redistributor, stopping it\n",
			   index);
		psci_cpu_off(g->conduit);
	}
	dsb_sy();
	g->online[index] = 1;
	dsb_sy();
	bench_peer_idle(a);
	g->online[index] = 0;
	dsb_sy();
	psci_cpu_off(g->conduit);
}
