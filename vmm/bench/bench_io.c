// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "vmm/machine/arch.h"
#include "vmm/base/affinity.h"
#include "vmm/base/kvm.h"
#include "vmm/bench/bench_io.h"
#include "vmm/base/seccomp.h"
#include "vmm/machine/vm.h"

struct bench_io {
	struct vm *vm;
	uint64_t kick_gpa;
	uint32_t gsi;
	int kick_fd, irq_fd, quit_fd;
	bool ioeventfd_on, irqfd_on, thread_on;
	pthread_t thread;
	_Atomic(struct bench_io_slot *) slot; /* NULL until IO_SLOT */
};

/* One round trip's host half: the measured path (bench_io.h). */
static void bench_io_serve(struct bench_io *io)
{
	struct bench_io_slot *slot;
	uint64_t n, woke, seq, one = 1;

	if (read(io->kick_fd, &n, sizeof(n)) != (ssize_t)sizeof(n))
		return; /* woken with nothing to read */
	woke = arch_host_counter();
	slot = atomic_load_explicit(&io->slot, memory_order_acquire);
	if (!slot)
		return; /* a kick before IO_SLOT: nowhere to answer */
	__atomic_store_n(&slot->host_woke, woke, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->host_signal, arch_host_counter(),
			 __ATOMIC_RELAXED);
	/* The stamps are visible before the guest can see seq move. */
	seq = __atomic_load_n(&slot->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->seq, seq + 1, __ATOMIC_RELEASE);
	if (write(io->irq_fd, &one, sizeof(one)) < 0) {
		/* Cannot fail for a counter this small; the guest times out. */
	}
}

static void *bench_io_thread(void *opaque)
{
	struct bench_io *io = opaque;
	struct pollfd fds[] = {
		{ .fd = io->kick_fd, .events = POLLIN },
		{ .fd = io->vm->stop_eventfd, .events = POLLIN },
		{ .fd = io->quit_fd, .events = POLLIN },
	};

	if (seccomp_confine(SECCOMP_BENCH_IO, &io->vm->seccomp)) {
		vm_request_stop(io->vm, TINYVMM_EXIT_ERROR);
		return NULL;
	}
	for (;;) {
		if (poll(fds, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			tv_errno(-errno,
				 "bench I/O backend: poll; io benchmarks stop");
			return NULL;
		}
		if (fds[1].revents || fds[2].revents)
			return NULL; /* the VM is stopping, or the device going */
		if (fds[0].revents & POLLIN)
			bench_io_serve(io);
	}
}

/* The kick: any 8-byte write to the kick register, no datamatch. */
static int bench_io_ioeventfd(struct bench_io *io, bool assign)
{
	return kvm_ioeventfd(io->vm->vm_fd, io->kick_gpa, 8, NULL, io->kick_fd,
			     assign);
}

/* One line saying why, for any step of bench_io_register(). */
static int bench_io_refused(int err, const char *what)
{
	if (err == -ENOTSUP)
		tv_err("bench device: io_out/io_in disabled: %s", what);
	else
		tv_errno(err, "bench device: io_out/io_in disabled: %s", what);
	return err;
}

static int bench_io_register(struct bench_io *io, unsigned int irq)
{
	const char *missing;
	char why[64];
	int ret = kvm_check_eventfd_caps(io->vm->vm_fd, &missing);

	if (ret) {
		snprintf(why, sizeof(why), "this host's KVM lacks %s", missing);
		return bench_io_refused(ret, why);
	}
	ret = arch_irqfd_gsi(irq, &io->gsi);
	if (ret)
		return bench_io_refused(
			ret, "no irqfd route to its interrupt on this arch");
	io->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	io->irq_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	io->quit_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (io->kick_fd < 0 || io->irq_fd < 0 || io->quit_fd < 0)
		return bench_io_refused(-errno, "creating its eventfds");
	ret = bench_io_ioeventfd(io, true);
	if (ret)
		return bench_io_refused(ret,
					"KVM_IOEVENTFD on the kick register");
	io->ioeventfd_on = true;
	ret = kvm_irqfd(io->vm->vm_fd, io->gsi, io->irq_fd, true);
	if (ret)
		return bench_io_refused(ret, "KVM_IRQFD for its interrupt");
	io->irqfd_on = true;
	return 0;
}

static void bench_io_pin(struct bench_io *io, pthread_attr_t *attr)
{
	int count = 0, cpu = -1;

	if (!io->vm->cfg->pin_vcpus)
		return;
	/*
	 * The last allowed CPU: vCPU i has the i-th, so this one is shared
	 * with a vCPU only when there are no more CPUs than vCPUs.
	 */
	if (affinity_nth_cpu(0, &cpu, &count) ||
	    affinity_nth_cpu((unsigned int)count - 1, &cpu, NULL) ||
	    affinity_attr_pin(attr, cpu)) {
		tv_info("bench I/O backend: not pinned (no host CPU to pin it to)");
		return;
	}
	tv_info("bench I/O backend pinned to host CPU %d%s", cpu,
		io->vm->nr_vcpus >= (unsigned int)count
			? " (shared with a vCPU: no more host CPUs than vCPUs)"
			: "");
}

/* Signals blocked in the thread: only the console loop takes them. */
static int bench_io_start(struct bench_io *io)
{
	sigset_t all, old;
	pthread_attr_t attr;
	int ret;

	pthread_attr_init(&attr);
	bench_io_pin(io, &attr);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&io->thread, &attr, bench_io_thread, io);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (ret)
		return bench_io_refused(-ret,
					"starting its I/O backend thread");
	io->thread_on = true;
	return 0;
}

struct bench_io *bench_io_create(struct vm *vm, uint64_t kick_gpa,
				 unsigned int irq)
{
	struct bench_io *io = calloc(1, sizeof(*io));

	if (!io) {
		bench_io_refused(-ENOMEM, "no memory for its I/O backend");
		return NULL;
	}
	io->vm = vm;
	io->kick_gpa = kick_gpa;
	io->kick_fd = io->irq_fd = io->quit_fd = -1;
	atomic_init(&io->slot, NULL);
	if (bench_io_register(io, irq) || bench_io_start(io)) {
		bench_io_destroy(io);
		return NULL;
	}
	return io;
}

static void bench_io_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

void bench_io_destroy(struct bench_io *io)
{
	uint64_t one = 1;

	if (!io)
		return;
	if (io->thread_on) {
		if (write(io->quit_fd, &one, sizeof(one)) < 0) {
			/* Cannot fail for a counter this small. */
		}
		pthread_join(io->thread, NULL);
	}
	/* Best effort: closing the VM fd would drop them as well. */
	if (io->irqfd_on &&
	    kvm_irqfd(io->vm->vm_fd, io->gsi, io->irq_fd, false))
		tv_info("bench device: KVM_IRQFD deassign failed");
	if (io->ioeventfd_on && bench_io_ioeventfd(io, false))
		tv_info("bench device: KVM_IOEVENTFD deassign failed");
	bench_io_close(io->kick_fd);
	bench_io_close(io->irq_fd);
	bench_io_close(io->quit_fd);
	free(io);
}

void bench_io_set_slot(struct bench_io *io, struct bench_io_slot *slot)
{
	atomic_store_explicit(&io->slot, slot, memory_order_release);
}
