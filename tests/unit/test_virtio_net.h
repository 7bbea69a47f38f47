/* SPDX-License-Identifier: MIT */
/*
 * The guest driver's side of virtio-net, for test_virtio_net.c and
 * test_virtio_net_tap.c: split rings in a guest_mem region, the transport
 * set up through virtio_mmio_write() as a driver would (spec 3.1.1), kicks
 * through QueueNotify (the device forwards them to the kick eventfds, as
 * no ioeventfd takes them here), interrupts counted on an eventfd.
 */
#ifndef TINYVMM_TESTS_TEST_VIRTIO_NET_H
#define TINYVMM_TESTS_TEST_VIRTIO_NET_H

#include <check.h>
#include <endian.h>
#include <errno.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "virtio/mmio.h"
#include "virtio/net.h"

#define DRV_BASE 0x40000000ULL
#define DRV_MEM_SIZE (16ULL << 20)
#define DRV_QSZ 64
/* Queue q's rings, 64 KiB apart; buffers from 1 MiB on. */
#define DRV_DESC(q) (DRV_BASE + (uint64_t)(q) * 0x10000)
#define DRV_AVAIL(q) (DRV_DESC(q) + 0x4000)
#define DRV_USED(q) (DRV_DESC(q) + 0x8000)
#define DRV_BUFS (DRV_BASE + 0x100000)
#define DRV_TIMEOUT_MS 5000
#define DRV_HDR_LEN ((uint32_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))
#define F(bit) (1ULL << (bit))

/* One buffer of a chain, as the driver lays it out. */
struct drv_seg {
	uint64_t gpa;
	uint32_t len;
	uint16_t flags; /* VRING_DESC_F_WRITE, VRING_DESC_F_INDIRECT */
};

struct drv {
	struct guest_mem mem;
	struct virtio_mmio_dev *dev;
	int kick_fd[2];
	int irq_fd; /* the device's interrupts, counted */
	uint16_t next_desc[2], avail_idx[2];
	uint64_t next_buf; /* bump allocator over DRV_BUFS, never reset */
};

static inline void *drv_ptr(struct drv *d, uint64_t gpa, uint64_t len)
{
	void *p = guest_mem_ptr(&d->mem, gpa, len);

	ck_assert_ptr_nonnull(p);
	return p;
}

static inline struct vring_used *drv_used(struct drv *d, unsigned int q)
{
	return drv_ptr(d, DRV_USED(q), 6 + 8 * DRV_QSZ);
}

static inline uint16_t drv_used_idx(struct drv *d, unsigned int q)
{
	return le16toh(__atomic_load_n(&drv_used(d, q)->idx, __ATOMIC_ACQUIRE));
}

/* Used entry @i of queue @q (i counts from 0 since the last init). */
static inline struct vring_used_elem drv_used_elem(struct drv *d,
						   unsigned int q, uint16_t i)
{
	struct vring_used_elem e = drv_used(d, q)->ring[i % DRV_QSZ];

	return (struct vring_used_elem){ le32toh(e.id), le32toh(e.len) };
}

static inline int drv_irq_signal(void *opaque)
{
	return eventfd_write(*(int *)opaque, 1) ? -errno : 0;
}

static inline void drv_setup(struct drv *d)
{
	memset(d, 0, sizeof(*d));
	ck_assert_int_eq(guest_mem_add(&d->mem, DRV_BASE, DRV_MEM_SIZE), 0);
	for (int q = 0; q < 2; q++) {
		d->kick_fd[q] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		ck_assert_int_ge(d->kick_fd[q], 0);
	}
	d->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	ck_assert_int_ge(d->irq_fd, 0);
	d->next_buf = DRV_BUFS;
}

static inline void drv_teardown(struct drv *d)
{
	close(d->kick_fd[0]);
	close(d->kick_fd[1]);
	close(d->irq_fd);
	guest_mem_destroy(&d->mem);
}

static inline struct virtio_mmio_irq drv_irq(struct drv *d)
{
	return (struct virtio_mmio_irq){ drv_irq_signal, &d->irq_fd };
}

static inline uint32_t drv_rd(struct drv *d, uint64_t off)
{
	uint32_t v;

	virtio_mmio_read(d->dev, off, &v, 4);
	return le32toh(v);
}

static inline void drv_wr(struct drv *d, uint64_t off, uint32_t v)
{
	v = htole32(v);
	virtio_mmio_write(d->dev, off, &v, 4);
}

static inline void drv_wr64(struct drv *d, uint64_t lo_off, uint64_t v)
{
	drv_wr(d, lo_off, (uint32_t)v);
	drv_wr(d, lo_off + 4, (uint32_t)(v >> 32));
}

static inline uint64_t drv_device_features(struct drv *d)
{
	uint64_t hi;

	drv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	hi = drv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
	drv_wr(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return hi << 32 | drv_rd(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

static inline void drv_queue_init(struct drv *d, unsigned int q)
{
	drv_wr(d, VIRTIO_MMIO_QUEUE_SEL, q);
	ck_assert_uint_ge(drv_rd(d, VIRTIO_MMIO_QUEUE_NUM_MAX), DRV_QSZ);
	drv_wr(d, VIRTIO_MMIO_QUEUE_NUM, DRV_QSZ);
	drv_wr64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, DRV_DESC(q));
	drv_wr64(d, VIRTIO_MMIO_QUEUE_AVAIL_LOW, DRV_AVAIL(q));
	drv_wr64(d, VIRTIO_MMIO_QUEUE_USED_LOW, DRV_USED(q));
	drv_wr(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

/*
 * Probe (spec 3.1.1): reset, take @want of what is offered plus
 * VERSION_1, set up both queues on zeroed rings, DRIVER_OK. Returns the
 * features taken.
 */
static inline uint64_t drv_init(struct drv *d, uint64_t want)
{
	uint64_t f = (want & drv_device_features(d)) | F(VIRTIO_F_VERSION_1);
	uint32_t s = VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER;

	drv_wr(d, VIRTIO_MMIO_STATUS, 0);
	memset(drv_ptr(d, DRV_BASE, 0x20000), 0, 0x20000);
	memset(d->next_desc, 0, sizeof(d->next_desc));
	memset(d->avail_idx, 0, sizeof(d->avail_idx));
	drv_wr(d, VIRTIO_MMIO_STATUS, s);
	drv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	drv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	drv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	drv_wr(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	s |= VIRTIO_CONFIG_S_FEATURES_OK;
	drv_wr(d, VIRTIO_MMIO_STATUS, s);
	ck_assert_uint_eq(drv_rd(d, VIRTIO_MMIO_STATUS), s);
	drv_queue_init(d, VIRTIO_NET_RXQ);
	drv_queue_init(d, VIRTIO_NET_TXQ);
	s |= VIRTIO_CONFIG_S_DRIVER_OK;
	drv_wr(d, VIRTIO_MMIO_STATUS, s);
	ck_assert_uint_eq(drv_rd(d, VIRTIO_MMIO_STATUS), s);
	return f;
}

/* @len bytes of guest RAM for a buffer, 64-byte aligned. */
static inline uint64_t drv_alloc(struct drv *d, uint32_t len)
{
	uint64_t gpa = d->next_buf;

	d->next_buf += (len + 63) & ~63u;
	ck_assert_uint_le(d->next_buf, DRV_BASE + DRV_MEM_SIZE);
	return gpa;
}

/* Writes descriptor @i of the table at @table. */
static inline void drv_desc(struct drv *d, uint64_t table, uint16_t i,
			    uint64_t addr, uint32_t len, uint16_t flags,
			    uint16_t next)
{
	struct vring_desc raw = { htole64(addr), htole32(len), htole16(flags),
				  htole16(next) };

	ck_assert_int_eq(guest_mem_write(&d->mem, table + 16 * i, &raw, 16), 0);
}

/* Lays out @n buffers as one chain in queue @q's table; returns its head. */
static inline uint16_t drv_chain(struct drv *d, unsigned int q,
				 const struct drv_seg *segs, unsigned int n)
{
	uint16_t head = d->next_desc[q] % DRV_QSZ, i = head, next;

	for (unsigned int k = 0; k < n; k++) {
		next = (uint16_t)((i + 1) % DRV_QSZ);
		drv_desc(d, DRV_DESC(q), i, segs[k].gpa, segs[k].len,
			 segs[k].flags | (k + 1 < n ? VRING_DESC_F_NEXT : 0),
			 next);
		i = next;
	}
	d->next_desc[q] = i;
	return head;
}

/* Makes chain @head available on queue @q (no kick). */
static inline void drv_offer(struct drv *d, unsigned int q, uint16_t head)
{
	struct vring_avail *a = drv_ptr(d, DRV_AVAIL(q), 6 + 2 * DRV_QSZ);

	a->ring[d->avail_idx[q] % DRV_QSZ] = htole16(head);
	d->avail_idx[q]++;
	__atomic_store_n(&a->idx, htole16(d->avail_idx[q]), __ATOMIC_RELEASE);
}

static inline void drv_kick(struct drv *d, unsigned int q)
{
	drv_wr(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

/* A fresh device-writable buffer of @len bytes offered on receive. */
static inline uint64_t drv_post_rx(struct drv *d, uint32_t len)
{
	struct drv_seg s = { drv_alloc(d, len), len, VRING_DESC_F_WRITE };

	drv_offer(d, VIRTIO_NET_RXQ, drv_chain(d, VIRTIO_NET_RXQ, &s, 1));
	return s.gpa;
}

static inline void drv_sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Waits until queue @q's used index reaches @idx; false on timeout. */
static inline bool drv_wait_used(struct drv *d, unsigned int q, uint16_t idx)
{
	for (int ms = 0; ms < DRV_TIMEOUT_MS; ms++) {
		if ((uint16_t)(drv_used_idx(d, q) - idx) < 0x8000)
			return true;
		drv_sleep_ms(1);
	}
	return false;
}

/* Waits until register @off has a bit of @mask set; false on timeout. */
static inline bool drv_wait_reg(struct drv *d, uint64_t off, uint32_t mask)
{
	for (int ms = 0; ms < DRV_TIMEOUT_MS; ms++) {
		if (drv_rd(d, off) & mask)
			return true;
		drv_sleep_ms(1);
	}
	return false;
}

/* DEVICE_NEEDS_RESET and, after it, the config-change interrupt. */
static inline bool drv_wait_needs_reset(struct drv *d)
{
	return drv_wait_reg(d, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_NEEDS_RESET) &&
	       drv_wait_reg(d, VIRTIO_MMIO_INTERRUPT_STATUS,
			    VIRTIO_MMIO_INT_CONFIG);
}

#endif
