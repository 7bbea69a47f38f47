/* SPDX-License-Identifier: MIT */
/*
 * Opening a --disk image as virtio-blk uses it, with a lock that keeps a
 * second user away (QEMU locks its images for the same reason: two
 * writers, or a writer and a reader, corrupt or misread a file system).
 *
 * The lock is an open file description lock (fcntl F_OFD_SETLK) over the
 * whole file: a write lock for a read-write image, a read lock for a
 * read-only (,ro) one. So read-only users may share an image, and a
 * read-write one excludes every other user. An OFD lock belongs to the
 * open file, not to the process: the same image given twice to one
 * tinyvmm conflicts exactly as a second tinyvmm does, and the lock goes
 * when its fd is closed, however tinyvmm ends. It is advisory: a program
 * that takes no lock (dd, an editor) is not stopped. ,lock=off
 * (disk_spec.no_lock) takes none.
 *
 * The lock sits on an open file of its own, not on the fd that does the
 * I/O: io_uring holds its registered files until the kernel tears the
 * ring down, asynchronously, after tinyvmm has exited, so a lock on the
 * I/O fd outlived tinyvmm (seen: a second tinyvmm started right after
 * the first found the image "in use"). The lock's own fd is closed with
 * the process, and the lock with it.
 *
 * Both calls run on the main thread during set-up, before any seccomp
 * filter is installed: fcntl is in no thread's allow-list.
 */
#ifndef TINYVMM_VIRTIO_BLK_IMAGE_H
#define TINYVMM_VIRTIO_BLK_IMAGE_H

#include <stddef.h>

#include "virtio/blk_spec.h"
#include "vmm/base/log.h"

/* An open image: the fd for I/O, and the one holding the lock. */
struct blk_image {
	int fd;
	int lock_fd; /* -1: lock=off */
};

/*
 * Opens @spec's image (O_RDONLY for ro, else O_RDWR; O_DIRECT for
 * cache=none; close-on-exec) and, unless lock=off, locks it. Returns 0
 * and the fds in *@img, or -errno after printing one line that names the
 * image: -EBUSY when another user holds a conflicting lock ("in use").
 */
TV_MUST_CHECK int blk_image_open(const struct disk_spec *spec,
				 struct blk_image *img);

/* Closes both fds (the lock goes with its own); a -1 fd is skipped. */
void blk_image_close(struct blk_image *img);

/*
 * The same for each of @n disks (vhost-user ones are skipped: the
 * backend owns its image), all held at once, then closed: a check that
 * the command line can get its images, run before /dev/kvm is opened so
 * that a missing or busy image is reported as such. The devices lock
 * their images again when created; that lock is the one that counts
 * (a user that came in between is refused then, with the same line).
 * Returns 0 or the first error, after its line.
 */
TV_MUST_CHECK int blk_image_check(const struct disk_spec *disks, size_t n);

#endif
