// SPDX-License-Identifier: MIT
/* Judging the host's arm64 KVM mode from recorded logs and command lines. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/arm64/hostmode.h"
#include "vmm/machine/hostinfo.h"
#include "tests/unit/unit.h"

/* Lines a real boot log has around KVM's, so matching is not by luck. */
#define NOISE_BEFORE                                                     \
	"[    0.068998] kvm [1]: nv: 554 coarse grained trap handlers\n" \
	"[    0.069255] kvm [1]: IPA Size Limit: 44 bits\n"              \
	"[    0.069933] kvm [1]: vgic interrupt IRQ9\n"
#define NOISE_AFTER                                      \
	"[    0.316201] Freeing initrd memory: 15636K\n" \
	"[    0.486359] Initialise system trusted keyrings\n"
#define KMSG_NOISE_BEFORE                                               \
	"6,310,66593,-;Trying to unpack rootfs image as initramfs...\n" \
	"6,311,69255,-;kvm [1]: IPA Size Limit: 44 bits\n"
#define KMSG_NOISE_AFTER                                 \
	"6,313,316201,-;Freeing initrd memory: 15636K\n" \
	" SUBSYSTEM=cpu\n"

#define VHE "VHE mode initialized successfully"
#define HYP_OLD "Hyp mode initialized successfully"
#define HYP_NVHE "Hyp nVHE mode initialized successfully"
#define HYP_HVHE "Hyp hVHE mode initialized successfully"
#define PROT_NVHE "Protected nVHE mode initialized successfully"
#define PROT_HVHE "Protected hVHE mode initialized successfully"

struct judge_case {
	const char *name;
	const char *kmsg, *cmdline;
	enum arm64_kvm_mode mode;
	const char *evidence;	  /* expected log_evidence */
	const char *cmdline_mode; /* expected cmdline_mode */
	const char *cmdline_hvhe; /* expected cmdline_hvhe */
};

static const struct judge_case cases[] = {
	/* dmesg text, with noise around. */
	{ "dmesg VHE",
	  NOISE_BEFORE "[    0.069971] kvm [1]: " VHE "\n" NOISE_AFTER, NULL,
	  ARM64_KVM_MODE_VHE, "[    0.069971] kvm [1]: " VHE, "", "" },
	{ "dmesg old Hyp",
	  NOISE_BEFORE "[    0.083576] kvm [1]: " HYP_OLD "\n" NOISE_AFTER,
	  NULL, ARM64_KVM_MODE_NVHE, "[    0.083576] kvm [1]: " HYP_OLD, "",
	  "" },
	{ "dmesg Hyp nVHE",
	  NOISE_BEFORE "[    0.069971] kvm [1]: " HYP_NVHE "\n" NOISE_AFTER,
	  NULL, ARM64_KVM_MODE_NVHE, "[    0.069971] kvm [1]: " HYP_NVHE, "",
	  "" },
	{ "dmesg Hyp hVHE", "[ 1.0] kvm [1]: " HYP_HVHE "\n", NULL,
	  ARM64_KVM_MODE_HVHE, "[ 1.0] kvm [1]: " HYP_HVHE, "", "" },
	{ "dmesg Protected nVHE",
	  NOISE_BEFORE "[ 0.5] kvm [1]: " PROT_NVHE "\n" NOISE_AFTER, NULL,
	  ARM64_KVM_MODE_PROTECTED, "[ 0.5] kvm [1]: " PROT_NVHE, "", "" },
	{ "dmesg Protected hVHE",
	  NOISE_BEFORE "[ 0.5] kvm [1]: " PROT_HVHE "\n" NOISE_AFTER, NULL,
	  ARM64_KVM_MODE_PROTECTED_HVHE, "[ 0.5] kvm [1]: " PROT_HVHE, "", "" },
	/* Newer kernels: "+NV2" after the VHE word. */
	{ "VHE+NV2", "kvm [1]: VHE+NV2 mode initialized successfully\n", NULL,
	  ARM64_KVM_MODE_VHE_NV2,
	  "kvm [1]: VHE+NV2 mode initialized successfully", "", "" },
	/* The format allows "+NV2" on split words too: not plain split. */
	{ "Hyp nVHE+NV2", "kvm [1]: Hyp nVHE+NV2 mode initialized successfully",
	  NULL, ARM64_KVM_MODE_SPLIT_NV2,
	  "kvm [1]: Hyp nVHE+NV2 mode initialized successfully", "", "" },
	{ "Hyp hVHE+NV2", "kvm [1]: Hyp hVHE+NV2 mode initialized successfully",
	  NULL, ARM64_KVM_MODE_SPLIT_NV2,
	  "kvm [1]: Hyp hVHE+NV2 mode initialized successfully", "", "" },
	{ "Protected nVHE+NV2",
	  "kvm [1]: Protected nVHE+NV2 mode initialized successfully", NULL,
	  ARM64_KVM_MODE_SPLIT_NV2,
	  "kvm [1]: Protected nVHE+NV2 mode initialized successfully", "", "" },
	/* A suffix no kernel has printed: KVM's line all the same, so it
	 * decides (unknown) and the command line cannot overrule it. */
	{ "VHE+XYZ decides unknown",
	  "kvm [1]: VHE+XYZ mode initialized successfully\n",
	  "kvm-arm.mode=nvhe", ARM64_KVM_MODE_UNKNOWN,
	  "kvm [1]: VHE+XYZ mode initialized successfully", "nvhe", "" },
	{ "Hyp nVHE+NV2+XYZ decides unknown",
	  "kvm [1]: Hyp nVHE+NV2+XYZ mode initialized successfully\n",
	  "kvm-arm.mode=nvhe", ARM64_KVM_MODE_UNKNOWN,
	  "kvm [1]: Hyp nVHE+NV2+XYZ mode initialized successfully", "nvhe",
	  "" },
	{ "Hyp xVHE+NV2 is not KVM's",
	  "kvm [1]: Hyp xVHE+NV2 mode initialized successfully\n",
	  "kvm-arm.mode=nvhe", ARM64_KVM_MODE_NVHE, "", "nvhe", "" },
	/* /dev/kmsg records: the prefix is not evidence. */
	{ "kmsg VHE",
	  KMSG_NOISE_BEFORE "6,312,69971,-;kvm [1]: " VHE "\n" KMSG_NOISE_AFTER,
	  NULL, ARM64_KVM_MODE_VHE, "kvm [1]: " VHE, "", "" },
	{ "kmsg old Hyp",
	  KMSG_NOISE_BEFORE "6,312,69971,-;kvm [1]: " HYP_OLD
			    "\n" KMSG_NOISE_AFTER,
	  NULL, ARM64_KVM_MODE_NVHE, "kvm [1]: " HYP_OLD, "", "" },
	{ "kmsg Hyp nVHE",
	  KMSG_NOISE_BEFORE "6,312,69971,-;kvm [1]: " HYP_NVHE
			    "\n" KMSG_NOISE_AFTER,
	  NULL, ARM64_KVM_MODE_NVHE, "kvm [1]: " HYP_NVHE, "", "" },
	{ "kmsg Protected nVHE",
	  KMSG_NOISE_BEFORE "6,312,69971,-,caller=T1;kvm [1]: " PROT_NVHE
			    "\n" KMSG_NOISE_AFTER,
	  NULL, ARM64_KVM_MODE_PROTECTED, "kvm [1]: " PROT_NVHE, "", "" },
	{ "kmsg Protected hVHE", "6,312,69971,-;kvm [1]: " PROT_HVHE "\r\n",
	  NULL, ARM64_KVM_MODE_PROTECTED_HVHE, "kvm [1]: " PROT_HVHE, "", "" },
	{ "bare line, no newline", VHE, NULL, ARM64_KVM_MODE_VHE, VHE, "", "" },
	{ "journalctl -k", "Mar 01 12:00:00 host kernel: kvm [1]: " HYP_NVHE,
	  NULL, ARM64_KVM_MODE_NVHE,
	  "Mar 01 12:00:00 host kernel: kvm [1]: " HYP_NVHE, "", "" },
	/* Two boots in one file: the later one decides. */
	{ "last line wins",
	  "[ 0.1] kvm [1]: " VHE "\n[ 0.1] kvm [1]: " PROT_NVHE "\n", NULL,
	  ARM64_KVM_MODE_PROTECTED, "[ 0.1] kvm [1]: " PROT_NVHE, "", "" },
	/* Lines that only look like KVM's. */
	{ "unrelated 'mode initialized'",
	  "foo: Turbo mode initialized "
	  "successfully\nbar: Hyp VHE mode initialized successfully\n",
	  NULL, ARM64_KVM_MODE_UNKNOWN, "", "", "" },
	/* The log says there is no KVM: the command line cannot overrule. */
	{ "HYP mode not available",
	  NOISE_BEFORE "[ 1.5] kvm [1]: HYP mode "
		       "not available\n" NOISE_AFTER,
	  "kvm-arm.mode=nvhe", ARM64_KVM_MODE_UNKNOWN,
	  "[ 1.5] kvm [1]: HYP mode not available", "nvhe", "" },
	{ "KVM disabled", "6,1,2,-;kvm [1]: KVM disabled from command line\n",
	  "root=/dev/vda kvm-arm.mode=none", ARM64_KVM_MODE_UNKNOWN,
	  "kvm [1]: KVM disabled from command line", "none", "" },
	/* Log and command line disagree: the log wins. */
	{ "log VHE, cmdline nvhe", "[ 0.1] kvm [1]: " VHE "\n",
	  "console=ttyAMA0 kvm-arm.mode=nvhe quiet", ARM64_KVM_MODE_VHE,
	  "[ 0.1] kvm [1]: " VHE, "nvhe", "" },
	{ "log nVHE, cmdline protected", "[ 0.1] kvm [1]: " HYP_NVHE "\n",
	  "kvm-arm.mode=protected", ARM64_KVM_MODE_NVHE,
	  "[ 0.1] kvm [1]: " HYP_NVHE, "protected", "" },
	/* Command line only: the log is unreadable or rotated away. */
	{ "cmdline nvhe", NULL, "BOOT_IMAGE=/vmlinuz kvm-arm.mode=nvhe ro",
	  ARM64_KVM_MODE_NVHE, "", "nvhe", "" },
	/* pKVM, but nVHE or hVHE depends on the kernel (6.10 changed it). */
	{ "cmdline protected, log rotated", NOISE_AFTER,
	  "kvm-arm.mode=protected\n", ARM64_KVM_MODE_PROTECTED_EITHER, "",
	  "protected", "" },
	{ "cmdline vhe is no value the kernel takes", NULL, "kvm-arm.mode=vhe",
	  ARM64_KVM_MODE_UNKNOWN, "", "vhe", "" },
	{ "cmdline nested", "", "kvm-arm.mode=nested", ARM64_KVM_MODE_VHE_NV2,
	  "", "nested", "" },
	{ "cmdline none", NULL, "kvm-arm.mode=none", ARM64_KVM_MODE_UNKNOWN, "",
	  "none", "" },
	{ "cmdline without the option", NULL, "root=/dev/vda console=ttyS0",
	  ARM64_KVM_MODE_UNKNOWN, "", "", "" },
	{ "cmdline last one wins", NULL,
	  "kvm-arm.mode=protected kvm-arm.mode=nvhe", ARM64_KVM_MODE_NVHE, "",
	  "nvhe", "" },
	{ "cmdline underscore spelling", NULL, "kvm_arm.mode=nvhe",
	  ARM64_KVM_MODE_NVHE, "", "nvhe", "" },
	{ "cmdline quoted value", NULL, "kvm-arm.mode=\"protected\"",
	  ARM64_KVM_MODE_PROTECTED_EITHER, "", "protected", "" },
	{ "cmdline after -- belongs to init", NULL, "ro -- kvm-arm.mode=nvhe",
	  ARM64_KVM_MODE_UNKNOWN, "", "", "" },
	{ "cmdline inside a quoted value", NULL,
	  "dyndbg=\"x kvm-arm.mode=nvhe\"", ARM64_KVM_MODE_UNKNOWN, "", "",
	  "" },
	{ "cmdline prefix is not the option", NULL, "xkvm-arm.mode=nvhe",
	  ARM64_KVM_MODE_UNKNOWN, "", "", "" },
	{ "cmdline value truncated to fit", NULL,
	  "kvm-arm.mode=0123456789012345678901234567890123456789",
	  ARM64_KVM_MODE_UNKNOWN, "", "0123456789012345678901234567890", "" },
	/* arm64_sw.hvhe, in order with kvm-arm.mode's aliases for it. */
	{ "cmdline nvhe hvhe=1", NULL, "kvm-arm.mode=nvhe arm64_sw.hvhe=1",
	  ARM64_KVM_MODE_HVHE, "", "nvhe", "1" },
	{ "cmdline hvhe=1 then nvhe", NULL, "arm64_sw.hvhe=1 kvm-arm.mode=nvhe",
	  ARM64_KVM_MODE_NVHE, "", "nvhe", "1" },
	{ "cmdline hvhe dash and underscore spellings", NULL,
	  "kvm_arm.mode=nvhe arm64-sw.hvhe=1", ARM64_KVM_MODE_HVHE, "", "nvhe",
	  "1" },
	{ "cmdline hvhe last one wins", NULL,
	  "kvm-arm.mode=nvhe arm64_sw.hvhe=1 arm64_sw.hvhe=0",
	  ARM64_KVM_MODE_NVHE, "", "nvhe", "0" },
	{ "cmdline hvhe=0x1", NULL, "kvm-arm.mode=nvhe arm64_sw.hvhe=0x1",
	  ARM64_KVM_MODE_HVHE, "", "nvhe", "0x1" },
	{ "cmdline hvhe=2 is off", NULL,
	  "kvm-arm.mode=nvhe arm64_sw.hvhe=1 arm64_sw.hvhe=2",
	  ARM64_KVM_MODE_NVHE, "", "nvhe", "2" },
	{ "cmdline hvhe=11 is no value", NULL,
	  "kvm-arm.mode=nvhe arm64_sw.hvhe=1 arm64_sw.hvhe=11",
	  ARM64_KVM_MODE_HVHE, "", "nvhe", "11" },
	{ "cmdline hvhe=1 alone", NULL, "ro arm64_sw.hvhe=1",
	  ARM64_KVM_MODE_HVHE, "", "", "1" },
	{ "cmdline hvhe after --", NULL, "kvm-arm.mode=nvhe -- arm64_sw.hvhe=1",
	  ARM64_KVM_MODE_NVHE, "", "nvhe", "" },
	{ "cmdline protected hvhe=0", NULL,
	  "kvm-arm.mode=protected arm64_sw.hvhe=0", ARM64_KVM_MODE_PROTECTED,
	  "", "protected", "0" },
	{ "cmdline protected hvhe=1", NULL,
	  "kvm-arm.mode=protected arm64_sw.hvhe=1",
	  ARM64_KVM_MODE_PROTECTED_HVHE, "", "protected", "1" },
	{ "cmdline hvhe=0 then protected", NULL,
	  "arm64_sw.hvhe=0 kvm-arm.mode=protected",
	  ARM64_KVM_MODE_PROTECTED_EITHER, "", "protected", "0" },
	{ "cmdline hvhe=1 then protected", NULL,
	  "arm64_sw.hvhe=1 kvm-arm.mode=protected",
	  ARM64_KVM_MODE_PROTECTED_HVHE, "", "protected", "1" },
	{ "cmdline nvhe then protected", NULL,
	  "kvm-arm.mode=nvhe kvm-arm.mode=protected",
	  ARM64_KVM_MODE_PROTECTED_EITHER, "", "protected", "" },
	/* hvhe=1 keeps the kernel at EL1, where nested is refused. */
	{ "cmdline nested hvhe=1", NULL, "kvm-arm.mode=nested arm64_sw.hvhe=1",
	  ARM64_KVM_MODE_HVHE, "", "nested", "1" },
	{ "cmdline protected then nested", NULL,
	  "kvm-arm.mode=protected kvm-arm.mode=nested", ARM64_KVM_MODE_UNKNOWN,
	  "", "nested", "" },
	{ "cmdline none hvhe=1", NULL, "kvm-arm.mode=none arm64_sw.hvhe=1",
	  ARM64_KVM_MODE_UNKNOWN, "", "none", "1" },
	/* The log wins: a CPU without VHE, say, ignored hvhe=1. */
	{ "log nVHE, cmdline hvhe=1", "[ 0.1] kvm [1]: " HYP_NVHE "\n",
	  "kvm-arm.mode=nvhe arm64_sw.hvhe=1", ARM64_KVM_MODE_NVHE,
	  "[ 0.1] kvm [1]: " HYP_NVHE, "nvhe", "1" },
	{ "cmdline hvhe value truncated to fit", NULL,
	  "arm64_sw.hvhe=0123456789", ARM64_KVM_MODE_UNKNOWN, "", "",
	  "0123456" },
	{ "both NULL", NULL, NULL, ARM64_KVM_MODE_UNKNOWN, "", "", "" },
	{ "both empty", "", "", ARM64_KVM_MODE_UNKNOWN, "", "", "" },
};

START_TEST(test_judge_table)
{
	const struct judge_case *c = &cases[_i];
	struct arm64_kvm_mode_verdict v;

	memset(&v, 0x5a, sizeof(v)); /* the judge must fill every field */
	arm64_kvm_mode_judge(c->kmsg, c->cmdline, &v);
	ck_assert_msg(v.mode == c->mode, "%s: mode %s, want %s", c->name,
		      arm64_kvm_mode_name(v.mode),
		      arm64_kvm_mode_name(c->mode));
	ck_assert_msg(!strcmp(v.log_evidence, c->evidence),
		      "%s: evidence \"%s\"", c->name, v.log_evidence);
	ck_assert_msg(!strcmp(v.cmdline_mode, c->cmdline_mode),
		      "%s: cmdline_mode \"%s\"", c->name, v.cmdline_mode);
	ck_assert_msg(
		!strcmp(v.cmdline_hvhe, c->cmdline_hvhe ? c->cmdline_hvhe : ""),
		"%s: cmdline_hvhe \"%s\"", c->name, v.cmdline_hvhe);
}
END_TEST

/*
 * What real kernels printed, each with the kvm options it was booted with
 * (the rest of the command line is lab/run's, so the options are parsed
 * in company). Each case is judged twice: with the line, and with only
 * the command line, as when the line has rotated out of the log.
 */
#define BASE_CMDLINE "console=ttyAMA0 quiet loglevel=4 panic=-1"

struct kernel_case {
	const char *name; /* "<kernel> <mode>" */
	const char *cmdline;
	const char *line; /* what KVM printed at init */
	enum arm64_kvm_mode mode;
	const char *mode_name;
	enum arm64_kvm_mode cmdline_only; /* without the line */
	const char *cmdline_only_name;
};

static const struct kernel_case kernels[] = {
	/* Linux 6.1 (Debian 12): no hVHE, pKVM always nVHE. */
	{ "6.1 vhe", BASE_CMDLINE,
	  "[    0.431000] kvm [1]: VHE mode initialized successfully",
	  ARM64_KVM_MODE_VHE, "VHE", ARM64_KVM_MODE_UNKNOWN, "unknown" },
	{ "6.1 nvhe", BASE_CMDLINE " kvm-arm.mode=nvhe",
	  "kvm [1]: Hyp mode initialized successfully", ARM64_KVM_MODE_NVHE,
	  "split (nVHE)", ARM64_KVM_MODE_NVHE, "split (nVHE)" },
	{ "6.1 protected", BASE_CMDLINE " kvm-arm.mode=protected",
	  "kvm [1]: Protected nVHE mode initialized successfully",
	  ARM64_KVM_MODE_PROTECTED, "protected (pKVM, nVHE)",
	  ARM64_KVM_MODE_PROTECTED_EITHER, "protected (pKVM)" },
	/* Linux 6.12: "Hyp nVHE"/"Hyp hVHE"; pKVM picks hVHE. */
	{ "6.12 vhe", BASE_CMDLINE,
	  "kvm [1]: VHE mode initialized successfully", ARM64_KVM_MODE_VHE,
	  "VHE", ARM64_KVM_MODE_UNKNOWN, "unknown" },
	{ "6.12 nvhe", BASE_CMDLINE " kvm-arm.mode=nvhe",
	  "kvm [1]: Hyp nVHE mode initialized successfully",
	  ARM64_KVM_MODE_NVHE, "split (nVHE)", ARM64_KVM_MODE_NVHE,
	  "split (nVHE)" },
	{ "6.12 hvhe", BASE_CMDLINE " kvm-arm.mode=nvhe arm64_sw.hvhe=1",
	  "kvm [1]: Hyp hVHE mode initialized successfully",
	  ARM64_KVM_MODE_HVHE, "hVHE", ARM64_KVM_MODE_HVHE, "hVHE" },
	{ "6.12 protected", BASE_CMDLINE " kvm-arm.mode=protected",
	  "kvm [1]: Protected hVHE mode initialized successfully",
	  ARM64_KVM_MODE_PROTECTED_HVHE, "protected (pKVM, hVHE)",
	  ARM64_KVM_MODE_PROTECTED_EITHER, "protected (pKVM)" },
	/* Linux 7.3: as 6.12, and kvm-arm.mode=nested adds "+NV2". */
	{ "7.3 vhe", BASE_CMDLINE, "kvm [1]: VHE mode initialized successfully",
	  ARM64_KVM_MODE_VHE, "VHE", ARM64_KVM_MODE_UNKNOWN, "unknown" },
	{ "7.3 nvhe", BASE_CMDLINE " kvm-arm.mode=nvhe",
	  "kvm [1]: Hyp nVHE mode initialized successfully",
	  ARM64_KVM_MODE_NVHE, "split (nVHE)", ARM64_KVM_MODE_NVHE,
	  "split (nVHE)" },
	{ "7.3 hvhe", BASE_CMDLINE " kvm-arm.mode=nvhe arm64_sw.hvhe=1",
	  "kvm [1]: Hyp hVHE mode initialized successfully",
	  ARM64_KVM_MODE_HVHE, "hVHE", ARM64_KVM_MODE_HVHE, "hVHE" },
	{ "7.3 protected", BASE_CMDLINE " kvm-arm.mode=protected",
	  "kvm [1]: Protected hVHE mode initialized successfully",
	  ARM64_KVM_MODE_PROTECTED_HVHE, "protected (pKVM, hVHE)",
	  ARM64_KVM_MODE_PROTECTED_EITHER, "protected (pKVM)" },
	{ "7.3 nested", BASE_CMDLINE " kvm-arm.mode=nested",
	  "kvm [1]: VHE+NV2 mode initialized successfully",
	  ARM64_KVM_MODE_VHE_NV2, "VHE with nested virtualization (NV2)",
	  ARM64_KVM_MODE_VHE_NV2, "VHE with nested virtualization (NV2)" },
};

static void check_kernel_verdict(const char *name, const char *kmsg,
				 const char *cmdline, enum arm64_kvm_mode mode,
				 const char *mode_name)
{
	struct arm64_kvm_mode_verdict v;

	arm64_kvm_mode_judge(kmsg, cmdline, &v);
	ck_assert_msg(v.mode == mode, "%s: mode %d (%s), want %d", name, v.mode,
		      arm64_kvm_mode_name(v.mode), mode);
	ck_assert_msg(!strcmp(arm64_kvm_mode_name(v.mode), mode_name),
		      "%s: printed \"%s\", want \"%s\"", name,
		      arm64_kvm_mode_name(v.mode), mode_name);
	ck_assert_msg(!strcmp(v.log_evidence, kmsg ? kmsg : ""),
		      "%s: evidence \"%s\"", name, v.log_evidence);
}

START_TEST(test_kernel_lines)
{
	const struct kernel_case *k = &kernels[_i];
	char name[64];

	snprintf(name, sizeof(name), "%s, with the line", k->name);
	check_kernel_verdict(name, k->line, k->cmdline, k->mode, k->mode_name);
	snprintf(name, sizeof(name), "%s, command line only", k->name);
	check_kernel_verdict(name, NULL, k->cmdline, k->cmdline_only,
			     k->cmdline_only_name);
}
END_TEST

/* An over-long matching line is cut to fit, still NUL-terminated. */
START_TEST(test_long_evidence)
{
	struct arm64_kvm_mode_verdict v;
	char log[512];

	memset(log, 'x', 300);
	strcpy(log + 300, " kvm [1]: " VHE "\n");
	arm64_kvm_mode_judge(log, NULL, &v);
	ck_assert_int_eq(v.mode, ARM64_KVM_MODE_VHE);
	ck_assert_uint_eq(strlen(v.log_evidence), sizeof(v.log_evidence) - 1);
	ck_assert_int_eq(v.log_evidence[0], 'x');
}
END_TEST

START_TEST(test_names)
{
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_UNKNOWN),
			 "unknown");
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_VHE), "VHE");
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_NVHE),
			 "split (nVHE)");
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_PROTECTED),
			 "protected (pKVM, nVHE)");
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_PROTECTED_HVHE),
			 "protected (pKVM, hVHE)");
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_HVHE), "hVHE");
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_VHE_NV2),
			 "VHE with nested virtualization (NV2)");
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_SPLIT_NV2),
			 "split with nested virtualization (NV2)");
	ck_assert_str_eq(arm64_kvm_mode_name(ARM64_KVM_MODE_PROTECTED_EITHER),
			 "protected (pKVM)");
	ck_assert_str_eq(arm64_kvm_mode_name((enum arm64_kvm_mode)42),
			 "unknown");
}
END_TEST

/* hostinfo.c copies the name into host_info.kvm_mode, which --host-info
 * prints and the bench JSON carries: a cut name would be a new name. */
START_TEST(test_names_fit_host_info)
{
	const size_t room = sizeof(((struct host_info *)0)->kvm_mode);

	for (int m = 0; m < 64; m++) {
		const char *name = arm64_kvm_mode_name((enum arm64_kvm_mode)m);

		ck_assert_msg(strlen(name) < room, "\"%s\" does not fit in %zu",
			      name, room);
	}
}
END_TEST

static Suite *hostmode_suite(void)
{
	Suite *s = suite_create("arm64_hostmode");
	TCase *tc = tcase_create("judge");

	tcase_add_loop_test(tc, test_judge_table, 0,
			    sizeof(cases) / sizeof(cases[0]));
	tcase_add_test(tc, test_long_evidence);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_names_fit_host_info);
	suite_add_tcase(s, tc);
	tc = tcase_create("kernels");
	tcase_add_loop_test(tc, test_kernel_lines, 0,
			    sizeof(kernels) / sizeof(kernels[0]));
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return unit_run(hostmode_suite());
}
