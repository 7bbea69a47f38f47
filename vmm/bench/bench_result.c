// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/bench/bench_result.h"

const char *bench_status_name(uint32_t status)
{
	switch (status) {
	case BENCH_STATUS_OK:
		return "OK";
	case BENCH_STATUS_SKIPPED:
		return "SKIPPED";
	case BENCH_STATUS_FAILED:
		return "FAILED";
	default:
		return "?";
	}
}

void bench_result_fail(struct bench_result *r, const char *fmt, ...)
{
	va_list ap;

	r->status = BENCH_STATUS_FAILED;
	va_start(ap, fmt);
	vsnprintf(r->note, sizeof(r->note), fmt, ap);
	va_end(ap);
}

void bench_result_free(struct bench_result *r)
{
	free(r->samples);
	free(r->exits);
	r->samples = NULL;
	r->exits = NULL;
	r->nr_samples = r->nr_exits = 0;
}

bool bench_name_ok(const char *name, size_t size)
{
	size_t len = strnlen(name, size);

	if (len == 0 || len == size)
		return false; /* empty, or no NUL inside the field */
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

/* The guest's note, cut at NUL and made safe for a terminal and JSON. */
static void copy_note(char *dst, size_t size, const char *src, size_t srclen)
{
	size_t len = strnlen(src, srclen);

	if (len >= size)
		len = size - 1;
	for (size_t i = 0; i < len; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[len] = '\0';
}

/* The fields a sample array does not depend on; @why says what is wrong. */
static const char *check_fields(const struct bench_report *r)
{
	if (r->status > BENCH_STATUS_FAILED)
		return "unknown status";
	if (r->counter != BENCH_COUNTER_PMU_CYCLES &&
	    r->counter != BENCH_COUNTER_CNTVCT &&
	    r->counter != BENCH_COUNTER_TSC)
		return "unknown counter";
	if (r->ops_per_sample == 0)
		return "ops_per_sample is 0";
	if (r->counter == BENCH_COUNTER_CNTVCT && r->counter_hz == 0)
		return "CNTVCT counter with counter_hz 0";
	if (r->nr_samples > BENCH_MAX_SAMPLES)
		return "nr_samples above BENCH_MAX_SAMPLES";
	if (r->status == BENCH_STATUS_OK && r->nr_samples == 0)
		return "status OK but no samples";
	return NULL;
}

static int copy_samples(const struct guest_mem *mem,
			const struct bench_report *r, struct bench_result *out)
{
	/* nr_samples <= 2^20 was checked: the byte count cannot overflow. */
	uint64_t bytes = (uint64_t)r->nr_samples * sizeof(uint64_t);
	const void *src;

	if (r->nr_samples == 0)
		return 0;
	src = guest_mem_ptr(mem, r->samples_gpa, bytes);
	if (!src) {
		bench_result_fail(
			out, "samples at 0x%llx (%u) are not in guest RAM",
			(unsigned long long)r->samples_gpa, r->nr_samples);
		return -EFAULT;
	}
	out->samples = malloc(bytes);
	if (!out->samples)
		return -ENOMEM;
	memcpy(out->samples, src, bytes);
	out->nr_samples = r->nr_samples;
	return 0;
}

int bench_result_from_guest(const struct guest_mem *mem, uint64_t gpa,
			    unsigned int index, struct bench_result *out)
{
	const void *src = guest_mem_ptr(mem, gpa, sizeof(struct bench_report));
	struct bench_report r; /* one copy: the guest may change its own */
	const char *why;

	memset(out, 0, sizeof(*out));
	snprintf(out->name, sizeof(out->name), "#%u", index);
	if (!src) {
		bench_result_fail(out, "report at 0x%llx is not in guest RAM",
				  (unsigned long long)gpa);
		return -EFAULT;
	}
	memcpy(&r, src, sizeof(r));
	if (!bench_name_ok(r.name, sizeof(r.name))) {
		bench_result_fail(out, "report name is empty, unterminated or "
				       "not [a-z0-9_]");
		return -EINVAL;
	}
	memcpy(out->name, r.name, sizeof(out->name));
	copy_note(out->note, sizeof(out->note), r.note, sizeof(r.note));
	why = check_fields(&r);
	if (why) {
		bench_result_fail(out, "malformed report: %s", why);
		return -EINVAL;
	}
	out->status = r.status;
	out->counter = r.counter;
	out->counter_hz = r.counter_hz;
	out->ops_per_sample = r.ops_per_sample;
	return copy_samples(mem, &r, out);
}
