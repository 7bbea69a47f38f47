/* SPDX-License-Identifier: MIT */
/*
 * A split virtqueue, device side (virtio 1.x, VIRTIO_F_VERSION_1; spec
 * section 2.7 "Split Virtqueues"). The rings live in guest RAM and are
 * little-endian; the layouts are the UAPI ones from <linux/virtio_ring.h>.
 *
 * Everything the guest writes is untrusted. virtq_enable() checks that each
 * ring lies wholly inside guest RAM, aligned as the spec asks; virtq_pop()
 * checks every descriptor of a chain before the device sees a byte of it.
 * A chain that breaks a rule marks the queue broken: it returns the same
 * error from then on without reading guest memory again, until the
 * transport disables and re-enables the queue (a device reset). The
 * transport turns that into DEVICE_NEEDS_RESET.
 *
 * Threads. One virtq is driven by one thread at a time, the device's
 * dataplane: virtq_pop(), virtq_push() and the notification calls are not
 * locked. virtq_enable() and virtq_disable() are the transport's, called
 * while that dataplane is stopped. The guest driver runs concurrently on
 * vCPUs: the barriers that order us against it are inside these calls.
 *
 * A dataplane's loop, so that no kick is lost between "empty" and sleep:
 *
 *	for (;;) {
 *		virtq_disable_notify(vq);
 *		while ((head = virtq_pop(vq, &chain)) >= 0)
 *			serve the chain, then virtq_push(vq, head, written);
 *		if (head != -EAGAIN)
 *			report chain.why, stop using the queue;
 *		if (!virtq_enable_notify(vq))
 *			break;   (empty with kicks enabled: sleep on the kick)
 *	}
 *	if (virtq_needs_notify(vq))
 *		raise the used-buffer interrupt;
 */
#ifndef TINYVMM_VIRTIO_QUEUE_H
#define TINYVMM_VIRTIO_QUEUE_H

#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"

/*
 * Largest queue size tinyvmm offers (the spec allows 32768). It bounds a
 * direct chain's length, so the walk of a hostile chain stays short.
 */
#define VIRTQ_MAX_SIZE 1024
/* Most descriptors one indirect table may hold (len <= 16 * this). */
#define VIRTQ_MAX_INDIRECT 1024

/* One buffer of a chain: host memory inside guest RAM. */
struct virtq_seg {
	void *addr;
	uint32_t len;
	bool writable; /* device-writable (VRING_DESC_F_WRITE) */
};

/*
 * A popped chain, walked into the caller's array. The spec puts every
 * device-readable buffer before every device-writable one, so the
 * readable segments come first: seg[0 .. nr_readable), then
 * seg[nr_readable .. nr_readable + nr_writable).
 */
struct virtq_chain {
	struct virtq_seg *seg; /* set by the caller, kept across pops */
	unsigned int max_seg;  /* capacity of seg[], set by the caller */
	unsigned int nr_readable, nr_writable;
	uint32_t readable_len, writable_len; /* bytes; the sum fits 32 bits */
	uint16_t head;
	const char *why; /* after an error: a short static reason */
};

/* What the driver wrote into the transport's queue registers. */
struct virtq_layout {
	uint16_t size;		    /* number of entries */
	uint64_t desc, avail, used; /* guest-physical ring addresses */
};

struct virtq {
	/* Set by virtq_enable(), constant until virtq_disable(). */
	bool ready;
	bool event_idx; /* VIRTIO_RING_F_EVENT_IDX negotiated */
	bool indirect;	/* VIRTIO_RING_F_INDIRECT_DESC negotiated */
	uint16_t size;	/* a power of two, <= VIRTQ_MAX_SIZE */
	struct virtq_layout gpa;
	const struct guest_mem *mem;
	struct vring_desc *desc;   /* size entries, 16-byte aligned */
	struct vring_avail *avail; /* ring[size], then used_event */
	struct vring_used *used;   /* ring[size], then avail_event */

	/* Dataplane state: only the device's thread touches these. */
	uint16_t last_avail_idx; /* next avail entry to pop */
	uint16_t avail_idx;	 /* avail->idx as last read */
	uint16_t used_idx;	 /* next used entry to fill */
	uint16_t signalled_used; /* used_idx at the last virtq_needs_notify() */
	int broken;		 /* 0, or the -errno every pop now returns */
	const char *why;	 /* reason for broken */
};

/*
 * Validates @layout against guest RAM (spec 2.7: size a power of two; the
 * descriptor table 16-byte aligned and 16 * size long, the available ring
 * 2-byte aligned and 6 + 2 * size long, the used ring 4-byte aligned and
 * 6 + 8 * size long, each wholly in RAM) and makes the queue ready with
 * the ring features in @features (negotiated bits, VIRTIO_RING_F_*).
 * Indices start at 0, as in a freshly allocated ring. Returns 0, or
 * -EINVAL (size, alignment) / -EFAULT (not in RAM) with *@why set to a
 * short static reason; the queue then stays disabled.
 */
TV_MUST_CHECK int virtq_enable(struct virtq *vq, const struct guest_mem *mem,
			       const struct virtq_layout *layout,
			       uint64_t features, const char **why);

/* Forgets the rings and all state; the queue reads as not ready. */
void virtq_disable(struct virtq *vq);

/*
 * Takes the next available chain and walks it into @chain (whose seg and
 * max_seg the caller set). Returns the head index (>= 0), -EAGAIN when
 * nothing is available (or the queue is not ready), or, for a chain or
 * ring that breaks the rules (chain->why says which), marking the queue
 * broken:
 *   -EINVAL    a head or next index >= the queue or table size; a
 *              device-readable descriptor after a device-writable one;
 *              VRING_DESC_F_INDIRECT not negotiated, together with NEXT,
 *              inside an indirect table, or on a table whose length is 0
 *              or not a multiple of 16
 *   -ELOOP     a chain longer than the queue (or its indirect table)
 *   -EFAULT    a buffer or indirect table not wholly inside guest RAM,
 *              including addr + len wrapping past 2^64
 *   -E2BIG     more segments than chain->max_seg, or an indirect table
 *              of more than VIRTQ_MAX_INDIRECT descriptors
 *   -EOVERFLOW the chain's buffers add up to 4 GiB or more
 *   -ERANGE    avail->idx ran more than the queue size ahead of us
 * Every descriptor is read once and checked from that copy, so a guest
 * rewriting it meanwhile cannot get past the checks.
 */
TV_MUST_CHECK int virtq_pop(struct virtq *vq, struct virtq_chain *chain);

/*
 * Returns chain @head to the driver with @written bytes written to its
 * device-writable buffers, and publishes the new used index. Returns 0,
 * or -EINVAL when the queue is not ready or @head is out of range (a
 * device bug: heads come from virtq_pop()).
 */
TV_MUST_CHECK int virtq_push(struct virtq *vq, uint16_t head, uint32_t written);

/* One chain handed back by virtq_push_batch(). */
struct virtq_used_chain {
	uint16_t head;
	uint32_t written;
};

/*
 * Like virtq_push() for @n chains that the driver must see together:
 * every element is in the used ring before the used index moves past
 * any of them (virtio-net's mergeable receive buffers, one packet over
 * several chains: spec 5.1.6.4.2). Returns 0, or -EINVAL with nothing
 * pushed when the queue is not ready, @n is 0 or above the queue size,
 * or a head is out of range.
 */
TV_MUST_CHECK int virtq_push_batch(struct virtq *vq,
				   const struct virtq_used_chain *chains,
				   unsigned int n);

/*
 * After one or more virtq_push(): whether the driver wants the
 * used-buffer interrupt for what was pushed since the last call (spec
 * 2.7.7: VRING_AVAIL_F_NO_INTERRUPT, or used_event with EVENT_IDX).
 */
bool virtq_needs_notify(struct virtq *vq);

/*
 * Asks the driver not to kick (VRING_USED_F_NO_NOTIFY; with EVENT_IDX
 * avail_event is simply left behind, so at most one more kick comes).
 * Only a hint: the device must still cope with kicks.
 */
void virtq_disable_notify(struct virtq *vq);

/*
 * Asks the driver to kick on its next buffer, then checks the ring again.
 * Returns true when buffers arrived before the driver could have seen the
 * request: the caller must pop them rather than sleep, or that kick is
 * lost.
 */
bool virtq_enable_notify(struct virtq *vq);

/* Whether the driver has made chains available that are not popped yet. */
bool virtq_has_avail(struct virtq *vq);

#endif
