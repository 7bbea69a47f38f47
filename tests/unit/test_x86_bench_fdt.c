// SPDX-License-Identifier: MIT
/* The x86 flat guest's device tree, read back with libfdt. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "arch/x86/bench_fdt.h"
#include "arch/x86/x86_layout.h"
#include "virtio/mmio.h"
#include "vmm/bench/bench.h"
#include "tests/unit/unit.h"

#define MiB (1ULL << 20)

static const uint32_t apic_ids[64] = {
	0,  1,	2,  3,	4,  5,	6,  7,	8,  9,	10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
};
static const char *const select2[] = { "hypercall", "io_in" };

static const struct bench_config bench_cfg = {
	.iterations = 1000,
	.warmup = 50,
	.select = select2,
	.nr_select = 2,
};

/* The bench device first, then room for virtio transports. */
static struct device_desc devices[3];

static struct device_desc virtio_desc(uint64_t base, unsigned int gsi)
{
	struct device_desc d;

	virtio_mmio_describe(base, X86_VIRTIO_SLOT_SIZE, gsi, &d);
	return d;
}

static void machine_init(struct x86_fdt_machine *m, unsigned int nr_cpus)
{
	bench_describe(&bench_cfg, X86_BENCH_BASE, X86_BENCH_SIZE,
		       X86_BENCH_GSI, &devices[0]);
	*m = (struct x86_fdt_machine){
		.ram_size = 256 * MiB,
		.nr_cpus = nr_cpus,
		.apic_ids = apic_ids,
		.uart_port = X86_COM1_PORT,
		.uart_gsi = X86_UART_GSI,
		.uart_clock_hz = 1843200,
		.cmdline = "quiet",
		.devices = devices,
		.nr_devices = 1,
	};
}

static void *build(const struct x86_fdt_machine *m)
{
	void *fdt = calloc(1, X86_BENCH_DTB_MAX);

	ck_assert_ptr_nonnull(fdt);
	ck_assert_int_eq(x86_bench_fdt_build(m, fdt, X86_BENCH_DTB_MAX), 0);
	ck_assert_int_eq(fdt_check_header(fdt), 0);
	ck_assert_uint_le(fdt_totalsize(fdt), X86_BENCH_DTB_MAX);
	return fdt;
}

static const void *prop(const void *fdt, const char *path, const char *name,
			int *len)
{
	int node = fdt_path_offset(fdt, path);
	const void *p;

	ck_assert_msg(node >= 0, "%s missing", path);
	p = fdt_getprop(fdt, node, name, len);
	ck_assert_msg(p != NULL, "%s:%s missing", path, name);
	return p;
}

static void cells(const void *fdt, const char *path, const char *name,
		  const uint32_t *want, int n)
{
	int len;
	const fdt32_t *p = prop(fdt, path, name, &len);

	ck_assert_int_eq(len, n * 4);
	for (int i = 0; i < n; i++)
		ck_assert_msg(fdt32_to_cpu(p[i]) == want[i], "%s:%s[%d] = 0x%x",
			      path, name, i, fdt32_to_cpu(p[i]));
}

static void str(const void *fdt, const char *path, const char *name,
		const char *want)
{
	int len;
	const char *p = prop(fdt, path, name, &len);

	ck_assert_str_eq(p, want);
}

START_TEST(test_root_memory_chosen)
{
	struct x86_fdt_machine m;
	void *fdt;
	static const uint32_t two = 2, mem[] = { 0, 0, 0, 256 * MiB };

	machine_init(&m, 2);
	fdt = build(&m);
	str(fdt, "/", "compatible", "tinyvmm,x86_64");
	cells(fdt, "/", "#address-cells", &two, 1);
	cells(fdt, "/", "#size-cells", &two, 1);
	str(fdt, "/memory@0", "device_type", "memory");
	cells(fdt, "/memory@0", "reg", mem, 4);
	str(fdt, "/chosen", "bootargs", "quiet");
	str(fdt, "/chosen", "stdout-path", "/uart@3f8");
	free(fdt);
}
END_TEST

START_TEST(test_cpus_by_apic_id)
{
	struct x86_fdt_machine m;
	void *fdt;
	static const uint32_t one = 1, zero = 0, r0 = 0, r1 = 1;

	machine_init(&m, 2);
	fdt = build(&m);
	cells(fdt, "/cpus", "#address-cells", &one, 1);
	cells(fdt, "/cpus", "#size-cells", &zero, 1);
	cells(fdt, "/cpus/cpu@0", "reg", &r0, 1);
	cells(fdt, "/cpus/cpu@1", "reg", &r1, 1);
	str(fdt, "/cpus/cpu@1", "device_type", "cpu");
	ck_assert_int_lt(fdt_path_offset(fdt, "/cpus/cpu@2"), 0);
	free(fdt);
}
END_TEST

START_TEST(test_uart_is_a_port)
{
	struct x86_fdt_machine m;
	void *fdt;
	int len;
	static const uint32_t reg[] = { 0, 0x3f8, 0, 8 }, irq = 4;

	machine_init(&m, 1);
	fdt = build(&m);
	str(fdt, "/uart@3f8", "compatible", "ns16550a");
	cells(fdt, "/uart@3f8", "reg", reg, 4);
	cells(fdt, "/uart@3f8", "interrupts", &irq, 1);
	prop(fdt, "/uart@3f8", "tinyvmm,pio", &len);
	ck_assert_int_eq(len, 0);
	free(fdt);
}
END_TEST

START_TEST(test_bench_node)
{
	struct x86_fdt_machine m;
	void *fdt;
	int len;
	const char *sel;
	static const uint32_t reg[] = { 0, 0xd0100000, 0, 0x1000 };
	static const uint32_t irq = X86_BENCH_GSI, iters = 1000, warm = 50;
	static const char want[] = "hypercall\0io_in";

	machine_init(&m, 1);
	fdt = build(&m);
	str(fdt, "/bench@d0100000", "compatible", "tinyvmm,bench-v1");
	cells(fdt, "/bench@d0100000", "reg", reg, 4);
	cells(fdt, "/bench@d0100000", "interrupts", &irq, 1);
	cells(fdt, "/bench@d0100000", "tinyvmm,iterations", &iters, 1);
	cells(fdt, "/bench@d0100000", "tinyvmm,warmup", &warm, 1);
	sel = prop(fdt, "/bench@d0100000", "tinyvmm,select", &len);
	ck_assert_int_eq(len, sizeof(want));
	ck_assert(!memcmp(sel, want, sizeof(want)));
	free(fdt);

	m.nr_devices = 0; /* no bench device: no node */
	fdt = build(&m);
	ck_assert_int_lt(fdt_path_offset(fdt, "/bench@d0100000"), 0);
	free(fdt);
}
END_TEST

START_TEST(test_virtio_nodes)
{
	struct x86_fdt_machine m;
	static const uint32_t reg1[] = { 0, 0xd0000200, 0, 0x200 }, irq1 = 17;
	void *fdt;

	machine_init(&m, 1);
	devices[1] = virtio_desc(X86_VIRTIO_BASE, 16);
	devices[2] = virtio_desc(X86_VIRTIO_BASE + X86_VIRTIO_SLOT_SIZE, 17);
	m.nr_devices = 3;
	fdt = build(&m);
	str(fdt, "/virtio_mmio@d0000000", "compatible", "virtio,mmio");
	cells(fdt, "/virtio_mmio@d0000200", "reg", reg1, 4);
	cells(fdt, "/virtio_mmio@d0000200", "interrupts", &irq1, 1);
	free(fdt);
}
END_TEST

/* The most vCPUs tinyvmm allows fit in the one page the layout gives. */
START_TEST(test_64_cpus_fit_a_page)
{
	struct x86_fdt_machine m;
	void *fdt;

	machine_init(&m, 64);
	m.cmdline =
		"console=ttyS0 a fairly long command line for a bench guest";
	fdt = build(&m);
	ck_assert_int_ge(fdt_path_offset(fdt, "/cpus/cpu@3f"), 0);
	free(fdt);
}
END_TEST

START_TEST(test_bad_machines)
{
	struct x86_fdt_machine m;
	uint8_t buf[256];
	static const uint32_t dup[] = { 1, 1 };
	void *fdt = calloc(1, X86_BENCH_DTB_MAX);

	machine_init(&m, 0);
	ck_assert_int_eq(x86_bench_fdt_build(&m, fdt, X86_BENCH_DTB_MAX),
			 -EINVAL);
	machine_init(&m, 2);
	m.apic_ids = dup;
	ck_assert_int_eq(x86_bench_fdt_build(&m, fdt, X86_BENCH_DTB_MAX),
			 -EINVAL);
	machine_init(&m, 1);
	m.ram_size = 0;
	ck_assert_int_eq(x86_bench_fdt_build(&m, fdt, X86_BENCH_DTB_MAX),
			 -EINVAL);
	machine_init(&m, 1);
	m.nr_devices = 2; /* counted, but no array */
	m.devices = NULL;
	ck_assert_int_eq(x86_bench_fdt_build(&m, fdt, X86_BENCH_DTB_MAX),
			 -EINVAL);
	machine_init(&m, 1);
	ck_assert_int_eq(x86_bench_fdt_build(&m, buf, sizeof(buf)), -E2BIG);
	free(fdt);
}
END_TEST

int main(void)
{
	const TTest *const tests[] = {
		test_root_memory_chosen, test_cpus_by_apic_id,
		test_uart_is_a_port,	 test_bench_node,
		test_virtio_nodes,	 test_64_cpus_fit_a_page,
		test_bad_machines,	 NULL,
	};

	return unit_run_tests("x86_bench_fdt", "bench_fdt", tests);
}
