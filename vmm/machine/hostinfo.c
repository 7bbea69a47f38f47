// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "vmm/machine/arch.h"
#include "vmm/base/file.h"
#include "vmm/base/kvm.h"
#include "vmm/machine/hostinfo.h"

/* /proc/cpuinfo of a 256-CPU host is ~300 KiB. */
#define HOST_TEXT_FILE_MAX (4u << 20)

static void host_kvm_probe(struct host_info *info)
{
	int fd, ret = kvm_open_dev(KVM_DEV_PATH, &fd);

	if (ret) {
		snprintf(info->kvm_problem, sizeof(info->kvm_problem),
			 "open " KVM_DEV_PATH ": %s", strerror(-ret));
		return;
	}
	info->kvm_api_version = kvm_api_version(fd);
	if (info->kvm_api_version < 0)
		snprintf(info->kvm_problem, sizeof(info->kvm_problem),
			 "KVM_GET_API_VERSION: %s",
			 strerror(-info->kvm_api_version));
	else if (info->kvm_api_version != KVM_API_VERSION)
		snprintf(info->kvm_problem, sizeof(info->kvm_problem),
			 "KVM API version %d, tinyvmm needs %d",
			 info->kvm_api_version, KVM_API_VERSION);
	else
		info->kvm_usable = true;
	close(fd);
}

void host_info_collect(struct host_info *info)
{
	struct utsname u;

	memset(info, 0, sizeof(*info));
	if (uname(&u) == 0) {
		snprintf(info->kernel_release, sizeof(info->kernel_release),
			 "%s", u.release);
		snprintf(info->machine, sizeof(info->machine), "%s", u.machine);
	}
	host_kvm_probe(info);
	arch_host_info(info);
}

void host_info_add_evidence(struct host_info *info, const char *fmt, ...)
{
	va_list ap;

	if (info->nr_evidence == HOST_INFO_MAX_EVIDENCE)
		return;
	va_start(ap, fmt);
	vsnprintf(info->evidence[info->nr_evidence++],
		  sizeof(info->evidence[0]), fmt, ap);
	va_end(ap);
}

void host_info_print(const struct host_info *info, FILE *out)
{
	fprintf(out, "kernel:    %s (%s)\n", info->kernel_release,
		info->machine);
	fprintf(out, "cpu:       %s\n", info->cpu);
	if (info->kvm_usable)
		fprintf(out, "kvm:       /dev/kvm usable (API version %d)\n",
			info->kvm_api_version);
	else
		fprintf(out, "kvm:       not usable (%s)\n", info->kvm_problem);
	fprintf(out, "kvm mode:  %s\n", info->kvm_mode);
	if (info->irqchip[0])
		fprintf(out, "irqchip:   %s\n", info->irqchip);
	for (unsigned int i = 0; i < info->nr_evidence; i++)
		fprintf(out, "%s %s\n",
			i ? "          " : "evidence: ", info->evidence[i]);
	/* After the evidence, which belongs to the mode above it. */
	if (info->cpu_features[0])
		fprintf(out,
			"guest cpu: KVM offers %s (each on unless switched off)\n",
			info->cpu_features);
	if (info->nested[0])
		fprintf(out, "nested:    %s\n", info->nested);
}

char *host_read_text_file(const char *path)
{
	char *text;
	size_t len;
	int ret = file_read_all(path, HOST_TEXT_FILE_MAX, &text, &len);

	if (ret) {
		errno = -ret;
		return NULL;
	}
	return text;
}

/*
 * /dev/kmsg gives one record per read() and EAGAIN at the end when opened
 * non-blocking; each record is "prio,seq,time,flags;message\n".
 */
char *host_read_kernel_log(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	size_t len = 0, cap = 1 << 16;
	char *buf, record[8192];
	ssize_t n;

	if (fd < 0)
		return NULL;
	buf = malloc(cap);
	while (buf && (n = read(fd, record, sizeof(record))) != 0) {
		if (n < 0) {
			if (errno == EINTR || errno == EPIPE)
				continue; /* EPIPE: records overwritten, go on */
			break;
		}
		if (len + (size_t)n + 1 > cap) {
			char *bigger =
				cap < (8u << 20) ? realloc(buf, cap * 2) : NULL;
			if (!bigger)
				break;
			buf = bigger;
			cap *= 2;
		}
		memcpy(buf + len, record, (size_t)n);
		len += (size_t)n;
	}
	close(fd);
	if (buf)
		buf[len] = '\0';
	return buf;
}

/*
 * Reads a small binary file (device tree properties hold NULs) into @buf;
 * returns its length, 0 when unreadable.
 */
static size_t read_small_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return 0;
	n = read(fd, buf, size);
	close(fd);
	return n > 0 ? (size_t)n : 0;
}

static void emulation_add(struct host_emulation *emu, const char *line)
{
	if (emu->nr_evidence < HOST_INFO_MAX_EVIDENCE)
		snprintf(emu->evidence[emu->nr_evidence++],
			 sizeof(emu->evidence[0]), "%s", line);
}

/*
 * The arch tells a software CPU (arch_host_software_cpu()). QEMU's virt
 * board ("linux,dummy-virt") says QEMU, but not whether TCG or KVM runs
 * it; the hypervisor flag says only "a VM".
 */
void host_emulation_detect(struct host_emulation *emu)
{
	char *cpuinfo = host_read_text_file("/proc/cpuinfo");
	char compat[512];
	size_t len = read_small_file("/sys/firmware/devicetree/base/compatible",
				     compat, sizeof(compat));
	bool virt = len && memmem(compat, len, "linux,dummy-virt", 16);
	const char *soft = arch_host_software_cpu();
	bool hv = cpuinfo && strstr(cpuinfo, " hypervisor");

	memset(emu, 0, sizeof(*emu));
	emu->emulated = soft ? 1 : (virt || hv) ? -1 : 0;
	if (soft)
		emulation_add(emu, soft);
	if (virt)
		emulation_add(
			emu,
			"devicetree compatible: linux,dummy-virt (QEMU virt board)");
	if (hv)
		emulation_add(
			emu,
			"/proc/cpuinfo flags: hypervisor (a VM: TCG or hardware)");
	if (!soft && !virt && !hv)
		emulation_add(
			emu,
			"no sign of emulation in /proc/cpuinfo or the devicetree");
	free(cpuinfo);
}
