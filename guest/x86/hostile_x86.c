// SPDX-License-Identifier: MIT
/*
 * The x86_64 side of the hostile guest (guest/common/hostile.c does the
 * attack; hostile.h is the contract): the TSC as the clock, the memory
 * map's holes (arch/x86/x86_layout.h) and beyond 4 GiB, I/O ports nothing
 * serves, HLT woken by the local APIC's timer, ACPI S5 to leave.
 *
 * DMA is cache-coherent on x86 and stores stay in order (TSO), so ring
 * hand-over needs only the compiler to keep its order.
 * Interrupts stay off (IF clear) except inside the idle phase's
 * "sti; hlt": the guest polls the devices, whose IOAPIC pins stay masked.
 */
#include "apic.h"
#include "hostile.h"
#include "mmio.h"
#include "uart.h"

/* Paging-structure entries (SDM vol. 3, 4.5): what map_2m() writes. */
#define PTE_P (1ULL << 0)
#define PTE_RW (1ULL << 1)
#define PTE_PS (1ULL << 7)
#define PTE_ADDR 0x000ffffffffff000ULL
#define PAGE_2M (1ULL << 21)
#define HPET_BASE 0xfed00000ULL /* where a PC's HPET would be: none here */

/* Local APIC: the request and in-service registers, 8 x 32 bits each. */
#define APIC_ISR 0x100
#define APIC_IRR 0x200

/* The port phase. */
#define PORT_RANDOM 256	 /* random ports, each read and written */
#define PORT_STRING 8192 /* bytes per rep ins/outs: two exits' worth */
#define PORT_QUIET 0x100 /* nothing claims it (no ISA card here) */
#define PORT_LAST 0xffff

/*
 * Ports someone serves: KVM's in-kernel PIC, PIT (and its speaker port)
 * and ELCR (arch/x86/irqchip.c), tinyvmm's devices (arch/x86/pio.c) and
 * COM1, the console. Random accesses avoid them all: some have side
 * effects (0xcf9 resets, PM1a_CNT powers off). Those tinyvmm serves get
 * reads across their edges, which no device may see.
 */
struct port_range {
	uint16_t first, last;
	bool tinyvmm;
};

static const struct port_range served_ports[] = {
	{ 0x20, 0x21, false },	 /* PIC, master */
	{ 0xa0, 0xa1, false },	 /* PIC, slave */
	{ 0x4d0, 0x4d1, false }, /* ELCR */
	{ 0x40, 0x43, false },	 /* PIT */
	{ 0x61, 0x61, false },	 /* PIT speaker port */
	{ 0x600, 0x603, true },	 /* ACPI PM1a event block */
	{ 0x604, 0x605, true },	 /* ACPI PM1a control: power-off */
	{ 0xcf8, 0xcff, true },	 /* PCI configuration, reset at 0xcf9 */
	{ 0x60, 0x60, true },	 /* i8042 data */
	{ 0x64, 0x64, true },	 /* i8042 command: reset */
	{ 0x70, 0x71, true },	 /* CMOS */
	{ 0x80, 0x80, true },	 /* POST code */
	{ 0x81, 0x90, true },	 /* DMA page registers */
	{ 0x2e, 0x2f, true },	 /* Super I/O */
	{ 0x4e, 0x4f, true },	 /* Super I/O */
	{ 0x2e8, 0x2ef, true },	 /* COM4 */
	{ 0x2f8, 0x2ff, true },	 /* COM2 */
	{ 0x3e8, 0x3ef, true },	 /* COM3 */
	{ X86_COM1_PORT, X86_COM1_PORT + 7, true }, /* COM1: the console */
};

struct port_tally {
	unsigned int reads, writes, ones, edges, strings;
};

const char hostile_arch_idle_insn[] = "hlt";

uint64_t hostile_arch_ticks(void)
{
	return tsc_read();
}

void hostile_arch_ram_sync(const volatile void *p, size_t len)
{
	barrier();
}

void hostile_arch_publish_barrier(void)
{
	barrier();
}

/* bench_fdt.c: one cell, the IOAPIC GSI. */
uint32_t hostile_arch_dev_irq(const struct fdt *fdt, int node)
{
	uint32_t len;
	const uint8_t *irq = fdt_prop(fdt, node, "interrupts", &len);

	return irq && len >= 4 ? fdt_be32(irq) : 0;
}

/*
 * One access of @width bytes at @a, read or write: x86 makes them at any
 * alignment, and KVM hands each to tinyvmm whole unless it crosses a
 * page (only the last virtio slot's end does).
 */
static void mmio_access(uintptr_t a, unsigned int width, bool write, uint64_t v)
{
	switch (width) {
	case 2:
		if (write)
			mmio_write16(a, (uint16_t)v);
		else
			(void)mmio_read16(a);
		break;
	case 4:
		if (write)
			mmio_write32(a, (uint32_t)v);
		else
			(void)mmio_read32(a);
		break;
	default:
		if (write)
			mmio_write64(a, v);
		else
			(void)mmio_read64(a);
		break;
	}
}

unsigned int hostile_arch_sweep_unaligned(struct hostile *h, uintptr_t base,
					  uint32_t size)
{
	unsigned int n = 0;

	for (unsigned int w = 2; w <= 8; w *= 2) {
		for (uint32_t off = 1; off < size; off++) {
			if (off % w == 0)
				continue;
			mmio_access(base + off, w, true, hostile_rng_next(h));
			mmio_access(base + off, w, false, 0);
			n += 2;
		}
	}
	return n;
}

/* CPUID 0x80000008 EAX[7:0]; 36 (the architectural minimum) without it. */
static unsigned int phys_addr_bits(void)
{
	uint32_t r[4];

	cpuid(0x80000000, 0, r);
	if (r[0] < 0x80000008)
		return 36;
	cpuid(0x80000008, 0, r);
	return r[0] & 0xff;
}

static uint64_t read_cr3(void)
{
	uint64_t v;

	asm volatile("mov %%cr3, %0" : "=r"(v));
	return v;
}

/*
 * Identity-maps the 2 MiB page holding @pa, which tinyvmm's tables
 * (arch/x86/long_mode.h: [0, 4 GiB)) leave out: a new page directory
 * from the arena under the first PML4 entry. False when that entry is
 * missing or the slot holds a 1 GiB page already.
 */
static bool map_2m(struct hostile *h, uint64_t pa)
{
	uint64_t *pml4 = (uint64_t *)(uintptr_t)(read_cr3() & PTE_ADDR);
	uint64_t *pdpt, *pd;
	unsigned int i3 = pa >> 30 & 511, i2 = pa >> 21 & 511;

	if (pa >> 39 || !(pml4[0] & PTE_P))
		return false;
	pdpt = (uint64_t *)(uintptr_t)(pml4[0] & PTE_ADDR);
	if (!(pdpt[i3] & PTE_P)) {
		pd = hostile_alloc(h, 4096, 4096);
		memset(pd, 0, 4096);
		pdpt[i3] = (uintptr_t)pd | PTE_RW | PTE_P;
	}
	if (pdpt[i3] & PTE_PS)
		return false;
	pd = (uint64_t *)(uintptr_t)(pdpt[i3] & PTE_ADDR);
	pd[i2] = (pa & ~(PAGE_2M - 1)) | PTE_PS | PTE_RW | PTE_P;
	asm volatile("invlpg (%0)" : : "r"((uintptr_t)pa) : "memory");
	return true;
}

/* Holes of the memory map (arch/x86/x86_layout.h), around RAM and above it. */
unsigned int hostile_arch_holes(struct hostile *h, uint64_t *a)
{
	unsigned int n = 0, bits = phys_addr_bits();

	a[n++] = h->ram_end;
	a[n++] = h->ram_end + 0x100000;
	a[n++] = X86_MMIO_HOLE;
	/* The last virtio slot (if left empty), then past all of them. */
	a[n++] =
		X86_VIRTIO_BASE + X86_VIRTIO_SLOT_SIZE * (X86_VIRTIO_SLOTS - 1);
	a[n++] = X86_VIRTIO_BASE + X86_VIRTIO_SLOT_SIZE * X86_VIRTIO_SLOTS;
	a[n++] = X86_WORKLOAD_MARK_BASE + X86_WORKLOAD_MARK_SIZE;
	a[n++] = X86_IOAPIC_BASE + 0x1000; /* KVM's IOAPIC answers 0x100 */
	a[n++] = HPET_BASE;
	a[n++] = X86_LAPIC_BASE + 0x1000;
	a[n++] = 0xfffff000; /* a PC's reset vector: no firmware here */
	/* Above 4 GiB only where the guest may address it (else #PF). */
	if (bits > 32 && map_2m(h, 1ULL << 32))
		a[n++] = 1ULL << 32;
	if (bits >= 36 && map_2m(h, (1ULL << 36) - 0x1000))
		a[n++] = (1ULL << 36) - 0x1000;
	return n;
}

static bool port_served(uint32_t port, unsigned int width)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(served_ports); i++)
		if (port <= served_ports[i].last &&
		    port + width - 1 >= served_ports[i].first)
			return true;
	return false;
}

static uint32_t port_in(uint16_t port, unsigned int width)
{
	switch (width) {
	case 1:
		return inb(port);
	case 2:
		return inw(port);
	default:
		return inl(port);
	}
}

static void port_out(uint16_t port, unsigned int width, uint32_t v)
{
	switch (width) {
	case 1:
		outb(port, (uint8_t)v);
		break;
	case 2:
		outw(port, (uint16_t)v);
		break;
	default:
		outl(port, v);
		break;
	}
}

/* One read of @width bytes that must find nobody: all ones. */
static void port_read(struct port_tally *t, uint16_t port, unsigned int width)
{
	uint32_t ones = width == 4 ? 0xffffffffU : (1U << (8 * width)) - 1;

	t->reads++;
	t->ones += port_in(port, width) == ones;
}

static void ports_random(struct hostile *h, struct port_tally *t)
{
	for (unsigned int i = 0; i < PORT_RANDOM; i++) {
		uint64_t r = hostile_rng_next(h);
		uint16_t port = (uint16_t)r;
		unsigned int width = 1U << ((r >> 16) % 3);

		if (port_served(port, width))
			continue;
		port_read(t, port, width);
		port_out(port, width, (uint32_t)(r >> 32));
		t->writes++;
	}
}

/*
 * Accesses across an edge: past the end of the port space (a 4-byte
 * access at 0xffff), and reads that cover a device of tinyvmm's and its
 * neighbour, which no device may take as its own.
 */
static void ports_edges(struct port_tally *t)
{
	for (unsigned int w = 2; w <= 4; w *= 2) {
		for (unsigned int back = 0; back < w - 1; back++) {
			port_read(t, (uint16_t)(PORT_LAST - back), w);
			port_out((uint16_t)(PORT_LAST - back), w, ~0U);
			t->writes++;
			t->edges += 2;
		}
	}
	for (unsigned int i = 0; i < ARRAY_SIZE(served_ports); i++) {
		const struct port_range *r = &served_ports[i];

		if (!r->tinyvmm)
			continue;
		port_read(t, (uint16_t)(r->first - 1), 2);
		port_read(t, (uint16_t)(r->first - 2), 4);
		port_read(t, r->last, 2);
		port_read(t, (uint16_t)(r->last - 1), 4);
		t->edges += 4;
	}
}

static unsigned int not_ones(const uint8_t *p, size_t n)
{
	unsigned int bad = 0;

	for (size_t i = 0; i < n; i++)
		bad += p[i] != 0xff;
	return bad;
}

/*
 * rep ins/outs: KVM hands tinyvmm up to a page of items per exit, which
 * it must take item by item. The buffer is zeroed first, so all ones
 * came from tinyvmm.
 */
static void port_string_in(struct port_tally *t, uint8_t *buf, uint16_t port,
			   unsigned int width)
{
	unsigned long n = PORT_STRING / width;
	void *dst = buf;

	memset(buf, 0, PORT_STRING);
	if (width == 1)
		asm volatile("rep insb"
			     : "+D"(dst), "+c"(n)
			     : "d"(port)
			     : "memory");
	else if (width == 2)
		asm volatile("rep insw"
			     : "+D"(dst), "+c"(n)
			     : "d"(port)
			     : "memory");
	else
		asm volatile("rep insl"
			     : "+D"(dst), "+c"(n)
			     : "d"(port)
			     : "memory");
	t->reads++;
	t->strings++;
	t->ones += not_ones(buf, PORT_STRING) == 0;
}

static void port_string_out(struct port_tally *t, const uint8_t *buf,
			    uint16_t port, unsigned int width)
{
	unsigned long n = PORT_STRING / width;
	const void *src = buf;

	if (width == 1)
		asm volatile("rep outsb"
			     : "+S"(src), "+c"(n)
			     : "d"(port)
			     : "memory");
	else if (width == 2)
		asm volatile("rep outsw"
			     : "+S"(src), "+c"(n)
			     : "d"(port)
			     : "memory");
	else
		asm volatile("rep outsl"
			     : "+S"(src), "+c"(n)
			     : "d"(port)
			     : "memory");
	t->writes++;
	t->strings++;
}

static void ports_strings(struct hostile *h, struct port_tally *t)
{
	uint8_t *buf = h->s.io;

	for (unsigned int w = 1; w <= 4; w *= 2) {
		port_string_in(t, buf, PORT_QUIET, w);
		port_string_out(t, buf, PORT_QUIET, w);
	}
	port_string_in(t, buf, PORT_LAST - 1, 4); /* across the end, too */
	port_string_out(t, buf, PORT_LAST - 1, 4);
}

/* I/O ports nobody serves: random, across edges, and by the page. */
void hostile_arch_unmapped_more(struct hostile *h)
{
	struct port_tally t = { 0 };

	ports_random(h, &t);
	ports_edges(&t);
	ports_strings(h, &t);
	con_printf(h->con,
		   "hostile: ports: %u reads and %u writes at unmapped ports"
		   " (%u across an edge, %u rep ins/outs of %u bytes);"
		   " %u reads gave all ones\n",
		   t.reads, t.writes, t.edges, t.strings, PORT_STRING, t.ones);
}

/*
 * The idle phase runs the local APIC timer periodic (SDM vol. 3, 11.5.4),
 * not one-shot: the lab's emulated SVM was seen (in a KVM trace) to take
 * an interrupt inside STI's shadow, on a host interrupt's exit between
 * the sti and the hlt, after which the hlt waited for an interrupt that
 * had already come. With a periodic timer such a hlt ends at the next
 * tick. Periods stay above KVM's floor for periodic timers (200 us,
 * min_timer_period_us), below which it clamps and logs.
 */
#define APIC_LVT_PERIODIC (1U << 17)
#define STORM_PERIOD_NS 250000

static void timer_periodic(uint64_t ns)
{
	x86_guest.timer_fired[x86_cpu_index()] = 0;
	barrier();
	apic_write(APIC_LVT_TIMER, APIC_LVT_PERIODIC | APIC_VEC_TIMER);
	apic_write(APIC_TMICT, (uint32_t)(ns / APIC_TIMER_NS_PER_COUNT));
}

/*
 * Stops the timer, back in the one-shot mode apic_cpu_init() left, and
 * takes a tick that came meanwhile (no hlt: sti; nop; cli), so that the
 * next sleep does not end at once.
 */
static void timer_off(void)
{
	apic_write(APIC_TMICT, 0);
	apic_write(APIC_LVT_TIMER, APIC_VEC_TIMER);
	asm volatile("sti; nop; cli" : : : "memory");
}

/* apic_boot_init() set the local APIC up before anything ran. */
const char *hostile_arch_idle_setup(struct hostile *h)
{
	return NULL;
}

/*
 * HLT with interrupts on (sti's shadow covers the hlt, so a tick that
 * comes in between still ends it) until the timer's handler (trap.c)
 * says it fired, @us after the start.
 */
unsigned int hostile_arch_idle_sleep(struct hostile *h, uint64_t us,
				     uint64_t bound)
{
	volatile uint32_t *fired = &x86_guest.timer_fired[x86_cpu_index()];
	unsigned int n = 0;

	timer_periodic(us * 1000);
	while (!*fired && !hostile_past(bound)) {
		sti_hlt_cli();
		n++;
	}
	timer_off();
	return n;
}

/* The local APIC's 256-bit request and in-service registers, by 32. */
static uint32_t apic_vectors(uint32_t reg, unsigned int word)
{
	return apic_read(reg + 0x10 * word);
}

static bool timer_requested(void)
{
	return apic_vectors(APIC_IRR, APIC_VEC_TIMER / 32) >>
		       (APIC_VEC_TIMER % 32) &
	       1;
}

/*
 * HLT with the timer's interrupt already requested: each tick's IRR bit
 * waited for with interrupts off, then "sti; hlt", which the pending
 * interrupt ends at once.
 */
unsigned int hostile_arch_idle_storm(struct hostile *h, unsigned int max,
				     uint64_t bound)
{
	unsigned int n;

	timer_periodic(STORM_PERIOD_NS);
	for (n = 0; n < max && !hostile_past(bound); n++) {
		while (!timer_requested() && !hostile_past(bound))
			cpu_relax();
		sti_hlt_cli();
	}
	timer_off();
	return n;
}

/* The highest vector the local APIC has requested or in service. */
void hostile_arch_idle_pending(struct hostile *h)
{
	for (unsigned int w = 8; w-- > 0;) {
		uint32_t v =
			apic_vectors(APIC_IRR, w) | apic_vectors(APIC_ISR, w);

		if (v) {
			con_printf(h->con, "vector 0x%x",
				   w * 32 + 31 -
					   (unsigned int)__builtin_clz(v));
			return;
		}
	}
	con_puts(h->con, "none");
}

void hostile_arch_reset(const struct hostile *h)
{
	x86_reset();
}

void hostile_arch_power_off(const struct hostile *h)
{
	x86_power_off();
}

void main(uintptr_t dtb)
{
	struct x86_guest *g = &x86_guest;
	struct hostile h = { .con = &g->con };
	struct fdt fdt;

	if (!dtb || dtb % 8 || fdt_init(&fdt, (const void *)dtb) ||
	    uart_console_probe(&fdt, &g->con))
		x86_reset(); /* no tree: no console either */
	if (apic_boot_init(g))
		hostile_fail(
			&h, "the local APIC is off or its timer does not count",
			-1);
	h.ticks_hz = g->tsc_hz;
	hostile_run(&h, &fdt, dtb);
}

/* Never started: the attacks run on CPU 0; the others stay parked. */
void secondary_main(unsigned int index)
{
}
