/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk backed by a file or a block device (virtio spec 5.2), with an
 * io_uring dataplane on the device's own thread. Four files:
 *   blk.c        the device: the image, config space, transport callbacks
 *   blk_req.c    one request chain, checked and turned into file I/O
 *   blk_uring.c  the thread: kicks, batched submission, completions
 *   blk_sync.c   requests the thread runs itself, for images in memory
 *
 * What the guest sees: one request queue of up to VIRTIO_BLK_QUEUE_MAX
 * entries; features VIRTIO_BLK_F_FLUSH, _SEG_MAX (VIRTIO_BLK_SEG_MAX data
 * segments), _BLK_SIZE, _RO for a read-only disk, VIRTIO_RING_F_EVENT_IDX
 * and VIRTIO_RING_F_INDIRECT_DESC. Requests: IN, OUT, FLUSH, GET_ID (the
 * image's basename, cut to 20 bytes and NUL-padded); any other type gets
 * VIRTIO_BLK_S_UNSUPP.
 *
 * Capacity is the file size in 512-byte sectors, rounded down (to whole
 * blocks of blk_size with cache=none); a remainder is said once at
 * creation and never reachable by the guest.
 *
 * Caching (struct disk_spec.cache):
 *  - writeback: the host page cache; blk_size 512.
 *  - none: O_DIRECT; blk_size is the file's direct I/O block size (at
 *    least 512). A request whose file offset, data buffers or segment
 *    lengths break the direct I/O alignment (statx STATX_DIOALIGN) fails
 *    with VIRTIO_BLK_S_IOERR: there is no bounce buffer. Linux guests
 *    honour blk_size and align their buffers, so this only hits odd
 *    drivers.
 *
 * Durability: a write is acknowledged after its io_uring completion, a
 * FLUSH after its fsync completed, and a FLUSH is started only after every
 * write popped before it has completed. When the driver did not negotiate
 * VIRTIO_BLK_F_FLUSH it expects a write-through disk, so writes then carry
 * RWF_DSYNC.
 *
 * A request that breaks the rules gets VIRTIO_BLK_S_IOERR: a data length
 * not a multiple of 512, a sector range past the capacity (or whose byte
 * offset overflows), a write to a read-only disk; so does I/O that fails
 * or comes back short (an image shrunk under us). A chain with no 16-byte
 * readable header or no writable status byte cannot be answered: like a
 * chain virtq_pop() refuses (among them, one of more than
 * VIRTIO_BLK_SEG_MAX + 2 buffers), it sets DEVICE_NEEDS_RESET and the
 * device stops serving the queue until the driver resets it; tinyvmm
 * runs on.
 *
 * Reset (status 0, or virtio_blk_destroy()): the transport's reset()
 * signals the thread through its own eventfd and joins it. The thread
 * stops popping, waits for every request already in io_uring to complete
 * (once it has seen the stop it drops their results: no status byte, used
 * entry or interrupt is written) and cancels its wait on the kick. So
 * when reset() returns, no I/O is in flight and nothing touches guest
 * memory; requests the driver had made available are forgotten, as a
 * reset means.
 *
 * Memory is bounded: per-request state for VIRTIO_BLK_QUEUE_MAX requests
 * is allocated at creation, nothing per request. A driver that keeps more
 * in flight (by offering heads again before they were used) waits: the
 * device pops no more until a request completes.
 */
#ifndef TINYVMM_VIRTIO_BLK_H
#define TINYVMM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stdint.h>

#include "virtio/blk_spec.h"
#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"
#include "virtio/mmio.h"

#define VIRTIO_BLK_QUEUE_MAX 256
/* Data segments per request; the chain may have two more (header, status). */
#define VIRTIO_BLK_SEG_MAX 126

struct seccomp_policy;
struct virtio_blk;

/* What the report and the JSON results say about a disk. */
struct virtio_blk_info {
	const char *path;
	uint64_t capacity; /* 512-byte sectors */
	uint32_t blk_size; /* bytes */
	bool read_only;
	enum disk_cache cache;
	bool sync_io; /* io=sync: requests run on the I/O thread */
};

/* Counters since creation; read from any thread. */
struct virtio_blk_stats {
	uint64_t requests; /* completed (used entries written) */
	uint64_t batches; /* io_uring_submit calls carrying requests (0 with io=sync) */
	uint64_t interrupts;
	uint64_t io_cpu_ns; /* the I/O thread's CPU time: blk_uring_cpu_ns() */
};

/*
 * Opens @spec's image (O_RDONLY when read_only, O_DIRECT for cache=none)
 * and locks it (blk_image_open()), sizes it, sets up its io_uring and
 * the transport with guest RAM @mem and interrupt @irq. @kick_fds holds one eventfd per queue (one here):
 * the dataplane waits on it, and the transport's QueueNotify writes it
 * when no KVM ioeventfd took the write first. The caller owns the fds and
 * keeps them open until virtio_blk_destroy(). The dataplane thread
 * confines itself by @seccomp (NULL: it does not), which must outlive the
 * device. Returns 0 and the device in *@out, or -errno after printing one
 * line that names the image.
 */
TV_MUST_CHECK int virtio_blk_create(const struct disk_spec *spec,
				    const struct guest_mem *mem,
				    const struct virtio_mmio_irq *irq,
				    const int *kick_fds,
				    const struct seccomp_policy *seccomp,
				    struct virtio_blk **out);

/* The transport, to register on the bus (virtio_mmio_register()). */
struct virtio_mmio_dev *virtio_blk_mmio(struct virtio_blk *blk);

/*
 * Resets the device (stops the dataplane, waits for in-flight I/O),
 * closes the image and frees everything. NULL is a no-op.
 */
void virtio_blk_destroy(struct virtio_blk *blk);

void virtio_blk_get_info(const struct virtio_blk *blk,
			 struct virtio_blk_info *info);
void virtio_blk_get_stats(const struct virtio_blk *blk,
			  struct virtio_blk_stats *stats);

#endif
