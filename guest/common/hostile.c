// SPDX-License-Identifier: MIT
/*
 * hostile: a test guest that attacks tinyvmm's virtio-mmio devices, for
 * the malicious-guest test (tests/integration/hostile.sh; issue 4 item 6,
 * issue 6 item 4). Written once: each arch's guest/ARCH/hostile_ARCH.c
 * boots it and implements the few hooks that differ (hostile.h). It
 * finds the devices in the device tree ("virtio,mmio": reg, interrupts),
 * then runs these phases, each reported with one line per device,
 * "hostile: virtio-blk@0xa000000: ...":
 *
 *   chains     a proper bring-up (spec 3.1.1) and one hostile descriptor
 *              chain kicked through QueueNotify, then a reset; per chain
 *              one line with what the device did: "needs-reset" (it set
 *              DEVICE_NEEDS_RESET), "used" (it returned the chain) or
 *              "ignored" (neither within ATTACK_WAIT_US); a fixed address
 *              that is RAM on this arch (x86: 0) is "skipped"
 *   requests   well-formed chains carrying bad requests: virtio-blk's each
 *              checked against the status the spec asks for; virtio-net's
 *              (runt, oversized, bogus GSO) sent on fresh starts
 *   registers  every offset 0x000..0x1ff written with boundary and random
 *              values, 8/16/64-bit accesses everywhere (and on x86
 *              unaligned ones), random register writes, and scripted
 *              state checks (status bits out of order, bad queue sizes,
 *              selects out of range, ...)
 *   resets     reset storms: requests in flight (virtio-blk: reads, writes
 *              and flushes), Status 0 at once; DRIVER_OK with no queue
 *              ready; then a clean bring-up and ONE valid request
 *              (virtio-blk: read sector 0, virtio-net: send one frame)
 *   unmapped   reads and writes of guest-physical holes, then the arch's
 *              own unmapped accesses (x86: I/O ports)
 *   wfi/hlt    the arch's wait for interrupt (arm64 WFI, x86 HLT) with
 *              nothing pending, woken by a timer, and a burst of it with
 *              the timer's interrupt pending
 *
 * then "hostile: done: ..., N unexpected" and a power-off (arm64: PSCI
 * SYSTEM_OFF, x86: ACPI S5). Results that depend on the dataplane
 * (vhost-net walks its rings itself) are printed, not judged;
 * "unexpected" counts what holds for any of them. A fault in the guest
 * resets the machine: tinyvmm exits 3.
 *
 * Deterministic: the only randomness is an xorshift64 with a fixed seed.
 * The guest polls the devices and never takes their interrupts; only the
 * idle phase lets a timer interrupt in.
 *
 * Memory: rings, tables and buffers are carved from the RAM after the
 * image's end (h->arena), up to the device tree when the tree lies above
 * the image (arm64) or to RAM's end; nothing in .bss.
 * hostile_arch_ram_sync() runs around every hand-over (arm64's guest
 * accesses are non-cacheable, tinyvmm's are not). Registers are touched
 * only with single loads and stores of 1, 2, 4 or 8 bytes (mmio.h); a
 * 4-byte access at an offset that is not 4-aligned cannot be made on
 * arm64 with the MMU off (Device memory faults at EL1 first), so
 * "unaligned" here means 1- and 2-byte accesses at every offset they can
 * have.
 */
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_mmio.h>
#include <linux/virtio_ring.h>

#include "hostile.h"
#include "mmio.h" /* the arch's */

#define QSIZE 16	       /* entries of every ring the guest sets up */
#define MMIO_SIZE 0x200	       /* registers, then config space at 0x100 */
#define MMIO_MAGIC 0x74726976U /* "virt" */
#define SEED 0x74696e79766d6d21ULL

/* Bounds on waiting for the device, in microseconds. */
#define POLL_US 50
#define ATTACK_WAIT_US 300000
#define REQUEST_WAIT_US 2000000

/* Buffers (struct hostile_scratch) and how many of what. */
#define BUF_SIZE 4096
#define BUF_HDR 0     /* one request header */
#define BUF_STATUS 64 /* IO_REQS status bytes */
#define BUF_HDRS 128  /* IO_REQS request headers */
#define BUF_FRAME 512 /* a virtio-net header and an Ethernet frame */
#define BUF_DATA 1024 /* a sector */
#define FRAME_LEN (12 + 60)
#define LONG_TABLE 2048 /* above VIRTQ_MAX_INDIRECT and any queue size */
#define MANY_SEGS 200	/* above virtio-blk's seg_max + 2 */
#define IO_REQS 16
#define IO_LEN 16384
#define STORM_ROUNDS 16
#define FLOOD_ROUNDS 32
#define RANDOM_WRITES 512
#define SWEEP_RANDOM 4 /* random values per offset, after the boundary ones */

#define ACK VIRTIO_CONFIG_S_ACKNOWLEDGE
#define DRV VIRTIO_CONFIG_S_DRIVER
#define FOK VIRTIO_CONFIG_S_FEATURES_OK
#define DOK VIRTIO_CONFIG_S_DRIVER_OK
#define NR VIRTIO_CONFIG_S_NEEDS_RESET
#define BIT(n) (1ULL << (n))
#define WANTED_FEATURES \
	(BIT(VIRTIO_F_VERSION_1) | BIT(VIRTIO_RING_F_INDIRECT_DESC))

/* The idle phase: timer sleeps, then a storm with the timer pending. */
#define WFI_SLEEPS 100
#define WFI_SLEEP_US 1000
#define WFI_STORM 10000
#define WFI_BOUND_US 5000000

/* The image's linker script: the end of the image, its stacks included. */
extern char _end[];

enum outcome {
	OUT_NEEDS_RESET,
	OUT_USED,
	OUT_IGNORED,
	OUT_DOWN,
	OUT_COUNT
};
static const char outcome_names[OUT_COUNT][12] = {
	"needs-reset",
	"used",
	"ignored",
	"down",
};

void hostile_fail(const struct hostile *h, const char *what, int err)
{
	con_printf(h->con, "hostile: error: %s (%d), resetting\n", what, err);
	hostile_arch_reset(h);
}

static void say(const struct hostile *h, const struct hostile_dev *d,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(const struct hostile *h, const struct hostile_dev *d,
		const char *fmt, ...)
{
	va_list ap;

	con_printf(h->con, "hostile: %s@0x%lx: ", d->name,
		   (unsigned long)d->base);
	va_start(ap, fmt);
	con_vprintf(h->con, fmt, ap);
	va_end(ap);
	con_putc(h->con, '\n');
}

/* xorshift64 (Marsaglia, 2003): never 0 from a non-zero seed. */
uint64_t hostile_rng_next(struct hostile *h)
{
	uint64_t x = h->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	h->rng = x;
	return x;
}

static const uint32_t boundary_values[] = {
	0,	    1,		2,	    3,		0x7f,	0x80,
	0xff,	    0x100,	0x7fff,	    0x8000,	0xffff, 0x10000,
	0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
};

/* Half boundary values, half random ones. */
static uint32_t fuzz_value(struct hostile *h)
{
	uint64_t r = hostile_rng_next(h);

	if (r & 1)
		return boundary_values[(r >> 1) % ARRAY_SIZE(boundary_values)];
	return (uint32_t)(r >> 32);
}

/* Time, in the arch's counter ticks. */
uint64_t hostile_ticks_after(const struct hostile *h, uint64_t us)
{
	return hostile_arch_ticks() + us * h->ticks_hz / 1000000;
}

bool hostile_past(uint64_t deadline)
{
	return (int64_t)(hostile_arch_ticks() - deadline) >= 0;
}

static uint64_t ms_since(const struct hostile *h, uint64_t start)
{
	return (hostile_arch_ticks() - start) * 1000 / h->ticks_hz;
}

static void delay_us(const struct hostile *h, uint64_t us)
{
	uint64_t end = hostile_ticks_after(h, us);

	while (!hostile_past(end))
		;
}

/* Everything the arena handed out. */
static void ram_sync_all(const struct hostile *h)
{
	hostile_arch_ram_sync((const void *)h->used_from,
			      h->arena - h->used_from);
}

/* Not zeroed: what needs zeroes (the rings) is cleared where it is used. */
void *hostile_alloc(struct hostile *h, size_t size, size_t align)
{
	uintptr_t p = (h->arena + align - 1) & ~(uintptr_t)(align - 1);

	if (p > h->arena_end || size > h->arena_end - p)
		hostile_fail(h, "no RAM left for rings and buffers", (int)size);
	h->arena = p + size;
	return (void *)p;
}

static uint64_t gpa(const volatile void *p)
{
	return (uintptr_t)p; /* arm64: MMU off; x86: identity map */
}

/* Registers. */
static uint32_t reg_read(const struct hostile_dev *d, uint32_t off)
{
	return mmio_read32(d->base + off);
}

static void reg_write(const struct hostile_dev *d, uint32_t off, uint32_t v)
{
	mmio_write32(d->base + off, v);
}

static void reg_write64(const struct hostile_dev *d, uint32_t lo, uint64_t v)
{
	reg_write(d, lo, (uint32_t)v);
	reg_write(d, lo + 4, (uint32_t)(v >> 32));
}

static uint32_t dev_status(const struct hostile_dev *d)
{
	return reg_read(d, VIRTIO_MMIO_STATUS);
}

/* Spec 4.2.2.1: write 0, then the device reads 0 once the reset is done. */
static void dev_reset(const struct hostile_dev *d)
{
	reg_write(d, VIRTIO_MMIO_STATUS, 0);
	for (unsigned int i = 0; i < 1000 && dev_status(d); i++)
		;
}

static uint64_t dev_offered(const struct hostile_dev *d)
{
	uint64_t f;

	reg_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)reg_read(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	reg_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | reg_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static void driver_features_write(const struct hostile_dev *d, uint64_t f)
{
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	reg_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

/* Spec 3.1.1 steps 1-6; NULL, or the step that failed. */
static const char *dev_negotiate(const struct hostile_dev *d)
{
	uint64_t offered;

	dev_reset(d);
	if (dev_status(d))
		return "Status is not 0 after a reset";
	reg_write(d, VIRTIO_MMIO_STATUS, ACK);
	reg_write(d, VIRTIO_MMIO_STATUS, ACK | DRV);
	offered = dev_offered(d);
	if (!(offered & BIT(VIRTIO_F_VERSION_1)))
		return "VIRTIO_F_VERSION_1 is not offered";
	driver_features_write(d, offered & WANTED_FEATURES);
	reg_write(d, VIRTIO_MMIO_STATUS, ACK | DRV | FOK);
	if (!(dev_status(d) & FOK))
		return "FEATURES_OK was refused";
	return NULL;
}

/* An empty ring: zero indices and flags, a fresh avail_idx. */
static void vq_clear(struct hostile_vq *q)
{
	memset(q->desc, 0, 16 * QSIZE);
	memset(q->avail, 0, 6 + 2 * QSIZE);
	memset(q->used, 0, 6 + 8 * QSIZE);
	q->avail_idx = 0;
}

/* QueueDesc/Driver/Device of the selected queue: @q's, desc moved @shift. */
static void vq_program(const struct hostile_dev *d, const struct hostile_vq *q,
		       uint64_t shift)
{
	reg_write64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, gpa(q->desc) + shift);
	reg_write64(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, gpa(q->avail));
	reg_write64(d, VIRTIO_MMIO_QUEUE_USED_LOW, gpa(q->used));
}

/* Spec 4.2.3.2: one queue, QSIZE entries, ready. */
static bool vq_setup(struct hostile_dev *d, unsigned int i)
{
	struct hostile_vq *q = &d->q[i];

	vq_clear(q);
	reg_write(d, VIRTIO_MMIO_QUEUE_SEL, i);
	if (reg_read(d, VIRTIO_MMIO_QUEUE_READY) ||
	    reg_read(d, VIRTIO_MMIO_QUEUE_NUM_MAX) < QSIZE)
		return false;
	reg_write(d, VIRTIO_MMIO_QUEUE_NUM, QSIZE);
	vq_program(d, q, 0);
	reg_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	return reg_read(d, VIRTIO_MMIO_QUEUE_READY) == 1;
}

/* The whole bring-up to DRIVER_OK; NULL, or what went wrong. */
static const char *dev_init(struct hostile *h, struct hostile_dev *d)
{
	const char *why = dev_negotiate(d);

	for (unsigned int i = 0; !why && i < d->nr_queues; i++)
		if (!vq_setup(d, i))
			why = "a queue did not become ready";
	if (why)
		return why;
	ram_sync_all(h);
	reg_write(d, VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	return dev_status(d) & NR ? "DEVICE_NEEDS_RESET right after DRIVER_OK"
				  : NULL;
}

/* dev_init(), saying so and counting it when it fails. */
static bool dev_up(struct hostile *h, struct hostile_dev *d)
{
	const char *why = dev_init(h, d);

	if (!why)
		return true;
	say(h, d, "UNEXPECTED: bring-up failed: %s (status 0x%x)", why,
	    dev_status(d));
	h->unexpected++;
	return false;
}

static void desc_set(struct vring_desc *t, unsigned int i, uint64_t addr,
		     uint32_t len, uint16_t flags, uint16_t next)
{
	t[i].addr = addr;
	t[i].len = len;
	t[i].flags = flags;
	t[i].next = next;
}

/* Makes chain @head available (spec 2.7.13). */
static void vq_publish(struct hostile_vq *q, uint16_t head)
{
	q->avail->ring[q->avail_idx % QSIZE] = head;
	hostile_arch_publish_barrier(); /* the entry before the index */
	q->avail->idx = ++q->avail_idx;
}

static void vq_kick(const struct hostile *h, const struct hostile_dev *d,
		    unsigned int i)
{
	ram_sync_all(h);
	reg_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, i);
}

static uint16_t vq_used_idx(const struct hostile_vq *q)
{
	hostile_arch_ram_sync(q->used, 4);
	return ((volatile struct vring_used *)q->used)->idx;
}

/* What the device did about what was kicked, within @us. */
static enum outcome vq_await(const struct hostile *h,
			     const struct hostile_dev *d,
			     const struct hostile_vq *q, uint16_t used,
			     uint64_t us)
{
	uint64_t end = hostile_ticks_after(h, us);

	for (;;) {
		if (dev_status(d) & NR)
			return OUT_NEEDS_RESET;
		if (vq_used_idx(q) == used)
			return OUT_USED;
		if (hostile_past(end))
			return OUT_IGNORED;
		delay_us(h, POLL_US);
	}
}

/*
 * Chains of one descriptor: where its address points (a base plus an
 * offset that may wrap on purpose), its length and flags.
 */
enum at {
	AT_ABS,
	AT_BUF,
	AT_RAM_BASE,
	AT_RAM_END,
	AT_TABLE
};

struct one_desc {
	char name[32];
	uint8_t at;
	uint64_t off;
	uint32_t len;
	uint16_t flags, next;
};

#define F_NEXT VRING_DESC_F_NEXT
#define F_WRITE VRING_DESC_F_WRITE
#define F_INDIRECT VRING_DESC_F_INDIRECT

static const struct one_desc one_desc_chains[] = {
	{ "buffer at address 0", AT_ABS, 0, 16, 0, 0 },
	{ "buffer at 2^64 - 4 KiB", AT_ABS, 0xfffffffffffff000ULL, 16, 0, 0 },
	{ "buffer just past RAM", AT_RAM_END, 0, 16, 0, 0 },
	{ "buffer across RAM's end", AT_RAM_END, -8ULL, 16, 0, 0 },
	{ "address + len past 2^64", AT_ABS, 0xfffffffffffffff0ULL, 32, 0, 0 },
	{ "4 GiB - 1 from RAM's base", AT_RAM_BASE, 0, 0xffffffffU, 0, 0 },
	{ "next beyond the queue", AT_BUF, 0, 16, F_NEXT, QSIZE + 3 },
	{ "indirect table of 24 bytes", AT_TABLE, 0, 24, F_INDIRECT, 0 },
	{ "indirect table of 0 bytes", AT_TABLE, 0, 0, F_INDIRECT, 0 },
	{ "indirect with NEXT", AT_TABLE, 0, 16, F_INDIRECT | F_NEXT, 1 },
	{ "indirect table past RAM", AT_RAM_END, 0, 64, F_INDIRECT, 0 },
	{ "indirect table past 2^64", AT_ABS, 0xfffffffffffffff0ULL, 32,
	  F_INDIRECT, 0 },
};

enum multi {
	M_LOOP,
	M_HEAD_RANGE,
	M_4GIB_CHAIN,
	M_LONG_INDIRECT,
	M_NESTED_INDIRECT,
	M_INDIRECT_LOOP,
	M_READ_AFTER_WRITE,
	M_AVAIL_JUMP,
	M_COUNT
};

static const char multi_names[M_COUNT][32] = {
	"loop (next back to the head)", "head beyond the queue",
	"chain adding up to 4 GiB",	"indirect table of 2048",
	"indirect inside indirect",	"loop inside an indirect table",
	"readable after writable",	"avail->idx far ahead",
};

#define NR_CHAINS (ARRAY_SIZE(one_desc_chains) + M_COUNT)

static const char *chain_name(unsigned int i)
{
	return i < ARRAY_SIZE(one_desc_chains)
		       ? one_desc_chains[i].name
		       : multi_names[i - ARRAY_SIZE(one_desc_chains)];
}

static uint64_t at_base(const struct hostile *h, uint8_t at)
{
	switch (at) {
	case AT_BUF:
		return gpa(h->s.buf);
	case AT_RAM_BASE:
		return h->ram_base;
	case AT_RAM_END:
		return h->ram_end;
	case AT_TABLE:
		return gpa(h->s.table);
	default:
		return 0;
	}
}

static void one_desc_build(const struct hostile *h, struct hostile_vq *q,
			   const struct one_desc *c)
{
	desc_set(q->desc, 0, at_base(h, c->at) + c->off, c->len, c->flags,
		 c->next);
	vq_publish(q, 0);
}

/* @n descriptors of @t, each @len bytes at @addr, linked 0 -> 1 -> ... */
static void chain_fill(struct vring_desc *t, unsigned int n, uint64_t addr,
		       uint32_t len)
{
	for (unsigned int i = 0; i < n; i++)
		desc_set(t, i, addr, len, i + 1 < n ? F_NEXT : 0,
			 (uint16_t)(i + 1));
}

/* 16 descriptors of all of RAM: each in RAM, 4 GiB together. */
static void build_4gib_chain(const struct hostile *h, struct hostile_vq *q)
{
	uint64_t size = h->ram_end - h->ram_base;

	chain_fill(q->desc, QSIZE, h->ram_base,
		   size > 0xffffffffU ? 0xffffffffU : (uint32_t)size);
	vq_publish(q, 0);
}

static void build_indirect(const struct hostile *h, struct hostile_vq *q,
			   unsigned int entries)
{
	desc_set(q->desc, 0, gpa(h->s.table), 16 * entries, F_INDIRECT, 0);
	vq_publish(q, 0);
}

static void build_loop(struct vring_desc *t, uint64_t buf)
{
	desc_set(t, 0, buf, 16, F_NEXT, 1);
	desc_set(t, 1, buf, 16, F_NEXT, 0);
}

static void multi_build(const struct hostile *h, struct hostile_vq *q,
			unsigned int k)
{
	uint64_t buf = gpa(h->s.buf);

	switch (k) {
	case M_LOOP:
		build_loop(q->desc, buf);
		vq_publish(q, 0);
		break;
	case M_HEAD_RANGE:
		vq_publish(q, 0xffff);
		break;
	case M_4GIB_CHAIN:
		build_4gib_chain(h, q);
		break;
	case M_LONG_INDIRECT:
		chain_fill(h->s.table, LONG_TABLE, buf, 1);
		build_indirect(h, q, LONG_TABLE);
		break;
	case M_NESTED_INDIRECT:
		desc_set(h->s.table, 0, gpa(h->s.table + 4), 16, F_INDIRECT, 0);
		build_indirect(h, q, 1);
		break;
	case M_INDIRECT_LOOP:
		build_loop(h->s.table, buf);
		build_indirect(h, q, 2);
		break;
	case M_READ_AFTER_WRITE:
		desc_set(q->desc, 0, buf, 16, F_WRITE | F_NEXT, 1);
		desc_set(q->desc, 1, buf, 16, 0, 0);
		vq_publish(q, 0);
		break;
	case M_AVAIL_JUMP:
		desc_set(q->desc, 0, buf, 16, 0, 0);
		vq_publish(q, 0);
		q->avail->idx = q->avail_idx = 0x8000;
		break;
	}
}

/*
 * After DEVICE_NEEDS_RESET with DRIVER_OK set, spec 2.1.2 wants a
 * configuration change notification: InterruptStatus bit 1.
 */
static bool config_irq_seen(const struct hostile_dev *d)
{
	bool seen = reg_read(d, VIRTIO_MMIO_INTERRUPT_STATUS) &
		    VIRTIO_MMIO_INT_CONFIG;

	reg_write(d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	return seen;
}

/* Chain @i on a freshly brought-up device, then a reset. */
static enum outcome chain_attack(struct hostile *h, struct hostile_dev *d,
				 unsigned int i, unsigned int *config_irqs)
{
	struct hostile_vq *q = &d->q[d->attack_q];
	enum outcome out;

	if (!dev_up(h, d))
		return OUT_DOWN;
	if (i < ARRAY_SIZE(one_desc_chains))
		one_desc_build(h, q, &one_desc_chains[i]);
	else
		multi_build(h, q, i - ARRAY_SIZE(one_desc_chains));
	vq_kick(h, d, d->attack_q);
	out = vq_await(h, d, q, 1, ATTACK_WAIT_US);
	if (out == OUT_NEEDS_RESET && config_irq_seen(d))
		++*config_irqs;
	dev_reset(d);
	return out;
}

/*
 * Whether chain @i is a plain buffer at a fixed address that is guest RAM
 * on this machine after all (x86's RAM starts at address 0): a valid
 * buffer there, not an attack, so it is skipped.
 */
static bool chain_in_ram(const struct hostile *h, unsigned int i)
{
	const struct one_desc *c;
	uint64_t end;

	if (i >= ARRAY_SIZE(one_desc_chains))
		return false;
	c = &one_desc_chains[i];
	return c->at == AT_ABS && !c->flags && c->off >= h->ram_base &&
	       !__builtin_add_overflow(c->off, c->len, &end) &&
	       end <= h->ram_end;
}

static void phase_chains(struct hostile *h, struct hostile_dev *d)
{
	unsigned int tally[OUT_COUNT] = { 0 }, config_irqs = 0, skipped = 0;

	for (unsigned int i = 0; i < NR_CHAINS; i++) {
		enum outcome out;

		if (chain_in_ram(h, i)) {
			say(h, d, "chain %s: skipped: guest RAM here",
			    chain_name(i));
			skipped++;
			continue;
		}
		out = chain_attack(h, d, i, &config_irqs);
		say(h, d, "chain %s: %s", chain_name(i), outcome_names[out]);
		tally[out]++;
	}
	say(h, d,
	    "chains: %u attacks: %u needs-reset (%u with a config interrupt),"
	    " %u used, %u ignored, %u down",
	    (unsigned int)NR_CHAINS - skipped, tally[OUT_NEEDS_RESET],
	    config_irqs, tally[OUT_USED], tally[OUT_IGNORED], tally[OUT_DOWN]);
}

/*
 * virtio-blk requests that are well-formed chains but bad requests (spec
 * 5.2.6): the status each must get, or EXPECT_NEEDS_RESET for a chain
 * the device cannot answer at all.
 */
#define EXPECT_NEEDS_RESET 0xff
enum shape {
	SH_PLAIN,
	SH_NO_STATUS,
	SH_SHORT_HDR,
	SH_MANY_SEGS
};
enum sector_at {
	SEC_ABS,
	SEC_CAPACITY
};

struct blk_case {
	char name[32];
	uint32_t type;
	uint8_t sector_at;
	uint64_t sector;
	uint32_t len;
	uint8_t shape;
	uint8_t expect;
};

static const struct blk_case blk_cases[] = {
	{ "read at the capacity", VIRTIO_BLK_T_IN, SEC_CAPACITY, 0, 512,
	  SH_PLAIN, VIRTIO_BLK_S_IOERR },
	{ "read across the end", VIRTIO_BLK_T_IN, SEC_CAPACITY, -1ULL, 1024,
	  SH_PLAIN, VIRTIO_BLK_S_IOERR },
	{ "read of sector 2^64 - 1", VIRTIO_BLK_T_IN, SEC_ABS, -1ULL, 512,
	  SH_PLAIN, VIRTIO_BLK_S_IOERR },
	{ "read of 511 bytes", VIRTIO_BLK_T_IN, SEC_ABS, 0, 511, SH_PLAIN,
	  VIRTIO_BLK_S_IOERR },
	{ "write at the capacity", VIRTIO_BLK_T_OUT, SEC_CAPACITY, 0, 512,
	  SH_PLAIN, VIRTIO_BLK_S_IOERR },
	{ "unknown request type", 0xdeadbeef, SEC_ABS, 0, 0, SH_PLAIN,
	  VIRTIO_BLK_S_UNSUPP },
	{ "GET_ID into 1 byte", VIRTIO_BLK_T_GET_ID, SEC_ABS, 0, 1, SH_PLAIN,
	  VIRTIO_BLK_S_OK },
	{ "flush", VIRTIO_BLK_T_FLUSH, SEC_ABS, 0, 0, SH_PLAIN,
	  VIRTIO_BLK_S_OK },
	{ "no status byte", VIRTIO_BLK_T_IN, SEC_ABS, 0, 512, SH_NO_STATUS,
	  EXPECT_NEEDS_RESET },
	{ "8-byte header", VIRTIO_BLK_T_IN, SEC_ABS, 0, 512, SH_SHORT_HDR,
	  EXPECT_NEEDS_RESET },
	{ "200 segments", VIRTIO_BLK_T_IN, SEC_ABS, 0, MANY_SEGS, SH_MANY_SEGS,
	  EXPECT_NEEDS_RESET },
};

/* The capacity in sectors, config space offset 0, in two 32-bit reads. */
static uint64_t blk_capacity(const struct hostile_dev *d)
{
	return reg_read(d, VIRTIO_MMIO_CONFIG) |
	       (uint64_t)reg_read(d, VIRTIO_MMIO_CONFIG + 4) << 32;
}

static void blk_header(struct virtio_blk_outhdr *hdr, uint32_t type,
		       uint64_t sector)
{
	hdr->type = type;
	hdr->ioprio = 0;
	hdr->sector = sector;
}

/* Header, data, status: a direct chain from descriptor 0 (or a table). */
static unsigned int blk_chain(struct vring_desc *t, uint64_t hdr,
			      uint32_t hdr_len, uint64_t data, uint32_t len,
			      bool data_in, uint64_t status)
{
	unsigned int n = 0;

	desc_set(t, n, hdr, hdr_len, F_NEXT, (uint16_t)(n + 1));
	n++;
	if (len) {
		desc_set(t, n, data, len, F_NEXT | (data_in ? F_WRITE : 0),
			 (uint16_t)(n + 1));
		n++;
	}
	if (status) {
		desc_set(t, n, status, 1, F_WRITE, 0);
		n++;
	}
	t[n - 1].flags &= (uint16_t)~F_NEXT;
	return n;
}

/* Header, MANY_SEGS one-byte buffers, status, in the long table. */
static void blk_many_segs(const struct hostile *h, struct hostile_vq *q)
{
	struct vring_desc *t = h->s.table;
	uint8_t *b = h->s.buf;

	desc_set(t, 0, gpa(b + BUF_HDR), 16, F_NEXT, 1);
	for (unsigned int i = 1; i <= MANY_SEGS + 1; i++)
		desc_set(t, i, gpa(h->s.io) + i, 1, F_WRITE | F_NEXT,
			 (uint16_t)(i + 1));
	t[MANY_SEGS + 1].flags = F_WRITE;
	build_indirect(h, q, MANY_SEGS + 2);
}

static void blk_case_build(const struct hostile *h, const struct hostile_dev *d,
			   struct hostile_vq *q, const struct blk_case *c)
{
	uint8_t *b = h->s.buf;
	uint64_t sector = c->sector;
	bool in = c->type == VIRTIO_BLK_T_IN || c->type == VIRTIO_BLK_T_GET_ID;

	if (c->sector_at == SEC_CAPACITY)
		sector += blk_capacity(d);
	blk_header((struct virtio_blk_outhdr *)(b + BUF_HDR), c->type, sector);
	b[BUF_STATUS] = 0xee; /* no status the device could give */
	if (c->shape == SH_MANY_SEGS) {
		blk_many_segs(h, q);
		return;
	}
	blk_chain(q->desc, gpa(b + BUF_HDR), c->shape == SH_SHORT_HDR ? 8 : 16,
		  gpa(h->s.io), c->len, in && c->shape != SH_NO_STATUS,
		  c->shape == SH_NO_STATUS ? 0 : gpa(b + BUF_STATUS));
	vq_publish(q, 0);
}

/* The status the device gave @c, or EXPECT_NEEDS_RESET; 0x100+: none. */
static unsigned int blk_case_run(struct hostile *h, struct hostile_dev *d,
				 const struct blk_case *c)
{
	struct hostile_vq *q = &d->q[0];
	enum outcome out;

	if (!dev_up(h, d))
		return 0x100 + OUT_DOWN;
	blk_case_build(h, d, q, c);
	vq_kick(h, d, 0);
	out = vq_await(h, d, q, 1, REQUEST_WAIT_US);
	ram_sync_all(h);
	dev_reset(d);
	if (out == OUT_NEEDS_RESET)
		return EXPECT_NEEDS_RESET;
	return out == OUT_USED ? h->s.buf[BUF_STATUS] : 0x100 + out;
}

/* A broadcast frame of an unassigned EtherType, behind a zero header. */
static void net_frame(const struct hostile *h)
{
	uint8_t *f = h->s.buf + BUF_FRAME;

	memset(f, 0, FRAME_LEN);
	memset(f + 12, 0xff, 6); /* destination: broadcast */
	f[18] = 0x52;		 /* source: locally administered */
	f[19] = 0x54;
	f[24] = 0x88; /* EtherType 0x88b5: local experimental */
	f[25] = 0xb5;
}

/*
 * virtio-net frames a tap refuses or the dataplane drops; each sent
 * NET_CASE_ROUNDS times, on a device brought up afresh each time.
 * What becomes of them depends on the dataplane: printed, not judged.
 */
struct net_case {
	char name[36];
	uint32_t len; /* virtio-net header included */
	uint8_t gso_type;
};

static const struct net_case net_cases[] = {
	{ "frame shorter than its header", 8, 0 },
	{ "runt frame", 12 + 4, 0 },
	{ "frame with a bogus GSO type", FRAME_LEN, 0x7f },
	{ "frame of 70000 bytes", 70000, 0 },
};

#define NET_CASE_ROUNDS 8

/* The frame of @c: a broadcast, or zeros behind a zero header if long. */
static uint64_t net_case_frame(const struct hostile *h,
			       const struct net_case *c)
{
	uint8_t *f = h->s.buf + BUF_FRAME;

	if (c->len > FRAME_LEN) {
		memset(h->s.io, 0, 12);
		return gpa(h->s.io);
	}
	net_frame(h);
	f[1] = c->gso_type; /* struct virtio_net_hdr: flags, gso_type, ... */
	return gpa(f);
}

static enum outcome net_case_run(struct hostile *h, struct hostile_dev *d,
				 const struct net_case *c)
{
	struct hostile_vq *q = &d->q[d->attack_q];
	enum outcome out;

	if (!dev_up(h, d))
		return OUT_DOWN;
	desc_set(q->desc, 0, net_case_frame(h, c), c->len, 0, 0);
	vq_publish(q, 0);
	vq_kick(h, d, d->attack_q);
	out = vq_await(h, d, q, 1, ATTACK_WAIT_US);
	dev_reset(d);
	return out;
}

static void net_requests(struct hostile *h, struct hostile_dev *d)
{
	for (unsigned int i = 0; i < ARRAY_SIZE(net_cases); i++) {
		unsigned int tally[OUT_COUNT] = { 0 };

		for (unsigned int r = 0; r < NET_CASE_ROUNDS; r++)
			tally[net_case_run(h, d, &net_cases[i])]++;
		say(h, d,
		    "request %s: %u sent: %u used, %u needs-reset,"
		    " %u ignored, %u down",
		    net_cases[i].name, NET_CASE_ROUNDS, tally[OUT_USED],
		    tally[OUT_NEEDS_RESET], tally[OUT_IGNORED],
		    tally[OUT_DOWN]);
	}
}

static void blk_requests(struct hostile *h, struct hostile_dev *d)
{
	unsigned int bad = 0;

	for (unsigned int i = 0; i < ARRAY_SIZE(blk_cases); i++) {
		const struct blk_case *c = &blk_cases[i];
		unsigned int got = blk_case_run(h, d, c);

		say(h, d, "request %s: %s0x%x, wanted 0x%x", c->name,
		    got == c->expect ? "" : "UNEXPECTED: ", got, c->expect);
		bad += got != c->expect;
	}
	h->unexpected += bad;
	say(h, d, "requests: %u bad requests, %u answered as the spec asks",
	    (unsigned int)ARRAY_SIZE(blk_cases),
	    (unsigned int)ARRAY_SIZE(blk_cases) - bad);
}

static void phase_requests(struct hostile *h, struct hostile_dev *d)
{
	if (d->id == VIRTIO_ID_BLOCK)
		blk_requests(h, d);
	else
		net_requests(h, d);
}

/*
 * Phase "registers". First every 32-bit offset, registers and config
 * space, each value written right after a reset (so one write is judged
 * at a time) and read back.
 */
static unsigned int sweep_words(struct hostile *h, const struct hostile_dev *d)
{
	unsigned int n = 0;
	uint32_t v;

	for (uint32_t off = 0; off < MMIO_SIZE; off += 4) {
		for (unsigned int i = 0;
		     i < ARRAY_SIZE(boundary_values) + SWEEP_RANDOM; i++, n++) {
			v = i < ARRAY_SIZE(boundary_values)
				    ? boundary_values[i]
				    : (uint32_t)hostile_rng_next(h);
			dev_reset(d);
			reg_write(d, off, v);
			(void)reg_read(d, off);
		}
	}
	return n;
}

/* 1-byte accesses at every offset, 2-byte at every even, 8-byte at 8n. */
static unsigned int sweep_narrow_wide(struct hostile *h,
				      const struct hostile_dev *d)
{
	unsigned int n = 0;

	dev_reset(d);
	for (uint32_t off = 0; off < MMIO_SIZE; off++, n += 2) {
		mmio_write8(d->base + off, (uint8_t)fuzz_value(h));
		(void)mmio_read8(d->base + off);
	}
	for (uint32_t off = 0; off < MMIO_SIZE; off += 2, n += 2) {
		mmio_write16(d->base + off, (uint16_t)fuzz_value(h));
		(void)mmio_read16(d->base + off);
	}
	for (uint32_t off = 0; off < MMIO_SIZE; off += 8, n += 2) {
		mmio_write64(d->base + off, hostile_rng_next(h));
		(void)mmio_read64(d->base + off);
	}
	return n;
}

static const uint16_t writable_regs[] = {
	VIRTIO_MMIO_DEVICE_FEATURES_SEL,
	VIRTIO_MMIO_DRIVER_FEATURES,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL,
	VIRTIO_MMIO_QUEUE_SEL,
	VIRTIO_MMIO_QUEUE_NUM,
	VIRTIO_MMIO_QUEUE_READY,
	VIRTIO_MMIO_QUEUE_NOTIFY,
	VIRTIO_MMIO_INTERRUPT_ACK,
	VIRTIO_MMIO_STATUS,
	VIRTIO_MMIO_QUEUE_DESC_LOW,
	VIRTIO_MMIO_QUEUE_DESC_HIGH,
	VIRTIO_MMIO_QUEUE_AVAIL_LOW,
	VIRTIO_MMIO_QUEUE_AVAIL_HIGH,
	VIRTIO_MMIO_QUEUE_USED_LOW,
	VIRTIO_MMIO_QUEUE_USED_HIGH,
	VIRTIO_MMIO_SHM_SEL,
};

static bool is_addr_low(uint16_t reg)
{
	return reg == VIRTIO_MMIO_QUEUE_DESC_LOW ||
	       reg == VIRTIO_MMIO_QUEUE_AVAIL_LOW ||
	       reg == VIRTIO_MMIO_QUEUE_USED_LOW;
}

/*
 * Random writes in random order, no reset in between. A ring address in
 * RAM is moved just past it: a queue that became ready there would let
 * the device write over this guest (rings in RAM are the chain phase's).
 */
static unsigned int random_writes(struct hostile *h,
				  const struct hostile_dev *d)
{
	dev_reset(d);
	for (unsigned int i = 0; i < RANDOM_WRITES; i++) {
		uint16_t reg = writable_regs[hostile_rng_next(h) %
					     ARRAY_SIZE(writable_regs)];
		uint32_t v = fuzz_value(h);

		if (is_addr_low(reg) && v >= h->ram_base && v < h->ram_end)
			v = (uint32_t)h->ram_end;
		reg_write(d, reg, v);
		if (i % 16 == 15)
			(void)dev_status(d);
	}
	dev_reset(d);
	return RANDOM_WRITES;
}

/*
 * Scripted state checks: register writes and what must read back (spec
 * 2.1, 3.1.1, 4.2.2 and tinyvmm's virtio/mmio.h). Data only, no
 * pointers, so the table needs no relocation (guest/arm64/guest.ld).
 */
enum op {
	OP_END,
	OP_WRITE,
	OP_EXPECT,
	OP_RESET,
	OP_NEGOTIATE,
	OP_INIT,
	OP_RINGS
};

struct step {
	uint8_t op;
	uint16_t reg;
	uint32_t val;  /* written; expected; OP_RINGS: how the desc moves */
	uint32_t mask; /* OP_EXPECT: the bits compared */
};

#define W(r, v)                                   \
	{                                         \
		OP_WRITE, VIRTIO_MMIO_##r, (v), 0 \
	}
#define X(r, m, v)                                   \
	{                                            \
		OP_EXPECT, VIRTIO_MMIO_##r, (v), (m) \
	}
#define RESET                     \
	{                         \
		OP_RESET, 0, 0, 0 \
	}
#define NEGOTIATE                     \
	{                             \
		OP_NEGOTIATE, 0, 0, 0 \
	} /* up to FEATURES_OK */
#define INIT                     \
	{                        \
		OP_INIT, 0, 0, 0 \
	} /* up to DRIVER_OK */
#define RINGS(shift)                    \
	{                               \
		OP_RINGS, 0, (shift), 0 \
	}
#define RINGS_AT_END 1 /* the descriptor table across RAM's end */
#define ALL 0xffffffffU
#define MAX_STEPS 10

static const char check_names[][40] = {
	"DRIVER_OK first",
	"FEATURES_OK without VERSION_1",
	"FEATURES_OK with unoffered bits",
	"FEATURES_OK with bits above 63",
	"DeviceFeaturesSel out of range",
	"QueueReady before FEATURES_OK",
	"QueueSel out of range",
	"QueueNum 0",
	"QueueNum 3",
	"QueueNum 0x10000",
	"QueueNum 0xffffffff",
	"descriptor table misaligned",
	"descriptor table across RAM's end",
	"status bits cleared without reset",
	"FAILED after DRIVER_OK, then reset",
	"queue registers after DRIVER_OK",
	"driver features after FEATURES_OK",
	"QueueNotify before DRIVER_OK",
	"writes to read-only registers",
	"a reset makes queues not ready",
};

static const struct step checks[][MAX_STEPS] = {
	{ RESET, W(STATUS, DOK), X(STATUS, NR, NR) },
	{ RESET, W(STATUS, ACK | DRV), W(DRIVER_FEATURES_SEL, 1),
	  W(DRIVER_FEATURES, 0), W(STATUS, ACK | DRV | FOK),
	  X(STATUS, FOK, 0) },
	{ RESET, W(STATUS, ACK | DRV), W(DRIVER_FEATURES_SEL, 0),
	  W(DRIVER_FEATURES, ALL), W(DRIVER_FEATURES_SEL, 1),
	  W(DRIVER_FEATURES, ALL), W(STATUS, ACK | DRV | FOK),
	  X(STATUS, FOK, 0) },
	{ RESET, W(STATUS, ACK | DRV), W(DRIVER_FEATURES_SEL, 1),
	  W(DRIVER_FEATURES, 1), W(DRIVER_FEATURES_SEL, 2),
	  W(DRIVER_FEATURES, 1), W(STATUS, ACK | DRV | FOK),
	  X(STATUS, FOK, 0) },
	{ RESET, W(DEVICE_FEATURES_SEL, 2), X(DEVICE_FEATURES, ALL, 0),
	  W(DEVICE_FEATURES_SEL, ALL), X(DEVICE_FEATURES, ALL, 0) },
	{ RESET, W(STATUS, ACK | DRV), W(QUEUE_SEL, 0), W(QUEUE_NUM, QSIZE),
	  RINGS(0), W(QUEUE_READY, 1), X(QUEUE_READY, ALL, 0),
	  X(STATUS, NR, NR) },
	{ NEGOTIATE, W(QUEUE_SEL, 16), X(QUEUE_NUM_MAX, ALL, 0),
	  W(QUEUE_NUM, QSIZE), W(QUEUE_READY, 1), X(QUEUE_READY, ALL, 0),
	  W(QUEUE_SEL, ALL), X(QUEUE_NUM_MAX, ALL, 0), X(STATUS, NR, 0) },
	{ NEGOTIATE, W(QUEUE_SEL, 0), W(QUEUE_NUM, 0), RINGS(0),
	  W(QUEUE_READY, 1), X(QUEUE_READY, ALL, 0), X(STATUS, NR, NR) },
	{ NEGOTIATE, W(QUEUE_SEL, 0), W(QUEUE_NUM, 3), RINGS(0),
	  W(QUEUE_READY, 1), X(QUEUE_READY, ALL, 0), X(STATUS, NR, NR) },
	{ NEGOTIATE, W(QUEUE_SEL, 0), W(QUEUE_NUM, 0x10000), RINGS(0),
	  W(QUEUE_READY, 1), X(QUEUE_READY, ALL, 0), X(STATUS, NR, NR) },
	{ NEGOTIATE, W(QUEUE_SEL, 0), W(QUEUE_NUM, ALL), RINGS(0),
	  W(QUEUE_READY, 1), X(QUEUE_READY, ALL, 0), X(STATUS, NR, NR) },
	{ NEGOTIATE, W(QUEUE_SEL, 0), W(QUEUE_NUM, QSIZE), RINGS(8),
	  W(QUEUE_READY, 1), X(QUEUE_READY, ALL, 0), X(STATUS, NR, NR) },
	{ NEGOTIATE, W(QUEUE_SEL, 0), W(QUEUE_NUM, QSIZE), RINGS(RINGS_AT_END),
	  W(QUEUE_READY, 1), X(QUEUE_READY, ALL, 0), X(STATUS, NR, NR) },
	{ INIT, W(STATUS, ACK),
	  X(STATUS, ACK | DRV | FOK | DOK | NR, ACK | DRV | FOK | DOK) },
	{ INIT, W(STATUS, VIRTIO_CONFIG_S_FAILED | ACK | DRV | FOK | DOK),
	  X(STATUS, VIRTIO_CONFIG_S_FAILED, VIRTIO_CONFIG_S_FAILED), RESET,
	  X(STATUS, ALL, 0) },
	{ INIT, W(QUEUE_SEL, 0), W(QUEUE_NUM, 3), W(QUEUE_DESC_LOW, 0),
	  W(QUEUE_READY, 0), X(QUEUE_READY, ALL, 1), X(STATUS, NR, 0) },
	{ INIT, W(DRIVER_FEATURES_SEL, 0), W(DRIVER_FEATURES, ALL),
	  X(STATUS, NR | DOK, DOK) },
	{ RESET, W(QUEUE_NOTIFY, ALL), W(QUEUE_NOTIFY, 16), W(QUEUE_NOTIFY, 0),
	  X(STATUS, ALL, 0) },
	{ RESET, W(MAGIC_VALUE, 0), W(VERSION, 0), W(VENDOR_ID, 0),
	  X(MAGIC_VALUE, ALL, MMIO_MAGIC), X(VERSION, ALL, 2) },
	{ INIT, RESET, W(QUEUE_SEL, 0), X(QUEUE_READY, ALL, 0),
	  X(STATUS, ALL, 0) },
};

_Static_assert(ARRAY_SIZE(checks) == ARRAY_SIZE(check_names),
	       "a name per state check");

/* OP_RINGS: queue 0's rings, the descriptor table moved as asked. */
static void step_rings(const struct hostile *h, const struct hostile_dev *d,
		       uint32_t how)
{
	const struct hostile_vq *q = &d->q[0];
	uint64_t shift = how;

	if (how == RINGS_AT_END)
		shift = h->ram_end - 8 * QSIZE - gpa(q->desc);
	vq_program(d, q, shift);
}

static bool step_expect(const struct hostile *h, const struct hostile_dev *d,
			unsigned int check, const struct step *s)
{
	uint32_t v = reg_read(d, s->reg);

	if ((v & s->mask) == s->val)
		return true;
	say(h, d,
	    "UNEXPECTED: state check %s: register 0x%03x reads 0x%x,"
	    " wanted 0x%x under mask 0x%x",
	    check_names[check], s->reg, v, s->val, s->mask);
	return false;
}

static bool step_init(const struct hostile *h, const struct hostile_dev *d,
		      unsigned int check, const char *why)
{
	if (why)
		say(h, d, "UNEXPECTED: state check %s: bring-up failed: %s",
		    check_names[check], why);
	return !why;
}

static bool step_run(struct hostile *h, struct hostile_dev *d,
		     unsigned int check, const struct step *s)
{
	switch (s->op) {
	case OP_WRITE:
		reg_write(d, s->reg, s->val);
		return true;
	case OP_EXPECT:
		return step_expect(h, d, check, s);
	case OP_RESET:
		dev_reset(d);
		return true;
	case OP_NEGOTIATE:
		return step_init(h, d, check, dev_negotiate(d));
	case OP_INIT:
		return step_init(h, d, check, dev_init(h, d));
	case OP_RINGS:
		step_rings(h, d, s->val);
		return true;
	default:
		return true;
	}
}

static unsigned int state_checks(struct hostile *h, struct hostile_dev *d)
{
	unsigned int passed = 0;

	for (unsigned int c = 0; c < ARRAY_SIZE(checks); c++) {
		bool ok = true;

		for (unsigned int i = 0; ok && i < MAX_STEPS; i++)
			ok = step_run(h, d, c, &checks[c][i]);
		passed += ok;
		h->unexpected += !ok;
	}
	dev_reset(d);
	return passed;
}

static void phase_registers(struct hostile *h, struct hostile_dev *d)
{
	unsigned int words = sweep_words(h, d);
	unsigned int narrow = sweep_narrow_wide(h, d);
	unsigned int odd = hostile_arch_sweep_unaligned(h, d->base, MMIO_SIZE);
	unsigned int rand_n = random_writes(h, d);
	unsigned int passed = state_checks(h, d);

	if (odd)
		say(h, d,
		    "unaligned: %u 2/4/8-byte accesses at offsets"
		    " their size does not divide, the last across the"
		    " device's end",
		    odd);
	say(h, d,
	    "registers: %u word writes at %u offsets, %u 8/16/64-bit accesses,"
	    " %u random writes; state checks %u/%u as expected",
	    words, MMIO_SIZE / 4, narrow, rand_n, passed,
	    (unsigned int)ARRAY_SIZE(checks));
	if (reg_read(d, VIRTIO_MMIO_MAGIC_VALUE) != MMIO_MAGIC ||
	    dev_status(d) != 0) {
		say(h, d, "UNEXPECTED: the device reads wrong after the sweep");
		h->unexpected++;
	}
}

/*
 * Request @i of the storm, through a table of up to 3: reads, writes and
 * flushes by turns, so that a flush waits behind writes (blk_uring parks
 * it) when the reset comes. Writes go to the image's second half: the
 * valid read at the end finds sector 0 as the test wrote it.
 */
static void storm_blk_request(const struct hostile *h, struct hostile_vq *q,
			      unsigned int i)
{
	static const uint32_t types[3] = { VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT,
					   VIRTIO_BLK_T_FLUSH };
	struct vring_desc *t = h->s.tables + 3 * i;
	uint8_t *b = h->s.buf;
	struct virtio_blk_outhdr *hdr =
		(struct virtio_blk_outhdr *)(b + BUF_HDRS) + i;
	uint32_t type = types[i % 3];
	unsigned int n;

	blk_header(hdr, type,
		   (uint64_t)i * IO_LEN / 512 +
			   (type == VIRTIO_BLK_T_OUT ? 1024 : 0));
	n = blk_chain(t, gpa(hdr), sizeof(*hdr), gpa(h->s.io + i * IO_LEN),
		      type == VIRTIO_BLK_T_FLUSH ? 0 : IO_LEN,
		      type == VIRTIO_BLK_T_IN, gpa(b + BUF_STATUS + i));
	desc_set(q->desc, (uint16_t)i, gpa(t), 16 * n, F_INDIRECT, 0);
	vq_publish(q, (uint16_t)i);
}

/* What a storm round or the final request puts in flight: @n of them. */
static void post_requests(const struct hostile *h, struct hostile_dev *d,
			  unsigned int n)
{
	struct hostile_vq *q = &d->q[d->attack_q];

	for (unsigned int i = 0; i < n; i++) {
		if (d->id == VIRTIO_ID_BLOCK) {
			storm_blk_request(h, q, i);
			continue;
		}
		desc_set(q->desc, (uint16_t)i, gpa(h->s.buf + BUF_FRAME),
			 FRAME_LEN, 0, 0);
		vq_publish(q, (uint16_t)i);
	}
	vq_kick(h, d, d->attack_q);
}

/* Requests in flight, then Status 0 at once: how many were done by then. */
static unsigned int storm_round(struct hostile *h, struct hostile_dev *d)
{
	if (!dev_up(h, d))
		return 0;
	post_requests(h, d, IO_REQS);
	dev_reset(d);
	return vq_used_idx(&d->q[d->attack_q]);
}

/* DRIVER_OK with no queue ready: a device that cannot start. */
static void flood_round(struct hostile *h, struct hostile_dev *d)
{
	if (dev_negotiate(d))
		return;
	reg_write(d, VIRTIO_MMIO_STATUS, ACK | DRV | FOK | DOK);
	dev_reset(d);
}

/* Prints what the buffer at @p holds as text, '.' for the rest. */
static void say_text(const struct hostile *h, const struct hostile_dev *d,
		     const char *what, const uint8_t *p, unsigned int n)
{
	char text[33];

	for (unsigned int i = 0; i < n && i < 32; i++)
		text[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.';
	text[n < 32 ? n : 32] = '\0';
	say(h, d, "%s \"%s\"", what, text);
}

/* The one valid request after the storms: read sector 0 of the disk. */
static bool blk_valid_read(struct hostile *h, struct hostile_dev *d)
{
	struct hostile_vq *q = &d->q[0];
	uint8_t *b = h->s.buf;
	enum outcome out;
	uint32_t len;

	memset(b + BUF_DATA, 0, 512);
	blk_header((struct virtio_blk_outhdr *)(b + BUF_HDR), VIRTIO_BLK_T_IN,
		   0);
	b[BUF_STATUS] = 0xee;
	blk_chain(q->desc, gpa(b + BUF_HDR), 16, gpa(b + BUF_DATA), 512, true,
		  gpa(b + BUF_STATUS));
	vq_publish(q, 0);
	vq_kick(h, d, 0);
	out = vq_await(h, d, q, 1, REQUEST_WAIT_US);
	ram_sync_all(h);
	len = q->used->ring[0].len;
	say(h, d, "valid read after reset: %s, status %u, %u bytes used",
	    outcome_names[out], b[BUF_STATUS], len);
	if (out == OUT_USED)
		say_text(h, d, "sector 0 begins", b + BUF_DATA, 32);
	return out == OUT_USED && b[BUF_STATUS] == VIRTIO_BLK_S_OK &&
	       len == 513;
}

static bool net_valid_send(struct hostile *h, struct hostile_dev *d)
{
	enum outcome out;

	net_frame(h);
	post_requests(h, d, 1);
	out = vq_await(h, d, &d->q[d->attack_q], 1, REQUEST_WAIT_US);
	say(h, d, "valid frame after reset: %s", outcome_names[out]);
	return out == OUT_USED;
}

static void phase_resets(struct hostile *h, struct hostile_dev *d)
{
	unsigned int done = 0;
	bool ok;

	net_frame(h);
	for (unsigned int i = 0; i < STORM_ROUNDS; i++)
		done += storm_round(h, d);
	for (unsigned int i = 0; i < FLOOD_ROUNDS; i++)
		flood_round(h, d);
	say(h, d,
	    "resets: %u resets with %u requests in flight (%u done first),"
	    " %u DRIVER_OK with no queue",
	    STORM_ROUNDS, IO_REQS, done, FLOOD_ROUNDS);
	if (!dev_up(h, d))
		return;
	ok = d->id == VIRTIO_ID_BLOCK ? blk_valid_read(h, d)
				      : net_valid_send(h, d);
	dev_reset(d);
	/* A frame may find no way out (a tap that is down): not judged. */
	if (!ok && d->id == VIRTIO_ID_BLOCK) {
		say(h, d, "UNEXPECTED: the valid request failed");
		h->unexpected++;
	}
}

static bool addr_is_device(const struct hostile *h, uint64_t a)
{
	for (unsigned int i = 0; i < h->nr_devs; i++)
		if (a - h->dev[i].base < MMIO_SIZE)
			return true;
	return a >= h->ram_base && a < h->ram_end;
}

static void phase_unmapped(struct hostile *h)
{
	uint64_t addrs[HOSTILE_MAX_HOLES];
	unsigned int n = hostile_arch_holes(h, addrs), reads = 0, writes = 0;
	unsigned int ones = 0;

	for (unsigned int i = 0; i < n; i++) {
		uintptr_t a = (uintptr_t)addrs[i];

		if (addr_is_device(h, a))
			continue;
		ones += mmio_read8(a) == 0xff;
		ones += mmio_read16(a) == 0xffff;
		ones += mmio_read32(a) == 0xffffffffU;
		ones += mmio_read64(a) == ~0ULL;
		mmio_write32(a, 0xdeadbeef);
		mmio_write64(a + 8, ~0ULL);
		ones += mmio_read32(a) == 0xffffffffU;
		reads += 5;
		writes += 2;
	}
	con_printf(h->con,
		   "hostile: unmapped: %u reads and %u writes at %u holes;"
		   " %u reads gave all ones\n",
		   reads, writes, n, ones);
	hostile_arch_unmapped_more(h);
}

/* The arch's wait for interrupt, woken by its timer; hostile.h. */
static void phase_idle(struct hostile *h)
{
	const char *insn = hostile_arch_idle_insn;
	const char *why = hostile_arch_idle_setup(h);
	uint64_t bound = hostile_ticks_after(h, WFI_BOUND_US);
	uint64_t start = hostile_arch_ticks(), slept;
	unsigned int waits = 0, storm;

	if (why) {
		con_printf(h->con, "hostile: %s: skipped: %s\n", insn, why);
		return;
	}
	for (unsigned int i = 0; i < WFI_SLEEPS; i++)
		waits += hostile_arch_idle_sleep(h, WFI_SLEEP_US, bound);
	slept = ms_since(h, start);
	start = hostile_arch_ticks();
	storm = hostile_arch_idle_storm(h, WFI_STORM,
					hostile_ticks_after(h, WFI_BOUND_US));
	con_printf(h->con,
		   "hostile: %s: %u sleeps of %u us in %lu ms (%u %s), then"
		   " %u %s with the timer pending in %lu ms; pending after: ",
		   insn, WFI_SLEEPS, WFI_SLEEP_US, (unsigned long)slept, waits,
		   insn, storm, insn, (unsigned long)ms_since(h, start));
	hostile_arch_idle_pending(h);
	con_putc(h->con, '\n');
}

/*
 * RAM from /memory; the arena from the image's end to the tree when the
 * tree lies above the image (arm64), else to RAM's end (x86: the tree is
 * below the image).
 */
static void setup_memory(struct hostile *h, const struct fdt *fdt,
			 uintptr_t dtb)
{
	uint64_t size;
	int node = fdt_subnode(fdt, fdt_root(fdt), "memory");
	int ret = node < 0 ? node : fdt_reg(fdt, node, 0, &h->ram_base, &size);

	if (ret)
		hostile_fail(h, "no /memory reg", ret);
	h->ram_end = h->ram_base + size;
	h->arena = ((uintptr_t)_end + 0xffff) & ~(uintptr_t)0xffff;
	h->arena_end = (uintptr_t)h->ram_end;
	if (dtb >= h->arena && dtb < h->arena_end)
		h->arena_end = dtb & ~(uintptr_t)0xfff;
	h->used_from = h->arena;
	h->s.buf = hostile_alloc(h, BUF_SIZE, 64);
	h->s.table = hostile_alloc(h, 16 * LONG_TABLE, 16);
	h->s.tables = hostile_alloc(h, 16 * 3 * IO_REQS, 16);
	h->s.io = hostile_alloc(h, IO_REQS * IO_LEN, 4096);
}

/* The device's kind, from its DeviceID; false for any other kind. */
static bool dev_kind(struct hostile_dev *d)
{
	d->id = reg_read(d, VIRTIO_MMIO_DEVICE_ID);
	if (d->id == VIRTIO_ID_BLOCK) {
		d->name = "virtio-blk";
		d->nr_queues = 1;
		d->attack_q = 0;
	} else if (d->id == VIRTIO_ID_NET) {
		d->name = "virtio-net";
		d->nr_queues = 2;
		d->attack_q = 1; /* transmit: served on a kick */
	}
	return d->id == VIRTIO_ID_BLOCK || d->id == VIRTIO_ID_NET;
}

static void dev_rings(struct hostile *h, struct hostile_dev *d)
{
	for (unsigned int i = 0; i < d->nr_queues; i++) {
		d->q[i].desc = hostile_alloc(h, 16 * QSIZE, 16);
		d->q[i].avail = hostile_alloc(h, 6 + 2 * QSIZE, 2);
		d->q[i].used = hostile_alloc(h, 6 + 8 * QSIZE, 4);
	}
}

/* One "virtio,mmio" node: reg, interrupts (the arch's), registers. */
static void dev_probe(struct hostile *h, const struct fdt *fdt, int node)
{
	struct hostile_dev *d = &h->dev[h->nr_devs];
	uint64_t base;

	if (h->nr_devs == HOSTILE_MAX_DEVS ||
	    fdt_reg(fdt, node, 0, &base, NULL))
		return;
	d->base = (uintptr_t)base;
	d->irq = hostile_arch_dev_irq(fdt, node);
	if (reg_read(d, VIRTIO_MMIO_MAGIC_VALUE) != MMIO_MAGIC ||
	    reg_read(d, VIRTIO_MMIO_VERSION) != 2 || !dev_kind(d))
		return;
	dev_rings(h, d);
	h->nr_devs++;
	say(h, d, "found: device id %u, interrupt %u", d->id, d->irq);
}

static void setup_devices(struct hostile *h, const struct fdt *fdt)
{
	int node = fdt_find_compatible(fdt, -1, "virtio,mmio");

	for (; node >= 0; node = fdt_find_compatible(fdt, node, "virtio,mmio"))
		if (fdt_is_available(fdt, node))
			dev_probe(h, fdt, node);
	if (!h->nr_devs)
		hostile_fail(
			h, "no virtio-blk or virtio-net device in the tree", 0);
}

void hostile_run(struct hostile *h, const struct fdt *fdt, uintptr_t dtb)
{
	h->rng = SEED;
	setup_memory(h, fdt, dtb);
	setup_devices(h, fdt);
	for (unsigned int i = 0; i < h->nr_devs; i++)
		phase_chains(h, &h->dev[i]);
	for (unsigned int i = 0; i < h->nr_devs; i++)
		phase_requests(h, &h->dev[i]);
	for (unsigned int i = 0; i < h->nr_devs; i++)
		phase_registers(h, &h->dev[i]);
	for (unsigned int i = 0; i < h->nr_devs; i++)
		phase_resets(h, &h->dev[i]);
	phase_unmapped(h);
	phase_idle(h);
	con_printf(h->con, "hostile: done: %u devices, %u unexpected\n",
		   h->nr_devs, h->unexpected);
	hostile_arch_power_off(h);
}
