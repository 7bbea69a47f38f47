/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk served by a vhost-user-blk back-end process (--disk
 * vhost-user=SOCKET), such as qemu-storage-daemon started with
 *
 *   --blockdev driver=file,node-name=f,filename=IMG
 *   --export type=vhost-user-blk,id=e,node-name=f,addr.type=unix,
 *            addr.path=SOCKET,writable=on
 *
 * tinyvmm keeps the virtio-mmio transport (registers, feature negotiation,
 * config space) and hands the ring to the back-end, so no request passes
 * through tinyvmm: a guest kick goes from the KVM ioeventfd's eventfd
 * (the ring's kick fd) straight to the back-end, and the back-end's call
 * goes to the KVM irqfd's eventfd, straight into the guest. Since the
 * transport never sees that interrupt, the device sets the transport's
 * used_irq_external (InterruptStatus always shows the used-buffer bit).
 *
 * The conversation (virtio/vhost_user.h), in order:
 *   create:     SET_OWNER, GET_FEATURES, GET_PROTOCOL_FEATURES,
 *               SET_PROTOCOL_FEATURES (CONFIG required; REPLY_ACK and MQ
 *               when offered), GET_QUEUE_NUM (with MQ), GET_CONFIG (the
 *               virtio_blk_config the guest will read, its first 60
 *               bytes), SET_MEM_TABLE, and without REPLY_ACK a
 *               GET_FEATURES to learn that the back-end took it
 *   DRIVER_OK:  SET_FEATURES (the driver's choice, the back-end's bits),
 *               SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ADDR,
 *               SET_VRING_KICK, SET_VRING_CALL, SET_VRING_ENABLE 1, and
 *               without REPLY_ACK a GET_FEATURES to learn that all landed
 *   reset:      SET_VRING_ENABLE 0, GET_VRING_BASE (the back-end stops
 *               the ring before it answers)
 * Any failure is one line; at create it fails creation, at DRIVER_OK the
 * device reads DEVICE_NEEDS_RESET, and a back-end that went away leaves
 * the device failing every activation until tinyvmm exits. A thread
 * watches the socket: when the back-end hangs up, even while the guest
 * is idle, the device says so and needs a reset at once. Nothing the
 * back-end sends can crash tinyvmm or hang it longer than
 * VHOST_USER_TIMEOUT_MS per message.
 *
 * What the guest is offered: VIRTIO_F_VERSION_1 (the back-end must offer
 * it), one queue of up to 256 entries, and of the back-end's features
 * those whose work is all the back-end's (SIZE_MAX, SEG_MAX, GEOMETRY,
 * RO, BLK_SIZE, FLUSH, TOPOLOGY, DISCARD, WRITE_ZEROES, INDIRECT_DESC,
 * EVENT_IDX); not MQ (one queue here) nor CONFIG_WCE (config writes are
 * not forwarded). ",ro" adds VIRTIO_BLK_F_RO for the guest; the back-end
 * still serves the rings, so export the image writable=off to enforce it.
 *
 * Trust. The back-end maps all of guest RAM and writes the used ring, so
 * it is trusted with the guest like a host block layer; what it cannot do
 * is hurt tinyvmm: replies are checked, guest RAM's memfd is sealed
 * against resizing, and the reset contract of mmio.h holds as far as the
 * back-end honours GET_VRING_BASE (a back-end that keeps completing
 * requests after it can only touch guest RAM).
 */
#ifndef TINYVMM_VIRTIO_VHOST_USER_BLK_H
#define TINYVMM_VIRTIO_VHOST_USER_BLK_H

#include "virtio/blk_spec.h"
#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"
#include "virtio/mmio.h"

struct seccomp_policy;

#define VHOST_USER_BLK_QUEUE_SIZE 256

struct vhost_user_blk;

/*
 * Connects to the back-end at @spec->path (@spec->vhost_user set) and
 * sets it up as above. @mem must be shared memory (every region
 * fd-backed: guest_mem_add_shared()); @irq is the transport's interrupt
 * (config changes), @kick_fds[0] the eventfd the guest's QueueNotify
 * writes land on, @call_fd the eventfd that interrupts the guest when
 * written (the irqfd's; normally what @irq writes too). The fds stay the
 * caller's and must outlive the device. The watcher thread confines
 * itself by @seccomp (NULL: it does not), which must outlive the device
 * too. Returns 0, or -errno after one line naming the socket and what
 * failed.
 */
TV_MUST_CHECK int vhost_user_blk_create(const struct disk_spec *spec,
					const struct guest_mem *mem,
					const struct virtio_mmio_irq *irq,
					const int *kick_fds, int call_fd,
					const struct seccomp_policy *seccomp,
					struct vhost_user_blk **out);

/* The transport, for virtio_mmio_register() and register accesses. */
struct virtio_mmio_dev *vhost_user_blk_mmio(struct vhost_user_blk *d);

/*
 * Resets the device (stopping the back-end's ring) and disconnects;
 * NULL is fine. After the vCPUs have stopped.
 */
void vhost_user_blk_destroy(struct vhost_user_blk *d);

#endif
