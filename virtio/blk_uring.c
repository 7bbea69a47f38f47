// SPDX-License-Identifier: MIT
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "virtio/blk_sync.h"
#include "virtio/blk_uring.h"
#include "vmm/base/seccomp.h"

/*
 * user_data of what is not a request (requests carry their slot's
 * address, never this small).
 */
enum {
	TAG_KICK = 1,
	TAG_STOP,
	TAG_CANCEL
};

/* The ring's registered files: every operation names one of these. */
enum {
	FILE_IMAGE,
	FILE_KICK,
	FILE_STOP,
	NR_FILES
};

/*
 * SQ entries: every slot's request plus the kick and stop reads and a
 * cancel fit in one batch. The CQ is twice that, so it never overflows.
 */
#define RING_ENTRIES (2 * VIRTIO_BLK_QUEUE_MAX)

static void count(atomic_uint_fast64_t *c, unsigned int n)
{
	atomic_fetch_add_explicit(c, n, memory_order_relaxed);
}

/*
 * Room in the SQ. Cannot run out (see RING_ENTRIES), but if it did,
 * submitting what is queued makes room.
 */
static struct io_uring_sqe *sqe_get(struct blk_uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (!sqe && io_uring_submit(&u->ring) >= 0)
		sqe = io_uring_get_sqe(&u->ring);
	return sqe;
}

static struct blk_slot *slot_get(struct blk_uring *u)
{
	struct blk_slot *s = u->free;

	u->free = s->next_free;
	return s;
}

static void slot_put(struct blk_uring *u, struct blk_slot *s)
{
	s->next_free = u->free;
	u->free = s;
	if (u->out_of_slots) {
		u->out_of_slots = false;
		u->want_drain = true;
	}
}

/* An eventfd read of 8 bytes into @buf from registered @file, tagged @tag. */
static bool arm_read(struct blk_uring *u, int file, uint64_t *buf, uint64_t tag)
{
	struct io_uring_sqe *sqe = sqe_get(u);

	if (!sqe)
		return false;
	io_uring_prep_read(sqe, file, buf, sizeof(*buf), 0);
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, tag);
	u->waits_in_flight++;
	return true;
}

/* Answers @s to the driver; before the stop only. */
static void request_push(struct blk_uring *u, struct blk_slot *s, int res)
{
	uint32_t len = blk_req_finish(&s->req, res);

	/* Counted first: whoever sees the used entry sees the count. */
	count(&u->requests, 1);
	if (virtq_push(u->vq, s->head, len) == 0)
		u->pushed = true;
}

static void request_done(struct blk_uring *u, struct blk_slot *s, int res);

/* io=sync: the request runs now and is answered as its completion is. */
static void request_run_now(struct blk_uring *u, struct blk_slot *s)
{
	int res = blk_sync_io(u->file_fd, &s->req, u->write_through);

	u->in_flight++;
	if (s->req.op == BLK_OP_WRITE)
		u->writes_in_flight++;
	request_done(u, s, res);
}

/* Hands @s's I/O to io_uring, for the next submit (or runs it now). */
static void request_submit(struct blk_uring *u, struct blk_slot *s)
{
	struct io_uring_sqe *sqe;
	struct blk_req *r = &s->req;

	if (u->sync_io) {
		request_run_now(u, s);
		return;
	}
	sqe = sqe_get(u);
	if (!sqe) {
		request_push(u, s, -EAGAIN);
		slot_put(u, s);
		return;
	}
	if (r->op == BLK_OP_READ) {
		io_uring_prep_readv(sqe, FILE_IMAGE, r->iov, r->nr_iov,
				    r->offset);
	} else if (r->op == BLK_OP_WRITE) {
		io_uring_prep_writev2(sqe, FILE_IMAGE, r->iov, r->nr_iov,
				      r->offset,
				      u->write_through ? RWF_DSYNC : 0);
		u->writes_in_flight++;
	} else {
		io_uring_prep_fsync(sqe, FILE_IMAGE, IORING_FSYNC_DATASYNC);
	}
	sqe->flags |= IOSQE_FIXED_FILE;
	io_uring_sqe_set_data64(sqe, (uintptr_t)s);
	u->in_flight++;
	u->batch++;
}

/* A chain the device cannot answer: DEVICE_NEEDS_RESET, pop no more. */
static void queue_fail(struct blk_uring *u, int err, const char *why)
{
	u->queue_dead = true;
	virtio_mmio_queue_error(u->dev, 0, err, why);
}

static void serve(struct blk_uring *u, uint16_t head)
{
	struct blk_slot *s = slot_get(u);
	const char *why;
	int ret;

	s->head = head;
	ret = blk_req_parse(u->disk, &u->chain, &s->req, &why);
	if (ret) {
		slot_put(u, s);
		queue_fail(u, ret, why);
		return;
	}
	if (s->req.op == BLK_OP_DONE) {
		request_push(u, s, 0);
		slot_put(u, s);
	} else if (s->req.op == BLK_OP_FLUSH && u->writes_in_flight) {
		u->parked_flush = s;
	} else {
		request_submit(u, s);
	}
}

/* The next chain, or -EBUSY when the device must wait for completions. */
static int pop(struct blk_uring *u)
{
	if (u->queue_dead || u->parked_flush)
		return -EBUSY;
	if (!u->free) {
		u->out_of_slots = true;
		return -EBUSY;
	}
	return virtq_pop(u->vq, &u->chain);
}

/* queue.h's loop: pop until empty with kicks enabled, or until blocked. */
static void drain(struct blk_uring *u)
{
	int head;

	u->want_drain = false;
	for (;;) {
		virtq_disable_notify(u->vq);
		while ((head = pop(u)) >= 0)
			serve(u, (uint16_t)head);
		if (head == -EBUSY)
			return; /* a completion sets want_drain again */
		if (head != -EAGAIN) {
			queue_fail(u, head, u->chain.why);
			return;
		}
		if (!virtq_enable_notify(u->vq))
			return;
	}
}

static void request_done(struct blk_uring *u, struct blk_slot *s, int res)
{
	u->in_flight--;
	if (s->req.op == BLK_OP_WRITE)
		u->writes_in_flight--;
	if (!u->stopping)
		request_push(u, s, res);
	slot_put(u, s);
	if (u->parked_flush && !u->writes_in_flight && !u->stopping) {
		request_submit(u, u->parked_flush);
		u->parked_flush = NULL;
		u->want_drain = true;
	}
}

static void kick_done(struct blk_uring *u, int res)
{
	u->kick_armed = false;
	if (res == sizeof(u->kick_buf)) {
		u->want_drain = true;
		return;
	}
	if (u->stopping || res == -ECANCELED || res == -EINTR)
		return;
	u->kick_broken = true;
	queue_fail(u, res < 0 ? res : -EIO, "reading its kick eventfd failed");
}

/*
 * The stop eventfd fired: no more pops or pushes; cancel the kick read.
 * Should no SQE be had, a kick of our own completes that read instead.
 */
static void stop_begin(struct blk_uring *u)
{
	struct io_uring_sqe *sqe;

	u->stopping = true;
	u->parked_flush = NULL;
	if (!u->kick_armed)
		return;
	sqe = sqe_get(u);
	if (!sqe) {
		eventfd_write(u->kick_fd, 1);
		return;
	}
	io_uring_prep_cancel64(sqe, TAG_KICK, 0);
	sqe->flags |= IOSQE_FIXED_FILE; /* the ring demands it of every SQE */
	io_uring_sqe_set_data64(sqe, TAG_CANCEL);
	u->waits_in_flight++;
}

static void completion(struct blk_uring *u, uint64_t tag, int res)
{
	switch (tag) {
	case TAG_KICK:
		u->waits_in_flight--;
		kick_done(u, res);
		break;
	case TAG_STOP:
		u->waits_in_flight--;
		stop_begin(u);
		break;
	case TAG_CANCEL:
		u->waits_in_flight--;
		break;
	default:
		request_done(u, (struct blk_slot *)(uintptr_t)tag, res);
	}
}

/* Every completion in the CQ, without a syscall. */
static void reap(struct blk_uring *u)
{
	struct io_uring_cqe *cqe;
	unsigned int head, n = 0;

	io_uring_for_each_cqe(&u->ring, head, cqe)
	{
		completion(u, cqe->user_data, cqe->res);
		n++;
	}
	io_uring_cq_advance(&u->ring, n);
}

/* One interrupt for all that was pushed since the last one, if wanted. */
static void notify(struct blk_uring *u)
{
	if (!u->pushed || u->stopping)
		return;
	u->pushed = false;
	if (virtq_needs_notify(u->vq)) {
		virtio_mmio_signal_used(u->dev);
		count(&u->interrupts, 1);
	}
}

/*
 * Submits what was prepared and, when the CQ is empty, sleeps for a
 * completion: one io_uring_enter for both. Returns 0, or -errno when the
 * ring failed for good.
 */
static int submit_and_wait(struct blk_uring *u)
{
	unsigned int wait_nr = io_uring_cq_ready(&u->ring) ? 0 : 1;
	int ret;

	if (u->batch) {
		count(&u->batches, 1);
		u->batch = 0;
	}
	ret = io_uring_submit_and_wait(&u->ring, wait_nr);
	if (ret >= 0 || ret == -EINTR || ret == -EAGAIN || ret == -EBUSY)
		return 0;
	return ret;
}

static bool finished(const struct blk_uring *u)
{
	return u->stopping && !u->in_flight && !u->waits_in_flight;
}

/*
 * The ring failed (cannot happen short of a kernel bug): say so, mark the
 * device broken, and wait for the stop without io_uring.
 */
static void ring_failed(struct blk_uring *u, int err)
{
	queue_fail(u, err, "its io_uring failed");
	while (!atomic_load(&u->stop_requested))
		usleep(10000);
}

static uint64_t cpu_clock_ns(clockid_t clock)
{
	struct timespec t;

	if (clock_gettime(clock, &t))
		return 0;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

uint64_t blk_uring_cpu_ns(const struct blk_uring *u)
{
	uint64_t ns = atomic_load(&u->cpu_ns_ended);
	clockid_t clock;

	if (u->running && !pthread_getcpuclockid(u->thread, &clock))
		ns += cpu_clock_ns(clock);
	return ns;
}

static void run_ring(struct blk_uring *u)
{
	int ret;

	if (!arm_read(u, FILE_STOP, &u->stop_buf, TAG_STOP)) {
		ring_failed(u, -EBUSY);
		return;
	}
	u->want_drain = true; /* buffers may predate DRIVER_OK's start */
	while (!finished(u)) {
		if (!u->stopping && !u->kick_armed && !u->kick_broken)
			u->kick_armed =
				arm_read(u, FILE_KICK, &u->kick_buf, TAG_KICK);
		if (!u->stopping && u->want_drain)
			drain(u);
		notify(u);
		ret = submit_and_wait(u);
		if (ret) {
			ring_failed(u, ret);
			break;
		}
		reap(u);
	}
}

static void *blk_uring_main(void *arg)
{
	struct blk_uring *u = arg;

	/* Started by a vCPU thread (DRIVER_OK): its list, narrowed. */
	if (seccomp_confine(SECCOMP_BLK, u->seccomp))
		tv_err("virtio-blk: its I/O thread runs under the device manager's seccomp list");
	run_ring(u);
	atomic_fetch_add(&u->cpu_ns_ended,
			 cpu_clock_ns(CLOCK_THREAD_CPUTIME_ID));
	return NULL;
}

/* Soft limit @resource for a message: "N" @unit_name, or "unlimited". */
static const char *limit_str(int resource, unsigned long long unit,
			     const char *unit_name, char *buf, size_t len)
{
	struct rlimit r;

	if (getrlimit(resource, &r) || r.rlim_cur == RLIM_INFINITY)
		snprintf(buf, len, "unlimited");
	else
		snprintf(buf, len, "%llu%s",
			 (unsigned long long)r.rlim_cur / unit, unit_name);
	return buf;
}

const char *blk_uring_setup_hint(int err, char *buf, size_t len)
{
	char lim[32];

	switch (err) {
	case -ENOMEM:
		/* Since 5.12 the rings are charged to the memory cgroup. */
		snprintf(
			buf, len,
			"; the host or this process's memory cgroup is out of memory, or, on kernels before 5.12 (which charge io_uring rings to locked memory), RLIMIT_MEMLOCK is too low (ulimit -l: %s)",
			limit_str(RLIMIT_MEMLOCK, 1024, " KiB", lim,
				  sizeof(lim)));
		break;
	case -EMFILE:
		snprintf(buf, len, "; RLIMIT_NOFILE (ulimit -n) is %s",
			 limit_str(RLIMIT_NOFILE, 1, "", lim, sizeof(lim)));
		break;
	case -EPERM:
		snprintf(
			buf, len,
			"; io_uring is not allowed here (sysctl kernel.io_uring_disabled, or a seccomp or container policy)");
		break;
	case -ENOSYS:
		snprintf(buf, len, "; this kernel has no io_uring");
		break;
	default:
		snprintf(buf, len, "%s", "");
	}
	return buf;
}

/*
 * io_uring_register(2) itself: Debian's liburing 2.3 declares
 * io_uring_register_restrictions() and io_uring_enable_rings() but its
 * library does not export them.
 */
static int ring_register(struct io_uring *ring, unsigned int opcode, void *arg,
			 unsigned int nr_args)
{
	if (syscall(__NR_io_uring_register, ring->ring_fd, opcode, arg,
		    nr_args) < 0)
		return -errno;
	return 0;
}

/*
 * Seccomp sees io_uring_enter(), not the operations the ring carries: a
 * thread taken over could open, connect or read any fd through it. So
 * before the ring runs it is limited to what the dataplane asks: reads,
 * writes and fsyncs of its three registered files, and cancels. Plain
 * fds, other opcodes and further register calls then fail with EACCES.
 */
static int ring_restrict(struct blk_uring *u, const char *name, int file_fd)
{
	static const uint8_t ops[] = {
		IORING_OP_READV, IORING_OP_WRITEV,	 IORING_OP_FSYNC,
		IORING_OP_READ,	 IORING_OP_ASYNC_CANCEL,
	};
	struct io_uring_restriction res[sizeof(ops) + 1];
	int files[NR_FILES];
	int ret;

	files[FILE_IMAGE] = file_fd;
	files[FILE_KICK] = u->kick_fd;
	files[FILE_STOP] = u->stop_fd;
	ret = io_uring_register_files(&u->ring, files, NR_FILES);
	if (ret) {
		tv_errno(
			ret,
			"virtio-blk %s: registering the image and eventfds with io_uring",
			name);
		return ret;
	}
	memset(res, 0, sizeof(res));
	for (size_t i = 0; i < sizeof(ops); i++) {
		res[i].opcode = IORING_RESTRICTION_SQE_OP;
		res[i].sqe_op = ops[i];
	}
	res[sizeof(ops)].opcode = IORING_RESTRICTION_SQE_FLAGS_REQUIRED;
	res[sizeof(ops)].sqe_flags = IOSQE_FIXED_FILE;
	ret = ring_register(&u->ring, IORING_REGISTER_RESTRICTIONS, res,
			    sizeof(ops) + 1);
	if (ret) {
		tv_errno(
			ret,
			"virtio-blk %s: restricting its io_uring (IORING_REGISTER_RESTRICTIONS, Linux 5.10 or later)",
			name);
		return ret;
	}
	ret = ring_register(&u->ring, IORING_REGISTER_ENABLE_RINGS, NULL, 0);
	if (ret)
		tv_errno(ret, "virtio-blk %s: enabling its restricted io_uring",
			 name);
	return ret;
}

int blk_uring_init(struct blk_uring *u, const char *name,
		   struct virtio_mmio_dev *dev, const struct blk_disk *disk,
		   int file_fd, bool sync_io, int kick_fd,
		   const struct seccomp_policy *seccomp)
{
	char hint[200];
	int ret;

	memset(u, 0, sizeof(*u));
	u->dev = dev;
	u->seccomp = seccomp;
	u->disk = disk;
	u->file_fd = file_fd;
	u->sync_io = sync_io;
	u->kick_fd = kick_fd;
	u->stop_fd = -1;
	u->slots = calloc(VIRTIO_BLK_QUEUE_MAX, sizeof(*u->slots));
	if (!u->slots) {
		ret = -ENOMEM;
		tv_errno(ret, "virtio-blk %s: allocating its request state",
			 name);
		goto err_free;
	}
	u->stop_fd = eventfd(0, EFD_CLOEXEC);
	if (u->stop_fd < 0) {
		ret = -errno;
		tv_err("virtio-blk %s: creating its stop eventfd: %s%s", name,
		       strerror(-ret),
		       blk_uring_setup_hint(ret, hint, sizeof(hint)));
		goto err_free;
	}
	/* Disabled until ring_restrict() has fixed what it may do. */
	ret = io_uring_queue_init(RING_ENTRIES, &u->ring,
				  IORING_SETUP_R_DISABLED);
	if (ret) {
		tv_err("virtio-blk %s: creating its io_uring (%u entries): %s%s",
		       name, RING_ENTRIES, strerror(-ret),
		       blk_uring_setup_hint(ret, hint, sizeof(hint)));
		goto err_free;
	}
	ret = ring_restrict(u, name, file_fd);
	if (ret) {
		io_uring_queue_exit(&u->ring);
		goto err_free;
	}
	return 0;

err_free:
	if (u->stop_fd >= 0)
		close(u->stop_fd);
	free(u->slots);
	return ret;
}

void blk_uring_fini(struct blk_uring *u)
{
	io_uring_queue_exit(&u->ring);
	close(u->stop_fd);
	free(u->slots);
}

/* Fresh thread state: every slot free, nothing armed or in flight. */
static void state_reset(struct blk_uring *u, struct virtq *vq,
			bool write_through)
{
	u->vq = vq;
	u->write_through = write_through;
	u->chain = (struct virtq_chain){ .seg = u->seg,
					 .max_seg = BLK_REQ_MAX_SEG };
	u->free = NULL;
	for (unsigned int i = VIRTIO_BLK_QUEUE_MAX; i > 0; i--) {
		u->slots[i - 1].next_free = u->free;
		u->free = &u->slots[i - 1];
	}
	u->parked_flush = NULL;
	u->in_flight = u->writes_in_flight = u->waits_in_flight = 0;
	u->batch = 0;
	u->kick_armed = u->kick_broken = u->stopping = false;
	u->want_drain = u->out_of_slots = u->queue_dead = u->pushed = false;
	atomic_store(&u->stop_requested, false);
}

int blk_uring_start(struct blk_uring *u, struct virtq *vq, bool write_through)
{
	sigset_t all, old;
	int ret;

	state_reset(u, vq, write_through);
	/* The thread takes no signals: they belong to the vCPUs and main. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&u->thread, NULL, blk_uring_main, u);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret)
		return -ret;
	u->running = true;
	return 0;
}

void blk_uring_stop(struct blk_uring *u)
{
	if (!u->running)
		return;
	atomic_store(&u->stop_requested, true);
	while (eventfd_write(u->stop_fd, 1) < 0 && errno == EINTR)
		;
	pthread_join(u->thread, NULL);
	u->running = false;
}
