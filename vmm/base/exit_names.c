// SPDX-License-Identifier: MIT
#include <linux/kvm.h>
#include <stddef.h>

#include "vmm/base/exit_names.h"

#define EXIT_NAME(x) [KVM_EXIT_##x] = "KVM_EXIT_" #x

/* Only reasons every linux-libc-dev since 5.10 defines, on every arch. */
static const char *const exit_names[] = {
	EXIT_NAME(UNKNOWN),
	EXIT_NAME(EXCEPTION),
	EXIT_NAME(IO),
	EXIT_NAME(HYPERCALL),
	EXIT_NAME(DEBUG),
	EXIT_NAME(HLT),
	EXIT_NAME(MMIO),
	EXIT_NAME(IRQ_WINDOW_OPEN),
	EXIT_NAME(SHUTDOWN),
	EXIT_NAME(FAIL_ENTRY),
	EXIT_NAME(INTR),
	EXIT_NAME(SET_TPR),
	EXIT_NAME(TPR_ACCESS),
	EXIT_NAME(S390_SIEIC),
	EXIT_NAME(S390_RESET),
	EXIT_NAME(DCR),
	EXIT_NAME(NMI),
	EXIT_NAME(INTERNAL_ERROR),
	EXIT_NAME(OSI),
	EXIT_NAME(PAPR_HCALL),
	EXIT_NAME(S390_UCONTROL),
	EXIT_NAME(WATCHDOG),
	EXIT_NAME(S390_TSCH),
	EXIT_NAME(EPR),
	EXIT_NAME(SYSTEM_EVENT),
	EXIT_NAME(S390_STSI),
	EXIT_NAME(IOAPIC_EOI),
	EXIT_NAME(HYPERV),
	EXIT_NAME(ARM_NISV),
	EXIT_NAME(X86_RDMSR),
	EXIT_NAME(X86_WRMSR),
};

const char *kvm_exit_name(uint32_t reason)
{
	if (reason < sizeof(exit_names) / sizeof(exit_names[0]) &&
	    exit_names[reason])
		return exit_names[reason];
	return "KVM_EXIT_?";
}
