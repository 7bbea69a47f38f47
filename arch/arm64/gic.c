// SPDX-License-Identifier: MIT
/*
 * The in-kernel vGIC as a KVM device (Documentation/virt/kvm/devices/
 * arm-vgic-v3.rst, arm-vgic.rst): created before the vCPUs with its
 * addresses set, initialised once every vCPU exists. With a vGICv3 the
 * ITS (arm-vgic-its.rst) is a second device, made beside it.
 */
#include <errno.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arch/arm64/arm64.h"
#include "arch/arm64/arm64_layout.h"
#include "arch/arm64/nested.h"
#include "vmm/machine/vm.h"

int arm64_set_attr(int fd, uint32_t group, uint64_t attr, void *val)
{
	struct kvm_device_attr a = {
		.group = group,
		.attr = attr,
		.addr = (uintptr_t)val,
	};

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a) ? -errno : 0;
}

static int gic_create_device(struct vm *vm, uint32_t type, int version)
{
	struct kvm_create_device cd = { .type = type };

	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd))
		return -errno;
	vm->arch.gic_fd = (int)cd.fd;
	vm->arch.gic_version = version; /* non-zero: there is an fd to close */
	return 0;
}

static int gic_set_addresses(struct vm *vm)
{
	uint64_t dist = ARM64_GICD_BASE, redist = ARM64_GICR_BASE,
		 cpuif = ARM64_GICC_BASE;
	int fd = vm->arch.gic_fd, ret;

	if (vm->arch.gic_version == 3) {
		ret = arm64_set_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				     KVM_VGIC_V3_ADDR_TYPE_DIST, &dist);
		return ret ? ret
			   : arm64_set_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
					    KVM_VGIC_V3_ADDR_TYPE_REDIST,
					    &redist);
	}
	ret = arm64_set_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			     KVM_VGIC_V2_ADDR_TYPE_DIST, &dist);
	return ret ? ret
		   : arm64_set_attr(fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
				    KVM_VGIC_V2_ADDR_TYPE_CPU, &cpuif);
}

/* Whether this host's KVM could make an ITS: KVM_CREATE_DEVICE_TEST. */
static bool its_offered(int vm_fd)
{
	struct kvm_create_device cd = {
		.type = KVM_DEV_TYPE_ARM_VGIC_ITS,
		.flags = KVM_CREATE_DEVICE_TEST,
	};

	return ioctl(vm_fd, KVM_CREATE_DEVICE, &cd) == 0;
}

/*
 * The ITS, with a vGICv3 unless --no-its; made before the vCPUs because
 * its creation is what makes KVM's redistributors advertise LPIs
 * (GICR_TYPER.PLPIS).
 */
static int its_create(struct vm *vm)
{
	struct kvm_create_device cd = { .type = KVM_DEV_TYPE_ARM_VGIC_ITS };
	uint64_t base = ARM64_GITS_BASE;
	int ret;

	if (vm->cfg->no_its) {
		tv_info("GICv3 ITS: off (--no-its)");
		return 0;
	}
	if (vm->arch.gic_version != 3 || !its_offered(vm->vm_fd)) {
		tv_info("GICv3 ITS: none (%s)",
			vm->arch.gic_version != 3
				? "the vGIC is a v2"
				: "this host's KVM offers no ITS device");
		return 0;
	}
	if (ioctl(vm->vm_fd, KVM_CREATE_DEVICE, &cd)) {
		ret = -errno;
		tv_errno(ret, "creating the GICv3 ITS (KVM_CREATE_DEVICE)");
		return ret;
	}
	vm->arch.its_fd = (int)cd.fd;
	ret = arm64_set_attr(vm->arch.its_fd, KVM_DEV_ARM_VGIC_GRP_ADDR,
			     KVM_VGIC_ITS_ADDR_TYPE, &base);
	if (ret) {
		tv_errno(ret, "placing the GICv3 ITS at 0x%llx",
			 ARM64_GITS_BASE);
		return ret;
	}
	tv_info("GICv3 ITS: on, at 0x%llx (--no-its leaves it out)",
		ARM64_GITS_BASE);
	return 0;
}

int arm64_gic_create(struct vm *vm)
{
	int ret;

	vm->arch.its_fd = -1; /* before any failure: destroy reads it */
	ret = gic_create_device(vm, KVM_DEV_TYPE_ARM_VGIC_V3, 3);

	if (ret == -ENODEV) {
		tv_info("no vGICv3 on this host; using vGICv2");
		ret = gic_create_device(vm, KVM_DEV_TYPE_ARM_VGIC_V2, 2);
	}
	if (ret) {
		tv_errno(ret,
			 "creating the in-kernel vGIC (KVM_CREATE_DEVICE)");
		return ret;
	}
	/* KVM emulates a guest hypervisor's GIC interface only on a v3. */
	if (vm->cfg->nested != CPU_NESTED_OFF && vm->arch.gic_version != 3) {
		tv_err("--nested: this host's KVM offers only a vGICv2; a guest "
		       "hypervisor needs a vGICv3");
		return -ENOTSUP;
	}
	ret = gic_set_addresses(vm);
	if (ret) {
		tv_errno(ret, "placing the vGICv%d at 0x%llx",
			 vm->arch.gic_version, ARM64_GICD_BASE);
		return ret;
	}
	return its_create(vm);
}

/*
 * A guest hypervisor's list registers signal it through the maintenance
 * interrupt; KVM raises none until told which PPI (before the vGIC's
 * init). The device tree names the same one.
 */
static int gic_set_maint_irq(struct vm *vm)
{
	uint32_t intid = ARM64_GIC_MAINT_INTID;
	int ret;

	if (vm->cfg->nested == CPU_NESTED_OFF)
		return 0;
	ret = arm64_set_attr(vm->arch.gic_fd, KVM_DEV_ARM_VGIC_GRP_MAINT_IRQ, 0,
			     &intid);
	if (ret)
		tv_errno(ret,
			 "setting the vGIC maintenance interrupt (INTID %u)",
			 intid);
	return ret;
}

/* -v: where the GIC's frames sit, as the device tree tells the guest. */
static void gic_note_layout(const struct vm *vm)
{
	unsigned long long gicd = ARM64_GICD_BASE, gicd_size = ARM64_GICD_SIZE;

	if (vm->arch.gic_version == 3)
		tv_info("GICv3: distributor at 0x%llx (0x%llx bytes), "
			"redistributors at 0x%llx (0x%llx bytes, %u vCPUs)",
			gicd, gicd_size, (unsigned long long)ARM64_GICR_BASE,
			(unsigned long long)ARM64_GICR_STRIDE * vm->nr_vcpus,
			vm->nr_vcpus);
	else
		tv_info("GICv2: distributor at 0x%llx (0x%llx bytes), CPU "
			"interface at 0x%llx (0x%llx bytes)",
			gicd, gicd_size, (unsigned long long)ARM64_GICC_BASE,
			(unsigned long long)ARM64_GICC_SIZE);
}

int arm64_gic_finalize(struct vm *vm)
{
	uint32_t nr_irqs = ARM64_NR_IRQS;
	int ret;

	if (vm->arch.gic_version == 2 && vm->nr_vcpus > 8) {
		tv_err("--cpus %u: a GICv2 serves at most 8 vCPUs",
		       vm->nr_vcpus);
		return -EINVAL;
	}
	ret = gic_set_maint_irq(vm);
	if (ret)
		return ret;
	ret = arm64_set_attr(vm->arch.gic_fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0,
			     &nr_irqs);
	if (!ret)
		ret = arm64_set_attr(vm->arch.gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
				     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (ret) {
		tv_errno(ret, "initialising the vGICv%d for %u vCPUs",
			 vm->arch.gic_version, vm->nr_vcpus);
		return ret;
	}
	gic_note_layout(vm);
	if (vm->arch.its_fd < 0)
		return 0;
	ret = arm64_set_attr(vm->arch.its_fd, KVM_DEV_ARM_VGIC_GRP_CTRL,
			     KVM_DEV_ARM_VGIC_CTRL_INIT, NULL);
	if (ret)
		tv_errno(ret, "initialising the GICv3 ITS");
	return ret;
}

void arm64_gic_destroy(struct vm *vm)
{
	if (vm->arch.gic_version && vm->arch.its_fd >= 0)
		close(vm->arch.its_fd);
	if (vm->arch.gic_version)
		close(vm->arch.gic_fd);
	vm->arch.its_fd = -1;
	vm->arch.gic_version = 0;
}
