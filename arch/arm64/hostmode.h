/* SPDX-License-Identifier: MIT */
/*
 * Which mode the host's KVM runs in on arm64, judged from evidence a user
 * can check: the kernel log line KVM prints at init and the kernel command
 * line. Pure: unit-tested on any host with recorded logs.
 */
#ifndef TINYVMM_ARCH_ARM64_HOSTMODE_H
#define TINYVMM_ARCH_ARM64_HOSTMODE_H

#include <stddef.h>

enum arm64_kvm_mode {
	ARM64_KVM_MODE_UNKNOWN,
	ARM64_KVM_MODE_VHE,	  /* host kernel at EL2 */
	ARM64_KVM_MODE_NVHE,	  /* split mode: host at EL1, hyp at EL2 */
	ARM64_KVM_MODE_PROTECTED, /* pKVM: nVHE with the host deprivileged */
	ARM64_KVM_MODE_PROTECTED_HVHE, /* pKVM with hVHE (newer kernels) */
	/* Split mode whose hyp runs with HCR_EL2.E2H set, using the VHE
	 * registers; the host kernel is still at EL1 ("Hyp hVHE"). */
	ARM64_KVM_MODE_HVHE,
	/* VHE with nested virtualization on FEAT_NV2 ("VHE+NV2"). */
	ARM64_KVM_MODE_VHE_NV2,
	/* "+NV2" on a split-mode line: no kernel prints it yet (see
	 * hostmode.c); host at EL1 and NV2 on is all it says for sure. */
	ARM64_KVM_MODE_SPLIT_NV2,
	/* pKVM, nVHE or hVHE: only kvm-arm.mode=protected says so, and which
	 * flavour that picks depends on the kernel (see hostmode.c). */
	ARM64_KVM_MODE_PROTECTED_EITHER,
};

struct arm64_kvm_mode_verdict {
	enum arm64_kvm_mode mode;
	/* The kernel log line that decided it, or "" when none was found. */
	char log_evidence[160];
	/* The kvm-arm.mode= word of the command line, or "" when absent. */
	char cmdline_mode[32];
	/* The arm64_sw.hvhe= value of the command line, or "" when absent. */
	char cmdline_hvhe[8];
};

/*
 * Judges the mode from @kmsg (the kernel log as text, lines separated by
 * '\n', may be NULL when unreadable) and @cmdline (/proc/cmdline, may be
 * NULL). The log line wins (the last one, should the log hold several
 * boots); the command line alone decides only when the log has no KVM init
 * line (rotated away), and never contradicts it: a log saying KVM did not
 * start ("HYP mode not available", "KVM disabled from command line")
 * decides UNKNOWN. The command line alone, read as the kernel reads it
 * (last one wins, '-' and '_' alike): kvm-arm.mode=nvhe is NVHE, =nested
 * VHE_NV2, arm64_sw.hvhe=1 after either or alone HVHE; =protected is
 * PROTECTED_EITHER, or PROTECTED / PROTECTED_HVHE when arm64_sw.hvhe=0 / 1
 * follows it; anything else UNKNOWN (why: hostmode.c).
 */
void arm64_kvm_mode_judge(const char *kmsg, const char *cmdline,
			  struct arm64_kvm_mode_verdict *v);

/* "VHE", "split (nVHE)", "protected (pKVM, nVHE)", ..., "unknown". */
const char *arm64_kvm_mode_name(enum arm64_kvm_mode mode);

#endif
