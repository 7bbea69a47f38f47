/* SPDX-License-Identifier: MIT */
/*
 * What the host is: kernel, CPU, whether /dev/kvm works, and the KVM mode
 * with the evidence it was judged from. Printed by --host-info; carried by
 * every benchmark result.
 */
#ifndef TINYVMM_VMM_HOSTINFO_H
#define TINYVMM_VMM_HOSTINFO_H

#include <stdbool.h>
#include <stdio.h>

#define HOST_INFO_MAX_EVIDENCE 4

struct host_info {
	char kernel_release[128];
	char machine[65]; /* uname -m */
	char cpu[128];	  /* arch hook: model / MIDR */
	bool kvm_usable;
	int kvm_api_version;   /* valid when kvm_usable */
	char kvm_problem[160]; /* why not usable */
	char kvm_mode[48];     /* arch hook: "VHE", "split (nVHE)", ... */
	char irqchip[96]; /* arch hook: what KVM's irqchip offers; may be "" */
	/* arch hook: the switchable CPU features KVM offers guests, as
	 * "sve ptrauth pmu"; "" where the arch has none or KVM is unusable */
	char cpu_features[64];
	/* arch hook: whether a guest can be a hypervisor (--nested), one
	 * line; "" where the arch has no nested mode or KVM is unusable */
	char nested[160];
	unsigned int nr_evidence;
	char evidence[HOST_INFO_MAX_EVIDENCE][200];
};

/*
 * Whether the host itself is emulated (QEMU TCG), for benchmark results:
 * emulated 1 yes, 0 no sign of it, -1 cannot tell; evidence says why.
 */
struct host_emulation {
	int emulated;
	unsigned int nr_evidence;
	char evidence[HOST_INFO_MAX_EVIDENCE][200];
};

void host_info_collect(struct host_info *info);
void host_emulation_detect(struct host_emulation *emu);
void host_info_add_evidence(struct host_info *info, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void host_info_print(const struct host_info *info, FILE *out);

/*
 * Reads the whole kernel log (/dev/kmsg) as text, one message a line.
 * Returns a malloc'd string, or NULL with errno set (EPERM without
 * CAP_SYSLOG).
 */
char *host_read_kernel_log(void);
/* Reads a small text file whole (e.g. /proc/cmdline); NULL on error. */
char *host_read_text_file(const char *path);

#endif
