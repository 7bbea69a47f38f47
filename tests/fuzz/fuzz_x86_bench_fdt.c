// SPDX-License-Identifier: MIT
/*
 * The x86 flat guest's device tree (arch/x86/bench_fdt.c) with a machine
 * the input describes: RAM, cpus and their APIC ids, the UART, the bench
 * node and its selection list, virtio transports, the command line, and
 * the buffer size. A tree it says it built must pass libfdt's
 * fdt_check_full() and hold what was asked: bootargs, a cpu node per APIC
 * id in order, memory, a stdout-path naming the UART, the bench node and
 * its list, a node per transport. A refusal must be -E2BIG or -EINVAL, and
 * -EINVAL exactly for what bench_fdt.h calls impossible.
 *
 * Input: RAM size (u64), nr_cpus (u16), per cpu a u8 (bit 0: its APIC id
 * follows, a u32; else its index), flags (u8: F_*), UART port (u16), GSI
 * and clock (u32 each), the bench device when F_BENCH (base, size: u64;
 * GSI, iterations, warmup: u32; the selection's count, u8, and its
 * NUL-terminated names), nr_virtio (u8) and per transport base, size
 * (u64) and GSI (u32), the tree size (u32), then the command line (the
 * rest of the input) unless F_NO_CMDLINE.
 */
#include <errno.h>
#include <libfdt.h>

#include "arch/x86/bench_fdt.h"
#include "tests/fuzz/fuzz.h"
#include "virtio/mmio.h"
#include "vmm/bench/bench.h"

#define F_BENCH 1
#define F_NO_CMDLINE 2

#define MAX_CPUS 300
#define MAX_VIRTIO 40
#define MAX_SELECT 8
#define MAX_TREE (256 * 1024)

struct machine {
	struct x86_fdt_machine m;
	uint32_t apic_ids[MAX_CPUS];
	struct device_desc devices[1 + MAX_VIRTIO]; /* bench, virtio... */
	const struct device_desc *bench;	    /* NULL: no bench device */
	unsigned int nr_virtio;
	struct bench_config bench_cfg;
	char *select[MAX_SELECT];
	char *cmdline;
	size_t tree_size;
};

static void bench_read(struct machine *x, struct fuzz_in *in)
{
	struct device_desc *d = &x->devices[x->m.nr_devices++];
	struct bench_config *cfg = &x->bench_cfg;
	uint64_t base = fuzz_u64(in), size = fuzz_u64(in);

	bench_describe(cfg, base, size, fuzz_u32(in), d);
	d->has_irq = d->irq != 0; /* GSI 0: a node without an interrupt */
	cfg->iterations = fuzz_u32(in);
	cfg->warmup = fuzz_u32(in);
	cfg->nr_select = fuzz_u8(in) % (MAX_SELECT + 1);
	for (unsigned int i = 0; i < cfg->nr_select; i++)
		x->select[i] = fuzz_string(in, 600);
	cfg->select = (const char *const *)x->select;
	x->bench = d;
}

static void machine_read(struct machine *x, struct fuzz_in *in)
{
	struct x86_fdt_machine *m = &x->m;
	uint8_t flags;

	m->ram_size = fuzz_u64(in);
	m->nr_cpus = fuzz_u16(in) % (MAX_CPUS + 1);
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		x->apic_ids[i] = fuzz_u8(in) & 1 ? fuzz_u32(in) : i;
	m->apic_ids = x->apic_ids;
	flags = fuzz_u8(in);
	m->uart_port = fuzz_u16(in);
	m->uart_gsi = fuzz_u32(in);
	m->uart_clock_hz = fuzz_u32(in);
	m->devices = x->devices;
	if (flags & F_BENCH)
		bench_read(x, in);
	x->nr_virtio = fuzz_u8(in) % (MAX_VIRTIO + 1);
	for (unsigned int i = 0; i < x->nr_virtio; i++) {
		uint64_t base = fuzz_u64(in), size = fuzz_u64(in);

		virtio_mmio_describe(base, size, fuzz_u32(in),
				     &x->devices[m->nr_devices++]);
	}
	x->tree_size = fuzz_u32(in) % MAX_TREE;
	/* The command line last: the rest of the input, when asked for. */
	x->cmdline = flags & F_NO_CMDLINE ? NULL : fuzz_string(in, 8192);
	m->cmdline = x->cmdline;
}

static void machine_free(struct machine *x)
{
	for (unsigned int i = 0; i < MAX_SELECT; i++)
		free(x->select[i]);
	free(x->cmdline);
}

/* bench_fdt.h: no cpus, no RAM or two cpus with one APIC id. */
static int machine_possible(const struct x86_fdt_machine *m)
{
	if (m->nr_cpus == 0 || m->ram_size == 0)
		return 0;
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		for (unsigned int j = 0; j < i; j++)
			if (m->apic_ids[i] == m->apic_ids[j])
				return 0;
	return 1;
}

/* Property @name of the node at @path, @len bytes long. */
static const void *prop(const void *fdt, const char *path, const char *name,
			int len)
{
	int node = fdt_path_offset(fdt, path), got;
	const void *p;

	FUZZ_ASSERT(node >= 0);
	p = fdt_getprop(fdt, node, name, &got);
	FUZZ_ASSERT(p && got == len);
	return p;
}

/* A reg of one (address, size) pair, two cells each. */
static void reg_check(const void *fdt, const char *path, uint64_t addr,
		      uint64_t size)
{
	const fdt32_t *reg = prop(fdt, path, "reg", 16);

	FUZZ_ASSERT(((uint64_t)fdt32_to_cpu(reg[0]) << 32 |
		     fdt32_to_cpu(reg[1])) == addr);
	FUZZ_ASSERT(((uint64_t)fdt32_to_cpu(reg[2]) << 32 |
		     fdt32_to_cpu(reg[3])) == size);
}

static void chosen_check(const struct machine *x, const void *fdt)
{
	const char *bootargs, *stdout_path;
	int node = fdt_path_offset(fdt, "/chosen"), len;

	FUZZ_ASSERT(node >= 0);
	bootargs = fdt_getprop(fdt, node, "bootargs", &len);
	if (x->cmdline)
		FUZZ_ASSERT(bootargs && len == (int)strlen(x->cmdline) + 1 &&
			    strcmp(bootargs, x->cmdline) == 0);
	else
		FUZZ_ASSERT(!bootargs);
	/* The console the guest prints on: the UART node, at its port. */
	stdout_path = fdt_getprop(fdt, node, "stdout-path", &len);
	FUZZ_ASSERT(stdout_path && memchr(stdout_path, 0, (size_t)len));
	reg_check(fdt, stdout_path, x->m.uart_port, 8);
	FUZZ_ASSERT(fdt32_to_cpu(*(const fdt32_t *)prop(fdt, stdout_path,
							"interrupts", 4)) ==
		    x->m.uart_gsi);
}

static void cpus_check(const struct machine *x, const void *fdt)
{
	int cpus = fdt_path_offset(fdt, "/cpus"), c, len;
	unsigned int n = 0;

	FUZZ_ASSERT(cpus >= 0);
	fdt_for_each_subnode(c, fdt, cpus)
	{
		const fdt32_t *reg = fdt_getprop(fdt, c, "reg", &len);

		FUZZ_ASSERT(n < x->m.nr_cpus && reg && len == 4);
		FUZZ_ASSERT(fdt32_to_cpu(*reg) == x->apic_ids[n]);
		n++;
	}
	FUZZ_ASSERT(n == x->m.nr_cpus);
}

static void bench_check(const struct machine *x, const void *fdt)
{
	const struct bench_config *cfg = &x->bench_cfg;
	char path[40];
	const char *list;
	int node, len;

	if (!x->bench) {
		FUZZ_ASSERT(fdt_subnode_offset(fdt, 0, "bench") < 0);
		return;
	}
	snprintf(path, sizeof(path), "/bench@%llx",
		 (unsigned long long)x->bench->base);
	node = fdt_path_offset(fdt, path);
	FUZZ_ASSERT(node >= 0);
	reg_check(fdt, path, x->bench->base, x->bench->size);
	list = fdt_getprop(fdt, node, "tinyvmm,select", &len);
	FUZZ_ASSERT(!list == !cfg->nr_select);
	for (unsigned int i = 0; i < cfg->nr_select; i++) {
		size_t l = strlen(x->select[i]) + 1;

		FUZZ_ASSERT(len >= (int)l && !memcmp(list, x->select[i], l));
		list += l;
		len -= (int)l;
	}
	FUZZ_ASSERT(!cfg->nr_select || len == 0);
}

static void tree_check(const struct machine *x, const void *fdt)
{
	unsigned int virtio = 0;
	int n;

	FUZZ_ASSERT(fdt_check_full(fdt, x->tree_size) == 0);
	FUZZ_ASSERT(fdt_totalsize(fdt) <= x->tree_size);
	FUZZ_ASSERT(
		!strcmp(prop(fdt, "/", "compatible", 15), "tinyvmm,x86_64"));
	reg_check(fdt, "/memory@0", 0, x->m.ram_size);
	chosen_check(x, fdt);
	cpus_check(x, fdt);
	bench_check(x, fdt);
	fdt_for_each_subnode(n, fdt, 0)
	{
		if (!strncmp(fdt_get_name(fdt, n, NULL), "virtio_mmio@", 12))
			virtio++;
	}
	FUZZ_ASSERT(virtio == x->nr_virtio);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_in in = { data, size };
	struct machine x = { 0 };
	void *fdt;
	int ret;

	machine_read(&x, &in);
	/* Exactly the size promised: ASan catches a write past it. */
	fdt = malloc(x.tree_size ? x.tree_size : 1);
	FUZZ_ASSERT(fdt);
	ret = x86_bench_fdt_build(&x.m, fdt, x.tree_size);
	if (ret == 0)
		tree_check(&x, fdt);
	else
		FUZZ_ASSERT(ret == -E2BIG || ret == -EINVAL);
	FUZZ_ASSERT((ret == -EINVAL) == !machine_possible(&x.m));
	free(fdt);
	machine_free(&x);
	return 0;
}
