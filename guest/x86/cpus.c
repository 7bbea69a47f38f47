// SPDX-License-Identifier: MIT
/*
 * The CPUs of an x86_64 guest: which ones the device tree lists, where
 * the others wait, and handing one of them work. Every vCPU enters the
 * image at once (x86.h); CPU 0 runs the program, the others park in
 * secondary_park() until cpu_start() gives them work.
 */
#include "apic.h"

/* The same bound in loop turns, if the TSC was not calibrated. */
#define ONLINE_SPIN_LIMIT 500000000UL

static bool is_cpu_node(const char *name)
{
	return name && !strncmp(name, "cpu@", 4);
}

int cpus_probe(const struct fdt *fdt, struct x86_guest *g)
{
	int cpus = fdt_path(fdt, "/cpus");
	int node, ret;
	uint64_t id;

	if (cpus < 0)
		return cpus;
	g->nr_cpus = 0;
	node = fdt_first_child(fdt, cpus);
	for (; node >= 0; node = fdt_next_sibling(fdt, node)) {
		if (!is_cpu_node(fdt_node_name(fdt, node)))
			continue;
		if (g->nr_cpus == X86_MAX_CPUS)
			return -FDT_ERR_BADVALUE;
		ret = fdt_reg(fdt, node, 0, &id, NULL);
		if (ret)
			return ret;
		if (id > 0xff) /* xAPIC physical destinations are 8 bits */
			return -FDT_ERR_BADVALUE;
		g->apic_id[g->nr_cpus++] = (uint32_t)id;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return node;
	return g->nr_cpus ? 0 : -FDT_ERR_NOTFOUND;
}

/* Spins until @done(@g, @i, @arg); false after @timeout_s. */
static bool cpu_wait(const struct x86_guest *g, unsigned int i, uint32_t arg,
		     bool (*done)(const struct x86_guest *, unsigned int,
				  uint32_t),
		     unsigned int timeout_s)
{
	uint64_t start = tsc_read();
	unsigned long spins;

	for (spins = 0; !done(g, i, arg); spins++) {
		if (g->tsc_hz && tsc_read() - start > timeout_s * g->tsc_hz)
			return false;
		if (!g->tsc_hz && spins > ONLINE_SPIN_LIMIT)
			return false;
		cpu_relax();
	}
	return true;
}

static bool online_is(const struct x86_guest *g, unsigned int i, uint32_t want)
{
	return g->online[i] == want;
}

/* Online now, or its work already over (finished[] moved past @before). */
static bool started(const struct x86_guest *g, unsigned int i, uint32_t before)
{
	return g->online[i] || g->finished[i] != before;
}

bool cpu_wait_online(const struct x86_guest *g, unsigned int i, uint32_t want,
		     unsigned int timeout_s)
{
	return cpu_wait(g, i, want, online_is, timeout_s);
}

int cpu_start(struct x86_guest *g, unsigned int i, unsigned int timeout_s)
{
	uint32_t before = g->finished[i];

	g->start[i] = 1;
	barrier();
	apic_send_ipi(g->apic_id[i], APIC_VEC_WAKE);
	return cpu_wait(g, i, before, started, timeout_s) ? 0
							  : CPU_START_TIMEOUT;
}

/*
 * Halts with interrupts on between looks at start[index]: a wake-up
 * IPI, taken as the halt ends, makes it look again. The work runs with
 * interrupts off (it enables them as it needs) and sets online[index]
 * itself once it is up; it is cleared here when the work returns.
 */
void secondary_park(unsigned int index)
{
	struct x86_guest *g = &x86_guest;

	apic_cpu_init();
	for (;;) {
		while (!g->start[index])
			sti_hlt_cli();
		g->start[index] = 0;
		secondary_main(index);
		irq_disable();
		barrier();
		g->online[index] = 0;
		g->finished[index]++;
	}
}
