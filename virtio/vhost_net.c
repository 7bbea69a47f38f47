// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <linux/vhost.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "virtio/vhost_net.h"

/* ioctl() as 0 or -errno, naming the step for the caller's message. */
static int vhost_ioctl(int fd, unsigned long req, void *arg, const char *name,
		       const char **step)
{
	if (ioctl(fd, req, arg) == 0)
		return 0;
	*step = name;
	return -errno;
}

#define VHOST_IOCTL(fd, req, arg, step) vhost_ioctl(fd, req, arg, #req, step)

/* Guest RAM as the kernel walks it: host addresses of each region. */
static int vhost_set_mem_table(struct vhost_net *v, const struct guest_mem *mem,
			       const char **step)
{
	struct vhost_memory *table;
	int ret;

	table = calloc(1, sizeof(*table) + mem->nr * sizeof(table->regions[0]));
	if (!table) {
		*step = "allocating its memory table";
		return -ENOMEM;
	}
	table->nregions = mem->nr;
	for (unsigned int i = 0; i < mem->nr; i++) {
		table->regions[i] = (struct vhost_memory_region){
			.guest_phys_addr = mem->regions[i].gpa,
			.memory_size = mem->regions[i].size,
			.userspace_addr = (uintptr_t)mem->regions[i].host,
		};
	}
	ret = VHOST_IOCTL(v->fd, VHOST_SET_MEM_TABLE, table, step);
	free(table);
	return ret;
}

int vhost_net_open(struct vhost_net *v, const struct guest_mem *mem,
		   const char **step)
{
	int ret;

	memset(v, 0, sizeof(*v));
	v->fd = open(VHOST_NET_DEVICE, O_RDWR | O_CLOEXEC);
	if (v->fd < 0) {
		*step = "opening " VHOST_NET_DEVICE;
		return -errno;
	}
	ret = VHOST_IOCTL(v->fd, VHOST_SET_OWNER, NULL, step);
	if (!ret)
		ret = VHOST_IOCTL(v->fd, VHOST_GET_FEATURES, &v->features,
				  step);
	if (!ret && !(v->features & (1ULL << VIRTIO_F_VERSION_1))) {
		*step = "VHOST_GET_FEATURES (no VIRTIO_F_VERSION_1)";
		ret = -ENOTSUP;
	}
	if (!ret)
		ret = vhost_set_mem_table(v, mem, step);
	if (ret)
		vhost_net_close(v);
	return ret;
}

static int vhost_set_backend(struct vhost_net *v, unsigned int i, int fd,
			     const char **step)
{
	struct vhost_vring_file f = { .index = i, .fd = fd };

	return VHOST_IOCTL(v->fd, VHOST_NET_SET_BACKEND, &f, step);
}

static int vhost_ring_files(struct vhost_net *v, unsigned int i,
			    const struct vhost_net_ring *r, const char **step)
{
	struct vhost_vring_file kick = { .index = i, .fd = r->kick_fd };
	struct vhost_vring_file call = { .index = i, .fd = r->call_fd };
	int ret = VHOST_IOCTL(v->fd, VHOST_SET_VRING_KICK, &kick, step);

	if (!ret)
		ret = VHOST_IOCTL(v->fd, VHOST_SET_VRING_CALL, &call, step);
	return ret;
}

/* One ring: size, where the driver's next chain is, its three parts. */
static int vhost_ring_setup(struct vhost_net *v, unsigned int i,
			    const struct vhost_net_ring *r,
			    uint32_t busy_poll_us, const char **step)
{
	struct vhost_vring_state num = { .index = i, .num = r->vq->size };
	struct vhost_vring_state base = { .index = i,
					  .num = r->vq->last_avail_idx };
	struct vhost_vring_state poll = { .index = i, .num = busy_poll_us };
	struct vhost_vring_addr addr = {
		.index = i,
		.desc_user_addr = (uintptr_t)r->vq->desc,
		.avail_user_addr = (uintptr_t)r->vq->avail,
		.used_user_addr = (uintptr_t)r->vq->used,
	};
	int ret = VHOST_IOCTL(v->fd, VHOST_SET_VRING_NUM, &num, step);

	if (!ret)
		ret = VHOST_IOCTL(v->fd, VHOST_SET_VRING_BASE, &base, step);
	if (!ret)
		ret = VHOST_IOCTL(v->fd, VHOST_SET_VRING_ADDR, &addr, step);
	if (!ret)
		ret = vhost_ring_files(v, i, r, step);
	if (!ret && busy_poll_us)
		ret = VHOST_IOCTL(v->fd, VHOST_SET_VRING_BUSYLOOP_TIMEOUT,
				  &poll, step);
	return ret;
}

int vhost_net_start(struct vhost_net *v, uint64_t features,
		    const struct vhost_net_ring rings[VHOST_NET_NR_RINGS],
		    int tap_fd, uint32_t busy_poll_us, const char **step)
{
	uint64_t f = features & v->features;
	int ret = VHOST_IOCTL(v->fd, VHOST_SET_FEATURES, &f, step);

	for (unsigned int i = 0; !ret && i < VHOST_NET_NR_RINGS; i++)
		ret = vhost_ring_setup(v, i, &rings[i], busy_poll_us, step);
	if (ret)
		return ret; /* no backend yet: the kernel never ran a ring */
	/* From here on, vhost_net_stop() undoes what is done. */
	v->started = true;
	for (unsigned int i = 0; !ret && i < VHOST_NET_NR_RINGS; i++)
		ret = vhost_set_backend(v, i, tap_fd, step);
	if (ret)
		vhost_net_stop(v);
	return ret;
}

void vhost_net_stop(struct vhost_net *v)
{
	struct vhost_vring_state state;
	const char *step;

	if (!v->started)
		return;
	for (unsigned int i = 0; i < VHOST_NET_NR_RINGS; i++) {
		/* No backend: the kernel's worker leaves the ring alone. */
		if (vhost_set_backend(v, i, -1, &step))
			tv_info("vhost-net: ring %u: %s failed", i, step);
		state = (struct vhost_vring_state){ .index = i };
		if (VHOST_IOCTL(v->fd, VHOST_GET_VRING_BASE, &state, &step))
			tv_info("vhost-net: ring %u: %s failed", i, step);
		else
			tv_info("vhost-net: ring %u stopped at avail index %u",
				i, state.num);
	}
	v->started = false;
}

void vhost_net_close(struct vhost_net *v)
{
	if (v->fd < 0)
		return;
	vhost_net_stop(v);
	close(v->fd);
	v->fd = -1;
}

/* Whether @step, from vhost_net_open(), is the memory table's ioctl. */
static bool step_is_mem_table(const char *step)
{
	return step && strcmp(step, "VHOST_SET_MEM_TABLE") == 0;
}

const char *vhost_net_hint(int err, const char *step)
{
	switch (err) {
	case -ENOENT:
	case -ENODEV:
		return "; load the vhost_net module (it needs vhost, vhost_iotlb and tun)";
	case -EPERM:
	case -EACCES:
		return "; this user needs read-write access to " VHOST_NET_DEVICE;
	case -ENOMEM:
		/*
		 * vhost-net reads guest RAM through this process's mappings
		 * and pins none of it: RLIMIT_MEMLOCK plays no part (unlike
		 * vhost-vdpa or VFIO). Its tables are kernel allocations.
		 */
		if (step_is_mem_table(step))
			return "; the host kernel could not allocate vhost's copy of the memory table (out of kernel memory or at this process's memory cgroup limit; vhost-net locks no guest RAM, so ulimit -l is not the cause)";
		return "; the host is out of memory, or this process's memory cgroup is at its limit";
	case -E2BIG:
		if (step_is_mem_table(step))
			return "; guest RAM has more regions than vhost's max_mem_regions module parameter allows";
		return "";
	case -EAGAIN:
		return "; RLIMIT_NPROC reached (vhost's worker counts as a task of this user)";
	case -EBUSY:
		return "; another owner holds it";
	default:
		return "";
	}
}
