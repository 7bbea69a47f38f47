// SPDX-License-Identifier: MIT
/*
 * The CPUs of an arm64 guest: which ones the device tree lists, and
 * starting a secondary with PSCI CPU_ON. Shared by hello and bench; the
 * messages about failures are the callers'.
 */
#include "arm64.h"

/* The same bound in loop turns, used if CNTFRQ_EL0 reads 0. */
#define ONLINE_SPIN_LIMIT 500000000UL

static bool is_cpu_node(const char *name)
{
	return name && !strncmp(name, "cpu@", 4);
}

int cpus_probe(const struct fdt *fdt, struct arm64_guest *g)
{
	int cpus = fdt_path(fdt, "/cpus");
	int node, ret;

	if (cpus < 0)
		return cpus;
	g->nr_cpus = 0;
	node = fdt_first_child(fdt, cpus);
	for (; node >= 0; node = fdt_next_sibling(fdt, node)) {
		if (!is_cpu_node(fdt_node_name(fdt, node)))
			continue; /* e.g. QEMU's cpu-map */
		if (g->nr_cpus == ARM64_MAX_CPUS)
			return -FDT_ERR_BADVALUE;
		ret = fdt_reg(fdt, node, 0, &g->mpidr[g->nr_cpus], NULL);
		if (ret)
			return ret;
		g->nr_cpus++;
	}
	if (node != -FDT_ERR_NOTFOUND)
		return node;
	return g->nr_cpus ? 0 : -FDT_ERR_NOTFOUND;
}

/* Spins until CPU @i sets its flag; false after @timeout_s seconds. */
static bool cpu_wait_online(const struct arm64_guest *g, unsigned int i,
			    unsigned int timeout_s)
{
	uint64_t freq = read_cntfrq();
	uint64_t start = read_cntvct();
	unsigned long spins;

	for (spins = 0; !g->online[i]; spins++) {
		if (freq && read_cntvct() - start > timeout_s * freq)
			return false;
		if (!freq && spins > ONLINE_SPIN_LIMIT)
			return false;
	}
	dsb_sy();
	return true;
}

int cpu_start(struct arm64_guest *g, unsigned int i, unsigned int timeout_s)
{
	uintptr_t entry = (uintptr_t)secondary_entry; /* PC-relative */
	int ret = psci_cpu_on(g->conduit, g->mpidr[i], entry, i);

	if (ret != PSCI_SUCCESS)
		return ret < 0 ? ret : PSCI_INTERNAL_FAILURE;
	return cpu_wait_online(g, i, timeout_s) ? 0 : CPU_START_TIMEOUT;
}
