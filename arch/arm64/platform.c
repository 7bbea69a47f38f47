// SPDX-License-Identifier: MIT
/* The arm64 machine: memory map, VM-wide set-up, interrupts, host info. */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/base/kvm.h"
#include "vmm/machine/arch.h"
#include "arch/arm64/arm64.h"
#include "vmm/machine/hostinfo.h"
#include "arch/arm64/hostmode.h"
#include "arch/arm64/nested.h"
#include "arch/arm64/arm64_layout.h"
#include "vmm/machine/vm.h"

/* KVM's IPA default without KVM_VM_TYPE_ARM_IPA_SIZE (api.rst). */
#define ARM64_DEFAULT_IPA_BITS 40
#define ARM64_MAX_IPA_BITS 48

/* Guest RAM's 1 GiB blocks line up with 1 GiB host pages (--hugepages). */
_Static_assert(ARM64_RAM_BASE % (1ULL << 30) == 0,
	       "guest RAM must start on a 1 GiB boundary");

static const struct arch_platform arm64_platform = {
	.name = "arm64",
	.ram_base = ARM64_RAM_BASE,
	.ram_max = (1ULL << ARM64_MAX_IPA_BITS) - ARM64_RAM_BASE,
	.max_vcpus = ARM64_MAX_VCPUS,
	.cpu_features = CPU_FEATURE_BIT(CPU_FEATURE_SVE) |
			CPU_FEATURE_BIT(CPU_FEATURE_PTRAUTH) |
			CPU_FEATURE_BIT(CPU_FEATURE_PMU),
	.nested = true,
	.console = {
		.bus = ARCH_BUS_MMIO,
		.base = ARM64_UART_BASE,
		.size = ARM64_UART_SIZE,
		.irq = ARM64_UART_INTID,
	},
	.bench = {
		.base = ARM64_BENCH_BASE,
		.size = ARM64_BENCH_SIZE,
		.irq = ARM64_BENCH_INTID,
		.peer_base = ARM64_BENCH_PEER_BASE,
		.peer_size = ARM64_BENCH_PEER_SIZE,
	},
	.boot_timer = {
		.base = ARM64_BOOT_TIMER_BASE,
		.size = ARM64_BOOT_TIMER_SIZE,
	},
	.workload_mark = {
		.base = ARM64_WORKLOAD_MARK_BASE,
		.size = ARM64_WORKLOAD_MARK_SIZE,
	},
	.virtio = {
		.base = ARM64_VIRTIO_BASE,
		.slot_size = ARM64_VIRTIO_SLOT_SIZE,
		.nr_slots = ARM64_VIRTIO_SLOTS,
		.irq_base = ARM64_VIRTIO_INTID_BASE,
	},
};

const struct arch_platform *arch_platform(void)
{
	return &arm64_platform;
}

static unsigned int ipa_bits_needed(uint64_t top)
{
	unsigned int bits = ARM64_DEFAULT_IPA_BITS;

	while (bits < 64 && top > (1ULL << bits))
		bits++;
	return bits;
}

int arch_vm_type(int kvm_fd, uint64_t mem_size, unsigned long *type)
{
	unsigned int need = ipa_bits_needed(ARM64_RAM_BASE + mem_size);
	int max = kvm_check_extension(kvm_fd, KVM_CAP_ARM_VM_IPA_SIZE);

	*type = 0;
	if (need == ARM64_DEFAULT_IPA_BITS)
		return 0;
	if (max <= 0 || need > (unsigned int)max) {
		tv_err("--mem %" PRIu64
		       "M: guest RAM would end at 2^%u, beyond "
		       "this host's %d-bit guest physical address space",
		       mem_size >> 20, need,
		       max > 0 ? max : ARM64_DEFAULT_IPA_BITS);
		return -EINVAL;
	}
	*type = KVM_VM_TYPE_ARM_IPA_SIZE(need);
	return 0;
}

/* A guest MMIO access KVM cannot decode reaches us as an exit, not -ENOSYS. */
static void enable_nisv_exits(struct vm *vm)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_ARM_NISV_TO_USER };

	if (kvm_has_cap(vm->vm_fd, KVM_CAP_ARM_NISV_TO_USER) &&
	    ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap))
		tv_info("KVM_CAP_ARM_NISV_TO_USER refused; undecodable MMIO "
			"will fail KVM_RUN instead");
}

/* The capability that offers each feature, for the refusal line. */
static const char *const feature_caps[CPU_FEATURE_COUNT] = {
	[CPU_FEATURE_SVE] = "KVM_CAP_ARM_SVE",
	[CPU_FEATURE_PTRAUTH] =
		"KVM_CAP_ARM_PTRAUTH_ADDRESS and KVM_CAP_ARM_PTRAUTH_GENERIC",
	[CPU_FEATURE_PMU] = "KVM_CAP_ARM_PMU_V3",
};

/*
 * Each feature on when the VM's KVM offers it, unless --no-X; an --X=on
 * KVM lacks fails here, before any vCPU exists.
 */
static int select_cpu_features(struct vm *vm)
{
	int fd = vm->vm_fd;
	const bool offered[CPU_FEATURE_COUNT] = {
		[CPU_FEATURE_SVE] = kvm_has_cap(fd, KVM_CAP_ARM_SVE),
		/* KVM takes both halves or neither (api.rst). */
		[CPU_FEATURE_PTRAUTH] =
			kvm_has_cap(fd, KVM_CAP_ARM_PTRAUTH_ADDRESS) &&
			kvm_has_cap(fd, KVM_CAP_ARM_PTRAUTH_GENERIC),
		[CPU_FEATURE_PMU] = kvm_has_cap(fd, KVM_CAP_ARM_PMU_V3),
	};
	struct cpu_features *f = &vm->cpu_features;
	enum cpu_feature missing;

	if (cpu_features_select(&vm->cfg->cpu, offered, f->on, &missing)) {
		tv_err("--%s=on: this host's KVM lacks %s",
		       cpu_feature_name(missing), feature_caps[missing]);
		return -ENOTSUP;
	}
	f->valid = true;
	vm->arch.has_pmu = f->on[CPU_FEATURE_PMU];
	if (!offered[CPU_FEATURE_PMU])
		tv_info("no KVM_CAP_ARM_PMU_V3: guests count time with CNTVCT");
	return 0;
}

int arch_vm_init(struct vm *vm)
{
	int ret = vm_require_cap(vm, KVM_CAP_ARM_PSCI_0_2, "PSCI 0.2");

	if (!ret)
		ret = vm_require_cap(vm, KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG");
	if (ret)
		return ret;
	enable_nisv_exits(vm);
	ret = arm64_nested_check(vm);
	if (!ret)
		ret = select_cpu_features(vm);
	return ret ? ret : arm64_gic_create(vm);
}

int arch_vm_finalize(struct vm *vm)
{
	int ret = arm64_gic_finalize(vm);
	char line[96];

	/* Complete now: every vCPU has read its SVE vector lengths. */
	cpu_features_format(&vm->cpu_features, line, sizeof(line));
	tv_info("cpu features: %s", line);

	for (unsigned int i = 0; !ret && vm->arch.has_pmu && i < vm->nr_vcpus;
	     i++)
		ret = arm64_vcpu_pmu_init(&vm->vcpus[i]);
	return ret;
}

int arch_irq_set(struct vm *vm, unsigned int irq, int level)
{
	struct kvm_irq_level line = {
		.irq = (KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT) | irq,
		.level = level,
	};

	if (irq < ARM64_SPI_BASE || irq >= ARM64_NR_IRQS)
		return -EINVAL;
	return ioctl(vm->vm_fd, KVM_IRQ_LINE, &line) ? -errno : 0;
}

/*
 * The vGIC's default routing maps irqfd gsi N to irqchip pin N, and the
 * kernel's vgic-irqfd.c adds the 32 private interrupts to a pin to get
 * the SPI's INTID: gsi = INTID - 32.
 */
int arch_irqfd_gsi(unsigned int irq, uint32_t *gsi)
{
	if (irq < ARM64_SPI_BASE || irq >= ARM64_NR_IRQS)
		return -EINVAL;
	*gsi = irq - ARM64_SPI_BASE;
	return 0;
}

uint64_t arch_host_counter(void)
{
	uint64_t v;

	/* The isb keeps the read from being taken before earlier work. */
	asm volatile("isb; mrs %0, cntvct_el0" : "=r"(v) : : "memory");
	return v;
}

uint64_t arch_host_counter_hz(void)
{
	uint64_t hz;

	asm volatile("mrs %0, cntfrq_el0" : "=r"(hz));
	return hz;
}

int arch_machine_description(const struct vm *vm, const void **blob,
			     size_t *len)
{
	if (!vm->arch.dtb)
		return -ENODATA;
	*blob = vm->arch.dtb;
	*len = vm->arch.dtb_size;
	return 0;
}

int arch_vm_its(const struct vm *vm)
{
	return vm->arch.its_fd >= 0;
}

void arch_vm_destroy(struct vm *vm)
{
	free(vm->arch.dtb);
	vm->arch.dtb = NULL;
	arm64_gic_destroy(vm);
}
