/* SPDX-License-Identifier: MIT */
/*
 * What --net means, parsed into plain values:
 *
 *   --net tap=NAME[,vhost=on|off][,mac=MAC][,queue-size=N][,busy-poll=USECS]
 *
 * Pure: nothing is opened here.
 */
#ifndef TINYVMM_VIRTIO_NET_SPEC_H
#define TINYVMM_VIRTIO_NET_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/base/log.h"

#define NET_TAP_NAME_MAX 15 /* IFNAMSIZ - 1 */
#define NET_QUEUE_SIZE_DEFAULT 256
#define NET_QUEUE_SIZE_MAX 1024
#define NET_BUSY_POLL_MAX_US 1000000

struct net_spec {
	char tap[NET_TAP_NAME_MAX + 1];
	bool vhost;	     /* default on */
	bool vhost_explicit; /* vhost=on given: no userspace fallback */
	bool has_mac;	     /* else tinyvmm picks a local one */
	uint8_t mac[6];
	uint16_t queue_size;   /* power of two, 2..NET_QUEUE_SIZE_MAX */
	uint32_t busy_poll_us; /* 0: off */
};

/*
 * Parses the argument of --net. Returns 0, or -EINVAL after printing one
 * line that quotes the option and says what is wrong (unknown or repeated
 * key, bad value, a name too long, a missing tap=).
 */
TV_MUST_CHECK int net_spec_parse(const char *arg, struct net_spec *out);

#endif
