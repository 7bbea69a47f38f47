// SPDX-License-Identifier: MIT
/*
 * The arm64 device tree builder (arch/arm64/fdt_builder.c) with a machine
 * the input describes: cpus and their MPIDRs, GIC, UART, initrd, the bench
 * node and its selection, virtio transports, the command line, and the
 * buffer size. A tree it says it built must pass libfdt's fdt_check_full()
 * and carry the command line; a refusal must be -E2BIG or -EINVAL.
 */
#include <errno.h>
#include <libfdt.h>

#include "arch/arm64/fdt_builder.h"
#include "tests/fuzz/fuzz.h"
#include "virtio/mmio.h"
#include "vmm/bench/bench.h"

#define MAX_CPUS 160
#define MAX_VIRTIO 40
#define MAX_SELECT 8
#define MAX_TREE (256 * 1024)

/* Mostly sane values, sometimes anything: keeps both paths reachable. */
static unsigned int intid(struct fuzz_in *in)
{
	uint16_t v = fuzz_u16(in);

	return v & 0x8000 ? v & 0x7fff : 32 + v % 988;
}

struct machine {
	struct arm64_fdt_machine m;
	uint64_t mpidrs[MAX_CPUS];
	struct device_desc devices[1 + MAX_VIRTIO]; /* bench, virtio... */
	struct bench_config bench;
	char *select[MAX_SELECT];
	char *cmdline;
	size_t tree_size;
};

static void machine_read(struct machine *x, struct fuzz_in *in)
{
	struct arm64_fdt_machine *m = &x->m;
	uint8_t flags;

	m->ram_base = fuzz_u64(in);
	m->ram_size = fuzz_u64(in);
	m->nr_cpus = fuzz_u8(in) % (MAX_CPUS + 1);
	for (unsigned int i = 0; i < m->nr_cpus; i++)
		x->mpidrs[i] =
			fuzz_u8(in) & 1 ? fuzz_u64(in) : 0x80000000ULL + i;
	m->mpidrs = x->mpidrs;
	flags = fuzz_u8(in);
	m->gic_version =
		flags & 0x80 ? (int)(int8_t)fuzz_u8(in) : 2 + (flags & 1);
	m->has_pmu = flags & 2;
	m->gicd_base = fuzz_u64(in);
	m->gicd_size = fuzz_u64(in);
	m->gicr_base = fuzz_u64(in);
	m->gicr_size =
		flags & 4 ? fuzz_u64(in) : (uint64_t)m->nr_cpus * 0x20000ULL;
	m->has_its = flags & 64;
	if (m->has_its) {
		m->its_base = fuzz_u64(in);
		m->its_size = fuzz_u64(in);
	}
	m->uart_base = fuzz_u64(in);
	m->uart_size = fuzz_u64(in);
	m->uart_intid = intid(in);
	m->uart_clock_hz = fuzz_u32(in);
	m->initrd_start = fuzz_u64(in);
	m->initrd_end =
		flags & 8 ? fuzz_u64(in) : m->initrd_start + fuzz_u32(in);
	m->devices = x->devices;
	if (flags & 16) {
		struct device_desc *d = &x->devices[m->nr_devices++];
		uint64_t base = fuzz_u64(in), size = fuzz_u64(in) | 1;

		bench_describe(&x->bench, base, size, intid(in), d);
		d->has_irq = d->irq != 0; /* intid 0: a node without one */
		x->bench.iterations = fuzz_u32(in);
		x->bench.warmup = fuzz_u32(in);
		x->bench.nr_select = fuzz_u8(in) % (MAX_SELECT + 1);
		for (unsigned int i = 0; i < x->bench.nr_select; i++)
			x->select[i] = fuzz_string(in, 600);
		x->bench.select = (const char *const *)x->select;
	}
	for (unsigned int n = fuzz_u8(in) % (MAX_VIRTIO + 1); n > 0; n--) {
		uint64_t base = fuzz_u64(in), size = fuzz_u32(in);

		virtio_mmio_describe(base, size, intid(in),
				     &x->devices[m->nr_devices++]);
	}
	x->tree_size = fuzz_u32(in) % MAX_TREE;
	/* The command line last: the rest of the input, when asked for. */
	x->cmdline = flags & 32 ? NULL : fuzz_string(in, 8192);
	m->cmdline = x->cmdline;
}

static void machine_free(struct machine *x)
{
	for (unsigned int i = 0; i < MAX_SELECT; i++)
		free(x->select[i]);
	free(x->cmdline);
}

static void tree_check(const struct machine *x, const void *fdt)
{
	const char *bootargs;
	int node, len;

	FUZZ_ASSERT(fdt_check_full(fdt, x->tree_size) == 0);
	FUZZ_ASSERT(fdt_totalsize(fdt) <= x->tree_size);
	node = fdt_path_offset(fdt, "/chosen");
	FUZZ_ASSERT(node >= 0);
	bootargs = fdt_getprop(fdt, node, "bootargs", &len);
	if (x->cmdline)
		FUZZ_ASSERT(bootargs && strcmp(bootargs, x->cmdline) == 0);
	else
		FUZZ_ASSERT(!bootargs);
	/* Every cpu got its node: one cpu@ per MPIDR. */
	node = fdt_path_offset(fdt, "/cpus");
	FUZZ_ASSERT(node >= 0);
	len = 0;
	for (int c = fdt_first_subnode(fdt, node); c >= 0;
	     c = fdt_next_subnode(fdt, c))
		len++;
	FUZZ_ASSERT((unsigned int)len == x->m.nr_cpus);
	/* An ITS asked for is described, and only then. */
	node = fdt_node_offset_by_compatible(fdt, -1, "arm,gic-v3-its");
	FUZZ_ASSERT((node >= 0) == (x->m.has_its != 0));
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
	ret = arm64_fdt_build(&x.m, fdt, x.tree_size);
	if (ret == 0)
		tree_check(&x, fdt);
	else
		FUZZ_ASSERT(ret == -E2BIG || ret == -EINVAL);
	free(fdt);
	machine_free(&x);
	return 0;
}
