// SPDX-License-Identifier: MIT
/*
 * Booting an arm64 guest the way Documentation/arch/arm64/booting.rst
 * asks: Image at a 2 MiB aligned base + text_offset, device tree in RAM,
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
#include "arch/arm64/image.h"
#include "arch/arm64/arm64_layout.h"
#include "vmm/machine/virtio_devices.h"
#include "vmm/machine/vm.h"

static int read_image_header(const struct boot_src *k,
			     struct arm64_image_header_info *info)
{
	uint8_t hdr[ARM64_IMAGE_HEADER_SIZE];
	size_t n = k->size < sizeof(hdr) ? (size_t)k->size : sizeof(hdr);
	int ret;

	if (k->size == 0) {
		tv_err("%s %s: the file is empty", k->what, k->path);
		return -ENOEXEC;
	}
	ret = boot_src_read(k, hdr, n, 0);
	if (ret)
		return ret;
	ret = arm64_image_parse(hdr, n, info);
	if (ret == -ENOEXEC)
		tv_err("%s %s: not an arm64 Linux Image (%s)", k->what, k->path,
		       n < sizeof(hdr) ? "shorter than the 64-byte header"
				       : "no \"ARM\\x64\" magic at byte 56");
	else if (ret)
		tv_err("%s %s: the arm64 Image header is inconsistent "
		       "(big-endian kernel, or text_offset/image_size invalid)",
		       k->what, k->path);
	/* Before Linux 3.17 image_size was 0: the file is all there is. */
	if (!ret && !memcmp(hdr + 16, "\0\0\0\0\0\0\0\0", 8))
		info->image_size = k->size;
	/* The header's image_size must also cover the file itself. */
	if (!ret && info->image_size < k->size) {
		tv_err("%s %s: header says %" PRIu64 " bytes but the file "
		       "has %" PRIu64,
		       k->what, k->path, info->image_size, k->size);
		ret = -EINVAL;
	}
	return ret;
}

static void report_no_room(const struct vm *vm,
			   const struct arm64_image_header_info *info,
			   const struct boot_src *kernel,
			   const struct boot_src *initrd)
{
	uint64_t mib = vm->cfg->mem_size >> 20, need;

	/* A hostile header's sum may wrap: that kernel fits nowhere either. */
	if (__builtin_add_overflow(info->text_offset, info->image_size,
				   &need) ||
	    __builtin_add_overflow(need, ARM64_DTB_MAX_SIZE + (1 << 20) - 1,
				   &need))
		tv_err("%s %s: the header asks for more memory than there is "
		       "(text_offset + image_size overflow)",
		       kernel->what, kernel->path);
	else if (need - ((1 << 20) - 1) > vm->cfg->mem_size || !initrd->path)
		tv_err("%s %s: needs %" PRIu64 " MiB with its device "
		       "tree, more than --mem %" PRIu64 "M",
		       kernel->what, kernel->path, need >> 20, mib);
	else
		tv_err("--initrd %s: %" PRIu64
		       " MiB does not fit in --mem %" PRIu64
		       "M beside the kernel",
		       initrd->path, (initrd->size + (1 << 20) - 1) >> 20, mib);
}

/* The machine the device tree describes: this VM, as laid out in RAM. */
static void
describe_machine(const struct vm *vm, const struct arm64_boot_plan *plan,
		 uint64_t *mpidrs, const struct device_desc *devices,
		 unsigned int nr_devices, struct arm64_fdt_machine *m)
{
	int v3 = vm->arch.gic_version == 3;

	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		mpidrs[i] = vm->vcpus[i].arch.mpidr;
	*m = (struct arm64_fdt_machine){
		.ram_base = ARM64_RAM_BASE,
		.ram_size = vm->cfg->mem_size,
		.nr_cpus = vm->nr_vcpus,
		.mpidrs = mpidrs,
		.gic_version = vm->arch.gic_version,
		.gicd_base = ARM64_GICD_BASE,
		.gicd_size = ARM64_GICD_SIZE,
		.gicr_base = v3 ? ARM64_GICR_BASE : ARM64_GICC_BASE,
		.gicr_size =
			v3 ? ARM64_GICR_STRIDE * vm->nr_vcpus : ARM64_GICC_SIZE,
		.has_its = vm->arch.its_fd >= 0,
		.its_base = ARM64_GITS_BASE,
		.its_size = ARM64_GITS_SIZE,
		.uart_base = ARM64_UART_BASE,
		.uart_size = ARM64_UART_SIZE,
		.uart_intid = ARM64_UART_INTID,
		.uart_clock_hz = ARM64_UART_CLOCK_HZ,
		.cmdline = vm->cfg->cmdline,
		.initrd_start = plan->initrd_addr,
		.initrd_end = plan->initrd_addr + plan->initrd_size,
		.has_pmu = vm->arch.has_pmu,
		.devices = devices,
		.nr_devices = nr_devices,
	};
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
	vm->arch.dtb = malloc(ARM64_DTB_MAX_SIZE);
	if (!vm->arch.dtb)
		return -ENOMEM;
	ret = arm64_fdt_build(&m, vm->arch.dtb, ARM64_DTB_MAX_SIZE);
	if (ret) {
		tv_errno(ret, "building the device tree%s",
			 ret == -E2BIG
				 ? " (over 2 MiB, or --bench-only too long)"
				 : "");
		return ret;
	}
	vm->arch.dtb_size = fdt_totalsize(vm->arch.dtb);
	return 0;
}

static int load_guest(struct vm *vm, const struct boot_src *kernel,
		      const struct boot_src *initrd,
		      struct arm64_boot_plan *plan)
{
	const struct vm_config *cfg = vm->cfg;
	struct arm64_image_header_info info;
	int ret = read_image_header(kernel, &info);

	if (ret)
		return ret;
	ret = arm64_boot_plan(&info, ARM64_RAM_BASE, cfg->mem_size,
			      initrd->size, plan);
	if (ret == -ENOSPC)
		report_no_room(vm, &info, kernel, initrd);
	else if (ret)
		tv_errno(ret, "planning guest RAM for %s %s", kernel->what,
			 kernel->path);
	if (!ret)
		ret = boot_src_load(&vm->mem, kernel, plan->kernel_addr);
	if (!ret && initrd->fd >= 0)
		ret = boot_src_load(&vm->mem, initrd, plan->initrd_addr);
	return ret;
}

int arch_boot_setup(struct vm *vm)
{
	struct boot_src kernel = { .fd = -1 }, initrd = { .fd = -1 };
	struct arm64_boot_plan plan = { 0 };
	int ret;

	/* Without a guest: the tree alone, for --dtb-out. */
	if (!vm_config_has_guest(vm->cfg))
		return build_dtb(vm, &plan);
	ret = boot_src_open_guest(
		&kernel, &initrd, vm->cfg->kernel_path, vm->cfg->kernel_image,
		vm->cfg->kernel_image_len, vm->cfg->initrd_path);
	if (!ret)
		ret = load_guest(vm, &kernel, &initrd, &plan);
	if (!ret)
		ret = build_dtb(vm, &plan);
	if (!ret)
		ret = guest_mem_write(&vm->mem, plan.dtb_addr, vm->arch.dtb,
				      vm->arch.dtb_size);
	if (!ret)
		ret = arm64_vcpu_set_entry(&vm->vcpus[0], plan.kernel_addr,
					   plan.dtb_addr);
	boot_src_close(&initrd);
	boot_src_close(&kernel);
	return ret;
}
