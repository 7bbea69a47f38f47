// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "virtio/vhost_user.h"

#define BIT(n) (1ULL << (n))

/* Room for the most descriptors one message carries (SET_MEM_TABLE's). */
union vu_cmsg {
	char buf[CMSG_SPACE(sizeof(int) * VHOST_USER_MAX_REGIONS)];
	struct cmsghdr align;
};

static const char *const request_names[] = {
	[VHOST_USER_GET_FEATURES] = "GET_FEATURES",
	[VHOST_USER_SET_FEATURES] = "SET_FEATURES",
	[VHOST_USER_SET_OWNER] = "SET_OWNER",
	[VHOST_USER_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VHOST_USER_SET_VRING_NUM] = "SET_VRING_NUM",
	[VHOST_USER_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VHOST_USER_SET_VRING_BASE] = "SET_VRING_BASE",
	[VHOST_USER_GET_VRING_BASE] = "GET_VRING_BASE",
	[VHOST_USER_SET_VRING_KICK] = "SET_VRING_KICK",
	[VHOST_USER_SET_VRING_CALL] = "SET_VRING_CALL",
	[VHOST_USER_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VHOST_USER_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VHOST_USER_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VHOST_USER_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
	[VHOST_USER_GET_CONFIG] = "GET_CONFIG",
};

const char *vhost_user_request_name(uint32_t req)
{
	if (req < sizeof(request_names) / sizeof(request_names[0]) &&
	    request_names[req])
		return request_names[req];
	return "an unknown request";
}

/* One line: "vhost-user back-end SOCK: REQUEST: why". */
static void vu_vreport(const struct vhost_user *vu, uint32_t req,
		       const char *fmt, va_list ap)
{
	char why[200];

	vsnprintf(why, sizeof(why), fmt, ap);
	tv_err("vhost-user back-end %s: %s: %s", vu->path,
	       vhost_user_request_name(req), why);
}

static void vu_report(const struct vhost_user *vu, uint32_t req,
		      const char *fmt, ...) TV_PRINTF(3, 4);
static void vu_report(const struct vhost_user *vu, uint32_t req,
		      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vu_vreport(vu, req, fmt, ap);
	va_end(ap);
}

/* Says why, and gives the connection up: the stream is out of step. */
static int vu_fail(struct vhost_user *vu, uint32_t req, int err,
		   const char *fmt, ...) TV_PRINTF(4, 5);
static int vu_fail(struct vhost_user *vu, uint32_t req, int err,
		   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vu_vreport(vu, req, fmt, ap);
	va_end(ap);
	vu->broken = true;
	return err;
}

static int vu_io_fail(struct vhost_user *vu, uint32_t req, int err,
		      const char *doing)
{
	if (err == -ETIMEDOUT)
		return vu_fail(vu, req, err, "%s: no progress within %u ms",
			       doing, vu->timeout_ms);
	if (err == -ECONNRESET || err == -EPIPE)
		return vu_fail(vu, req, -ECONNRESET,
			       "%s: the back-end closed the connection", doing);
	return vu_fail(vu, req, err, "%s: %s", doing, strerror(-err));
}

int vhost_user_connect(struct vhost_user *vu, const char *path,
		       unsigned int timeout_ms)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = timeout_ms / 1000,
			      .tv_usec = (timeout_ms % 1000) * 1000 };
	size_t len = strlen(path);
	int fd, err;

	memset(vu, 0, sizeof(*vu));
	vu->fd = -1;
	vu->timeout_ms = timeout_ms;
	if (len >= sizeof(addr.sun_path)) {
		tv_err("vhost-user socket %s: longer than the %zu bytes a unix socket address holds",
		       path, sizeof(addr.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(vu->path, path, len + 1);
	memcpy(addr.sun_path, path, len + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		tv_errno(err, "vhost-user back-end %s: creating a socket",
			 path);
		return err;
	}
	/* Before connect(): a listener that never accepts must not hang us. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr))) {
		err = errno == EAGAIN ? -ETIMEDOUT : -errno;
		tv_errno(err, "vhost-user back-end %s: connecting", path);
		close(fd);
		return err;
	}
	vu->fd = fd;
	return 0;
}

void vhost_user_close(struct vhost_user *vu)
{
	if (vu->fd >= 0)
		close(vu->fd);
	vu->fd = -1;
}

/* Drops @n bytes from the front of @msg's iovecs: what a send took. */
static void iov_advance(struct msghdr *msg, size_t n)
{
	while (n && msg->msg_iovlen) {
		struct iovec *v = msg->msg_iov;

		if (n < v->iov_len) {
			v->iov_base = (char *)v->iov_base + n;
			v->iov_len -= n;
			return;
		}
		n -= v->iov_len;
		msg->msg_iov++;
		msg->msg_iovlen--;
	}
}

static void attach_fds(struct msghdr *msg, union vu_cmsg *ctl, const int *fds,
		       unsigned int nr_fds)
{
	struct cmsghdr *c;

	memset(ctl, 0, sizeof(*ctl));
	msg->msg_control = ctl->buf;
	msg->msg_controllen = CMSG_SPACE(sizeof(int) * nr_fds);
	c = CMSG_FIRSTHDR(msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int) * nr_fds);
	memcpy(CMSG_DATA(c), fds, sizeof(int) * nr_fds);
}

/* Header and payload, the fds with the first byte; no SIGPIPE. */
static int vu_send(struct vhost_user *vu, uint32_t req, uint32_t flags,
		   const void *payload, uint32_t size, const int *fds,
		   unsigned int nr_fds)
{
	struct vhost_user_hdr hdr = { req, VHOST_USER_VERSION | flags, size };
	struct iovec iov[2] = { { &hdr, sizeof(hdr) },
				{ (void *)payload, size } };
	struct msghdr msg = { .msg_iov = iov, .msg_iovlen = size ? 2 : 1 };
	size_t left = sizeof(hdr) + size;
	union vu_cmsg ctl;
	ssize_t n;

	if (nr_fds)
		attach_fds(&msg, &ctl, fds, nr_fds);
	while (left) {
		n = sendmsg(vu->fd, &msg, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return vu_io_fail(vu, req,
					  errno == EAGAIN ? -ETIMEDOUT : -errno,
					  "sending it");
		left -= (size_t)n;
		iov_advance(&msg, (size_t)n);
		msg.msg_control = NULL; /* the fds went with the first part */
		msg.msg_controllen = 0;
	}
	return 0;
}

/* A back-end has no business sending us descriptors: close them. */
static void close_stray_fds(struct msghdr *msg)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
	     c = CMSG_NXTHDR(msg, c)) {
		size_t n;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd;

			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
			close(fd);
		}
	}
}

/* Exactly @len bytes, or -ETIMEDOUT / -ECONNRESET / -errno. */
static int vu_read(struct vhost_user *vu, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		struct iovec iov = { (char *)buf + got, len - got };
		union vu_cmsg ctl;
		struct msghdr msg = { .msg_iov = &iov,
				      .msg_iovlen = 1,
				      .msg_control = ctl.buf,
				      .msg_controllen = sizeof(ctl.buf) };
		ssize_t n = recvmsg(vu->fd, &msg, MSG_CMSG_CLOEXEC);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		close_stray_fds(&msg);
		if (n == 0)
			return -ECONNRESET;
		got += (size_t)n;
	}
	return 0;
}

/*
 * The reply to @req: a checked header, then a payload of at most @cap
 * bytes into @buf, its size in *@size.
 */
static int vu_recv(struct vhost_user *vu, uint32_t req, void *buf, uint32_t cap,
		   uint32_t *size)
{
	struct vhost_user_hdr hdr;
	int ret = vu_read(vu, &hdr, sizeof(hdr));

	if (ret)
		return vu_io_fail(vu, req, ret, "waiting for its reply");
	if (hdr.request != req)
		return vu_fail(vu, req, -EPROTO,
			       "the reply is one to request %" PRIu32 " (%s)",
			       hdr.request,
			       vhost_user_request_name(hdr.request));
	if ((hdr.flags & VHOST_USER_VERSION_MASK) != VHOST_USER_VERSION ||
	    !(hdr.flags & VHOST_USER_FLAG_REPLY))
		return vu_fail(vu, req, -EPROTO,
			       "reply flags 0x%" PRIx32
			       " are not those of a version %u reply",
			       hdr.flags, VHOST_USER_VERSION);
	if (hdr.size > cap)
		return vu_fail(vu, req, -EPROTO,
			       "a reply of %" PRIu32
			       " bytes, expected at most %" PRIu32,
			       hdr.size, cap);
	ret = vu_read(vu, buf, hdr.size);
	if (ret)
		return vu_io_fail(vu, req, ret, "reading its reply's payload");
	*size = hdr.size;
	return 0;
}

static int vu_recv_exact(struct vhost_user *vu, uint32_t req, void *buf,
			 uint32_t len)
{
	uint32_t size;
	int ret = vu_recv(vu, req, buf, len, &size);

	if (!ret && size != len)
		ret = vu_fail(vu, req, -EPROTO,
			      "a reply of %" PRIu32 " bytes, expected %" PRIu32,
			      size, len);
	return ret;
}

/*
 * A request without a reply of its own; with REPLY_ACK negotiated it asks
 * for the back-end's ack (a u64, 0 for success) and waits for it.
 */
static int vu_request(struct vhost_user *vu, uint32_t req, const void *payload,
		      uint32_t size, const int *fds, unsigned int nr_fds)
{
	bool ack = vu->protocol_features & BIT(VHOST_USER_PROTOCOL_F_REPLY_ACK);
	uint64_t status;
	int ret;

	if (vu->broken || vu->fd < 0)
		return -ENOTCONN;
	ret = vu_send(vu, req, ack ? VHOST_USER_FLAG_NEED_REPLY : 0, payload,
		      size, fds, nr_fds);
	if (ret || !ack)
		return ret;
	ret = vu_recv_exact(vu, req, &status, sizeof(status));
	if (!ret && status) {
		vu_report(vu, req,
			  "the back-end refused it (status %" PRIu64 ")",
			  status);
		ret = -EREMOTEIO;
	}
	return ret;
}

/* A request with a reply of its own: exactly @len bytes into @reply. */
static int vu_query(struct vhost_user *vu, uint32_t req, const void *payload,
		    uint32_t size, void *reply, uint32_t len)
{
	int ret;

	if (vu->broken || vu->fd < 0)
		return -ENOTCONN;
	ret = vu_send(vu, req, 0, payload, size, NULL, 0);
	return ret ? ret : vu_recv_exact(vu, req, reply, len);
}

int vhost_user_get_u64(struct vhost_user *vu, enum vhost_user_request req,
		       uint64_t *out)
{
	return vu_query(vu, req, NULL, 0, out, sizeof(*out));
}

int vhost_user_set_u64(struct vhost_user *vu, enum vhost_user_request req,
		       uint64_t v)
{
	return vu_request(vu, req, &v, sizeof(v), NULL, 0);
}

int vhost_user_handshake(struct vhost_user *vu, uint64_t want_protocol,
			 uint64_t *features)
{
	uint64_t proto;
	int ret = vu_request(vu, VHOST_USER_SET_OWNER, NULL, 0, NULL, 0);

	if (!ret)
		ret = vhost_user_get_u64(vu, VHOST_USER_GET_FEATURES, features);
	if (ret)
		return ret;
	if (!(*features & BIT(VHOST_USER_F_PROTOCOL_FEATURES)))
		return vu_fail(
			vu, VHOST_USER_GET_FEATURES, -EPROTO,
			"features 0x%" PRIx64
			" lack VHOST_USER_F_PROTOCOL_FEATURES; tinyvmm needs protocol features",
			*features);
	ret = vhost_user_get_u64(vu, VHOST_USER_GET_PROTOCOL_FEATURES, &proto);
	if (!ret)
		ret = vhost_user_set_u64(vu, VHOST_USER_SET_PROTOCOL_FEATURES,
					 proto & want_protocol);
	/* Only now: SET_PROTOCOL_FEATURES itself went without NEED_REPLY. */
	if (!ret)
		vu->protocol_features = proto & want_protocol;
	return ret;
}

int vhost_user_get_config(struct vhost_user *vu, void *buf, uint32_t size)
{
	const uint32_t head = offsetof(struct vhost_user_config, data);
	struct vhost_user_config c = { .offset = 0, .size = size };
	uint32_t got;
	int ret;

	if (size == 0 || size > VHOST_USER_CONFIG_MAX)
		return -EINVAL;
	if (vu->broken || vu->fd < 0)
		return -ENOTCONN;
	ret = vu_send(vu, VHOST_USER_GET_CONFIG, 0, &c, head + size, NULL, 0);
	if (!ret)
		ret = vu_recv(vu, VHOST_USER_GET_CONFIG, &c, head + size, &got);
	if (ret)
		return ret;
	if (got == 0) {
		/* A well-formed "no" (the spec's empty reply): still in step. */
		vu_report(vu, VHOST_USER_GET_CONFIG,
			  "the back-end refused to give %" PRIu32
			  " bytes of config space",
			  size);
		return -EREMOTEIO;
	}
	if (got != head + size || c.offset != 0 || c.size != size)
		return vu_fail(vu, VHOST_USER_GET_CONFIG, -EPROTO,
			       "a reply of %" PRIu32 " bytes for %" PRIu32
			       " at offset %" PRIu32 "; asked for %" PRIu32
			       " at 0",
			       got, got >= head ? c.size : 0,
			       got >= head ? c.offset : 0, size);
	memcpy(buf, c.data, size);
	return 0;
}

int vhost_user_set_mem_table(struct vhost_user *vu, const struct guest_mem *mem)
{
	struct vhost_user_mem_table t = { .nr_regions = mem->nr };
	int fds[VHOST_USER_MAX_REGIONS];

	if (mem->nr == 0 || mem->nr > VHOST_USER_MAX_REGIONS)
		return -EINVAL;
	for (unsigned int i = 0; i < mem->nr; i++) {
		const struct guest_mem_region *r = &mem->regions[i];

		if (r->fd < 0) {
			vu_report(
				vu, VHOST_USER_SET_MEM_TABLE,
				"guest RAM at 0x%" PRIx64
				" is not shared memory (no fd) that a back-end could map",
				r->gpa);
			return -EINVAL;
		}
		t.regions[i] = (struct vhost_user_region){
			.gpa = r->gpa,
			.size = r->size,
			.uaddr = (uint64_t)(uintptr_t)r->host,
			.mmap_offset = r->fd_offset,
		};
		fds[i] = r->fd;
	}
	return vu_request(
		vu, VHOST_USER_SET_MEM_TABLE, &t,
		(uint32_t)(offsetof(struct vhost_user_mem_table, regions) +
			   mem->nr * sizeof(t.regions[0])),
		fds, mem->nr);
}

int vhost_user_set_vring(struct vhost_user *vu, enum vhost_user_request req,
			 uint32_t index, uint32_t num)
{
	struct vhost_vring_state s = { .index = index, .num = num };

	return vu_request(vu, req, &s, sizeof(s), NULL, 0);
}

int vhost_user_set_vring_addr(struct vhost_user *vu,
			      const struct vhost_vring_addr *addr)
{
	return vu_request(vu, VHOST_USER_SET_VRING_ADDR, addr, sizeof(*addr),
			  NULL, 0);
}

int vhost_user_set_vring_fd(struct vhost_user *vu, enum vhost_user_request req,
			    uint32_t index, int fd)
{
	uint64_t v = index;

	if (index > VHOST_USER_VRING_INDEX_MASK)
		return -EINVAL;
	if (fd < 0)
		v |= VHOST_USER_VRING_NOFD;
	return vu_request(vu, req, &v, sizeof(v), &fd, fd < 0 ? 0 : 1);
}

int vhost_user_get_vring_base(struct vhost_user *vu, uint32_t index,
			      uint32_t *base)
{
	struct vhost_vring_state s = { .index = index };
	int ret = vu_query(vu, VHOST_USER_GET_VRING_BASE, &s, sizeof(s), &s,
			   sizeof(s));

	if (ret)
		return ret;
	if (s.index != index)
		return vu_fail(vu, VHOST_USER_GET_VRING_BASE, -EPROTO,
			       "the reply is about ring %u, not %" PRIu32,
			       s.index, index);
	*base = s.num;
	return 0;
}
