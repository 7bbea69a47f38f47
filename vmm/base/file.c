// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "vmm/base/file.h"

/* Grows *@buf (capacity *@cap, plus one byte for the NUL) toward @limit. */
static int file_grow(char **buf, size_t *cap, size_t limit)
{
	size_t want = *cap ? *cap * 2 : 65536;
	char *grown;

	if (*cap > limit)
		return -EFBIG;
	/* One byte past the limit tells "exactly limit" from "more". */
	want = want > limit ? limit + 1 : want;
	grown = realloc(*buf, want + 1);
	if (!grown)
		return -ENOMEM;
	*buf = grown;
	*cap = want;
	return 0;
}

static int file_read_fd(int fd, size_t limit, char **buf, size_t *len)
{
	size_t cap = 0;
	ssize_t n;
	int ret;

	*buf = NULL;
	*len = 0;
	for (;;) {
		if (*len == cap && (ret = file_grow(buf, &cap, limit)))
			return ret;
		n = read(fd, *buf + *len, cap - *len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	if (*len > limit)
		return -EFBIG;
	(*buf)[*len] = '\0';
	return 0;
}

int file_read_all(const char *path, size_t limit, char **buf, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = file_read_fd(fd, limit, buf, len);
	close(fd);
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	return ret;
}
