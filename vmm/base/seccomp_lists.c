// SPDX-License-Identifier: MIT
/*
 * The allow-lists, as one table: each rule names the thread kinds it is
 * for. Only syscalls every arch has; arch/<arch>/seccomp_arch.c adds the
 * arch's own (its KVM ioctls, x86_64's poll and epoll_wait). docs/seccomp.md
 * lists them per thread: keep the two in step.
 */
#include <linux/if_tun.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <linux/vhost.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "vmm/base/seccomp.h"

#define M SECCOMP_BIT(SECCOMP_MAIN)
#define V SECCOMP_BIT(SECCOMP_VCPU)
#define VB SECCOMP_BIT(SECCOMP_VCPU_BENCH)
#define B SECCOMP_BIT(SECCOMP_BLK)
#define N SECCOMP_BIT(SECCOMP_NET)
#define U SECCOMP_BIT(SECCOMP_VHOST_USER)
#define I SECCOMP_BIT(SECCOMP_BENCH_IO)
#define P SECCOMP_BIT(SECCOMP_PEER)
#define D SECCOMP_BIT(SECCOMP_DEVICES)
#define ALL (SECCOMP_BIT(SECCOMP_NR_THREADS) - 1)

#define SYS(kinds, call)                                      \
	{                                                     \
		(kinds), SYS_##call, #call, SECCOMP_ANY, 0, 0 \
	}
#define ARG(kinds, call, test, arg, val)                                   \
	{                                                                  \
		(kinds), SYS_##call, #call, (test), (arg), (uint32_t)(val) \
	}
#define IOCTL(kinds, req)                                                    \
	{                                                                    \
		(kinds), SYS_ioctl, #req, SECCOMP_ARG_EQ, 1, (uint32_t)(req) \
	}

static const struct seccomp_rule common_rules[] = {
	/* Each thread's hot path first: the filter tests in this order. */
	IOCTL(V | P, KVM_RUN),
	SYS(B, io_uring_enter),
	/* io=sync (virtio/blk_sync.h): an image in memory, copied in place. */
	SYS(B, preadv),
	ARG(B, pwritev2, SECCOMP_ARG_NONE, 5, (uint32_t)~RWF_DSYNC),
	SYS(B, fdatasync),
	SYS(N, readv),
	SYS(N, writev),
	SYS(M | N, epoll_pwait),
	SYS(U | I, ppoll),
	SYS(M | D | N | I, read), /* eventfds, signalfd, stdin */

	/*
	 * Every thread: log lines (and the SIGSYS handler's line and exit),
	 * libc's locks, malloc and free, signals (the vCPU kick), thread
	 * exit. Memory never becomes executable.
	 */
	SYS(ALL, write),
	SYS(ALL, futex),
	ARG(ALL, mmap, SECCOMP_ARG_NONE, 2, PROT_EXEC),
	ARG(ALL, mprotect, SECCOMP_ARG_NONE, 2, PROT_EXEC),
	SYS(ALL, munmap),
	SYS(ALL, madvise), /* an exiting thread gives back its stack */
	SYS(ALL, brk),
	SYS(ALL, rt_sigprocmask),
	SYS(ALL, rt_sigreturn),
	SYS(ALL, restart_syscall), /* a timed wait resumed after SIGSTOP */
	SYS(ALL, clock_gettime),   /* where the vDSO falls back to it */
	/* malloc's arena limit, read once there are over 8 arenas */
	SYS(ALL, sched_getaffinity),
	SYS(ALL, getpid), /* pthread_kill(), raise() */
	SYS(ALL, gettid),
	SYS(ALL, tgkill),
	SYS(ALL, exit),
	SYS(ALL, exit_group),

	/* vCPU: the MMIO exits' work (the boot timer's mincore, KVM statistics). */
	SYS(V, pread64),
	SYS(V, mincore),

	/*
	 * Device manager: DRIVER_OK and reset of the virtio devices, which a
	 * vCPU hands it (virtio/mmio_worker.h): they start and stop the
	 * dataplanes (I/O threads, vhost-net rings, vhost-user messages).
	 * Main resets the devices once more as it tears them down; a --bench
	 * vCPU closes vm_switch's peer VM.
	 */
	SYS(D | M | VB, close),
	SYS(D | M | N, epoll_ctl),
	SYS(D | M, sendmsg), /* vhost-user */
	SYS(D | M, recvmsg),
	IOCTL(D, TUNSETOFFLOAD),
	IOCTL(D, VHOST_SET_FEATURES),
	IOCTL(D, VHOST_SET_VRING_NUM),
	IOCTL(D, VHOST_SET_VRING_BASE),
	IOCTL(D, VHOST_SET_VRING_ADDR),
	IOCTL(D, VHOST_SET_VRING_KICK),
	IOCTL(D, VHOST_SET_VRING_CALL),
	IOCTL(D, VHOST_SET_VRING_BUSYLOOP_TIMEOUT),
	IOCTL(D | M, VHOST_NET_SET_BACKEND),
	IOCTL(D | M, VHOST_GET_VRING_BASE),
	/*
	 * Starting a thread (the device manager its devices' I/O threads, a
	 * --bench vCPU the peer's): clone only for threads; glibc falls
	 * back from clone3.
	 */
	ARG(D | VB, clone, SECCOMP_ARG_HAS, 0, CLONE_THREAD),
	ARG(D | VB, clone3, SECCOMP_ENOSYS, 0, 0),
	SYS(D | VB, set_robust_list),
	SYS(D | VB, rseq),
	/* ... which then names itself and confines itself further. */
	ARG(D | VB, prctl, SECCOMP_ARG_EQ, 0, PR_SET_NAME),
	ARG(D | VB, prctl, SECCOMP_ARG_EQ, 0, PR_GET_SECCOMP),
	ARG(D | VB, prctl, SECCOMP_ARG_EQ, 0, PR_SET_NO_NEW_PRIVS),
	ARG(D | VB, seccomp, SECCOMP_ARG_EQ, 0, SECCOMP_SET_MODE_FILTER),

	/* --bench vCPU: vm_switch's peer VM, created on the guest's request. */
	IOCTL(VB, KVM_CHECK_EXTENSION),
	IOCTL(VB, KVM_CREATE_VM),
	IOCTL(VB | M, KVM_SET_USER_MEMORY_REGION),
	IOCTL(VB, KVM_CREATE_VCPU),
	SYS(VB, sched_setaffinity),

	/*
	 * Main: the console loop (epoll, signalfd, the terminal), then
	 * joining the vCPUs, the --bench report (host facts gathered and
	 * --json FILE opened before: vmm/main.c) and tearing the devices
	 * down. glibc's fstat(), which stdio calls to size the FILE's
	 * buffer, is newfstatat.
	 */
	SYS(M, epoll_create1),
	SYS(M, signalfd4),
	IOCTL(M, TCGETS),
	IOCTL(M, TCSETS),
	SYS(M, newfstatat),
	/*
	 * glibc's qsort() reads the machine's memory size (sysconf, i.e.
	 * sysinfo) before it allocates scratch space over 1 KiB: the main
	 * thread sorts --bench samples, a --bench vCPU its exit profiles.
	 */
	SYS(M | VB, sysinfo),
	IOCTL(M, KVM_IRQFD),
	IOCTL(M, KVM_IOEVENTFD),

	/* virtio-blk's I/O thread: its ring failed, it naps until stopped. */
	SYS(B, clock_nanosleep),
};

const struct seccomp_rule *seccomp_common_rules(size_t *nr)
{
	*nr = sizeof(common_rules) / sizeof(common_rules[0]);
	return common_rules;
}

static const struct {
	const char *name, *key;
} thread_names[SECCOMP_NR_THREADS] = {
	[SECCOMP_MAIN] = { "main", "main" },
	[SECCOMP_VCPU] = { "vCPU", "vcpu" },
	[SECCOMP_VCPU_BENCH] = { "vCPU (--bench)", "vcpu-bench" },
	[SECCOMP_BLK] = { "virtio-blk I/O", "blk" },
	[SECCOMP_NET] = { "virtio-net I/O", "net" },
	[SECCOMP_VHOST_USER] = { "vhost-user watcher", "vhost-user" },
	[SECCOMP_BENCH_IO] = { "bench I/O", "bench-io" },
	[SECCOMP_PEER] = { "vm_switch peer", "peer" },
	[SECCOMP_DEVICES] = { "device manager", "devices" },
};

const char *seccomp_thread_name(enum seccomp_thread t)
{
	return thread_names[t].name;
}

const char *seccomp_thread_key(enum seccomp_thread t)
{
	return thread_names[t].key;
}

/*
 * The device manager starts the I/O threads (DRIVER_OK), a --bench vCPU
 * the peer; a vCPU starts none.
 */
uint32_t seccomp_thread_includes(enum seccomp_thread t)
{
	switch (t) {
	case SECCOMP_DEVICES:
		return D | B | N;
	case SECCOMP_VCPU_BENCH:
		return V | VB | P;
	default:
		return SECCOMP_BIT(t);
	}
}
