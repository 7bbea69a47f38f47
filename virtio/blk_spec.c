// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "virtio/blk_spec.h"
#include "vmm/base/spec_list.h"

enum {
	DISK_RO = 1,
	DISK_CACHE = 2,
	DISK_IO = 4,
	DISK_LOCK = 8,
};

static const char *disk_io_option(const struct spec_item *it,
				  struct disk_spec *d, unsigned int *seen)
{
	if (!spec_seen_once(seen, DISK_IO))
		return "io= given twice";
	if (d->vhost_user)
		return "io= is the vhost-user backend's business";
	if (spec_val_is(it, "auto"))
		d->io = DISK_IO_AUTO;
	else if (spec_val_is(it, "uring"))
		d->io = DISK_IO_URING;
	else if (spec_val_is(it, "sync"))
		d->io = DISK_IO_SYNC;
	else
		return "io= takes auto, uring or sync";
	return NULL;
}

static const char *disk_lock_option(const struct spec_item *it,
				    struct disk_spec *d, unsigned int *seen)
{
	if (!spec_seen_once(seen, DISK_LOCK))
		return "lock= given twice";
	if (d->vhost_user)
		return "lock= is the vhost-user backend's business";
	if (spec_val_is(it, "on"))
		d->no_lock = false;
	else if (spec_val_is(it, "off"))
		d->no_lock = true;
	else
		return "lock= takes on or off";
	return NULL;
}

static const char *disk_option(const struct spec_item *it, struct disk_spec *d,
			       unsigned int *seen)
{
	if (spec_key_is(it, "ro") && !it->val) {
		d->read_only = true;
		return spec_seen_once(seen, DISK_RO) ? NULL : "ro given twice";
	}
	if (spec_key_is(it, "io"))
		return disk_io_option(it, d, seen);
	if (spec_key_is(it, "lock"))
		return disk_lock_option(it, d, seen);
	if (!spec_key_is(it, "cache"))
		return "unknown option (ro, cache=none|writeback, io=auto|uring|sync, lock=on|off)";
	if (!spec_seen_once(seen, DISK_CACHE))
		return "cache= given twice";
	if (d->vhost_user)
		return "cache= is the vhost-user backend's business";
	if (spec_val_is(it, "none"))
		d->cache = DISK_CACHE_NONE;
	else if (spec_val_is(it, "writeback"))
		d->cache = DISK_CACHE_WRITEBACK;
	else
		return "cache= takes none or writeback";
	return NULL;
}

static const char *disk_target(const struct spec_item *it, struct disk_spec *d)
{
	size_t len = it->key_len + (it->val ? it->val_len + 1 : 0);

	if (spec_key_is(it, "vhost-user")) {
		d->vhost_user = true;
		if (!it->val || !it->val_len)
			return "vhost-user= needs a socket path";
		return spec_val_copy(it, d->path, sizeof(d->path))
			       ? NULL
			       : "socket path too long";
	}
	if (len == 0)
		return "no image file";
	if (len >= sizeof(d->path))
		return "image path too long";
	memcpy(d->path, it->key, len); /* a file name may hold '=' */
	d->path[len] = '\0';
	return NULL;
}

int disk_spec_parse(const char *arg, struct disk_spec *out)
{
	const char *p = arg, *why;
	struct spec_item it;
	unsigned int seen = 0;

	*out = (struct disk_spec){ .cache = DISK_CACHE_WRITEBACK };
	spec_next(&p, &it);
	why = disk_target(&it, out);
	while (!why && spec_next(&p, &it))
		why = disk_option(&it, out, &seen);
	if (!why)
		return 0;
	tv_err("--disk %s: %s", arg, why);
	return -EINVAL;
}
