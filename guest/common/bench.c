// SPDX-License-Identifier: MIT
/*
 * The benchmark framework: see bench.h. What each benchmark measures is
 * the arch's (guest/<arch>/bench_<arch>.c); this file only sequences
 * them and speaks the bench device's protocol.
 */
#include "bench.h"
#include "mmio.h"

/* The table (docs/benchmarks.md defines each benchmark by name). */
static const struct bench_def bench_defs[BENCH_NR] = {
	[BENCH_HYPERCALL] = { BENCH_NAME_HYPERCALL, 1 },
	[BENCH_GIC_TRAP] = { BENCH_NAME_GIC_TRAP, 1 },
	[BENCH_MMIO_USER] = { BENCH_NAME_MMIO_USER, 1 },
	[BENCH_EOI] = { BENCH_NAME_EOI, 1 },
	[BENCH_VIRTUAL_IPI] = { BENCH_NAME_VIRTUAL_IPI, 2 },
	[BENCH_VM_SWITCH] = { BENCH_NAME_VM_SWITCH, 1 },
	[BENCH_IO_OUT] = { BENCH_NAME_IO_OUT, 1 },
	[BENCH_IO_IN] = { BENCH_NAME_IO_IN, 1 },
	[BENCH_TIMER] = { BENCH_NAME_TIMER, 1 },
	[BENCH_LPI] = { BENCH_NAME_LPI, 1 },
};
/* tinyvmm checks --bench-only against the protocol's list: keep them one. */
_Static_assert(BENCH_NR == BENCH_NR_NAMES,
	       "every benchmark has its name in bench_protocol.h");

static void bench_reg_write(const struct bench *b, enum bench_reg reg,
			    uint64_t val)
{
	mmio_write64(b->base + reg, val);
}

void bench_note(struct bench *b, const char *note)
{
	size_t n = strnlen(note, BENCH_NOTE_LEN - 1);

	memcpy(b->report.note, note, n);
	b->report.note[n] = '\0';
}

/* A console whose output lands in a report note. */
struct bench_note_sink {
	struct console con; /* first: write() gets the sink back from it */
	char *buf;	    /* BENCH_NOTE_LEN bytes */
	size_t *len;
};

static void bench_note_putc(const struct console *con, char c)
{
	const struct bench_note_sink *s = (const struct bench_note_sink *)con;

	if (*s->len < BENCH_NOTE_LEN - 1)
		s->buf[(*s->len)++] = c;
}

void bench_notef(struct bench *b, const char *fmt, ...)
{
	size_t len = 0;
	struct bench_note_sink sink = {
		.con = { .write = bench_note_putc },
		.buf = b->report.note,
		.len = &len,
	};
	va_list ap;

	va_start(ap, fmt);
	con_vprintf(&sink.con, fmt, ap);
	va_end(ap);
	b->report.note[len] = '\0';
}

const char *bench_counter_name(uint32_t counter)
{
	switch (counter) {
	case BENCH_COUNTER_PMU_CYCLES:
		return "pmu cycles";
	case BENCH_COUNTER_TSC:
		return "tsc ticks";
	default:
		return "cntvct ticks";
	}
}

/* How often bench_clock_check() reads the three clocks before giving up. */
#define BENCH_CLOCK_TRIES 8

uint32_t bench_clock_check(struct bench *b)
{
	uint64_t p0 = 0, h = 0, p1 = 0;

	if (mmio_read64(b->base + BENCH_REG_VERSION) < 2) {
		bench_note(b, "needs bench protocol version 2");
		return BENCH_STATUS_SKIPPED;
	}
	for (unsigned int i = 0; i < BENCH_CLOCK_TRIES; i++) {
		p0 = bench_arch_clock();
		h = mmio_read64(b->base + BENCH_REG_HOST_COUNTER);
		p1 = bench_arch_clock();
		if (p0 <= h && h <= p1)
			return BENCH_STATUS_OK;
	}
	bench_notef(b, "guest %s, host counter not one clock: %lu..%lu..%lu",
		    b->clock_name, (unsigned long)p0, (unsigned long)h,
		    (unsigned long)p1);
	return BENCH_STATUS_SKIPPED;
}

/* tinyvmm,select: a non-empty list of NUL-terminated strings, or absent. */
static int bench_probe_select(const struct fdt *fdt, int node, struct bench *b)
{
	uint32_t len;
	const char *sel = fdt_prop(fdt, node, "tinyvmm,select", &len);

	b->select = NULL;
	b->select_len = 0;
	if (!sel)
		return 0;
	if (len == 0 || sel[len - 1] != '\0')
		return -FDT_ERR_BADVALUE;
	b->select = sel;
	b->select_len = len;
	return 0;
}

/* bench_probe() without the device check. */
static int bench_probe_fdt(const struct fdt *fdt, struct bench *b)
{
	int node = fdt_find_compatible(fdt, -1, BENCH_COMPATIBLE);
	uint64_t base, size;
	int ret;

	while (node >= 0 && !fdt_is_available(fdt, node))
		node = fdt_find_compatible(fdt, node, BENCH_COMPATIBLE);
	if (node < 0)
		return node;
	ret = fdt_reg(fdt, node, 0, &base, &size);
	if (ret)
		return ret;
	if (size < BENCH_REG_END)
		return -FDT_ERR_BADVALUE;
	b->base = (uintptr_t)base;
	ret = fdt_prop_u32(fdt, node, "tinyvmm,iterations", &b->iterations);
	if (ret || b->iterations == 0) /* required: NOTFOUND reads "no node" */
		return -FDT_ERR_BADVALUE;
	ret = fdt_prop_u32(fdt, node, "tinyvmm,warmup", &b->warmup);
	if (ret == -FDT_ERR_NOTFOUND)
		b->warmup = 0;
	else if (ret)
		return ret;
	ret = bench_probe_select(fdt, node, b);
	return ret ? ret : node;
}

#ifdef BENCH_TOLERATE_NO_DEVICE
#define BENCH_NO_DEVICE_IS "warning"
#else
#define BENCH_NO_DEVICE_IS "error"
#endif

/* The device's identity: 0, or -FDT_ERR_BADVALUE after a line on b->con. */
static int bench_check_device(const struct bench *b)
{
	uint64_t magic = mmio_read64(b->base + BENCH_REG_MAGIC);
	uint64_t version = mmio_read64(b->base + BENCH_REG_VERSION);

	if (magic == BENCH_MAGIC && version == BENCH_VERSION)
		return 0;
	con_printf(b->con,
		   "tinyvmm-bench: " BENCH_NO_DEVICE_IS
		   ": bench device at 0x%lx: magic 0x%lx"
		   " version %lu, want 0x%lx version %u\n",
		   (unsigned long)b->base, (unsigned long)magic,
		   (unsigned long)version, (unsigned long)BENCH_MAGIC,
		   BENCH_VERSION);
#ifdef BENCH_TOLERATE_NO_DEVICE
	return 0;
#else
	return -FDT_ERR_BADVALUE;
#endif
}

int bench_probe(const struct fdt *fdt, struct bench *b, const char **why)
{
	int node = bench_probe_fdt(fdt, b);

	if (node == -FDT_ERR_NOTFOUND)
		*why = "no " BENCH_COMPATIBLE " node in the device tree";
	else if (node < 0)
		*why = "bad " BENCH_COMPATIBLE " node";
	else if (bench_check_device(b)) {
		*why = "no usable bench device";
		return -FDT_ERR_BADVALUE;
	}
	return node;
}

/* The table index of @name, or BENCH_NR. */
static enum bench_id bench_lookup(const char *name)
{
	unsigned int i;

	for (i = 0; i < BENCH_NR; i++)
		if (!strcmp(bench_defs[i].name, name))
			break;
	return (enum bench_id)i;
}

static void bench_report_reset(struct bench *b, const char *name)
{
	memset(&b->report, 0, sizeof(b->report));
	memcpy(b->report.name, name, strnlen(name, BENCH_NAME_LEN - 1));
	b->report.counter = b->counter;
	b->report.counter_hz = b->counter_hz;
	b->report.ops_per_sample = 1;
	b->report.samples_gpa = (uintptr_t)b->samples;
}

/* Warm-up, then the measured samples. Returns the status. */
static uint32_t bench_sample_all(struct bench *b, enum bench_id id)
{
	uint32_t n = b->iterations;
	uint64_t discard;

	if (n > BENCH_BUF_SAMPLES) {
		n = BENCH_BUF_SAMPLES;
		bench_note(b,
			   "tinyvmm,iterations capped at 65536 (guest buffer)");
	}
	for (uint32_t i = 0; i < b->warmup; i++)
		if (bench_arch_sample(b, id, &discard))
			return BENCH_STATUS_FAILED;
	for (uint32_t i = 0; i < n; i++) {
		if (bench_arch_sample(b, id, &b->samples[i]))
			return BENCH_STATUS_FAILED;
		b->report.nr_samples = i + 1;
	}
	return BENCH_STATUS_OK;
}

static uint32_t bench_measure(struct bench *b, enum bench_id id)
{
	uint32_t status, post;

	if (b->nr_cpus < bench_defs[id].min_cpus) {
		/* "needs N vCPUs" without printf: N is one digit here. */
		char note[] = "needs 0 vCPUs";

		note[6] = (char)('0' + bench_defs[id].min_cpus % 10);
		bench_note(b, note);
		return BENCH_STATUS_SKIPPED;
	}
	status = bench_arch_prep(b, id);
	if (status != BENCH_STATUS_OK)
		return status;
	status = bench_sample_all(b, id);
	post = bench_arch_post(b, id);
	return status == BENCH_STATUS_OK ? post : status;
}

/* One console line per benchmark; min and mean only as a glance. */
static void bench_print(const struct bench *b)
{
	const struct bench_report *r = &b->report;
	uint64_t min = UINT64_MAX, sum = 0;

	if (r->status != BENCH_STATUS_OK) {
		con_printf(b->con, "tinyvmm-bench: %s: %s (%s)\n", r->name,
			   r->status == BENCH_STATUS_SKIPPED ? "skipped"
							     : "failed",
			   r->note);
		return;
	}
	for (uint32_t i = 0; i < r->nr_samples; i++) {
		min = b->samples[i] < min ? b->samples[i] : min;
		sum += b->samples[i];
	}
	con_printf(
		b->con,
		"tinyvmm-bench: %s: %u samples (%s), min %lu, mean %lu%s%s\n",
		r->name, r->nr_samples, bench_counter_name(r->counter),
		(unsigned long)min,
		(unsigned long)(r->nr_samples ? sum / r->nr_samples : 0),
		r->note[0] ? "; " : "", r->note);
}

static void bench_one(struct bench *b, const char *name)
{
	enum bench_id id = bench_lookup(name);

	bench_report_reset(b, name);
	bench_reg_write(b, BENCH_REG_BEGIN,
			id == BENCH_NR ? BENCH_INDEX_NONE : (uint64_t)id);
	if (id == BENCH_NR) {
		bench_note(b, "unknown benchmark");
		b->report.status = BENCH_STATUS_FAILED;
	} else {
		b->report.ops_per_sample = bench_arch_ops_per_sample(id);
		b->report.status = bench_measure(b, id);
	}
	bench_arch_publish(b->samples,
			   b->report.nr_samples * sizeof(b->samples[0]));
	bench_arch_publish(&b->report, sizeof(b->report));
	bench_reg_write(b, BENCH_REG_REPORT, (uintptr_t)&b->report);
	bench_print(b);
}

uint32_t bench_run(struct bench *b)
{
	uint32_t count = 0;

	if (!b->select) {
		for (unsigned int i = 0; i < BENCH_NR; i++, count++)
			bench_one(b, bench_defs[i].name);
	} else {
		/* A string list: "a\0b\0"; the tree reader checked the bounds.
		 */
		for (uint32_t off = 0; off < b->select_len; count++) {
			const char *name = b->select + off;
			uint32_t len =
				(uint32_t)strnlen(name, b->select_len - off);

			bench_one(b, name);
			off += len + 1;
		}
	}
	bench_reg_write(b, BENCH_REG_DONE, count);
	return count;
}
