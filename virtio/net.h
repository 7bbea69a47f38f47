/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (spec 5.1) over virtio-mmio: one receive queue (0) and one
 * transmit queue (1), a tap as the host side (tap.h), and one of two
 * dataplanes:
 *  - vhost-net (vhost_net.h), the default: the kernel moves the packets,
 *    kicked by the queues' ioeventfds, signalling the irqfd itself (so
 *    the transport runs with used_irq_external);
 *  - the userspace dataplane (net_user.h): a tinyvmm thread.
 *
 * Which one: `vhost=off` picks the userspace dataplane. With vhost on
 * (the default) and vhost-net unusable (no /dev/vhost-net, no
 * permission, ...), virtio_net_create() prints one line, "vhost-net
 * unavailable (<step>: <reason>; <hint>); using the userspace dataplane",
 * and goes on. An explicit `vhost=on` makes that an error instead: the
 * user asked for vhost-net and would otherwise measure something else.
 * virtio_net_get_info() says
 * which dataplane runs, for the results. `busy-poll=` is
 * VHOST_SET_VRING_BUSYLOOP_TIMEOUT: with the userspace dataplane it is
 * ignored, said in one line at start.
 *
 * Features offered (spec 5.1.3), when both the tap and the dataplane can:
 * VIRTIO_NET_F_MAC, VIRTIO_NET_F_STATUS (the link always reads up),
 * VIRTIO_NET_F_MRG_RXBUF, VIRTIO_NET_F_CSUM, VIRTIO_NET_F_HOST_TSO4/6
 * (any tap takes such packets), VIRTIO_NET_F_GUEST_CSUM and
 * VIRTIO_NET_F_GUEST_TSO4/6 (when the tap takes TUN_F_CSUM, TUN_F_TSO4/6),
 * VIRTIO_RING_F_EVENT_IDX, VIRTIO_RING_F_INDIRECT_DESC and
 * VIRTIO_F_VERSION_1. With vhost-net, the ring bits and MRG_RXBUF also
 * need VHOST_GET_FEATURES to list them. Not offered: UFO and ECN (taps
 * dropped and re-added UFO; nothing here needs them), a control queue,
 * multiqueue, MTU. At DRIVER_OK the tap's offloads are set to the
 * GUEST_* bits the driver took (virtio_net_tap_offloads()).
 *
 * The MAC: the spec's mac= or, by default, 52:54:00 followed by three
 * bytes of a hash (FNV-1a) of the tap's name: locally administered,
 * unicast, the same for the same tap on every run, different for
 * different taps (virtio_net_default_mac()).
 *
 * Config space: mac[6] and status (struct virtio_net_config up to
 * max_virtqueue_pairs, 8 bytes), read-only: the driver may not write it
 * in virtio 1.x, and writes are ignored.
 */
#ifndef TINYVMM_VIRTIO_NET_H
#define TINYVMM_VIRTIO_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/net_spec.h"
#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"
#include "virtio/mmio.h"

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1
#define VIRTIO_NET_NR_QUEUES 2

struct seccomp_policy;
struct virtio_net;

/* What the results report about one device. */
struct virtio_net_info {
	bool vhost;	       /* vhost-net, else the userspace dataplane */
	uint16_t queue_size;   /* QueueNumMax of both queues */
	uint32_t busy_poll_us; /* in effect: 0 when off or ignored */
	bool event_idx;	       /* VIRTIO_RING_F_EVENT_IDX negotiated */
	uint64_t features;     /* negotiated at the last DRIVER_OK; 0 before */
	char tap[16];
};

/*
 * Opens (or creates) the tap @spec->tap, picks the dataplane as above and
 * sets up the device for guest RAM @mem with interrupt @irq (the
 * config-change interrupt, and the used-buffer one of the userspace
 * dataplane). @kick_fds[VIRTIO_NET_RXQ] and [VIRTIO_NET_TXQ] are the
 * queues' kick eventfds (the KVM ioeventfds); @call_fd is the eventfd
 * behind @irq (the KVM irqfd), which vhost-net signals directly. The fds
 * stay the caller's and must outlive the device. Register the result
 * with virtio_mmio_register(virtio_net_mmio(n), ...). The userspace
 * dataplane's thread confines itself by @seccomp (NULL: it does not),
 * which must outlive the device. Returns 0, or -errno after printing one
 * line.
 */
TV_MUST_CHECK int virtio_net_create(const struct net_spec *spec,
				    const struct guest_mem *mem,
				    const struct virtio_mmio_irq *irq,
				    const int *kick_fds, int call_fd,
				    const struct seccomp_policy *seccomp,
				    struct virtio_net **out);

/*
 * Like virtio_net_create() with packet fd @fd (kept open by the caller)
 * in place of the tap, for tests: a SOCK_DGRAM socketpair end stands in
 * for a tap with the 12-byte vnet header. Always the userspace
 * dataplane, unconfined; offers every offload, as a tap with them all
 * would; sets no tap offloads.
 */
TV_MUST_CHECK int virtio_net_create_on_fd(const struct net_spec *spec, int fd,
					  const struct guest_mem *mem,
					  const struct virtio_mmio_irq *irq,
					  const int *kick_fds,
					  struct virtio_net **out);

/* The transport to register on the bus; it lives as long as @n. */
struct virtio_mmio_dev *virtio_net_mmio(struct virtio_net *n);

/* Any thread, any time. */
void virtio_net_get_info(const struct virtio_net *n,
			 struct virtio_net_info *out);

/* Resets the device (stopping its dataplane), closes the tap, frees. */
void virtio_net_destroy(struct virtio_net *n);

/* Pure helpers, exposed for tests. */

/*
 * The device-type and ring bits offered (VIRTIO_F_VERSION_1 left to the
 * transport): with @vhost, limited by @vhost_features; the GUEST_*
 * offloads limited by @tap_offloads (TUN_F_*).
 */
uint64_t virtio_net_offered(bool vhost, uint64_t vhost_features,
			    unsigned int tap_offloads);

/* The tap offloads (TUN_F_*) that the negotiated @features allow. */
unsigned int virtio_net_tap_offloads(uint64_t features);

/* The default MAC of tap @tap (see above). */
void virtio_net_default_mac(const char *tap, uint8_t mac[6]);

#endif
