/* SPDX-License-Identifier: MIT */
/*
 * What --disk means, parsed into plain values:
 *
 *   --disk FILE[,ro][,cache=none|writeback][,io=auto|uring|sync][,lock=on|off]
 *   --disk vhost-user=SOCKET[,ro]
 *
 * Pure: nothing is opened here. A FILE or SOCKET cannot contain a comma.
 */
#ifndef TINYVMM_VIRTIO_BLK_SPEC_H
#define TINYVMM_VIRTIO_BLK_SPEC_H

#include <stdbool.h>

#include "vmm/base/log.h"

#define DISK_PATH_MAX 1024

enum disk_cache {
	DISK_CACHE_WRITEBACK, /* the host page cache; FLUSH is an fsync */
	DISK_CACHE_NONE,      /* O_DIRECT */
};

/* Who carries out the I/O (blk_io.h says what auto picks and why). */
enum disk_io {
	DISK_IO_AUTO,  /* sync for an image in memory, io_uring otherwise */
	DISK_IO_URING, /* io_uring, whatever the file */
	DISK_IO_SYNC,  /* preadv/pwritev2/fdatasync on the I/O thread */
};

struct disk_spec {
	char path[DISK_PATH_MAX]; /* the image file, or the vhost-user socket */
	bool vhost_user;
	bool read_only;
	enum disk_cache cache;
	enum disk_io io;
	/*
	 * lock=off: take no OFD lock on the image (blk_image.h), so another
	 * user may open it too; for those who know that is safe.
	 */
	bool no_lock;
};

/*
 * Parses the argument of --disk. Returns 0, or -EINVAL after printing one
 * line that quotes the option and says what is wrong (unknown or repeated
 * key, bad value, a path too long, a missing FILE).
 */
TV_MUST_CHECK int disk_spec_parse(const char *arg, struct disk_spec *out);

#endif
