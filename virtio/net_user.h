/* SPDX-License-Identifier: MIT */
/*
 * virtio-net's userspace dataplane: one thread that moves packets between
 * a packet fd (a tap with the 12-byte vnet header, or in tests one end of
 * a SOCK_DGRAM socketpair: anything where one read or write is one
 * packet, header first) and the receive (0) and transmit (1) virtqueues.
 * Used when vhost-net is off or unavailable.
 *
 * The thread sleeps in epoll on the two kick eventfds, the packet fd
 * (only while it holds a receive buffer to fill) and a stop eventfd.
 *  - Transmit: each chain's device-readable buffers go to the fd in one
 *    writev(), straight from guest memory.
 *  - Receive: one readv() per packet, into the next receive chain's
 *    device-writable buffers and, behind them, a bounce buffer for what
 *    does not fit. With VIRTIO_NET_F_MRG_RXBUF the rest is copied into
 *    further chains, and num_buffers says how many (spec 5.1.6.4); all of
 *    them reach the used ring at once. Without it, a packet larger than
 *    its chain is dropped.
 * Packets are at most NET_USER_MAX_PACKET bytes, header included: larger
 * ones are cut by the read (and then dropped) or dropped on transmit.
 * All buffers are allocated by net_user_create(); nothing per packet.
 *
 * Chains are untrusted: virtq_pop() checks them, and a chain that breaks
 * the rules (or a first receive buffer too small for the header, or one
 * packet wanting more chains than the queue holds) stops that queue with
 * DEVICE_NEEDS_RESET through virtio_mmio_queue_error(). A guest cannot
 * make the thread exit or spin.
 */
#ifndef TINYVMM_VIRTIO_NET_USER_H
#define TINYVMM_VIRTIO_NET_USER_H

#include <stdint.h>

#include "vmm/base/log.h"
#include "virtio/mmio.h"

/*
 * The largest packet moved, header included: the 12-byte virtio-net
 * header and a frame of 64 KiB plus its 14-byte Ethernet header (the
 * most a GSO packet carries).
 */
#define NET_USER_MAX_PACKET 65562

struct net_user;
struct seccomp_policy;

/* Counters since net_user_create(); read from any thread. */
struct net_user_stats {
	uint64_t rx_packets, tx_packets;
	uint64_t rx_dropped; /* too short, or too large for its chain */
	uint64_t tx_dropped; /* outside 12..NET_USER_MAX_PACKET, or refused */
};

/*
 * Prepares a dataplane for device @dev (its queues 0 and 1) over packet
 * fd @fd (switched to non-blocking; not closed here) with kick eventfds
 * @kick_fds[0] (receive) and [1] (transmit). Its thread confines itself
 * by @seccomp (NULL: it does not), which must outlive it. Returns 0 or
 * -errno (out of memory, no epoll or eventfd) after printing one line.
 */
TV_MUST_CHECK int net_user_create(struct virtio_mmio_dev *dev, int fd,
				  const int kick_fds[2],
				  const struct seccomp_policy *seccomp,
				  struct net_user **out);

/*
 * Starts the thread for the queues the driver made ready, with the
 * negotiated @features (VIRTIO_NET_F_MRG_RXBUF matters). For
 * virtio_mmio_ops.activate. Returns 0 or -errno after printing one line.
 */
TV_MUST_CHECK int net_user_start(struct net_user *u, uint64_t features);

/*
 * Stops and joins the thread, forgetting any half-received packet: after
 * it no thread touches a queue or guest RAM. For virtio_mmio_ops.reset;
 * idempotent.
 */
void net_user_stop(struct net_user *u);

/* Stops, then frees @u (NULL is fine). */
void net_user_destroy(struct net_user *u);

void net_user_get_stats(const struct net_user *u, struct net_user_stats *out);

#endif
