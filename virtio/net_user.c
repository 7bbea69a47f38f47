// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/virtio_net.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/uio.h>
#include <unistd.h>

#include "virtio/net_user.h"
#include "vmm/base/seccomp.h"

#define RXQ 0
#define TXQ 1
#define HDR_LEN ((uint32_t)sizeof(struct virtio_net_hdr_mrg_rxbuf))
#define NUM_BUFFERS_OFF offsetof(struct virtio_net_hdr_mrg_rxbuf, num_buffers)
/* Chains one direction serves before the other gets a turn. */
#define BUDGET 64
/*
 * Segments per chain: as many as a valid chain can have (a direct chain
 * is at most the queue size, an indirect table VIRTQ_MAX_INDIRECT), so
 * no valid chain fails with -E2BIG. Also IOV_MAX, readv()'s limit.
 */
#define MAX_SEG VIRTQ_MAX_SIZE

enum ev_tag {
	EV_RX_KICK = RXQ,
	EV_TX_KICK = TXQ,
	EV_FD,
	EV_STOP
};

/* What one receive step came to. */
enum rx_step {
	RX_READY,      /* internal: a chain is held, go on */
	RX_DELIVERED,  /* a packet reached the guest */
	RX_DROPPED,    /* a packet was dropped; the chain is kept */
	RX_NO_PACKET,  /* the fd is empty: wait for it */
	RX_NO_BUFFERS, /* no receive chain: wait for a kick */
	RX_STOPPED,    /* receiving is over until a reset (or for good) */
};

struct rx_state {
	struct virtq_chain chain;
	struct virtq_seg seg[MAX_SEG];
	bool held;		   /* a chain popped, not filled yet */
	struct iovec iov[MAX_SEG]; /* its buffers, then bounce[] */
	unsigned int iovcnt;
	uint32_t room; /* bytes of iov[] inside the chain */
	/* A packet being spread over chains: bounce[rest_off..rest) to go. */
	struct virtq_used_chain used[VIRTQ_MAX_SIZE];
	unsigned int nr_used; /* 0: none in progress */
	uint32_t rest, rest_off;
	uint8_t *num_buffers[2]; /* its header's num_buffers bytes */
};

struct tx_state {
	struct virtq_chain chain;
	struct virtq_seg seg[MAX_SEG];
	struct iovec iov[MAX_SEG];
};

struct net_user {
	struct virtio_mmio_dev *dev;
	const struct seccomp_policy *seccomp; /* the thread confines by it */
	int fd, kick_fd[2], stop_fd, epoll_fd;
	pthread_t thread;
	bool running;
	bool fd_dead;	/* hung up or failed: never read again */
	bool fd_polled; /* EPOLLIN on fd */
	/*
	 * One line per device about failing writes, not per start: a guest
	 * that resets and sends again must not get a line each time.
	 */
	bool tx_reported;
	/* Set by net_user_start(); then the thread's own. NULL: not served. */
	struct virtq *rxq, *txq;
	bool mrg_rxbuf;
	struct rx_state rx;
	struct tx_state tx;
	uint8_t bounce[NET_USER_MAX_PACKET];
	atomic_uint_fast64_t rx_packets, tx_packets, rx_dropped, tx_dropped;
};

static void count(atomic_uint_fast64_t *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static void fd_poll(struct net_user *u, bool on)
{
	struct epoll_event ev = { .events = on ? EPOLLIN : 0,
				  .data.u32 = EV_FD };

	if (u->fd_polled != on &&
	    !epoll_ctl(u->epoll_fd, EPOLL_CTL_MOD, u->fd, &ev))
		u->fd_polled = on;
}

/* The packet fd hung up or failed: say so once and stop receiving. */
static enum rx_step fd_gone(struct net_user *u, const char *what)
{
	tv_err("%s at 0x%" PRIx64 ": its tap %s; receiving stopped",
	       u->dev->cfg.name, u->dev->base, what);
	epoll_ctl(u->epoll_fd, EPOLL_CTL_DEL, u->fd, NULL);
	u->fd_dead = true;
	u->rxq = NULL;
	return RX_STOPPED;
}

/* The driver broke the receive queue: DEVICE_NEEDS_RESET. */
static enum rx_step rx_stop(struct net_user *u, int err, const char *why)
{
	virtio_mmio_queue_error(u->dev, RXQ, err, why);
	u->rxq = NULL;
	return RX_STOPPED;
}

/* Pops a chain; when there is none, asks for a kick and looks once more. */
static int pop_or_arm(struct virtq *vq, struct virtq_chain *c)
{
	int head = virtq_pop(vq, c);

	if (head != -EAGAIN || !virtq_enable_notify(vq))
		return head;
	virtq_disable_notify(vq);
	return virtq_pop(vq, c);
}

/*
 * The device-writable buffers of @c as at most @max iovec entries and
 * @limit bytes; the byte count goes to *@bytes.
 */
static unsigned int chain_iov(const struct virtq_chain *c, struct iovec *iov,
			      unsigned int max, uint32_t limit, uint32_t *bytes)
{
	const struct virtq_seg *s = c->seg + c->nr_readable;
	uint32_t total = 0, len;
	unsigned int n = 0;

	for (unsigned int i = 0; i < c->nr_writable && n < max && total < limit;
	     i++) {
		len = s[i].len < limit - total ? s[i].len : limit - total;
		iov[n++] = (struct iovec){ s[i].addr, len };
		total += len;
	}
	*bytes = total;
	return n;
}

/* The byte at offset @off of @iov, which the caller knows is inside. */
static uint8_t *iov_byte(const struct iovec *iov, size_t off)
{
	while (off >= iov->iov_len)
		off -= (iov++)->iov_len;
	return (uint8_t *)iov->iov_base + off;
}

static void iov_fill(const struct iovec *iov, unsigned int cnt,
		     const uint8_t *src)
{
	for (unsigned int i = 0; i < cnt; i++) {
		memcpy(iov[i].iov_base, src, iov[i].iov_len);
		src += iov[i].iov_len;
	}
}

/*
 * Holds a receive chain: its buffers in rx.iov, then as much of bounce[]
 * as a packet of NET_USER_MAX_PACKET may need.
 */
static enum rx_step rx_hold(struct net_user *u)
{
	struct rx_state *rx = &u->rx;
	int head;

	if (rx->held)
		return RX_READY;
	head = pop_or_arm(u->rxq, &rx->chain);
	if (head == -EAGAIN)
		return RX_NO_BUFFERS;
	if (head < 0)
		return rx_stop(u, head, rx->chain.why);
	rx->iovcnt = chain_iov(&rx->chain, rx->iov, MAX_SEG - 1,
			       NET_USER_MAX_PACKET, &rx->room);
	/* Spec 5.1.6.3.1: every receive buffer holds at least the header. */
	if (rx->room < HDR_LEN)
		return rx_stop(
			u, -EINVAL,
			"receive buffer smaller than the 12-byte virtio-net header");
	if (rx->room < NET_USER_MAX_PACKET)
		rx->iov[rx->iovcnt++] =
			(struct iovec){ u->bounce,
					NET_USER_MAX_PACKET - rx->room };
	rx->held = true;
	return RX_READY;
}

/*
 * Finishes the packet in progress: the part still in bounce[] goes into
 * further chains, then num_buffers is set and all its chains are pushed
 * together (spec 5.1.6.4.2).
 */
static enum rx_step rx_merge(struct net_user *u)
{
	struct rx_state *rx = &u->rx;
	uint32_t room;
	unsigned int cnt;
	int head, ret;

	while (rx->rest_off < rx->rest) {
		if (rx->nr_used == u->rxq->size)
			return rx_stop(
				u, -E2BIG,
				"a packet needs more receive buffers than the queue holds");
		head = pop_or_arm(u->rxq, &rx->chain);
		if (head == -EAGAIN)
			return RX_NO_BUFFERS;
		if (head < 0)
			return rx_stop(u, head, rx->chain.why);
		cnt = chain_iov(&rx->chain, rx->iov, MAX_SEG,
				rx->rest - rx->rest_off, &room);
		iov_fill(rx->iov, cnt, u->bounce + rx->rest_off);
		rx->used[rx->nr_used++] =
			(struct virtq_used_chain){ (uint16_t)head, room };
		rx->rest_off += room;
	}
	/* Little-endian, and possibly split across two buffers. */
	*rx->num_buffers[0] = (uint8_t)rx->nr_used;
	*rx->num_buffers[1] = (uint8_t)(rx->nr_used >> 8);
	ret = virtq_push_batch(u->rxq, rx->used, rx->nr_used);
	rx->nr_used = 0;
	if (ret)
		return rx_stop(u, ret, "returning receive buffers");
	count(&u->rx_packets);
	return RX_DELIVERED;
}

/* @len bytes arrived in the held chain (and bounce[] past rx.room). */
static enum rx_step rx_deliver(struct net_user *u, uint32_t len)
{
	struct rx_state *rx = &u->rx;

	/*
	 * Too short for a header; cut by the read (a tap returns the whole
	 * packet's length); or too big for a chain it cannot leave.
	 */
	if (len < HDR_LEN || len > NET_USER_MAX_PACKET ||
	    (len > rx->room && !u->mrg_rxbuf)) {
		count(&u->rx_dropped);
		return RX_DROPPED;
	}
	rx->held = false;
	rx->used[0] =
		(struct virtq_used_chain){ rx->chain.head,
					   len < rx->room ? len : rx->room };
	rx->nr_used = 1;
	rx->num_buffers[0] = iov_byte(rx->iov, NUM_BUFFERS_OFF);
	rx->num_buffers[1] = iov_byte(rx->iov, NUM_BUFFERS_OFF + 1);
	rx->rest = len > rx->room ? len - rx->room : 0;
	rx->rest_off = 0;
	return rx_merge(u);
}

static enum rx_step rx_one(struct net_user *u)
{
	enum rx_step step;
	ssize_t n;

	if (u->rx.nr_used)
		return rx_merge(u);
	step = rx_hold(u);
	if (step != RX_READY)
		return step;
	do
		n = readv(u->fd, u->rx.iov, (int)u->rx.iovcnt);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno == EAGAIN)
		return RX_NO_PACKET;
	if (n < 0)
		return fd_gone(u, strerror(errno));
	return rx_deliver(u, (uint32_t)n);
}

/* Returns true when it stopped for its budget with work left. */
static bool rx_run(struct net_user *u)
{
	enum rx_step step = RX_NO_PACKET;
	struct virtq *vq = u->rxq;

	if (!vq)
		return false;
	for (unsigned int i = 0; i < BUDGET; i++) {
		step = rx_one(u);
		if (step != RX_DELIVERED && step != RX_DROPPED)
			break;
	}
	/*
	 * Read the fd only while a chain can take what it holds: a readable
	 * fd nobody reads would wake the thread again and again.
	 */
	if (!u->fd_dead)
		fd_poll(u, u->rxq && step != RX_NO_BUFFERS);
	if (virtq_needs_notify(vq))
		virtio_mmio_signal_used(u->dev);
	return step == RX_DELIVERED || step == RX_DROPPED;
}

static void tx_failed(struct net_user *u, int err)
{
	count(&u->tx_dropped);
	if (u->tx_reported)
		return;
	u->tx_reported = true;
	tv_errno(err,
		 "%s at 0x%" PRIx64
		 ": writing a packet to its tap (dropped; not reporting more)",
		 u->dev->cfg.name, u->dev->base);
}

/* One chain's device-readable buffers, header first, as one packet. */
static void tx_send(struct net_user *u, const struct virtq_chain *c)
{
	ssize_t n;

	if (c->readable_len < HDR_LEN ||
	    c->readable_len > NET_USER_MAX_PACKET) {
		count(&u->tx_dropped);
		return;
	}
	for (unsigned int i = 0; i < c->nr_readable; i++)
		u->tx.iov[i] = (struct iovec){ c->seg[i].addr, c->seg[i].len };
	do
		n = writev(u->fd, u->tx.iov, (int)c->nr_readable);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		tx_failed(u, -errno);
	else
		count(&u->tx_packets);
}

/* queue.h's loop, with a budget; true when it ran out with work left. */
static bool tx_run(struct net_user *u)
{
	struct virtq *vq = u->txq;
	unsigned int budget = BUDGET;
	int head = -EAGAIN;

	if (!vq)
		return false;
	do {
		virtq_disable_notify(vq);
		while (budget && (head = virtq_pop(vq, &u->tx.chain)) >= 0) {
			tx_send(u, &u->tx.chain);
			head = virtq_push(vq, (uint16_t)head, 0);
			if (head)
				break;
			budget--;
		}
		if (!budget)
			break;
		if (head != -EAGAIN) {
			virtio_mmio_queue_error(u->dev, TXQ, head,
						u->tx.chain.why);
			u->txq = NULL;
			break;
		}
	} while (virtq_enable_notify(vq));
	if (virtq_needs_notify(vq))
		virtio_mmio_signal_used(u->dev);
	return budget == 0;
}

static void *net_user_thread(void *arg)
{
	struct net_user *u = arg;
	struct epoll_event ev[4];
	bool more = true; /* the first pass serves what came before the start */
	eventfd_t v;
	int n;

	/* By prctl(): naming another thread opens a /proc file. */
	pthread_setname_np(pthread_self(), "tinyvmm-net");
	/* Started by a vCPU thread (DRIVER_OK): its list, narrowed. */
	if (seccomp_confine(SECCOMP_NET, u->seccomp))
		tv_err("%s: its I/O thread runs under the device manager's seccomp list",
		       u->dev->cfg.name);
	for (;;) {
		bool rx = more, tx = more;

		n = epoll_wait(u->epoll_fd, ev, 4, more ? 0 : -1);
		if (n < 0 && errno != EINTR) {
			tv_errno(errno,
				 "%s at 0x%" PRIx64
				 ": its dataplane's epoll_wait; stopped",
				 u->dev->cfg.name, u->dev->base);
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			switch (ev[i].data.u32) {
			case EV_STOP:
				return NULL;
			case EV_RX_KICK:
			case EV_TX_KICK:
				eventfd_read(u->kick_fd[ev[i].data.u32], &v);
				rx |= ev[i].data.u32 == EV_RX_KICK;
				tx |= ev[i].data.u32 == EV_TX_KICK;
				break;
			case EV_FD:
				if (ev[i].events & (EPOLLERR | EPOLLHUP))
					fd_gone(u, "hung up");
				rx = true;
				break;
			}
		}
		more = tx && tx_run(u);
		more = (rx && rx_run(u)) || more;
	}
}

static int watch(struct net_user *u, int fd, uint32_t events, uint32_t tag)
{
	struct epoll_event ev = { .events = events, .data.u32 = tag };

	return epoll_ctl(u->epoll_fd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

static int net_user_fds(struct net_user *u, int fd, const int kick_fds[2])
{
	int flags = fcntl(fd, F_GETFL), ret;

	if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK))
		return -errno;
	u->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (u->epoll_fd < 0)
		return -errno;
	u->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (u->stop_fd < 0)
		return -errno;
	ret = watch(u, u->stop_fd, EPOLLIN, EV_STOP);
	for (unsigned int q = 0; !ret && q < 2; q++)
		ret = watch(u, kick_fds[q], EPOLLIN, q);
	return ret ? ret : watch(u, fd, 0, EV_FD);
}

int net_user_create(struct virtio_mmio_dev *dev, int fd, const int kick_fds[2],
		    const struct seccomp_policy *seccomp, struct net_user **out)
{
	struct net_user *u = calloc(1, sizeof(*u));
	int ret;

	*out = NULL;
	if (!u) {
		tv_err("%s: no memory for its dataplane", dev->cfg.name);
		return -ENOMEM;
	}
	u->dev = dev;
	u->seccomp = seccomp;
	u->fd = fd;
	u->kick_fd[RXQ] = kick_fds[RXQ];
	u->kick_fd[TXQ] = kick_fds[TXQ];
	u->stop_fd = u->epoll_fd = -1;
	u->rx.chain =
		(struct virtq_chain){ .seg = u->rx.seg, .max_seg = MAX_SEG };
	u->tx.chain =
		(struct virtq_chain){ .seg = u->tx.seg, .max_seg = MAX_SEG };
	ret = net_user_fds(u, fd, kick_fds);
	if (ret) {
		tv_errno(ret, "%s: setting up its dataplane's fds",
			 dev->cfg.name);
		net_user_destroy(u);
		return ret;
	}
	*out = u;
	return 0;
}

int net_user_start(struct net_user *u, uint64_t features)
{
	sigset_t all, old;
	int ret;

	if (u->running)
		return 0;
	u->rxq = u->fd_dead ? NULL : virtio_mmio_queue(u->dev, RXQ);
	u->txq = virtio_mmio_queue(u->dev, TXQ);
	u->mrg_rxbuf = features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	u->rx.held = false;
	u->rx.nr_used = 0;
	/* Receive kicks only when the thread runs out of chains. */
	if (u->rxq)
		virtq_disable_notify(u->rxq);
	else if (!u->fd_dead)
		fd_poll(u, false);
	/* Signals are for vCPU threads: this one takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&u->thread, NULL, net_user_thread, u);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		tv_errno(ret,
			 "%s at 0x%" PRIx64 ": starting its dataplane thread",
			 u->dev->cfg.name, u->dev->base);
		return -ret;
	}
	u->running = true;
	return 0;
}

void net_user_stop(struct net_user *u)
{
	eventfd_t v;

	if (!u->running)
		return;
	eventfd_write(u->stop_fd, 1);
	pthread_join(u->thread, NULL);
	eventfd_read(u->stop_fd, &v);
	u->running = false;
	u->rxq = u->txq = NULL;
}

void net_user_destroy(struct net_user *u)
{
	if (!u)
		return;
	net_user_stop(u);
	if (u->epoll_fd >= 0)
		close(u->epoll_fd);
	if (u->stop_fd >= 0)
		close(u->stop_fd);
	free(u);
}

void net_user_get_stats(const struct net_user *u, struct net_user_stats *out)
{
	out->rx_packets = atomic_load(&u->rx_packets);
	out->tx_packets = atomic_load(&u->tx_packets);
	out->rx_dropped = atomic_load(&u->rx_dropped);
	out->tx_dropped = atomic_load(&u->tx_dropped);
}
