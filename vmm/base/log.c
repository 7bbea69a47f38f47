// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "vmm/base/log.h"

/* Set once from main() before any thread starts; read-only afterwards. */
static atomic_int log_verbose;

void tv_log_set_verbose(int verbose)
{
	atomic_store(&log_verbose, verbose);
}

/* Keeps errno: callers write tv_errno(errno, ...); return -errno; */
static void log_line(const char *fmt, va_list ap, int err)
{
	int saved_errno = errno;
	char line[512];
	int n = vsnprintf(line, sizeof(line), fmt, ap);

	if (n < 0)
		line[0] = '\0';
	/* One fprintf per line so lines from vCPU threads do not interleave. */
	if (err)
		fprintf(stderr, "tinyvmm: %s: %s\n", line, strerror(err));
	else
		fprintf(stderr, "tinyvmm: %s\n", line);
	errno = saved_errno;
}

void tv_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap, 0);
	va_end(ap);
}

void tv_errno(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap, err < 0 ? -err : err);
	va_end(ap);
}

void tv_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap, 0);
	va_end(ap);
}

void tv_info(const char *fmt, ...)
{
	va_list ap;

	if (!atomic_load(&log_verbose))
		return;
	va_start(ap, fmt);
	log_line(fmt, ap, 0);
	va_end(ap);
}
