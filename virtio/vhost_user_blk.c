// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <linux/virtio_blk.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>
#include <poll.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "virtio/vhost_user.h"
#include "vmm/base/seccomp.h"
#include "virtio/vhost_user_blk.h"

#define BIT(n) (1ULL << (n))

/* Device features whose work is all the back-end's: passed through. */
#define PASSTHROUGH_FEATURES                                                 \
	(BIT(VIRTIO_BLK_F_SIZE_MAX) | BIT(VIRTIO_BLK_F_SEG_MAX) |            \
	 BIT(VIRTIO_BLK_F_GEOMETRY) | BIT(VIRTIO_BLK_F_RO) |                 \
	 BIT(VIRTIO_BLK_F_BLK_SIZE) | BIT(VIRTIO_BLK_F_FLUSH) |              \
	 BIT(VIRTIO_BLK_F_TOPOLOGY) | BIT(VIRTIO_BLK_F_DISCARD) |            \
	 BIT(VIRTIO_BLK_F_WRITE_ZEROES) | BIT(VIRTIO_RING_F_INDIRECT_DESC) | \
	 BIT(VIRTIO_RING_F_EVENT_IDX))

#define WANT_PROTOCOL                        \
	(BIT(VHOST_USER_PROTOCOL_F_CONFIG) | \
	 BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK) | BIT(VHOST_USER_PROTOCOL_F_MQ))

/*
 * The config space the guest sees: up to the write-zeroes fields and
 * their padding (60 bytes), which covers every field the features above
 * guard. Not the whole of our struct virtio_blk_config: back-ends refuse
 * a GET_CONFIG larger than theirs (qemu-storage-daemon 7.2 does for 72).
 */
#define CONFIG_SIZE offsetof(struct virtio_blk_config, max_secure_erase_sectors)

_Static_assert(CONFIG_SIZE <= VHOST_USER_CONFIG_MAX, "config fits GET_CONFIG");

struct vhost_user_blk {
	struct virtio_mmio_dev mmio;
	struct vhost_user vu;
	int kick_fd, call_fd;	   /* the caller's */
	uint64_t backend_features; /* GET_FEATURES */
	bool started;		   /* the ring is the back-end's */
	/* Watches the socket for the back-end going away; stop_fd stops it. */
	pthread_t watcher;
	bool watching;
	int stop_fd;
	const struct seccomp_policy *seccomp; /* for the watcher */
	uint8_t config[CONFIG_SIZE];	      /* as the back-end gave it (LE) */
};

static struct vhost_user_blk *blk_of(struct virtio_mmio_dev *dev)
{
	return dev->opaque;
}

/* The copy taken at create: the back-end cannot change it under us. */
static void vub_config_read(struct virtio_mmio_dev *dev, uint32_t offset,
			    void *data, uint32_t len)
{
	memcpy(data, blk_of(dev)->config + offset, len);
}

/* Only without an ioeventfd (tests): pass the kick on by hand. */
static void vub_queue_notify(struct virtio_mmio_dev *dev, unsigned int index)
{
	uint64_t one = 1;

	if (write(blk_of(dev)->kick_fd, &one, sizeof(one)) < 0) {
		/* Only a full counter fails, and it already wakes the back-end. */
	}
}

/* Hands ring @i, as the transport checked it, to the back-end. */
static int vub_start_ring(struct vhost_user_blk *d, uint32_t i,
			  const struct virtq *vq)
{
	struct vhost_vring_addr addr = {
		.index = i,
		.desc_user_addr = (uint64_t)(uintptr_t)vq->desc,
		.used_user_addr = (uint64_t)(uintptr_t)vq->used,
		.avail_user_addr = (uint64_t)(uintptr_t)vq->avail,
	};
	struct vhost_user *vu = &d->vu;
	int ret =
		vhost_user_set_vring(vu, VHOST_USER_SET_VRING_NUM, i, vq->size);

	if (!ret)
		ret = vhost_user_set_vring(vu, VHOST_USER_SET_VRING_BASE, i,
					   vq->last_avail_idx);
	if (!ret)
		ret = vhost_user_set_vring_addr(vu, &addr);
	if (!ret)
		ret = vhost_user_set_vring_fd(vu, VHOST_USER_SET_VRING_KICK, i,
					      d->kick_fd);
	if (!ret)
		ret = vhost_user_set_vring_fd(vu, VHOST_USER_SET_VRING_CALL, i,
					      d->call_fd);
	if (!ret)
		ret = vhost_user_set_vring(vu, VHOST_USER_SET_VRING_ENABLE, i,
					   1);
	return ret;
}

/*
 * Without REPLY_ACK the SET_* requests went unanswered: a request that
 * has a reply shows that the back-end took them all (it serves requests
 * in order) and is still there.
 */
static int vub_sync(struct vhost_user_blk *d)
{
	uint64_t features;

	if (d->vu.protocol_features & BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK))
		return 0;
	return vhost_user_get_u64(&d->vu, VHOST_USER_GET_FEATURES, &features);
}

static int vub_activate(struct virtio_mmio_dev *dev, uint64_t features)
{
	struct vhost_user_blk *d = blk_of(dev);
	struct virtq *vq = virtio_mmio_queue(dev, 0);
	/* RO may be ours alone (",ro"): the back-end gets its own bits. */
	uint64_t backend = (features & d->backend_features) |
			   BIT(VHOST_USER_F_PROTOCOL_FEATURES);
	int ret = vhost_user_set_u64(&d->vu, VHOST_USER_SET_FEATURES, backend);

	if (ret || !vq)
		return ret; /* no ring to serve: the driver set none up */
	d->started = true; /* from here on reset() stops it, even half set up */
	ret = vub_start_ring(d, 0, vq);
	return ret ? ret : vub_sync(d);
}

static void vub_reset(struct virtio_mmio_dev *dev)
{
	struct vhost_user_blk *d = blk_of(dev);
	uint32_t base;

	if (!d->started)
		return;
	d->started = false;
	/*
	 * Disable, then stop: the back-end answers GET_VRING_BASE once it
	 * no longer serves the ring. Failures were said by vhost_user (after
	 * a broken connection the second call just returns -ENOTCONN), and
	 * such a connection fails the next activation.
	 */
	if (vhost_user_set_vring(&d->vu, VHOST_USER_SET_VRING_ENABLE, 0, 0)) {
		/* said; still ask it to stop */
	}
	if (vhost_user_get_vring_base(&d->vu, 0, &base)) {
		/* said; nothing more to do */
	}
}

static const struct virtio_mmio_ops vub_ops = {
	.config_read = vub_config_read,
	.queue_notify = vub_queue_notify,
	.activate = vub_activate,
	.reset = vub_reset,
};

static int vub_setup_backend(struct vhost_user_blk *d,
			     const struct guest_mem *mem)
{
	struct vhost_user *vu = &d->vu;
	uint64_t queues;
	int ret = vhost_user_handshake(vu, WANT_PROTOCOL, &d->backend_features);

	if (ret)
		return ret;
	if (!(d->backend_features & BIT(VIRTIO_F_VERSION_1))) {
		tv_err("vhost-user back-end %s: features 0x%" PRIx64
		       " lack VIRTIO_F_VERSION_1 (legacy devices are not supported)",
		       vu->path, d->backend_features);
		return -EPROTO;
	}
	if (!(vu->protocol_features & BIT(VHOST_USER_PROTOCOL_F_CONFIG))) {
		tv_err("vhost-user back-end %s: no VHOST_USER_PROTOCOL_F_CONFIG, so no way to learn the disk's size",
		       vu->path);
		return -EPROTO;
	}
	if (vu->protocol_features & BIT(VHOST_USER_PROTOCOL_F_MQ)) {
		ret = vhost_user_get_u64(vu, VHOST_USER_GET_QUEUE_NUM, &queues);
		if (!ret && queues == 0) {
			tv_err("vhost-user back-end %s: serves no queue at all",
			       vu->path);
			ret = -EPROTO;
		}
		if (ret)
			return ret;
	}
	ret = vhost_user_get_config(vu, d->config, sizeof(d->config));
	if (!ret)
		ret = vhost_user_set_mem_table(vu, mem);
	return ret ? ret : vub_sync(d);
}

static int vub_mmio_init(struct vhost_user_blk *d, const struct disk_spec *spec,
			 const struct guest_mem *mem,
			 const struct virtio_mmio_irq *irq)
{
	const struct virtio_mmio_config cfg = {
		.name = "vhost-user-blk",
		.device_id = VIRTIO_ID_BLOCK,
		.features = (d->backend_features & PASSTHROUGH_FEATURES) |
			    (spec->read_only ? BIT(VIRTIO_BLK_F_RO) : 0),
		.nr_queues = 1,
		.queue_max = { VHOST_USER_BLK_QUEUE_SIZE },
		.config_size = sizeof(d->config),
		.used_irq_external = true,
	};

	return virtio_mmio_init(&d->mmio, &cfg, &vub_ops, d, mem, irq);
}

/*
 * The back-end serves the ring without us, so nothing else would notice
 * it dying: the guest's requests would just never complete. On a hang-up
 * the device needs a reset (one line, a config interrupt); the next
 * activation then fails on the dead socket. Only hang-ups are watched:
 * the socket's data belongs to the requests of activate() and reset().
 */
static void *vub_watch(void *arg)
{
	struct vhost_user_blk *d = arg;
	struct pollfd p[2] = { { .fd = d->vu.fd, .events = POLLRDHUP },
			       { .fd = d->stop_fd, .events = POLLIN } };

	/* Not fatal: it reads nothing, it only waits for a hang-up. */
	if (seccomp_confine(SECCOMP_VHOST_USER, d->seccomp))
		tv_err("vhost-user back-end %s: its watcher thread runs unconfined",
		       d->vu.path);
	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			return NULL;
	if (!p[1].revents && (p[0].revents & (POLLRDHUP | POLLHUP | POLLERR)))
		virtio_mmio_queue_error(
			&d->mmio, 0, -ECONNRESET,
			"the vhost-user back-end closed the connection");
	return NULL;
}

static int vub_watch_start(struct vhost_user_blk *d)
{
	int ret;

	d->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (d->stop_fd < 0) {
		ret = -errno;
		tv_errno(ret, "vhost-user back-end %s: creating an eventfd",
			 d->vu.path);
		return ret;
	}
	ret = pthread_create(&d->watcher, NULL, vub_watch, d);
	if (ret) {
		tv_errno(-ret,
			 "vhost-user back-end %s: starting its watcher thread",
			 d->vu.path);
		return -ret;
	}
	d->watching = true;
	return 0;
}

static void vub_watch_stop(struct vhost_user_blk *d)
{
	uint64_t one = 1;

	if (d->watching) {
		if (write(d->stop_fd, &one, sizeof(one)) < 0) {
			/* cannot fail on a fresh counter */
		}
		pthread_join(d->watcher, NULL);
		d->watching = false;
	}
	if (d->stop_fd >= 0)
		close(d->stop_fd);
	d->stop_fd = -1;
}

/* Before any connection: a back-end could not map private memory. */
static int check_shared(const char *path, const struct guest_mem *mem)
{
	for (unsigned int i = 0; i < mem->nr; i++) {
		if (mem->regions[i].fd < 0) {
			tv_err("vhost-user back-end %s: guest RAM at 0x%" PRIx64
			       " is private memory, which another process cannot map",
			       path, mem->regions[i].gpa);
			return -EINVAL;
		}
	}
	return 0;
}

int vhost_user_blk_create(const struct disk_spec *spec,
			  const struct guest_mem *mem,
			  const struct virtio_mmio_irq *irq,
			  const int *kick_fds, int call_fd,
			  const struct seccomp_policy *seccomp,
			  struct vhost_user_blk **out)
{
	struct vhost_user_blk *d;
	int ret = check_shared(spec->path, mem);

	if (ret)
		return ret;
	d = calloc(1, sizeof(*d));
	if (!d) {
		tv_err("vhost-user back-end %s: no host memory for the device",
		       spec->path);
		return -ENOMEM;
	}
	d->kick_fd = kick_fds[0];
	d->call_fd = call_fd;
	d->stop_fd = -1;
	d->seccomp = seccomp;
	ret = vhost_user_connect(&d->vu, spec->path, VHOST_USER_TIMEOUT_MS);
	if (!ret)
		ret = vub_setup_backend(d, mem);
	if (!ret)
		ret = vub_mmio_init(d, spec, mem, irq);
	if (!ret) {
		ret = vub_watch_start(d);
		if (ret)
			virtio_mmio_destroy(&d->mmio);
	}
	if (ret) {
		vub_watch_stop(d);
		vhost_user_close(&d->vu);
		free(d);
		return ret;
	}
	*out = d;
	return 0;
}

struct virtio_mmio_dev *vhost_user_blk_mmio(struct vhost_user_blk *d)
{
	return &d->mmio;
}

void vhost_user_blk_destroy(struct vhost_user_blk *d)
{
	if (!d)
		return;
	virtio_mmio_destroy(&d->mmio);
	vub_watch_stop(d); /* before the socket it polls is closed */
	vhost_user_close(&d->vu);
	free(d);
}
