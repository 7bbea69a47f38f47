// SPDX-License-Identifier: MIT
/*
 * Booting an arm64 guest the way Documentation/arch/arm64/booting.rst
 * asks: the kernel in RAM (kernel_load.h: an Image at a 2 MiB aligned
 * base + text_offset, or a gzip'd, ELF or raw one), device tree in RAM,
 * x0 = its address, MMU off, EL1, interrupts masked.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "vmm/machine/arch.h"
#include "arch/arm64/arm64.h"
#include "vmm/base/boot_src.h"
#include "arch/arm64/fdt_builder.h"
#include "arch/arm64/kernel_load.h"
#include "arch/arm64/arm64_layout.h"
#include "vmm/machine/virtio_devices.h"
#include "vmm/machine/vm.h"

/*
 * What a machine of @cfg with @nr_cpus vCPUs and a GICv@gic_version shows
 * the guest, whether KVM was asked (describe_machine()) or not
 * (arch_machine_description_offline()); ITS, PMU and initrd are the
 * caller's.
 */
static void machine_common(const struct vm_config *cfg, unsigned int nr_cpus,
			   int gic_version, const uint64_t *mpidrs,
			   const struct device_desc *devices,
			   unsigned int nr_devices, struct arm64_fdt_machine *m)
{
	int v3 = gic_version == 3;

	*m = (struct arm64_fdt_machine){
		.ram_base = ARM64_RAM_BASE,
		.ram_size = cfg->mem_size,
		.nr_cpus = nr_cpus,
		.mpidrs = mpidrs,
		.gic_version = gic_version,
		.gicd_base = ARM64_GICD_BASE,
		.gicd_size = ARM64_GICD_SIZE,
		.gicr_base = v3 ? ARM64_GICR_BASE : ARM64_GICC_BASE,
		.gicr_size = v3 ? ARM64_GICR_STRIDE * nr_cpus : ARM64_GICC_SIZE,
		.its_base = ARM64_GITS_BASE,
		.its_size = ARM64_GITS_SIZE,
		.uart_base = ARM64_UART_BASE,
		.uart_size = ARM64_UART_SIZE,
		.uart_intid = ARM64_UART_INTID,
		.uart_clock_hz = ARM64_UART_CLOCK_HZ,
		.cmdline = cfg->cmdline,
		.nested = cfg->nested != CPU_NESTED_OFF,
		.devices = devices,
		.nr_devices = nr_devices,
	};
}

/* The machine the device tree describes: this VM, as laid out in RAM. */
static void
describe_machine(const struct vm *vm, const struct arm64_boot_plan *plan,
		 uint64_t *mpidrs, const struct device_desc *devices,
		 unsigned int nr_devices, struct arm64_fdt_machine *m)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		mpidrs[i] = vm->vcpus[i].arch.mpidr;
	machine_common(vm->cfg, vm->nr_vcpus, vm->arch.gic_version, mpidrs,
		       devices, nr_devices, m);
	m->has_its = vm->arch.its_fd >= 0;
	m->has_pmu = vm->arch.has_pmu;
	m->initrd_start = plan->initrd_addr;
	m->initrd_end = plan->initrd_addr + plan->initrd_size;
}

/* The tree of @m in a new ARM64_DTB_MAX_SIZE buffer; 0 or -errno, said. */
static int build_tree(const struct arm64_fdt_machine *m, void **tree,
		      size_t *size)
{
	int ret = -ENOMEM;

	*tree = malloc(ARM64_DTB_MAX_SIZE);
	if (*tree)
		ret = arm64_fdt_build(m, *tree, ARM64_DTB_MAX_SIZE);
	if (ret) {
		tv_errno(ret, "building the device tree%s",
			 ret == -E2BIG
				 ? " (over 2 MiB, or --bench-only too long)"
				 : "");
		free(*tree);
		*tree = NULL;
		return ret;
	}
	*size = fdt_totalsize(*tree);
	return 0;
}

static int build_dtb(struct vm *vm, const struct arm64_boot_plan *plan)
{
	uint64_t mpidrs[ARM64_MAX_VCPUS];
	struct device_desc devices[VM_MAX_DEVICES + ARM64_VIRTIO_SLOTS];
	struct arm64_fdt_machine m;
	int ret = vm_describe_devices(vm, devices,
				      sizeof(devices) / sizeof(devices[0]));

	if (ret < 0) {
		tv_errno(ret, "describing the devices for the device tree");
		return ret;
	}
	describe_machine(vm, plan, mpidrs, devices, (unsigned int)ret, &m);
	return build_tree(&m, &vm->arch.dtb, &vm->arch.dtb_size);
}

/*
 * KVM's reset MPIDR_EL1 for vCPU @id (arch/arm64/kvm/sys_regs.c,
 * reset_mpidr()): Aff0 the low 4 bits, Aff1 the next 8, Aff2 the next 8,
 * bit 31 (RES1) set. What vcpu.c reads back from KVM on a real VM.
 */
static uint64_t kvm_default_mpidr(unsigned int id)
{
	return (1ULL << 31) | (uint64_t)(id & 0xf) |
	       (uint64_t)((id >> 4) & 0xff) << 8 |
	       (uint64_t)((id >> 12) & 0xff) << 16;
}

int arch_machine_description_offline(const struct vm_config *cfg,
				     const struct device_desc *devices,
				     unsigned int nr, void **blob, size_t *len)
{
	uint64_t mpidrs[ARM64_MAX_VCPUS];
	struct arm64_fdt_machine m;

	if (cfg->nr_cpus > ARM64_MAX_VCPUS) {
		tv_err("--cpus %u: the memory map has room for %d",
		       cfg->nr_cpus, ARM64_MAX_VCPUS);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < cfg->nr_cpus; i++)
		mpidrs[i] = kvm_default_mpidr(i);
	/* The defaults: what KVM offers on a GICv3 host with a PMU. */
	machine_common(cfg, cfg->nr_cpus, 3, mpidrs, devices, nr, &m);
	m.has_its = !cfg->no_its;
	m.has_pmu = cfg->cpu.req[CPU_FEATURE_PMU] != CPU_FEATURE_OFF;
	return build_tree(&m, blob, len);
}

/* -v: where the guest's pieces went in guest-physical memory. */
static void note_layout(const struct vm *vm, const struct boot_src *kernel,
			const struct arm64_kernel_load *load)
{
	const struct arm64_boot_plan *p = &load->plan;

	tv_info("kernel: %s%s %s at 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64
		" bytes with its image_size), entry 0x%" PRIx64,
		arm64_kernel_format_name(load->format),
		load->gzipped ? " (gunzipped)" : "", kernel->path,
		p->kernel_addr, p->kernel_end, p->kernel_end - p->kernel_addr,
		load->entry);
	if (p->initrd_size)
		tv_info("initrd: %s at 0x%" PRIx64 "-0x%" PRIx64 " (%" PRIu64
			" bytes)",
			vm->cfg->initrd_path, p->initrd_addr,
			p->initrd_addr + p->initrd_size, p->initrd_size);
	tv_info("device tree: at 0x%" PRIx64 " (%zu bytes of the %" PRIu64
		" reserved)",
		p->dtb_addr, vm->arch.dtb_size, (uint64_t)ARM64_DTB_MAX_SIZE);
}

int arch_boot_setup(struct vm *vm)
{
	struct boot_src kernel = { .fd = -1 }, initrd = { .fd = -1 };
	struct arm64_kernel_load load = { 0 };
	int ret;

	/* Without a guest: the tree alone, for --dtb-out. */
	if (!vm_config_has_guest(vm->cfg))
		return build_dtb(vm, &load.plan);
	ret = boot_src_open_guest(
		&kernel, &initrd, vm->cfg->kernel_path, vm->cfg->kernel_image,
		vm->cfg->kernel_image_len, vm->cfg->initrd_path);
	if (!ret)
		ret = arm64_kernel_load(&vm->mem, ARM64_RAM_BASE,
					vm->cfg->mem_size, &kernel, &initrd,
					&load);
	if (!ret)
		ret = build_dtb(vm, &load.plan);
	if (!ret)
		ret = guest_mem_write(&vm->mem, load.plan.dtb_addr,
				      vm->arch.dtb, vm->arch.dtb_size);
	if (!ret)
		ret = arm64_vcpu_set_entry(&vm->vcpus[0], load.entry,
					   load.plan.dtb_addr);
	if (!ret)
		note_layout(vm, &kernel, &load);
	boot_src_close(&initrd);
	boot_src_close(&kernel);
	return ret;
}
