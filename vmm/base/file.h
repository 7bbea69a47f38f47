/* SPDX-License-Identifier: MIT */
/* Reading a whole (small) file, bounded: JSON documents, /proc texts. */
#ifndef TINYVMM_VMM_FILE_H
#define TINYVMM_VMM_FILE_H

#include <stddef.h>

#include "vmm/base/log.h"

/*
 * Reads all of @path into a malloc'd, NUL-terminated buffer (*@buf; its
 * length without the NUL in *@len). Works for /proc files, whose size
 * stat does not know. Returns 0, -EFBIG when there are more than @limit
 * bytes, or another -errno.
 */
TV_MUST_CHECK int file_read_all(const char *path, size_t limit, char **buf,
				size_t *len);

#endif
