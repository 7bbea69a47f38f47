// SPDX-License-Identifier: MIT
#include <errno.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "virtio/blk_sync.h"

/* Big and aligned enough for one direct I/O block of any device. */
#define PROBE_BYTES 4096

void blk_file_probe(int fd, unsigned int dio_align, struct blk_file_kind *k)
{
	struct statfs sfs;
	struct iovec iov;
	void *buf;
	ssize_t n;

	*k = (struct blk_file_kind){ 0 };
	if (fstatfs(fd, &sfs) == 0)
		k->fs_type = (long)sfs.f_type;
	if (dio_align > PROBE_BYTES ||
	    posix_memalign(&buf, PROBE_BYTES, PROBE_BYTES))
		return;
	/* The lock-free path; EAGAIN (not cached) still means it exists. */
	iov = (struct iovec){ buf, dio_align ? dio_align : 1 };
	n = preadv2(fd, &iov, 1, 0, RWF_NOWAIT);
	if (n >= 0 || errno == EAGAIN) {
		k->nowait = k->nowait_known = true;
	} else if (errno == EOPNOTSUPP) {
		k->nowait_known = true;
	}
	free(buf);
}

static bool in_memory(long fs_type)
{
	return fs_type == (long)TMPFS_MAGIC || fs_type == (long)RAMFS_MAGIC;
}

bool blk_sync_chosen(enum disk_io want, const struct blk_file_kind *k,
		     const char **why)
{
	if (want == DISK_IO_SYNC) {
		*why = "as --disk asks";
		return true;
	}
	if (want == DISK_IO_URING) {
		*why = "as --disk asks";
		return false;
	}
	if (!in_memory(k->fs_type)) {
		*why = k->nowait_known && !k->nowait
			       ? "its file system cannot try a read without blocking, so io_uring's worker threads carry out each request"
			       : "its file system may wait for a device";
		return false;
	}
	if (!k->nowait_known || k->nowait) {
		*why = "in memory, and io_uring copies it in the I/O thread";
		return false;
	}
	*why = "in memory (tmpfs or ramfs): io_uring would hand each request to a worker thread";
	return true;
}

int blk_sync_io(int fd, const struct blk_req *r, bool write_through)
{
	int iovcnt = (int)r->nr_iov;
	off_t off = (off_t)r->offset;
	ssize_t n;

	do {
		if (r->op == BLK_OP_READ)
			n = preadv(fd, r->iov, iovcnt, off);
		else if (r->op == BLK_OP_WRITE)
			n = pwritev2(fd, r->iov, iovcnt, off,
				     write_through ? RWF_DSYNC : 0);
		else
			n = fdatasync(fd);
	} while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : (int)n;
}
