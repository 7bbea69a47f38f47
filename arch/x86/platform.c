// SPDX-License-Identifier: MIT
/* The x86_64 machine: memory map, VM-wide set-up, host info. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/base/kvm.h"
#include "vmm/machine/arch.h"
#include "arch/x86/cpuinfo.h"
#include "vmm/machine/hostinfo.h"
#include "arch/x86/x86_layout.h"
#include "vmm/machine/vm.h"
#include "arch/x86/x86.h"

/* An 8250-compatible UART's 8 registers (the console). */
#define X86_UART_PORTS 8
/* The memory map holds any count; the bench guest's device tree (one
 * page, X86_BENCH_DTB_MAX) and sane topology numbers stop here. */
#define X86_MAX_VCPUS 64

static const struct arch_platform x86_platform = {
	.name = "x86_64",
	.ram_base = 0,
	.ram_max = X86_RAM_MAX,
	.max_vcpus = X86_MAX_VCPUS,
	.console = {
		.bus = ARCH_BUS_PIO,
		.base = X86_COM1_PORT,
		.size = X86_UART_PORTS,
		.irq = X86_UART_GSI,
	},
	.bench = {
		.base = X86_BENCH_BASE,
		.size = X86_BENCH_SIZE,
		.irq = X86_BENCH_GSI,
		.peer_base = X86_BENCH_PEER_BASE,
		.peer_size = X86_BENCH_PEER_SIZE,
	},
	.boot_timer = {
		.base = X86_BOOT_TIMER_BASE,
		.size = X86_BOOT_TIMER_SIZE,
	},
	.workload_mark = {
		.base = X86_WORKLOAD_MARK_BASE,
		.size = X86_WORKLOAD_MARK_SIZE,
	},
	.virtio = {
		.base = X86_VIRTIO_BASE,
		.slot_size = X86_VIRTIO_SLOT_SIZE,
		.nr_slots = X86_VIRTIO_SLOTS,
		.irq_base = X86_VIRTIO_GSI_BASE,
	},
};

_Static_assert(X86_VIRTIO_GSI_BASE + X86_VIRTIO_SLOTS <= X86_NR_GSIS,
	       "every virtio slot needs an IOAPIC pin");

const struct arch_platform *arch_platform(void)
{
	return &x86_platform;
}

int arch_vm_type(int kvm_fd, uint64_t mem_size, unsigned long *type)
{
	*type = 0; /* KVM_X86_DEFAULT_VM */
	return 0;
}

int arch_vm_init(struct vm *vm)
{
	int ret = vm_require_cap(vm, KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP");

	if (!ret)
		ret = vm_require_cap(vm, KVM_CAP_PIT2, "KVM_CAP_PIT2");
	if (!ret)
		ret = vm_require_cap(vm, KVM_CAP_EXT_CPUID,
				     "KVM_CAP_EXT_CPUID");
	if (ret)
		return ret;
	ret = x86_supported_cpuid(vm->kvm_fd, &vm->arch.cpuid,
				  &vm->arch.cpuid_max);
	if (ret) {
		tv_errno(ret, "KVM_GET_SUPPORTED_CPUID");
		return ret;
	}
	vm->arch.tsc_deadline =
		kvm_has_cap(vm->vm_fd, KVM_CAP_TSC_DEADLINE_TIMER);
	return x86_irqchip_create(vm);
}

int arch_vm_finalize(struct vm *vm)
{
	return x86_pio_create(vm);
}

int arch_machine_description(const struct vm *vm, const void **blob,
			     size_t *len)
{
	/* Linux guests read ACPI; only flat guests get a device tree. */
	if (!vm->arch.dtb)
		return -EOPNOTSUPP;
	*blob = vm->arch.dtb;
	*len = vm->arch.dtb_size;
	return 0;
}

uint64_t arch_host_counter(void)
{
	return __builtin_ia32_rdtsc();
}

uint64_t arch_host_counter_hz(void)
{
	return 0; /* the TSC's rate is not architecturally discoverable */
}

void arch_vm_destroy(struct vm *vm)
{
	free(vm->arch.dtb);
	vm->arch.dtb = NULL;
	free(vm->arch.cpuid);
	vm->arch.cpuid = NULL;
}

void arch_host_info(struct host_info *info)
{
	char *cpuinfo = host_read_text_file("/proc/cpuinfo");
	const char *ext = x86_cpuinfo_virt_extension(cpuinfo);

	x86_cpuinfo_model(cpuinfo, info->cpu, sizeof(info->cpu));
	snprintf(info->kvm_mode, sizeof(info->kvm_mode), "%s",
		 ext ? ext : "none (no svm/vmx flag)");
	host_info_add_evidence(info, "/proc/cpuinfo flags: %s",
			       ext ? (ext[0] == 'A' ? "svm" : "vmx")
				   : "neither svm nor vmx");
	free(cpuinfo);
}

/* No GICv3 ITS on x86; MSIs there go through the LAPIC. */
int arch_vm_its(const struct vm *vm)
{
	(void)vm;
	return -1;
}

/*
 * A hypervisor's CPUID leaf 0x40000000 names it in EBX, ECX, EDX: QEMU's
 * TCG says "TCGTCGTCGTCG" (KVM would say "KVMKVMKVM\0\0\0").
 */
const char *arch_host_software_cpu(void)
{
	uint32_t eax = 0x40000000, regs[3];
	char sig[sizeof(regs) + 1] = "";

	/* (the compiler's <cpuid.h> is shadowed by arch/x86/cpuid.h) */
	asm volatile("cpuid"
		     : "+a"(eax), "=b"(regs[0]), "=c"(regs[1]), "=d"(regs[2]));
	memcpy(sig, regs, sizeof(regs));
	if (strcmp(sig, "TCGTCGTCGTCG"))
		return NULL;
	return "CPUID 0x40000000: hypervisor TCGTCGTCGTCG (software: QEMU TCG)";
}
