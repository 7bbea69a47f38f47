/* SPDX-License-Identifier: MIT */
/*
 * virtio-blk's dataplane: one thread, one io_uring. The thread waits in
 * io_uring for the queue's kick eventfd (an IORING_OP_READ, re-armed), a
 * stop eventfd, and the completions of its file I/O, all at once. Each
 * wake-up it reaps every completion in the CQ without a syscall, drains
 * the virtqueue (queue.h's loop, so no kick is lost) into requests, and
 * submits the whole batch with one io_uring_enter, which is also the
 * call that sleeps when the CQ is empty.
 *
 * Ordering. A FLUSH is held back, and popping with it, until every write
 * popped before it has completed; then its fsync is submitted and popping
 * resumes. (IOSQE_IO_DRAIN would order it after the always-pending kick
 * read too, so the flush would wait for the guest's next kick.)
 *
 * Threads. blk_uring_start() and blk_uring_stop() are the transport's,
 * called under its lock (activate and reset); everything else in the
 * struct between them belongs to the thread. Stop contract: see blk.h.
 */
#ifndef TINYVMM_VIRTIO_BLK_URING_H
#define TINYVMM_VIRTIO_BLK_URING_H

#include <liburing.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "virtio/blk_req.h"
#include "vmm/base/log.h"
#include "virtio/mmio.h"

/* One request's state, preallocated; free ones form a list. */
struct blk_slot {
	struct blk_req req;
	uint16_t head;
	struct blk_slot *next_free;
};

struct blk_uring {
	/* Set by blk_uring_init(), constant until blk_uring_fini(). */
	struct io_uring ring; /* the image is its registered file 0 */
	int file_fd;	      /* the caller's: the image */
	int kick_fd;	      /* the caller's */
	bool sync_io;	      /* requests run on the thread (blk_sync.h) */
	int stop_fd;	      /* ours: blk_uring_stop() writes it */
	struct virtio_mmio_dev *dev;
	const struct blk_disk *disk;
	struct blk_slot *slots;		      /* VIRTIO_BLK_QUEUE_MAX of them */
	const struct seccomp_policy *seccomp; /* the thread confines by it */

	/* The transport's, under its lock. */
	pthread_t thread;
	bool running;
	atomic_bool stop_requested; /* the thread looks only if its ring failed */

	/* The thread's, reset by blk_uring_start(). */
	struct virtq *vq;
	bool write_through; /* writes carry RWF_DSYNC */
	struct virtq_seg seg[BLK_REQ_MAX_SEG];
	struct virtq_chain chain; /* pops walk into seg[] */
	struct blk_slot *free;
	struct blk_slot *parked_flush; /* waits for earlier writes */
	unsigned int in_flight;	       /* requests in io_uring */
	unsigned int writes_in_flight;
	unsigned int waits_in_flight; /* kick and stop reads, cancels */
	unsigned int batch;	      /* requests since the last submit */
	uint64_t kick_buf, stop_buf;  /* the eventfd reads land here */
	bool kick_armed, kick_broken;
	bool stopping;
	bool want_drain;   /* kicked, or a slot or a parked flush freed */
	bool out_of_slots; /* draining waits for a completion */
	bool queue_dead;   /* reported broken: pop no more */
	bool pushed;	   /* used entries since the last notify */

	/* Counters, any thread. */
	atomic_uint_fast64_t requests, batches, interrupts;
	atomic_uint_fast64_t cpu_ns_ended; /* of the threads that have ended */
};

struct seccomp_policy;

/*
 * Sets up the ring, the request slots and the stop eventfd for the image
 * @file_fd of @disk, serving @dev's queue 0 kicked through @kick_fd. With
 * @sync_io the thread carries out each request itself (blk_sync.h) and
 * the ring only waits for kicks. The thread confines itself by @seccomp
 * (NULL: it does not), which must outlive @u. Returns 0, or -errno after
 * one line naming @name.
 */
TV_MUST_CHECK int blk_uring_init(struct blk_uring *u, const char *name,
				 struct virtio_mmio_dev *dev,
				 const struct blk_disk *disk, int file_fd,
				 bool sync_io, int kick_fd,
				 const struct seccomp_policy *seccomp);
/*
 * Why creating the ring (or its eventfd) failed with @err, and what to
 * raise: "" or text starting with "; " for the end of an error line,
 * into @buf (@len bytes). -ENOMEM names the memory cgroup and, for
 * kernels before 5.12, RLIMIT_MEMLOCK with its value; -EMFILE
 * RLIMIT_NOFILE; -EPERM io_uring being forbidden. Returns @buf.
 */
const char *blk_uring_setup_hint(int err, char *buf, size_t len);
/* Frees what blk_uring_init() set up; the thread must be stopped. */
void blk_uring_fini(struct blk_uring *u);

/*
 * Starts the thread on @vq; @write_through when the driver did not take
 * VIRTIO_BLK_F_FLUSH. Returns 0 or -errno (thread creation failed).
 */
TV_MUST_CHECK int blk_uring_start(struct blk_uring *u, struct virtq *vq,
				  bool write_through);
/*
 * CPU time (user and kernel, ns) the dataplane's threads have used so far,
 * ended ones included: what tinyvmm itself spends on the disk's requests.
 * Under QEMU's -icount shift=0, one ns is one instruction of the emulated
 * host. Call it only where no vCPU can start or stop the thread (after the
 * vCPUs stopped): it reads the transport's running flag without its lock.
 */
uint64_t blk_uring_cpu_ns(const struct blk_uring *u);

/* Stops and joins the thread, after its I/O completed; no-op if stopped. */
void blk_uring_stop(struct blk_uring *u);

#endif
