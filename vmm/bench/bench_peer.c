// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/base/affinity.h"
#include "vmm/machine/arch.h"
#include "vmm/bench/bench_arch.h"
#include "vmm/bench/bench_peer.h"
#include "guest/common/bench_protocol.h"
#include "vmm/base/exit_names.h"
#include "vmm/base/kvm.h"
#include "vmm/base/seccomp.h"
#include "vmm/machine/vcpu.h"
#include "vmm/machine/vm.h"

/*
 * Both the peer's code region and the shared page are this big: the
 * largest arm64 page size, so a memory slot is page-aligned on any host.
 */
#define PEER_REGION_SIZE 0x10000UL

/* The peer VM itself, alive between start and stop. */
struct peer_vm {
	int vm_fd, vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	void *code; /* PEER_REGION_SIZE, private to the peer */
	pthread_t thread;
	bool thread_started;
	atomic_bool stopping;
	const struct seccomp_policy *seccomp; /* the benchmark VM's */
};

struct bench_peer {
	struct vm *vm;	      /* the benchmark VM */
	void *page;	      /* PEER_REGION_SIZE, shared by both VMs */
	uint64_t page_gpa;    /* in the benchmark VM */
	uint32_t page_slot;   /* its memory slot there */
	struct peer_vm *peer; /* NULL: not running */
};

static int peer_map(void **out, int flags)
{
	void *p = mmap(NULL, PEER_REGION_SIZE, PROT_READ | PROT_WRITE,
		       flags | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	*out = p;
	return 0;
}

int bench_peer_create(struct vm *vm, struct bench_peer **out)
{
	const struct arch_platform *p = arch_platform();
	struct bench_peer *peer;
	int ret;

	*out = NULL;
	if (p->bench.peer_size < PEER_REGION_SIZE)
		return 0; /* no room in this arch's map: vm_switch reads 0 */
	peer = calloc(1, sizeof(*peer));
	if (!peer)
		return -ENOMEM;
	peer->vm = vm;
	peer->page_gpa = p->bench.peer_base;
	ret = peer_map(&peer->page, MAP_SHARED);
	if (!ret)
		ret = vm_add_memslot(vm, peer->page_gpa, PEER_REGION_SIZE,
				     peer->page, &peer->page_slot);
	if (ret) {
		tv_errno(ret, "mapping vm_switch's shared page at 0x%" PRIx64,
			 peer->page_gpa);
		if (peer->page)
			munmap(peer->page, PEER_REGION_SIZE);
		free(peer);
		return ret;
	}
	*out = peer;
	return 0;
}

/* Any exit to userspace is a fault of the peer: say so once and stop. */
static void *peer_thread(void *arg)
{
	struct peer_vm *pv = arg;

	/* Started by a vCPU thread: its list, narrowed to KVM_RUN. */
	if (seccomp_confine(SECCOMP_PEER, pv->seccomp))
		tv_err("vm_switch peer VM: runs under its vCPU's seccomp list");
	while (!atomic_load(&pv->stopping)) {
		if (ioctl(pv->vcpu_fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			tv_errno(errno,
				 "vm_switch peer VM: KVM_RUN; the peer stops");
			break;
		}
		tv_err("vm_switch peer VM: unexpected exit %s (%u); the peer stops",
		       kvm_exit_name(pv->run->exit_reason),
		       pv->run->exit_reason);
		break;
	}
	return NULL;
}

static void peer_vm_free(struct peer_vm *pv)
{
	if (pv->thread_started) {
		atomic_store(&pv->stopping, true);
		__atomic_store_n(&pv->run->immediate_exit, 1, __ATOMIC_SEQ_CST);
		pthread_kill(pv->thread, VCPU_KICK_SIGNAL);
		pthread_join(pv->thread, NULL);
	}
	if (pv->run)
		munmap(pv->run, pv->run_size);
	if (pv->vcpu_fd >= 0)
		close(pv->vcpu_fd);
	if (pv->vm_fd >= 0)
		close(pv->vm_fd);
	if (pv->code)
		munmap(pv->code, PEER_REGION_SIZE);
	free(pv);
}

/* The peer's RAM: its code at ram_base, the shared page right after. */
static int peer_vm_memory(struct bench_peer *peer, struct peer_vm *pv,
			  uint64_t *page_gpa)
{
	uint64_t base = arch_platform()->ram_base;
	const void *code;
	size_t len;
	int ret = arch_peer_code(&code, &len);

	if (ret)
		return ret;
	if (len > PEER_REGION_SIZE) {
		tv_err("vm_switch peer code is %zu bytes, more than its %lu",
		       len, PEER_REGION_SIZE);
		return -E2BIG;
	}
	ret = peer_map(&pv->code, MAP_PRIVATE);
	if (!ret) {
		memcpy(pv->code, code, len);
		ret = kvm_memslot_set(pv->vm_fd, 0, base, PEER_REGION_SIZE,
				      pv->code);
	}
	if (!ret)
		ret = kvm_memslot_set(pv->vm_fd, 1, base + PEER_REGION_SIZE,
				      PEER_REGION_SIZE, peer->page);
	if (ret)
		tv_errno(ret, "setting up the vm_switch peer VM's memory");
	*page_gpa = base + PEER_REGION_SIZE;
	return ret;
}

static int peer_vm_create(struct bench_peer *peer, struct peer_vm *pv)
{
	uint64_t page_gpa, base = arch_platform()->ram_base;
	unsigned long type;
	int ret = arch_vm_type(peer->vm->kvm_fd, 2 * PEER_REGION_SIZE, &type);

	if (ret)
		return ret;
	ret = kvm_create_vm(peer->vm->kvm_fd, type, &pv->vm_fd);
	if (ret) {
		tv_errno(ret, "KVM_CREATE_VM for the vm_switch peer");
		return ret;
	}
	ret = peer_vm_memory(peer, pv, &page_gpa);
	if (ret)
		return ret;
	ret = kvm_create_vcpu(pv->vm_fd, 0, &pv->vcpu_fd);
	if (ret) {
		tv_errno(ret, "KVM_CREATE_VCPU for the vm_switch peer");
		return ret;
	}
	pv->run_size = peer->vm->vcpu_mmap_size;
	pv->run = mmap(NULL, pv->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		       pv->vcpu_fd, 0);
	if (pv->run == MAP_FAILED) {
		pv->run = NULL;
		tv_errno(errno, "mapping the vm_switch peer's kvm_run");
		return -errno;
	}
	return arch_peer_vcpu_init(pv->vm_fd, pv->vcpu_fd, base, page_gpa);
}

/* On vCPU 0's host CPU: the one the benchmark guest blocks on. */
static int peer_thread_start(struct bench_peer *peer, struct peer_vm *pv)
{
	pthread_attr_t attr;
	int cpu, ret;

	if (!peer->vm->cfg->pin_vcpus) {
		tv_err("vm_switch needs pinned vCPUs (--pin) to put both VMs on one host CPU");
		return -EINVAL;
	}
	ret = affinity_nth_cpu(0, &cpu, NULL);
	if (ret) {
		tv_errno(ret, "choosing the vm_switch peer's host CPU");
		return ret;
	}
	pthread_attr_init(&attr);
	ret = affinity_attr_pin(&attr, cpu);
	if (!ret)
		ret = -pthread_create(&pv->thread, &attr, peer_thread, pv);
	pthread_attr_destroy(&attr);
	if (ret) {
		tv_errno(ret,
			 "starting the vm_switch peer's thread on host CPU %d",
			 cpu);
		return ret;
	}
	pv->thread_started = true;
	tv_info("vm_switch peer VM running on host CPU %d", cpu);
	return 0;
}

int bench_peer_start(struct bench_peer *peer)
{
	struct peer_vm *pv;
	int ret;

	if (peer->peer)
		return 0;
	pv = calloc(1, sizeof(*pv));
	if (!pv) {
		tv_err("no host memory for the vm_switch peer VM");
		return -ENOMEM;
	}
	pv->vm_fd = pv->vcpu_fd = -1;
	pv->seccomp = &peer->vm->seccomp;
	atomic_init(&pv->stopping, false);
	/* A fresh exchange: the guest counts requests from 0. */
	memset(peer->page, 0, sizeof(struct bench_peer_page));
	ret = peer_vm_create(peer, pv);
	if (!ret)
		ret = peer_thread_start(peer, pv);
	if (ret) {
		peer_vm_free(pv);
		return ret;
	}
	peer->peer = pv;
	return 0;
}

void bench_peer_stop(struct bench_peer *peer)
{
	if (!peer || !peer->peer)
		return;
	peer_vm_free(peer->peer);
	peer->peer = NULL;
}

uint64_t bench_peer_page_gpa(const struct bench_peer *peer)
{
	return peer && peer->peer ? peer->page_gpa : 0;
}

void bench_peer_destroy(struct bench_peer *peer)
{
	if (!peer)
		return;
	bench_peer_stop(peer);
	if (vm_remove_memslot(peer->vm, peer->page_slot))
		tv_err("removing vm_switch's shared page from the VM failed");
	munmap(peer->page, PEER_REGION_SIZE);
	free(peer);
}
