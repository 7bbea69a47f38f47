// SPDX-License-Identifier: MIT
#include <endian.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/if_tun.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_net.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>

#include "virtio/net.h"
#include "virtio/net_user.h"
#include "virtio/tap.h"
#include "virtio/vhost_net.h"

#define BIT(n) (1ULL << (n))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
/* What tinyvmm itself gives: config space, and what any tap takes. */
#define NET_BASE_FEATURES                                            \
	(BIT(VIRTIO_NET_F_MAC) | BIT(VIRTIO_NET_F_STATUS) |          \
	 BIT(VIRTIO_NET_F_MRG_RXBUF) | BIT(VIRTIO_NET_F_CSUM) |      \
	 BIT(VIRTIO_NET_F_HOST_TSO4) | BIT(VIRTIO_NET_F_HOST_TSO6) | \
	 BIT(VIRTIO_RING_F_EVENT_IDX) | BIT(VIRTIO_RING_F_INDIRECT_DESC))
/* Config space: mac and status; later fields belong to unoffered bits. */
#define NET_CONFIG_SIZE offsetof(struct virtio_net_config, max_virtqueue_pairs)

/* A guest offload and the tap offload that lets the tap send such packets. */
static const struct {
	unsigned int guest_bit;
	unsigned int tun_flag;
} net_guest_offloads[] = {
	{ VIRTIO_NET_F_GUEST_CSUM, TUN_F_CSUM },
	{ VIRTIO_NET_F_GUEST_TSO4, TUN_F_TSO4 },
	{ VIRTIO_NET_F_GUEST_TSO6, TUN_F_TSO6 },
};

struct virtio_net {
	struct virtio_mmio_dev mmio;
	bool mmio_ready;
	struct net_spec spec;
	const struct guest_mem *mem;
	uint8_t config[NET_CONFIG_SIZE]; /* little-endian, as the guest sees it */
	struct tap tap;
	bool own_tap; /* tap.fd is ours (not a test's fd) */
	bool vhost;   /* else user */
	struct vhost_net vh;
	struct net_user *user;
	int kick_fd[VIRTIO_NET_NR_QUEUES];
	int call_fd;
	const struct seccomp_policy *seccomp; /* for the userspace dataplane */
	_Atomic uint64_t features;
};

uint64_t virtio_net_offered(bool vhost, uint64_t vhost_features,
			    unsigned int tap_offloads)
{
	uint64_t f = NET_BASE_FEATURES;

	for (size_t i = 0; i < ARRAY_SIZE(net_guest_offloads); i++)
		if (tap_offloads & net_guest_offloads[i].tun_flag)
			f |= BIT(net_guest_offloads[i].guest_bit);
	/* Spec 5.1.3.1: GUEST_TSO4/6 need GUEST_CSUM. */
	if (!(f & BIT(VIRTIO_NET_F_GUEST_CSUM)))
		f &= ~(BIT(VIRTIO_NET_F_GUEST_TSO4) |
		       BIT(VIRTIO_NET_F_GUEST_TSO6));
	if (vhost)
		f &= ~(VHOST_NET_RING_FEATURES & ~vhost_features);
	return f;
}

unsigned int virtio_net_tap_offloads(uint64_t features)
{
	unsigned int flags = 0;

	for (size_t i = 0; i < ARRAY_SIZE(net_guest_offloads); i++)
		if (features & BIT(net_guest_offloads[i].guest_bit))
			flags |= net_guest_offloads[i].tun_flag;
	/* A tap refuses TSO without checksum offload. */
	if (!(flags & TUN_F_CSUM))
		flags = 0;
	return flags;
}

void virtio_net_default_mac(const char *tap, uint8_t mac[6])
{
	uint32_t h = 2166136261u; /* FNV-1a, 32 bits */

	for (const char *c = tap; *c; c++)
		h = (h ^ (uint8_t)*c) * 16777619u;
	mac[0] = 0x52; /* locally administered, unicast */
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = (uint8_t)(h >> 16);
	mac[4] = (uint8_t)(h >> 8);
	mac[5] = (uint8_t)h;
}

static struct virtio_net *net_of(struct virtio_mmio_dev *dev)
{
	return dev->opaque;
}

static void net_config_read(struct virtio_mmio_dev *dev, uint32_t offset,
			    void *data, uint32_t len)
{
	memcpy(data, net_of(dev)->config + offset, len);
}

/* A kick that no ioeventfd took: the dataplane waits on the same eventfd. */
static void net_queue_notify(struct virtio_mmio_dev *dev, unsigned int index)
{
	eventfd_write(net_of(dev)->kick_fd[index], 1);
}

static int net_vhost_start(struct virtio_net *n, uint64_t features)
{
	struct vhost_net_ring rings[VHOST_NET_NR_RINGS];
	const char *step = "";
	int ret;

	for (unsigned int i = 0; i < VHOST_NET_NR_RINGS; i++) {
		rings[i] = (struct vhost_net_ring){
			.vq = virtio_mmio_queue(&n->mmio, i),
			.kick_fd = n->kick_fd[i],
			.call_fd = n->call_fd,
		};
		/*
		 * The guest's doing, so said through the transport's
		 * rate-limited report: a driver looping over DRIVER_OK
		 * must not flood stderr.
		 */
		if (!rings[i].vq) {
			virtio_mmio_queue_error(
				&n->mmio, i, -EINVAL,
				"not ready at DRIVER_OK (vhost-net needs both queues)");
			return -EINVAL;
		}
	}
	ret = vhost_net_start(&n->vh, features, rings, n->tap.fd,
			      n->spec.busy_poll_us, &step);
	if (ret)
		tv_errno(ret, "%s at 0x%" PRIx64 ": vhost-net %s%s",
			 n->mmio.cfg.name, n->mmio.base, step,
			 vhost_net_hint(ret, step));
	return ret;
}

static int net_activate(struct virtio_mmio_dev *dev, uint64_t features)
{
	struct virtio_net *n = net_of(dev);
	unsigned int offloads = virtio_net_tap_offloads(features);
	int ret;

	atomic_store(&n->features, features);
	if (n->own_tap) {
		ret = tap_set_offload(&n->tap, offloads);
		if (ret) {
			tv_errno(ret,
				 "%s at 0x%" PRIx64 ": TUNSETOFFLOAD on tap %s",
				 dev->cfg.name, dev->base, n->tap.name);
			return ret;
		}
	}
	return n->vhost ? net_vhost_start(n, features)
			: net_user_start(n->user, features);
}

static void net_reset(struct virtio_mmio_dev *dev)
{
	struct virtio_net *n = net_of(dev);

	if (n->vhost)
		vhost_net_stop(&n->vh);
	else if (n->user)
		net_user_stop(n->user);
}

static const struct virtio_mmio_ops net_ops = {
	.config_read = net_config_read,
	.queue_notify = net_queue_notify,
	.activate = net_activate,
	.reset = net_reset,
};

static int net_spec_check(const struct net_spec *spec)
{
	uint16_t q = spec->queue_size;

	if (q < 2 || q > NET_QUEUE_SIZE_MAX || (q & (q - 1))) {
		tv_err("virtio-net (tap %s): queue size %u is not a power of two from 2 to %d",
		       spec->tap, q, NET_QUEUE_SIZE_MAX);
		return -EINVAL;
	}
	return 0;
}

static struct virtio_net *net_alloc(const struct net_spec *spec,
				    const struct guest_mem *mem,
				    const int *kick_fds, int call_fd)
{
	struct virtio_net *n = calloc(1, sizeof(*n));

	if (!n) {
		tv_err("virtio-net (tap %s): no memory for the device",
		       spec->tap);
		return NULL;
	}
	n->spec = *spec;
	n->mem = mem;
	n->tap.fd = -1;
	n->vh.fd = -1;
	n->kick_fd[VIRTIO_NET_RXQ] = kick_fds[VIRTIO_NET_RXQ];
	n->kick_fd[VIRTIO_NET_TXQ] = kick_fds[VIRTIO_NET_TXQ];
	n->call_fd = call_fd;
	atomic_init(&n->features, 0);
	return n;
}

/* Busy polling is vhost's: said once when it cannot apply. */
static void net_busy_poll_ignored(struct virtio_net *n)
{
	if (n->spec.busy_poll_us)
		tv_notice("virtio-net (tap %s): busy-poll=%" PRIu32
			  " ignored: only vhost-net polls",
			  n->spec.tap, n->spec.busy_poll_us);
}

/* vhost-net when asked for and usable; otherwise one line and userspace. */
static int net_choose_dataplane(struct virtio_net *n)
{
	const char *step = "";
	int ret;

	if (n->spec.vhost) {
		if (n->call_fd < 0) {
			step = "no irqfd for it to signal";
			ret = -EBADF;
		} else {
			ret = vhost_net_open(&n->vh, n->mem, &step);
		}
		if (!ret) {
			n->vhost = true;
			return 0;
		}
		if (n->spec.vhost_explicit) {
			tv_err("virtio-net (tap %s): vhost=on, but vhost-net is unavailable (%s: %s%s)",
			       n->spec.tap, step, strerror(-ret),
			       vhost_net_hint(ret, step));
			return ret;
		}
		tv_notice(
			"virtio-net (tap %s): vhost-net unavailable (%s: %s%s); using the userspace dataplane",
			n->spec.tap, step, strerror(-ret),
			vhost_net_hint(ret, step));
	}
	net_busy_poll_ignored(n);
	return 0;
}

/* The transport, and for the userspace dataplane its thread's state. */
static int net_init_device(struct virtio_net *n,
			   const struct virtio_mmio_irq *irq)
{
	struct virtio_mmio_config cfg = {
		.name = "virtio-net",
		.device_id = VIRTIO_ID_NET,
		.features = virtio_net_offered(n->vhost, n->vh.features,
					       n->tap.offloads),
		.nr_queues = VIRTIO_NET_NR_QUEUES,
		.queue_max = { n->spec.queue_size, n->spec.queue_size },
		.config_size = NET_CONFIG_SIZE,
		.used_irq_external = n->vhost,
	};
	uint16_t status = htole16(VIRTIO_NET_S_LINK_UP);
	int ret;

	if (n->spec.has_mac)
		memcpy(n->config, n->spec.mac, 6);
	else
		virtio_net_default_mac(n->spec.tap, n->config);
	memcpy(n->config + offsetof(struct virtio_net_config, status), &status,
	       sizeof(status));
	ret = virtio_mmio_init(&n->mmio, &cfg, &net_ops, n, n->mem, irq);
	if (ret)
		return ret;
	n->mmio_ready = true;
	return n->vhost ? 0
			: net_user_create(&n->mmio, n->tap.fd, n->kick_fd,
					  n->seccomp, &n->user);
}

int virtio_net_create(const struct net_spec *spec, const struct guest_mem *mem,
		      const struct virtio_mmio_irq *irq, const int *kick_fds,
		      int call_fd, const struct seccomp_policy *seccomp,
		      struct virtio_net **out)
{
	struct virtio_net *n;
	int ret;

	*out = NULL;
	ret = net_spec_check(spec);
	if (ret)
		return ret;
	n = net_alloc(spec, mem, kick_fds, call_fd);
	if (!n)
		return -ENOMEM;
	n->seccomp = seccomp;
	ret = tap_open(&n->tap, spec->tap);
	if (ret)
		goto fail;
	n->own_tap = true;
	ret = net_choose_dataplane(n);
	if (!ret)
		ret = net_init_device(n, irq);
	if (ret)
		goto fail;
	*out = n;
	return 0;
fail:
	virtio_net_destroy(n);
	return ret;
}

int virtio_net_create_on_fd(const struct net_spec *spec, int fd,
			    const struct guest_mem *mem,
			    const struct virtio_mmio_irq *irq,
			    const int *kick_fds, struct virtio_net **out)
{
	struct virtio_net *n;
	int ret;

	*out = NULL;
	ret = net_spec_check(spec);
	if (ret)
		return ret;
	n = net_alloc(spec, mem, kick_fds, -1);
	if (!n)
		return -ENOMEM;
	n->tap.fd = fd;
	n->tap.offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	net_busy_poll_ignored(n);
	ret = net_init_device(n, irq);
	if (ret) {
		virtio_net_destroy(n);
		return ret;
	}
	*out = n;
	return 0;
}

struct virtio_mmio_dev *virtio_net_mmio(struct virtio_net *n)
{
	return &n->mmio;
}

void virtio_net_get_info(const struct virtio_net *n,
			 struct virtio_net_info *out)
{
	uint64_t f = atomic_load(&n->features);

	*out = (struct virtio_net_info){
		.vhost = n->vhost,
		.queue_size = n->spec.queue_size,
		.busy_poll_us = n->vhost ? n->spec.busy_poll_us : 0,
		.event_idx = f & BIT(VIRTIO_RING_F_EVENT_IDX),
		.features = f,
	};
	memcpy(out->tap, n->spec.tap, sizeof(out->tap));
}

void virtio_net_destroy(struct virtio_net *n)
{
	if (!n)
		return;
	/* The reset stops the dataplane before anything it uses goes. */
	if (n->mmio_ready)
		virtio_mmio_destroy(&n->mmio);
	net_user_destroy(n->user);
	vhost_net_close(&n->vh);
	if (n->own_tap)
		tap_close(&n->tap);
	free(n);
}
