/* SPDX-License-Identifier: MIT */
/*
 * What a virtio-mmio guest driver does, for tests: registers read and
 * written through virtio_mmio_read()/virtio_mmio_write() as a vCPU would
 * (32-bit, little-endian), the probe of spec 3.1.1, and the driver's side
 * of a split virtqueue (spec 2.7) in a guest_mem region.
 *
 * Register helpers take the device; ring helpers take a struct vdrv_vq.
 * They assert only what a driver could not go on without (its RAM is
 * there); what the device answers is for each test to check.
 */
#ifndef TINYVMM_TESTS_VIRTIO_DRIVER_H
#define TINYVMM_TESTS_VIRTIO_DRIVER_H

#include <check.h>
#include <endian.h>
#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>

#include "virtio/mmio.h"
#include "virtio/mmio_worker.h"

/* The status of a device the driver has brought up (spec 3.1.1 step 8). */
#define VDRV_STATUS_LIVE                                        \
	(VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER | \
	 VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK)

/* ---- Registers ---- */

static inline uint32_t vdrv_rd(struct virtio_mmio_dev *dev, uint64_t off)
{
	uint32_t v;

	virtio_mmio_read(dev, off, &v, 4);
	return le32toh(v);
}

static inline void vdrv_wr(struct virtio_mmio_dev *dev, uint64_t off,
			   uint32_t v)
{
	v = htole32(v);
	virtio_mmio_write(dev, off, &v, 4);
}

/* A 64-bit value into a LOW/HIGH register pair, low word first. */
static inline void vdrv_wr64(struct virtio_mmio_dev *dev, uint64_t lo_off,
			     uint64_t v)
{
	vdrv_wr(dev, lo_off, (uint32_t)v);
	vdrv_wr(dev, lo_off + 4, (uint32_t)(v >> 32));
}

/* DeviceFeatures, both words (spec 4.2.2). */
static inline uint64_t vdrv_device_features(struct virtio_mmio_dev *dev)
{
	uint64_t hi;

	vdrv_wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = vdrv_rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
	vdrv_wr(dev, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | vdrv_rd(dev, VIRTIO_MMIO_DEVICE_FEATURES);
}

static inline bool vdrv_needs_reset(struct virtio_mmio_dev *dev)
{
	return vdrv_rd(dev, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET;
}

/*
 * Spec 3.1.1 steps 2-5 on a reset device: ACKNOWLEDGE, DRIVER, the
 * driver's @features, FEATURES_OK. Whether FEATURES_OK stuck is for the
 * caller to read (step 6).
 */
static inline void vdrv_negotiate(struct virtio_mmio_dev *dev,
				  uint64_t features)
{
	vdrv_wr(dev, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE);
	vdrv_wr(dev, VIRTIO_MMIO_STATUS,
		vdrv_rd(dev, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER);
	vdrv_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	vdrv_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	vdrv_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	vdrv_wr(dev, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	vdrv_wr(dev, VIRTIO_MMIO_STATUS,
		vdrv_rd(dev, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_FEATURES_OK);
}

/*
 * Spec 4.2.3.2: selects queue @q, reads QueueNumMax, gives the queue @num
 * entries and its rings, sets QueueReady. Returns the QueueNumMax read;
 * goes on whatever it is, so that a test can offer what the device must
 * refuse.
 */
static inline uint32_t vdrv_queue_setup(struct virtio_mmio_dev *dev, uint32_t q,
					uint32_t num, uint64_t desc,
					uint64_t avail, uint64_t used)
{
	uint32_t max;

	vdrv_wr(dev, VIRTIO_MMIO_QUEUE_SEL, q);
	max = vdrv_rd(dev, VIRTIO_MMIO_QUEUE_NUM_MAX);
	vdrv_wr(dev, VIRTIO_MMIO_QUEUE_NUM, num);
	vdrv_wr64(dev, VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	vdrv_wr64(dev, VIRTIO_MMIO_QUEUE_AVAIL_LOW, avail);
	vdrv_wr64(dev, VIRTIO_MMIO_QUEUE_USED_LOW, used);
	vdrv_wr(dev, VIRTIO_MMIO_QUEUE_READY, 1);
	return max;
}

/* Spec 3.1.1 step 8. */
static inline void vdrv_driver_ok(struct virtio_mmio_dev *dev)
{
	vdrv_wr(dev, VIRTIO_MMIO_STATUS,
		vdrv_rd(dev, VIRTIO_MMIO_STATUS) | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* A kick through QueueNotify (with no ioeventfd, the device forwards it). */
static inline void vdrv_notify(struct virtio_mmio_dev *dev, uint32_t q)
{
	vdrv_wr(dev, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* A struct virtio_mmio_irq signal that counts on the eventfd at @opaque. */
static inline int vdrv_eventfd_signal(void *opaque)
{
	return eventfd_write(*(int *)opaque, 1) ? -errno : 0;
}

/*
 * tinyvmm's device manager, unconfined: a device given it with
 * virtio_mmio_set_worker() has its DRIVER_OK and reset carried out on the
 * worker's thread, as in tinyvmm. Stop it before destroying the device.
 */
static inline struct virtio_mmio_worker *vdrv_worker_start(void)
{
	struct virtio_mmio_worker *w;

	ck_assert_int_eq(virtio_mmio_worker_create(NULL, &w), 0);
	ck_assert_int_eq(virtio_mmio_worker_start(w), 0);
	return w;
}

/* ---- Guest RAM and rings ---- */

/* @len bytes of guest RAM at @gpa, which must be there. */
static inline void *vdrv_ptr(struct guest_mem *mem, uint64_t gpa, uint64_t len)
{
	void *p = guest_mem_ptr(mem, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

/* Writes descriptor @i of the table at @table (any alignment). */
static inline void vdrv_desc(struct guest_mem *mem, uint64_t table, uint16_t i,
			     uint64_t addr, uint32_t len, uint16_t flags,
			     uint16_t next)
{
	struct vring_desc raw = { htole64(addr), htole32(len), htole16(flags),
				  htole16(next) };

	ck_assert_int_eq(guest_mem_write(mem, table + 16ULL * i, &raw, 16), 0);
}

/* One buffer of a chain, as the driver lays it out. */
struct vdrv_seg {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags; /* VRING_DESC_F_WRITE, VRING_DESC_F_INDIRECT */
};

/* The driver's side of one split virtqueue. */
struct vdrv_vq {
	struct guest_mem *mem;
	uint16_t num;
	uint64_t desc, avail, used; /* guest-physical, for vdrv_queue_setup() */
	/* Looked up once: a test may offer 10^5 chains, unasserted. */
	struct vring_avail *avail_ring;
	struct vring_used *used_ring;
	uint16_t next_desc; /* where vdrv_vq_chain() lays the next chain */
	uint16_t avail_idx; /* the driver's index, published or not */
};

/* Rings of @num entries at @desc, @avail, @used: @mem must hold them. */
static inline void vdrv_vq_init(struct vdrv_vq *vq, struct guest_mem *mem,
				uint16_t num, uint64_t desc, uint64_t avail,
				uint64_t used)
{
	*vq = (struct vdrv_vq){ .mem = mem,
				.num = num,
				.desc = desc,
				.avail = avail,
				.used = used };
	vdrv_ptr(mem, desc, 16ULL * num);
	vq->avail_ring = vdrv_ptr(mem, avail, 6 + 2ULL * num);
	vq->used_ring = vdrv_ptr(mem, used, 6 + 8ULL * num);
}

/* Zeroed rings, the driver's indices back at 0: before a (re)probe. */
static inline void vdrv_vq_reset(struct vdrv_vq *vq)
{
	uint64_t desc_len = 16ULL * vq->num;

	memset(vdrv_ptr(vq->mem, vq->desc, desc_len), 0, desc_len);
	memset(vq->avail_ring, 0, 6 + 2ULL * vq->num);
	memset(vq->used_ring, 0, 6 + 8ULL * vq->num);
	vq->next_desc = 0;
	vq->avail_idx = 0;
}

/* Sets up queue @q on @vq's rings; QueueNumMax as vdrv_queue_setup(). */
static inline uint32_t vdrv_vq_setup(struct virtio_mmio_dev *dev, uint32_t q,
				     const struct vdrv_vq *vq)
{
	return vdrv_queue_setup(dev, q, vq->num, vq->desc, vq->avail, vq->used);
}

/*
 * Lays @n buffers out as one chain in the next free descriptors (the
 * table wraps); returns its head. Not yet available.
 */
static inline uint16_t
vdrv_vq_chain(struct vdrv_vq *vq, const struct vdrv_seg *segs, unsigned int n)
{
	uint16_t head = vq->next_desc % vq->num, i = head, next;

	for (unsigned int k = 0; k < n; k++) {
		next = (uint16_t)((i + 1) % vq->num);
		vdrv_desc(vq->mem, vq->desc, i, segs[k].gpa, segs[k].len,
			  segs[k].flags | (k + 1 < n ? VRING_DESC_F_NEXT : 0),
			  next);
		i = next;
	}
	vq->next_desc = i;
	return head;
}

/* Chain @head into the available ring, unpublished: the device sees none. */
static inline void vdrv_vq_put(struct vdrv_vq *vq, uint16_t head)
{
	vq->avail_ring->ring[vq->avail_idx % vq->num] = htole16(head);
	vq->avail_idx++;
}

/* Publishes what was put (spec 2.7.13.2: the index after the entries). */
static inline void vdrv_vq_publish(struct vdrv_vq *vq)
{
	__atomic_store_n(&vq->avail_ring->idx, htole16(vq->avail_idx),
			 __ATOMIC_RELEASE);
}

/* Makes chain @head available (no kick). */
static inline void vdrv_vq_offer(struct vdrv_vq *vq, uint16_t head)
{
	vdrv_vq_put(vq, head);
	vdrv_vq_publish(vq);
}

/* Lays @n buffers out as one chain and makes it available; its head. */
static inline uint16_t vdrv_vq_add(struct vdrv_vq *vq,
				   const struct vdrv_seg *segs, unsigned int n)
{
	uint16_t head = vdrv_vq_chain(vq, segs, n);

	vdrv_vq_offer(vq, head);
	return head;
}

static inline uint16_t vdrv_vq_used_idx(const struct vdrv_vq *vq)
{
	return le16toh(__atomic_load_n(&vq->used_ring->idx, __ATOMIC_ACQUIRE));
}

/* Used entry @i (counting from 0 since the last reset), host-endian. */
static inline struct vring_used_elem vdrv_vq_used_elem(const struct vdrv_vq *vq,
						       uint16_t i)
{
	struct vring_used_elem e = vq->used_ring->ring[i % vq->num];

	return (struct vring_used_elem){ le32toh(e.id), le32toh(e.len) };
}

/*
 * A driver's probe (spec 3.1.1) with @n queues, queue i on @vq[i]: reset,
 * fresh rings, @want of what is offered plus VERSION_1, each queue set up
 * (QueueNumMax at least its size), DRIVER_OK; asserts that the device
 * took it all. Returns the features taken.
 */
static inline uint64_t vdrv_probe(struct virtio_mmio_dev *dev, uint64_t want,
				  struct vdrv_vq *vq, unsigned int n)
{
	uint64_t f =
		(want & vdrv_device_features(dev)) | 1ULL << VIRTIO_F_VERSION_1;
	uint32_t max;

	vdrv_wr(dev, VIRTIO_MMIO_STATUS, 0);
	for (unsigned int q = 0; q < n; q++)
		vdrv_vq_reset(&vq[q]);
	vdrv_negotiate(dev, f);
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_STATUS),
			  VDRV_STATUS_LIVE & ~VIRTIO_CONFIG_S_DRIVER_OK);
	for (unsigned int q = 0; q < n; q++) {
		max = vdrv_vq_setup(dev, q, &vq[q]);
		ck_assert_uint_ge(max, vq[q].num);
	}
	vdrv_driver_ok(dev);
	ck_assert_uint_eq(vdrv_rd(dev, VIRTIO_MMIO_STATUS), VDRV_STATUS_LIVE);
	return f;
}

#endif
