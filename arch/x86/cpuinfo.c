// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "arch/x86/cpuinfo.h"

/* The value of the first line starting with @key, up to the line's end. */
static const char *cpuinfo_value(const char *cpuinfo, const char *key,
				 size_t *len)
{
	size_t klen = strlen(key);

	for (const char *line = cpuinfo; line && *line;) {
		const char *colon, *end = strchr(line, '\n');

		if (!strncmp(line, key, klen) && (colon = strchr(line, ':')) &&
		    (!end || colon < end)) {
			colon += 1 + (colon[1] == ' ');
			*len = end ? (size_t)(end - colon) : strlen(colon);
			return colon;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

void x86_cpuinfo_model(const char *cpuinfo, char *out, size_t size)
{
	size_t len = 0;
	const char *v =
		cpuinfo ? cpuinfo_value(cpuinfo, "model name", &len) : NULL;

	snprintf(out, size, "%.*s", v ? (int)len : 0, v ? v : "");
}

static int has_flag(const char *flags, size_t len, const char *flag)
{
	size_t flen = strlen(flag);

	for (size_t i = 0; i + flen <= len; i++) {
		if ((i == 0 || flags[i - 1] == ' ') &&
		    !strncmp(flags + i, flag, flen) &&
		    (i + flen == len || flags[i + flen] == ' '))
			return 1;
	}
	return 0;
}

const char *x86_cpuinfo_virt_extension(const char *cpuinfo)
{
	size_t len = 0;
	const char *flags =
		cpuinfo ? cpuinfo_value(cpuinfo, "flags", &len) : NULL;

	if (!flags)
		return NULL;
	if (has_flag(flags, len, "svm"))
		return "AMD SVM";
	if (has_flag(flags, len, "vmx"))
		return "Intel VMX";
	return NULL;
}
