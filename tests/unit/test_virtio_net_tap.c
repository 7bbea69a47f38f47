// SPDX-License-Identifier: MIT
/*
 * virtio-net on a real tap, created by the device: a frame the "guest"
 * transmits shows up on the tap's interface (seen with an AF_PACKET
 * socket), and a frame sent out of that interface lands in a receive
 * chain. Runs both with vhost=off and with vhost=on, which here means
 * vhost-net where /dev/vhost-net exists (the lab) and otherwise the
 * fallback to the userspace dataplane. Exit 77 (skipped) without
 * CAP_NET_ADMIN / CAP_NET_RAW or /dev/net/tun.
 */
#include <arpa/inet.h>
#include <check.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "tests/unit/test_virtio_net.h"
#include "tests/unit/unit.h"

#define ETHERTYPE_TEST 0x88b5 /* IEEE local experimental */
#define FRAME_LEN 64
#define RX_BUFS 32
#define RX_BUF_LEN 2048

static struct drv d;
static struct virtio_net *net;
static int pkt = -1; /* AF_PACKET on the tap's interface */
static uint8_t guest_mac[6];

static void tap_up(bool vhost)
{
	struct net_spec spec = { .vhost = vhost, .queue_size = DRV_QSZ };
	struct virtio_mmio_irq irq = drv_irq(&d);
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL) };

	snprintf(spec.tap, sizeof(spec.tap), "tvnet%d",
		 (int)(getpid() % 100000));
	ck_assert_int_eq(virtio_net_create(&spec, &d.mem, &irq, d.kick_fd,
					   d.irq_fd, NULL, &net),
			 0);
	d.dev = virtio_net_mmio(net);
	for (uint32_t i = 0; i < 6; i++)
		virtio_mmio_read(d.dev, VIRTIO_MMIO_CONFIG + i, &guest_mac[i],
				 1);
	sll.sll_ifindex = (int)if_nametoindex(spec.tap);
	ck_assert_int_gt(sll.sll_ifindex, 0);
	pkt = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	ck_assert_int_ge(pkt, 0);
	ck_assert_int_eq(bind(pkt, (struct sockaddr *)&sll, sizeof(sll)), 0);
}

static void setup(void)
{
	drv_setup(&d);
}

static void teardown(void)
{
	virtio_net_destroy(net);
	close(pkt);
	drv_teardown(&d);
}

/* An Ethernet frame of ETHERTYPE_TEST carrying @tag. */
static void frame_make(uint8_t *f, const uint8_t *dst, const uint8_t *src,
		       const char *tag)
{
	memset(f, 0, FRAME_LEN);
	memcpy(f, dst, 6);
	memcpy(f + 6, src, 6);
	f[12] = ETHERTYPE_TEST >> 8;
	f[13] = ETHERTYPE_TEST & 0xff;
	snprintf((char *)f + 14, FRAME_LEN - 14, "%s", tag);
}

/* Whether a frame with @tag arrives on the interface within the timeout. */
static bool pkt_expect(const uint8_t *want)
{
	uint8_t buf[2048];
	struct pollfd p = { .fd = pkt, .events = POLLIN };
	ssize_t n;

	for (int tries = 0; tries < 200; tries++) {
		if (poll(&p, 1, DRV_TIMEOUT_MS) != 1)
			return false;
		n = recv(pkt, buf, sizeof(buf), 0);
		if (n >= FRAME_LEN && !memcmp(buf, want, FRAME_LEN))
			return true;
	}
	return false;
}

/* Whether a receive chain got @want (after its header) within the timeout. */
static bool rx_expect(const uint64_t *bufs, const uint8_t *want)
{
	uint16_t seen = 0;
	struct vring_used_elem e;
	uint8_t *f;

	for (int ms = 0; ms < DRV_TIMEOUT_MS; ms++) {
		for (; seen != vdrv_vq_used_idx(&d.vq[VIRTIO_NET_RXQ]);
		     seen++) {
			e = vdrv_vq_used_elem(&d.vq[VIRTIO_NET_RXQ], seen);
			ck_assert_uint_lt(e.id, RX_BUFS);
			f = vdrv_ptr(&d.mem, bufs[e.id] + DRV_HDR_LEN,
				     FRAME_LEN);
			if (e.len >= DRV_HDR_LEN + FRAME_LEN &&
			    !memcmp(f, want, FRAME_LEN))
				return true;
		}
		drv_sleep_ms(1);
	}
	return false;
}

START_TEST(test_tap_both_ways)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t host_mac[6] = { 0x02, 0, 0, 0, 0, 1 };
	uint8_t tx[FRAME_LEN], rx[FRAME_LEN];
	uint64_t hdr_gpa, frame_gpa, bufs[RX_BUFS];
	struct vdrv_seg s[2];
	struct virtio_net_info info;
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };

	tap_up(_i == 1);
	virtio_net_get_info(net, &info);
	fprintf(stderr, "test_virtio_net_tap: vhost=%s asked, %s in use\n",
		_i ? "on" : "off", info.vhost ? "vhost-net" : "userspace");
	drv_init(&d, ~0ULL);

	/* Guest -> tap: header, then the frame, in two buffers. */
	frame_make(tx, bcast, guest_mac, "tinyvmm guest to host");
	hdr_gpa = drv_alloc(&d, DRV_HDR_LEN);
	frame_gpa = drv_alloc(&d, FRAME_LEN);
	memset(vdrv_ptr(&d.mem, hdr_gpa, DRV_HDR_LEN), 0, DRV_HDR_LEN);
	memcpy(vdrv_ptr(&d.mem, frame_gpa, FRAME_LEN), tx, FRAME_LEN);
	s[0] = (struct vdrv_seg){ hdr_gpa, DRV_HDR_LEN, 0 };
	s[1] = (struct vdrv_seg){ frame_gpa, FRAME_LEN, 0 };
	vdrv_vq_add(&d.vq[VIRTIO_NET_TXQ], s, 2);
	vdrv_notify(d.dev, VIRTIO_NET_TXQ);
	ck_assert_msg(pkt_expect(tx),
		      "the guest's frame never reached the tap");
	ck_assert(drv_wait_used(&d, VIRTIO_NET_TXQ, 1));

	/* Tap -> guest: out of the interface, into a receive chain. */
	for (int i = 0; i < RX_BUFS; i++)
		bufs[i] = drv_post_rx(&d, RX_BUF_LEN);
	vdrv_notify(d.dev, VIRTIO_NET_RXQ);
	frame_make(rx, guest_mac, host_mac, "tinyvmm host to guest");
	to.sll_ifindex = (int)if_nametoindex(info.tap);
	memcpy(to.sll_addr, guest_mac, 6);
	ck_assert_int_eq(sendto(pkt, rx, FRAME_LEN, 0, (struct sockaddr *)&to,
				sizeof(to)),
			 FRAME_LEN);
	ck_assert_msg(rx_expect(bufs, rx),
		      "the host's frame never reached the guest");
}
END_TEST

/* Whether this process may create a tap and open a packet socket. */
static const char *cannot(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC), ok;

	if (fd < 0)
		return "cannot open /dev/net/tun";
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "tvprobe%%d");
	ok = ioctl(fd, TUNSETIFF, &ifr) == 0;
	close(fd);
	if (!ok)
		return "cannot create a tap (needs CAP_NET_ADMIN)";
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0)
		return "cannot open a packet socket (needs CAP_NET_RAW)";
	close(fd);
	return NULL;
}

int main(void)
{
	const char *why = cannot();
	Suite *s;
	TCase *tc;

	if (why) {
		printf("skipped: %s\n", why);
		return 77;
	}
	s = suite_create("virtio_net_tap");
	tc = tcase_create("tap");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, test_tap_both_ways, 0, 2);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
