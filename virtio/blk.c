// SPDX-License-Identifier: MIT
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/fs.h>
#include <linux/virtio_ids.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "virtio/blk.h"
#include "virtio/blk_image.h"
#include "virtio/blk_req.h"
#include "virtio/blk_sync.h"
#include "virtio/blk_uring.h"

#define SECTOR 512u
/* Largest blk_size offered: guests take logical blocks up to a page. */
#define BLK_SIZE_MAX 4096u

struct virtio_blk {
	struct virtio_mmio_dev mmio;
	struct blk_disk disk;
	struct blk_uring dp;
	struct virtio_blk_config config; /* little-endian, as the guest reads */
	struct blk_image image; /* its fd for I/O, and its lock's own */
	int kick_fd;
	uint32_t blk_size;
	enum disk_cache cache;
	bool sync_io; /* blk_sync.h: requests run on the I/O thread */
	char path[DISK_PATH_MAX];
};

static struct virtio_blk *to_blk(struct virtio_mmio_dev *dev)
{
	return dev->opaque;
}

/* Config space: the offset and length are checked by the transport. */
static void blk_config_read(struct virtio_mmio_dev *dev, uint32_t offset,
			    void *data, uint32_t len)
{
	memcpy(data, (const uint8_t *)&to_blk(dev)->config + offset, len);
}

/* QueueNotify that no ioeventfd took: the same kick, by hand. */
static void blk_queue_notify(struct virtio_mmio_dev *dev, unsigned int index)
{
	eventfd_write(to_blk(dev)->kick_fd, 1);
}

/*
 * DRIVER_OK. A driver that never readied the queue gets no dataplane. One
 * that did not take VIRTIO_BLK_F_FLUSH cannot flush, so it takes the disk
 * for write-through (Linux's does): every write is then made durable.
 */
static int blk_activate(struct virtio_mmio_dev *dev, uint64_t features)
{
	struct virtq *vq = virtio_mmio_queue(dev, 0);

	if (!vq)
		return 0;
	return blk_uring_start(&to_blk(dev)->dp, vq,
			       !(features & (1ULL << VIRTIO_BLK_F_FLUSH)));
}

static void blk_reset(struct virtio_mmio_dev *dev)
{
	blk_uring_stop(&to_blk(dev)->dp);
}

static const struct virtio_mmio_ops blk_ops = {
	.config_read = blk_config_read,
	.queue_notify = blk_queue_notify,
	.activate = blk_activate,
	.reset = blk_reset,
};

/* Bytes of the image: a regular file or a block device. */
static int blk_file_size(struct virtio_blk *blk, const struct stat *st,
			 uint64_t *size)
{
	if (S_ISREG(st->st_mode)) {
		*size = (uint64_t)st->st_size;
		return 0;
	}
	if (S_ISBLK(st->st_mode) &&
	    ioctl(blk->image.fd, BLKGETSIZE64, size) == 0)
		return 0;
	tv_errno(
		S_ISBLK(st->st_mode) ? errno : EINVAL,
		"virtio-blk %s: sizing the image (a regular file or block device)",
		blk->path);
	return S_ISBLK(st->st_mode) ? -errno : -EINVAL;
}

/*
 * O_DIRECT's alignment for the image: statx's STATX_DIOALIGN, else the
 * device's logical block size, else 512.
 */
static void blk_dio_align(struct virtio_blk *blk, const struct stat *st)
{
	struct statx stx;
	int lbs;

	blk->disk.dio_mem_align = blk->disk.dio_len_align = SECTOR;
	if (statx(blk->image.fd, "", AT_EMPTY_PATH, STATX_DIOALIGN, &stx) ==
		    0 &&
	    (stx.stx_mask & STATX_DIOALIGN) && stx.stx_dio_offset_align) {
		blk->disk.dio_mem_align = stx.stx_dio_mem_align;
		blk->disk.dio_len_align = stx.stx_dio_offset_align;
	} else if (S_ISBLK(st->st_mode) &&
		   ioctl(blk->image.fd, BLKSSZGET, &lbs) == 0 && lbs > 0) {
		blk->disk.dio_mem_align = blk->disk.dio_len_align =
			(uint32_t)lbs;
	}
}

static bool is_pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

/* blk_size and the capacity in whole blocks of it (spec 5.2.4). */
static int blk_size_up(struct virtio_blk *blk, const struct stat *st,
		       uint64_t size)
{
	uint64_t rest;

	blk->blk_size = SECTOR;
	if (blk->cache == DISK_CACHE_NONE) {
		blk_dio_align(blk, st);
		if (blk->disk.dio_len_align > blk->blk_size)
			blk->blk_size = blk->disk.dio_len_align;
		if (!is_pow2(blk->blk_size) || blk->blk_size > BLK_SIZE_MAX ||
		    !is_pow2(blk->disk.dio_mem_align)) {
			tv_err("virtio-blk %s: direct I/O wants %u-byte blocks and %u-byte aligned buffers, which a guest cannot be given; use cache=writeback",
			       blk->path, blk->disk.dio_len_align,
			       blk->disk.dio_mem_align);
			return -EINVAL;
		}
	}
	rest = size % blk->blk_size;
	blk->disk.capacity = (size - rest) / SECTOR;
	if (rest)
		tv_notice(
			"virtio-blk %s: its size, %" PRIu64
			" bytes, is not a multiple of %u; the guest sees %" PRIu64
			" sectors and not the last %" PRIu64 " bytes",
			blk->path, size, blk->blk_size, blk->disk.capacity,
			rest);
	return 0;
}

static int blk_probe(struct virtio_blk *blk)
{
	struct stat st;
	uint64_t size;
	int ret;

	if (fstat(blk->image.fd, &st)) {
		tv_errno(errno, "virtio-blk %s: fstat", blk->path);
		return -errno;
	}
	ret = blk_file_size(blk, &st, &size);
	return ret ? ret : blk_size_up(blk, &st, size);
}

/* io=: who carries out the requests, said under -v with the reason. */
static void blk_choose_io(struct virtio_blk *blk, enum disk_io want)
{
	struct blk_file_kind kind;
	const char *why;

	blk_file_probe(blk->image.fd, blk->disk.dio_len_align, &kind);
	blk->sync_io = blk_sync_chosen(want, &kind, &why);
	tv_info("virtio-blk %s: %s (%s)", blk->path,
		blk->sync_io ? "requests run on the I/O thread (io=sync)"
			     : "requests go through io_uring (io=uring)",
		why);
}

/* GET_ID's answer: the image's basename, cut to 20 bytes, NUL-padded. */
static void blk_set_id(struct virtio_blk *blk)
{
	const char *slash = strrchr(blk->path, '/');
	const char *base = slash ? slash + 1 : blk->path;
	size_t n = strlen(base);

	memset(blk->disk.id, 0, sizeof(blk->disk.id));
	memcpy(blk->disk.id, base,
	       n < sizeof(blk->disk.id) ? n : sizeof(blk->disk.id));
}

static void blk_set_config(struct virtio_blk *blk)
{
	memset(&blk->config, 0, sizeof(blk->config));
	blk->config.capacity = htole64(blk->disk.capacity);
	blk->config.seg_max = htole32(VIRTIO_BLK_SEG_MAX);
	blk->config.blk_size = htole32(blk->blk_size);
}

static struct virtio_mmio_config blk_mmio_config(const struct virtio_blk *blk)
{
	struct virtio_mmio_config cfg = {
		.name = "virtio-blk",
		.device_id = VIRTIO_ID_BLOCK,
		.features = (1ULL << VIRTIO_BLK_F_FLUSH) |
			    (1ULL << VIRTIO_BLK_F_SEG_MAX) |
			    (1ULL << VIRTIO_BLK_F_BLK_SIZE) |
			    (1ULL << VIRTIO_RING_F_EVENT_IDX) |
			    (1ULL << VIRTIO_RING_F_INDIRECT_DESC),
		.nr_queues = 1,
		.queue_max = { VIRTIO_BLK_QUEUE_MAX },
		.config_size = sizeof(struct virtio_blk_config),
	};

	if (blk->disk.read_only)
		cfg.features |= 1ULL << VIRTIO_BLK_F_RO;
	return cfg;
}

int virtio_blk_create(const struct disk_spec *spec, const struct guest_mem *mem,
		      const struct virtio_mmio_irq *irq, const int *kick_fds,
		      const struct seccomp_policy *seccomp,
		      struct virtio_blk **out)
{
	struct virtio_blk *blk = calloc(1, sizeof(*blk));
	struct virtio_mmio_config cfg;
	int ret;

	if (!blk) {
		tv_err("virtio-blk %s: out of memory", spec->path);
		return -ENOMEM;
	}
	memcpy(blk->path, spec->path, sizeof(blk->path));
	blk->path[sizeof(blk->path) - 1] = '\0';
	blk->cache = spec->cache;
	blk->kick_fd = kick_fds[0];
	blk->disk.read_only = spec->read_only;
	ret = blk_image_open(spec, &blk->image);
	if (ret)
		goto err_free;
	ret = blk_probe(blk);
	if (ret)
		goto err_close;
	if (blk->cache != DISK_CACHE_NONE)
		blk->disk.dio_mem_align = blk->disk.dio_len_align = 0;
	blk_choose_io(blk, spec->io);
	blk_set_id(blk);
	blk_set_config(blk);
	ret = blk_uring_init(&blk->dp, blk->path, &blk->mmio, &blk->disk,
			     blk->image.fd, blk->sync_io, blk->kick_fd,
			     seccomp);
	if (ret)
		goto err_close;
	cfg = blk_mmio_config(blk);
	ret = virtio_mmio_init(&blk->mmio, &cfg, &blk_ops, blk, mem, irq);
	if (ret)
		goto err_uring;
	*out = blk;
	return 0;

err_uring:
	blk_uring_fini(&blk->dp);
err_close:
	blk_image_close(&blk->image);
err_free:
	free(blk);
	return ret;
}

struct virtio_mmio_dev *virtio_blk_mmio(struct virtio_blk *blk)
{
	return &blk->mmio;
}

void virtio_blk_destroy(struct virtio_blk *blk)
{
	if (!blk)
		return;
	virtio_mmio_destroy(&blk->mmio); /* resets: the thread is joined */
	blk_uring_fini(&blk->dp);
	blk_image_close(&blk->image);
	free(blk);
}

void virtio_blk_get_info(const struct virtio_blk *blk,
			 struct virtio_blk_info *info)
{
	*info = (struct virtio_blk_info){
		.path = blk->path,
		.capacity = blk->disk.capacity,
		.blk_size = blk->blk_size,
		.read_only = blk->disk.read_only,
		.cache = blk->cache,
		.sync_io = blk->sync_io,
	};
}

void virtio_blk_get_stats(const struct virtio_blk *blk,
			  struct virtio_blk_stats *stats)
{
	*stats = (struct virtio_blk_stats){
		.requests = atomic_load_explicit(&blk->dp.requests,
						 memory_order_relaxed),
		.batches = atomic_load_explicit(&blk->dp.batches,
						memory_order_relaxed),
		.interrupts = atomic_load_explicit(&blk->dp.interrupts,
						   memory_order_relaxed),
		.io_cpu_ns = blk_uring_cpu_ns(&blk->dp),
	};
}
