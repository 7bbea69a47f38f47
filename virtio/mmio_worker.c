// SPDX-License-Identifier: MIT
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>

#include "vmm/base/seccomp.h"
#include "virtio/mmio.h"
#include "virtio/mmio_worker.h"

/*
 * Lock order: a device's lock, then the worker's (queueing happens inside
 * a register write); the thread never holds its lock while it takes a
 * device's.
 */
struct virtio_mmio_worker {
	const struct seccomp_policy *seccomp;
	pthread_mutex_t lock;
	pthread_cond_t wake; /* the thread: work queued, or stop */
	pthread_cond_t up;   /* start(): the thread has confined itself */
	struct virtio_mmio_dev *head, *tail; /* FIFO through worker_next */
	bool running;			     /* queueing is allowed */
	bool stop, started, ready;
	int confine_ret;
	pthread_t thread;
};

/* The next queued device, or NULL once told to stop with none left. */
static struct virtio_mmio_dev *worker_next(struct virtio_mmio_worker *w)
{
	struct virtio_mmio_dev *dev;

	while (!w->head && !w->stop)
		pthread_cond_wait(&w->wake, &w->lock);
	dev = w->head;
	if (dev) {
		w->head = dev->worker_next;
		if (!w->head)
			w->tail = NULL;
		dev->worker_next = NULL;
		dev->worker_queued = false;
	}
	return dev;
}

static void *worker_main(void *arg)
{
	struct virtio_mmio_worker *w = arg;
	struct virtio_mmio_dev *dev;
	int ret;

	/* By prctl(): naming another thread opens a /proc file. */
	prctl(PR_SET_NAME, "tv-devices", 0, 0, 0);
	ret = seccomp_confine(SECCOMP_DEVICES, w->seccomp);
	pthread_mutex_lock(&w->lock);
	w->confine_ret = ret;
	w->ready = true;
	w->running = !ret;
	pthread_cond_signal(&w->up);
	while (!ret && (dev = worker_next(w))) {
		pthread_mutex_unlock(&w->lock);
		virtio_mmio_complete_change(dev);
		pthread_mutex_lock(&w->lock);
	}
	w->running = false;
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int virtio_mmio_worker_create(const struct seccomp_policy *seccomp,
			      struct virtio_mmio_worker **out)
{
	struct virtio_mmio_worker *w = calloc(1, sizeof(*w));

	*out = NULL;
	if (!w) {
		tv_err("no host memory for the device manager");
		return -ENOMEM;
	}
	w->seccomp = seccomp;
	if (pthread_mutex_init(&w->lock, NULL) ||
	    pthread_cond_init(&w->wake, NULL) ||
	    pthread_cond_init(&w->up, NULL)) {
		tv_err("device manager: creating its lock failed");
		free(w);
		return -ENOMEM;
	}
	*out = w;
	return 0;
}

int virtio_mmio_worker_start(struct virtio_mmio_worker *w)
{
	sigset_t all, old;
	int ret;

	/* Signals are for the vCPU and main threads: this one takes none. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&w->thread, NULL, worker_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		tv_errno(ret, "starting the device manager thread");
		return -ret;
	}
	w->started = true;
	pthread_mutex_lock(&w->lock);
	while (!w->ready)
		pthread_cond_wait(&w->up, &w->lock);
	ret = w->confine_ret;
	pthread_mutex_unlock(&w->lock);
	if (ret)
		virtio_mmio_worker_stop(w); /* it said why, and has returned */
	return ret;
}

void virtio_mmio_worker_stop(struct virtio_mmio_worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	w->started = false;
}

void virtio_mmio_worker_destroy(struct virtio_mmio_worker *w)
{
	if (!w)
		return;
	virtio_mmio_worker_stop(w);
	pthread_cond_destroy(&w->up);
	pthread_cond_destroy(&w->wake);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

bool virtio_mmio_worker_queue(struct virtio_mmio_worker *w,
			      struct virtio_mmio_dev *dev)
{
	bool queued;

	pthread_mutex_lock(&w->lock);
	queued = w->running;
	if (queued && !dev->worker_queued) {
		dev->worker_queued = true;
		dev->worker_next = NULL;
		if (w->tail)
			w->tail->worker_next = dev;
		else
			w->head = dev;
		w->tail = dev;
		pthread_cond_signal(&w->wake);
	}
	pthread_mutex_unlock(&w->lock);
	return queued;
}
