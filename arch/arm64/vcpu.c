// SPDX-License-Identifier: MIT
/* arm64 vCPUs: KVM_ARM_VCPU_INIT with PSCI, registers, arch exits. */
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include "vmm/machine/arch.h"
#include "arch/arm64/arm64.h"
#include "arch/arm64/fdt_builder.h"
#include "arch/arm64/nested.h"
#include "arch/arm64/sve_vls.h"
#include "vmm/machine/vm.h"

#define CORE_REG(name)                                         \
	(KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | \
	 (offsetof(struct kvm_regs, name) / sizeof(uint32_t)))
#define REG_PC CORE_REG(regs.pc)
#define REG_PSTATE CORE_REG(regs.pstate)
#define REG_X(n) CORE_REG(regs.regs[n])
#define REG_MPIDR_EL1 ARM64_SYS_REG(3, 0, 0, 0, 5)

/* EL1 with its own stack pointer, all of D, A, I, F masked (booting.rst). */
#define BOOT_PSTATE \
	(PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT)
/* A guest hypervisor's (--nested): booting.rst lets a kernel enter at EL2,
 * which it needs to run KVM itself. */
#define BOOT_PSTATE_EL2 \
	(PSR_MODE_EL2h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT)

static int reg_access(int vcpu_fd, unsigned long req, uint64_t id,
		      uint64_t *val)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uintptr_t)val };

	return ioctl(vcpu_fd, req, &reg) ? -errno : 0;
}

int arm64_reg_get(struct vcpu *vcpu, uint64_t id, uint64_t *val)
{
	return reg_access(vcpu->fd, KVM_GET_ONE_REG, id, val);
}

int arm64_reg_set(struct vcpu *vcpu, uint64_t id, uint64_t val)
{
	return reg_access(vcpu->fd, KVM_SET_ONE_REG, id, &val);
}

/* booting.rst's entry state: @x0 in x0, x1-x3 zero, @pstate. */
static int set_entry(int vcpu_fd, uint64_t pstate, uint64_t entry, uint64_t x0)
{
	uint64_t val = pstate;
	int ret = reg_access(vcpu_fd, KVM_SET_ONE_REG, REG_PSTATE, &val);

	for (unsigned int i = 0; !ret && i < 4; i++) {
		val = i == 0 ? x0 : 0;
		ret = reg_access(vcpu_fd, KVM_SET_ONE_REG, REG_X(i), &val);
	}
	if (!ret)
		ret = reg_access(vcpu_fd, KVM_SET_ONE_REG, REG_PC, &entry);
	return ret;
}

int arm64_fd_set_entry(int vcpu_fd, uint64_t entry, uint64_t x0)
{
	return set_entry(vcpu_fd, BOOT_PSTATE, entry, x0);
}

_Static_assert(ARM64_SVE_VLS_WORDS == KVM_ARM64_SVE_VLS_WORDS,
	       "sve_vls.h's bitmap is KVM's");

/* KVM_ARM_VCPU_INIT's feature bits for the VM's CPU feature choice. */
static uint32_t vcpu_feature_bits(const struct vcpu *vcpu)
{
	const bool *on = vcpu->vm->cpu_features.on;
	uint32_t bits = 1U << KVM_ARM_VCPU_PSCI_0_2;

	/* A PMU lets guests count cycles (the benchmarks' first choice). */
	if (on[CPU_FEATURE_PMU])
		bits |= 1U << KVM_ARM_VCPU_PMU_V3;
	if (on[CPU_FEATURE_SVE])
		bits |= 1U << KVM_ARM_VCPU_SVE;
	/* KVM takes both halves of pointer authentication or neither. */
	if (on[CPU_FEATURE_PTRAUTH])
		bits |= 1U << KVM_ARM_VCPU_PTRAUTH_ADDRESS |
			1U << KVM_ARM_VCPU_PTRAUTH_GENERIC;
	/* A guest EL2 (--nested); the reset state then is EL2h, which
	 * CPU_ON gives the secondaries too (KVM's kvm_reset_vcpu()). */
	bits |= arm64_nested_vcpu_features(vcpu->vm->cfg->nested);
	/* Secondaries wait, powered off, for the guest's PSCI CPU_ON. */
	if (vcpu->id > 0)
		bits |= 1U << KVM_ARM_VCPU_POWER_OFF;
	return bits;
}

/*
 * After KVM_ARM_VCPU_INIT with SVE (api.rst): KVM_REG_ARM64_SVE_VLS holds
 * the best set of vector lengths the host has, which the guest keeps; it
 * is read for the record, then KVM_ARM_VCPU_FINALIZE fixes it. KVM_RUN
 * and the SVE registers are refused until then.
 */
static int vcpu_sve_finalize(struct vcpu *vcpu)
{
	uint64_t vls[ARM64_SVE_VLS_WORDS] = { 0 };
	int what = KVM_ARM_VCPU_SVE, err;
	unsigned int vq;

	err = reg_access(vcpu->fd, KVM_GET_ONE_REG, KVM_REG_ARM64_SVE_VLS, vls);
	if (err) {
		tv_errno(err, "reading the SVE vector lengths of vCPU %u",
			 vcpu->id);
		return err;
	}
	vq = arm64_sve_vls_max_vq(vls);
	if (!vq) {
		tv_err("vCPU %u: KVM offers SVE with no vector length",
		       vcpu->id);
		return -EINVAL;
	}
	vcpu->vm->cpu_features.sve_max_vl_bits = vq * ARM64_SVE_VQ_BITS;
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_FINALIZE, &what)) {
		err = -errno;
		tv_errno(err, "KVM_ARM_VCPU_FINALIZE(SVE) of vCPU %u",
			 vcpu->id);
	}
	return err;
}

int arch_vcpu_init(struct vcpu *vcpu)
{
	struct kvm_vcpu_init init;
	int ret;

	if (ioctl(vcpu->vm->vm_fd, KVM_ARM_PREFERRED_TARGET, &init)) {
		tv_errno(errno, "KVM_ARM_PREFERRED_TARGET");
		return -errno;
	}
	init.features[0] |= vcpu_feature_bits(vcpu);
	if (ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init)) {
		tv_errno(errno, "KVM_ARM_VCPU_INIT of vCPU %u (target %u)",
			 vcpu->id, init.target);
		return -errno;
	}
	if (vcpu->vm->cpu_features.on[CPU_FEATURE_SVE]) {
		ret = vcpu_sve_finalize(vcpu);
		if (ret)
			return ret;
	}
	ret = arm64_reg_get(vcpu, REG_MPIDR_EL1, &vcpu->arch.mpidr);
	if (ret)
		tv_errno(ret, "reading MPIDR_EL1 of vCPU %u", vcpu->id);
	/* Only the affinity fields name a CPU in the device tree. */
	vcpu->arch.mpidr &= 0xff00ffffffULL;
	return ret;
}

int arm64_vcpu_set_entry(struct vcpu *vcpu, uint64_t entry, uint64_t x0)
{
	int ret = set_entry(vcpu->fd,
			    vcpu->vm->cfg->nested != CPU_NESTED_OFF
				    ? BOOT_PSTATE_EL2
				    : BOOT_PSTATE,
			    entry, x0);

	if (ret)
		tv_errno(ret, "setting the boot registers of vCPU %u",
			 vcpu->id);
	return ret;
}

/* After the vGIC is initialised (api.rst, KVM_ARM_VCPU_PMU_V3_CTRL). */
int arm64_vcpu_pmu_init(struct vcpu *vcpu)
{
	int irq = ARM64_PMU_INTID;
	int ret = arm64_set_attr(vcpu->fd, KVM_ARM_VCPU_PMU_V3_CTRL,
				 KVM_ARM_VCPU_PMU_V3_IRQ, &irq);

	if (!ret)
		ret = arm64_set_attr(vcpu->fd, KVM_ARM_VCPU_PMU_V3_CTRL,
				     KVM_ARM_VCPU_PMU_V3_INIT, NULL);
	if (ret)
		tv_errno(ret, "initialising the PMU of vCPU %u", vcpu->id);
	return ret;
}

uint64_t arch_vcpu_pc(struct vcpu *vcpu)
{
	uint64_t pc = 0;

	return arm64_reg_get(vcpu, REG_PC, &pc) ? 0 : pc;
}

/*
 * KVM_EXIT_ARM_NISV: a data abort on MMIO that KVM cannot decode (no valid
 * syndrome: e.g. a load/store pair or writeback). The guest's access is
 * lost, so the guest is broken: stop with the address.
 */
static int arm64_handle_nisv(struct vcpu *vcpu)
{
	tv_err("vCPU %u: MMIO access at 0x%llx that KVM cannot decode (no "
	       "instruction syndrome; use plain ldr/str) at pc 0x%" PRIx64,
	       vcpu->id, (unsigned long long)vcpu->run->arm_nisv.fault_ipa,
	       arch_vcpu_pc(vcpu));
	return -EFAULT;
}

int arch_vcpu_handle_exit(struct vcpu *vcpu)
{
	switch (vcpu->run->exit_reason) {
	case KVM_EXIT_ARM_NISV:
		return arm64_handle_nisv(vcpu);
	default:
		return -ENOSYS;
	}
}
