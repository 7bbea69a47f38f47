// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/base/boot_src.h"
#include "virtio/blk_image.h"
#include "vmm/cli/paths.h"

/* --kernel, --initrd: what boot_src_open() will accept later. */
static int check_input(const char *opt, const char *path)
{
	struct boot_src f;
	int ret;

	if (!path)
		return 0;
	ret = boot_src_open(&f, path, opt);
	boot_src_close(&f);
	return ret;
}

static int check_disk_file(const struct disk_spec *d)
{
	int fd = open(d->path, (d->read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	struct stat st;
	int ret = 0;

	if (fd < 0) {
		ret = -errno;
		/* Readable but not writable: ,ro may be what was meant. */
		tv_errno(ret, "--disk %s%s", d->path,
			 !d->read_only && (ret == -EACCES || ret == -EROFS)
				 ? " (opened read-write; ,ro for read-only)"
				 : "");
		return ret;
	}
	if (fstat(fd, &st))
		ret = -errno;
	else if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		ret = -EINVAL;
	if (ret)
		tv_err("--disk %s: not a regular file or a block device",
		       d->path);
	close(fd);
	return ret;
}

static int check_disk(const struct disk_spec *d)
{
	struct stat st;

	if (!d->vhost_user)
		return check_disk_file(d);
	if (stat(d->path, &st)) {
		tv_errno(errno, "--disk vhost-user=%s", d->path);
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		tv_err("--disk vhost-user=%s: not a unix socket", d->path);
		return -ENOTSOCK;
	}
	return 0;
}

/* The directory @path would be created in: "." for a bare name. */
static int parent_dir(const char *path, char *dir, size_t size)
{
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 1;

	if (slash == path)
		len = 1; /* "/x": the root */
	if (len >= size)
		return -ENAMETOOLONG;
	memcpy(dir, slash ? path : ".", len);
	dir[len] = '\0';
	return 0;
}

/* --json, --dtb-out: an existing writable file, or room for a new one. */
static int check_output(const char *opt, const char *path)
{
	char dir[PATH_MAX];
	struct stat st;
	int ret;

	if (!path)
		return 0;
	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode)) {
			tv_err("%s %s: is a directory", opt, path);
			return -EISDIR;
		}
		if (access(path, W_OK)) {
			tv_errno(errno, "%s %s", opt, path);
			return -errno;
		}
		return 0;
	}
	if (errno != ENOENT) {
		tv_errno(errno, "%s %s", opt, path);
		return -errno;
	}
	ret = parent_dir(path, dir, sizeof(dir));
	if (ret) {
		tv_errno(ret, "%s %s", opt, path);
		return ret;
	}
	if (access(dir, W_OK | X_OK)) {
		ret = -errno;
		tv_errno(ret, "%s %s: cannot create it in %s", opt, path, dir);
	}
	return ret;
}

int cli_check_paths(const struct options *o)
{
	int ret = check_input("--kernel", o->kernel);

	if (!ret)
		ret = check_input("--initrd", o->initrd);
	for (unsigned int i = 0; !ret && i < o->nr_disks; i++)
		ret = check_disk(&o->disks[i]);
	if (!ret)
		ret = blk_image_check(o->disks, o->nr_disks);
	if (!ret)
		ret = check_output("--json", o->json);
	if (!ret)
		ret = check_output("--dtb-out", o->dtb_out);
	return ret;
}
