/* SPDX-License-Identifier: MIT */
/*
 * The front-end side of the vhost-user protocol (QEMU's
 * docs/interop/vhost-user.rst): requests over a unix stream socket, each a
 * 12-byte header (request, flags, payload size; native byte order) and a
 * payload, with file descriptors riding along as SCM_RIGHTS. tinyvmm is
 * the front-end: it owns guest RAM and the virtqueues; a back-end process
 * (qemu-storage-daemon, SPDK...) maps guest RAM from the memfds we send,
 * serves the rings, sleeps on the kick eventfd and writes the call one.
 *
 * The back-end is another program, so every reply is untrusted input. A
 * reply must carry version 1 and the REPLY flag, the code of the request
 * it answers, and exactly the payload size that request's reply has (a
 * GET_CONFIG reply may also be empty: the back-end's "no"). Anything else,
 * no reply within the timeout, or a closed socket is reported in one line
 * naming the socket and the request, and the connection counts as broken
 * from then on: later calls fail with -ENOTCONN, send nothing and print
 * nothing (a broken stream cannot be resynchronized). File descriptors a
 * back-end sends us uninvited are closed. Writes never raise SIGPIPE.
 *
 * Not thread-safe: one caller at a time (the device model serializes).
 * Every call blocks for at most about the timeout given to
 * vhost_user_connect() per message.
 */
#ifndef TINYVMM_VIRTIO_VHOST_USER_H
#define TINYVMM_VIRTIO_VHOST_USER_H

#include <linux/vhost_types.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/un.h>

#include "vmm/base/guest_mem.h"
#include "vmm/base/log.h"

/* How long a back-end may take to answer one message. */
#define VHOST_USER_TIMEOUT_MS 5000
/* Regions in one SET_MEM_TABLE (the spec's fixed table). */
#define VHOST_USER_MAX_REGIONS 8
/* Largest config space GET_CONFIG carries (the spec's limit). */
#define VHOST_USER_CONFIG_MAX 256

/* Front-end request codes (the spec's "Front-end message types"). */
enum vhost_user_request {
	VHOST_USER_GET_FEATURES = 1,
	VHOST_USER_SET_FEATURES = 2,
	VHOST_USER_SET_OWNER = 3,
	VHOST_USER_SET_MEM_TABLE = 5,
	VHOST_USER_SET_VRING_NUM = 8,
	VHOST_USER_SET_VRING_ADDR = 9,
	VHOST_USER_SET_VRING_BASE = 10,
	VHOST_USER_GET_VRING_BASE = 11,
	VHOST_USER_SET_VRING_KICK = 12,
	VHOST_USER_SET_VRING_CALL = 13,
	VHOST_USER_GET_PROTOCOL_FEATURES = 15,
	VHOST_USER_SET_PROTOCOL_FEATURES = 16,
	VHOST_USER_GET_QUEUE_NUM = 17,
	VHOST_USER_SET_VRING_ENABLE = 18,
	VHOST_USER_GET_CONFIG = 24,
};

/* Header flags: the version in bits 0-1, then REPLY and NEED_REPLY. */
#define VHOST_USER_VERSION 1u
#define VHOST_USER_VERSION_MASK 3u
#define VHOST_USER_FLAG_REPLY (1u << 2)
#define VHOST_USER_FLAG_NEED_REPLY (1u << 3)

/* The virtio feature bit (unused by virtio itself) that gates the rest. */
#define VHOST_USER_F_PROTOCOL_FEATURES 30
/* Protocol feature bits tinyvmm knows. */
#define VHOST_USER_PROTOCOL_F_MQ 0
#define VHOST_USER_PROTOCOL_F_REPLY_ACK 3
#define VHOST_USER_PROTOCOL_F_CONFIG 9

/* Payload of SET/GET_VRING_KICK/CALL: the index, and "no fd, poll". */
#define VHOST_USER_VRING_INDEX_MASK 0xffu
#define VHOST_USER_VRING_NOFD (1u << 8)

struct vhost_user_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size; /* payload bytes */
};

/* SET_MEM_TABLE's payload: the regions, in the order of their fds. */
struct vhost_user_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;	      /* where the front-end maps it */
	uint64_t mmap_offset; /* where it starts in its fd */
};

struct vhost_user_mem_table {
	uint32_t nr_regions;
	uint32_t padding;
	struct vhost_user_region regions[VHOST_USER_MAX_REGIONS];
};

/* GET_CONFIG's payload, both ways. */
struct vhost_user_config {
	uint32_t offset;
	uint32_t size;
	uint32_t flags;
	uint8_t data[VHOST_USER_CONFIG_MAX];
};

struct vhost_user {
	int fd; /* the socket; -1 once closed */
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	unsigned int timeout_ms;
	uint64_t protocol_features; /* negotiated, by vhost_user_handshake() */
	bool broken;		    /* said why once; refuse everything */
};

/* Printable name of @req ("GET_CONFIG"), for messages. */
const char *vhost_user_request_name(uint32_t req);

/*
 * Connects to the back-end listening on @path, with a send and receive
 * timeout of @timeout_ms per message. Returns 0, or -errno after one line
 * (-ENAMETOOLONG for a path that does not fit a unix socket address).
 */
TV_MUST_CHECK int vhost_user_connect(struct vhost_user *vu, const char *path,
				     unsigned int timeout_ms);

/* Closes the socket (the back-end then drops the session); idempotent. */
void vhost_user_close(struct vhost_user *vu);

/*
 * The session's start: SET_OWNER, GET_FEATURES (which must offer
 * VHOST_USER_F_PROTOCOL_FEATURES), GET_PROTOCOL_FEATURES and
 * SET_PROTOCOL_FEATURES with the bits of @want_protocol the back-end has,
 * kept in vu->protocol_features (REPLY_ACK among them makes every later
 * request without a reply of its own wait for the back-end's ack).
 * Stores the back-end's virtio features in *@features. Returns 0 or
 * -errno (-EPROTO: no protocol features) after one line.
 */
TV_MUST_CHECK int vhost_user_handshake(struct vhost_user *vu,
				       uint64_t want_protocol,
				       uint64_t *features);

/*
 * One request each; all return 0 or -errno after one line naming the
 * socket and the request: -ETIMEDOUT (no answer in time), -ECONNRESET
 * (the back-end closed), -EPROTO (a malformed reply), -EREMOTEIO (the
 * back-end acked with an error, or refused GET_CONFIG), -ENOTCONN (broken
 * before; no line), -EINVAL (a bad argument from our side).
 */
/* GET_FEATURES, GET_PROTOCOL_FEATURES, GET_QUEUE_NUM. */
TV_MUST_CHECK int vhost_user_get_u64(struct vhost_user *vu,
				     enum vhost_user_request req,
				     uint64_t *out);
/* SET_FEATURES, SET_PROTOCOL_FEATURES. */
TV_MUST_CHECK int vhost_user_set_u64(struct vhost_user *vu,
				     enum vhost_user_request req, uint64_t v);
/*
 * GET_CONFIG of @size (<= VHOST_USER_CONFIG_MAX) bytes from offset 0 into
 * @buf; the reply must echo offset and size.
 */
TV_MUST_CHECK int vhost_user_get_config(struct vhost_user *vu, void *buf,
					uint32_t size);
/*
 * SET_MEM_TABLE with every region of @mem, which must all be fd-backed
 * (guest_mem_add_shared()); -EINVAL after one line otherwise.
 */
TV_MUST_CHECK int vhost_user_set_mem_table(struct vhost_user *vu,
					   const struct guest_mem *mem);
/* SET_VRING_NUM, SET_VRING_BASE, SET_VRING_ENABLE: ring @index, @num. */
TV_MUST_CHECK int vhost_user_set_vring(struct vhost_user *vu,
				       enum vhost_user_request req,
				       uint32_t index, uint32_t num);
/* SET_VRING_ADDR: user addresses in our mapping of guest RAM. */
TV_MUST_CHECK int
vhost_user_set_vring_addr(struct vhost_user *vu,
			  const struct vhost_vring_addr *addr);
/* SET_VRING_KICK, SET_VRING_CALL: @fd goes along as SCM_RIGHTS. */
TV_MUST_CHECK int vhost_user_set_vring_fd(struct vhost_user *vu,
					  enum vhost_user_request req,
					  uint32_t index, int fd);
/*
 * GET_VRING_BASE: stops ring @index; the back-end answers once it has,
 * with the next available index it would have used, in *@base.
 */
TV_MUST_CHECK int vhost_user_get_vring_base(struct vhost_user *vu,
					    uint32_t index, uint32_t *base);

#endif
