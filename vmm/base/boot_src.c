// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/base/boot_src.h"
#include "vmm/base/guest_mem.h"

int boot_src_open(struct boot_src *f, const char *path, const char *what)
{
	struct stat st;

	*f = BOOT_SRC_NONE;
	f->what = what;
	f->path = path;
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		tv_errno(errno, "%s %s", what, path);
		return -errno;
	}
	if (fstat(f->fd, &st) || !S_ISREG(st.st_mode)) {
		tv_err("%s %s: not a regular file", what, path);
		boot_src_close(f);
		return -EINVAL;
	}
	f->size = (uint64_t)st.st_size;
	if (f->size == 0) {
		tv_err("%s %s: the file is empty", what, path);
		boot_src_close(f);
		return -EINVAL;
	}
	return 0;
}

void boot_src_memory(struct boot_src *f, const void *image, size_t len)
{
	*f = (struct boot_src){
		.what = "embedded",
		.path = "bench.img",
		.fd = -1,
		.mem = image,
		.size = len,
	};
}

int boot_src_open_guest(struct boot_src *kernel, struct boot_src *initrd,
			const char *kernel_path, const void *image,
			size_t image_len, const char *initrd_path)
{
	int ret = 0;

	*initrd = BOOT_SRC_NONE;
	if (kernel_path)
		ret = boot_src_open(kernel, kernel_path, "--kernel");
	else
		boot_src_memory(kernel, image, image_len);
	if (!ret && initrd_path)
		ret = boot_src_open(initrd, initrd_path, "--initrd");
	return ret;
}

int boot_src_read(const struct boot_src *f, void *dst, uint64_t len,
		  uint64_t off)
{
	uint64_t done = 0;

	if (off > f->size || len > f->size - off) {
		tv_err("%s %s: reading past its end (%" PRIu64
		       " bytes at %" PRIu64 " of %" PRIu64 ")",
		       f->what, f->path, len, off, f->size);
		return -EINVAL;
	}
	if (f->mem) {
		memcpy(dst, f->mem + off, len);
		return 0;
	}
	while (done < len) {
		ssize_t n = pread(f->fd, (uint8_t *)dst + done, len - done,
				  (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			tv_errno(n < 0 ? errno : EIO, "reading %s %s", f->what,
				 f->path);
			return n < 0 ? -errno : -EIO;
		}
		done += (uint64_t)n;
	}
	return 0;
}

int boot_src_load_from(const struct guest_mem *mem, const struct boot_src *f,
		       uint64_t off, uint64_t gpa)
{
	uint64_t len = off < f->size ? f->size - off : 0;
	uint8_t *dst = guest_mem_ptr(mem, gpa, len);

	if (!dst) {
		tv_err("%s %s: %" PRIu64 " bytes at 0x%" PRIx64
		       " do not fit in guest RAM",
		       f->what, f->path, len, gpa);
		return -ENOSPC;
	}
	return boot_src_read(f, dst, len, off);
}

int boot_src_load(const struct guest_mem *mem, const struct boot_src *f,
		  uint64_t gpa)
{
	return boot_src_load_from(mem, f, 0, gpa);
}

void boot_src_close(struct boot_src *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
