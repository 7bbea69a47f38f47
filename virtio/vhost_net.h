/* SPDX-License-Identifier: MIT */
/*
 * The kernel's vhost-net as virtio-net's dataplane (<linux/vhost.h>). The
 * kernel reads and writes the guest's rings itself, through the VMM's
 * mapping of guest RAM (VHOST_SET_MEM_TABLE); it takes kicks from the
 * queues' KVM ioeventfds and signals the KVM irqfd, so no packet passes
 * through tinyvmm. The tap's fd is its backend (VHOST_NET_SET_BACKEND);
 * the tap keeps the 12-byte vnet header, so vhost passes the guest's
 * header through untouched (VHOST_NET_F_VIRTIO_NET_HDR is not used).
 *
 * Feature split. vhost-net implements the ring and the receive-buffer
 * layout: VIRTIO_F_VERSION_1, VIRTIO_RING_F_EVENT_IDX,
 * VIRTIO_RING_F_INDIRECT_DESC and VIRTIO_NET_F_MRG_RXBUF are offered only
 * when VHOST_GET_FEATURES has them (VHOST_NET_RING_FEATURES). Checksum and
 * TSO offloads are the tap's business and MAC/STATUS the config space's:
 * vhost never lists those.
 *
 * Sequence: vhost_net_open() at start-up (the errors a user can fix
 * happen there, so virtio-net can still fall back to its userspace
 * dataplane), vhost_net_start() at each DRIVER_OK, vhost_net_stop() at
 * each reset, vhost_net_close() at the end. A bad chain in vhost's hands
 * stops that ring in the kernel (vq_err); it does not set
 * DEVICE_NEEDS_RESET.
 */
#ifndef TINYVMM_VIRTIO_VHOST_NET_H
#define TINYVMM_VIRTIO_VHOST_NET_H

#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <stdbool.h>
#include <stdint.h>

#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"
#include "virtio/queue.h"

#define VHOST_NET_DEVICE "/dev/vhost-net"
#define VHOST_NET_NR_RINGS 2 /* receive 0, transmit 1 */

/* The virtio bits that vhost-net, not tinyvmm or the tap, implements. */
#define VHOST_NET_RING_FEATURES                                             \
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_RING_F_EVENT_IDX) | \
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |                            \
	 (1ULL << VIRTIO_NET_F_MRG_RXBUF))

struct vhost_net {
	int fd;
	uint64_t features; /* VHOST_GET_FEATURES */
	bool started;	   /* rings handed over, backends set */
};

/* One ring as vhost_net_start() needs it. */
struct vhost_net_ring {
	const struct virtq *vq; /* ready: host addresses, size, index */
	int kick_fd;		/* the queue's ioeventfd */
	int call_fd;		/* the device's irqfd */
};

/*
 * Opens VHOST_NET_DEVICE, becomes its owner, reads its features and gives
 * it guest RAM @mem. Prints nothing: returns 0, or -errno with *@step
 * naming what failed, so the caller decides between an error and a
 * fallback (vhost_net_hint() adds what to do). -ENOTSUP: the kernel's
 * vhost-net lacks VIRTIO_F_VERSION_1.
 */
TV_MUST_CHECK int vhost_net_open(struct vhost_net *v,
				 const struct guest_mem *mem,
				 const char **step);

/*
 * Hands both rings to the kernel: features (@features, the negotiated
 * bits, masked to what vhost knows), ring sizes, bases (each queue's
 * last_avail_idx), host addresses, the kick and call eventfds, the busy
 * polling timeout @busy_poll_us (0: none; VHOST_SET_VRING_BUSYLOOP_TIMEOUT)
 * and finally @tap_fd as backend of each ring. Returns 0, or -errno with
 * *@step set after undoing what was done.
 */
TV_MUST_CHECK int
vhost_net_start(struct vhost_net *v, uint64_t features,
		const struct vhost_net_ring rings[VHOST_NET_NR_RINGS],
		int tap_fd, uint32_t busy_poll_us, const char **step);

/*
 * Takes the backends away (VHOST_NET_SET_BACKEND -1) and stops the rings
 * (VHOST_GET_VRING_BASE). When it returns the kernel touches neither the
 * rings nor guest RAM. Idempotent.
 */
void vhost_net_stop(struct vhost_net *v);

/* Stops and closes; idempotent. */
void vhost_net_close(struct vhost_net *v);

/*
 * Why @err, from vhost_net_open() or vhost_net_start() at @step (what
 * they set it to), happened and what the user may do about it: "" or a
 * string starting with "; ".
 */
const char *vhost_net_hint(int err, const char *step);

#endif
