/* SPDX-License-Identifier: MIT */
/*
 * The guest driver's side of virtio-net, for test_virtio_net.c and
 * test_virtio_net_tap.c, on virtio_driver.h: the receive and transmit
 * queues' rings in a guest_mem region of its own, buffers from a bump
 * allocator, kicks through QueueNotify (the device forwards them to the
 * kick eventfds, as no ioeventfd takes them here), interrupts counted on
 * an eventfd, and waits that poll for what the dataplane thread does.
 */
#ifndef TINYVMM_TESTS_TEST_VIRTIO_NET_H
#define TINYVMM_TESTS_TEST_VIRTIO_NET_H

#include <check.h>
#include <linux/virtio_net.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "virtio/net.h"
#include "tests/unit/virtio_driver.h"

#define DRV_BASE 0x40000000ULL
#define DRV_MEM_SIZE (16ULL << 20)
#define DRV_QSZ 64
/* Queue q's rings, 64 KiB apart; buffers from 1 MiB on. */
#define DRV_DESC(q) (DRV_BASE + (uint64_t)(q)*0x10000)
#define DRV_AVAIL(q) (DRV_DESC(q) + 0x4000)
#define DRV_USED(q) (DRV_DESC(q) + 0x8000)
#define DRV_BUFS (DRV_BASE + 0x100000)
#define DRV_TIMEOUT_MS 5000
#define DRV_HDR_LEN ((uint32_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))
#define F(bit) (1ULL << (bit))

struct drv {
	struct guest_mem mem;
	struct virtio_mmio_dev *dev;
	struct vdrv_vq vq[2]; /* VIRTIO_NET_RXQ, VIRTIO_NET_TXQ */
	int kick_fd[2];
	int irq_fd;	   /* the device's interrupts, counted */
	uint64_t next_buf; /* bump allocator over DRV_BUFS, never reset */
};

static inline void drv_setup(struct drv *d)
{
	memset(d, 0, sizeof(*d));
	ck_assert_int_eq(guest_mem_add(&d->mem, DRV_BASE, DRV_MEM_SIZE), 0);
	for (int q = 0; q < 2; q++) {
		vdrv_vq_init(&d->vq[q], &d->mem, DRV_QSZ, DRV_DESC(q),
			     DRV_AVAIL(q), DRV_USED(q));
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
	return (struct virtio_mmio_irq){ vdrv_eventfd_signal, &d->irq_fd };
}

/* Probe with both queues: @want of what is offered; the features taken. */
static inline uint64_t drv_init(struct drv *d, uint64_t want)
{
	return vdrv_probe(d->dev, want, d->vq, 2);
}

/* @len bytes of guest RAM for a buffer, 64-byte aligned. */
static inline uint64_t drv_alloc(struct drv *d, uint32_t len)
{
	uint64_t gpa = d->next_buf;

	d->next_buf += (len + 63) & ~63u;
	ck_assert_uint_le(d->next_buf, DRV_BASE + DRV_MEM_SIZE);
	return gpa;
}

/* A fresh device-writable buffer of @len bytes offered on receive. */
static inline uint64_t drv_post_rx(struct drv *d, uint32_t len)
{
	struct vdrv_seg s = { drv_alloc(d, len), len, VRING_DESC_F_WRITE };

	vdrv_vq_add(&d->vq[VIRTIO_NET_RXQ], &s, 1);
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
		if ((uint16_t)(vdrv_vq_used_idx(&d->vq[q]) - idx) < 0x8000)
			return true;
		drv_sleep_ms(1);
	}
	return false;
}

/* Waits until register @off has a bit of @mask set; false on timeout. */
static inline bool drv_wait_reg(struct drv *d, uint64_t off, uint32_t mask)
{
	for (int ms = 0; ms < DRV_TIMEOUT_MS; ms++) {
		if (vdrv_rd(d->dev, off) & mask)
			return true;
		drv_sleep_ms(1);
	}
	return false;
}

/* DEVICE_NEEDS_RESET and, after it, the config-change interrupt. */
static inline bool drv_wait_needs_reset(struct drv *d)
{
	return drv_wait_reg(d, VIRTIO_MMIO_STATUS,
			    VIRTIO_CONFIG_S_NEEDS_RESET) &&
	       drv_wait_reg(d, VIRTIO_MMIO_INTERRUPT_STATUS,
			    VIRTIO_MMIO_INT_CONFIG);
}

#endif
