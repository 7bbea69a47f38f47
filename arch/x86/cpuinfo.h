/* SPDX-License-Identifier: MIT */
/* Reading /proc/cpuinfo on x86: pure functions over its text. */
#ifndef TINYVMM_ARCH_X86_CPUINFO_H
#define TINYVMM_ARCH_X86_CPUINFO_H

#include <stddef.h>

/* Copies the first "model name" value into @out; "" when absent. */
void x86_cpuinfo_model(const char *cpuinfo, char *out, size_t size);

/* "AMD SVM", "Intel VMX", or NULL: the first flags line decides. */
const char *x86_cpuinfo_virt_extension(const char *cpuinfo);

#endif
