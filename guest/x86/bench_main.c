// SPDX-License-Identifier: MIT
/*
 * bench: tinyvmm's x86_64 benchmark guest (bench.img). It reads its
 * set-up from the device tree (console, CPUs, the bench device), brings
 * up the local APIC and the I/O APIC route of the bench interrupt, then
 * runs the transition microbenchmarks of guest/common/bench.c and
 * reports raw samples to tinyvmm through the bench device
 * (guest/common/bench_protocol.h).
 *
 * Exit protocol, as the VMM sees it:
 *   ACPI S5 (PM1a_CNT)  every selected benchmark was reported (each with
 *                       its own status) and DONE written
 *   reset (port 0xcf9)  set-up failed (no bench node, bad magic, no APIC,
 *                       ...) or an exception; a line starting
 *                       "tinyvmm-bench: error:" (or "tinyvmm-guest:
 *                       exception:") says why when there is a console.
 */
#include "bench_x86.h"
#include "uart.h"

static struct bench_guest bench_guest;

static _Noreturn void fail(const struct x86_guest *g, const char *what, int err)
{
	con_printf(&g->con, "tinyvmm-bench: error: %s (%d), resetting\n", what,
		   err);
	x86_reset();
}

static void bench_setup(const struct fdt *fdt, struct x86_guest *g,
			struct bench_guest *bg)
{
	struct bench *b = &bg->bench;
	struct bench_x86 *a = &bg->x86;
	const char *why;
	int ret, node;

	ret = cpus_probe(fdt, g);
	if (ret)
		fail(g, "cannot read /cpus", ret);
	if (g->apic_id[0] != 0)
		fail(g, "cpu@0 is not APIC id 0", (int)g->apic_id[0]);
	if (apic_boot_init(g))
		fail(g, "the local APIC is off or its timer does not count",
		     -1);
	b->con = &g->con;
	node = bench_probe(fdt, b, &why);
	if (node < 0)
		fail(g, why, node);
	a->g = g;
	a->self = 0; /* start.S runs main() on CPU 0 */
	bench_cpu_probe(a);
	bench_io_init(fdt, node, a, g->apic_id[a->self]);
	b->nr_cpus = g->nr_cpus;
	b->arch = a;
	b->counter = BENCH_COUNTER_TSC;
	b->counter_hz = 0; /* not architecturally known; see bench_protocol.h */
	b->clock_name = "TSC";
}

void main(uintptr_t dtb)
{
	struct x86_guest *g = &x86_guest;
	struct bench_guest *bg = &bench_guest;
	struct bench *b = &bg->bench;
	struct fdt fdt;
	uint32_t count;

	if (!dtb || dtb % 8 || fdt_init(&fdt, (const void *)dtb))
		x86_reset(); /* no tree: no console either */
	if (uart_console_probe(&fdt, &g->con))
		x86_reset();
	bench_setup(&fdt, g, bg);
	con_printf(&g->con,
		   "tinyvmm-bench: %u cpus, %s, %s, xapic, tsc ticks"
		   " (about %lu MHz), %u iterations, %u warm-up\n",
		   g->nr_cpus, bg->x86.vendor,
		   bg->x86.vmmcall ? "vmmcall" : "vmcall",
		   (unsigned long)(g->tsc_hz / 1000000), b->iterations,
		   b->warmup);
	g->irq_ctx = &bg->x86;
	g->irq_handler = bench_irq;
	barrier(); /* before any interrupt can come */
	irq_enable();
	count = bench_run(b);
	con_printf(&g->con, "tinyvmm-bench: %u reported, powering off\n",
		   count);
	x86_power_off();
}

/* Started by virtual_ipi's prep; idles until its post says stop. */
void secondary_main(unsigned int index)
{
	struct x86_guest *g = &x86_guest;

	g->online[index] = 1;
	barrier();
	bench_peer_idle(&bench_guest.x86);
}
