// SPDX-License-Identifier: MIT
/*
 * virtio-net with its userspace dataplane, driven as a guest driver would
 * (test_virtio_net.h), over one end of a SOCK_DGRAM socketpair standing
 * in for the tap: the test sends and receives "tap" packets, 12-byte
 * vnet header first, on the other end. Also the pure parts: feature
 * masks, tap offloads, the default MAC.
 */
#include <check.h>
#include <errno.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "tests/unit/test_virtio_net.h"
#include "tests/unit/unit.h"
#include "virtio/net_user.h"
#include "virtio/vhost_net.h"

#define W VRING_DESC_F_WRITE
#define RXQ VIRTIO_NET_RXQ
#define TXQ VIRTIO_NET_TXQ
#define ALL_OFFLOADS (TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)
#define GUEST_OFFLOADS                                             \
	(F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) | \
	 F(VIRTIO_NET_F_GUEST_TSO6))
#define WANT_ALL (~0ULL)
#define WANT_NO_MRG (~F(VIRTIO_NET_F_MRG_RXBUF))

static struct drv d;
static struct virtio_net *net;
static struct virtio_mmio_worker *worker; /* the device manager */
static int peer = -1;			  /* the test's end of the "tap" */
static int dev_end = -1;		  /* the device's end */
static const uint8_t test_mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

static struct net_spec spec_default(void)
{
	struct net_spec s = { .tap = "tvtest0",
			      .vhost = false,
			      .queue_size = 256 };

	return s;
}

static void device_up(const struct net_spec *spec)
{
	struct virtio_mmio_irq irq = drv_irq(&d);
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv),
			 0);
	dev_end = sv[0];
	peer = sv[1];
	ck_assert_int_eq(virtio_net_create_on_fd(spec, dev_end, &d.mem, &irq,
						 d.kick_fd, &net),
			 0);
	d.dev = virtio_net_mmio(net);
	virtio_mmio_set_worker(d.dev, worker);
}

static void setup(void)
{
	struct net_spec spec = spec_default();

	worker = vdrv_worker_start();
	drv_setup(&d);
	spec.has_mac = true;
	memcpy(spec.mac, test_mac, 6);
	device_up(&spec);
}

static void teardown(void)
{
	virtio_mmio_worker_stop(worker);
	virtio_net_destroy(net);
	virtio_mmio_worker_destroy(worker);
	worker = NULL;
	net = NULL;
	close(peer);
	close(dev_end);
	drv_teardown(&d);
}

static void setup_mem_only(void)
{
	drv_setup(&d);
}

static void teardown_mem_only(void)
{
	drv_teardown(&d);
}

/* The "tap" side: a packet is a vnet header, then the frame. */
static void peer_send(const struct virtio_net_hdr_mrg_rxbuf *hdr,
		      const uint8_t *frame, size_t len)
{
	static uint8_t buf[NET_USER_MAX_PACKET + 16];

	ck_assert_uint_le(len + DRV_HDR_LEN, sizeof(buf));
	memcpy(buf, hdr, DRV_HDR_LEN);
	memcpy(buf + DRV_HDR_LEN, frame, len);
	ck_assert_int_eq(send(peer, buf, len + DRV_HDR_LEN, 0),
			 (ssize_t)(len + DRV_HDR_LEN));
}

/*
 * Offers one frame without waiting: a datagram socketpair blocks its sender
 * once ten frames wait, and a device being reset reads none. For traffic
 * whose delivery the test does not check.
 */
static void peer_offer(const struct virtio_net_hdr_mrg_rxbuf *hdr,
		       const uint8_t *frame, size_t len)
{
	uint8_t buf[DRV_HDR_LEN + 1500];
	ssize_t n;

	ck_assert_uint_le(len + DRV_HDR_LEN, sizeof(buf));
	memcpy(buf, hdr, DRV_HDR_LEN);
	memcpy(buf + DRV_HDR_LEN, frame, len);
	n = send(peer, buf, len + DRV_HDR_LEN, MSG_DONTWAIT);
	ck_assert(n == (ssize_t)(len + DRV_HDR_LEN) || errno == EAGAIN);
}

/* One packet from the device, or -1 after @ms without one. */
static ssize_t peer_recv(uint8_t *buf, size_t cap, int ms)
{
	struct pollfd p = { .fd = peer, .events = POLLIN };

	if (poll(&p, 1, ms) != 1)
		return -1;
	return recv(peer, buf, cap, MSG_DONTWAIT);
}

static void fill_pattern(uint8_t *p, size_t len, unsigned int seed)
{
	for (size_t i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

static uint64_t irq_count(void)
{
	eventfd_t v = 0;

	eventfd_read(d.irq_fd, &v);
	return v;
}

static struct virtio_net_hdr_mrg_rxbuf hdr_with(uint8_t flags, uint16_t nb)
{
	struct virtio_net_hdr_mrg_rxbuf h = { 0 };

	h.hdr.flags = flags;
	h.num_buffers = htole16(nb);
	return h;
}

static uint16_t num_buffers_at(uint64_t gpa)
{
	struct virtio_net_hdr_mrg_rxbuf *h = vdrv_ptr(&d.mem, gpa, DRV_HDR_LEN);

	return le16toh(h->num_buffers);
}

/* Config space (spec 5.1.4): mac, then status; byte and word reads. */
START_TEST(test_config_space)
{
	uint8_t b;
	uint16_t status;
	uint32_t word;

	for (uint32_t i = 0; i < 6; i++) {
		virtio_mmio_read(d.dev, VIRTIO_MMIO_CONFIG + i, &b, 1);
		ck_assert_uint_eq(b, test_mac[i]);
	}
	virtio_mmio_read(d.dev, VIRTIO_MMIO_CONFIG + 6, &status, 2);
	ck_assert_uint_eq(le16toh(status), VIRTIO_NET_S_LINK_UP);
	virtio_mmio_read(d.dev, VIRTIO_MMIO_CONFIG + 4, &word, 4);
	ck_assert_uint_eq(le32toh(word), test_mac[4] | test_mac[5] << 8 |
						 VIRTIO_NET_S_LINK_UP << 16);
	/* Past status: no such field (MQ, MTU... not offered). */
	word = 0xdeadbeef;
	virtio_mmio_read(d.dev, VIRTIO_MMIO_CONFIG + 8, &word, 2);
	ck_assert_uint_eq(word & 0xffff, 0);
	/* Writes are ignored (virtio 1.x drivers do not write it). */
	b = 0xff;
	virtio_mmio_write(d.dev, VIRTIO_MMIO_CONFIG, &b, 1);
	virtio_mmio_read(d.dev, VIRTIO_MMIO_CONFIG, &b, 1);
	ck_assert_uint_eq(b, test_mac[0]);
	ck_assert_uint_eq(vdrv_rd(d.dev, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	ck_assert_uint_eq(vdrv_rd(d.dev, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
}
END_TEST

START_TEST(test_default_mac)
{
	struct net_spec spec = spec_default();
	uint8_t a[6], b[6], c[6], cfg[6];

	virtio_net_default_mac("tap0", a);
	virtio_net_default_mac("tap0", b);
	virtio_net_default_mac("tap1", c);
	ck_assert_mem_eq(a, b, 6);
	ck_assert(memcmp(a, c, 6) != 0);
	ck_assert_uint_eq(a[0], 0x52); /* locally administered, unicast */
	ck_assert_uint_eq(a[0] & 3, 2);
	ck_assert_uint_eq(a[1], 0x54);
	ck_assert_uint_eq(a[2], 0x00);

	/* A device without mac= shows its tap's default. */
	device_up(&spec);
	for (uint32_t i = 0; i < 6; i++)
		virtio_mmio_read(d.dev, VIRTIO_MMIO_CONFIG + i, &cfg[i], 1);
	virtio_net_default_mac(spec.tap, a);
	ck_assert_mem_eq(cfg, a, 6);
	virtio_net_destroy(net);
	close(peer);
	close(dev_end);
}
END_TEST

#define BASE_BITS                                                \
	(F(VIRTIO_NET_F_MAC) | F(VIRTIO_NET_F_STATUS) |          \
	 F(VIRTIO_NET_F_MRG_RXBUF) | F(VIRTIO_NET_F_CSUM) |      \
	 F(VIRTIO_NET_F_HOST_TSO4) | F(VIRTIO_NET_F_HOST_TSO6) | \
	 F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_RING_F_INDIRECT_DESC))

static const struct {
	const char *name;
	bool vhost;
	uint64_t vhost_features;
	unsigned int tap_offloads;
	uint64_t expect;
} offered_cases[] = {
	{ "userspace, every tap offload", false, 0, ALL_OFFLOADS,
	  BASE_BITS | GUEST_OFFLOADS },
	{ "userspace, tap checksum only", false, 0, TUN_F_CSUM,
	  BASE_BITS | F(VIRTIO_NET_F_GUEST_CSUM) },
	{ "userspace, tap without offloads", false, 0, 0, BASE_BITS },
	{ "TSO without checksum is no TSO", false, 0, TUN_F_TSO4 | TUN_F_TSO6,
	  BASE_BITS },
	{ "vhost with everything", true, VHOST_NET_RING_FEATURES, ALL_OFFLOADS,
	  BASE_BITS | GUEST_OFFLOADS },
	{ "vhost without EVENT_IDX, MRG_RXBUF", true,
	  F(VIRTIO_F_VERSION_1) | F(VIRTIO_RING_F_INDIRECT_DESC), ALL_OFFLOADS,
	  (BASE_BITS | GUEST_OFFLOADS) &
		  ~(F(VIRTIO_RING_F_EVENT_IDX) | F(VIRTIO_NET_F_MRG_RXBUF)) },
	{ "vhost features beyond ours change nothing", true, ~0ULL, 0,
	  BASE_BITS },
};

START_TEST(test_offered)
{
	uint64_t got = virtio_net_offered(offered_cases[_i].vhost,
					  offered_cases[_i].vhost_features,
					  offered_cases[_i].tap_offloads);

	ck_assert_msg(got == offered_cases[_i].expect,
		      "%s: offered 0x%llx, expected 0x%llx",
		      offered_cases[_i].name, (unsigned long long)got,
		      (unsigned long long)offered_cases[_i].expect);
}
END_TEST

static const struct {
	uint64_t features;
	unsigned int expect;
} offload_cases[] = {
	{ 0, 0 },
	{ F(VIRTIO_NET_F_GUEST_CSUM), TUN_F_CSUM },
	{ GUEST_OFFLOADS, ALL_OFFLOADS },
	{ F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO6),
	  TUN_F_CSUM | TUN_F_TSO6 },
	/* A driver taking TSO without GUEST_CSUM breaks 5.1.3.1: none. */
	{ F(VIRTIO_NET_F_GUEST_TSO4), 0 },
	/* Host-side offloads need nothing from the tap. */
	{ F(VIRTIO_NET_F_CSUM) | F(VIRTIO_NET_F_HOST_TSO4), 0 },
};

START_TEST(test_tap_offloads)
{
	ck_assert_uint_eq(virtio_net_tap_offloads(offload_cases[_i].features),
			  offload_cases[_i].expect);
}
END_TEST

/* What the transport offers on this device, and what negotiation keeps. */
START_TEST(test_negotiation)
{
	uint64_t offered = vdrv_device_features(d.dev), got;
	struct virtio_net_info info;

	ck_assert_uint_eq(offered,
			  BASE_BITS | GUEST_OFFLOADS | F(VIRTIO_F_VERSION_1));
	virtio_net_get_info(net, &info);
	ck_assert_uint_eq(info.features, 0);
	got = drv_init(&d, F(VIRTIO_NET_F_MAC) | F(VIRTIO_RING_F_EVENT_IDX) |
				   F(VIRTIO_NET_F_GUEST_CSUM));
	virtio_net_get_info(net, &info);
	ck_assert_uint_eq(info.features, got);
	ck_assert(info.event_idx);
	ck_assert(!info.vhost);
	ck_assert_uint_eq(info.queue_size, 256);
	ck_assert_str_eq(info.tap, "tvtest0");
	/* A bit never offered: FEATURES_OK refused. */
	vdrv_wr(d.dev, VIRTIO_MMIO_STATUS, 0);
	vdrv_negotiate(d.dev, F(VIRTIO_NET_F_CTRL_VQ) | F(VIRTIO_F_VERSION_1));
	ck_assert(!(vdrv_rd(d.dev, VIRTIO_MMIO_STATUS) &
		    VIRTIO_CONFIG_S_FEATURES_OK));
}
END_TEST

START_TEST(test_busy_poll_ignored)
{
	struct net_spec spec = spec_default();
	struct virtio_net_info info;

	spec.busy_poll_us = 50;
	spec.queue_size = 64;
	device_up(&spec);
	virtio_net_get_info(net, &info);
	ck_assert(!info.vhost);
	ck_assert_uint_eq(info.busy_poll_us, 0);
	ck_assert_uint_eq(info.queue_size, 64);
	virtio_net_destroy(net);
	close(peer);
	close(dev_end);
}
END_TEST

START_TEST(test_bad_queue_size)
{
	struct net_spec spec = spec_default();
	struct virtio_net *n = NULL;
	struct virtio_mmio_irq irq = drv_irq(&d);

	spec.queue_size = 100;
	ck_assert_int_eq(
		virtio_net_create_on_fd(&spec, 0, &d.mem, &irq, d.kick_fd, &n),
		-EINVAL);
	ck_assert_ptr_null(n);
}
END_TEST

/* A tap packet lands in a receive chain, header and all. */
START_TEST(test_rx_packet)
{
	struct virtio_net_hdr_mrg_rxbuf hdr =
		hdr_with(VIRTIO_NET_HDR_F_DATA_VALID, 0x7777);
	uint8_t frame[100];
	uint64_t buf, irqs = 0;
	struct vring_used_elem e;

	drv_init(&d, WANT_ALL);
	buf = drv_post_rx(&d, 2048);
	vdrv_notify(d.dev, RXQ);
	fill_pattern(frame, sizeof(frame), 1);
	peer_send(&hdr, frame, sizeof(frame));
	ck_assert(drv_wait_used(&d, RXQ, 1));
	e = vdrv_vq_used_elem(&d.vq[RXQ], 0);
	ck_assert_uint_eq(e.id, 0);
	ck_assert_uint_eq(e.len, DRV_HDR_LEN + sizeof(frame));
	ck_assert_uint_eq(
		((struct virtio_net_hdr *)vdrv_ptr(&d.mem, buf, 12))->flags,
		VIRTIO_NET_HDR_F_DATA_VALID);
	ck_assert_uint_eq(num_buffers_at(buf), 1);
	ck_assert_mem_eq(vdrv_ptr(&d.mem, buf + DRV_HDR_LEN, sizeof(frame)),
			 frame, sizeof(frame));
	/* The used-buffer interrupt, with its cause. */
	ck_assert(drv_wait_reg(&d, VIRTIO_MMIO_INTERRUPT_STATUS,
			       VIRTIO_MMIO_INT_VRING));
	for (int ms = 0; ms < DRV_TIMEOUT_MS && !irqs; ms++) {
		irqs = irq_count();
		drv_sleep_ms(irqs ? 0 : 1);
	}
	ck_assert_uint_ge(irqs, 1);
}
END_TEST

/* Packets that came before any receive buffer wait for one. */
START_TEST(test_rx_waits_for_buffers)
{
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 0);
	uint8_t frame[60];
	uint64_t buf;

	drv_init(&d, WANT_ALL);
	fill_pattern(frame, sizeof(frame), 2);
	peer_send(&hdr, frame, sizeof(frame));
	drv_sleep_ms(20);
	ck_assert_uint_eq(vdrv_vq_used_idx(&d.vq[RXQ]), 0);
	buf = drv_post_rx(&d, 1536);
	vdrv_notify(d.dev, RXQ);
	ck_assert(drv_wait_used(&d, RXQ, 1));
	ck_assert_mem_eq(vdrv_ptr(&d.mem, buf + DRV_HDR_LEN, sizeof(frame)),
			 frame, sizeof(frame));
}
END_TEST

/* MRG_RXBUF: one packet over three chains, pushed together. */
START_TEST(test_rx_mergeable)
{
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 0);
	uint8_t frame[250], got[250 + DRV_HDR_LEN];
	uint64_t bufs[3];
	uint32_t off = 0;
	struct vring_used_elem e;

	drv_init(&d, WANT_ALL);
	for (int i = 0; i < 3; i++)
		bufs[i] = drv_post_rx(&d, 100);
	vdrv_notify(d.dev, RXQ);
	fill_pattern(frame, sizeof(frame), 3);
	peer_send(&hdr, frame, sizeof(frame));
	ck_assert(drv_wait_used(&d, RXQ, 3));
	ck_assert_uint_eq(num_buffers_at(bufs[0]), 3);
	for (uint16_t i = 0; i < 3; i++) {
		e = vdrv_vq_used_elem(&d.vq[RXQ], i);
		ck_assert_uint_eq(e.id, i);
		ck_assert_uint_eq(e.len, i < 2 ? 100 : 62);
		memcpy(got + off, vdrv_ptr(&d.mem, bufs[i], e.len), e.len);
		off += e.len;
	}
	ck_assert_mem_eq(got + DRV_HDR_LEN, frame, sizeof(frame));
}
END_TEST

/* The largest packet, over 33 chains of 2 KiB. */
START_TEST(test_rx_largest_packet)
{
	static uint8_t frame[NET_USER_MAX_PACKET - 12];
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 0);
	uint64_t first = 0;
	uint32_t off = 0;
	struct vring_used_elem e;

	drv_init(&d, WANT_ALL);
	for (int i = 0; i < 40; i++) {
		uint64_t b = drv_post_rx(&d, 2048);

		first = i ? first : b;
	}
	vdrv_notify(d.dev, RXQ);
	fill_pattern(frame, sizeof(frame), 4);
	peer_send(&hdr, frame, sizeof(frame));
	ck_assert(drv_wait_used(&d, RXQ, 33));
	ck_assert_uint_eq(vdrv_vq_used_idx(&d.vq[RXQ]), 33);
	ck_assert_uint_eq(num_buffers_at(first), 33);
	for (uint16_t i = 0; i < 33; i++) {
		e = vdrv_vq_used_elem(&d.vq[RXQ], i);
		ck_assert_uint_eq(e.id, i);
		off += e.len;
	}
	ck_assert_uint_eq(off, NET_USER_MAX_PACKET);
	/* The last chain's data is the frame's tail. */
	ck_assert_mem_eq(vdrv_ptr(&d.mem, first + 32 * 2048, e.len),
			 frame + sizeof(frame) - e.len, e.len);
}
END_TEST

/* Without MRG_RXBUF a packet larger than its chain is dropped. */
START_TEST(test_rx_too_big_without_mrg)
{
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 9);
	uint8_t big[200], small[50];
	uint64_t buf;

	drv_init(&d, WANT_NO_MRG);
	buf = drv_post_rx(&d, 100);
	vdrv_notify(d.dev, RXQ);
	fill_pattern(big, sizeof(big), 5);
	fill_pattern(small, sizeof(small), 6);
	peer_send(&hdr, big, sizeof(big));
	peer_send(&hdr, small, sizeof(small));
	ck_assert(drv_wait_used(&d, RXQ, 1));
	ck_assert_uint_eq(vdrv_vq_used_elem(&d.vq[RXQ], 0).len,
			  DRV_HDR_LEN + sizeof(small));
	ck_assert_mem_eq(vdrv_ptr(&d.mem, buf + DRV_HDR_LEN, sizeof(small)),
			 small, sizeof(small));
	/* VERSION_1 keeps num_buffers: 1 without MRG_RXBUF. */
	ck_assert_uint_eq(num_buffers_at(buf), 1);
}
END_TEST

/* A transmit chain, header and frame over three buffers, as one packet. */
START_TEST(test_tx_packet)
{
	uint8_t frame[300], got[400];
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 0);
	struct vdrv_seg s[3] = {
		{ drv_alloc(&d, DRV_HDR_LEN), DRV_HDR_LEN, 0 },
		{ drv_alloc(&d, 100), 100, 0 },
		{ drv_alloc(&d, 200), 200, 0 },
	};
	ssize_t n;

	drv_init(&d, WANT_ALL);
	fill_pattern(frame, sizeof(frame), 7);
	ck_assert_int_eq(guest_mem_write(&d.mem, s[0].gpa, &hdr, DRV_HDR_LEN),
			 0);
	ck_assert_int_eq(guest_mem_write(&d.mem, s[1].gpa, frame, 100), 0);
	ck_assert_int_eq(guest_mem_write(&d.mem, s[2].gpa, frame + 100, 200),
			 0);
	vdrv_vq_add(&d.vq[TXQ], s, 3);
	vdrv_notify(d.dev, TXQ);
	n = peer_recv(got, sizeof(got), DRV_TIMEOUT_MS);
	ck_assert_int_eq(n, DRV_HDR_LEN + sizeof(frame));
	ck_assert_mem_eq(got + DRV_HDR_LEN, frame, sizeof(frame));
	ck_assert(drv_wait_used(&d, TXQ, 1));
	ck_assert_uint_eq(vdrv_vq_used_elem(&d.vq[TXQ], 0).len, 0);
}
END_TEST

/* Through an indirect table, many packets in a row. */
START_TEST(test_tx_indirect_many)
{
	uint8_t got[128];
	uint64_t table = drv_alloc(&d, 32), hdr = drv_alloc(&d, DRV_HDR_LEN);
	uint64_t data = drv_alloc(&d, 64);
	struct vdrv_seg s = { table, 32, VRING_DESC_F_INDIRECT };

	drv_init(&d, WANT_ALL);
	memset(vdrv_ptr(&d.mem, hdr, DRV_HDR_LEN), 0, DRV_HDR_LEN);
	vdrv_desc(&d.mem, table, 0, hdr, DRV_HDR_LEN, VRING_DESC_F_NEXT, 1);
	vdrv_desc(&d.mem, table, 1, data, 64, 0, 0);
	for (int i = 0; i < 200; i++) {
		memset(vdrv_ptr(&d.mem, data, 64), i, 64);
		vdrv_vq_add(&d.vq[TXQ], &s, 1);
		vdrv_notify(d.dev, TXQ);
		ck_assert_int_eq(peer_recv(got, sizeof(got), DRV_TIMEOUT_MS),
				 DRV_HDR_LEN + 64);
		ck_assert_uint_eq(got[DRV_HDR_LEN], (uint8_t)i);
		ck_assert(drv_wait_used(&d, TXQ, (uint16_t)(i + 1)));
	}
}
END_TEST

/* Too short for a header, or over the limit: dropped, chain returned. */
START_TEST(test_tx_bad_sizes)
{
	uint32_t huge = NET_USER_MAX_PACKET + 1;
	struct vdrv_seg shorty = { drv_alloc(&d, 8), 8, 0 };
	struct vdrv_seg big = { drv_alloc(&d, huge), huge, 0 };
	uint8_t got[64];

	drv_init(&d, WANT_ALL);
	vdrv_vq_add(&d.vq[TXQ], &shorty, 1);
	vdrv_vq_add(&d.vq[TXQ], &big, 1);
	vdrv_notify(d.dev, TXQ);
	ck_assert(drv_wait_used(&d, TXQ, 2));
	ck_assert_int_eq(peer_recv(got, sizeof(got), 50), -1);
	ck_assert(!vdrv_needs_reset(d.dev));
}
END_TEST

/* A device-writable buffer in a transmit chain is not sent. */
START_TEST(test_tx_ignores_writable)
{
	uint8_t got[256];
	struct vdrv_seg s[2] = {
		{ drv_alloc(&d, 40), 40, 0 },
		{ drv_alloc(&d, 100), 100, W },
	};

	drv_init(&d, WANT_ALL);
	vdrv_vq_add(&d.vq[TXQ], s, 2);
	vdrv_notify(d.dev, TXQ);
	ck_assert_int_eq(peer_recv(got, sizeof(got), DRV_TIMEOUT_MS), 40);
	ck_assert(drv_wait_used(&d, TXQ, 1));
}
END_TEST

/* Hostile chains: NEEDS_RESET, no crash, and a reset brings it back. */
enum bad_kind {
	BAD_RX_OUTSIDE_RAM,
	BAD_RX_TINY,
	BAD_TX_LOOP,
	BAD_RX_WRITE_ORDER,
};

static const struct {
	const char *name;
	enum bad_kind kind;
} bad_cases[] = {
	{ "receive buffer outside RAM", BAD_RX_OUTSIDE_RAM },
	{ "receive buffer smaller than the header", BAD_RX_TINY },
	{ "transmit chain in a loop", BAD_TX_LOOP },
	{ "readable after writable", BAD_RX_WRITE_ORDER },
};

static void offer_bad(enum bad_kind kind)
{
	unsigned int q = kind == BAD_TX_LOOP ? TXQ : RXQ;
	uint64_t b = drv_alloc(&d, 64);

	switch (kind) {
	case BAD_RX_OUTSIDE_RAM:
		vdrv_desc(&d.mem, DRV_DESC(q), 0, DRV_BASE + DRV_MEM_SIZE - 8,
			  64, W, 0);
		break;
	case BAD_RX_TINY:
		vdrv_desc(&d.mem, DRV_DESC(q), 0, b, 8, W, 0);
		break;
	case BAD_TX_LOOP:
		vdrv_desc(&d.mem, DRV_DESC(q), 0, b, 16, VRING_DESC_F_NEXT, 1);
		vdrv_desc(&d.mem, DRV_DESC(q), 1, b, 16, VRING_DESC_F_NEXT, 0);
		break;
	case BAD_RX_WRITE_ORDER:
		vdrv_desc(&d.mem, DRV_DESC(q), 0, b, 32, W | VRING_DESC_F_NEXT,
			  1);
		vdrv_desc(&d.mem, DRV_DESC(q), 1, b + 32, 32, 0, 0);
		break;
	}
	vdrv_vq_offer(&d.vq[q], 0);
	vdrv_notify(d.dev, q);
}

START_TEST(test_bad_chain)
{
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 0);
	uint8_t frame[64];

	drv_init(&d, WANT_ALL);
	offer_bad(bad_cases[_i].kind);
	if (bad_cases[_i].kind != BAD_TX_LOOP) {
		fill_pattern(frame, sizeof(frame), 8);
		peer_send(&hdr, frame, sizeof(frame)); /* rx pops on demand */
	}
	ck_assert_msg(drv_wait_needs_reset(&d), "%s", bad_cases[_i].name);
	/* A reset and a new probe: traffic flows again. */
	drv_init(&d, WANT_ALL);
	drv_post_rx(&d, 2048);
	vdrv_notify(d.dev, RXQ);
	peer_send(&hdr, frame, sizeof(frame));
	ck_assert(drv_wait_used(&d, RXQ, 1));
}
END_TEST

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/*
 * A broken receive queue with packets waiting in the fd: the dataplane
 * sleeps (a sanity bound on CPU time, far above an idle thread's, far
 * below a spinning one's) and transmit still works.
 */
START_TEST(test_rx_broken_does_not_spin)
{
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 0);
	uint8_t frame[64], got[128];
	struct vdrv_seg s = { drv_alloc(&d, 76), 76, 0 };
	double before;

	memset(frame, 0, sizeof(frame));
	drv_init(&d, WANT_ALL);
	drv_post_rx(&d, 2048);
	vdrv_notify(d.dev, RXQ);
	drv_sleep_ms(20); /* the device holds the chain, polls the fd */
	offer_bad(BAD_RX_OUTSIDE_RAM);
	peer_send(&hdr, frame, sizeof(frame));
	peer_send(&hdr, frame, sizeof(frame));
	ck_assert(drv_wait_needs_reset(&d));
	before = cpu_seconds();
	drv_sleep_ms(300);
	ck_assert_double_lt(cpu_seconds() - before, 0.1);
	vdrv_vq_add(&d.vq[TXQ], &s, 1);
	vdrv_notify(d.dev, TXQ);
	ck_assert_int_eq(peer_recv(got, sizeof(got), DRV_TIMEOUT_MS), 76);
}
END_TEST

/*
 * A driver that offers one 16-byte buffer DRV_QSZ times over, for a
 * packet that would need hundreds: a legitimate driver cannot give more
 * chains than the queue holds before it gets some back, so the device
 * refuses (NEEDS_RESET) rather than wait or overflow.
 */
START_TEST(test_rx_merge_beyond_queue)
{
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 0);
	static uint8_t frame[8192];
	uint64_t b = drv_alloc(&d, 16);

	drv_init(&d, WANT_ALL);
	vdrv_desc(&d.mem, DRV_DESC(RXQ), 0, b, 16, W, 0);
	for (int i = 0; i < DRV_QSZ; i++)
		vdrv_vq_offer(&d.vq[RXQ], 0);
	vdrv_notify(d.dev, RXQ);
	peer_send(&hdr, frame, sizeof(frame));
	ck_assert(drv_wait_needs_reset(&d));
	ck_assert_uint_eq(vdrv_vq_used_idx(&d.vq[RXQ]), 0);
}
END_TEST

/* Resets while packets flow both ways: the dataplane stops cleanly. */
START_TEST(test_reset_under_traffic)
{
	struct virtio_net_hdr_mrg_rxbuf hdr = hdr_with(0, 0);
	uint8_t frame[1000], sink[2048];
	struct vdrv_seg s = { 0, DRV_HDR_LEN + sizeof(frame), 0 };

	fill_pattern(frame, sizeof(frame), 9);
	for (int round = 0; round < 20; round++) {
		drv_init(&d, round & 1 ? WANT_ALL : WANT_NO_MRG);
		s.gpa = drv_alloc(&d, s.len);
		for (int i = 0; i < 16; i++) {
			drv_post_rx(&d, 512);
			vdrv_vq_add(&d.vq[TXQ], &s, 1);
			peer_offer(&hdr, frame, sizeof(frame));
		}
		vdrv_notify(d.dev, RXQ);
		vdrv_notify(d.dev, TXQ);
		drv_sleep_ms(round % 3);
		while (peer_recv(sink, sizeof(sink), 0) > 0)
			;
	}
	vdrv_wr(d.dev, VIRTIO_MMIO_STATUS, 0);
	while (peer_recv(sink, sizeof(sink), 0) > 0)
		;
}
END_TEST

/* The transport hook vhost-net relies on (mmio.h, used_irq_external). */
START_TEST(test_used_irq_external)
{
	static const struct virtio_mmio_ops no_ops = { 0 };
	struct virtio_mmio_irq irq = drv_irq(&d);
	struct virtio_mmio_config cfg = {
		.name = "ext",
		.device_id = VIRTIO_ID_NET,
		.nr_queues = 1,
		.queue_max = { 8 },
		.used_irq_external = true,
	};
	struct virtio_mmio_dev dev;

	ck_assert_int_eq(
		virtio_mmio_init(&dev, &cfg, &no_ops, NULL, &d.mem, &irq), 0);
	d.dev = &dev;
	ck_assert_uint_eq(vdrv_rd(d.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	vdrv_wr(d.dev, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	ck_assert_uint_eq(vdrv_rd(d.dev, VIRTIO_MMIO_INTERRUPT_STATUS),
			  VIRTIO_MMIO_INT_VRING);
	virtio_mmio_destroy(&dev);
}
END_TEST

/* The queue hook for mergeable buffers (queue.h): all or nothing. */
START_TEST(test_push_batch)
{
	struct virtq_layout l = { 8, DRV_DESC(0), DRV_AVAIL(0), DRV_USED(0) };
	const struct virtq_used_chain ok[3] = { { 2, 100 },
						{ 5, 7 },
						{ 0, 1 } };
	const struct virtq_used_chain bad[2] = { { 1, 1 }, { 8, 1 } };
	struct virtq_used_chain many[9] = { { 0, 0 } };
	struct virtq vq = { 0 };
	const char *why;

	ck_assert_int_eq(virtq_enable(&vq, &d.mem, &l, 0, &why), 0);
	ck_assert_int_eq(virtq_push_batch(&vq, bad, 2), -EINVAL);
	ck_assert_int_eq(virtq_push_batch(&vq, many, 9), -EINVAL);
	ck_assert_int_eq(virtq_push_batch(&vq, ok, 0), -EINVAL);
	ck_assert_uint_eq(vdrv_vq_used_idx(&d.vq[0]), 0);
	ck_assert_int_eq(virtq_push_batch(&vq, ok, 3), 0);
	ck_assert_uint_eq(vdrv_vq_used_idx(&d.vq[0]), 3);
	for (uint16_t i = 0; i < 3; i++) {
		ck_assert_uint_eq(vdrv_vq_used_elem(&d.vq[0], i).id,
				  ok[i].head);
		ck_assert_uint_eq(vdrv_vq_used_elem(&d.vq[0], i).len,
				  ok[i].written);
	}
	ck_assert(virtq_needs_notify(&vq));
}
END_TEST

/*
 * What vhost-net's failures are put down to, by errno and step: an
 * -ENOMEM from VHOST_SET_MEM_TABLE is the kernel's own allocation (vhost
 * pins no guest RAM), never RLIMIT_MEMLOCK.
 */
static const struct {
	int err;
	const char *step, *says, *never;
} hint_cases[] = {
	{ -ENOMEM, "VHOST_SET_MEM_TABLE", "memory table", "RLIMIT_MEMLOCK" },
	{ -ENOMEM, "VHOST_SET_MEM_TABLE", "ulimit -l is not the cause", NULL },
	{ -ENOMEM, "VHOST_SET_OWNER", "memory cgroup", "ulimit -l" },
	{ -E2BIG, "VHOST_SET_MEM_TABLE", "max_mem_regions", NULL },
	{ -EAGAIN, "VHOST_SET_OWNER", "RLIMIT_NPROC", NULL },
	{ -ENOENT, "opening " VHOST_NET_DEVICE, "vhost_net module", NULL },
	{ -EACCES, "opening " VHOST_NET_DEVICE, "read-write access", NULL },
};

START_TEST(test_vhost_hint)
{
	const char *h = vhost_net_hint(hint_cases[_i].err, hint_cases[_i].step);

	ck_assert_msg(strncmp(h, "; ", 2) == 0, "%d at %s: \"%s\"",
		      hint_cases[_i].err, hint_cases[_i].step, h);
	ck_assert_msg(strstr(h, hint_cases[_i].says), "%s", h);
	if (hint_cases[_i].never)
		ck_assert_msg(!strstr(h, hint_cases[_i].never), "%s", h);
	ck_assert_str_eq(vhost_net_hint(-EINVAL, hint_cases[_i].step), "");
}
END_TEST

static Suite *net_suite(void)
{
	Suite *s = suite_create("virtio_net");
	TCase *pure = tcase_create("pure");
	TCase *dev = tcase_create("device");
	TCase *own = tcase_create("own device");

	/* Generous: the sanitizer build on a loaded machine is slow to fork. */
	tcase_set_timeout(pure, 30);
	tcase_set_timeout(dev, 30);
	tcase_set_timeout(own, 30);
	tcase_add_loop_test(pure, test_offered, 0,
			    sizeof(offered_cases) / sizeof(offered_cases[0]));
	tcase_add_loop_test(pure, test_tap_offloads, 0,
			    sizeof(offload_cases) / sizeof(offload_cases[0]));
	suite_add_tcase(s, pure);

	tcase_add_checked_fixture(dev, setup, teardown);
	tcase_add_test(dev, test_config_space);
	tcase_add_test(dev, test_negotiation);
	tcase_add_test(dev, test_rx_packet);
	tcase_add_test(dev, test_rx_waits_for_buffers);
	tcase_add_test(dev, test_rx_mergeable);
	tcase_add_test(dev, test_rx_largest_packet);
	tcase_add_test(dev, test_rx_too_big_without_mrg);
	tcase_add_test(dev, test_tx_packet);
	tcase_add_test(dev, test_tx_indirect_many);
	tcase_add_test(dev, test_tx_bad_sizes);
	tcase_add_test(dev, test_tx_ignores_writable);
	tcase_add_loop_test(dev, test_bad_chain, 0,
			    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(dev, test_rx_merge_beyond_queue);
	tcase_add_test(dev, test_rx_broken_does_not_spin);
	tcase_add_test(dev, test_reset_under_traffic);
	suite_add_tcase(s, dev);

	tcase_add_checked_fixture(own, setup_mem_only, teardown_mem_only);
	tcase_add_test(own, test_default_mac);
	tcase_add_test(own, test_busy_poll_ignored);
	tcase_add_test(own, test_bad_queue_size);
	tcase_add_test(own, test_used_irq_external);
	tcase_add_test(own, test_push_batch);
	tcase_add_loop_test(own, test_vhost_hint, 0,
			    sizeof(hint_cases) / sizeof(hint_cases[0]));
	suite_add_tcase(s, own);
	return s;
}

int main(void)
{
	return unit_run(net_suite());
}
