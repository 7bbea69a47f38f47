// SPDX-License-Identifier: MIT
/*
 * The arm64 device tree: build it, read it back with libfdt, and check
 * every node and property against the bindings.
 */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "arch/arm64/fdt_builder.h"
#include "arch/arm64/arm64_layout.h"
#include "virtio/mmio.h"
#include "vmm/bench/bench.h"
#include "tests/unit/unit.h"

#define MiB (1ULL << 20)
#define TREE_MAX (64 * 1024)

static const uint64_t mpidrs4[] = { 0x80000000, 0x80000001, 0x80000002,
				    0x80000003 };

static void machine_init(struct arm64_fdt_machine *m, unsigned int nr_cpus,
			 int gic_version)
{
	*m = (struct arm64_fdt_machine){
		.ram_base = ARM64_RAM_BASE,
		.ram_size = 256 * MiB,
		.nr_cpus = nr_cpus,
		.mpidrs = mpidrs4,
		.gic_version = gic_version,
		.gicd_base = ARM64_GICD_BASE,
		.gicd_size = ARM64_GICD_SIZE,
		.gicr_base =
			gic_version == 3 ? ARM64_GICR_BASE : ARM64_GICC_BASE,
		.gicr_size = gic_version == 3 ? nr_cpus * ARM64_GICR_STRIDE
					      : ARM64_GICC_SIZE,
		.uart_base = ARM64_UART_BASE,
		.uart_size = ARM64_UART_SIZE,
		.uart_intid = ARM64_UART_INTID,
		.uart_clock_hz = ARM64_UART_CLOCK_HZ,
		.cmdline = "console=ttyS0 earlycon",
		.initrd_start = ARM64_RAM_BASE + 200 * MiB,
		.initrd_end = ARM64_RAM_BASE + 250 * MiB + 123,
		.has_pmu = 1,
	};
}

/* Builds into a fresh buffer and checks the header; caller frees. */
static void *build(const struct arm64_fdt_machine *m)
{
	void *fdt = calloc(1, TREE_MAX);

	ck_assert_ptr_nonnull(fdt);
	ck_assert_int_eq(arm64_fdt_build(m, fdt, TREE_MAX), 0);
	ck_assert_int_eq(fdt_check_header(fdt), 0);
	ck_assert_uint_le(fdt_totalsize(fdt), TREE_MAX);
	return fdt;
}

static int node(const void *fdt, const char *path)
{
	int off = fdt_path_offset(fdt, path);

	ck_assert_msg(off >= 0, "no node %s: %s", path, fdt_strerror(off));
	return off;
}

static const void *prop(const void *fdt, const char *path, const char *name,
			int *len)
{
	const void *p = fdt_getprop(fdt, node(fdt, path), name, len);

	ck_assert_msg(p != NULL, "no %s in %s", name, path);
	return p;
}

static void absent(const void *fdt, const char *path, const char *name)
{
	int len;

	ck_assert_msg(!fdt_getprop(fdt, node(fdt, path), name, &len),
		      "%s in %s should be absent", name, path);
}

/* @want may hold several NUL-separated strings: pass its full size. */
static void str_list(const void *fdt, const char *path, const char *name,
		     const char *want, size_t want_len)
{
	int len;
	const char *p = prop(fdt, path, name, &len);

	ck_assert_msg((size_t)len == want_len && !memcmp(p, want, want_len),
		      "%s:%s is \"%.*s\"", path, name, len, p);
}

static void str(const void *fdt, const char *path, const char *name,
		const char *want)
{
	str_list(fdt, path, name, want, strlen(want) + 1);
}

static void cells(const void *fdt, const char *path, const char *name,
		  const uint32_t *want, int n)
{
	int len;
	const fdt32_t *p = prop(fdt, path, name, &len);

	ck_assert_msg(len == n * 4, "%s:%s has %d bytes, want %d", path, name,
		      len, n * 4);
	for (int i = 0; i < n; i++)
		ck_assert_msg(fdt32_to_cpu(p[i]) == want[i],
			      "%s:%s[%d] = %#x, want %#x", path, name, i,
			      fdt32_to_cpu(p[i]), want[i]);
}

static void u32(const void *fdt, const char *path, const char *name,
		uint32_t want)
{
	cells(fdt, path, name, &want, 1);
}

static void u64(const void *fdt, const char *path, const char *name,
		uint64_t want)
{
	uint32_t c[2] = { (uint32_t)(want >> 32), (uint32_t)want };

	cells(fdt, path, name, c, 2);
}

static void empty(const void *fdt, const char *path, const char *name)
{
	int len;

	prop(fdt, path, name, &len);
	ck_assert_int_eq(len, 0);
}

/* The subnodes of @path, in order, must be exactly @names. */
static void children(const void *fdt, const char *path,
		     const char *const *names, int n)
{
	int child, i = 0;

	fdt_for_each_subnode(child, fdt, node(fdt, path))
	{
		const char *got = fdt_get_name(fdt, child, NULL);

		ck_assert_msg(i < n, "%s: extra node %s", path, got);
		ck_assert_str_eq(got, names[i]);
		i++;
	}
	ck_assert_int_eq(i, n);
}

static void check_root(const void *fdt)
{
	str(fdt, "/", "compatible", "tinyvmm,arm64");
	str(fdt, "/", "model", "tinyvmm");
	u32(fdt, "/", "#address-cells", 2);
	u32(fdt, "/", "#size-cells", 2);
	/* interrupt-parent must resolve to the GIC node. */
	ck_assert_int_eq(
		fdt_node_offset_by_phandle(
			fdt, fdt32_to_cpu(*(const fdt32_t *)prop(
				     fdt, "/", "interrupt-parent", NULL))),
		node(fdt, "/intc@8000000"));
}

static void check_memory(const void *fdt)
{
	static const uint32_t reg[] = { 0, 0x80000000, 0, 0x10000000 };

	str(fdt, "/memory@80000000", "device_type", "memory");
	cells(fdt, "/memory@80000000", "reg", reg, 4);
}

static void check_psci(const void *fdt)
{
	str(fdt, "/psci", "compatible", "arm,psci-0.2");
	str(fdt, "/psci", "method", "hvc");
}

static void check_cpus(const void *fdt, unsigned int n)
{
	static const char *const names[] = { "cpu@0", "cpu@1", "cpu@2",
					     "cpu@3" };
	char path[32];

	u32(fdt, "/cpus", "#address-cells", 1);
	u32(fdt, "/cpus", "#size-cells", 0);
	children(fdt, "/cpus", names, (int)n);
	for (unsigned int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "/cpus/cpu@%u", i);
		str(fdt, path, "device_type", "cpu");
		str(fdt, path, "compatible", "arm,arm-v8");
		u32(fdt, path, "reg", i);
		str(fdt, path, "enable-method", "psci");
	}
}

static void check_gic(const void *fdt, int version, unsigned int nr_cpus)
{
	const char *p = "/intc@8000000";
	uint32_t v3_reg[] = { 0, 0x08000000, 0, 0x10000,
			      0, 0x080a0000, 0, nr_cpus * 0x20000 };
	static const uint32_t v2_reg[] = { 0, 0x08000000, 0, 0x10000,
					   0, 0x08010000, 0, 0x2000 };

	if (version == 3) {
		str(fdt, p, "compatible", "arm,gic-v3");
		cells(fdt, p, "reg", v3_reg, 8);
		u32(fdt, p, "#redistributor-regions", 1);
	} else {
		str(fdt, p, "compatible", "arm,cortex-a15-gic");
		cells(fdt, p, "reg", v2_reg, 8);
		absent(fdt, p, "#redistributor-regions");
	}
	u32(fdt, p, "#interrupt-cells", 3);
	u32(fdt, p, "#address-cells", 0);
	empty(fdt, p, "interrupt-controller");
	u32(fdt, p, "phandle", 1);
}

/* PPI flags: level-low (8), plus the GICv2 CPU mask in bits[15:8]. */
static void check_timer(const void *fdt, uint32_t cpu_mask)
{
	uint32_t f = 8 | cpu_mask << 8;
	uint32_t irqs[] = { 1, 13, f, 1, 14, f, 1, 11, f, 1, 10, f };

	str(fdt, "/timer", "compatible", "arm,armv8-timer");
	cells(fdt, "/timer", "interrupts", irqs, 12);
}

static void check_pmu(const void *fdt, uint32_t cpu_mask)
{
	uint32_t irq[] = { 1, 7, 4 | cpu_mask << 8 };

	str(fdt, "/pmu", "compatible", "arm,armv8-pmuv3");
	cells(fdt, "/pmu", "interrupts", irq, 3);
}

static void check_uart(const void *fdt)
{
	static const uint32_t reg[] = { 0, 0x09000000, 0, 0x1000 };
	static const uint32_t irq[] = { 0, 1, 4 };
	const char *p = "/uart@9000000";

	str(fdt, p, "compatible", "ns16550a");
	cells(fdt, p, "reg", reg, 4);
	cells(fdt, p, "interrupts", irq, 3);
	u32(fdt, p, "clock-frequency", 1843200);
	u32(fdt, p, "reg-shift", 0);
	u32(fdt, p, "reg-io-width", 1);
}

static void check_chosen_full(const void *fdt)
{
	str(fdt, "/chosen", "bootargs", "console=ttyS0 earlycon");
	u64(fdt, "/chosen", "linux,initrd-start", 0x80000000 + 200 * MiB);
	u64(fdt, "/chosen", "linux,initrd-end", 0x80000000 + 250 * MiB + 123);
	str(fdt, "/chosen", "stdout-path", "/uart@9000000");
	/* stdout-path must name a node that exists. */
	node(fdt, "/uart@9000000");
}

static const char *const root_nodes[] = {
	"memory@80000000", "cpus", "psci",	   "intc@8000000",
	"timer",	   "pmu",  "uart@9000000", "chosen",
};

struct shape {
	unsigned int nr_cpus;
	int gic_version;
	uint32_t ppi_cpu_mask; /* what the v2 flags must carry */
};

static const struct shape shapes[] = {
	{ 1, 3, 0 },
	{ 4, 3, 0 },
	{ 1, 2, 0x1 },
	{ 4, 2, 0xf },
};

START_TEST(test_full_tree)
{
	const struct shape *s = &shapes[_i];
	struct arm64_fdt_machine m;
	void *fdt;

	machine_init(&m, s->nr_cpus, s->gic_version);
	fdt = build(&m);
	children(fdt, "/", root_nodes, 8);
	check_root(fdt);
	check_memory(fdt);
	check_cpus(fdt, s->nr_cpus);
	check_psci(fdt);
	check_gic(fdt, s->gic_version, s->nr_cpus);
	check_timer(fdt, s->ppi_cpu_mask);
	check_pmu(fdt, s->ppi_cpu_mask);
	check_uart(fdt);
	check_chosen_full(fdt);
	free(fdt);
}
END_TEST

START_TEST(test_minimal_chosen)
{
	static const char *const nodes[] = {
		"memory@80000000", "cpus",	   "psci",   "intc@8000000",
		"timer",	   "uart@9000000", "chosen",
	};
	struct arm64_fdt_machine m;
	void *fdt;

	machine_init(&m, 1, 3);
	m.cmdline = NULL;
	m.initrd_start = m.initrd_end = 0;
	m.has_pmu = 0;
	fdt = build(&m);
	children(fdt, "/", nodes, 7);
	absent(fdt, "/chosen", "bootargs");
	absent(fdt, "/chosen", "linux,initrd-start");
	absent(fdt, "/chosen", "linux,initrd-end");
	str(fdt, "/chosen", "stdout-path", "/uart@9000000");
	free(fdt);
}
END_TEST

START_TEST(test_empty_cmdline)
{
	struct arm64_fdt_machine m;
	void *fdt;

	machine_init(&m, 1, 3);
	m.cmdline = "";
	fdt = build(&m);
	str(fdt, "/chosen", "bootargs", "");
	free(fdt);
}
END_TEST

/* Aff3 does not fit one cell: cpus gets #address-cells = 2. */
START_TEST(test_aff3_two_cells)
{
	static const uint64_t mpidrs[] = { 0x80000000, 0x0100000101ULL };
	static const char *const names[] = { "cpu@0", "cpu@100000101" };
	static const uint32_t reg1[] = { 0x1, 0x101 };
	static const uint32_t reg0[] = { 0, 0 };
	struct arm64_fdt_machine m;
	void *fdt;

	machine_init(&m, 2, 3);
	m.mpidrs = mpidrs;
	fdt = build(&m);
	u32(fdt, "/cpus", "#address-cells", 2);
	children(fdt, "/cpus", names, 2);
	cells(fdt, "/cpus/cpu@0", "reg", reg0, 2);
	cells(fdt, "/cpus/cpu@100000101", "reg", reg1, 2);
	free(fdt);
}
END_TEST

/* Every buffer one byte short fails cleanly; the exact size succeeds. */
START_TEST(test_too_small)
{
	struct arm64_fdt_machine m;
	void *fdt;
	uint32_t need;

	machine_init(&m, 4, 3);
	fdt = build(&m);
	need = fdt_totalsize(fdt);
	free(fdt);
	for (uint32_t size = 0; size <= need; size++) {
		/* Exact-size heap blocks: ASan catches any overrun. */
		void *buf = malloc(size ? size : 1);
		int want = size == need ? 0 : -E2BIG;

		ck_assert_ptr_nonnull(buf);
		ck_assert_msg(arm64_fdt_build(&m, buf, size) == want,
			      "size %u of %u", size, need);
		free(buf);
	}
}
END_TEST

struct bad_case {
	const char *name;
	void (*mutate)(struct arm64_fdt_machine *m);
};

static void no_cpus(struct arm64_fdt_machine *m)
{
	m->nr_cpus = 0;
}
static void no_mpidrs(struct arm64_fdt_machine *m)
{
	m->mpidrs = NULL;
}
static void no_ram(struct arm64_fdt_machine *m)
{
	m->ram_size = 0;
}
static void gic_v4(struct arm64_fdt_machine *m)
{
	m->gic_version = 4;
}
static void gic_v0(struct arm64_fdt_machine *m)
{
	m->gic_version = 0;
}
static void uart_ppi(struct arm64_fdt_machine *m)
{
	m->uart_intid = 31;
}
static void uart_1020(struct arm64_fdt_machine *m)
{
	m->uart_intid = 1020;
}

static void ram_wraps(struct arm64_fdt_machine *m)
{
	m->ram_base = UINT64_MAX - MiB + 1;
	m->ram_size = 2 * MiB;
}

static void initrd_reversed(struct arm64_fdt_machine *m)
{
	m->initrd_end = m->initrd_start - 1;
}

static void dup_mpidr(struct arm64_fdt_machine *m)
{
	static const uint64_t dup[] = { 0x80000001, 0x1 };

	m->nr_cpus = 2;
	m->mpidrs = dup;
}

static void v2_nine_cpus(struct arm64_fdt_machine *m)
{
	static const uint64_t nine[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8 };

	m->gic_version = 2;
	m->nr_cpus = 9;
	m->mpidrs = nine;
}

static void v3_redists_short(struct arm64_fdt_machine *m)
{
	m->gicr_size = (m->nr_cpus - 1) * ARM64_GICR_STRIDE;
}

static void its_on(struct arm64_fdt_machine *m)
{
	m->has_its = 1;
	m->its_base = ARM64_GITS_BASE;
	m->its_size = ARM64_GITS_SIZE;
}

static void its_on_v2(struct arm64_fdt_machine *m)
{
	static const uint64_t two[] = { 0, 1 };

	its_on(m);
	m->gic_version = 2;
	m->nr_cpus = 2;
	m->mpidrs = two;
}

static void its_empty(struct arm64_fdt_machine *m)
{
	its_on(m);
	m->its_size = 0;
}

static void its_wraps(struct arm64_fdt_machine *m)
{
	its_on(m);
	m->its_base = UINT64_MAX - 0xffff;
}

/* A virtio-mmio transport as the machine describes it (device_desc.h). */
static struct device_desc virtio_desc(uint64_t base, unsigned int intid)
{
	struct device_desc d;

	virtio_mmio_describe(base, ARM64_VIRTIO_SLOT_SIZE, intid, &d);
	return d;
}

static void virtio_ppi(struct arm64_fdt_machine *m)
{
	static struct device_desc one_virtio_ppi[1];

	one_virtio_ppi[0] = virtio_desc(ARM64_VIRTIO_BASE, 27);
	m->devices = one_virtio_ppi;
	m->nr_devices = 1;
}

static void virtio_null(struct arm64_fdt_machine *m)
{
	m->nr_devices = 2;
}

static void nested_v2(struct arm64_fdt_machine *m)
{
	machine_init(m, 4, 2);
	m->nested = 1;
}

static const struct bad_case bad_cases[] = {
	{ "0 cpus", no_cpus },
	{ "no mpidrs", no_mpidrs },
	{ "no RAM", no_ram },
	{ "RAM wraps", ram_wraps },
	{ "GIC v4", gic_v4 },
	{ "GIC v0", gic_v0 },
	{ "UART intid is a PPI", uart_ppi },
	{ "UART intid past the SPIs", uart_1020 },
	{ "initrd end before start", initrd_reversed },
	{ "two cpus, one MPIDR", dup_mpidr },
	{ "GICv2 with 9 cpus", v2_nine_cpus },
	{ "GICv3 redistributors for 3 of 4 cpus", v3_redists_short },
	{ "virtio intid is a PPI", virtio_ppi },
	{ "2 devices, no array", virtio_null },
	{ "ITS on a GICv2", its_on_v2 },
	{ "ITS frame empty", its_empty },
	{ "ITS frame wraps", its_wraps },
	{ "nested on a GICv2", nested_v2 },
};

START_TEST(test_bad_machine)
{
	const struct bad_case *c = &bad_cases[_i];
	struct arm64_fdt_machine m;
	char buf[TREE_MAX];

	machine_init(&m, 4, 3);
	c->mutate(&m);
	ck_assert_msg(arm64_fdt_build(&m, buf, sizeof(buf)) == -EINVAL, "%s",
		      c->name);
}
END_TEST

/*
 * The ITS is the GIC node's one child (arm,gic-v3 binding): the parent
 * gets the root's cells and an identity ranges, the child the 128 KiB
 * frame pair, msi-controller and one msi cell.
 */
START_TEST(test_its_node)
{
	const char *gic = "/intc@8000000";
	const char *its = "/intc@8000000/msi-controller@8080000";
	static const uint32_t reg[] = { 0, 0x08080000, 0, 0x20000 };
	struct arm64_fdt_machine m;
	void *fdt;

	machine_init(&m, 2, 3);
	its_on(&m);
	fdt = build(&m);
	u32(fdt, gic, "#address-cells", 2);
	u32(fdt, gic, "#size-cells", 2);
	empty(fdt, gic, "ranges");
	u32(fdt, gic, "phandle", 1);
	str(fdt, its, "compatible", "arm,gic-v3-its");
	empty(fdt, its, "msi-controller");
	u32(fdt, its, "#msi-cells", 1);
	cells(fdt, its, "reg", reg, 4);
	ck_assert_int_eq(
		fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its"),
		node(fdt, its));
	free(fdt);

	/* Without it: no child, and nothing that announces one. */
	machine_init(&m, 2, 3);
	fdt = build(&m);
	ck_assert_int_lt(
		fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its"), 0);
	ck_assert_int_lt(fdt_first_subnode(fdt, node(fdt, gic)), 0);
	absent(fdt, gic, "ranges");
	absent(fdt, gic, "#size-cells");
	free(fdt);
}
END_TEST

/*
 * A guest hypervisor's machine (nested): the GIC names the maintenance
 * interrupt (PPI 9, level-high), the timer all five PPIs in the binding's
 * order (the fifth the EL2 virtual timer, PPI 12), PSCI goes over SMC;
 * the rest of the tree is the plain one.
 */
START_TEST(test_nested_tree)
{
	static const uint32_t maint[] = { 1, 9, 4 };
	static const uint32_t timer[] = { 1, 13, 8,  1, 14, 8,	1, 11,
					  8, 1,	 10, 8, 1,  12, 8 };
	const char *gic = "/intc@8000000";
	struct arm64_fdt_machine m;
	void *fdt;

	machine_init(&m, 2, 3);
	m.nested = 1;
	fdt = build(&m);
	children(fdt, "/", root_nodes, 8);
	check_cpus(fdt, 2);
	check_gic(fdt, 3, 2);
	cells(fdt, gic, "interrupts", maint, 3);
	str(fdt, "/timer", "compatible", "arm,armv8-timer");
	cells(fdt, "/timer", "interrupts", timer, 15);
	str(fdt, "/psci", "compatible", "arm,psci-0.2");
	str(fdt, "/psci", "method", "smc");
	check_pmu(fdt, 0);
	check_uart(fdt);
	check_chosen_full(fdt);
	free(fdt);

	/* With the ITS the maintenance interrupt stays a GIC property. */
	machine_init(&m, 2, 3);
	m.nested = 1;
	its_on(&m);
	fdt = build(&m);
	cells(fdt, gic, "interrupts", maint, 3);
	node(fdt, "/intc@8000000/msi-controller@8080000");
	free(fdt);
}
END_TEST

/* Without nested: no GIC interrupts, four timers, HVC, as before. */
START_TEST(test_not_nested)
{
	struct arm64_fdt_machine m;
	void *fdt;

	machine_init(&m, 2, 3);
	fdt = build(&m);
	absent(fdt, "/intc@8000000", "interrupts");
	check_timer(fdt, 0);
	check_psci(fdt);
	free(fdt);
}
END_TEST

START_TEST(test_null_args)
{
	struct arm64_fdt_machine m;
	char buf[64];

	machine_init(&m, 1, 3);
	ck_assert_int_eq(arm64_fdt_build(NULL, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(arm64_fdt_build(&m, NULL, 4096), -EINVAL);
}
END_TEST

/* The bench device node: reg, the run's sizes and the selection. */
START_TEST(test_bench_node)
{
	static const char *const select[] = { "hypercall", "mmio_user" };
	static const char want[] = "hypercall\0mmio_user";
	/* GIC_SPI, INTID 34 - 32, IRQ_TYPE_EDGE_RISING */
	static const uint32_t bench_irq[] = { 0, 2, 1 };
	static const uint32_t reg[] = { 0, (uint32_t)ARM64_BENCH_BASE, 0,
					(uint32_t)ARM64_BENCH_SIZE };
	struct bench_config cfg = { .iterations = 1000,
				    .warmup = 50,
				    .select = select,
				    .nr_select = 2 };
	struct device_desc bench;
	struct arm64_fdt_machine m;
	void *fdt;
	int node;

	bench_describe(&cfg, ARM64_BENCH_BASE, ARM64_BENCH_SIZE,
		       ARM64_BENCH_INTID, &bench);
	machine_init(&m, 1, 3);
	m.devices = &bench;
	m.nr_devices = 1;
	fdt = build(&m);
	str(fdt, "/bench@9001000", "compatible", "tinyvmm,bench-v1");
	cells(fdt, "/bench@9001000", "reg", reg, 4);
	cells(fdt, "/bench@9001000", "interrupts", bench_irq, 3);
	u32(fdt, "/bench@9001000", "tinyvmm,iterations", 1000);
	u32(fdt, "/bench@9001000", "tinyvmm,warmup", 50);
	str_list(fdt, "/bench@9001000", "tinyvmm,select", want, sizeof(want));
	node = fdt_path_offset(fdt, "/bench@9001000");
	ck_assert_ptr_null(fdt_getprop(fdt, node, "dma-coherent", NULL));
	free(fdt);
	cfg.nr_select = 0; /* no selection: the property is absent */
	fdt = build(&m);
	absent(fdt, "/bench@9001000", "tinyvmm,select");
	free(fdt);
}
END_TEST

/* virtio-mmio nodes: one per transport, reg, edge SPI, dma-coherent. */
START_TEST(test_virtio_nodes)
{
	const struct device_desc virtio[] = {
		virtio_desc(ARM64_VIRTIO_BASE, 48),
		virtio_desc(ARM64_VIRTIO_BASE + ARM64_VIRTIO_SLOT_SIZE, 49),
	};
	/* GIC_SPI, INTID - 32, IRQ_TYPE_EDGE_RISING */
	static const uint32_t irq0[] = { 0, 16, 1 }, irq1[] = { 0, 17, 1 };
	static const uint32_t reg1[] = { 0, (uint32_t)ARM64_VIRTIO_BASE + 0x200,
					 0, (uint32_t)ARM64_VIRTIO_SLOT_SIZE };
	struct arm64_fdt_machine m;
	void *fdt;
	int node;

	machine_init(&m, 2, 3);
	m.devices = virtio;
	m.nr_devices = 2;
	fdt = build(&m);
	str(fdt, "/virtio_mmio@a000000", "compatible", "virtio,mmio");
	cells(fdt, "/virtio_mmio@a000000", "interrupts", irq0, 3);
	cells(fdt, "/virtio_mmio@a000200", "reg", reg1, 4);
	cells(fdt, "/virtio_mmio@a000200", "interrupts", irq1, 3);
	node = fdt_path_offset(fdt, "/virtio_mmio@a000000");
	ck_assert_ptr_nonnull(fdt_getprop(fdt, node, "dma-coherent", NULL));
	free(fdt);
	m.nr_devices = 0; /* none: no node */
	fdt = build(&m);
	ck_assert_int_lt(fdt_path_offset(fdt, "/virtio_mmio@a000000"), 0);
	free(fdt);
}
END_TEST

static Suite *fdt_suite(void)
{
	Suite *s = suite_create("arm64_fdt");
	TCase *good = tcase_create("build");
	TCase *bad = tcase_create("reject");

	tcase_add_loop_test(good, test_full_tree, 0,
			    sizeof(shapes) / sizeof(shapes[0]));
	tcase_add_test(good, test_minimal_chosen);
	tcase_add_test(good, test_empty_cmdline);
	tcase_add_test(good, test_aff3_two_cells);
	tcase_add_test(good, test_bench_node);
	tcase_add_test(good, test_virtio_nodes);
	tcase_add_test(good, test_its_node);
	tcase_add_test(good, test_nested_tree);
	tcase_add_test(good, test_not_nested);
	tcase_add_test(bad, test_too_small);
	tcase_add_loop_test(bad, test_bad_machine, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(bad, test_null_args);
	suite_add_tcase(s, good);
	suite_add_tcase(s, bad);
	return s;
}

int main(void)
{
	return unit_run(fdt_suite());
}
