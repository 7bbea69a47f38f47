/* SPDX-License-Identifier: MIT */
/*
 * hostile: the malicious-guest test's attack on tinyvmm's virtio-mmio
 * devices, written once for every arch (hostile.c says what it does and
 * prints). This header is its contract with the arch code,
 * guest/ARCH/hostile_ARCH.c, which
 *   - boots as every guest of its arch does, finds the device tree and
 *     the console, starts its clock, and calls hostile_run(), which does
 *     the rest and never returns;
 *   - implements the hostile_arch_*() hooks below;
 *   - provides "mmio.h" on the include path (guest/ARCH/ comes before
 *     guest/common/) with mmio_read{8,16,32,64}() and
 *     mmio_write{8,16,32,64}(): each exactly one load or store of that
 *     width, an instruction KVM can decode and hand to tinyvmm.
 * Addresses are guest-physical: the arm64 guests run with the MMU off,
 * the x86_64 ones on tinyvmm's identity map.
 *
 * The common code keeps pointers out of static initializers (arm64's
 * image runs away from its link address: guest/arm64/guest.ld), and so
 * must an arch's hooks.
 */
#ifndef TINYVMM_GUEST_HOSTILE_H
#define TINYVMM_GUEST_HOSTILE_H

#include <linux/virtio_ring.h>

#include "libguest.h"

#define HOSTILE_MAX_DEVS 8
#define HOSTILE_DEV_QUEUES 2 /* virtio-net: receive 0, transmit 1 */
#define HOSTILE_MAX_HOLES 16 /* hostile_arch_holes() */

/* The guest's side of one split ring (spec 2.7), in RAM. */
struct hostile_vq {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t avail_idx; /* the next avail->idx the driver publishes */
};

struct hostile_dev {
	uintptr_t base;
	uint32_t irq; /* from the tree: a GIC INTID, an IOAPIC GSI */
	uint32_t id;  /* VIRTIO_ID_* */
	const char *name;
	unsigned int nr_queues;
	unsigned int attack_q; /* the queue the device serves on a kick */
	struct hostile_vq q[HOSTILE_DEV_QUEUES];
};

/* Guest RAM the devices read and write, besides the rings. */
struct hostile_scratch {
	uint8_t *buf;		   /* BUF_SIZE bytes: headers, status, frame */
	struct vring_desc *table;  /* LONG_TABLE descriptors */
	struct vring_desc *tables; /* IO_REQS tables of 3 */
	uint8_t *io;		   /* IO_REQS * IO_LEN bytes */
};

struct hostile_arch; /* each arch's own state, opaque here */

struct hostile {
	/* Set by the arch before hostile_run(). */
	const struct console *con;
	struct hostile_arch *arch;
	uint64_t ticks_hz; /* hostile_arch_ticks() per second, not 0 */
	/* Set up by hostile_run(); the hooks may read them. */
	uint64_t ram_base, ram_end; /* /memory */
	uint64_t rng;
	unsigned int unexpected; /* outcomes no dataplane may give */
	/* The common code's own. */
	uintptr_t arena, arena_end; /* free RAM, then what was handed out */
	uintptr_t used_from;
	struct hostile_scratch s;
	unsigned int nr_devs;
	struct hostile_dev dev[HOSTILE_MAX_DEVS];
};

/*
 * Provided by hostile.c for the arch.
 */

/*
 * Reads /memory, carves the scratch RAM, finds the virtio-mmio devices,
 * runs every phase, prints "hostile: done: ..." and powers off.
 */
_Noreturn void hostile_run(struct hostile *h, const struct fdt *fdt,
			   uintptr_t dtb);

/* "hostile: error: WHAT (ERR), resetting", then hostile_arch_reset(). */
_Noreturn void hostile_fail(const struct hostile *h, const char *what, int err);

/*
 * @size bytes of RAM aligned to @align (a power of two), not zeroed;
 * fails (hostile_fail()) when the arena has no more.
 */
void *hostile_alloc(struct hostile *h, size_t size, size_t align);

/* The deterministic random numbers: xorshift64, fixed seed. */
uint64_t hostile_rng_next(struct hostile *h);

/* hostile_arch_ticks() @us microseconds from now, and whether it passed. */
uint64_t hostile_ticks_after(const struct hostile *h, uint64_t us);
bool hostile_past(uint64_t deadline);

/*
 * The arch contract: guest/ARCH/hostile_ARCH.c implements each of these.
 */

/*
 * A counter that runs at h->ticks_hz and keeps running while the guest
 * waits or the hypervisor works (arm64: CNTVCT; x86: the TSC). Reads
 * are not reordered with the accesses around them.
 */
uint64_t hostile_arch_ticks(void);

/*
 * Ring hand-over, around every kick and before every look at what the
 * device wrote: afterwards tinyvmm sees the guest's writes to
 * [@p, @p + @len) and the guest sees tinyvmm's. Where DMA is not
 * coherent with the guest's accesses (arm64 with the MMU off) this is
 * cache maintenance; where it is (x86), a compiler barrier.
 */
void hostile_arch_ram_sync(const volatile void *p, size_t len);

/* Orders a ring entry's store before the index store that publishes it. */
void hostile_arch_publish_barrier(void);

/*
 * Guest-physical addresses where nothing should answer: holes in the
 * arch's memory map (its layout.h) and around RAM. Fills up to
 * HOSTILE_MAX_HOLES entries of @a; returns how many. Each is read with
 * 1, 2, 4 and 8 bytes and written at +0 and +8, so each must be
 * accessible to the guest (mapped, below its physical address limit).
 * The common code skips any that RAM or a virtio device turns out to
 * cover.
 */
unsigned int hostile_arch_holes(struct hostile *h, uint64_t *a);

/*
 * Register accesses the common sweeps cannot make everywhere: 2-, 4- and
 * 8-byte ones at offsets in [1, @size) that their size does not divide
 * (the last ones across the device's end), of random values, at the
 * device at @base. Returns how many; 0 where the arch cannot make them
 * (arm64 with the MMU off: Device memory faults on them in the guest).
 */
unsigned int hostile_arch_sweep_unaligned(struct hostile *h, uintptr_t base,
					  uint32_t size);

/*
 * The interrupt of virtio-mmio node @node, as the arch numbers them
 * (arm64: GIC INTID, x86: IOAPIC GSI), from its "interrupts"; 0 if none.
 * Printed only: the guest polls.
 */
uint32_t hostile_arch_dev_irq(const struct fdt *fdt, int node);

/*
 * More unmapped accesses, of the arch's own kinds (x86: I/O ports), after
 * the holes; prints one "hostile: NAME: ..." line, or nothing.
 */
void hostile_arch_unmapped_more(struct hostile *h);

/*
 * The idle phase: the arch's "wait for interrupt" (hostile_arch_idle_insn:
 * arm64 "wfi", x86 "hlt") woken by a timer it arms, then a storm of it
 * with the timer's interrupt pending.
 *
 * hostile_arch_idle_setup: NULL when the phase can run, else why not.
 * hostile_arch_idle_sleep: one sleep: arms the timer @us from now, waits
 *   for its interrupt (or until @bound passes), stops it; returns how
 *   many times it waited.
 * hostile_arch_idle_storm: waits up to @max times, each with the timer's
 *   interrupt pending so that each returns, until @bound; stops the
 *   timer; returns how many.
 * hostile_arch_idle_pending: prints what interrupt is pending afterwards
 *   (arm64 "INTID 1023": none), ending the phase's line.
 */
extern const char hostile_arch_idle_insn[];
const char *hostile_arch_idle_setup(struct hostile *h);
unsigned int hostile_arch_idle_sleep(struct hostile *h, uint64_t us,
				     uint64_t bound);
unsigned int hostile_arch_idle_storm(struct hostile *h, unsigned int max,
				     uint64_t bound);
void hostile_arch_idle_pending(struct hostile *h);

/* Leaving: a reset (tinyvmm exits 3, a failure) or a power-off (0). */
_Noreturn void hostile_arch_reset(const struct hostile *h);
_Noreturn void hostile_arch_power_off(const struct hostile *h);

#endif
