// SPDX-License-Identifier: MIT
/* Opening and locking a disk image; contract in blk_image.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "virtio/blk_image.h"

/* The whole file, read or write as the disk is opened. */
static int blk_image_lock(int fd, const struct disk_spec *spec)
{
	struct flock fl = {
		.l_type = spec->read_only ? F_RDLCK : F_WRLCK,
		.l_whence = SEEK_SET,
		.l_start = 0,
		.l_len = 0, /* to the end, however the file grows */
	};
	int err;

	if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
		return 0;
	if (errno == EAGAIN || errno == EACCES) {
		tv_err("virtio-blk %s: the image is in use%s (locked by another --disk of this tinyvmm, another tinyvmm or another program); ,lock=off opens it anyway",
		       spec->path, spec->read_only ? " read-write" : "");
		return -EBUSY;
	}
	err = errno;
	tv_errno(err,
		 "virtio-blk %s: locking the image (,lock=off goes without)",
		 spec->path);
	return -err;
}

/* open(2) of the image, with one line naming it on failure. */
static int blk_image_open_fd(const struct disk_spec *spec, int flags, int *fd)
{
	int err;

	*fd = open(spec->path, flags | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	err = errno;
	tv_errno(err, "virtio-blk: opening %s%s", spec->path,
		 flags & O_DIRECT ? " with O_DIRECT (cache=none)" : "");
	return -err;
}

int blk_image_open(const struct disk_spec *spec, struct blk_image *img)
{
	int mode = spec->read_only ? O_RDONLY : O_RDWR;
	int ret;

	img->fd = img->lock_fd = -1;
	if (!spec->no_lock) {
		ret = blk_image_open_fd(spec, mode, &img->lock_fd);
		if (!ret)
			ret = blk_image_lock(img->lock_fd, spec);
		if (ret)
			goto err;
	}
	ret = blk_image_open_fd(
		spec, mode | (spec->cache == DISK_CACHE_NONE ? O_DIRECT : 0),
		&img->fd);
	if (!ret)
		return 0;
err:
	blk_image_close(img);
	return ret;
}

void blk_image_close(struct blk_image *img)
{
	if (img->fd >= 0)
		close(img->fd);
	if (img->lock_fd >= 0)
		close(img->lock_fd);
	img->fd = img->lock_fd = -1;
}

int blk_image_check(const struct disk_spec *disks, size_t n)
{
	struct blk_image *imgs = calloc(n ? n : 1, sizeof(*imgs));
	size_t opened = 0;
	int ret = 0;

	if (!imgs) {
		tv_err("--disk: out of memory checking %zu images", n);
		return -ENOMEM;
	}
	for (; opened < n && !ret; opened++) {
		imgs[opened] = (struct blk_image){ -1, -1 };
		if (!disks[opened].vhost_user)
			ret = blk_image_open(&disks[opened], &imgs[opened]);
	}
	while (opened--)
		blk_image_close(&imgs[opened]);
	free(imgs);
	return ret;
}
