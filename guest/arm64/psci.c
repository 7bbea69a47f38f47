// SPDX-License-Identifier: MIT
/* PSCI over HVC or SMC, through SMCCC_CALL() (psci.h). */
#include "arm64.h"
#include "psci.h"

int64_t psci_call(enum psci_conduit conduit, uint64_t fn, uint64_t arg1,
		  uint64_t arg2, uint64_t arg3)
{
	if (conduit == PSCI_CONDUIT_SMC)
		return SMCCC_CALL("smc #0", fn, arg1, arg2, arg3);
	return SMCCC_CALL("hvc #0", fn, arg1, arg2, arg3);
}

int psci_conduit_from_fdt(const struct fdt *fdt, enum psci_conduit *conduit)
{
	int node = fdt_path(fdt, "/psci");
	const char *method;

	if (node < 0)
		return node;
	method = fdt_prop_string(fdt, node, "method");
	if (!method)
		return -FDT_ERR_NOTFOUND;
	if (!strcmp(method, "hvc"))
		*conduit = PSCI_CONDUIT_HVC;
	else if (!strcmp(method, "smc"))
		*conduit = PSCI_CONDUIT_SMC;
	else
		return -FDT_ERR_BADVALUE;
	return 0;
}

int psci_cpu_on(enum psci_conduit conduit, uint64_t mpidr, uintptr_t entry,
		uint64_t context)
{
	/* The new CPU reads our stores with its MMU off: complete them. */
	dsb_sy();
	return (int)psci_call(conduit, PSCI_CPU_ON, mpidr, entry, context);
}

void psci_cpu_off(enum psci_conduit conduit)
{
	psci_call(conduit, PSCI_CPU_OFF, 0, 0, 0);
	cpu_halt();
}

void psci_system_off(enum psci_conduit conduit)
{
	psci_call(conduit, PSCI_SYSTEM_OFF, 0, 0, 0);
	cpu_halt();
}

void psci_system_reset(enum psci_conduit conduit)
{
	psci_call(conduit, PSCI_SYSTEM_RESET, 0, 0, 0);
	cpu_halt();
}
