// SPDX-License-Identifier: MIT
/* --host-info on arm64: the CPU (MIDR fields) and the KVM mode. */
#include <errno.h>
#include <linux/kvm.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vmm/base/cpu_features.h"
#include "vmm/base/kvm.h"
#include "vmm/machine/arch.h"
#include "vmm/machine/hostinfo.h"
#include "arch/arm64/hostmode.h"
#include "arch/arm64/nested.h"

/* The value after "key<spaces>: " on the first line starting with @key. */
static void cpuinfo_field(const char *cpuinfo, const char *key, char *out,
			  size_t size)
{
	const char *line = cpuinfo;
	size_t klen = strlen(key);

	snprintf(out, size, "?");
	while (line && *line) {
		const char *end = strchr(line, '\n');
		const char *colon = strchr(line, ':');

		if (!strncmp(line, key, klen) && colon &&
		    (!end || colon < end)) {
			colon += 1 + (colon[1] == ' ');
			snprintf(out, size, "%.*s",
				 (int)(end ? end - colon : (long)strlen(colon)),
				 colon);
			return;
		}
		line = end ? end + 1 : NULL;
	}
}

static unsigned int cpuinfo_count(const char *cpuinfo)
{
	unsigned int n = 0;

	for (const char *p = cpuinfo; p && (p = strstr(p, "processor")); p++)
		if (p == cpuinfo || p[-1] == '\n')
			n++;
	return n;
}

static void describe_cpu(struct host_info *info)
{
	char *cpuinfo = host_read_text_file("/proc/cpuinfo");
	char impl[16], part[16];

	if (!cpuinfo) {
		snprintf(info->cpu, sizeof(info->cpu),
			 "unknown (/proc/cpuinfo: %s)", strerror(errno));
		return;
	}
	cpuinfo_field(cpuinfo, "CPU implementer", impl, sizeof(impl));
	cpuinfo_field(cpuinfo, "CPU part", part, sizeof(part));
	snprintf(info->cpu, sizeof(info->cpu),
		 "%u x MIDR implementer %s part %s", cpuinfo_count(cpuinfo),
		 impl, part);
	free(cpuinfo);
}

static void describe_kvm_mode(struct host_info *info)
{
	char *kmsg = host_read_kernel_log();
	int kmsg_errno = errno;
	char *cmdline = host_read_text_file("/proc/cmdline");
	struct arm64_kvm_mode_verdict v;

	arm64_kvm_mode_judge(kmsg, cmdline, &v);
	snprintf(info->kvm_mode, sizeof(info->kvm_mode), "%s",
		 arm64_kvm_mode_name(v.mode));
	if (!kmsg)
		host_info_add_evidence(info, "kernel log: unreadable (%s)",
				       strerror(kmsg_errno));
	else if (v.log_evidence[0])
		host_info_add_evidence(info, "kernel log: \"%s\"",
				       v.log_evidence);
	else
		host_info_add_evidence(info, "kernel log: no KVM init line");
	if (v.cmdline_mode[0])
		host_info_add_evidence(info, "/proc/cmdline: kvm-arm.mode=%s",
				       v.cmdline_mode);
	else
		host_info_add_evidence(info, "/proc/cmdline: no kvm-arm.mode=");
	/* Only when present: it decides hVHE, and most hosts never set it. */
	if (v.cmdline_hvhe[0])
		host_info_add_evidence(info, "/proc/cmdline: arm64_sw.hvhe=%s",
				       v.cmdline_hvhe);
	free(kmsg);
	free(cmdline);
}

/* KVM_CREATE_DEVICE_TEST: whether KVM could make a device of @type. */
static bool device_offered(int vm_fd, uint32_t type)
{
	struct kvm_create_device cd = { .type = type,
					.flags = KVM_CREATE_DEVICE_TEST };

	return ioctl(vm_fd, KVM_CREATE_DEVICE, &cd) == 0;
}

/*
 * Which vGIC and whether an ITS: what a VM would get (tinyvmm turns the
 * ITS on where it is offered, unless --no-its). Asks a scratch VM.
 */
static void describe_irqchip(struct host_info *info)
{
	int kvm_fd, vm_fd, ret = kvm_open_dev(KVM_DEV_PATH, &kvm_fd);
	bool v3, its;

	if (ret)
		return; /* the kvm: line already says why */
	ret = kvm_create_vm(kvm_fd, 0, &vm_fd);
	close(kvm_fd);
	if (ret) {
		snprintf(info->irqchip, sizeof(info->irqchip),
			 "unknown (KVM_CREATE_VM: %s)", strerror(-ret));
		return;
	}
	v3 = device_offered(vm_fd, KVM_DEV_TYPE_ARM_VGIC_V3);
	its = v3 && device_offered(vm_fd, KVM_DEV_TYPE_ARM_VGIC_ITS);
	close(vm_fd);
	snprintf(info->irqchip, sizeof(info->irqchip), "%s, %s",
		 v3 ? "vGICv3" : "vGICv2 (no vGICv3)",
		 its ? "ITS offered (on unless --no-its)" : "no ITS");
}

/*
 * What /dev/kvm offers, as select_cpu_features() (platform.c) reads it
 * per VM; a VM may be offered less (pKVM's protected VMs), never more.
 */
static void describe_cpu_features(struct host_info *info)
{
	static const long caps[CPU_FEATURE_COUNT][2] = {
		[CPU_FEATURE_SVE] = { KVM_CAP_ARM_SVE, KVM_CAP_ARM_SVE },
		[CPU_FEATURE_PTRAUTH] = { KVM_CAP_ARM_PTRAUTH_ADDRESS,
					  KVM_CAP_ARM_PTRAUTH_GENERIC },
		[CPU_FEATURE_PMU] = { KVM_CAP_ARM_PMU_V3, KVM_CAP_ARM_PMU_V3 },
	};
	size_t used = 0;
	int fd;

	if (!info->kvm_usable || kvm_open_dev(KVM_DEV_PATH, &fd))
		return;
	for (unsigned int i = 0; i < CPU_FEATURE_COUNT; i++) {
		if (!kvm_has_cap(fd, caps[i][0]) ||
		    !kvm_has_cap(fd, caps[i][1]))
			continue;
		used += (size_t)snprintf(info->cpu_features + used,
					 sizeof(info->cpu_features) - used,
					 "%s%s", used ? " " : "",
					 cpu_feature_name(i));
	}
	if (!used)
		snprintf(info->cpu_features, sizeof(info->cpu_features),
			 "none");
	close(fd);
}

/* Whether --nested (and --nested=nvhe) would work here, and if not how. */
static void describe_nested(struct host_info *info)
{
	int fd;

	if (!info->kvm_usable || kvm_open_dev(KVM_DEV_PATH, &fd))
		return;
	if (!kvm_has_cap(fd, KVM_CAP_ARM_EL2))
		snprintf(info->nested, sizeof(info->nested),
			 "no (KVM_CAP_ARM_EL2 absent: boot the host with "
			 "kvm-arm.mode=nested)");
	else if (kvm_has_cap(fd, KVM_CAP_ARM_EL2_E2H0))
		snprintf(info->nested, sizeof(info->nested),
			 "KVM offers a guest EL2 (KVM_CAP_ARM_EL2; E2H0 too: "
			 "--nested=nvhe works)");
	else
		snprintf(info->nested, sizeof(info->nested),
			 "KVM offers a guest EL2 (KVM_CAP_ARM_EL2; no "
			 "KVM_CAP_ARM_EL2_E2H0: only --nested=vhe)");
	close(fd);
}

void arch_host_info(struct host_info *info)
{
	describe_cpu(info);
	describe_kvm_mode(info);
	describe_irqchip(info);
	describe_cpu_features(info);
	describe_nested(info);
}

/* Arm reserves MIDR implementer 0x00 for software: QEMU's TCG "max" CPU
 * (the lab's) reports it, no hardware does. */
const char *arch_host_software_cpu(void)
{
	char *cpuinfo = host_read_text_file("/proc/cpuinfo");
	bool soft = cpuinfo && strstr(cpuinfo, "CPU implementer\t: 0x00\n");

	free(cpuinfo);
	return soft ? "/proc/cpuinfo: CPU implementer 0x00 (software: QEMU TCG)"
		    : NULL;
}
