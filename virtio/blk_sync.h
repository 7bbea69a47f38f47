/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk's synchronous I/O, for images that live in memory.
 *
 * io_uring reads and writes a file in the submitting thread only when the
 * file can say "this would block" (FMODE_NOWAIT: ext4, xfs, btrfs, block
 * devices). tmpfs and ramfs cannot, so io_uring hands every request on
 * them to one of its worker threads (iou-wrk), a wake-up and a context
 * switch per request, only to run a memory copy that never waits for a
 * device. For such an image the I/O thread makes the copy itself, with
 * preadv/pwritev2/fdatasync, and answers at once; the kick and stop waits
 * stay in io_uring. Anything that can block on a device stays in io_uring.
 */
#ifndef TINYVMM_VIRTIO_BLK_SYNC_H
#define TINYVMM_VIRTIO_BLK_SYNC_H

#include <stdbool.h>

#include "virtio/blk_req.h"
#include "virtio/blk_spec.h"

/* What the probe of an image found: its statfs f_type, and nowait. */
struct blk_file_kind {
	long fs_type;	   /* statfs f_type, 0 if unknown */
	bool nowait;	   /* reads can be tried without blocking */
	bool nowait_known; /* the probe read said either way */
};

/*
 * Probes the open image @fd (opened with O_DIRECT when @dio_align, the
 * direct I/O length alignment, is non-zero) with a statfs and a read
 * with RWF_NOWAIT. Never fails: what it cannot learn stays unknown.
 */
void blk_file_probe(int fd, unsigned int dio_align, struct blk_file_kind *k);

/*
 * Whether @want (io= of --disk) means synchronous I/O for a file of kind
 * @k; *@why is a phrase for -v saying why (never NULL).
 */
bool blk_sync_chosen(enum disk_io want, const struct blk_file_kind *k,
		     const char **why);

/*
 * Carries out @r (BLK_OP_READ, _WRITE or _FLUSH) on @fd now; writes carry
 * RWF_DSYNC when @write_through. Returns what io_uring would: bytes moved
 * (0 for a flush) or -errno.
 */
int blk_sync_io(int fd, const struct blk_req *r, bool write_through);

#endif
