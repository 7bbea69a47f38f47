// SPDX-License-Identifier: MIT
/*
 * The vmm/arch.h hooks for x86_64. Host description is complete; running
 * x86 guests (long mode, irqchip, bzImage, e820) arrives with issue 5, and
 * until then the first VM hook says so in one line.
 */
#include <errno.h>
#include <stdlib.h>

#include "arch.h"
#include "cpuinfo.h"
#include "hostinfo.h"
#include "vm.h"

static const struct arch_platform x86_platform = {
	.name = "x86_64",
	.ram_base = 0,
	.ram_max = 3ULL << 30, /* below the 32-bit MMIO hole, until issue 5 */
	.max_vcpus = 64,
	.console = { .bus = ARCH_BUS_PIO, .base = 0x3f8, .size = 8, .irq = 4 },
	.bench = { .base = 0, .size = 0, .irq = 0 }, /* none until issue 5 */
};

const struct arch_platform *arch_platform(void)
{
	return &x86_platform;
}

int arch_vm_type(int kvm_fd, uint64_t mem_size, unsigned long *type)
{
	*type = 0;
	return 0;
}

int arch_vm_init(struct vm *vm)
{
	tv_err("running x86_64 guests is not implemented yet (tinyvmm issue 5); "
	       "--host-info works");
	return -EOPNOTSUPP;
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	return -EOPNOTSUPP;
}

int arch_vm_finalize(struct vm *vm)
{
	return -EOPNOTSUPP;
}

int arch_boot_setup(struct vm *vm)
{
	return -EOPNOTSUPP;
}

int arch_machine_description(const struct vm *vm, const void **blob,
			     size_t *len)
{
	return -EOPNOTSUPP;
}

int arch_irq_set(struct vm *vm, unsigned int irq, int level)
{
	return -EOPNOTSUPP;
}

int arch_irqfd_gsi(unsigned int irq, uint32_t *gsi)
{
	return -EOPNOTSUPP; /* no irqchip until x86 guests (issue 5) */
}

int arch_vcpu_handle_exit(struct vcpu *vcpu)
{
	return -ENOSYS;
}

uint64_t arch_host_counter(void)
{
	return __builtin_ia32_rdtsc();
}

uint64_t arch_host_counter_hz(void)
{
	return 0; /* the TSC's rate is not architecturally discoverable */
}

uint64_t arch_vcpu_pc(struct vcpu *vcpu)
{
	return 0;
}

void arch_vm_destroy(struct vm *vm)
{
}

int arch_bench_guest(const void **image, size_t *len)
{
	*image = NULL;
	*len = 0;
	tv_err("--bench: no benchmark guest for x86_64 yet (issue 5)");
	return -ENOENT;
}

int arch_peer_code(const void **code, size_t *len)
{
	*code = NULL;
	*len = 0;
	tv_err("vm_switch: no peer VM code for x86_64 yet (issue 5)");
	return -EOPNOTSUPP;
}

int arch_peer_vcpu_init(int vm_fd, int vcpu_fd, uint64_t entry, uint64_t arg)
{
	(void)vm_fd, (void)vcpu_fd, (void)entry, (void)arg;
	tv_err("vm_switch: no peer VM for x86_64 yet (issue 5)");
	return -EOPNOTSUPP;
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
