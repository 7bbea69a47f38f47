/* SPDX-License-Identifier: MIT */
/*
 * Confinement: each tinyvmm thread, once set up, installs a seccomp-bpf
 * allow-list of the syscalls it needs (for ioctl, of the request numbers
 * too). A syscall outside it raises SIGSYS (SECCOMP_RET_TRAP), whose
 * handler writes one line naming the syscall and the thread kind and
 * exits with SECCOMP_EXIT_STATUS. The lists are tables of rules
 * (seccomp_lists.c, and the arch's in arch/<arch>/seccomp_arch.c); the
 * program is built from them when the thread confines itself.
 *
 * Filters stack: a thread started by a confined thread runs under its
 * starter's filter and then adds its own, so what it may do is the
 * intersection. The device manager starts the I/O threads of devices the
 * guest turns on (a vCPU hands it DRIVER_OK and reset:
 * virtio/mmio_worker.h), and a --bench vCPU starts vm_switch's peer, so
 * their lists hold those threads' too (seccomp_thread_includes()).
 * Threads the main thread starts during set-up (the device manager, the
 * bench I/O backend, the vhost-user watcher) start unconfined and
 * install only their own.
 */
#ifndef TINYVMM_VMM_SECCOMP_H
#define TINYVMM_VMM_SECCOMP_H

#include <linux/filter.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm/base/log.h"

/* tinyvmm's exit status after a refused syscall: as if killed by SIGSYS. */
#define SECCOMP_EXIT_STATUS (128 + SIGSYS)

/* What the self-test hook (seccomp_confine()) calls: in no list. */
#define SECCOMP_SELFTEST_ENV "TINYVMM_SECCOMP_SELFTEST"

enum seccomp_thread {
	SECCOMP_MAIN,	    /* console loop, then the report and teardown */
	SECCOMP_VCPU,	    /* KVM_RUN, MMIO dispatch */
	SECCOMP_VCPU_BENCH, /* a --bench vCPU: also starts vm_switch's peer */
	SECCOMP_BLK,	    /* virtio-blk's io_uring thread */
	SECCOMP_NET,	    /* virtio-net's userspace dataplane */
	SECCOMP_VHOST_USER, /* vhost-user-blk's hang-up watcher */
	SECCOMP_BENCH_IO,   /* the bench device's I/O backend */
	SECCOMP_PEER,	    /* vm_switch's peer VM vCPU */
	SECCOMP_DEVICES,    /* the device manager: virtio DRIVER_OK and reset */
	SECCOMP_NR_THREADS,
};

#define SECCOMP_BIT(t) (1u << (t))

/* How a rule looks at the syscall's arguments. */
enum seccomp_test {
	SECCOMP_ANY,	  /* allowed whatever the arguments */
	SECCOMP_ARG_EQ,	  /* allowed when argument @arg equals @value */
	SECCOMP_ARG_HAS,  /* ... has every bit of @value set */
	SECCOMP_ARG_NONE, /* ... has no bit of @value set */
	SECCOMP_ENOSYS,	  /* not allowed, but fails with ENOSYS, no SIGSYS */
};

/*
 * One allow-list entry. Rules for the same syscall are alternatives.
 * Argument tests read the low 32 bits: the kernel takes ioctl's request,
 * prctl's option and clone's flags as 32-bit values.
 */
struct seccomp_rule {
	uint32_t threads; /* SECCOMP_BIT() of each thread kind it is for */
	int nr;		  /* from <sys/syscall.h> */
	const char *name; /* the syscall's, or for ioctl the request's */
	enum seccomp_test test;
	uint8_t arg; /* 0-5 */
	uint32_t value;
};

/* The common rules (seccomp_lists.c); the arch adds arch_seccomp_rules(). */
const struct seccomp_rule *seccomp_common_rules(size_t *nr);

/* "vCPU", "virtio-blk I/O", ...: for messages. */
const char *seccomp_thread_name(enum seccomp_thread t);
/* "vcpu", "blk", ...: for TINYVMM_SECCOMP_SELFTEST. */
const char *seccomp_thread_key(enum seccomp_thread t);
/* The kinds whose rules @t's list takes: its own, and the threads it starts. */
uint32_t seccomp_thread_includes(enum seccomp_thread t);

/* Far above the lists' ~150 instructions; BPF allows 4096. */
#define SECCOMP_MAX_INSNS 1024

struct seccomp_prog {
	struct sock_filter insns[SECCOMP_MAX_INSNS];
	unsigned int len;
	unsigned int nr_syscalls; /* distinct syscalls with some rule */
	unsigned int nr_ioctls;	  /* ioctl request numbers allowed */
};

/*
 * The program for @t: the arch check, then the rules of every kind
 * seccomp_thread_includes() names. Returns 0, or -E2BIG when it does not
 * fit (a bug in the tables). Prints nothing.
 */
TV_MUST_CHECK int seccomp_build(enum seccomp_thread t, struct seccomp_prog *p);

/* What the VM asked for: filled on the main thread before any thread starts. */
struct seccomp_policy {
	bool enabled;
	int selftest; /* enum seccomp_thread, or -1 */
};

/*
 * Reads TINYVMM_SECCOMP_SELFTEST (a kind's key: each thread of that kind
 * calls socket() right after confining itself, so the first ends tinyvmm;
 * for the tests) and, when @enabled, installs the SIGSYS handler. Returns
 * 0 or -errno after one line.
 */
TV_MUST_CHECK int seccomp_policy_init(struct seccomp_policy *p, bool enabled);

/*
 * Confines the calling thread as @t when @p says so (NULL: never, as in
 * unit tests): unblocks SIGSYS, sets no_new_privs, installs the filter
 * (on top of its starter's, if any), and runs the self-test if it names
 * @t. Every thread calls it first thing, whoever started it. Returns 0,
 * or -errno after one line; the thread then keeps its starter's filter.
 */
TV_MUST_CHECK int seccomp_confine(enum seccomp_thread t,
				  const struct seccomp_policy *p);

/*
 * -v says each kind's list size once, as the first thread of that kind
 * confines itself. Between hold and release (the guest running) those
 * lines are kept back and release prints them: a thread confined then
 * would cut into the guest's console output in mid-line.
 */
void seccomp_reports_hold(void);
void seccomp_reports_release(void);

#endif
