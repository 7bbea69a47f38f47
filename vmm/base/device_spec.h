/* SPDX-License-Identifier: MIT */
/*
 * The device options of the command line, parsed into plain values:
 *
 *   --disk FILE[,ro][,cache=none|writeback]
 *   --disk vhost-user=SOCKET[,ro]
 *   --net tap=NAME[,vhost=on|off][,mac=MAC][,queue-size=N][,busy-poll=USECS]
 *
 * Pure: nothing is opened here. A FILE or SOCKET cannot contain a comma.
 */
#ifndef TINYVMM_VMM_DEVICE_SPEC_H
#define TINYVMM_VMM_DEVICE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/base/log.h"

#define DISK_PATH_MAX 1024

enum disk_cache {
	DISK_CACHE_WRITEBACK, /* the host page cache; FLUSH is an fsync */
	DISK_CACHE_NONE,      /* O_DIRECT */
};

struct disk_spec {
	char path[DISK_PATH_MAX]; /* the image file, or the vhost-user socket */
	bool vhost_user;
	bool read_only;
	enum disk_cache cache;
};

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
 * Each returns 0, or -EINVAL after printing one line that quotes the
 * option and says what is wrong (unknown or repeated key, bad value, a
 * path or name too long, a missing FILE or tap=).
 */
TV_MUST_CHECK int disk_spec_parse(const char *arg, struct disk_spec *out);
TV_MUST_CHECK int net_spec_parse(const char *arg, struct net_spec *out);

#endif
