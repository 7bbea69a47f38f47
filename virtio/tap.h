/* SPDX-License-Identifier: MIT */
/*
 * A Linux tap device as virtio-net's backend: opened (created when
 * missing) with IFF_TAP | IFF_NO_PI | IFF_VNET_HDR, so that every packet
 * read or written carries the virtio-net header in front, in the virtio
 * 1.x layout (struct virtio_net_hdr_mrg_rxbuf, 12 bytes: TUNSETVNETHDRSZ).
 * The guest's header then passes through unchanged in both directions,
 * for the userspace dataplane and for vhost-net alike.
 *
 * Offloads (TUNSETOFFLOAD) say which packets the tap may hand us: with
 * TUN_F_CSUM, packets with a partial checksum; with TUN_F_TSO4/6, GSO
 * packets up to 64 KiB. They must match what the guest accepted
 * (GUEST_CSUM, GUEST_TSO4/6), so they are set at each DRIVER_OK. The
 * other direction needs nothing: a tap takes any valid header.
 */
#ifndef TINYVMM_VIRTIO_TAP_H
#define TINYVMM_VIRTIO_TAP_H

#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdbool.h>

#include "vmm/base/log.h"

/* The virtio 1.x header: num_buffers is always present (spec 5.1.6). */
#define TAP_VNET_HDR_LEN ((int)sizeof(struct virtio_net_hdr_mrg_rxbuf))

struct tap {
	int fd; /* non-blocking, close-on-exec */
	char name[IFNAMSIZ];
	bool created;	       /* no such interface existed: it goes with fd */
	unsigned int offloads; /* TUN_F_* this tap accepts */
};

/*
 * Opens tap @name, creating it when it does not exist (a non-persistent
 * tap, gone when closed), sets the 12-byte vnet header, finds which of
 * TUN_F_CSUM, TUN_F_TSO4 and TUN_F_TSO6 it takes (then clears them until
 * tap_set_offload()) and brings its link up. Returns 0, or -errno after
 * printing one line that names the tap, the step and, for a permission
 * error, what is missing.
 */
TV_MUST_CHECK int tap_open(struct tap *t, const char *name);

/* Sets the tap's offloads to @offloads (TUN_F_*); 0 or -errno. */
TV_MUST_CHECK int tap_set_offload(struct tap *t, unsigned int offloads);

/* Closes the tap; idempotent. */
void tap_close(struct tap *t);

#endif
